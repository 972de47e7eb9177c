//! Pages built from a real session: a recording of the TUI on the Docker lab (three sentinels,
//! a master and two replicas) in which the master was frozen with `p`, failed over, and
//! resumed as a replica.

use super::*;
use crate::info::Role;
use crate::input::Input;
use crate::postmortem::{Condition, MarkKind};

const FREEZE: &str = include_str!("docker-freeze.ndjson");

/// The recording's inputs applied, as `sentui report` does.
fn replayed(recording: &str) -> (Deployment, Millis) {
    let mut d = Deployment::default();
    let mut last = 0;
    for line in recording.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["record"] == "input" {
            let input: Input = serde_json::from_value(v).unwrap();
            last = input.at;
            d.step(input);
        }
    }
    (d, last)
}

fn about() -> About {
    About {
        source: "recorded by the TUI".into(),
        deployment: "sentui-shots".into(),
        fault: "pause".into(),
    }
}

fn page() -> Page {
    let (d, end) = replayed(FREEZE);
    build(&d, "mymaster", Focus::LastFailover, &about(), end).expect("a failover to draw")
}

#[test]
fn the_last_failover_of_a_recording_has_every_sentinel_and_node() {
    let p = page();
    assert_eq!(p.title, "mymaster: failover of redis-master");
    assert_eq!(p.summary.outcome, "completed");
    assert!(p.summary.switched);
    let names = |v: Vec<&str>| v.join(",");
    assert_eq!(
        names(
            p.timeline
                .sentinels
                .iter()
                .map(|s| s.name.as_str())
                .collect()
        ),
        "sentinel-1,sentinel-2,sentinel-3"
    );
    let nodes: Vec<&str> = p.timeline.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(nodes[0], "redis-master", "the old master first: {nodes:?}");
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert!(p.timeline.probe.is_none(), "no probe ran in this session");
}

#[test]
fn time_zero_is_the_fault_and_sentinels_time_ends_at_switch_master() {
    let p = page();
    let faults = &p.timeline.faults;
    assert_eq!(faults[0].kind, MarkKind::Fault);
    assert_eq!(faults[0].at_ms, 0, "the fault is the origin");
    assert_eq!(faults[0].label, "paused");
    assert!(
        faults
            .iter()
            .any(|f| f.kind == MarkKind::Undo && f.at_ms > 0)
    );
    let switch = p
        .summary
        .phases
        .iter()
        .find(|s| s.label == "+switch-master")
        .expect("+switch-master among the phases");
    assert_eq!(p.summary.sentinel_ms, Some(switch.at_ms));
    // Each step's duration is the time from the step before.
    let mut prev = 0;
    for s in &p.summary.phases {
        assert_eq!(s.took_ms, s.at_ms - prev, "{s:?}");
        prev = s.at_ms;
    }
    assert!(p.timeline.from_ms < 0 && p.timeline.to_ms > switch.at_ms);
}

#[test]
fn sentinel_lanes_hold_the_election_and_the_switch() {
    let p = page();
    let kinds: Vec<MarkKind> = p
        .timeline
        .sentinels
        .iter()
        .flat_map(|s| s.marks.iter().map(|m| m.kind))
        .collect();
    for k in [
        MarkKind::Sdown,
        MarkKind::Odown,
        MarkKind::TryFailover,
        MarkKind::Vote,
        MarkKind::Elected,
        MarkKind::SwitchMaster,
        MarkKind::FailoverEnd,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing: {kinds:?}");
    }
    // Every sentinel publishes +switch-master; a vote names whom it went to.
    for s in &p.timeline.sentinels {
        assert!(
            s.marks.iter().any(|m| m.kind == MarkKind::SwitchMaster),
            "{}",
            s.name
        );
    }
    let vote = p
        .timeline
        .sentinels
        .iter()
        .flat_map(|s| &s.marks)
        .find(|m| m.kind == MarkKind::Vote)
        .unwrap();
    assert!(vote.label.starts_with("vote → sentinel-"), "{}", vote.label);
    assert!(
        vote.detail.starts_with("+vote-for-leader "),
        "{}",
        vote.detail
    );
}

#[test]
fn node_lanes_show_roles_conditions_and_lag() {
    let p = page();
    let old = &p.timeline.nodes[0];
    assert_eq!(old.roles.first().map(|r| r.role), Some(Role::Master));
    assert_eq!(
        old.roles.last().map(|r| r.role),
        Some(Role::Replica),
        "resumed as a replica: {:?}",
        old.roles
    );
    let paused = old
        .conditions
        .iter()
        .find(|c| c.condition == Condition::Paused)
        .expect("the freeze as a paused span");
    // The engine stamps its pause event a moment before sentui hears its call return.
    assert!(paused.from_ms.abs() < 50, "{paused:?}");
    assert!(paused.to_ms.is_some_and(|t| t > 0));
    let new = p
        .timeline
        .nodes
        .iter()
        .find(|n| Some(&n.addr) == p.summary.new_master.as_ref())
        .expect("the new master's lane");
    assert!(new.roles.iter().any(|r| r.role == Role::Master));
    assert!(
        p.timeline.nodes.iter().any(|n| !n.lag.is_empty()),
        "replicas' lag as read"
    );
}

