//! One sentinel, one name. A seed the user named by host (`-s localhost:26379`) is announced by
//! its peers under another address (`127.0.0.1:26379`); counted under both it would be two
//! sentinels. A sentinel is its run id: a peer whose run id is a seed's (`SENTINEL MYID`), or
//! whose address is one the seed's name resolves to, is that seed, and keeps the seed's name
//! (the one the user typed, and the one its certificate is likely to hold).

use crate::link::LinkSettings;
use sentui_model::{Addr, Update};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct SeedAliases {
    seeds: BTreeSet<Addr>,
    /// An address a seed's host name resolves to (same port) -> the seed.
    resolved: BTreeMap<Addr, Addr>,
    /// A seed's run id -> the seed.
    ids: BTreeMap<String, Addr>,
}

impl SeedAliases {
    /// The seeds, those given by host name looked up (the user named them, so they may be;
    /// bounded by the connect timeout).
    pub async fn resolve(seeds: &[Addr], link: &LinkSettings) -> SeedAliases {
        let mut aliases = SeedAliases {
            seeds: seeds.iter().cloned().collect(),
            ..SeedAliases::default()
        };
        for seed in seeds {
            let target = link.map.reachable(seed);
            if target.is_ip() {
                continue;
            }
            let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
            let Ok(Ok(found)) = tokio::time::timeout(link.connect_timeout, lookup).await else {
                continue;
            };
            for sa in found {
                aliases
                    .resolved
                    .insert(Addr::new(sa.ip().to_string(), seed.port), seed.clone());
            }
        }
        aliases
    }

    /// Learns a seed's run id from its poll.
    pub fn note(&mut self, update: &Update) {
        if let Update::SentinelPolled { sentinel, poll, .. } = update
            && self.seeds.contains(sentinel)
            && let Some(id) = &poll.myid
        {
            self.ids.insert(id.clone(), sentinel.clone());
        }
    }

    /// The seed a sentinel announced as `addr` with run id `run_id` is, if it is one under
    /// another name.
    pub fn seed_of(&self, addr: &Addr, run_id: Option<&str>) -> Option<&Addr> {
        let seed = run_id
            .and_then(|id| self.ids.get(id))
            .or_else(|| self.resolved.get(addr))?;
        (seed != addr).then_some(seed)
    }

    /// Names the peers in a poll that are seeds under another name by the seed's name.
    pub fn rewrite(&self, update: &mut Update) {
        let Update::SentinelPolled { poll, .. } = update else {
            return;
        };
        for g in &mut poll.groups {
            for p in &mut g.peers {
                if let Some(seed) = self.seed_of(&p.addr, p.run_id.as_deref()) {
                    p.addr = seed.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentui_model::reply::{MasterRecord, PeerRecord, rec};
    use sentui_model::state::{GroupPoll, SentinelPoll};

    fn polled(sentinel: &Addr, myid: &str, peers: &[(&str, &str)]) -> Update {
        let master = MasterRecord::parse(&rec(&[
            ("name", "g"),
            ("ip", "127.0.0.1"),
            ("port", "6379"),
        ]))
        .unwrap();
        let peers = peers
            .iter()
            .map(|(port, id)| {
                PeerRecord::parse(&rec(&[("ip", "127.0.0.1"), ("port", port), ("runid", id)]))
                    .unwrap()
            })
            .collect();
        Update::SentinelPolled {
            sentinel: sentinel.clone(),
            at: 0,
            rtt_ms: 1,
            poll: SentinelPoll {
                myid: Some(myid.into()),
                groups: vec![GroupPoll {
                    master,
                    replicas: vec![],
                    peers,
                    ckquorum: None,
                    carried: false,
                }],
                ..SentinelPoll::default()
            },
        }
    }

    fn peer_addrs(u: &Update) -> Vec<String> {
        match u {
            Update::SentinelPolled { poll, .. } => poll.groups[0]
                .peers
                .iter()
                .map(|p| p.addr.to_string())
                .collect(),
            _ => vec![],
        }
    }

    #[test]
    fn a_seed_by_name_is_one_sentinel_by_its_run_id() {
        let seed = Addr::new("sentinel-a.example", 26379);
        let mut a = SeedAliases {
            seeds: BTreeSet::from([seed.clone()]),
            ..SeedAliases::default()
        };
        a.note(&polled(&seed, "aaa", &[("26380", "bbb")]));
        let other = Addr::new("127.0.0.1", 26380);
        let mut u = polled(&other, "bbb", &[("26379", "aaa"), ("26381", "ccc")]);
        a.note(&u);
        a.rewrite(&mut u);
        assert_eq!(
            peer_addrs(&u),
            ["sentinel-a.example:26379", "127.0.0.1:26381"]
        );
    }

    #[test]
    fn a_seed_by_name_is_one_sentinel_by_its_resolved_address() {
        let seed = Addr::new("localhost", 26379);
        let a = SeedAliases {
            seeds: BTreeSet::from([seed.clone()]),
            resolved: BTreeMap::from([(Addr::new("127.0.0.1", 26379), seed.clone())]),
            ..SeedAliases::default()
        };
        // An older sentinel without SENTINEL MYID: the address alone tells.
        let mut u = polled(&Addr::new("127.0.0.1", 26380), "bbb", &[("26379", "")]);
        a.rewrite(&mut u);
        assert_eq!(peer_addrs(&u), ["localhost:26379"]);
        assert_eq!(a.seed_of(&seed, None), None, "a seed is not its own alias");
    }
}
