//! sentui: watch and rehearse Redis Sentinel failovers.
//!
//! Data flows one way: collectors (`collect`) own all I/O and send timestamped updates; the
//! pure `model` applies them; commands and the TUI read the model; `control` carries out
//! actions. See docs/design.md.

pub mod cli;
pub mod cmd;
pub mod collect;
pub mod control;
pub mod lab;
pub mod model;

use clap::Parser;
use cli::{Cli, Command, ConnArgs, CtlAction, LabAction};
use collect::CollectSettings;
use collect::link::{LinkSettings, now_ms};
use collect::node::ProbeSettings;
use std::process::ExitCode;

/// Exit status for usage errors and failures to reach the deployment.
pub const EXIT_USAGE: u8 = 2;

pub fn collect_settings(c: &ConnArgs) -> CollectSettings {
    CollectSettings {
        link: LinkSettings {
            connect_timeout: c.timeout,
            response_timeout: c.timeout,
            map: c.addr_map(),
        },
        probe: ProbeSettings {
            probe_every: c.probe_every,
            unresponsive_after: c.unresponsive_after,
            ..ProbeSettings::default()
        },
        poll_every: c.refresh,
        ..CollectSettings::default()
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sentui: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    ExitCode::from(rt.block_on(run(cli)))
}

fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("sentui: {msg}");
    EXIT_USAGE
}

pub async fn run(cli: Cli) -> u8 {
    let settings = collect_settings(&cli.conn);
    let seeds = cli.conn.sentinels.clone();
    let group = cli.conn.master.clone();
    match cli.command {
        Some(Command::Status { json }) => {
            let d = collect::snapshot::snapshot(&settings.link, &seeds).await;
            let report = cmd::status::StatusReport::new(&d, group.as_deref(), now_ms());
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => return fail(e),
                }
            } else {
                print!("{}", report.to_text());
            }
            report.exit_code()
        }
        Some(Command::Events {
            json,
            duration,
            until,
        }) => {
            let args = cmd::events::EventsArgs {
                json,
                duration,
                until,
                only: group,
            };
            cmd::events::run(settings, seeds, args).await
        }
        Some(Command::Ctl { action, target }) => {
            let action = match action {
                CtlAction::Pause => control::Action::Pause,
                CtlAction::Unpause => control::Action::Unpause,
            };
            match cmd::ctl::run(action, &target, &settings.link, &seeds, group.as_deref()).await {
                Ok(msg) => {
                    println!("{msg}");
                    0
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::Lab {
            action: LabAction::Up(opts),
        }) => match cmd::lab::up(&opts).await {
            Ok(_) => 0,
            Err(e) => fail(e),
        },
        Some(Command::Lab {
            action: LabAction::Down(opts),
        }) => match cmd::lab::down(&opts) {
            Ok(()) => 0,
            Err(e) => fail(e),
        },
        Some(Command::Demo(_)) | None => fail("the terminal UI is not built yet"),
    }
}
