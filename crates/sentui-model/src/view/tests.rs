//! Views built from polls and container states.

use super::*;
use crate::Addr;
use crate::reply::{MasterRecord, PeerRecord, rec};
use crate::state::{ContainerInfo, ContainerState, Deployment, GroupPoll, SentinelPoll, Update};

/// `sentinel` polled: INFO says `process_id`, and it lists `peers` as (port, sentinel id).
fn polled(sentinel: u16, process_id: &str, peers: &[(u16, &str)]) -> Update {
    let master = MasterRecord::parse(&rec(&[
        ("name", "g"),
        ("ip", "127.0.0.1"),
        ("port", "6379"),
    ]))
    .unwrap();
    let peers = peers
        .iter()
        .map(|(port, id)| {
            let port = port.to_string();
            let r = rec(&[("ip", "127.0.0.1"), ("port", &port), ("runid", id)]);
            PeerRecord::parse(&r).unwrap()
        })
        .collect();
    Update::SentinelPolled {
        sentinel: Addr::new("127.0.0.1", sentinel),
        at: 1,
        rtt_ms: 0,
        poll: SentinelPoll {
            run_id: Some(process_id.into()),
            groups: vec![GroupPoll {
                master,
                replicas: vec![],
                peers,
                ckquorum: None,
                carried: false,
            }],
            ..Default::default()
        },
    }
}

#[test]
fn a_sentinel_shows_the_id_its_peers_know_it_by() {
    let mut d = Deployment::default();
    d.apply(polled(
        1,
        "process-1",
        &[(2, "sentinel-2"), (3, "sentinel-3")],
    ));
    d.apply(polled(
        2,
        "process-2",
        &[(1, "sentinel-1"), (3, "sentinel-3")],
    ));
    d.apply(polled(
        3,
        "process-3",
        &[(1, "sentinel-1"), (2, "sentinel-2")],
    ));
    let ids = |d: &Deployment| -> Vec<Option<String>> {
        d.view("g", 1)
            .sentinels
            .into_iter()
            .map(|s| s.run_id)
            .collect()
    };
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        ids(&d),
        [some("sentinel-1"), some("sentinel-2"), some("sentinel-3")]
    );
    // Sentinel 1 restarted under a new id (INFO says the same process id: only the peers
    // can tell), and its peers have heard its hello.
    d.apply(polled(
        2,
        "process-2",
        &[(1, "sentinel-1b"), (3, "sentinel-3")],
    ));
    d.apply(polled(
        3,
        "process-3",
        &[(1, "sentinel-1b"), (2, "sentinel-2")],
    ));
    assert_eq!(ids(&d)[0], some("sentinel-1b"));
    // A sentinel no peer lists shows what its own INFO says.
    let mut alone = Deployment::default();
    alone.apply(polled(1, "process-1", &[]));
    assert_eq!(ids(&alone), [some("process-1")]);
    // Its own SENTINEL MYID, when it answers that, is the truth even before peers hear it.
    let mut told = polled(1, "process-1", &[]);
    if let Update::SentinelPolled { poll, .. } = &mut told {
        poll.myid = some("sentinel-1c");
    }
    alone.apply(told);
    assert_eq!(ids(&alone), [some("sentinel-1c")]);
    assert_eq!(
        alone.sentinel_by_run_id("sentinel-1c"),
        Some(Addr::new("127.0.0.1", 1))
    );
}

fn container(service: &str, state: ContainerState, partitioned: bool) -> ContainerInfo {
    ContainerInfo {
        id: format!("{service}-id"),
        name: format!("lab-{service}-1"),
        service: service.into(),
        state,
        partitioned,
    }
}

