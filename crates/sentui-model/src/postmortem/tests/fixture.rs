//! Pages as a Docker-lab drill gives them, built by hand: the master partitioned from the
//! sentinels and replicas for 10 s, Sentinel switching in 2.0 s, the write probe failing for
//! 9 s and then refused by the old master once it is back as a replica.

use crate::Addr;
use crate::postmortem::*;
use std::collections::BTreeMap;

/// 2026-12-06 11:08:22.151 UTC.
pub const ORIGIN: u64 = 1_796_555_302_151;

fn local(port: u16) -> Addr {
    Addr::new("127.0.0.1", port)
}

fn mark(at_ms: i64, kind: MarkKind, label: &str, detail: &str) -> Mark {
    Mark {
        at_ms,
        kind,
        label: label.into(),
        detail: detail.into(),
    }
}

fn span(from_ms: i64, to_ms: Option<i64>, detail: &str) -> Span {
    Span {
        from_ms,
        to_ms,
        detail: detail.into(),
    }
}

fn step(label: &str, at_ms: i64, took_ms: i64, by: &str) -> PhaseStep {
    PhaseStep {
        label: label.into(),
        at_ms,
        took_ms,
        by: by.into(),
    }
}

fn role(from_ms: i64, to_ms: Option<i64>, role: Role) -> RoleSpan {
    RoleSpan {
        from_ms,
        to_ms,
        role,
    }
}

const OLD: &str = "mymaster 127.0.0.1 6379";

fn phases() -> Vec<PhaseStep> {
    vec![
        step("fault", 0, 0, "sentui"),
        step("+sdown", 1100, 1100, "sentinel-1"),
        step("+odown", 1300, 200, "sentinel-1"),
        step("+try-failover", 1320, 20, "sentinel-1"),
        step("+vote-for-leader", 1330, 10, "sentinel-1"),
        step("+vote-for-leader", 1360, 30, "sentinel-2"),
        step("+vote-for-leader", 1370, 10, "sentinel-3"),
        step("+elected-leader", 1400, 30, "sentinel-1"),
        step("+selected-slave", 1450, 50, "sentinel-1"),
        step("+promoted-slave", 1900, 450, "sentinel-1"),
        step("+switch-master", 2000, 100, "sentinel-1"),
        step("+failover-end", 3200, 1200, "sentinel-1"),
    ]
}

fn sentinels() -> Vec<SentinelLane> {
    let vote = |at, by: &str| {
        mark(
            at,
            MarkKind::Vote,
            "vote → sentinel-1",
            &format!("+vote-for-leader 3f1c0a7e (sentinel-1) 7, by {by}"),
        )
    };
    let switch = |at| {
        mark(
            at,
            MarkKind::SwitchMaster,
            "+switch-master",
            "+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6380",
        )
    };
    vec![
        SentinelLane {
            name: "sentinel-1".into(),
            addr: local(26379),
            marks: vec![
                mark(
                    1100,
                    MarkKind::Sdown,
                    "+sdown",
                    &format!("+sdown master {OLD}"),
                ),
                mark(
                    1300,
                    MarkKind::Odown,
                    "+odown",
                    &format!("+odown master {OLD} #quorum 2/2"),
                ),
                mark(
                    1320,
                    MarkKind::TryFailover,
                    "+try-failover",
                    &format!("+try-failover master {OLD}"),
                ),
                vote(1330, "sentinel-1"),
                mark(
                    1400,
                    MarkKind::Elected,
                    "+elected-leader",
                    &format!("+elected-leader master {OLD}"),
                ),
                mark(
                    1450,
                    MarkKind::Step,
                    "+selected-slave",
                    &format!("+selected-slave slave 127.0.0.1:6380 127.0.0.1 6380 @ {OLD}"),
                ),
                mark(
                    1900,
                    MarkKind::Step,
                    "+promoted-slave",
                    &format!("+promoted-slave slave 127.0.0.1:6380 127.0.0.1 6380 @ {OLD}"),
                ),
                switch(2000),
                mark(
                    3200,
                    MarkKind::FailoverEnd,
                    "+failover-end",
                    "+failover-end master mymaster 127.0.0.1 6380",
                ),
                mark(
                    10_300,
                    MarkKind::Other,
                    "+convert-to-slave",
                    "+convert-to-slave slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380",
                ),
            ],
            tilt: vec![],
            gaps: vec![],
        },
        SentinelLane {
            name: "sentinel-2".into(),
            addr: local(26380),
            marks: vec![
                mark(
                    1150,
                    MarkKind::Sdown,
                    "+sdown",
                    &format!("+sdown master {OLD}"),
                ),
                vote(1360, "sentinel-2"),
                switch(2050),
                mark(
                    10_250,
                    MarkKind::Cleared,
                    "-sdown",
                    "-sdown slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380",
                ),
            ],
            tilt: vec![],
            gaps: vec![span(
                5000,
                Some(6200),
                "events link down: Connection reset by peer (os error 104)",
            )],
        },
        SentinelLane {
            name: "sentinel-3".into(),
            addr: local(26381),
            marks: vec![
                mark(
                    1200,
                    MarkKind::Sdown,
                    "+sdown",
                    &format!("+sdown master {OLD}"),
                ),
                vote(1370, "sentinel-3"),
                switch(2080),
                mark(4000, MarkKind::Tilt, "+tilt", "+tilt #tilt mode entered"),
            ],
            tilt: vec![span(
                4000,
                None,
                "+tilt #tilt mode entered: the clock jumped 2.3 s",
            )],
            gaps: vec![],
        },
    ]
}

