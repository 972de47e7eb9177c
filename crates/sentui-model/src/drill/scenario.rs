//! Drill scenarios: TOML files listing steps (faults, waits for events or states, sleeps,
//! checks) and the limits asserted at the end. Pure: parsing, validation with errors naming the
//! step and its line, the built-in default, and the states a step can wait for or check,
//! judged on a [`Deployment`](crate::Deployment). docs/drill.md documents the format.
//!
//! `parse.rs` reads and validates a file, `state.rs` judges the states.

mod parse;
mod state;
#[cfg(test)]
mod tests;

pub use parse::{ScenarioError, StepError};
pub use state::{STATES, State, Unmet, agreement};

use crate::action::Action;
use crate::event::SentinelEvent;
use crate::log::Event;
use crate::probe::Follow;
use std::time::Duration;

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
    pub fn parse(s: &str) -> Result<Target, StepError> {
        match s.trim() {
            "" => Err(StepError::EmptyTarget),
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
            StepKind::Fault {
                fault: Action::FailoverCoordinated,
                ..
            } => "coordinated failover (SENTINEL FAILOVER COORDINATED)".into(),
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
}
