//! Gaps in a sentinel's event stream. Pub/sub has no history: what a sentinel published while
//! sentui was not subscribed is gone. Each gap is one entry when the link is back (`events from S
//! unseen for 0.9 s`); the sentinel's state when the link dropped (its run id, and for each group
//! the master, the config epoch and the flags on it) is kept and compared with its first poll
//! after the gap, and what changed meanwhile is logged, one entry a change (`S switched
//! mymaster to X during the gap`).

use super::{Deployment, SentinelState};
use crate::Millis;
use crate::addr::Addr;
use crate::attempt::fmt_secs;
use crate::flags::Flags;
use crate::log::OwnEvent;
use std::collections::BTreeMap;

/// A sentinel's events unseen from `since` (the link dropped) until `until` (it came back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub since: Millis,
    pub until: Option<Millis>,
    /// The sentinel as last polled before the link dropped; `None` when the link dropped
    /// before sentui's first poll of it: then nothing is known to have changed.
    before: Option<Before>,
}

/// What a sentinel said before a gap: its run id and each group's master.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Before {
    run_id: Option<String>,
    groups: BTreeMap<String, Seen>,
}

/// What a sentinel said of one group's master.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    master: Addr,
    config_epoch: u64,
    flags: Flags,
}

impl Before {
    fn of(s: &SentinelState) -> Before {
        Before {
            run_id: s.run_id.clone(),
            groups: seen(s),
        }
    }
}

fn seen(s: &SentinelState) -> BTreeMap<String, Seen> {
    s.groups
        .iter()
        .map(|(name, g)| {
            let seen = Seen {
                master: g.master.addr.clone(),
                config_epoch: g.master.config_epoch,
                flags: g.master.flags.clone(),
            };
            (name.clone(), seen)
        })
        .collect()
}

/// The flags in `a` that `b` lacks, as `+sdown +odown` (`sign` `+`) or `-sdown`.
fn flag_diff(a: &Flags, b: &Flags, sign: char) -> Vec<String> {
    a.iter()
        .filter(|f| !b.has((*f).clone()))
        .map(|f| format!("{sign}{}", f.name()))
        .collect()
}

impl Gap {
    fn open(s: &SentinelState, at: Millis) -> Gap {
        Gap {
            since: at,
            until: None,
            before: s.polled_at.map(|_| Before::of(s)),
        }
    }

    /// What `s` (as first polled after the gap) says differently from before it, in words,
    /// each with the group it is about.
    fn changes(&self, s: &SentinelState) -> Vec<(Option<String>, String)> {
        let Some(before) = &self.before else {
            return Vec::new();
        };
        let who = &s.addr;
        let mut out = Vec::new();
        if let (Some(was), Some(now)) = (&before.run_id, &s.run_id)
            && was != now
        {
            out.push((
                None,
                format!("{who} restarted during the gap (new run id {now})"),
            ));
        }
        let after = seen(s);
        for (group, b) in &before.groups {
            let g = Some(group.clone());
            let Some(a) = after.get(group) else {
                out.push((g, format!("{who} no longer monitors {group} after the gap")));
                continue;
            };
            if a.master != b.master {
                let said = format!(
                    "{who} switched {group} to {} during the gap (from {}, config epoch {} -> {})",
                    a.master, b.master, b.config_epoch, a.config_epoch
                );
                out.push((g.clone(), said));
            } else if a.config_epoch != b.config_epoch {
                let said = format!(
                    "{who}'s config epoch for {group} went {} -> {} during the gap",
                    b.config_epoch, a.config_epoch
                );
                out.push((g.clone(), said));
            }
            let mut flags = flag_diff(&a.flags, &b.flags, '+');
            flags.extend(flag_diff(&b.flags, &a.flags, '-'));
            if a.master == b.master && !flags.is_empty() {
                let said = format!(
                    "{who}'s flags on {group}'s master {} changed during the gap: {}",
                    a.master,
                    flags.join(" ")
                );
                out.push((g, said));
            }
        }
        for group in after.keys().filter(|g| !before.groups.contains_key(*g)) {
            let said = format!("{who} started monitoring {group} during the gap");
            out.push((Some(group.clone()), said));
        }
        out
    }
}

impl Deployment {
    /// The events link of `sentinel` came up or dropped. A drop opens a gap (the state then is
    /// kept); coming back closes it, and the entry says how long its events went unseen.
    pub(super) fn pubsub(&mut self, sentinel: Addr, at: Millis, up: bool, detail: &str) {
        let s = self.sentinel_mut(&sentinel, at);
        let was = s.pubsub_up;
        s.pubsub_up = up;
        if was == up {
            return;
        }
        if !up {
            if s.gap.as_ref().is_none_or(|g| g.until.is_some()) {
                s.gap = Some(Gap::open(s, at));
            }
            self.note(at, OwnEvent::EventsLinkDown, detail, Some(sentinel));
            return;
        }
        let said = match s.gap.as_mut().filter(|g| g.until.is_none()) {
            Some(g) => {
                g.until = Some(at);
                format!(
                    "events from {sentinel} unseen for {} s",
                    fmt_secs(at.saturating_sub(g.since)).trim_end_matches('s')
                )
            }
            None => detail.to_string(),
        };
        self.note(at, OwnEvent::EventsLinkUp, &said, Some(sentinel));
    }

