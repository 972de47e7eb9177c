//! Drill scenarios: TOML files listing steps (faults, waits for events or states, sleeps,
//! checks) and the limits asserted at the end. Pure: parsing, validation with errors naming the
//! step and its line, the built-in default, and the states a step can wait for or check,
//! judged on a [`Deployment`]. docs/drill.md documents the format.

use crate::action::Action;
use crate::event::SentinelEvent;
use crate::info::Role;
use crate::log::Event;
use crate::probe::Follow;
use crate::{Addr, Deployment, Millis};
use serde::Deserialize;
use std::time::Duration;

/// A fault step's action is one of [`Action`]: the enum the TUI and `sentui ctl` use too.
fn parse_fault(s: &str) -> Result<Action, String> {
    s.parse().map_err(|_| {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        format!("unknown fault '{s}' ({})", names.join(", "))
    })
}

/// The node a fault or a wait is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The group's master when the step runs.
    Master,
    /// The master when the drill's first fault ran.
    OldMaster,
    /// A compose service or container name, or HOST:PORT.
    Named(String),
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        match s.trim() {
            "" => Err("empty target (master, old-master, a service name or HOST:PORT)".into()),
            "master" => Ok(Target::Master),
            "old-master" => Ok(Target::OldMaster),
            other => Ok(Target::Named(other.to_string())),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Master => "master".into(),
            Target::OldMaster => "old-master".into(),
            Target::Named(n) => n.clone(),
        }
    }
}

/// A state a step waits for (`until`) or checks (`check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The sentinels name another master than the old one.
    MasterChanged,
    /// The sentinels still name the old master: no failover (yet).
    MasterUnchanged,
    /// The old master answers and reports role replica with its link up.
    OldMasterReplica,
    /// Exactly one master, and every reachable sentinel names it.
    Agreed,
    /// `sentui status` would say healthy.
    Healthy,
    /// The probe's last write was acknowledged.
    ProbeWriting,
}

pub const STATES: &str =
    "master-changed, master-unchanged, old-master-replica, agreed, healthy, probe-writing";

impl State {
    pub fn parse(s: &str) -> Result<State, String> {
        Ok(match s {
            "master-changed" => State::MasterChanged,
            "master-unchanged" => State::MasterUnchanged,
            "old-master-replica" => State::OldMasterReplica,
            "agreed" => State::Agreed,
            "healthy" => State::Healthy,
            "probe-writing" => State::ProbeWriting,
            other => return Err(format!("unknown state '{other}' ({STATES})")),
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            State::MasterChanged => "master-changed",
            State::MasterUnchanged => "master-unchanged",
            State::OldMasterReplica => "old-master-replica",
            State::Agreed => "agreed",
            State::Healthy => "healthy",
            State::ProbeWriting => "probe-writing",
        }
    }

    /// Whether the state holds: Ok(what shows it) or Err(why not).
    pub fn holds(
        self,
        d: &Deployment,
        group: &str,
        old_master: Option<&Addr>,
        now: Millis,
    ) -> Result<String, String> {
        let master = d.master_of(group);
        match self {
            State::MasterChanged => match (master, old_master) {
                (Some(m), Some(old)) if m != *old => Ok(format!("master is now {m}")),
                (Some(m), _) => Err(format!("master is still {m}")),
                (None, _) => Err("no sentinel names a master".into()),
            },
            State::MasterUnchanged => match (master, old_master) {
                (Some(m), Some(old)) if m == *old => Ok(format!("master is still {m}")),
                (Some(m), Some(_)) => Err(format!("failed over: master is now {m}")),
                (Some(_), None) => Err("no fault ran yet: there is no old master".into()),
                (None, _) => Err("no sentinel names a master".into()),
            },
            State::OldMasterReplica => {
                let old = old_master.ok_or("no fault ran yet: there is no old master")?;
                let node = d.nodes().get(old).ok_or(format!("{old} is not known"))?;
                let info = node
                    .info
                    .as_ref()
                    .filter(|_| node.reach.is_ok())
                    .ok_or(format!("{old} does not answer ({})", node.reach.word()))?;
                let of = info
                    .master
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "?".into());
                match (info.role, info.link_up) {
                    // A restarted node may first follow its configured master: not yet.
                    (Role::Replica, _) if info.master != master => Err(format!(
                        "{old} is a replica of {of}, not of the master {}",
                        master.map(|m| m.to_string()).unwrap_or_else(|| "?".into())
                    )),
                    (Role::Replica, Some(true)) => Ok(format!("{old} is a replica of {of}")),
                    (Role::Replica, _) => Err(format!("{old} is a replica, its link not up yet")),
                    (Role::Master, _) => Err(format!("{old} still says it is a master")),
                }
            }
            State::Agreed => agreement(d, group, now),
            State::Healthy => {
                let v = d.view(group, now);
                if v.health == crate::view::Health::Healthy {
                    Ok("healthy".into())
                } else {
                    Err(format!("not healthy: {}", v.problems.join("; ")))
                }
            }
            State::ProbeWriting => match d.probe() {
                Some(p) if p.outage.is_none() && p.acked > 0 => {
                    Ok(format!("{} writes acknowledged", p.acked))
                }
                Some(p) if p.acked == 0 => Err("no write acknowledged yet".into()),
                Some(p) => Err(format!(
                    "writes failing: {}",
                    p.last_error.as_ref().map(|e| e.1.as_str()).unwrap_or("?")
                )),
                None => Err("the probe is not running".into()),
            },
        }
    }
}

