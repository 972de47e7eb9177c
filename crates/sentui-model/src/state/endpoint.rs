//! What sentui holds about one sentinel and one data node. Their fields are public to read:
//! outside this module they are only ever reached through a `&Deployment`, so only applying an
//! update changes them.

use super::{ContainerInfo, GroupPoll, ProcessInfo, Reach};
use crate::Millis;
use crate::addr::Addr;
use crate::info::{ReplicationInfo, ServerVersion};
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
    pub rtt_ms: Option<u64>,
    pub polled_at: Option<Millis>,
    pub groups: BTreeMap<String, GroupPoll>,
    pub errors: Vec<String>,
    pub process: Option<ProcessInfo>,
    pub container: Option<ContainerInfo>,
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
            rtt_ms: None,
            polled_at: None,
            groups: BTreeMap::new(),
            errors: Vec::new(),
            process: None,
            container: None,
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
        }
    }
}
