//! The report built from a drill's worth of updates, and its formats.

use super::*;
use crate::drill::scenario::Expect;
use crate::event::SentinelEvent;
use crate::log::{LogEntry, OwnEvent};
use crate::probe::loss::LossWindow;
use crate::probe::{ErrorKind, ProbeEvent, ReadBack, WriteError};
use crate::stopwatch::Phase;
use crate::{Deployment, Update};

fn a(s: &str) -> Addr {
    s.parse().unwrap()
}

fn sentinel(d: &mut Deployment, ts: Millis, event: SentinelEvent, payload: &str) {
    d.apply(Update::SentinelEvent {
        sentinel: a("127.0.0.1:26379"),
        at: ts,
        event: event.to_string(),
        payload: payload.into(),
    });
}

fn probe(d: &mut Deployment, ts: Millis, event: ProbeEvent) {
    d.apply(Update::Probe { at: ts, event });
}

fn write(n: u64, m: &str, err: Option<ErrorKind>) -> ProbeEvent {
    ProbeEvent::Write {
        n,
        master: Some(a(m)),
        error: err.map(|kind| WriteError {
            kind,
            message: "no answer".into(),
        }),
        took_ms: Some(2),
    }
}

/// A drill's worth of updates: probe writes, a fault at 10 000, the failover, read-back.
fn drilled() -> Deployment {
    let mut d = Deployment::default();
    probe(
        &mut d,
        9_000,
        ProbeEvent::Started {
            run_id: "r".into(),
            group: "mymaster".into(),
            rate: 100,
            follow: crate::probe::Follow::Sentinel,
        },
    );
    probe(&mut d, 9_990, write(0, "127.0.0.1:1", None));
    let mut fault = LogEntry::own(10_000, OwnEvent::Fault, "paused 127.0.0.1:1")
        .in_group(Some("mymaster".into()));
    fault.addr = Some(a("127.0.0.1:1"));
    d.apply(Update::Note { entry: fault });
    probe(
        &mut d,
        11_000,
        write(1, "127.0.0.1:1", Some(ErrorKind::Timeout)),
    );
    sentinel(
        &mut d,
        11_100,
        SentinelEvent::Sdown,
        "master mymaster 127.0.0.1 1",
    );
    sentinel(
        &mut d,
        11_200,
        SentinelEvent::Odown,
        "master mymaster 127.0.0.1 1 #quorum 2/2",
    );
    sentinel(
        &mut d,
        11_300,
        SentinelEvent::TryFailover,
        "master mymaster 127.0.0.1 1",
    );
    sentinel(
        &mut d,
        12_500,
        SentinelEvent::SwitchMaster,
        "mymaster 127.0.0.1 1 127.0.0.1 2",
    );
    probe(&mut d, 12_600, write(2, "127.0.0.1:2", None));
    sentinel(
        &mut d,
        13_000,
        SentinelEvent::FailoverEnd,
        "master mymaster 127.0.0.1 1",
    );
    probe(
        &mut d,
        14_000,
        ProbeEvent::ReadBack(ReadBack {
            master: a("127.0.0.1:2"),
            checked: 2,
            lost: 1,
            sample: vec![0],
            lost_ranges: vec![(0, 0)],
        }),
    );
    probe(
        &mut d,
        14_001,
        ProbeEvent::Stopped {
            reason: "stopped".into(),
        },
    );
    d
}

/// The probe summary of a drill whose pause of 127.0.0.1:1 (at 10 s) promoted 127.0.0.1:2.
fn summary(d: &Deployment) -> ProbeSummary {
    let (old, new) = (a("127.0.0.1:1"), a("127.0.0.1:2"));
    let span = d.fault_span("mymaster", 10_000);
    ProbeSummary::new(
        d.probe().unwrap(),
        Some(span),
        (Some(&old), Some(&new)),
        "pause",
        15_000,
    )
}

fn report(d: &Deployment, expect: &Expect) -> Report {
    let p = summary(d);
    let fms = d.failover_ms("mymaster", 10_000);
    let checks = checks(expect, fms, Some(&p), Some(Ok("all agree".into())));
    let steps = vec![StepRecord {
        step: 1,
        line: 0,
        what: "pause master".into(),
        outcome: StepOutcome::Ok,
        since_fault_ms: Some(0),
        took_ms: 3,
        detail: "paused 127.0.0.1:1".into(),
    }];
    Report {
        scenario: "pause-master".into(),
        group: "mymaster".into(),
        verdict: verdict(None, &steps, &checks),
        error: None,
        old_master: Some(a("127.0.0.1:1")),
        new_master: Some(a("127.0.0.1:2")),
        fault_at: Some(10_000),
        failover_ms: fms,
        steps,
        phases: phases(d, "mymaster", 10_000),
        probe: Some(p),
        checks,
        restored: vec!["resumed 127.0.0.1:1 (pid 1, redis-server)".into()],
        prediction: None,
        postmortem: None,
    }
}

