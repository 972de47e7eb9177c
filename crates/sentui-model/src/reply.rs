//! Parsers for the SENTINEL replies sentui uses: MASTERS, REPLICAS, SENTINELS and CKQUORUM.
//!
//! Redis answers MASTERS/REPLICAS/SENTINELS with a list of flat `field, value, ...` lists; the
//! collector turns each into a [`Record`], and these parsers pick the fields out. Missing or
//! malformed fields degrade to defaults rather than failing the whole reply.

use super::addr::Addr;
use super::flags::Flags;
use serde::{Deserialize, Serialize};

/// One entry of a SENTINEL list reply, field/value pairs in reply order.
pub type Record = Vec<(String, String)>;

fn get<'a>(r: &'a Record, key: &str) -> Option<&'a str> {
    r.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn num<T: std::str::FromStr>(r: &Record, key: &str) -> Option<T> {
    get(r, key).and_then(|v| v.parse().ok())
}

fn flags(r: &Record) -> Flags {
    Flags::parse(get(r, "flags").unwrap_or_default())
}

/// An entry that names no instance: kept among the poll's errors, the rest of the reply used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// `ip` or `port` is missing.
    #[error("entry has no {0}")]
    Missing(&'static str),
    #[error("master entry has no name")]
    NoName,
    #[error("entry has a bad address {ip}:{port}")]
    BadAddr { ip: String, port: String },
}

fn addr(r: &Record) -> Result<Addr, RecordError> {
    let ip = get(r, "ip").ok_or(RecordError::Missing("ip"))?;
    let port = get(r, "port").ok_or(RecordError::Missing("port"))?;
    Addr::from_parts(ip, port).ok_or_else(|| RecordError::BadAddr {
        ip: ip.to_string(),
        port: port.to_string(),
    })
}

/// A master as one sentinel sees it (`SENTINEL MASTERS`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterRecord {
    pub name: String,
    pub addr: Addr,
    pub run_id: Option<String>,
    pub flags: Flags,
    pub config_epoch: u64,
    pub quorum: u32,
    pub num_replicas: u32,
    pub num_other_sentinels: u32,
    pub down_after_ms: Option<u64>,
    pub failover_timeout_ms: Option<u64>,
    /// `master-reboot-down-after-period` (0: off); Redis 7.2 and later report it.
    pub master_reboot_down_after_ms: Option<u64>,
    pub parallel_syncs: Option<u32>,
    pub last_ok_ping_ms: Option<i64>,
    pub failover_state: Option<String>,
    /// How long this sentinel has seen the master subjectively down (`s-down-time`, present
    /// only while it is): Sentinel adds it to a replica's allowed link-down time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdown_ms: Option<u64>,
    /// `role-reported-time`: how long ago (ms, when polled) the sentinel first saw this master
    /// report its role: since the switch that made it master, or since the sentinel started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_reported_ms: Option<u64>,
}

impl MasterRecord {
    pub fn parse(r: &Record) -> Result<Self, RecordError> {
        Ok(MasterRecord {
            name: get(r, "name").ok_or(RecordError::NoName)?.to_string(),
            addr: addr(r)?,
            run_id: get(r, "runid")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            flags: flags(r),
            config_epoch: num(r, "config-epoch").unwrap_or(0),
            quorum: num(r, "quorum").unwrap_or(0),
            num_replicas: num(r, "num-slaves").unwrap_or(0),
            num_other_sentinels: num(r, "num-other-sentinels").unwrap_or(0),
            down_after_ms: num(r, "down-after-milliseconds"),
            failover_timeout_ms: num(r, "failover-timeout"),
            master_reboot_down_after_ms: num(r, "master-reboot-down-after-period"),
            parallel_syncs: num(r, "parallel-syncs"),
            last_ok_ping_ms: num(r, "last-ok-ping-reply"),
            failover_state: get(r, "failover-state").map(str::to_string),
            sdown_ms: num(r, "s-down-time"),
            role_reported_ms: num(r, "role-reported-time"),
        })
    }
}

/// A replica as one sentinel sees it (`SENTINEL REPLICAS <name>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaRecord {
    pub addr: Addr,
    pub run_id: Option<String>,
    pub flags: Flags,
    pub link_ok: Option<bool>,
    pub link_down_ms: Option<u64>,
    pub master: Option<Addr>,
    pub offset: Option<i64>,
    pub priority: Option<i64>,
    pub last_ok_ping_ms: Option<i64>,
    /// Milliseconds since this sentinel's last INFO from the replica (`info-refresh`; 0: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info_refresh_ms: Option<u64>,
}

