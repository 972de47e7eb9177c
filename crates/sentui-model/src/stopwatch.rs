//! The failover stopwatch: a stopwatch of attempts. Each master group's log entries are turned
//! into failover attempts, each with the time of its phases.
//!
//! An attempt is a group, an epoch (the one its sentinel started with `+new-epoch` before
//! `+try-failover`) and a leader: a forced failover asks no votes, so its epoch may never
//! reach the other sentinels and the next attempt, led by another one, can carry the same
//! number. It ends with `+failover-end` (completed), any `-failover-abort-*` or
//! `+failover-end-for-timeout` (aborted), its leader lost (seen down, or another sentinel
//! trying after the election), an attempt in a newer epoch (superseded), or twice the group's
//! failover-timeout without an end (abandoned). One the sentinels published `+switch-master`
//! for changed the master: it is completed whatever closed it ("end not seen"). Before an epoch is known, the signs of trouble (the fault sentui
//! injected, the master unresponsive, `+sdown`/`+odown` of the master) gather in the attempt
//! they lead to; a master that answers again before any attempt ends them (recovered). Signs
//! that come after the master answered again, while an old attempt is still open, start a new
//! failover of their own: attempts are never merged. Pure: it only sees log entries and time.

use super::Millis;
use super::addr::Addr;
pub use super::attempt::{Failover, Outcome, Phase, PhaseMark, fmt_secs};
use super::event::{EventDetail, InstanceKind, SentinelEvent};
use super::log::{LogEntry, OwnEvent, Source};
use std::collections::VecDeque;

mod kind;

/// A new attempt, from its first sign `e`.
fn begin(group: &str, master: Option<&Addr>, e: &LogEntry) -> Failover {
    Failover {
        group: group.to_string(),
        epoch: None,
        leader: None,
        tried_by: Vec::new(),
        old_master: master.cloned().or_else(|| e.addr.clone()),
        new_master: None,
        started_at: e.ts,
        marks: Vec::new(),
        outcome: None,
        ended_at: None,
        end_not_seen: None,
        master_back: false,
        coordinated: false,
        note: None,
        lost: Vec::new(),
    }
}

/// Adds the mark `e` makes to `f`; the first report of a phase is kept, unless `keep_last`.
fn set(f: &mut Failover, phase: Phase, e: &LogEntry, keep_last: bool) {
    let by = match (&e.source, &e.sentinel) {
        (Source::Sentinel, Some(s)) => s.to_string(),
        (Source::Sentinel, None) => "sentinel".into(),
        (Source::Sentui, _) => "sentui".into(),
        (Source::Docker, _) => "docker".into(),
    };
    let mark = PhaseMark {
        phase,
        at: e.ts,
        by,
        detail: e.payload.clone(),
    };
    f.started_at = f.started_at.min(e.ts);
    match f.marks.iter_mut().find(|m| m.phase == phase) {
        Some(m) if keep_last => *m = mark,
        Some(_) => {}
        None => f.marks.push(mark),
    }
}

/// How a log entry bears on the stopwatch.
enum Role {
    /// A sign of trouble with the master, before any sentinel tries.
    Sign(Phase),
    /// The master answered again (sentui's probe, or a sentinel's `-sdown`/`-odown`).
    MasterBack {
        by_probe: bool,
    },
    TryFailover,
    /// Published by the leader of an attempt only.
    Leader(LeaderEvent),
    SwitchMaster,
    ReplicaReconfigured,
    /// The attempt is a coordinated one (Valkey 9).
    Coordinated,
}

enum LeaderEvent {
    Elected,
    SelectedReplica,
    Promoted,
    /// `+failover-state-*`: progress, not a phase of its own.
    State,
    End,
    EndForTimeout,
    Abort(String),
}

