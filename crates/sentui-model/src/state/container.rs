//! What runs behind an endpoint: a local process or a container, and the container's state.

use serde::{Deserialize, Serialize};

/// The local process listening on an endpoint's port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub pid: i32,
    pub name: String,
    /// Stopped by SIGSTOP (by sentui or anyone else).
    pub paused: bool,
}

impl ProcessInfo {
    pub fn label(&self) -> String {
        format!("{} pid {}", self.name, self.pid)
    }
}

/// The container behind an endpoint (Docker labs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    /// The compose service.
    pub service: String,
    pub state: ContainerState,
    /// Cut off from the lab's network (`sentui ctl partition`): the sentinels and the other
    /// nodes cannot reach it, clients still can.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partitioned: bool,
}

impl ContainerInfo {
    /// Not running and not paused (exited, dead, created): stopped.
    pub fn is_stopped(&self) -> bool {
        self.state.is_stopped()
    }

    /// Cut off from the lab's network while it runs or is paused. A stopped container is on no
    /// network at all: it is stopped, never partitioned.
    pub fn is_partitioned(&self) -> bool {
        self.partitioned && matches!(self.state, ContainerState::Running | ContainerState::Paused)
    }

    /// When its state keeps the endpoint from answering, that cause and what to do about it
    /// (`stopped (container lab-redis-1 exited): start it with ...`).
    pub fn cause(&self) -> Option<String> {
        let (what, verb, key) = if self.is_stopped() {
            (
                format!("stopped (container {} {})", self.name, self.state),
                "start",
                's',
            )
        } else if self.state == ContainerState::Paused {
            (format!("paused (container {})", self.name), "unpause", 'p')
        } else {
            return None;
        };
        Some(format!(
            "{what}: {verb} it with `sentui ctl {verb} {}` ({key} in the TUI)",
            self.service
        ))
    }
}

/// A container's state, spelled as Docker spells it (`running`, `paused`, `exited`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
    /// A state this sentui does not know, kept as Docker said it.
    Other(String),
}

impl ContainerState {
    const KNOWN: [(ContainerState, &'static str); 7] = [
        (ContainerState::Created, "created"),
        (ContainerState::Running, "running"),
        (ContainerState::Paused, "paused"),
        (ContainerState::Restarting, "restarting"),
        (ContainerState::Removing, "removing"),
        (ContainerState::Exited, "exited"),
        (ContainerState::Dead, "dead"),
    ];

    pub fn parse(s: &str) -> Self {
        ContainerState::KNOWN
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(state, _)| state.clone())
            .unwrap_or_else(|| ContainerState::Other(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            ContainerState::Other(s) => s,
            known => ContainerState::KNOWN
                .iter()
                .find(|(state, _)| state == known)
                .map(|(_, name)| *name)
                .unwrap_or("?"),
        }
    }

    /// Not running and not paused: `s` on it starts it.
    pub fn is_stopped(&self) -> bool {
        matches!(
            self,
            ContainerState::Exited | ContainerState::Dead | ContainerState::Created
        )
    }
}

impl std::fmt::Display for ContainerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ContainerState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ContainerState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ContainerState::parse(&String::deserialize(d)?))
    }
}
