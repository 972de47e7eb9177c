//! The deployment's step: how each input changes what sentui knows of the deployment. Keys
//! and the rest of the screen's inputs belong to the UI (the App's step calls this one).

use super::Millis;
use super::action::Command;
use super::input::{Done, Input, InputKind};
use super::log::{LogEntry, OwnEvent};
use super::state::{Deployment, Update};

/// An entry that reached sentui later than it happened (a Docker event, stamped by the engine)
/// keeps both times: it shows where it happened, and says when it arrived.
fn received(mut u: Update, at: Millis) -> Update {
    if let Update::Note { entry } = &mut u
        && entry.ts != at
    {
        entry.received_at = Some(at);
    }
    u
}

impl Deployment {
    /// Applies one input: what the collectors and the write probe saw, the outcome of sentui's
    /// own actions (logged at the moment they took effect), and time passing. Keys and the
    /// rest belong to the UI. The one way the deployment changes.
    pub fn step(&mut self, input: Input) {
        let at = input.at;
        match input.kind {
            InputKind::Update(u) => self.apply(received(*u, at)),
            InputKind::Done(d) => self.action_done(at, &d),
            _ => {}
        }
        self.advance(at);
    }

    /// Logs what one of sentui's actions did, at the time it took effect: a fault starts the
    /// stopwatch and stands in the log as the cause.
    fn action_done(&mut self, at: Millis, done: &Done) {
        let Ok(msg) = &done.result else { return };
        match &done.command {
            Command::Control { action, addr } => {
                let event = if action.is_fault() {
                    OwnEvent::Fault
                } else {
                    OwnEvent::FaultCleared
                };
                let mut e = LogEntry::own(at, event, &format!("{msg} by sentui"));
                e.addr = Some(addr.clone());
                self.push(e);
            }
            Command::Failover { group, kind, .. } => {
                let how = if kind.is_coordinated() {
                    " COORDINATED"
                } else {
                    ""
                };
                let payload = format!("SENTINEL FAILOVER {group}{how}: {msg}");
                let mut e = LogEntry::own(at, OwnEvent::ManualFailover, &payload)
                    .in_group(Some(group.clone()));
                e.addr = self.master_of(group);
                self.push(e.clone());
                if kind.is_coordinated() {
                    e.event = OwnEvent::CoordinatedFailover.into();
                    e.payload = "asked for by sentui".into();
                    self.push(e);
                }
            }
            Command::Screenshot
            | Command::SaveLog
            | Command::PostMortem
            | Command::Suspend
            | Command::StartProbe { .. }
            | Command::StopProbe => {}
        }
    }
}