fn role(e: &LogEntry, about_master: bool) -> Option<Role> {
    if let Some(own) = e.own_event() {
        return match own {
            OwnEvent::Fault
            | OwnEvent::ManualFailover
            | OwnEvent::ContainerPause
            | OwnEvent::ContainerStop
                if about_master =>
            {
                Some(Role::Sign(Phase::Fault))
            }
            OwnEvent::NodeUnresponsive if about_master => Some(Role::Sign(Phase::Unresponsive)),
            OwnEvent::NodeResponsive if about_master => Some(Role::MasterBack { by_probe: true }),
            OwnEvent::CoordinatedFailover => Some(Role::Coordinated),
            _ => None,
        };
    }
    let event = e.sentinel_event()?;
    if let Some(reason) = event.abort_explained() {
        return Some(Role::Leader(LeaderEvent::Abort(reason)));
    }
    let master_instance = e.detail.instance().map(|i| i.kind) == Some(InstanceKind::Master);
    Some(match event {
        SentinelEvent::Sdown if master_instance => Role::Sign(Phase::Sdown),
        SentinelEvent::Odown if master_instance => Role::Sign(Phase::Odown),
        SentinelEvent::SdownExit | SentinelEvent::OdownExit if master_instance => {
            Role::MasterBack { by_probe: false }
        }
        SentinelEvent::TryFailover => Role::TryFailover,
        SentinelEvent::ElectedLeader => Role::Leader(LeaderEvent::Elected),
        SentinelEvent::SelectedSlave => Role::Leader(LeaderEvent::SelectedReplica),
        SentinelEvent::PromotedSlave => Role::Leader(LeaderEvent::Promoted),
        SentinelEvent::FailoverEnd => Role::Leader(LeaderEvent::End),
        SentinelEvent::FailoverEndForTimeout => Role::Leader(LeaderEvent::EndForTimeout),
        SentinelEvent::SwitchMaster => Role::SwitchMaster,
        SentinelEvent::SlaveReconfDone => Role::ReplicaReconfigured,
        e if e.is_failover_state() => Role::Leader(LeaderEvent::State),
        _ => return None,
    })
}

/// Finished attempts kept per group (the newest last).
const KEEP_FINISHED: usize = 16;
/// Sentinel retries twice the failover-timeout after an attempt started, plus up to a second of
/// random desync (SENTINEL_MAX_DESYNC): a retry that comes in that second supersedes the
/// attempt rather than finding it abandoned (captured retries came 20.2 s and 20.5 s after a
/// 10 s timeout's try).
const RETRY_DESYNC_MS: Millis = 2_000;
/// How long an attempt that ended waits for a first `+switch-master` before it closes anyway.
const SWITCH_GRACE_MS: Millis = 5_000;

/// The attempts of one master group: the one running, the signs of a newer failover gathered
/// meanwhile, and the finished ones.
#[derive(Clone, Debug, Default)]
pub struct Stopwatch {
    /// The attempt under way (or the signs of trouble before a sentinel tried).
    pub current: Option<Failover>,
    /// Signs of a new failover that came after the master answered again while `current` (an
    /// attempt whose leader went silent) was still open.
    pub next: Option<Failover>,
    /// Finished attempts, the newest last.
    pub finished: VecDeque<Failover>,
    /// The group's down-after-milliseconds as its sentinels report it: the evidence a
    /// failback's note gives.
    pub down_after_ms: Option<Millis>,
}

impl Stopwatch {
    /// The failover running now: the newest one with signs of trouble.
    pub fn running(&self) -> Option<&Failover> {
        self.next.as_ref().or(self.current.as_ref())
    }

    /// The failover to show: the last completed or aborted one stays until a newer attempt
    /// starts (a sentinel tried, the master is `+odown`, or sentui injected a fault); a blip
    /// (signs of trouble the master recovered from) is a note under it, not a replacement.
    /// With nothing measured yet, the signs gathering now; None when only blips were seen.
    pub fn shown(&self) -> Option<&Failover> {
        let measured = self.finished.iter().rev().find(|f| f.measured());
        match self.running() {
            Some(r) if r.started() || measured.is_none() => Some(r),
            _ => measured,
        }
    }

