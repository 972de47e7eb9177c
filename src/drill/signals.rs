//! The signals that end a drill early: Ctrl-C, what `timeout`, systemd and a cancelled CI job
//! send, and a closed terminal. Each restores before the drill exits.

use super::DrillError;
use tokio::signal::unix::{SignalKind, signal};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Int,
    Term,
    Hup,
}

impl Signal {
    fn kind(self) -> SignalKind {
        match self {
            Signal::Int => SignalKind::interrupt(),
            Signal::Term => SignalKind::terminate(),
            Signal::Hup => SignalKind::hangup(),
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
            Signal::Hup => "SIGHUP",
        })
    }
}

pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn watch() -> Result<Self, DrillError> {
        let watch =
            |s: Signal| signal(s.kind()).map_err(|error| DrillError::Signal { signal: s, error });
        Ok(Signals {
            int: watch(Signal::Int)?,
            term: watch(Signal::Term)?,
            hup: watch(Signal::Hup)?,
        })
    }

    /// The next of them to arrive.
    pub async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.int.recv() => Signal::Int,
            _ = self.term.recv() => Signal::Term,
            _ = self.hup.recv() => Signal::Hup,
        }
    }
}
