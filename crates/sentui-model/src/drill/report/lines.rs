//! What every format says the same way: the headline, the master line, the probe's figures as
//! rows, and how times and addresses are written.

use super::{ProbeSummary, Report, Window};
use crate::{Addr, Millis};
use std::fmt::Write;

pub(in crate::drill) fn secs(ms: Millis) -> String {
    format!("{:.3}s", ms as f64 / 1000.0)
}

pub(in crate::drill) fn signed_secs(ms: i64) -> String {
    format!(
        "{}{:.3}s",
        if ms < 0 { "-" } else { "+" },
        ms.abs() as f64 / 1000.0
    )
}

pub(in crate::drill) fn addr_or(a: &Option<Addr>) -> String {
    a.as_ref()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "?".into())
}

/// `k1 n1, k2 n2` of counts by kind.
pub(in crate::drill) fn counts(by: &std::collections::BTreeMap<String, u64>) -> String {
    by.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Report {
    pub(super) fn headline(&self) -> String {
        let mut s = format!(
            "drill {} on {}: {}",
            self.scenario,
            self.group,
            self.verdict.word()
        );
        if let Some(e) = &self.error {
            let _ = write!(s, " ({e})");
        }
        s
    }

    pub(super) fn master_line(&self) -> String {
        let mut s = format!(
            "master {} -> {}",
            addr_or(&self.old_master),
            addr_or(&self.new_master)
        );
        match self.failover_ms {
            Some(ms) => {
                let _ = write!(s, "; +switch-master {} after the fault", secs(ms));
            }
            None if self.fault_at.is_some() => s.push_str("; no +switch-master seen"),
            None => {}
        }
        s
    }
}

/// The probe's figures as (name, value) rows.
pub(super) fn probe_lines(p: &ProbeSummary) -> Vec<(String, String)> {
    let errors = if p.errors.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts(&p.errors))
    };
    let mut rows = vec![
        (
            "rate".into(),
            format!("{} writes/s, following {}", p.rate, p.follow),
        ),
        (
            "writes".into(),
            format!(
                "{} attempted, {} acknowledged, {} failed{errors}",
                p.attempted, p.acked, p.failed
            ),
        ),
        ("lost".into(), lost(p)),
    ];
    if let Some(t) = &p.loss_text
        && p.lost.is_some_and(|n| n > 0)
    {
        rows.push(("loss".into(), t.clone()));
    }
    rows.push(("refused".into(), refused(p)));
    rows.push(("unavailable".into(), secs(p.unavailable_ms)));
    if let Some(w) = &p.window {
        rows.push(("window".into(), window(w)));
    }
    if let Some(e) = &p.last_error {
        rows.push(("last error".into(), e.clone()));
    }
    rows
}

fn lost(p: &ProbeSummary) -> String {
    match (p.lost, &p.read_back_from, &p.read_back_error) {
        (Some(n), Some(m), _) => {
            let sample = if p.lost_sample.is_empty() {
                String::new()
            } else {
                format!(
                    " (keys {})",
                    p.lost_sample
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("{n} of {} acknowledged, read back on {m}{sample}", p.acked)
        }
        (_, _, Some(e)) => format!("unknown ({e})"),
        _ => "unknown".into(),
    }
}

fn refused(p: &ProbeSummary) -> String {
    if p.refused.is_empty() {
        "none".to_string()
    } else {
        format!(
            "{} (the server said no: not acknowledged, so not lost)",
            counts(&p.refused)
        )
    }
}

fn window(w: &Window) -> String {
    format!(
        "{}: last write on {} at {}, first on {} at {}",
        secs(w.duration_ms),
        addr_or(&w.old_master),
        signed_secs(w.from_ms),
        addr_or(&w.new_master),
        w.to_ms.map(signed_secs).unwrap_or_else(|| "never".into())
    )
}