    /// What came after the shown failover (or, with none, since sentui started) without
    /// replacing it: the newest blip the master recovered from, or the signs gathering now.
    pub fn note(&self) -> Option<&Failover> {
        let shown = self.shown();
        let newer = |f: &&Failover| shown.is_none_or(|s| f.started_at >= s.started_at && *f != s);
        self.running()
            .filter(newer)
            .or_else(|| self.finished.iter().rev().find(newer))
    }

    /// The last finished attempt.
    pub fn last(&self) -> Option<&Failover> {
        self.finished.back()
    }

    /// Every attempt, finished ones first, then the running ones.
    pub fn all(&self) -> impl Iterator<Item = &Failover> {
        self.finished
            .iter()
            .chain(self.current.iter())
            .chain(self.next.iter())
    }

    /// Feeds one log entry about this group. `master` is the group's master before the entry;
    /// `sentinel_epoch` the current epoch of the sentinel that published it (from its
    /// `+new-epoch` and votes). Returns the attempts this entry finished.
    pub fn observe(
        &mut self,
        group: &str,
        master: Option<&Addr>,
        e: &LogEntry,
        sentinel_epoch: Option<u64>,
    ) -> Vec<Failover> {
        let about_master = master.is_none() || e.addr.as_ref() == master;
        let mut finished = Vec::new();
        let Some(role) = role(e, about_master) else {
            return finished;
        };
        match role {
            Role::Sign(phase) => self.sign(group, master, phase, e),
            Role::MasterBack { by_probe } => {
                if let Some(f) = self.master_back(by_probe, e.ts) {
                    finished.push(f);
                }
            }
            Role::TryFailover => {
                if let Some(a) = self.enter_epoch(group, master, sentinel_epoch, e, &mut finished) {
                    set(a, Phase::TryFailover, e, false);
                }
            }
            Role::Leader(ev) => {
                self.leader_event(group, master, ev, e, sentinel_epoch, &mut finished)
            }
            Role::SwitchMaster => {
                if let Some(a) = self.current.as_mut() {
                    if let EventDetail::SwitchMaster { new, .. } = &e.detail {
                        a.new_master = Some(new.clone());
                    }
                    set(a, Phase::SwitchMaster, e, false);
                    // The leader's own +failover-end can come first: the attempt waited for it.
                    if a.mark(Phase::FailoverEnd).is_some() {
                        finished.extend(self.finish_current(Outcome::Completed, e.ts));
                    }
                }
            }
            Role::ReplicaReconfigured => {
                if let Some(a) = self.current.as_mut().filter(|a| a.tried()) {
                    set(a, Phase::ReplicasReconfigured, e, true);
                }
            }
            Role::Coordinated => kind::coordinated(self, group, master, e),
        }
        finished
    }

    /// Time passed: an attempt open for twice the failover-timeout since a sentinel tried is
    /// abandoned (Sentinel itself retries then); one that ended without any `+switch-master`
    /// is closed once no late one can come.
    pub fn tick(&mut self, now: Millis, failover_timeout_ms: Millis) -> Vec<Failover> {
        let Some(a) = self.current.as_ref().filter(|a| a.tried()) else {
            return Vec::new();
        };
        if let Some(end) = a.mark(Phase::FailoverEnd).map(|m| m.at) {
            if now.saturating_sub(end) < SWITCH_GRACE_MS {
                return Vec::new();
            }
            return self
                .finish_current(Outcome::Completed, end)
                .into_iter()
                .collect();
        }
        let tried_at = a
            .mark(Phase::TryFailover)
            .or(a.mark(Phase::Elected))
            .map(|m| m.at)
            .unwrap_or(a.started_at);
        let limit = failover_timeout_ms.saturating_mul(2);
        if now.saturating_sub(tried_at) < limit + RETRY_DESYNC_MS {
            return Vec::new();
        }
        let reason = format!(
            "abandoned: no end within {} (twice the failover-timeout)",
            fmt_secs(limit)
        );
        self.finish_current(Outcome::Aborted(reason), now)
            .into_iter()
            .collect()
    }

