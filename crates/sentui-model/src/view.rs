//! Derived views of one master group: who is master, each replica's lag and link, each
//! sentinel's own opinion, and the health verdict. Computed on demand from [`Deployment`];
//! this is what `status --json` prints and what the TUI draws.

use super::Millis;
use super::addr::Addr;
use super::flags::{Flag, Flags};
use super::info::{Role, ServerVersion};
use super::reply::Ckquorum;
use super::state::{ContainerInfo, ContainerState, Deployment, NodeState, Reach, ReachState};
use serde::Serialize;
use std::collections::BTreeMap;

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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentinelView {
    pub addr: Addr,
    pub run_id: Option<String>,
    pub reach: ReachState,
    /// Why it is refused, auth-failed or failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresponsive_ms: Option<Millis>,
    pub rtt_ms: Option<u64>,
    pub tilt: bool,
    pub events_link: bool,
    /// The master this sentinel believes in, and the config epoch of that belief.
    pub master: Option<Addr>,
    pub config_epoch: Option<u64>,
    /// This sentinel's flags on the master (`s_down`, `o_down`, `failover_in_progress`).
    pub master_flags: Flags,
    /// True when its master differs from the group's.
    pub disagrees: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted_leader: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted_epoch: Option<u64>,
    pub ckquorum: Option<Ckquorum>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    pub paused: bool,
    /// True when its container is stopped (exited, dead or created).
    pub stopped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerInfo>,
    /// The sentinel's server and version (INFO server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerVersion>,
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
    pub health: Health,
    pub problems: Vec<String>,
}

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
        let quorum = newest.map(|g| g.master.quorum).unwrap_or(0);
        let master_reboot_down_after_ms = newest.and_then(|g| g.master.master_reboot_down_after_ms);
        let epoch = polls
            .iter()
            .map(|(_, g)| g.master.config_epoch)
            .max()
            .unwrap_or(0);

        let master = master_addr.as_ref().map(|a| {
            let flags = newest.map(|g| g.master.flags.clone()).unwrap_or_default();
            self.node_view(a, now, flags, None, None)
        });
        let master_offset = master.as_ref().and_then(|m| {
            m.offset.map(|o| Reading {
                value: o,
                at: m.offset_at,
            })
        });
        let master_info = master_addr
            .as_ref()
            .and_then(|a| self.nodes().get(a))
            .and_then(|n| n.info.as_ref());

        // Replicas: the newest view's list, plus any other sentinel's (a replica one sentinel
        // has not met yet still shows).
        let mut replica_addrs: Vec<&Addr> = Vec::new();
        for g in newest.into_iter().chain(polls.iter().map(|(_, g)| *g)) {
            for r in &g.replicas {
                if Some(&r.addr) != master_addr.as_ref() && !replica_addrs.contains(&&r.addr) {
                    replica_addrs.push(&r.addr);
                }
            }
        }
        // A master another sentinel still names (the old master, mid-failover) is a node of the
        // group too: it must not vanish from the screen until the next poll lists it as a replica.
        for (_, g) in &polls {
            let a = &g.master.addr;
            if Some(a) != master_addr.as_ref() && !replica_addrs.contains(&a) {
                replica_addrs.push(a);
            }
        }
        // Sentinel lists replicas in no stable order; rows should not jump between polls.
        replica_addrs.sort();
        let aliases = self.rdb_channel_aliases(&replica_addrs, &polls, master_info);
        replica_addrs.retain(|a| !aliases.iter().any(|(alias, _)| alias == *a));
        let replicas: Vec<NodeView> = replica_addrs
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
            .collect();

        let sentinels = self.sentinel_views(group, master_addr.as_ref(), now);
        let failover_in_progress = polls.iter().any(|(_, g)| {
            g.master.failover_state.is_some() || g.master.flags.iter().any(Flag::is_failover)
        }) || self
            .stopwatches()
            .get(group)
            .and_then(|s| s.current.as_ref())
            .is_some_and(|f| f.mark(super::stopwatch::Phase::Odown).is_some());

        let mut view = GroupView {
            name: group.to_string(),
            quorum,
            master_reboot_down_after_ms,
            epoch,
            master,
            replicas,
            sentinels,
            failover_in_progress,
            health: Health::Healthy,
            problems: Vec::new(),
        };
        judge(&mut view);
        view
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
        polls: &[(&super::state::SentinelState, &super::state::GroupPoll)],
        master_info: Option<&super::info::ReplicationInfo>,
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
        let rank = |a: &Addr| {
            (
                !main_line(a),
                a.host.parse::<std::net::IpAddr>().is_ok(),
                a.clone(),
            )
        };
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

    fn sentinel_views(&self, group: &str, master: Option<&Addr>, now: Millis) -> Vec<SentinelView> {
        // Members: sentinels that report the group, and the peers they list.
        let mut members: Vec<&Addr> = Vec::new();
        for s in self.sentinels().values() {
            if let Some(g) = s.groups.get(group) {
                if !members.contains(&&s.addr) {
                    members.push(&s.addr);
                }
                for p in &g.peers {
                    if !members.contains(&&p.addr) {
                        members.push(&p.addr);
                    }
                }
            }
        }
        members.sort();
        members
            .into_iter()
            .map(|addr| {
                let s = self.sentinels().get(addr);
                let reach = s.map(|s| s.reach.clone()).unwrap_or(Reach::Connecting);
                let g = s.and_then(|s| s.groups.get(group));
                // What this sentinel voted, as its peers heard it in its hello messages.
                let vote = self
                    .sentinels()
                    .values()
                    .filter_map(|o| o.groups.get(group))
                    .flat_map(|g| g.peers.iter())
                    .filter(|p| p.addr == *addr)
                    .max_by_key(|p| p.voted_leader_epoch);
                // Peers do not list a sentinel to itself, so the leader's own vote is heard
                // only as its `+vote-for-leader`: the newer of the two counts.
                let heard =
                    vote.and_then(|v| v.voted_leader.clone().map(|id| (id, v.voted_leader_epoch)));
                let published = self
                    .votes()
                    .last_vote_of(addr, group)
                    .map(|(id, epoch)| (id.to_string(), epoch));
                let voted = match (heard, published) {
                    (Some(h), Some(p)) => Some(if p.1 > h.1 { p } else { h }),
                    (h, p) => h.or(p),
                };
                // A sentinel goes by its Sentinel ID (`sentinel myid`: in hello messages, votes
                // and SENTINEL SENTINELS); INFO's run_id is the process's and changes on every
                // restart. Its own SENTINEL MYID, else the id most peers name, else INFO's.
                let run_id = s
                    .and_then(|s| s.myid.clone())
                    .or_else(|| self.peer_run_id(group, addr))
                    .or_else(|| s.and_then(|s| s.run_id.clone()));
                SentinelView {
                    addr: addr.clone(),
                    run_id,
                    reach: reach.state(),
                    reason: why_not(reach.reason(), s.and_then(|s| s.container.as_ref())),
                    unresponsive_ms: match reach {
                        Reach::Unresponsive { since } => Some(now.saturating_sub(since)),
                        _ => None,
                    },
                    rtt_ms: s.and_then(|s| s.rtt_ms),
                    tilt: s.is_some_and(|s| s.tilt),
                    events_link: s.is_some_and(|s| s.pubsub_up),
                    master: g.map(|g| g.master.addr.clone()),
                    config_epoch: g.map(|g| g.master.config_epoch),
                    master_flags: g.map(|g| g.master.flags.clone()).unwrap_or_default(),
                    disagrees: g.is_some_and(|g| Some(&g.master.addr) != master),
                    voted_leader: voted.as_ref().map(|v| v.0.clone()),
                    voted_epoch: voted.as_ref().map(|v| v.1),
                    ckquorum: g.and_then(|g| g.ckquorum.clone()),
                    process: s.and_then(|s| s.process.as_ref()).map(|p| p.label()),
                    paused: s.and_then(|s| s.process.as_ref()).is_some_and(|p| p.paused)
                        || s.and_then(|s| s.container.as_ref())
                            .is_some_and(|c| c.state == ContainerState::Paused),
                    stopped: s
                        .and_then(|s| s.container.as_ref())
                        .is_some_and(|c| c.is_stopped()),
                    container: s.and_then(|s| s.container.clone()),
                    server: s.and_then(|s| s.server.clone()),
                }
            })
            .collect()
    }

    /// The id the group's sentinels know the sentinel at `addr` by (the one most of them name).
    fn peer_run_id(&self, group: &str, addr: &Addr) -> Option<String> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for p in self
            .sentinels()
            .values()
            .filter(|o| o.reach != Reach::Vanished)
            .filter_map(|o| o.groups.get(group))
            .flat_map(|g| g.peers.iter())
            .filter(|p| p.addr == *addr)
        {
            if let Some(id) = &p.run_id {
                *counts.entry(id).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(id, _)| id.to_string())
    }

    /// The id a vote names, shown as the sentinel's address when sentui knows it.
    pub fn sentinel_by_run_id(&self, run_id: &str) -> Option<Addr> {
        self.sentinels()
            .values()
            .find(|s| s.myid.as_deref() == Some(run_id) || s.run_id.as_deref() == Some(run_id))
            .map(|s| s.addr.clone())
            .or_else(|| {
                self.sentinels()
                    .values()
                    .flat_map(|s| s.groups.values())
                    .flat_map(|g| g.peers.iter())
                    .find(|p| p.run_id.as_deref() == Some(run_id))
                    .map(|p| p.addr.clone())
            })
    }
}

