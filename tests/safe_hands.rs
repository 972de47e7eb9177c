//! Controls that cannot be misdirected, against real processes: only members of the deployment
//! are touched, and only Redis-compatible servers are signalled; a lab is what sentui started
//! (by pid and port), taking one down never falls back to another kind; booleans read as
//! people write them; `status` says what runs behind each port and counts every seed.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The state letter of a process (`S` sleeping, `T` stopped).
fn proc_state(pid: u32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat.rsplit_once(')')
        .unwrap()
        .1
        .trim()
        .chars()
        .next()
        .unwrap()
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// A redis-server that no sentinel of the lab knows.
fn stray_redis(dir: &std::path::Path) -> (Killed, u16) {
    let port = free_port();
    (stray_redis_on(port, dir), port)
}

#[test]
fn only_members_are_touched_and_only_servers_are_signalled() {
    let lab = LocalLab::up(1);
    let (stray, stray_port) = stray_redis(lab.dir.path());
    let stray_addr = format!("127.0.0.1:{stray_port}");
    for action in ["pause", "stop", "restart"] {
        let out = lab.run(&["ctl", action, &stray_addr]);
        assert_refused(&out, "is not a member of this deployment");
    }
    // Running or asleep, never stopped (`T`): a busy machine catches it on a CPU (`R`).
    assert_ne!(
        proc_state(stray.0.id()),
        'T',
        "the stray server keeps running"
    );

    // A web server on a port: not a member, and not a Redis server either.
    let http_port = free_port();
    let http = Killed(
        Command::new("python3")
            .args(["-m", "http.server", &http_port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(
        wait_for(Duration::from_secs(10), || listening(http_port)
            .then_some(()))
        .is_some()
    );
    let out = lab.run(&["ctl", "pause", &format!("127.0.0.1:{http_port}")]);
    assert_refused(&out, "is not a member of this deployment");
    assert_ne!(proc_state(http.0.id()), 'T', "the web server keeps running");
    // Named as a sentinel, it is said to be what it is.
    let out = sentui(&["--sentinel", &format!("127.0.0.1:{http_port}"), "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a Redis server (it answered HTTP"),
        "{}",
        stderr(&out)
    );

    // A member, in the lab: one command, no --yes; it is paused, status says so, and resuming
    // a running node does nothing and says so: "not paused: nothing to do", exit 0.
    let out = lab.run(&["ctl", "pause", "master"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, _) = lab.status();
    let master = &status["masters"][0]["master"];
    assert_eq!(master["paused"], true, "{master}");
    assert!(
        master["process"]
            .as_str()
            .is_some_and(|p| p.starts_with("redis-server pid ")),
        "{master}"
    );
    let out = lab.run(&["ctl", "unpause", &lab.master]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = lab.run(&["ctl", "unpause", &lab.master]);
    assert_nothing_to_do(&out, "is not paused");
}

#[test]
fn taking_a_lab_down_never_falls_back_and_goes_by_pid_and_port() {
    let lab = LocalLab::up(1);
    // No engine: the Docker lab cannot be taken down, and the local lab is untouched.
    for args in [
        &["lab", "down", "--project", "sentui-test-nowhere"][..],
        &["--compose-project", "sentui-test-nowhere", "lab", "down"][..],
        &["demo", "--project", "sentui-test-nowhere"][..],
    ] {
        let out = sentui_env(args, &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
        assert_refused(&out, "Docker engine");
    }
    for pid in &lab.pids {
        assert!(pid_alive(*pid), "pid {pid} of the local lab still runs");
    }
    let out = sentui(&["lab", "down", "--project", "a", "--compose-project", "b"]);
    assert_refused(&out, "name different projects");

    // No lab where one is named: said so, exit 2.
    let nowhere = lab.dir.path().join("no-lab-here");
    let out = sentui(&["lab", "down", "--local", "--dir", nowhere.to_str().unwrap()]);
    assert_refused(&out, "no local lab");

    let out = lab.down();
    assert!(out.status.success(), "{}", stderr(&out));
    for pid in &lab.pids {
        assert!(
            wait_for(Duration::from_secs(5), || (!pid_alive(*pid)).then_some(())).is_some(),
            "pid {pid} stopped"
        );
    }
}

#[test]
fn a_lab_run_through_a_wrapper_is_still_taken_down() {
    // The server is started through a script of another name that execs it: the lab's
    // processes are known by pid and port, not by what their command line says.
    let dir = tempfile::tempdir().unwrap();
    let wrapper = dir.path().join("my-kv-server");
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v redis-server"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec {} \"$@\"\n", real.trim()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let lab_dir = dir.path().join("lab");
    let out = sentui(&[
        "lab",
        "up",
        "--server-bin",
        wrapper.to_str().unwrap(),
        "--dir",
        lab_dir.to_str().unwrap(),
        "--replicas",
        "1",
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(lab_dir.join("lab.json")).unwrap()).unwrap();
    let pids: Vec<i32> = state["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["pid"].as_i64().unwrap() as i32)
        .collect();
    let out = sentui(&["lab", "down", "--local", "--dir", lab_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for pid in pids {
        assert!(!pid_alive(pid), "pid {pid} stopped by lab down");
    }
    assert!(!lab_dir.exists());
}

#[test]
fn booleans_read_as_people_write_them() {
    let lab = LocalLab::up(1);
    let env_run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all: Vec<String> = lab.sentinel_args();
        all.extend(args.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        sentui_env(&refs, env)
    };
    for v in ["1", "yes", "ON", "True"] {
        let out = env_run(&["ctl", "pause", "master"], &[("SENTUI_READ_ONLY", v)]);
        assert_refused(&out, "read-only");
        let out = env_run(&["status"], &[("SENTUI_JSON", v)]);
        assert!(
            serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok(),
            "SENTUI_JSON={v}: {}",
            stdout(&out)
        );
    }
    for v in ["0", "no", "off", "FALSE", ""] {
        let out = env_run(&["status"], &[("SENTUI_JSON", v)]);
        assert!(
            stdout(&out).starts_with("deployment: sentinels "),
            "SENTUI_JSON={v:?}: {}",
            stdout(&out)
        );
    }
    let out = env_run(&["status"], &[("SENTUI_JSON", "maybe")]);
    assert_refused(&out, "SENTUI_JSON");
    let (status, _) = lab.status();
    assert_eq!(
        status["masters"][0]["master"]["paused"], false,
        "nothing was paused"
    );
}

#[test]
fn status_counts_every_seed_sentinel() {
    let lab = LocalLab::up(1);
    let dead = format!("127.0.0.1:{}", free_port());
    let out = lab.run(&["--sentinel", &dead, "status"]);
    let text = stdout(&out);
    assert!(text.contains("sentinels: 3 of 4 answer"), "{text}");
    assert!(text.contains(&format!("{dead}: refused")), "{text}");
    let out = lab.run(&["--sentinel", &dead, "status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sentinels_known"], 4);
    assert_eq!(v["sentinels_reachable"], 3);
    // A replica's I/O age is a number or absent, never -1.
    for r in v["masters"][0]["replicas"].as_array().unwrap() {
        assert!(r["last_io_secs"].as_i64().is_none_or(|s| s >= 0), "{r}");
        assert!(r["offset_at"].as_u64().is_some(), "{r}");
    }
}

#[test]
fn tls_mistakes_are_named() {
    let lab = LocalLab::up(1);
    // A CA file that is not PEM is named as the culprit, before any connection.
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "not a certificate\n").unwrap();
    let out = lab.run(&["--tls-ca", ca.to_str().unwrap(), "status"]);
    assert_refused(
        &out,
        &format!("the TLS CA {} is not a PEM certificate", ca.display()),
    );
    // TLS to a plaintext port: said so, not "unresponsive".
    let out = lab.run(&["--tls-insecure", "--timeout", "300ms", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no TLS handshake"),
        "{}",
        stderr(&out)
    );
}