/// Exactly one master and every reachable sentinel names it.
pub fn agreement(d: &Deployment, group: &str, now: Millis) -> Result<String, String> {
    let v = d.view(group, now);
    let master = v
        .master
        .as_ref()
        .map(|m| m.addr.clone())
        .ok_or("no sentinel names a master")?;
    let known: Vec<_> = v
        .sentinels
        .iter()
        .filter(|s| s.reach != crate::ReachState::Vanished)
        .collect();
    let answering: Vec<_> = known
        .iter()
        .filter(|s| s.reach == crate::ReachState::Ok)
        .collect();
    if answering.is_empty() || answering.len() < known.len() {
        return Err(format!(
            "{} of {} sentinels answer",
            answering.len(),
            known.len()
        ));
    }
    let dissent: Vec<String> = answering
        .iter()
        .filter(|s| s.master.as_ref() != Some(&master))
        .map(|s| {
            format!(
                "{} names {}",
                s.addr,
                s.master
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "none".into())
            )
        })
        .collect();
    if !dissent.is_empty() {
        return Err(format!("sentinels disagree: {}", dissent.join(", ")));
    }
    // A second node that says it is master (the old one before it is converted) is a split.
    let masters: Vec<String> = d
        .nodes()
        .values()
        .filter(|n| {
            n.reach.is_ok() && n.addr != master && d.group_of(&n.addr).as_deref() == Some(group)
        })
        .filter(|n| n.info.as_ref().is_some_and(|i| i.role == Role::Master))
        .map(|n| n.addr.to_string())
        .collect();
    if !masters.is_empty() {
        return Err(format!(
            "{} also say(s) master besides {master}",
            masters.join(", ")
        ));
    }
    Ok(format!(
        "{master}, named by all {} answering sentinels",
        answering.len()
    ))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    Fault {
        fault: Action,
        target: Target,
    },
    /// Waits for a log entry with this event name (after the step starts), optionally about a
    /// node.
    Wait {
        event: Event,
        about: Option<Target>,
        timeout: Duration,
    },
    Until {
        state: State,
        timeout: Duration,
    },
    Sleep(Duration),
    Check(State),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The line in the file (0 for built-in steps).
    pub line: usize,
    pub kind: StepKind,
}

impl Step {
    fn new(kind: StepKind) -> Step {
        Step { line: 0, kind }
    }

