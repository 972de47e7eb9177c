//! Every server version the project supports, on replies and events captured from it
//! (tests/fixtures/<version>/, by scripts/capture-fixtures): Redis 7.0, Redis 8.0 and
//! Valkey 8.1. The parsers read what each sends, the views judge what each reports, and a
//! real failover's event stream on each gives the stopwatch every phase.

mod common;

use common::scenario::fixture;
use sentui_io::collect::reply::{records, text};
use sentui_model::event::SentinelEvent;
use sentui_model::flags::{Flag, Flags};
use sentui_model::info::{ReplicationInfo, Role, ServerInfo, ServerVersion};
use sentui_model::reply::{MasterRecord, PeerRecord, ReplicaRecord, parse_all};
use sentui_model::state::{Deployment, GroupPoll, SentinelPoll, Update};
use sentui_model::stopwatch::Phase;
use sentui_model::{Addr, Reach};

/// Each fixture directory, with the server name and version it was captured from.
const VERSIONS: [(&str, &str, &str); 4] = [
    ("redis-7.0", "redis", "7.0.15"),
    ("redis-8.0", "redis", "8.0.2"),
    ("valkey-8.1", "valkey", "8.1.1"),
    ("valkey-9.1", "valkey", "9.1.2"),
];

fn addr(s: &str) -> Addr {
    s.parse().unwrap()
}

fn info_text(dir: &str, name: &str) -> String {
    text(&fixture(&format!("{dir}/{name}"))).unwrap()
}

fn parsed<T>(
    dir: &str,
    name: &str,
    p: fn(&sentui_model::reply::Record) -> Result<T, sentui_model::reply::RecordError>,
) -> Vec<T> {
    let (recs, bad) = records(&fixture(&format!("{dir}/{name}"))).unwrap();
    assert!(bad.is_empty(), "{dir}/{name}: {bad:?}");
    let (ok, errors) = parse_all(&recs, p);
    assert!(errors.is_empty(), "{dir}/{name}: {errors:?}");
    ok
}

#[test]
fn every_version_says_what_it_is() {
    for (dir, name, version) in VERSIONS {
        let want = ServerVersion {
            name: name.into(),
            version: version.into(),
        };
        // Valkey also sends redis_version:7.2.4, which is not its version.
        for file in ["info_server_node.resp", "info_server_sentinel.resp"] {
            let s = ServerInfo::parse(&info_text(dir, file));
            assert_eq!(s.server.as_ref(), Some(&want), "{dir}/{file}");
            assert_eq!(s.run_id.as_ref().map(String::len), Some(40), "{dir}/{file}");
        }
        let sentinel = ServerInfo::parse(&info_text(dir, "info_sentinel.resp"));
        assert_eq!(sentinel.tilt, Some(false), "{dir}");
    }
}

#[test]
fn every_version_reports_replication() {
    for (dir, name, _) in VERSIONS {
        let m = ReplicationInfo::parse(&info_text(dir, "info_replication_master.resp")).unwrap();
        assert_eq!(m.role, Role::Master);
        assert_eq!(m.connected_replicas.len(), 2, "{dir}");
        assert!(
            m.connected_replicas
                .iter()
                .all(|r| r.state == "online" && !r.rdb_channel)
        );
        assert!(
            m.connected_replicas
                .iter()
                .all(|r| r.addr.host.starts_with("redis-replica-")),
            "{dir}: replicas by their announced names"
        );
        // Valkey's dual-channel replication counts replicas waiting to PSYNC; Redis has no
        // such field.
        let want = (name == "valkey").then_some(0);
        assert_eq!(m.replicas_waiting_psync, want, "{dir}");
        let r = ReplicationInfo::parse(&info_text(dir, "info_replication_replica.resp")).unwrap();
        assert_eq!(r.role, Role::Replica);
        assert_eq!(r.master, Some(addr("redis-master:6379")), "{dir}");
        assert_eq!(r.link_up, Some(true), "{dir}");
    }
}

#[test]
fn every_version_answers_the_sentinel_commands() {
    for (dir, _, _) in VERSIONS {
        let masters = parsed(dir, "sentinel_masters.resp", MasterRecord::parse);
        assert_eq!(masters.len(), 1);
        let m = &masters[0];
        assert_eq!((m.name.as_str(), m.quorum), ("mymaster", 2), "{dir}");
        assert_eq!(m.addr, addr("redis-master:6379"));
        // Valkey keeps Sentinel's names: flags `master`/`slave`, field num-slaves.
        assert_eq!(m.flags, Flags::from_iter([Flag::Master]), "{dir}");
        assert_eq!((m.num_replicas, m.num_other_sentinels), (2, 2), "{dir}");
        let replicas = parsed(dir, "sentinel_replicas.resp", ReplicaRecord::parse);
        assert_eq!(replicas.len(), 2, "{dir}");
        assert!(
            replicas
                .iter()
                .all(|r| r.flags == Flags::from_iter([Flag::Slave]) && r.link_ok == Some(true))
        );
        let peers = parsed(dir, "sentinel_sentinels.resp", PeerRecord::parse);
        assert_eq!(peers.len(), 2, "{dir}");
        assert!(peers.iter().all(|p| p.addr.host.starts_with("sentinel-")));
        let after = parsed(dir, "after_sentinel_masters.resp", MasterRecord::parse);
        assert!(after[0].addr.host.starts_with("redis-replica-"), "{dir}");
        assert_eq!(after[0].config_epoch, 1, "{dir}");
        let after = parsed(dir, "after_sentinel_replicas.resp", ReplicaRecord::parse);
        assert!(
            after.iter().any(|r| r.addr == addr("redis-master:6379")),
            "{dir}"
        );
    }
}

