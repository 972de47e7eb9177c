//! Replays without a lab: files that are not recordings (or from a newer sentui) are refused
//! with a reason, and the committed failover recording (screenshots/failover.ndjson) replays
//! to its end state and seeks back exactly. (Recording a live failover: record.rs.)

mod common;

use common::*;
use sentui::replay::Replayer;
use sentui_model::event::SentinelEvent;

#[test]
fn bad_recordings_are_refused_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let not = dir.path().join("not.ndjson");
    std::fs::write(&not, "{\"hello\":1}\n").unwrap();
    let out = sentui(&["replay", not.to_str().unwrap(), "--to-cast", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a sentui recording"),
        "{}",
        stderr(&out)
    );
    let future = dir.path().join("future.ndjson");
    std::fs::write(&future, "{\"format\":\"sentui-recording\",\"version\":99,\"command\":\"tui\",\"sentui\":\"9\",\"started_at\":1,\"seeds\":[]}\n").unwrap();
    let out = sentui(&["replay", future.to_str().unwrap(), "--to-cast", "/dev/null"]);
    assert!(stderr(&out).contains("version 99"), "{}", stderr(&out));
    let missing = sentui(&["replay", "/nonexistent/rec.ndjson"]);
    assert!(
        stderr(&missing).contains("cannot open"),
        "{}",
        stderr(&missing)
    );
    let out = sentui(&["status", "--record", "/tmp/x.ndjson"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_committed_failover_recording_replays_to_its_end_state() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/failover.ndjson");
    let mut r = Replayer::open(&path).unwrap();
    assert_eq!(r.header().command, "tui");
    let start_master = {
        r.advance_to(r.start() + 2000);
        r.app.live().master_of("mymaster").unwrap()
    };
    while r.step() {}
    let end_master = r.app.live().master_of("mymaster").unwrap();
    assert_ne!(start_master, end_master, "the recording holds a failover");
    let f = r.app.live().stopwatches()["mymaster"]
        .last()
        .cloned()
        .unwrap();
    assert_eq!(f.outcome, Some(sentui_model::stopwatch::Outcome::Completed));
    assert_eq!(f.new_master, Some(end_master.clone()));
    assert!(
        r.time_of(&SentinelEvent::ConvertToSlave.into()).is_some(),
        "and the old master rejoining"
    );
    let view = r.app.live().view("mymaster", r.position());
    let old = view
        .replicas
        .iter()
        .find(|n| n.addr == start_master)
        .expect("old master listed");
    assert_eq!(old.role, Some(sentui_model::info::Role::Replica));
    // Seeking back rebuilds the earlier state exactly.
    r.seek(r.start() + 2000);
    assert_eq!(r.app.live().master_of("mymaster"), Some(start_master));
}
