//! sentui: watch and rehearse Redis Sentinel failovers.
//!
//! Data flows one way: collectors (`collect`) own all I/O and send timestamped updates; the
//! pure `model` applies them; commands and the TUI read the model; `control` carries out
//! actions. See docs/design.md.

/// `println!` that never panics. When stdout is closed (piped into `head`), the line is dropped
/// and the command still finishes its work: a lab still comes up, a drill still restores what it
/// changed. `events`, which only streams, stops instead (see `cmd::events`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that never panics (see `outln!`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod connection;
pub mod drill;
pub mod keymap;
pub mod keys;
pub mod logview;
pub mod ndjson;
pub mod record;
pub mod replay;
pub mod session;
pub mod target;
pub mod tui;
pub mod ui;

use cli::{Cli, Command, LabAction};
use config::AuthConfig;
use connection::connect;
use std::process::ExitCode;

pub use sentui_model::EXIT_USAGE;

pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let file_auth = match config::load(cli.conn.config.as_deref())
        .and_then(|(file, _)| config::apply(&mut cli, &matches, &file))
    {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!("sentui: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
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
    ExitCode::from(rt.block_on(run(cli, file_auth)))
}

pub async fn run(cli: Cli, file_auth: AuthConfig) -> u8 {
    let group = cli.conn.master.clone();
    let needs_connection = !matches!(
        cli.command,
        Some(Command::Lab { .. })
            | Some(Command::Demo(_))
            | Some(Command::Replay { .. })
            | Some(Command::Config { .. })
            | Some(Command::Completions { .. })
            | Some(Command::Man { .. })
    );
    if cli.ui.record.is_some()
        && !matches!(
            cli.command,
            None | Some(Command::Events { .. }) | Some(Command::Demo(_))
        )
    {
        return cmd::fail("--record works with the TUI, `events` and `demo`");
    }
    let compose_project = cli.conn.compose_project.clone();
    let command = match cli.command {
        Some(Command::Lab { action }) => {
            let action = match action {
                LabAction::Up(o) => o
                    .with_compose_project(compose_project.as_deref())
                    .map(LabAction::Up),
                LabAction::Down(o) => o
                    .with_compose_project(compose_project.as_deref())
                    .map(LabAction::Down),
            };
            match action {
                Ok(action) => Some(Command::Lab { action }),
                Err(e) => return cmd::fail(e),
            }
        }
        Some(Command::Demo(o)) => match o.with_compose_project(compose_project.as_deref()) {
            Ok(o) => Some(Command::Demo(o)),
            Err(e) => return cmd::fail(e),
        },
        other => other,
    };
    let cli = Cli { command, ..cli };
    let acts = matches!(
        cli.command,
        None | Some(Command::Ctl { .. }) | Some(Command::Drill(_))
    );
    let conn = if needs_connection {
        match connect(&cli.conn, &file_auth, cli.ui.read_only).await {
            Ok(mut c) => {
                if acts {
                    connection::recognise_lab(&mut c).await;
                }
                Some(c)
            }
            Err(e) => return cmd::fail(e),
        }
    } else {
        None
    };
    match (cli.command, conn) {
        (Some(Command::Status { json, watch }), Some(c)) => match watch {
            Some(every) => cmd::watch::run(&c, group.as_deref(), json, every).await,
            None => cmd::status::run(&c, group.as_deref(), json).await,
        },
        (Some(Command::Completions { shell }), _) => cmd::manual::completions(shell),
        (Some(Command::Man { dir }), _) => cmd::manual::man(dir.as_deref()),
        (
            Some(Command::Events {
                json,
                duration,
                until,
            }),
            Some(c),
        ) => {
            let args = cmd::events::EventsArgs {
                json,
                duration,
                until,
                only: group,
                record: cli.ui.record.clone(),
            };
            cmd::events::run(c.settings, c.seeds, args).await
        }
        (
            Some(Command::Ctl {
                action,
                target,
                yes,
            }),
            Some(c),
        ) => {
            match cmd::ctl::run(
                action,
                &target,
                yes,
                &c.settings.link,
                &c.seeds,
                group.as_deref(),
                &c.control,
            )
            .await
            {
                Ok(msg) => {
                    outln!("{msg}");
                    0
                }
                Err(e) => cmd::fail(e),
            }
        }
        (
            Some(Command::Lab {
                action: LabAction::Up(opts),
            }),
            _,
        ) => match cmd::lab::up(&opts).await {
            Ok(_) => 0,
            Err(e) => cmd::fail(e),
        },
        (
            Some(Command::Lab {
                action: LabAction::Down(opts),
            }),
            _,
        ) => match cmd::lab::down(&opts).await {
            Ok(()) => 0,
            Err(e) => cmd::fail(e),
        },
        (Some(Command::Demo(opts)), _) => cmd::demo::run(cli.conn, &file_auth, cli.ui, opts).await,
        (Some(Command::Config { print_template }), _) => {
            if print_template {
                out!("{}", config::TEMPLATE);
            } else {
                match config::load(cli.conn.config.as_deref()) {
                    Ok((_, Some(path))) => outln!("config file: {} (valid)", path.display()),
                    Ok((_, None)) => outln!(
                        "no config file ({}); `sentui config --print-template` prints one",
                        config::default_path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    ),
                    Err(e) => return cmd::fail(e),
                }
            }
            0
        }
        (
            Some(Command::Replay {
                file,
                speed,
                to_cast,
                screenshot,
                at,
                after,
                size,
                verify,
            }),
            _,
        ) => {
            if verify {
                return replay::verify_file(&file);
            }
            let done = match (to_cast, screenshot) {
                (Some(_), Some(_)) => Err("--to-cast and --screenshot: one at a time".to_string()),
                (Some(out), None) => replay::to_cast(&file, &out, size),
                (None, Some(out)) => replay::screenshot(
                    &file,
                    &out,
                    &replay::At::parse(&at),
                    after.as_millis() as u64,
                    size,
                ),
                (None, None) => replay::run_tui(&file, speed, cli.ui.colorless())
                    .await
                    .map(|_| String::new()),
            };
            match done {
                Ok(msg) => {
                    if !msg.is_empty() {
                        outln!("{msg}");
                    }
                    0
                }
                Err(e) => cmd::fail(e),
            }
        }
        (Some(Command::Screenshot { out, size, wait }), Some(c)) => {
            match cmd::screenshot::run(c, group, size, wait, &out, cli.ui.colorless()).await {
                Ok(msg) => {
                    outln!("{msg}");
                    0
                }
                Err(e) => cmd::fail(e),
            }
        }
        (Some(Command::Drill(args)), Some(c)) => cmd::drill::run(c, &args, group).await,
        (None, Some(c)) => {
            match tui::run(
                c.settings,
                c.seeds,
                c.control,
                tui::TuiOptions::from_args(&cli.ui, group),
            )
            .await
            {
                Ok(code) => code,
                Err(e) => cmd::fail(e),
            }
        }
        _ => cmd::fail("internal: a command ran without its connection"),
    }
}
