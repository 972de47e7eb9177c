//! Builds a [`Page`] from what sentui knew: the failover the stopwatch measured (or the one a
//! drill's fault caused), the log around it, the trail's roles, lag and writes, and the write
//! probe's figures. The lanes are drawn by `lanes.rs`, the clients' view by `clients.rs`.

mod clients;
mod lanes;

use super::{Page, PhaseStep, Summary, Timeline, VERSION};
use crate::attempt::{Failover, Phase};
use crate::info::Role;
use crate::input::Input;
use crate::log::{LogEntry, OwnEvent, Source};
use crate::{Addr, Deployment, Millis, Update};

/// Which failover the page is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The group's last measured failover (completed or aborted), else its last sign.
    LastFailover,
    /// The failover a fault injected at this moment caused (a drill): the page starts there
    /// even when no failover came.
    Fault(Millis),
}

/// What the page says of where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    /// `recorded by the TUI`, `drill pause-master`, `events --json`.
    pub source: String,
    /// The lab's project, or the sentinels sentui was given.
    pub deployment: String,
    /// The fault's name for the loss sentence (`pause`, `partition`): `fault` when unknown.
    pub fault: String,
}

/// Shown before the first sign and after the last.
const MARGIN_MS: i64 = 2_000;
/// The longest stretch one page draws after its origin.
const LONGEST_MS: i64 = 15 * 60_000;
/// At least this much after the origin, so a short failover is not drawn edge to edge.
const SHORTEST_MS: i64 = 5_000;

/// The page of one failover of `group`; None when there is none to show (no failover, no
/// fault). `now` ends whatever still runs.
pub fn build(
    d: &Deployment,
    group: &str,
    focus: Focus,
    about: &About,
    now: Millis,
) -> Option<Page> {
    let failover = chosen(d, group, focus);
    let origin = match (focus, failover) {
        (Focus::Fault(at), _) => at,
        (Focus::LastFailover, Some(f)) => f.mark(Phase::Fault).map_or(f.started_at, |m| m.at),
        (Focus::LastFailover, None) => return None,
    };
    let since = |t: Millis| t as i64 - origin as i64;
    let span = d.fault_span(group, origin);
    let (old_master, new_master) = masters(d, group, failover);
    let clients = d.probe().filter(|p| p.group == group).map(|p| {
        clients::clients(
            p,
            span,
            (old_master.as_ref(), new_master.as_ref()),
            &about.fault,
            origin,
        )
    });
    let phases = phase_steps(d, failover, origin);

    // The span drawn: from before the first sign to after the last thing that settled.
    let first = failover.map_or(origin, |f| f.started_at.min(origin));
    let mut last = [
        failover.and_then(|f| f.ended_at),
        failover.and_then(|f| f.marks.iter().map(|m| m.at).max()),
        span.end,
        clients
            .as_ref()
            .and_then(|c| c.first_success_ms)
            .map(|ms| (origin as i64 + ms) as Millis),
        rejoined(d, old_master.as_ref(), origin),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(origin);
    if failover.is_some_and(|f| f.ended_at.is_none()) {
        last = last.max(now);
    }
    let from_ms = since(first) - MARGIN_MS;
    let to_ms = (since(last) + MARGIN_MS).clamp(SHORTEST_MS, LONGEST_MS);
    let window = lanes::Window {
        origin,
        from: (origin as i64 + from_ms).max(0) as Millis,
        to: (origin as i64 + to_ms) as Millis,
    };
    let entries = lanes::entries_until(d, &window);
    let nodes = lanes::nodes(d, group, &window, &entries, [&old_master, &new_master], now);
    let timeline = Timeline {
        origin,
        from_ms,
        to_ms,
        outage: clients.as_ref().and_then(clients::outage),
        phases: phases.clone(),
        sentinels: lanes::sentinels(d, group, &window, &entries),
        nodes,
        probe: lanes::probe(d, group, &window),
        faults: lanes::faults(d, group, &window),
    };
    let sentinel_ms = phases
        .iter()
        .find(|p| p.label == Phase::SwitchMaster.label())
        .map(|p| p.at_ms - phases.first().map_or(0, |f| f.at_ms.min(0)));
    let summary = Summary {
        old_master: old_master.clone(),
        new_master: new_master.clone(),
        outcome: failover.map_or_else(|| "no failover".to_string(), Failover::outcome_words),
        switched: failover.is_some_and(Failover::switched),
        kind: failover
            .map_or("failover", Failover::kind_words)
            .to_string(),
        phases,
        sentinel_ms,
        clients,
        notes: notes(d, failover, &window),
    };
    let what = old_master.as_ref().map_or_else(
        || "failover".to_string(),
        |m| format!("failover of {}", lanes::name_of(d, m)),
    );
    Some(Page {
        version: VERSION,
        title: format!("{group}: {what}"),
        source: about.source.clone(),
        deployment: about.deployment.clone(),
        group: group.to_string(),
        summary,
        timeline,
    })
}

/// A deployment as far as a capture of its log tells (`sentui events --json`): each sentinel's
/// event applied as it was heard, sentui's and Docker's own entries as they were logged (the
/// summaries sentui derives, such as `failover-complete`, are derived again).
pub fn from_log(entries: impl IntoIterator<Item = LogEntry>) -> Deployment {
    let mut d = Deployment::default();
    for e in entries {
        let update = match (e.source, &e.sentinel) {
            (Source::Sentinel, Some(sentinel)) => Update::SentinelEvent {
                sentinel: sentinel.clone(),
                at: e.ts,
                event: e.event.name().to_string(),
                payload: e.payload.clone(),
            },
            (Source::Sentinel, None) => continue,
            _ if e.own_event().is_some_and(OwnEvent::is_derived) => continue,
            _ => Update::Note { entry: e.clone() },
        };
        d.step(Input::update(e.received_at.unwrap_or(e.ts), update));
    }
    d
}

/// The failover the page is about: for a fault, the one it caused (the completed one first,
/// as the drill's phase table reads it); else the last measured one, else the last.
fn chosen<'a>(d: &'a Deployment, group: &str, focus: Focus) -> Option<&'a Failover> {
    match focus {
        Focus::Fault(at) => d.caused(group, at),
        Focus::LastFailover => {
            let all: Vec<&Failover> = d.stopwatches().get(group)?.all().collect();
            all.iter()
                .rev()
                .find(|f| f.measured())
                .or(all.last())
                .copied()
        }
    }
}

