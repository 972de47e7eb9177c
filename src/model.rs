//! The pure model: parsers for Redis and Sentinel replies and events, the deployment state,
//! the merged log, the votes and the failover stopwatch. No I/O, no clock, no terminal.

pub mod addr;
pub mod event;
pub mod info;
pub mod log;
pub mod probe;
pub mod reply;
pub mod state;
pub mod stopwatch;
pub mod view;
pub mod votes;

/// Unix time in milliseconds: every update and log entry carries one.
pub type Millis = u64;

pub use addr::{Addr, AddrMap};
pub use state::{Deployment, Reach, Update};
