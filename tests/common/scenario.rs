//! Deployments built from replies and events captured on a real redis 7 sentinel deployment
//! (tests/fixtures), at the stages of a failover, for render and app tests.
#![allow(dead_code)]

use sentui_io::collect::reply::{records, text};
use sentui_model::flags::{Flag, Flags};
use sentui_model::info::ReplicationInfo;
use sentui_model::reply::{MasterRecord, PeerRecord, ReplicaRecord, parse_all};
use sentui_model::state::{Deployment, GroupPoll, SentinelPoll, Update};
use sentui_model::{Addr, Millis, Reach};

pub const SENTINELS: [&str; 3] = ["127.0.0.1:26380", "127.0.0.1:26381", "127.0.0.1:26382"];
/// The moment the master was frozen in the capture.
pub const FREEZE: Millis = 1795577717198;

pub fn addr(s: &str) -> Addr {
    s.parse().unwrap()
}

/// A captured failover's events (`ms\tsentinel\tevent\tpayload` lines in tests/fixtures/`rel`),
/// fed in order into a new deployment; also returns each event's sentinel and name, as sent.
pub fn replay_events(rel: &str) -> (Deployment, Vec<(Addr, String)>) {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let mut d = Deployment::default();
    let mut sent = Vec::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let cols: Vec<&str> = line.splitn(4, '\t').collect();
        sent.push((addr(cols[1]), cols[2].to_string()));
        d.apply(Update::SentinelEvent {
            sentinel: addr(cols[1]),
            at: cols[0].parse().unwrap(),
            event: cols[2].to_string(),
            payload: cols[3].to_string(),
        });
    }
    (d, sent)
}

/// A captured reply (raw RESP in tests/fixtures), parsed.
pub fn fixture(name: &str) -> redis::Value {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    redis::parse_redis_value(&bytes).unwrap()
}

fn parsed<T>(
    name: &str,
    p: fn(&sentui_model::reply::Record) -> Result<T, sentui_model::reply::RecordError>,
) -> Vec<T> {
    let (recs, _) = records(&fixture(name)).unwrap();
    parse_all(&recs, p).0
}

/// One sentinel's poll, from the captured replies (`before` or `after` the failover).
pub fn poll(after: bool, me: &str) -> SentinelPoll {
    let prefix = if after { "after_" } else { "" };
    let master = parsed(
        &format!("{prefix}sentinel_masters.resp"),
        MasterRecord::parse,
    )
    .remove(0);
    let replicas = parsed(
        &format!("{prefix}sentinel_replicas.resp"),
        ReplicaRecord::parse,
    );
    // The captured SENTINELS reply is 26380's view; give every sentinel its two peers.
    let mut peers = parsed(
        &format!("{prefix}sentinel_sentinels.resp"),
        PeerRecord::parse,
    );
    let me = addr(me);
    if let Some(p) = peers.iter_mut().find(|p| p.addr == me) {
        p.addr = addr(SENTINELS[0]);
    }
    // Run ids as captured: 26380's own; the others are known from the peers lists.
    let run_id = (me.port == 26380).then(|| "82577b3ef085821f12298ecc0b268aebc6dd6bfb".to_string());
    SentinelPoll {
        run_id,
        server: Some(sentui_model::info::ServerVersion {
            name: "redis".into(),
            version: "7.0.15".into(),
        }),
        tilt: Some(false),
        groups: vec![GroupPoll {
            master,
            replicas,
            peers,
            ckquorum: None,
            carried: false,
        }],
        errors: vec![],
        ..Default::default()
    }
}

fn info(name: &str) -> ReplicationInfo {
    ReplicationInfo::parse(&text(&fixture(name)).unwrap()).unwrap()
}

/// Every sentinel polled at `at`, before the failover or `after` it.
fn all_polled(d: &mut Deployment, at: Millis, after: bool) {
    for u in polls(at, after) {
        d.apply(u);
    }
}

fn polls(at: Millis, after: bool) -> Vec<Update> {
    SENTINELS
        .iter()
        .map(|s| Update::SentinelPolled {
            sentinel: addr(s),
            at,
            rtt_ms: 1,
            poll: poll(after, s),
        })
        .collect()
}

/// Steady state before the failover: everyone polled, every node answered.
pub fn steady(at: Millis) -> Deployment {
    let mut d = Deployment::default();
    for u in steady_updates(at) {
        d.apply(u);
    }
    d
}

/// What the collectors report of the steady deployment at `at`.
pub fn steady_updates(at: Millis) -> Vec<Update> {
    let mut updates = polls(at, false);
    for s in SENTINELS {
        updates.push(Update::PubSub {
            sentinel: addr(s),
            at,
            up: true,
            detail: "subscribed".into(),
        });
    }
    updates.push(Update::NodeInfo {
        addr: addr("127.0.0.1:16379"),
        at,
        rtt_ms: 1,
        info: info("info_replication_master.resp"),
    });
    for r in ["127.0.0.1:16380", "127.0.0.1:16381"] {
        let mut i = info("info_replication_replica.resp");
        i.offset -= 120;
        updates.push(Update::NodeInfo {
            addr: addr(r),
            at,
            rtt_ms: 1,
            info: i,
        });
    }
    updates
}

