//! The local-process lab: a master, replicas and three sentinels from the host's redis-server,
//! on free 127.0.0.1 ports, each in its own directory with its own writable config. Its state
//! file lists exactly what it started, so `lab down` stops exactly that. With `groups` above one
//! the same three sentinels watch that many master groups (the scale lab).

use super::LossSettings;
use crate::collect::snapshot::snapshot;
use crate::link::LinkSettings;
use crate::procfs;
use sentui_model::Addr;
use sentui_model::info::ServerVersion;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const GROUP: &str = "mymaster";
/// The most master groups one lab runs (each a master and its replicas).
pub const MAX_GROUPS: u16 = 200;
const SENTINELS: usize = 3;
const QUORUM: usize = 2;
const DOWN_AFTER_MS: u64 = 1000;
/// Long enough for a replica to be promoted and the others to follow; the tutorial's 1000 ms
/// makes failovers time out and retry.
const FAILOVER_TIMEOUT_MS: u64 = 10_000;
const STATE_FILE: &str = "lab.json";

/// What a lab member was started as (lab.json spells it `master`, `replica`, `sentinel`). A
/// master stays `master` here after a failover: the lab records how it began.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Master,
    Replica,
    Sentinel,
}

impl std::fmt::Display for MemberRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemberRole::Master => "master",
            MemberRole::Replica => "replica",
            MemberRole::Sentinel => "sentinel",
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Member {
    pub role: MemberRole,
    /// The master group of a data node (empty for sentinels).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    pub port: u16,
    pub pid: i32,
    pub dir: PathBuf,
}

/// The server binary a local lab runs, and what it said it is (`--version`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServerBinary {
    pub path: PathBuf,
    #[serde(flatten)]
    pub server: ServerVersion,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabState {
    /// The binary every member runs (labs written before it was recorded have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerBinary>,
    /// The first group (the only one unless the lab was started with several).
    pub group: String,
    /// Every group, the first included.
    #[serde(default)]
    pub groups: Vec<String>,
    pub members: Vec<Member>,
}

impl LabState {
    pub fn sentinels(&self) -> Vec<Addr> {
        self.members
            .iter()
            .filter(|m| m.role == MemberRole::Sentinel)
            .map(|m| Addr::new("127.0.0.1", m.port))
            .collect()
    }

    /// The master of the first group.
    pub fn master(&self) -> Option<Addr> {
        self.members
            .iter()
            .find(|m| m.role == MemberRole::Master && (m.group.is_empty() || m.group == self.group))
            .map(|m| Addr::new("127.0.0.1", m.port))
    }

    /// Which members still run as started: a member is ours while the pid the lab recorded is
    /// the process listening on the member's port (one pass over /proc). Never judged by
    /// command-line text: a wrapper or a renamed binary is still ours, a reused pid is not.
    pub fn running(&self) -> Vec<(&Member, bool)> {
        let ports = self.members.iter().map(|m| m.port).collect();
        let listeners = procfs::find_listeners(&ports).unwrap_or_default();
        self.members
            .iter()
            .map(|m| {
                let ours = listeners
                    .get(&m.port)
                    .and_then(Option::as_ref)
                    .is_some_and(|p| p.pid == m.pid);
                (m, ours)
            })
            .collect()
    }
}

pub fn default_dir() -> PathBuf {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::env::temp_dir().join(format!("sentui-lab-{uid}"))
}

/// The local lab of `pid`, the process the caller found listening on `port`: a lab member's
/// server runs in its member directory, one or two levels below the lab's state file, and it is
/// the lab's when that file records this pid on this port.
pub fn lab_of(pid: i32, port: u16) -> Option<(PathBuf, LabState)> {
    let cwd = procfs::cwd(pid)?;
    cwd.ancestors().skip(1).take(2).find_map(|dir| {
        let state = load(dir)?;
        let ours = state.members.iter().any(|m| m.port == port && m.pid == pid);
        ours.then(|| (dir.to_path_buf(), state))
    })
}

