//! The stopwatch of attempts on event sequences captured from real sentinels (Redis 7.0.15,
//! down-after-milliseconds 1000, failover-timeout 10000). Each `tests/fixtures/sequences/*.ndjson`
//! is what `sentui events --json` printed; its `.md` says how it was made and how to read it.
//! The inputs are fed as the TUI would: sentinel events and sentui's own observations, with a
//! tick every second between them.

use sentui_model::event::SentinelEvent;
use sentui_model::input::Input;
use sentui_model::log::{LogEntry, OwnEvent, Source};
use sentui_model::reply::{MasterRecord, rec};
use sentui_model::state::{GroupPoll, SentinelPoll};
use sentui_model::stopwatch::{Failover, Outcome, Phase};
use sentui_model::{Addr, Deployment, Millis, Update};

/// sentui's summaries in the capture come from the stopwatch under test: not inputs.
const DERIVED: [OwnEvent; 3] = [
    OwnEvent::FailoverComplete,
    OwnEvent::FailoverAborted,
    OwnEvent::MasterRecovered,
];

fn derived(e: &LogEntry) -> bool {
    e.own_event().is_some_and(|own| DERIVED.contains(&own))
}

struct Replayed {
    d: Deployment,
    /// When the capture's first entry was received.
    t0: Millis,
}

fn replay(name: &str) -> Replayed {
    let path = format!(
        "{}/../../tests/fixtures/sequences/{name}.ndjson",
        env!("CARGO_MANIFEST_DIR")
    );
    let entries: Vec<LogEntry> = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let t0 = entries[0].ts;
    let mut d = Deployment::default();
    // What the sentinels' polls would have said: the group, its master, its failover-timeout.
    let master = entries
        .iter()
        .filter(|e| e.is(SentinelEvent::Sdown))
        .find_map(|e| {
            e.payload
                .strip_prefix("master mymaster ")
                .map(|rest| rest.replace(' ', ":").parse::<Addr>().unwrap())
        })
        .expect("the master goes down in every capture");
    let mut sentinels: Vec<Addr> = entries.iter().filter_map(|e| e.sentinel.clone()).collect();
    sentinels.sort();
    sentinels.dedup();
    for s in sentinels {
        let record = MasterRecord::parse(&rec(&[
            ("name", "mymaster"),
            ("ip", &master.host),
            ("port", &master.port.to_string()),
            ("failover-timeout", "10000"),
        ]))
        .unwrap();
        let poll = SentinelPoll {
            groups: vec![GroupPoll::carried(record)],
            ..SentinelPoll::default()
        };
        let at = t0;
        d.step(Input::update(
            at,
            Update::SentinelPolled {
                sentinel: s,
                at,
                rtt_ms: 1,
                poll,
            },
        ));
    }
    let mut clock = t0;
    for e in entries {
        if derived(&e) {
            continue;
        }
        while clock + 1000 < e.ts {
            clock += 1000;
            d.step(Input::tick(clock));
        }
        let at = e.ts;
        let update = match (e.source, e.sentinel.clone()) {
            (Source::Sentinel, Some(sentinel)) => Update::SentinelEvent {
                sentinel,
                at,
                event: e.event.to_string(),
                payload: e.payload.clone(),
            },
            _ => Update::Note {
                entry: LogEntry::new(at, e.source, e.event.name(), &e.payload)
                    .in_group(e.group.clone())
                    .about_opt(e.addr.clone()),
            },
        };
        d.step(Input::update(at, update));
    }
    Replayed { d, t0 }
}

trait AboutOpt {
    fn about_opt(self, addr: Option<Addr>) -> Self;
}

impl AboutOpt for LogEntry {
    fn about_opt(mut self, addr: Option<Addr>) -> Self {
        if addr.is_some() {
            self.addr = addr;
        }
        self
    }
}

impl Replayed {
    fn attempts(&self) -> Vec<&Failover> {
        self.d.stopwatches()["mymaster"].all().collect()
    }

    fn secs(&self, t: Millis) -> f64 {
        (t - self.t0) as f64 / 1000.0
    }

    /// The summaries the log got for the attempts, in order.
    fn summaries(&self) -> Vec<String> {
        self.d
            .log()
            .entries()
            .filter(|e| derived(e))
            .map(|e| format!("{} {}", e.event, e.payload))
            .collect()
    }
}

fn addr(s: &str) -> Addr {
    s.parse().unwrap()
}

fn switch_after_start(f: &Failover) -> Millis {
    f.elapsed_to(Phase::SwitchMaster).expect("a +switch-master")
}

fn aborted(f: &Failover) -> &str {
    match &f.outcome {
        Some(Outcome::Aborted(why)) => why,
        other => panic!("not aborted: {other:?}"),
    }
}

