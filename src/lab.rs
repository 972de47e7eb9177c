//! The failover labs sentui ships: a local-process lab (no Docker needed).

pub mod local;
