//! TLS against plaintext, on two local labs of the same shape (a master, two replicas, three
//! sentinels) started in the same run: one plaintext, one mutual TLS (`lab up --tls`).
//!
//! 1. `sentui status`: wall time (median of 30 runs) and CPU per run (target: TLS <= 3x).
//! 2. A command on a link already made: 2000 PINGs one after another (target: TLS <= 2x).
//! 3. Making a link (TCP, handshake, the first reply): 50 in a row, for the record.
//!
//! Run: `cargo bench --bench tls`. Needs redis-server and openssl.

mod common;

use common::*;
use sentui_io::link::LinkSettings;
use sentui_io::tls::{TlsContext, TlsPaths};
use sentui_model::Addr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;
const PINGS: u32 = 2000;
const LINKS: u32 = 50;

/// CPU time (user + system) of the children waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid rusage.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Median wall time and mean CPU of `sentui status` against `lab`.
fn status(lab: &Lab, env: &[(String, String)]) -> (Duration, Duration) {
    let cpu_before = children_cpu();
    let wall = time_runs(RUNS, || {
        let ok = Command::new(BIN)
            .args(["status", "--json"])
            .env("SENTUI_SENTINELS", lab.seeds())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(ok.code(), Some(0), "a healthy lab");
    });
    let cpu = (children_cpu() - cpu_before) / RUNS as u32;
    (wall, cpu)
}

fn link(tls: Option<TlsContext>) -> LinkSettings {
    LinkSettings {
        tls,
        ..LinkSettings::default()
    }
}

/// Per PING on one link, and per link made, to the lab's first sentinel.
async fn commands(lab: &Lab, link: &LinkSettings) -> (Duration, Duration) {
    let s = Addr::new("127.0.0.1", lab.sentinels[0]);
    let mut conn = link.connect(&s).await.expect("a link to the sentinel");
    for _ in 0..100 {
        let _: String = redis::cmd("PING").query_async(&mut conn).await.unwrap();
    }
    let started = Instant::now();
    for _ in 0..PINGS {
        let _: String = redis::cmd("PING").query_async(&mut conn).await.unwrap();
    }
    let per_ping = started.elapsed() / PINGS;
    let started = Instant::now();
    for _ in 0..LINKS {
        let mut c = link.connect(&s).await.expect("a link");
        let _: String = redis::cmd("PING").query_async(&mut c).await.unwrap();
    }
    (per_ping, started.elapsed() / LINKS)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    if !require(&["redis-server", "openssl"]) {
        return;
    }
    let plain = Lab::up_with(1, 2, &[]);
    let tls = Lab::up_with(1, 2, &["--tls"]);
    let (plain_wall, plain_cpu) = status(&plain, &[]);
    let (tls_wall, tls_cpu) = status(&tls, &tls.tls_env());
    let ratio = tls_wall.as_secs_f64() / plain_wall.as_secs_f64();
    println!(
        "status: TLS {:.1} ms ({:.1} ms CPU), plaintext {:.1} ms ({:.1} ms CPU) (median of {RUNS}); ratio {ratio:.2} (target <= 3.00) {}",
        ms(tls_wall),
        ms(tls_cpu),
        ms(plain_wall),
        ms(plain_cpu),
        verdict(ratio <= 3.0)
    );

    let dir = tls.dir.path().join("lab").join("tls");
    let ctx = TlsContext::load(&TlsPaths {
        ca: Some(dir.join("ca.crt")),
        cert: Some(dir.join("client.crt")),
        key: Some(dir.join("client.key")),
        insecure: false,
    })
    .expect("the lab's TLS files");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (plain_ping, plain_link) = rt.block_on(commands(&plain, &link(None)));
    let (tls_ping, tls_link) = rt.block_on(commands(&tls, &link(Some(ctx))));
    let ratio = tls_ping.as_secs_f64() / plain_ping.as_secs_f64();
    println!(
        "command on a link: TLS {:.1} us, plaintext {:.1} us per PING ({PINGS} in a row); ratio {ratio:.2} (target <= 2.00) {}",
        tls_ping.as_secs_f64() * 1e6,
        plain_ping.as_secs_f64() * 1e6,
        verdict(ratio <= 2.0)
    );
    println!(
        "making a link (TCP, handshake, first reply): TLS {:.2} ms, plaintext {:.2} ms ({LINKS} in a row)",
        ms(tls_link),
        ms(plain_link)
    );
}
