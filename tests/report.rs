//! `sentui report` without a lab: the post-mortem page from the two committed recordings of
//! real failovers with the write probe (the Docker lab frozen in the TUI,
//! screenshots/failover.ndjson; the local lab, in the model's test data), from a capture of `events --json` made of
//! the same session, and from drill reports; and every input it must refuse, with a reason.

mod common;

use common::*;
use sentui::record;
use std::path::{Path, PathBuf};

fn docker_freeze() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/failover.ndjson")
}

fn local_probe() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/sentui-model/src/postmortem/build/local-probe-failover.ndjson")
}

fn report(inputs: &[&Path], out: &Path) -> std::process::Output {
    let mut args: Vec<&str> = vec!["report"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(["-o", out.to_str().unwrap()]);
    sentui(&args)
}

/// The `data-lane` titles of a page, in order.
fn lanes(page: &str) -> Vec<String> {
    page.split("<g class=\"lane\" ")
        .skip(1)
        .filter_map(|s| {
            let s = &s[s.find("data-lane=\"")? + 11..];
            Some(s[..s.find('"')?].to_string())
        })
        .collect()
}

#[test]
fn a_recording_makes_a_page_and_a_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("freeze.html");
    let out = report(&[&docker_freeze()], &html);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("mymaster: failover of redis-master (completed): Sentinel switched in"),
        "{}",
        stdout(&out)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..80]);
    // sentui's faults, each sentinel, the old master first, the others, the probe.
    let drawn = lanes(&page);
    assert_eq!(
        drawn[..5],
        [
            "sentui",
            "sentinel-1",
            "sentinel-2",
            "sentinel-3",
            "redis-master"
        ]
    );
    let mut replicas = drawn[5..7].to_vec();
    replicas.sort();
    assert_eq!(replicas, ["redis-replica-1", "redis-replica-2"]);
    assert_eq!(drawn[7..], ["write probe"]);
    for phase in [
        "+sdown",
        "+odown",
        "+elected-leader",
        "+switch-master",
        "+failover-end",
    ] {
        assert!(page.contains(phase), "{phase}");
    }
    // One file: nothing from the network, no script.
    assert!(!page.contains("<script"));
    let urls: Vec<&str> = page.matches("http").collect();
    assert_eq!(
        urls.len(),
        page.matches("http://www.w3.org/2000/svg").count()
    );

    // The same input, the same bytes.
    let again = dir.path().join("again.html");
    assert!(report(&[&docker_freeze()], &again).status.success());
    assert_eq!(std::fs::read(&again).unwrap(), page.as_bytes());

    // The timeline alone, which rsvg-convert draws.
    let svg = dir.path().join("freeze.svg");
    let out = report(&[&docker_freeze()], &svg);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<?xml"), "{}", &text[..60]);
    assert_eq!(lanes(&text), drawn);
}

#[test]
fn the_probe_puts_the_clients_outage_beside_sentinels_time() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("local.html");
    let out = report(&[&local_probe()], &html);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("Sentinel switched in"), "{said}");
    assert!(said.contains("clients could not write for"), "{said}");
    let page = std::fs::read_to_string(&html).unwrap();
    let lanes = lanes(&page);
    assert_eq!(lanes.first().map(String::as_str), Some("sentui"));
    assert_eq!(lanes.last().map(String::as_str), Some("write probe"));
    assert_eq!(lanes.len(), 1 + 3 + 3 + 1, "{lanes:?}");
    assert!(page.contains("clients could not write for"));
    assert!(page.contains("no acknowledged write lost"));
}

