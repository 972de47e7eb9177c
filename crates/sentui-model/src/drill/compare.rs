//! Two drills side by side (`sentui drill --ab`): the same built-in drill on the same lab with
//! a classic failover, then with a coordinated one, each with the write probe. The figures that
//! tell them apart come first (lost, refused and failed writes, the clients' unavailability,
//! fault to `+switch-master`), then every phase with its time since the fault in each run.
//! Pure: built from the two reports.

use super::report::lines::{addr_or, counts, secs, signed_secs};
use super::report::{PhaseRow, ProbeSummary, Report, Verdict};
use crate::Millis;
use serde::Serialize;
use std::fmt::Write;

/// Two runs of a drill and what tells them apart.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// What each run is called in the table (`classic`, `coordinated`).
    pub names: [String; 2],
    pub runs: [Report; 2],
}

impl Comparison {
    /// Passes when both runs pass; an error in either is the comparison's error.
    pub fn verdict(&self) -> Verdict {
        let [a, b] = &self.runs;
        match (a.verdict, b.verdict) {
            (Verdict::Error, _) | (_, Verdict::Error) => Verdict::Error,
            (Verdict::Pass, Verdict::Pass) => Verdict::Pass,
            _ => Verdict::Fail,
        }
    }

    pub fn exit_code(&self) -> u8 {
        self.verdict().exit_code()
    }

    /// The figures, one row each: (what, run A, run B).
    pub fn rows(&self) -> Vec<[String; 3]> {
        let row = |what: &str, f: &dyn Fn(&Report) -> String| {
            [what.to_string(), f(&self.runs[0]), f(&self.runs[1])]
        };
        let master =
            |r: &Report| format!("{} -> {}", addr_or(&r.old_master), addr_or(&r.new_master));
        vec![
            row("verdict", &|r| r.verdict.word().to_string()),
            row("master", &master),
            row("fault to +switch-master", &|r| opt_secs(r.failover_ms)),
            row("lost writes (acknowledged, then gone)", &|r| {
                probe(r, |p| {
                    p.lost
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "not read back".into())
                })
            }),
            row("refused writes (never acknowledged)", &|r| {
                probe(r, |p| with_kinds(p.refused.values().sum(), &p.refused))
            }),
            row("failed writes", &|r| {
                probe(r, |p| with_kinds(p.failed, &p.errors))
            }),
            row("clients' unavailability (no acknowledged write)", &|r| {
                probe(r, |p| secs(p.unavailable_ms))
            }),
            row("writes acknowledged / attempted", &|r| {
                probe(r, |p| format!("{} / {}", p.acked, p.attempted))
            }),
        ]
    }

    /// Every phase either run saw, in the order they first came, with its time since the
    /// fault in each run (`-` where the run did not see it).
    pub fn phase_rows(&self) -> Vec<[String; 3]> {
        let mut events: Vec<&str> = Vec::new();
        for r in &self.runs {
            for p in &r.phases {
                if !events.contains(&p.event.as_str()) {
                    events.push(&p.event);
                }
            }
        }
        let at = |r: &Report, ev: &str| {
            first(&r.phases, ev)
                .map(|p| signed_secs(p.since_fault_ms))
                .unwrap_or_else(|| "-".into())
        };
        events
            .into_iter()
            .map(|ev| [ev.to_string(), at(&self.runs[0], ev), at(&self.runs[1], ev)])
            .collect()
    }

    pub fn to_text(&self) -> String {
        let mut out = format!(
            "A/B drill on {}: {} vs {}: {}\n",
            self.runs[0].group,
            self.names[0],
            self.names[1],
            self.verdict().word()
        );
        let table = |out: &mut String, head: [&str; 3], rows: &[[String; 3]]| {
            let w0 = rows
                .iter()
                .map(|r| r[0].len())
                .chain([head[0].len()])
                .max()
                .unwrap_or(0);
            let w1 = rows
                .iter()
                .map(|r| r[1].len())
                .chain([head[1].len()])
                .max()
                .unwrap_or(0);
            let _ = writeln!(out, "  {:<w0$}  {:<w1$}  {}", head[0], head[1], head[2]);
            for r in rows {
                let _ = writeln!(out, "  {:<w0$}  {:<w1$}  {}", r[0], r[1], r[2]);
            }
        };
        let (a, b) = (self.names[0].as_str(), self.names[1].as_str());
        table(&mut out, ["", a, b], &self.rows());
        out.push_str("phases (since the fault):\n");
        table(&mut out, ["phase", a, b], &self.phase_rows());
        for (name, r) in self.names.iter().zip(&self.runs) {
            if let Some(e) = &r.error {
                let _ = writeln!(out, "{name}: {e}");
            }
            if let Some(t) = r.probe.as_ref().and_then(|p| p.loss_text.as_ref()) {
                let _ = writeln!(out, "{name}: {t}");
            }
        }
        out
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "### A/B drill on `{}`: {} vs {}: **{}**\n\n",
            self.runs[0].group,
            self.names[0],
            self.names[1],
            self.verdict().word()
        );
        let table = |out: &mut String, head: [&str; 3], rows: &[[String; 3]]| {
            let _ = writeln!(
                out,
                "| {} | {} | {} |\n| --- | --- | --- |",
                head[0], head[1], head[2]
            );
            for r in rows {
                let _ = writeln!(out, "| {} | {} | {} |", r[0], r[1], r[2]);
            }
            out.push('\n');
        };
        let (a, b) = (self.names[0].as_str(), self.names[1].as_str());
        table(&mut out, ["", a, b], &self.rows());
        table(
            &mut out,
            ["phase (since the fault)", a, b],
            &self.phase_rows(),
        );
        out
    }

    pub fn to_json(&self) -> String {
        let v = serde_json::json!({
            "verdict": self.verdict(),
            "names": self.names,
            "rows": self.rows(),
            "phases": self.phase_rows(),
            "runs": self.runs,
        });
        serde_json::to_string_pretty(&v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// A probe figure of a run (`-` without the probe).
fn probe(r: &Report, f: impl Fn(&ProbeSummary) -> String) -> String {
    r.probe.as_ref().map(f).unwrap_or_else(|| "-".into())
}

fn first<'a>(phases: &'a [PhaseRow], event: &str) -> Option<&'a PhaseRow> {
    phases.iter().find(|p| p.event == event)
}

