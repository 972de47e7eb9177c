//! Benchmarks on a local lab, each reported as a ratio against a peer measured in the same run:
//!
//! 1. `sentui status` against a redis-cli script gathering the same facts (target: <= 0.20).
//! 2. The TUI on the lab: event-to-screen latency (target p99 < 50 ms) across a failover, and
//!    idle CPU and memory next to `watch -n1 redis-cli ... SENTINEL MASTERS`.
//!
//! Run: `cargo bench --bench lab`. Needs redis-server, redis-cli, tmux and watch.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sentui");
const RUNS: usize = 30;

fn sh(cmd: &str) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_runs(mut f: impl FnMut()) -> Duration {
    f(); // warm up
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

struct Lab {
    dir: tempfile::TempDir,
    sentinels: Vec<u16>,
    nodes: Vec<u16>,
}

impl Lab {
    fn up() -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let lab = dir.path().join("lab");
        let out = Command::new(BIN)
            .args(["lab", "up", "--local", "--dir", lab.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "lab up: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(lab.join("lab.json")).unwrap()).unwrap();
        let ports = |role: &str| -> Vec<u16> {
            state["members"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| (m["role"] == "sentinel") == (role == "sentinel"))
                .map(|m| m["port"].as_u64().unwrap() as u16)
                .collect()
        };
        Lab {
            sentinels: ports("sentinel"),
            nodes: ports("node"),
            dir,
        }
    }
    fn seeds(&self) -> String {
        self.sentinels
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let lab = self.dir.path().join("lab");
        let _ = Command::new(BIN)
            .args(["lab", "down", "--local", "--dir", lab.to_str().unwrap()])
            .output();
    }
}

fn bench_status(lab: &Lab) {
    let seeds = lab.seeds();
    let sentui = time_runs(|| {
        let ok = Command::new(BIN)
            .args(["status", "--json"])
            .env("SENTUI_SENTINELS", &seeds)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.code().is_some_and(|c| c <= 1));
    });
    // The same facts with redis-cli: every sentinel's MASTERS, REPLICAS, SENTINELS, CKQUORUM and
    // INFO, and every node's INFO replication.
    let mut script = String::new();
    for p in &lab.sentinels {
        for cmd in [
            "SENTINEL MASTERS",
            "SENTINEL REPLICAS mymaster",
            "SENTINEL SENTINELS mymaster",
            "SENTINEL CKQUORUM mymaster",
            "INFO server",
            "INFO sentinel",
        ] {
            script.push_str(&format!("redis-cli -h 127.0.0.1 -p {p} {cmd} >/dev/null\n"));
        }
    }
    for p in &lab.nodes {
        script.push_str(&format!(
            "redis-cli -h 127.0.0.1 -p {p} INFO replication >/dev/null\n"
        ));
    }
    let peer = time_runs(|| {
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
        "status: sentui {:.1} ms, redis-cli script {:.1} ms (median of {RUNS}); ratio {ratio:.3} (target <= 0.200) {}",
        sentui.as_secs_f64() * 1e3,
        peer.as_secs_f64() * 1e3,
        if ratio <= 0.2 { "PASS" } else { "FAIL" }
    );
}

/// CPU seconds (user+system, with reaped children) and RSS in KiB of a process.
fn cpu_and_rss(pid: &str) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let ticks = 100.0; // USER_HZ on Linux
    let cpu = f
        .get(11..15)
        .map(|v| v.iter().sum::<f64>() / ticks)
        .unwrap_or(0.0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0);
    (cpu, rss)
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
    for tool in ["redis-server", "redis-cli", "tmux", "watch"] {
        if sh(&format!("command -v {tool}")).is_empty() {
            eprintln!(
                "benchmark skipped: {tool} is not installed (scripts/install-deps installs it)"
            );
            return;
        }
    }
    let lab = Lab::up();
    bench_status(&lab);
    bench_tui(&lab);
}