#[test]
fn phases_and_failover_time_count_from_the_fault() {
    let d = drilled();
    assert_eq!(d.failover_ms("mymaster", 10_000), Some(2_500));
    let rows = phases(&d, "mymaster", 10_000);
    let names: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| (r.event.as_str(), r.since_fault_ms))
        .collect();
    assert_eq!(
        names,
        [
            ("fault injected", 0),
            ("probe-unavailable", 1000),
            ("+sdown", 1100),
            ("+odown", 1200),
            ("+try-failover", 1300),
            ("+switch-master", 2500),
            ("probe-available", 2600),
            ("+failover-end", 3000),
        ]
    );
}

#[test]
fn a_failover_that_began_before_the_fault_is_still_shown() {
    let d = drilled();
    let rows = phases(&d, "mymaster", 10_500);
    assert_eq!(rows[0].event, "fault injected");
    assert_eq!(rows[0].since_fault_ms, -500);
    assert!(
        rows.iter()
            .any(|r| r.event == Phase::SwitchMaster.label() && r.since_fault_ms == 2000)
    );
    assert!(
        phases(&d, "mymaster", 20_000).is_empty(),
        "ended before: not this one"
    );
}

/// A pause of 127.0.0.1:37513 at 10 000 whose failover its leader gave up, as captured from a
/// local deployment (times since the fault as sentui received them): the leader,
/// 127.0.0.1:46745, had started before the replica attached and had not read the master's INFO
/// since, so it knew no replica; the other two sentinels voted for it.
fn given_up_by_its_leader(abort: SentinelEvent) -> Deployment {
    let (leader, s0, s2) = ("127.0.0.1:46745", "127.0.0.1:46729", "127.0.0.1:33997");
    let master = "master mymaster 127.0.0.1 37513";
    let vote = "9c494eb615e2f57d0dc035112f153e186ae1afac 1";
    let mut d = Deployment::default();
    let mut fault = LogEntry::own(10_000, OwnEvent::Fault, "paused 127.0.0.1:37513")
        .in_group(Some("mymaster".into()));
    fault.addr = Some(a("127.0.0.1:37513"));
    d.apply(Update::Note { entry: fault });
    for (ts, by, event, payload) in [
        (11_126, s0, SentinelEvent::Sdown, master),
        (12_035, leader, SentinelEvent::Sdown, master),
        (12_058, s2, SentinelEvent::Sdown, master),
        (
            12_098,
            leader,
            SentinelEvent::Odown,
            "master mymaster 127.0.0.1 37513 #quorum 2/2",
        ),
        (12_098, leader, SentinelEvent::NewEpoch, "1"),
        (12_098, leader, SentinelEvent::TryFailover, master),
        (12_107, leader, SentinelEvent::VoteForLeader, vote),
        (12_116, s2, SentinelEvent::NewEpoch, "1"),
        (12_116, s2, SentinelEvent::VoteForLeader, vote),
        (12_117, s0, SentinelEvent::NewEpoch, "1"),
        (12_117, s0, SentinelEvent::VoteForLeader, vote),
        (
            12_143,
            s2,
            SentinelEvent::Odown,
            "master mymaster 127.0.0.1 37513 #quorum 3/2",
        ),
        (12_156, leader, SentinelEvent::ElectedLeader, master),
        (
            12_156,
            leader,
            SentinelEvent::FailoverStateSelectSlave,
            master,
        ),
        (12_227, leader, abort, master),
    ] {
        d.apply(Update::SentinelEvent {
            sentinel: a(by),
            at: ts,
            event: event.to_string(),
            payload: payload.into(),
        });
    }
    d
}

#[test]
fn a_failover_its_leader_gave_up_shows_the_end_and_when_sentinel_tries_again() {
    let d = given_up_by_its_leader(SentinelEvent::FailoverAbortNoGoodSlave);
    let rows = phases(&d, "mymaster", 10_000);
    let last = rows.last().unwrap();
    assert_eq!(
        (last.event.as_str(), last.since_fault_ms, last.by.as_str()),
        ("-failover-abort-no-good-slave", 2_227, "127.0.0.1:46745")
    );
    assert_eq!(rows[rows.len() - 2].event, "+elected-leader");
    let g = given_up(&d, "mymaster", 10_000).unwrap();
    // Sentinel's default failover-timeout is 3 min: no retry for 6 min after the try.
    assert_eq!(g.retry_at, 12_098 + 360_000);
    assert_eq!(
        g.words(10_000),
        "-failover-abort-no-good-slave by 127.0.0.1:46745 2.2s after the fault; no sentinel \
         that took part tries again before 6m 2s"
    );
    assert_eq!(d.failover_ms("mymaster", 10_000), None);
    // The leader's timeout is an end of its own too.
    let d = given_up_by_its_leader(SentinelEvent::FailoverEndForTimeout);
    assert_eq!(
        given_up(&d, "mymaster", 10_000).map(|g| g.event),
        Some("+failover-end-for-timeout".to_string())
    );
}

