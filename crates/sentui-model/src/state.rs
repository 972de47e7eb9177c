//! The deployment as sentui knows it: every sentinel's own view, every node's own report, the
//! merged log, the votes and the failover stopwatches. This module holds the types and what can
//! be read from them; `apply.rs` is how an [`Update`] changes them, `step.rs` (beside) how an
//! input does. Nothing here does I/O or reads the clock (every update carries its time).

mod apply;
mod caused;
mod container;
mod endpoint;
mod gap;
mod reach;
pub mod trail;
mod update;

pub use apply::KEEP_VANISHED;
pub use container::{ContainerInfo, ContainerState, ProcessInfo};
pub use endpoint::{NodeState, SentinelState};
pub use gap::Gap;
pub use reach::{Reach, ReachState};
pub use update::{GroupPoll, SentinelPoll, Update};

use crate::Millis;
use crate::addr::Addr;
use crate::log::EventLog;
use crate::probe::ProbeStats;
use crate::reply::MasterRecord;
use crate::stopwatch::Stopwatch;
use crate::votes::VoteBook;
use std::collections::BTreeMap;

/// Everything sentui knows of the deployment. Its parts are read through the methods below and
/// changed by [`Deployment::step`] and [`Deployment::apply`] (and the two small writes beside
/// them: `expect_sentinel`, `mark_drawn`): the log and the stopwatches must see the same
/// entries in the same order, which a write straight into either would break.
#[derive(Clone, Debug, Default)]
pub struct Deployment {
    sentinels: BTreeMap<Addr, SentinelState>,
    nodes: BTreeMap<Addr, NodeState>,
    log: EventLog,
    votes: VoteBook,
    stopwatches: BTreeMap<String, Stopwatch>,
    /// The write probe's figures, once one ran.
    probe: Option<ProbeStats>,
    /// Since when the Docker engine has been unreachable: the container states shown are the
    /// last it reported, not the truth now.
    docker_unreachable_since: Option<Millis>,
    /// Each sentinel's current epoch, from its `+new-epoch` and `+vote-for-leader`: the epoch
    /// of the attempt its leader-only events belong to.
    sentinel_epochs: BTreeMap<Addr, u64>,
    /// Per group, each sentinel's last failover start as heard (see [`FailoverStart`]).
    failover_starts: BTreeMap<String, BTreeMap<Addr, FailoverStart>>,
    /// Roles, lag and writes over time, for the post-mortem page.
    trail: trail::Trail,
}

/// A sentinel's `failover_start_time` for a group, as far as its events tell: set when it tries
/// a failover itself (`+try-failover`) and when it votes for another sentinel
/// (`+vote-for-leader`); it will not try again before twice the failover-timeout after it
/// (sentinel.c: `sentinelStartFailoverIfNeeded`, `sentinelVoteLeader`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FailoverStart {
    pub at: Millis,
    pub cause: StartCause,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StartCause {
    /// It tried a failover (`+try-failover`).
    Tried,
    /// It voted for another sentinel (`+vote-for-leader`), in this epoch.
    VotedFor { run_id: String, epoch: u64 },
}

/// Sentinel's default failover-timeout (3 minutes).
pub const DEFAULT_FAILOVER_TIMEOUT_MS: Millis = 180_000;

impl Deployment {
    pub fn with_log_capacity(capacity: usize) -> Self {
        Deployment {
            log: EventLog::with_capacity(capacity),
            ..Default::default()
        }
    }

    /// Every sentinel heard of, by the address it is known by.
    pub fn sentinels(&self) -> &BTreeMap<Addr, SentinelState> {
        &self.sentinels
    }

    /// Every data node heard of, by the address it is known by.
    pub fn nodes(&self) -> &BTreeMap<Addr, NodeState> {
        &self.nodes
    }

    /// The merged log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// A frame showing the log reached the screen at `at`: marks the entries not yet drawn as
    /// drawn and returns their receive-to-draw delays (the App's latency figures).
    pub fn mark_drawn(&mut self, at: Millis) -> Vec<Millis> {
        self.log.mark_drawn(at)
    }

    /// The leader-election votes, per epoch.
    pub fn votes(&self) -> &VoteBook {
        &self.votes
    }

    /// Each sentinel's last failover start for a group, as heard since sentui started.
    pub fn failover_starts(&self, group: &str) -> Option<&BTreeMap<Addr, FailoverStart>> {
        self.failover_starts.get(group)
    }

    /// Each group's stopwatch of failover attempts.
    pub fn stopwatches(&self) -> &BTreeMap<String, Stopwatch> {
        &self.stopwatches
    }

    /// The write probe's figures, once one ran.
    pub fn trail(&self) -> &trail::Trail {
        &self.trail
    }

    pub fn probe(&self) -> Option<&ProbeStats> {
        self.probe.as_ref()
    }

