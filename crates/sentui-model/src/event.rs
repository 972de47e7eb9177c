//! Parser for the events sentinels publish (`PSUBSCRIBE *`): the channel is the event name
//! (`+sdown`, `+switch-master`, ...), the message its payload. Names become a
//! [`SentinelEvent`] here and nowhere else; unknown names and malformed payloads are kept
//! verbatim ([`SentinelEvent::Other`], [`EventDetail::Raw`]): nothing is dropped.

use super::addr::Addr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`SentinelEvent`] from its table of names, so the names, the parser and the list of
/// known events cannot drift apart.
macro_rules! sentinel_events {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// An event Sentinel publishes, named as Redis's and Valkey's `sentinel.c` spell it
        /// (their `sentinelEvent` calls; `-dup-sentinel` from Redis before 3.0). It is written
        /// out (JSON, recordings) as that name.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum SentinelEvent {
            $($(#[$doc])* $variant,)*
            /// A name this list lacks (a newer or patched server's), kept as published.
            Other(String),
        }

        impl SentinelEvent {
    /// The known name closest to `name` (a typo's likely meaning), if one is close: two
    /// characters off at most (a newer server's event, `+failover-state-send-failover`, is
    /// further from every known one).
    pub fn nearest_known(name: &str) -> Option<&'static str> {
        nearest(name, SentinelEvent::KNOWN.iter().filter_map(|e| e.known_name()))
    }

            /// Every event this list knows.
            pub const KNOWN: &[SentinelEvent] = &[$(SentinelEvent::$variant),*];

            /// The event named `name` (the pub/sub channel it came on).
            pub fn parse(name: &str) -> SentinelEvent {
                match name {
                    $($name => SentinelEvent::$variant,)*
                    other => SentinelEvent::Other(other.to_string()),
                }
            }

            /// Its name as Sentinel publishes it.
            pub fn name(&self) -> &str {
                match self {
                    SentinelEvent::Other(name) => name,
                    known => known.known_name().unwrap_or_default(),
                }
            }

            /// Its name, when this list knows it (a name that outlives the value).
            pub fn known_name(&self) -> Option<&'static str> {
                match self {
                    $(SentinelEvent::$variant => Some($name),)*
                    SentinelEvent::Other(_) => None,
                }
            }
        }
    };
}

