//! Derived views of one master group: who is master, each replica's lag and link, each
//! sentinel's own opinion, and the health verdict. Computed on demand from [`Deployment`];
//! this is what `status --json` prints and what the TUI draws.
//!
//! `node.rs` is the view of a data node (and which replicas a group has), `sentinel.rs` the
//! view of a sentinel, `judge.rs` the health verdict and its problems.

mod judge;
mod node;
mod sentinel;
#[cfg(test)]
mod tests;

pub use node::{LAG_READINGS_APART_MS, NodeView};
pub use sentinel::SentinelView;

use crate::Millis;
use crate::flags::Flag;
use crate::state::{Deployment, GroupPoll, Reach, SentinelState};
use serde::Serialize;

/// A replica's replication link to its master (`master_link_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    Up,
    Down,
}

impl std::fmt::Display for LinkState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LinkState::Up => "up",
            LinkState::Down => "down",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Degraded,
    Critical,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupView {
    pub name: String,
    pub quorum: u32,
    /// The sentinels' `master-reboot-down-after-period` for this group, in ms (0: off; None:
    /// not reported, as before Redis 7.2).
    pub master_reboot_down_after_ms: Option<u64>,
    /// The newest config epoch any sentinel reports for this group.
    pub epoch: u64,
    pub master: Option<NodeView>,
    pub replicas: Vec<NodeView>,
    pub sentinels: Vec<SentinelView>,
    pub failover_in_progress: bool,
    /// A sentinel's flags on the master read `coordinated_failover`: the failover under way is
    /// Valkey 9's coordinated one (the old primary pauses writes and hands over with
    /// `FAILOVER TO`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub coordinated: bool,
    pub health: Health,
    pub problems: Vec<String>,
}

/// What each sentinel that reports a group says of it in its last poll (vanished ones aside).
type Polls<'a> = [(&'a SentinelState, &'a GroupPoll)];

impl Deployment {
    /// Views of every group, sorted by name.
    pub fn views(&self, now: Millis) -> Vec<GroupView> {
        self.group_names()
            .iter()
            .map(|g| self.view(g, now))
            .collect()
    }

    pub fn view(&self, group: &str, now: Millis) -> GroupView {
        let master_addr = self.master_of(group);
        let polls: Vec<_> = self
            .sentinels()
            .values()
            .filter(|s| s.reach != Reach::Vanished)
            .filter_map(|s| s.groups.get(group).map(|g| (s, g)))
            .collect();
        let newest = polls
            .iter()
            .filter(|(_, g)| Some(&g.master.addr) == master_addr.as_ref())
            .max_by_key(|(s, g)| (g.master.config_epoch, s.polled_at))
            .map(|(_, g)| *g);
        let master = master_addr.as_ref().map(|a| {
            let flags = newest.map(|g| g.master.flags.clone()).unwrap_or_default();
            self.master_view(a, now, flags)
        });
        let mut view = GroupView {
            name: group.to_string(),
            quorum: newest.map(|g| g.master.quorum).unwrap_or(0),
            master_reboot_down_after_ms: newest.and_then(|g| g.master.master_reboot_down_after_ms),
            epoch: polls
                .iter()
                .map(|(_, g)| g.master.config_epoch)
                .max()
                .unwrap_or(0),
            replicas: self.replica_views(&polls, newest, master.as_ref(), now),
            master,
            sentinels: self.sentinel_views(group, master_addr.as_ref(), now),
            failover_in_progress: self.failover_in_progress(group, &polls),
            coordinated: polls
                .iter()
                .any(|(_, g)| g.master.flags.has(Flag::CoordinatedFailover)),
            health: Health::Healthy,
            problems: Vec::new(),
        };
        judge::judge(&mut view);
        view
    }

    /// A sentinel says so (its failover state or flags), or the stopwatch's attempt reached
    /// ODOWN.
    fn failover_in_progress(&self, group: &str, polls: &Polls) -> bool {
        polls.iter().any(|(_, g)| {
            g.master.failover_state.is_some() || g.master.flags.iter().any(Flag::is_failover)
        }) || self
            .stopwatches()
            .get(group)
            .and_then(|s| s.current.as_ref())
            .is_some_and(|f| f.mark(crate::stopwatch::Phase::Odown).is_some())
    }
}
