//! Drill scenarios without a lab: every file in drills/ parses, bad scenario files and flags
//! are refused with exit 2 and the line at fault, and each scenario state is judged on
//! deployments built from captured replies. (`sentui drill` on a real lab: drill.rs.)

mod common;

use common::*;

#[test]
fn example_scenarios_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("drills");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            sentui_model::drill::scenario::Scenario::parse(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 3, "example scenarios in drills/");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[step]]\nfault = \"pause\"\n\n[[step]]\nwiat = \"+sdown\"\n",
    )
    .unwrap();
    let out = sentui(&[
        "--sentinel",
        "127.0.0.1:1",
        "drill",
        "--scenario",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml: line 5: unknown field `wiat`"),
        "{}",
        stderr(&out)
    );
    let out = sentui(&["drill", "--scenario", "/nonexistent/drill.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read /nonexistent/drill.toml"));
    let out = sentui(&["drill", "--max-failover-secs", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a number of seconds"),
        "{}",
        stderr(&out)
    );
    let out = sentui(&["drill", "--rate", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn states_judged_on_captured_deployments() {
    use common::scenario::{self, FREEZE, addr};
    use sentui_model::drill::scenario::State;
    let old = addr("127.0.0.1:16379");
    let steady = scenario::steady(FREEZE - 2000);
    let agreed = State::Agreed.holds(&steady, "mymaster", None, FREEZE);
    assert!(
        agreed.as_ref().is_ok_and(|s| s.contains("all 3")),
        "{agreed:?}"
    );
    assert!(
        State::MasterChanged
            .holds(&steady, "mymaster", Some(&old), FREEZE)
            .is_err()
    );
    let promoted = scenario::promoted();
    let now = FREEZE + 10_000;
    let changed = State::MasterChanged.holds(&promoted, "mymaster", Some(&old), now);
    assert_eq!(changed, Ok("master is now 127.0.0.1:16380".into()));
    assert_eq!(
        State::MasterUnchanged.holds(&steady, "mymaster", Some(&old), FREEZE),
        Ok("master is still 127.0.0.1:16379".into()),
        "no failover (a quorum lost)"
    );
    assert_eq!(
        State::MasterUnchanged.holds(&promoted, "mymaster", Some(&old), now),
        Err("failed over: master is now 127.0.0.1:16380".into())
    );
    let rejoined = State::OldMasterReplica.holds(&promoted, "mymaster", Some(&old), now);
    assert!(
        rejoined.is_err(),
        "the frozen old master has not rejoined: {rejoined:?}"
    );
    assert!(
        State::ProbeWriting
            .holds(&promoted, "mymaster", None, now)
            .is_err_and(|e| e.0.contains("not running"))
    );
}
