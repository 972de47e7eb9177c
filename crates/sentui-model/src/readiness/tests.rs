//! Readiness on deployments built from polls whose fields are named and shaped as Redis 7.0's
//! SENTINEL MASTERS / REPLICAS / SENTINELS replies are (tests/fixtures/redis-7.0).

use super::*;
use crate::info::ReplicationInfo;
use crate::reply::{MasterRecord, PeerRecord, ReplicaRecord, rec};
use crate::rights::{Denied, NodeRights, RightsCheck, SentinelLogin};
use crate::state::{GroupPoll, SentinelPoll, Update};

const NOW: Millis = 1_000_000;
const SENTINELS: [u16; 3] = [26379, 26380, 26381];

fn a(port: u16) -> Addr {
    Addr::new("127.0.0.1", port)
}

/// A replica as a sentinel lists it: priority, offset, run id, flags, link down for, INFO age.
#[derive(Clone)]
struct Rep {
    port: u16,
    priority: &'static str,
    offset: &'static str,
    run_id: &'static str,
    flags: &'static str,
    link_down_ms: &'static str,
    info_refresh_ms: &'static str,
    /// Its last PING reply is past the limit, older for each sentinel (6 s, 6.5 s, 7 s).
    stale_ping: bool,
}

fn rep(port: u16, run_id: &'static str) -> Rep {
    Rep {
        port,
        priority: "100",
        offset: "5000",
        run_id,
        flags: "slave",
        link_down_ms: "0",
        info_refresh_ms: "3097",
        stale_ping: false,
    }
}

fn replica_record(r: &Rep, sentinel: u16) -> ReplicaRecord {
    let port = r.port.to_string();
    let ping = match r.stale_ping {
        true => (6000 + u32::from(sentinel - SENTINELS[0]) * 500).to_string(),
        false => "420".to_string(),
    };
    ReplicaRecord::parse(&rec(&[
        ("name", &format!("127.0.0.1:{port}")),
        ("ip", "127.0.0.1"),
        ("port", &port),
        ("runid", r.run_id),
        ("flags", r.flags),
        ("last-ok-ping-reply", &ping),
        ("down-after-milliseconds", "1000"),
        ("info-refresh", r.info_refresh_ms),
        ("master-link-down-time", r.link_down_ms),
        ("master-link-status", "ok"),
        ("master-host", "127.0.0.1"),
        ("master-port", "6379"),
        ("slave-priority", r.priority),
        ("slave-repl-offset", r.offset),
    ]))
    .unwrap()
}

struct Lab {
    quorum: &'static str,
    known: u32,
    master_flags: &'static str,
    replicas: Vec<Rep>,
    /// Sentinels that answer; the others are in the peers' lists only.
    answering: Vec<u16>,
    /// Peers flagged s_down in every listing.
    down_peers: Vec<u16>,
    tilted: Vec<(u16, u64)>,
    /// Sentinels that list no replica (not yet told by the master's INFO).
    unaware: Vec<u16>,
}

impl Lab {
    fn healthy() -> Self {
        Lab {
            quorum: "2",
            known: 3,
            master_flags: "master",
            replicas: vec![rep(6380, "bb2c"), rep(6381, "aa91")],
            answering: SENTINELS.to_vec(),
            down_peers: vec![],
            tilted: vec![],
            unaware: vec![],
        }
    }

