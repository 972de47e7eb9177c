//! The failover stopwatch: turns the merged log into the phases of a failover, with the time of
//! each step and the durations between them. Pure: it only sees log entries.

use super::Millis;
use super::addr::Addr;
use super::event::{EventDetail, InstanceKind};
use super::log::{LogEntry, Source};
use serde::{Deserialize, Serialize};

/// The steps of a failover, in the order they normally happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// sentui froze or stopped the master.
    Fault,
    /// sentui's own liveness probe saw the master stop answering.
    Unresponsive,
    Sdown,
    Odown,
    TryFailover,
    Elected,
    SelectedReplica,
    Promoted,
    SwitchMaster,
    ReplicasReconfigured,
    FailoverEnd,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Fault => "fault injected",
            Phase::Unresponsive => "master unresponsive",
            Phase::Sdown => "+sdown",
            Phase::Odown => "+odown",
            Phase::TryFailover => "+try-failover",
            Phase::Elected => "+elected-leader",
            Phase::SelectedReplica => "+selected-slave",
            Phase::Promoted => "+promoted-slave",
            Phase::SwitchMaster => "+switch-master",
            Phase::ReplicasReconfigured => "replicas reconfigured",
            Phase::FailoverEnd => "+failover-end",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseMark {
    pub phase: Phase,
    pub at: Millis,
    /// Who reported it: a sentinel address, `sentui` or `docker`.
    pub by: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Completed,
    /// The master answered again before any failover started.
    Recovered,
    Aborted(String),
}

/// One failover (or attempt), from its first sign to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failover {
    pub group: String,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    pub started_at: Millis,
    pub marks: Vec<PhaseMark>,
    pub outcome: Option<Outcome>,
    pub ended_at: Option<Millis>,
}

impl Failover {
    pub fn mark(&self, phase: Phase) -> Option<&PhaseMark> {
        self.marks.iter().find(|m| m.phase == phase)
    }

    /// Milliseconds from the first sign (the fault, when sentui injected one) to `phase`.
    pub fn elapsed_to(&self, phase: Phase) -> Option<Millis> {
        self.mark(phase)
            .map(|m| m.at.saturating_sub(self.started_at))
    }

    /// The marks in time order with (since start, since previous mark).
    pub fn timeline(&self) -> Vec<(&PhaseMark, Millis, Millis)> {
        let mut marks: Vec<&PhaseMark> = self.marks.iter().collect();
        marks.sort_by_key(|m| (m.at, m.phase));
        let mut prev = self.started_at;
        marks
            .into_iter()
            .map(|m| {
                let row = (
                    m,
                    m.at.saturating_sub(self.started_at),
                    m.at.saturating_sub(prev),
                );
                prev = m.at;
                row
            })
            .collect()
    }

