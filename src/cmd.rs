//! The subcommands, each a thin layer over collectors, model, control and lab.

pub mod ctl;
pub mod demo;
pub mod drill;
pub mod events;
pub mod lab;
pub mod manual;
pub mod screenshot;
pub mod status;
pub mod watch;

/// Says what went wrong on stderr; the exit status of usage and connection errors.
pub fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("sentui: {msg}");
    sentui_model::EXIT_USAGE
}
