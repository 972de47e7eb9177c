//! The Docker watcher: keeps the address map and every endpoint's container state current, and
//! puts the project's container events (pause, unpause, die, start, ...) into the log with
//! source `docker`, so the log shows cause and effect. The project is read in full when the
//! event stream (re)connects; after that each event is applied as it arrives, to the container
//! as the engine describes it at that moment. When the engine goes away, monitoring of Redis
//! goes on; the watcher says so once and reconnects with backoff.

use crate::docker::{
    ComposeContainer, Discovery, DockerError, Engine, EngineEvent, LAB_NETWORK, cut_off, discover,
    event_name, project_network,
};
use crate::link::{Backoff, SharedMap, now_ms};
use futures_util::StreamExt;
use sentui_model::log::{LogEntry, OwnEvent};
use sentui_model::{ContainerState, Update};
use std::collections::BTreeMap;
use tokio::sync::mpsc::Sender;

/// Lists the project, updates the map, and sends every endpoint's container state.
pub async fn publish(
    engine: &Engine,
    project: &str,
    map: &SharedMap,
    tx: &Sender<Update>,
) -> Result<Discovery, DockerError> {
    let containers = engine.project(project).await?;
    let d = discover(&containers);
    map.merge(&d.map);
    for c in d.members.values() {
        if tx.send(state_of(c)).await.is_err() {
            break;
        }
    }
    Ok(d)
}

/// A member's container state, as an update for the model.
fn state_of(c: &ComposeContainer) -> Update {
    Update::Container {
        addr: c.announced(),
        at: now_ms(),
        sentinel: c.is_sentinel(),
        container: c.info(),
    }
}

fn note(event: OwnEvent, payload: String) -> Update {
    Update::Note {
        entry: LogEntry::own(now_ms(), event, &payload),
    }
}

