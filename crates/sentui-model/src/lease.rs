//! Leases: every fault sentui injects (pause, stop, partition) is held on a lease with an end.
//! A guard process outside sentui holds each lease and reverts the fault when the lease runs
//! out or when the sentui that made it dies, however it dies. This module is the pure part: the
//! lease record (what was done, to exactly what, until when, for whom), the guard's decision
//! and the ledger a sentui process keeps of the leases it holds.

use crate::Millis;
use crate::action::Action;
use crate::addr::Addr;
use serde::{Deserialize, Serialize};

/// The default length of a lease: long enough for a drill or a demo, short enough that a
/// forgotten fault does not outlive the on-call shift's attention.
pub const DEFAULT_LEASE_MS: Millis = 10 * 60 * 1000;

/// A process, told apart from a later one that reuses its pid by its start time (clock ticks
/// after boot, field 22 of /proc/PID/stat).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessId {
    pub pid: i32,
    pub start: u64,
}

/// Exactly what a fault touched, so that the revert touches that and nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LeaseTarget {
    /// A local server process (SIGSTOP/SIGCONT).
    Process {
        process: ProcessId,
        /// The process's name (`redis-server`), as /proc/PID/comm says.
        name: String,
    },
    /// A container of a compose project (Docker API).
    Container {
        id: String,
        name: String,
        project: String,
    },
}

impl LeaseTarget {
    pub fn describe(&self) -> String {
        match self {
            LeaseTarget::Process { process, name } => format!("pid {}, {name}", process.pid),
            LeaseTarget::Container { name, .. } => format!("container {name}"),
        }
    }
}

/// Why a guard reverted a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// The lease ran out.
    Expired,
    /// The sentui that held it is gone (killed, crashed, its terminal closed).
    OwnerGone,
    /// The guard itself was told to stop (SIGTERM, SIGINT): it lets go before it goes.
    GuardStopped,
}

impl EndReason {
    pub fn describe(self) -> &'static str {
        match self {
            EndReason::Expired => "its lease ran out",
            EndReason::OwnerGone => "the sentui that made it is gone",
            EndReason::GuardStopped => "its guard was stopped",
        }
    }
}

/// What the guard did when the lease ended: written into the lease for its owner to report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseEnd {
    pub at: Millis,
    pub reason: EndReason,
    /// What the revert did, or why it failed, in words: data in the lease file, which the
    /// owner reads back and reports as the outcome of the undo (an `input::ActionResult`).
    pub result: Result<String, String>,
}

/// One fault on a lease. Stored as JSON, one file a lease, where guards and `status` read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Unique on this machine: the owner's pid, the grant time and a counter.
    pub id: String,
    /// The fault (pause, stop, partition); its undo is what the guard does.
    pub action: Action,
    /// The member as the sentinels announce it.
    pub addr: Addr,
    pub target: LeaseTarget,
    /// The deployment it belongs to (`compose project lab`, `sentinels 127.0.0.1:26379`).
    pub deployment: String,
    pub granted_at: Millis,
    pub expires_at: Millis,
    /// The sentui that holds it: when it is gone, the fault is reverted. None: nobody holds
    /// it (`ctl pause`, `--leave-paused`) and only its end reverts it.
    pub owner: Option<ProcessId>,
    /// The guard process holding it, once started.
    #[serde(default)]
    pub guard: Option<ProcessId>,
    /// Set by the guard when it reverted the fault while the owner still lived.
    #[serde(default)]
    pub ended: Option<LeaseEnd>,
}

impl Lease {
    /// The action that ends the fault.
    pub fn undo(&self) -> Action {
        self.action.undo().unwrap_or(self.action)
    }

    pub fn remaining(&self, now: Millis) -> Millis {
        self.expires_at.saturating_sub(now)
    }

    /// `paused 127.0.0.1:6379 (pid 12, redis-server)`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} ({})",
            self.action.verb(),
            self.addr,
            self.target.describe()
        )
    }
}

/// What a guard sees on one look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardView {
    pub now: Millis,
    /// The lease file is still there (its owner removes it when it ends the fault itself).
    pub present: bool,
    /// The owner named in the lease is alive (same pid, same start time); None: no owner.
    pub owner_alive: Option<bool>,
    pub stop_requested: bool,
    /// What the fault touched is gone (its process exited, `lab down` removed its container):
    /// there is nothing left to revert.
    pub target_gone: bool,
}

/// What a guard does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardDecision {
    /// Keep watching.
    Hold,
    /// The owner ended the fault itself (or handed the lease to nobody and then someone ended
    /// it): nothing to revert.
    Released,
    /// Revert the fault now.
    Revert(EndReason),
}

/// The guard's rule, in order: a lease that is gone was released, and so is one whose target
/// is gone; a stop request, a dead owner or the end of the lease reverts.
pub fn decide(lease: &Lease, view: GuardView) -> GuardDecision {
    if !view.present || lease.ended.is_some() || view.target_gone {
        return GuardDecision::Released;
    }
    if view.stop_requested {
        return GuardDecision::Revert(EndReason::GuardStopped);
    }
    if view.owner_alive == Some(false) {
        return GuardDecision::Revert(EndReason::OwnerGone);
    }
    if view.now >= lease.expires_at {
        return GuardDecision::Revert(EndReason::Expired);
    }
    GuardDecision::Hold
}

