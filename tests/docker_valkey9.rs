//! Valkey 9.1 on the real Docker engine: its offline image (Debian sid's packages) builds in
//! under a minute; on its lab `sentui ctl failover --coordinated` completes and `events --json`
//! says the attempt was coordinated; a `CLIENT PAUSE 5000 WRITE` on the master is in the event
//! stream within a second and gone within a second of its end (and in `status --json` and the
//! problems meanwhile); `drill --fault failover-coordinated` passes without a lost write; and
//! `drill --ab` runs both kinds side by side. Runs wherever an engine is reachable; only where
//! none is does it skip, loudly.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The 127.0.0.1 port the engine published for the 6379 of the service an announced address
/// (`redis-replica-1:6379`) names.
fn published(lab: &DockerLab, announced: &str) -> u16 {
    let service = announced.split(':').next().unwrap();
    let id = Command::new("docker")
        .args(["ps", "-q", "--filter"])
        .arg(format!("label=com.docker.compose.project={}", lab.project))
        .arg("--filter")
        .arg(format!("label=com.docker.compose.service={service}"))
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&id.stdout).trim().to_string();
    let out = Command::new("docker")
        .args(["port", &id, "6379/tcp"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text.lines().next().unwrap_or_default();
    line.rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or_else(|| panic!("published port of {service}: {text}"))
}

/// `status --json` until the group is healthy again (a failover's aftermath can take a while).
fn healthy(lab: &DockerLab) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (s, code) = lab.status();
        if code == 0 || Instant::now() > deadline {
            assert_eq!(code, 0, "healthy again: {s:#}");
            return s;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn the_offline_image_builds_in_under_a_minute() {
    if !docker_or_skip("the_offline_image_builds_in_under_a_minute") {
        return;
    }
    let tag = format!("sentui-test-{}/valkey-offline:9.1", std::process::id());
    let t = Instant::now();
    let out = Command::new("bash")
        .args(["scripts/offline-image", "--server", "valkey:9.1", "--force"])
        .args(["--tag", &tag])
        .output()
        .unwrap();
    let took = t.elapsed();
    let repo = tag.split(':').next().unwrap().to_string();
    let _ = Command::new("docker")
        .args(["image", "rm", &tag, &format!("{repo}:9.1.2")])
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(valkey 9.1."),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(60), "built in {took:?}");
    eprintln!("valkey:9.1 image built in {took:?}");
}

#[test]
fn coordinated_failover_write_pause_and_drills_on_valkey_9() {
    if !docker_or_skip("coordinated_failover_write_pause_and_drills_on_valkey_9") {
        return;
    }
    let lab = DockerLab::named(format!("sentui-vk9-{}", std::process::id()));
    let up = sentui(&[
        "lab",
        "up",
        "--project",
        &lab.project,
        "--server",
        "valkey:9.1",
    ]);
    assert!(up.status.success(), "{}{}", stdout(&up), stderr(&up));
    let s = healthy(&lab);
    assert_eq!(
        s["masters"][0]["master"]["server"]["version"]
            .as_str()
            .map(|v| v.starts_with("9.1.")),
        Some(true),
        "{s:#}"
    );
    let conn = vec!["--compose-project".to_string(), lab.project.clone()];
    let mut stream = EventStream::start_for(&conn, "600s", 3, Duration::from_secs(20));

    // A coordinated failover, asked through ctl, reads as coordinated in the stream.
    let ctl = lab.run(&["ctl", "failover", "--coordinated"]);
    assert!(ctl.status.success(), "{}{}", stdout(&ctl), stderr(&ctl));
    assert!(
        stdout(&ctl).starts_with("coordinated failover of mymaster requested: "),
        "{}",
        stdout(&ctl)
    );
    let done = stream
        .wait_from(0, Duration::from_secs(30), |v| {
            v["event"] == "failover-complete"
        })
        .unwrap_or_else(|| panic!("no failover-complete:\n{}", stream.summary()));
    let complete = &stream.seen[done];
    assert_eq!(complete["failover"]["coordinated"], true, "{complete:#}");
    assert!(
        complete["payload"]
            .as_str()
            .unwrap()
            .contains("(coordinated)"),
        "{complete:#}"
    );
    assert!(
        stream.seen[..done]
            .iter()
            .any(|v| v["event"] == "coordinated-failover"),
        "{}",
        stream.summary()
    );

    // A write pause on the master: seen within a second, gone within a second of its end.
    let s = healthy(&lab);
    let master = s["masters"][0]["master"]["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let port = published(&lab, &master);
    for round in 0..3 {
        let from = stream.seen.len();
        let asked = now_ms();
        redis_cmd(port, &["CLIENT", "PAUSE", "5000", "WRITE"]).unwrap();
        let paused = stream
            .wait_from(from, Duration::from_secs(3), |v| {
                v["event"] == "writes-paused" && v["addr"] == master.as_str()
            })
            .unwrap_or_else(|| panic!("no writes-paused:\n{}", stream.summary()));
        let shown_after = stream.seen[paused]["ts"].as_i64().unwrap() - asked;
        assert!(
            shown_after <= 1_000,
            "round {round}: shown after {shown_after} ms"
        );
        if round == 0 {
            let (s, code) = lab.status();
            assert_eq!(code, 3, "critical while writes are paused: {s:#}");
            let m = &s["masters"][0]["master"];
            assert_eq!(m["write_pause"]["reason"], "client_pause", "{m:#}");
            assert_eq!(m["write_pause"]["actions"], "write", "{m:#}");
            let problem = s["masters"][0]["problems"][0].as_str().unwrap().to_string();
            assert!(
                problem.starts_with("writes paused on the master (client_pause), ")
                    && problem.ends_with(" s left"),
                "{problem}"
            );
        }
        let resumed = stream
            .wait_from(paused, Duration::from_secs(8), |v| {
                v["event"] == "writes-resumed" && v["addr"] == master.as_str()
            })
            .unwrap_or_else(|| panic!("no writes-resumed:\n{}", stream.summary()));
        let gone_after = stream.seen[resumed]["ts"].as_i64().unwrap() - (asked + 5_000);
        assert!(
            gone_after <= 1_000,
            "round {round}: gone {gone_after} ms after its end"
        );
        eprintln!(
            "write pause round {round}: shown after {shown_after} ms, gone {gone_after} ms after its end"
        );
    }
    drop(stream);

    // The drill with a coordinated failover loses nothing acknowledged.
    healthy(&lab);
    let drill = lab.run(&[
        "drill",
        "--fault",
        "failover-coordinated",
        "--max-lost-writes",
        "0",
        "--timeout-secs",
        "120",
    ]);
    assert_eq!(
        drill.status.code(),
        Some(0),
        "{}{}",
        stdout(&drill),
        stderr(&drill)
    );
    assert!(
        stdout(&drill).contains("coordinated failover (SENTINEL FAILOVER COORDINATED)"),
        "{}",
        stdout(&drill)
    );

    // A/B: both kinds on the same lab, side by side.
    healthy(&lab);
    let ab = lab.run(&["drill", "--ab", "--report", "json", "--timeout-secs", "120"]);
    let report: Value = serde_json::from_slice(&ab.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&ab), stderr(&ab)));
    assert_eq!(ab.status.code(), Some(0), "{report:#}");
    assert_eq!(
        report["names"],
        serde_json::json!(["classic", "coordinated"])
    );
    assert_eq!(report["runs"][1]["probe"]["lost"], 0, "{report:#}");
    assert!(report["runs"][0]["probe"]["acked"].as_u64().unwrap() > 0);
    eprintln!(
        "A/B lost writes: classic {}, coordinated {}",
        report["runs"][0]["probe"]["lost"], report["runs"][1]["probe"]["lost"]
    );
    lab.down_clean(&[]);
}
