//! redis_exporter as a peer: one exporter process on a free 127.0.0.1 port, and a driver in the
//! benchmark's own process that scrapes every target through the exporter's multi-target
//! `/scrape` endpoint once a second, as Prometheus would at 1 s freshness.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The binary of Debian's `prometheus-redis-exporter` (scripts/bench-deps installs it).
pub const EXPORTER: &str = "prometheus-redis-exporter";

/// A redis_exporter process, killed when dropped.
pub struct Exporter {
    child: Child,
    pub port: u16,
}

impl Exporter {
    /// Starts the exporter on a free port and waits until it answers; its log goes to `log`.
    pub fn start(log: &Path) -> Exporter {
        // The port is free when asked but could be taken before the exporter binds it: try again.
        for _ in 0..3 {
            let port = free_port();
            let mut cmd = Command::new(EXPORTER);
            cmd.arg(format!("--web.listen-address=127.0.0.1:{port}"))
                // No default target: every scrape names its node through /scrape.
                .arg("--redis.addr=")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(log).unwrap());
            // Killed with the benchmark even when it dies without unwinding (a signal).
            // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let mut exporter = Exporter {
                child: cmd.spawn().expect("start redis_exporter"),
                port,
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if exporter.child.try_wait().ok().flatten().is_some() {
                    break; // it exited: most likely the port was taken
                }
                if http_get(port, "/").is_some_and(|(status, _)| status == 200) {
                    return exporter;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("redis_exporter did not start; see {}", log.display());
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `GET path` over HTTP/1.0 from 127.0.0.1:`port`: the status code and the body (None when
/// there is no complete answer within 5 s).
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
        .ok()?;
    // HTTP/1.0: the server closes the connection after the response.
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// A node the exporter scrapes: a data node, or a sentinel (whose scrape must also carry the
/// sentinel metrics).
#[derive(Clone, Copy)]
pub struct Target {
    pub port: u16,
    pub sentinel: bool,
}

impl Target {
    /// Scrapes the target through the exporter; true when it answered with the target up.
    fn scrape(self, exporter: u16) -> bool {
        let path = format!("/scrape?target=redis://127.0.0.1:{}", self.port);
        let Some((200, body)) = http_get(exporter, &path) else {
            return false;
        };
        let metric = |prefix: &str| body.lines().any(|l| l.starts_with(prefix));
        body.lines().any(|l| l == "redis_up 1")
            && (!self.sentinel || metric("redis_sentinel_masters "))
    }
}

/// Scrapes each target once a second through the exporter, the targets' turns spread evenly
/// over the second, on a few threads so one slow answer does not hold up the rest. Stopped
/// when dropped.
pub struct ScrapeDriver {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    threads: Vec<JoinHandle<()>>,
}

impl ScrapeDriver {
    pub fn start(exporter: u16, targets: Vec<Target>, workers: usize) -> ScrapeDriver {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let targets = Arc::new(targets);
        let start = Instant::now();
        let threads = (0..workers)
            .map(|first| {
                let (stop, ok, failed, targets) =
                    (stop.clone(), ok.clone(), failed.clone(), targets.clone());
                std::thread::spawn(move || {
                    let n = targets.len() as u32;
                    for second in 0.. {
                        for i in (first..targets.len()).step_by(workers) {
                            let turn = start
                                + Duration::from_secs(second)
                                + Duration::from_secs(1) * i as u32 / n;
                            if !wait_until(turn, &stop) {
                                return;
                            }
                            let counter = if targets[i].scrape(exporter) {
                                &ok
                            } else {
                                &failed
                            };
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        ScrapeDriver {
            stop,
            ok,
            failed,
            threads,
        }
    }

    /// Scrapes so far: (answered with the target up, failed).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.ok.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        )
    }

    /// Waits until `n` scrapes have finished, ok or not (false after `timeout`).
    pub fn wait_for(&self, n: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let (ok, failed) = self.counts();
            if ok + failed >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

/// Sleeps until `at`, waking to see whether to stop; false when told to stop.
fn wait_until(at: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= at {
            return true;
        }
        std::thread::sleep((at - now).min(Duration::from_millis(100)));
    }
}

impl Drop for ScrapeDriver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