/// The captured failover events with receive time <= `until`.
pub fn events_until(d: &mut Deployment, until: Millis) {
    for u in events(until) {
        d.apply(u);
    }
}

/// The captured failover events with receive time <= `until`, as updates.
pub fn events(until: Millis) -> Vec<Update> {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/failover_events.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    text.lines()
        .map(|line| line.splitn(4, '\t').collect::<Vec<&str>>())
        .map(|c| Update::SentinelEvent {
            sentinel: addr(c[1]),
            at: c[0].parse().unwrap(),
            event: c[2].into(),
            payload: c[3].into(),
        })
        .take_while(|u| matches!(u, Update::SentinelEvent { at, .. } if *at <= until))
        .collect()
}

/// The whole captured failover as the collectors would report it: steady state, the master
/// unresponsive after the freeze, every sentinel event, and the polls after it.
pub fn failover_updates() -> Vec<Update> {
    let mut updates = steady_updates(FREEZE - 2000);
    updates.push(Update::NodeReach {
        addr: addr("127.0.0.1:16379"),
        at: FREEZE + 300,
        reach: Reach::Unresponsive { since: FREEZE },
    });
    let polled_after = 1795577721400;
    let mut events = events(Millis::MAX);
    let later = events.split_off(
        events
            .iter()
            .position(|u| matches!(u, Update::SentinelEvent { at, .. } if *at > polled_after))
            .unwrap_or(events.len()),
    );
    updates.extend(events);
    updates.extend(polls(polled_after, true));
    updates.extend(later);
    updates
}

pub fn master_unresponsive() -> Deployment {
    let mut d = steady(FREEZE - 2000);
    d.apply(Update::NodeReach {
        addr: addr("127.0.0.1:16379"),
        at: FREEZE + 300,
        reach: Reach::Unresponsive { since: FREEZE },
    });
    d
}

pub fn odown() -> Deployment {
    let mut d = master_unresponsive();
    events_until(&mut d, 1795577719204);
    d
}

pub fn election() -> Deployment {
    let mut d = master_unresponsive();
    events_until(&mut d, 1795577719339);
    d
}

pub fn promoted() -> Deployment {
    let mut d = master_unresponsive();
    events_until(&mut d, 1795577721364);
    let at = 1795577721400;
    all_polled(&mut d, at, true);
    let mut m = info("info_replication_master.resp");
    m.connected_replicas.retain(|r| r.addr.port == 16381);
    m.connected_replicas[0].offset = m.offset;
    d.apply(Update::NodeInfo {
        addr: addr("127.0.0.1:16380"),
        at,
        rtt_ms: 1,
        info: m,
    });
    let mut r = info("info_replication_replica.resp");
    r.master = Some(addr("127.0.0.1:16380"));
    d.apply(Update::NodeInfo {
        addr: addr("127.0.0.1:16381"),
        at,
        rtt_ms: 1,
        info: r,
    });
    d
}

/// Steady state with a second master group watched by the same sentinels.
pub fn two_groups() -> Deployment {
    let mut d = Deployment::default();
    let at = FREEZE - 2000;
    for s in SENTINELS {
        let mut p = poll(false, s);
        let mut second = p.groups[0].clone();
        second.master.name = "cache".into();
        second.master.addr = addr("127.0.0.1:17379");
        for (i, r) in second.replicas.iter_mut().enumerate() {
            r.addr = addr(&format!("127.0.0.1:{}", 17380 + i));
            r.master = Some(addr("127.0.0.1:17379"));
        }
        p.groups.push(second);
        d.apply(Update::SentinelPolled {
            sentinel: addr(s),
            at,
            rtt_ms: 1,
            poll: p,
        });
    }
    d
}

/// The election as the sentinels' next polls report it: each flags the master down, the
/// leader (26380) is failing over.
pub fn election_polled() -> Deployment {
    let mut d = election();
    for u in election_polled_updates(1795577719350) {
        d.apply(u);
    }
    d
}

/// The sentinels' polls at `at` during the election: each flags the master down, the leader
/// (26380) is failing over.
pub fn election_polled_updates(at: Millis) -> Vec<Update> {
    let mut out = Vec::new();
    for (i, s) in SENTINELS.iter().enumerate() {
        let mut p = poll(false, s);
        let m = &mut p.groups[0].master;
        m.flags = Flags::from_iter([Flag::Master, Flag::SDown, Flag::ODown]);
        if i == 0 {
            m.flags.insert(Flag::FailoverInProgress);
            m.failover_state = Some("select_slave".into());
        }
        out.push(Update::SentinelPolled {
            sentinel: addr(s),
            at,
            rtt_ms: 1,
            poll: p,
        });
    }
    out
}

