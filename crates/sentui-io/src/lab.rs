//! The failover labs sentui ships: the Docker Compose lab and a local-process lab (no Docker
//! needed).

pub mod compose;
pub mod local;
