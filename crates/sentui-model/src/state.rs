//! The deployment as sentui knows it: every sentinel's own view, every node's own report, the
//! merged log, the votes and the failover stopwatches. Collectors feed it [`Update`]s; it never
//! does I/O and never reads the clock (every update carries its time).

use super::Millis;
use super::addr::Addr;
use super::event::{EventDetail, SentinelEvent};
use super::flags::Flag;
use super::info::{ReplicationInfo, Role, ServerInfo, ServerVersion};
use super::log::{EventLog, LogEntry, OwnEvent, Source};
use super::probe::{ProbeEvent, ProbeStats};
use super::reply::{Ckquorum, MasterRecord, PeerRecord, ReplicaRecord};
use super::stopwatch::{Failover, Outcome, Stopwatch};
use super::votes::VoteBook;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// How an endpoint answers sentui.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum Reach {
    Connecting,
    Ok,
    /// Accepted the connection or the command but has not answered since `since`
    /// (a paused container or a SIGSTOPped process).
    Unresponsive {
        since: Millis,
    },
    Refused(String),
    AuthFailed(String),
    Failed(String),
    /// No sentinel reports it any more.
    Vanished,
}

/// How an endpoint answers, without the details: what views, tables and JSON show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReachState {
    Connecting,
    Ok,
    Unresponsive,
    Refused,
    AuthFailed,
    Failed,
    Vanished,
}

impl ReachState {
    /// The word tables and JSON use: ok, unresponsive, refused, auth-failed, failed, ...
    pub fn word(self) -> &'static str {
        match self {
            ReachState::Connecting => "connecting",
            ReachState::Ok => "ok",
            ReachState::Unresponsive => "unresponsive",
            ReachState::Refused => "refused",
            ReachState::AuthFailed => "auth-failed",
            ReachState::Failed => "failed",
            ReachState::Vanished => "vanished",
        }
    }

    pub fn is_ok(self) -> bool {
        self == ReachState::Ok
    }
}

impl std::fmt::Display for ReachState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

impl Reach {
    pub fn is_ok(&self) -> bool {
        matches!(self, Reach::Ok)
    }

    pub fn state(&self) -> ReachState {
        match self {
            Reach::Connecting => ReachState::Connecting,
            Reach::Ok => ReachState::Ok,
            Reach::Unresponsive { .. } => ReachState::Unresponsive,
            Reach::Refused(_) => ReachState::Refused,
            Reach::AuthFailed(_) => ReachState::AuthFailed,
            Reach::Failed(_) => ReachState::Failed,
            Reach::Vanished => ReachState::Vanished,
        }
    }

    /// A short word for tables: ok, unresponsive, refused, auth-failed, failed, ...
    pub fn word(&self) -> &'static str {
        self.state().word()
    }

    /// Why it cannot be used, when the state carries a reason (refused, auth-failed, failed).
    pub fn reason(&self) -> Option<&str> {
        match self {
            Reach::Refused(m) | Reach::AuthFailed(m) | Reach::Failed(m) => Some(m),
            _ => None,
        }
    }

    pub fn describe(&self, now: Millis) -> String {
        match self {
            Reach::Unresponsive { since } => {
                format!("unresponsive for {} ms", now.saturating_sub(*since))
            }
            Reach::Refused(m) | Reach::AuthFailed(m) | Reach::Failed(m) => {
                format!("{}: {m}", self.word())
            }
            other => other.word().to_string(),
        }
    }
}

/// One master group as one sentinel reported it in its last poll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPoll {
    pub master: MasterRecord,
    pub replicas: Vec<ReplicaRecord>,
    pub peers: Vec<PeerRecord>,
    pub ckquorum: Option<Ckquorum>,
    /// The details (replicas, peers, CKQUORUM) were not fetched this round, to stay within the
    /// load budget: they are empty here, and the ones fetched last still hold. Not repeating
    /// them (or cloning them on every poll) halved a 100-group sentinel poll: 99 KB to 43 KB
    /// in a recording.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
}