    pub fn describe(&self) -> String {
        match &self.kind {
            StepKind::Fault {
                fault: Action::Failover,
                ..
            } => "failover (SENTINEL FAILOVER)".into(),
            StepKind::Fault { fault, target } => format!("{} {}", fault.name(), target.describe()),
            StepKind::Wait { event, about, .. } => match about {
                Some(t) => format!("wait {event} about {}", t.describe()),
                None => format!("wait {event}"),
            },
            StepKind::Until { state, .. } => format!("until {}", state.word()),
            StepKind::Sleep(d) => format!("sleep {}", humantime::format_duration(*d)),
            StepKind::Check(s) => format!("check {}", s.word()),
        }
    }
}

/// The limits asserted at the end (flags override the file's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expect {
    pub max_failover_secs: Option<f64>,
    pub max_lost_writes: Option<u64>,
    pub max_unavailable_secs: Option<f64>,
    /// Exactly one master and all sentinels agree at the end.
    pub agree_at_end: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub probe: bool,
    pub rate: Option<u32>,
    /// How the probe follows the master (`[probe] follow`; None: the flag or the default).
    pub follow: Option<Follow>,
    pub expect: Expect,
    pub steps: Vec<Step>,
}

/// Default time a `wait` or `until` step waits.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(60);

impl Scenario {
    /// The built-in drill: start the probe, inject `fault` on the master, wait for
    /// `+switch-master`, keep the fault `hold` longer (a partitioned master goes on taking
    /// writes meanwhile), undo the fault, wait until the old master is a replica again.
    pub fn builtin(fault: Action, hold: Option<Duration>) -> Scenario {
        let mut steps = vec![Step::new(StepKind::Fault {
            fault,
            target: Target::Master,
        })];
        steps.push(Step::new(StepKind::Wait {
            event: SentinelEvent::SwitchMaster.into(),
            about: None,
            timeout: DEFAULT_STEP_TIMEOUT,
        }));
        if let Some(hold) = hold {
            steps.push(Step::new(StepKind::Sleep(hold)));
        }
        if let Some(undo) = fault.undo() {
            steps.push(Step::new(StepKind::Fault {
                fault: undo,
                target: Target::OldMaster,
            }));
        }
        steps.push(Step::new(StepKind::Until {
            state: State::OldMasterReplica,
            timeout: DEFAULT_STEP_TIMEOUT,
        }));
        Scenario {
            name: format!("{}-master", fault.name()),
            description: format!(
                "{} the master, wait for +switch-master, bring it back, wait until it is a replica",
                fault.name()
            ),
            probe: true,
            rate: None,
            follow: None,
            expect: Expect {
                agree_at_end: true,
                ..Expect::default()
            },
            steps,
        }
    }

    /// The first fault that needs consent outside a lab (see `Action::needs_consent`).
    pub fn first_risky_fault(&self) -> Option<Action> {
        self.steps.iter().find_map(|s| match s.kind {
            StepKind::Fault { fault, .. } if fault.needs_consent() => Some(fault),
            _ => None,
        })
    }