/// `9m41s`, `42s`: a countdown as the screen and `status` show it.
pub fn countdown(ms: Millis) -> String {
    let s = ms.div_ceil(1000);
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// The leases one sentui process holds, in the order it took them: the one list of what it
/// changed, undone newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    held: Vec<Lease>,
}

impl Ledger {
    pub fn hold(&mut self, lease: Lease) {
        self.held.push(lease);
    }

    /// Lets go of the leases that `undo` on `addr` ends (resuming ends a pause), returning them.
    pub fn release(&mut self, undo: Action, addr: &Addr) -> Vec<Lease> {
        let (gone, kept) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|l| l.addr == *addr && l.undo() == undo);
        self.held = kept;
        gone
    }

    /// Lets go of one lease by id.
    pub fn forget(&mut self, id: &str) -> Option<Lease> {
        let i = self.held.iter().position(|l| l.id == id)?;
        Some(self.held.remove(i))
    }

    /// Every lease, newest first: the order to undo them in.
    pub fn newest_first(&self) -> impl Iterator<Item = &Lease> {
        self.held.iter().rev()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(expires_at: Millis, owner: bool) -> Lease {
        Lease {
            id: "1-2-3".into(),
            action: Action::Pause,
            addr: "127.0.0.1:6379".parse().unwrap(),
            target: LeaseTarget::Process {
                process: ProcessId { pid: 42, start: 7 },
                name: "redis-server".into(),
            },
            deployment: "sentinels 127.0.0.1:26379".into(),
            granted_at: 1_000,
            expires_at,
            owner: owner.then_some(ProcessId { pid: 9, start: 1 }),
            guard: None,
            ended: None,
        }
    }

    fn view(now: Millis, present: bool, owner_alive: Option<bool>) -> GuardView {
        GuardView {
            now,
            present,
            owner_alive,
            stop_requested: false,
            target_gone: false,
        }
    }

    #[test]
    fn a_guard_holds_until_the_end_then_reverts() {
        let l = lease(5_000, true);
        assert_eq!(
            decide(&l, view(4_999, true, Some(true))),
            GuardDecision::Hold
        );
        assert_eq!(
            decide(&l, view(5_000, true, Some(true))),
            GuardDecision::Revert(EndReason::Expired)
        );
    }

    #[test]
    fn a_dead_owner_reverts_at_once_and_no_owner_waits_for_the_end() {
        assert_eq!(
            decide(&lease(5_000, true), view(2_000, true, Some(false))),
            GuardDecision::Revert(EndReason::OwnerGone)
        );
        let unowned = lease(5_000, false);
        assert_eq!(
            decide(&unowned, view(2_000, true, None)),
            GuardDecision::Hold
        );
        assert_eq!(
            decide(&unowned, view(6_000, true, None)),
            GuardDecision::Revert(EndReason::Expired)
        );
    }

    #[test]
    fn a_released_lease_is_never_reverted() {
        let l = lease(5_000, true);
        assert_eq!(
            decide(&l, view(9_000, false, Some(false))),
            GuardDecision::Released
        );
        let mut ended = l.clone();
        ended.ended = Some(LeaseEnd {
            at: 5_000,
            reason: EndReason::Expired,
            result: Ok("resumed".into()),
        });
        assert_eq!(
            decide(&ended, view(9_000, true, Some(true))),
            GuardDecision::Released,
            "a lease ended once is not reverted twice"
        );
    }

    #[test]
    fn a_target_that_is_gone_is_released_not_reverted() {
        let mut v = view(9_000, true, Some(false));
        v.target_gone = true;
        assert_eq!(decide(&lease(5_000, true), v), GuardDecision::Released);
    }

    #[test]
    fn a_stopped_guard_lets_go() {
        let mut v = view(1_000, true, Some(true));
        v.stop_requested = true;
        assert_eq!(
            decide(&lease(5_000, true), v),
            GuardDecision::Revert(EndReason::GuardStopped)
        );
    }

    #[test]
    fn the_ledger_undoes_newest_first_and_releases_by_undo() {
        let mut ledger = Ledger::default();
        let mut a = lease(5_000, true);
        a.id = "a".into();
        let mut b = lease(5_000, true);
        b.id = "b".into();
        b.action = Action::Partition;
        ledger.hold(a);
        ledger.hold(b);
        let order: Vec<&str> = ledger.newest_first().map(|l| l.id.as_str()).collect();
        assert_eq!(order, ["b", "a"]);
        let addr: Addr = "127.0.0.1:6379".parse().unwrap();
        let gone = ledger.release(Action::Unpause, &addr);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].id, "a");
        assert_eq!(ledger.len(), 1, "the partition is still held");
        assert!(ledger.release(Action::Unpause, &addr).is_empty());
        assert!(ledger.forget("b").is_some() && ledger.is_empty());
    }

    #[test]
    fn countdowns_read_like_a_clock() {
        assert_eq!(countdown(600_000), "10m00s");
        assert_eq!(countdown(581_200), "9m42s");
        assert_eq!(countdown(41_001), "42s");
        assert_eq!(countdown(0), "0s");
        assert_eq!(countdown(3_900_000), "1h05m");
    }

    #[test]
    fn a_lease_keeps_its_spelling_on_disk() {
        let l = lease(5_000, true);
        let json = serde_json::to_string(&l).unwrap();
        assert!(json.contains(r#""action":"pause""#), "{json}");
        assert!(json.contains(r#""kind":"process""#), "{json}");
        let back: Lease = serde_json::from_str(&json).unwrap();
        assert_eq!(back, l);
    }
}