#[test]
fn a_failover_that_completed_or_found_no_leader_was_not_given_up() {
    assert_eq!(given_up(&drilled(), "mymaster", 10_000), None);
    // A candidate that was never elected: another sentinel may try soon.
    let mut d = Deployment::default();
    let master = "master mymaster 127.0.0.1 1";
    sentinel(&mut d, 11_000, SentinelEvent::Odown, master);
    sentinel(&mut d, 11_000, SentinelEvent::NewEpoch, "1");
    sentinel(&mut d, 11_000, SentinelEvent::TryFailover, master);
    sentinel(
        &mut d,
        21_000,
        SentinelEvent::FailoverAbortNotElected,
        master,
    );
    assert_eq!(given_up(&d, "mymaster", 10_000), None);
    assert!(
        phases(&d, "mymaster", 10_000)
            .iter()
            .all(|r| !r.event.starts_with("-failover-abort"))
    );
}

#[test]
fn limits_decide_the_verdict() {
    let d = drilled();
    let generous = Expect {
        max_failover_secs: Some(30.0),
        max_lost_writes: Some(5),
        max_unavailable_secs: Some(30.0),
        agree_at_end: true,
    };
    let r = report(&d, &generous);
    assert_eq!(r.verdict, Verdict::Pass);
    assert!(r.checks.iter().all(|c| c.pass));
    assert_eq!(r.exit_code(), 0);
    let strict = Expect {
        max_failover_secs: Some(0.001),
        ..generous.clone()
    };
    let r = report(&d, &strict);
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.exit_code(), 1);
    assert_eq!(r.checks[0].measured.as_deref(), Some("2.500s"));
    let r = report(
        &d,
        &Expect {
            max_lost_writes: Some(0),
            ..generous
        },
    );
    assert!(!r.checks[1].pass, "one write lost");
}

#[test]
fn unmeasured_limits_fail_and_errors_exit_2() {
    let c = checks(
        &Expect {
            max_failover_secs: Some(10.0),
            max_lost_writes: Some(0),
            max_unavailable_secs: Some(1.0),
            agree_at_end: true,
        },
        None,
        None,
        Some(Err("sentinels disagree".into())),
    );
    assert!(c.iter().all(|c| !c.pass));
    assert_eq!(c[1].measured.as_deref(), Some("unknown: no probe ran"));
    assert_eq!(verdict(Some("no sentinel"), &[], &[]), Verdict::Error);
    assert_eq!(verdict(Some("no sentinel"), &[], &[]).exit_code(), 2);
    let interrupted = StepRecord {
        step: 1,
        line: 0,
        what: "wait +switch-master".into(),
        outcome: StepOutcome::Interrupted,
        since_fault_ms: None,
        took_ms: 0,
        detail: String::new(),
    };
    assert_eq!(
        verdict(Some("interrupted"), &[interrupted], &[]),
        Verdict::Fail
    );
}

#[test]
fn probe_summary_window_is_relative_to_the_fault() {
    let d = drilled();
    let p = summary(&d);
    assert_eq!((p.attempted, p.acked, p.failed, p.lost), (3, 2, 1, Some(1)));
    assert_eq!(p.errors["timeout"], 1);
    let w = p.window.unwrap();
    assert_eq!((w.from_ms, w.to_ms, w.duration_ms), (-10, Some(2600), 2610));
    assert_eq!(p.unavailable_ms, 2610);
    assert_eq!(
        d.fault_span("mymaster", 10_000).end,
        Some(12_500),
        "no fault-cleared: the promotion ends it"
    );
    assert_eq!(p.loss.len(), 1);
    assert_eq!(
        (
            p.loss[0].role,
            p.loss[0].window,
            p.loss[0].count,
            p.loss[0].first_ms
        ),
        ("old", Some(LossWindow::BeforeFault), 1, -10)
    );
    assert_eq!(p.refused.len(), 0, "a timeout is no refusal");
}

