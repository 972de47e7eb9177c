//! Against the real Docker engine: the compose lab under a unique project name, container names
//! in `status --json`, the master paused through `sentui ctl`, a replica promoted, the old master
//! back as a replica (`+convert-to-slave`), container events in the log, and `lab down` leaving
//! no container, network or volume of the project; and a drill on that lab that passes, paused
//! through Docker, leaving nothing paused. Runs wherever an engine is reachable; only where
//! none is does it skip, saying so loudly.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

/// Streams the lab's events, does `then`, and returns what came up to `until`.
fn events_until(lab: &DockerLab, until: &str, then: impl FnOnce()) -> Vec<Value> {
    let stream = EventStream::start(
        &["--compose-project".to_string(), lab.project.clone()],
        until,
    );
    then();
    stream.until(until, Duration::from_secs(60))
}

#[test]
fn failover_on_the_docker_lab() {
    let Some((lab, up)) = DockerLab::up_or_skip(
        "failover_on_the_docker_lab",
        format!("sentui-test-{}", std::process::id()),
    ) else {
        return;
    };
    assert!(
        stdout(&up).contains("image: "),
        "says which image it uses: {}",
        stdout(&up)
    );

    // Everything by name, with its container.
    let (s, code) = lab.status();
    assert_eq!(code, 0, "{s:#}");
    let g = &s["masters"][0];
    assert_eq!(g["master"]["addr"], "redis-master:6379");
    let container_of = |n: &Value| n["container"]["name"].as_str().unwrap_or("").to_string();
    assert!(container_of(&g["master"]).contains("redis-master"), "{g:#}");
    assert_eq!(g["master"]["container"]["state"], "running");
    for r in g["replicas"].as_array().unwrap() {
        assert!(container_of(r).contains("redis-replica"), "{r:#}");
    }
    let sentinels = g["sentinels"].as_array().unwrap();
    assert_eq!(sentinels.len(), 3);
    assert!(
        sentinels
            .iter()
            .all(|x| container_of(x).contains("sentinel") && x["reach"] == "ok")
    );

    // Pause the master through sentui: docker's pause event, then the failover.
    let seen = events_until(&lab, "failover-complete", || {
        let out = lab.run(&["ctl", "pause", "master"]);
        assert!(out.status.success(), "ctl pause: {}", stderr(&out));
        assert!(stdout(&out).contains("container"), "{}", stdout(&out));
    });
    let pos = |event: &str| seen.iter().position(|v| v["event"] == event);
    let pause = pos("container-pause").expect("docker's pause event in the log");
    assert_eq!(seen[pause]["source"], "docker");
    assert_eq!(seen[pause]["addr"], "redis-master:6379");
    assert!(pause < pos("+sdown").unwrap(), "cause before effect");
    let done = seen.last().unwrap();
    let new_master = done["failover"]["new_master"].as_str().unwrap().to_string();
    assert!(new_master.starts_with("redis-replica-"), "{done}");
    let (s, _) = lab.status();
    assert_eq!(s["masters"][0]["master"]["addr"], new_master.as_str());
    let old = s["masters"][0]["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["addr"] == "redis-master:6379")
        .cloned()
        .unwrap();
    assert_eq!(old["container"]["state"], "paused");
    assert_eq!(old["paused"], true);

    // Resume by service name: the sentinels convert the old master into a replica.
    let seen = events_until(&lab, "+convert-to-slave", || {
        let out = lab.run(&["ctl", "unpause", "redis-master"]);
        assert!(out.status.success(), "ctl unpause: {}", stderr(&out));
    });
    assert!(
        seen.iter()
            .any(|v| v["event"] == "container-unpause" && v["source"] == "docker")
    );
    assert_eq!(seen.last().unwrap()["addr"], "redis-master:6379");
    let rejoined = wait_for(Duration::from_secs(30), || {
        let (s, code) = lab.status();
        let r = s["masters"][0]["replicas"]
            .as_array()?
            .iter()
            .find(|r| r["addr"] == "redis-master:6379")?
            .clone();
        (r["role"] == "replica" && r["link"] == "up" && code == 0).then_some(())
    });
    assert!(rejoined.is_some(), "old master back as a healthy replica");

    // Control is scoped to the project: a node outside it, or a name it does not have, is
    // refused before anything is done; Docker's own errors are said plainly.
    let out = lab.run(&["ctl", "stop", "127.0.0.1:1"]);
    assert_refused(&out, "is not a member of this deployment");
    let out = lab.run(&["ctl", "pause", "nosuchservice"]);
    assert_refused(&out, "no such service or container in compose project");
    let out = lab.run(&["ctl", "unpause", "redis-replica-1"]);
    assert_nothing_to_do(&out, "redis-replica-1-1 is not paused");
    let out = lab.run(&["ctl", "start", "redis-replica-1"]);
    assert_nothing_to_do(&out, "redis-replica-1-1 is already running");
    let out = lab.run(&["ctl", "heal", "redis-replica-1"]);
    assert_nothing_to_do(&out, "redis-replica-1-1 is not partitioned");
    let out = lab.run(&["ctl", "partition", "sentinel-2"]);
    assert_refused(
        &out,
        "is a sentinel: only the lab's Redis nodes can be partitioned",
    );

    // Without the project, the names the sentinels announce are not looked up.
    let published = sentinel_port(&lab);
    let out = sentui(&["--sentinel", &published, "status"]);
    assert!(
        stdout(&out).contains("sentui does not look announced names up"),
        "{}",
        stdout(&out)
    );

    // Labs are what `lab up` started: a project someone else runs is neither taken down nor
    // reused, and a name with no lab is said to have none.
    let foreign = format!("{}-foreign", lab.project);
    let id = foreign_container(&foreign);
    let out = sentui(&["lab", "down", "--project", &foreign]);
    assert_refused(&out, "was not started by `sentui lab up`");
    let out = sentui(&["lab", "up", "--project", &foreign]);
    assert_refused(&out, "was not started by `sentui lab up`");
    let rm = std::process::Command::new("docker")
        .args(["rm", "-f", &id])
        .output()
        .unwrap();
    assert!(rm.status.success());
    let out = sentui(&["lab", "down", "--project", &format!("{}-typo", lab.project)]);
    assert_refused(&out, "no lab named");

    lab.down_clean(&[]);
}

/// The 127.0.0.1 port sentinel-1 of the lab is published on.
fn sentinel_port(lab: &DockerLab) -> String {
    let out = std::process::Command::new("docker")
        .args([
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={}", lab.project),
            "--filter",
            "label=com.docker.compose.service=sentinel-1",
        ])
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let port = std::process::Command::new("docker")
        .args(["port", &id, "26379"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&port.stdout)
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string()
}

/// A container labelled as compose project `project` but not made by `lab up` (the lab's
/// sentinel image, idle). Returns its id.
fn foreign_container(project: &str) -> String {
    let images = std::process::Command::new("docker")
        .args([
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}}",
            "sentui-lab-sentinel",
        ])
        .output()
        .unwrap();
    let image = String::from_utf8_lossy(&images.stdout)
        .lines()
        .next()
        .expect("the lab's sentinel image")
        .to_string();
    let out = std::process::Command::new("docker")
        .args([
            "run",
            "-d",
            "--label",
            &format!("com.docker.compose.project={project}"),
            "--label",
            "com.docker.compose.service=app",
            "--entrypoint",
            "sleep",
            &image,
            "120",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn drill_on_the_docker_lab() {
    let Some((lab, _)) = DockerLab::up_or_skip(
        "drill_on_the_docker_lab",
        format!("sentui-drill-{}", std::process::id()),
    ) else {
        return;
    };
    let out = lab.run(&[
        "drill",
        "--max-failover-secs",
        "30",
        "--report",
        "md",
        "--timeout-secs",
        "120",
    ]);
    let md = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{md}\n{}", stderr(&out));
    assert!(
        md.contains("## drill pause-master on mymaster: PASS"),
        "{md}"
    );
    assert!(
        md.contains("master redis-master:6379 -> redis-replica-"),
        "{md}"
    );
    assert!(md.contains("container"), "paused through Docker: {md}");
    assert!(md.contains("| `+switch-master` |"), "{md}");
    assert!(md.contains("| writes |"), "{md}");
    let ps = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("label=com.docker.compose.project={}", lab.project),
            "--format",
            "{{.Names}} {{.State}}",
        ])
        .output()
        .unwrap();
    let states = String::from_utf8_lossy(&ps.stdout).into_owned();
    assert!(!states.is_empty());
    assert!(
        states.lines().all(|l| l.ends_with(" running")),
        "nothing left paused: {states}"
    );
}
