//! Collectors: tokio tasks that own all network I/O and send timestamped [`Update`]s on one
//! channel. A router in front of that channel discovers new sentinels and nodes from the
//! sentinels' replies, starts collectors for them, and retires the ones no sentinel reports.

pub mod alias;
pub mod docker;
pub mod local;
pub mod node;
pub mod reply;
pub mod rights;
pub mod sentinel;
pub mod snapshot;

use crate::link::{LinkSettings, now_ms};
use node::ProbeSettings;
use sentui_model::input::Input;
use sentui_model::state::SentinelPoll;
use sentui_model::{Addr, Update};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
pub struct CollectSettings {
    pub link: LinkSettings,
    /// The compose project to watch through the Docker API, when there is one.
    pub docker: Option<crate::docker::DockerScope>,
    pub probe: ProbeSettings,
    pub poll_every: Duration,
    /// Group-detail commands per poll round of one sentinel (see [`budget`]).
    pub poll_budget: u32,
    /// An endpoint no sentinel has reported for this long is marked vanished.
    pub vanish_after: Duration,
}

impl Default for CollectSettings {
    fn default() -> Self {
        CollectSettings {
            link: LinkSettings::default(),
            docker: None,
            probe: ProbeSettings::default(),
            poll_every: Duration::from_millis(1000),
            poll_budget: sentui_model::budget::DEFAULT_POLL_BUDGET,
            vanish_after: Duration::from_secs(10),
        }
    }
}

/// Channel depth of an input stream: enough for event storms, still bounded.
pub const CHANNEL: usize = 4096;

/// Starts collectors for the seed sentinels (and everything they lead to). What they see
/// arrives on `out` as update inputs, stamped with their receive time; the task ends (and
/// every collector with it) when `out` is closed.
pub fn start(
    settings: CollectSettings,
    seeds: Vec<Addr>,
    out: mpsc::Sender<Input>,
) -> JoinHandle<()> {
    tokio::spawn(route(settings, seeds, out))
}

/// Tasks aborted together when dropped.
#[derive(Default)]
pub(crate) struct Tasks {
    pub(crate) handles: Vec<JoinHandle<()>>,
    /// The endpoint's local process stays watched while its collectors run.
    pub(crate) _process_watch: Option<local::WatchGuard>,
}

impl Tasks {
    pub(crate) fn of(handles: Vec<JoinHandle<()>>) -> Tasks {
        Tasks {
            handles,
            _process_watch: None,
        }
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        for h in &self.handles {
            h.abort();
        }
    }
}