fn nodes() -> Vec<NodeLane> {
    let lag = (-8i64..=48)
        .map(|i| {
            let at_ms = i * 250;
            let bytes = match at_ms {
                ..2250 => (i.rem_euclid(3) * 61) as u64,
                2250..3500 => ((at_ms - 2000) * 143) as u64,
                3500..3750 => 41_200,
                _ => (i.rem_euclid(4) * 37) as u64,
            };
            LagPoint { at_ms, bytes }
        })
        .collect();
    vec![
        NodeLane {
            name: "redis-master".into(),
            addr: local(6379),
            roles: vec![
                role(-2000, Some(10_300), Role::Master),
                role(10_300, None, Role::Replica),
            ],
            conditions: vec![ConditionSpan {
                from_ms: 0,
                to_ms: Some(10_000),
                condition: Condition::Partitioned,
                detail: "cut from the sentinels and the replicas (docker network disconnect)"
                    .into(),
            }],
            lag: vec![],
            marks: vec![mark(
                10_300,
                MarkKind::Role,
                "→ replica",
                "role:slave master_host:127.0.0.1 master_port:6380",
            )],
        },
        NodeLane {
            name: "redis-replica-1".into(),
            addr: local(6380),
            roles: vec![
                role(-2000, Some(1900), Role::Replica),
                role(1900, None, Role::Master),
            ],
            conditions: vec![],
            lag: vec![],
            marks: vec![mark(
                1900,
                MarkKind::Role,
                "→ master",
                "role:master (REPLICAOF NO ONE from sentinel-1)",
            )],
        },
        NodeLane {
            name: "redis-replica-2".into(),
            addr: local(6381),
            roles: vec![role(-2000, None, Role::Replica)],
            conditions: vec![],
            lag,
            marks: vec![mark(
                2250,
                MarkKind::Other,
                "full resync",
                "master_link_status:down, then a full resync from 127.0.0.1:6380",
            )],
        },
    ]
}

fn buckets() -> Vec<Bucket> {
    (-20..120)
        .map(|i| {
            let at_ms = i * BUCKET_MS;
            let quick = Some(1 + (i.rem_euclid(3)) as u32);
            let (acked, failed, refused, max_latency_ms) = match at_ms {
                ..0 => (5, 0, 0, quick),
                0 => (1, 4, 0, quick),
                100..9000 => (0, 5, 0, Some(1000)),
                9000 => (5, 0, 0, Some(38)),
                10_200..10_800 => (3, 2, 2, Some(1)),
                _ => (5, 0, 0, quick),
            };
            Bucket {
                at_ms,
                acked,
                failed,
                refused,
                max_latency_ms,
            }
        })
        .collect()
}

fn clients(buckets: &[Bucket]) -> Clients {
    let sum = |f: fn(&Bucket) -> u32| buckets.iter().map(|b| u64::from(f(b))).sum::<u64>();
    let (acked, failed, refused) = (sum(|b| b.acked), sum(|b| b.failed), sum(|b| b.refused));
    Clients {
        attempted: acked + failed,
        acked,
        failed,
        refused,
        last_success_ms: Some(50),
        first_failure_ms: Some(50),
        first_success_ms: Some(9000),
        outage_ms: Some(8950),
        lost: vec![Lost {
            window: "fault → +switch-master".into(),
            master: Some(local(6379)),
            count: 1,
        }],
        lost_text: "1 acknowledged write lost".into(),
        refusals: BTreeMap::from([("readonly".into(), refused)]),
        errors: BTreeMap::from([
            ("readonly".into(), refused),
            ("timeout".into(), failed - refused),
        ]),
    }
}

