//! Benchmarks on a local lab, each reported as a ratio against a peer measured in the same run:
//!
//! 1. `sentui status` against a redis-cli script gathering the same facts (target: <= 0.10).
//! 2. A frozen master flagged by sentui (`node-unresponsive`) against Sentinel's own `+sdown`,
//!    both from the moment of the freeze (target: flagged within 500 ms).
//! 3. The TUI on the lab: event-to-screen latency (target p99 < 50 ms) across a failover, and
//!    idle CPU and memory next to `watch -n1 redis-cli ... SENTINEL MASTERS`.
//!
//! Run: `cargo bench --bench lab`. Needs redis-server, redis-cli, tmux and watch.

mod common;

use common::*;
use sentui::ndjson::JsonLines;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn bench_status(lab: &Lab) {
    let seeds = lab.seeds();
    let sentui = time_runs(RUNS, || {
        let ok = Command::new(BIN)
            .args(["status", "--json"])
            .env("SENTUI_SENTINELS", &seeds)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.code().is_some_and(|c| c <= 1));
    });
    let script = lab.redis_cli_status_script();
    let peer = time_runs(RUNS, || {
        assert!(
            Command::new("bash")
                .arg("-c")
                .arg(&script)
                .status()
                .unwrap()
                .success()
        );
    });
    let ratio = sentui.as_secs_f64() / peer.as_secs_f64();
    println!(
        "status: sentui {:.1} ms, redis-cli script {:.1} ms (median of {RUNS}); ratio {ratio:.3} (target <= 0.100) {}",
        sentui.as_secs_f64() * 1e3,
        peer.as_secs_f64() * 1e3,
        if ratio <= 0.1 { "PASS" } else { "FAIL" }
    );
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// `sentui events --json`, its lines parsed on a thread.
fn event_stream(seeds: &str) -> (std::process::Child, JsonLines) {
    let mut child = Command::new(BIN)
        .args(["events", "--json", "--for", "120s"])
        .env("SENTUI_SENTINELS", seeds)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = JsonLines::spawn(child.stdout.take().unwrap());
    (child, lines)
}

/// Reads the stream until `pred` holds for an entry (at most `limit`).
fn until(
    lines: &JsonLines,
    limit: Duration,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> Option<serde_json::Value> {
    let deadline = Instant::now() + limit;
    while let Some(line) = lines.next_by(deadline) {
        match line {
            Ok(v) if pred(&v) => return Some(v),
            Ok(_) => {}
            Err(e) => panic!("events --json: {e}"),
        }
    }
    None
}

/// Polls `status` until the deployment is healthy again (at most a minute).
fn healthy_again(seeds: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let code = Command::new(BIN)
            .arg("status")
            .env("SENTUI_SENTINELS", seeds)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .code();
        if code == Some(0) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    false
}

fn bench_freeze(lab: &Lab) {
    let seeds = lab.seeds();
    let status = Command::new(BIN)
        .args(["status", "--json"])
        .env("SENTUI_SENTINELS", &seeds)
        .output()
        .unwrap();
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let master = s["masters"][0]["master"]["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let port: u16 = master.rsplit(':').next().unwrap().parse().unwrap();
    let pid = lab.pid_of(port);
    let (mut child, lines) = event_stream(&seeds);
    for _ in 0..lab.sentinels.len() {
        until(&lines, Duration::from_secs(15), |v| {
            v["event"] == "events-link-up"
        })
        .expect("the events links come up");
    }
    let frozen = now_ms();
    // SAFETY: kill has no memory preconditions; the pid is the lab's master.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let flagged = until(&lines, Duration::from_secs(10), |v| {
        v["event"] == "node-unresponsive" && v["addr"] == master.as_str()
    });
    let sdown = until(&lines, Duration::from_secs(10), |v| {
        v["event"] == "+sdown"
            && v["payload"]
                .as_str()
                .is_some_and(|p| p.starts_with("master "))
    });
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let _ = child.kill();
    let _ = child.wait();
    let ms = |v: Option<serde_json::Value>| {
        v.and_then(|v| v["ts"].as_u64())
            .map(|t| t.saturating_sub(frozen))
    };
    let (sentui, sentinel) = (ms(flagged), ms(sdown));
    match (sentui, sentinel) {
        (Some(a), Some(b)) => println!(
            "freeze flagged: sentui {a} ms, Sentinel's +sdown {b} ms after the freeze; ratio {:.2} (target: flagged <= 500 ms) {}",
            a as f64 / b.max(1) as f64,
            if a <= 500 { "PASS" } else { "FAIL" }
        ),
        _ => println!(
            "freeze flagged: sentui {sentui:?} ms, +sdown {sentinel:?} ms: FAIL (not seen)"
        ),
    }
    assert!(
        healthy_again(&seeds),
        "the lab is healthy again after the freeze"
    );
}

