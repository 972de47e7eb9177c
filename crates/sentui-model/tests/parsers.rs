//! Property tests of the parsers (proptest, 512 cases each; PROPTEST_CASES=N for a longer
//! pass). Whatever a server sends, no parser panics and the model keeps going; and what a
//! server writes in its documented form reads back as exactly the values it was made from:
//! addresses, event payloads (instance details, `+switch-master`, epochs, votes), INFO
//! replication of masters and replicas, and SENTINEL SENTINELS records.

use proptest::prelude::*;
use sentui_model::event::{EventDetail, Instance, InstanceKind, SentinelEvent};
use sentui_model::info::{ReplicationInfo, Role, ServerInfo};
use sentui_model::reply::{Ckquorum, MasterRecord, PeerRecord, Record, ReplicaRecord};
use sentui_model::state::{Deployment, Update};
use sentui_model::{Addr, AddrMap};

/// Cases per property: a short pass (512) on every test run, PROPTEST_CASES=N for a longer one.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

/// A SENTINEL list entry: known keys and others, with any values.
fn record() -> impl Strategy<Value = Record> {
    let key = prop_oneof![
        Just("name".to_string()),
        Just("ip".to_string()),
        Just("port".to_string()),
        Just("flags".to_string()),
        Just("config-epoch".to_string()),
        Just("quorum".to_string()),
        Just("voted-leader".to_string()),
        Just("master-host".to_string()),
        Just("master-port".to_string()),
        ".{0,12}",
    ];
    prop::collection::vec((key, ".{0,24}"), 0..16)
}

/// A host as Sentinel announces one: an IPv4 or IPv6 literal, or a name.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        "[0-9a-f]{1,4}(:[0-9a-f]{1,4}){1,7}",
        "[a-z][a-z0-9-]{0,15}(\\.[a-z][a-z0-9-]{0,8}){0,2}",
    ]
}

fn addr() -> impl Strategy<Value = Addr> {
    (host(), 1..=u16::MAX).prop_map(|(h, p)| Addr::new(h, p))
}

/// A word of a payload: never blank, never `#quorum` or `@`.
fn word() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9_-]{0,11}"
}

fn instance() -> impl Strategy<Value = Instance> {
    let kind = prop_oneof![
        Just(InstanceKind::Master),
        Just(InstanceKind::Replica),
        Just(InstanceKind::Sentinel),
    ];
    (kind, word(), addr(), proptest::option::of((word(), addr()))).prop_map(
        |(kind, name, addr, master)| Instance {
            // A master has no `@ <master> ...` part; the others have one.
            master: if kind == InstanceKind::Master {
                None
            } else {
                master.or_else(|| Some(("mymaster".into(), Addr::new("10.0.0.1", 6379))))
            },
            kind,
            name,
            addr,
        },
    )
}

/// Sentinel's instance details: `<type> <name> <ip> <port> [@ <master> <mip> <mport>]`, with
/// `slave` for a replica as Redis writes it.
fn details(i: &Instance) -> String {
    let kind = match i.kind {
        InstanceKind::Replica => "slave",
        other => other.word(),
    };
    let mut s = format!("{kind} {} {} {}", i.name, i.addr.host, i.addr.port);
    if let Some((name, m)) = &i.master {
        s.push_str(&format!(" @ {name} {} {}", m.host, m.port));
    }
    s
}

