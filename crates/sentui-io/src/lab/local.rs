//! The local-process lab: a master, replicas and three sentinels from the host's redis-server,
//! on free 127.0.0.1 ports, each in its own directory with its own writable config. Its state
//! file lists exactly what it started, so `lab down` stops exactly that. With `groups` above one
//! the same three sentinels watch that many master groups (the scale lab).
//!
//! `binary.rs` finds the server to run, `start.rs` starts the members, `down.rs` stops them,
//! `error.rs` says what went wrong.

mod binary;
mod certs;
mod down;
mod error;
mod start;

pub use binary::server_binary;
pub use certs::LabTls;
pub use down::down;
pub use error::LabError;
pub use start::{ARGS_FILE, sentinel_conf};

use super::LossSettings;
use crate::procfs::{self, LocalProcess, ProcError};
use sentui_model::Addr;
use sentui_model::info::ServerVersion;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

pub const GROUP: &str = "mymaster";
/// The most master groups one lab runs (each a master and its replicas).
pub const MAX_GROUPS: u16 = 200;
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

impl Member {
    /// Whether the member still runs as started: the pid the lab recorded is the process
    /// listening on its port. Never judged by command-line text: a wrapper or a renamed binary
    /// is still ours, a reused pid is not.
    pub fn listens(&self, on_port: &Result<Option<LocalProcess>, ProcError>) -> bool {
        matches!(on_port, Ok(Some(p)) if p.pid == self.pid)
    }
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
    /// A TLS lab's certificates (mutual TLS on every member; no plaintext port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<LabTls>,
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

    /// Who listens on each member's port now (one pass over /proc); a member still runs as
    /// started while that is the pid the lab recorded ([`Member::listens`]).
    pub fn listeners(&self) -> Vec<(&Member, Result<Option<LocalProcess>, ProcError>)> {
        let ports = self.members.iter().map(|m| m.port).collect();
        let found = procfs::find_listeners(&ports);
        self.members
            .iter()
            .map(|m| {
                let on_port = found
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|f| procfs::listener_on(f, m.port));
                (m, on_port)
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
    lab_where(pid, |m| m.port == port && m.pid == pid)
}

/// The lab whose member directory `pid` runs in (one or two levels below the lab's state
/// file), when that state has a member `ours` accepts.
fn lab_where(pid: i32, ours: impl Fn(&Member) -> bool) -> Option<(PathBuf, LabState)> {
    let cwd = procfs::cwd(pid)?;
    cwd.ancestors().skip(1).take(2).find_map(|dir| {
        let state = load(dir)?;
        state
            .members
            .iter()
            .any(&ours)
            .then(|| (dir.to_path_buf(), state))
    })
}

/// The directories of the local labs running now: every server process whose working
/// directory is a member directory of a lab whose state records that pid.
pub fn running_labs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let Ok(pids) = procfs::pids() else {
        return dirs;
    };
    for pid in pids {
        if !procfs::is_server_name(&procfs::process_name(pid), &[]) {
            continue;
        }
        if let Some((dir, _)) = lab_where(pid, |m| m.pid == pid)
            && !dirs.contains(&dir)
        {
            dirs.push(dir);
        }
    }
    dirs
}

/// A member restarted in place (`restart-empty`): the lab owns `pid` on `port` from now on,
/// so `lab down` stops it.
pub fn restarted(dir: &Path, port: u16, pid: i32) -> Result<(), LabError> {
    let mut state = load(dir).ok_or_else(|| LabError::NoLab(dir.to_path_buf()))?;
    for m in state.members.iter_mut().filter(|m| m.port == port) {
        m.pid = pid;
    }
    save(dir, &state)
}

pub fn load(dir: &Path) -> Option<LabState> {
    let text = fs::read_to_string(dir.join(STATE_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn save(dir: &Path, state: &LabState) -> Result<(), LabError> {
    let text = serde_json::to_string_pretty(state)?;
    fs::write(dir.join(STATE_FILE), text).map_err(|source| LabError::SaveState {
        dir: dir.to_path_buf(),
        source,
    })
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
/// agree; with `tls`, the lab makes its own CA and certificates first and every member speaks
/// mutual TLS only. Returns the lab's state.
pub async fn up(
    dir: &Path,
    server: ServerBinary,
    replicas: u8,
    groups: u16,
    settings: &LossSettings,
    tls: bool,
) -> Result<(LabState, bool), LabError> {
    if !(1..=MAX_GROUPS).contains(&groups) {
        return Err(LabError::Groups(groups));
    }
    if let Some(state) = load(dir) {
        let listeners = state.listeners();
        if listeners.iter().all(|(m, on_port)| m.listens(on_port)) {
            return Ok((state, false));
        }
        if listeners.iter().any(|(m, on_port)| m.listens(on_port)) {
            // Half a lab: stop what is left of it (by pid and port) before starting anew.
            down(dir)?;
        }
    }
    if dir.exists() {
        // A stale lab (processes gone): clear it before starting anew.
        fs::remove_dir_all(dir).map_err(|e| LabError::fs("clear", dir, e))?;
    }
    fs::create_dir_all(dir).map_err(|e| LabError::fs("create", dir, e))?;
    let mut state = LabState {
        server: Some(server.clone()),
        group: GROUP.into(),
        groups: (1..=groups).map(group_name).collect(),
        members: Vec::new(),
        tls: None,
    };
    if tls {
        state.tls = Some(certs::make(dir)?);
    }
    let result = start::start_all(&server.path, dir, replicas, settings, &mut state).await;
    save(dir, &state)?;
    if let Err(e) = result {
        let _ = down(dir);
        return Err(e);
    }
    Ok((state, true))
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
