//! A fault step: its target resolved, the fault carried out through the hands (leased
//! before it is done, so its guard holds it from the start) or the failover asked of the
//! sentinels, and its outcome sent into the stream. The first fault fixes the old master and
//! the fault time (the moment it took effect), so the stopwatch starts at it.

use super::{Runner, say};
use crate::target::TargetError;
use sentui_io::control::failover::{self, FailoverError};
use sentui_io::hands::{HandsError, lease_words};
use sentui_io::link::now_ms;
use sentui_model::action::{Action, Command, FailoverKind};
use sentui_model::drill::scenario::Target;
use sentui_model::input::Input;
use sentui_model::{Addr, Millis};

/// Why a step's target is not known.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no sentinel names a master")]
    NoMaster,
    #[error("no fault ran yet: there is no old master")]
    NoOldMaster,
    #[error(transparent)]
    Target(#[from] TargetError),
}

/// Why a step could not be carried out (the drill then exits 2).
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Failover(#[from] FailoverError),
    #[error(transparent)]
    Hands(#[from] HandsError),
}

/// One action carried out: what was asked, how it went, when it took effect (where the
/// action says) and until when its lease lasts.
struct Acted {
    command: Command,
    result: Result<String, StepError>,
    effect_at: Option<Millis>,
    lease_until: Option<Millis>,
}

impl Runner {
    pub(super) async fn resolve(&self, t: &Target) -> Result<Addr, ResolveError> {
        match t {
            Target::Master => self.d.master_of(&self.group).ok_or(ResolveError::NoMaster),
            Target::OldMaster => self.old_master.clone().ok_or(ResolveError::NoOldMaster),
            Target::Named(n) => {
                let control = self.hands.control();
                let group = Some(self.group.as_str());
                let addr =
                    crate::target::resolve(n, &self.link, &self.seeds, group, control).await?;
                Ok(addr)
            }
        }
    }

    /// Carries out a fault step and says what it did.
    pub(super) async fn fault(
        &mut self,
        fault: Action,
        target: &Target,
    ) -> Result<String, StepError> {
        // A failover is the group's: its master must be known, whatever the step names.
        let target = if fault.failover_kind().is_some() {
            &Target::Master
        } else {
            target
        };
        let addr = self.resolve(target).await?;
        let old_master = self.d.master_of(&self.group);
        if self.before.is_none() && fault.is_fault() {
            self.judge_before(fault, &addr, old_master.as_ref());
        }
        let issued = now_ms();
        let acted = match fault.failover_kind() {
            Some(kind) => self.failover(kind).await,
            None => self.leased(fault, addr).await,
        };
        let at = acted.effect_at.unwrap_or_else(now_ms);
        if fault.is_fault() && self.fault_at.is_none() && acted.result.is_ok() {
            self.old_master = old_master;
            self.fault_at = Some(at);
            self.fault_name = fault.name().to_string();
        }
        let result = match &acted.result {
            Ok(msg) => Ok(msg.clone()),
            Err(e) => Err(e.to_string()),
        };
        let done = Input::done(at, issued, acted.command, result).leased(acted.lease_until);
        let _ = self.tx.send(done).await;
        acted.result
    }

    /// The readiness verdict as the first fault is about to be done: what it then predicts,
    /// and whether this fault puts it to the test (it takes the master away).
    fn judge_before(&mut self, fault: Action, addr: &Addr, master: Option<&Addr>) {
        let now = now_ms();
        let view = self.d.view(&self.group, now);
        let readiness = self.d.readiness(&view, now);
        let tested = if fault == Action::Failover {
            Err("a manual failover skips objective down, the election and the cooldown".into())
        } else if fault == Action::FailoverCoordinated {
            Err("a coordinated failover skips objective down and the cooldown".into())
        } else if Some(addr) != master {
            Err(format!("the fault was on {addr}, not the master"))
        } else {
            Ok(())
        };
        say(format!("before the fault: {}", readiness.headline));
        self.before = Some((now, readiness, tested));
    }

    /// `SENTINEL FAILOVER` (COORDINATED for that kind) to the first sentinel that answers: the
    /// reachable ones, then the seeds.
    async fn failover(&self, kind: FailoverKind) -> Acted {
        let mut sentinels: Vec<Addr> = self
            .d
            .sentinels()
            .values()
            .filter(|s| s.reach.is_ok())
            .map(|s| s.addr.clone())
            .collect();
        sentinels.extend(self.seeds.iter().cloned());
        let result = failover::failover_via(&self.link, &sentinels, &self.group, kind).await;
        Acted {
            command: Command::Failover {
                group: self.group.clone(),
                sentinels,
                kind,
            },
            result: result.map_err(StepError::from),
            effect_at: None,
            lease_until: None,
        }
    }

    /// A control action through the hands; a fault with an undo is leased first.
    async fn leased(&self, fault: Action, addr: Addr) -> Acted {
        let applied = self.hands.apply(fault, &addr).await;
        let lease = applied.as_ref().ok().and_then(|a| a.lease.as_ref());
        if let Some(l) = lease {
            say(format!("{}: {}", l.describe(), lease_words(l, now_ms())));
        }
        Acted {
            command: Command::Control {
                action: fault,
                addr,
            },
            effect_at: applied.as_ref().ok().map(|a| a.effect.at),
            lease_until: lease.map(|l| l.expires_at),
            result: applied.map(|a| a.describe()).map_err(StepError::from),
        }
    }
}
