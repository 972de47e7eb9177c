//! What kind of attempt it is: a coordinated failover (Valkey 9), and the failback that can
//! follow one. The leader of a coordinated failover kills the normal clients of both primaries
//! (`CLIENT KILL TYPE normal`), the other sentinels' links to the new master among them; they
//! reconnect within about a second, and a down-after-milliseconds shorter than that sees the
//! new master down, which can fail it back to the old one. That second failover is an attempt
//! of its own, with a note that says why.

use super::{Failover, Outcome, Phase, Stopwatch, begin};
use crate::Millis;
use crate::addr::Addr;
use crate::attempt::fmt_secs;
use crate::event::SentinelEvent;
use crate::log::{LogEntry, OwnEvent};

/// How soon after a coordinated failover's `+switch-master` the new master seen down counts as
/// the failback it causes (measured: 1.0 to 1.3 s with down-after-milliseconds 1000).
pub const FAILBACK_WINDOW_MS: Millis = 10_000;
/// A coordinated flag polled this soon after an attempt ended belongs to it (the poll was sent
/// before the end).
const LATE_FLAG_MS: Millis = 3_000;

impl Stopwatch {
    /// A new attempt from its first sign `e`, noted as a failback when it fails over the
    /// master a coordinated failover just made.
    pub(super) fn begin(&self, group: &str, master: Option<&Addr>, e: &LogEntry) -> Failover {
        let mut f = begin(group, master, e);
        // Only the master seen down starts a failback: a failover sentui or someone asked for
        // (a fault, a coordinated flag) is its own decision.
        let seen_down = matches!(
            e.sentinel_event(),
            Some(SentinelEvent::Sdown | SentinelEvent::Odown)
        ) || e.is(OwnEvent::NodeUnresponsive);
        if seen_down {
            f.note = self.failback_note(&f, e.ts);
        }
        f
    }

    /// The note of a failback: the coordinated failover it follows and the evidence. That one
    /// may still wait for its `+failover-end` (the new master can be seen down before it).
    fn failback_note(&self, f: &Failover, at: Millis) -> Option<String> {
        let switched = |a: &Failover| a.mark(Phase::SwitchMaster).map(|m| m.at);
        let (prev, ended) = match &self.current {
            Some(c) if c.coordinated && switched(c).is_some() => (c, switched(c)?),
            _ => {
                let p = self.finished.back()?;
                let done = p.outcome == Some(Outcome::Completed);
                (p, p.ended_at.filter(|_| done)?)
            }
        };
        let follows = prev.coordinated
            && at.saturating_sub(ended) <= FAILBACK_WINDOW_MS
            && prev.new_master.is_some()
            && prev.new_master == f.old_master;
        if !follows {
            return None;
        }
        let new = prev.new_master.as_ref()?;
        let epoch = prev
            .epoch
            .map(|e| format!(" (epoch {e})"))
            .unwrap_or_default();
        let down_after = match self.down_after_ms {
            Some(ms) => format!("down-after-milliseconds ({ms} ms) is"),
            None => "down-after-milliseconds may be".to_string(),
        };
        Some(format!(
            "failback: {} after the coordinated failover{epoch} made {new} master. Its leader \
             killed the normal clients of both primaries (CLIENT KILL TYPE normal), which drops \
             the other sentinels' links to the new master for about a second, and {down_after} \
             shorter than that reconnect: they can see {new} down and fail it back",
            fmt_secs(at.saturating_sub(ended))
        ))
    }
}

