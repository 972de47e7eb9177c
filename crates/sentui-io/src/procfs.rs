//! Freezing local processes: find the process listening on a TCP port of this machine through
//! /proc (so it works for redis processes sentui did not start), tell whether it is a server
//! sentui may touch, then SIGSTOP / SIGCONT it.

pub use sentui_model::lease::ProcessId;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;

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

/// The executables sentui signals (as /proc/PID/comm names them): a Redis-compatible server
/// or sentinel, never whatever else happens to listen on a port.
pub const SERVER_NAMES: [&str; 4] = [
    "redis-server",
    "redis-sentinel",
    "valkey-server",
    "valkey-sentinel",
];

/// Whether a process named `comm` is a server sentui may signal.
pub fn is_server_name(comm: &str, extra: &[String]) -> bool {
    SERVER_NAMES.contains(&comm)
        // /proc/PID/comm keeps 15 bytes of the name.
        || extra.iter().any(|n| {
            let n = n.as_bytes();
            comm.as_bytes() == &n[..n.len().min(15)]
        })
}

/// A local process found behind a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalProcess {
    pub pid: i32,
    /// The process's command name (`redis-server`, ...).
    pub name: String,
}

/// What went wrong finding or signalling a local process.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcError {
    #[error(
        "port {0} is listening but its process is not visible (another user's process? run as that user or as root)"
    )]
    Hidden(u16),
    #[error("cannot read /proc: {0}")]
    Proc(String),
    #[error("signal to pid {pid} failed: {reason}")]
    Signal { pid: i32, reason: String },
}

/// The process listening on `port` on this machine, if any (in this network namespace).
pub fn find_listener(port: u16) -> Result<Option<LocalProcess>, ProcError> {
    listener_on(&find_listeners(&BTreeSet::from([port]))?, port)
}

/// The process listening on `port` in what [`find_listeners`] found: None when nobody listens,
/// `Hidden` when its process is not visible.
pub fn listener_on(
    found: &BTreeMap<u16, Option<LocalProcess>>,
    port: u16,
) -> Result<Option<LocalProcess>, ProcError> {
    match found.get(&port) {
        Some(Some(p)) => Ok(Some(p.clone())),
        Some(None) => Err(ProcError::Hidden(port)),
        None => Ok(None),
    }
}

/// The processes listening on `ports`, in one pass over the socket tables and the processes'
/// descriptors (the cost does not grow with the number of ports asked). A port nobody listens on
/// is absent; one whose process is not visible (another user's) maps to None.
pub fn find_listeners(
    ports: &BTreeSet<u16>,
) -> Result<BTreeMap<u16, Option<LocalProcess>>, ProcError> {
    find_listeners_among(ports, |_| true)
}

/// The same, looking only at processes whose name `wanted` accepts: reading a process's name
/// costs far less than walking its descriptors, so a machine with busy daemons (an engine with
/// thousands of descriptors) is not walked for nothing. Listeners of other processes count as
/// not visible (None).
pub fn find_listeners_named(
    ports: &BTreeSet<u16>,
    wanted: impl Fn(&str) -> bool,
) -> Result<BTreeMap<u16, Option<LocalProcess>>, ProcError> {
    find_listeners_among(ports, |pid| wanted(&process_name(pid)))
}

fn find_listeners_among(
    ports: &BTreeSet<u16>,
    wanted: impl Fn(i32) -> bool,
) -> Result<BTreeMap<u16, Option<LocalProcess>>, ProcError> {
    let mut port_of_inode: BTreeMap<u64, u16> = BTreeMap::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            for l in parse_proc_net_tcp(&text) {
                if ports.contains(&l.port) {
                    port_of_inode.insert(l.inode, l.port);
                }
            }
        }
    }
    let mut found: BTreeMap<u16, Option<LocalProcess>> =
        port_of_inode.values().map(|p| (*p, None)).collect();
    if found.is_empty() {
        return Ok(found);
    }
    for pid in pids()? {
        if !wanted(pid) {
            continue;
        }
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Some(port) = fs::read_link(fd.path())
                .ok()
                .and_then(|link| socket_inode(&link.to_string_lossy()))
                .and_then(|inode| port_of_inode.get(&inode))
            else {
                continue;
            };
            let slot = found.entry(*port).or_default();
            if slot.is_none() {
                *slot = Some(LocalProcess {
                    pid,
                    name: process_name(pid),
                });
            }
        }
        if found.values().all(Option::is_some) {
            break;
        }
    }
    Ok(found)
}

/// The pid of every process running now (the numbered entries of /proc).
pub fn pids() -> Result<impl Iterator<Item = i32>, ProcError> {
    let procs = fs::read_dir("/proc").map_err(|e| ProcError::Proc(e.to_string()))?;
    Ok(procs
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok()))
}

/// The inode of a descriptor link such as `socket:[123456]`.
fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