#[test]
fn formats_carry_phases_probe_figures_and_verdict() {
    let d = drilled();
    let r = report(
        &d,
        &Expect {
            max_failover_secs: Some(30.0),
            ..Expect::default()
        },
    );
    let text = r.to_text();
    for want in [
        "drill pause-master on mymaster: PASS",
        "+switch-master 2.500s after the fault",
        "+2.500s  +switch-master",
        "3 attempted, 2 acknowledged, 1 failed (timeout 1)",
        "1 of 2 acknowledged, read back on 127.0.0.1:2 (keys 0)",
        "loss         1 acknowledged writes lost, all acknowledged by OLD 127.0.0.1:1 before the pause (-0.010 s .. -0.010 s)",
        "refused      none",
        "rate         100 writes/s, following sentinel",
        "window       2.610s: last write on 127.0.0.1:1 at -0.010s, first on 127.0.0.1:2 at +2.600s",
        "PASS  failover (fault to +switch-master)",
        "resumed 127.0.0.1:1",
        "verdict: PASS",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let md = r.to_markdown();
    assert!(md.contains("| +2.500s | `+switch-master` |"), "{md}");
    assert!(md.contains("**Verdict: PASS**"));
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["failover_ms"], 2500);
    assert_eq!(v["probe"]["lost"], 1);
    assert_eq!(v["probe"]["loss"][0]["window"], "before-fault");
    assert_eq!(v["probe"]["loss"][0]["role"], "old");
    assert_eq!(v["probe"]["follow"], "sentinel");
    assert_eq!(v["phases"][0]["event"], "fault injected");
    assert_eq!(v["steps"][0]["outcome"], "ok");
}

/// A manual failover (drills/manual-failover.toml): the old master takes writes until
/// `+switch-master`, long before Sentinel's `+failover-end`. The report must not say a write
/// came "after the failover ended" at +1.1 s while its phases put `+failover-end` at +7.4 s:
/// every window it names ends at a moment its phase table shows, on the same clock.
#[test]
fn a_manual_failovers_report_agrees_with_itself() {
    let mut d = Deployment::default();
    let started = ProbeEvent::Started {
        run_id: "r".into(),
        group: "mymaster".into(),
        rate: 200,
        follow: crate::probe::Follow::Sentinel,
    };
    probe(&mut d, 9_000, started);
    let mut fault = LogEntry::own(
        10_000,
        OwnEvent::ManualFailover,
        "SENTINEL FAILOVER mymaster",
    )
    .in_group(Some("mymaster".into()));
    fault.addr = Some(a("127.0.0.1:1"));
    d.apply(Update::Note { entry: fault });
    let m = "master mymaster 127.0.0.1 1";
    sentinel(&mut d, 10_001, SentinelEvent::TryFailover, m);
    sentinel(&mut d, 10_050, SentinelEvent::ElectedLeader, m);
    probe(&mut d, 10_500, write(0, "127.0.0.1:1", None));
    sentinel(&mut d, 11_000, SentinelEvent::PromotedSlave, m);
    sentinel(
        &mut d,
        11_100,
        SentinelEvent::SwitchMaster,
        "mymaster 127.0.0.1 1 127.0.0.1 2",
    );
    // The old master still acknowledges a write in the same millisecond, then is converted.
    probe(&mut d, 11_100, write(1, "127.0.0.1:1", None));
    probe(&mut d, 11_300, write(2, "127.0.0.1:2", None));
    sentinel(&mut d, 17_398, SentinelEvent::FailoverEnd, m);
    let readback = ReadBack {
        master: a("127.0.0.1:2"),
        checked: 3,
        lost: 2,
        sample: vec![0, 1],
        lost_ranges: vec![(0, 1)],
    };
    probe(&mut d, 18_000, ProbeEvent::ReadBack(readback));
    let (old, new) = (a("127.0.0.1:1"), a("127.0.0.1:2"));
    let span = d.fault_span("mymaster", 10_000);
    let p = ProbeSummary::new(
        d.probe().unwrap(),
        Some(span),
        (Some(&old), Some(&new)),
        "failover",
        18_000,
    );
    let rows = phases(&d, "mymaster", 10_000);
    let at = |event: &str| {
        rows.iter()
            .find(|r| r.event == event)
            .map(|r| r.since_fault_ms)
    };
    assert_eq!(at("+switch-master"), Some(1_100));
    assert_eq!(at("+failover-end"), Some(7_398));
    assert_eq!(d.failover_ms("mymaster", 10_000), Some(1_100));
    let text = p.loss_text.clone().unwrap();
    assert_eq!(
        text,
        "2 acknowledged writes lost: 1 by OLD 127.0.0.1:1 during the failover, before \
         +switch-master (+0.500 s .. +0.500 s); 1 by OLD 127.0.0.1:1 after +switch-master at \
         +1.1 s (+1.1 s .. +1.1 s)"
    );
    assert!(!text.contains("ended"), "{text}");
    // Each window's rows sit on the right side of the boundary the phase table shows.
    let switch = at("+switch-master").unwrap();
    for row in &p.loss {
        match row.window {
            Some(LossWindow::DuringFault) => assert!(row.last_ms < switch, "{row:?}"),
            Some(LossWindow::AfterFault) => assert!(row.first_ms >= switch, "{row:?}"),
            _ => {}
        }
    }
}
