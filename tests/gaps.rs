//! No silent gaps: a sentinel restarted five times on the local lab. Each time a live sentui
//! (`events --json`) is subscribed again within 250 ms of the sentinel accepting connections
//! (measured from the first connection it accepts: the test's own, tried every millisecond
//! while it restarts), logs the gap once (`events from S unseen for N s`) and what changed while
//! its events went unseen (a restarted sentinel has a new run id).

mod common;

use common::*;
use sentui_io::lab::local::MemberRole;
use serde_json::Value;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn millis_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Connects to `port` every millisecond (on a thread) and returns when it first accepted.
fn first_accept(port: u16) -> std::thread::JoinHandle<Option<u64>> {
    std::thread::spawn(move || {
        let to: SocketAddr = ([127, 0, 0, 1], port).into();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&to, Duration::from_millis(50)).is_ok() {
                return Some(millis_now());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        None
    })
}

/// Whether a client of the sentinel on `port` last ran the command that ends a sentui poll
/// (SENTINEL CKQUORUM, or SENTINEL MYID when the poll fetched no group details).
fn a_poll_ran(port: u16) -> bool {
    let Ok(list) = redis_cmd(port, &["CLIENT", "LIST"]) else {
        return false;
    };
    let list: String = redis::from_redis_value(list).unwrap_or_default();
    list.lines()
        .any(|c| c.contains(" cmd=sentinel|ckquorum ") || c.contains(" cmd=sentinel|myid "))
}

fn about(v: &Value, event: &str, a: &str) -> bool {
    v["event"] == event && v["addr"] == a
}

#[test]
fn a_restarted_sentinel_is_subscribed_again_within_250_ms_and_each_gap_is_logged() {
    let mut lab = LocalLab::up(1);
    let port = lab.ports(MemberRole::Sentinel)[0];
    let victim = format!("127.0.0.1:{port}");
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "120s", 3, Duration::from_secs(15));
    // What changed during a gap is told against sentui's last poll before it: the first kill
    // waits for one. Seen twice, so the poll's reply went out before the kill (a sentinel
    // writes replies at the end of its event loop's turn).
    let polled = wait_for(Duration::from_secs(10), || {
        (a_poll_ran(port) && a_poll_ran(port)).then_some(())
    });
    assert!(polled.is_some(), "sentui polls the sentinel");
    let mut delays = Vec::new();
    for round in 0..5 {
        let from = ev.seen.len();
        lab.kill_member(port);
        let down = ev.wait_from(from, Duration::from_secs(10), |v| {
            about(v, "events-link-down", &victim)
        });
        assert!(down.is_some(), "round {round}: link down\n{}", ev.summary());
        let accepted = first_accept(port);
        lab.restart_member(port);
        let accepted = accepted
            .join()
            .unwrap()
            .expect("the sentinel accepts again");
        let up = ev
            .wait_from(from, Duration::from_secs(10), |v| {
                about(v, "events-link-up", &victim)
            })
            .unwrap_or_else(|| panic!("round {round}: link up\n{}", ev.summary()));
        let at = ev.seen[up]["ts"].as_u64().unwrap();
        delays.push(at as i64 - accepted as i64);
        // One entry for the gap, saying how long.
        let said = ev.seen[up]["payload"].as_str().unwrap().to_string();
        assert!(
            said.starts_with(&format!("events from {victim} unseen for ")) && said.ends_with(" s"),
            "{said}"
        );
        // What changed while unseen: it restarted (a new run id), found by the first poll.
        let changed = ev.wait_from(up, Duration::from_secs(10), |v| {
            about(v, "changed-while-unseen", &victim)
        });
        let changed = changed.unwrap_or_else(|| panic!("round {round}\n{}", ev.summary()));
        let said = ev.seen[changed]["payload"].as_str().unwrap();
        assert!(
            said.starts_with(&format!("{victim} restarted during the gap (new run id ")),
            "{said}"
        );
        let gap: Vec<&Value> = ev.seen[from..=up]
            .iter()
            .filter(|v| v["addr"] == victim.as_str())
            .filter(|v| v["event"] == "events-link-up" || v["event"] == "events-link-down")
            .collect();
        assert_eq!(gap.len(), 2, "one down, one up: {gap:?}");
    }
    eprintln!("resubscribed after the sentinel accepted again: {delays:?} ms");
    assert!(
        delays.iter().all(|d| (0..=250).contains(d)),
        "subscribed again within 250 ms each time: {delays:?} ms"
    );
}