pub fn process_name(pid: i32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Whether the process is stopped (state T in /proc/PID/stat), from one read of it; None when
/// it is gone.
pub fn stopped(pid: i32) -> Option<bool> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(parse_stat_state(&stat).is_some_and(|c| c == 'T' || c == 't'))
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

/// Waits (at most `limit`) until the process is seen stopped (`stopped`) or not; false when it
/// was not by then (or is gone).
pub fn await_stopped(pid: i32, stopped: bool, limit: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match self::stopped(pid) {
            Some(s) if s == stopped => return true,
            None => return false,
            Some(_) if std::time::Instant::now() >= deadline => return false,
            Some(_) => std::thread::sleep(std::time::Duration::from_micros(100)),
        }
    }
}

/// The process's working directory.
pub fn cwd(pid: i32) -> Option<std::path::PathBuf> {
    fs::read_link(format!("/proc/{pid}/cwd")).ok()
}

/// Waits (at most `limit`) until the process is gone or a zombie; false when it is not by then.
pub fn await_gone(pid: i32, limit: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if !is_alive(pid) {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The process's start time (clock ticks after boot, field 22 of /proc/PID/stat): with the pid,
/// it names one process, never a later one that reuses the pid.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat_start(&stat)
}

/// Field 22 (starttime) of a /proc/PID/stat line; fields are counted after the parenthesised
/// command name, which may itself hold spaces and parentheses.
pub fn parse_stat_start(stat: &str) -> Option<u64> {
    // After ")": field 3 (state) is the first, so starttime (22) is the 20th.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()
}

/// This process's or another's identity (pid and start time), while it runs.
pub fn identity(pid: i32) -> Option<ProcessId> {
    Some(ProcessId {
        pid,
        start: start_time(pid)?,
    })
}

/// Whether the process is still the one named (same pid, same start time) and not a zombie:
/// a killed process that nobody reaped yet is gone for every purpose of sentui's.
pub fn is_running(p: ProcessId) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{}/stat", p.pid)) else {
        return false;
    };
    parse_stat_start(&stat) == Some(p.start) && !matches!(parse_stat_state(&stat), Some('Z' | 'X'))
}

/// Whether a process runs under `pid`: a zombie (killed, not yet reaped) does not.
pub fn is_alive(pid: i32) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    parse_stat_state(&stat).is_some_and(|c| !matches!(c, 'Z' | 'X'))
}

/// Sends a signal, with the OS error spelled out.
pub fn signal(pid: i32, sig: i32) -> Result<(), ProcError> {
    // SAFETY: kill(2) has no memory-safety preconditions.
    let rc = unsafe { libc::kill(pid, sig) };
    if rc == 0 {
        Ok(())
    } else {
        Err(ProcError::Signal {
            pid,
            reason: std::io::Error::last_os_error().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_is_field_22_even_with_odd_names() {
        let stat =
            "4242 (redis (x) y) S 1 4242 4242 0 -1 4194560 1 0 0 0 2 3 0 0 20 0 4 0 987654 1 2";
        assert_eq!(parse_stat_start(stat), Some(987654));
        assert_eq!(parse_stat_state(stat), Some('S'));
        let me = identity(std::process::id() as i32).expect("this process");
        assert!(is_running(me));
        let reused = ProcessId {
            start: me.start + 1,
            ..me
        };
        assert!(
            !is_running(reused),
            "a different start time is another process"
        );
    }

    #[test]
    fn only_servers_and_sentinels_are_signalled() {
        for name in SERVER_NAMES {
            assert!(is_server_name(name, &[]), "{name}");
        }
        assert!(!is_server_name("python3", &[]));
        assert!(!is_server_name("redis-check-rdb", &[]));
        let extra = vec!["my-redis-build-8.0.2".to_string()];
        assert!(
            is_server_name("my-redis-build-", &extra),
            "comm keeps 15 bytes"
        );
        assert!(!is_server_name("my-redis", &extra));
    }

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
        assert_eq!(stopped(p.pid), Some(false));
        drop(l);
        assert_eq!(find_listener(port).unwrap(), None);
    }

    #[test]
    fn finds_many_listeners_in_one_pass() {
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let b = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (pa, pb) = (
            a.local_addr().unwrap().port(),
            b.local_addr().unwrap().port(),
        );
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let pc = closed.local_addr().unwrap().port();
        drop(closed);
        let found = find_listeners(&BTreeSet::from([pa, pb, pc])).unwrap();
        let me = std::process::id() as i32;
        assert_eq!(found.get(&pa).cloned().flatten().map(|p| p.pid), Some(me));
        assert_eq!(found.get(&pb).cloned().flatten().map(|p| p.pid), Some(me));
        assert!(
            !found.contains_key(&pc),
            "nobody listens on {pc}: {found:?}"
        );
        assert_eq!(socket_inode("socket:[42]"), Some(42));
        assert_eq!(socket_inode("pipe:[42]"), None);
    }
}
