//! `sentui lab up|down`.

use crate::cli::LabOptions;
use crate::lab::local::{self, LabState};

pub fn connect_hint(state: &LabState) -> String {
    let args: Vec<String> = state
        .sentinels()
        .iter()
        .map(|s| format!("--sentinel {s}"))
        .collect();
    let env: Vec<String> = state.sentinels().iter().map(|s| s.to_string()).collect();
    format!(
        "  sentui {}\n  (or: export SENTUI_SENTINELS={})",
        args.join(" "),
        env.join(",")
    )
}

pub async fn up(opts: &LabOptions) -> Result<LabState, String> {
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    let (state, started) = local::up(&dir, opts.replicas).await?;
    let master = state.master().map(|m| m.to_string()).unwrap_or_default();
    let replicas = state.members.iter().filter(|m| m.role == "replica").count();
    if started {
        println!(
            "local lab up in {}: group {}, master {master}, {replicas} replicas, 3 sentinels; the sentinels agree.",
            dir.display(),
            state.group
        );
    } else {
        println!(
            "local lab already running in {} (group {}).",
            dir.display(),
            state.group
        );
    }
    println!("connect with:\n{}", connect_hint(&state));
    Ok(state)
}

pub fn down(opts: &LabOptions) -> Result<(), String> {
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    for line in local::down(&dir)? {
        println!("{line}");
    }
    println!("local lab in {} removed.", dir.display());
    Ok(())
}

/// Asks on the terminal whether to take the lab down (default yes); no terminal: keep it.
pub fn ask_down(opts: &LabOptions) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return false;
    }
    let dir = opts.dir.clone().unwrap_or_else(local::default_dir);
    print!("take the lab in {} down? [Y/n] ", dir.display());
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    !matches!(answer.trim(), "n" | "N" | "no" | "No")
}
