//! Recordings on the local lab: a recorded failover replays to the same log as the live
//! session, contains the phases, renders to an asciicast that `asciinema cat` accepts and to an
//! SVG that rsvg-convert turns into a PNG; a password given to sentui is nowhere in it.
//! (Replays without a lab: replay.rs.)

mod common;

use common::*;
use sentui::replay::Replayer;
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

const SECRET: &str = "s3cret-Xq9-never-recorded";

#[test]
fn failover_recording_replays_renders_and_keeps_secrets_out() {
    let lab = LocalLab::up(2);
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("failover.ndjson");

    // Live: the merged log as JSON while recording. The nodes have no password, so the one
    // given makes their links fail: the error path must not leak it either.
    let mut args = lab.sentinel_args();
    args.extend(["--record".into(), rec.display().to_string()]);
    let child = Command::new(bin())
        .args(&args)
        .args([
            "events",
            "--json",
            "--until",
            "failover-complete",
            "--for",
            "60s",
        ])
        .env("SENTUI_PASSWORD", SECRET)
        .env("SENTUI_SENTINEL_PASSWORD", "")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let out = lab.run(&["ctl", "pause", "master"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let live = child.wait_with_output().unwrap();
    assert!(
        live.status.success(),
        "events: {}",
        String::from_utf8_lossy(&live.stderr)
    );
    let live_lines: Vec<Value> = stdout(&live)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        live_lines
            .iter()
            .any(|v| v["event"] == "node-down"
                && v["payload"].as_str().unwrap().contains("auth-failed")),
        "a wrong password is a clear auth failure"
    );
    lab.run(&["ctl", "unpause", &lab.master]);

    // The secret is nowhere: recording, output, errors.
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(!text.contains(SECRET), "the password entered the recording");
    assert!(
        !stdout(&live).contains(SECRET) && !String::from_utf8_lossy(&live.stderr).contains(SECRET)
    );

    // Replayed, the log is the live one, entry for entry.
    let mut r = Replayer::open(&rec).unwrap();
    while r.step() {}
    let replayed: Vec<&sentui_model::log::LogEntry> = r.app.live().log().entries().collect();
    assert_eq!(
        replayed.len(),
        live_lines.len(),
        "same number of log entries"
    );
    for (e, v) in replayed.iter().zip(&live_lines) {
        assert_eq!(e.ts, v["ts"].as_u64().unwrap());
        assert_eq!(e.event.name(), v["event"].as_str().unwrap());
        assert_eq!(e.payload, v["payload"].as_str().unwrap());
        assert_eq!(
            e.sentinel.as_ref().map(|s| s.to_string()),
            v["sentinel"].as_str().map(str::to_string)
        );
    }
    // ... and so are the phases.
    let f = r.app.live().stopwatches()["mymaster"]
        .last()
        .cloned()
        .expect("a finished failover");
    for phase in [
        "+sdown",
        "+odown",
        "+elected-leader",
        "+promoted-slave",
        "+switch-master",
        "+failover-end",
    ] {
        assert!(
            f.marks.iter().any(|m| m.phase.label() == phase),
            "the recording has {phase}"
        );
    }
    let live_done = live_lines.last().unwrap();
    assert_eq!(live_done["event"], "failover-complete");
    assert_eq!(
        live_done["failover"]["started_at"].as_u64().unwrap(),
        f.started_at
    );

    // An asciicast the real client reads.
    let cast = dir.path().join("failover.cast");
    let out = sentui(&[
        "replay",
        rec.to_str().unwrap(),
        "--to-cast",
        cast.to_str().unwrap(),
        "--size",
        "100x30",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let played = Command::new("script")
        .args([
            "-qec",
            &format!("asciinema cat {}", cast.display()),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        played.status.success(),
        "asciinema cat: {}",
        String::from_utf8_lossy(&played.stdout)
    );
    assert!(String::from_utf8_lossy(&played.stdout).contains("+switch-master"));

    // A screenshot at the switch, as SVG and as PNG.
    let svg = dir.path().join("switch.svg");
    let out = sentui(&[
        "replay",
        rec.to_str().unwrap(),
        "--screenshot",
        svg.to_str().unwrap(),
        "--at",
        "+switch-master",
        "--after",
        "200ms",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains("+switch-master")
    );
    let png = dir.path().join("switch.png");
    let conv = Command::new("rsvg-convert")
        .arg(&svg)
        .arg("-o")
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        conv.status.success(),
        "rsvg-convert: {}",
        String::from_utf8_lossy(&conv.stderr)
    );
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");

    // A live screenshot of the deployment.
    let live_svg = dir.path().join("live.svg");
    let mut args = lab.sentinel_args();
    args.extend(
        [
            "screenshot",
            "--out",
            live_svg.to_str().unwrap(),
            "--wait",
            "2s",
            "--size",
            "80x24",
        ]
        .map(String::from),
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sentui(&refs);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&live_svg)
            .unwrap()
            .contains("mymaster")
    );
}
