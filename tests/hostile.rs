//! Hostile input: the config file and RESP readers fed arbitrary text and bytes (proptest, a
//! short pass on each run; the model's parsers have their own in
//! crates/sentui-model/tests/parsers.rs), sentui pointed at servers that answer malformed RESP,
//! and an event storm. Nothing panics, memory stays bounded, and the process exits with a
//! reason.

mod common;

use common::*;
use proptest::prelude::*;
use sentui_model::Addr;
use sentui_model::info::ReplicationInfo;
use sentui_model::state::{Deployment, Update};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// Cases per property: a short pass (512) on every test run, PROPTEST_CASES=N for a longer one.
fn fuzz_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn config_files_never_panic(s in ".{0,40}") {
        let _ = sentui::config::parse(&s);
    }

    #[test]
    fn resp_values_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(v) = redis::parse_redis_value(&bytes) {
            let _ = sentui_io::collect::reply::records(&v);
            let _ = sentui_io::collect::reply::record(&v);
            let _ = sentui_io::collect::reply::text(&v);
        }
    }
}

/// A server that answers every request with `reply`, for a bounded number of connections.
fn hostile_server(reply: &'static [u8]) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten().take(16) {
            s.set_read_timeout(Some(Duration::from_secs(2))).ok();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
        }
    });
    addr
}

#[test]
fn malformed_resp_from_a_sentinel_is_a_reason_not_a_crash() {
    let replies: [&'static [u8]; 6] = [
        b"*3\r\n$5\r\nhello\r\n:12\r\n%garbage\r\n",
        b"$-5\r\n",
        b"*99999999999\r\n",
        b"+OK\r\n+OK\r\n+OK\r\n",
        b"$4\r\nrole\r\n$7\r\nmaster\r\n*1\r\n*3\r\n$4\r\nname\r\n",
        b"\x00\xff\xfe binary noise \r\n",
    ];
    for reply in replies {
        let addr = hostile_server(reply);
        let started = Instant::now();
        let out = sentui(&[
            "--sentinel",
            &addr,
            "--timeout",
            "500ms",
            "status",
            "--json",
        ]);
        assert!(started.elapsed() < Duration::from_secs(5), "bounded");
        assert_eq!(
            out.status.code(),
            Some(2),
            "reply {reply:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["errors"][0].as_str().unwrap().contains(&addr), "{v}");
    }
}

#[test]
fn an_event_storm_stays_bounded() {
    let mut d = Deployment::default();
    let sentinel = Addr::new("127.0.0.1", 26380);
    for i in 0..10_000u64 {
        d.apply(Update::SentinelEvent {
            sentinel: sentinel.clone(),
            at: i,
            event: if i % 2 == 0 {
                "+sdown".into()
            } else {
                "-sdown".into()
            },
            payload: format!(
                "slave 127.0.0.1:{0} 127.0.0.1 {0} @ mymaster 127.0.0.1 6379",
                10_000 + i % 500
            ),
        });
    }
    assert_eq!(
        d.log().len(),
        5_000,
        "the log keeps the newest entries in view"
    );
    assert_eq!(d.log().dropped(), 5_000, "and counts what it dropped");
    assert_eq!(d.log().next_seq(), 10_000);
    // The screen draws a full log quickly enough to stay interactive (no timing asserted here:
    // the benchmark measures it); it must simply not fail.
    let setup = sentui::app::Setup::new(vec![sentinel], 0);
    let app = sentui::app::App::new(setup).with_deployment(d, 0);
    let buf = sentui::ui::render_to_buffer(&app, 120, 36);
    assert_eq!(buf.area.width, 120);
}

/// A deployment whose addresses keep changing (nodes replaced under new addresses all session
/// long): the endpoints gone are kept for a while, then forgotten, not kept forever.
#[test]
fn churning_addresses_stay_bounded() {
    let mut d = Deployment::default();
    for i in 0..2_000u64 {
        let addr = Addr::new("10.0.0.1", 10_000 + i as u16);
        d.apply(Update::NodeInfo {
            addr: addr.clone(),
            at: i * 10,
            rtt_ms: 1,
            info: ReplicationInfo::parse("role:master\r\n").unwrap(),
        });
        d.apply(Update::Vanished {
            addr,
            at: i * 10 + 5,
        });
    }
    assert_eq!(d.nodes().len(), sentui_model::state::KEEP_VANISHED);
    // The newest gone are the ones kept.
    assert!(
        d.nodes()
            .contains_key(&Addr::new("10.0.0.1", 10_000 + 1_999))
    );
    assert!(!d.nodes().contains_key(&Addr::new("10.0.0.1", 10_000)));
}
