//! Parser for `INFO` replies (the `replication`, `clients`, `server` and `sentinel` sections).

mod pause;

pub use pause::{FailoverState, PauseActions, PauseNow, PauseReason, WritePause};

use super::addr::Addr;
use serde::{Deserialize, Serialize};

/// Splits an INFO reply into `key:value` pairs, skipping `# Section` headers and blank lines.
pub fn fields(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
}

/// Looks up one field of an INFO reply.
pub fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    fields(text).find(|(k, _)| *k == key).map(|(_, v)| v)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Master,
    Replica,
}

/// A replica as its master lists it (`slaveN:ip=...,port=...,state=...,offset=...,lag=...`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedReplica {
    pub addr: Addr,
    pub state: String,
    pub offset: i64,
    /// Seconds since the replica last acknowledged (Redis's own `lag` field).
    pub lag_secs: i64,
    /// The connection that carries a full sync's RDB apart from the replication stream
    /// (Valkey's dual-channel `type=rdb-channel`): listed under the replica's IP while the sync
    /// lasts, which Sentinel takes for another replica.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rdb_channel: bool,
}

/// What a node says about its own replication (`INFO replication`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationInfo {
    pub role: Role,
    /// The replication offset this node has: `master_repl_offset` on a master,
    /// `slave_repl_offset` on a replica.
    pub offset: i64,
    pub master: Option<Addr>,
    /// `master_link_status` on a replica: true when up.
    pub link_up: Option<bool>,
    pub last_io_secs: Option<i64>,
    pub sync_in_progress: bool,
    pub replica_priority: Option<i64>,
    pub connected_replicas: Vec<ConnectedReplica>,
    /// `master_failover_state`: where a `FAILOVER` run on this node stands (Redis 6.2+,
    /// Valkey; a coordinated failover runs one on the old primary).
    pub failover_state: Option<FailoverState>,
    /// The client pause the node reports (`INFO clients`, Valkey 8.1+), asked with
    /// `INFO replication clients` in the same request: None when not paused or not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<WritePause>,
    /// Whether the node reports its pause at all (`paused_reason` present): the collector
    /// asks such a node more often, so that a pause shows within a second.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reports_pause: bool,
    pub replid: Option<String>,
    /// Valkey's dual-channel replication: replicas that loaded the RDB on its own channel and
    /// wait to PSYNC the rest (`replicas_waiting_psync`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas_waiting_psync: Option<u32>,
    /// The server's name and version (INFO server), which the collector asks once per
    /// connection and stamps on every report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerVersion>,
    /// The server process's run id (INFO server, asked with `server`): one server reached
    /// under two addresses reports the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// `min-replicas-to-write` and `min-replicas-max-lag` as the node's own config says
    /// (CONFIG GET, asked with `server`; None when CONFIG is refused or renamed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<MinReplicas>,
    /// Replicas that count for `min-replicas-to-write` now (`min_slaves_good_slaves`, reported
    /// only while the setting is on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good_replicas: Option<u32>,
}

/// A node's `min-replicas-to-write` (0: off) and `min-replicas-max-lag` (seconds): the master
/// refuses writes (NOREPLICAS) with fewer good replicas, which bounds what it can acknowledge
/// while cut off from them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinReplicas {
    pub to_write: u32,
    pub max_lag_secs: u32,
}

impl MinReplicas {
    /// From the name/value pairs of `CONFIG GET min-replicas-*` (None: either one missing).
    pub fn from_config<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Self> {
        let (mut to_write, mut lag) = (None, None);
        for (k, v) in pairs {
            match k {
                "min-replicas-to-write" => to_write = v.trim().parse().ok(),
                "min-replicas-max-lag" => lag = v.trim().parse().ok(),
                _ => {}
            }
        }
        Some(MinReplicas {
            to_write: to_write?,
            max_lag_secs: lag?,
        })
    }
}

impl std::fmt::Display for MinReplicas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.to_write == 0 {
            f.write_str("min-replicas-to-write 0 (off)")
        } else {
            write!(
                f,
                "min-replicas-to-write {} (max lag {}s)",
                self.to_write, self.max_lag_secs
            )
        }
    }
}

/// An `INFO replication` reply sentui cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InfoError {
    #[error("unknown role '{0}'")]
    UnknownRole(String),
    #[error("INFO replication has no role field")]
    NoRole,
}

