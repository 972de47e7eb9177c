//! The subcommands, each a thin layer over collectors, model, control and lab. What each one
//! needs and how it exits is the command table (`table.rs`); `job.rs` runs them by it.

pub mod config;
pub mod ctl;
pub mod demo;
pub mod doctor;
pub mod drill;
pub mod events;
pub mod job;
pub mod lab;
pub mod manual;
pub mod replay;
pub mod report;
pub mod screenshot;
pub mod shape;
pub mod status;
pub mod table;
pub mod watch;

/// Says what went wrong on stderr; the exit status of usage and connection errors.
pub fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("sentui: {msg}");
    sentui_model::EXIT_USAGE
}

/// Prints a report as pretty JSON or as its text, and returns `exit` (usage's when the JSON
/// cannot be written).
pub fn print_report(json: bool, report: &impl serde::Serialize, text: &str, exit: u8) -> u8 {
    if json {
        match serde_json::to_string_pretty(report) {
            Ok(s) => outln!("{s}"),
            Err(e) => return fail(e),
        }
    } else {
        out!("{text}");
    }
    exit
}
