//! The local-process watcher: for endpoints on this machine, which process listens on the port
//! and whether it is stopped (SIGSTOP), so the screen can say "paused" even when someone else
//! froze it. Reads /proc only; sends an update only when something changed.
//!
//! One task watches every endpoint: finding the process behind a port walks the socket tables
//! and every process's descriptors, so lookups are batched into one pass, made only when an
//! endpoint is new, its process died, or every 2 minutes (a pid reused). Reading whether a
//! process is stopped costs a full render of /proc/PID/stat in the kernel: past 50 endpoints the
//! healthy ones take turns (200 nodes: each every 4 s), while the ones the collectors report
//! trouble with (a frozen node stops answering first) and paused ones are read every second.

use crate::link::now_ms;
use crate::procfs;
use sentui_model::state::ProcessInfo;
use sentui_model::{Addr, Update};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

/// How often the watcher looks: stopped/running of the endpoints in trouble or paused.
const TICK: Duration = Duration::from_secs(1);
/// Stopped/running reads per tick of the endpoints nothing is wrong with.
const HEALTHY_READS_PER_TICK: usize = 50;
/// How often every pid is looked up again.
const REFRESH: Duration = Duration::from_secs(120);
/// How often a port with no visible listener (a node that is down) is looked up again.
const RETRY_MISSING: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug)]
struct Endpoint {
    port: u16,
    sentinel: bool,
    /// Its collectors report it not answering (or not yet connected).
    in_trouble: bool,
}

/// The endpoints being watched, shared between the router (which adds and retires them) and
/// the watcher task.
#[derive(Clone, Default)]
pub struct Watched(Arc<Mutex<BTreeMap<Addr, Endpoint>>>);

impl Watched {
    /// Watches the process listening on local `port` for `announced`, until the guard drops.
    pub fn add(&self, announced: &Addr, port: u16, sentinel: bool) -> WatchGuard {
        let endpoint = Endpoint {
            port,
            sentinel,
            in_trouble: true,
        };
        self.lock().insert(announced.clone(), endpoint);
        WatchGuard {
            watched: self.clone(),
            addr: announced.clone(),
        }
    }

