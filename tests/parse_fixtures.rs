//! Parsers tested on replies and events captured from a real redis-server 7 sentinel
//! deployment (tests/fixtures, raw RESP as the server sent it).

mod common;

use common::scenario::fixture;
use sentui_io::collect::reply::{records, text};
use sentui_model::Addr;
use sentui_model::event::SentinelEvent;
use sentui_model::flags::{Flag, Flags};
use sentui_model::info::{ReplicationInfo, Role, ServerInfo};
use sentui_model::log::OwnEvent;
use sentui_model::log::Source;
use sentui_model::reply::{Ckquorum, MasterRecord, PeerRecord, ReplicaRecord, parse_all};
use sentui_model::state::{Deployment, Update};
use sentui_model::stopwatch::Phase;

fn addr(s: &str) -> Addr {
    s.parse().unwrap()
}

#[test]
fn sentinel_masters() {
    let (recs, bad) = records(&fixture("sentinel_masters.resp")).unwrap();
    assert!(bad.is_empty());
    let (masters, errs) = parse_all(&recs, MasterRecord::parse);
    assert!(errs.is_empty());
    let m = &masters[0];
    assert_eq!(m.name, "mymaster");
    assert_eq!(m.addr, addr("127.0.0.1:16379"));
    assert_eq!(m.flags, Flags::from_iter([Flag::Master]));
    assert_eq!((m.quorum, m.num_replicas, m.num_other_sentinels), (2, 2, 2));
    assert_eq!(m.down_after_ms, Some(1000));
    assert_eq!(m.failover_timeout_ms, Some(10000));
    assert_eq!(m.config_epoch, 0);

    let (recs, _) = records(&fixture("after_sentinel_masters.resp")).unwrap();
    let (after, _) = parse_all(&recs, MasterRecord::parse);
    assert_eq!(
        after[0].addr,
        addr("127.0.0.1:16380"),
        "promoted replica after the failover"
    );
    assert_eq!(after[0].config_epoch, 1);
}

#[test]
fn sentinel_replicas_and_sentinels() {
    let (recs, _) = records(&fixture("sentinel_replicas.resp")).unwrap();
    let (replicas, errs) = parse_all(&recs, ReplicaRecord::parse);
    assert!(errs.is_empty());
    assert_eq!(replicas.len(), 2);
    assert!(replicas.iter().all(|r| r.link_ok == Some(true)));
    assert!(
        replicas
            .iter()
            .all(|r| r.master == Some(addr("127.0.0.1:16379")))
    );
    assert!(replicas.iter().all(|r| r.priority == Some(100)));

    let (recs, _) = records(&fixture("sentinel_sentinels.resp")).unwrap();
    let (peers, errs) = parse_all(&recs, PeerRecord::parse);
    assert!(errs.is_empty());
    assert_eq!(peers.len(), 2);
    assert!(
        peers
            .iter()
            .all(|p| p.voted_leader.is_none() && p.run_id.as_ref().is_some_and(|r| r.len() == 40))
    );

    let (recs, _) = records(&fixture("after_sentinel_replicas.resp")).unwrap();
    let (after, _) = parse_all(&recs, ReplicaRecord::parse);
    assert!(
        after.iter().any(|r| r.addr == addr("127.0.0.1:16379")),
        "old master listed as a replica"
    );
}

#[test]
fn ckquorum_ok_and_error() {
    let ok = text(&fixture("sentinel_ckquorum.resp")).unwrap();
    let q = Ckquorum::from_reply(Ok(&ok));
    assert!(q.ok);
    assert_eq!(q.usable, Some(3));
    match fixture("sentinel_ckquorum_nosuch.resp") {
        redis::Value::ServerError(e) => {
            let q =
                Ckquorum::from_reply(Err(&format!("{} {}", e.code(), e.details().unwrap_or(""))));
            assert!(!q.ok);
            assert!(q.text.contains("No such master"));
        }
        other => panic!("expected an error reply, got {other:?}"),
    }
}

#[test]
fn info_replication_master_and_replica() {
    let m =
        ReplicationInfo::parse(&text(&fixture("info_replication_master.resp")).unwrap()).unwrap();
    assert_eq!(m.role, Role::Master);
    assert_eq!(m.offset, 2472);
    assert_eq!(m.connected_replicas.len(), 2);
    assert_eq!(m.connected_replicas[0].addr, addr("127.0.0.1:16380"));
    assert_eq!(m.connected_replicas[0].offset, 2070);

    let r =
        ReplicationInfo::parse(&text(&fixture("info_replication_replica.resp")).unwrap()).unwrap();
    assert_eq!(r.role, Role::Replica);
    assert_eq!(r.master, Some(addr("127.0.0.1:16379")));
    assert_eq!(r.link_up, Some(true));
    assert_eq!(r.offset, 2472);
    assert_eq!(r.replica_priority, Some(100));

    let lagging =
        ReplicationInfo::parse(&text(&fixture("info_replication_master_one_down.resp")).unwrap())
            .unwrap();
    assert_eq!(lagging.connected_replicas[0].lag_secs, 4);
}