    fn poll(&self, me: u16, all: &[u16]) -> Update {
        let master = MasterRecord::parse(&rec(&[
            ("name", "mymaster"),
            ("ip", "127.0.0.1"),
            ("port", "6379"),
            ("runid", "m1"),
            ("flags", self.master_flags),
            ("down-after-milliseconds", "1000"),
            ("config-epoch", "0"),
            ("num-slaves", "2"),
            ("num-other-sentinels", &(self.known - 1).to_string()),
            ("quorum", self.quorum),
            ("failover-timeout", "10000"),
        ]))
        .unwrap();
        let peers = all
            .iter()
            .filter(|p| **p != me)
            .map(|p| {
                let port = p.to_string();
                let flags = if self.down_peers.contains(p) {
                    "s_down,sentinel,disconnected"
                } else {
                    "sentinel"
                };
                let last = if self.down_peers.contains(p) {
                    "312000"
                } else {
                    "300"
                };
                PeerRecord::parse(&rec(&[
                    ("ip", "127.0.0.1"),
                    ("port", &port),
                    ("runid", &format!("id{port}")),
                    ("flags", flags),
                    ("last-ok-ping-reply", last),
                ]))
                .unwrap()
            })
            .collect();
        let tilt = self.tilted.iter().find(|(p, _)| *p == me);
        Update::SentinelPolled {
            sentinel: a(me),
            at: NOW,
            rtt_ms: 1,
            poll: SentinelPoll {
                run_id: Some(format!("proc{me}")),
                myid: Some(format!("id{me}")),
                tilt: Some(tilt.is_some()),
                tilt_since_secs: tilt.map(|(_, s)| *s),
                groups: vec![GroupPoll {
                    master,
                    replicas: if self.unaware.contains(&me) {
                        Vec::new()
                    } else {
                        self.replicas
                            .iter()
                            .map(|r| replica_record(r, me))
                            .collect()
                    },
                    peers,
                    ckquorum: None,
                    carried: false,
                }],
                ..Default::default()
            },
        }
    }

    fn deployment(&self, all: &[u16]) -> Deployment {
        let mut d = Deployment::default();
        for s in all {
            if self.answering.contains(s) {
                d.apply(self.poll(*s, all));
            } else {
                d.apply(Update::SentinelReach {
                    sentinel: a(*s),
                    at: NOW,
                    reach: Reach::Failed("connection refused".into()),
                });
            }
        }
        for port in [6379, 6380, 6381] {
            let text = if port == 6379 {
                "role:master\r\nmaster_repl_offset:5000\r\n".to_string()
            } else {
                "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:up\r\nslave_repl_offset:5000\r\n".to_string()
            };
            d.apply(Update::NodeInfo {
                addr: a(port),
                at: NOW,
                rtt_ms: 1,
                info: ReplicationInfo::parse(&text).unwrap(),
            });
        }
        d
    }

    fn readiness(&self) -> Readiness {
        self.readiness_of(&SENTINELS)
    }

    fn readiness_of(&self, all: &[u16]) -> Readiness {
        let d = self.deployment(all);
        d.readiness(&d.view("mymaster", NOW), NOW)
    }
}

fn condition(r: &Readiness, rule: Rule) -> &Condition {
    r.conditions.iter().find(|c| c.rule == rule).unwrap()
}

#[test]
fn healthy_names_the_replica_and_the_tie_broken_by_run_id() {
    let r = Lab::healthy().readiness();
    assert_eq!(r.verdict, Verdict::Ready, "{r:#?}");
    let p = r.promote.as_ref().unwrap();
    assert_eq!(p.addr, a(6381), "aa91 sorts before bb2c");
    assert_eq!(p.decided_by, TieBreak::RunId);
    assert_eq!(r.headline, "FAILOVER READY — would promote 127.0.0.1:6381");
    assert!(r.replicas.iter().all(ReplicaVerdict::eligible));
}

/// 6381 is 100 bytes behind its master, as sentui reads them.
fn lagging(lab: &Lab) -> Deployment {
    let mut d = lab.deployment(&SENTINELS);
    let text = "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:up\r\nslave_repl_offset:4900\r\n";
    d.apply(Update::NodeInfo {
        addr: a(6381),
        at: NOW,
        rtt_ms: 1,
        info: ReplicationInfo::parse(text).unwrap(),
    });
    d
}