    /// One line: `+sdown 1.7s, +odown 2.0s, ... +switch-master 3.1s`.
    pub fn summary(&self) -> String {
        self.timeline()
            .iter()
            .map(|(m, since, _)| format!("{} {}", m.phase.label(), fmt_secs(*since)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn set(&mut self, phase: Phase, e: &LogEntry, keep_last: bool) {
        let by = match (&e.source, &e.sentinel) {
            (Source::Sentinel, Some(s)) => s.to_string(),
            (Source::Sentinel, None) => "sentinel".into(),
            (Source::Sentui, _) => "sentui".into(),
            (Source::Docker, _) => "docker".into(),
        };
        let mark = PhaseMark {
            phase,
            at: e.ts,
            by,
            detail: e.payload.clone(),
        };
        match self.marks.iter_mut().find(|m| m.phase == phase) {
            Some(m) if keep_last => *m = mark,
            Some(_) => {}
            None => self.marks.push(mark),
        }
    }
}

pub fn fmt_secs(ms: Millis) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

/// The running failover and the last finished one of one master group.
#[derive(Clone, Debug, Default)]
pub struct Stopwatch {
    pub current: Option<Failover>,
    pub last: Option<Failover>,
}

impl Stopwatch {
    /// The failover to show: the running one, else the last finished one.
    pub fn shown(&self) -> Option<&Failover> {
        self.current.as_ref().or(self.last.as_ref())
    }

    /// Feeds one log entry about this group; `master` is the group's master before the entry.
    /// Returns the failover that this entry finished, if any.
    pub fn observe(
        &mut self,
        group: &str,
        master: Option<&Addr>,
        e: &LogEntry,
    ) -> Option<Failover> {
        let about_master =
            |kind_ok: bool| kind_ok && (master.is_none() || e.addr.as_ref() == master);
        let instance_kind = e.detail.instance().map(|i| i.kind);
        let is_master_instance = instance_kind == Some(InstanceKind::Master);
        let start = match (e.source, e.event.as_str()) {
            (Source::Sentui | Source::Docker, "fault" | "container-pause" | "container-stop") => {
                about_master(true).then_some(Phase::Fault)
            }
            (Source::Sentui, "node-unresponsive") => {
                about_master(true).then_some(Phase::Unresponsive)
            }
            (Source::Sentinel, "+sdown") if is_master_instance => Some(Phase::Sdown),
            (Source::Sentinel, "+odown") if is_master_instance => Some(Phase::Odown),
            (Source::Sentinel, "+try-failover") => Some(Phase::TryFailover),
            _ => None,
        };
        if let Some(phase) = start {
            let f = self.current.get_or_insert_with(|| Failover {
                group: group.to_string(),
                old_master: master.cloned().or_else(|| e.addr.clone()),
                new_master: None,
                started_at: e.ts,
                marks: Vec::new(),
                outcome: None,
                ended_at: None,
            });
            f.set(phase, e, false);
            return None;
        }
        let f = self.current.as_mut()?;
        let phase = match e.event.as_str() {
            "+elected-leader" => Phase::Elected,
            "+selected-slave" => {
                f.new_master = e.addr.clone();
                Phase::SelectedReplica
            }
            "+promoted-slave" => Phase::Promoted,
            "+switch-master" => {
                if let EventDetail::SwitchMaster { new, .. } = &e.detail {
                    f.new_master = Some(new.clone());
                }
                Phase::SwitchMaster
            }
            "+slave-reconf-done" => {
                f.set(Phase::ReplicasReconfigured, e, true);
                return None;
            }
            "+failover-end" => {
                f.set(Phase::FailoverEnd, e, false);
                return self.finish(Outcome::Completed, e.ts);
            }
            "+failover-end-for-timeout" => {
                return self.finish(Outcome::Aborted("failover timed out".into()), e.ts);
            }
            ev if ev.starts_with("-failover-abort") => {
                let reason = ev.trim_start_matches("-failover-abort-").replace('-', " ");
                return self.finish(Outcome::Aborted(reason), e.ts);
            }
            "-sdown" | "node-responsive" if !f.marks.iter().any(|m| m.phase >= Phase::Odown) => {
                if e.source == Source::Sentinel && !is_master_instance {
                    return None;
                }
                if e.source == Source::Sentui && !about_master(true) {
                    return None;
                }
                return self.finish(Outcome::Recovered, e.ts);
            }
            _ => return None,
        };
        f.set(phase, e, false);
        None
    }

    fn finish(&mut self, outcome: Outcome, at: Millis) -> Option<Failover> {
        let mut f = self.current.take()?;
        f.outcome = Some(outcome);
        f.ended_at = Some(at);
        self.last = Some(f.clone());
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(ts: Millis, sentinel: &str, event: &str, payload: &str) -> LogEntry {
        LogEntry::new(ts, Source::Sentinel, event, payload).from_sentinel(sentinel.parse().unwrap())
    }

    #[test]
    fn a_brief_freeze_is_a_recovery_not_a_failover() {
        let m: Addr = "127.0.0.1:1".parse().unwrap();
        let mut sw = Stopwatch::default();
        let un = LogEntry::new(100, Source::Sentui, "node-unresponsive", "").about(m.clone());
        sw.observe("g", Some(&m), &un);
        assert!(sw.current.is_some());
        let back = LogEntry::new(600, Source::Sentui, "node-responsive", "").about(m.clone());
        let done = sw.observe("g", Some(&m), &back).unwrap();
        assert_eq!(done.outcome, Some(Outcome::Recovered));
        assert!(sw.current.is_none());
    }

    #[test]
    fn unresponsive_replica_does_not_start_a_failover() {
        let m: Addr = "127.0.0.1:1".parse().unwrap();
        let r: Addr = "127.0.0.1:2".parse().unwrap();
        let mut sw = Stopwatch::default();
        sw.observe(
            "g",
            Some(&m),
            &LogEntry::new(1, Source::Sentui, "node-unresponsive", "").about(r),
        );
        sw.observe(
            "g",
            Some(&m),
            &s(
                2,
                "127.0.0.1:9",
                "+sdown",
                "slave 127.0.0.1:2 127.0.0.1 2 @ g 127.0.0.1 1",
            ),
        );
        assert!(sw.current.is_none());
    }

    #[test]
    fn abort_ends_the_failover() {
        let mut sw = Stopwatch::default();
        sw.observe(
            "g",
            None,
            &s(
                1,
                "127.0.0.1:9",
                "+odown",
                "master g 127.0.0.1 1 #quorum 2/2",
            ),
        );
        let f = sw
            .observe(
                "g",
                None,
                &s(
                    9,
                    "127.0.0.1:9",
                    "-failover-abort-no-good-slave",
                    "master g 127.0.0.1 1",
                ),
            )
            .unwrap();
        assert_eq!(f.outcome, Some(Outcome::Aborted("no good slave".into())));
    }
}
