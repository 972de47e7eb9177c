//! The write probe's figures for the report: counts, errors, lost writes (by master and
//! window), refusals and the unavailability window, times counted from the fault.

use super::since;
use crate::probe::ProbeStats;
use crate::probe::loss::{FaultSpan, LossWindow};
use crate::{Addr, Millis};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// The last acknowledged write before it, ms since the fault.
    pub from_ms: i64,
    /// The first acknowledged write after it (None: writes never came back).
    pub to_ms: Option<i64>,
    pub duration_ms: Millis,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
}

/// Lost writes of one master in one window, times since the fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LossRow {
    pub master: Option<Addr>,
    /// `old`, `new` or `other`: the master at the fault, the one at the end, another.
    pub role: &'static str,
    /// `before-fault`, `during-fault`, `after-fault` (null without a fault).
    pub window: Option<LossWindow>,
    pub count: u64,
    pub first_ms: i64,
    pub last_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeSummary {
    pub rate: u32,
    /// `sentinel` (moves at +switch-master) or `stay` (keeps its master until a write fails).
    pub follow: &'static str,
    pub attempted: u64,
    pub acked: u64,
    pub failed: u64,
    /// Failed writes by kind (`timeout`, `refused`, `readonly`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Acknowledged writes the master no longer has (None: not read back).
    pub lost: Option<u64>,
    pub lost_sample: Vec<u64>,
    /// The lost writes by the master that acknowledged them and when.
    pub loss: Vec<LossRow>,
    /// The same in a sentence (`312 acknowledged writes lost, all acknowledged by OLD ...`).
    pub loss_text: Option<String>,
    /// Writes the server refused (NOREPLICAS, READONLY, MASTERDOWN), by reason: never
    /// acknowledged, so never lost.
    pub refused: BTreeMap<String, u64>,
    pub read_back_from: Option<Addr>,
    pub read_back_error: Option<String>,
    /// Total time without acknowledged writes.
    pub unavailable_ms: Millis,
    /// The unavailability window: last success on the old master to first on the new.
    pub window: Option<Window>,
    pub last_error: Option<String>,
}

impl ProbeSummary {
    /// `fault` names the fault for the loss sentence (`partition`, `pause`, ...).
    pub fn new(
        p: &ProbeStats,
        span: Option<FaultSpan>,
        masters: (Option<&Addr>, Option<&Addr>),
        fault: &str,
        now: Millis,
    ) -> ProbeSummary {
        let base = span.map(|s| s.at).unwrap_or(p.started_at);
        let (lost_sample, read_back_from, read_back_error) = match &p.readback {
            Some(Ok(found)) => (found.sample.clone(), Some(found.master.clone()), None),
            Some(Err(error)) => (Vec::new(), None, Some(error.clone())),
            None => (Vec::new(), None, Some("the probe did not read back".into())),
        };
        ProbeSummary {
            rate: p.rate,
            follow: p.follow.name(),
            loss: loss_rows(p, span, masters, base),
            loss_text: p.loss_text(span, masters, fault),
            refused: p.refusals_by_word(),
            attempted: p.attempted,
            acked: p.acked,
            failed: p.failed,
            errors: p.errors_by_word(),
            lost: p.lost(),
            lost_sample,
            read_back_from,
            read_back_error,
            unavailable_ms: p.unavailable_total(now),
            window: p.window().map(|o| Window {
                from_ms: since(o.from, base),
                to_ms: o.to.map(|t| since(t, base)),
                duration_ms: o.duration(p.stopped_at.unwrap_or(now)),
                old_master: o.old_master.clone(),
                new_master: o.new_master.clone(),
            }),
            last_error: p.last_error.as_ref().map(|e| e.1.clone()),
        }
    }
}

/// The lost writes by master and window, the masters labelled by their part in the failover,
/// times counted from `base`.
fn loss_rows(
    p: &ProbeStats,
    span: Option<FaultSpan>,
    (old, new): (Option<&Addr>, Option<&Addr>),
    base: Millis,
) -> Vec<LossRow> {
    p.loss(span)
        .unwrap_or_default()
        .into_iter()
        .map(|g| LossRow {
            role: match g.master.as_ref() {
                Some(m) if Some(m) == old => "old",
                Some(m) if Some(m) == new => "new",
                _ => "other",
            },
            master: g.master,
            window: g.window,
            count: g.count,
            first_ms: since(g.first_at, base),
            last_ms: since(g.last_at, base),
        })
        .collect()
}