    /// Since when the Docker engine has been unreachable: the container states shown are the
    /// last it reported, not the truth now.
    pub fn docker_unreachable_since(&self) -> Option<Millis> {
        self.docker_unreachable_since
    }

    /// The group's failover-timeout as its sentinels report it (Sentinel's default when none
    /// says).
    pub fn failover_timeout_ms(&self, group: &str) -> Millis {
        self.sentinels
            .values()
            .filter_map(|s| s.groups.get(group))
            .filter_map(|g| g.master.failover_timeout_ms)
            .max()
            .unwrap_or(DEFAULT_FAILOVER_TIMEOUT_MS)
    }

    /// The group's down-after-milliseconds as its sentinels report it (the longest).
    pub fn down_after_ms(&self, group: &str) -> Option<Millis> {
        self.sentinels
            .values()
            .filter_map(|s| s.groups.get(group))
            .filter_map(|g| g.master.down_after_ms)
            .max()
    }

    /// Whether the group takes a coordinated failover (`SENTINEL FAILOVER <group>
    /// COORDINATED`, Valkey 9.0+): its master reports `master_failover_state` (what the sentinel
    /// checks, else NOGOODPRIMARY) and runs Valkey 9 or later, and every sentinel that reports
    /// the group answers as Valkey 9 or later (older ones refuse the argument).
    pub fn offers_coordinated_failover(&self, group: &str) -> bool {
        let valkey9 = |v: Option<&crate::info::ServerVersion>| {
            v.is_some_and(crate::info::ServerVersion::has_coordinated_failover)
        };
        let master = self.master_of(group).and_then(|m| self.nodes.get(&m));
        let master_ok = master.is_some_and(|n| {
            n.failover_state().is_some() && valkey9(n.info.as_ref().and_then(|i| i.server.as_ref()))
        });
        let sentinels: Vec<&SentinelState> = self
            .sentinels
            .values()
            .filter(|s| s.reach.is_ok() && s.groups.contains_key(group))
            .collect();
        master_ok && !sentinels.is_empty() && sentinels.iter().all(|s| valkey9(s.server.as_ref()))
    }

    /// The group a node or sentinel belongs to, as the sentinels report it.
    pub fn group_of(&self, addr: &Addr) -> Option<String> {
        self.sentinels
            .values()
            .flat_map(|s| s.groups.values())
            .find_map(|g| {
                let member = g.master.addr == *addr
                    || g.replicas.iter().any(|r| r.addr == *addr)
                    || g.peers.iter().any(|p| p.addr == *addr);
                member.then(|| g.master.name.clone())
            })
    }

    /// The group's master: what the sentinels holding the newest config epoch report (ties go
    /// to the address most of them name).
    pub fn master_of(&self, group: &str) -> Option<Addr> {
        let views: Vec<&MasterRecord> = self
            .sentinels
            .values()
            .filter(|s| s.reach != Reach::Vanished)
            .filter_map(|s| s.groups.get(group))
            .map(|g| &g.master)
            .collect();
        let newest = views.iter().map(|m| m.config_epoch).max()?;
        let mut counts: BTreeMap<&Addr, usize> = BTreeMap::new();
        for m in views.iter().filter(|m| m.config_epoch == newest) {
            *counts.entry(&m.addr).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(a, _)| a.clone())
    }

    /// Since when `group`'s current master has been its master, as far as a reply says: the
    /// earliest a sentinel reporting it saw it report its role (`role-reported-time` counted
    /// back from the poll). A lower bound: a sentinel knows only since it started.
    pub fn master_since(&self, group: &str) -> Option<Millis> {
        let master = self.master_of(group)?;
        self.sentinels
            .values()
            .filter_map(|s| Some((s.polled_at?, s.groups.get(group)?)))
            .filter(|(_, g)| g.master.addr == master)
            .filter_map(|(at, g)| Some(at.saturating_sub(g.master.role_reported_ms?)))
            .min()
    }

    /// Every master group any sentinel reports, sorted by name.
    pub fn group_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .sentinels
            .values()
            .flat_map(|s| s.groups.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Sentinel and node addresses the sentinels report (what collectors should connect to).
    pub fn reported_endpoints(&self) -> (Vec<Addr>, Vec<Addr>) {
        let mut sentinels = Vec::new();
        let mut nodes = Vec::new();
        for g in self.sentinels.values().flat_map(|s| s.groups.values()) {
            nodes.push(g.master.addr.clone());
            nodes.extend(g.replicas.iter().map(|r| r.addr.clone()));
            sentinels.extend(g.peers.iter().map(|p| p.addr.clone()));
        }
        for v in [&mut sentinels, &mut nodes] {
            v.sort();
            v.dedup();
        }
        (sentinels, nodes)
    }
}
