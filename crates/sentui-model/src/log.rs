//! The merged event log: every event from every sentinel, sentui's own observations and (with
//! Docker) container events, in arrival order, each tagged with where it came from.

use super::Millis;
use super::addr::Addr;
use super::attempt::Failover;
use super::event::{EventClass, EventDetail, classify};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Where a log entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Sentinel,
    Sentui,
    Docker,
}

/// The events sentui itself puts in the log (source `sentui`, or `docker` for the Docker
/// engine's): what it observed, did and measured. Their spelling is part of the JSON output
/// (docs/status.md); Sentinel's own events stay the strings Sentinel publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OwnEvent {
    NodeUnresponsive,
    NodeResponsive,
    NodeUp,
    NodeDown,
    NodeVanished,
    SentinelUnresponsive,
    SentinelResponsive,
    SentinelUp,
    SentinelDown,
    SentinelVanished,
    SentinelTilt,
    SentinelTiltExit,
    EventsLinkUp,
    EventsLinkDown,
    RoleChange,
    LinkUp,
    LinkDown,
    Fault,
    FaultCleared,
    ManualFailover,
    FailoverComplete,
    FailoverAborted,
    MasterRecovered,
    ProbeStarted,
    ProbeMaster,
    ProbeUnavailable,
    ProbeAvailable,
    ProbeReadback,
    ProbeStopped,
    DockerEngineUnreachable,
    DockerEngineReachable,
    DockerEventsDown,
    ContainerPause,
    ContainerUnpause,
    ContainerDie,
    ContainerStart,
    ContainerStop,
    ContainerKill,
    ContainerRestart,
    ContainerOom,
    ContainerHealthy,
    ContainerUnhealthy,
    /// The container left / joined the lab's network (a partition, a heal).
    NetworkDisconnect,
    NetworkConnect,
}

impl OwnEvent {
    pub const ALL: [OwnEvent; 44] = [
        OwnEvent::NodeUnresponsive,
        OwnEvent::NodeResponsive,
        OwnEvent::NodeUp,
        OwnEvent::NodeDown,
        OwnEvent::NodeVanished,
        OwnEvent::SentinelUnresponsive,
        OwnEvent::SentinelResponsive,
        OwnEvent::SentinelUp,
        OwnEvent::SentinelDown,
        OwnEvent::SentinelVanished,
        OwnEvent::SentinelTilt,
        OwnEvent::SentinelTiltExit,
        OwnEvent::EventsLinkUp,
        OwnEvent::EventsLinkDown,
        OwnEvent::RoleChange,
        OwnEvent::LinkUp,
        OwnEvent::LinkDown,
        OwnEvent::Fault,
        OwnEvent::FaultCleared,
        OwnEvent::ManualFailover,
        OwnEvent::FailoverComplete,
        OwnEvent::FailoverAborted,
        OwnEvent::MasterRecovered,
        OwnEvent::ProbeStarted,
        OwnEvent::ProbeMaster,
        OwnEvent::ProbeUnavailable,
        OwnEvent::ProbeAvailable,
        OwnEvent::ProbeReadback,
        OwnEvent::ProbeStopped,
        OwnEvent::DockerEngineUnreachable,
        OwnEvent::DockerEngineReachable,
        OwnEvent::DockerEventsDown,
        OwnEvent::ContainerPause,
        OwnEvent::ContainerUnpause,
        OwnEvent::ContainerDie,
        OwnEvent::ContainerStart,
        OwnEvent::ContainerStop,
        OwnEvent::ContainerKill,
        OwnEvent::ContainerRestart,
        OwnEvent::ContainerOom,
        OwnEvent::ContainerHealthy,
        OwnEvent::ContainerUnhealthy,
        OwnEvent::NetworkDisconnect,
        OwnEvent::NetworkConnect,
    ];