#[test]
fn a_plain_failover_is_one_attempt() {
    let r = replay("normal");
    let a = r.attempts();
    assert_eq!(a.len(), 1, "{:?}", r.summaries());
    let f = a[0];
    assert_eq!(f.outcome, Some(Outcome::Completed));
    assert_eq!(f.epoch, Some(1));
    assert_eq!(f.leader, Some(addr("127.0.0.1:34689")));
    assert_eq!(f.old_master, Some(addr("127.0.0.1:35275")));
    assert_eq!(f.new_master, Some(addr("127.0.0.1:40657")));
    // Starts at sentui seeing the master unresponsive; the first +switch-master (from a
    // sentinel that learned the new config) 2.97 s later, before the leader's +failover-end.
    assert_eq!(r.secs(f.started_at), 3.506);
    assert_eq!(switch_after_start(f), 2970);
    assert!(f.elapsed_to(Phase::FailoverEnd) > f.elapsed_to(Phase::SwitchMaster));
}

#[test]
fn a_leader_that_crashes_after_its_election_is_abandoned_not_merged() {
    let r = replay("crash-after-election");
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    assert_eq!(a[0].epoch, Some(1));
    assert_eq!(aborted(a[0]), "superseded by epoch 2");
    assert!(a[0].mark(Phase::SwitchMaster).is_none());
    let real = a[1];
    assert_eq!(real.outcome, Some(Outcome::Completed));
    assert_eq!(real.epoch, Some(2));
    assert_eq!(real.leader, Some(addr("127.0.0.1:40195")));
    // The real failover starts at its own first sign (sentui seeing the master unresponsive
    // again, 6.9 s after it came back), and +switch-master comes 2.6 s after it.
    assert_eq!(r.secs(real.started_at), 13.572);
    assert_eq!(switch_after_start(real), 2608);
    assert!(
        real.mark(Phase::TryFailover)
            .is_some_and(|m| r.secs(m.at) > 15.0)
    );
    let s = r.summaries();
    assert!(s[0].starts_with("failover-aborted mymaster:"), "{s:?}");
    assert!(
        s[1].starts_with("failover-complete mymaster: master unresponsive 0.0s"),
        "{s:?}"
    );
}

#[test]
fn two_leaders_that_crash_after_promotion_are_two_lost_attempts() {
    let r = replay("crash-after-promotion");
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    assert_eq!(a[0].epoch, Some(1));
    assert_eq!(a[0].leader, Some(addr("127.0.0.1:40341")));
    assert_eq!(aborted(a[0]), "leader lost: 127.0.0.1:40341 seen down");
    assert_eq!(a[1].epoch, Some(2));
    assert_eq!(a[1].leader, Some(addr("127.0.0.1:36597")));
    assert_eq!(aborted(a[1]), "leader lost: 127.0.0.1:36597 seen down");
    // Each ends when its leader is seen down, a second or so after it crashed (2.7 s and
    // 22.3 s in the capture, whose first line is 3 s before the fault).
    for f in &a {
        let tried = f.mark(Phase::TryFailover).unwrap().at;
        assert!(f.ended_at.unwrap() - tried < 3_000, "{f:?}");
    }
    assert!(a.iter().all(|f| !f.switched()));
    assert!(r.d.stopwatches()["mymaster"].running().is_none());
    // Neither changed the master: both are failover-aborted.
    let s = r.summaries();
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s.iter().all(|s| s.starts_with("failover-aborted")), "{s:?}");
}

#[test]
fn a_retry_in_a_higher_epoch_is_a_new_attempt() {
    let r = replay("retry-higher-epoch");
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    // Its only candidate, elected off the stream, is seen down (sentui loses it): over then,
    // not 20 s later when the retry comes.
    assert_eq!(aborted(a[0]), "leader lost: 127.0.0.1:46851 seen down");
    let tried = a[0].mark(Phase::TryFailover).unwrap().at;
    assert!(a[0].ended_at.unwrap() - tried < 3_000, "{:?}", a[0]);
    assert_eq!(
        a[0].leader, None,
        "its leader's election never reached the stream"
    );
    let retry = a[1];
    assert_eq!(retry.outcome, Some(Outcome::Completed));
    assert_eq!(retry.epoch, Some(2));
    assert_eq!(retry.leader, Some(addr("127.0.0.1:45365")));
    // Nothing new went wrong before the retry: it starts at its own +try-failover.
    assert_eq!(r.secs(retry.started_at), 25.527);
    assert_eq!(switch_after_start(retry), 626);
    assert_eq!(retry.new_master, Some(addr("127.0.0.1:37309")));
}

#[test]
fn a_split_vote_aborts_and_the_next_epoch_completes() {
    let r = replay("split-vote");
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    assert_eq!(a[0].epoch, Some(6));
    assert_eq!(aborted(a[0]), "not elected");
    assert_eq!(r.secs(a[0].ended_at.unwrap()), 15.817);
    let next = a[1];
    assert_eq!(next.epoch, Some(7));
    assert_eq!(next.outcome, Some(Outcome::Completed));
    assert_eq!(next.leader, Some(addr("127.0.0.1:41623")));
    assert_eq!(r.secs(next.started_at), 25.839);
    // Three aborts, one summary.
    assert_eq!(
        r.summaries()
            .iter()
            .filter(|s| s.starts_with("failover-aborted"))
            .count(),
        1
    );
}

