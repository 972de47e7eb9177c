//! Against the real Docker engine, once per server version (Redis 7.0, Redis 8.0, Valkey 8.1,
//! Valkey 9.1, one after the other; each image built once and then reused under its tag): `lab up
//! --server`, the master's INFO server names the version, a drill passes, and while it runs
//! sentui's event stream hears every sentinel, holds every event the sentinels wrote to their
//! own logs under the sentinel that wrote it, and times the failover's phases. Then the lab
//! with each Compose (`SENTUI_COMPOSE`). Every lab is taken down, also when a check fails.
//! Runs wherever an engine is reachable; only where none is does it skip, loudly. (Wrong
//! server and Compose choices, refused before anything starts: cli.rs.)

mod common;

use common::*;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

/// One lab at a time: two on two cores slow every failover.
static ONE_LAB: Mutex<()> = Mutex::new(());

/// The containers of `service` in the lab (its id).
fn container(lab: &DockerLab, service: &str) -> String {
    let out = Command::new("docker")
        .args(["ps", "-q", "--filter"])
        .arg(format!("label=com.docker.compose.project={}", lab.project))
        .arg("--filter")
        .arg(format!("label=com.docker.compose.service={service}"))
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!id.is_empty(), "no container of {service}");
    id
}

/// The 127.0.0.1 port the engine published for `service`'s `inner` port.
fn published(lab: &DockerLab, service: &str, inner: u16) -> u16 {
    let out = Command::new("docker")
        .args(["port", &container(lab, service), &format!("{inner}/tcp")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text.lines().next().unwrap_or_default();
    let (host, port) = line.rsplit_once(':').unwrap_or_else(|| panic!("{text}"));
    assert_eq!(host, "127.0.0.1", "published on loopback only");
    port.parse().unwrap()
}

/// The events a sentinel container logged since `since` (RFC 3339), as (event, payload):
/// Sentinel logs each event it publishes as `<pid>:X <date> <time> <level> <event> <payload>`.
fn logged_events(lab: &DockerLab, service: &str, since: &str) -> Vec<(String, String)> {
    let out = Command::new("docker")
        .args(["logs", "--since", since, &container(lab, service)])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.splitn(7, ' ').collect();
            let [_, _, _, _, _, level, rest] = words.as_slice() else {
                return None;
            };
            let (event, payload) = rest.split_once(' ').unwrap_or((rest, ""));
            let is_event = matches!(*level, "#" | "*")
                && (event.starts_with('+') || event.starts_with('-'))
                && event.len() > 1;
            is_event.then(|| (event.to_string(), payload.to_string()))
        })
        .collect()
}

