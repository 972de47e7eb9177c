//! Stopping a local lab: exactly the processes it started, still listening where it started
//! them.

use super::{LabError, load};
use crate::procfs::{self, LocalProcess, ProcError};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// Stops what the lab in `dir` started (resuming paused processes first) and removes `dir`.
/// Only processes that are still the ones it started (recorded pid listening on the recorded
/// port) are signalled; `dir` stays when one of them could not be stopped. Returns one line
/// per member.
pub fn down(dir: &Path) -> Result<Vec<String>, LabError> {
    let Some(state) = load(dir) else {
        return Err(LabError::NothingToStop(
            dir.to_path_buf(),
            super::running_labs(),
        ));
    };
    let mut lines = Vec::new();
    let mut ours = Vec::new();
    for (m, on_port) in state.listeners() {
        if m.listens(&on_port) {
            let _ = procfs::signal(m.pid, libc::SIGCONT);
            let _ = procfs::signal(m.pid, libc::SIGTERM);
            ours.push(m);
        } else if procfs::is_alive(m.pid) {
            lines.push(format!(
                "{} 127.0.0.1:{}: pid {} is no longer the lab's (it does not listen there); left alone{}",
                m.role,
                m.port,
                m.pid,
                stranger(m.port, m.pid, &on_port)
            ));
        } else {
            lines.push(format!(
                "{} 127.0.0.1:{} (pid {}) was not running{}",
                m.role,
                m.port,
                m.pid,
                stranger(m.port, m.pid, &on_port)
            ));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut survivors = Vec::new();
    for m in ours {
        let grace = deadline.saturating_duration_since(Instant::now());
        let mut gone = procfs::await_gone(m.pid, grace);
        if !gone {
            let _ = procfs::signal(m.pid, libc::SIGKILL);
            gone = procfs::await_gone(m.pid, Duration::from_secs(2));
        }
        if !gone {
            survivors.push(format!("{} pid {}", m.role, m.pid));
        } else {
            lines.push(format!(
                "stopped {} 127.0.0.1:{} (pid {})",
                m.role, m.port, m.pid
            ));
        }
    }
    if !survivors.is_empty() {
        return Err(LabError::NotStopped {
            survivors,
            dir: dir.to_path_buf(),
        });
    }
    fs::remove_dir_all(dir).map_err(|e| LabError::fs("remove", dir, e))?;
    Ok(lines)
}

/// Who listens on a member's port instead of the pid the lab started there (a member someone
/// restarted by hand): the lab does not signal a process it did not start, so it says so.
fn stranger(port: u16, lab_pid: i32, on_port: &Result<Option<LocalProcess>, ProcError>) -> String {
    match on_port {
        Ok(Some(p)) if p.pid != lab_pid => format!(
            "; pid {} ({}) listens on 127.0.0.1:{port} now: not started by the lab, left running (stop it yourself)",
            p.pid, p.name
        ),
        Err(e) => format!("; 127.0.0.1:{port}: {e}"),
        _ => String::new(),
    }
}
