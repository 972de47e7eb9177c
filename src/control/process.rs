//! Freezing local processes: find the process listening on a TCP port of this machine through
//! /proc (so it works for redis processes sentui did not start), then SIGSTOP / SIGCONT it.

use std::fs;
use std::path::Path;

/// One listening socket from /proc/net/tcp{,6}.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub port: u16,
    pub inode: u64,
}

/// Parses /proc/net/tcp or /proc/net/tcp6, keeping sockets in the LISTEN state (0A).
pub fn parse_proc_net_tcp(text: &str) -> Vec<Listener> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let local = cols.get(1)?;
            if *cols.get(3)? != "0A" {
                return None;
            }
            let port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
            let inode = cols.get(9)?.parse().ok()?;
            Some(Listener { port, inode })
        })
        .collect()
}

/// A local process found behind a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalProcess {
    pub pid: i32,
    /// The process's command name (`redis-server`, ...).
    pub name: String,
}

/// The process listening on `port` on this machine, if any (in this network namespace).
pub fn find_listener(port: u16) -> Result<Option<LocalProcess>, String> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            inodes.extend(
                parse_proc_net_tcp(&text)
                    .into_iter()
                    .filter(|l| l.port == port)
                    .map(|l| l.inode),
            );
        }
    }
    if inodes.is_empty() {
        return Ok(None);
    }
    let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    let procs = fs::read_dir("/proc").map_err(|e| format!("cannot read /proc: {e}"))?;
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(link) = fs::read_link(fd.path())
                && wanted.iter().any(|w| link.as_os_str() == w.as_str())
            {
                return Ok(Some(LocalProcess {
                    pid,
                    name: process_name(pid),
                }));
            }
        }
    }
    Err(format!(
        "port {port} is listening but its process is not visible (another user's process? run as that user or as root)"
    ))
}

pub fn process_name(pid: i32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// True when the process is stopped (state T in /proc/PID/stat).
pub fn is_stopped(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| parse_stat_state(&s))
        .is_some_and(|c| c == 'T' || c == 't')
}

/// The state letter of a /proc/PID/stat line (after the parenthesised command name).
pub fn parse_stat_state(stat: &str) -> Option<char> {
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

pub fn is_alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Sends a signal, with the OS error spelled out.
pub fn signal(pid: i32, sig: i32) -> Result<(), String> {
    // SAFETY: kill(2) has no memory-safety preconditions.
    let rc = unsafe { libc::kill(pid, sig) };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!(
            "signal to pid {pid} failed: {}",
            std::io::Error::last_os_error()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_listeners_from_proc_net_tcp() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:3FEB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:3FEB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 999 1\n garbage line\n";
        assert_eq!(
            parse_proc_net_tcp(text),
            vec![Listener {
                port: 16363,
                inode: 123456
            }]
        );
    }

    #[test]
    fn stat_state_survives_odd_command_names() {
        assert_eq!(parse_stat_state("123 (redis-server) T 1 2 3"), Some('T'));
        assert_eq!(parse_stat_state("123 (a) b) S 1"), Some('S'));
        assert_eq!(parse_stat_state("nonsense"), None);
    }

    #[test]
    fn finds_this_process_listening() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let p = find_listener(port).unwrap().unwrap();
        assert_eq!(p.pid, std::process::id() as i32);
        assert!(!is_stopped(p.pid));
        drop(l);
        assert_eq!(find_listener(port).unwrap(), None);
    }
}
