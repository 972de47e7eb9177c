//! The failover a fault caused, as the drill's report, the TUI's probe panel and the
//! post-mortem page all read it: the attempt going on at the fault or after it, the fault's
//! span in the log, and the time from the fault to `+switch-master`.

use super::Deployment;
use crate::Millis;
use crate::event::SentinelEvent;
use crate::log::OwnEvent;
use crate::probe::loss::{FaultSpan, SpanEnd};
use crate::stopwatch::{Failover, Outcome, Phase};

impl Deployment {
    /// The failover the fault caused: the one going on at the fault or after it (one that
    /// began with an earlier sign keeps those marks, at negative times), the completed one
    /// first. The phase table, the fault's span and the failover time all read this one.
    pub fn caused(&self, group: &str, fault_at: Millis) -> Option<&Failover> {
        let s = self.stopwatches().get(group)?;
        let after: Vec<_> = s
            .all()
            .filter(|f| f.ended_at.is_none_or(|end| end >= fault_at))
            .collect();
        after
            .iter()
            .find(|f| f.outcome == Some(Outcome::Completed))
            .or(after.first())
            .copied()
    }

    /// The fault's span in the log: from `fault_at` to the later of the first
    /// `+switch-master` of the failover it caused (the moment the phase table shows) and the
    /// first `fault-cleared` after it (whichever there is).
    pub fn fault_span(&self, group: &str, fault_at: Millis) -> FaultSpan {
        let switch = self.failover_ms(group, fault_at).map(|ms| fault_at + ms);
        let cleared = self
            .log()
            .entries()
            .find(|e| e.ts >= fault_at && e.is(OwnEvent::FaultCleared))
            .map(|e| e.ts);
        let (end, ended_by) = match (switch, cleared) {
            (Some(s), Some(c)) if c > s => (Some(c), Some(SpanEnd::Undone)),
            (Some(s), _) => (Some(s), Some(SpanEnd::SwitchMaster)),
            (None, Some(c)) => (Some(c), Some(SpanEnd::Undone)),
            (None, None) => (None, None),
        };
        FaultSpan {
            at: fault_at,
            end,
            ended_by,
        }
    }

    /// Milliseconds from the fault to the first `+switch-master` of the failover it caused
    /// (the mark the phase table shows), else of the group's log after the fault.
    pub fn failover_ms(&self, group: &str, fault_at: Millis) -> Option<Millis> {
        self.caused(group, fault_at)
            .and_then(|f| f.mark(Phase::SwitchMaster))
            .filter(|m| m.at >= fault_at)
            .map(|m| m.at - fault_at)
            .or_else(|| {
                self.log()
                    .entries()
                    .find(|e| {
                        e.ts >= fault_at
                            && e.is(SentinelEvent::SwitchMaster)
                            && e.group.as_deref() == Some(group)
                    })
                    .map(|e| e.ts - fault_at)
            })
    }
}
