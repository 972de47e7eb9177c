//! The subcommands, each a thin layer over collectors, model, control and lab.

pub mod ctl;
pub mod drill;
pub mod events;
pub mod lab;
pub mod screenshot;
pub mod status;
