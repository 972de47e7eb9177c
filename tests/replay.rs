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

/// `replay --verify` passes only what it checked whole: a recording without frames (what
/// `events --record` writes), one cut mid-line, a hand-edited frame, a malformed line and an
/// unknown version each exit 1 with the reason.
#[test]
fn verify_fails_on_what_it_cannot_verify_whole() {
    let committed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/failover.ndjson");
    let text = std::fs::read_to_string(&committed).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let verify = |name: &str, body: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let out = sentui(&["replay", "--verify", path.to_str().unwrap()]);
        (out.status.code(), stdout(&out), stderr(&out))
    };
    let frames = lines
        .iter()
        .filter(|l| l.contains("\"record\":\"frame\""))
        .count();
    let (code, said, _) = verify("whole.ndjson", text.clone());
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains(&format!("all {frames} frames replay as they were drawn")),
        "{said}"
    );

    // An events recording: the header and the inputs, no frames.
    let events: Vec<String> =
        std::iter::once(lines[0].replace("\"command\":\"tui\"", "\"command\":\"events\""))
            .chain(
                lines[1..]
                    .iter()
                    .filter(|l| !l.contains("\"record\":\"frame\""))
                    .map(|l| l.to_string()),
            )
            .collect();
    let (code, _, why) = verify("events.ndjson", events.join("\n") + "\n");
    assert_eq!(code, Some(1), "{why}");
    assert!(
        why.contains("no frames to verify (a events recording"),
        "{why}"
    );

    // Cut in the middle of a line after the sixth frame.
    let sixth = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("\"record\":\"frame\""))
        .nth(5)
        .map(|(i, _)| i)
        .unwrap();
    let cut = lines[..=sixth].join("\n") + "\n" + &lines[sixth + 1][..20];
    let (code, said, why) = verify("cut.ndjson", cut);
    assert_eq!(code, Some(1), "{said}{why}");
    assert!(
        why.contains(&format!(
            "truncated at line {} (cut mid-line): the 6 frames",
            sixth + 2
        )),
        "{why}"
    );

    // A frame's hash edited by hand.
    let last_frame = lines
        .iter()
        .rposition(|l| l.contains("\"hash\":\""))
        .unwrap();
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let hash_at = edited[last_frame].find("\"hash\":\"").unwrap() + 8;
    edited[last_frame].replace_range(hash_at..hash_at + 4, "0000");
    let (code, said, _) = verify("edited.ndjson", edited.join("\n") + "\n");
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!("frame {frames} ")) && said.contains("differs"),
        "{said}"
    );

    // A malformed line in the middle, and an unknown version.
    let mut malformed: Vec<&str> = lines.clone();
    malformed[10] = "{\"record\":\"input\",\"at\":\"soon\"}";
    let (code, _, why) = verify("malformed.ndjson", malformed.join("\n") + "\n");
    assert_eq!(code, Some(1), "{why}");
    assert!(
        why.contains("line 11") && why.contains("cannot be verified"),
        "{why}"
    );
    let unknown =
        lines[0].replace("\"version\":2", "\"version\":0") + "\n" + &lines[1..].join("\n");
    let (code, _, why) = verify("v0.ndjson", unknown);
    assert_eq!(code, Some(1), "{why}");
    assert!(why.contains("version 0 recording"), "{why}");
}