/// A captured failover on `dir`: every event of every sentinel (PSUBSCRIBE *), in order.
fn replay(dir: &str) -> (Deployment, Vec<(Addr, String)>) {
    common::scenario::replay_events(&format!("{dir}/failover_events.txt"))
}

#[test]
fn every_version_fails_over_through_every_phase() {
    for (dir, _, _) in VERSIONS {
        let (d, sent) = replay(dir);
        // Every event kept, under the sentinel that published it.
        let logged: Vec<(Addr, String)> = d
            .log()
            .entries()
            .filter(|e| e.source == sentui_model::log::Source::Sentinel)
            .map(|e| (e.sentinel.clone().unwrap(), e.event.to_string()))
            .collect();
        assert_eq!(logged, sent, "{dir}");
        let switched: Vec<&Addr> = sent
            .iter()
            .filter(|(_, e)| SentinelEvent::parse(e) == SentinelEvent::SwitchMaster)
            .map(|(s, _)| s)
            .collect();
        assert_eq!(
            switched.len(),
            3,
            "{dir}: +switch-master from every sentinel"
        );
        let f = d.stopwatches()["mymaster"]
            .last()
            .cloned()
            .expect("a finished failover");
        assert_eq!(f.old_master, Some(addr("redis-master:6379")), "{dir}");
        assert!(
            f.new_master
                .as_ref()
                .is_some_and(|m| m.host.starts_with("redis-replica-"))
        );
        let mut last = 0;
        for phase in [
            Phase::Sdown,
            Phase::Odown,
            Phase::Elected,
            Phase::Promoted,
            Phase::SwitchMaster,
            Phase::FailoverEnd,
        ] {
            let at = f
                .elapsed_to(phase)
                .unwrap_or_else(|| panic!("{dir}: no {phase:?}"));
            assert!(at >= last, "{dir}: {phase:?} at {at} before {last}");
            last = at;
        }
        let votes = d.votes().latest().unwrap();
        assert_eq!((votes.epoch, votes.votes.len()), (1, 3), "{dir}");
    }
}

/// One sentinel's poll from `dir`'s captured replies.
fn poll(dir: &str, masters: &str, replicas: &str) -> Update {
    Update::SentinelPolled {
        sentinel: addr("sentinel-1:26379"),
        at: 1,
        rtt_ms: 1,
        poll: SentinelPoll {
            groups: vec![GroupPoll {
                master: parsed(dir, masters, MasterRecord::parse).remove(0),
                replicas: parsed(dir, replicas, ReplicaRecord::parse),
                peers: parsed(dir, "sentinel_sentinels.resp", PeerRecord::parse),
                ckquorum: None,
                carried: false,
            }],
            server: ServerInfo::parse(&info_text(dir, "info_server_sentinel.resp")).server,
            ..Default::default()
        },
    }
}

fn node(d: &mut Deployment, a: &str, info: ReplicationInfo) {
    d.apply(Update::NodeInfo {
        addr: addr(a),
        at: 1,
        rtt_ms: 1,
        info,
    });
}