#[test]
fn priority_then_progress_decide_before_the_run_id() {
    let mut lab = Lab::healthy();
    let d = lagging(&lab);
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    assert_eq!(r.promote.as_ref().unwrap().addr, a(6380));
    assert_eq!(r.promote.as_ref().unwrap().decided_by, TieBreak::Offset);
    lab.replicas[1].priority = "10";
    let d = lagging(&lab);
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    assert_eq!(r.promote.as_ref().unwrap().addr, a(6381));
    assert_eq!(r.promote.as_ref().unwrap().decided_by, TieBreak::Priority);
}

#[test]
fn offsets_a_sentinel_read_seconds_ago_do_not_decide_between_replicas_in_sync() {
    // One sentinel's REPLICAS is older: it read 6380 before the last writes. Both replicas
    // are in sync as sentui reads them, so once the master is down the run id decides, for
    // every sentinel.
    let mut lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    lab.replicas[1].offset = "4800";
    d.apply(lab.poll(26380, &SENTINELS));
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    let p = r.promote.as_ref().unwrap();
    assert_eq!((p.addr.clone(), p.decided_by), (a(6381), TieBreak::RunId));
    assert!(p.others.is_empty(), "{p:?}");
    assert_eq!(r.verdict, Verdict::Ready);
}

#[test]
fn every_replica_at_priority_zero_blocks() {
    let mut lab = Lab::healthy();
    for r in &mut lab.replicas {
        r.priority = "0";
    }
    let r = lab.readiness();
    assert_eq!(r.verdict, Verdict::Blocked);
    let c = condition(&r, Rule::Replicas);
    assert_eq!(c.status, Status::Blocked);
    assert!(
        r.headline.starts_with("BLOCKED — no replica is eligible"),
        "{}",
        r.headline
    );
    assert!(
        c.evidence.iter().all(|e| e.contains("replica-priority 0")),
        "{c:#?}"
    );
    assert!(c.remedy.as_ref().unwrap().contains("no-good-slave"));
}

#[test]
fn a_link_down_past_ten_down_afters_leaves_the_replica_out() {
    let mut lab = Lab::healthy();
    for r in &mut lab.replicas {
        r.link_down_ms = "14000";
    }
    let r = lab.readiness();
    assert_eq!(r.verdict, Verdict::Blocked);
    let c = condition(&r, Rule::Replicas);
    assert!(
        c.evidence[0].contains("link to the master down 14.0s (limit 10.0s"),
        "{c:#?}"
    );
    // Once the master is down, the time it has been down is allowed on top.
    lab.master_flags = "s_down,master";
    let d = lab.deployment(&SENTINELS);
    let mut d2 = d.clone();
    for s in SENTINELS {
        let mut u = lab.poll(s, &SENTINELS);
        if let Update::SentinelPolled { poll, .. } = &mut u {
            poll.groups[0].master.sdown_ms = Some(5000);
        }
        d2.apply(u);
    }
    let r = d2.readiness(&d2.view("mymaster", NOW), NOW);
    assert_eq!(condition(&r, Rule::Replicas).status, Status::Ok, "{r:#?}");
}

#[test]
fn a_replica_the_sentinels_flag_down_is_not_eligible_though_it_answers_sentui() {
    let mut lab = Lab::healthy();
    lab.replicas[1].flags = "s_down,slave";
    let r = lab.readiness();
    assert_eq!(r.verdict, Verdict::AtRisk);
    let c = condition(&r, Rule::Replicas);
    assert!(
        c.summary
            .starts_with("127.0.0.1:6381 flagged s_down by 3 of 3 sentinels, not eligible"),
        "{}",
        c.summary
    );
    // The replicas' summary names the choice; the headline does not say it twice.
    assert_eq!(
        r.headline.matches("would promote 127.0.0.1:6380").count(),
        1,
        "{}",
        r.headline
    );
    assert_eq!(r.promote.unwrap().addr, a(6380));
}

