//! `sentui doctor`: can Sentinel fail each master over right now, which replica would it
//! promote, and what blocks it (`sentui_model::readiness`), from one snapshot that also checks
//! the sentinels' rights on every node. The exit status tells the worst verdict.

use super::status::{StatusReport, collect};
use crate::connection::Connection;
use crate::deployment_name::DeploymentName;
use sentui_io::collect::snapshot::Rights;
use sentui_io::link::now_ms;
use sentui_model::Millis;
use sentui_model::readiness::{Readiness, Status, Verdict};
use serde::Serialize;
use std::fmt::Write;

/// Exit statuses of `doctor` (documented in docs/status.md).
pub const EXIT_READY: u8 = 0;
pub const EXIT_AT_RISK: u8 = 1;
pub const EXIT_UNREACHABLE: u8 = 2;
pub const EXIT_BLOCKED: u8 = 3;

#[derive(Serialize)]
pub struct DoctorReport {
    pub ts: Millis,
    pub deployment: DeploymentName,
    pub groups: Vec<Readiness>,
    /// Why sentui could not see the deployment, when it could not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl DoctorReport {
    pub fn exit_code(&self) -> u8 {
        match self.groups.iter().map(|g| g.verdict).max() {
            None => EXIT_UNREACHABLE,
            Some(Verdict::Ready) => EXIT_READY,
            Some(Verdict::AtRisk) => EXIT_AT_RISK,
            Some(Verdict::Blocked) => EXIT_BLOCKED,
        }
    }

    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "deployment {}", self.deployment);
        for g in &self.groups {
            let _ = writeln!(t, "\n{}: {}", g.group, g.headline);
            write_group(&mut t, g);
        }
        t
    }
}

fn write_group(t: &mut String, g: &Readiness) {
    for c in &g.conditions {
        let _ = writeln!(
            t,
            "  {:<11} {:<15} {}",
            c.status.word(),
            c.rule.title(),
            c.summary
        );
        // The evidence of a condition that is not fine, always; of one that is, only the
        // replicas (which one would be promoted, and why the others would not).
        let show = c.status != Status::Ok || c.rule == sentui_model::readiness::Rule::Replicas;
        if show {
            for e in &c.evidence {
                let _ = writeln!(t, "  {:<28}· {e}", "");
            }
        }
        if let Some(r) = &c.remedy {
            let _ = writeln!(t, "  {:<28}→ {r}", "");
        }
    }
    if let Some(p) = &g.promote {
        let _ = writeln!(t, "  would promote {} ({})", p.addr, p.reason());
    }
}

pub async fn run(c: &Connection, group: Option<&str>, json: bool) -> u8 {
    let report = report(c, group).await;
    // Errors go to stderr; the report (with them in the JSON) to stdout.
    for e in &report.errors {
        eprintln!("sentui: {e}");
    }
    super::print_report(json, &report, &report.to_text(), report.exit_code())
}

pub async fn report(c: &Connection, group: Option<&str>) -> DoctorReport {
    let d = collect(c, Rights::Check, false).await;
    let now = now_ms();
    let status = StatusReport::new(c.deployment(), &d, group, now);
    DoctorReport {
        ts: now,
        groups: status.masters.iter().map(|v| d.readiness(v, now)).collect(),
        errors: status.errors,
        deployment: status.deployment,
    }
}
