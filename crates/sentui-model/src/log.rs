//! The merged event log: every event from every sentinel, sentui's own observations and (with
//! Docker) container events, in arrival order, each tagged with where it came from.

use super::Millis;
use super::addr::Addr;
use super::attempt::Failover;
use super::event::{EventClass, EventDetail, SentinelEvent};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

mod own;
#[cfg(test)]
mod tests;

pub use own::OwnEvent;

/// Where a log entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Sentinel,
    Sentui,
    Docker,
}

/// What a log entry records: an event a sentinel published, or one of sentui's own (the Docker
/// engine's included). Parsed once, where the entry is made; written out as the name it was
/// published or logged with, so the JSON and the recordings read as before.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    Sentinel(SentinelEvent),
    Own(OwnEvent),
    /// A name from sentui or Docker that this version does not know (a recording made by
    /// another version): kept and shown as it is.
    Unknown(String),
}

impl Event {
    /// The event `name` logged by `source`: whatever a sentinel publishes is a
    /// [`SentinelEvent`]; sentui's and Docker's names are [`OwnEvent`]s of that source.
    pub fn parse(source: Source, name: &str) -> Event {
        match source {
            Source::Sentinel => Event::Sentinel(SentinelEvent::parse(name)),
            _ => match OwnEvent::parse(name).filter(|e| e.source() == source) {
                Some(own) => Event::Own(own),
                None => Event::Unknown(name.to_string()),
            },
        }
    }

    /// How the log (and its JSON) spells it.
    pub fn name(&self) -> &str {
        match self {
            Event::Sentinel(e) => e.name(),
            Event::Own(e) => e.name(),
            Event::Unknown(name) => name,
        }
    }

    /// How it reads at a glance; drives colours in the TUI.
    pub fn class(&self) -> EventClass {
        match self {
            Event::Sentinel(e) => e.class(),
            Event::Own(e) => e.class(),
            Event::Unknown(_) => EventClass::Info,
        }
    }
}

/// A name a user gave (`events --until`, a drill's `wait`, `replay --at`) that names no event
/// sentui could log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotAnEvent {
    #[error(
        "'{0}' is not one event name: Sentinel's start with + or - (+switch-master, +odown, ...), \
         sentui's are listed in docs/status.md (failover-complete, node-responsive, ...)"
    )]
    Unknown(String),
    /// A Sentinel-like name one typo away from a known one.
    #[error(
        "'{name}' is no event Sentinel publishes: did you mean {meant}? (the names are in \
         docs/status.md)"
    )]
    Typo { name: String, meant: &'static str },
    /// One of sentui's names, a typo away.
    #[error(
        "'{name}' is no event sentui logs: did you mean {meant}? (the names are in docs/status.md)"
    )]
    OwnTypo { name: String, meant: &'static str },
}

/// An event a user named, whatever its source: Sentinel's names start with `+` or `-` (one
/// this version does not know is taken as a newer server's, unless it is a typo of a known
/// one), sentui's never do.
impl std::str::FromStr for Event {
    type Err = NotAnEvent;

    fn from_str(name: &str) -> Result<Event, NotAnEvent> {
        if name.contains(char::is_whitespace) || name.len() < 2 {
            return Err(NotAnEvent::Unknown(name.to_string()));
        }
        if name.starts_with(['+', '-']) {
            let e = SentinelEvent::parse(name);
            if let (SentinelEvent::Other(_), Some(meant)) = (&e, SentinelEvent::nearest_known(name))
            {
                return Err(NotAnEvent::Typo {
                    name: name.to_string(),
                    meant,
                });
            }
            return Ok(Event::Sentinel(e));
        }
        OwnEvent::parse(name)
            .map(Event::Own)
            .ok_or_else(|| match OwnEvent::nearest(name) {
                Some(meant) => NotAnEvent::OwnTypo {
                    name: name.to_string(),
                    meant,
                },
                None => NotAnEvent::Unknown(name.to_string()),
            })
    }
}

impl From<SentinelEvent> for Event {
    fn from(e: SentinelEvent) -> Event {
        Event::Sentinel(e)
    }
}

impl From<OwnEvent> for Event {
    fn from(e: OwnEvent) -> Event {
        Event::Own(e)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // pad: the log's columns are `{:<w$}`.
        f.pad(self.name())
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Recorded")]
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
    pub event: Event,
    pub payload: String,
    /// The sentinel that published it (source `sentinel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentinel: Option<Addr>,
    /// The node or container it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What the payload says, parsed (sentinel events; `Raw` for the rest).
    #[serde(skip)]
    pub detail: EventDetail,
    /// When a frame first showed this entry (set by the TUI, for its latency figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawn_at: Option<Millis>,
    /// On `failover-complete` / `failover-aborted` / `master-recovered`: the phases measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<Box<Failover>>,
}

/// A log entry as written out: the event by name, nothing derived. Read back through
/// [`LogEntry::made`], so a recorded entry is parsed like a new one.
#[derive(Deserialize)]
struct Recorded {
    seq: u64,
    ts: Millis,
    #[serde(default)]
    received_at: Option<Millis>,
    source: Source,
    event: String,
    payload: String,
    sentinel: Option<Addr>,
    addr: Option<Addr>,
    group: Option<String>,
    drawn_at: Option<Millis>,
    failover: Option<Box<Failover>>,
}

impl From<Recorded> for LogEntry {
    fn from(r: Recorded) -> LogEntry {
        let mut e = LogEntry::made(r.ts, r.source, Event::parse(r.source, &r.event), r.payload);
        e.seq = r.seq;
        e.received_at = r.received_at;
        e.sentinel = r.sentinel;
        e.addr = r.addr;
        e.group = r.group;
        e.drawn_at = r.drawn_at;
        e.failover = r.failover;
        e
    }
}

impl LogEntry {
    /// An entry for the event `event` logged by `source` (a sentinel's channel name, as
    /// published): the name is parsed here, once.
    pub fn new(ts: Millis, source: Source, event: &str, payload: &str) -> Self {
        LogEntry::made(ts, source, Event::parse(source, event), payload.to_string())
    }

    fn made(ts: Millis, source: Source, event: Event, payload: String) -> Self {
        let detail = match &event {
            Event::Sentinel(e) => EventDetail::parse(e, &payload),
            _ => EventDetail::Raw,
        };
        LogEntry {
            seq: 0,
            ts,
            received_at: None,
            source,
            event,
            payload,
            sentinel: None,
            addr: detail.instance().map(|i| i.addr.clone()),
            group: detail.group().map(str::to_string),
            detail,
            drawn_at: None,
            failover: None,
        }
    }

    /// One of sentui's own events (its source follows from the event).
    pub fn own(ts: Millis, event: OwnEvent, payload: &str) -> Self {
        LogEntry::made(ts, event.source(), Event::Own(event), payload.to_string())
    }

    /// Whether this is `event` (sentui's own events come only from their own source).
    pub fn is(&self, event: impl Into<Event>) -> bool {
        self.event == event.into()
    }

    /// The entry's own event, when it is one of sentui's or Docker's.
    pub fn own_event(&self) -> Option<OwnEvent> {
        match self.event {
            Event::Own(e) => Some(e),
            _ => None,
        }
    }

    /// The event a sentinel published, when it is one.
    pub fn sentinel_event(&self) -> Option<&SentinelEvent> {
        match &self.event {
            Event::Sentinel(e) => Some(e),
            _ => None,
        }
    }

    /// How it reads at a glance; drives colours in the TUI and folding in the log.
    pub fn class(&self) -> EventClass {
        self.event.class()
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
