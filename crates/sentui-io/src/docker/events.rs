//! Following a project: its containers' events and its lab network's, and the ones worth a
//! line in the log.

use super::{DockerError, Engine, LAB_NETWORK, PROJECT_LABEL, project_network};
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::{Stream, StreamExt};
use sentui_model::log::OwnEvent;
use std::collections::HashMap;

/// What the engine said in one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineEvent {
    pub action: String,
    /// The container's id.
    pub id: String,
    /// When, unix ms (0 when the engine does not say).
    pub ts: u64,
    /// The container's name, when the event gives it (container events).
    pub container: Option<String>,
}

/// When an engine event happened, Unix ms (to the nanosecond where the engine says it).
fn event_ms(ev: &bollard::models::EventMessage) -> u64 {
    ev.time_nano
        .map(|n| (n / 1_000_000) as u64)
        .or(ev.time.map(|s| s as u64 * 1000))
        .unwrap_or(0)
}

impl Engine {
    /// Containers joining and leaving the project's lab network since `since_secs`
    /// (`network-connect` or `network-disconnect`, no name). Network events carry no
    /// compose labels, so they are asked for by the network's name.
    pub fn network_events(
        &self,
        project: &str,
        since_secs: u64,
    ) -> impl Stream<Item = Result<EngineEvent, DockerError>> + use<> {
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
                    EngineEvent {
                        action: format!("network-{}", ev.action.unwrap_or_default()),
                        id: container,
                        ts: ms,
                        container: None,
                    }
                })
        })
    }

    /// Container events of one project since `since_secs` (unix seconds; events already past
    /// are replayed from then).
    pub fn events(
        &self,
        project: &str,
        since_secs: u64,
    ) -> impl Stream<Item = Result<EngineEvent, DockerError>> + use<> {
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
                    let actor = ev.actor.unwrap_or_default();
                    // The event names its container: a stop's container may be gone by the
                    // time anyone asks the engine about it.
                    let name = actor
                        .attributes
                        .as_ref()
                        .and_then(|a| a.get("name").cloned());
                    EngineEvent {
                        action: ev.action.unwrap_or_default(),
                        id: actor.id.unwrap_or_default(),
                        ts: ms,
                        container: name,
                    }
                })
        })
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