#[test]
fn a_reason_every_sentinel_gives_is_said_once_with_the_oldest_figure() {
    let mut lab = Lab::healthy();
    lab.replicas[1].flags = "s_down,slave";
    lab.replicas[1].stale_ping = true;
    let r = lab.readiness();
    let v = r.replicas.iter().find(|v| v.addr == a(6381)).unwrap();
    assert_eq!(
        v.exclusions,
        [(Exclusion::Down, 3), (Exclusion::PingStale { ms: 7000 }, 3)]
    );
    assert_eq!(
        v.describe(),
        "not eligible: flagged s_down by 3 of 3 sentinels, last PING reply 7.0s ago (limit 5.0s)"
    );
}

#[test]
fn ghosts_count_as_voters_and_block_the_election() {
    let five = [26379, 26380, 26381, 26382, 26383];
    let lab = Lab {
        known: 5,
        answering: vec![26379, 26380],
        down_peers: vec![26381, 26382, 26383],
        ..Lab::healthy()
    };
    let r = lab.readiness_of(&five);
    assert_eq!(r.verdict, Verdict::Blocked);
    let c = condition(&r, Rule::Election);
    assert_eq!(c.status, Status::Blocked);
    assert!(
        c.summary
            .starts_with("election out of reach: 2 of 5 sentinels can vote, 3 needed"),
        "{}",
        c.summary
    );
    assert!(c.summary.contains("127.0.0.1:26383"), "{}", c.summary);
    assert!(
        c.remedy
            .as_ref()
            .unwrap()
            .contains("SENTINEL RESET mymaster")
    );
    assert!(
        c.evidence
            .iter()
            .any(|e| e.contains("last heard it 5m12s ago")),
        "{c:#?}"
    );
}

#[test]
fn tilt_blocks_objective_down_until_it_ends() {
    let lab = Lab {
        tilted: vec![(26380, 4), (26381, 10)],
        ..Lab::healthy()
    };
    let r = lab.readiness();
    assert_eq!(r.verdict, Verdict::Blocked);
    let c = condition(&r, Rule::ObjectiveDown);
    // 26381 entered TILT 10 s before the poll: it ends first, 20 s after NOW, and with it one
    // more sentinel reaches the quorum of 2.
    assert_eq!(c.until, Some(NOW - 10_000 + TILT_PERIOD_MS));
    assert!(
        c.summary
            .contains("1 of 3 sentinels can see the master down, quorum is 2")
    );
    let t = condition(&r, Rule::Tilt);
    assert_eq!(t.status, Status::AtRisk);
    assert_eq!(t.until, Some(NOW - 4000 + TILT_PERIOD_MS));
    // TILT sentinels still vote.
    assert_eq!(condition(&r, Rule::Election).status, Status::Ok);
}

#[test]
fn the_cooldown_after_an_attempt_holds_the_next_back() {
    let lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    let started = NOW - 5000;
    d.apply(Update::SentinelEvent {
        sentinel: a(26379),
        at: started - 1,
        event: "+new-epoch".into(),
        payload: "1".into(),
    });
    d.apply(Update::SentinelEvent {
        sentinel: a(26379),
        at: started,
        event: "+try-failover".into(),
        payload: "master mymaster 127.0.0.1 6379".into(),
    });
    for voter in [26380, 26381] {
        d.apply(Update::SentinelEvent {
            sentinel: a(voter),
            at: started + 20,
            event: "+vote-for-leader".into(),
            payload: "id26379 1".into(),
        });
    }
    // While the attempt runs, it is in progress; once aborted, the cooldown holds.
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    assert_eq!(
        condition(&r, Rule::Cooldown).summary,
        "a failover is in progress (an attempt in epoch 1)"
    );
    for (event, at) in [
        ("+elected-leader", started + 80),
        ("-failover-abort-no-good-slave", started + 120),
    ] {
        d.apply(Update::SentinelEvent {
            sentinel: a(26379),
            at,
            event: event.into(),
            payload: "master mymaster 127.0.0.1 6379".into(),
        });
    }
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    let c = condition(&r, Rule::Cooldown);
    assert_eq!(c.status, Status::Blocked, "{c:#?}");
    // failover-timeout 10 s: the first sentinel free again is the one that tried.
    assert_eq!(c.until, Some(started + 20_000 + MAX_DESYNC_MS));
    let later = started + 20_000 + 21;
    let r = d.readiness(&d.view("mymaster", later), later);
    assert_eq!(condition(&r, Rule::Cooldown).status, Status::Ok);
}