#[test]
fn back_to_back_failovers_stay_apart() {
    let r = replay("back-to-back-quorum1");
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    assert_eq!((a[0].epoch, a[1].epoch), (Some(2), Some(3)));
    assert!(a.iter().all(|f| f.outcome == Some(Outcome::Completed)));
    assert_eq!(a[0].new_master, Some(addr("127.0.0.1:43085")));
    assert_eq!(a[1].old_master, Some(addr("127.0.0.1:43085")));
    assert_eq!(a[1].new_master, Some(addr("127.0.0.1:43259")));
    assert!(a[1].started_at >= a[0].ended_at.unwrap());
}

#[test]
fn two_crashed_leaders_two_attempts_no_failover() {
    let r = replay("crash-after-election-twice");
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    assert!(
        a.iter()
            .all(|f| matches!(f.outcome, Some(Outcome::Aborted(_))))
    );
    assert!(a.iter().all(|f| f.mark(Phase::SwitchMaster).is_none()));
    assert_eq!(a[1].epoch, Some(2));
}

/// The first leader and the real one share epoch 1 (a forced failover asks no votes, so its
/// epoch never spread): the sentinel that led each tells them apart.
fn lost_leader_then_a_real_failover(name: &str, lost: &str, real_leader: &str, switch_ms: Millis) {
    let r = replay(name);
    let a = r.attempts();
    assert_eq!(a.len(), 2, "{:?}", r.summaries());
    assert_eq!((a[0].epoch, a[1].epoch), (Some(1), Some(1)));
    assert_eq!(a[0].tried_by, vec![addr(lost)]);
    assert_eq!(aborted(a[0]), format!("leader lost: {lost} seen down"));
    assert!(!a[0].switched() && a[0].mark(Phase::SwitchMaster).is_none());
    let real = a[1];
    assert_eq!(real.outcome, Some(Outcome::Completed));
    assert_eq!(real.end_not_seen, None);
    assert_eq!(real.leader, Some(addr(real_leader)));
    // It starts at its own first sign (sentui seeing the master unresponsive), after the
    // first attempt ended, and +switch-master follows within 3 s.
    assert_eq!(real.marks[0].phase, Phase::Unresponsive);
    assert!(real.started_at > a[0].ended_at.unwrap());
    assert_eq!(switch_after_start(real), switch_ms);
    assert!(switch_ms < 3_000);
    let s = r.summaries();
    assert!(
        s[0].starts_with("failover-aborted mymaster:") && s[0].contains("leader lost"),
        "{s:?}"
    );
    assert!(
        s[1].starts_with("failover-complete mymaster: master unresponsive 0.0s"),
        "{s:?}"
    );
}

#[test]
fn a_forced_failovers_leader_crashed_after_election_is_not_merged_into_the_same_epochs_next() {
    lost_leader_then_a_real_failover(
        "forced-crash-after-election",
        "127.0.0.1:42131",
        "127.0.0.1:34271",
        2112,
    );
}

#[test]
fn a_forced_failovers_leader_crashed_after_promotion_is_not_merged_into_the_same_epochs_next() {
    lost_leader_then_a_real_failover(
        "forced-crash-after-promotion",
        "127.0.0.1:36593",
        "127.0.0.1:45891",
        2661,
    );
    // The first leader was elected in the stream, and selected a replica it never announced.
    let r = replay("forced-crash-after-promotion");
    let first = r.attempts()[0];
    assert_eq!(first.leader, Some(addr("127.0.0.1:36593")));
    assert_eq!(first.new_master, Some(addr("127.0.0.1:45279")));
}

#[test]
fn a_switch_whose_leader_died_before_its_end_is_a_completed_failover() {
    let r = replay("leader-killed-after-switch");
    let a = r.attempts();
    assert_eq!(a.len(), 1, "{:?}", r.summaries());
    let f = a[0];
    assert_eq!(f.outcome, Some(Outcome::Completed));
    assert_eq!(
        f.end_not_seen.as_deref(),
        Some("leader lost: 127.0.0.1:37455 seen down")
    );
    assert_eq!(f.new_master, Some(addr("127.0.0.1:39743")));
    assert!(f.mark(Phase::FailoverEnd).is_none());
    // Completed at its first +switch-master, like any other.
    assert_eq!(f.ended_at, f.mark(Phase::SwitchMaster).map(|m| m.at));
    assert_eq!(switch_after_start(f), 2518);
    assert_eq!(
        f.outcome_words(),
        "completed (end not seen: leader lost: 127.0.0.1:37455 seen down)"
    );
    let s = r.summaries();
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(
        s[0].starts_with("failover-complete mymaster:")
            && s[0].ends_with("(epoch 1) (end not seen: leader lost: 127.0.0.1:37455 seen down)"),
        "{s:?}"
    );
}