impl GroupPoll {
    /// The master record alone, its details not fetched (see `carried`).
    pub fn carried(master: MasterRecord) -> Self {
        GroupPoll {
            master,
            replicas: Vec::new(),
            peers: Vec::new(),
            ckquorum: None,
            carried: true,
        }
    }

    /// This poll's group with the details it carries over taken from `then`, its last fetch.
    fn with_details_of(self, then: GroupPoll) -> Self {
        if !self.carried {
            return self;
        }
        GroupPoll {
            master: self.master,
            ..then
        }
    }
}

/// Everything one poll of one sentinel returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelPoll {
    /// The process's run id (INFO), new on every start.
    pub run_id: Option<String>,
    /// The Sentinel ID (`SENTINEL MYID`, Redis 6.2+): the one votes and peers use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub myid: Option<String>,
    /// Its server and version (INFO server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerVersion>,
    pub tilt: Option<bool>,
    pub groups: Vec<GroupPoll>,
    /// Entries of the replies that did not parse (kept, shown, never fatal).
    pub errors: Vec<String>,
}

impl SentinelPoll {
    pub fn with_server_info(mut self, s: ServerInfo) -> Self {
        self.run_id = s.run_id.or(self.run_id);
        self.server = s.server.or(self.server);
        self.tilt = s.tilt.or(self.tilt);
        self
    }
}

/// What collectors send. Owned and timestamped; applying them in order rebuilds the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Update {
    SentinelPolled {
        sentinel: Addr,
        at: Millis,
        rtt_ms: u64,
        poll: SentinelPoll,
    },
    SentinelReach {
        sentinel: Addr,
        at: Millis,
        reach: Reach,
    },
    PubSub {
        sentinel: Addr,
        at: Millis,
        up: bool,
        detail: String,
    },
    SentinelEvent {
        sentinel: Addr,
        at: Millis,
        event: String,
        payload: String,
    },
    NodeInfo {
        addr: Addr,
        at: Millis,
        rtt_ms: u64,
        info: ReplicationInfo,
    },
    NodeReach {
        addr: Addr,
        at: Millis,
        reach: Reach,
    },
    Vanished {
        addr: Addr,
        at: Millis,
    },
    /// The local process behind an endpoint (None: no process of this machine listens there).
    Process {
        addr: Addr,
        at: Millis,
        sentinel: bool,
        process: Option<ProcessInfo>,
    },
    /// The container behind an endpoint and its state.
    Container {
        addr: Addr,
        at: Millis,
        sentinel: bool,
        container: ContainerInfo,
    },
    /// An entry sentui or Docker adds to the log directly (a fault injected, a container event).
    Note {
        entry: LogEntry,
    },
    /// What the write probe saw (collect/probe.rs).
    Probe {
        at: Millis,
        event: ProbeEvent,
    },
}

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

#[derive(Clone, Debug)]
pub struct SentinelState {
    pub addr: Addr,
    pub reach: Reach,
    pub reach_since: Millis,
    pub pubsub_up: bool,
    pub run_id: Option<String>,
    /// Its Sentinel ID, when it told us (`SENTINEL MYID`).
    pub myid: Option<String>,
    pub server: Option<ServerVersion>,
    pub tilt: bool,
    pub rtt_ms: Option<u64>,
    pub polled_at: Option<Millis>,
    pub groups: BTreeMap<String, GroupPoll>,
    pub errors: Vec<String>,
    pub process: Option<ProcessInfo>,
    pub container: Option<ContainerInfo>,
}

const LAG_HISTORY: usize = 120;
/// Vanished endpoints kept (shown as vanished); past this the longest gone are forgotten, so a
/// long session over a deployment whose addresses churn does not grow without bound.
pub const KEEP_VANISHED: usize = 256;