/// The partition drill: sentinel-1 leads the failover to redis-replica-1 in 2.0 s; clients
/// cannot write from +0.05 s to +9.0 s; sentinel-3 goes into TILT and sentui cannot hear
/// sentinel-2 for 1.2 s.
pub fn partition_drill() -> Page {
    let buckets = buckets();
    let clients = clients(&buckets);
    Page {
        version: VERSION,
        title: "mymaster: failover of 127.0.0.1:6379".into(),
        source: "drill partition-master".into(),
        deployment: "lab sentui-lab (docker compose)".into(),
        group: "mymaster".into(),
        summary: Summary {
            old_master: Some(local(6379)),
            new_master: Some(local(6380)),
            outcome: "completed".into(),
            switched: true,
            kind: "failover".into(),
            phases: phases(),
            sentinel_ms: Some(2000),
            clients: Some(clients),
            notes: vec![
                "sentui could not hear sentinel-2 from +5.000 s to +6.200 s (its events link \
                 was down): its events there are missing"
                    .into(),
                "sentinel-3 entered TILT at +4.000 s and was still in TILT at the end of the data"
                    .into(),
            ],
        },
        timeline: Timeline {
            origin: ORIGIN,
            from_ms: -2000,
            to_ms: 12_000,
            phases: phases(),
            outage: Some(span(
                50,
                Some(9000),
                "first failed write: timeout; first acknowledged one: 127.0.0.1:6380",
            )),
            sentinels: sentinels(),
            nodes: nodes(),
            probe: Some(ProbeLane {
                rate: 50,
                buckets,
                marks: vec![
                    mark(
                        50,
                        MarkKind::Other,
                        "unavailable",
                        "write timed out after 1000 ms on 127.0.0.1:6379",
                    ),
                    mark(
                        8950,
                        MarkKind::Other,
                        "switched",
                        "Sentinel named 127.0.0.1:6380 the master",
                    ),
                    mark(
                        9000,
                        MarkKind::Other,
                        "available again",
                        "write acknowledged by 127.0.0.1:6380",
                    ),
                    mark(
                        10_200,
                        MarkKind::Other,
                        "READONLY",
                        "-READONLY You can't write against a read only replica. (127.0.0.1:6379)",
                    ),
                ],
            }),
            faults: vec![
                mark(
                    0,
                    MarkKind::Fault,
                    "partition redis-master",
                    "docker network disconnect sentui-lab_default redis-master",
                ),
                mark(
                    10_000,
                    MarkKind::Undo,
                    "heal",
                    "docker network connect sentui-lab_default redis-master",
                ),
            ],
        },
    }
}

/// The same drill with the clients told of the switch at once (a coordinated failover): the
/// outage ends 0.3 s after +switch-master, and the data ends at +8 s.
pub fn coordinated_drill() -> Page {
    let mut page = partition_drill();
    page.title = "mymaster: coordinated failover of 127.0.0.1:6379".into();
    page.source = "drill partition-master --coordinated".into();
    page.summary.kind = "coordinated failover".into();
    let t = &mut page.timeline;
    t.to_ms = 8000;
    t.outage = Some(span(
        50,
        Some(2300),
        "first acknowledged one: 127.0.0.1:6380",
    ));
    let probe = t.probe.as_mut().expect("the drill has a probe");
    for b in probe.buckets.iter_mut().filter(|b| b.at_ms >= 2300) {
        *b = Bucket {
            at_ms: b.at_ms,
            acked: 5,
            max_latency_ms: Some(2),
            ..Bucket::default()
        };
    }
    probe.buckets.retain(|b| b.at_ms < 8000);
    probe.marks.retain(|m| m.at_ms < 2300);
    probe.marks.push(mark(
        2300,
        MarkKind::Other,
        "available again",
        "write acknowledged by 127.0.0.1:6380",
    ));
    t.faults.truncate(1);
    // Nothing after the data's end: the old master still partitioned and master.
    for s in &mut t.sentinels {
        s.marks.retain(|m| m.at_ms < 8000);
    }
    for n in &mut t.nodes {
        n.marks.retain(|m| m.at_ms < 8000);
        n.lag.retain(|p| p.at_ms < 8000);
        n.roles.retain(|r| r.from_ms < 8000);
        for r in n.roles.iter_mut().filter(|r| r.to_ms > Some(8000)) {
            r.to_ms = None;
        }
        for c in n.conditions.iter_mut().filter(|c| c.to_ms > Some(8000)) {
            c.to_ms = None;
        }
    }
    let buckets = probe.buckets.clone();
    let mut clients = clients(&buckets);
    clients.first_success_ms = Some(2300);
    clients.outage_ms = Some(2250);
    clients.lost.clear();
    clients.lost_text = "no acknowledged write lost".into();
    clients.refusals.clear();
    clients.errors.remove("readonly");
    page.summary.clients = Some(clients);
    page.summary.notes.clear();
    page
}
