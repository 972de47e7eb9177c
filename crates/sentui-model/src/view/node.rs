//! The view of a data node: its role, reachability, offset and lag, link, what runs behind
//! it; and which replicas a group has (an RDB channel's second address is no replica).

use super::judge::why_not;
use super::{LinkState, Polls};
use crate::Millis;
use crate::addr::Addr;
use crate::flags::Flags;
use crate::info::{FailoverState, PauseNow, ReplicationInfo, Role, ServerVersion};
use crate::state::{
    ContainerInfo, ContainerState, Deployment, GroupPoll, NodeState, Reach, ReachState,
};
use serde::Serialize;

/// Offsets read further apart than this give no lag: writes in between make the difference
/// meaningless (a replica read later can even look ahead of its master).
pub const LAG_READINGS_APART_MS: Millis = 1500;

/// A value and when it was read.
#[derive(Clone, Copy, Debug)]
struct Reading {
    value: i64,
    at: Option<Millis>,
}

fn readings_close(a: Option<Millis>, b: Option<Millis>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.abs_diff(b) <= LAG_READINGS_APART_MS,
        // Offsets a sentinel reported (no read time of ours): as close as its poll.
        _ => true,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub addr: Addr,
    /// The role the node itself reports (None while it does not answer).
    pub role: Option<Role>,
    pub reach: ReachState,
    /// Why it is refused, auth-failed or failed (the error as sentui got it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Milliseconds without an answer, while unresponsive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresponsive_ms: Option<Millis>,
    pub offset: Option<i64>,
    /// Bytes behind the master (replicas only).
    /// Only from offsets read close together (see `LAG_READINGS_APART_MS`): a difference of
    /// readings taken seconds apart is not a lag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_bytes: Option<u64>,
    /// When `offset` was read (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset_at: Option<Millis>,
    /// Seconds since the replica last acknowledged, as the master reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_secs: Option<i64>,
    /// Replication link to the master: `up` / `down` (replicas only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_io_secs: Option<i64>,
    /// Flags of the newest sentinel view (`s_down`, `o_down`, `disconnected`, ...).
    pub flags: Flags,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    pub rtt_ms: Option<u64>,
    /// The local process behind the address (`redis-server pid 1234`), when sentui knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// True when that process is stopped (SIGSTOP) or the container is paused.
    pub paused: bool,
    /// True when its container is cut off from the lab's network (a partition).
    pub partitioned: bool,
    /// True when its container is stopped (exited, dead or created).
    pub stopped: bool,
    /// Its `min-replicas-to-write` and `min-replicas-max-lag`, from its own config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<crate::info::MinReplicas>,
    /// The container behind the address (Docker labs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerInfo>,
    /// The server and its version, as the node reports them (INFO server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerVersion>,
    /// Other addresses Sentinel lists for this same server: the connection of a full sync's
    /// RDB channel, listed under the replica's IP (Valkey dual-channel, Redis 8 RDB channel).
    /// Not replicas of their own, so never a problem of the group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Addr>,
    /// The client pause the node holds now (`INFO clients`: reason, actions, time left).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_pause: Option<PauseNow>,
    /// `master_failover_state` (Redis 6.2+, Valkey): `no-failover` unless a `FAILOVER` runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_state: Option<FailoverState>,
}