fn forget_oldest_vanished<T>(map: &mut BTreeMap<Addr, T>, state: impl Fn(&T) -> (&Reach, Millis)) {
    let mut gone: Vec<(Millis, Addr)> = map
        .iter()
        .filter(|(_, v)| *state(v).0 == Reach::Vanished)
        .map(|(a, v)| (state(v).1, a.clone()))
        .collect();
    if gone.len() <= KEEP_VANISHED {
        return;
    }
    gone.sort();
    let excess = gone.len() - KEEP_VANISHED;
    for (_, a) in gone.into_iter().take(excess) {
        map.remove(&a);
    }
}

#[derive(Clone, Debug)]
pub struct NodeState {
    pub addr: Addr,
    pub reach: Reach,
    pub reach_since: Millis,
    pub info: Option<ReplicationInfo>,
    pub info_at: Option<Millis>,
    pub rtt_ms: Option<u64>,
    /// Replication lag in bytes behind the master, newest last (bounded).
    pub lag_history: VecDeque<u64>,
    pub process: Option<ProcessInfo>,
    pub container: Option<ContainerInfo>,
}

#[derive(Clone, Debug, Default)]
pub struct Deployment {
    pub sentinels: BTreeMap<Addr, SentinelState>,
    pub nodes: BTreeMap<Addr, NodeState>,
    pub log: EventLog,
    pub votes: VoteBook,
    pub stopwatches: BTreeMap<String, Stopwatch>,
    /// The write probe's figures, once one ran.
    pub probe: Option<ProbeStats>,
    /// Since when the Docker engine has been unreachable: the container states shown are the
    /// last it reported, not the truth now.
    pub docker_unreachable_since: Option<Millis>,
    /// Each sentinel's current epoch, from its `+new-epoch` and `+vote-for-leader`: the epoch
    /// of the attempt its leader-only events belong to.
    pub sentinel_epochs: BTreeMap<Addr, u64>,
}

/// Sentinel's default failover-timeout (3 minutes).
pub const DEFAULT_FAILOVER_TIMEOUT_MS: Millis = 180_000;

impl Deployment {
    pub fn with_log_capacity(capacity: usize) -> Self {
        Deployment {
            log: EventLog::with_capacity(capacity),
            ..Default::default()
        }
    }

    fn sentinel_mut(&mut self, addr: &Addr, at: Millis) -> &mut SentinelState {
        self.sentinels
            .entry(addr.clone())
            .or_insert_with(|| SentinelState {
                addr: addr.clone(),
                reach: Reach::Connecting,
                reach_since: at,
                pubsub_up: false,
                run_id: None,
                myid: None,
                server: None,
                tilt: false,
                rtt_ms: None,
                polled_at: None,
                groups: BTreeMap::new(),
                errors: Vec::new(),
                process: None,
                container: None,
            })
    }

    fn node_mut(&mut self, addr: &Addr, at: Millis) -> &mut NodeState {
        self.nodes.entry(addr.clone()).or_insert_with(|| NodeState {
            addr: addr.clone(),
            reach: Reach::Connecting,
            reach_since: at,
            info: None,
            info_at: None,
            rtt_ms: None,
            lag_history: VecDeque::new(),
            process: None,
            container: None,
        })
    }

    /// Declares an endpoint before anything is heard from it (so it shows as connecting).
    pub fn expect_sentinel(&mut self, addr: &Addr, at: Millis) {
        self.sentinel_mut(addr, at);
    }

