//! What the benchmarks share: a local lab of any size, the sentui binary in tmux, and readings
//! of a process's CPU and memory and of the commands a Redis server has processed.
#![allow(dead_code)]

pub mod exporter;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sentui");

pub fn sh(cmd: &str) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stops the benchmark with a reason when a tool it needs is missing.
pub fn require(tools: &[&str]) -> bool {
    for tool in tools {
        if sh(&format!("command -v {tool}")).is_empty() {
            eprintln!(
                "benchmark skipped: {tool} is not installed (scripts/install-deps and scripts/bench-deps install what the benchmarks need)"
            );
            return false;
        }
    }
    true
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The `p` quantile (0..=1) of millisecond samples.
pub fn quantile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(((s.len().max(1) - 1) as f64 * p).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

pub fn time_runs(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// A local lab in a temporary directory, taken down when dropped.
pub struct Lab {
    pub dir: tempfile::TempDir,
    pub sentinels: Vec<u16>,
    pub nodes: Vec<u16>,
    pub groups: Vec<String>,
}

impl Lab {
    pub fn up(groups: u16, replicas: u8) -> Lab {
        Self::up_with(groups, replicas, &[])
    }

    /// A lab `lab up` starts with `extra` flags (`--tls`).
    pub fn up_with(groups: u16, replicas: u8, extra: &[&str]) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let lab = dir.path().join("lab");
        let out = Command::new(BIN)
            .args(["lab", "up", "--local", "--dir", lab.to_str().unwrap()])
            .args(["--groups", &groups.to_string()])
            .args(["--replicas", &replicas.to_string()])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "lab up: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(lab.join("lab.json")).unwrap()).unwrap();
        let ports = |sentinel: bool| -> Vec<u16> {
            state["members"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| (m["role"] == "sentinel") == sentinel)
                .map(|m| m["port"].as_u64().unwrap() as u16)
                .collect()
        };
        Lab {
            sentinels: ports(true),
            nodes: ports(false),
            groups: state["groups"]
                .as_array()
                .map(|g| {
                    g.iter()
                        .filter_map(|g| g.as_str())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            dir,
        }
    }

    /// The pid of the lab's member listening on `port`.
    pub fn pid_of(&self, port: u16) -> i32 {
        let state: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.dir.path().join("lab").join("lab.json")).unwrap(),
        )
        .unwrap();
        state["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["port"] == port)
            .and_then(|m| m["pid"].as_i64())
            .expect("a lab member on that port") as i32
    }

    /// The environment that connects to a TLS lab (`lab up --tls`) with its client
    /// certificate.
    pub fn tls_env(&self) -> Vec<(String, String)> {
        let t = self.dir.path().join("lab").join("tls");
        let f = |n: &str| t.join(n).display().to_string();
        vec![
            ("SENTUI_TLS_CA".into(), f("ca.crt")),
            ("SENTUI_TLS_CERT".into(), f("client.crt")),
            ("SENTUI_TLS_KEY".into(), f("client.key")),
        ]
    }

    pub fn seeds(&self) -> String {
        self.sentinels
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The peer of `sentui status`: a redis-cli script asking for the same facts (every
    /// sentinel's INFO, MASTERS and each group's REPLICAS, SENTINELS and CKQUORUM, and every
    /// node's INFO replication).
    pub fn redis_cli_status_script(&self) -> String {
        let mut script = String::new();
        for p in &self.sentinels {
            for cmd in ["INFO server", "INFO sentinel", "SENTINEL MASTERS"] {
                script.push_str(&format!("redis-cli -h 127.0.0.1 -p {p} {cmd} >/dev/null\n"));
            }
            for g in &self.groups {
                for cmd in ["REPLICAS", "SENTINELS", "CKQUORUM"] {
                    script.push_str(&format!(
                        "redis-cli -h 127.0.0.1 -p {p} SENTINEL {cmd} {g} >/dev/null\n"
                    ));
                }
            }
        }
        for p in &self.nodes {
            script.push_str(&format!(
                "redis-cli -h 127.0.0.1 -p {p} INFO replication >/dev/null\n"
            ));
        }
        script
    }

    /// Runs sentui against the lab and waits for it.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(BIN)
            .args(args)
            .env("SENTUI_SENTINELS", self.seeds())
            .output()
            .unwrap()
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

/// CPU seconds (user+system, with reaped children) and RSS in KiB of a process.
pub fn cpu_and_rss(pid: &str) -> (f64, u64) {
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

/// A tmux server of the benchmark's own, killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new(name: &str) -> Tmux {
        Tmux {
            socket: format!("sentui-bench-{name}-{}", std::process::id()),
        }
    }

    pub fn run(&self, args: &[&str]) -> String {
        sh(&format!("tmux -L {} {}", self.socket, args.join(" ")))
    }

    /// Starts `cmd` in a new detached session `name` of the given size.
    pub fn session(&self, name: &str, size: (u16, u16), cmd: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &size.0.to_string(),
            "-y",
            &size.1.to_string(),
            &format!("'exec {cmd}'"),
        ]);
    }

    /// The pid of the program running in `target`'s pane.
    pub fn pid(&self, target: &str) -> String {
        self.run(&["display-message", "-p", "-t", target, "'#{pane_pid}'"])
            .trim()
            .to_string()
    }

    pub fn screen(&self, target: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", target])
    }

    /// Presses `key` and measures how long until the screen changes (None after 2 s).
    pub fn key_to_screen(&self, target: &str, key: &str) -> Option<Duration> {
        let before = self.screen(target);
        let t = Instant::now();
        self.run(&["send-keys", "-t", target, key]);
        while t.elapsed() < Duration::from_secs(2) {
            if self.screen(target) != before {
                return Some(t.elapsed());
            }
        }
        None
    }
}

impl Tmux {
    /// Presses q in `target` and reads the stats sentui writes as it exits (`--stats-out`).
    pub fn quit_and_read_stats(&self, target: &str, stats: &std::path::Path) -> serde_json::Value {
        self.run(&["send-keys", "-t", target, "q"]);
        let read = || {
            std::fs::read_to_string(stats)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match read() {
                Some(v) => return v,
                None if Instant::now() >= deadline => return serde_json::Value::Null,
                None => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// The text of `INFO section` of a Redis server on 127.0.0.1 (None when it does not answer).
pub fn info(port: u16, section: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(format!("INFO {section}\r\n").as_bytes()).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, body)) = text.split_once("\r\n") {
            let want: usize = head.trim_start_matches('$').parse().ok()?;
            if body.len() >= want {
                break;
            }
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Every command a Redis server has processed.
pub fn commands_processed(port: u16) -> Option<u64> {
    info(port, "stats")?
        .lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Per second, how much each server's `count` grew over `window` (our own INFO excluded).
pub fn rates_of(ports: &[u16], window: Duration, count: fn(u16) -> Option<u64>) -> Vec<f64> {
    let before: Vec<Option<u64>> = ports.iter().map(|p| count(*p)).collect();
    std::thread::sleep(window);
    ports
        .iter()
        .zip(before)
        .map(|(p, b)| match (b, count(*p)) {
            (Some(b), Some(a)) => a.saturating_sub(b + 1) as f64 / window.as_secs_f64(),
            _ => f64::NAN,
        })
        .collect()
}

/// Commands per second each server processed over `window`.
pub fn command_rates(ports: &[u16], window: Duration) -> Vec<f64> {
    rates_of(ports, window, commands_processed)
}

pub fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NAN, f64::max)
}

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// A TCP proxy on 127.0.0.1 in front of a local server that counts the commands clients send
/// through it: sentinels have no per-client command counts (and no commandstats), so this is
/// how the benchmark sees exactly what sentui asks of them.
pub struct CountingProxy {
    pub port: u16,
    commands: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl CountingProxy {
    /// Forwards to 127.0.0.1:`upstream` until the benchmark exits.
    pub fn start(upstream: u16) -> CountingProxy {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let commands = Arc::new(AtomicU64::new(0));
        let counted = commands.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let (mut c_read, mut s_write) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let mut requests = RequestCounter::default();
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = c_read.read(&mut buf) {
                        if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        counted.fetch_add(requests.feed(&buf[..n]), Ordering::Relaxed);
                    }
                    let _ = s_write.shutdown(std::net::Shutdown::Write);
                });
                let (mut s_read, mut c_write) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_read, &mut c_write);
                    let _ = c_write.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        CountingProxy { port, commands }
    }

    pub fn commands(&self) -> u64 {
        self.commands.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Counts the commands in a client's RESP request stream (arrays of bulk strings, as every
/// client library sends them).
#[derive(Default)]
pub struct RequestCounter {
    pending: Vec<u8>,
}

impl RequestCounter {
    /// Takes the next bytes of the stream; returns how many commands they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> u64 {
        self.pending.extend_from_slice(bytes);
        let mut done = 0;
        let mut at = 0;
        while let Some(len) = complete_command(&self.pending[at..]) {
            at += len;
            done += 1;
        }
        self.pending.drain(..at);
        done
    }
}

/// The length of the command at the start of `b`, once it is all there.
fn complete_command(b: &[u8]) -> Option<usize> {
    let (args, mut at) = header(b, b'*')?;
    for _ in 0..args {
        let (len, head) = header(&b[at..], b'$')?;
        at += head + len + 2;
        if b.len() < at {
            return None;
        }
    }
    Some(at)
}

/// `<kind><number>\r\n` at the start of `b`: the number and the header's length.
fn header(b: &[u8], kind: u8) -> Option<(usize, usize)> {
    if *b.first()? != kind {
        return None;
    }
    let end = b.windows(2).position(|w| w == b"\r\n")?;
    let n = std::str::from_utf8(&b[1..end]).ok()?.parse().ok()?;
    Some((n, end + 2))
}
