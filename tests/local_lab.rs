//! End to end on the local-process lab: status, a frozen master, the failover as sentui sees
//! it (votes, +switch-master from several sentinels, phase timings), the old master rejoining,
//! and lab down stopping exactly what it started (and naming a member someone restarted by
//! hand, which it leaves running); the hint `lab up` prints; the lab refusing a
//! partition (a Docker lab's fault), restarting a node empty, and taking the loss settings.

mod common;

use common::*;
use sentui_io::collect::{self, CollectSettings};
use sentui_model::{Addr, Deployment};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

#[test]
fn failover_on_the_local_lab() {
    let lab = LocalLab::up(2);

    // Steady state: one group, the lab's master, two replicas with links up, three sentinels.
    let (s, code) = lab.status();
    assert_eq!(code, 0, "healthy lab exits 0: {s:#}");
    let g = &s["masters"][0];
    assert_eq!(s["masters"].as_array().unwrap().len(), 1);
    assert_eq!(g["name"], "mymaster");
    assert_eq!(g["quorum"], 2);
    assert_eq!(g["master"]["addr"], lab.master.as_str());
    assert_eq!(g["master"]["role"], "master");
    assert_eq!(g["replicas"].as_array().unwrap().len(), 2);
    for r in g["replicas"].as_array().unwrap() {
        assert_eq!(r["link"], "up");
        assert_eq!(r["role"], "replica");
        assert!(r["lag_bytes"].is_u64());
    }
    assert_eq!(g["sentinels"].as_array().unwrap().len(), 3);
    assert!(
        g["sentinels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["reach"] == "ok" && x["master"] == lab.master.as_str())
    );
    // The binary the lab ran is recorded, and every node and sentinel says what it runs.
    let server = &lab.state()["server"];
    assert_eq!(server["name"], "redis", "{server}");
    assert!(server["path"].as_str().unwrap().ends_with("redis-server"));
    let version = server["version"].as_str().unwrap().to_string();
    assert!(
        lab.up_stdout
            .contains(&format!("server: redis {version} (")),
        "{}",
        lab.up_stdout
    );
    assert_eq!(g["master"]["server"]["version"], version.as_str());
    assert!(
        g["replicas"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["server"]["name"] == "redis")
    );
    assert!(
        g["sentinels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["server"]["version"] == version.as_str())
    );
    let text = stdout(&lab.run(&["status"]));
    assert!(text.contains(&format!("redis {version}")), "{text}");

    // Freeze the master and watch the failover.
    let stream = EventStream::start(&lab.sentinel_args(), "failover-complete");
    let out = lab.run(&["ctl", "pause", "master"]);
    assert!(out.status.success(), "ctl pause: {}", stderr(&out));
    assert!(stdout(&out).contains(&format!("paused {}", lab.master)));
    let seen = stream.until("failover-complete", Duration::from_secs(40));

    let by = |event: &str| -> Vec<&Value> { seen.iter().filter(|v| v["event"] == event).collect() };
    assert!(
        by("node-unresponsive")
            .iter()
            .any(|v| v["addr"] == lab.master.as_str()),
        "sentui flags the frozen master itself"
    );
    let votes = by("+vote-for-leader");
    assert!(
        votes.len() >= 2,
        "votes from at least two sentinels: {votes:?}"
    );
    let mut switchers: Vec<&str> = by("+switch-master")
        .iter()
        .map(|v| v["sentinel"].as_str().unwrap())
        .collect();
    switchers.sort();
    switchers.dedup();
    assert!(
        switchers.len() >= 2,
        "+switch-master from at least two sentinels: {switchers:?}"
    );
    for v in &seen {
        assert!(
            v["ts"].is_u64() && v["source"].is_string() && v["payload"].is_string(),
            "{v}"
        );
    }

    // The phases, timed.
    let done = by("failover-complete")[0];
    let f = &done["failover"];
    let marks = f["marks"].as_array().unwrap();
    let at = |phase: &str| {
        marks
            .iter()
            .find(|m| m["phase"] == phase)
            .map(|m| m["at"].as_u64().unwrap())
    };
    let start = f["started_at"].as_u64().unwrap();
    let (sdown, odown, switch, end) = (
        at("sdown").unwrap(),
        at("odown").unwrap(),
        at("switch-master").unwrap(),
        at("failover-end").unwrap(),
    );
    assert!(
        at("unresponsive").unwrap() <= sdown,
        "sentui sees the freeze before Sentinel's +sdown"
    );
    assert!(start <= sdown && sdown <= odown && odown <= switch && switch <= end);
    assert!(
        switch - start < 15_000,
        "switch-master {} ms after the first sign",
        switch - start
    );
    assert_eq!(f["old_master"], lab.master.as_str());
    let new_master = f["new_master"].as_str().unwrap().to_string();
    assert_ne!(new_master, lab.master);

    // Status now names the promoted replica, and the frozen node as unresponsive.
    let (s, code) = lab.status();
    assert_eq!(s["masters"][0]["master"]["addr"], new_master.as_str());
    let old = s["masters"][0]["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["addr"] == lab.master.as_str())
        .cloned()
        .unwrap();
    assert_eq!(old["reach"], "unresponsive");
    assert_eq!(code, 1, "degraded while the old master is frozen");

    // Resume it: the sentinels convert it into a replica of the new master.
    let stream = EventStream::start(&lab.sentinel_args(), "+convert-to-slave");
    let out = lab.run(&["ctl", "unpause", &lab.master]);
    assert!(out.status.success(), "ctl unpause: {}", stderr(&out));
    let seen = stream.until("+convert-to-slave", Duration::from_secs(40));
    let convert = seen.last().unwrap();
    assert_eq!(convert["addr"], lab.master.as_str());
    assert!(
        convert["payload"]
            .as_str()
            .unwrap()
            .ends_with(&format!("@ mymaster {}", new_master.replace(':', " "))),
        "{convert}"
    );
    let rejoined = wait_for(Duration::from_secs(20), || {
        let (s, code) = lab.status();
        let r = s["masters"][0]["replicas"]
            .as_array()?
            .iter()
            .find(|r| r["addr"] == lab.master.as_str())?
            .clone();
        (r["role"] == "replica" && r["link"] == "up" && code == 0).then_some(r)
    });
    assert!(rejoined.is_some(), "old master back as a healthy replica");

    // Down stops exactly what up started.
    let out = lab.down();
    assert!(out.status.success(), "lab down: {}", stderr(&out));
    assert_eq!(stdout(&out).matches("stopped").count(), 6);
    assert!(
        wait_for(Duration::from_secs(5), || lab
            .pids
            .iter()
            .all(|p| !pid_alive(*p))
            .then_some(()))
        .is_some()
    );
    assert!(!lab.lab_dir().exists());
}

/// Three sentinels watching several groups (the scale lab, small): every group is reported
/// whole, by `status` and by the live collectors on a budget of one group a round.
#[test]
fn one_sentinel_set_watching_several_groups() {
    let lab = LocalLab::up_groups(1, 4);
    assert!(lab.up_stdout.contains("4 groups"), "{}", lab.up_stdout);
    let out = lab.run(&["status", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["masters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["mymaster", "mymaster-002", "mymaster-003", "mymaster-004"]
    );
    for m in v["masters"].as_array().unwrap() {
        assert_eq!(m["health"], "healthy", "{m}");
        assert_eq!(m["replicas"].as_array().unwrap().len(), 1, "{m}");
        assert_eq!(m["sentinels"].as_array().unwrap().len(), 3, "{m}");
    }
    // The live collectors with a budget of one group a round still come to know every group
    // whole, from every sentinel, taking turns.
    let seeds: Vec<Addr> = lab.sentinels.iter().map(|s| s.parse().unwrap()).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let whole = rt.block_on(async {
        let settings = CollectSettings {
            poll_budget: 3,
            ..CollectSettings::default()
        };
        let (tx, mut inputs) = tokio::sync::mpsc::channel(collect::CHANNEL);
        let _collectors = collect::start(settings, seeds.clone(), tx);
        let mut d = Deployment::default();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while let Ok(Some(i)) = tokio::time::timeout_at(deadline, inputs.recv()).await {
            d.step(i);
            let known = seeds.iter().filter_map(|s| d.sentinels().get(s)).all(|s| {
                s.groups.len() == 4
                    && s.groups
                        .values()
                        .all(|g| g.replicas.len() == 1 && g.peers.len() == 2)
            });
            if known {
                return true;
            }
        }
        false
    });
    assert!(
        whole,
        "the budgeted collectors never knew every group whole"
    );
    let down = lab.down();
    assert!(down.status.success(), "{}", stderr(&down));
    assert_eq!(stdout(&down).matches("stopped").count(), 8 + 3);
}

#[test]
fn the_labs_hints_name_a_command_that_runs() {
    let lab = LocalLab::up(1);
    let me = std::fs::canonicalize(bin()).unwrap();
    assert!(
        lab.up_stdout
            .contains(&format!("connect with:\n  {} --sentinel", me.display())),
        "not on PATH: the binary's own path\n{}",
        lab.up_stdout
    );
    // Installed (on PATH), the hint is plain `sentui`.
    let path = format!(
        "{}:{}",
        me.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(bin())
        .args([
            "lab",
            "up",
            "--local",
            "--dir",
            lab.lab_dir().to_str().unwrap(),
        ])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("connect with:\n  sentui --sentinel"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_local_lab_refuses_a_partition_restarts_empty_and_takes_the_loss_settings() {
    let dir = tempfile::Builder::new()
        .prefix("sentui-test-lab")
        .tempdir()
        .unwrap();
    let lab_dir = dir.path().join("lab");
    let lab_dir = lab_dir.to_str().unwrap();
    let up = sentui(&[
        "lab",
        "up",
        "--local",
        "--dir",
        lab_dir,
        "--replicas",
        "1",
        "--min-replicas-to-write",
        "1",
        "--min-replicas-max-lag",
        "3",
        "--master-reboot-down-after-period",
        "4000",
    ]);
    let down = || sentui(&["lab", "down", "--local", "--dir", lab_dir]);
    if !up.status.success() {
        down();
        panic!("lab up: {}{}", stdout(&up), stderr(&up));
    }
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("lab/lab.json")).unwrap())
            .unwrap();
    let sentinel = state["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "sentinel")
        .map(|m| format!("127.0.0.1:{}", m["port"]))
        .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--sentinel", sentinel.as_str()];
        all.extend_from_slice(args);
        sentui(&all)
    };
    let out = run(&["ctl", "partition", "master"]);
    let status = run(&["status", "--json"]);
    let conf = std::fs::read_to_string(dir.path().join("lab/sentinel-1/sentinel.conf"))
        .unwrap_or_default();
    // restart-empty: the same port, another process, no data; lab down still stops it.
    let master = state["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "master")
        .map(|m| {
            (
                m["port"].as_u64().unwrap() as u16,
                m["pid"].as_i64().unwrap() as i32,
            )
        })
        .unwrap();
    let set = redis_cmd(master.0, &["SET", "before-restart", "1"]);
    let restarted = run(&["ctl", "restart-empty", "master"]);
    let after = redis_cmd(master.0, &["EXISTS", "before-restart"]);
    let new_pid = std::fs::read_to_string(dir.path().join("lab/master/redis.pid"))
        .ok()
        .and_then(|p| p.trim().parse::<i32>().ok());
    down();
    assert!(set.is_ok(), "{set:?}");
    assert!(restarted.status.success(), "{}", stderr(&restarted));
    assert!(
        stdout(&restarted).starts_with("restarted empty 127.0.0.1:"),
        "{}",
        stdout(&restarted)
    );
    assert_eq!(after.ok(), Some(redis::Value::Int(0)), "its data is gone");
    let new_pid = new_pid.expect("the restarted server wrote its pidfile");
    assert_ne!(new_pid, master.1, "another process");
    assert!(
        wait_for(Duration::from_secs(5), || (!pid_alive(new_pid))
            .then_some(()))
        .is_some(),
        "lab down stopped the restarted server (pid {new_pid})"
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needs the Docker lab's networks"),
        "{}",
        stderr(&out)
    );
    let s: Value = serde_json::from_slice(&status.stdout)
        .unwrap_or_else(|e| panic!("status --json ({e}): {}", stdout(&status)));
    let g = &s["masters"][0];
    let replicas = g["replicas"].as_array().cloned().unwrap_or_default();
    for n in std::iter::once(&g["master"]).chain(&replicas) {
        assert_eq!(n["min_replicas"]["to_write"], 1, "{n:#}");
        assert_eq!(n["min_replicas"]["max_lag_secs"], 3, "{n:#}");
    }
    assert!(
        conf.contains("master-reboot-down-after-period mymaster 4000"),
        "{conf}"
    );
}

#[test]
fn lab_down_names_a_member_restarted_by_hand_and_leaves_it_running() {
    let lab = LocalLab::up(1);
    let port = lab.ports(sentui_io::lab::local::MemberRole::Replica)[0];
    let lab_pid = lab.pid_of(port);
    lab.kill_member(port);
    // Someone starts a server on the member's port by hand: not the lab's process.
    let own = tempfile::tempdir().unwrap();
    let stray_server = stray_redis_on(port, own.path());
    let stray = stray_server.0.id() as i32;
    let out = lab.down();
    // Left running by lab down: still ours to stop.
    let left_running = pid_alive(stray);
    drop(stray_server);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    let expected = format!(
        "replica 127.0.0.1:{port} (pid {lab_pid}) was not running; pid {stray} (redis-server) \
         listens on 127.0.0.1:{port} now: not started by the lab, left running (stop it yourself)"
    );
    assert!(said.contains(&expected), "{said}");
    assert!(left_running, "the hand-started server was left running");
}