#[test]
fn info_sentinel_section() {
    let s = ServerInfo::parse(&text(&fixture("info_sentinel.resp")).unwrap());
    assert_eq!(s.tilt, Some(false));
}

/// The event stream of a real failover (all three sentinels, PSUBSCRIBE *), fed in order.
fn replay_failover() -> (Deployment, Vec<(Addr, String)>) {
    common::scenario::replay_events("failover_events.txt")
}

#[test]
fn real_failover_every_event_kept_and_folded() {
    let (d, _) = replay_failover();
    let sentinel_entries = d
        .log()
        .entries()
        .filter(|e| e.source == Source::Sentinel)
        .count();
    assert_eq!(sentinel_entries, 51, "no event dropped");
    let rows = d.log().folded(2000);
    let switch = rows
        .iter()
        .find(|r| r.first.is(SentinelEvent::SwitchMaster))
        .unwrap();
    assert_eq!(
        switch.sentinels.len(),
        3,
        "+switch-master from all three folds into one row"
    );
}

#[test]
fn real_failover_votes() {
    let (d, _) = replay_failover();
    let e = d.votes().latest().unwrap();
    assert_eq!(e.epoch, 1);
    assert_eq!(e.group.as_deref(), Some("mymaster"));
    assert_eq!(e.votes.len(), 3);
    assert_eq!(
        e.tally(),
        vec![("82577b3ef085821f12298ecc0b268aebc6dd6bfb", 3)]
    );
    assert_eq!(e.leader, Some(addr("127.0.0.1:26380")));
}

#[test]
fn real_failover_phases() {
    let (d, _) = replay_failover();
    let sw = d.stopwatches().get("mymaster").unwrap();
    assert!(sw.current.is_none());
    let f = sw.last().unwrap();
    assert_eq!(f.old_master, Some(addr("127.0.0.1:16379")));
    assert_eq!(f.new_master, Some(addr("127.0.0.1:16380")));
    // Captured times: first +sdown at ...8934, +switch-master at ...20317, +failover-end at ...21320.
    assert_eq!(f.started_at, 1795577718934);
    assert_eq!(f.elapsed_to(Phase::Sdown), Some(0));
    assert_eq!(f.elapsed_to(Phase::Odown), Some(270));
    assert_eq!(f.elapsed_to(Phase::Elected), Some(346));
    assert_eq!(f.elapsed_to(Phase::Promoted), Some(1329));
    assert_eq!(f.elapsed_to(Phase::SwitchMaster), Some(1383));
    assert_eq!(f.elapsed_to(Phase::ReplicasReconfigured), Some(2332));
    assert_eq!(f.elapsed_to(Phase::FailoverEnd), Some(2386));
    let tl = f.timeline();
    assert!(tl.windows(2).all(|w| w[0].0.at <= w[1].0.at));
    assert!(
        d.log()
            .entries()
            .any(|e| e.is(OwnEvent::FailoverComplete) && e.failover.is_some())
    );
}

#[test]
fn switch_master_event_moves_the_view_at_once() {
    let (mut d, _) = replay_failover();
    // Give one sentinel a polled view of the old master, then replay its +switch-master.
    let (recs, _) = records(&fixture("sentinel_masters.resp")).unwrap();
    let (masters, _) = parse_all(&recs, MasterRecord::parse);
    let poll = sentui_model::state::SentinelPoll {
        groups: vec![sentui_model::state::GroupPoll {
            master: masters[0].clone(),
            replicas: vec![],
            peers: vec![],
            ckquorum: None,
            carried: false,
        }],
        ..Default::default()
    };
    d.apply(Update::SentinelPolled {
        sentinel: addr("127.0.0.1:26381"),
        at: 1,
        rtt_ms: 1,
        poll,
    });
    assert_eq!(d.master_of("mymaster"), Some(addr("127.0.0.1:16379")));
    d.apply(Update::SentinelEvent {
        sentinel: addr("127.0.0.1:26381"),
        at: 2,
        event: "+switch-master".into(),
        payload: "mymaster 127.0.0.1 16379 127.0.0.1 16380".into(),
    });
    assert_eq!(d.master_of("mymaster"), Some(addr("127.0.0.1:16380")));
}