async fn route(settings: CollectSettings, seeds: Vec<Addr>, out: mpsc::Sender<Input>) {
    let (tx, mut rx) = mpsc::channel::<Update>(CHANNEL);
    let seeds: BTreeSet<Addr> = seeds
        .into_iter()
        .map(|s| settings.link.map.announced_for(&s).unwrap_or(s))
        .collect();
    let seed_list: Vec<Addr> = seeds.iter().cloned().collect();
    let mut aliases = alias::SeedAliases::resolve(&seed_list, &settings.link).await;
    let watched = local::Watched::default();
    let _process_watcher = Tasks::of(vec![tokio::spawn(local::process_task(
        watched.clone(),
        tx.clone(),
    ))]);
    let mut r = Router {
        sentinels: seeds.clone(),
        seeds,
        settings,
        tx,
        watched,
        running: BTreeMap::new(),
        last_seen: BTreeMap::new(),
        reported: Reported::default(),
        last_poll: None,
    };
    for s in r.seeds.clone() {
        let tasks = spawn_sentinel(&r.settings, &r.watched, &s, &r.tx);
        r.running.insert(s, tasks);
    }
    let _docker = r.settings.docker.as_ref().map(|d| {
        let task = docker::watch_task(
            d.engine.clone(),
            d.project.clone(),
            r.settings.link.map.clone(),
            r.tx.clone(),
        );
        Tasks::of(vec![tokio::spawn(task)])
    });
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            update = rx.recv() => {
                let Some(mut update) = update else { return };
                aliases.note(&update);
                aliases.rewrite(&mut update);
                r.saw(&update);
                if out.send(Input::update(now_ms(), update)).await.is_err() {
                    return;
                }
            }
            _ = sweep.tick() => {
                for a in r.stale() {
                    let at = now_ms();
                    if out.send(Input::update(at, Update::Vanished { addr: a, at })).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// The router's state: the collectors running, who reported what and when.
struct Router {
    settings: CollectSettings,
    seeds: BTreeSet<Addr>,
    tx: mpsc::Sender<Update>,
    watched: local::Watched,
    running: BTreeMap<Addr, Tasks>,
    last_seen: BTreeMap<Addr, Instant>,
    reported: Reported,
    sentinels: BTreeSet<Addr>,
    /// Without a recent successful poll, silence proves nothing: vanish nothing then.
    last_poll: Option<Instant>,
}

impl Router {
    /// What an update tells the router: the process watcher reads the state of endpoints in
    /// trouble first, and a poll names the endpoints to collect from.
    fn saw(&mut self, update: &Update) {
        match update {
            Update::NodeInfo { addr, .. } => self.watched.set_answering(addr, true),
            Update::NodeReach { addr, reach, .. } => {
                self.watched.set_answering(addr, reach.is_ok())
            }
            Update::SentinelReach {
                sentinel, reach, ..
            } => self.watched.set_answering(sentinel, reach.is_ok()),
            Update::SentinelPolled { sentinel, poll, .. } => self.polled(sentinel, poll),
            _ => {}
        }
    }

    /// Starts collectors for the endpoints a poll reports that have none yet.
    fn polled(&mut self, sentinel: &Addr, poll: &SentinelPoll) {
        self.watched.set_answering(sentinel, true);
        let (found, peers) = self.reported.of(sentinel, poll);
        self.sentinels.extend(peers);
        let now = Instant::now();
        self.last_poll = Some(now);
        for a in &found {
            self.last_seen.insert(a.clone(), now);
            if !self.running.contains_key(a) {
                let tasks = if self.sentinels.contains(a) {
                    spawn_sentinel(&self.settings, &self.watched, a, &self.tx)
                } else {
                    spawn_node(&self.settings, &self.watched, a, &self.tx)
                };
                self.running.insert(a.clone(), tasks);
            }
        }
        count_nodes(&self.settings, &self.running, &self.sentinels);
    }

    /// Retires the collectors of endpoints no sentinel reported for `vanish_after` (only while
    /// some poll succeeds) and returns them.
    fn stale(&mut self) -> Vec<Addr> {
        if self
            .last_poll
            .is_none_or(|t| t.elapsed() > Duration::from_secs(3))
        {
            return Vec::new();
        }
        let vanish_after = self.settings.vanish_after;
        let stale: Vec<Addr> = self
            .running
            .keys()
            .filter(|a| !self.seeds.contains(*a))
            .filter(|a| {
                self.last_seen
                    .get(*a)
                    .is_none_or(|t| t.elapsed() > vanish_after)
            })
            .cloned()
            .collect();
        for a in &stale {
            self.running.remove(a);
            self.sentinels.remove(a);
            count_nodes(&self.settings, &self.running, &self.sentinels);
        }
        stale
    }
}

/// What each sentinel reports of each of its groups: the nodes and the peer sentinels. A group
/// whose details were not fetched this round (carried) still reports the members of its last
/// fetch, so that its replicas are not taken for vanished while it waits for its turn.
#[derive(Default)]
struct Reported {
    /// (sentinel, group) -> (nodes, peer sentinels); bounded by sentinels x groups.
    groups: BTreeMap<(Addr, String), (Vec<Addr>, Vec<Addr>)>,
}

impl Reported {
    /// Every endpoint `sentinel`'s `poll` reports, and which of them are sentinels. The
    /// sentinel itself is among them: it answered, though no sentinel lists itself as a peer
    /// (with its peers paused, nothing else would report it and it would be taken for gone).
    fn of(&mut self, sentinel: &Addr, poll: &SentinelPoll) -> (BTreeSet<Addr>, BTreeSet<Addr>) {
        let names: BTreeSet<&str> = poll.groups.iter().map(|g| g.master.name.as_str()).collect();
        self.groups
            .retain(|(s, g), _| s != sentinel || names.contains(g.as_str()));
        let (mut found, mut peers) = (BTreeSet::from([sentinel.clone()]), BTreeSet::new());
        for g in &poll.groups {
            found.insert(g.master.addr.clone());
            let key = (sentinel.clone(), g.master.name.clone());
            if !g.carried {
                let nodes = g.replicas.iter().map(|r| r.addr.clone()).collect();
                let sentinels = g.peers.iter().map(|p| p.addr.clone()).collect();
                self.groups.insert(key.clone(), (nodes, sentinels));
            }
            if let Some((nodes, sentinels)) = self.groups.get(&key) {
                found.extend(nodes.iter().cloned());
                found.extend(sentinels.iter().cloned());
                peers.extend(sentinels.iter().cloned());
            }
        }
        (found, peers)
    }
}

/// Tells the node collectors how many nodes share the probe budget.
fn count_nodes(
    settings: &CollectSettings,
    running: &BTreeMap<Addr, Tasks>,
    sentinels: &BTreeSet<Addr>,
) {
    let nodes = running.keys().filter(|a| !sentinels.contains(*a)).count();
    settings
        .probe
        .nodes
        .store(nodes, std::sync::atomic::Ordering::Relaxed);
}

/// Watches the local process behind an endpoint, when the endpoint is on this machine.
fn watch_process(
    settings: &CollectSettings,
    watched: &local::Watched,
    addr: &Addr,
    sentinel: bool,
) -> Option<local::WatchGuard> {
    // Behind a map (containers, NAT) the process on the reachable port is a proxy, not the node.
    if settings.link.map.contains(addr) {
        return None;
    }
    let reach = settings.link.map.reachable(addr);
    reach
        .is_loopback()
        .then(|| watched.add(addr, reach.port, sentinel))
}

fn spawn_sentinel(
    settings: &CollectSettings,
    watched: &local::Watched,
    addr: &Addr,
    tx: &mpsc::Sender<Update>,
) -> Tasks {
    let named = sentinel::NamedGroups::default();
    let poll = sentinel::poll_task(
        settings.link.clone(),
        addr.clone(),
        settings.poll_every,
        settings.poll_budget,
        named.clone(),
        tx.clone(),
    );
    let events = sentinel::events_task(settings.link.clone(), addr.clone(), named, tx.clone());
    Tasks {
        handles: vec![tokio::spawn(poll), tokio::spawn(events)],
        _process_watch: watch_process(settings, watched, addr, true),
    }
}

fn spawn_node(
    settings: &CollectSettings,
    watched: &local::Watched,
    addr: &Addr,
    tx: &mpsc::Sender<Update>,
) -> Tasks {
    let task = node::node_task(
        settings.link.clone(),
        settings.probe.clone(),
        addr.clone(),
        tx.clone(),
    );
    Tasks {
        handles: vec![tokio::spawn(task)],
        _process_watch: watch_process(settings, watched, addr, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentui_model::reply::{MasterRecord, PeerRecord, ReplicaRecord, rec};
    use sentui_model::state::GroupPoll;

    fn group(carried: bool) -> GroupPoll {
        let master = MasterRecord::parse(&rec(&[
            ("name", "g"),
            ("ip", "127.0.0.1"),
            ("port", "6379"),
        ]))
        .unwrap();
        if carried {
            return GroupPoll::carried(master);
        }
        let endpoint = |port: &str| rec(&[("ip", "127.0.0.1"), ("port", port)]);
        GroupPoll {
            master,
            replicas: vec![ReplicaRecord::parse(&endpoint("6380")).unwrap()],
            peers: vec![PeerRecord::parse(&endpoint("26380")).unwrap()],
            ckquorum: None,
            carried: false,
        }
    }

    fn poll(groups: Vec<GroupPoll>) -> SentinelPoll {
        SentinelPoll {
            groups,
            ..SentinelPoll::default()
        }
    }

    #[test]
    fn a_carried_group_still_reports_the_members_of_its_last_fetch() {
        let s = Addr::new("127.0.0.1", 26379);
        let a = |port| Addr::new("127.0.0.1", port);
        let mut reported = Reported::default();
        let whole = reported.of(&s, &poll(vec![group(false)]));
        assert_eq!(
            whole.0,
            BTreeSet::from([a(6379), a(6380), a(26380), s.clone()])
        );
        assert_eq!(whole.1, BTreeSet::from([a(26380)]));
        assert_eq!(reported.of(&s, &poll(vec![group(true)])), whole);
        // A group the sentinel no longer reports is forgotten; the sentinel answered.
        assert_eq!(
            reported.of(&s, &poll(vec![])).0,
            BTreeSet::from([s.clone()])
        );
        let only_master = reported.of(&s, &poll(vec![group(true)]));
        assert_eq!(only_master.0, BTreeSet::from([a(6379), s.clone()]));
    }

    /// With its peers paused, the one sentinel that answers is reported by nobody else: its
    /// own answer keeps it from being taken for vanished.
    #[test]
    fn a_sentinel_that_answers_reports_itself() {
        let s = Addr::new("127.0.0.1", 26381);
        let mut reported = Reported::default();
        let (found, peers) = reported.of(&s, &poll(vec![group(false)]));
        assert!(found.contains(&s), "{found:?}");
        assert!(!peers.contains(&s), "it is not its own peer");
    }
}
