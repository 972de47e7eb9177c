//! Control actions: freeze, resume (and, with Docker, stop/start) the node behind an address.
//! Every action reports what it touched, so callers can log it and undo it.

pub mod process;
pub mod sentinel;

use crate::model::{Addr, AddrMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Pause,
    Unpause,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Pause => "paused",
            Action::Unpause => "resumed",
        }
    }
}

/// What an action did, for the log, the status line and the undo list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub action: Action,
    pub addr: Addr,
    /// `pid 1234, redis-server`.
    pub target: String,
}

impl Effect {
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.action.verb(), self.addr, self.target)
    }
}

/// Carries out `action` on the node announced as `addr`.
pub fn apply(action: Action, addr: &Addr, map: &AddrMap) -> Result<Effect, String> {
    let reach = map.reachable(addr);
    if !reach.is_loopback() {
        return Err(format!(
            "{addr} is not on this machine ({reach}); sentui can only freeze local processes here"
        ));
    }
    let proc = process::find_listener(reach.port)?
        .ok_or_else(|| format!("nothing listens on port {} of this machine", reach.port))?;
    let sig = match action {
        Action::Pause => libc::SIGSTOP,
        Action::Unpause => libc::SIGCONT,
    };
    process::signal(proc.pid, sig)?;
    Ok(Effect {
        action,
        addr: addr.clone(),
        target: format!("pid {}, {}", proc.pid, proc.name),
    })
}

/// Whether the node at `addr` is currently frozen (when sentui can tell).
pub fn is_paused(addr: &Addr, map: &AddrMap) -> Option<bool> {
    let reach = map.reachable(addr);
    if !reach.is_loopback() {
        return None;
    }
    let p = process::find_listener(reach.port).ok()??;
    Some(process::is_stopped(p.pid))
}
