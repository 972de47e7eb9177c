//! "Why no failover?" on the Docker lab: a replica partitioned from the sentinels is one they
//! will not promote, though sentui itself still reaches it through its published port. Runs
//! wherever an engine is reachable; only where none is does it skip, saying so loudly.

mod common;

use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

fn doctor(lab: &DockerLab) -> (Value, i32) {
    let out = lab.run(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json: {e}: {}{}", stdout(&out), stderr(&out)));
    (v["groups"][0].clone(), out.status.code().unwrap_or(-1))
}

fn replicas_condition(g: &Value) -> Value {
    g["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "replicas")
        .cloned()
        .unwrap_or_else(|| panic!("no replicas condition: {g:#}"))
}

#[test]
fn a_replica_partitioned_from_the_sentinels_is_not_eligible() {
    let Some((lab, _)) = DockerLab::up_or_skip(
        "a_replica_partitioned_from_the_sentinels_is_not_eligible",
        format!("sentui-test-ready-{}", std::process::id()),
    ) else {
        return;
    };
    let (g, code) = doctor(&lab);
    assert_eq!(code, 0, "{g:#}");
    let master = g["promote"]["addr"].clone();
    assert!(master.is_string(), "{g:#}");

    let out = lab.run(&["ctl", "partition", "redis-replica-1"]);
    assert!(out.status.success(), "ctl partition: {}", stderr(&out));
    // The sentinels flag it s_down after down-after-milliseconds; sentui still reaches it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (g, code) = loop {
        let (g, code) = doctor(&lab);
        let summary = replicas_condition(&g)["summary"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if summary.contains("flagged s_down by 3 of 3 sentinels, not eligible")
            || Instant::now() > deadline
        {
            break (g, code);
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let c = replicas_condition(&g);
    assert_eq!(code, 1, "{g:#}");
    assert_eq!(g["verdict"], "at-risk", "{g:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .starts_with("redis-replica-1:6379 flagged s_down by 3 of 3 sentinels, not eligible"),
        "{g:#}"
    );
    assert_ne!(g["promote"]["addr"], "redis-replica-1:6379", "{g:#}");

    // status agrees: not healthy, and it says why.
    let (s, code) = lab.status();
    assert_eq!(code, 1, "degraded: {s:#}");
    let problems: Vec<String> = s["masters"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert!(
        problems.iter().any(|p| p
            == "replica redis-replica-1:6379 is subjectively down (s_down) for the sentinels: they will not promote it"),
        "{problems:#?}"
    );
    let replica = s["masters"][0]["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["addr"] == "redis-replica-1:6379")
        .cloned()
        .unwrap();
    assert_eq!(
        replica["reach"], "ok",
        "sentui still reaches it: {replica:#}"
    );

    let out = lab.run(&["ctl", "heal", "redis-replica-1"]);
    assert!(out.status.success(), "ctl heal: {}", stderr(&out));
    lab.down_clean(&[]);
}
