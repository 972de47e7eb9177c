//! sentui: watch and rehearse Redis Sentinel failovers.
//!
//! Data flows one way: collectors (`collect`) own all I/O and send timestamped updates; the
//! pure `model` applies them; commands and the TUI read the model; `control` carries out
//! actions. See docs/design.md.

pub mod app;
pub mod cli;
pub mod cmd;
pub mod collect;
pub mod control;
pub mod keymap;
pub mod lab;
pub mod model;
pub mod tui;
pub mod ui;

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
    // Readable reports for errors and panics; ratatui::init chains its terminal restore to it.
    let _ = color_eyre::install();
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

fn tui_options(ui: &cli::UiArgs, group: Option<String>) -> tui::TuiOptions {
    tui::TuiOptions {
        group,
        leave_paused: ui.leave_paused,
        read_only: ui.read_only,
        no_color: ui.colorless(),
        stats_out: ui.stats_out.clone(),
    }
}

/// `sentui demo`: the lab, then the TUI on it; on exit, offer to take the lab down.
async fn demo(conn: ConnArgs, ui: cli::UiArgs, opts: cli::LabOptions) -> u8 {
    let state = match cmd::lab::up(&opts).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut conn = conn;
    conn.sentinels = state.sentinels();
    let settings = collect_settings(&conn);
    let code = match tui::run(
        settings,
        conn.sentinels.clone(),
        tui_options(&ui, conn.master.clone()),
    )
    .await
    {
        Ok(code) => code,
        Err(e) => fail(e),
    };
    if cmd::lab::ask_down(&opts) {
        if let Err(e) = cmd::lab::down(&opts) {
            return fail(e);
        }
    } else {
        println!(
            "the lab keeps running; stop it with: sentui lab down --local{}",
            opts.dir
                .as_ref()
                .map(|d| format!(" --dir {}", d.display()))
                .unwrap_or_default()
        );
    }
    code
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
        Some(Command::Demo(opts)) => demo(cli.conn, cli.ui, opts).await,
        None => {
            let opts = tui_options(&cli.ui, group);
            match tui::run(settings, seeds, opts).await {
                Ok(code) => code,
                Err(e) => fail(e),
            }
        }
    }
}
