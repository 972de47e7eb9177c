//! `sentui drill` end to end on the local-process lab: a default drill passing with generous
//! limits, an impossible limit failing with exit 1 and still restoring, Ctrl-C restoring. (On
//! the Docker lab: docker_lab.rs; scenario files and bad input without a lab: scenarios.rs.)

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The process state letter from /proc/PID/stat (`T`: stopped).
fn proc_state(pid: i32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(") ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("?")
        .to_string()
}

fn nothing_stopped(lab: &LocalLab) {
    for pid in &lab.pids {
        assert_ne!(proc_state(*pid), "T", "pid {pid} left stopped");
    }
}

fn master_pid(lab: &LocalLab, addr: &str) -> i32 {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(lab.lab_dir().join("lab.json")).unwrap())
            .unwrap();
    let port: u64 = addr.rsplit_once(':').unwrap().1.parse().unwrap();
    state["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["port"].as_u64() == Some(port))
        .map(|m| m["pid"].as_i64().unwrap() as i32)
        .unwrap()
}

fn current_master(lab: &LocalLab) -> String {
    let (s, _) = lab.status();
    s["masters"][0]["master"]["addr"]
        .as_str()
        .unwrap()
        .to_string()
}

fn has_phases(text: &str) {
    for want in [
        "phases (time since the fault)",
        "fault injected",
        "+sdown",
        "+odown",
        "+switch-master",
        "acknowledged",
        "unavailable",
        "verdict:",
    ] {
        assert!(text.contains(want), "report lacks {want:?}:\n{text}");
    }
}

#[test]
fn drills_on_the_local_lab() {
    let lab = LocalLab::up(2);

    // The default drill with generous limits passes, and the report tells the story.
    let before = current_master(&lab);
    let out = lab.run(&[
        "drill",
        "--max-failover-secs",
        "30",
        "--max-unavailable-secs",
        "30",
        "--timeout-secs",
        "90",
    ]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "default drill passes:\n{text}\n{}",
        stderr(&out)
    );
    has_phases(&text);
    assert!(
        text.contains("drill pause-master on mymaster: PASS"),
        "{text}"
    );
    assert!(text.contains(&format!("master {before} -> ")), "{text}");
    assert!(text.contains("PASS  failover (fault to +switch-master)"));
    assert!(text.contains("PASS  one master, all sentinels agree"));
    assert!(
        text.contains("until old-master-replica         ok"),
        "{text}"
    );
    nothing_stopped(&lab);
    let after = current_master(&lab);
    assert_ne!(after, before, "a replica was promoted");

    // An impossible limit fails with exit 1, and the paused master is resumed all the same.
    let out = lab.run(&[
        "drill",
        "--max-failover-secs",
        "0.001",
        "--max-lost-writes",
        "1000000",
        "--report",
        "json",
        "--timeout-secs",
        "90",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}): {}", stdout(&out)));
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["old_master"], after.as_str());
    let failover = &r["checks"][0];
    assert_eq!(failover["pass"], false);
    assert!(r["failover_ms"].as_u64().unwrap() > 1, "{r:#}");
    assert_eq!(r["checks"][1]["name"], "lost writes");
    assert_eq!(r["checks"][1]["pass"], true);
    let p = &r["probe"];
    assert!(p["acked"].as_u64().unwrap() > 100, "{p:#}");
    assert!(p["failed"].is_u64() && p["lost"].is_u64() && p["unavailable_ms"].is_u64());
    assert!(p["window"]["duration_ms"].as_u64().unwrap() > 0);
    let phases: Vec<&str> = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["event"].as_str().unwrap())
        .collect();
    for want in ["fault injected", "+sdown", "+odown", "+switch-master"] {
        assert!(phases.contains(&want), "{phases:?}");
    }
    assert!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["outcome"] == "ok"),
        "{r:#}"
    );
    assert_ne!(
        proc_state(master_pid(&lab, &after)),
        "T",
        "old master resumed"
    );
    nothing_stopped(&lab);

    // The JSON report carries the post-mortem page's data, which `sentui report` draws.
    let page = &r["postmortem"];
    assert_eq!(page["group"], "mymaster", "{r:#}");
    assert_eq!(page["timeline"]["sentinels"].as_array().unwrap().len(), 3);
    assert!(
        page["timeline"]["probe"]["buckets"]
            .as_array()
            .unwrap()
            .len()
            > 10
    );
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("drill.json");
    std::fs::write(&json, &out.stdout).unwrap();
    let html = dir.path().join("drill.html");
    let drawn = sentui(&[
        "report",
        json.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(drawn.status.success(), "{}", stderr(&drawn));
    assert!(
        stdout(&drawn).contains("clients could not write for"),
        "{}",
        stdout(&drawn)
    );

    // `--report html` is the page itself, on stdout.
    let out = lab.run(&["drill", "--report", "html", "--timeout-secs", "90"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "{}",
        &page[..page.len().min(200)]
    );
    for s in &lab.sentinels {
        assert!(page.contains(&format!("data-lane=\"{s}\"")), "{s}'s lane");
    }
    assert!(page.contains("data-lane=\"write probe\""));
    assert!(page.contains("clients could not write for"));
    nothing_stopped(&lab);

    // Ctrl-C while waiting for the failover: the frozen master is resumed, exit 1.
    let frozen = master_pid(&lab, &current_master(&lab));
    let mut all = lab.sentinel_args();
    all.extend(["drill".into(), "--report".into(), "json".into()]);
    let mut child = Command::new(bin())
        .args(&all)
        .env_remove("SENTUI_SENTINELS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Stderr is read to the end on a thread (the drill keeps reporting progress there).
    let err = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("the drill pauses the master");
        if line.contains("step 1 pause master: ok") {
            break;
        }
    }
    assert_eq!(proc_state(frozen), "T", "paused while the drill runs");
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["error"].as_str().unwrap().contains("interrupted"),
        "{r:#}"
    );
    assert_eq!(r["steps"][1]["outcome"], "interrupted");
    assert!(
        r["restored"][0].as_str().unwrap().starts_with("resumed "),
        "{r:#}"
    );
    nothing_stopped(&lab);
}
