//! The stopwatch on hand-made sequences; captured ones are in tests/attempts.rs.

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

fn completed_failover(sw: &mut Stopwatch) {
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
    let switch = s(
        900,
        a,
        SentinelEvent::SwitchMaster,
        "g 127.0.0.1 1 127.0.0.1 2",
    );
    sw.observe("g", None, &switch, Some(1));
    let end = s(901, a, SentinelEvent::FailoverEnd, "master g 127.0.0.1 1");
    assert_eq!(sw.observe("g", None, &end, Some(1)).len(), 1);
}

#[test]
fn a_blip_after_a_completed_failover_is_a_note_under_it() {
    let mut sw = Stopwatch::default();
    completed_failover(&mut sw);
    let new: Addr = "127.0.0.1:2".parse().unwrap();
    let sdown = s(
        5_000,
        "127.0.0.1:8",
        SentinelEvent::Sdown,
        "master g 127.0.0.1 2",
    );
    sw.observe("g", Some(&new), &sdown, Some(1));
    // While the signs gather, the completed failover stays; the signs are the note.
    assert_eq!(sw.shown().unwrap().outcome, Some(Outcome::Completed));
    assert_eq!(sw.note().unwrap().note_words(5_100), "now: +sdown 0.1s ago");
    let back = s(
        5_055,
        "127.0.0.1:8",
        SentinelEvent::SdownExit,
        "master g 127.0.0.1 2",
    );
    let done = sw.observe("g", Some(&new), &back, Some(1));
    assert_eq!(done[0].outcome, Some(Outcome::Recovered));
    let shown = sw.shown().unwrap();
    assert_eq!(shown.outcome, Some(Outcome::Completed));
    assert_eq!(shown.new_master, Some(new));
    assert_eq!(
        sw.note().unwrap().note_words(20_000),
        "blip: +sdown for 55 ms"
    );
    // A new attempt replaces it.
    let odown = s(
        30_000,
        "127.0.0.1:8",
        SentinelEvent::Odown,
        "master g 127.0.0.1 2 #quorum 2/2",
    );
    sw.observe("g", None, &odown, Some(1));
    assert_eq!(sw.shown().unwrap().outcome, None);
    assert!(sw.note().is_none());
}

#[test]
fn a_switch_superseded_before_its_end_is_completed_not_aborted() {
    let mut sw = Stopwatch::default();
    let (a, b) = ("127.0.0.1:9", "127.0.0.1:8");
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
    let switch = s(
        800,
        b,
        SentinelEvent::SwitchMaster,
        "g 127.0.0.1 1 127.0.0.1 2",
    );
    assert!(sw.observe("g", None, &switch, Some(1)).is_empty());
    // No +failover-end: a newer epoch closes it, and the master did change.
    let retry = s(
        25_000,
        b,
        SentinelEvent::TryFailover,
        "master g 127.0.0.1 2",
    );
    let done = sw.observe("g", None, &retry, Some(2));
    assert_eq!(done[0].outcome, Some(Outcome::Completed));
    assert_eq!(
        done[0].end_not_seen.as_deref(),
        Some("superseded by epoch 2")
    );
    assert_eq!(done[0].ended_at, Some(800));
    assert_eq!(
        done[0].outcome_words(),
        "completed (end not seen: superseded by epoch 2)"
    );
}

#[test]
fn another_sentinel_trying_later_in_the_same_epoch_is_another_attempt() {
    let mut sw = Stopwatch::default();
    let (a, b) = ("127.0.0.1:9", "127.0.0.1:8");
    sw.observe(
        "g",
        None,
        &s(1_000, a, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
        Some(1),
    );
    // Within the election's race: one election, two candidates.
    sw.observe(
        "g",
        None,
        &s(1_500, b, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
        Some(1),
    );
    assert_eq!(sw.current.as_ref().unwrap().tried_by.len(), 2);
    // Seeing one candidate down does not end the election the other may win.
    let down = LogEntry::own(2_000, OwnEvent::SentinelDown, "").about(a.parse().unwrap());
    assert!(sw.sentinel_down(&a.parse().unwrap(), &down).is_none());
    sw.observe(
        "g",
        None,
        &s(
            2_100,
            b,
            SentinelEvent::ElectedLeader,
            "master g 127.0.0.1 1",
        ),
        Some(1),
    );
    // A third sentinel trying 7 s later in epoch 1 (the leader's epoch never reached it).
    let c = "127.0.0.1:7";
    let done = sw.observe(
        "g",
        None,
        &s(9_000, c, SentinelEvent::TryFailover, "master g 127.0.0.1 1"),
        Some(1),
    );
    assert_eq!(
        done[0].outcome,
        Some(Outcome::Aborted(format!("leader lost: {c} tried after it")))
    );
    let now = sw.current.as_ref().unwrap();
    assert_eq!((now.epoch, now.started_at), (Some(1), 9_000));
    assert_eq!(now.tried_by, vec![c.parse::<Addr>().unwrap()]);
}

#[test]
fn a_note_says_sentuis_own_signs_short() {
    let m: Addr = "127.0.0.1:2".parse().unwrap();
    let mut sw = Stopwatch::default();
    completed_failover(&mut sw);
    let un = LogEntry::own(5_000, OwnEvent::NodeUnresponsive, "").about(m.clone());
    sw.observe("g", Some(&m), &un, None);
    let back = LogEntry::own(5_279, OwnEvent::NodeResponsive, "").about(m.clone());
    sw.observe("g", Some(&m), &back, None);
    assert_eq!(sw.shown().unwrap().outcome, Some(Outcome::Completed));
    assert_eq!(
        sw.note().unwrap().note_words(6_000),
        "blip: unresponsive for 279 ms"
    );
}

#[test]
fn with_nothing_measured_a_blip_is_a_note_not_the_failover_shown() {
    let m: Addr = "127.0.0.1:1".parse().unwrap();
    let mut sw = Stopwatch::default();
    let un = LogEntry::own(100, OwnEvent::NodeUnresponsive, "").about(m.clone());
    sw.observe("g", Some(&m), &un, None);
    // The signs gathering are shown while nothing was measured: the stopwatch runs.
    assert_eq!(sw.shown().map(|f| f.started_at), Some(100));
    let back = LogEntry::own(600, OwnEvent::NodeResponsive, "").about(m.clone());
    sw.observe("g", Some(&m), &back, None);
    assert!(sw.shown().is_none());
    assert_eq!(
        sw.note().unwrap().note_words(900),
        "blip: unresponsive for 500 ms"
    );
}