    /// Applies one update (what [`Deployment::step`] does with an update input; `status`
    /// applies a snapshot's updates this way).
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::SentinelPolled {
                sentinel,
                at,
                rtt_ms,
                poll,
            } => {
                self.set_sentinel_reach(&sentinel, at, Reach::Ok);
                let s = self.sentinel_mut(&sentinel, at);
                s.rtt_ms = Some(rtt_ms);
                s.polled_at = Some(at);
                s.run_id = poll.run_id.or(s.run_id.take());
                s.myid = poll.myid.or(s.myid.take());
                s.server = poll.server.or(s.server.take());
                let was_tilt = s.tilt;
                s.tilt = poll.tilt.unwrap_or(s.tilt);
                s.errors = poll.errors;
                let mut before = std::mem::take(&mut s.groups);
                s.groups = poll
                    .groups
                    .into_iter()
                    .map(|g| {
                        let g = match before.remove(&g.master.name) {
                            Some(then) => g.with_details_of(then),
                            None => g,
                        };
                        (g.master.name.clone(), g)
                    })
                    .collect();
                if s.tilt != was_tilt {
                    let event = if s.tilt {
                        OwnEvent::SentinelTilt
                    } else {
                        OwnEvent::SentinelTiltExit
                    };
                    self.note(at, event, "reported by INFO sentinel", Some(sentinel));
                }
            }
            Update::SentinelReach {
                sentinel,
                at,
                reach,
            } => self.set_sentinel_reach(&sentinel, at, reach),
            Update::PubSub {
                sentinel,
                at,
                up,
                detail,
            } => {
                let s = self.sentinel_mut(&sentinel, at);
                let was = s.pubsub_up;
                s.pubsub_up = up;
                if was != up {
                    let event = if up {
                        OwnEvent::EventsLinkUp
                    } else {
                        OwnEvent::EventsLinkDown
                    };
                    self.note(at, event, &detail, Some(sentinel));
                }
            }
            Update::SentinelEvent {
                sentinel,
                at,
                event,
                payload,
            } => self.sentinel_event(sentinel, at, &event, &payload),
            Update::NodeInfo {
                addr,
                at,
                rtt_ms,
                info,
            } => self.node_info(addr, at, rtt_ms, info),
            Update::NodeReach { addr, at, reach } => self.set_node_reach(&addr, at, reach),
            Update::Vanished { addr, at } => {
                if self.sentinels.contains_key(&addr) {
                    self.set_sentinel_reach(&addr, at, Reach::Vanished);
                    forget_oldest_vanished(&mut self.sentinels, |s| (&s.reach, s.reach_since));
                }
                if self.nodes.contains_key(&addr) {
                    self.set_node_reach(&addr, at, Reach::Vanished);
                    forget_oldest_vanished(&mut self.nodes, |n| (&n.reach, n.reach_since));
                }
            }
            Update::Note { entry } => {
                match entry.own_event() {
                    Some(OwnEvent::DockerEngineUnreachable) => {
                        self.docker_unreachable_since.get_or_insert(entry.ts);
                    }
                    Some(OwnEvent::DockerEngineReachable) => self.docker_unreachable_since = None,
                    _ => {}
                }
                self.push(entry)
            }
            Update::Container {
                addr,
                at,
                sentinel,
                container,
            } => {
                if sentinel {
                    self.sentinel_mut(&addr, at).container = Some(container);
                } else {
                    self.node_mut(&addr, at).container = Some(container);
                }
            }
            Update::Process {
                addr,
                at,
                sentinel,
                process,
            } => {
                if sentinel {
                    self.sentinel_mut(&addr, at).process = process;
                } else {
                    self.node_mut(&addr, at).process = process;
                }
            }
            Update::Probe { at, event } => {
                let stats = self.probe.get_or_insert_with(ProbeStats::default);
                if let Some((event, payload)) = stats.apply(at, &event) {
                    let group = Some(stats.group.clone()).filter(|g| !g.is_empty());
                    let mut e = LogEntry::own(at, event, &payload).in_group(group);
                    e.addr = stats.master.clone();
                    self.push(e);
                }
            }
        }
    }

    fn sentinel_event(&mut self, sentinel: Addr, at: Millis, event: &str, payload: &str) {
        let entry =
            LogEntry::new(at, Source::Sentinel, event, payload).from_sentinel(sentinel.clone());
        match &entry.detail {
            EventDetail::NewEpoch { epoch } => {
                self.saw_epoch(&sentinel, *epoch);
                self.votes.new_epoch(*epoch, at)
            }
            EventDetail::VoteForLeader { run_id, epoch } => {
                self.saw_epoch(&sentinel, *epoch);
                self.votes.vote(sentinel.clone(), run_id, *epoch, at)
            }
            EventDetail::SwitchMaster { group, new, .. } => {
                // Apply at once: the next poll would say the same, a second later.
                let epoch = self.votes.latest().map(|e| e.epoch).unwrap_or(0);
                if let Some(g) = self.sentinel_mut(&sentinel, at).groups.get_mut(group) {
                    g.master.addr = new.clone();
                    g.master.config_epoch = g.master.config_epoch.max(epoch);
                    g.master.flags.remove(Flag::SDown);
                    g.master.flags.remove(Flag::ODown);
                }
            }
            EventDetail::Tilt { entered } => self.sentinel_mut(&sentinel, at).tilt = *entered,
            _ => {}
        }
        match entry.sentinel_event() {
            Some(SentinelEvent::TryFailover) => {
                if let Some(g) = entry.detail.group() {
                    self.votes.failover_step(g, None, at)
                }
            }
            Some(SentinelEvent::ElectedLeader) => {
                if let Some(g) = entry.detail.group() {
                    self.votes.failover_step(g, Some(sentinel), at)
                }
            }
            _ => {}
        }
        self.push(entry);
    }

    fn saw_epoch(&mut self, sentinel: &Addr, epoch: u64) {
        let e = self.sentinel_epochs.entry(sentinel.clone()).or_default();
        *e = (*e).max(epoch);
    }

    fn node_info(&mut self, addr: Addr, at: Millis, rtt_ms: u64, info: ReplicationInfo) {
        self.set_node_reach(&addr, at, Reach::Ok);
        let master_offset = info
            .master
            .as_ref()
            .and_then(|m| self.nodes.get(m))
            .and_then(|m| m.info.as_ref())
            .filter(|i| i.role == Role::Master)
            .map(|i| i.offset);
        let node = self.node_mut(&addr, at);
        let previous = node.info.replace(info.clone());
        node.info_at = Some(at);
        node.rtt_ms = Some(rtt_ms);
        if let Some(mo) = master_offset.filter(|_| info.role == Role::Replica) {
            if node.lag_history.len() == LAG_HISTORY {
                node.lag_history.pop_front();
            }
            node.lag_history
                .push_back(mo.saturating_sub(info.offset).max(0) as u64);
        }
        let Some(prev) = previous else { return };
        if prev.role != info.role || prev.master != info.master {
            let describe = |i: &ReplicationInfo| match (i.role, &i.master) {
                (Role::Master, _) => "master".to_string(),
                (Role::Replica, Some(m)) => format!("replica of {m}"),
                (Role::Replica, None) => "replica".to_string(),
            };
            let payload = format!("{} -> {}", describe(&prev), describe(&info));
            self.note(at, OwnEvent::RoleChange, &payload, Some(addr.clone()));
        }
        if info.role == Role::Replica
            && prev.link_up != info.link_up
            && let Some(up) = info.link_up
        {
            let event = if up {
                OwnEvent::LinkUp
            } else {
                OwnEvent::LinkDown
            };
            let to = info
                .master
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            self.note(at, event, &format!("replication link to {to}"), Some(addr));
        }
    }

    fn set_node_reach(&mut self, addr: &Addr, at: Millis, reach: Reach) {
        let node = self.node_mut(addr, at);
        let Some(said) = transition(Endpoint::Node, &node.reach, &reach, at) else {
            refresh_detail(&mut node.reach, reach);
            return;
        };
        node.reach = reach;
        node.reach_since = at;
        if let Some((event, payload)) = said {
            self.note(at, event, &payload, Some(addr.clone()));
        }
    }

    fn set_sentinel_reach(&mut self, addr: &Addr, at: Millis, reach: Reach) {
        let s = self.sentinel_mut(addr, at);
        let Some(said) = transition(Endpoint::Sentinel, &s.reach, &reach, at) else {
            refresh_detail(&mut s.reach, reach);
            return;
        };
        s.reach = reach;
        s.reach_since = at;
        if let Some((event, payload)) = said {
            self.note(at, event, &payload, Some(addr.clone()));
        }
    }

    /// Adds one of sentui's own observations to the log.
    pub fn note(&mut self, at: Millis, event: OwnEvent, payload: &str, addr: Option<Addr>) {
        let mut e = LogEntry::own(at, event, payload);
        e.addr = addr;
        self.push(e);
    }

    /// Pushes an entry into the log and lets the stopwatch of its group see it.
    pub(crate) fn push(&mut self, mut entry: LogEntry) {
        if entry.group.is_none() {
            entry.group = entry.addr.as_ref().and_then(|a| self.group_of(a));
        }
        let group = entry.group.clone();
        let master = group.as_deref().and_then(|g| self.master_of(g));
        let sentinel_epoch = entry
            .sentinel
            .as_ref()
            .and_then(|s| self.sentinel_epochs.get(s).copied());
        let finished = match &group {
            Some(g) => self.stopwatches.entry(g.clone()).or_default().observe(
                g,
                master.as_ref(),
                &entry,
                sentinel_epoch,
            ),
            None => Vec::new(),
        };
        let at = entry.ts;
        self.log.push(entry);
        for f in finished {
            self.push_failover_summary(f, at);
        }
    }

    /// Time passed: attempts whose sentinels went silent for twice the failover-timeout are
    /// closed as abandoned.
    pub fn advance(&mut self, now: Millis) {
        let open: Vec<String> = self
            .stopwatches
            .iter()
            .filter(|(_, s)| s.current.as_ref().is_some_and(|a| a.tried()))
            .map(|(g, _)| g.clone())
            .collect();
        for g in open {
            let timeout = self.failover_timeout_ms(&g);
            let finished = match self.stopwatches.get_mut(&g) {
                Some(s) => s.tick(now, timeout),
                None => Vec::new(),
            };
            for f in finished {
                self.push_failover_summary(f, now);
            }
        }
    }

    /// The group's failover-timeout as its sentinels report it (Sentinel's default when none
    /// says).
    pub fn failover_timeout_ms(&self, group: &str) -> Millis {
        self.sentinels
            .values()
            .filter_map(|s| s.groups.get(group))
            .filter_map(|g| g.master.failover_timeout_ms)
            .max()
            .unwrap_or(DEFAULT_FAILOVER_TIMEOUT_MS)
    }

    fn push_failover_summary(&mut self, f: Failover, at: Millis) {
        let event = match &f.outcome {
            Some(Outcome::Completed) => OwnEvent::FailoverComplete,
            Some(Outcome::Recovered) => OwnEvent::MasterRecovered,
            _ => OwnEvent::FailoverAborted,
        };
        let mut payload = format!("{}: {}", f.group, f.summary());
        if let Some(epoch) = f.epoch {
            payload.push_str(&format!(" (epoch {epoch})"));
        }
        if let Some(Outcome::Aborted(reason)) = &f.outcome {
            payload.push_str(&format!(" (aborted: {reason})"));
        }
        let mut e = LogEntry::own(at, event, &payload).in_group(Some(f.group.clone()));
        e.failover = Some(Box::new(f));
        self.log.push(e);
    }

    /// The group a node or sentinel belongs to, as the sentinels report it.
    pub fn group_of(&self, addr: &Addr) -> Option<String> {
        self.sentinels
            .values()
            .flat_map(|s| s.groups.values())
            .find_map(|g| {
                let member = g.master.addr == *addr
                    || g.replicas.iter().any(|r| r.addr == *addr)
                    || g.peers.iter().any(|p| p.addr == *addr);
                member.then(|| g.master.name.clone())
            })
    }

    /// The group's master: what the sentinels holding the newest config epoch report (ties go
    /// to the address most of them name).
    pub fn master_of(&self, group: &str) -> Option<Addr> {
        let views: Vec<&MasterRecord> = self
            .sentinels
            .values()
            .filter(|s| s.reach != Reach::Vanished)
            .filter_map(|s| s.groups.get(group))
            .map(|g| &g.master)
            .collect();
        let newest = views.iter().map(|m| m.config_epoch).max()?;
        let mut counts: BTreeMap<&Addr, usize> = BTreeMap::new();
        for m in views.iter().filter(|m| m.config_epoch == newest) {
            *counts.entry(&m.addr).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(a, _)| a.clone())
    }

    /// Every master group any sentinel reports, sorted by name.
    pub fn group_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .sentinels
            .values()
            .flat_map(|s| s.groups.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Sentinel and node addresses the sentinels report (what collectors should connect to).
    pub fn reported_endpoints(&self) -> (Vec<Addr>, Vec<Addr>) {
        let mut sentinels = Vec::new();
        let mut nodes = Vec::new();
        for g in self.sentinels.values().flat_map(|s| s.groups.values()) {
            nodes.push(g.master.addr.clone());
            nodes.extend(g.replicas.iter().map(|r| r.addr.clone()));
            sentinels.extend(g.peers.iter().map(|p| p.addr.clone()));
        }
        for v in [&mut sentinels, &mut nodes] {
            v.sort();
            v.dedup();
        }
        (sentinels, nodes)
    }
}

