//! The failover stopwatch: a stopwatch of attempts. Each master group's log entries are turned
//! into failover attempts, each with the time of its phases.
//!
//! An attempt belongs to a group and an epoch (the one its sentinel started with
//! `+new-epoch` before `+try-failover`). It ends with `+failover-end` (completed), any
//! `-failover-abort-*` or `+failover-end-for-timeout` (aborted), an attempt in a newer epoch
//! (superseded), or twice the group's failover-timeout without an end (abandoned: the leader
//! crashed or never said). Before an epoch is known, the signs of trouble (the fault sentui
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

/// A new attempt, from its first sign `e`.
fn begin(group: &str, master: Option<&Addr>, e: &LogEntry) -> Failover {
    Failover {
        group: group.to_string(),
        epoch: None,
        leader: None,
        old_master: master.cloned().or_else(|| e.addr.clone()),
        new_master: None,
        started_at: e.ts,
        marks: Vec::new(),
        outcome: None,
        ended_at: None,
        master_back: false,
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
            _ => None,
        };
    }
    let event = e.sentinel_event()?;
    if let Some(reason) = event.abort_reason() {
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
}

impl Stopwatch {
    /// The failover running now: the newest one with signs of trouble.
    pub fn running(&self) -> Option<&Failover> {
        self.next.as_ref().or(self.current.as_ref())
    }

