//! The local-process watcher: for endpoints on this machine, which process listens on the port
//! and whether it is stopped (SIGSTOP), so the screen can say "paused" even when someone else
//! froze it. Reads /proc only; sends an update only when something changed.
//!
//! One task watches every endpoint: finding the process behind a port walks the socket tables
//! and every process's descriptors, so lookups are batched into one pass, made only when an
//! endpoint is new, its process died, or every 30 s (a restarted node has a new pid).

use super::link::now_ms;
use crate::control::process;
use crate::model::state::ProcessInfo;
use crate::model::{Addr, Update};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

/// How often stopped/running is read for each known pid.
const TICK: Duration = Duration::from_secs(1);
/// How often every pid is looked up again.
const REFRESH: Duration = Duration::from_secs(30);
/// How often a port with no visible listener (a node that is down) is looked up again.
const RETRY_MISSING: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug)]
struct Endpoint {
    port: u16,
    sentinel: bool,
}

/// The endpoints being watched, shared between the router (which adds and retires them) and
/// the watcher task.
#[derive(Clone, Default)]
pub struct Watched(Arc<Mutex<BTreeMap<Addr, Endpoint>>>);

impl Watched {
    /// Watches the process listening on local `port` for `announced`, until the guard drops.
    pub fn add(&self, announced: &Addr, port: u16, sentinel: bool) -> WatchGuard {
        self.lock()
            .insert(announced.clone(), Endpoint { port, sentinel });
        WatchGuard {
            watched: self.clone(),
            addr: announced.clone(),
        }
    }

    fn snapshot(&self) -> BTreeMap<Addr, Endpoint> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Addr, Endpoint>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Stops watching an endpoint when dropped (the endpoint's collectors retired).
pub struct WatchGuard {
    watched: Watched,
    addr: Addr,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.watched.lock().remove(&self.addr);
    }
}

/// What the watcher knows of one endpoint.
struct Known {
    process: Option<process::LocalProcess>,
    looked_up: Instant,
    sent: Option<ProcessInfo>,
}

pub async fn process_task(watched: Watched, tx: Sender<Update>) {
    let mut known: BTreeMap<Addr, Known> = BTreeMap::new();
    let mut last_refresh = Instant::now();
    loop {
        let endpoints = watched.snapshot();
        known.retain(|a, _| endpoints.contains_key(a));
        let refresh_all = last_refresh.elapsed() >= REFRESH;
        if refresh_all {
            last_refresh = Instant::now();
        }
        let due: BTreeSet<u16> = endpoints
            .iter()
            .filter(|(a, _)| {
                refresh_all
                    || match known.get(a) {
                        None => true,
                        Some(Known {
                            process: Some(p), ..
                        }) => !process::is_alive(p.pid),
                        Some(k) => k.looked_up.elapsed() >= RETRY_MISSING,
                    }
            })
            .map(|(_, e)| e.port)
            .collect();
        if !due.is_empty() {
            let ports = due.clone();
            let found = tokio::task::spawn_blocking(move || process::find_listeners(&ports))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            for (addr, e) in endpoints.iter().filter(|(_, e)| due.contains(&e.port)) {
                let k = known.entry(addr.clone()).or_insert(Known {
                    process: None,
                    looked_up: Instant::now(),
                    sent: None,
                });
                k.process = found.get(&e.port).cloned().flatten();
                k.looked_up = Instant::now();
            }
        }
        for (addr, e) in &endpoints {
            let Some(k) = known.get_mut(addr) else {
                continue;
            };
            let now = k.process.as_ref().map(|p| ProcessInfo {
                pid: p.pid,
                name: p.name.clone(),
                paused: process::is_stopped(p.pid),
            });
            if now != k.sent {
                k.sent = now.clone();
                let update = Update::Process {
                    addr: addr.clone(),
                    at: now_ms(),
                    sentinel: e.sentinel,
                    process: now,
                };
                if tx.send(update).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(TICK).await;
    }
}
