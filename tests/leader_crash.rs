//! A forced failover (`SENTINEL FAILOVER`) whose leader crashes right after its election or
//! right after promoting a replica (`SENTINEL SIMULATE-FAILURE`), then a real failover 6 s
//! later, on the local-process lab: `events --json` reports the abandoned attempt as aborted
//! (leader lost) and the real failover as its own, timed from its own first sign. (A leader
//! crashed in an election that asked for votes: faults.rs.)

mod common;

use common::*;
use sentui_io::lab::local::MemberRole;
use serde_json::Value;
use std::time::{Duration, Instant};

fn port_of(addr: &str) -> u16 {
    addr.rsplit(':').next().unwrap().parse().unwrap()
}

fn addr(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

fn millis_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Resumes the frozen master however the test ends.
struct Thaw(i32);

impl Drop for Thaw {
    fn drop(&mut self) {
        // SAFETY: kill has no memory preconditions; the pid is a lab member the test froze.
        unsafe { libc::kill(self.0, libc::SIGCONT) };
    }
}

const EVENT_WAIT: Duration = Duration::from_secs(25);

/// The first `+switch-master` of a failover, in ms after its start.
fn switch_after_start(complete: &Value) -> u64 {
    let started = complete["started_at"].as_u64().unwrap();
    let switch = complete["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["phase"] == "switch-master")
        .and_then(|m| m["at"].as_u64())
        .unwrap_or_else(|| panic!("+switch-master marked: {complete:#}"));
    switch - started
}

/// A forced failover (`SENTINEL FAILOVER`) whose leader crashes (`failure`): it asked no votes,
/// so its epoch 1 may never reach the others, and the real failover 6 s later can run in epoch 1
/// too, led by another sentinel. `events --json` keeps them apart: the first is aborted (leader
/// lost), the second completes, timed from its own first sign.
fn forced_failover_leader_crash(failure: &str) {
    let lab = LocalLab::up(2);
    let master_port = port_of(&lab.master);
    let master_pid = lab.pid_of(master_port);
    let sentinels = lab.ports(MemberRole::Sentinel);
    let first = sentinels[0];
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "120s", 3, Duration::from_secs(15));
    for cmd in [
        &["SENTINEL", "SIMULATE-FAILURE", failure][..],
        &["SENTINEL", "FAILOVER", "mymaster"],
    ] {
        let ok = redis_cmd(first, cmd);
        assert!(ok.is_ok(), "{cmd:?} on {first}: {ok:?}");
    }
    let first_pid = lab.pid_of(first);
    wait_for(Duration::from_secs(15), || {
        (!pid_alive(first_pid)).then_some(())
    })
    .unwrap_or_else(|| {
        panic!(
            "the forced failover's leader did not crash:\n{}",
            ev.summary()
        )
    });
    let crashed_at = Instant::now();
    let lost = ev.wait_from(0, EVENT_WAIT, |v| v["event"] == "failover-aborted");
    let lost = lost.unwrap_or_else(|| panic!("no failover-aborted:\n{}", ev.summary()));
    let aborted = ev.seen[lost].clone();
    // The scenario: the real failover comes 6 s after the crash.
    std::thread::sleep(Duration::from_secs(6).saturating_sub(crashed_at.elapsed()));
    let thaw = Thaw(master_pid);
    let second_fault = millis_now();
    lab.signal(master_port, libc::SIGSTOP);
    let done = ev.wait_from(lost, Duration::from_secs(40), |v| {
        v["event"] == "failover-complete"
    });
    lab.signal(master_port, libc::SIGCONT);
    drop(thaw);
    let done = done.unwrap_or_else(|| panic!("no failover-complete:\n{}", ev.summary()));
    let complete = &ev.seen[done]["failover"];
    assert_eq!(aborted["failover"]["epoch"], 1, "{aborted:#}");
    assert_eq!(
        aborted["failover"]["tried_by"][0],
        addr(first),
        "{aborted:#}"
    );
    let why = aborted["payload"].as_str().unwrap();
    assert!(
        why.contains(&format!(
            "(aborted: leader lost: {} seen down)",
            addr(first)
        )),
        "{why}"
    );
    // Epoch 1 again when the first leader's epoch never spread (its hello messages, which
    // carry it, can reach the others before it crashes: then epoch 2); apart either way.
    let epoch = complete["epoch"].as_u64().unwrap();
    assert!((1..=2).contains(&epoch), "{complete:#}");
    assert_ne!(complete["leader"], addr(first), "{complete:#}");
    assert!(
        complete["started_at"].as_u64().unwrap() >= second_fault,
        "the real failover starts at its own first sign: {complete:#}"
    );
    let after = switch_after_start(complete);
    assert!(
        after <= 3000,
        "+switch-master {after} ms after the failover's start"
    );
    let between: Vec<&Value> = ev.seen[lost + 1..done]
        .iter()
        .filter(|v| v["event"] == "failover-aborted")
        .collect();
    assert!(between.is_empty(), "nothing else aborted: {between:?}");
}

#[test]
fn a_forced_failovers_leader_crashed_after_election_is_not_merged_into_the_next() {
    forced_failover_leader_crash("crash-after-election");
}

#[test]
fn a_forced_failovers_leader_crashed_after_promotion_is_not_merged_into_the_next() {
    forced_failover_leader_crash("crash-after-promotion");
}
