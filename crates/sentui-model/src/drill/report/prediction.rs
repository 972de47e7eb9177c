//! What the readiness verdict said just before the drill's first fault, and whether what
//! Sentinel then did agreed with it.

use crate::Millis;
use crate::addr::Addr;
use crate::readiness::{Readiness, Verdict};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// When the verdict was taken.
    pub at: Millis,
    pub verdict: Verdict,
    pub headline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promote: Option<Addr>,
    pub outcome: PredictionOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PredictionOutcome {
    CameTrue {
        what: String,
    },
    Wrong {
        what: String,
    },
    /// The fault did not take the master away, so the verdict was not put to the test.
    NotTested {
        why: String,
    },
}

impl PredictionOutcome {
    pub fn words(&self) -> String {
        match self {
            PredictionOutcome::CameTrue { what } => format!("came true: {what}"),
            PredictionOutcome::Wrong { what } => format!("WRONG: {what}"),
            PredictionOutcome::NotTested { why } => format!("not tested: {why}"),
        }
    }
}

/// The verdict taken at `at`, judged against the outcome: `tested` is false when the fault did
/// not take the master away (`why_not` says how), `new_master` the master the drill ended with
/// when it changed.
pub fn prediction(
    before: &Readiness,
    at: Millis,
    tested: Result<(), String>,
    new_master: Option<&Addr>,
) -> Prediction {
    let promote = before.promote.as_ref().map(|p| p.addr.clone());
    let outcome = match (tested, before.verdict, new_master, promote.as_ref()) {
        (Err(why), ..) => PredictionOutcome::NotTested { why },
        (Ok(()), Verdict::Blocked, None, _) => PredictionOutcome::CameTrue {
            what: "Sentinel did not fail over".into(),
        },
        (Ok(()), Verdict::Blocked, Some(m), _) => PredictionOutcome::Wrong {
            what: format!("it said blocked, yet Sentinel promoted {m}"),
        },
        (Ok(()), _, None, _) => PredictionOutcome::Wrong {
            what: "it said Sentinel would fail over, and no failover came".into(),
        },
        (Ok(()), _, Some(m), Some(p)) if m == p => PredictionOutcome::CameTrue {
            what: format!("Sentinel promoted {m}"),
        },
        (Ok(()), _, Some(m), Some(p)) => PredictionOutcome::Wrong {
            what: format!("Sentinel promoted {m}, not {p}"),
        },
        (Ok(()), _, Some(m), None) => PredictionOutcome::Wrong {
            what: format!("it named no replica, and Sentinel promoted {m}"),
        },
    };
    Prediction {
        at,
        verdict: before.verdict,
        headline: before.headline.clone(),
        promote,
        outcome,
    }
}
