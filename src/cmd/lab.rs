//! `sentui lab up|down` and the lab half of `sentui demo`: the Docker Compose lab when an engine
//! is reachable (and `--local` is not given), the local-process lab otherwise.

use crate::cli::LabOptions;
use sentui_io::docker::Engine;
use sentui_io::lab::compose;
use sentui_io::lab::local::{self, LabState};

pub enum Lab {
    Local(LabState),
    /// The compose project name.
    Docker(String),
}

/// How to run this sentui again from a shell: `sentui` when that is on PATH and is this
/// binary, else this binary's path (the demo's own build is not on PATH until installed).
pub fn self_command() -> String {
    let me = std::env::current_exe().and_then(std::fs::canonicalize).ok();
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("sentui"))
            .find(|p| p.is_file())
            .and_then(|p| std::fs::canonicalize(p).ok())
    });
    match (me, on_path) {
        (Some(me), Some(found)) if me == found => "sentui".into(),
        (Some(me), _) => me.display().to_string(),
        (None, _) => "sentui".into(),
    }
}

pub fn connect_hint(state: &LabState) -> String {
    let args: Vec<String> = state
        .sentinels()
        .iter()
        .map(|s| format!("--sentinel {s}"))
        .collect();
    let env: Vec<String> = state.sentinels().iter().map(|s| s.to_string()).collect();
    format!(
        "  {} {}\n  (or: export SENTUI_SENTINELS={})",
        self_command(),
        args.join(" "),
        env.join(",")
    )
}

/// Docker when asked for (not --local, no --server-bin) and an engine answers. `--server`
/// chooses the Docker lab's server, so it needs one.
async fn use_docker(opts: &LabOptions) -> Result<bool, String> {
    let local = opts.local || opts.server_bin.is_some();
    if local && let Some(server) = opts.server {
        return Err(format!(
            "--server {server} chooses the Docker lab's server; the local lab runs --server-bin PATH"
        ));
    }
    if local {
        return Ok(false);
    }
    match Engine::connect().await {
        Ok(_) => Ok(true),
        Err(e) if opts.server.is_some() => Err(format!("--server needs a Docker engine: {e}")),
        Err(e) => {
            outln!("no Docker engine ({e}); using the local-process lab");
            Ok(false)
        }
    }
}

pub async fn up(opts: &LabOptions) -> Result<Lab, String> {
    if use_docker(opts).await? {
        let server = opts.server.unwrap_or_default();
        let settings = opts.loss_settings();
        compose::up(&opts.project, server, &settings, &mut |line| {
            outln!("{line}")
        })
        .await?;
        outln!(
            "Docker lab up: compose project {}; the sentinels agree.",
            opts.project
        );
        outln!(
            "connect with:\n  {} --compose-project {}",
            self_command(),
            opts.project
        );
        return Ok(Lab::Docker(opts.project.clone()));
    }
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    let server = local::server_binary(opts.server_bin.as_deref()).await?;
    let settings = opts.loss_settings();
    let (state, started) = local::up(&dir, server, opts.replicas, opts.groups, &settings).await?;
    if let Some(s) = &state.server {
        outln!("server: {} ({})", s.server, s.path.display());
    }
    let master = state.master().map(|m| m.to_string()).unwrap_or_default();
    let replicas = state.members.iter().filter(|m| m.role == "replica").count();
    if started && state.groups.len() > 1 {
        outln!(
            "local lab up in {}: {} groups ({} ... {}), {replicas} replicas, 3 sentinels; the sentinels agree.",
            dir.display(),
            state.groups.len(),
            state.group,
            state.groups.last().map(String::as_str).unwrap_or_default(),
        );
    } else if started {
        outln!(
            "local lab up in {}: group {}, master {master}, {replicas} replicas, 3 sentinels; the sentinels agree.",
            dir.display(),
            state.group
        );
    } else {
        outln!(
            "local lab already running in {} (group {}).",
            dir.display(),
            state.group
        );
    }
    outln!("connect with:\n{}", connect_hint(&state));
    Ok(Lab::Local(state))
}

pub async fn down(opts: &LabOptions) -> Result<(), String> {
    if use_docker(opts).await? {
        compose::down(&opts.project).await?;
        outln!(
            "Docker lab {} removed: no container, network or volume of the project is left.",
            opts.project
        );
        return Ok(());
    }
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    for line in local::down(&dir)? {
        outln!("{line}");
    }
    outln!("local lab in {} removed.", dir.display());
    Ok(())
}

pub fn down_hint(opts: &LabOptions) -> String {
    if opts.local {
        let dir = opts
            .dir
            .as_ref()
            .map(|d| format!(" --dir {}", d.display()))
            .unwrap_or_default();
        format!("{} lab down --local{dir}", self_command())
    } else {
        format!("{} lab down --project {}", self_command(), opts.project)
    }
}

/// Asks on the terminal whether to take the lab down (default yes); no terminal: keep it.
pub fn ask_down(opts: &LabOptions) -> bool {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return false;
    }
    out!("take the lab down ({})? [Y/n] ", down_hint(opts));
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    !matches!(answer.trim(), "n" | "N" | "no" | "No")
}