    /// How the log (and its JSON) spells it.
    pub const fn name(self) -> &'static str {
        match self {
            OwnEvent::NodeUnresponsive => "node-unresponsive",
            OwnEvent::NodeResponsive => "node-responsive",
            OwnEvent::NodeUp => "node-up",
            OwnEvent::NodeDown => "node-down",
            OwnEvent::NodeVanished => "node-vanished",
            OwnEvent::SentinelUnresponsive => "sentinel-unresponsive",
            OwnEvent::SentinelResponsive => "sentinel-responsive",
            OwnEvent::SentinelUp => "sentinel-up",
            OwnEvent::SentinelDown => "sentinel-down",
            OwnEvent::SentinelVanished => "sentinel-vanished",
            OwnEvent::SentinelTilt => "sentinel-tilt",
            OwnEvent::SentinelTiltExit => "sentinel-tilt-exit",
            OwnEvent::EventsLinkUp => "events-link-up",
            OwnEvent::EventsLinkDown => "events-link-down",
            OwnEvent::RoleChange => "role-change",
            OwnEvent::LinkUp => "link-up",
            OwnEvent::LinkDown => "link-down",
            OwnEvent::Fault => "fault",
            OwnEvent::FaultCleared => "fault-cleared",
            OwnEvent::ManualFailover => "manual-failover",
            OwnEvent::FailoverComplete => "failover-complete",
            OwnEvent::FailoverAborted => "failover-aborted",
            OwnEvent::MasterRecovered => "master-recovered",
            OwnEvent::ProbeStarted => "probe-started",
            OwnEvent::ProbeMaster => "probe-master",
            OwnEvent::ProbeUnavailable => "probe-unavailable",
            OwnEvent::ProbeAvailable => "probe-available",
            OwnEvent::ProbeReadback => "probe-readback",
            OwnEvent::ProbeStopped => "probe-stopped",
            OwnEvent::DockerEngineUnreachable => "docker-engine-unreachable",
            OwnEvent::DockerEngineReachable => "docker-engine-reachable",
            OwnEvent::DockerEventsDown => "docker-events-down",
            OwnEvent::ContainerPause => "container-pause",
            OwnEvent::ContainerUnpause => "container-unpause",
            OwnEvent::ContainerDie => "container-die",
            OwnEvent::ContainerStart => "container-start",
            OwnEvent::ContainerStop => "container-stop",
            OwnEvent::ContainerKill => "container-kill",
            OwnEvent::ContainerRestart => "container-restart",
            OwnEvent::ContainerOom => "container-oom",
            OwnEvent::ContainerHealthy => "container-healthy",
            OwnEvent::ContainerUnhealthy => "container-unhealthy",
            OwnEvent::NetworkDisconnect => "network-disconnect",
            OwnEvent::NetworkConnect => "network-connect",
        }
    }

    pub fn parse(name: &str) -> Option<OwnEvent> {
        OwnEvent::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Who puts it in the log: the Docker engine's events and its reachability are `docker`.
    pub fn source(self) -> Source {
        let name = self.name();
        if name.starts_with("container-")
            || name.starts_with("docker-")
            || name.starts_with("network-")
        {
            Source::Docker
        } else {
            Source::Sentui
        }
    }
}

impl std::fmt::Display for OwnEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Position in the whole session, counting entries dropped from view.
    pub seq: u64,
    /// When it happened, Unix milliseconds: the receive time of a sentinel event or of
    /// sentui's own observation, the engine's time of a Docker event.
    pub ts: Millis,
    /// When sentui received it, where that differs from `ts` (a Docker event reaches sentui
    /// after the engine stamped it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<Millis>,
    pub source: Source,
    pub event: String,
    pub payload: String,
    /// The sentinel that published it (source `sentinel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentinel: Option<Addr>,
    /// The node or container it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip)]
    pub detail: EventDetail,
    #[serde(skip)]
    pub class: EventClass,
    /// When a frame first showed this entry (set by the TUI, for its latency figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawn_at: Option<Millis>,
    /// On `failover-complete` / `failover-aborted` / `master-recovered`: the phases measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<Box<Failover>>,
}

impl LogEntry {
    pub fn new(ts: Millis, source: Source, event: &str, payload: &str) -> Self {
        let detail = if source == Source::Sentinel {
            EventDetail::parse(event, payload)
        } else {
            EventDetail::Raw
        };
        LogEntry {
            seq: 0,
            ts,
            received_at: None,
            source,
            event: event.to_string(),
            payload: payload.to_string(),
            sentinel: None,
            addr: detail.instance().map(|i| i.addr.clone()),
            group: detail.group().map(str::to_string),
            class: classify(event),
            detail,
            drawn_at: None,
            failover: None,
        }
    }