/// The daemon's clock, now, for `docker logs --since`.
fn engine_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%S.%NZ"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn one_version(server: &str, family: &str, series: &str) {
    let project = format!(
        "sentui-vers-{}-{}",
        std::process::id(),
        server.replace([':', '.'], "-")
    );
    let lab = DockerLab::named(project);
    let up = sentui(&["lab", "up", "--project", &lab.project, "--server", server]);
    assert!(
        up.status.success(),
        "lab up --server {server}: {}{}",
        stdout(&up),
        stderr(&up)
    );
    assert!(
        stdout(&up).contains(&format!("server: {server}; image: ")),
        "{}",
        stdout(&up)
    );

    // The master is the version asked for (through its published port).
    let port = published(&lab, "redis-master", 6379);
    let info = match redis_cmd(port, &["INFO", "server"]).unwrap() {
        redis::Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
        redis::Value::VerbatimString { text, .. } => text,
        other => panic!("INFO: {other:?}"),
    };
    assert!(
        info.contains(&format!("{family}_version:{series}.")),
        "{server}: {info}"
    );
    let (s, code) = lab.status();
    assert_eq!(code, 0, "{server}: {s:#}");
    assert_eq!(s["masters"][0]["master"]["server"]["name"], family, "{s:#}");
    assert!(
        s["masters"][0]["sentinels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["server"]["name"] == family)
    );

    // The stream, while a drill freezes the master and checks the failover.
    let conn = vec!["--compose-project".to_string(), lab.project.clone()];
    let mut stream = EventStream::start_for(&conn, "240s", 3, Duration::from_secs(20));
    let since = engine_now();
    let drill = lab.run(&[
        "drill",
        "--max-failover-secs",
        "30",
        "--timeout-secs",
        "120",
    ]);
    assert_eq!(
        drill.status.code(),
        Some(0),
        "{server}: drill:\n{}{}",
        stdout(&drill),
        stderr(&drill)
    );
    assert!(stdout(&drill).contains("PASS"), "{}", stdout(&drill));
    let done = stream
        .wait_from(0, Duration::from_secs(30), |v| {
            v["event"] == "failover-complete"
        })
        .unwrap_or_else(|| panic!("{server}: no failover-complete:\n{}", stream.summary()));
    // Let the last events (the old master's conversion) arrive, then compare with the logs.
    stream.wait_from(done, Duration::from_secs(30), |v| {
        v["event"] == "+convert-to-slave"
    });
    std::thread::sleep(Duration::from_millis(500));
    stream.drain();

    let f = &stream.seen[done]["failover"];
    let phases: Vec<&str> = f["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["phase"].as_str())
        .collect();
    for p in [
        "sdown",
        "odown",
        "elected",
        "promoted",
        "switch-master",
        "failover-end",
    ] {
        assert!(phases.contains(&p), "{server}: phase {p} in {phases:?}");
    }

    let mut from_sentinel: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for v in stream.seen.iter().filter(|v| v["source"] == "sentinel") {
        from_sentinel
            .entry(v["sentinel"].as_str().unwrap_or("").to_string())
            .or_default()
            .push((
                v["event"].as_str().unwrap().into(),
                v["payload"].as_str().unwrap_or("").into(),
            ));
    }
    for n in 1..=3 {
        let name = format!("sentinel-{n}:26379");
        let heard = from_sentinel.get(&name).cloned().unwrap_or_default();
        assert!(
            heard.iter().any(|(e, _)| e == "+switch-master"),
            "{server}: +switch-master from {name}: {heard:?}"
        );
        let logged = logged_events(&lab, &format!("sentinel-{n}"), &since);
        assert!(logged.len() >= 3, "{server}: {name} logged {logged:?}");
        for event in &logged {
            assert!(
                heard.contains(event),
                "{server}: {name} logged {event:?}, not in sentui's stream under it:\n{}",
                stream.summary()
            );
        }
    }
    drop(stream);

    lab.down_clean(&[]);
}

#[test]
fn failover_and_drill_on_every_server_version() {
    if !docker_or_skip("failover_and_drill_on_every_server_version") {
        return;
    }
    let _one = ONE_LAB.lock().unwrap_or_else(|e| e.into_inner());
    for (server, family, series) in [
        ("redis:7.0", "redis", "7.0"),
        ("redis:8.0", "redis", "8.0"),
        ("valkey:8.1", "valkey", "8.1"),
        ("valkey:9.1", "valkey", "9.1"),
    ] {
        let t = std::time::Instant::now();
        one_version(server, family, series);
        eprintln!("{server}: lab, drill and checks in {:.0?}", t.elapsed());
    }
}

#[test]
fn the_lab_with_each_compose() {
    if !docker_or_skip("the_lab_with_each_compose") {
        return;
    }
    let _one = ONE_LAB.lock().unwrap_or_else(|e| e.into_inner());
    for (compose, says) in [
        ("docker compose", "with `docker compose` 2."),
        ("docker-compose", "with `docker-compose` 1."),
    ] {
        let project = format!("sentui-compose-{}-{}", std::process::id(), compose.len());
        let lab = DockerLab::named(project);
        let up = sentui_env(
            &["lab", "up", "--project", &lab.project],
            &[("SENTUI_COMPOSE", compose)],
        );
        assert!(
            up.status.success(),
            "{compose}: {}{}",
            stdout(&up),
            stderr(&up)
        );
        assert!(stdout(&up).contains(says), "{compose}: {}", stdout(&up));
        let (s, code) = lab.status();
        assert_eq!(code, 0, "{compose}: {s:#}");
        assert_eq!(
            s["masters"][0]["sentinels"].as_array().map(Vec::len),
            Some(3)
        );
        lab.down_clean(&[("SENTUI_COMPOSE", compose)]);
    }
}