fn opt_secs(ms: Option<Millis>) -> String {
    ms.map(secs).unwrap_or_else(|| "-".into())
}

/// `12 (timeout 10, readonly 2)`.
fn with_kinds(total: u64, by: &std::collections::BTreeMap<String, u64>) -> String {
    if by.is_empty() {
        return total.to_string();
    }
    format!("{total} ({})", counts(by))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn report(verdict: Verdict, lost: u64, switch_ms: Millis, phases: &[(&str, i64)]) -> Report {
        Report {
            scenario: "builtin".into(),
            group: "mymaster".into(),
            verdict,
            error: None,
            old_master: None,
            new_master: None,
            fault_at: Some(1),
            failover_ms: Some(switch_ms),
            steps: vec![],
            phases: phases
                .iter()
                .map(|(e, ms)| PhaseRow {
                    event: e.to_string(),
                    since_fault_ms: *ms,
                    by: String::new(),
                    detail: String::new(),
                })
                .collect(),
            probe: Some(ProbeSummary {
                rate: 200,
                follow: "sentinel",
                attempted: 1000,
                acked: 990,
                failed: 10,
                errors: BTreeMap::from([("timeout".to_string(), 10)]),
                lost: Some(lost),
                lost_sample: vec![],
                loss: vec![],
                loss_text: None,
                refused: BTreeMap::new(),
                read_back_from: None,
                read_back_error: None,
                unavailable_ms: 1_250,
                window: None,
                last_error: None,
            }),
            checks: vec![],
            restored: vec![],
            prediction: None,
            postmortem: None,
        }
    }

    #[test]
    fn two_runs_side_by_side() {
        let c = Comparison {
            names: ["classic".into(), "coordinated".into()],
            runs: [
                report(
                    Verdict::Pass,
                    196,
                    1_100,
                    &[("+try-failover", 10), ("+switch-master", 1_100)],
                ),
                report(
                    Verdict::Pass,
                    0,
                    2_300,
                    &[
                        ("+try-failover", 12),
                        ("+elected-leader", 40),
                        ("+switch-master", 2_300),
                    ],
                ),
            ],
        };
        assert_eq!(c.verdict(), Verdict::Pass);
        let rows = c.rows();
        let lost = rows.iter().find(|r| r[0].starts_with("lost")).unwrap();
        assert_eq!((lost[1].as_str(), lost[2].as_str()), ("196", "0"));
        let failed = rows.iter().find(|r| r[0] == "failed writes").unwrap();
        assert_eq!(failed[1], "10 (timeout 10)");
        let phases = c.phase_rows();
        assert_eq!(
            phases[1],
            ["+switch-master", "+1.100s", "+2.300s"].map(String::from)
        );
        assert_eq!(
            phases[2],
            ["+elected-leader", "-", "+0.040s"].map(String::from)
        );
        let text = c.to_text();
        assert!(
            text.starts_with("A/B drill on mymaster: classic vs coordinated: PASS"),
            "{text}"
        );
        assert!(
            c.to_markdown()
                .contains("| fault to +switch-master | 1.100s | 2.300s |")
        );
        let failing = Comparison {
            runs: [c.runs[0].clone(), report(Verdict::Fail, 0, 1, &[])],
            ..c
        };
        assert_eq!(failing.exit_code(), 1);
    }
}