    fn sign(&mut self, group: &str, master: Option<&Addr>, phase: Phase, e: &LogEntry) {
        let fresh = self.begin(group, master, e);
        let target = match self.current.as_mut() {
            None => self.current.insert(fresh),
            Some(c) if !c.master_back => c,
            Some(_) => self.next.get_or_insert(fresh),
        };
        set(target, phase, e, false);
    }

    /// The master answers again. Signs without an attempt end as recovered (sentui's probe
    /// counts only before `+odown`: after it, the sentinels decide); an attempt stays open
    /// (its leader may still go on), but new signs will start a new failover.
    fn master_back(&mut self, by_probe: bool, at: Millis) -> Option<Failover> {
        let recovers = |f: &Failover| !f.tried() && (!by_probe || f.mark(Phase::Odown).is_none());
        if let Some(n) = self.next.as_mut() {
            if recovers(n) {
                let mut n = self.next.take()?;
                n.outcome = Some(Outcome::Recovered);
                n.ended_at = Some(at);
                self.remember(n.clone());
                return Some(n);
            }
            n.master_back = true;
            return None;
        }
        let c = self.current.as_mut()?;
        if recovers(c) {
            return self.finish_current(Outcome::Recovered, at);
        }
        c.master_back = true;
        None
    }

    /// A sentinel tries (or is elected) in `epoch`: an open attempt of an older epoch is
    /// superseded, one whose leader this is not is over (leader lost), and the signs gathered
    /// since become this attempt. Returns the attempt of this epoch and sentinel (None when the
    /// event belongs to an attempt older than the running one).
    fn enter_epoch(
        &mut self,
        group: &str,
        master: Option<&Addr>,
        epoch: Option<u64>,
        e: &LogEntry,
        finished: &mut Vec<Failover>,
    ) -> Option<&mut Failover> {
        if let Some(c) = self.current.as_ref().filter(|c| c.tried()) {
            match (epoch, c.epoch) {
                (Some(ep), Some(ce)) if ep < ce => return None,
                (Some(ep), Some(ce)) if ep > ce => {
                    let reason = format!("superseded by epoch {ep}");
                    finished.extend(self.finish_current(Outcome::Aborted(reason), e.ts));
                }
                _ if !c.led_by(e.sentinel.as_ref(), e.ts) => {
                    let by = e
                        .sentinel
                        .as_ref()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    let reason = format!("leader lost: {by} tried after it");
                    finished.extend(self.finish_current(Outcome::Aborted(reason), e.ts));
                }
                _ => {}
            }
        }
        if self.current.is_none() {
            let next = self.next.take();
            self.current = Some(next.unwrap_or_else(|| self.begin(group, master, e)));
        }
        let c = self.current.as_mut()?;
        if c.epoch.is_none() {
            c.epoch = epoch;
        }
        if let Some(s) = e.sentinel.as_ref().filter(|s| !c.tried_by.contains(s)) {
            c.tried_by.push(s.clone());
        }
        Some(c)
    }

    /// A sentinel is seen down (sentui lost it, or a peer published `+sdown sentinel`): the
    /// open attempt it leads is over, and so is one whose candidates are all down before any
    /// was elected. Returns the attempt it finished.
    pub fn sentinel_down(&mut self, sentinel: &Addr, e: &LogEntry) -> Option<Failover> {
        let c = self.current.as_mut().filter(|c| c.tried())?;
        let lost = match &c.leader {
            Some(l) => l == sentinel,
            None if c.tried_by.contains(sentinel) => {
                if !c.lost.contains(sentinel) {
                    c.lost.push(sentinel.clone());
                }
                c.tried_by.iter().all(|t| c.lost.contains(t))
            }
            None => false,
        };
        if !lost {
            return None;
        }
        let reason = format!("leader lost: {sentinel} seen down");
        self.finish_current(Outcome::Aborted(reason), e.ts)
    }