/// A stopped container reads stopped, with the way to start it, even when the last word
/// about its networks was a partition (the engine detaches a container as it stops).
#[test]
fn a_stopped_container_is_stopped_not_partitioned_and_says_how_to_start_it() {
    let mut d = Deployment::default();
    d.apply(polled(1, "p", &[]));
    let master = Addr::new("127.0.0.1", 6379);
    let sentinel = Addr::new("127.0.0.1", 1);
    for (addr, sentinel, c) in [
        (
            &master,
            false,
            container("redis-master", ContainerState::Exited, true),
        ),
        (
            &sentinel,
            true,
            container("sentinel-1", ContainerState::Running, false),
        ),
    ] {
        d.apply(Update::Container {
            addr: addr.clone(),
            at: 1,
            sentinel,
            container: c,
        });
    }
    let v = d.view("g", 2);
    let m = v.master.as_ref().unwrap();
    assert!(m.stopped);
    assert!(!m.partitioned);
    assert_eq!(v.health, Health::Critical);
    assert_eq!(
        v.problems[0],
        "master 127.0.0.1:6379 is stopped (container lab-redis-master-1 exited): start it with `sentui ctl start redis-master` (s in the TUI)"
    );
    assert!(!v.sentinels[0].stopped);

    d.apply(Update::Container {
        addr: sentinel.clone(),
        at: 3,
        sentinel: true,
        container: container("sentinel-1", ContainerState::Exited, false),
    });
    d.apply(Update::Container {
        addr: master.clone(),
        at: 3,
        sentinel: false,
        container: container("redis-master", ContainerState::Paused, true),
    });
    let v = d.view("g", 4);
    let m = v.master.as_ref().unwrap();
    assert!(!m.stopped && m.paused && m.partitioned, "{m:?}");
    assert!(v.sentinels[0].stopped);
    assert!(
        v.problems.contains(&"master 127.0.0.1:6379 is paused (container lab-redis-master-1): unpause it with `sentui ctl unpause redis-master` (p in the TUI)".to_string()),
        "{:?}",
        v.problems
    );
    assert!(
        v.problems.iter().any(|p| p.starts_with(
            "sentinel 127.0.0.1:1 is stopped (container lab-sentinel-1-1 exited): start it"
        )),
        "{:?}",
        v.problems
    );
}

/// A group whose details were not fetched this round keeps the ones fetched last, under
/// the master record of now.
#[test]
fn carried_groups_keep_their_last_details() {
    let mut d = Deployment::default();
    let sentinel = Addr::new("127.0.0.1", 1);
    let whole = match polled(1, "p", &[(2, "s2"), (3, "s3")]) {
        Update::SentinelPolled { poll, .. } => poll,
        _ => unreachable!(),
    };
    let polled = |poll| Update::SentinelPolled {
        sentinel: sentinel.clone(),
        at: 1,
        rtt_ms: 0,
        poll,
    };
    d.apply(polled(whole.clone()));
    let mut later = whole.groups[0].master.clone();
    later.config_epoch = 7;
    let mut carried = whole.clone();
    carried.groups = vec![GroupPoll::carried(later)];
    d.apply(polled(carried.clone()));
    let g = &d.sentinels()[&sentinel].groups["g"];
    assert_eq!(g.peers.len(), 2, "the peers of the last fetch");
    assert_eq!(g.master.config_epoch, 7, "the master record of now");
    assert!(!g.carried);
    // With nothing fetched before (a new session), a carried group shows no details.
    let mut fresh = Deployment::default();
    fresh.apply(polled(carried));
    assert!(fresh.sentinels()[&sentinel].groups["g"].peers.is_empty());
}

/// `INFO replication clients` of the Valkey 9.1.2 lab's master under `CLIENT PAUSE 10000
/// WRITE` (captured), and the same once it ended.
fn master_info(at: Millis, paused: bool) -> Update {
    let clients = if paused {
        "paused_reason:client_pause\r\npaused_actions:write\r\npaused_timeout_milliseconds:9840\r\n"
    } else {
        "paused_reason:none\r\npaused_actions:none\r\npaused_timeout_milliseconds:0\r\n"
    };
    let text = format!(
        "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_repl_offset:10\r\n\r\n# Clients\r\nconnected_clients:4\r\n{clients}"
    );
    Update::NodeInfo {
        addr: Addr::new("127.0.0.1", 6379),
        at,
        rtt_ms: 0,
        info: crate::info::ReplicationInfo::parse(&text).unwrap(),
    }
}

