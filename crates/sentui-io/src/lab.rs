//! The failover labs sentui ships: the Docker Compose lab and a local-process lab (no Docker
//! needed), and the servers they run.

pub mod compose;
pub mod local;
pub mod server;