/// What `sentui events --json` prints, one entry a line as it arrived: here, the local
/// recording's log.
fn events_capture(recording: &Path, to: &Path) {
    let (d, _) = record::load(recording).unwrap().deployment();
    let lines: Vec<String> = d
        .log()
        .entries()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    std::fs::write(to, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_capture_of_the_event_log_draws_the_sentinels_and_the_nodes_they_named() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("events.ndjson");
    events_capture(&local_probe(), &capture);
    let html = dir.path().join("events.html");
    let out = report(&[&capture], &html);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    let lanes = lanes(&page);
    assert_eq!(
        lanes.iter().filter(|l| l.starts_with("127.0.0.1:")).count(),
        6,
        "{lanes:?}"
    );
    assert!(page.contains("a capture of `sentui events --json`"));
}

#[test]
fn two_inputs_side_by_side_in_html_only() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("both.html");
    let out = report(&[&docker_freeze(), &local_probe()], &html);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("lane-run1-probe") || page.contains("lane-run2-probe"));
    assert!(page.contains("failover") && page.contains("local-probe-failover"));
    let svg = dir.path().join("both.svg");
    let out = report(&[&docker_freeze(), &local_probe()], &svg);
    assert_refused(&out, "an SVG holds one timeline");
    assert!(!svg.exists());
}

#[test]
fn a_drill_report_carries_its_page_and_says_when_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    // A drill's report as `drill --report json` writes it: its page is the local recording's.
    let (d, end) = record::load(&local_probe()).unwrap().deployment();
    let about = sentui_model::postmortem::About {
        source: "drill pause-master".into(),
        deployment: "the local lab".into(),
        fault: "pause".into(),
    };
    let page = sentui_model::postmortem::build(
        &d,
        "mymaster",
        sentui_model::postmortem::Focus::LastFailover,
        &about,
        end,
    )
    .unwrap();
    let drill = serde_json::json!({
        "scenario": "pause-master", "group": "mymaster", "verdict": "pass", "error": null,
        "postmortem": page,
    });
    let json = dir.path().join("drill.json");
    std::fs::write(&json, serde_json::to_string_pretty(&drill).unwrap()).unwrap();
    let html = dir.path().join("drill.html");
    let out = report(&[&json], &html);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("drill (pause-master)"),
        "{}",
        stdout(&out)
    );
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("drill pause-master")
    );

    // An A/B drill's report: both runs.
    let ab = serde_json::json!({
        "names": ["classic", "coordinated"],
        "runs": [drill.clone(), drill],
    });
    let json = dir.path().join("ab.json");
    std::fs::write(&json, serde_json::to_string(&ab).unwrap()).unwrap();
    let out = report(&[&json], &html);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("  classic: ") && said.contains("  coordinated: "),
        "{said}"
    );

    // A drill that could not run has no page, and says why.
    let failed = serde_json::json!({
        "scenario": "pause-master", "group": "", "verdict": "error",
        "error": "no sentinel answered within 15s",
    });
    std::fs::write(&json, failed.to_string()).unwrap();
    let out = report(&[&json], &html);
    assert_refused(
        &out,
        "carries no post-mortem (the drill did not run: no sentinel answered within 15s)",
    );
}

#[test]
fn inputs_and_outputs_it_cannot_use_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("x.html");
    let out = report(&[Path::new("/nonexistent/rec.ndjson")], &html);
    assert_refused(&out, "cannot read /nonexistent/rec.ndjson");

    let garbage = dir.path().join("garbage.txt");
    std::fs::write(&garbage, "PING\r\n+PONG\r\n").unwrap();
    let out = report(&[&garbage], &html);
    assert_refused(
        &out,
        "not a recording, a capture of `events --json` or a drill's JSON report",
    );

    let out = report(&[&docker_freeze()], &dir.path().join("x.txt"));
    assert_refused(&out, "the output is .html or .svg");

    let out = sentui(&[
        "--master",
        "nosuch",
        "report",
        docker_freeze().to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_refused(&out, "no failover of nosuch to draw");

    // A recording of a session in which nothing failed over.
    let quiet = dir.path().join("quiet.ndjson");
    let header = std::fs::read_to_string(docker_freeze())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    std::fs::write(&quiet, header + "\n").unwrap();
    let out = report(&[&quiet], &html);
    assert_refused(&out, "no failover to draw (0 log entries read)");
    assert!(
        !html.exists(),
        "nothing written when nothing could be drawn"
    );

    let out = sentui(&["report", "-o", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "an input is required");
    let unwritable = report(&[&docker_freeze()], Path::new("/nonexistent/dir/x.html"));
    assert_refused(&unwritable, "cannot write /nonexistent/dir/x.html");
}
