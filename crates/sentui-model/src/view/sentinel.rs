//! The view of a sentinel: its reachability, its own belief about the master, its vote and
//! the id it goes by.

use super::judge::why_not;
use crate::Millis;
use crate::addr::Addr;
use crate::flags::Flags;
use crate::info::ServerVersion;
use crate::reply::Ckquorum;
use crate::state::{ContainerInfo, ContainerState, Deployment, Reach, ReachState};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// TILTs since it started (`sentinel_total_tilt`), where the server says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tilt: Option<u64>,
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

impl Deployment {
    pub(super) fn sentinel_views(
        &self,
        group: &str,
        master: Option<&Addr>,
        now: Millis,
    ) -> Vec<SentinelView> {
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
            .map(|addr| self.sentinel_view(group, addr, master, now))
            .collect()
    }

    fn sentinel_view(
        &self,
        group: &str,
        addr: &Addr,
        master: Option<&Addr>,
        now: Millis,
    ) -> SentinelView {
        let s = self.sentinels().get(addr);
        let reach = s.map(|s| s.reach.clone()).unwrap_or(Reach::Connecting);
        let g = s.and_then(|s| s.groups.get(group));
        let voted = self.vote_of(group, addr);
        // A sentinel goes by its Sentinel ID (`sentinel myid`: in hello messages, votes and
        // SENTINEL SENTINELS); INFO's run_id is the process's and changes on every restart.
        // Its own SENTINEL MYID, else the id most peers name, else INFO's.
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
            total_tilt: s.and_then(|s| s.total_tilt),
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
    }

    /// What the sentinel at `addr` voted last (leader id, epoch).
    fn vote_of(&self, group: &str, addr: &Addr) -> Option<(String, u64)> {
        // As its peers heard it in its hello messages.
        let vote = self
            .sentinels()
            .values()
            .filter_map(|o| o.groups.get(group))
            .flat_map(|g| g.peers.iter())
            .filter(|p| p.addr == *addr)
            .max_by_key(|p| p.voted_leader_epoch);
        // Peers do not list a sentinel to itself, so the leader's own vote is heard only as its
        // `+vote-for-leader`: the newer of the two counts.
        let heard = vote.and_then(|v| v.voted_leader.clone().map(|id| (id, v.voted_leader_epoch)));
        let published = self
            .votes()
            .last_vote_of(addr, group)
            .map(|(id, epoch)| (id.to_string(), epoch));
        match (heard, published) {
            (Some(h), Some(p)) => Some(if p.1 > h.1 { p } else { h }),
            (h, p) => h.or(p),
        }
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
