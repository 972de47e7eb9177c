//! Starting the lab's members: each server in its own directory, on a free port, its command
//! line recorded; then waiting until the sentinels agree.

use super::LabTls;
use super::{GROUP, LabError, LabState, Member, MemberRole};
use crate::lab::LossSettings;
use crate::lab::agree::wait_until_agreed;
use crate::link::LinkSettings;
use crate::tls::TlsContext;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SENTINELS: usize = 3;
const QUORUM: usize = 2;
const DOWN_AFTER_MS: u64 = 1000;
/// Long enough for a replica to be promoted and the others to follow; the tutorial's 1000 ms
/// makes failovers time out and retry.
const FAILOVER_TIMEOUT_MS: u64 = 10_000;

/// The file in a member's directory that records how it was started, for `restart-empty`
/// (a server rewrites its own /proc command line, so that cannot tell).
pub const ARGS_FILE: &str = "sentui-args.json";

fn free_port(taken: &[u16]) -> Result<u16, LabError> {
    for _ in 0..50 {
        let l = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| LabError::NoFreePort(Some(e)))?;
        let port = l.local_addr().map_err(LabError::Io)?.port();
        if !taken.contains(&port) {
            return Ok(port);
        }
    }
    Err(LabError::NoFreePort(None))
}

/// Starts every member of `state`'s groups (a master and `replicas` replicas each), then the
/// sentinels, and waits until they agree.
pub(super) async fn start_all(
    server: &Path,
    dir: &Path,
    replicas: u8,
    settings: &LossSettings,
    state: &mut LabState,
) -> Result<(), LabError> {
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
        let tls = state.tls.as_ref();
        let master = start_node(server, &group_dir, "master", master_port, None, &extra, tls)?;
        state.members.push(Member {
            group: group.clone(),
            ..master
        });
        for i in 0..replicas {
            let port = free_port(&ports)?;
            ports.push(port);
            let role = format!("replica-{}", i + 1);
            let member = start_node(
                server,
                &group_dir,
                &role,
                port,
                Some(master_port),
                &extra,
                state.tls.as_ref(),
            )?;
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
        let sentinel = start_sentinel(server, dir, i + 1, port, &masters, settings, &state.tls)?;
        state.members.push(sentinel);
    }
    let link = LinkSettings {
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(500),
        tls: match &state.tls {
            Some(t) => Some(TlsContext::load(&t.paths())?),
            None => None,
        },
        ..Default::default()
    };
    let seeds = state.sentinels();
    // Sentinels meet replicas through INFO every 10 s; many groups take a little longer.
    let limit = Duration::from_secs(30 + u64::from(groups_len(state)) / 5);
    Ok(wait_until_agreed(&link, &seeds, &state.groups, replicas as u32, limit).await?)
}

/// Starts a server in its own directory (its working directory then says which lab member it
/// is) and records its command line there.
fn spawn_daemon(server: &Path, args: &[String], member_dir: &Path) -> Result<i32, LabError> {
    let pidfile = member_dir.join("redis.pid");
    let mut command = vec![server.to_string_lossy().into_owned()];
    command.extend(args.iter().cloned());
    let recorded = member_dir.join(ARGS_FILE);
    fs::write(&recorded, serde_json::to_string(&command)?)
        .map_err(|e| LabError::fs("write", &recorded, e))?;
    let status = Command::new(server)
        .args(args)
        .current_dir(member_dir)
        .status()
        .map_err(|e| LabError::fs("run", server, e))?;
    if !status.success() {
        return Err(LabError::Exited {
            server: server.to_path_buf(),
            status,
            log: member_dir.join("log"),
        });
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
    Err(LabError::DidNotStart(member_dir.join("log")))
}

/// A member's own directory under `dir`, created, as an absolute path: the server runs in it
/// (see `spawn_daemon`).
fn member_dir(dir: &Path, name: &str) -> Result<PathBuf, LabError> {
    let d = dir.join(name);
    fs::create_dir_all(&d).map_err(|e| LabError::fs("create", &d, e))?;
    fs::canonicalize(&d).map_err(|e| LabError::fs("resolve", &d, e))
}

fn start_node(
    server: &Path,
    dir: &Path,
    name: &str,
    port: u16,
    master: Option<u16>,
    extra: &[String],
    tls: Option<&LabTls>,
) -> Result<Member, LabError> {
    let d = member_dir(dir, name)?;
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
    if let Some(t) = tls {
        // Later arguments win: `--port 0` turns the plaintext port off.
        args.extend(t.server_args(port));
    }
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
    tls: &Option<LabTls>,
) -> Result<Member, LabError> {
    let d = member_dir(dir, &format!("sentinel-{n}"))?;
    let conf = d.join("sentinel.conf");
    let mut text = sentinel_conf(port, &d, masters, settings);
    if let Some(t) = tls {
        text.push_str(&t.sentinel_lines(port));
    }
    fs::write(&conf, text).map_err(|e| LabError::fs("write", &conf, e))?;
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
