//! The report as markdown: a heading, then one table a section.

use super::Report;
use super::lines::{probe_lines, signed_secs};
use std::fmt::Write;

/// A table cell: a `|` in the text would end it.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

impl Report {
    pub fn to_markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "## {}\n", cell(&self.headline()));
        let _ = writeln!(o, "{}\n", cell(&self.master_line()));
        if let Some(p) = &self.prediction {
            let _ = writeln!(
                o,
                "Before the fault: {}; that {}.\n",
                cell(&p.headline),
                cell(&p.outcome.words())
            );
        }
        steps(&mut o, self);
        phases(&mut o, self);
        probe(&mut o, self);
        checks(&mut o, self);
        if !self.restored.is_empty() {
            let _ = writeln!(o, "\n### Restored\n");
            for r in &self.restored {
                let _ = writeln!(o, "- {}", cell(r));
            }
        }
        let _ = writeln!(o, "\n**Verdict: {}**", self.verdict.word());
        o
    }
}

fn steps(o: &mut String, r: &Report) {
    let _ = writeln!(o, "### Steps\n");
    let _ = writeln!(o, "| # | step | outcome | since fault | detail |");
    let _ = writeln!(o, "| ---: | --- | --- | ---: | --- |");
    for s in &r.steps {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            s.step,
            cell(&s.what),
            s.outcome.word(),
            s.since_fault_ms.map(signed_secs).unwrap_or_default(),
            cell(&s.detail)
        );
    }
}

fn phases(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\n### Phases\n");
    let _ = writeln!(o, "| since fault | event | by | detail |");
    let _ = writeln!(o, "| ---: | --- | --- | --- |");
    for p in &r.phases {
        let _ = writeln!(
            o,
            "| {} | `{}` | {} | {} |",
            signed_secs(p.since_fault_ms),
            p.event,
            cell(&p.by),
            cell(&p.detail)
        );
    }
}

fn probe(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\n### Probe\n");
    match &r.probe {
        Some(p) => {
            let _ = writeln!(o, "| figure | value |");
            let _ = writeln!(o, "| --- | --- |");
            for (k, v) in probe_lines(p) {
                let _ = writeln!(o, "| {k} | {} |", cell(&v));
            }
        }
        None => {
            let _ = writeln!(o, "off");
        }
    }
}

fn checks(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\n### Checks\n");
    let _ = writeln!(o, "| result | check | limit | measured |");
    let _ = writeln!(o, "| --- | --- | --- | --- |");
    for c in &r.checks {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            if c.pass { "PASS" } else { "**FAIL**" },
            cell(&c.name),
            cell(&c.limit),
            cell(c.measured.as_deref().unwrap_or("not measured"))
        );
    }
}
