//! The faults sentui injected (pause, stop, partition) and has not taken back, and when their
//! leases end (a guard outside sentui ends the fault then), as the screen shows them; a node can
//! be both partitioned and paused. What is undone on quit is the executor's ledger
//! (`sentui_io::hands`), whose outcomes come back here as inputs.

use sentui_model::action::Action as ControlAction;
use sentui_model::{Addr, Millis};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Faults {
    by_addr: BTreeMap<Addr, BTreeSet<ControlAction>>,
    leases: BTreeMap<(Addr, ControlAction), Millis>,
}

impl Faults {
    /// `action` on `addr` succeeded: a fault is kept (with its lease, if it has one); an undo
    /// takes back what it undoes, and a restart brings a stopped node back.
    pub(super) fn record(&mut self, action: ControlAction, addr: &Addr, lease: Option<Millis>) {
        if action.undo().is_some() {
            self.by_addr.entry(addr.clone()).or_default().insert(action);
            if let Some(until) = lease {
                self.leases.insert((addr.clone(), action), until);
            }
        } else if let Some(done) = self.by_addr.get_mut(addr) {
            done.retain(|d| {
                d.undo() != Some(action)
                    && !(*d == ControlAction::Stop && action == ControlAction::Restart)
            });
            if done.is_empty() {
                self.by_addr.remove(addr);
            }
        }
        let by_addr = &self.by_addr;
        self.leases
            .retain(|(a, fault), _| by_addr.get(a).is_some_and(|f| f.contains(fault)));
    }

    /// Whether sentui did `fault` to `addr` and has not taken it back.
    pub fn has(&self, addr: &Addr, fault: ControlAction) -> bool {
        self.by_addr.get(addr).is_some_and(|f| f.contains(&fault))
    }

    /// Whether sentui holds any fault on `addr`.
    pub fn touches(&self, addr: &Addr) -> bool {
        self.by_addr.contains_key(addr)
    }

    pub fn is_empty(&self) -> bool {
        self.by_addr.is_empty()
    }

    /// Every fault held, by address.
    pub fn iter(&self) -> impl Iterator<Item = (&Addr, ControlAction)> {
        self.by_addr
            .iter()
            .flat_map(|(a, done)| done.iter().map(move |d| (a, *d)))
    }

    /// The faults that have a lease, and when it ends.
    pub fn leases(&self) -> impl Iterator<Item = (&Addr, ControlAction, Millis)> {
        self.leases.iter().map(|((a, f), until)| (a, *f, *until))
    }
}
