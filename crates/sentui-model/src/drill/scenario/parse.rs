//! Reading a scenario file: the TOML as written, then each step validated, every error naming
//! the step and its line.

use super::{DEFAULT_STEP_TIMEOUT, Expect, Scenario, State, Step, StepKind, Target};
use crate::action::Action;
use crate::log::NotAnEvent;
use crate::probe::Follow;
use crate::time::DurationError;
use serde::Deserialize;
use std::time::Duration;

/// Why a scenario file cannot be run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// Not TOML, or not the scenario's fields (`line N: ` when the parser knows where).
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Toml {
        line: Option<usize>,
        message: String,
    },
    #[error("no steps: add at least one [[step]]")]
    NoSteps,
    #[error("step {n} (line {line}): {error}")]
    Step {
        /// 1-based position in the file.
        n: usize,
        line: usize,
        error: StepError,
    },
    #[error("[probe] rate must be at least 1")]
    ZeroRate,
    #[error("[probe] follow = '{0}': sentinel or stay")]
    Follow(String),
    #[error("[expect] {0} must be a number of seconds >= 0")]
    Seconds(&'static str),
}

/// What is wrong with one step.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StepError {
    #[error("unknown fault '{name}' ({})", known_faults())]
    UnknownFault { name: String },
    #[error("empty target (master, old-master, a service name or HOST:PORT)")]
    EmptyTarget,
    #[error("unknown state '{0}' ({STATES})", STATES = super::STATES)]
    UnknownState(String),
    #[error("says nothing to do: give one of fault, wait, until, check, sleep")]
    NothingToDo,
    /// More than one kind in one step.
    #[error("gives {}: one per step", .0.join(" and "))]
    Several(Vec<&'static str>),
    /// A field that belongs to other kinds of step.
    #[error("'{field}' belongs to {} steps, not '{kind}'", allowed.join(" and "))]
    Misplaced {
        field: &'static str,
        allowed: &'static [&'static str],
        kind: &'static str,
    },
    #[error("{field}: {error}")]
    Duration {
        field: &'static str,
        error: DurationError,
    },
    #[error("a failover is asked of the sentinels: it takes no target")]
    FailoverTarget,
    #[error("wait: {0}")]
    Wait(NotAnEvent),
}

fn known_faults() -> String {
    let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    names.join(", ")
}

/// A fault step's action is one of [`Action`]: the enum the TUI and `sentui ctl` use too.
fn parse_fault(s: &str) -> Result<Action, StepError> {
    s.parse().map_err(|_| StepError::UnknownFault {
        name: s.to_string(),
    })
}

impl Scenario {
    /// Parses and validates a scenario file's text.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| ScenarioError::Toml {
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        if raw.step.is_empty() {
            return Err(ScenarioError::NoSteps);
        }
        let steps = raw
            .step
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let line = line_of(text, s.span().start);
                step(s.get_ref())
                    .map(|kind| Step { line, kind })
                    .map_err(|error| ScenarioError::Step {
                        n: i + 1,
                        line,
                        error,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let probe = raw.probe.unwrap_or_default();
        if probe.rate == Some(0) {
            return Err(ScenarioError::ZeroRate);
        }
        let e = raw.expect.unwrap_or_default();
        for (name, v) in [
            ("max_failover_secs", e.max_failover_secs),
            ("max_unavailable_secs", e.max_unavailable_secs),
        ] {
            if v.is_some_and(|v| !(v >= 0.0 && v.is_finite())) {
                return Err(ScenarioError::Seconds(name));
            }
        }
        Ok(Scenario {
            name: raw.name.unwrap_or_else(|| "scenario".into()),
            description: raw.description.unwrap_or_default(),
            probe: probe.enabled.unwrap_or(true),
            rate: probe.rate,
            follow: probe.follow.as_deref().map(follow).transpose()?,
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

fn follow(f: &str) -> Result<Follow, ScenarioError> {
    match f {
        "sentinel" => Ok(Follow::Sentinel),
        "stay" => Ok(Follow::Stay),
        other => Err(ScenarioError::Follow(other.to_string())),
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

fn duration(field: &'static str, s: &str) -> Result<Duration, StepError> {
    crate::time::parse_duration(s).map_err(|error| StepError::Duration { field, error })
}

/// The one kind of step this is (fault, wait, until, check or sleep).
fn kind(s: &RawStep) -> Result<&'static str, StepError> {
    let kinds: Vec<&'static str> = [
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
    match kinds.as_slice() {
        [one] => Ok(*one),
        [] => Err(StepError::NothingToDo),
        many => Err(StepError::Several(many.to_vec())),
    }
}

fn step(s: &RawStep) -> Result<StepKind, StepError> {
    let kind = kind(s)?;
    let only = |field: &'static str, set: bool, allowed: &'static [&'static str]| {
        if set && !allowed.contains(&kind) {
            return Err(StepError::Misplaced {
                field,
                allowed,
                kind,
            });
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
            if fault.failover_kind().is_some() && s.target.is_some() {
                return Err(StepError::FailoverTarget);
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
                .map_err(StepError::Wait)?;
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