/// Why an endpoint is refused or failed: its stopped or paused container when it has one (the
/// link's own error would only say that nothing listens, or that no port is published), else
/// the link's error.
fn why_not(link: Option<&str>, container: Option<&ContainerInfo>) -> Option<String> {
    let link = link?;
    Some(
        container
            .and_then(ContainerInfo::cause)
            .unwrap_or_else(|| link.to_string()),
    )
}

/// `: reason` for the states whose word alone does not say what went wrong.
fn why(reason: &Option<String>) -> String {
    match reason.as_deref() {
        Some(r) if r != "connection refused" => format!(": {r}"),
        _ => String::new(),
    }
}

/// Sets the health verdict and the list of problems behind it.
fn judge(v: &mut GroupView) {
    let mut critical = Vec::new();
    let mut degraded = Vec::new();
    match &v.master {
        None => critical.push("no sentinel reports a master".to_string()),
        Some(m) => {
            if let Some(cause) = m.container.as_ref().and_then(|c| c.cause()) {
                critical.push(format!("master {} is {cause}", m.addr));
            } else if m.reach != ReachState::Ok {
                critical.push(format!(
                    "master {} is {}{}",
                    m.addr,
                    m.reach,
                    why(&m.reason)
                ));
            } else if m.role == Some(Role::Replica) {
                critical.push(format!("master {} reports role replica", m.addr));
            }
            if m.flags.has(Flag::MasterReboot) {
                degraded.push(format!(
                    "master {} restarted and has not answered PING since (master_reboot); past master-reboot-down-after-period the sentinels count it down",
                    m.addr
                ));
            }
            if m.flags.has(Flag::ODown) {
                critical.push(format!("master {} is objectively down", m.addr));
            } else if m.flags.has(Flag::SDown) {
                degraded.push(format!("master {} is subjectively down", m.addr));
            }
        }
    }
    if v.failover_in_progress {
        critical.push("failover in progress".into());
    }
    for r in &v.replicas {
        if let Some(cause) = r.container.as_ref().and_then(|c| c.cause()) {
            degraded.push(format!("replica {} is {cause}", r.addr));
        } else if r.reach != ReachState::Ok {
            degraded.push(format!(
                "replica {} is {}{}",
                r.addr,
                r.reach,
                why(&r.reason)
            ));
        } else if r.link == Some(LinkState::Down) {
            degraded.push(format!("replica {} has its link down", r.addr));
        } else if r.role == Some(Role::Master) {
            degraded.push(format!("replica {} reports role master", r.addr));
        }
    }
    let reachable = v
        .sentinels
        .iter()
        .filter(|s| s.reach == ReachState::Ok)
        .count() as u32;
    if v.quorum > 0 && reachable < v.quorum {
        critical.push(format!(
            "only {reachable} sentinel(s) reachable, quorum is {}",
            v.quorum
        ));
    }
    for s in &v.sentinels {
        if let Some(cause) = s.container.as_ref().and_then(|c| c.cause()) {
            degraded.push(format!("sentinel {} is {cause}", s.addr));
        } else if s.reach != ReachState::Ok {
            degraded.push(format!(
                "sentinel {} is {}{}",
                s.addr,
                s.reach,
                why(&s.reason)
            ));
        }
        if s.disagrees && s.reach == ReachState::Ok {
            let theirs = s.master.as_ref().map(|m| m.to_string()).unwrap_or_default();
            degraded.push(format!(
                "sentinel {} believes the master is {theirs}",
                s.addr
            ));
        }
        if s.tilt {
            degraded.push(format!("sentinel {} is in TILT mode", s.addr));
        }
        if let Some(q) = &s.ckquorum
            && !q.ok
            && s.reach == ReachState::Ok
        {
            degraded.push(format!("sentinel {}: {}", s.addr, q.text));
        }
    }
    v.health = if !critical.is_empty() {
        Health::Critical
    } else if !degraded.is_empty() {
        Health::Degraded
    } else {
        Health::Healthy
    };
    critical.extend(degraded);
    v.problems = critical;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{MasterRecord, PeerRecord, rec};
    use crate::state::{GroupPoll, SentinelPoll, Update};

    /// `sentinel` polled: INFO says `process_id`, and it lists `peers` as (port, sentinel id).
    fn polled(sentinel: u16, process_id: &str, peers: &[(u16, &str)]) -> Update {
        let master = MasterRecord::parse(&rec(&[
            ("name", "g"),
            ("ip", "127.0.0.1"),
            ("port", "6379"),
        ]))
        .unwrap();
        let peers = peers
            .iter()
            .map(|(port, id)| {
                let port = port.to_string();
                let r = rec(&[("ip", "127.0.0.1"), ("port", &port), ("runid", id)]);
                PeerRecord::parse(&r).unwrap()
            })
            .collect();
        Update::SentinelPolled {
            sentinel: Addr::new("127.0.0.1", sentinel),
            at: 1,
            rtt_ms: 0,
            poll: SentinelPoll {
                run_id: Some(process_id.into()),
                groups: vec![GroupPoll {
                    master,
                    replicas: vec![],
                    peers,
                    ckquorum: None,
                    carried: false,
                }],
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_sentinel_shows_the_id_its_peers_know_it_by() {
        let mut d = Deployment::default();
        d.apply(polled(
            1,
            "process-1",
            &[(2, "sentinel-2"), (3, "sentinel-3")],
        ));
        d.apply(polled(
            2,
            "process-2",
            &[(1, "sentinel-1"), (3, "sentinel-3")],
        ));
        d.apply(polled(
            3,
            "process-3",
            &[(1, "sentinel-1"), (2, "sentinel-2")],
        ));
        let ids = |d: &Deployment| -> Vec<Option<String>> {
            d.view("g", 1)
                .sentinels
                .into_iter()
                .map(|s| s.run_id)
                .collect()
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            ids(&d),
            [some("sentinel-1"), some("sentinel-2"), some("sentinel-3")]
        );
        // Sentinel 1 restarted under a new id (INFO says the same process id: only the peers
        // can tell), and its peers have heard its hello.
        d.apply(polled(
            2,
            "process-2",
            &[(1, "sentinel-1b"), (3, "sentinel-3")],
        ));
        d.apply(polled(
            3,
            "process-3",
            &[(1, "sentinel-1b"), (2, "sentinel-2")],
        ));
        assert_eq!(ids(&d)[0], some("sentinel-1b"));
        // A sentinel no peer lists shows what its own INFO says.
        let mut alone = Deployment::default();
        alone.apply(polled(1, "process-1", &[]));
        assert_eq!(ids(&alone), [some("process-1")]);
        // Its own SENTINEL MYID, when it answers that, is the truth even before peers hear it.
        let mut told = polled(1, "process-1", &[]);
        if let Update::SentinelPolled { poll, .. } = &mut told {
            poll.myid = some("sentinel-1c");
        }
        alone.apply(told);
        assert_eq!(ids(&alone), [some("sentinel-1c")]);
        assert_eq!(
            alone.sentinel_by_run_id("sentinel-1c"),
            Some(Addr::new("127.0.0.1", 1))
        );
    }

    fn container(service: &str, state: ContainerState, partitioned: bool) -> ContainerInfo {
        ContainerInfo {
            id: format!("{service}-id"),
            name: format!("lab-{service}-1"),
            service: service.into(),
            state,
            partitioned,
        }
    }

    /// A stopped container reads stopped, with the way to start it, even when the last word
    /// about its networks was a partition (the engine detaches a container as it stops).
    #[test]
    fn a_stopped_container_is_stopped_not_partitioned_and_says_how_to_start_it() {
        let mut d = Deployment::default();
        d.apply(polled(1, "p", &[]));
        let master = Addr::new("127.0.0.1", 6379);
        let sentinel = Addr::new("127.0.0.1", 1);
        for (addr, sentinel, c) in [
            (
                &master,
                false,
                container("redis-master", ContainerState::Exited, true),
            ),
            (
                &sentinel,
                true,
                container("sentinel-1", ContainerState::Running, false),
            ),
        ] {
            d.apply(Update::Container {
                addr: addr.clone(),
                at: 1,
                sentinel,
                container: c,
            });
        }
        let v = d.view("g", 2);
        let m = v.master.as_ref().unwrap();
        assert!(m.stopped);
        assert!(!m.partitioned);
        assert_eq!(v.health, Health::Critical);
        assert_eq!(
            v.problems[0],
            "master 127.0.0.1:6379 is stopped (container lab-redis-master-1 exited): start it with `sentui ctl start redis-master` (s in the TUI)"
        );
        assert!(!v.sentinels[0].stopped);

        d.apply(Update::Container {
            addr: sentinel.clone(),
            at: 3,
            sentinel: true,
            container: container("sentinel-1", ContainerState::Exited, false),
        });
        d.apply(Update::Container {
            addr: master.clone(),
            at: 3,
            sentinel: false,
            container: container("redis-master", ContainerState::Paused, true),
        });
        let v = d.view("g", 4);
        let m = v.master.as_ref().unwrap();
        assert!(!m.stopped && m.paused && m.partitioned, "{m:?}");
        assert!(v.sentinels[0].stopped);
        assert!(
            v.problems.contains(&"master 127.0.0.1:6379 is paused (container lab-redis-master-1): unpause it with `sentui ctl unpause redis-master` (p in the TUI)".to_string()),
            "{:?}",
            v.problems
        );
        assert!(
            v.problems.iter().any(|p| p.starts_with(
                "sentinel 127.0.0.1:1 is stopped (container lab-sentinel-1-1 exited): start it"
            )),
            "{:?}",
            v.problems
        );
    }

    /// A group whose details were not fetched this round keeps the ones fetched last, under
    /// the master record of now.
    #[test]
    fn carried_groups_keep_their_last_details() {
        let mut d = Deployment::default();
        let sentinel = Addr::new("127.0.0.1", 1);
        let whole = match polled(1, "p", &[(2, "s2"), (3, "s3")]) {
            Update::SentinelPolled { poll, .. } => poll,
            _ => unreachable!(),
        };
        let polled = |poll| Update::SentinelPolled {
            sentinel: sentinel.clone(),
            at: 1,
            rtt_ms: 0,
            poll,
        };
        d.apply(polled(whole.clone()));
        let mut later = whole.groups[0].master.clone();
        later.config_epoch = 7;
        let mut carried = whole.clone();
        carried.groups = vec![GroupPoll::carried(later)];
        d.apply(polled(carried.clone()));
        let g = &d.sentinels()[&sentinel].groups["g"];
        assert_eq!(g.peers.len(), 2, "the peers of the last fetch");
        assert_eq!(g.master.config_epoch, 7, "the master record of now");
        assert!(!g.carried);
        // With nothing fetched before (a new session), a carried group shows no details.
        let mut fresh = Deployment::default();
        fresh.apply(polled(carried));
        assert!(fresh.sentinels()[&sentinel].groups["g"].peers.is_empty());
    }
}
