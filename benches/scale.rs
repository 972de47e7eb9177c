//! The scale benchmark: three sentinels watching 100 master groups (a master and a replica
//! each, 200 redis-server processes) on this machine. It reports, each next to a peer measured
//! in the same run:
//!
//! 1. `sentui status --json`: time to a complete report (target <= 2 s), against a redis-cli
//!    script gathering the same facts.
//! 2. The TUI at idle: CPU (target < 5% of a core) and memory (target < 100 MiB), against
//!    `watch -n1 redis-cli SENTINEL MASTERS`.
//! 3. Keys: key press to changed screen through tmux (target < 50 ms), against `less` paging a
//!    file in the same tmux; and sentui's own key-to-frame time.
//! 4. Load: commands per second sentui adds on each node (the rate while the TUI runs minus
//!    the rate without it) and sends each sentinel (counted by a proxy in front of each), against
//!    the budget (docs/design.md, "Load budget").
//! 5. Watching at 1 s freshness: the TUI's idle CPU against redis_exporter scraping every node
//!    and sentinel once a second, in an equal window of its own (target: sentui at most a
//!    quarter of the exporter's CPU, with every scrape answered).
//!
//! Run: `cargo bench --bench scale` (SENTUI_SCALE_GROUPS=N for another size). Needs
//! redis-server, redis-cli, tmux, watch, less and prometheus-redis-exporter:
//! `scripts/install-deps` and `scripts/bench-deps` install them.

mod common;

use common::exporter::{EXPORTER, Exporter, ScrapeDriver, Target};
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Per data node: one request (PING, or INFO once a second) at most every 100 ms.
const NODE_BUDGET: f64 = 10.0;
/// Per sentinel: INFO x2, MASTERS and MYID, plus `--poll-budget` (30) detail commands, each
/// second.
const SENTINEL_BUDGET: f64 = 34.0;
/// How long the TUI and its 1 s peer, redis_exporter, are each measured at idle.
const IDLE_WINDOW: Duration = Duration::from_secs(30);
/// sentui's CPU at most this share of the exporter's.
const EXPORTER_RATIO: f64 = 0.25;

