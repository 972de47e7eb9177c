//! `sentui lab up|down` and the lab half of `sentui demo`: the Docker Compose lab when an engine
//! is reachable (and `--local` is not given), the local-process lab otherwise.

use crate::cli::{LabAction, LabOptions, ProjectConflict};
use sentui_io::docker::{DockerError, Engine};
use sentui_io::lab::compose;
use sentui_io::lab::local::{self, LabState, MemberRole};
use sentui_io::lab::server::ServerImage;

pub enum Lab {
    Local(LabState),
    /// The compose project name.
    Docker(String),
}

/// Why a lab did not come up or go down, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Projects(#[from] ProjectConflict),
    #[error("--server {0} chooses the Docker lab's server; the local lab runs --server-bin PATH")]
    ServerOnLocal(ServerImage),
    #[error("--server needs a Docker engine: {0}")]
    ServerNeedsEngine(DockerError),
    #[error("{error}; the Docker lab '{project}' needs it (for a local-process lab, use --local)")]
    ProjectNeedsEngine { project: String, error: DockerError },
    #[error(
        "{error}; the Docker lab '{project}' cannot be taken down without it, and nothing else was touched (a local-process lab is taken down with --local)"
    )]
    DownNeedsEngine { project: String, error: DockerError },
    #[error(
        "compose project '{project}' exists and was not started by `sentui lab up` ({from}); choose another --project"
    )]
    Foreign { project: String, from: String },
    /// What the lab (sentui-io) said: its errors are sentences that say what to do.
    #[error("{0}")]
    Lab(String),
}

/// `sentui lab up|down`; `--project` and the global `--compose-project` name one project.
pub async fn run(action: LabAction, compose_project: Option<&str>) -> u8 {
    let done = match action {
        LabAction::Up(o) => match o.with_compose_project(compose_project) {
            Ok(o) => up(&o).await.map(|_| ()),
            Err(e) => Err(e.into()),
        },
        LabAction::Down(o) => match o.with_compose_project(compose_project) {
            Ok(o) => down(&o).await,
            Err(e) => Err(e.into()),
        },
    };
    match done {
        Ok(()) => 0,
        Err(e) => super::fail(e),
    }
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
    let (tls, tls_env) = match &state.tls {
        Some(t) => (
            format!(
                " --tls-ca {} --tls-cert {} --tls-key {}",
                t.ca().display(),
                t.client_cert().display(),
                t.client_key().display()
            ),
            format!(
                " SENTUI_TLS_CA={} SENTUI_TLS_CERT={} SENTUI_TLS_KEY={}",
                t.ca().display(),
                t.client_cert().display(),
                t.client_key().display()
            ),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "  {} {}{tls}\n  (or: export SENTUI_SENTINELS={}{tls_env})",
        self_command(),
        args.join(" "),
        env.join(",")
    )
}

/// Docker when asked for (not --local, no --server-bin) and an engine answers. `--server`
/// chooses the Docker lab's server, so it needs one. Only `lab up` with nothing Docker-specific
/// named falls back to the local lab; taking a lab down never does (it would remove another
/// kind of lab than the one meant). Returns the engine to use, or None for the local lab.
async fn use_docker(opts: &LabOptions, going_down: bool) -> Result<Option<Engine>, LabError> {
    let local = opts.local || opts.tls || opts.server_bin.is_some();
    if local && let Some(server) = opts.server {
        return Err(LabError::ServerOnLocal(server));
    }
    if local {
        return Ok(None);
    }
    let project = opts.project().to_string();
    match Engine::connect().await {
        Ok(engine) => Ok(Some(engine)),
        Err(error) if going_down => Err(LabError::DownNeedsEngine { project, error }),
        Err(error) if opts.server.is_some() => Err(LabError::ServerNeedsEngine(error)),
        Err(error) if opts.project.is_some() => {
            Err(LabError::ProjectNeedsEngine { project, error })
        }
        Err(e) => {
            outln!("no Docker engine ({e}); using the local-process lab");
            Ok(None)
        }
    }
}

/// Brings the lab up, or finds it already running. Returns it and whether this call started it.
pub async fn up(opts: &LabOptions) -> Result<(Lab, bool), LabError> {
    if let Some(engine) = use_docker(opts, false).await? {
        let project = opts.project();
        let presence = compose::presence(&engine, project).await;
        let started = match presence.map_err(|e| LabError::Lab(e.to_string()))? {
            compose::Presence::Foreign(from) => {
                return Err(LabError::Foreign {
                    project: project.to_string(),
                    from,
                });
            }
            compose::Presence::Lab => false,
            compose::Presence::Absent => true,
        };
        let server = opts.server.unwrap_or_default();
        let settings = opts.loss_settings();
        compose::up(project, server, &settings, &mut |line| outln!("{line}"))
            .await
            .map_err(|e| LabError::Lab(e.to_string()))?;
        outln!("Docker lab up: compose project {project}; the sentinels agree.");
        outln!(
            "connect with:\n  {} --compose-project {project}",
            self_command()
        );
        return Ok((Lab::Docker(project.to_string()), started));
    }
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    let server = local::server_binary(opts.server_bin.as_deref())
        .await
        .map_err(|e| LabError::Lab(e.to_string()))?;
    let settings = opts.loss_settings();
    let (state, started) = local::up(
        &dir,
        server,
        opts.replicas,
        opts.groups,
        &settings,
        opts.tls,
    )
    .await
    .map_err(|e| LabError::Lab(e.to_string()))?;
    if let Some(s) = &state.server {
        outln!("server: {} ({})", s.server, s.path.display());
    }
    let master = state.master().map(|m| m.to_string()).unwrap_or_default();
    let replicas = state
        .members
        .iter()
        .filter(|m| m.role == MemberRole::Replica)
        .count();
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
    Ok((Lab::Local(state), started))
}

pub async fn down(opts: &LabOptions) -> Result<(), LabError> {
    if use_docker(opts, true).await?.is_some() {
        compose::down(opts.project())
            .await
            .map_err(|e| LabError::Lab(e.to_string()))?;
        // Faults on its containers are gone with them: their guards need not wait.
        sentui_io::lease::LeaseStore::default_location().forget_project(opts.project());
        outln!(
            "Docker lab {} removed: no container, network or volume of the project is left.",
            opts.project()
        );
        return Ok(());
    }
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    for line in local::down(&dir).map_err(|e| LabError::Lab(e.to_string()))? {
        outln!("{line}");
    }
    outln!("local lab in {} removed.", dir.display());
    Ok(())
}

pub fn down_hint(opts: &LabOptions) -> String {
    if opts.local || opts.tls {
        let dir = opts
            .dir
            .as_ref()
            .map(|d| format!(" --dir {}", d.display()))
            .unwrap_or_default();
        format!("{} lab down --local{dir}", self_command())
    } else {
        format!("{} lab down --project {}", self_command(), opts.project())
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