    /// One of sentui's own events (its source follows from the event).
    pub fn own(ts: Millis, event: OwnEvent, payload: &str) -> Self {
        LogEntry::new(ts, event.source(), event.name(), payload)
    }

    /// Whether this is `event`, from the source that puts it in the log.
    pub fn is(&self, event: OwnEvent) -> bool {
        self.source == event.source() && self.event == event.name()
    }

    /// The entry's own event, when it is one of sentui's or Docker's.
    pub fn own_event(&self) -> Option<OwnEvent> {
        OwnEvent::parse(&self.event).filter(|e| e.source() == self.source)
    }

    /// Recomputes what is derived from the event name and payload (after deserializing a
    /// recorded entry, which carries only the raw fields).
    pub fn refresh(&mut self) {
        if self.source == Source::Sentinel {
            self.detail = EventDetail::parse(&self.event, &self.payload);
        }
        self.class = classify(&self.event);
    }

    pub fn from_sentinel(mut self, sentinel: Addr) -> Self {
        self.sentinel = Some(sentinel);
        self
    }

    pub fn about(mut self, addr: Addr) -> Self {
        self.addr = Some(addr);
        self
    }

    pub fn in_group(mut self, group: Option<String>) -> Self {
        self.group = group;
        self
    }

    /// When sentui received it.
    pub fn received(&self) -> Millis {
        self.received_at.unwrap_or(self.ts)
    }
}

/// A bounded log: the newest `capacity` entries stay in view, older ones are counted as dropped.
/// (A recording keeps everything; the screen does not need to.)
#[derive(Clone, Debug)]
pub struct EventLog {
    entries: VecDeque<LogEntry>,
    capacity: usize,
    next_seq: u64,
    dropped: u64,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog::with_capacity(5_000)
    }
}

impl EventLog {
    pub fn with_capacity(capacity: usize) -> Self {
        EventLog {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 0,
            dropped: 0,
        }
    }

    pub fn push(&mut self, mut entry: LogEntry) -> u64 {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
        self.next_seq - 1
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &LogEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// The entry numbered `seq`, while it is still in view.
    pub fn get(&self, seq: u64) -> Option<&LogEntry> {
        let first = self.entries.front()?.seq;
        self.entries
            .get(seq.checked_sub(first)? as usize)
            .filter(|e| e.seq == seq)
    }

    /// Entries in the order they happened (by `ts`, then arrival): a Docker event that reached
    /// sentui late stands before the sentinel events it caused.
    pub fn in_time_order(&self) -> Vec<&LogEntry> {
        let mut v: Vec<&LogEntry> = self.entries.iter().collect();
        v.sort_by_key(|e| (e.ts, e.seq));
        v
    }

    /// Entries with `seq >= from` (what a streaming consumer has not seen yet).
    pub fn since(&self, from: u64) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter().filter(move |e| e.seq >= from)
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Marks every entry not yet drawn as drawn at `at`; returns their receive-to-draw delays.
    pub fn mark_drawn(&mut self, at: Millis) -> Vec<Millis> {
        let mut delays = Vec::new();
        for e in self.entries.iter_mut().rev() {
            if e.drawn_at.is_some() {
                break;
            }
            e.drawn_at = Some(at);
            delays.push(at.saturating_sub(e.received()));
        }
        delays
    }

    /// The log for display, in time order: identical events (same name and payload) published
    /// by several sentinels within `window_ms` fold into one row that names every publisher.
    /// The per-sentinel entries stay in the log untouched.
    pub fn folded(&self, window_ms: Millis) -> Vec<FoldedEntry<'_>> {
        fold(self.in_time_order(), window_ms)
    }
}

/// Folds `entries` (in time order) as [`EventLog::folded`] does.
pub fn fold<'a>(entries: Vec<&'a LogEntry>, window_ms: Millis) -> Vec<FoldedEntry<'a>> {
    let mut rows: Vec<FoldedEntry<'a>> = Vec::new();
    for e in entries {
        if e.source == Source::Sentinel
            && let Some(row) = rows.iter_mut().rev().take(32).find(|r| {
                r.first.source == Source::Sentinel
                    && r.first.event == e.event
                    && r.first.payload == e.payload
                    && e.ts.saturating_sub(r.first.ts) <= window_ms
                    && !r.sentinels.contains(&e.sentinel.as_ref())
            })
        {
            row.sentinels.push(e.sentinel.as_ref());
            row.all.push(e);
            continue;
        }
        rows.push(FoldedEntry {
            first: e,
            sentinels: vec![e.sentinel.as_ref()],
            all: vec![e],
        });
    }
    rows
}