    /// A poll of `sentinel` at `at`: the first after a gap says what changed during it. A gap
    /// that opened before sentui's first poll takes the first poll answered before the link
    /// came back as what the sentinel said before it (a poll answered just before the drop can
    /// be applied just after it).
    pub(super) fn after_gap(&mut self, sentinel: &Addr, at: Millis) {
        let Some(s) = self.sentinels.get_mut(sentinel) else {
            return;
        };
        let unknown_before = |g: &Gap| g.before.is_none() && g.until.is_none_or(|u| at < u);
        if s.gap.as_ref().is_some_and(unknown_before) {
            let before = Before::of(s);
            if let Some(gap) = s.gap.as_mut() {
                gap.before = Some(before);
            }
            return;
        }
        let Some(gap) = s.gap.take_if(|g| g.until.is_some_and(|u| at >= u)) else {
            return;
        };
        for (group, said) in gap.changes(s) {
            let mut e =
                crate::log::LogEntry::own(at, OwnEvent::ChangedWhileUnseen, &said).in_group(group);
            e.addr = Some(sentinel.clone());
            self.push(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{MasterRecord, rec};
    use crate::state::{GroupPoll, SentinelPoll, Update};

    fn polled(d: &mut Deployment, at: Millis, run_id: &str, master_port: &str, epoch: &str) {
        let record = MasterRecord::parse(&rec(&[
            ("name", "mymaster"),
            ("ip", "127.0.0.1"),
            ("port", master_port),
            ("config-epoch", epoch),
            ("flags", "master"),
        ]))
        .unwrap();
        d.apply(Update::SentinelPolled {
            sentinel: "127.0.0.1:26379".parse().unwrap(),
            at,
            rtt_ms: 1,
            poll: SentinelPoll {
                run_id: Some(run_id.into()),
                groups: vec![GroupPoll::carried(record)],
                ..SentinelPoll::default()
            },
        });
    }

    fn link(d: &mut Deployment, at: Millis, up: bool) {
        d.apply(Update::PubSub {
            sentinel: "127.0.0.1:26379".parse().unwrap(),
            at,
            up,
            detail: if up {
                "subscribed to all events"
            } else {
                "the events connection closed"
            }
            .into(),
        });
    }

    fn said(d: &Deployment, event: OwnEvent) -> Vec<String> {
        d.log()
            .entries()
            .filter(|e| e.own_event() == Some(event))
            .map(|e| e.payload.clone())
            .collect()
    }

    #[test]
    fn a_gap_is_one_entry_and_what_changed_during_it_is_logged() {
        let mut d = Deployment::default();
        polled(&mut d, 1_000, "aaa", "6379", "0");
        link(&mut d, 1_000, true);
        link(&mut d, 2_000, false);
        // Polls during the gap change nothing that is said: the state before it is kept.
        polled(&mut d, 2_500, "aaa", "6379", "0");
        link(&mut d, 2_400, false);
        link(&mut d, 2_900, true);
        assert_eq!(
            said(&d, OwnEvent::EventsLinkUp),
            [
                "subscribed to all events",
                "events from 127.0.0.1:26379 unseen for 0.9 s"
            ]
        );
        polled(&mut d, 3_000, "bbb", "6380", "1");
        assert_eq!(
            said(&d, OwnEvent::ChangedWhileUnseen),
            [
                "127.0.0.1:26379 restarted during the gap (new run id bbb)",
                "127.0.0.1:26379 switched mymaster to 127.0.0.1:6380 during the gap (from \
                 127.0.0.1:6379, config epoch 0 -> 1)"
            ]
        );
        // Said once: the next poll is no gap.
        polled(&mut d, 4_000, "bbb", "6381", "2");
        assert_eq!(said(&d, OwnEvent::ChangedWhileUnseen).len(), 2);
    }

    #[test]
    fn a_gap_where_nothing_changed_says_only_how_long() {
        let mut d = Deployment::default();
        polled(&mut d, 1_000, "aaa", "6379", "0");
        link(&mut d, 1_000, true);
        link(&mut d, 2_000, false);
        link(&mut d, 2_150, true);
        polled(&mut d, 3_000, "aaa", "6379", "0");
        assert!(said(&d, OwnEvent::ChangedWhileUnseen).is_empty());
        assert_eq!(
            said(&d, OwnEvent::EventsLinkUp)[1],
            "events from 127.0.0.1:26379 unseen for 0.1 s"
        );
    }

    #[test]
    fn a_gap_before_the_first_poll_claims_no_change() {
        // The link dropped before sentui had polled the sentinel: what it monitored before is
        // unknown, so its first poll is not news ("started monitoring mymaster" would be false).
        let mut d = Deployment::default();
        link(&mut d, 1_000, true);
        link(&mut d, 1_100, false);
        link(&mut d, 1_400, true);
        polled(&mut d, 1_500, "aaa", "6379", "0");
        assert!(said(&d, OwnEvent::ChangedWhileUnseen).is_empty());
        assert_eq!(
            said(&d, OwnEvent::EventsLinkUp)[1],
            "events from 127.0.0.1:26379 unseen for 0.3 s"
        );
        // The next gap, after a poll, compares as usual.
        link(&mut d, 2_000, false);
        link(&mut d, 2_200, true);
        polled(&mut d, 2_300, "bbb", "6379", "0");
        assert_eq!(
            said(&d, OwnEvent::ChangedWhileUnseen),
            ["127.0.0.1:26379 restarted during the gap (new run id bbb)"]
        );
    }

    #[test]
    fn a_first_poll_applied_after_the_drop_is_the_state_before_the_gap() {
        // The first poll was answered by the old process, and applied just after its events
        // link dropped: it is what the sentinel said before the gap.
        let mut d = Deployment::default();
        link(&mut d, 1_000, true);
        link(&mut d, 1_100, false);
        polled(&mut d, 1_102, "aaa", "6379", "0");
        link(&mut d, 1_400, true);
        polled(&mut d, 1_500, "bbb", "6379", "0");
        assert_eq!(
            said(&d, OwnEvent::ChangedWhileUnseen),
            ["127.0.0.1:26379 restarted during the gap (new run id bbb)"]
        );
    }
}