/// Two of the three sentinels paused (SIGSTOP): the one that answers says CKQUORUM fails.
pub fn quorum_lost() -> Deployment {
    use sentui_model::reply::Ckquorum;
    use sentui_model::state::ProcessInfo;
    let mut d = steady(FREEZE - 2000);
    for (i, s) in SENTINELS.iter().enumerate().skip(1) {
        d.apply(Update::Process {
            addr: addr(s),
            at: FREEZE - 1500,
            sentinel: true,
            process: Some(ProcessInfo {
                pid: 4000 + i as i32,
                name: "redis-sentinel".into(),
                paused: true,
            }),
        });
        d.apply(Update::SentinelReach {
            sentinel: addr(s),
            at: FREEZE - 1200,
            reach: Reach::Unresponsive {
                since: FREEZE - 1500,
            },
        });
    }
    let mut p = poll(false, SENTINELS[0]);
    p.groups[0].ckquorum = Some(Ckquorum {
        ok: false,
        usable: Some(1),
        text: "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master. Not enough available Sentinels to reach the majority and authorize a failover".into(),
    });
    d.apply(Update::SentinelPolled {
        sentinel: addr(SENTINELS[0]),
        at: FREEZE - 1000,
        rtt_ms: 1,
        poll: p,
    });
    d
}

/// The captured deployment's addresses as a Docker Compose lab under a long project name
/// announces them (`newbie1-redis-replica-1:6379`), each member behind its container.
pub const COMPOSE_NAMES: [(&str, &str, &str); 6] = [
    ("127.0.0.1:16379", "newbie1-redis-master", "6379"),
    ("127.0.0.1:16380", "newbie1-redis-replica-1", "6379"),
    ("127.0.0.1:16381", "newbie1-redis-replica-2", "6379"),
    ("127.0.0.1:26380", "newbie1-sentinel-1", "26379"),
    ("127.0.0.1:26381", "newbie1-sentinel-2", "26379"),
    ("127.0.0.1:26382", "newbie1-sentinel-3", "26379"),
];

/// `u` with every captured address replaced by its compose name (in addresses and in
/// payloads, `ip port` and `ip:port` alike).
pub fn renamed(u: &Update) -> Update {
    let mut json = serde_json::to_string(u).unwrap();
    for (from, host, port) in COMPOSE_NAMES {
        let (ip, p) = from.split_once(':').unwrap();
        json = json.replace(from, &format!("{host}:{port}"));
        json = json.replace(&format!("{ip} {p}"), &format!("{host} {port}"));
    }
    serde_json::from_str(&json).unwrap()
}

/// A compose name's address.
pub fn compose_addr(captured: &str) -> Addr {
    let (_, host, port) = COMPOSE_NAMES
        .iter()
        .find(|(c, _, _)| *c == captured)
        .unwrap();
    addr(&format!("{host}:{port}"))
}

/// Each member's container (`newbie1-redis-replica-1-1`), running, at `at`.
pub fn containers(at: Millis) -> Vec<Update> {
    use sentui_model::state::{ContainerInfo, ContainerState};
    COMPOSE_NAMES
        .iter()
        .enumerate()
        .map(|(i, (_, host, port))| {
            let service = host.trim_start_matches("newbie1-");
            Update::Container {
                addr: addr(&format!("{host}:{port}")),
                at,
                sentinel: *port == "26379",
                container: ContainerInfo {
                    id: format!("7c66b7899594{i}e1d0c0ffee5a2c9b81d4e7f00a3b6c2d9e8f1a4b5c6d7e8f9"),
                    name: format!("{host}-1"),
                    service: service.into(),
                    state: ContainerState::Running,
                    partitioned: false,
                },
            }
        })
        .collect()
}

/// The whole captured failover on a compose lab with long names: the containers, the
/// failover's updates renamed, and a Docker event with a long payload.
pub fn compose_failover(until: Millis) -> Deployment {
    use sentui_model::log::{LogEntry, OwnEvent};
    let mut d = Deployment::default();
    for u in containers(FREEZE - 3000) {
        d.apply(u);
    }
    for u in failover_updates() {
        let at = match &u {
            Update::SentinelEvent { at, .. }
            | Update::SentinelPolled { at, .. }
            | Update::NodeInfo { at, .. }
            | Update::NodeReach { at, .. }
            | Update::PubSub { at, .. } => *at,
            _ => 0,
        };
        if at <= until {
            d.apply(renamed(&u));
        }
    }
    if until < FREEZE + 5 {
        return d;
    }
    let mut e = LogEntry::own(
        FREEZE + 5,
        OwnEvent::ContainerPause,
        "container newbie1-redis-master-1 (service redis-master) id 7c66b78995940e1d0c0ffee5a2c9b81d4e7f00a3b6c2d9e8f1a4b5c6d7e8f9 paused by sentui ctl pause redis-master for a rehearsal",
    );
    e.addr = Some(compose_addr("127.0.0.1:16379"));
    d.apply(Update::Note { entry: e });
    d
}