/// One display row of the folded log.
#[derive(Debug)]
pub struct FoldedEntry<'a> {
    pub first: &'a LogEntry,
    pub sentinels: Vec<Option<&'a Addr>>,
    /// Every entry folded into the row, the first one first.
    pub all: Vec<&'a LogEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: Millis, s: &str, event: &str, payload: &str) -> LogEntry {
        LogEntry::new(ts, Source::Sentinel, event, payload).from_sentinel(s.parse().unwrap())
    }

    #[test]
    fn folds_the_same_event_from_several_sentinels() {
        let mut log = EventLog::default();
        let p = "mymaster 127.0.0.1 16379 127.0.0.1 16380";
        log.push(ev(100, "127.0.0.1:1", "+switch-master", p));
        log.push(ev(101, "127.0.0.1:2", "+switch-master", p));
        log.push(ev(
            102,
            "127.0.0.1:2",
            "+slave",
            "slave a:1 a 1 @ mymaster 127.0.0.1 16380",
        ));
        log.push(ev(1100, "127.0.0.1:3", "+switch-master", p));
        log.push(ev(9000, "127.0.0.1:1", "+switch-master", p));
        let rows = log.folded(2000);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].sentinels.len(), 3);
        assert_eq!(rows[2].sentinels.len(), 1);
        assert_eq!(log.len(), 5, "folding keeps every per-sentinel record");
    }

    #[test]
    fn own_event_names_read_back_and_are_documented() {
        let doc = include_str!("../../../docs/status.md");
        for e in OwnEvent::ALL {
            let name = e.name();
            assert_eq!(OwnEvent::parse(name), Some(e));
            assert!(
                doc.contains(&format!("`{name}`")),
                "{name} is in docs/status.md"
            );
        }
        let fault = LogEntry::own(1, OwnEvent::Fault, "x");
        assert!(fault.is(OwnEvent::Fault) && fault.source == Source::Sentui);
        let die = LogEntry::own(1, OwnEvent::ContainerDie, "x");
        assert_eq!(die.source, Source::Docker);
        assert_eq!(die.own_event(), Some(OwnEvent::ContainerDie));
        let sentinel = LogEntry::new(1, Source::Sentinel, "fault", "");
        assert!(!sentinel.is(OwnEvent::Fault), "the source counts");
    }

    #[test]
    fn shown_in_time_order_streamed_in_arrival_order() {
        let mut log = EventLog::default();
        log.push(LogEntry::new(
            100,
            Source::Sentinel,
            "+sdown",
            "master m 127.0.0.1 1",
        ));
        // A Docker event stamped by the engine before the sdown, received after it.
        let mut late = LogEntry::own(40, OwnEvent::ContainerPause, "redis-master");
        late.received_at = Some(130);
        log.push(late);
        let order: Vec<&str> = log
            .folded(0)
            .iter()
            .map(|r| r.first.event.as_str())
            .collect();
        assert_eq!(order, ["container-pause", "+sdown"]);
        let streamed: Vec<u64> = log.since(0).map(|e| e.seq).collect();
        assert_eq!(streamed, [0, 1], "since() keeps arrival order");
        assert_eq!(log.get(1).unwrap().received(), 130);
        assert_eq!(log.get(0).unwrap().received(), 100);
        assert!(log.get(2).is_none());
    }

    #[test]
    fn bounded_with_a_drop_count() {
        let mut log = EventLog::with_capacity(3);
        for i in 0..10 {
            log.push(LogEntry::new(i, Source::Sentui, "x", ""));
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.dropped(), 7);
        assert_eq!(log.entries().next().unwrap().seq, 7);
        assert_eq!(log.since(8).count(), 2);
    }

    #[test]
    fn drawn_marks_only_new_entries() {
        let mut log = EventLog::default();
        log.push(LogEntry::new(10, Source::Sentui, "a", ""));
        assert_eq!(log.mark_drawn(15), vec![5]);
        log.push(LogEntry::new(20, Source::Sentui, "b", ""));
        assert_eq!(log.mark_drawn(40), vec![20]);
        assert!(log.mark_drawn(50).is_empty());
    }
}