fn bench_tui(lab: &Lab) {
    let socket = format!("sentui-bench-{}", std::process::id());
    let tmux = |args: &[&str]| sh(&format!("tmux -L {socket} {}", args.join(" ")));
    let stats = lab.dir.path().join("stats.json");
    let seeds = lab.seeds();
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "tui",
        "-x",
        "120",
        "-y",
        "40",
        &format!(
            "'exec env SENTUI_SENTINELS={seeds} {BIN} --stats-out {}'",
            stats.display()
        ),
    ]);
    let peer_cmd = format!(
        "'exec watch -n 1 redis-cli -h 127.0.0.1 -p {} SENTINEL MASTERS'",
        lab.sentinels[0]
    );
    tmux(&["new-window", "-d", "-t", "tui", &peer_cmd]);
    std::thread::sleep(Duration::from_secs(3));
    let pids: Vec<String> = tmux(&["list-panes", "-s", "-t", "tui", "-F", "'#{pane_pid}'"])
        .lines()
        .map(str::to_string)
        .collect();
    let (sentui_pid, peer_pid) = (pids[0].clone(), pids[1].clone());
    let window = Duration::from_secs(10);
    let (c0, _) = cpu_and_rss(&sentui_pid);
    let (p0, _) = cpu_and_rss(&peer_pid);
    std::thread::sleep(window);
    let (c1, rss) = cpu_and_rss(&sentui_pid);
    let (p1, peer_rss) = cpu_and_rss(&peer_pid);
    let cpu = (c1 - c0) / window.as_secs_f64() * 100.0;
    let peer_cpu = (p1 - p0) / window.as_secs_f64() * 100.0;
    println!(
        "tui idle: sentui {cpu:.2}% of a core, {:.1} MiB RSS; watch redis-cli {peer_cpu:.2}% of a core, {:.1} MiB; CPU ratio {:.2}",
        rss as f64 / 1024.0,
        peer_rss as f64 / 1024.0,
        cpu / peer_cpu.max(0.01)
    );

    // A failover for events to draw: freeze the master, wait for the switch, resume it.
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("SENTUI_SENTINELS", &seeds)
            .output()
            .unwrap()
    };
    let paused = run(&["ctl", "pause", "master"]);
    assert!(
        paused.status.success(),
        "ctl pause: {}",
        String::from_utf8_lossy(&paused.stderr)
    );
    run(&["events", "--until", "+failover-end", "--for", "30s"]);
    for m in lab.nodes.iter() {
        run(&["ctl", "unpause", &format!("127.0.0.1:{m}")]);
    }
    std::thread::sleep(Duration::from_secs(12));
    tmux(&["send-keys", "-t", "tui:0", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&stats).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux(&["kill-server"]);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).expect("the TUI wrote its stats"))
            .unwrap();
    let p99 = s["latency_p99_ms"].as_u64().unwrap_or(u64::MAX);
    println!(
        "tui events on screen: {} events drawn, p50 {} ms, p99 {p99} ms, max {} ms (target p99 < 50 ms) {}",
        s["events_drawn"],
        s["latency_p50_ms"],
        s["latency_max_ms"],
        if p99 < 50 { "PASS" } else { "FAIL" }
    );
}

fn main() {
    if !require(&["redis-server", "redis-cli", "tmux", "watch"]) {
        return;
    }
    let lab = Lab::up(1, 2);
    bench_status(&lab);
    bench_freeze(&lab);
    bench_tui(&lab);
}