impl Deployment {
    /// The views of a group's replicas: the newest poll's list, plus any other sentinel's, the
    /// RDB channels' second addresses folded into the replica they belong to.
    pub(super) fn replica_views(
        &self,
        polls: &Polls,
        newest: Option<&GroupPoll>,
        master: Option<&NodeView>,
        now: Millis,
    ) -> Vec<NodeView> {
        let master_addr = master.map(|m| &m.addr);
        let master_offset = master.and_then(|m| {
            m.offset.map(|o| Reading {
                value: o,
                at: m.offset_at,
            })
        });
        let master_info = master_addr
            .and_then(|a| self.nodes().get(a))
            .and_then(|n| n.info.as_ref());
        let mut replica_addrs = replica_addrs(polls, newest, master_addr);
        let aliases = self.rdb_channel_aliases(&replica_addrs, polls, master_info);
        replica_addrs.retain(|a| !aliases.iter().any(|(alias, _)| alias == *a));
        replica_addrs
            .into_iter()
            .map(|a| {
                let rec = newest
                    .and_then(|g| g.replicas.iter().find(|r| r.addr == *a))
                    .or_else(|| {
                        polls
                            .iter()
                            .find_map(|(_, g)| g.replicas.iter().find(|r| r.addr == *a))
                    });
                let flags = rec.map(|r| r.flags.clone()).unwrap_or_default();
                let lag_secs = master_info.and_then(|mi| {
                    mi.connected_replicas
                        .iter()
                        .find(|c| c.addr == *a)
                        .map(|c| c.lag_secs)
                });
                let mut v = self.node_view(a, now, flags, master_offset, lag_secs);
                if v.offset.is_none() {
                    v.offset = rec.and_then(|r| r.offset);
                }
                if v.priority.is_none() {
                    v.priority = rec.and_then(|r| r.priority);
                }
                v.aliases = aliases
                    .iter()
                    .filter(|(_, of)| of == a)
                    .map(|(alias, _)| alias.clone())
                    .collect();
                v
            })
            .collect()
    }

    /// The master's view: flagged as the newest sentinel view flags it, lag is the replicas'.
    pub(super) fn master_view(&self, addr: &Addr, now: Millis, flags: Flags) -> NodeView {
        self.node_view(addr, now, flags, None, None)
    }

    fn node_view(
        &self,
        addr: &Addr,
        now: Millis,
        flags: Flags,
        master_offset: Option<Reading>,
        lag_secs: Option<i64>,
    ) -> NodeView {
        let node: Option<&NodeState> = self.nodes().get(addr);
        let info = node.and_then(|n| n.info.as_ref());
        let reach = node.map(|n| n.reach.clone()).unwrap_or(Reach::Connecting);
        let is_replica = info.map(|i| i.role) == Some(Role::Replica);
        // A stopped container replicates nothing, whatever its last INFO said.
        let stopped = node
            .and_then(|n| n.container.as_ref())
            .is_some_and(|c| c.is_stopped());
        NodeView {
            addr: addr.clone(),
            // What a node said before it stopped answering is not its role now.
            role: info.filter(|_| reach.is_ok()).map(|i| i.role),
            reach: reach.state(),
            reason: why_not(reach.reason(), node.and_then(|n| n.container.as_ref())),
            unresponsive_ms: match reach {
                Reach::Unresponsive { since } => Some(now.saturating_sub(since)),
                _ => None,
            },
            offset: info.map(|i| i.offset),
            lag_bytes: match (master_offset, info) {
                (Some(mo), Some(i)) if is_replica && !stopped => {
                    let replica_at = node.and_then(|n| n.info_at);
                    readings_close(mo.at, replica_at)
                        .then(|| mo.value.saturating_sub(i.offset).max(0) as u64)
                }
                _ => None,
            },
            offset_at: info.and(node.and_then(|n| n.info_at)),
            lag_secs,
            link: info
                .and_then(|i| i.link_up)
                .map(|up| up && !stopped)
                .filter(|_| is_replica)
                .map(|up| if up { LinkState::Up } else { LinkState::Down }),
            last_io_secs: info.and_then(|i| i.last_io_secs).filter(|_| !stopped),
            flags,
            priority: info.and_then(|i| i.replica_priority),
            rtt_ms: node.and_then(|n| n.rtt_ms),
            process: node.and_then(|n| n.process.as_ref()).map(|p| p.label()),
            paused: node
                .and_then(|n| n.process.as_ref())
                .is_some_and(|p| p.paused)
                || node
                    .and_then(|n| n.container.as_ref())
                    .is_some_and(|c| c.state == ContainerState::Paused),
            partitioned: node
                .and_then(|n| n.container.as_ref())
                .is_some_and(|c| c.is_partitioned()),
            stopped,
            min_replicas: info.and_then(|i| i.min_replicas),
            container: node.and_then(|n| n.container.clone()),
            server: info.and_then(|i| i.server.clone()),
            aliases: Vec::new(),
            write_pause: node.and_then(|n| n.pause_at(now)),
            failover_state: node
                .and_then(|n| n.failover_state())
                .filter(|_| reach.is_ok())
                .cloned(),
        }
    }