/// A sentinel flagged the attempt `coordinated_failover` (or sentui asked for one): the
/// attempt under way is coordinated; with none open yet, it opens one (the flag comes before
/// `+try-failover`); a flag polled just after an attempt ended marks that one.
pub(super) fn coordinated(sw: &mut Stopwatch, group: &str, master: Option<&Addr>, e: &LogEntry) {
    if let Some(c) = sw.next.as_mut().or(sw.current.as_mut()) {
        c.coordinated = true;
        // Asked for, not a failback.
        c.note = None;
        return;
    }
    if let Some(last) = sw.finished.back_mut()
        && last
            .ended_at
            .is_some_and(|end| e.ts.saturating_sub(end) <= LATE_FLAG_MS)
    {
        last.coordinated = true;
        return;
    }
    let mut f = sw.begin(group, master, e);
    f.coordinated = true;
    sw.current = Some(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Source;

    fn s(ts: Millis, sentinel: &str, event: SentinelEvent, payload: &str) -> LogEntry {
        LogEntry::new(ts, Source::Sentinel, event.name(), payload)
            .from_sentinel(sentinel.parse().unwrap())
    }

    /// A coordinated failover from :1 to :2 (epoch 1), then :2 seen down and failed back,
    /// as captured on the Valkey 9.1.2 local lab (down-after-milliseconds 1000).
    #[test]
    fn a_failback_after_a_coordinated_failover_is_its_own_attempt_with_a_note() {
        let (m1, m2): (Addr, Addr) = (
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
        );
        let leader = "127.0.0.1:9";
        let mut sw = Stopwatch {
            down_after_ms: Some(1_000),
            ..Default::default()
        };
        let asked =
            LogEntry::own(100, OwnEvent::CoordinatedFailover, "asked by sentui").about(m1.clone());
        sw.observe("g", Some(&m1), &asked, None);
        let try_ = s(
            110,
            leader,
            SentinelEvent::TryFailover,
            "master g 127.0.0.1 1",
        );
        sw.observe("g", Some(&m1), &try_, Some(1));
        let steps = [
            (120, SentinelEvent::ElectedLeader, "master g 127.0.0.1 1"),
            (
                170,
                SentinelEvent::SelectedSlave,
                "slave 127.0.0.1:2 127.0.0.1 2 @ g 127.0.0.1 1",
            ),
            (2_200, SentinelEvent::FailoverEnd, "master g 127.0.0.1 1"),
        ];
        for (ts, ev, p) in steps {
            sw.observe("g", Some(&m1), &s(ts, leader, ev, p), Some(1));
        }
        let switch = s(
            2_200,
            leader,
            SentinelEvent::SwitchMaster,
            "g 127.0.0.1 1 127.0.0.1 2",
        );
        let done = sw.observe("g", Some(&m1), &switch, Some(1));
        assert!(done[0].coordinated && done[0].note.is_none(), "{done:?}");
        assert_eq!(done[0].kind_words(), "coordinated failover");
        // Another sentinel sees the new master down 1.3 s later.
        let sdown = s(
            3_500,
            "127.0.0.1:8",
            SentinelEvent::Sdown,
            "master g 127.0.0.1 2",
        );
        sw.observe("g", Some(&m2), &sdown, None);
        let back = sw.running().unwrap();
        assert!(!back.coordinated);
        assert!(back.mark(Phase::Sdown).is_some());
        let note = back.note.as_deref().unwrap();
        assert!(
            note.starts_with(
                "failback: 1.3s after the coordinated failover (epoch 1) made 127.0.0.1:2 master."
            ),
            "{note}"
        );
        assert!(
            note.contains("CLIENT KILL TYPE normal") && note.contains("(1000 ms)"),
            "{note}"
        );
    }

    #[test]
    fn a_failover_long_after_or_of_another_master_is_no_failback() {
        let m2: Addr = "127.0.0.1:2".parse().unwrap();
        let mut sw = Stopwatch::default();
        let mut prev = begin(
            "g",
            Some(&"127.0.0.1:1".parse().unwrap()),
            &LogEntry::own(0, OwnEvent::Fault, ""),
        );
        prev.coordinated = true;
        prev.new_master = Some(m2.clone());
        prev.outcome = Some(Outcome::Completed);
        prev.ended_at = Some(1_000);
        sw.finished.push_back(prev.clone());
        let late = s(
            1_000 + FAILBACK_WINDOW_MS + 1,
            "127.0.0.1:8",
            SentinelEvent::Sdown,
            "master g 127.0.0.1 2",
        );
        sw.observe("g", Some(&m2), &late, None);
        assert_eq!(sw.running().unwrap().note, None);
        // A classic one is followed by no such note either.
        let mut sw = Stopwatch::default();
        prev.coordinated = false;
        sw.finished.push_back(prev);
        let soon = s(
            2_000,
            "127.0.0.1:8",
            SentinelEvent::Sdown,
            "master g 127.0.0.1 2",
        );
        sw.observe("g", Some(&m2), &soon, None);
        assert_eq!(sw.running().unwrap().note, None);
    }

    /// As captured on the Valkey 9.1.2 local lab: another sentinel saw the new master down
    /// 13 ms before the leader's `+failover-end`, and up again 80 ms later.
    #[test]
    fn the_new_master_seen_down_before_the_end_is_noted_too() {
        let (m1, m2): (Addr, Addr) = (
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
        );
        let leader = "127.0.0.1:9";
        let mut sw = Stopwatch::default();
        let asked = LogEntry::own(100, OwnEvent::CoordinatedFailover, "flagged").about(m1.clone());
        sw.observe("g", Some(&m1), &asked, None);
        let steps = [
            (110, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
            (
                170,
                SentinelEvent::SelectedSlave,
                "slave 127.0.0.1:2 127.0.0.1 2 @ g 127.0.0.1 1",
            ),
        ];
        for (ts, ev, p) in steps {
            sw.observe("g", Some(&m1), &s(ts, leader, ev, p), Some(1));
        }
        let other = "127.0.0.1:8";
        let switch = s(
            1_100,
            other,
            SentinelEvent::SwitchMaster,
            "g 127.0.0.1 1 127.0.0.1 2",
        );
        sw.observe("g", Some(&m1), &switch, Some(1));
        // The -sdown right after +try-failover (Valkey sets it for the election) makes later
        // signs a failover of their own.
        sw.current.as_mut().unwrap().master_back = true;
        let sdown = s(2_087, other, SentinelEvent::Sdown, "master g 127.0.0.1 2");
        sw.observe("g", Some(&m2), &sdown, None);
        let next = sw.next.as_ref().unwrap();
        assert!(
            next.note
                .as_deref()
                .unwrap()
                .starts_with("failback: 1.0s after the coordinated failover (epoch 1)"),
            "{next:?}"
        );
        let end = s(
            2_100,
            leader,
            SentinelEvent::FailoverEnd,
            "master g 127.0.0.1 1",
        );
        let done = sw.observe("g", Some(&m2), &end, Some(1));
        assert!(done[0].coordinated);
    }

    /// A coordinated failover asked for soon after another one is no failback (captured on the
    /// local lab: one asked for 10 s after the last).
    #[test]
    fn a_coordinated_failover_asked_for_soon_after_is_no_failback() {
        let m2: Addr = "127.0.0.1:2".parse().unwrap();
        let mut sw = Stopwatch::default();
        let mut prev = begin("g", None, &LogEntry::own(0, OwnEvent::Fault, ""));
        prev.coordinated = true;
        prev.new_master = Some(m2.clone());
        prev.outcome = Some(Outcome::Completed);
        prev.ended_at = Some(1_000);
        sw.finished.push_back(prev);
        let flag = LogEntry::own(5_000, OwnEvent::CoordinatedFailover, "flagged").about(m2.clone());
        sw.observe("g", Some(&m2), &flag, None);
        // A sign while the asked-for attempt runs joins it, and it stays noteless.
        let sdown = s(
            5_100,
            "127.0.0.1:8",
            SentinelEvent::Sdown,
            "master g 127.0.0.1 2",
        );
        sw.observe("g", Some(&m2), &sdown, None);
        let running = sw.running().unwrap();
        assert!(running.coordinated);
        assert_eq!(running.note, None);
    }
}