#[test]
fn denied_failover_commands_block_on_rights() {
    let lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    for port in [6379, 6380, 6381] {
        d.apply(Update::NodeRights {
            addr: a(port),
            rights: NodeRights {
                at: NOW,
                check: RightsCheck::Checked {
                    logins: vec![SentinelLogin {
                        sentinel_id: "id26379".into(),
                        user: "failover".into(),
                        denied: vec![Denied {
                            command: "SLAVEOF NO ONE".into(),
                            reason: "User failover has no permissions to run the 'slaveof' command"
                                .into(),
                        }],
                    }],
                },
            },
        });
    }
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    assert_eq!(r.verdict, Verdict::Blocked);
    assert_eq!(
        condition(&r, Rule::Rights).summary,
        "the sentinels' user may not run SLAVEOF NO ONE"
    );
}

#[test]
fn rights_not_read_do_not_change_the_verdict() {
    let r = Lab::healthy().readiness();
    let c = condition(&r, Rule::Rights);
    assert_eq!(c.status, Status::NotChecked);
    assert_eq!(r.verdict, Verdict::Ready);
}

#[test]
fn a_second_master_is_split_brain() {
    let lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    d.apply(Update::NodeInfo {
        addr: a(6380),
        at: NOW,
        rtt_ms: 1,
        info: ReplicationInfo::parse("role:master\r\nmaster_repl_offset:5200\r\n").unwrap(),
    });
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    let c = condition(&r, Rule::Writes);
    assert_eq!(c.status, Status::AtRisk);
    assert_eq!(
        c.summary,
        "split brain: 127.0.0.1:6380 still accepts writes as master (the sentinels' master is 127.0.0.1:6379)"
    );
}

#[test]
fn disagreeing_settings_are_named() {
    let lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    let mut u = lab.poll(26381, &SENTINELS);
    if let Update::SentinelPolled { poll, .. } = &mut u {
        poll.groups[0].master.down_after_ms = Some(5000);
    }
    d.apply(u);
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    let c = condition(&r, Rule::Consistency);
    assert_eq!(c.status, Status::AtRisk);
    assert_eq!(
        c.summary,
        "sentinels disagree on down-after-milliseconds: 1000 (127.0.0.1:26379 and 127.0.0.1:26380) vs 5000 (127.0.0.1:26381)"
    );
}

#[test]
fn one_sentinel_short_of_the_quorum_margin_is_at_risk() {
    let lab = Lab {
        answering: vec![26379, 26380],
        ..Lab::healthy()
    };
    let r = lab.readiness();
    assert_eq!(r.verdict, Verdict::AtRisk, "{r:#?}");
    assert!(
        r.headline
            .starts_with("AT RISK — 2 of 3 sentinels can see the master down")
    );
    assert!(r.headline.ends_with("; would promote 127.0.0.1:6381"));
}

