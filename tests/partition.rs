//! Partitions on the real Docker engine: `ctl partition`/`heal` cut the master off from the
//! sentinels and replicas while the host still reaches it (`status --json` says `partitioned`,
//! the log gets Docker's network events), and `drill --fault partition` measures the writes a
//! partitioned master acknowledges and loses, with and without `min-replicas-to-write`. Runs
//! wherever an engine is reachable; only where none is does it skip, saying so loudly. (The
//! local-process lab's refusal of a partition is in local_lab.rs.)

mod common;

use common::*;
use serde_json::Value;
use std::time::Duration;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(out), stderr(out)))
}

/// Every node of the group, master first.
fn nodes(status: &Value) -> Vec<Value> {
    let g = &status["masters"][0];
    let mut all = vec![g["master"].clone()];
    all.extend(g["replicas"].as_array().cloned().unwrap_or_default());
    all
}

/// `drill --fault partition --hold 3s --probe-follow stay` on `lab`, as JSON.
fn partition_drill(lab: &DockerLab) -> Value {
    let out = lab.run(&[
        "drill",
        "--fault",
        "partition",
        "--hold",
        "3s",
        "--probe-follow",
        "stay",
        "--report",
        "json",
    ]);
    let r = json(&out);
    assert_eq!(r["verdict"], "pass", "{r:#}\n{}", stderr(&out));
    r
}

/// The drill left nothing partitioned, and the old master is a replica again.
fn nothing_left_partitioned(lab: &DockerLab, old: &str) {
    let (s, _) = lab.status();
    for n in nodes(&s) {
        assert_eq!(n["partitioned"], false, "{n:#}");
    }
    let old_node = nodes(&s).into_iter().find(|n| n["addr"] == old).unwrap();
    assert_eq!(old_node["role"], "replica", "{old_node:#}");
}

#[test]
fn partitions_on_the_docker_lab() {
    let Some((lab, _)) = DockerLab::up_or_skip(
        "partitions_on_the_docker_lab",
        format!("sentui-test-part-{}", std::process::id()),
    ) else {
        return;
    };

    // ctl partition: the host still reaches the master, the log has Docker's event.
    let stream = EventStream::start(
        &["--compose-project".to_string(), lab.project.clone()],
        "network-disconnect",
    );
    let out = lab.run(&["ctl", "partition", "master"]);
    assert!(out.status.success(), "ctl partition: {}", stderr(&out));
    assert!(
        stdout(&out).starts_with("partitioned redis-master:6379"),
        "{}",
        stdout(&out)
    );
    let seen = stream.until("network-disconnect", Duration::from_secs(30));
    let cut = seen.last().unwrap();
    assert_eq!(cut["source"], "docker");
    assert_eq!(cut["addr"], "redis-master:6379");
    let (s, _) = lab.status();
    let master = &nodes(&s)[0];
    assert_eq!(master["partitioned"], true, "{master:#}");
    assert_eq!(master["container"]["partitioned"], true);
    assert_eq!(master["reach"], "ok", "sentui still reaches it: {master:#}");
    let out = lab.run(&["ctl", "heal", "redis-master"]);
    assert!(out.status.success(), "ctl heal: {}", stderr(&out));
    assert_eq!(nodes(&lab.status().0)[0]["partitioned"], false);
    // A sentinel has no network of its own for its port: refused, with the reason.
    let out = lab.run(&["ctl", "partition", "sentinel-1"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("only the lab's Redis nodes"),
        "{}",
        stderr(&out)
    );
    // Let the sentinels settle on the healed master before the drill.
    let healthy = wait_for(Duration::from_secs(60), || {
        (lab.status().1 == 0).then_some(())
    });
    assert!(healthy.is_some(), "healthy again after the heal");

    // The drill: the partitioned master acknowledges writes the new master never gets.
    let r = partition_drill(&lab);
    let old = r["old_master"].as_str().unwrap().to_string();
    let p = &r["probe"];
    assert_eq!(p["follow"], "stay");
    let lost = p["lost"].as_u64().unwrap();
    assert!(lost > 0, "a partitioned master loses writes: {p:#}");
    let loss = p["loss"].as_array().unwrap();
    assert_eq!(
        loss.iter()
            .map(|g| g["count"].as_u64().unwrap())
            .sum::<u64>(),
        lost,
        "every lost write attributed: {p:#}"
    );
    assert!(loss.iter().all(|g| g["role"] == "old"), "all by OLD: {p:#}");
    let during: u64 = loss
        .iter()
        .filter(|g| g["window"] == "during-fault")
        .map(|g| g["count"].as_u64().unwrap())
        .sum();
    assert!(during > 0, "lost during the partition: {p:#}");
    // Healing does not end the loss: the old master acknowledges writes until the sentinels
    // convert it (they wait ~8 s after it is back); none after that.
    let converted = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["event"] == "+convert-to-slave")
        .and_then(|x| x["since_fault_ms"].as_i64())
        .expect("+convert-to-slave in the phases");
    assert!(
        loss.iter()
            .all(|g| g["last_ms"].as_i64().unwrap() <= converted),
        "nothing acknowledged after +convert-to-slave at {converted} ms is lost: {p:#}"
    );
    assert!(p["loss_text"].as_str().unwrap().contains("by OLD"), "{p:#}");
    assert!(
        r["phases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["event"] == "fault-cleared")
    );
    nothing_left_partitioned(&lab, &old);
    lab.down_clean(&[]);

    // With min-replicas-to-write 1 (max lag 2 s): the master refuses writes once its replicas
    // lag, so at most about 2 s of writes are lost and the rest are refused, not lost.
    let lab = DockerLab::named(format!("sentui-test-partmin-{}", std::process::id()));
    let up = sentui(&[
        "lab",
        "up",
        "--project",
        &lab.project,
        "--min-replicas-to-write",
        "1",
        "--min-replicas-max-lag",
        "2",
    ]);
    assert!(
        up.status.success(),
        "lab up: {}{}",
        stdout(&up),
        stderr(&up)
    );
    let (s, _) = lab.status();
    for n in nodes(&s) {
        assert_eq!(
            n["min_replicas"]["to_write"], 1,
            "read from the node: {n:#}"
        );
        assert_eq!(n["min_replicas"]["max_lag_secs"], 2);
    }
    let r = partition_drill(&lab);
    let p = &r["probe"];
    let rate = p["rate"].as_u64().unwrap();
    let bounded = p["lost"].as_u64().unwrap();
    assert!(
        bounded < lost && bounded <= rate * 4,
        "about 2 s of writes lost ({bounded} at {rate}/s), fewer than without ({lost}): {p:#}"
    );
    assert!(
        p["refused"]["noreplicas"].as_u64().unwrap_or(0) > 0,
        "{p:#}"
    );
    assert!(p["errors"]["noreplicas"].as_u64().is_some());
    nothing_left_partitioned(&lab, r["old_master"].as_str().unwrap());
    lab.down_clean(&[]);
}
