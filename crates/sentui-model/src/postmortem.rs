//! The post-mortem page: one failover as it happened, Sentinel's time beside the clients'
//! time. [`Page`] is plain data (a summary and a timeline on one time axis, every time in
//! milliseconds from [`Timeline::origin`]); `build.rs` makes one from what sentui knew (the
//! deployment's log, stopwatch, probe and trail), `html.rs` and `svg.rs` draw it. Pure: the
//! same page gives the same bytes.
//!
//! A drill's JSON report carries its page, so `sentui report` draws a drill long after it ran.

mod build;
mod html;
mod layout;
mod style;
mod svg;
mod text;

pub use build::{About, Focus, build, from_log};
pub use html::{TIMELINE_OFFSET, html, html_compare};
pub use layout::{LaneBox, LaneKind, Layout};
pub use svg::svg;
pub use text::headline_parts;

use crate::info::Role;
use crate::{Addr, Millis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the page's data (in a drill's JSON report).
pub const VERSION: u32 = 1;

/// Probe buckets are this long: the trail's, which counts the writes.
pub const BUCKET_MS: i64 = crate::state::trail::BUCKET_MS as i64;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub version: u32,
    /// What the page shows, in a few words: `mymaster: failover of 127.0.0.1:6379`.
    pub title: String,
    /// Where its data came from: `recorded by the TUI`, `drill pause-master`, `events --json`.
    pub source: String,
    /// The deployment: the lab's project, or the sentinels it was seeded with.
    pub deployment: String,
    pub group: String,
    pub summary: Summary,
    pub timeline: Timeline,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    /// `completed`, `aborted: …`, `master came back`, `running`, `no failover`.
    pub outcome: String,
    /// Whether the master changed.
    pub switched: bool,
    /// `failover` or `coordinated failover`.
    pub kind: String,
    /// Sentinel's phases in time order, each with how long it took from the one before.
    pub phases: Vec<PhaseStep>,
    /// From the first sign (or the fault) to the first `+switch-master`: Sentinel's time.
    pub sentinel_ms: Option<i64>,
    /// What the write probe saw (None: no probe ran).
    pub clients: Option<Clients>,
    /// Anything the reader should know about the data (a gap, a note of the failover).
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseStep {
    pub label: String,
    /// Since the origin.
    pub at_ms: i64,
    /// Since the step before (the first: since the origin).
    pub took_ms: i64,
    /// Who reported it: a sentinel's name, `sentui` or `docker`.
    pub by: String,
}

/// The clients' view: what an application writing through Sentinel lived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clients {
    /// Writes attempted, acknowledged, failed (refusals included) and refused.
    pub attempted: u64,
    pub acked: u64,
    pub failed: u64,
    pub refused: u64,
    /// The last acknowledged write before the outage, since the origin: no write sent after
    /// it succeeded until `first_success_ms` (a frozen master hangs them, so they fail only
    /// when they time out).
    #[serde(default)]
    pub last_success_ms: Option<i64>,
    /// The first failed or refused write, since the origin (when it was reported).
    pub first_failure_ms: Option<i64>,
    /// The first acknowledged write on the new master after it, since the origin.
    pub first_success_ms: Option<i64>,
    /// `first_success_ms - last_success_ms`: the clients' outage (None while it lasts).
    pub outage_ms: Option<i64>,
    /// Acknowledged writes the new master does not have, by window and by the master that
    /// acknowledged them.
    pub lost: Vec<Lost>,
    /// In words: `no acknowledged write lost`, `3 acknowledged writes lost`, `not read back`.
    pub lost_text: String,
    /// Refused writes by the server's reason (`readonly`, `noreplicas`, `masterdown`).
    pub refusals: BTreeMap<String, u64>,
    /// Failed writes by kind (`timeout`, `refused`, …), refusals included.
    pub errors: BTreeMap<String, u64>,
}

