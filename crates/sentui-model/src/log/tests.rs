//! The log: folding, time order, bounds and event names.

use super::*;

fn ev(ts: Millis, s: &str, event: SentinelEvent, payload: &str) -> LogEntry {
    LogEntry::new(ts, Source::Sentinel, event.name(), payload).from_sentinel(s.parse().unwrap())
}

#[test]
fn folds_the_same_event_from_several_sentinels() {
    let mut log = EventLog::default();
    let p = "mymaster 127.0.0.1 16379 127.0.0.1 16380";
    log.push(ev(100, "127.0.0.1:1", SentinelEvent::SwitchMaster, p));
    log.push(ev(101, "127.0.0.1:2", SentinelEvent::SwitchMaster, p));
    log.push(ev(
        102,
        "127.0.0.1:2",
        SentinelEvent::Slave,
        "slave a:1 a 1 @ mymaster 127.0.0.1 16380",
    ));
    log.push(ev(1100, "127.0.0.1:3", SentinelEvent::SwitchMaster, p));
    log.push(ev(9000, "127.0.0.1:1", SentinelEvent::SwitchMaster, p));
    let rows = log.folded(2000);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].sentinels.len(), 3);
    assert_eq!(rows[2].sentinels.len(), 1);
    assert_eq!(log.len(), 5, "folding keeps every per-sentinel record");
}

#[test]
fn own_event_names_read_back_and_are_documented() {
    let doc = include_str!("../../../../docs/status.md");
    for e in OwnEvent::ALL {
        let name = e.name();
        assert_eq!(OwnEvent::parse(name), Some(e));
        assert!(
            doc.contains(&format!("`{name}`")),
            "{name} is in docs/status.md"
        );
    }
    let fault = LogEntry::own(1, OwnEvent::Fault, "x");
    assert!(fault.is(OwnEvent::Fault) && fault.source == Source::Sentui);
    let die = LogEntry::own(1, OwnEvent::ContainerDie, "x");
    assert_eq!(die.source, Source::Docker);
    assert_eq!(die.own_event(), Some(OwnEvent::ContainerDie));
    let sentinel = LogEntry::new(1, Source::Sentinel, "fault", "");
    assert!(!sentinel.is(OwnEvent::Fault), "the source counts");
}

#[test]
fn entries_are_written_by_name_and_read_back_parsed() {
    let sdown = ev(
        5,
        "127.0.0.1:1",
        SentinelEvent::Sdown,
        "master m 127.0.0.1 7",
    );
    let json = serde_json::to_string(&sdown).unwrap();
    assert!(
        json.contains(r#""source":"sentinel","event":"+sdown""#),
        "{json}"
    );
    let back: LogEntry = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sdown, "the event and its detail are parsed again");
    assert_eq!(back.sentinel_event(), Some(&SentinelEvent::Sdown));

    // A name from another version is kept as it was written.
    let old = r#"{"seq":3,"ts":9,"source":"sentui","event":"node-frozen","payload":"x"}"#;
    let old: LogEntry = serde_json::from_str(old).unwrap();
    assert_eq!(old.event, Event::Unknown("node-frozen".into()));
    assert!(
        serde_json::to_string(&old)
            .unwrap()
            .contains(r#""event":"node-frozen""#)
    );
    // sentui's names stay sentui's: from a sentinel they are just unknown channels.
    assert_eq!(
        LogEntry::new(1, Source::Sentinel, "fault", "").event,
        Event::Sentinel(SentinelEvent::Other("fault".into()))
    );
}

#[test]
fn events_a_user_names() {
    assert_eq!(
        "+switch-master".parse(),
        Ok(Event::Sentinel(SentinelEvent::SwitchMaster))
    );
    assert_eq!(
        "fault-cleared".parse(),
        Ok(Event::Own(OwnEvent::FaultCleared))
    );
    assert_eq!(
        "+failover-state-send-failover"
            .parse::<Event>()
            .map(|e| e.class()),
        Ok(EventClass::Promotion),
        "a newer server's event is still an event"
    );
    for bad in ["switch-master", "", "+", "+switch master", "nonsense-event"] {
        assert_eq!(bad.parse::<Event>(), Err(NotAnEvent::Unknown(bad.into())));
    }
    // One of sentui's names a typo away is named, like Sentinel's.
    for typo in ["failover-complet", "failover-completed", "fault-cleard"] {
        let meant = match typo {
            "fault-cleard" => "fault-cleared",
            _ => "failover-complete",
        };
        assert_eq!(
            typo.parse::<Event>(),
            Err(NotAnEvent::OwnTypo {
                name: typo.into(),
                meant
            })
        );
    }
}

#[test]
fn shown_in_time_order_streamed_in_arrival_order() {
    let mut log = EventLog::default();
    log.push(ev(
        100,
        "127.0.0.1:1",
        SentinelEvent::Sdown,
        "master m 127.0.0.1 1",
    ));
    // A Docker event stamped by the engine before the sdown, received after it.
    let mut late = LogEntry::own(40, OwnEvent::ContainerPause, "redis-master");
    late.received_at = Some(130);
    log.push(late);
    let order: Vec<&Event> = log.folded(0).iter().map(|r| &r.first.event).collect();
    assert_eq!(
        order,
        [
            &Event::Own(OwnEvent::ContainerPause),
            &Event::Sentinel(SentinelEvent::Sdown)
        ]
    );
    let streamed: Vec<u64> = log.since(0).map(|e| e.seq).collect();
    assert_eq!(streamed, [0, 1], "since() keeps arrival order");
    assert_eq!(log.get(1).unwrap().received(), 130);
    assert_eq!(log.get(0).unwrap().received(), 100);
    assert!(log.get(2).is_none());
}

#[test]
fn bounded_with_a_drop_count() {
    let mut log = EventLog::with_capacity(3);
    for i in 0..10 {
        log.push(LogEntry::new(i, Source::Sentui, "x", ""));
    }
    assert_eq!(log.len(), 3);
    assert_eq!(log.dropped(), 7);
    assert_eq!(log.entries().next().unwrap().seq, 7);
    assert_eq!(log.since(8).count(), 2);
}

#[test]
fn drawn_marks_only_new_entries() {
    let mut log = EventLog::default();
    log.push(LogEntry::new(10, Source::Sentui, "a", ""));
    assert_eq!(log.mark_drawn(15), vec![5]);
    log.push(LogEntry::new(20, Source::Sentui, "b", ""));
    assert_eq!(log.mark_drawn(40), vec![20]);
    assert!(log.mark_drawn(50).is_empty());
}