fn masters(d: &Deployment, group: &str, f: Option<&Failover>) -> (Option<Addr>, Option<Addr>) {
    match f {
        Some(f) => (f.old_master.clone(), f.new_master.clone()),
        None => (d.master_of(group), None),
    }
}

/// When the old master, back after the failover, became a replica (its role change as read,
/// else a sentinel's `+convert-to-slave` of it): the story ends there.
fn rejoined(d: &Deployment, old: Option<&Addr>, origin: Millis) -> Option<Millis> {
    let old = old?;
    d.log()
        .entries()
        .filter(|e| e.ts > origin)
        .find(|e| {
            let about_old = e.addr.as_ref() == Some(old)
                || matches!(&e.detail, crate::event::EventDetail::Instance { instance, .. } if instance.addr == *old);
            about_old
                && (lanes::role_taken(e) == Some(Role::Replica)
                    || e.is(crate::event::SentinelEvent::ConvertToSlave))
        })
        .map(|e| e.ts)
}

/// The stopwatch's marks in time order, each with its time from the one before.
fn phase_steps(d: &Deployment, f: Option<&Failover>, origin: Millis) -> Vec<PhaseStep> {
    let Some(f) = f else { return Vec::new() };
    let mut prev = origin as i64;
    f.timeline()
        .into_iter()
        .map(|(m, _, _)| {
            let at = m.at as i64;
            let step = PhaseStep {
                label: m.phase.label().to_string(),
                at_ms: at - origin as i64,
                took_ms: (at - prev).max(0),
                by: m
                    .by
                    .parse::<Addr>()
                    .map_or_else(|_| m.by.clone(), |a| lanes::name_of(d, &a)),
            };
            prev = prev.max(at);
            step
        })
        .collect()
}

/// What the reader should know: the failover's own note, why its end was not seen, and
/// whether sentui missed events in the window.
fn notes(d: &Deployment, f: Option<&Failover>, w: &lanes::Window) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(f) = f {
        notes.extend(f.note.clone());
        if let Some(why) = &f.end_not_seen {
            notes.push(format!("the leader's +failover-end was not seen: {why}"));
        }
    }
    if d.log().entries().next().is_some_and(|e| e.ts > w.from) && d.log().dropped() > 0 {
        notes.push("the log's oldest entries were dropped: the page starts where it does".into());
    }
    notes
}

#[cfg(test)]
mod tests;
