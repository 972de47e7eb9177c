//! Network addresses as Sentinel announces them (`host:port`, where host may be an IP or a
//! hostname), and the map from announced addresses to the ones this machine can reach.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// An announced or reachable address. Ordered so that maps keyed by it print stably.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    pub host: String,
    pub port: u16,
}

impl Addr {
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Addr {
            host: host.into(),
            port,
        }
    }

    /// Builds an address from the separate host and port fields of a Sentinel reply or event.
    pub fn from_parts(host: &str, port: &str) -> Option<Self> {
        let port = port.parse().ok()?;
        if host.is_empty() {
            return None;
        }
        Some(Addr::new(host, port))
    }

    /// True when the host names this machine (so a local process can be found for it).
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host == "::1" || self.host.starts_with("127.")
    }

    /// True when the host is an IP address (v4, or v6 with or without brackets), not a name.
    pub fn is_ip(&self) -> bool {
        self.host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok()
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Why a text is no `HOST:PORT` address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    #[error("'{0}' is not HOST:PORT")]
    NotHostPort(String),
    #[error("'{0}' is not HOST:PORT (the port is missing)")]
    NoPort(String),
    #[error("'{0}' has an empty host")]
    EmptyHost(String),
    #[error("'{text}' has an invalid port '{port}'")]
    BadPort { text: String, port: String },
    #[error("'{0}' has port 0")]
    PortZero(String),
}

impl FromStr for Addr {
    type Err = AddrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            rest.split_once("]:")
                .ok_or_else(|| AddrError::NotHostPort(s.to_string()))?
        } else {
            s.rsplit_once(':')
                .ok_or_else(|| AddrError::NoPort(s.to_string()))?
        };
        if host.is_empty() {
            return Err(AddrError::EmptyHost(s.to_string()));
        }
        let port: u16 = port.parse().map_err(|_| AddrError::BadPort {
            text: s.to_string(),
            port: port.to_string(),
        })?;
        if port == 0 {
            return Err(AddrError::PortZero(s.to_string()));
        }
        Ok(Addr::new(host, port))
    }
}

impl Serialize for Addr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Addr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a text is no `ANNOUNCED=REACHABLE` mapping.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MapEntryError {
    #[error("'{0}' is not ANNOUNCED=REACHABLE")]
    NotAnEntry(String),
    #[error(transparent)]
    Addr(#[from] AddrError),
}

/// Maps announced addresses (what Sentinel reports: container IPs, compose service names) to
/// addresses this machine can connect to. Unmapped addresses are reached as announced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddrMap {
    entries: BTreeMap<Addr, Addr>,
}

impl AddrMap {
    pub fn insert(&mut self, announced: Addr, reachable: Addr) {
        self.entries.insert(announced, reachable);
    }

    /// Parses one `ANNOUNCED=REACHABLE` mapping, as given to `--map`.
    pub fn parse_entry(s: &str) -> Result<(Addr, Addr), MapEntryError> {
        let (a, r) = s
            .split_once('=')
            .ok_or_else(|| MapEntryError::NotAnEntry(s.to_string()))?;
        Ok((a.parse()?, r.parse()?))
    }

    pub fn reachable(&self, announced: &Addr) -> Addr {
        self.entries
            .get(announced)
            .cloned()
            .unwrap_or_else(|| announced.clone())
    }

    /// The announced address that maps to `reachable`, if any (to name a user-given address).
    pub fn announced_for(&self, reachable: &Addr) -> Option<&Addr> {
        self.entries
            .iter()
            .find(|(_, r)| *r == reachable)
            .map(|(a, _)| a)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True when `announced` is translated (it sits behind NAT: the process on its reachable
    /// port is a proxy, not the node).
    pub fn contains(&self, announced: &Addr) -> bool {
        self.entries.contains_key(announced)
    }

    /// Adds every entry of `other`, replacing those with the same announced address.
    pub fn merge(&mut self, other: &AddrMap) {
        for (a, r) in &other.entries {
            self.entries.insert(a.clone(), r.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_host_port() {
        let a: Addr = "127.0.0.1:26379".parse().unwrap();
        assert_eq!(a, Addr::new("127.0.0.1", 26379));
        assert_eq!(a.to_string(), "127.0.0.1:26379");
        let h: Addr = "redis-master:6379".parse().unwrap();
        assert_eq!(h.host, "redis-master");
        let v6: Addr = "[::1]:7000".parse().unwrap();
        assert_eq!(v6.host, "::1");
        assert_eq!(v6.to_string(), "[::1]:7000");
    }

    #[test]
    fn rejects_bad_addresses_with_reasons() {
        let err = |s: &str| s.parse::<Addr>().unwrap_err().to_string();
        assert!(err("localhost").contains("port"));
        assert!(err("host:abc").contains("invalid port"));
        assert!(err(":6379").contains("empty host"));
        assert!("h:0".parse::<Addr>().is_err());
        assert!("h:70000".parse::<Addr>().is_err());
    }

    #[test]
    fn map_translates_only_known_addresses() {
        let mut m = AddrMap::default();
        let (a, r) = AddrMap::parse_entry("redis-master:6379=127.0.0.1:49153").unwrap();
        m.insert(a.clone(), r.clone());
        assert_eq!(m.reachable(&a), r);
        let other = Addr::new("127.0.0.1", 1234);
        assert_eq!(m.reachable(&other), other);
        assert_eq!(m.announced_for(&r), Some(&a));
        assert!(AddrMap::parse_entry("nonsense").is_err());
    }
}