/// A replica as its master lists it: address, state, offset, lag.
fn connected() -> impl Strategy<Value = (Addr, String, i64, i64)> {
    (
        addr(),
        prop_oneof![
            Just("online".to_string()),
            Just("wait_bgsave".to_string()),
            Just("send_bulk".to_string()),
        ],
        0..i64::MAX,
        0..3600i64,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn event_payloads_never_panic(event in "[+-]?[a-z-]{0,20}", payload in ".{0,120}") {
        let _ = EventDetail::parse(&SentinelEvent::parse(&event), &payload);
    }

    #[test]
    fn instance_like_payloads_never_panic(
        kind in prop_oneof![Just("master"), Just("slave"), Just("sentinel"), Just("x")],
        words in prop::collection::vec("[^ ]{0,12}", 0..12),
    ) {
        let payload = format!("{kind} {}", words.join(" "));
        for event in ["+sdown", "+odown", "+switch-master", "+vote-for-leader", "+new-epoch", "+tilt"] {
            let _ = EventDetail::parse(&SentinelEvent::parse(event), &payload);
        }
    }

    #[test]
    fn info_replies_never_panic(text in ".{0,400}", lines in prop::collection::vec("[a-z_0-9]{0,16}:[^\\r\\n]{0,40}", 0..20)) {
        let _ = ReplicationInfo::parse(&text);
        let joined = lines.join("\r\n");
        let _ = ReplicationInfo::parse(&joined);
        let _ = ReplicationInfo::parse(&format!("role:master\r\n{joined}"));
        let _ = ReplicationInfo::parse(&format!("role:slave\r\n{joined}"));
        let _ = ServerInfo::parse(&joined);
    }

    #[test]
    fn sentinel_records_never_panic(r in record()) {
        let _ = MasterRecord::parse(&r);
        let _ = ReplicaRecord::parse(&r);
        let _ = PeerRecord::parse(&r);
    }

    #[test]
    fn addresses_maps_and_ckquorum_never_panic(s in ".{0,40}") {
        let _ = s.parse::<Addr>();
        let _ = AddrMap::parse_entry(&s);
        let _ = Ckquorum::from_reply(Ok(&s));
        let _ = Ckquorum::from_reply(Err(&s));
    }

    /// Whatever the sentinels publish, in whatever order, the model keeps going.
    #[test]
    fn arbitrary_event_streams_keep_the_model_sound(
        events in prop::collection::vec((0u16..3, "[+-][a-z-]{1,16}", ".{0,60}"), 0..60)
    ) {
        let mut d = Deployment::default();
        for (i, (s, e, p)) in events.into_iter().enumerate() {
            d.apply(Update::SentinelEvent { sentinel: Addr::new("127.0.0.1", 26380 + s), at: i as u64, event: e, payload: p });
        }
        let _ = d.views(1_000);
    }

    /// An address as sentui prints it (IPv6 in brackets) and as JSON reads back the same,
    /// and so does a `--map ANNOUNCED=REACHABLE` entry.
    #[test]
    fn addresses_read_back_as_printed(a in addr(), b in addr()) {
        prop_assert_eq!(a.to_string().parse::<Addr>(), Ok(a.clone()));
        let json = serde_json::to_string(&a).unwrap();
        prop_assert_eq!(serde_json::from_str::<Addr>(&json).unwrap(), a.clone());
        prop_assert_eq!(AddrMap::parse_entry(&format!("{a}={b}")), Ok((a, b)));
    }

    /// Instance details with a `#quorum k/n` and any words after them read back field by field.
    #[test]
    fn instance_details_read_back(
        i in instance(),
        event in prop_oneof![Just("+sdown"), Just("-sdown"), Just("+odown"), Just("+slave"),
            Just("+sentinel"), Just("+convert-to-slave"), Just("+promoted-slave")],
        quorum in proptest::option::of((0..10u32, 1..10u32)),
        extra in prop::collection::vec(word(), 0..4),
    ) {
        let mut payload = details(&i);
        if let Some((k, n)) = quorum {
            payload.push_str(&format!(" #quorum {k}/{n}"));
        }
        for w in &extra {
            payload.push(' ');
            payload.push_str(w);
        }
        let parsed = EventDetail::parse(&SentinelEvent::parse(event), &payload);
        let want = EventDetail::Instance {
            instance: i,
            quorum,
            extra: (!extra.is_empty()).then(|| extra.join(" ")),
        };
        prop_assert_eq!(&parsed, &want, "{} {}", event, payload);
        // As recorded and printed (JSON), it reads back the same.
        let json = serde_json::to_string(&parsed).unwrap();
        prop_assert_eq!(serde_json::from_str::<EventDetail>(&json).unwrap(), want);
    }

    /// `+switch-master <name> <oldip> <oldport> <newip> <newport>`, however the words are spaced.
    #[test]
    fn switch_master_reads_back(group in word(), old in addr(), new in addr(), gap in " {1,3}") {
        let payload = [group.clone(), old.host.clone(), old.port.to_string(), new.host.clone(), new.port.to_string()]
            .join(&gap);
        prop_assert_eq!(
            EventDetail::parse(&SentinelEvent::parse("+switch-master"), &payload),
            EventDetail::SwitchMaster { group, old, new }
        );
    }

    #[test]
    fn epochs_and_votes_read_back(epoch in any::<u64>(), run_id in "[0-9a-f]{40}") {
        prop_assert_eq!(
            EventDetail::parse(&SentinelEvent::parse("+new-epoch"), &epoch.to_string()),
            EventDetail::NewEpoch { epoch }
        );
        prop_assert_eq!(
            EventDetail::parse(&SentinelEvent::parse("+vote-for-leader"), &format!("{run_id} {epoch}")),
            EventDetail::VoteForLeader { run_id, epoch }
        );
    }

    /// A master's INFO replication, as Redis writes it (CRLF or LF), gives back its offset, its
    /// replication id and every replica line.
    #[test]
    fn a_masters_info_reads_back(
        offset in 0..i64::MAX,
        replid in "[0-9a-f]{40}",
        replicas in prop::collection::vec(connected(), 0..6),
        eol in prop_oneof![Just("\r\n"), Just("\n")],
    ) {
        let mut lines = vec!["# Replication".to_string(), "role:master".into(), format!("connected_slaves:{}", replicas.len())];
        for (n, (a, state, off, lag)) in replicas.iter().enumerate() {
            lines.push(format!("slave{n}:ip={},port={},state={state},offset={off},lag={lag}", a.host, a.port));
        }
        lines.push(format!("master_replid:{replid}"));
        lines.push(format!("master_repl_offset:{offset}"));
        let info = ReplicationInfo::parse(&(lines.join(eol) + eol)).unwrap();
        prop_assert_eq!(info.role, Role::Master);
        prop_assert_eq!(info.offset, offset);
        prop_assert_eq!(info.replid, Some(replid));
        prop_assert_eq!(info.master, None);
        let got: Vec<_> = info
            .connected_replicas
            .iter()
            .map(|r| (r.addr.clone(), r.state.clone(), r.offset, r.lag_secs, r.rdb_channel))
            .collect();
        let want: Vec<_> = replicas.into_iter().map(|(a, s, o, l)| (a, s, o, l, false)).collect();
        prop_assert_eq!(got, want);
    }

    /// A replica's INFO replication gives back its master, link, I/O age (none while the link
    /// is down: -1), sync, offset and priority.
    #[test]
    fn a_replicas_info_reads_back(
        master in addr(),
        up in any::<bool>(),
        io in -1..100_000i64,
        syncing in any::<bool>(),
        offset in 0..i64::MAX,
        priority in 0..1000i64,
    ) {
        let text = format!(
            "# Replication\r\nrole:slave\r\nmaster_host:{}\r\nmaster_port:{}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:{io}\r\nmaster_sync_in_progress:{}\r\nslave_repl_offset:{offset}\r\nslave_priority:{priority}\r\nconnected_slaves:0\r\nmaster_repl_offset:{offset}\r\n",
            master.host,
            master.port,
            if up { "up" } else { "down" },
            u8::from(syncing),
        );
        let info = ReplicationInfo::parse(&text).unwrap();
        prop_assert_eq!(info.role, Role::Replica);
        prop_assert_eq!(info.master, Some(master));
        prop_assert_eq!(info.link_up, Some(up));
        prop_assert_eq!(info.last_io_secs, (io >= 0).then_some(io));
        prop_assert_eq!(info.sync_in_progress, syncing);
        prop_assert_eq!(info.offset, offset);
        prop_assert_eq!(info.replica_priority, Some(priority));
        prop_assert!(info.connected_replicas.is_empty());
    }

    /// A SENTINEL SENTINELS entry gives back its address, run id, flags and vote (`?`: none).
    #[test]
    fn a_peer_record_reads_back(
        a in addr(),
        run_id in "[0-9a-f]{40}",
        flags in prop::collection::vec(prop_oneof![Just("sentinel"), Just("s_down"), Just("disconnected")], 1..3),
        voted in proptest::option::of("[0-9a-f]{40}"),
        epoch in any::<u64>(),
        ping in 0..100_000i64,
    ) {
        let port = a.port.to_string();
        let ping_s = ping.to_string();
        let epoch_s = epoch.to_string();
        let flags_s = flags.join(",");
        let r: Record = [
            ("name", run_id.as_str()),
            ("ip", a.host.as_str()),
            ("port", &port),
            ("runid", &run_id),
            ("flags", &flags_s),
            ("last-ok-ping-reply", &ping_s),
            ("voted-leader", voted.as_deref().unwrap_or("?")),
            ("voted-leader-epoch", &epoch_s),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let p = PeerRecord::parse(&r).unwrap();
        prop_assert_eq!(p.addr, a);
        prop_assert_eq!(p.run_id, Some(run_id));
        // A set: a flag listed twice is held once, in the order first listed.
        let mut want: Vec<String> = Vec::new();
        for f in &flags {
            if !want.iter().any(|w| w == f) {
                want.push(f.to_string());
            }
        }
        prop_assert_eq!(p.flags.iter().map(|f| f.name().to_string()).collect::<Vec<_>>(), want);
        prop_assert_eq!(p.last_ok_ping_ms, Some(ping));
        prop_assert_eq!(p.voted_leader, voted);
        prop_assert_eq!(p.voted_leader_epoch, epoch);
    }
}
