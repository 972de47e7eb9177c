//! The report as plain text: aligned columns, one section after another.

use super::Report;
use super::lines::{probe_lines, signed_secs};
use std::fmt::Write;

impl Report {
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}", self.headline());
        let _ = writeln!(o, "  {}", self.master_line());
        if let Some(p) = &self.prediction {
            let _ = writeln!(o, "  before the fault: {}", p.headline);
            let _ = writeln!(o, "  that {}", p.outcome.words());
        }
        steps(&mut o, self);
        phases(&mut o, self);
        probe(&mut o, self);
        checks(&mut o, self);
        if !self.restored.is_empty() {
            let _ = writeln!(o, "\nrestored");
            for r in &self.restored {
                let _ = writeln!(o, "  {r}");
            }
        }
        let _ = writeln!(o, "\nverdict: {}", self.verdict.word());
        o
    }
}

fn steps(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\nsteps");
    for s in &r.steps {
        let _ = writeln!(
            o,
            "  {:>2}  {:<32} {:<11} {:>9}  {}",
            s.step,
            s.what,
            s.outcome.word(),
            s.since_fault_ms.map(signed_secs).unwrap_or_default(),
            s.detail
        );
    }
}

fn phases(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\nphases (time since the fault)");
    if r.phases.is_empty() {
        let _ = writeln!(o, "  none seen");
    }
    for p in &r.phases {
        let _ = writeln!(
            o,
            "  {:>9}  {:<22} {:<21} {}",
            signed_secs(p.since_fault_ms),
            p.event,
            p.by,
            p.detail
        );
    }
}

fn probe(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\nprobe");
    match &r.probe {
        Some(p) => {
            for (k, v) in probe_lines(p) {
                let _ = writeln!(o, "  {k:<12} {v}");
            }
        }
        None => {
            let _ = writeln!(o, "  off");
        }
    }
}

fn checks(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\nchecks");
    if r.checks.is_empty() {
        let _ = writeln!(o, "  none asked for");
    }
    for c in &r.checks {
        let _ = writeln!(
            o,
            "  {}  {:<36} {:<12} {}",
            if c.pass { "PASS" } else { "FAIL" },
            c.name,
            c.limit,
            c.measured.as_deref().unwrap_or("not measured")
        );
    }
}
