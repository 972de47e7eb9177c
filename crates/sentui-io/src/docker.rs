//! The Docker Engine API (bollard): find a compose project's containers by their labels (never
//! by name: compose v1 and v2 name containers differently), map every address the lab announces
//! to the container's published 127.0.0.1 port, act on containers, and follow their events.
//! The host never sends traffic to container IPs: they only appear as keys of the map.
//!
//! `containers.rs` reads a project's containers, `discover.rs` maps what they announce,
//! `act.rs` acts on them, `events.rs` follows them, `error.rs` says what went wrong.

mod act;
mod containers;
mod discover;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use containers::{ComposeContainer, cut_off, is_live};
pub use discover::{Discovery, DockerScope, discover};
pub use error::{DockerError, explain};
pub use events::{EngineEvent, event_name};

use bollard::Docker;
use std::time::Duration;

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const CONFIG_FILES_LABEL: &str = "com.docker.compose.project.config_files";
pub const REDIS_PORT: u16 = 6379;
pub const SENTINEL_PORT: u16 = 26379;
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The compose lab's network where nodes and sentinels talk (compose/docker-compose.yml); a
/// partition takes a node off it.
pub const LAB_NETWORK: &str = "lab";
/// Each node's own network, which carries its published port (it sorts before `lab`).
pub const EDGE_NETWORK_PREFIX: &str = "edge-";

/// The name Compose (v1 and v2 alike) gives a project's network.
pub fn project_network(project: &str, network: &str) -> String {
    format!("{project}_{network}")
}

#[derive(Clone)]
pub struct Engine {
    docker: Docker,
}

impl Engine {
    /// Connects to the local engine (DOCKER_HOST or the default socket), negotiating the API
    /// version so older and newer engines both work.
    pub async fn connect() -> Result<Engine, DockerError> {
        let docker = Docker::connect_with_local_defaults()
            .map_err(|e| DockerError::from_bollard("connecting", &e))?;
        let docker = bounded("negotiating the API version", docker.negotiate_version()).await?;
        bounded("pinging the engine", docker.ping()).await?;
        Ok(Engine { docker })
    }

    pub fn inner(&self) -> &Docker {
        &self.docker
    }
}

fn short_id(id: &str) -> String {
    id[..id.len().min(12)].to_string()
}

async fn bounded<T>(
    what: &str,
    f: impl std::future::Future<Output = Result<T, bollard::errors::Error>>,
) -> Result<T, DockerError> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(r) => r.map_err(|e| DockerError::from_bollard(what, &e)),
        Err(_) => Err(DockerError::Timeout {
            what: what.to_string(),
            secs: CALL_TIMEOUT.as_secs(),
        }),
    }
}
