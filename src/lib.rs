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
pub mod deployment_name;
pub mod drill;
pub mod hands;
pub mod keymap;
pub mod keys;
pub mod logview;
pub mod ndjson;
pub mod record;
pub mod replay;
pub mod session;
pub mod settings;
pub mod target;
pub mod terminal;
pub mod tui;
pub mod ui;

use cli::{Cli, Command};
use settings::SettingsError;
use std::process::ExitCode;

pub use cmd::job::run;
pub use sentui_model::EXIT_USAGE;

pub fn main() -> ExitCode {
    // The guard reads nothing but its lease: a config file changed since its sentui started
    // must not keep it from letting go.
    if let Ok(Cli {
        command: Some(Command::Guard { lease_file }),
        ..
    }) = <Cli as clap::Parser>::try_parse()
    {
        return match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => ExitCode::from(rt.block_on(sentui_io::guard::run(lease_file))),
            Err(e) => {
                eprintln!("sentui guard: cannot start the async runtime: {e}");
                ExitCode::from(EXIT_USAGE)
            }
        };
    }
    let settings = match settings::from_command(cmd::shape::command(), std::env::args_os()) {
        Ok(s) => s,
        Err(SettingsError::Args(e)) => e.exit(),
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
    ExitCode::from(rt.block_on(run(settings)))
}