impl ReplicationInfo {
    pub fn parse(text: &str) -> Result<Self, InfoError> {
        let mut role = None;
        let mut master_offset = None;
        let mut replica_offset = None;
        let (mut mhost, mut mport) = (None, None);
        let mut info = ReplicationInfo {
            role: Role::Master,
            offset: 0,
            master: None,
            link_up: None,
            last_io_secs: None,
            sync_in_progress: false,
            replica_priority: None,
            connected_replicas: Vec::new(),
            failover_state: None,
            pause: None,
            reports_pause: false,
            replid: None,
            replicas_waiting_psync: None,
            server: None,
            run_id: None,
            min_replicas: None,
            good_replicas: None,
        };
        for (k, v) in fields(text) {
            match k {
                "role" => {
                    role = Some(match v {
                        "master" => Role::Master,
                        "slave" | "replica" => Role::Replica,
                        other => return Err(InfoError::UnknownRole(other.to_string())),
                    })
                }
                "master_repl_offset" => master_offset = v.parse().ok(),
                "slave_repl_offset" => replica_offset = v.parse().ok(),
                "master_host" => mhost = Some(v),
                "master_port" => mport = Some(v),
                "master_link_status" => info.link_up = Some(v == "up"),
                // -1 while the link is down: no I/O age to show, not a negative one.
                "master_last_io_seconds_ago" => {
                    info.last_io_secs = v.parse().ok().filter(|s: &i64| *s >= 0)
                }
                "master_sync_in_progress" => info.sync_in_progress = v == "1",
                "slave_priority" | "replica_priority" => info.replica_priority = v.parse().ok(),
                "master_failover_state" => info.failover_state = Some(FailoverState::parse(v)),
                "paused_reason" => info.reports_pause = true,
                "master_replid" => info.replid = Some(v.to_string()),
                "replicas_waiting_psync" => info.replicas_waiting_psync = v.parse().ok(),
                "min_slaves_good_slaves" | "min_replicas_good_replicas" => {
                    info.good_replicas = v.parse().ok()
                }
                k if is_replica_line(k) => {
                    if let Some(r) = parse_connected_replica(v) {
                        info.connected_replicas.push(r);
                    }
                }
                _ => {}
            }
        }
        info.role = role.ok_or(InfoError::NoRole)?;
        info.pause = WritePause::from_fields(fields(text));
        if let (Some(h), Some(p)) = (mhost, mport) {
            info.master = Addr::from_parts(h, p);
        }
        info.offset = match info.role {
            Role::Master => master_offset.unwrap_or(0),
            Role::Replica => replica_offset.or(master_offset).unwrap_or(0),
        };
        Ok(info)
    }
}

fn is_replica_line(key: &str) -> bool {
    key.strip_prefix("slave")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_connected_replica(v: &str) -> Option<ConnectedReplica> {
    let (mut ip, mut port, mut state, mut offset, mut lag) = (None, None, "", 0, 0);
    let mut rdb_channel = false;
    for kv in v.split(',') {
        match kv.split_once('=')? {
            ("ip", x) => ip = Some(x),
            ("port", x) => port = Some(x),
            ("state", x) => state = x,
            ("offset", x) => offset = x.parse().unwrap_or(0),
            ("lag", x) => lag = x.parse().unwrap_or(0),
            ("type", x) => rdb_channel = x == "rdb-channel",
            _ => {}
        }
    }
    Some(ConnectedReplica {
        addr: Addr::from_parts(ip?, port?)?,
        state: state.to_string(),
        offset,
        lag_secs: lag,
        rdb_channel,
    })
}

/// Which server answers and its own version: `redis 8.0.2`, `valkey 8.1.1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerVersion {
    /// `redis` or `valkey` (INFO's `server_name`; Redis does not send one).
    pub name: String,
    pub version: String,
}

impl ServerVersion {
    /// Valkey 9.0 or later: it takes `SENTINEL FAILOVER <group> COORDINATED`, and its
    /// sentinels send the primary `CLIENT PAUSE` and `FAILOVER` for it.
    pub fn has_coordinated_failover(&self) -> bool {
        let major = self
            .version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok());
        self.name == "valkey" && major.is_some_and(|m| m >= 9)
    }

    /// From INFO server: Valkey sends `server_name:valkey` and its own `valkey_version` next to
    /// a `redis_version` it keeps for old clients (7.2.4), which is not its version.
    pub fn from_info(text: &str) -> Option<ServerVersion> {
        let name = field(text, "server_name").unwrap_or("redis");
        let version =
            field(text, &format!("{name}_version")).or_else(|| field(text, "redis_version"))?;
        Some(ServerVersion {
            name: name.to_string(),
            version: version.to_string(),
        })
    }

    /// From `redis-server --version` (`Redis server v=7.0.15 sha=...`) or `valkey-server
    /// --version` (`Valkey server v=8.1.1 ...`); None for any other program.
    pub fn from_version_output(text: &str) -> Option<ServerVersion> {
        let line = text.lines().next()?;
        let (name, rest) = line.split_once(" server v=")?;
        let name = name.trim().to_ascii_lowercase();
        let version = rest.split_whitespace().next()?;
        let known = matches!(name.as_str(), "redis" | "valkey");
        let numeric = version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        (known && numeric).then(|| ServerVersion {
            name,
            version: version.to_string(),
        })
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// The parts of `INFO server` / `INFO sentinel` sentui uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerInfo {
    pub run_id: Option<String>,
    pub server: Option<ServerVersion>,
    pub tilt: Option<bool>,
    /// How often this sentinel entered TILT since it started (`sentinel_total_tilt`, Redis 7.2+
    /// and Valkey): a TILT that began and ended between two polls still counts here.
    pub total_tilt: Option<u64>,
    /// Seconds since this sentinel entered TILT (`sentinel_tilt_since_seconds`, Redis 7.0+; -1
    /// or absent when it is not in TILT).
    pub tilt_since_secs: Option<u64>,
}

