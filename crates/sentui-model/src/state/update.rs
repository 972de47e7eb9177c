//! What collectors send: [`Update`], and the poll of a sentinel it carries.

use super::{ContainerInfo, ProcessInfo, Reach};
use crate::Millis;
use crate::addr::Addr;
use crate::info::{ReplicationInfo, ServerInfo, ServerVersion};
use crate::log::LogEntry;
use crate::probe::ProbeEvent;
use crate::reply::{Ckquorum, MasterRecord, PeerRecord, ReplicaRecord};
use crate::rights::NodeRights;
use serde::{Deserialize, Serialize};

/// One master group as one sentinel reported it in its last poll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPoll {
    pub master: MasterRecord,
    pub replicas: Vec<ReplicaRecord>,
    pub peers: Vec<PeerRecord>,
    pub ckquorum: Option<Ckquorum>,
    /// The details (replicas, peers, CKQUORUM) were not fetched this round, to stay within the
    /// load budget: they are empty here, and the ones fetched last still hold. Not repeating
    /// them (or cloning them on every poll) halved a 100-group sentinel poll: 99 KB to 43 KB
    /// in a recording.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
}

impl GroupPoll {
    /// The master record alone, its details not fetched (see `carried`).
    pub fn carried(master: MasterRecord) -> Self {
        GroupPoll {
            master,
            replicas: Vec::new(),
            peers: Vec::new(),
            ckquorum: None,
            carried: true,
        }
    }

    /// This poll's group with the details it carries over taken from `then`, its last fetch.
    pub(super) fn with_details_of(self, then: GroupPoll) -> Self {
        if !self.carried {
            return self;
        }
        GroupPoll {
            master: self.master,
            ..then
        }
    }
}

/// Everything one poll of one sentinel returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelPoll {
    /// The process's run id (INFO), new on every start.
    pub run_id: Option<String>,
    /// The Sentinel ID (`SENTINEL MYID`, Redis 6.2+): the one votes and peers use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub myid: Option<String>,
    /// Its server and version (INFO server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerVersion>,
    pub tilt: Option<bool>,
    /// How often it entered TILT since it started (`sentinel_total_tilt`, Redis 7.2+ and
    /// Valkey): a TILT between two polls still counts here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tilt: Option<u64>,
    /// Seconds since it entered TILT, as its INFO says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tilt_since_secs: Option<u64>,
    pub groups: Vec<GroupPoll>,
    /// Entries of the replies that did not parse (kept, shown, never fatal).
    pub errors: Vec<String>,
}

impl SentinelPoll {
    pub fn with_server_info(mut self, s: ServerInfo) -> Self {
        self.run_id = s.run_id.or(self.run_id);
        self.server = s.server.or(self.server);
        self.tilt = s.tilt.or(self.tilt);
        self.total_tilt = s.total_tilt.or(self.total_tilt);
        self.tilt_since_secs = s.tilt_since_secs.or(self.tilt_since_secs);
        self
    }
}

/// What collectors send. Owned and timestamped; applying them in order rebuilds the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Update {
    SentinelPolled {
        sentinel: Addr,
        at: Millis,
        rtt_ms: u64,
        poll: SentinelPoll,
    },
    SentinelReach {
        sentinel: Addr,
        at: Millis,
        reach: Reach,
    },
    PubSub {
        sentinel: Addr,
        at: Millis,
        up: bool,
        detail: String,
    },
    SentinelEvent {
        sentinel: Addr,
        at: Millis,
        event: String,
        payload: String,
    },
    NodeInfo {
        addr: Addr,
        at: Millis,
        rtt_ms: u64,
        info: ReplicationInfo,
    },
    NodeReach {
        addr: Addr,
        at: Millis,
        reach: Reach,
    },
    Vanished {
        addr: Addr,
        at: Millis,
    },
    /// Whether the sentinels' user may run a failover's commands on a node.
    NodeRights {
        addr: Addr,
        rights: NodeRights,
    },
    /// The local process behind an endpoint (None: no process of this machine listens there).
    Process {
        addr: Addr,
        at: Millis,
        sentinel: bool,
        process: Option<ProcessInfo>,
    },
    /// The container behind an endpoint and its state.
    Container {
        addr: Addr,
        at: Millis,
        sentinel: bool,
        container: ContainerInfo,
    },
    /// An entry sentui or Docker adds to the log directly (a fault injected, a container event).
    Note {
        entry: LogEntry,
    },
    /// What the write probe saw (collect/probe.rs).
    Probe {
        at: Millis,
        event: ProbeEvent,
    },
}