impl ReplicaRecord {
    pub fn parse(r: &Record) -> Result<Self, RecordError> {
        let master = match (get(r, "master-host"), get(r, "master-port")) {
            (Some(h), Some(p)) if h != "?" => Addr::from_parts(h, p),
            _ => None,
        };
        Ok(ReplicaRecord {
            addr: addr(r)?,
            run_id: get(r, "runid")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            flags: flags(r),
            link_ok: get(r, "master-link-status").map(|s| s == "ok"),
            link_down_ms: num(r, "master-link-down-time"),
            master,
            offset: num(r, "slave-repl-offset"),
            priority: num(r, "slave-priority").or_else(|| num(r, "replica-priority")),
            last_ok_ping_ms: num(r, "last-ok-ping-reply"),
            info_refresh_ms: num(r, "info-refresh"),
        })
    }
}

/// Another sentinel as one sentinel sees it (`SENTINEL SENTINELS <name>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerRecord {
    pub addr: Addr,
    pub run_id: Option<String>,
    pub flags: Flags,
    pub last_ok_ping_ms: Option<i64>,
    /// The run id this peer voted for, and in which epoch (None while `?`).
    pub voted_leader: Option<String>,
    pub voted_leader_epoch: u64,
}

impl PeerRecord {
    pub fn parse(r: &Record) -> Result<Self, RecordError> {
        Ok(PeerRecord {
            addr: addr(r)?,
            run_id: get(r, "runid")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            flags: flags(r),
            last_ok_ping_ms: num(r, "last-ok-ping-reply"),
            voted_leader: get(r, "voted-leader")
                .filter(|v| *v != "?" && !v.is_empty())
                .map(str::to_string),
            voted_leader_epoch: num(r, "voted-leader-epoch").unwrap_or(0),
        })
    }
}

/// Parses every entry of a list reply, keeping the entries that parse and the errors of the
/// rest, in words (the poll keeps and shows them).
pub fn parse_all<T>(
    records: &[Record],
    parse: fn(&Record) -> Result<T, RecordError>,
) -> (Vec<T>, Vec<String>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in records {
        match parse(r) {
            Ok(v) => ok.push(v),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (ok, errors)
}

/// The answer to `SENTINEL CKQUORUM <name>`: `OK <n> usable Sentinels...` or an error text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ckquorum {
    pub ok: bool,
    pub usable: Option<u32>,
    pub text: String,
}

impl Ckquorum {
    pub fn from_reply(reply: Result<&str, &str>) -> Self {
        match reply {
            Ok(text) => Ckquorum {
                ok: true,
                usable: text
                    .strip_prefix("OK ")
                    .and_then(|t| t.split_whitespace().next())
                    .and_then(|n| n.parse().ok()),
                text: text.to_string(),
            },
            Err(text) => Ckquorum {
                ok: false,
                usable: text
                    .split_whitespace()
                    .skip_while(|w| *w != "NOQUORUM")
                    .nth(1)
                    .and_then(|n| n.parse().ok()),
                text: text.to_string(),
            },
        }
    }
}

/// A record from literal pairs (tests and fixtures).
pub fn rec(pairs: &[(&str, &str)]) -> Record {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::Flag;

    #[test]
    fn master_with_missing_fields_still_parses() {
        let m = MasterRecord::parse(&rec(&[
            ("name", "m"),
            ("ip", "10.0.0.1"),
            ("port", "6379"),
            ("flags", "master,s_down,o_down"),
        ]))
        .unwrap();
        assert!(m.flags.has(Flag::ODown));
        assert_eq!(m.config_epoch, 0);
        assert!(MasterRecord::parse(&rec(&[("ip", "x"), ("port", "1")])).is_err());
        assert!(MasterRecord::parse(&rec(&[("name", "m"), ("ip", "x"), ("port", "p")])).is_err());
    }

    #[test]
    fn peer_vote_question_mark_is_none() {
        let p = PeerRecord::parse(&rec(&[
            ("ip", "127.0.0.1"),
            ("port", "26380"),
            ("voted-leader", "?"),
            ("voted-leader-epoch", "0"),
        ]))
        .unwrap();
        assert_eq!(p.voted_leader, None);
    }

    #[test]
    fn ckquorum_both_ways() {
        let ok = Ckquorum::from_reply(Ok(
            "OK 3 usable Sentinels. Quorum and failover authorization can be reached",
        ));
        assert!(ok.ok);
        assert_eq!(ok.usable, Some(3));
        let bad = Ckquorum::from_reply(Err(
            "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master",
        ));
        assert!(!bad.ok);
        assert_eq!(bad.usable, Some(1));
    }
}
