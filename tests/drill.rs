//! `sentui drill` end to end: on the local-process lab (a default drill passing with generous
//! limits, an impossible limit failing with exit 1 and still restoring, Ctrl-C restoring), on
//! the Docker lab where an engine is reachable, and the scenario files in drills/ and bad input
//! without any lab.

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

#[test]
fn example_scenarios_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("drills");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            sentui_model::drill::scenario::Scenario::parse(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 3, "example scenarios in drills/");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[step]]\nfault = \"pause\"\n\n[[step]]\nwiat = \"+sdown\"\n",
    )
    .unwrap();
    let out = sentui(&[
        "--sentinel",
        "127.0.0.1:1",
        "drill",
        "--scenario",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml: line 5: unknown field `wiat`"),
        "{}",
        stderr(&out)
    );
    let out = sentui(&["drill", "--scenario", "/nonexistent/drill.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read /nonexistent/drill.toml"));
    let out = sentui(&["drill", "--max-failover-secs", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a number of seconds"),
        "{}",
        stderr(&out)
    );
    let out = sentui(&["drill", "--rate", "0"]);
    assert_eq!(out.status.code(), Some(2));
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

#[test]
fn states_judged_on_captured_deployments() {
    use common::scenario::{self, FREEZE, addr};
    use sentui_model::drill::scenario::State;
    let old = addr("127.0.0.1:16379");
    let steady = scenario::steady(FREEZE - 2000);
    let agreed = State::Agreed.holds(&steady, "mymaster", None, FREEZE);
    assert!(
        agreed.as_ref().is_ok_and(|s| s.contains("all 3")),
        "{agreed:?}"
    );
    assert!(
        State::MasterChanged
            .holds(&steady, "mymaster", Some(&old), FREEZE)
            .is_err()
    );
    let promoted = scenario::promoted();
    let now = FREEZE + 10_000;
    let changed = State::MasterChanged.holds(&promoted, "mymaster", Some(&old), now);
    assert_eq!(changed, Ok("master is now 127.0.0.1:16380".into()));
    assert_eq!(
        State::MasterUnchanged.holds(&steady, "mymaster", Some(&old), FREEZE),
        Ok("master is still 127.0.0.1:16379".into()),
        "no failover (a quorum lost)"
    );
    assert_eq!(
        State::MasterUnchanged.holds(&promoted, "mymaster", Some(&old), now),
        Err("failed over: master is now 127.0.0.1:16380".into())
    );
    let rejoined = State::OldMasterReplica.holds(&promoted, "mymaster", Some(&old), now);
    assert!(
        rejoined.is_err(),
        "the frozen old master has not rejoined: {rejoined:?}"
    );
    assert!(
        State::ProbeWriting
            .holds(&promoted, "mymaster", None, now)
            .is_err_and(|e| e.to_string().contains("not running"))
    );
}
