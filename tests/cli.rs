//! The command line against bad input: bad flags, nothing listening, a frozen endpoint, a
//! server that replies garbage. Clear messages and documented exit codes, never a panic.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
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

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn nothing_listening_is_refused() {
    let addr = format!("127.0.0.1:{}", closed_port());
    let out = sentui(&["--sentinel", &addr, "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("refused"), "{}", stdout(&out));
    let out = sentui(&["--sentinel", &addr, "status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sentinels_reachable"], 0);
    assert!(v["errors"][0].as_str().unwrap().contains("refused"));
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
    assert!(stdout(&out).contains("unresponsive"), "{}", stdout(&out));
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
    assert!(stdout(&out).contains("error: sentinel"), "{}", stdout(&out));
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