/// A member restarted in place (`restart-empty`): the lab owns `pid` on `port` from now on,
/// so `lab down` stops it.
pub fn restarted(dir: &Path, port: u16, pid: i32) -> Result<(), String> {
    let mut state = load(dir).ok_or_else(|| format!("no local lab in {}", dir.display()))?;
    for m in state.members.iter_mut().filter(|m| m.port == port) {
        m.pid = pid;
    }
    save(dir, &state)
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

/// The server the lab runs: `explicit` (`--server-bin`), else redis-server on PATH, else
/// valkey-server. It must say it is a Redis or Valkey server when asked `--version`.
pub async fn server_binary(explicit: Option<&Path>) -> Result<ServerBinary, String> {
    let path = match explicit {
        Some(p) if p.is_file() => p.to_path_buf(),
        Some(p) => return Err(format!("--server-bin {}: no such file", p.display())),
        None => {
            let path = std::env::var_os("PATH").unwrap_or_default();
            ["redis-server", "valkey-server"]
                .iter()
                .find_map(|name| {
                    std::env::split_paths(&path)
                        .map(|p| p.join(name))
                        .find(|p| p.is_file())
                })
                .ok_or_else(|| {
                    "neither redis-server nor valkey-server is on PATH: install one (Debian/Ubuntu: apt-get install redis-server redis-tools) or name it with --server-bin".to_string()
                })?
        }
    };
    let run = tokio::process::Command::new(&path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = match tokio::time::timeout(Duration::from_secs(5), run).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(format!("cannot run {}: {e}", path.display())),
        Err(_) => {
            return Err(format!(
                "{} is not a Redis-compatible server: `--version` did not finish within 5 s",
                path.display()
            ));
        }
    };
    let said = String::from_utf8_lossy(&out.stdout);
    match ServerVersion::from_version_output(&said) {
        Some(server) if out.status.success() => Ok(ServerBinary { path, server }),
        _ => Err(format!(
            "{} is not a Redis-compatible server: `{} --version` printed '{}'",
            path.display(),
            path.display(),
            said.lines().next().unwrap_or("").trim()
        )),
    }
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

/// The name of group `n` (1-based): `mymaster`, then `mymaster-002`, ... (sorted as started).
pub fn group_name(n: u16) -> String {
    if n <= 1 {
        GROUP.to_string()
    } else {
        format!("{GROUP}-{n:03}")
    }
}

/// Starts the lab (or reports the one already running in `dir`) and waits until the sentinels
/// agree. Returns the lab's state.
pub async fn up(
    dir: &Path,
    server: ServerBinary,
    replicas: u8,
    groups: u16,
    settings: &LossSettings,
) -> Result<(LabState, bool), String> {
    if !(1..=MAX_GROUPS).contains(&groups) {
        return Err(format!("a lab runs 1 to {MAX_GROUPS} groups, not {groups}"));
    }
    if let Some(state) = load(dir) {
        let running = state.running();
        if running.iter().all(|(_, ours)| *ours) {
            return Ok((state, false));
        }
        if running.iter().any(|(_, ours)| *ours) {
            // Half a lab: stop what is left of it (by pid and port) before starting anew.
            down(dir)?;
        }
    }
    if dir.exists() {
        // A stale lab (processes gone): clear it before starting anew.
        fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut state = LabState {
        server: Some(server.clone()),
        group: GROUP.into(),
        groups: (1..=groups).map(group_name).collect(),
        members: Vec::new(),
    };
    let result = start_all(&server.path, dir, replicas, settings, &mut state).await;
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
    settings: &LossSettings,
    state: &mut LabState,
) -> Result<(), String> {
    let mut ports = Vec::new();
    let mut masters = Vec::new();
    for group in state.groups.clone() {
        // The first group's directories sit at the top, as in a one-group lab.
        let group_dir = if group == GROUP {
            dir.to_path_buf()
        } else {
            dir.join(&group)
        };
        let master_port = free_port(&ports)?;
        ports.push(master_port);
        let extra = settings.node_args();
        let master = start_node(server, &group_dir, "master", master_port, None, &extra)?;
        state.members.push(Member {
            group: group.clone(),
            ..master
        });
        for i in 0..replicas {
            let port = free_port(&ports)?;
            ports.push(port);
            let role = format!("replica-{}", i + 1);
            let member = start_node(server, &group_dir, &role, port, Some(master_port), &extra)?;
            state.members.push(Member {
                group: group.clone(),
                ..member
            });
        }
        masters.push((group, master_port));
    }
    for i in 0..SENTINELS {
        let port = free_port(&ports)?;
        ports.push(port);
        state.members.push(start_sentinel(
            server,
            dir,
            i + 1,
            port,
            &masters,
            settings,
        )?);
    }
    let link = LinkSettings {
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let seeds = state.sentinels();
    // Sentinels meet replicas through INFO every 10 s; many groups take a little longer.
    let limit = Duration::from_secs(30 + u64::from(groups_len(state)) / 5);
    wait_until_agreed(&link, &seeds, &state.groups, replicas as u32, limit).await
}

/// The file in a member's directory that records how it was started, for `restart-empty`
/// (a server rewrites its own /proc command line, so that cannot tell).
pub const ARGS_FILE: &str = "sentui-args.json";

/// Starts a server in its own directory (its working directory then says which lab member it
/// is) and records its command line there.
fn spawn_daemon(server: &Path, args: &[String], member_dir: &Path) -> Result<i32, String> {
    let pidfile = member_dir.join("redis.pid");
    let mut command = vec![server.to_string_lossy().into_owned()];
    command.extend(args.iter().cloned());
    let recorded = member_dir.join(ARGS_FILE);
    fs::write(
        &recorded,
        serde_json::to_string(&command).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("cannot write {}: {e}", recorded.display()))?;
    let status = Command::new(server)
        .args(args)
        .current_dir(member_dir)
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
    extra: &[String],
) -> Result<Member, String> {
    let d = dir.join(name);
    fs::create_dir_all(&d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    // Absolute: the server runs in its own directory (see `spawn_daemon`).
    let d = fs::canonicalize(&d).map_err(|e| format!("cannot resolve {}: {e}", d.display()))?;
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
    args.extend(extra.iter().cloned());
    let pid = spawn_daemon(server, &args, &d)?;
    Ok(Member {
        role: if master.is_some() {
            MemberRole::Replica
        } else {
            MemberRole::Master
        },
        group: String::new(),
        port,
        pid,
        dir: d,
    })
}

/// The sentinel's config: its own file in its own directory, which it rewrites as it learns.
/// `masters` lists each group with its master's port.
pub fn sentinel_conf(
    port: u16,
    dir: &Path,
    masters: &[(String, u16)],
    settings: &LossSettings,
) -> String {
    let mut conf = format!(
        "port {port}\nbind 127.0.0.1\ndir {dir}\ndaemonize yes\npidfile {pid}\nlogfile {log}\n",
        dir = dir.display(),
        pid = dir.join("redis.pid").display(),
        log = dir.join("log").display(),
    );
    for (group, master_port) in masters {
        conf.push_str(&format!(
            "sentinel monitor {group} 127.0.0.1 {master_port} {QUORUM}\n\
sentinel down-after-milliseconds {group} {DOWN_AFTER_MS}\n\
sentinel failover-timeout {group} {FAILOVER_TIMEOUT_MS}\n\
sentinel parallel-syncs {group} 1\n"
        ));
        conf.push_str(&settings.sentinel_lines(group));
    }
    conf
}

fn groups_len(state: &LabState) -> u16 {
    state.groups.len().try_into().unwrap_or(u16::MAX)
}

fn start_sentinel(
    server: &Path,
    dir: &Path,
    n: usize,
    port: u16,
    masters: &[(String, u16)],
    settings: &LossSettings,
) -> Result<Member, String> {
    let d = dir.join(format!("sentinel-{n}"));
    fs::create_dir_all(&d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    // Absolute: the server runs in its own directory (see `spawn_daemon`).
    let d = fs::canonicalize(&d).map_err(|e| format!("cannot resolve {}: {e}", d.display()))?;
    let conf = d.join("sentinel.conf");
    fs::write(&conf, sentinel_conf(port, &d, masters, settings))
        .map_err(|e| format!("cannot write {}: {e}", conf.display()))?;
    let args = vec![
        conf.to_string_lossy().into_owned(),
        "--sentinel".to_string(),
    ];
    let pid = spawn_daemon(server, &args, &d)?;
    Ok(Member {
        role: MemberRole::Sentinel,
        group: String::new(),
        port,
        pid,
        dir: d,
    })
}

/// Waits until, for every group, every sentinel names the same master and knows all replicas
/// and peers, and every replica's link is up.
pub async fn wait_until_agreed(
    link: &LinkSettings,
    seeds: &[Addr],
    groups: &[String],
    replicas: u32,
    limit: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let mut last = String::from("no sentinel answered yet");
    while Instant::now() < deadline {
        let d = snapshot(link, seeds).await;
        let linked = d
            .nodes()
            .values()
            .filter_map(|n| n.info.as_ref())
            .filter(|i| i.link_up == Some(true))
            .count();
        let waiting: Vec<String> = groups
            .iter()
            .filter_map(|group| group_disagreement(&d, seeds, group, replicas))
            .collect();
        if waiting.is_empty() && linked == replicas as usize * groups.len() {
            return Ok(());
        }
        last = match waiting.first() {
            Some(first) if waiting.len() > 1 => {
                format!("{first}; {} more groups not settled", waiting.len() - 1)
            }
            Some(first) => first.clone(),
            None => format!(
                "{linked} of {} replica links up",
                replicas as usize * groups.len()
            ),
        };
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(format!(
        "the sentinels did not agree within {}s ({last})",
        limit.as_secs()
    ))
}

/// Why `group` is not settled yet, or None when every sentinel agrees on it.
fn group_disagreement(
    d: &sentui_model::Deployment,
    seeds: &[Addr],
    group: &str,
    replicas: u32,
) -> Option<String> {
    let views: Vec<_> = seeds
        .iter()
        .filter_map(|s| d.sentinels().get(s))
        .filter_map(|s| s.groups.get(group).map(|g| (s, g)))
        .collect();
    let agreed = views.len() == seeds.len()
        && views.iter().all(|(_, g)| {
            Some(&g.master.addr) == views.first().map(|(_, g0)| &g0.master.addr)
                && g.master.num_replicas == replicas
                && g.master.num_other_sentinels as usize == seeds.len() - 1
        });
    // A sentinel in TILT (its timer stalled, e.g. a loaded machine at start) acts on nothing
    // for 30 s: the lab is not ready until it is out.
    let tilted: Vec<String> = views
        .iter()
        .filter(|(s, _)| s.tilt)
        .map(|(s, _)| s.addr.to_string())
        .collect();
    if agreed && tilted.is_empty() {
        return None;
    }
    if agreed {
        return Some(format!("{group}: {} in TILT mode", tilted.join(", ")));
    }
    let seen: Vec<String> = views
        .iter()
        .map(|(s, g)| {
            format!(
                "{} sees {} replicas, {} other sentinels",
                s.addr, g.master.num_replicas, g.master.num_other_sentinels
            )
        })
        .collect();
    Some(format!(
        "{group}: {}",
        if seen.is_empty() {
            "no sentinel reports it".to_string()
        } else {
            seen.join("; ")
        }
    ))
}

/// Stops what the lab in `dir` started (resuming paused processes first) and removes `dir`.
/// Only processes that are still the ones it started (recorded pid listening on the recorded
/// port) are signalled; `dir` stays when one of them could not be stopped. Returns one line
/// per member.
pub fn down(dir: &Path) -> Result<Vec<String>, String> {
    let Some(state) = load(dir) else {
        return Err(format!(
            "no local lab in {} (no {STATE_FILE} there): nothing to stop",
            dir.display()
        ));
    };
    let mut lines = Vec::new();
    let mut ours = Vec::new();
    for (m, running) in state.running() {
        if running {
            let _ = procfs::signal(m.pid, libc::SIGCONT);
            let _ = procfs::signal(m.pid, libc::SIGTERM);
            ours.push(m);
        } else if procfs::is_alive(m.pid) {
            lines.push(format!(
                "{} 127.0.0.1:{}: pid {} is no longer the lab's (it does not listen there); left alone",
                m.role, m.port, m.pid
            ));
        } else {
            lines.push(format!(
                "{} 127.0.0.1:{} (pid {}) was not running",
                m.role, m.port, m.pid
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
        return Err(format!(
            "could not stop {}; the lab's directory {} is kept",
            survivors.join(", "),
            dir.display()
        ));
    }
    fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_json_spells_roles_as_words() {
        let written = r#"{"group":"mymaster","members":[
            {"role":"master","group":"mymaster","port":1,"pid":10,"dir":"/l/master"},
            {"role":"replica","group":"mymaster","port":2,"pid":11,"dir":"/l/replica-1"},
            {"role":"sentinel","port":3,"pid":12,"dir":"/l/sentinel-1"}]}"#;
        let state: LabState = serde_json::from_str(written).unwrap();
        let roles: Vec<MemberRole> = state.members.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                MemberRole::Master,
                MemberRole::Replica,
                MemberRole::Sentinel
            ]
        );
        assert_eq!(state.master(), Some(Addr::new("127.0.0.1", 1)));
        assert_eq!(state.sentinels(), [Addr::new("127.0.0.1", 3)]);
        let again = serde_json::to_string(&state.members[1]).unwrap();
        assert!(again.starts_with(r#"{"role":"replica","#), "{again}");
        assert!(serde_json::from_str::<Member>(&again.replace("replica", "primary")).is_err());
    }
}
