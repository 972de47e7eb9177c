//! The phase timing table and the fault's place in the log: what happened after the fault,
//! and when, from the group's stopwatch and the log.

use super::since;
use crate::event::SentinelEvent;
use crate::log::{Event, OwnEvent, Source};
use crate::stopwatch::{Outcome, Phase, fmt_secs};
use crate::{Addr, Deployment, Millis};
use serde::Serialize;

/// One row of the phase timing table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseRow {
    pub event: String,
    pub since_fault_ms: i64,
    pub by: String,
    pub detail: String,
}

/// The failover the fault caused, given up by its elected leader: it published an end of its
/// own (`-failover-abort-*`, `+failover-end-for-timeout`) and no `+switch-master` came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenUp {
    /// The event that ended it, as Sentinel names it.
    pub event: String,
    pub at: Millis,
    /// The leader that gave up.
    pub by: Addr,
    pub payload: String,
    /// The earliest any sentinel that took part tries again: Sentinel starts no failover of
    /// the group for twice the failover-timeout after it tried or voted (`failover_start_time`
    /// in sentinel.c), and every voter voted before the leader was elected.
    pub retry_at: Millis,
}

impl GivenUp {
    /// `-failover-abort-no-good-slave by 127.0.0.1:26379 2.2s after the fault; no sentinel
    /// that took part tries again before 6m2s`, the times since `fault_at`.
    pub fn words(&self, fault_at: Millis) -> String {
        format!(
            "{} by {} {} after the fault; no sentinel that took part tries again before {}",
            self.event,
            self.by,
            fmt_secs(self.at.saturating_sub(fault_at)),
            humantime::format_duration(std::time::Duration::from_secs(
                self.retry_at.saturating_sub(fault_at) / 1000
            ))
        )
    }
}

/// Whether the failover the fault caused was given up by its elected leader (see [`GivenUp`]);
/// an attempt superseded, whose leader was lost, or never elected is not: another sentinel
/// goes on or tries soon.
pub fn given_up(d: &Deployment, group: &str, fault_at: Millis) -> Option<GivenUp> {
    let f = d.caused(group, fault_at)?;
    if !matches!(f.outcome, Some(Outcome::Aborted(_))) {
        return None;
    }
    let (leader, ended) = (f.leader.as_ref()?, f.ended_at?);
    let tried = f.mark(Phase::TryFailover).or(f.mark(Phase::Elected))?.at;
    let end = d.log().entries().find(|e| {
        e.ts == ended
            && e.sentinel.as_ref() == Some(leader)
            && e.group.as_deref().is_none_or(|g| g == group)
            && e.sentinel_event().is_some_and(|s| {
                s.abort_reason().is_some() || *s == SentinelEvent::FailoverEndForTimeout
            })
    })?;
    Some(GivenUp {
        event: end.event.to_string(),
        at: ended,
        by: leader.clone(),
        payload: end.payload.clone(),
        retry_at: tried + 2 * d.failover_timeout_ms(group),
    })
}

/// The first fault sentui injected at or after `from` (the TUI's probe start), with the node
/// it hit.
pub fn first_fault(d: &Deployment, from: Millis) -> Option<(Millis, Option<Addr>)> {
    d.log()
        .entries()
        .find(|e| e.ts >= from && e.is(OwnEvent::Fault))
        .map(|e| (e.ts, e.addr.clone()))
}

/// Log events that belong in the timing table besides the stopwatch's phases.
const EXTRA_EVENTS: [Event; 5] = [
    Event::Own(OwnEvent::FaultCleared),
    Event::Sentinel(SentinelEvent::ConvertToSlave),
    Event::Own(OwnEvent::ProbeUnavailable),
    Event::Own(OwnEvent::ProbeAvailable),
    Event::Own(OwnEvent::ProbeMaster),
];

/// The phase timing table: the stopwatch's phases of the failover the fault caused, its
/// leader's end when it gave up, and the first of each of [`EXTRA_EVENTS`] after the fault, in time order.
pub fn phases(d: &Deployment, group: &str, fault_at: Millis) -> Vec<PhaseRow> {
    let mut rows = Vec::new();
    if let Some(f) = d.caused(group, fault_at) {
        for (m, _, _) in f.timeline() {
            rows.push(PhaseRow {
                event: m.phase.label().to_string(),
                since_fault_ms: since(m.at, fault_at),
                by: m.by.clone(),
                detail: m.detail.clone(),
            });
        }
    }
    // The leader's own end, which no phase marks: without it the table stops at the election.
    if let Some(g) = given_up(d, group, fault_at) {
        rows.push(PhaseRow {
            event: g.event,
            since_fault_ms: since(g.at, fault_at),
            by: g.by.to_string(),
            detail: g.payload,
        });
    }
    let mut seen: Vec<&Event> = Vec::new();
    for e in d.log().entries() {
        if e.ts < fault_at || e.group.as_deref().is_some_and(|g| g != group) {
            continue;
        }
        let Some(extra) = EXTRA_EVENTS.iter().find(|n| **n == e.event) else {
            continue;
        };
        if seen.contains(&extra) {
            continue;
        }
        seen.push(extra);
        rows.push(PhaseRow {
            event: e.event.to_string(),
            since_fault_ms: since(e.ts, fault_at),
            by: match (&e.source, &e.sentinel) {
                (Source::Sentinel, Some(s)) => s.to_string(),
                (s, _) => format!("{s:?}").to_lowercase(),
            },
            detail: e.payload.clone(),
        });
    }
    rows.sort_by_key(|r| r.since_fault_ms);
    rows
}