fn groups() -> u16 {
    std::env::var("SENTUI_SCALE_GROUPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

fn bench_status(lab: &Lab) {
    let seeds = lab.seeds();
    let mut complete = true;
    let sentui = time_runs(10, || {
        let out = Command::new(BIN)
            .args(["status", "--json"])
            .env("SENTUI_SENTINELS", &seeds)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let masters = v["masters"].as_array().map(Vec::len).unwrap_or(0);
        complete &= masters == lab.groups.len()
            && v["masters"].as_array().is_some_and(|ms| {
                ms.iter().all(|m| {
                    m["master"]["role"] == "master"
                        && m["replicas"].as_array().is_some_and(|r| !r.is_empty())
                        && m["sentinels"].as_array().map(Vec::len) == Some(3)
                })
            });
    });
    let script = lab.redis_cli_status_script();
    let peer = time_runs(2, || {
        let ok = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success());
    });
    let secs = sentui.as_secs_f64();
    println!(
        "status --json, {} groups: sentui {:.0} ms (median of 10), every group complete: {complete}; redis-cli script {:.0} ms; ratio {:.3}; target <= 2 s {}",
        lab.groups.len(),
        secs * 1e3,
        peer.as_secs_f64() * 1e3,
        secs / peer.as_secs_f64(),
        verdict(secs <= 2.0 && complete)
    );
}

/// Commands per second sentui sends each sentinel: `sentui events` (the TUI's collectors,
/// without the screen) reaches the sentinels only through counting proxies (`--map`). The
/// sentinels' own traffic with one another never passes them.
fn sentinel_load(lab: &Lab, window: Duration) -> Vec<f64> {
    let proxies: Vec<CountingProxy> = lab
        .sentinels
        .iter()
        .map(|p| CountingProxy::start(*p))
        .collect();
    let mut cmd = Command::new(BIN);
    cmd.env("SENTUI_SENTINELS", lab.seeds());
    for (s, p) in lab.sentinels.iter().zip(&proxies) {
        cmd.args(["--map", &format!("127.0.0.1:{s}=127.0.0.1:{}", p.port)]);
    }
    let mut child = cmd
        .args(["events", "--json", "--for", "120s"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(15));
    let before: Vec<u64> = proxies.iter().map(CountingProxy::commands).collect();
    std::thread::sleep(window);
    let rates = proxies
        .iter()
        .zip(before)
        .map(|(p, b)| (p.commands() - b) as f64 / window.as_secs_f64())
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    rates
}

fn bench_sentinel_load(lab: &Lab) {
    let rates = sentinel_load(lab, Duration::from_secs(30));
    println!(
        "load per sentinel from sentui: mean {:.1}, max {:.1} commands/s, counted by a proxy (budget {SENTINEL_BUDGET}) {}",
        mean(&rates),
        max(&rates),
        verdict(max(&rates) <= SENTINEL_BUDGET)
    );
}

/// Returns the TUI's idle CPU, in percent of a core.
fn bench_tui(lab: &Lab) -> f64 {
    let all: Vec<u16> = lab.nodes.clone();
    let window = IDLE_WINDOW;
    // The sentinels' own traffic, once the lab has settled (a new lab talks more at first).
    std::thread::sleep(Duration::from_secs(15));
    let base_nodes = command_rates(&all, window);

    let tmux = Tmux::new("scale");
    let stats = lab.dir.path().join("stats.json");
    tmux.session(
        "tui",
        (160, 45),
        &format!(
            "env SENTUI_SENTINELS={} {BIN} --stats-out {}",
            lab.seeds(),
            stats.display()
        ),
    );
    tmux.session(
        "peer",
        (160, 45),
        &format!(
            "watch -n 1 redis-cli -h 127.0.0.1 -p {} SENTINEL MASTERS",
            lab.sentinels[0]
        ),
    );
    let page = lab.dir.path().join("page.txt");
    let lines: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&page, lines).unwrap();
    tmux.session("less", (160, 45), &format!("less {}", page.display()));

    // Let sentui meet every node and settle before measuring.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(30)
        && !tmux
            .screen("tui")
            .contains(&format!("{0}/{0} nodes", lab.nodes.len()))
    {
        std::thread::sleep(Duration::from_millis(250));
    }
    std::thread::sleep(Duration::from_secs(5));
    let (sentui_pid, peer_pid) = (tmux.pid("tui"), tmux.pid("peer"));
    let (c0, _) = cpu_and_rss(&sentui_pid);
    let (p0, _) = cpu_and_rss(&peer_pid);
    let node_rates = command_rates(&all, window);
    let (c1, rss) = cpu_and_rss(&sentui_pid);
    let (p1, peer_rss) = cpu_and_rss(&peer_pid);
    let cpu = (c1 - c0) / window.as_secs_f64() * 100.0;
    let peer_cpu = (p1 - p0) / window.as_secs_f64() * 100.0;
    let mib = rss as f64 / 1024.0;
    println!(
        "tui idle, {} nodes: sentui {cpu:.2}% of a core, {mib:.1} MiB RSS; watch redis-cli {peer_cpu:.2}% of a core, {:.1} MiB; CPU ratio {:.2}; targets < 5% and < 100 MiB {}",
        lab.nodes.len(),
        peer_rss as f64 / 1024.0,
        cpu / peer_cpu.max(0.01),
        verdict(cpu < 5.0 && mib < 100.0)
    );

    let added = |with: &[f64], without: &[f64]| -> Vec<f64> {
        with.iter()
            .zip(without)
            .map(|(w, b)| (w - b).max(0.0))
            .collect()
    };
    let per_node = added(&node_rates, &base_nodes);
    println!(
        "load per node from sentui: mean {:.1}, max {:.1} commands/s (budget {NODE_BUDGET}; the sentinels themselves send {:.1}) {}",
        mean(&per_node),
        max(&per_node),
        mean(&base_nodes),
        verdict(max(&per_node) <= NODE_BUDGET)
    );

    // Keys: Tab walks the groups (the header changes); less pages with Space.
    let samples = |target: &str, key: &str| -> Vec<f64> {
        (0..30)
            .filter_map(|_| {
                let d = tmux.key_to_screen(target, key);
                std::thread::sleep(Duration::from_millis(100));
                d.map(|d| d.as_secs_f64() * 1e3)
            })
            .collect()
    };
    let sentui_keys = samples("tui", "Tab");
    let peer_keys = samples("less", "Space");
    let s = tmux.quit_and_read_stats("tui", &stats);
    let p99 = quantile(&sentui_keys, 0.99);
    println!(
        "keys through tmux: sentui {} of 30 drawn, p50 {:.1} ms, p99 {p99:.1} ms; less p50 {:.1} ms, p99 {:.1} ms; p99 ratio {:.2}; sentui's own key-to-frame p99 {} ms; target < 50 ms {}",
        sentui_keys.len(),
        quantile(&sentui_keys, 0.5),
        quantile(&peer_keys, 0.5),
        quantile(&peer_keys, 0.99),
        p99 / quantile(&peer_keys, 0.99),
        s["key_p99_ms"],
        verdict(sentui_keys.len() == 30 && p99 < 50.0)
    );
    cpu
}

/// The peer operators use to watch a deployment at 1 s freshness: one redis_exporter scraping
/// every node and sentinel once a second through its multi-target /scrape endpoint, driven from
/// this process as Prometheus would drive it (the driver's own CPU is not counted). It runs
/// after the TUI has quit, in a window as long as the TUI's: on two cores the two would
/// otherwise take CPU from each other.
fn bench_exporter(lab: &Lab, sentui_cpu: f64) {
    let target = |sentinel| move |&port: &u16| Target { port, sentinel };
    let targets: Vec<Target> = lab
        .nodes
        .iter()
        .map(target(false))
        .chain(lab.sentinels.iter().map(target(true)))
        .collect();
    let n = targets.len() as u64;
    let exporter = Exporter::start(&lab.dir.path().join("exporter.log"));
    let driver = ScrapeDriver::start(exporter.port, targets, 8);
    // Two full rounds first: the exporter has met every target and its runtime has warmed up.
    assert!(
        driver.wait_for(2 * n, Duration::from_secs(60)),
        "redis_exporter did not get through two rounds of scrapes in 60 s"
    );
    let pid = exporter.pid().to_string();
    let (c0, _) = cpu_and_rss(&pid);
    let (ok0, failed0) = driver.counts();
    std::thread::sleep(IDLE_WINDOW);
    let (c1, rss) = cpu_and_rss(&pid);
    let (ok1, failed1) = driver.counts();
    // Stopped here, so the load measured next sees the lab without it.
    drop(driver);
    drop(exporter);

    let cpu = (c1 - c0) / IDLE_WINDOW.as_secs_f64() * 100.0;
    let (ok, failed) = (ok1 - ok0, failed1 - failed0);
    let due = n * IDLE_WINDOW.as_secs();
    let ratio = sentui_cpu / cpu;
    println!(
        "exporter, {n} targets every 1 s: redis_exporter {cpu:.1}% of a core, {:.1} MiB RSS, {ok} scrapes answered with the target up ({due} due in the window), {failed} failed; sentui {sentui_cpu:.2}% (same run, its own {} s window); CPU ratio sentui/exporter {ratio:.3}; target <= {EXPORTER_RATIO} with no failed scrapes {}",
        rss as f64 / 1024.0,
        IDLE_WINDOW.as_secs(),
        verdict(ratio <= EXPORTER_RATIO && failed == 0 && ok > 0)
    );
}

fn main() {
    if !require(&[
        "redis-server",
        "redis-cli",
        "tmux",
        "watch",
        "less",
        EXPORTER,
    ]) {
        return;
    }
    let t = Instant::now();
    let lab = Lab::up(groups(), 1);
    println!(
        "lab: {} groups, {} redis nodes and {} sentinels up and agreed in {:.1} s",
        lab.groups.len(),
        lab.nodes.len(),
        lab.sentinels.len(),
        t.elapsed().as_secs_f64()
    );
    bench_status(&lab);
    let sentui_cpu = bench_tui(&lab);
    bench_exporter(&lab, sentui_cpu);
    bench_sentinel_load(&lab);
}