#[test]
fn without_events_the_cooldown_is_not_checked() {
    // A snapshot (doctor) hears no events: nothing says when a sentinel last tried.
    let r = Lab::healthy().readiness();
    let c = condition(&r, Rule::Cooldown);
    assert_eq!(c.status, Status::NotChecked, "{c:#?}");
    assert!(c.summary.contains("20.0s"), "{}", c.summary);
    // Subscribed, with nothing heard: nothing holds the next attempt back.
    let mut d = Lab::healthy().deployment(&SENTINELS);
    for s in SENTINELS {
        d.apply(Update::PubSub {
            sentinel: a(s),
            at: NOW,
            up: true,
            detail: "subscribed".into(),
        });
    }
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    assert_eq!(condition(&r, Rule::Cooldown).status, Status::Ok);
}

#[test]
fn a_write_pause_on_the_master_is_said_with_its_time_left() {
    let lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    // Valkey 9.1's INFO replication and clients while CLIENT PAUSE 5000 WRITE runs.
    let text = "role:master\r\nmaster_repl_offset:5000\r\npaused_reason:client_pause\r\npaused_actions:write\r\npaused_timeout_milliseconds:4200\r\n";
    d.apply(Update::NodeInfo {
        addr: a(6379),
        at: NOW,
        rtt_ms: 1,
        info: ReplicationInfo::parse(text).unwrap(),
    });
    let r = d.readiness(&d.view("mymaster", NOW + 1000), NOW + 1000);
    let c = condition(&r, Rule::Writes);
    assert_eq!(c.status, Status::AtRisk, "{c:#?}");
    assert_eq!(
        c.summary,
        "the master 127.0.0.1:6379 has writes paused (client_pause), 3.2 s left"
    );
}

#[test]
fn replicas_streaming_from_the_master_are_as_far_along_whatever_came_between_readings() {
    // Both acked within the second (the master's INFO), though 6381 was read 150 bytes (one
    // sentinel hello) earlier than 6380: once the master stops, both hold what it sent.
    let lab = Lab::healthy();
    let mut d = lab.deployment(&SENTINELS);
    let master = "role:master\r\nconnected_slaves:2\r\nslave0:ip=127.0.0.1,port=6380,state=online,offset=5150,lag=0\r\nslave1:ip=127.0.0.1,port=6381,state=online,offset=5000,lag=1\r\nmaster_repl_offset:5150\r\n";
    d.apply(Update::NodeInfo {
        addr: a(6379),
        at: NOW,
        rtt_ms: 1,
        info: ReplicationInfo::parse(master).unwrap(),
    });
    let r = d.readiness(&d.view("mymaster", NOW), NOW);
    let p = r.promote.as_ref().unwrap();
    assert_eq!(
        (p.addr.clone(), p.decided_by),
        (a(6381), TieBreak::RunId),
        "{r:#?}"
    );
    assert!(r.replicas.iter().all(|v| v.in_sync), "{r:#?}");
}

/// The leader of a failover knows the replicas only from the master's INFO (every 10 s): a
/// sentinel started after them can win the election and abort with
/// `-failover-abort-no-good-slave`, as a test of passwords once did, and then no sentinel that
/// voted tries again for twice the failover-timeout.
#[test]
fn a_sentinel_that_knows_no_replica_could_lead_and_abort() {
    let mut lab = Lab::healthy();
    lab.unaware = vec![26381];
    let r = lab.readiness();
    assert_eq!(r.verdict, Verdict::AtRisk, "{r:#?}");
    let c = condition(&r, Rule::Replicas);
    assert_eq!(c.status, Status::AtRisk);
    assert_eq!(
        c.summary,
        "127.0.0.1:26381 knows no replica: elected, it would abort with -failover-abort-no-good-slave"
    );
    assert!(
        c.evidence[0].starts_with("would promote 127.0.0.1:6381"),
        "{c:#?}"
    );
    assert!(c.remedy.as_ref().unwrap().contains("INFO every 10 s"));
    assert_eq!(
        r.promote.as_ref().unwrap().addr,
        a(6381),
        "the others still pick"
    );

    // Every sentinel knows them: ready again.
    lab.unaware.clear();
    assert_eq!(lab.readiness().verdict, Verdict::Ready);
}
