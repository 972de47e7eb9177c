//! The drill's report and verdict: the steps as they ran, the phase timing table (every phase
//! with its time since the fault), the probe's figures, the checks against the limits, and what
//! was restored; as text, markdown or JSON. Pure: built from the model and the runner's records.
//!
//! `phases.rs` reads the timing table off the stopwatch and the log, `probe.rs` sums up the
//! probe, `checks.rs` holds the limits and the verdict, `lines.rs` the figures every format
//! shares, `text.rs` and `markdown.rs` the formats.

mod checks;
pub(super) mod lines;
mod markdown;
mod phases;
mod prediction;
mod probe;
#[cfg(test)]
mod tests;
mod text;

pub use checks::{Check, Verdict, checks, verdict};
pub use phases::{GivenUp, PhaseRow, first_fault, given_up, phases};
pub use prediction::{Prediction, PredictionOutcome, prediction};
pub use probe::{LossRow, ProbeSummary, Window};

use crate::{Addr, Millis};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    Ok,
    Failed,
    TimedOut,
    Interrupted,
    /// Not run: an earlier step failed.
    Skipped,
}

impl StepOutcome {
    pub fn word(self) -> &'static str {
        match self {
            StepOutcome::Ok => "ok",
            StepOutcome::Failed => "failed",
            StepOutcome::TimedOut => "timed out",
            StepOutcome::Interrupted => "interrupted",
            StepOutcome::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// 1-based position in the scenario.
    pub step: usize,
    /// The line in the scenario file (0: built in).
    pub line: usize,
    pub what: String,
    pub outcome: StepOutcome,
    /// When the step ended, milliseconds since the first fault (negative: before it).
    pub since_fault_ms: Option<i64>,
    pub took_ms: u64,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    pub group: String,
    pub verdict: Verdict,
    /// Why the drill could not run or was cut short.
    pub error: Option<String>,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    /// The first fault, Unix milliseconds.
    pub fault_at: Option<Millis>,
    /// First fault to the first `+switch-master`.
    pub failover_ms: Option<Millis>,
    pub steps: Vec<StepRecord>,
    pub phases: Vec<PhaseRow>,
    pub probe: Option<ProbeSummary>,
    pub checks: Vec<Check>,
    /// What the drill undid at the end (and what it could not).
    pub restored: Vec<String>,
    /// The readiness verdict just before the first fault, and whether it came true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prediction: Option<Prediction>,
    /// The post-mortem page's data (`sentui report` draws it; `--report html` is the page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<crate::postmortem::Page>,
}

impl Report {
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// Milliseconds from `base` to `t` (negative: before it).
fn since(t: Millis, base: Millis) -> i64 {
    t as i64 - base as i64
}