    fn leader_event(
        &mut self,
        group: &str,
        master: Option<&Addr>,
        ev: LeaderEvent,
        e: &LogEntry,
        sentinel_epoch: Option<u64>,
        finished: &mut Vec<Failover>,
    ) {
        let from = e.sentinel.clone();
        // An election opens the attempt it belongs to (its +try-failover may have been missed);
        // other leader events only go to an attempt already open.
        let attempt = match ev {
            LeaderEvent::Elected => self.enter_epoch(group, master, sentinel_epoch, e, finished),
            _ => {
                let Some(c) = self.current.as_mut() else {
                    return;
                };
                // A lagging leader of an older epoch never writes into the running attempt.
                let older = matches!((c.epoch, sentinel_epoch), (Some(ce), Some(se)) if se < ce);
                if older && c.leader != from {
                    return;
                }
                // Nor does a sentinel that is not its leader nor one of its candidates.
                let stranger = from.as_ref().is_some_and(|f| !c.candidate(f));
                if stranger && !matches!(ev, LeaderEvent::Abort(_)) {
                    return;
                }
                Some(c)
            }
        };
        let Some(a) = attempt else { return };
        match ev {
            LeaderEvent::Elected => {
                a.leader = from;
                set(a, Phase::Elected, e, false);
            }
            LeaderEvent::SelectedReplica => {
                a.new_master = e.addr.clone();
                set(a, Phase::SelectedReplica, e, false);
            }
            LeaderEvent::Promoted => set(a, Phase::Promoted, e, false),
            LeaderEvent::State => {}
            LeaderEvent::End => {
                set(a, Phase::FailoverEnd, e, false);
                // Sentinels publish +switch-master as they learn the new config; the leader's
                // own comes after its +failover-end, in the same millisecond or later. The
                // attempt closes at its first one (or after a grace without any).
                if a.mark(Phase::SwitchMaster).is_some() {
                    finished.extend(self.finish_current(Outcome::Completed, e.ts));
                }
            }
            LeaderEvent::EndForTimeout => {
                let reason = Outcome::Aborted("failover timed out".into());
                finished.extend(self.finish_current(reason, e.ts));
            }
            LeaderEvent::Abort(reason) => {
                // A sentinel that lost the election in the epoch another one won says so
                // later: the attempt goes on under the winner.
                if a.leader.is_some() && a.leader != from {
                    return;
                }
                finished.extend(self.finish_current(Outcome::Aborted(reason), e.ts));
            }
        }
    }

    /// Ends the current attempt; the signs gathered meanwhile become the current one. An
    /// attempt the sentinels published `+switch-master` for changed the master: whatever closes
    /// it, it completed (at its first `+switch-master`), the reason kept as the end not seen.
    fn finish_current(&mut self, outcome: Outcome, at: Millis) -> Option<Failover> {
        let mut f = self.current.take()?;
        match (outcome, f.mark(Phase::SwitchMaster).map(|m| m.at)) {
            (Outcome::Aborted(why), Some(switched)) => {
                f.outcome = Some(Outcome::Completed);
                f.end_not_seen = Some(why);
                f.ended_at = Some(switched);
            }
            (outcome, _) => {
                f.outcome = Some(outcome);
                f.ended_at = Some(at);
            }
        }
        self.current = self.next.take();
        self.remember(f.clone());
        Some(f)
    }

    fn remember(&mut self, f: Failover) {
        if self.finished.len() == KEEP_FINISHED {
            self.finished.pop_front();
        }
        self.finished.push_back(f);
    }
}

#[cfg(test)]
mod tests;