    /// The collectors' word on `addr`: answering or not.
    pub fn set_answering(&self, addr: &Addr, answering: bool) {
        if let Some(e) = self.lock().get_mut(addr) {
            e.in_trouble = !answering;
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
    process: Option<procfs::LocalProcess>,
    looked_up: Instant,
    paused: bool,
    /// When stopped/running was last read (None: not since the process was found).
    state_read: Option<Instant>,
    sent: Option<ProcessInfo>,
}

impl Known {
    fn new() -> Known {
        Known {
            process: None,
            looked_up: Instant::now(),
            paused: false,
            state_read: None,
            sent: None,
        }
    }

    /// Reads stopped/running; false when the process is gone (it is forgotten then).
    fn read_state(&mut self) -> bool {
        let Some(p) = &self.process else {
            return true;
        };
        self.state_read = Some(Instant::now());
        match procfs::stopped(p.pid) {
            Some(stopped) => {
                self.paused = stopped;
                true
            }
            None => {
                self.process = None;
                false
            }
        }
    }

    fn info(&self) -> Option<ProcessInfo> {
        self.process.as_ref().map(|p| ProcessInfo {
            pid: p.pid,
            name: p.name.clone(),
            paused: self.paused,
        })
    }
}

/// The local processes behind `endpoints` (announced address, port, is a sentinel) as they are
/// now, in one pass over /proc: what a one-off snapshot (`status`) reports.
/// Only Redis-compatible servers (and `server_names`) are looked for (see
/// `procfs::find_listeners_named`).
pub fn processes_now(
    endpoints: &[(Addr, u16, bool)],
    server_names: &[String],
    at: sentui_model::Millis,
) -> Vec<Update> {
    let ports: BTreeSet<u16> = endpoints.iter().map(|(_, port, _)| *port).collect();
    let is_server = |name: &str| procfs::is_server_name(name, server_names);
    let found = procfs::find_listeners_named(&ports, is_server).unwrap_or_default();
    endpoints
        .iter()
        .map(|(addr, port, sentinel)| Update::Process {
            addr: addr.clone(),
            at,
            sentinel: *sentinel,
            process: found.get(port).cloned().flatten().map(|p| ProcessInfo {
                paused: procfs::stopped(p.pid).unwrap_or(false),
                pid: p.pid,
                name: p.name,
            }),
        })
        .collect()
}

/// Which known processes get their state read this tick: those in trouble or paused, then the
/// healthy ones least recently read, up to the per-tick budget.
fn states_due(endpoints: &BTreeMap<Addr, Endpoint>, known: &BTreeMap<Addr, Known>) -> Vec<Addr> {
    let mut urgent = Vec::new();
    let mut healthy = Vec::new();
    for (addr, k) in known.iter().filter(|(_, k)| k.process.is_some()) {
        if k.paused || endpoints.get(addr).is_some_and(|e| e.in_trouble) {
            urgent.push(addr.clone());
        } else {
            healthy.push((k.state_read, addr.clone()));
        }
    }
    healthy.sort();
    urgent.extend(
        healthy
            .into_iter()
            .take(HEALTHY_READS_PER_TICK)
            .map(|(_, a)| a),
    );
    urgent
}

pub async fn process_task(watched: Watched, tx: Sender<Update>) {
    let mut known: BTreeMap<Addr, Known> = BTreeMap::new();
    let mut last_refresh = Instant::now();
    loop {
        let endpoints = watched.snapshot();
        known.retain(|a, _| endpoints.contains_key(a));
        let mut gone = BTreeSet::new();
        for addr in states_due(&endpoints, &known) {
            if let Some(k) = known.get_mut(&addr)
                && !k.read_state()
            {
                gone.insert(addr);
            }
        }
        let refresh_all = last_refresh.elapsed() >= REFRESH;
        if refresh_all {
            last_refresh = Instant::now();
        }
        let due: BTreeSet<u16> = endpoints
            .iter()
            .filter(|(a, _)| {
                refresh_all
                    || gone.contains(*a)
                    || known.get(*a).is_none_or(|k| {
                        k.process.is_none() && k.looked_up.elapsed() >= RETRY_MISSING
                    })
            })
            .map(|(_, e)| e.port)
            .collect();
        if !due.is_empty() {
            look_up(&endpoints, &mut known, due).await;
        }
        if !report(&endpoints, &mut known, &tx).await {
            return;
        }
        tokio::time::sleep(TICK).await;
    }
}

/// Finds the processes listening on the `due` ports (one pass over /proc) and reads the state
/// of those that changed.
async fn look_up(
    endpoints: &BTreeMap<Addr, Endpoint>,
    known: &mut BTreeMap<Addr, Known>,
    due: BTreeSet<u16>,
) {
    let ports = due.clone();
    let found = tokio::task::spawn_blocking(move || procfs::find_listeners(&ports))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    for (addr, e) in endpoints.iter().filter(|(_, e)| due.contains(&e.port)) {
        let k = known.entry(addr.clone()).or_insert_with(Known::new);
        let process = found.get(&e.port).cloned().flatten();
        if process.as_ref().map(|p| p.pid) != k.process.as_ref().map(|p| p.pid) {
            k.process = process;
            k.read_state();
        }
        k.looked_up = Instant::now();
    }
}

/// Sends what changed behind each endpoint; false when nobody listens any more.
async fn report(
    endpoints: &BTreeMap<Addr, Endpoint>,
    known: &mut BTreeMap<Addr, Known>,
    tx: &Sender<Update>,
) -> bool {
    for (addr, e) in endpoints {
        let Some(k) = known.get_mut(addr) else {
            continue;
        };
        let now = k.info();
        if now != k.sent {
            k.sent = now.clone();
            let update = Update::Process {
                addr: addr.clone(),
                at: now_ms(),
                sentinel: e.sentinel,
                process: now,
            };
            if tx.send(update).await.is_err() {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched(n: u16) -> (BTreeMap<Addr, Endpoint>, BTreeMap<Addr, Known>) {
        let mut endpoints = BTreeMap::new();
        let mut known = BTreeMap::new();
        for port in 1..=n {
            let addr = Addr::new("127.0.0.1", port);
            let endpoint = Endpoint {
                port,
                sentinel: false,
                in_trouble: false,
            };
            endpoints.insert(addr.clone(), endpoint);
            let mut k = Known::new();
            k.process = Some(procfs::LocalProcess {
                pid: i32::from(port),
                name: "redis-server".into(),
            });
            known.insert(addr, k);
        }
        (endpoints, known)
    }

    #[test]
    fn a_few_endpoints_are_all_read_every_tick() {
        let (endpoints, known) = watched(30);
        assert_eq!(states_due(&endpoints, &known).len(), 30);
    }

    #[test]
    fn past_the_budget_trouble_first_then_the_healthy_in_turn() {
        let (mut endpoints, mut known) = watched(200);
        let troubled = Addr::new("127.0.0.1", 150);
        let paused = Addr::new("127.0.0.1", 199);
        endpoints.get_mut(&troubled).unwrap().in_trouble = true;
        known.get_mut(&paused).unwrap().paused = true;
        let mut read_healthy = BTreeSet::new();
        for tick in 0..4 {
            let due = states_due(&endpoints, &known);
            assert_eq!(due.len(), 2 + HEALTHY_READS_PER_TICK, "tick {tick}");
            assert!(
                due.contains(&troubled) && due.contains(&paused),
                "tick {tick}"
            );
            for a in &due {
                // What read_state records, without touching /proc.
                known.get_mut(a).unwrap().state_read =
                    Some(Instant::now() + Duration::from_millis(tick));
            }
            read_healthy.extend(due.into_iter().filter(|a| *a != troubled && *a != paused));
        }
        assert_eq!(
            read_healthy.len(),
            198,
            "every healthy endpoint within 4 ticks"
        );
        // Endpoints with no process found have no state to read.
        known.values_mut().for_each(|k| k.process = None);
        assert!(states_due(&endpoints, &known).is_empty());
    }
}
