//! The subcommands, each a thin layer over collectors, model, control and lab. What each one
//! needs and how it exits is the command table (`table.rs`); `job.rs` runs them by it.

pub mod config;
pub mod ctl;
pub mod demo;
pub mod drill;
pub mod events;
pub mod job;
pub mod lab;
pub mod manual;
pub mod replay;
pub mod screenshot;
pub mod status;
pub mod table;
pub mod watch;

/// Says what went wrong on stderr; the exit status of usage and connection errors.
pub fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("sentui: {msg}");
    sentui_model::EXIT_USAGE
}
