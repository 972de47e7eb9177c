//! The timeline's lanes, read off the log and the trail: each sentinel's marks, TILT and the
//! gaps sentui could not hear it; each node's role, condition and lag; the probe's writes per
//! 100 ms; sentui's own faults.

use super::super::{
    Bucket, Condition, ConditionSpan, LagPoint, Mark, MarkKind, NodeLane, ProbeLane, RoleSpan,
    SentinelLane, Span,
};
use crate::event::{EventDetail, InstanceKind, SentinelEvent};
use crate::info::Role;
use crate::log::{LogEntry, OwnEvent, Source};
use crate::{Addr, Deployment, Millis};

/// Readings further apart than this leave the role unknown between them (the node did not
/// answer).
const READINGS_APART_MS: Millis = 3_000;

/// The stretch a page draws, Unix ms, and its time 0.
pub(crate) struct Window {
    pub origin: Millis,
    pub from: Millis,
    pub to: Millis,
}

impl Window {
    fn ms(&self, t: Millis) -> i64 {
        t as i64 - self.origin as i64
    }

    fn holds(&self, t: Millis) -> bool {
        (self.from..=self.to).contains(&t)
    }

    fn mark(&self, e: &LogEntry, kind: MarkKind, label: String) -> Mark {
        Mark {
            at_ms: self.ms(e.ts),
            kind,
            label,
            detail: format!("{} {}", e.event.name(), e.payload)
                .trim_end()
                .to_string(),
        }
    }
}

/// A sentinel or node as the screen names it: its compose service, else its address.
pub(crate) fn name_of(d: &Deployment, addr: &Addr) -> String {
    let container = d
        .sentinels()
        .get(addr)
        .and_then(|s| s.container.as_ref())
        .or_else(|| d.nodes().get(addr).and_then(|n| n.container.as_ref()));
    match container {
        Some(c) if !c.service.is_empty() => c.service.clone(),
        Some(c) if !c.name.is_empty() => c.name.clone(),
        _ => addr.to_string(),
    }
}

/// Spans opened and closed by log entries: (opened at, closed at, what opened it).
struct Spans {
    open: Option<(Millis, String)>,
    done: Vec<(Millis, Option<Millis>, String)>,
}

impl Spans {
    fn new() -> Self {
        Spans {
            open: None,
            done: Vec::new(),
        }
    }

    fn start(&mut self, at: Millis, detail: String) {
        if self.open.is_none() {
            self.open = Some((at, detail));
        }
    }

    fn end(&mut self, at: Millis) {
        if let Some((from, detail)) = self.open.take() {
            self.done.push((from, Some(at), detail));
        }
    }

    /// The spans that overlap the window, in its time.
    fn into_spans(mut self, w: &Window) -> Vec<Span> {
        if let Some((from, detail)) = self.open.take() {
            self.done.push((from, None, detail));
        }
        self.done
            .into_iter()
            .filter(|(from, to, _)| *from <= w.to && to.is_none_or(|t| t >= w.from))
            .map(|(from, to, detail)| Span {
                from_ms: w.ms(from.max(w.from)),
                to_ms: to.map(|t| w.ms(t)),
                detail,
            })
            .collect()
    }
}

/// Entries up to the window's end, oldest first (spans opened before it count): read once a
/// page, for the sentinels' and the nodes' lanes.
pub(crate) fn entries_until<'a>(d: &'a Deployment, w: &Window) -> Vec<&'a LogEntry> {
    d.log()
        .in_time_order()
        .into_iter()
        .filter(|e| e.ts <= w.to)
        .collect()
}

fn in_group(e: &LogEntry, group: &str) -> bool {
    e.group.as_deref().is_none_or(|g| g == group)
}

pub(crate) fn sentinels(
    d: &Deployment,
    group: &str,
    w: &Window,
    entries: &[&LogEntry],
) -> Vec<SentinelLane> {
    // The sentinels that report the group, and any that published about it (a capture of
    // `events --json` knows them only so).
    let mut addrs: std::collections::BTreeSet<&Addr> = d
        .sentinels()
        .iter()
        .filter(|(_, s)| s.groups.contains_key(group))
        .map(|(a, _)| a)
        .collect();
    addrs.extend(
        entries
            .iter()
            .filter(|e| e.group.as_deref() == Some(group))
            .filter_map(|e| e.sentinel.as_ref()),
    );
    addrs
        .into_iter()
        .map(|addr| sentinel_lane(d, group, addr, entries, w))
        .collect()
}

