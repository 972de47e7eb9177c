//! The Docker Engine API (bollard): find a compose project's containers by their labels (never
//! by name: compose v1 and v2 name containers differently), map every address the lab announces
//! to the container's published 127.0.0.1 port, act on containers, and follow their events.
//! The host never sends traffic to container IPs: they only appear as keys of the map.

use bollard::Docker;
use bollard::models::{
    ContainerInspectResponse, EndpointSettings, HealthStatusEnum, NetworkConnectRequest,
    NetworkDisconnectRequest, PortMap,
};
use bollard::query_parameters::{
    EventsOptionsBuilder, InspectContainerOptions, ListContainersOptionsBuilder,
    RestartContainerOptions, StartContainerOptions, StopContainerOptions,
};
use futures_util::{Stream, StreamExt};
use sentui_model::log::OwnEvent;
use sentui_model::state::{ContainerInfo, ContainerState};
use sentui_model::{Addr, AddrMap};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// What a project's containers tell sentui.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    pub map: AddrMap,
    /// The sentinels to start from, by announced address.
    pub sentinels: Vec<Addr>,
    /// Announced address -> container.
    pub members: BTreeMap<Addr, ComposeContainer>,
}

/// Maps every way the lab may announce a container (service name, container name, container IP,
/// each with the inner port) to its published 127.0.0.1 port. Members are the containers that
/// bind their inner port to 127.0.0.1, stopped ones included (by their announced name: they
/// publish no port, so nothing maps to them); containers that bind none (the demo app) are no
/// Redis endpoint. Only running sentinels are places to start from.
pub fn discover(containers: &[ComposeContainer]) -> Discovery {
    let mut d = Discovery::default();
    for c in containers.iter().filter(|c| c.is_endpoint()) {
        let port = c.inner_port();
        let announced = c.announced();
        if let Some(host_port) = c.published.get(&port) {
            let reachable = Addr::new("127.0.0.1", *host_port);
            d.map.insert(announced.clone(), reachable.clone());
            d.map
                .insert(Addr::new(c.name.clone(), port), reachable.clone());
            for ip in &c.ips {
                d.map.insert(Addr::new(ip.clone(), port), reachable.clone());
            }
            if c.is_sentinel() {
                d.sentinels.push(announced.clone());
            }
        }
        // A service's running container over one left stopped beside it.
        if d.members.get(&announced).is_none_or(|m| !is_live(&m.state)) {
            d.members.insert(announced, c.clone());
        }
    }
    d.sentinels.sort();
    d
}

/// What went wrong talking to the Docker engine, said for a person: which engine, and what to
/// do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DockerError {
    #[error(
        "the Docker engine is not reachable ({0}); is it running? (DOCKER_HOST selects another engine)"
    )]
    Unreachable(String),
    #[error(
        "permission denied talking to the Docker engine ({0}); run as a member of the docker group or as root"
    )]
    PermissionDenied(String),
    #[error("{what}: the Docker engine did not answer within {secs}s")]
    Timeout { what: String, secs: u64 },
    /// The engine answered with an error.
    #[error("{what}: {reason}")]
    Refused { what: String, reason: String },
    #[error("a failover is asked of the sentinels, not of a container")]
    NotAContainerAction,
    #[error("a partition changes the container's networks: internal error, use Engine::partition")]
    NetworkAction,
    #[error(
        "{0} has no network of its own for its published port, so leaving the lab's network would cut the host off too; only the lab's Redis nodes can be partitioned (a lab started by an older sentui: `sentui lab down`, then `lab up`)"
    )]
    NotPartitionable(String),
    #[error("container {0} is not paused")]
    NotPaused(String),
    #[error("container {0} is already paused")]
    AlreadyPaused(String),
}

impl DockerError {
    /// Reads a bollard error (and the causes behind it) while doing `what`.
    pub fn from_bollard(what: &str, e: &bollard::errors::Error) -> Self {
        let text = with_causes(e);
        if text.contains("Permission denied") || text.contains("permission denied") {
            return DockerError::PermissionDenied(text);
        }
        if text.contains("No such file")
            || text.contains("Socket not found")
            || text.contains("onnection refused")
            || text.contains("onnection reset")
            || text.contains("roken pipe")
            || text.contains("error trying to connect")
        {
            return DockerError::Unreachable(text);
        }
        DockerError::Refused {
            what: what.to_string(),
            reason: text,
        }
    }
}

