//! The soak benchmark: the TUI watching a local lab for 10 minutes while the write probe runs
//! and the master is frozen every minute (a failover each time). It reports sentui's memory at
//! the start and the end (after a warm-up), the highest reading, the ratio end / start, and
//! that keys are still answered at the end. Nothing may keep growing: the target is an end
//! within 10% (+2 MiB) of the start.
//!
//! Run: `cargo bench --bench soak` (SENTUI_SOAK_SECS=N for another length). Needs
//! redis-server, tmux.

mod common;

use common::*;
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_secs(30);
const FAULT_EVERY: Duration = Duration::from_secs(60);
const SAMPLE_EVERY: Duration = Duration::from_secs(10);

fn soak_length() -> Duration {
    Duration::from_secs(
        std::env::var("SENTUI_SOAK_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(600),
    )
}

/// Freezes the master until the sentinels switch, then resumes every node.
fn failover(lab: &Lab) -> bool {
    let paused = lab.run(&["ctl", "pause", "master"]);
    if !paused.status.success() {
        eprintln!(
            "ctl pause master: {}",
            String::from_utf8_lossy(&paused.stderr)
        );
        return false;
    }
    let switched = lab.run(&["events", "--until", "+switch-master", "--for", "30s"]);
    for n in &lab.nodes {
        lab.run(&["ctl", "unpause", &format!("127.0.0.1:{n}")]);
    }
    switched.status.success()
}

fn main() {
    if !require(&["redis-server", "tmux"]) {
        return;
    }
    let length = soak_length();
    let lab = Lab::up(1, 2);
    let tmux = Tmux::new("soak");
    let stats = lab.dir.path().join("stats.json");
    tmux.session(
        "tui",
        (140, 40),
        &format!(
            "env SENTUI_SENTINELS={} {BIN} --stats-out {}",
            lab.seeds(),
            stats.display()
        ),
    );
    std::thread::sleep(Duration::from_secs(3));
    tmux.run(&["send-keys", "-t", "tui", "w"]); // the write probe, for the whole soak
    let pid = tmux.pid("tui");
    let started = Instant::now();
    std::thread::sleep(WARM_UP);
    let (cpu0, rss0) = cpu_and_rss(&pid);
    let mut highest = rss0;
    // One reading a minute, to tell a buffer filling up to its bound from a leak.
    let mut by_minute = vec![rss0];
    let mut failovers = (0, 0);
    let mut last_fault = Instant::now();
    while started.elapsed() < length {
        if last_fault.elapsed() >= FAULT_EVERY {
            last_fault = Instant::now();
            failovers.0 += 1;
            failovers.1 += usize::from(failover(&lab));
        }
        std::thread::sleep(SAMPLE_EVERY);
        let (_, rss) = cpu_and_rss(&pid);
        if rss == 0 {
            println!(
                "soak: FAIL, sentui exited after {:.0} s",
                started.elapsed().as_secs_f64()
            );
            return;
        }
        highest = highest.max(rss);
        if started.elapsed() >= WARM_UP + FAULT_EVERY * by_minute.len() as u32 {
            by_minute.push(rss);
        }
    }
    let (cpu1, rss1) = cpu_and_rss(&pid);
    let measured = started.elapsed() - WARM_UP;
    let key = tmux.key_to_screen("tui", "Tab");
    let s = tmux.quit_and_read_stats("tui", &stats);
    let mib = |kib: u64| kib as f64 / 1024.0;
    let ratio = rss1 as f64 / rss0.max(1) as f64;
    let bounded = rss1 as f64 <= rss0 as f64 * 1.10 + 2048.0;
    let minutes: Vec<String> = by_minute
        .iter()
        .map(|k| format!("{:.1}", mib(*k)))
        .collect();
    println!("memory a minute apart (MiB): {}", minutes.join(" "));
    println!(
        "soak, {:.0} s: memory at start {:.1} MiB, at end {:.1} MiB, highest {:.1} MiB; end/start {ratio:.2}; CPU {:.2}% of a core; {}/{} failovers seen, {} events drawn (p99 {} ms); key at the end answered in {}; target end within 10% (+2 MiB) of start {}",
        length.as_secs_f64(),
        mib(rss0),
        mib(rss1),
        mib(highest),
        (cpu1 - cpu0) / measured.as_secs_f64() * 100.0,
        failovers.1,
        failovers.0,
        s["events_drawn"],
        s["latency_p99_ms"],
        key.map_or("never".to_string(), |d| format!("{} ms", d.as_millis())),
        if bounded && key.is_some() {
            "PASS"
        } else {
            "FAIL"
        }
    );
}
