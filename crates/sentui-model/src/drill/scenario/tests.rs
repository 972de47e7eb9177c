//! Scenario files: every step kind, the limits, the built-in drills and the errors.

use super::*;

const FULL: &str = r#"
name = "pause-master"
description = "freeze and resume"

[probe]
rate = 200

[expect]
max_failover_secs = 20
max_lost_writes = 0
max_unavailable_secs = 25.5
agree_at_end = false

[[step]]
fault = "pause"
target = "master"

[[step]]
wait = "+switch-master"
timeout = "30s"

[[step]]
wait = "+convert-to-slave"
about = "old-master"

[[step]]
fault = "unpause"
target = "old-master"

[[step]]
until = "old-master-replica"
timeout = "1m"

[[step]]
sleep = "500ms"

[[step]]
check = "agreed"

[[step]]
fault = "failover"
"#;

#[test]
fn parses_every_step_kind_and_the_limits() {
    let s = Scenario::parse(FULL).unwrap();
    assert_eq!(s.name, "pause-master");
    assert!(s.probe);
    assert_eq!(s.rate, Some(200));
    assert_eq!(
        s.expect,
        Expect {
            max_failover_secs: Some(20.0),
            max_lost_writes: Some(0),
            max_unavailable_secs: Some(25.5),
            agree_at_end: false,
        }
    );
    let kinds: Vec<&StepKind> = s.steps.iter().map(|s| &s.kind).collect();
    assert_eq!(
        kinds[0],
        &StepKind::Fault {
            fault: Action::Pause,
            target: Target::Master
        }
    );
    assert_eq!(
        kinds[1],
        &StepKind::Wait {
            event: SentinelEvent::SwitchMaster.into(),
            about: None,
            timeout: Duration::from_secs(30)
        }
    );
    assert_eq!(
        kinds[2],
        &StepKind::Wait {
            event: SentinelEvent::ConvertToSlave.into(),
            about: Some(Target::OldMaster),
            timeout: DEFAULT_STEP_TIMEOUT
        }
    );
    assert_eq!(
        kinds[4],
        &StepKind::Until {
            state: State::OldMasterReplica,
            timeout: Duration::from_secs(60)
        }
    );
    assert_eq!(kinds[5], &StepKind::Sleep(Duration::from_millis(500)));
    assert_eq!(kinds[6], &StepKind::Check(State::Agreed));
    assert_eq!(s.steps[0].line, 14, "the [[step]] header");
    assert_eq!(s.steps[7].describe(), "failover (SENTINEL FAILOVER)");
}

fn err(text: &str) -> String {
    Scenario::parse(text).unwrap_err().to_string()
}

#[test]
fn errors_name_the_step_and_its_line() {
    let e = err("[[step]]\nfault = \"pause\"\n\n[[step]]\nfault = \"freeze\"\n");
    assert!(
        e.starts_with("step 2 (line 4): unknown fault 'freeze'"),
        "{e}"
    );
    let e = err("[[step]]\nwait = \"+sdown\"\nsleep = \"1s\"\n");
    assert!(e.contains("step 1 (line 1): gives wait and sleep"), "{e}");
    let e = err("[[step]]\ntarget = \"master\"\n");
    assert!(e.contains("says nothing to do"), "{e}");
    let e = err("[[step]]\nsleep = \"1s\"\ntimeout = \"2s\"\n");
    assert!(
        e.contains("'timeout' belongs to wait and until steps"),
        "{e}"
    );
    let e = err("[[step]]\nsleep = \"soon\"\n");
    assert!(e.contains("sleep: 'soon'"), "{e}");
    let e = err("[[step]]\nuntil = \"calm\"\n");
    assert!(e.contains("unknown state 'calm'"), "{e}");
    let e = err("[[step]]\nfault = \"failover\"\ntarget = \"master\"\n");
    assert!(e.contains("takes no target"), "{e}");
    let e = err("[[step]]\nwait = \"two words\"\n");
    assert!(e.contains("one event name"), "{e}");
    let e = err("[[step]]\nwait = \"switch-master\"\n");
    assert!(e.contains("'switch-master' is not one event name"), "{e}");
}

#[test]
fn toml_errors_carry_the_line() {
    let e = err("name = \"x\"\n[[step]]\nfualt = \"pause\"\n");
    assert!(e.starts_with("line 3: "), "{e}");
    assert!(e.contains("fualt"), "{e}");
    let e = err("name = \n");
    assert!(e.starts_with("line 1: "), "{e}");
    assert_eq!(err("name = \"x\"\n"), "no steps: add at least one [[step]]");
    assert!(err("[probe]\nrate = 0\n[[step]]\nsleep = \"1s\"\n").contains("rate"));
    assert!(
        err("[expect]\nmax_failover_secs = -1\n[[step]]\nsleep = \"1s\"\n")
            .contains("max_failover_secs")
    );
}

#[test]
fn builtin_drills() {
    let s = Scenario::builtin(Action::Pause, None);
    let d: Vec<String> = s.steps.iter().map(|s| s.describe()).collect();
    assert_eq!(
        d,
        [
            "pause master",
            "wait +switch-master",
            "unpause old-master",
            "until old-master-replica"
        ]
    );
    assert!(s.probe && s.expect.agree_at_end);
    let s = Scenario::builtin(Action::Failover, None);
    assert_eq!(s.steps.len(), 3, "nothing to undo after a failover");
    assert_eq!(
        Scenario::builtin(Action::Stop, None).steps[2].describe(),
        "start old-master"
    );
    let s = Scenario::builtin(Action::Partition, Some(Duration::from_secs(8)));
    let d: Vec<String> = s.steps.iter().map(|s| s.describe()).collect();
    assert_eq!(
        d,
        [
            "partition master",
            "wait +switch-master",
            "sleep 8s",
            "heal old-master",
            "until old-master-replica"
        ],
        "held after +switch-master, then healed"
    );
}

#[test]
fn the_probe_can_be_told_to_stay() {
    let s =
        Scenario::parse("[probe]\nfollow = \"stay\"\n[[step]]\nfault = \"partition\"\n").unwrap();
    assert_eq!(s.follow, Some(Follow::Stay));
    let e = err("[probe]\nfollow = \"x\"\n[[step]]\nsleep = \"1s\"\n");
    assert!(e.contains("sentinel or stay"), "{e}");
}
