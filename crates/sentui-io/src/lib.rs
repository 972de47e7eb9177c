//! sentui's I/O: links to sentinels and nodes, the collectors that turn what they say into
//! timestamped updates, the write probe, the Docker engine, process control and the labs.
//! Everything here is bounded (timeouts, capped backoff, bounded channels).

pub mod collect;
pub mod control;
pub mod docker;
pub mod guard;
pub mod hands;
pub mod lab;
pub mod lease;
pub mod link;
pub mod probe;
pub mod procfs;
pub mod tls;