fn sentinel_lane(
    d: &Deployment,
    group: &str,
    addr: &Addr,
    entries: &[&LogEntry],
    w: &Window,
) -> SentinelLane {
    let (mut tilt, mut gaps) = (Spans::new(), Spans::new());
    let mut marks = Vec::new();
    for e in entries {
        let own = e.source != Source::Sentinel && e.addr.as_ref() == Some(addr);
        let published = e.source == Source::Sentinel && e.sentinel.as_ref() == Some(addr);
        let detail = || format!("{} {}", e.event.name(), e.payload);
        if own {
            match e.own_event() {
                Some(OwnEvent::SentinelTilt) => tilt.start(e.ts, detail()),
                Some(OwnEvent::SentinelTiltExit) => tilt.end(e.ts),
                Some(
                    OwnEvent::EventsLinkDown
                    | OwnEvent::SentinelDown
                    | OwnEvent::SentinelUnresponsive,
                ) => gaps.start(e.ts, format!("not heard: {}", detail())),
                Some(
                    OwnEvent::EventsLinkUp | OwnEvent::SentinelUp | OwnEvent::SentinelResponsive,
                ) => gaps.end(e.ts),
                _ => {}
            }
        }
        if !published {
            continue;
        }
        match e.sentinel_event() {
            Some(SentinelEvent::Tilt) => tilt.start(e.ts, detail()),
            Some(SentinelEvent::TiltExit) => tilt.end(e.ts),
            _ => {}
        }
        if w.holds(e.ts)
            && in_group(e, group)
            && let Some((kind, label)) = sentinel_mark(d, e)
        {
            marks.push(w.mark(e, kind, label));
        }
    }
    SentinelLane {
        name: name_of(d, addr),
        addr: addr.clone(),
        marks,
        tilt: tilt.into_spans(w),
        gaps: gaps.into_spans(w),
    }
}

/// How a sentinel's event is drawn; None for the ones that say nothing about a failover.
fn sentinel_mark(d: &Deployment, e: &LogEntry) -> Option<(MarkKind, String)> {
    use SentinelEvent as S;
    let event = e.sentinel_event()?;
    let name = event.name().to_string();
    let about = || match &e.detail {
        EventDetail::Instance { instance, .. } if instance.kind != InstanceKind::Master => {
            format!(" {}", name_of(d, &instance.addr))
        }
        _ => String::new(),
    };
    let kind = match event {
        S::Sdown => return Some((MarkKind::Sdown, format!("{name}{}", about()))),
        S::SdownExit | S::OdownExit => {
            return Some((MarkKind::Cleared, format!("{name}{}", about())));
        }
        S::Odown => MarkKind::Odown,
        S::TryFailover => MarkKind::TryFailover,
        S::VoteForLeader => {
            let EventDetail::VoteForLeader { run_id, .. } = &e.detail else {
                return Some((MarkKind::Vote, "vote".into()));
            };
            return Some((MarkKind::Vote, format!("vote → {}", voted_for(d, run_id))));
        }
        S::ElectedLeader => MarkKind::Elected,
        S::FailoverStateSelectSlave
        | S::SelectedSlave
        | S::FailoverStateSendSlaveofNoone
        | S::FailoverStateWaitPromotion
        | S::PromotedSlave
        | S::FailoverStateReconfSlaves
        | S::SlaveReconfSent
        | S::SlaveReconfSentBe
        | S::SlaveReconfInprog
        | S::SlaveReconfDone => MarkKind::Step,
        S::SwitchMaster => MarkKind::SwitchMaster,
        S::FailoverEnd | S::FailoverEndForTimeout => MarkKind::FailoverEnd,
        S::FailoverAbortNotElected
        | S::FailoverAbortNoGoodSlave
        | S::FailoverAbortSlaveTimeout
        | S::FailoverAbortMasterTimeout
        | S::SlaveReconfSentTimeout => MarkKind::Abort,
        S::Tilt | S::TiltExit => MarkKind::Tilt,
        S::NewEpoch
        | S::ConvertToSlave
        | S::FixSlaveConfig
        | S::RoleChange
        | S::RoleChangeMismatch
        | S::Reboot
        | S::ConfigUpdateFrom
        | S::ResetMaster => MarkKind::Other,
        _ => return None,
    };
    Some((kind, format!("{name}{}", about())))
}