    /// Parses and validates a scenario file's text.
    pub fn parse(text: &str) -> Result<Scenario, String> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| format!("line {}: ", line_of(text, s.start)))
                .unwrap_or_default();
            format!("{at}{}", e.message())
        })?;
        if raw.step.is_empty() {
            return Err("no steps: add at least one [[step]]".into());
        }
        let steps = raw
            .step
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let line = line_of(text, s.span().start);
                step(s.get_ref())
                    .map(|kind| Step { line, kind })
                    .map_err(|e| format!("step {} (line {line}): {e}", i + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let probe = raw.probe.unwrap_or_default();
        if probe.rate == Some(0) {
            return Err("[probe] rate must be at least 1".into());
        }
        let e = raw.expect.unwrap_or_default();
        for (name, v) in [
            ("max_failover_secs", e.max_failover_secs),
            ("max_unavailable_secs", e.max_unavailable_secs),
        ] {
            if v.is_some_and(|v| !(v >= 0.0 && v.is_finite())) {
                return Err(format!("[expect] {name} must be a number of seconds >= 0"));
            }
        }
        Ok(Scenario {
            name: raw.name.unwrap_or_else(|| "scenario".into()),
            description: raw.description.unwrap_or_default(),
            probe: probe.enabled.unwrap_or(true),
            rate: probe.rate,
            follow: probe
                .follow
                .as_deref()
                .map(|f| match f {
                    "sentinel" => Ok(Follow::Sentinel),
                    "stay" => Ok(Follow::Stay),
                    other => Err(format!("[probe] follow = '{other}': sentinel or stay")),
                })
                .transpose()?,
            expect: Expect {
                max_failover_secs: e.max_failover_secs,
                max_lost_writes: e.max_lost_writes,
                max_unavailable_secs: e.max_unavailable_secs,
                agree_at_end: e.agree_at_end.unwrap_or(true),
            },
            steps,
        })
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    probe: Option<RawProbe>,
    expect: Option<RawExpect>,
    #[serde(default)]
    step: Vec<toml::Spanned<RawStep>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProbe {
    enabled: Option<bool>,
    rate: Option<u32>,
    follow: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    max_failover_secs: Option<f64>,
    max_lost_writes: Option<u64>,
    max_unavailable_secs: Option<f64>,
    agree_at_end: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    fault: Option<String>,
    target: Option<String>,
    wait: Option<String>,
    about: Option<String>,
    until: Option<String>,
    check: Option<String>,
    sleep: Option<String>,
    timeout: Option<String>,
}

fn duration(field: &str, s: &str) -> Result<Duration, String> {
    crate::time::parse_duration(s).map_err(|e| format!("{field}: {e}"))
}

fn step(s: &RawStep) -> Result<StepKind, String> {
    let kinds: Vec<&str> = [
        ("fault", s.fault.is_some()),
        ("wait", s.wait.is_some()),
        ("until", s.until.is_some()),
        ("check", s.check.is_some()),
        ("sleep", s.sleep.is_some()),
    ]
    .iter()
    .filter(|(_, set)| *set)
    .map(|(k, _)| *k)
    .collect();
    let kind = match kinds.as_slice() {
        [one] => *one,
        [] => {
            return Err("says nothing to do: give one of fault, wait, until, check, sleep".into());
        }
        many => return Err(format!("gives {}: one per step", many.join(" and "))),
    };
    let only = |field: &str, set: bool, allowed: &[&str]| -> Result<(), String> {
        if set && !allowed.contains(&kind) {
            return Err(format!(
                "'{field}' belongs to {} steps, not '{kind}'",
                allowed.join(" and ")
            ));
        }
        Ok(())
    };
    only("target", s.target.is_some(), &["fault"])?;
    only("about", s.about.is_some(), &["wait"])?;
    only("timeout", s.timeout.is_some(), &["wait", "until"])?;
    let timeout = match &s.timeout {
        Some(t) => duration("timeout", t)?,
        None => DEFAULT_STEP_TIMEOUT,
    };
    Ok(match kind {
        "fault" => {
            let fault = parse_fault(s.fault.as_deref().unwrap_or_default())?;
            if fault == Action::Failover && s.target.is_some() {
                return Err("a failover is asked of the sentinels: it takes no target".into());
            }
            let target = Target::parse(s.target.as_deref().unwrap_or("master"))?;
            StepKind::Fault { fault, target }
        }
        "wait" => {
            let event = s
                .wait
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|e| format!("wait: {e}"))?;
            let about = s.about.as_deref().map(Target::parse).transpose()?;
            StepKind::Wait {
                event,
                about,
                timeout,
            }
        }
        "until" => StepKind::Until {
            state: State::parse(s.until.as_deref().unwrap_or_default())?,
            timeout,
        },
        "check" => StepKind::Check(State::parse(s.check.as_deref().unwrap_or_default())?),
        _ => StepKind::Sleep(duration("sleep", s.sleep.as_deref().unwrap_or_default())?),
    })
}

#[cfg(test)]
mod tests {
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
        Scenario::parse(text).unwrap_err()
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
        let s = Scenario::parse("[probe]\nfollow = \"stay\"\n[[step]]\nfault = \"partition\"\n")
            .unwrap();
        assert_eq!(s.follow, Some(Follow::Stay));
        let e = Scenario::parse("[probe]\nfollow = \"x\"\n[[step]]\nsleep = \"1s\"\n").unwrap_err();
        assert!(e.contains("sentinel or stay"), "{e}");
    }
}
