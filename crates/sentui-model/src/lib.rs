//! sentui's pure core: parsers for Redis and Sentinel replies and events, the deployment state,
//! the merged log, the votes, the failover stopwatch, the views, the load budget, drill
//! scenarios and reports, and the input stream. No I/O, no clock, no terminal: every input
//! carries its time, so applying the same inputs in the same order rebuilds the same state.

pub mod action;
pub mod addr;
pub mod attempt;
pub mod budget;
pub mod drill;
pub mod event;
pub mod flags;
pub mod info;
pub mod input;
pub mod lease;
pub mod log;
pub mod markup;
pub mod postmortem;
pub mod probe;
pub mod readiness;
pub mod reply;
pub mod rights;
pub mod state;
pub mod step;
pub mod stopwatch;
pub mod time;
pub mod view;
pub mod votes;

pub use addr::{Addr, AddrMap};
pub use state::{ContainerState, Deployment, Reach, ReachState, Update};
pub use time::Millis;

/// Exit status for usage errors and failures to reach or act on the deployment, shared by
/// every command (documented in docs/status.md).
pub const EXIT_USAGE: u8 = 2;