/// The sentinel a vote went to, by its run id: its name, else the id's first 8 characters.
fn voted_for(d: &Deployment, run_id: &str) -> String {
    d.sentinels()
        .iter()
        .find(|(_, s)| s.myid.as_deref() == Some(run_id) || s.run_id.as_deref() == Some(run_id))
        .map(|(addr, _)| addr)
        .or_else(|| candidate_with_id(d, run_id))
        .map(|addr| name_of(d, addr))
        .unwrap_or_else(|| run_id.chars().take(8).collect())
}

/// Without polls (a capture of the log), the sentinel that owns a run id is the candidate that
/// voted for it: a sentinel that tries a failover votes for itself first (sentinel.c:
/// `sentinelAskMasterStateToOtherSentinels` after `sentinelVoteLeader` for its own id).
fn candidate_with_id<'a>(d: &'a Deployment, run_id: &str) -> Option<&'a Addr> {
    let log = d.log();
    let tried = |s: &Addr| {
        log.entries()
            .any(|e| e.sentinel.as_ref() == Some(s) && e.is(SentinelEvent::TryFailover))
    };
    log.entries()
        .filter(
            |e| matches!(&e.detail, EventDetail::VoteForLeader { run_id: r, .. } if r == run_id),
        )
        .filter_map(|e| e.sentinel.as_ref())
        .find(|s| tried(s))
}

/// The group's nodes: the old master, the new one, then the rest as the view lists them.
pub(crate) fn nodes(
    d: &Deployment,
    group: &str,
    w: &Window,
    entries: &[&LogEntry],
    masters: [&Option<Addr>; 2],
    now: Millis,
) -> Vec<NodeLane> {
    let view = d.view(group, now);
    let mut addrs: Vec<Addr> = masters.into_iter().flatten().cloned().collect();
    for a in view
        .master
        .iter()
        .chain(view.replicas.iter())
        .map(|n| n.addr.clone())
    {
        if !addrs.contains(&a) {
            addrs.push(a);
        }
    }
    if view.master.is_none() {
        // Nothing polled (a capture of `events --json`): the nodes the sentinels named.
        for e in entries.iter().filter(|e| e.group.as_deref() == Some(group)) {
            if let EventDetail::Instance { instance, .. } = &e.detail
                && instance.kind != InstanceKind::Sentinel
                && !addrs.contains(&instance.addr)
            {
                addrs.push(instance.addr.clone());
            }
        }
    }
    addrs
        .iter()
        .map(|a| node_lane(d, a, masters, entries, w))
        .collect()
}

fn node_lane(
    d: &Deployment,
    addr: &Addr,
    masters: [&Option<Addr>; 2],
    entries: &[&LogEntry],
    w: &Window,
) -> NodeLane {
    let readings: Vec<_> = d
        .trail()
        .readings(addr)
        .filter(|r| w.holds(r.at))
        .copied()
        .collect();
    let roles = if readings.is_empty() {
        roles_from_log(addr, masters, entries, w)
    } else {
        roles_from_readings(&readings, w)
    };
    let lag = readings
        .iter()
        .filter_map(|r| {
            r.lag_bytes.map(|bytes| LagPoint {
                at_ms: w.ms(r.at),
                bytes,
            })
        })
        .collect();
    let about: Vec<&&LogEntry> = entries
        .iter()
        .filter(|e| e.source != Source::Sentinel && e.addr.as_ref() == Some(addr))
        .collect();
    let marks = about
        .iter()
        .filter(|e| w.holds(e.ts))
        .filter_map(|e| {
            let kind = match e.own_event()? {
                OwnEvent::RoleChange => MarkKind::Role,
                OwnEvent::LinkDown
                | OwnEvent::LinkUp
                | OwnEvent::ContainerDie
                | OwnEvent::ContainerRestart
                | OwnEvent::ContainerOom => MarkKind::Other,
                _ => return None,
            };
            Some(w.mark(e, kind, e.event.name().to_string()))
        })
        .collect();
    NodeLane {
        name: name_of(d, addr),
        addr: addr.clone(),
        roles,
        conditions: conditions(&about, w),
        lag,
        marks,
    }
}