/// Same state again: keep the first `since` of an unresponsive spell, take the newest error text.
fn refresh_detail(current: &mut Reach, new: Reach) {
    if !matches!(current, Reach::Unresponsive { .. }) {
        *current = new;
    }
}

#[derive(Clone, Copy)]
enum Endpoint {
    Node,
    Sentinel,
}

impl Endpoint {
    /// The event for a node or a sentinel becoming `state`.
    fn event(self, state: ReachState) -> OwnEvent {
        use OwnEvent::*;
        match (self, state) {
            (Endpoint::Node, ReachState::Ok) => NodeUp,
            (Endpoint::Node, ReachState::Unresponsive) => NodeUnresponsive,
            (Endpoint::Node, ReachState::Vanished) => NodeVanished,
            (Endpoint::Node, _) => NodeDown,
            (Endpoint::Sentinel, ReachState::Ok) => SentinelUp,
            (Endpoint::Sentinel, ReachState::Unresponsive) => SentinelUnresponsive,
            (Endpoint::Sentinel, ReachState::Vanished) => SentinelVanished,
            (Endpoint::Sentinel, _) => SentinelDown,
        }
    }
}

/// What to log for a reachability change: None when nothing changed, Some(None) when it
/// changed without being worth a log line (the first successful contact).
fn transition(
    kind: Endpoint,
    old: &Reach,
    new: &Reach,
    at: Millis,
) -> Option<Option<(OwnEvent, String)>> {
    use Reach::*;
    if std::mem::discriminant(old) == std::mem::discriminant(new) {
        return None;
    }
    Some(match (old, new) {
        (Connecting, Ok) | (_, Connecting) => None,
        (Unresponsive { since }, Ok) => {
            let back = match kind {
                Endpoint::Node => OwnEvent::NodeResponsive,
                Endpoint::Sentinel => OwnEvent::SentinelResponsive,
            };
            let payload = format!("answered again after {} ms", at.saturating_sub(*since));
            Some((back, payload))
        }
        (_, Ok) => Some((kind.event(ReachState::Ok), "reachable again".into())),
        (_, Unresponsive { since }) => Some((
            kind.event(ReachState::Unresponsive),
            format!("no reply for {} ms", at.saturating_sub(*since)),
        )),
        (_, Vanished) => Some((
            kind.event(ReachState::Vanished),
            "no sentinel reports it any more".into(),
        )),
        (_, r) => Some((kind.event(r.state()), r.describe(at))),
    })
}
