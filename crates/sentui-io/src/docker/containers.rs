//! A compose project's containers as the engine lists and inspects them: their state, health,
//! published and bound ports, networks, and whether they are partitioned.

use super::{
    CALL_TIMEOUT, CONFIG_FILES_LABEL, DockerError, EDGE_NETWORK_PREFIX, Engine, LAB_NETWORK,
    PROJECT_LABEL, REDIS_PORT, SENTINEL_PORT, SERVICE_LABEL, bounded, project_network, short_id,
};
use bollard::models::{
    ContainerInspectResponse, ContainerSummary, EndpointSettings, HealthStatusEnum, PortMap,
};
use bollard::query_parameters::{InspectContainerOptions, ListContainersOptionsBuilder};
use sentui_model::Addr;
use sentui_model::state::{ContainerInfo, ContainerState};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A container of a compose project, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposeContainer {
    pub id: String,
    pub name: String,
    pub service: String,
    pub state: ContainerState,
    /// Docker's status line (`Up 3 seconds (healthy)`).
    pub status: String,
    /// The healthcheck passes (or there is none and the container runs).
    pub healthy: bool,
    /// Container port -> host port, for ports published on 127.0.0.1 only.
    pub published: BTreeMap<u16, u16>,
    /// The container ports its configuration binds to 127.0.0.1, published now or not: a
    /// stopped container publishes none, yet is still the lab's node or sentinel.
    pub bound: BTreeSet<u16>,
    /// The container's addresses on its networks (map keys only; never contacted).
    pub ips: Vec<String>,
    /// The networks it is attached to, by name.
    pub networks: Vec<String>,
    /// Cut off from the lab's network while it runs and keeps its own edge network:
    /// partitioned (see [`cut_off`]).
    pub partitioned: bool,
    /// The compose file(s) it was created from (compose's own label), which tells a lab
    /// sentui started from a project someone else runs.
    pub config_files: String,
}

impl ComposeContainer {
    pub fn is_sentinel(&self) -> bool {
        self.published.contains_key(&SENTINEL_PORT)
            || self.bound.contains(&SENTINEL_PORT)
            || self.service.contains("sentinel")
    }

    /// A Redis endpoint of the lab: its inner port is bound to 127.0.0.1, whether the
    /// container runs (and publishes it) or not.
    pub fn is_endpoint(&self) -> bool {
        let port = self.inner_port();
        self.published.contains_key(&port) || self.bound.contains(&port)
    }

    pub fn info(&self) -> ContainerInfo {
        ContainerInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            service: self.service.clone(),
            state: self.state.clone(),
            partitioned: self.partitioned,
        }
    }

    /// Whether it has an edge network of its own, which keeps its published port when it
    /// leaves the lab's network (sentinels, and labs from before partitions, have none).
    pub fn partitionable(&self, project: &str) -> bool {
        let edge = project_network(project, EDGE_NETWORK_PREFIX);
        self.networks.iter().any(|n| n.starts_with(&edge))
    }

    /// Why it cannot be cut off from the lab's network (or healed), if it cannot: a sentinel,
    /// or a container without an edge network.
    pub fn partition_refusal(&self, project: &str) -> Option<DockerError> {
        if self.is_sentinel() {
            return Some(DockerError::SentinelNotPartitionable(self.name.clone()));
        }
        (!self.partitionable(project)).then(|| DockerError::NotPartitionable(self.name.clone()))
    }

    /// The port the lab's processes listen on inside the container.
    pub fn inner_port(&self) -> u16 {
        if self.is_sentinel() {
            SENTINEL_PORT
        } else {
            REDIS_PORT
        }
    }

    /// The address the lab announces for this container (`service:port`).
    pub fn announced(&self) -> Addr {
        Addr::new(self.service.clone(), self.inner_port())
    }
}

/// Running or paused: a container whose processes exist, on the networks it is attached to.
pub fn is_live(state: &ContainerState) -> bool {
    matches!(state, ContainerState::Running | ContainerState::Paused)
}

/// Whether a container of `project` is partitioned: live, attached to an edge network of its
/// own (which keeps its published port) and not to the lab's network. A stopped container is
/// on no network at all (the engine detaches it as it stops, and still lists the networks it
/// will join again): it is stopped, never partitioned.
pub fn cut_off(project: &str, state: &ContainerState, networks: &[String]) -> bool {
    let edge = project_network(project, EDGE_NETWORK_PREFIX);
    is_live(state)
        && networks.iter().any(|n| n.starts_with(&edge))
        && !networks.contains(&project_network(project, LAB_NETWORK))
}

/// The container ports a port map binds to 127.0.0.1, each with its host port when it has
/// one (a configuration's bindings usually leave the host port to the engine).
pub(super) fn loopback_ports(ports: Option<&PortMap>) -> BTreeMap<u16, Option<u16>> {
    let mut out = BTreeMap::new();
    for (key, bindings) in ports.into_iter().flatten() {
        let Some(port) = key.split('/').next().and_then(|p| p.parse::<u16>().ok()) else {
            continue;
        };
        for b in bindings.iter().flatten() {
            if b.host_ip.as_deref() == Some("127.0.0.1") {
                let host = b.host_port.as_deref().and_then(|h| h.parse::<u16>().ok());
                let known = out.entry(port).or_insert(None);
                *known = known.or(host);
            }
        }
    }
    out
}