sentinel_events! {
    /// The instance is subjectively down (no valid reply for down-after-milliseconds).
    Sdown = "+sdown",
    SdownExit = "-sdown",
    /// The master is objectively down: `#quorum k/n` sentinels agree.
    Odown = "+odown",
    OdownExit = "-odown",
    /// The sentinel's current epoch moved (payload: the epoch).
    NewEpoch = "+new-epoch",
    /// The sentinel starts a failover attempt and asks for votes.
    TryFailover = "+try-failover",
    /// The sentinel voted (payload: the run id it voted for and the epoch).
    VoteForLeader = "+vote-for-leader",
    /// The sentinel won the election for the epoch (leader only, as what follows).
    ElectedLeader = "+elected-leader",
    FailoverStateSelectSlave = "+failover-state-select-slave",
    SelectedSlave = "+selected-slave",
    FailoverStateSendSlaveofNoone = "+failover-state-send-slaveof-noone",
    FailoverStateWaitPromotion = "+failover-state-wait-promotion",
    PromotedSlave = "+promoted-slave",
    FailoverStateReconfSlaves = "+failover-state-reconf-slaves",
    SlaveReconfSent = "+slave-reconf-sent",
    /// Sent best effort after a failover timed out.
    SlaveReconfSentBe = "+slave-reconf-sent-be",
    SlaveReconfSentTimeout = "-slave-reconf-sent-timeout",
    SlaveReconfInprog = "+slave-reconf-inprog",
    SlaveReconfDone = "+slave-reconf-done",
    FailoverEnd = "+failover-end",
    FailoverEndForTimeout = "+failover-end-for-timeout",
    /// The sentinel now names a new master for the group (every sentinel publishes it).
    SwitchMaster = "+switch-master",
    FailoverAbortNotElected = "-failover-abort-not-elected",
    FailoverAbortNoGoodSlave = "-failover-abort-no-good-slave",
    FailoverAbortSlaveTimeout = "-failover-abort-slave-timeout",
    /// Valkey 9's coordinated failover: the old primary did not finish its `FAILOVER TO` in
    /// time.
    FailoverAbortMasterTimeout = "-failover-abort-master-timeout",
    /// A replica that reported master is being turned back into a replica.
    ConvertToSlave = "+convert-to-slave",
    /// A replica replicating from the wrong master is being reconfigured.
    FixSlaveConfig = "+fix-slave-config",
    /// The instance reports a role that agrees with the sentinel's config.
    RoleChange = "+role-change",
    /// The instance reports a role that contradicts the sentinel's config.
    RoleChangeMismatch = "-role-change",
    /// The instance restarted (a new run id).
    Reboot = "+reboot",
    Slave = "+slave",
    Sentinel = "+sentinel",
    SentinelAddressSwitch = "+sentinel-address-switch",
    SentinelAddressUpdate = "+sentinel-address-update",
    SentinelInvalidAddr = "+sentinel-invalid-addr",
    /// Redis before 3.0 removed a duplicated sentinel.
    DupSentinel = "-dup-sentinel",
    /// The sentinel took another sentinel's newer config for the group.
    ConfigUpdateFrom = "+config-update-from",
    /// Timer irregularities: the sentinel stops acting for 30 s.
    Tilt = "+tilt",
    TiltExit = "-tilt",
    Monitor = "+monitor",
    Unmonitor = "-monitor",
    ResetMaster = "+reset-master",
    /// A `SENTINEL SET` changed the group's configuration.
    Set = "+set",
    CmdLinkReconnection = "-cmd-link-reconnection",
    PubsubLinkReconnection = "-pubsub-link-reconnection",
    ScriptChild = "+script-child",
    ScriptChildExit = "-script-child",
    ScriptError = "-script-error",
    ScriptTimeout = "-script-timeout",
}

impl SentinelEvent {
    /// How it reads at a glance.
    pub fn class(&self) -> EventClass {
        use SentinelEvent::*;
        match self {
            Sdown | Odown | Tilt | FailoverEndForTimeout => EventClass::Down,
            SdownExit | OdownExit | TiltExit | ConvertToSlave | FailoverEnd | SlaveReconfDone => {
                EventClass::Recovery
            }
            NewEpoch | VoteForLeader | ElectedLeader | TryFailover => EventClass::Vote,
            SelectedSlave | PromotedSlave | SwitchMaster => EventClass::Promotion,
            Slave | Sentinel | ConfigUpdateFrom | RoleChange | RoleChangeMismatch
            | SlaveReconfSent | SlaveReconfInprog | FixSlaveConfig | ResetMaster | Monitor
            | Unmonitor | Set => EventClass::Config,
            e if e.abort_reason().is_some() => EventClass::Down,
            e if e.is_failover_state() => EventClass::Promotion,
            _ => EventClass::Info,
        }
    }

    /// For a `-failover-abort-*` (known or not): why, in words (`no good slave`).
    pub fn abort_reason(&self) -> Option<String> {
        let reason = self.name().strip_prefix("-failover-abort-")?;
        Some(reason.replace('-', " "))
    }

    /// Why an attempt aborted, in words, with what it means where the name alone does not say:
    /// Valkey 9's `master timeout`, which no other tool explains.
    pub fn abort_explained(&self) -> Option<String> {
        let reason = self.abort_reason()?;
        let why = match self {
            SentinelEvent::FailoverAbortMasterTimeout => {
                "the old primary did not finish the coordinated hand-over (FAILOVER TO) in \
                 time: it stays master, and may hold writes paused until its CLIENT PAUSE runs out"
            }
            _ => return Some(reason),
        };
        Some(format!("{reason}: {why}"))
    }