#[test]
fn a_write_pause_on_the_master_is_a_critical_problem_with_its_time_left() {
    let mut d = Deployment::default();
    d.apply(polled(1, "p1", &[]));
    d.apply(master_info(1_000, false));
    assert_eq!(d.view("g", 1_000).health, Health::Healthy);
    d.apply(master_info(2_000, true));
    let v = d.view("g", 3_640);
    assert_eq!(v.health, Health::Critical);
    assert_eq!(
        v.problems,
        ["writes paused on the master (client_pause), 8.2 s left"]
    );
    let node = &d.nodes()[&Addr::new("127.0.0.1", 6379)];
    assert!(node.pause_at(3_640).is_some());
    assert_eq!(node.pause_at(3_640).unwrap().until, 11_840);
    let json = serde_json::to_value(v.master.as_ref().unwrap()).unwrap();
    assert_eq!(
        json["write_pause"],
        serde_json::json!({"reason": "client_pause", "actions": "write", "until": 11840, "left_ms": 8200})
    );
    assert_eq!(json["failover_state"], "no-failover");
    // The pause is logged as it begins and as it ends, not only drawn.
    d.apply(master_info(4_000, false));
    assert_eq!(d.view("g", 4_000).health, Health::Healthy);
    let said: Vec<(String, String)> = d
        .log()
        .entries()
        .map(|e| (e.event.to_string(), e.payload.clone()))
        .filter(|(e, _)| e.starts_with("writes-"))
        .collect();
    assert_eq!(
        said,
        [
            (
                "writes-paused".to_string(),
                "writes paused (client_pause), 9.8 s left".to_string()
            ),
            (
                "writes-resumed".to_string(),
                "writes no longer paused (client_pause)".to_string()
            )
        ]
    );
}

/// A sentinel's poll that flags the master `coordinated_failover` marks the attempt, and the
/// attempt's summary says so (the events as Valkey 9.1.2's leader published them).
#[test]
fn a_polled_coordinated_flag_marks_the_attempt_and_its_summary() {
    let leader = Addr::new("127.0.0.1", 1);
    let mut d = Deployment::default();
    d.apply(polled(1, "p1", &[]));
    let mut flagged = polled(1, "p1", &[]);
    if let Update::SentinelPolled { poll, at, .. } = &mut flagged {
        *at = 100;
        poll.groups[0].master.flags =
            crate::flags::Flags::parse("master,failover_in_progress,coordinated_failover");
    }
    d.apply(flagged);
    let view = d.view("g", 100);
    assert!(view.coordinated && view.failover_in_progress);
    assert!(
        view.problems
            .contains(&"coordinated failover in progress".to_string())
    );
    let events = [
        (110, "+new-epoch", "1"),
        (111, "+try-failover", "master g 127.0.0.1 6379"),
        (150, "+elected-leader", "master g 127.0.0.1 6379"),
        (
            200,
            "+selected-slave",
            "slave 127.0.0.1:6380 127.0.0.1 6380 @ g 127.0.0.1 6379",
        ),
        (
            1_200,
            "+promoted-slave",
            "slave 127.0.0.1:6380 127.0.0.1 6380 @ g 127.0.0.1 6379",
        ),
        (2_200, "+failover-end", "master g 127.0.0.1 6379"),
        (2_200, "+switch-master", "g 127.0.0.1 6379 127.0.0.1 6380"),
    ];
    for (at, event, payload) in events {
        d.apply(Update::SentinelEvent {
            sentinel: leader.clone(),
            at,
            event: event.into(),
            payload: payload.into(),
        });
    }
    let marked: Vec<&str> = d
        .log()
        .entries()
        .filter(|e| e.event.to_string() == "coordinated-failover")
        .map(|e| e.payload.as_str())
        .collect();
    assert_eq!(marked, ["flagged coordinated_failover"], "logged once");
    let done = d
        .log()
        .entries()
        .find(|e| e.event.to_string() == "failover-complete")
        .expect("the attempt completed");
    assert!(done.payload.contains("(coordinated)"), "{}", done.payload);
    assert!(done.failover.as_ref().unwrap().coordinated);
}
