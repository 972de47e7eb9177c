//! The command line against bad input: bad flags, nothing listening, a frozen endpoint, a
//! server that replies garbage, a `--server-bin` that is no server, wrong Docker lab choices;
//! and the config file's precedence (command line > environment > file > defaults). Clear
//! messages and documented exit codes, never a panic; nothing here needs a server or an engine.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

#[test]
fn bad_flags_exit_2_with_a_reason() {
    let out = sentui(&["--sentinel", "nohost", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("port is missing"), "{}", stderr(&out));
    let out = sentui(&["--timeout", "soon", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("try 500ms"), "{}", stderr(&out));
    let out = sentui(&["ctl", "pause", "not-an-address"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("target must be 'master' or HOST:PORT"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ctl_failover_takes_a_group_and_the_others_a_target() {
    let out = sentui(&["ctl", "pause"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<TARGET>"), "{}", stderr(&out));
    // --coordinated goes with failover only: said before anything is contacted.
    let addr = format!("127.0.0.1:{}", closed_port());
    let out = sentui(&[
        "--sentinel",
        &addr,
        "ctl",
        "pause",
        "master",
        "--coordinated",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--coordinated goes with `ctl failover` only"),
        "{}",
        stderr(&out)
    );
    // No sentinel answers: no group to fail over, and why.
    let out = sentui(&["--sentinel", &addr, "ctl", "failover", "--coordinated"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no sentinel reports a master"),
        "{}",
        stderr(&out)
    );
    let out = sentui(&["drill", "--ab", "--fault", "pause"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn nothing_listening_is_refused() {
    let addr = format!("127.0.0.1:{}", closed_port());
    let out = sentui(&["--sentinel", &addr, "status"]);
    assert_eq!(out.status.code(), Some(2));
    // Data on stdout, the error on stderr.
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("refused"), "{}", stdout(&out));
    // Nothing answered there: the seed may be wrong, and the hint says how to name another.
    assert!(
        stderr(&out).contains("hint: sentui asks the sentinels named by --sentinel"),
        "{}",
        stderr(&out)
    );
    let out = sentui(&["--sentinel", &addr, "status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sentinels_reachable"], 0);
    assert!(v["errors"][0].as_str().unwrap().contains("refused"));
}

#[test]
fn doctor_with_nothing_reachable_says_why_on_stderr_and_exits_2() {
    let addr = format!("127.0.0.1:{}", closed_port());
    let out = sentui(&["--sentinel", &addr, "doctor"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("refused"), "{}", stdout(&out));
    let out = sentui(&["--sentinel", &addr, "doctor", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["groups"].as_array().map(Vec::len), Some(0));
    assert!(v["errors"][0].as_str().unwrap().contains("refused"), "{v}");
}

#[test]
fn events_that_never_connect_exit_2() {
    let addr = format!("127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let out = sentui(&["--sentinel", &addr, "events", "--for", "30s"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "gives up once every seed failed, not at the end of --for"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&format!("sentinel {addr}: refused")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_frozen_sentinel_times_out() {
    // Accepts connections (the kernel does) and never answers, like a paused process.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let started = Instant::now();
    let out = sentui(&["--sentinel", &addr, "--timeout", "300ms", "status"]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded by the timeout"
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unresponsive"), "{}", stderr(&out));
}

#[test]
fn garbage_replies_do_not_crash() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten().take(8) {
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"*3\r\n$5\r\nhello\r\n:12\r\n%garbage\r\n\x00\xff\r\n");
        }
    });
    let out = sentui(&["--sentinel", &addr, "--timeout", "500ms", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sentui: sentinel"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lab_down_without_a_lab_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = sentui(&[
        "lab",
        "down",
        "--local",
        "--dir",
        dir.path().join("none").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no local lab"), "{}", stderr(&out));
}

/// `sentui ARGS` with its stdout a pipe whose reader is already gone (`sentui ... | head -0`).
fn with_stdout_closed(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(bin())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let addr = format!("127.0.0.1:{}", closed_port());
    for (args, code) in [
        (vec!["config", "--print-template"], 0),
        (vec!["--sentinel", &addr, "status"], 2),
        (vec!["--sentinel", &addr, "status", "--json"], 2),
        (vec!["--sentinel", &addr, "doctor"], 2),
    ] {
        let out = with_stdout_closed(&args);
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    }
}

/// `--server-bin` must name a Redis-compatible server: exit 2 with the reason, nothing started.
#[test]
fn a_server_bin_that_is_not_a_server_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lab = dir.path().join("lab");
    let up = |bin: &str| {
        sentui(&[
            "lab",
            "up",
            "--dir",
            lab.to_str().unwrap(),
            "--server-bin",
            bin,
        ])
    };
    assert_refused(
        &up("/nonexistent/redis-server"),
        "--server-bin /nonexistent/redis-server: no such file",
    );
    assert_refused(
        &up("/bin/true"),
        "/bin/true is not a Redis-compatible server",
    );
    assert_refused(
        &up("/bin/ls"),
        "is not a Redis-compatible server: `/bin/ls --version` printed 'ls (GNU coreutils)",
    );
    assert!(!lab.exists(), "nothing started");
}

#[test]
fn config_file_precedence_cli_env_file_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2, p3) = (free_port(), free_port(), free_port());
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!("sentinels = [\"127.0.0.1:{p1}\"]\ntimeout = \"300ms\"\n"),
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let named = |o: &Output, port: u16| stdout(o).contains(&format!("127.0.0.1:{port}"));
    // File over defaults.
    let o = sentui(&["--config", c, "status"]);
    assert!(named(&o, p1), "{}", stdout(&o));
    // Environment over file (SENTUI_CONFIG names the file too).
    let env_seed = format!("127.0.0.1:{p2}");
    let o = sentui_env(
        &["status"],
        &[
            ("SENTUI_CONFIG", c),
            ("SENTUI_SENTINELS", env_seed.as_str()),
        ],
    );
    assert!(named(&o, p2) && !named(&o, p1), "{}", stdout(&o));
    // Command line over environment.
    let cli_seed = format!("127.0.0.1:{p3}");
    let o = sentui_env(
        &["--sentinel", &cli_seed, "status"],
        &[
            ("SENTUI_CONFIG", c),
            ("SENTUI_SENTINELS", env_seed.as_str()),
        ],
    );
    assert!(named(&o, p3) && !named(&o, p2), "{}", stdout(&o));
    // A bad file is refused with the key named; a missing explicit file too.
    std::fs::write(&cfg, "sentinel = [\"x:1\"]\n").unwrap();
    let o = sentui(&["--config", c, "status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown field `sentinel`"),
        "{}",
        stderr(&o)
    );
    let o = sentui(&["--config", "/nonexistent/sentui.toml", "status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/sentui.toml"),
        "{}",
        stderr(&o)
    );
    // The template is a valid config.
    let o = sentui(&["config", "--print-template"]);
    std::fs::write(&cfg, &o.stdout).unwrap();
    let o = sentui(&["--config", c, "config"]);
    assert!(
        stdout(&o).contains("(valid)"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
}

/// Wrong input to the Docker lab is refused with a reason and exit 2, before anything starts.
#[test]
fn bad_server_and_compose_choices_are_refused() {
    // Taken down on drop, should a regression let one of these start a lab.
    let guard = DockerLab::named(format!("sentui-never-{}", std::process::id()));
    let up = ["lab", "up", "--project", guard.project.as_str()];
    let out = sentui(&[&up[..], &["--server", "redis:6.2"]].concat());
    assert_refused(
        &out,
        "unknown server 'redis:6.2': one of redis:7.0, redis:8.0, valkey:8.1, valkey:9.1",
    );
    let out = sentui(&["lab", "up", "--local", "--server", "valkey:8.1"]);
    assert_refused(&out, "the local lab runs --server-bin PATH");
    let out = sentui_env(&up, &[("SENTUI_COMPOSE", "podman-compose")]);
    assert_refused(
        &out,
        "SENTUI_COMPOSE='podman-compose' is neither `docker compose` nor `docker-compose`",
    );
    // A Compose that is not installed: docker-compose, with a PATH that holds only docker
    // (the v2 plugin is found by docker itself, in directories a test cannot hide).
    let docker = Command::new("sh")
        .args(["-c", "command -v docker"])
        .output()
        .unwrap();
    let docker = String::from_utf8_lossy(&docker.stdout).trim().to_string();
    if docker.is_empty() {
        return; // no docker CLI: nothing to hide Compose behind
    }
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&docker, dir.path().join("docker")).unwrap();
    let path = dir.path().to_str().unwrap();
    let out = sentui_env(&up, &[("SENTUI_COMPOSE", "docker-compose"), ("PATH", path)]);
    assert_refused(
        &out,
        "SENTUI_COMPOSE=docker-compose but `docker-compose version` does not run: it is not installed",
    );
}
