//! The local-process lab: a master, replicas and three sentinels from the host's redis-server,
//! on free 127.0.0.1 ports, each in its own directory with its own writable config. Its state
//! file lists exactly what it started, so `lab down` stops exactly that.

use crate::collect::link::LinkSettings;
use crate::collect::snapshot::snapshot;
use crate::control::process;
use crate::model::Addr;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const GROUP: &str = "mymaster";
const SENTINELS: usize = 3;
const QUORUM: usize = 2;
const DOWN_AFTER_MS: u64 = 1000;
/// Long enough for a replica to be promoted and the others to follow; the tutorial's 1000 ms
/// makes failovers time out and retry.
const FAILOVER_TIMEOUT_MS: u64 = 10_000;
const STATE_FILE: &str = "lab.json";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Member {
    pub role: String,
    pub port: u16,
    pub pid: i32,
    pub dir: PathBuf,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabState {
    pub group: String,
    pub members: Vec<Member>,
}

impl LabState {
    pub fn sentinels(&self) -> Vec<Addr> {
        self.members
            .iter()
            .filter(|m| m.role == "sentinel")
            .map(|m| Addr::new("127.0.0.1", m.port))
            .collect()
    }

    pub fn master(&self) -> Option<Addr> {
        self.members
            .iter()
            .find(|m| m.role == "master")
            .map(|m| Addr::new("127.0.0.1", m.port))
    }

    /// The member's process is still the one we started (a reused pid is not ours).
    fn owns(&self, m: &Member) -> bool {
        let cmdline = fs::read(format!("/proc/{}/cmdline", m.pid)).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        cmdline.contains("redis") && cmdline.contains(&m.port.to_string())
    }
}

pub fn default_dir() -> PathBuf {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::env::temp_dir().join(format!("sentui-lab-{uid}"))
}

pub fn load(dir: &Path) -> Option<LabState> {
    let text = fs::read_to_string(dir.join(STATE_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn save(dir: &Path, state: &LabState) -> Result<(), String> {
    let text = serde_json::to_string_pretty(state).map_err(|e| e.to_string())?;
    fs::write(dir.join(STATE_FILE), text)
        .map_err(|e| format!("cannot write the lab state in {}: {e}", dir.display()))
}

fn redis_server() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|p| p.join("redis-server"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            "redis-server was not found on PATH: install it (Debian/Ubuntu: apt-get install redis-server redis-sentinel redis-tools)".to_string()
        })
}

fn free_port(taken: &[u16]) -> Result<u16, String> {
    for _ in 0..50 {
        let l = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot find a free port: {e}"))?;
        let port = l.local_addr().map_err(|e| e.to_string())?.port();
        if !taken.contains(&port) {
            return Ok(port);
        }
    }
    Err("cannot find a free port".into())
}

/// Starts the lab (or reports the one already running in `dir`) and waits until the sentinels
/// agree. Returns the lab's state.
pub async fn up(dir: &Path, replicas: u8) -> Result<(LabState, bool), String> {
    if let Some(state) = load(dir)
        && state.members.iter().all(|m| state.owns(m))
    {
        return Ok((state, false));
    }
    let server = redis_server()?;
    if dir.exists() {
        // A stale lab (processes gone): clear it before starting anew.
        let _ = down(dir);
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut state = LabState {
        group: GROUP.into(),
        members: Vec::new(),
    };
    let result = start_all(&server, dir, replicas, &mut state).await;
    save(dir, &state)?;
    if let Err(e) = result {
        let _ = down(dir);
        return Err(e);
    }
    Ok((state, true))
}

async fn start_all(
    server: &Path,
    dir: &Path,
    replicas: u8,
    state: &mut LabState,
) -> Result<(), String> {
    let mut ports = Vec::new();
    let master_port = free_port(&ports)?;
    ports.push(master_port);
    state
        .members
        .push(start_node(server, dir, "master", master_port, None)?);
    for i in 0..replicas {
        let port = free_port(&ports)?;
        ports.push(port);
        let role = format!("replica-{}", i + 1);
        let member = start_node(server, dir, &role, port, Some(master_port))?;
        state.members.push(Member {
            role: "replica".into(),
            ..member
        });
    }
    for i in 0..SENTINELS {
        let port = free_port(&ports)?;
        ports.push(port);
        state
            .members
            .push(start_sentinel(server, dir, i + 1, port, master_port)?);
    }
    let link = LinkSettings {
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let seeds = state.sentinels();
    wait_until_agreed(
        &link,
        &seeds,
        &state.group,
        replicas as u32,
        Duration::from_secs(30),
    )
    .await
}

fn spawn_daemon(server: &Path, args: &[String], member_dir: &Path) -> Result<i32, String> {
    let pidfile = member_dir.join("redis.pid");
    let status = Command::new(server)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", server.display()))?;
    if !status.success() {
        return Err(format!(
            "{} exited with {status}; see {}",
            server.display(),
            member_dir.join("log").display()
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Some(pid) = fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return Ok(pid);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!(
        "redis did not start; see {}",
        member_dir.join("log").display()
    ))
}

fn start_node(
    server: &Path,
    dir: &Path,
    name: &str,
    port: u16,
    master: Option<u16>,
) -> Result<Member, String> {
    let d = dir.join(name);
    fs::create_dir_all(&d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    let mut args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--dir",
        &d.to_string_lossy(),
        "--daemonize",
        "yes",
        "--pidfile",
        &d.join("redis.pid").to_string_lossy(),
        "--logfile",
        &d.join("log").to_string_lossy(),
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(m) = master {
        args.extend([
            "--replicaof".to_string(),
            "127.0.0.1".to_string(),
            m.to_string(),
        ]);
    }
    let pid = spawn_daemon(server, &args, &d)?;
    Ok(Member {
        role: if master.is_some() {
            "replica".into()
        } else {
            "master".into()
        },
        port,
        pid,
        dir: d,
    })
}

/// The sentinel's config: its own file in its own directory, which it rewrites as it learns.
pub fn sentinel_conf(port: u16, dir: &Path, master_port: u16) -> String {
    format!(
        "port {port}\nbind 127.0.0.1\ndir {dir}\ndaemonize yes\npidfile {pid}\nlogfile {log}\n\
sentinel monitor {GROUP} 127.0.0.1 {master_port} {QUORUM}\n\
sentinel down-after-milliseconds {GROUP} {DOWN_AFTER_MS}\n\
sentinel failover-timeout {GROUP} {FAILOVER_TIMEOUT_MS}\n\
sentinel parallel-syncs {GROUP} 1\n",
        dir = dir.display(),
        pid = dir.join("redis.pid").display(),
        log = dir.join("log").display(),
    )
}

fn start_sentinel(
    server: &Path,
    dir: &Path,
    n: usize,
    port: u16,
    master_port: u16,
) -> Result<Member, String> {
    let d = dir.join(format!("sentinel-{n}"));
    fs::create_dir_all(&d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    let conf = d.join("sentinel.conf");
    fs::write(&conf, sentinel_conf(port, &d, master_port))
        .map_err(|e| format!("cannot write {}: {e}", conf.display()))?;
    let args = vec![
        conf.to_string_lossy().into_owned(),
        "--sentinel".to_string(),
    ];
    let pid = spawn_daemon(server, &args, &d)?;
    Ok(Member {
        role: "sentinel".into(),
        port,
        pid,
        dir: d,
    })
}

/// Waits until every sentinel names the same master and knows all replicas and peers.
pub async fn wait_until_agreed(
    link: &LinkSettings,
    seeds: &[Addr],
    group: &str,
    replicas: u32,
    limit: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let mut last = String::from("no sentinel answered yet");
    while Instant::now() < deadline {
        let d = snapshot(link, seeds).await;
        let views: Vec<_> = seeds
            .iter()
            .filter_map(|s| d.sentinels.get(s))
            .filter_map(|s| s.groups.get(group).map(|g| (s, g)))
            .collect();
        let agreed = views.len() == seeds.len()
            && views.iter().all(|(_, g)| {
                Some(&g.master.addr) == views.first().map(|(_, g0)| &g0.master.addr)
                    && g.master.num_replicas == replicas
                    && g.master.num_other_sentinels as usize == seeds.len() - 1
            });
        let linked = d
            .nodes
            .values()
            .filter_map(|n| n.info.as_ref())
            .filter(|i| i.link_up == Some(true))
            .count();
        if agreed && linked == replicas as usize {
            return Ok(());
        }
        last = views
            .iter()
            .map(|(s, g)| {
                format!(
                    "{} sees {} replicas, {} other sentinels",
                    s.addr, g.master.num_replicas, g.master.num_other_sentinels
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(format!(
        "the sentinels did not agree within {}s ({last})",
        limit.as_secs()
    ))
}

/// Stops what the lab in `dir` started (resuming paused processes first) and removes `dir`.
/// Returns one line per process stopped.
pub fn down(dir: &Path) -> Result<Vec<String>, String> {
    let Some(state) = load(dir) else {
        return Err(format!(
            "no local lab in {} (nothing to stop)",
            dir.display()
        ));
    };
    let mut lines = Vec::new();
    let mut ours = Vec::new();
    for m in &state.members {
        if process::is_alive(m.pid) && state.owns(m) {
            let _ = process::signal(m.pid, libc::SIGCONT);
            let _ = process::signal(m.pid, libc::SIGTERM);
            ours.push(m);
        } else {
            lines.push(format!(
                "{} 127.0.0.1:{} (pid {}) was not running",
                m.role, m.port, m.pid
            ));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    for m in ours {
        while process::is_alive(m.pid) && !is_zombie(m.pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if process::is_alive(m.pid) && !is_zombie(m.pid) {
            let _ = process::signal(m.pid, libc::SIGKILL);
        }
        lines.push(format!(
            "stopped {} 127.0.0.1:{} (pid {})",
            m.role, m.port, m.pid
        ));
    }
    fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    Ok(lines)
}

fn is_zombie(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| process::parse_stat_state(&s))
        == Some('Z')
}
