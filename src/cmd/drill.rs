//! `sentui drill`: the scenario from a file or the flags, the run, the report on stdout.

use crate::cli::{DrillArgs, ReportFormat};
use crate::connection::Connection;
use crate::drill::{self, DrillOptions};
use sentui_io::hands::Hands;
use sentui_io::probe::DEFAULT_RATE;
use sentui_model::action::Action;
use sentui_model::drill::scenario::Scenario;
use std::path::PathBuf;
use std::time::Duration;

/// A scenario file the drill cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    /// `why` names the step and its line (the scenario parser's words).
    #[error("{}: {why}", path.display())]
    Invalid { path: PathBuf, why: String },
}

/// The scenario the flags describe: the file's, or the built-in one, with flags overriding.
pub fn scenario(args: &DrillArgs) -> Result<Scenario, ScenarioError> {
    let mut s = match &args.scenario {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|error| ScenarioError::Unreadable {
                    path: path.clone(),
                    error,
                })?;
            Scenario::parse(&text).map_err(|why| ScenarioError::Invalid {
                path: path.clone(),
                why: why.to_string(),
            })?
        }
        None => Scenario::builtin(args.fault.unwrap_or(Action::Pause), args.hold),
    };
    if let Some(f) = args.probe_follow {
        s.follow = Some(f.into());
    }
    if args.no_probe {
        s.probe = false;
    }
    if args.rate.is_some() {
        s.rate = args.rate;
    }
    let e = &mut s.expect;
    e.max_failover_secs = args.max_failover_secs.or(e.max_failover_secs);
    e.max_lost_writes = args.max_lost_writes.or(e.max_lost_writes);
    e.max_unavailable_secs = args.max_unavailable_secs.or(e.max_unavailable_secs);
    Ok(s)
}

pub async fn run(conn: Connection, hands: Hands, args: &DrillArgs, group: Option<String>) -> u8 {
    let scenario = match scenario(args) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    if let Some(fault) = scenario.first_risky_fault()
        && !conn.control.in_lab
        && !args.yes
    {
        return super::fail(format!(
            "this deployment is not a sentui lab and the drill would {} a member: add --yes to run it anyway",
            fault.name()
        ));
    }
    let rate = scenario.rate.unwrap_or(DEFAULT_RATE);
    let follow = scenario.follow.unwrap_or_default();
    let opts = DrillOptions {
        scenario,
        group,
        timeout: Duration::from_secs_f64(args.timeout_secs.clamp(0.001, 86_400.0)),
        rate,
        follow,
    };
    let report = drill::run(conn, hands, opts).await;
    let text = match args.report {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Md => report.to_markdown(),
        ReportFormat::Json => report.to_json() + "\n",
    };
    out!("{text}");
    report.exit_code()
}