    /// The failover to show: the running one, else the last finished one.
    pub fn shown(&self) -> Option<&Failover> {
        self.running().or(self.last())
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
        let target = match self.current.as_mut() {
            None => self.current.insert(begin(group, master, e)),
            Some(c) if !c.master_back => c,
            Some(_) => self.next.get_or_insert_with(|| begin(group, master, e)),
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

    /// A sentinel tries in `epoch`: an open attempt of an older epoch is superseded, and the
    /// signs gathered since become this attempt. Returns the attempt of this epoch (None when
    /// the event belongs to an attempt older than the running one).
    fn enter_epoch(
        &mut self,
        group: &str,
        master: Option<&Addr>,
        epoch: Option<u64>,
        e: &LogEntry,
        finished: &mut Vec<Failover>,
    ) -> Option<&mut Failover> {
        if let (Some(ep), Some(c)) = (epoch, self.current.as_ref())
            && let Some(ce) = c.epoch
        {
            if ep < ce {
                return None;
            }
            if ep > ce {
                let reason = format!("superseded by epoch {ep}");
                finished.extend(self.finish_current(Outcome::Aborted(reason), e.ts));
            }
        }
        if self.current.is_none() {
            self.current = Some(self.next.take().unwrap_or_else(|| begin(group, master, e)));
        }
        let c = self.current.as_mut()?;
        if c.epoch.is_none() {
            c.epoch = epoch;
        }
        Some(c)
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

    /// Ends the current attempt; the signs gathered meanwhile become the current one.
    fn finish_current(&mut self, outcome: Outcome, at: Millis) -> Option<Failover> {
        let mut f = self.current.take()?;
        f.outcome = Some(outcome);
        f.ended_at = Some(at);
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
mod tests {
    use super::*;

    fn s(ts: Millis, sentinel: &str, event: SentinelEvent, payload: &str) -> LogEntry {
        LogEntry::new(ts, Source::Sentinel, event.name(), payload)
            .from_sentinel(sentinel.parse().unwrap())
    }

    #[test]
    fn a_brief_freeze_is_a_recovery_not_a_failover() {
        let m: Addr = "127.0.0.1:1".parse().unwrap();
        let mut sw = Stopwatch::default();
        let un = LogEntry::own(100, OwnEvent::NodeUnresponsive, "").about(m.clone());
        sw.observe("g", Some(&m), &un, None);
        assert!(sw.current.is_some());
        let back = LogEntry::own(600, OwnEvent::NodeResponsive, "").about(m.clone());
        let done = sw.observe("g", Some(&m), &back, None);
        assert_eq!(done[0].outcome, Some(Outcome::Recovered));
        assert!(sw.current.is_none());
    }

    #[test]
    fn unresponsive_replica_does_not_start_a_failover() {
        let m: Addr = "127.0.0.1:1".parse().unwrap();
        let r: Addr = "127.0.0.1:2".parse().unwrap();
        let mut sw = Stopwatch::default();
        sw.observe(
            "g",
            Some(&m),
            &LogEntry::own(1, OwnEvent::NodeUnresponsive, "").about(r),
            None,
        );
        sw.observe(
            "g",
            Some(&m),
            &s(
                2,
                "127.0.0.1:9",
                SentinelEvent::Sdown,
                "slave 127.0.0.1:2 127.0.0.1 2 @ g 127.0.0.1 1",
            ),
            None,
        );
        assert!(sw.current.is_none());
    }

    #[test]
    fn abort_ends_the_failover() {
        let mut sw = Stopwatch::default();
        let odown = s(
            1,
            "127.0.0.1:9",
            SentinelEvent::Odown,
            "master g 127.0.0.1 1 #quorum 2/2",
        );
        sw.observe("g", None, &odown, None);
        let abort = s(
            9,
            "127.0.0.1:9",
            SentinelEvent::FailoverAbortNoGoodSlave,
            "master g 127.0.0.1 1",
        );
        let f = sw.observe("g", None, &abort, Some(1));
        assert_eq!(f[0].outcome, Some(Outcome::Aborted("no good slave".into())));
    }

    #[test]
    fn an_attempt_with_no_end_is_abandoned_after_twice_the_failover_timeout() {
        let mut sw = Stopwatch::default();
        let try_ = s(
            1_000,
            "127.0.0.1:9",
            SentinelEvent::TryFailover,
            "master g 127.0.0.1 1",
        );
        sw.observe("g", None, &try_, Some(3));
        assert!(sw.tick(22_999, 10_000).is_empty());
        let f = sw.tick(23_000, 10_000);
        assert_eq!(f[0].epoch, Some(3));
        assert!(matches!(&f[0].outcome, Some(Outcome::Aborted(r)) if r.starts_with("abandoned")));
        assert!(sw.current.is_none());
    }

    #[test]
    fn a_loser_of_the_election_does_not_end_the_winners_attempt() {
        let mut sw = Stopwatch::default();
        let (a, b) = ("127.0.0.1:9", "127.0.0.1:8");
        sw.observe(
            "g",
            None,
            &s(1, a, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
            Some(2),
        );
        sw.observe(
            "g",
            None,
            &s(2, b, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
            Some(2),
        );
        sw.observe(
            "g",
            None,
            &s(3, a, SentinelEvent::ElectedLeader, "master g 127.0.0.1 1"),
            Some(2),
        );
        let lost = s(
            9,
            b,
            SentinelEvent::FailoverAbortNotElected,
            "master g 127.0.0.1 1",
        );
        assert!(sw.observe("g", None, &lost, Some(2)).is_empty());
        let switch = s(
            10,
            b,
            SentinelEvent::SwitchMaster,
            "g 127.0.0.1 1 127.0.0.1 2",
        );
        assert!(sw.observe("g", None, &switch, Some(2)).is_empty());
        let end = s(10, a, SentinelEvent::FailoverEnd, "master g 127.0.0.1 1");
        let f = sw.observe("g", None, &end, Some(2));
        assert_eq!(f[0].outcome, Some(Outcome::Completed));
        assert_eq!(f[0].leader, Some(a.parse().unwrap()));
    }

    #[test]
    fn a_failover_end_before_any_switch_master_waits_for_the_first_one() {
        let mut sw = Stopwatch::default();
        let a = "127.0.0.1:9";
        sw.observe(
            "g",
            None,
            &s(1, a, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
            Some(1),
        );
        sw.observe(
            "g",
            None,
            &s(2, a, SentinelEvent::ElectedLeader, "master g 127.0.0.1 1"),
            Some(1),
        );
        let end = s(900, a, SentinelEvent::FailoverEnd, "master g 127.0.0.1 1");
        assert!(sw.observe("g", None, &end, Some(1)).is_empty());
        let switch = s(
            900,
            a,
            SentinelEvent::SwitchMaster,
            "g 127.0.0.1 1 127.0.0.1 2",
        );
        let f = sw.observe("g", None, &switch, Some(1));
        assert_eq!(f[0].outcome, Some(Outcome::Completed));
        assert_eq!(f[0].elapsed_to(Phase::SwitchMaster), Some(899));
        assert_eq!(f[0].new_master, Some("127.0.0.1:2".parse().unwrap()));
        // Without any, it closes after the grace.
        sw.observe(
            "g",
            None,
            &s(5_000, a, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
            Some(2),
        );
        sw.observe(
            "g",
            None,
            &s(6_000, a, SentinelEvent::FailoverEnd, "master g 127.0.0.1 1"),
            Some(2),
        );
        assert!(sw.tick(10_999, 10_000).is_empty());
        assert_eq!(sw.tick(11_000, 10_000)[0].ended_at, Some(6_000));
    }
}