impl Clients {
    /// Where the clients' outage starts: the last acknowledged write before it, else the
    /// first failure (a page saved before it kept the last success); None when no write
    /// failed.
    pub fn outage_from(&self) -> Option<i64> {
        self.last_success_ms.or(self.first_failure_ms)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lost {
    /// `before the fault`, `fault → +switch-master`, `after +switch-master`.
    pub window: String,
    pub master: Option<Addr>,
    pub count: u64,
}

/// Everything on one time axis, in milliseconds from `origin`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Unix milliseconds of time 0: the fault, else the failover's first sign.
    pub origin: Millis,
    /// The span drawn.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Sentinel's phases, drawn across every lane.
    pub phases: Vec<PhaseStep>,
    /// The clients' outage (first failure to first success), drawn across every lane too.
    pub outage: Option<Span>,
    pub sentinels: Vec<SentinelLane>,
    pub nodes: Vec<NodeLane>,
    pub probe: Option<ProbeLane>,
    /// sentui's own actions: faults, their undoing, failovers asked for.
    pub faults: Vec<Mark>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub from_ms: i64,
    /// None: still going at the end of the data (drawn to `to_ms`).
    pub to_ms: Option<i64>,
    /// Hover text.
    pub detail: String,
}

/// A moment in a lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub at_ms: i64,
    pub kind: MarkKind,
    /// The short label drawn (`+sdown`, `vote → s2`, `paused`).
    pub label: String,
    /// The event's name and payload, for the hover text.
    pub detail: String,
}

/// What a mark is, which decides its colour and shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkKind {
    Sdown,
    /// `-sdown`, `-odown`: a sign withdrawn.
    Cleared,
    Odown,
    TryFailover,
    Vote,
    Elected,
    /// The leader's steps: selected replica, promoted, reconfiguring replicas.
    Step,
    SwitchMaster,
    FailoverEnd,
    Abort,
    Tilt,
    /// sentui injected a fault.
    Fault,
    /// sentui ended a fault (or a guard did).
    Undo,
    /// sentui asked for a failover.
    Asked,
    /// A node's role changed.
    Role,
    /// Anything else worth a hover (a container event, a link going down).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelLane {
    /// The sentinel's name as the screen shows it (container name, else address).
    pub name: String,
    pub addr: Addr,
    pub marks: Vec<Mark>,
    /// When it was in TILT.
    pub tilt: Vec<Span>,
    /// When sentui could not hear it (events link down, unreachable).
    pub gaps: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeLane {
    pub name: String,
    pub addr: Addr,
    /// The role it reported, over time (gaps: unknown).
    pub roles: Vec<RoleSpan>,
    /// Paused, stopped, partitioned, down or unresponsive, over time.
    pub conditions: Vec<ConditionSpan>,
    /// Replication lag in bytes (replicas), as read.
    pub lag: Vec<LagPoint>,
    pub marks: Vec<Mark>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSpan {
    pub from_ms: i64,
    pub to_ms: Option<i64>,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionSpan {
    pub from_ms: i64,
    pub to_ms: Option<i64>,
    pub condition: Condition,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    Paused,
    Stopped,
    Partitioned,
    Down,
    Unresponsive,
    /// Holding back writes (`CLIENT PAUSE`, a coordinated failover).
    WritesPaused,
}

impl Condition {
    pub fn word(self) -> &'static str {
        match self {
            Condition::Paused => "paused",
            Condition::Stopped => "stopped",
            Condition::Partitioned => "partitioned",
            Condition::Down => "down",
            Condition::Unresponsive => "unresponsive",
            Condition::WritesPaused => "writes paused",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LagPoint {
    pub at_ms: i64,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeLane {
    /// Writes per second asked for.
    pub rate: u32,
    /// Per [`BUCKET_MS`], in time order; buckets without writes are left out.
    pub buckets: Vec<Bucket>,
    /// The probe's own moments: master found, switched, unavailable, available again.
    pub marks: Vec<Mark>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Its start, since the origin (buckets are [`BUCKET_MS`] of wall-clock time).
    pub at_ms: i64,
    pub acked: u32,
    pub failed: u32,
    /// Of `failed`, the ones the server refused (READONLY, NOREPLICAS, MASTERDOWN).
    pub refused: u32,
    /// The slowest write that ended in it, where the probe measured it.
    pub max_latency_ms: Option<u32>,
}

#[cfg(test)]
mod tests {
    pub(crate) mod fixture;
    mod render;
}