/// A container as inspected, when it belongs to `project` (and is no `compose run` one-off).
fn from_inspect(project: &str, r: ContainerInspectResponse) -> Option<ComposeContainer> {
    let labels = r.config.and_then(|c| c.labels).unwrap_or_default();
    if labels.get(PROJECT_LABEL).map(String::as_str) != Some(project) || one_off(&labels) {
        return None;
    }
    let st = r.state.unwrap_or_default();
    let state = ContainerState::parse(&st.status.map(|s| s.to_string()).unwrap_or_default());
    let health = st.health.and_then(|h| h.status);
    let healthy = match health {
        Some(HealthStatusEnum::HEALTHY) => true,
        Some(HealthStatusEnum::NONE | HealthStatusEnum::EMPTY) | None => {
            state == ContainerState::Running
        }
        Some(_) => false,
    };
    let status = match health {
        Some(
            h @ (HealthStatusEnum::HEALTHY
            | HealthStatusEnum::UNHEALTHY
            | HealthStatusEnum::STARTING),
        ) => format!("{state} ({h})"),
        _ => state.to_string(),
    };
    let settings = r.network_settings.unwrap_or_default();
    let published = loopback_ports(settings.ports.as_ref())
        .into_iter()
        .filter_map(|(port, host)| host.map(|h| (port, h)))
        .collect();
    let bound = loopback_ports(r.host_config.and_then(|h| h.port_bindings).as_ref())
        .into_keys()
        .collect();
    let (networks, ips) = networks_and_ips(settings.networks.unwrap_or_default());
    Some(ComposeContainer {
        id: r.id.unwrap_or_default(),
        name: r
            .name
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        service: labels.get(SERVICE_LABEL).cloned().unwrap_or_default(),
        partitioned: cut_off(project, &state, &networks),
        state,
        status,
        healthy,
        published,
        bound,
        ips,
        networks,
        config_files: labels.get(CONFIG_FILES_LABEL).cloned().unwrap_or_default(),
    })
}

/// The networks a container is attached to, by name, and its addresses on them (listed and
/// inspected containers report both the same way).
fn networks_and_ips(nets: HashMap<String, EndpointSettings>) -> (Vec<String>, Vec<String>) {
    let networks = nets.keys().cloned().collect();
    let ips = nets
        .into_values()
        .filter_map(|e| e.ip_address)
        .filter(|ip| !ip.is_empty())
        .collect();
    (networks, ips)
}

/// A `compose run` one-off: not part of the lab.
fn one_off(labels: &HashMap<String, String>) -> bool {
    labels
        .get("com.docker.compose.oneoff")
        .is_some_and(|v| v == "True")
}

/// A container as listed; None when it publishes no port on 127.0.0.1 (then only inspecting
/// it tells its bindings).
fn from_summary(project: &str, c: ContainerSummary) -> Option<ComposeContainer> {
    let labels = c.labels.unwrap_or_default();
    let published: BTreeMap<u16, u16> = c
        .ports
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.ip.as_deref() == Some("127.0.0.1"))
        .filter_map(|p| p.public_port.map(|pp| (p.private_port, pp)))
        .collect();
    if published.is_empty() {
        return None;
    }
    let (networks, ips) = networks_and_ips(
        c.network_settings
            .and_then(|n| n.networks)
            .unwrap_or_default(),
    );
    let status = c.status.unwrap_or_default();
    let state = ContainerState::parse(&c.state.map(|s| s.to_string()).unwrap_or_default());
    Some(ComposeContainer {
        partitioned: cut_off(project, &state, &networks),
        networks,
        healthy: status.contains("(healthy)")
            || (state == ContainerState::Running && !status.contains("health")),
        status,
        id: c.id.unwrap_or_default(),
        name: c
            .names
            .unwrap_or_default()
            .first()
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default(),
        service: labels.get(SERVICE_LABEL).cloned().unwrap_or_default(),
        state,
        bound: published.keys().copied().collect(),
        published,
        ips,
        config_files: labels.get(CONFIG_FILES_LABEL).cloned().unwrap_or_default(),
    })
}

impl Engine {
    /// Every container of a compose project, running or not. Those that publish no port are
    /// inspected: a stopped node's bindings say it is still one of the lab's endpoints.
    pub async fn project(&self, project: &str) -> Result<Vec<ComposeContainer>, DockerError> {
        let mut filters = HashMap::new();
        filters.insert(
            "label".to_string(),
            vec![format!("{PROJECT_LABEL}={project}")],
        );
        let opts = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let list = bounded(
            "listing containers",
            self.docker.list_containers(Some(opts)),
        )
        .await?;
        let mut out: Vec<ComposeContainer> = Vec::new();
        for c in list {
            if c.labels.as_ref().is_some_and(one_off) {
                continue;
            }
            let id = c.id.clone().unwrap_or_default();
            match from_summary(project, c) {
                Some(listed) => out.push(listed),
                // No published port: its bindings tell (gone since the listing: not a member).
                None => out.extend(self.container(project, &id).await?),
            }
        }
        out.sort_by(|a, b| a.service.cmp(&b.service));
        Ok(out)
    }

    /// One container of `project` as the engine sees it now, or None when it is gone or not
    /// the project's. Unlike the listing, which can still say `running` a third of a second
    /// after the container died, inspecting reads the container itself.
    pub async fn container(
        &self,
        project: &str,
        id: &str,
    ) -> Result<Option<ComposeContainer>, DockerError> {
        let what = format!("inspecting container {}", short_id(id));
        let inspect = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>);
        match tokio::time::timeout(CALL_TIMEOUT, inspect).await {
            Ok(Ok(r)) => Ok(from_inspect(project, r)),
            Ok(Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            })) => Ok(None),
            Ok(Err(e)) => Err(DockerError::from_bollard(&what, &e)),
            Err(_) => Err(DockerError::Timeout {
                what,
                secs: CALL_TIMEOUT.as_secs(),
            }),
        }
    }
}
