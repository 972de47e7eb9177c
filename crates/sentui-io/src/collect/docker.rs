//! The Docker watcher: keeps the address map and every endpoint's container state current, and
//! puts the project's container events (pause, unpause, die, start, ...) into the log with
//! source `docker`, so the log shows cause and effect. When the engine goes away, monitoring of
//! Redis goes on; the watcher says so once and reconnects with backoff.

use crate::docker::{Discovery, DockerError, Engine, discover, event_name};
use crate::link::{Backoff, SharedMap, now_ms};
use futures_util::StreamExt;
use sentui_model::log::{LogEntry, OwnEvent};
use sentui_model::{ContainerState, Update};
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
    let at = now_ms();
    for (addr, c) in &d.members {
        let u = Update::Container {
            addr: addr.clone(),
            at,
            sentinel: c.is_sentinel(),
            container: c.info(),
        };
        if tx.send(u).await.is_err() {
            break;
        }
    }
    Ok(d)
}

fn note(event: OwnEvent, payload: String) -> Update {
    Update::Note {
        entry: LogEntry::own(now_ms(), event, &payload),
    }
}

pub async fn watch_task(engine: Engine, project: String, map: SharedMap, tx: Sender<Update>) {
    let mut backoff = Backoff::default();
    let mut engine_down = false;
    loop {
        // Events are asked for from just before the listing, so that none falls between the
        // two (a container paused while the engine was being reached again).
        let listed_from = now_ms() / 1000 - 1;
        let mut d = match publish(&engine, &project, &map, &tx).await {
            Ok(d) => d,
            Err(e) => {
                if !engine_down {
                    engine_down = true;
                    if tx
                        .send(note(
                            OwnEvent::DockerEngineUnreachable,
                            format!("{e}; Redis monitoring goes on"),
                        ))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                tokio::time::sleep(backoff.next_delay() * 5).await;
                continue;
            }
        };
        if engine_down {
            engine_down = false;
            if tx
                .send(note(
                    OwnEvent::DockerEngineReachable,
                    format!("watching compose project {project} again"),
                ))
                .await
                .is_err()
            {
                return;
            }
        }
        backoff.reset();
        // Container events and the lab network's (a partition, a heal), as one stream.
        let mut events = Box::pin(futures_util::stream::select(
            engine.events(&project, listed_from),
            engine.network_events(&project, listed_from),
        ));
        while let Some(ev) = events.next().await {
            let Ok((action, id, ts)) = ev else { break };
            let Some(name) = event_name(&action) else {
                continue;
            };
            // Re-list: a restarted container may have a new published port.
            if let Ok(fresh) = publish(&engine, &project, &map, &tx).await {
                d = fresh;
            }
            let member = d.members.iter().find(|(_, c)| c.id == id);
            // The list can lag the event (a container listed running just after its pause
            // event): the event itself says the state.
            let partitioned = partitioned_after(&action);
            if let Some((a, c)) = member
                && (state_after(&action).is_some() || partitioned.is_some())
            {
                let mut info = c.info();
                info.state = state_after(&action).unwrap_or(info.state);
                info.partitioned = partitioned.unwrap_or(info.partitioned);
                let u = Update::Container {
                    addr: a.clone(),
                    at: now_ms(),
                    sentinel: c.is_sentinel(),
                    container: info,
                };
                if tx.send(u).await.is_err() {
                    return;
                }
            }
            let (payload, addr) = match member {
                Some((a, c)) => (
                    format!("container {} (service {})", c.name, c.service),
                    Some(a.clone()),
                ),
                None => (format!("container {}", &id[..id.len().min(12)]), None),
            };
            let mut entry = LogEntry::own(if ts > 0 { ts } else { now_ms() }, name, &payload);
            entry.addr = addr;
            if tx.send(Update::Note { entry }).await.is_err() {
                return;
            }
        }
        if tx
            .send(note(
                OwnEvent::DockerEventsDown,
                "the Docker events stream ended; reconnecting".into(),
            ))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// Whether a container is partitioned after a lab network event.
fn partitioned_after(action: &str) -> Option<bool> {
    match action {
        "network-disconnect" => Some(true),
        "network-connect" => Some(false),
        _ => None,
    }
}

/// The container state an event leaves behind, for the events that change it.
fn state_after(action: &str) -> Option<ContainerState> {
    Some(match action {
        "pause" => ContainerState::Paused,
        "unpause" | "start" | "restart" => ContainerState::Running,
        "die" | "stop" | "kill" => ContainerState::Exited,
        _ => return None,
    })
}