/// The role as the node reported it: one span per stretch of readings with the same role.
fn roles_from_readings(readings: &[crate::state::trail::Reading], w: &Window) -> Vec<RoleSpan> {
    let mut spans: Vec<(Millis, Millis, Role)> = Vec::new();
    for r in readings {
        match spans.last_mut() {
            Some((_, to, role)) if *role == r.role && r.at - *to <= READINGS_APART_MS => {
                *to = r.at;
            }
            _ => spans.push((r.at, r.at, r.role)),
        }
    }
    spans
        .into_iter()
        .map(|(from, to, role)| RoleSpan {
            from_ms: w.ms(from),
            to_ms: Some(w.ms(to)),
            role,
        })
        .collect()
}

/// Without readings (an `events --json` capture): the old master is master, the others
/// replicas, until a role change or `+switch-master` says otherwise.
fn roles_from_log(
    addr: &Addr,
    [old, new]: [&Option<Addr>; 2],
    entries: &[&LogEntry],
    w: &Window,
) -> Vec<RoleSpan> {
    let first = if old.as_ref() == Some(addr) {
        Role::Master
    } else {
        Role::Replica
    };
    let mut changes = vec![(w.from, first)];
    for e in entries.iter().filter(|e| w.holds(e.ts)) {
        let role = match (&e.detail, e.own_event()) {
            (_, Some(OwnEvent::RoleChange)) if e.addr.as_ref() == Some(addr) => {
                let Some(role) = role_taken(e) else { continue };
                role
            }
            (EventDetail::SwitchMaster { old: o, new: n, .. }, _) => {
                if n == addr && new.as_ref() == Some(addr) {
                    Role::Master
                } else if o == addr {
                    Role::Replica
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        if changes.last().is_some_and(|(_, r)| *r != role) {
            changes.push((e.ts, role));
        }
    }
    let ends: Vec<Option<Millis>> = changes.iter().skip(1).map(|(t, _)| Some(*t)).collect();
    changes
        .iter()
        .zip(ends.into_iter().chain(std::iter::once(None)))
        .map(|((from, role), to)| RoleSpan {
            from_ms: w.ms(*from),
            to_ms: to.map(|t| w.ms(t)),
            role: *role,
        })
        .collect()
}

/// The role a node took by its `role-change` entry, read off the payload as the model writes
/// it (`master -> replica of 127.0.0.1:6380`, state/apply.rs): a capture of the log keeps no
/// more. None for any other entry.
pub(crate) fn role_taken(e: &LogEntry) -> Option<Role> {
    if !e.is(OwnEvent::RoleChange) {
        return None;
    }
    let to = e.payload.rsplit(" -> ").next()?;
    if to.starts_with("master") {
        Some(Role::Master)
    } else if to.starts_with("replica") {
        Some(Role::Replica)
    } else {
        None
    }
}

/// What a fault's log line says it did, by its first word (`paused 127.0.0.1:6379 (pid …)`).
fn fault_condition(payload: &str) -> Option<Condition> {
    let word = payload.split_whitespace().next()?;
    Some(match word {
        "paused" | "froze" => Condition::Paused,
        "stopped" | "killed" => Condition::Stopped,
        "partitioned" => Condition::Partitioned,
        _ => return None,
    })
}

/// Paused, stopped, partitioned, down, unresponsive and write-paused stretches of a node,
/// from sentui's faults, the engine's events and what sentui saw.
fn conditions(about: &[&&LogEntry], w: &Window) -> Vec<ConditionSpan> {
    use Condition as C;
    let all = [
        C::Paused,
        C::Stopped,
        C::Partitioned,
        C::Down,
        C::Unresponsive,
        C::WritesPaused,
    ];
    let mut open: Vec<(C, Spans)> = all.iter().map(|c| (*c, Spans::new())).collect();
    for e in about {
        let detail = format!("{} {}", e.event.name(), e.payload);
        let (starts, ends): (Option<C>, &[C]) = match e.own_event() {
            Some(OwnEvent::Fault) => (fault_condition(&e.payload), &[]),
            Some(OwnEvent::FaultCleared) => (None, &[C::Paused, C::Stopped, C::Partitioned]),
            Some(OwnEvent::ContainerPause) => (Some(C::Paused), &[]),
            Some(OwnEvent::ContainerUnpause) => (None, &[C::Paused]),
            Some(OwnEvent::ContainerStop | OwnEvent::ContainerDie | OwnEvent::ContainerKill) => {
                (Some(C::Stopped), &[])
            }
            Some(OwnEvent::ContainerStart | OwnEvent::ContainerRestart) => (None, &[C::Stopped]),
            Some(OwnEvent::NetworkDisconnect) => (Some(C::Partitioned), &[]),
            Some(OwnEvent::NetworkConnect) => (None, &[C::Partitioned]),
            Some(OwnEvent::NodeDown) => (Some(C::Down), &[]),
            Some(OwnEvent::NodeUp) => (None, &[C::Down, C::Unresponsive]),
            Some(OwnEvent::NodeUnresponsive) => (Some(C::Unresponsive), &[]),
            Some(OwnEvent::NodeResponsive) => (None, &[C::Unresponsive]),
            Some(OwnEvent::WritesPaused) => (Some(C::WritesPaused), &[]),
            Some(OwnEvent::WritesResumed) => (None, &[C::WritesPaused]),
            _ => (None, &[]),
        };
        for (c, spans) in open.iter_mut() {
            if ends.contains(c) {
                spans.end(e.ts);
            }
            if starts == Some(*c) {
                spans.start(e.ts, detail.clone());
            }
        }
    }
    let mut out: Vec<ConditionSpan> = open
        .into_iter()
        .flat_map(|(condition, spans)| {
            spans.into_spans(w).into_iter().map(move |s| ConditionSpan {
                from_ms: s.from_ms,
                to_ms: s.to_ms,
                condition,
                detail: s.detail,
            })
        })
        .collect();
    out.sort_by_key(|s| s.from_ms);
    out
}

/// The probe's writes per 100 ms and its own moments; None when no probe wrote to the group.
pub(crate) fn probe(d: &Deployment, group: &str, w: &Window) -> Option<ProbeLane> {
    let p = d.probe().filter(|p| p.group == group)?;
    let buckets: Vec<Bucket> = d
        .trail()
        .writes()
        .filter(|b| w.holds(b.start))
        .map(|b| Bucket {
            at_ms: w.ms(b.start),
            acked: b.acked,
            failed: b.failed,
            refused: b.refused,
            max_latency_ms: b.max_latency_ms,
        })
        .collect();
    let marks = d
        .log()
        .entries()
        .filter(|e| w.holds(e.ts) && e.group.as_deref() == Some(group))
        .filter_map(|e| {
            let kind = match e.own_event()? {
                OwnEvent::ProbeUnavailable => MarkKind::Abort,
                OwnEvent::ProbeAvailable => MarkKind::FailoverEnd,
                OwnEvent::ProbeMaster => MarkKind::SwitchMaster,
                OwnEvent::ProbeStarted | OwnEvent::ProbeReadback | OwnEvent::ProbeStopped => {
                    MarkKind::Other
                }
                _ => return None,
            };
            Some(w.mark(e, kind, e.event.name().to_string()))
        })
        .collect();
    Some(ProbeLane {
        rate: p.rate,
        buckets,
        marks,
    })
}

/// sentui's own actions on the group: faults, their undoing, failovers asked for.
pub(crate) fn faults(d: &Deployment, group: &str, w: &Window) -> Vec<Mark> {
    d.log()
        .entries()
        .filter(|e| w.holds(e.ts) && e.group.as_deref() == Some(group))
        .filter_map(|e| {
            let kind = match e.own_event()? {
                OwnEvent::Fault => MarkKind::Fault,
                OwnEvent::FaultCleared => MarkKind::Undo,
                OwnEvent::ManualFailover | OwnEvent::CoordinatedFailover => MarkKind::Asked,
                _ => return None,
            };
            let label = match kind {
                MarkKind::Fault | MarkKind::Undo => e
                    .payload
                    .split_whitespace()
                    .next()
                    .unwrap_or("fault")
                    .to_string(),
                _ => e.event.name().to_string(),
            };
            Some(w.mark(e, kind, label))
        })
        .collect()
}
