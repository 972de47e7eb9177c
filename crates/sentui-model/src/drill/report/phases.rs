//! The phase timing table and the fault's place in the log: what happened after the fault,
//! and when, from the group's stopwatch and the log.

use super::since;
use crate::event::SentinelEvent;
use crate::log::{Event, OwnEvent, Source};
use crate::probe::loss::FaultSpan;
use crate::stopwatch::Phase;
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

/// The fault's span in the log: from `fault_at` to the later of the first `+switch-master` of
/// the group and the first `fault-cleared` after it (whichever there is).
pub fn fault_span(d: &Deployment, group: &str, fault_at: Millis) -> FaultSpan {
    let switch = failover_ms(d, group, fault_at).map(|ms| fault_at + ms);
    let cleared = d
        .log()
        .entries()
        .find(|e| e.ts >= fault_at && e.is(OwnEvent::FaultCleared))
        .map(|e| e.ts);
    let end = match (switch, cleared) {
        (Some(s), Some(c)) => Some(s.max(c)),
        (s, c) => s.or(c),
    };
    FaultSpan { at: fault_at, end }
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

/// The phase timing table: the stopwatch's phases of the failover the fault caused,
/// and the first of each of [`EXTRA_EVENTS`] after the fault, in time order.
pub fn phases(d: &Deployment, group: &str, fault_at: Millis) -> Vec<PhaseRow> {
    let mut rows = Vec::new();
    // The failover going on at the fault or after it: one that began with an earlier sign
    // (the master already flagged) keeps those marks, at negative times.
    let failover = d.stopwatches().get(group).and_then(|s| {
        let after: Vec<_> = s
            .all()
            .filter(|f| f.ended_at.is_none_or(|end| end >= fault_at))
            .collect();
        after
            .iter()
            .find(|f| f.outcome == Some(crate::stopwatch::Outcome::Completed))
            .or(after.first())
            .copied()
    });
    if let Some(f) = failover {
        for (m, _, _) in f.timeline() {
            rows.push(PhaseRow {
                event: m.phase.label().to_string(),
                since_fault_ms: since(m.at, fault_at),
                by: m.by.clone(),
                detail: m.detail.clone(),
            });
        }
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

/// Milliseconds from the fault to the first `+switch-master` of the group after it.
pub fn failover_ms(d: &Deployment, group: &str, fault_at: Millis) -> Option<Millis> {
    d.log()
        .entries()
        .find(|e| {
            e.ts >= fault_at
                && e.is(SentinelEvent::SwitchMaster)
                && e.group.as_deref() == Some(group)
        })
        .map(|e| e.ts - fault_at)
        .or_else(|| {
            let sw = d.stopwatches().get(group)?;
            sw.all()
                .filter(|f| f.started_at >= fault_at)
                .find_map(|f| f.mark(Phase::SwitchMaster))
                .map(|m| m.at.saturating_sub(fault_at))
        })
}