#[test]
fn a_fault_with_no_failover_still_has_a_page_and_nothing_else_has_none() {
    let (d, end) = replayed(FREEZE);
    assert!(build(&d, "othergroup", Focus::LastFailover, &about(), end).is_none());
    let late = end + 60_000;
    let p = build(&d, "mymaster", Focus::Fault(late), &about(), late + 1000).unwrap();
    assert_eq!(p.summary.outcome, "no failover");
    assert!(p.summary.phases.is_empty());
}

#[test]
fn the_same_session_builds_the_same_page() {
    assert_eq!(page(), page());
    let json = serde_json::to_string(&page()).unwrap();
    let back: Page = serde_json::from_str(&json).unwrap();
    assert_eq!(back, page(), "a drill's report carries the page as JSON");
}

#[test]
fn a_capture_of_the_log_alone_draws_the_same_failover() {
    let (d, end) = replayed(FREEZE);
    // What `sentui events --json` printed during that session (as it arrived), read back.
    let lines: Vec<String> = d
        .log()
        .entries()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let entries = lines.iter().map(|l| serde_json::from_str(l).unwrap());
    let from_log = from_log(entries);
    let p = build(&from_log, "mymaster", Focus::LastFailover, &about(), end).unwrap();
    let full = page();
    // The same stopwatch; only the names differ (no container is known from the log alone).
    let steps = |p: &Page| -> Vec<(String, i64)> {
        let s = &p.summary.phases;
        s.iter().map(|s| (s.label.clone(), s.at_ms)).collect()
    };
    assert_eq!(steps(&p), steps(&full));
    assert_eq!(p.summary.outcome, "completed");
    let names: Vec<&str> = p
        .timeline
        .sentinels
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names.len(), 3, "every sentinel that published: {names:?}");
    // Without polls the nodes are the ones the sentinels named, roles from the log.
    assert!(p.timeline.nodes.len() >= 2, "{:?}", p.timeline.nodes);
    let old = &p.timeline.nodes[0];
    assert_eq!(old.roles.first().map(|r| r.role), Some(Role::Master));
    assert!(
        old.conditions
            .iter()
            .any(|c| c.condition == Condition::Paused)
    );
    // No poll said whose run id is whose: the candidate that voted for an id owns it.
    let votes: Vec<&str> = p
        .timeline
        .sentinels
        .iter()
        .flat_map(|s| &s.marks)
        .filter(|m| m.kind == MarkKind::Vote)
        .map(|m| m.label.as_str())
        .collect();
    assert!(!votes.is_empty());
    assert!(
        votes.iter().all(|v| *v == "vote → sentinel-3:26379"),
        "{votes:?}"
    );
}

/// The TUI on the local lab (a master, two replicas, three sentinels): `w` started the write
/// probe, `p` froze the master, `p` resumed it after the failover, `w` stopped the probe.
const LOCAL_PROBE: &str = include_str!("local-probe-failover.ndjson");

#[test]
fn the_clients_outage_runs_from_the_last_write_that_succeeded() {
    let (d, end) = replayed(LOCAL_PROBE);
    let p = build(&d, "mymaster", Focus::LastFailover, &about(), end).unwrap();
    let c = p.summary.clients.expect("the probe's view");
    let last = c.last_success_ms.unwrap();
    let first_failure = c.first_failure_ms.unwrap();
    let back = c.first_success_ms.unwrap();
    // Frozen at 0: the writes after the last one before it hang until their 1 s timeout.
    assert!((-100..=0).contains(&last), "{c:?}");
    assert!(first_failure >= 900, "{c:?}");
    assert_eq!(c.outage_ms, Some(back - last));
    let switch = p.summary.sentinel_ms.unwrap();
    assert!(
        back >= switch,
        "writes came back after +switch-master: {c:?}"
    );
    assert_eq!(c.lost_text, "no acknowledged write lost");
    assert_eq!(p.timeline.outage.as_ref().map(|o| o.from_ms), Some(last));

    let probe = p.timeline.probe.expect("the probe's lane");
    assert_eq!(probe.rate, 100);
    let acked_before: u32 = probe
        .buckets
        .iter()
        .filter(|b| b.at_ms < 0)
        .map(|b| b.acked)
        .sum();
    assert!(acked_before > 50, "{acked_before}");
    let slow = probe
        .buckets
        .iter()
        .filter_map(|b| b.max_latency_ms)
        .max()
        .unwrap();
    assert!(slow >= 900, "a hung write's latency: {slow} ms");
    let failed: u32 = probe.buckets.iter().map(|b| b.failed).sum();
    assert_eq!(u64::from(failed), c.failed);
}
