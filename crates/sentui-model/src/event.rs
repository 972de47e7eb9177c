//! Parser for the events sentinels publish (`PSUBSCRIBE *`): the channel is the event name
//! (`+sdown`, `+switch-master`, ...), the message its payload. Unknown or malformed payloads are
//! kept verbatim as [`EventDetail::Raw`]; nothing is dropped.

use super::addr::Addr;
use super::log::OwnEvent;
use serde::{Deserialize, Serialize};

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
    pub fn parse(event: &str, payload: &str) -> Self {
        let words: Vec<&str> = payload.split_whitespace().collect();
        match event {
            "+new-epoch" => {
                if let [epoch] = words[..]
                    && let Ok(epoch) = epoch.parse()
                {
                    return EventDetail::NewEpoch { epoch };
                }
            }
            "+vote-for-leader" => {
                if let [run_id, epoch] = words[..]
                    && let Ok(epoch) = epoch.parse()
                {
                    return EventDetail::VoteForLeader {
                        run_id: run_id.to_string(),
                        epoch,
                    };
                }
            }
            "+switch-master" => {
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
            "+tilt" | "-tilt" => {
                return EventDetail::Tilt {
                    entered: event == "+tilt",
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

pub fn classify(event: &str) -> EventClass {
    if let Some(own) = OwnEvent::parse(event) {
        return classify_own(own);
    }
    match event {
        "+sdown" | "+odown" | "+tilt" => EventClass::Down,
        "-sdown" | "-odown" | "-tilt" | "+convert-to-slave" | "+failover-end"
        | "+slave-reconf-done" => EventClass::Recovery,
        "+new-epoch" | "+vote-for-leader" | "+elected-leader" | "+try-failover" => EventClass::Vote,
        "+selected-slave"
        | "+promoted-slave"
        | "+switch-master"
        | "+failover-state-send-slaveof-noone"
        | "+failover-state-wait-promotion"
        | "+failover-state-select-slave"
        | "+failover-state-reconf-slaves" => EventClass::Promotion,
        e if e.starts_with("-failover-abort") || e == "+failover-end-for-timeout" => {
            EventClass::Down
        }
        "+slave"
        | "+sentinel"
        | "+config-update-from"
        | "+role-change"
        | "-role-change"
        | "+slave-reconf-sent"
        | "+slave-reconf-inprog"
        | "+fix-slave-config"
        | "+reset-master"
        | "+monitor"
        | "-monitor"
        | "+set" => EventClass::Config,
        _ => EventClass::Info,
    }
}

/// The class of sentui's own events and Docker's.
fn classify_own(e: OwnEvent) -> EventClass {
    use OwnEvent::*;
    match e {
        NodeUnresponsive
        | NodeDown
        | SentinelUnresponsive
        | SentinelDown
        | LinkDown
        | EventsLinkDown
        | SentinelTilt
        | ContainerDie
        | ContainerKill
        | ContainerOom
        | ContainerUnhealthy
        | NetworkDisconnect
        | DockerEngineUnreachable
        | DockerEventsDown
        | FailoverAborted
        | ProbeUnavailable => EventClass::Down,
        NodeResponsive
        | NodeUp
        | SentinelResponsive
        | SentinelUp
        | LinkUp
        | EventsLinkUp
        | SentinelTiltExit
        | ContainerUnpause
        | ContainerStart
        | ContainerRestart
        | ContainerHealthy
        | NetworkConnect
        | DockerEngineReachable
        | FaultCleared
        | FailoverComplete
        | MasterRecovered
        | ProbeAvailable => EventClass::Recovery,
        Fault | ManualFailover | ContainerPause | ContainerStop => EventClass::Fault,
        RoleChange => EventClass::Config,
        NodeVanished | SentinelVanished | ProbeStarted | ProbeMaster | ProbeReadback
        | ProbeStopped => EventClass::Info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Addr {
        s.parse().unwrap()
    }

    #[test]
    fn instance_details_with_and_without_master() {
        let d = EventDetail::parse("+sdown", "master mymaster 127.0.0.1 16379");
        let i = d.instance().unwrap();
        assert_eq!(i.kind, InstanceKind::Master);
        assert_eq!(i.group(), "mymaster");
        assert_eq!(i.addr, a("127.0.0.1:16379"));

        let d = EventDetail::parse(
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
        match EventDetail::parse("+odown", "master mymaster 127.0.0.1 16379 #quorum 3/2") {
            EventDetail::Instance { quorum, extra, .. } => {
                assert_eq!(quorum, Some((3, 2)));
                assert_eq!(extra, None);
            }
            other => panic!("{other:?}"),
        }
        match EventDetail::parse(
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
        let d = EventDetail::parse(
            "+slave",
            "slave redis-replica-1:6379 redis-replica-1 6379 @ mymaster redis-master 6379",
        );
        assert_eq!(d.instance().unwrap().addr, a("redis-replica-1:6379"));
    }

    #[test]
    fn special_events() {
        assert_eq!(
            EventDetail::parse("+new-epoch", "7"),
            EventDetail::NewEpoch { epoch: 7 }
        );
        assert_eq!(
            EventDetail::parse("+vote-for-leader", "82577b 1"),
            EventDetail::VoteForLeader {
                run_id: "82577b".into(),
                epoch: 1
            }
        );
        assert_eq!(
            EventDetail::parse("+switch-master", "mymaster 127.0.0.1 16379 127.0.0.1 16380"),
            EventDetail::SwitchMaster {
                group: "mymaster".into(),
                old: a("127.0.0.1:16379"),
                new: a("127.0.0.1:16380"),
            }
        );
        assert_eq!(
            EventDetail::parse("+tilt", "#tilt mode entered"),
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
            assert_eq!(EventDetail::parse(e, p), EventDetail::Raw, "{e} {p}");
        }
    }
}