    /// A step of the leader's failover state machine (`+failover-state-*`, known or not).
    pub fn is_failover_state(&self) -> bool {
        self.name().starts_with("+failover-state-")
    }
}

impl std::fmt::Display for SentinelEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // pad: the log's columns are `{:<w$}`.
        f.pad(self.name())
    }
}

impl Serialize for SentinelEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for SentinelEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(SentinelEvent::parse(&String::deserialize(d)?))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceKind {
    Master,
    Replica,
    Sentinel,
}

impl InstanceKind {
    /// `master`, `replica` or `sentinel`.
    pub fn word(self) -> &'static str {
        match self {
            InstanceKind::Master => "master",
            InstanceKind::Replica => "replica",
            InstanceKind::Sentinel => "sentinel",
        }
    }
}

/// Sentinel's "instance details": `<type> <name> <ip> <port> [@ <master> <mip> <mport>]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub kind: InstanceKind,
    /// The master name for a master, `ip:port` for a replica, the run id for a sentinel.
    pub name: String,
    pub addr: Addr,
    /// For replicas and sentinels: the master group and its address.
    pub master: Option<(String, Addr)>,
}

impl Instance {
    /// The master group this instance belongs to.
    pub fn group(&self) -> &str {
        match (&self.kind, &self.master) {
            (_, Some((name, _))) => name,
            _ => &self.name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[derive(Default)]
pub enum EventDetail {
    /// An event about one instance, with what follows the details (`#quorum 2/2`,
    /// `new reported role is master`, ...).
    Instance {
        instance: Instance,
        #[serde(skip_serializing_if = "Option::is_none")]
        quorum: Option<(u32, u32)>,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra: Option<String>,
    },
    NewEpoch {
        epoch: u64,
    },
    VoteForLeader {
        run_id: String,
        epoch: u64,
    },
    SwitchMaster {
        group: String,
        old: Addr,
        new: Addr,
    },
    Tilt {
        entered: bool,
    },
    #[default]
    Raw,
}

impl EventDetail {
    pub fn parse(event: &SentinelEvent, payload: &str) -> Self {
        let words: Vec<&str> = payload.split_whitespace().collect();
        match event {
            SentinelEvent::NewEpoch => {
                if let [epoch] = words[..]
                    && let Ok(epoch) = epoch.parse()
                {
                    return EventDetail::NewEpoch { epoch };
                }
            }
            SentinelEvent::VoteForLeader => {
                if let [run_id, epoch] = words[..]
                    && let Ok(epoch) = epoch.parse()
                {
                    return EventDetail::VoteForLeader {
                        run_id: run_id.to_string(),
                        epoch,
                    };
                }
            }
            SentinelEvent::SwitchMaster => {
                if let [group, oh, op, nh, np] = words[..]
                    && let (Some(old), Some(new)) =
                        (Addr::from_parts(oh, op), Addr::from_parts(nh, np))
                {
                    return EventDetail::SwitchMaster {
                        group: group.to_string(),
                        old,
                        new,
                    };
                }
            }
            SentinelEvent::Tilt | SentinelEvent::TiltExit => {
                return EventDetail::Tilt {
                    entered: *event == SentinelEvent::Tilt,
                };
            }
            _ => {}
        }
        parse_instance(&words).unwrap_or(EventDetail::Raw)
    }

    pub fn instance(&self) -> Option<&Instance> {
        match self {
            EventDetail::Instance { instance, .. } => Some(instance),
            _ => None,
        }
    }

    /// The master group the event is about, when the payload names one.
    pub fn group(&self) -> Option<&str> {
        match self {
            EventDetail::Instance { instance, .. } => Some(instance.group()),
            EventDetail::SwitchMaster { group, .. } => Some(group),
            _ => None,
        }
    }
}

fn parse_instance(words: &[&str]) -> Option<EventDetail> {
    let kind = match *words.first()? {
        "master" => InstanceKind::Master,
        "slave" | "replica" => InstanceKind::Replica,
        "sentinel" => InstanceKind::Sentinel,
        _ => return None,
    };
    let name = words.get(1)?.to_string();
    let addr = Addr::from_parts(words.get(2)?, words.get(3)?)?;
    let mut rest = &words[4..];
    let mut master = None;
    if rest.first() == Some(&"@") {
        let m = Addr::from_parts(rest.get(2)?, rest.get(3)?)?;
        master = Some((rest.get(1)?.to_string(), m));
        rest = &rest[4..];
    }
    let mut quorum = None;
    let mut extra = Vec::new();
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        if *w == "#quorum"
            && let Some(q) = it.next()
            && let Some((k, n)) = q.split_once('/')
            && let (Ok(k), Ok(n)) = (k.parse(), n.parse())
        {
            quorum = Some((k, n));
        } else {
            extra.push(*w);
        }
    }
    Some(EventDetail::Instance {
        instance: Instance {
            kind,
            name,
            addr,
            master,
        },
        quorum,
        extra: (!extra.is_empty()).then(|| extra.join(" ")),
    })
}

/// How an event reads at a glance; drives colours in the TUI and folding in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(Default)]
pub enum EventClass {
    Down,
    Vote,
    Promotion,
    Recovery,
    Config,
    Fault,
    #[default]
    Info,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Addr {
        s.parse().unwrap()
    }

    /// What the parser makes of a published event.
    fn parse(event: &str, payload: &str) -> EventDetail {
        EventDetail::parse(&SentinelEvent::parse(event), payload)
    }

    #[test]
    fn every_known_name_reads_back_as_itself_and_unknown_ones_are_kept() {
        let mut names: Vec<&str> = SentinelEvent::KNOWN.iter().map(|e| e.name()).collect();
        for e in SentinelEvent::KNOWN {
            assert_eq!(&SentinelEvent::parse(e.name()), e);
            assert!(e.name().starts_with(['+', '-']), "{e}");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SentinelEvent::KNOWN.len(), "names are unique");
        let new = SentinelEvent::parse("+failover-state-send-failover");
        assert_eq!(
            new,
            SentinelEvent::Other("+failover-state-send-failover".into())
        );
        assert_eq!(new.name(), "+failover-state-send-failover");
        assert_eq!(
            serde_json::to_string(&SentinelEvent::SwitchMaster).unwrap(),
            "\"+switch-master\""
        );
        assert_eq!(
            serde_json::from_str::<SentinelEvent>("\"-sdown\"").unwrap(),
            SentinelEvent::SdownExit
        );
    }

    #[test]
    fn aborts_and_failover_states_are_told_apart_also_when_new() {
        assert_eq!(
            SentinelEvent::FailoverAbortNoGoodSlave
                .abort_reason()
                .as_deref(),
            Some("no good slave")
        );
        let unknown_abort = SentinelEvent::parse("-failover-abort-x-sdown");
        assert_eq!(unknown_abort.abort_reason().as_deref(), Some("x sdown"));
        assert_eq!(unknown_abort.class(), EventClass::Down);
        assert_eq!(SentinelEvent::SwitchMaster.abort_reason(), None);
        let explained = SentinelEvent::FailoverAbortMasterTimeout.abort_explained();
        assert!(
            explained
                .as_deref()
                .is_some_and(|e| e.starts_with("master timeout: the old primary did not finish")),
            "{explained:?}"
        );
        assert_eq!(
            SentinelEvent::FailoverAbortNoGoodSlave.abort_explained(),
            SentinelEvent::FailoverAbortNoGoodSlave.abort_reason()
        );
        assert!(SentinelEvent::FailoverStateSelectSlave.is_failover_state());
        assert_eq!(
            SentinelEvent::parse("+failover-state-send-failover").class(),
            EventClass::Promotion
        );
        assert_eq!(
            SentinelEvent::parse("+cluster-state").class(),
            EventClass::Info
        );
        assert_eq!(SentinelEvent::TiltExit.class(), EventClass::Recovery);
    }

    #[test]
    fn instance_details_with_and_without_master() {
        let d = parse("+sdown", "master mymaster 127.0.0.1 16379");
        let i = d.instance().unwrap();
        assert_eq!(i.kind, InstanceKind::Master);
        assert_eq!(i.group(), "mymaster");
        assert_eq!(i.addr, a("127.0.0.1:16379"));

        let d = parse(
            "+selected-slave",
            "slave 127.0.0.1:16380 127.0.0.1 16380 @ mymaster 127.0.0.1 16379",
        );
        let i = d.instance().unwrap();
        assert_eq!(i.kind, InstanceKind::Replica);
        assert_eq!(i.addr, a("127.0.0.1:16380"));
        assert_eq!(i.master, Some(("mymaster".into(), a("127.0.0.1:16379"))));
    }

    #[test]
    fn quorum_and_trailing_text() {
        match parse("+odown", "master mymaster 127.0.0.1 16379 #quorum 3/2") {
            EventDetail::Instance { quorum, extra, .. } => {
                assert_eq!(quorum, Some((3, 2)));
                assert_eq!(extra, None);
            }
            other => panic!("{other:?}"),
        }
        match parse(
            "-role-change",
            "slave 127.0.0.1:16380 127.0.0.1 16380 @ mymaster 127.0.0.1 16379 new reported role is master",
        ) {
            EventDetail::Instance { extra, .. } => {
                assert_eq!(extra.as_deref(), Some("new reported role is master"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hostnames_in_details() {
        let d = parse(
            "+slave",
            "slave redis-replica-1:6379 redis-replica-1 6379 @ mymaster redis-master 6379",
        );
        assert_eq!(d.instance().unwrap().addr, a("redis-replica-1:6379"));
    }

    #[test]
    fn special_events() {
        assert_eq!(parse("+new-epoch", "7"), EventDetail::NewEpoch { epoch: 7 });
        assert_eq!(
            parse("+vote-for-leader", "82577b 1"),
            EventDetail::VoteForLeader {
                run_id: "82577b".into(),
                epoch: 1
            }
        );
        assert_eq!(
            parse("+switch-master", "mymaster 127.0.0.1 16379 127.0.0.1 16380"),
            EventDetail::SwitchMaster {
                group: "mymaster".into(),
                old: a("127.0.0.1:16379"),
                new: a("127.0.0.1:16380"),
            }
        );
        assert_eq!(
            parse("+tilt", "#tilt mode entered"),
            EventDetail::Tilt { entered: true }
        );
    }

    #[test]
    fn garbage_is_kept_raw() {
        for (e, p) in [
            ("+new-epoch", "x"),
            ("+vote-for-leader", "only-one"),
            ("+switch-master", "m 1 2 3"),
            ("+sdown", "master m host notaport"),
            ("+whatever", ""),
            ("+sdown", "slave a b"),
            ("+sdown", "slave n 127.0.0.1 1 @ m"),
        ] {
            assert_eq!(parse(e, p), EventDetail::Raw, "{e} {p}");
        }
    }
}

/// Of `names`, the one closest to `name` (a typo's likely meaning), two characters off at
/// most; None when `name` is one of them or none is that close.
pub(crate) fn nearest(
    name: &str,
    names: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    names
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d > 0 && *d <= 2)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance: characters inserted, removed or replaced to turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod nearest_tests {
    use super::SentinelEvent;

    #[test]
    fn typos_find_the_event_they_meant() {
        assert_eq!(
            SentinelEvent::nearest_known("+switch-mastr"),
            Some("+switch-master")
        );
        assert_eq!(SentinelEvent::nearest_known("+odwn"), Some("+odown"));
        assert_eq!(SentinelEvent::nearest_known("+nonsense-event"), None);
    }
}