impl ServerInfo {
    pub fn parse(text: &str) -> Self {
        ServerInfo {
            run_id: field(text, "run_id").map(str::to_string),
            server: ServerVersion::from_info(text),
            tilt: field(text, "sentinel_tilt").map(|v| v == "1"),
            total_tilt: field(text, "sentinel_total_tilt").and_then(|v| v.parse().ok()),
            tilt_since_secs: field(text, "sentinel_tilt_since_seconds")
                .and_then(|v| v.parse().ok()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &str = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\nslave0:ip=127.0.0.1,port=16380,state=online,offset=2070,lag=0\r\nslave1:ip=127.0.0.1,port=16381,state=online,offset=2070,lag=1\r\nmaster_failover_state:no-failover\r\nmaster_replid:a23a\r\nmaster_repl_offset:2472\r\n";

    #[test]
    fn parses_a_master() {
        let i = ReplicationInfo::parse(MASTER).unwrap();
        assert_eq!(i.role, Role::Master);
        assert_eq!(i.offset, 2472);
        assert_eq!(i.connected_replicas.len(), 2);
        assert_eq!(i.connected_replicas[1].addr, Addr::new("127.0.0.1", 16381));
        assert_eq!(i.connected_replicas[1].lag_secs, 1);
        assert_eq!(i.failover_state, Some(FailoverState::NoFailover));
        assert!(!i.reports_pause && i.pause.is_none());
    }

    #[test]
    fn rejects_garbage() {
        assert!(ReplicationInfo::parse("hello world").is_err());
        assert!(ReplicationInfo::parse("role:sentinel").is_err());
        assert!(ReplicationInfo::parse("").is_err());
    }

    #[test]
    fn ignores_malformed_replica_lines() {
        let i = ReplicationInfo::parse("role:master\nslave0:ip=x\nslaveX:ip=1,port=2\n").unwrap();
        assert!(i.connected_replicas.is_empty());
    }

    #[test]
    fn reads_server_and_sentinel_sections() {
        let s = ServerInfo::parse(
            "# Server\nredis_version:7.0.15\nrun_id:abc\n# Sentinel\nsentinel_tilt:1\n",
        );
        assert_eq!(s.run_id.as_deref(), Some("abc"));
        assert_eq!(
            s.server.map(|v| v.to_string()).as_deref(),
            Some("redis 7.0.15")
        );
        assert_eq!(s.tilt, Some(true));
    }

    #[test]
    fn tells_the_server_from_its_version_line() {
        let redis = "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=e08dbad3e06f3fb\n";
        let valkey = "Valkey server v=8.1.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=384b3c0d511f998a\n";
        let v = |t| ServerVersion::from_version_output(t).map(|s| s.to_string());
        assert_eq!(v(redis).as_deref(), Some("redis 7.0.15"));
        assert_eq!(v(valkey).as_deref(), Some("valkey 8.1.1"));
        assert_eq!(v("ls (GNU coreutils) 9.1\n"), None);
        assert_eq!(v("KeyDB server v=6.3.4 sha=0\n"), None);
        assert_eq!(v("Redis server v=seven\n"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn valkey_reports_its_own_version_not_redis_version() {
        let info =
            "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.1\r\n";
        let s = ServerVersion::from_info(info).unwrap();
        assert_eq!((s.name.as_str(), s.version.as_str()), ("valkey", "8.1.1"));
        let s = ServerVersion::from_info("redis_version:8.0.2\r\n").unwrap();
        assert_eq!(s.to_string(), "redis 8.0.2");
        assert_eq!(ServerVersion::from_info("role:master\r\n"), None);
    }

    #[test]
    fn reads_dual_channel_fields() {
        let i = ReplicationInfo::parse(
            "role:master\nslave0:ip=172.27.0.2,port=6379,state=wait_bgsave,offset=0,lag=0,type=rdb-channel\nslave1:ip=r1,port=6379,state=bg_transfer,offset=0,lag=0,type=main-channel\nreplicas_waiting_psync:1\n",
        )
        .unwrap();
        assert_eq!(i.replicas_waiting_psync, Some(1));
        let rdb: Vec<bool> = i.connected_replicas.iter().map(|c| c.rdb_channel).collect();
        assert_eq!(rdb, [true, false]);
    }

    #[test]
    fn min_replicas_from_config_pairs() {
        let m = MinReplicas::from_config([
            ("min-replicas-max-lag", "2"),
            ("min-replicas-to-write", "1"),
        ])
        .unwrap();
        assert_eq!((m.to_write, m.max_lag_secs), (1, 2));
        assert_eq!(m.to_string(), "min-replicas-to-write 1 (max lag 2s)");
        assert_eq!(
            MinReplicas::from_config([
                ("min-replicas-to-write", "0"),
                ("min-replicas-max-lag", "10")
            ])
            .unwrap()
            .to_string(),
            "min-replicas-to-write 0 (off)"
        );
        assert_eq!(
            MinReplicas::from_config([("min-replicas-to-write", "1")]),
            None
        );
    }
}
