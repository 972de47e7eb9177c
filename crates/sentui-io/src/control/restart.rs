//! `restart-empty` of a local lab process: a server without persistence that crashes and comes
//! back at once. Kills the process listening on the port (SIGKILL: no save on the way out),
//! removes its data files (its `--dir`, else its working directory), and starts it again with
//! the command line the local lab recorded in its directory (a server rewrites its own
//! /proc command line), then waits until it listens on the same port.

use super::{ControlError, Effect};
use crate::link::now_ms;
use crate::procfs::{self, LocalProcess};
use sentui_model::Addr;
use sentui_model::action::Action;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the old process may take to go and the new one to listen.
const LIMIT: Duration = Duration::from_secs(5);
/// What Redis and Valkey keep in their data directory by default.
const DATA_FILES: [&str; 3] = ["dump.rdb", "appendonlydir", "appendonly.aof"];

/// The data directory a server was started with: `--dir X` on its command line, else where it
/// runs.
pub fn data_dir(args: &[String], cwd: &Path) -> PathBuf {
    args.windows(2)
        .find(|w| w[0] == "--dir")
        .map(|w| {
            let d = PathBuf::from(&w[1]);
            if d.is_absolute() { d } else { cwd.join(d) }
        })
        .unwrap_or_else(|| cwd.to_path_buf())
}

/// Whether the server forks into the background (`--daemonize yes`): then starting it returns
/// at once and is waited for.
fn daemonizes(args: &[String]) -> bool {
    args.windows(2)
        .any(|w| w[0] == "--daemonize" && w[1].eq_ignore_ascii_case("yes"))
}

fn gone(what: String) -> ControlError {
    ControlError::Restart(what)
}

/// Restarts the local process listening on `port` (announced as `addr`) with no data; only a
/// server (`server_names`, as for signals).
pub fn local(addr: &Addr, port: u16, server_names: &[String]) -> Result<Effect, ControlError> {
    let proc = procfs::find_listener(port)?.ok_or(ControlError::NoListener(port))?;
    if !procfs::is_server_name(&proc.name, server_names) {
        return Err(ControlError::NotAServer {
            pid: proc.pid,
            name: proc.name,
            port,
        });
    }
    // The local lab it belongs to, which records the new pid once it runs (`lab down` then
    // stops it): asked before the old one goes.
    let lab = crate::lab::local::lab_of(proc.pid, port);
    let cwd = procfs::cwd(proc.pid).ok_or_else(|| gone(format!("pid {} is gone", proc.pid)))?;
    let args = recorded_args(&proc, &cwd)?;
    let dir = data_dir(&args, &cwd);
    let deadline = Instant::now() + LIMIT;
    let killed = kill(&proc, port, deadline)?;
    // From here on the node is down: it is started again whatever else fails.
    let mut trouble = remove_data(&dir);
    let fresh = start_again(&args, &cwd, port, deadline)?;
    if let Some((dir, _)) = &lab
        && let Err(e) = crate::lab::local::restarted(dir, port, fresh.pid)
    {
        trouble.push(e.to_string());
    }
    if !trouble.is_empty() {
        return Err(gone(format!(
            "restarted (pid {}), but: {}",
            fresh.pid,
            trouble.join("; ")
        )));
    }
    Ok(Effect {
        action: Action::RestartEmpty,
        addr: addr.clone(),
        target: format!(
            "pid {} -> {}, {}, {} emptied",
            proc.pid,
            fresh.pid,
            fresh.name,
            dir.display()
        ),
        at: killed,
    })
}

/// The command line the local lab recorded for the process running in `cwd`.
fn recorded_args(proc: &LocalProcess, cwd: &Path) -> Result<Vec<String>, ControlError> {
    let recorded = cwd.join(crate::lab::local::ARGS_FILE);
    std::fs::read_to_string(&recorded)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(|a: &Vec<String>| !a.is_empty())
        .ok_or_else(|| {
            gone(format!(
                "pid {} ({}) was not started by `sentui lab up --local` (no {} where it runs), so sentui does not know how to start it again",
                proc.pid,
                proc.name,
                crate::lab::local::ARGS_FILE
            ))
        })
}

/// SIGKILL, then waits until no live process listens on the port (a dying socket can stay
/// listed for a moment without a process: hidden, not gone yet). Returns when it was killed:
/// the fault took effect then (the node comes back empty moments later).
fn kill(proc: &LocalProcess, port: u16, deadline: Instant) -> Result<u64, ControlError> {
    procfs::signal(proc.pid, libc::SIGKILL)?;
    let killed = now_ms();
    loop {
        match procfs::find_listener(port) {
            Ok(None) => return Ok(killed),
            Ok(Some(p)) if p.pid != proc.pid => return Ok(killed),
            _ if Instant::now() >= deadline => {
                return Err(gone(format!("pid {} did not die", proc.pid)));
            }
            _ => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// Removes the data files from `dir`; what could not be removed, in words.
fn remove_data(dir: &Path) -> Vec<String> {
    let mut trouble = Vec::new();
    for f in DATA_FILES {
        let p = dir.join(f);
        let removed = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        match removed {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                trouble.push(format!("cannot remove {}: {e}", p.display()));
            }
            _ => {}
        }
    }
    trouble
}

/// Starts the server again with its recorded command line and waits until it listens on
/// `port`.
fn start_again(
    args: &[String],
    cwd: &Path,
    port: u16,
    deadline: Instant,
) -> Result<LocalProcess, ControlError> {
    let mut cmd = std::process::Command::new(&args[0]);
    cmd.args(&args[1..])
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if daemonizes(args) {
        let status = cmd
            .status()
            .map_err(|e| gone(format!("cannot run {}: {e}", args[0])))?;
        if !status.success() {
            return Err(gone(format!("{} exited with {status}", args[0])));
        }
    } else {
        cmd.spawn()
            .map_err(|e| gone(format!("cannot run {}: {e}", args[0])))?;
    }
    loop {
        if let Ok(Some(p)) = procfs::find_listener(port) {
            return Ok(p);
        }
        if Instant::now() >= deadline {
            return Err(gone(format!(
                "{} did not listen on port {port} again",
                args[0]
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn the_data_dir_is_the_dir_argument_else_the_working_directory() {
        let cwd = Path::new("/run/lab");
        assert_eq!(
            data_dir(&args("redis-server --port 1 --dir /tmp/lab/master"), cwd),
            PathBuf::from("/tmp/lab/master")
        );
        assert_eq!(
            data_dir(&args("redis-server --dir data"), cwd),
            PathBuf::from("/run/lab/data")
        );
        assert_eq!(data_dir(&args("redis-server /etc/redis.conf"), cwd), cwd);
        assert!(daemonizes(&args("redis-server --daemonize yes")));
        assert!(!daemonizes(&args("redis-server --daemonize no")));
    }
}