/// The labs, which speak in sentences, take these as they are said.
impl From<DockerError> for String {
    fn from(e: DockerError) -> String {
        e.to_string()
    }
}

/// Explains a bollard error for a person (see [`DockerError`]).
pub fn explain(e: &bollard::errors::Error) -> String {
    DockerError::from_bollard("talking to the Docker engine", e).to_string()
}

/// The error and the causes behind it: bollard's own text can hide the one that tells what
/// happened ("client error (Connect)" over "No such file or directory").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cause = c.source();
    }
    text
}

#[derive(Clone)]
pub struct Engine {
    docker: Docker,
}

/// When an engine event happened, Unix ms (to the nanosecond where the engine says it).
fn event_ms(ev: &bollard::models::EventMessage) -> u64 {
    ev.time_nano
        .map(|n| (n / 1_000_000) as u64)
        .or(ev.time.map(|s| s as u64 * 1000))
        .unwrap_or(0)
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
fn loopback_ports(ports: Option<&PortMap>) -> BTreeMap<u16, Option<u16>> {
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
    if labels.get(PROJECT_LABEL).map(String::as_str) != Some(project)
        || labels
            .get("com.docker.compose.oneoff")
            .is_some_and(|v| v == "True")
    {
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
    let nets = settings.networks.unwrap_or_default();
    let networks: Vec<String> = nets.keys().cloned().collect();
    let ips = nets
        .into_values()
        .filter_map(|e| e.ip_address)
        .filter(|ip| !ip.is_empty())
        .collect();
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
            let labels = c.labels.unwrap_or_default();
            // `compose run` one-offs are not part of the lab.
            if labels
                .get("com.docker.compose.oneoff")
                .is_some_and(|v| v == "True")
            {
                continue;
            }
            let published: BTreeMap<u16, u16> = c
                .ports
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.ip.as_deref() == Some("127.0.0.1"))
                .filter_map(|p| p.public_port.map(|pp| (p.private_port, pp)))
                .collect();
            let id = c.id.unwrap_or_default();
            if published.is_empty() {
                // Gone between the listing and now: not part of the project any more.
                if let Some(inspected) = self.container(project, &id).await? {
                    out.push(inspected);
                }
                continue;
            }
            let nets = c
                .network_settings
                .and_then(|n| n.networks)
                .unwrap_or_default();
            let networks: Vec<String> = nets.keys().cloned().collect();
            let ips = nets
                .into_values()
                .filter_map(|e| e.ip_address)
                .filter(|ip| !ip.is_empty())
                .collect();
            let status = c.status.unwrap_or_default();
            let state = ContainerState::parse(&c.state.map(|s| s.to_string()).unwrap_or_default());
            out.push(ComposeContainer {
                partitioned: cut_off(project, &state, &networks),
                networks,
                healthy: status.contains("(healthy)")
                    || (state == ContainerState::Running && !status.contains("health")),
                status,
                id,
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
            });
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

    pub async fn act(
        &self,
        id: &str,
        action: sentui_model::action::Action,
    ) -> Result<(), DockerError> {
        use sentui_model::action::Action;
        let what = format!("{} container {}", action.verb_present(), short_id(id));
        match action {
            Action::Failover => Err(DockerError::NotAContainerAction),
            Action::Partition | Action::Heal => Err(DockerError::NetworkAction),
            Action::RestartEmpty => Err(DockerError::NetworkAction),
            Action::Pause => {
                // runc's freezer gives up when a process is caught in the kernel ("unable to
                // freeze"), which a loaded machine sees now and then: one more try.
                match bounded(&what, self.docker.pause_container(id)).await {
                    Err(DockerError::Refused { reason, .. })
                        if reason.contains("is already paused") =>
                    {
                        Err(DockerError::AlreadyPaused(short_id(id)))
                    }
                    Err(DockerError::Refused { reason, .. })
                        if reason.contains("unable to freeze") =>
                    {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        bounded(&what, self.docker.pause_container(id)).await
                    }
                    other => other,
                }
            }
            Action::Unpause => match bounded(&what, self.docker.unpause_container(id)).await {
                // Docker says so in a 500 with its own wording: say it plainly.
                Err(DockerError::Refused { reason, .. }) if reason.contains("is not paused") => {
                    Err(DockerError::NotPaused(short_id(id)))
                }
                other => other,
            },
            Action::Stop => {
                bounded(
                    &what,
                    self.docker.stop_container(id, None::<StopContainerOptions>),
                )
                .await
            }
            Action::Start => {
                bounded(
                    &what,
                    self.docker
                        .start_container(id, None::<StartContainerOptions>),
                )
                .await
            }
            Action::Restart => {
                bounded(
                    &what,
                    self.docker
                        .restart_container(id, None::<RestartContainerOptions>),
                )
                .await
            }
        }
    }

    /// Partitions (`cut`) or heals a node of `project`: takes its container off the lab's
    /// network, or connects it again under its service name (the alias the others resolve).
    /// Its own edge network keeps its published port either way.
    pub async fn partition(
        &self,
        c: &ComposeContainer,
        project: &str,
        cut: bool,
    ) -> Result<(), DockerError> {
        if !c.partitionable(project) {
            return Err(DockerError::NotPartitionable(c.name.clone()));
        }
        let network = project_network(project, LAB_NETWORK);
        if cut {
            let what = format!("disconnecting {} from {network}", c.name);
            let req = NetworkDisconnectRequest {
                container: c.id.clone(),
                force: Some(false),
            };
            bounded(&what, self.docker.disconnect_network(&network, req)).await
        } else {
            let what = format!("connecting {} to {network}", c.name);
            let req = NetworkConnectRequest {
                container: c.id.clone(),
                endpoint_config: Some(EndpointSettings {
                    aliases: Some(vec![c.service.clone()]),
                    ..EndpointSettings::default()
                }),
            };
            bounded(&what, self.docker.connect_network(&network, req)).await
        }
    }

    /// Restarts a node's container with its data emptied, as a server without persistence
    /// that crashed: its data directory (`/data`, a volume) emptied from inside, the container
    /// killed (SIGKILL: no save on the way out) and started again. Returns when it was killed
    /// (unix ms): when the fault took effect.
    pub async fn restart_empty(&self, c: &ComposeContainer) -> Result<u64, DockerError> {
        use bollard::exec::{CreateExecOptions, StartExecOptions};
        if c.is_sentinel() {
            return Err(DockerError::Refused {
                what: format!("restarting {} empty", c.name),
                reason: "a sentinel keeps its state in its config file; restart-empty is for Redis nodes".into(),
            });
        }
        let what = format!("emptying /data of {}", c.name);
        let exec = bounded(
            &what,
            self.docker.create_exec(
                &c.id,
                CreateExecOptions::<String> {
                    cmd: Some(vec![
                        "sh".into(),
                        "-c".into(),
                        "rm -rf /data/dump.rdb /data/appendonlydir /data/appendonly.aof".into(),
                    ]),
                    ..Default::default()
                },
            ),
        )
        .await?;
        let opts = StartExecOptions {
            detach: true,
            ..Default::default()
        };
        bounded(&what, self.docker.start_exec(&exec.id, Some(opts))).await?;
        // Detached: done when the engine says the command has exited.
        let deadline = tokio::time::Instant::now() + CALL_TIMEOUT;
        loop {
            let i = bounded(&what, self.docker.inspect_exec(&exec.id)).await?;
            if i.running != Some(true) {
                if i.exit_code.unwrap_or(0) != 0 {
                    return Err(DockerError::Refused {
                        what,
                        reason: format!("rm exited with {:?}", i.exit_code),
                    });
                }
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(DockerError::Timeout {
                    what,
                    secs: CALL_TIMEOUT.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let what = format!("killing {}", c.name);
        let kill = bollard::query_parameters::KillContainerOptionsBuilder::default()
            .signal("KILL")
            .build();
        // SIGKILL takes effect at once; the engine answers once the container is gone.
        let killed = crate::link::now_ms();
        bounded(&what, self.docker.kill_container(&c.id, Some(kill))).await?;
        let what = format!("starting {}", c.name);
        bounded(
            &what,
            self.docker
                .start_container(&c.id, None::<StartContainerOptions>),
        )
        .await?;
        Ok(killed)
    }

    /// Containers joining and leaving the project's lab network since `since_secs`:
    /// (`connect` or `disconnect`, container id, unix ms). Network events carry no compose
    /// labels, so they are asked for by the network's name.
    pub fn network_events(
        &self,
        project: &str,
        since_secs: u64,
    ) -> impl Stream<Item = Result<(String, String, u64), DockerError>> + use<> {
        let mut filters = HashMap::new();
        filters.insert("type".to_string(), vec!["network".to_string()]);
        filters.insert(
            "network".to_string(),
            vec![project_network(project, LAB_NETWORK)],
        );
        let opts = EventsOptionsBuilder::default()
            .filters(&filters)
            .since(&since_secs.to_string())
            .build();
        self.docker.events(Some(opts)).map(|r| {
            r.map_err(|e| DockerError::from_bollard("reading network events", &e))
                .map(|ev| {
                    let ms = event_ms(&ev);
                    let container = ev
                        .actor
                        .and_then(|a| a.attributes)
                        .and_then(|a| a.get("container").cloned())
                        .unwrap_or_default();
                    (
                        format!("network-{}", ev.action.unwrap_or_default()),
                        container,
                        ms,
                    )
                })
        })
    }

    /// Container events of one project since `since_secs` (unix seconds; events already past
    /// are replayed from then): (action, container id, unix ms).
    pub fn events(
        &self,
        project: &str,
        since_secs: u64,
    ) -> impl Stream<Item = Result<(String, String, u64), DockerError>> + use<> {
        let mut filters = HashMap::new();
        filters.insert("type".to_string(), vec!["container".to_string()]);
        filters.insert(
            "label".to_string(),
            vec![format!("{PROJECT_LABEL}={project}")],
        );
        let opts = EventsOptionsBuilder::default()
            .filters(&filters)
            .since(&since_secs.to_string())
            .build();
        self.docker.events(Some(opts)).map(|r| {
            r.map_err(|e| DockerError::from_bollard("reading events", &e))
                .map(|ev| {
                    let ms = event_ms(&ev);
                    (
                        ev.action.unwrap_or_default(),
                        ev.actor.and_then(|a| a.id).unwrap_or_default(),
                        ms,
                    )
                })
        })
    }

    pub fn inner(&self) -> &Docker {
        &self.docker
    }
}

/// Docker's event actions worth a line in the log, as sentui logs them.
pub fn event_name(action: &str) -> Option<OwnEvent> {
    Some(match action {
        "pause" => OwnEvent::ContainerPause,
        "unpause" => OwnEvent::ContainerUnpause,
        "die" => OwnEvent::ContainerDie,
        "start" => OwnEvent::ContainerStart,
        "stop" => OwnEvent::ContainerStop,
        "kill" => OwnEvent::ContainerKill,
        "restart" => OwnEvent::ContainerRestart,
        "oom" => OwnEvent::ContainerOom,
        "health_status: healthy" => OwnEvent::ContainerHealthy,
        "health_status: unhealthy" => OwnEvent::ContainerUnhealthy,
        "network-disconnect" => OwnEvent::NetworkDisconnect,
        "network-connect" => OwnEvent::NetworkConnect,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(service: &str, inner: u16, host: u16, ip: &str) -> ComposeContainer {
        ComposeContainer {
            id: format!("{service}-id"),
            name: format!("lab-{service}-1"),
            service: service.into(),
            state: ContainerState::Running,
            status: "Up 1 second (healthy)".into(),
            healthy: true,
            published: [(inner, host)].into_iter().collect(),
            bound: [inner].into_iter().collect(),
            ips: vec![ip.into()],
            networks: vec!["lab_lab".into(), format!("lab_edge-{service}")],
            partitioned: false,
            config_files: String::new(),
        }
    }

    #[test]
    fn maps_every_announced_form_to_the_published_port() {
        let d = discover(&[
            c("redis-master", 6379, 49153, "172.18.0.2"),
            c("sentinel-1", 26379, 49160, "172.18.0.5"),
        ]);
        let reach = Addr::new("127.0.0.1", 49153);
        assert_eq!(
            d.map.reachable(&"redis-master:6379".parse().unwrap()),
            reach
        );
        assert_eq!(
            d.map.reachable(&"lab-redis-master-1:6379".parse().unwrap()),
            reach
        );
        assert_eq!(d.map.reachable(&"172.18.0.2:6379".parse().unwrap()), reach);
        assert_eq!(
            d.sentinels,
            vec!["sentinel-1:26379".parse::<Addr>().unwrap()]
        );
        assert!(
            d.members
                .contains_key(&"redis-master:6379".parse().unwrap())
        );
    }

    #[test]
    fn containers_that_bind_no_port_are_not_endpoints() {
        let mut app = c("app", 6379, 1, "172.18.0.9");
        app.published.clear();
        app.bound.clear();
        let d = discover(&[app]);
        assert!(d.map.is_empty());
        assert!(d.members.is_empty());
    }

    #[test]
    fn event_names() {
        assert_eq!(event_name("pause"), Some(OwnEvent::ContainerPause));
        assert_eq!(event_name("exec_start: sh"), None);
        assert_eq!(
            event_name("network-disconnect"),
            Some(OwnEvent::NetworkDisconnect)
        );
    }

    #[test]
    fn a_stopped_node_is_a_member_by_its_announced_name_and_is_not_mapped() {
        let mut stopped = c("redis-replica-2", 6379, 49155, "172.18.0.4");
        stopped.state = ContainerState::Exited;
        stopped.published.clear();
        stopped.ips.clear();
        let mut sentinel = c("sentinel-2", 26379, 49161, "172.18.0.6");
        sentinel.state = ContainerState::Exited;
        sentinel.published.clear();
        let d = discover(&[
            stopped,
            sentinel,
            c("sentinel-1", 26379, 49160, "172.18.0.5"),
        ]);
        let announced: Addr = "redis-replica-2:6379".parse().unwrap();
        assert_eq!(d.members[&announced].state, ContainerState::Exited);
        assert!(!d.map.contains(&announced), "it publishes nothing to reach");
        assert!(d.members.contains_key(&"sentinel-2:26379".parse().unwrap()));
        assert_eq!(
            d.sentinels,
            vec!["sentinel-1:26379".parse::<Addr>().unwrap()],
            "only a running sentinel is a place to start from"
        );
    }

    #[test]
    fn a_stopped_container_is_never_partitioned() {
        let lab = vec!["lab_lab".to_string(), "lab_edge-redis-master".to_string()];
        let edge_only = vec!["lab_edge-redis-master".to_string()];
        assert!(!cut_off("lab", &ContainerState::Running, &lab));
        assert!(cut_off("lab", &ContainerState::Running, &edge_only));
        assert!(cut_off("lab", &ContainerState::Paused, &edge_only));
        for stopped in [
            ContainerState::Exited,
            ContainerState::Dead,
            ContainerState::Created,
        ] {
            assert!(!cut_off("lab", &stopped, &edge_only), "{stopped}");
        }
    }

    #[test]
    fn loopback_bindings_with_and_without_a_host_port() {
        use bollard::models::PortBinding;
        let bind = |ip: &str, port: &str| PortBinding {
            host_ip: Some(ip.into()),
            host_port: Some(port.into()),
        };
        let map: PortMap = [
            ("6379/tcp".to_string(), Some(vec![bind("127.0.0.1", "")])),
            (
                "26379/tcp".to_string(),
                Some(vec![bind("0.0.0.0", "26379")]),
            ),
            (
                "7000/tcp".to_string(),
                Some(vec![bind("127.0.0.1", "49000")]),
            ),
            ("8000/tcp".to_string(), None),
        ]
        .into_iter()
        .collect();
        let ports = loopback_ports(Some(&map));
        assert_eq!(
            ports.into_iter().collect::<Vec<_>>(),
            vec![(6379, None), (7000, Some(49000))]
        );
    }

    #[test]
    fn only_containers_with_an_edge_network_can_be_partitioned() {
        let node = c("redis-master", 6379, 49153, "172.18.0.2");
        assert!(node.partitionable("lab"));
        assert!(!node.partitionable("other"), "another project's networks");
        let mut sentinel = c("sentinel-1", 26379, 49160, "172.18.0.5");
        sentinel.networks = vec!["lab_lab".into()];
        assert!(!sentinel.partitionable("lab"));
    }
}

/// The compose project sentui may touch (and nothing else).
#[derive(Clone)]
pub struct DockerScope {
    pub engine: Engine,
    pub project: String,
}

impl std::fmt::Debug for DockerScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DockerScope({})", self.project)
    }
}

impl DockerScope {
    /// The project's container behind an announced address, or named `name` (service or
    /// container name).
    pub async fn find(
        &self,
        addr: Option<&Addr>,
        name: Option<&str>,
    ) -> Result<Option<ComposeContainer>, DockerError> {
        let containers = self.engine.project(&self.project).await?;
        let d = discover(&containers);
        if let Some(a) = addr {
            if let Some(c) = d.members.get(a) {
                return Ok(Some(c.clone()));
            }
            // Another announced form of the same container (its name or IP).
            let reach = d.map.reachable(a);
            if let Some((_, c)) = d
                .members
                .iter()
                .find(|(announced, _)| d.map.reachable(announced) == reach && d.map.contains(a))
            {
                return Ok(Some(c.clone()));
            }
        }
        if let Some(n) = name {
            return Ok(containers
                .into_iter()
                .find(|c| c.service == n || c.name == n));
        }
        Ok(None)
    }
}
