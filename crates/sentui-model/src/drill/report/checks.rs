//! The checks the scenario's limits ask for, and the verdict.

use super::lines::secs;
use super::{ProbeSummary, StepOutcome, StepRecord};
use crate::Millis;
use crate::drill::scenario::{Expect, Unmet};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every step ran and every check holds.
    Pass,
    /// A step timed out or a check failed (or the drill was interrupted).
    Fail,
    /// The drill could not run: usage, connection or control errors.
    Error,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Error => crate::EXIT_USAGE,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub limit: String,
    /// What was measured (None: could not be measured, which fails the check).
    pub measured: Option<String>,
    pub pass: bool,
}

fn limit_secs(v: f64) -> String {
    format!("<= {v}s")
}

/// The checks the limits ask for. `agreement`: the end state (Some when asked for).
pub fn checks(
    expect: &Expect,
    failover_ms: Option<Millis>,
    probe: Option<&ProbeSummary>,
    agreement: Option<Result<String, Unmet>>,
) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(max) = expect.max_failover_secs {
        out.push(Check {
            name: "failover (fault to +switch-master)".into(),
            limit: limit_secs(max),
            measured: failover_ms.map(secs),
            pass: failover_ms.is_some_and(|ms| ms as f64 <= max * 1000.0),
        });
    }
    if let Some(max) = expect.max_lost_writes {
        let lost = probe.and_then(|p| p.lost);
        out.push(Check {
            name: "lost writes".into(),
            limit: format!("<= {max}"),
            measured: match (lost, probe) {
                (Some(n), _) => Some(n.to_string()),
                (None, Some(p)) => p.read_back_error.clone().map(|e| format!("unknown: {e}")),
                (None, None) => Some("unknown: no probe ran".into()),
            },
            pass: lost.is_some_and(|n| n <= max),
        });
    }
    if let Some(max) = expect.max_unavailable_secs {
        let ms = probe.map(|p| p.unavailable_ms);
        out.push(Check {
            name: "unavailable (probe)".into(),
            limit: limit_secs(max),
            measured: Some(
                ms.map(secs)
                    .unwrap_or_else(|| "unknown: no probe ran".into()),
            ),
            pass: ms.is_some_and(|ms| ms as f64 <= max * 1000.0),
        });
    }
    if let Some(a) = agreement {
        let pass = a.is_ok();
        out.push(Check {
            name: "one master, all sentinels agree".into(),
            limit: "at the end".into(),
            measured: Some(a.unwrap_or_else(|e| e.to_string())),
            pass,
        });
    }
    out
}

/// Pass when no error, every step ok and every check holds.
pub fn verdict(error: Option<&str>, steps: &[StepRecord], checks: &[Check]) -> Verdict {
    if error.is_some() && steps.iter().all(|s| s.outcome != StepOutcome::Interrupted) {
        return Verdict::Error;
    }
    if error.is_some()
        || steps.iter().any(|s| s.outcome != StepOutcome::Ok)
        || checks.iter().any(|c| !c.pass)
    {
        return Verdict::Fail;
    }
    Verdict::Pass
}