    /// Replica addresses that are another listed replica under a second address, each with the
    /// replica it belongs to. A full sync over an RDB channel (Valkey's dual-channel, Redis 8)
    /// connects from the replica's IP; the master's INFO lists that connection while the sync
    /// lasts, and Sentinel adds it as a replica (`slave,disconnected`) and keeps it. It is the
    /// same server when the master's INFO says `type=rdb-channel` for that address, or when it
    /// answers with the same run id as a listed replica (to a sentinel or to sentui).
    fn rdb_channel_aliases(
        &self,
        replicas: &[&Addr],
        polls: &Polls,
        master_info: Option<&ReplicationInfo>,
    ) -> Vec<(Addr, Addr)> {
        let connected = master_info
            .map(|i| i.connected_replicas.as_slice())
            .unwrap_or(&[]);
        let rdb_channel = |a: &Addr| connected.iter().any(|c| c.rdb_channel && c.addr == *a);
        let main_line = |a: &Addr| connected.iter().any(|c| !c.rdb_channel && c.addr == *a);
        let run_ids = |a: &Addr| -> Vec<&str> {
            let sentinels = polls
                .iter()
                .flat_map(|(_, g)| g.replicas.iter())
                .filter(|r| r.addr == *a)
                .filter_map(|r| r.run_id.as_deref());
            let own = self
                .nodes()
                .get(a)
                .filter(|n| n.reach.is_ok())
                .and_then(|n| n.info.as_ref())
                .and_then(|i| i.run_id.as_deref());
            sentinels.chain(own).collect()
        };
        // The address a server goes by: the one the master lists as a replica, else a name
        // rather than an IP, else the first.
        let rank = |a: &Addr| (!main_line(a), a.is_ip(), a.clone());
        let mut aliases = Vec::new();
        for a in replicas {
            let ids = run_ids(a);
            let same: Vec<&Addr> = replicas
                .iter()
                .copied()
                .filter(|b| *b != *a && run_ids(b).iter().any(|id| ids.contains(id)))
                .collect();
            let canonical = same.iter().copied().chain([*a]).min_by_key(|b| rank(b));
            match canonical {
                Some(c) if c != *a => aliases.push(((*a).clone(), c.clone())),
                _ if rdb_channel(a) => {
                    // During the sync: the replica whose main channel is syncing, if one is.
                    let syncing = connected.iter().find(|c| {
                        !c.rdb_channel && c.state != "online" && replicas.contains(&&c.addr)
                    });
                    if let Some(of) = syncing {
                        aliases.push(((*a).clone(), of.addr.clone()));
                    }
                }
                _ => {}
            }
        }
        aliases
    }
}

/// The replicas' addresses, sorted: the newest poll's list, plus any other sentinel's (a
/// replica one sentinel has not met yet still shows).
fn replica_addrs<'a>(
    polls: &Polls<'a>,
    newest: Option<&'a GroupPoll>,
    master: Option<&Addr>,
) -> Vec<&'a Addr> {
    let mut replica_addrs: Vec<&Addr> = Vec::new();
    for g in newest.into_iter().chain(polls.iter().map(|(_, g)| *g)) {
        for r in &g.replicas {
            if Some(&r.addr) != master && !replica_addrs.contains(&&r.addr) {
                replica_addrs.push(&r.addr);
            }
        }
    }
    // A master another sentinel still names (the old master, mid-failover) is a node of the
    // group too: it must not vanish from the screen until the next poll lists it as a replica.
    for (_, g) in polls {
        let a = &g.master.addr;
        if Some(a) != master && !replica_addrs.contains(&a) {
            replica_addrs.push(a);
        }
    }
    // Sentinel lists replicas in no stable order; rows should not jump between polls.
    replica_addrs.sort();
    replica_addrs
}