/// Valkey's dual-channel full sync, as captured while the old master resynced: the new
/// master lists the RDB connection under the replica's IP (`type=rdb-channel`), and Sentinel
/// adds it as a replica flagged `slave,disconnected`. It is the resyncing replica, not a broken
/// one of its own.
#[test]
fn an_rdb_channel_is_not_a_broken_replica() {
    let dir = "valkey-8.1";
    let info =
        ReplicationInfo::parse(&info_text(dir, "info_replication_rdb_channel.resp")).unwrap();
    let rdb: Vec<_> = info
        .connected_replicas
        .iter()
        .filter(|c| c.rdb_channel)
        .collect();
    assert_eq!(rdb.len(), 1);
    let ip = rdb[0].addr.clone();
    assert!(ip.host.parse::<std::net::IpAddr>().is_ok(), "{ip}");
    let master_addr = parsed(dir, "after_sentinel_masters.resp", MasterRecord::parse)[0]
        .addr
        .to_string();

    let mut d = Deployment::default();
    d.apply(poll(
        dir,
        "after_sentinel_masters.resp",
        "sentinel_replicas_rdb_channel.resp",
    ));
    node(&mut d, &master_addr, info);
    let listed = &d.sentinels()[&addr("sentinel-1:26379")].groups["mymaster"].replicas;
    let extra = listed
        .iter()
        .find(|r| r.addr == ip)
        .expect("Sentinel lists the RDB channel");
    assert!(extra.flags.has(Flag::Disconnected));

    let v = d.view("mymaster", 2);
    assert!(v.replicas.iter().all(|r| r.addr != ip), "{:#?}", v.replicas);
    let resyncing = v
        .replicas
        .iter()
        .find(|r| r.addr == addr("redis-master:6379"))
        .unwrap();
    assert_eq!(resyncing.aliases, vec![ip.clone()]);
    assert!(
        v.problems.iter().all(|p| !p.contains(&ip.to_string())),
        "{:?}",
        v.problems
    );

    // After the sync the master lists it no more, and Sentinel keeps the entry: both addresses
    // answer with one run id, so it is still the same replica.
    let mut d = Deployment::default();
    d.apply(poll(
        dir,
        "after_sentinel_masters.resp",
        "sentinel_replicas_rdb_channel.resp",
    ));
    let replica = |run_id: &str| {
        let mut i =
            ReplicationInfo::parse(&info_text(dir, "info_replication_replica.resp")).unwrap();
        i.run_id = Some(run_id.to_string());
        i
    };
    node(&mut d, &ip.to_string(), replica("same-server"));
    node(&mut d, "redis-master:6379", replica("same-server"));
    let v = d.view("mymaster", 2);
    let shown: Vec<String> = v.replicas.iter().map(|r| r.addr.to_string()).collect();
    assert!(!shown.contains(&ip.to_string()), "{shown:?}");
    // Two servers that merely share an IP-looking address stay two rows.
    node(&mut d, &ip.to_string(), replica("another-server"));
    let v = d.view("mymaster", 2);
    assert!(v.replicas.iter().any(|r| r.addr == ip));
}

/// `master_reboot`: a sentinel with master-reboot-down-after-period set saw the master's run id
/// change and has had no PONG since (captured after restarting Valkey's master).
#[test]
fn master_reboot_flag_is_understood() {
    let dir = "valkey-8.1";
    let m = parsed(dir, "sentinel_masters_reboot.resp", MasterRecord::parse).remove(0);
    assert!(
        m.flags.has(Flag::Master) && m.flags.has(Flag::MasterReboot),
        "{:?}",
        m.flags
    );
    let problems = |masters: &str| {
        let mut d = Deployment::default();
        d.apply(poll(dir, masters, "after_sentinel_replicas.resp"));
        let info = ReplicationInfo::parse(&info_text(dir, "info_replication_master.resp"));
        node(&mut d, &m.addr.to_string(), info.unwrap());
        d.view("mymaster", 2).problems
    };
    let flagged = problems("sentinel_masters_reboot.resp");
    let said = format!("master {} restarted", m.addr);
    assert!(
        flagged
            .iter()
            .any(|p| p.starts_with(&said) && p.contains("master_reboot")),
        "{flagged:?}"
    );
    let unflagged = problems("after_sentinel_masters.resp");
    assert!(
        unflagged.iter().all(|p| !p.contains("master_reboot")),
        "{unflagged:?}"
    );
}

/// Newer servers count TILTs (`sentinel_total_tilt`): Valkey 9.1 sends it (captured), Valkey
/// 8.1 does not; its documented shape reads too.
#[test]
fn total_tilt_is_read_when_sent() {
    let sent = info_text("valkey-9.1", "info_sentinel.resp");
    assert_eq!(ServerInfo::parse(&sent).total_tilt, Some(0));
    let captured = info_text("valkey-8.1", "info_sentinel.resp");
    assert_eq!(ServerInfo::parse(&captured).total_tilt, None);
    let newer = captured.replace(
        "sentinel_tilt:0",
        "sentinel_tilt:0\r\nsentinel_total_tilt:3",
    );
    assert_eq!(ServerInfo::parse(&newer).total_tilt, Some(3));
}

/// Which server each node and sentinel runs, in the view (status text, --json, TUI).
#[test]
fn the_view_names_each_server() {
    for (dir, name, version) in VERSIONS {
        let mut d = Deployment::default();
        d.apply(poll(dir, "sentinel_masters.resp", "sentinel_replicas.resp"));
        let mut info =
            ReplicationInfo::parse(&info_text(dir, "info_replication_master.resp")).unwrap();
        info.server = ServerInfo::parse(&info_text(dir, "info_server_node.resp")).server;
        node(&mut d, "redis-master:6379", info);
        d.apply(Update::NodeReach {
            addr: addr("redis-master:6379"),
            at: 1,
            reach: Reach::Ok,
        });
        let v = d.view("mymaster", 2);
        let want = format!("{name} {version}");
        assert_eq!(
            v.master.unwrap().server.map(|s| s.to_string()),
            Some(want.clone())
        );
        let s = v
            .sentinels
            .iter()
            .find(|s| s.addr == addr("sentinel-1:26379"))
            .unwrap();
        assert_eq!(s.server.as_ref().map(|s| s.to_string()), Some(want));
    }
}
