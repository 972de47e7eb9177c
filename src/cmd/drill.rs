//! `sentui drill`: the scenario from a file or the flags, the run, the report on stdout.

use crate::cli::{DrillArgs, ReportFormat};
use crate::connection::Connection;
use crate::drill::{self, DrillOptions};
use sentui_io::hands::Hands;
use sentui_io::probe::DEFAULT_RATE;
use sentui_model::action::{Action, FailoverKind};
use sentui_model::drill::compare::Comparison;
use sentui_model::drill::report::Report;
use sentui_model::drill::scenario::Scenario;
use sentui_model::postmortem::{self, Page};
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

fn options(scenario: Scenario, args: &DrillArgs, group: Option<String>) -> DrillOptions {
    let rate = scenario.rate.unwrap_or(DEFAULT_RATE);
    let follow = scenario.follow.unwrap_or_default();
    DrillOptions {
        scenario,
        group,
        timeout: Duration::from_secs_f64(args.timeout_secs.clamp(0.001, 86_400.0)),
        rate,
        follow,
    }
}

/// `drill --ab`: the built-in drill with a classic failover, then with a coordinated one, on
/// the same deployment (the second starts once the first restored and the deployment is
/// healthy again, as every drill does); the two reports side by side.
async fn ab(conn: Connection, hands: Hands, args: &DrillArgs, group: Option<String>) -> u8 {
    if !conn.control.in_lab && !args.yes {
        return super::fail(
            "this deployment is not a sentui lab and the A/B drill would fail it over twice: add --yes to run it anyway",
        );
    }
    let mut runs = Vec::new();
    for kind in [FailoverKind::Classic, FailoverKind::Coordinated] {
        let mut one = DrillArgs {
            fault: Some(kind.action()),
            ab: false,
            ..args.clone()
        };
        one.scenario = None;
        let scenario = match scenario(&one) {
            Ok(s) => s,
            Err(e) => return super::fail(e),
        };
        eprintln!("sentui drill: A/B, {} failover", kind.word());
        let report = drill::run(
            conn.clone(),
            hands.clone(),
            options(scenario, &one, group.clone()),
        )
        .await;
        runs.push(report);
    }
    let [a, b]: [Report; 2] = match runs.try_into() {
        Ok(r) => r,
        Err(_) => return super::fail("internal: the A/B drill did not run twice"),
    };
    let c = Comparison {
        names: [FailoverKind::Classic, FailoverKind::Coordinated].map(|k| k.word().to_string()),
        runs: [a, b],
    };
    let text = match args.report {
        ReportFormat::Text => c.to_text(),
        ReportFormat::Md => c.to_markdown(),
        ReportFormat::Json => c.to_json() + "\n",
        ReportFormat::Html => {
            let pages: Option<Vec<(String, Page)>> = c
                .names
                .iter()
                .zip(&c.runs)
                .map(|(name, r)| r.postmortem.clone().map(|p| (name.clone(), p)))
                .collect();
            match pages {
                Some(pages) => postmortem::html_compare(&pages),
                None => return no_page(&c.runs.iter().collect::<Vec<_>>(), c.exit_code()),
            }
        }
    };
    out!("{text}");
    c.exit_code()
}

pub async fn run(conn: Connection, hands: Hands, args: &DrillArgs, group: Option<String>) -> u8 {
    if args.ab {
        return ab(conn, hands, args, group).await;
    }
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
    let report = drill::run(conn, hands, options(scenario, args, group)).await;
    let text = match args.report {
        ReportFormat::Text => report.to_text(),
        ReportFormat::Md => report.to_markdown(),
        ReportFormat::Json => report.to_json() + "\n",
        ReportFormat::Html => match &report.postmortem {
            Some(page) => postmortem::html(page),
            None => return no_page(&[&report], report.exit_code()),
        },
    };
    out!("{text}");
    report.exit_code()
}

/// `--report html` for a drill that drew nothing (it could not start): says why on stderr,
/// the report's text with it, and exits as the drill did.
fn no_page(runs: &[&Report], exit: u8) -> u8 {
    for r in runs.iter().filter(|r| r.postmortem.is_none()) {
        let why = r
            .error
            .as_deref()
            .unwrap_or("no failover and no fault to draw");
        eprintln!("sentui drill: no post-mortem page: {why}");
        eprint!("{}", r.to_text());
    }
    exit.max(sentui_model::EXIT_USAGE)
}
