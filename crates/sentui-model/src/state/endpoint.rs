//! What sentui holds about one sentinel and one data node. Their fields are public to read:
//! outside this module they are only ever reached through a `&Deployment`, so only applying an
//! update changes them.

use super::{ContainerInfo, Gap, GroupPoll, ProcessInfo, Reach};
use crate::Millis;
use crate::addr::Addr;
use crate::info::{FailoverState, PauseNow, ReplicationInfo, ServerVersion, WritePause};
use crate::rights::NodeRights;
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Debug)]
pub struct SentinelState {
    pub addr: Addr,
    pub reach: Reach,
    pub reach_since: Millis,
    pub pubsub_up: bool,
    pub run_id: Option<String>,
    /// Its Sentinel ID, when it told us (`SENTINEL MYID`).
    pub myid: Option<String>,
    pub server: Option<ServerVersion>,
    pub tilt: bool,
    /// `sentinel_total_tilt`: TILTs since it started, where the server says.
    pub total_tilt: Option<u64>,
    /// When it entered TILT: its `+tilt` as heard, or what its INFO says (to the second).
    pub tilt_since: Option<Millis>,
    pub rtt_ms: Option<u64>,
    pub polled_at: Option<Millis>,
    pub groups: BTreeMap<String, GroupPoll>,
    pub errors: Vec<String>,
    pub process: Option<ProcessInfo>,
    pub container: Option<ContainerInfo>,
    /// Its events unseen: since the link dropped, and until the first poll after it is back.
    pub gap: Option<Gap>,
}

impl SentinelState {
    /// A sentinel first heard of at `at`: connecting, nothing reported yet.
    pub(super) fn new(addr: &Addr, at: Millis) -> Self {
        SentinelState {
            addr: addr.clone(),
            reach: Reach::Connecting,
            reach_since: at,
            pubsub_up: false,
            run_id: None,
            myid: None,
            server: None,
            tilt: false,
            total_tilt: None,
            tilt_since: None,
            rtt_ms: None,
            polled_at: None,
            groups: BTreeMap::new(),
            errors: Vec::new(),
            process: None,
            container: None,
            gap: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NodeState {
    pub addr: Addr,
    pub reach: Reach,
    pub reach_since: Millis,
    pub info: Option<ReplicationInfo>,
    pub info_at: Option<Millis>,
    pub rtt_ms: Option<u64>,
    /// Replication lag in bytes behind the master, newest last (bounded).
    pub lag_history: VecDeque<u64>,
    pub process: Option<ProcessInfo>,
    pub container: Option<ContainerInfo>,
    /// Whether the sentinels' user may run a failover's commands here (checked now and then).
    pub rights: Option<NodeRights>,
}

impl NodeState {
    /// A node first heard of at `at`: connecting, nothing reported yet.
    pub(super) fn new(addr: &Addr, at: Millis) -> Self {
        NodeState {
            addr: addr.clone(),
            reach: Reach::Connecting,
            reach_since: at,
            info: None,
            info_at: None,
            rtt_ms: None,
            lag_history: VecDeque::new(),
            process: None,
            container: None,
            rights: None,
        }
    }
}

impl NodeState {
    /// The client pause the node reported in its last INFO (reason, actions, what was left
    /// then), if any.
    pub fn write_pause(&self) -> Option<&WritePause> {
        self.info.as_ref()?.pause.as_ref()
    }

    /// The pause as it stands at `now`: its last report carried forward (when it ends by
    /// itself, how long is left). None when the node reported none, or when it is not
    /// answering (its last report is no news of now).
    pub fn pause_at(&self, now: Millis) -> Option<PauseNow> {
        let p = self.write_pause()?;
        if !self.reach.is_ok() {
            return None;
        }
        let until = self.info_at?.saturating_add(p.left_ms);
        Some(PauseNow {
            reason: p.reason.clone(),
            actions: p.actions,
            until,
            left_ms: until.saturating_sub(now),
        })
    }

    /// `master_failover_state` from the node's last INFO (Redis 6.2+, Valkey).
    pub fn failover_state(&self) -> Option<&FailoverState> {
        self.info.as_ref()?.failover_state.as_ref()
    }
}