pub async fn watch_task(engine: Engine, project: String, map: SharedMap, tx: Sender<Update>) {
    let mut backoff = Backoff::default();
    let mut engine_down = false;
    let w = Watch {
        engine: &engine,
        project: &project,
        map: &map,
        tx: &tx,
    };
    loop {
        // Events are asked for from just before the listing, so that none falls between the
        // two (a container paused while the engine was being reached again).
        let listed_from = now_ms() / 1000 - 1;
        let d = match publish(&engine, &project, &map, &tx).await {
            Ok(d) => d,
            Err(e) => {
                if !engine_down {
                    engine_down = true;
                    let payload = format!("{e}; Redis monitoring goes on");
                    if !w.say(OwnEvent::DockerEngineUnreachable, payload).await {
                        return;
                    }
                }
                tokio::time::sleep(backoff.next_delay() * 5).await;
                continue;
            }
        };
        if engine_down {
            engine_down = false;
            let payload = format!("watching compose project {project} again");
            if !w.say(OwnEvent::DockerEngineReachable, payload).await {
                return;
            }
        }
        backoff.reset();
        if !w.follow(d, listed_from).await {
            return;
        }
        let payload = "the Docker events stream ended; reconnecting".into();
        if !w.say(OwnEvent::DockerEventsDown, payload).await {
            return;
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// What the watcher watches and where it says what it saw.
struct Watch<'a> {
    engine: &'a Engine,
    project: &'a str,
    map: &'a SharedMap,
    tx: &'a Sender<Update>,
}

impl Watch<'_> {
    /// Logs one of sentui's own notes; false when nobody listens any more.
    async fn say(&self, event: OwnEvent, payload: String) -> bool {
        self.tx.send(note(event, payload)).await.is_ok()
    }

    /// Applies the project's events as they come, from the listing `d` on, until the stream
    /// ends; false when nobody listens any more.
    async fn follow(&self, d: Discovery, listed_from: u64) -> bool {
        // The project's containers by id, as last seen.
        let mut known: BTreeMap<String, ComposeContainer> =
            d.members.into_values().map(|c| (c.id.clone(), c)).collect();
        // Container events and the lab network's (a partition, a heal), as one stream.
        let mut events = Box::pin(futures_util::stream::select(
            self.engine.events(self.project, listed_from),
            self.engine.network_events(self.project, listed_from),
        ));
        while let Some(ev) = events.next().await {
            let Ok(ev) = ev else {
                break;
            };
            let Some(name) = event_name(&ev.action) else {
                continue;
            };
            if !self.event(&mut known, name, ev).await {
                return false;
            }
        }
        true
    }

    /// One event: the container's new state (and map entry) and a line in the log.
    async fn event(
        &self,
        known: &mut BTreeMap<String, ComposeContainer>,
        name: OwnEvent,
        ev: EngineEvent,
    ) -> bool {
        let EngineEvent {
            action,
            id,
            ts,
            container,
        } = ev;
        // The container as the engine has it now (a restarted one has a new published
        // port); what it was when the engine cannot say (removed, or the call failed).
        let now = match self.engine.container(self.project, &id).await {
            Ok(Some(c)) => Some(c),
            Ok(None) | Err(_) => known.get(&id).cloned(),
        };
        let mut addr = None;
        let payload = match now {
            Some(mut c) => {
                apply_event(&mut c, &action, self.project);
                if c.is_endpoint() {
                    self.map.merge(&discover(std::slice::from_ref(&c)).map);
                    if self.tx.send(state_of(&c)).await.is_err() {
                        return false;
                    }
                    addr = Some(c.announced());
                }
                let payload = format!("container {} (service {})", c.name, c.service);
                known.insert(id, c);
                payload
            }
            // Gone before it could be asked about: the name the event gave, else the id.
            None => match container {
                Some(name) => format!("container {name}"),
                None => format!("container {}", &id[..id.len().min(12)]),
            },
        };
        let mut entry = LogEntry::own(if ts > 0 { ts } else { now_ms() }, name, &payload);
        entry.addr = addr;
        self.tx.send(Update::Note { entry }).await.is_ok()
    }
}

/// Applies an event to the container as last described. The event says the state it leaves
/// (the description may be from just before it); a lab network event says whether the
/// container is on the lab's network. Partitioned is judged again from both: a container that
/// stops leaves the lab's network too, and that is no partition.
fn apply_event(c: &mut ComposeContainer, action: &str, project: &str) {
    if let Some(state) = state_after(action) {
        c.state = state;
    }
    let lab = project_network(project, LAB_NETWORK);
    match action {
        "network-disconnect" => c.networks.retain(|n| *n != lab),
        "network-connect" if !c.networks.contains(&lab) => c.networks.push(lab),
        _ => {}
    }
    c.partitioned = cut_off(project, &c.state, &c.networks);
}

/// The container state an event leaves behind, for the events that change it. A `kill` only
/// sends a signal (SIGTERM first, on `docker stop`): the `die` that follows says it exited.
fn state_after(action: &str) -> Option<ContainerState> {
    Some(match action {
        "pause" => ContainerState::Paused,
        "unpause" | "start" | "restart" => ContainerState::Running,
        "die" | "stop" => ContainerState::Exited,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(state: ContainerState) -> ComposeContainer {
        ComposeContainer {
            id: "r2".into(),
            name: "lab-redis-replica-2-1".into(),
            service: "redis-replica-2".into(),
            state,
            status: String::new(),
            healthy: true,
            published: [(6379, 49155)].into_iter().collect(),
            bound: [6379].into_iter().collect(),
            ips: Vec::new(),
            networks: vec!["lab_edge-redis-replica-2".into(), "lab_lab".into()],
            partitioned: false,
            config_files: String::new(),
        }
    }

    /// `docker stop` as the engine reports it: kill (SIGTERM), die, the lab network's
    /// disconnect, stop; the container stream and the network stream can be read in either
    /// order, and the description may still say running.
    #[test]
    fn a_stopped_container_reads_stopped_never_partitioned_whatever_the_order() {
        let orders: [&[&str]; 3] = [
            &["kill", "die", "network-disconnect", "stop"],
            &["network-disconnect", "kill", "die", "stop"],
            &["kill", "network-disconnect", "die", "stop"],
        ];
        for order in orders {
            let mut c = replica(ContainerState::Running);
            for action in order {
                apply_event(&mut c, action, "lab");
                assert!(
                    !(c.partitioned && c.state == ContainerState::Exited),
                    "{order:?}: {c:?}"
                );
            }
            assert_eq!(c.state, ContainerState::Exited, "{order:?}");
            assert!(!c.partitioned, "{order:?}");
        }
    }

    #[test]
    fn a_partition_and_a_heal_of_a_running_container() {
        let mut c = replica(ContainerState::Running);
        apply_event(&mut c, "network-disconnect", "lab");
        assert!(c.partitioned);
        apply_event(&mut c, "pause", "lab");
        assert!(c.partitioned, "paused and partitioned");
        apply_event(&mut c, "unpause", "lab");
        apply_event(&mut c, "network-connect", "lab");
        assert!(!c.partitioned);
        assert_eq!(c.state, ContainerState::Running);
    }

    #[test]
    fn a_signal_alone_changes_no_state() {
        let mut c = replica(ContainerState::Running);
        apply_event(&mut c, "kill", "lab");
        assert_eq!(c.state, ContainerState::Running);
        apply_event(&mut c, "die", "lab");
        assert_eq!(c.state, ContainerState::Exited);
        apply_event(&mut c, "start", "lab");
        assert_eq!(c.state, ContainerState::Running);
    }
}
