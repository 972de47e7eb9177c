//! A failover attempt and its phases: what the stopwatch measures, what the log's summaries
//! carry and what reports and the screen show. Plain data; the stopwatch fills it in.

use super::Millis;
use super::addr::Addr;
use super::event::SentinelEvent;
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
    /// The Sentinel event that marks the phase (the others are sentui's own observations).
    pub fn event(self) -> Option<SentinelEvent> {
        Some(match self {
            Phase::Fault | Phase::Unresponsive | Phase::ReplicasReconfigured => return None,
            Phase::Sdown => SentinelEvent::Sdown,
            Phase::Odown => SentinelEvent::Odown,
            Phase::TryFailover => SentinelEvent::TryFailover,
            Phase::Elected => SentinelEvent::ElectedLeader,
            Phase::SelectedReplica => SentinelEvent::SelectedSlave,
            Phase::Promoted => SentinelEvent::PromotedSlave,
            Phase::SwitchMaster => SentinelEvent::SwitchMaster,
            Phase::FailoverEnd => SentinelEvent::FailoverEnd,
        })
    }

    /// The phase in reports and on screen: its event's name, or what sentui saw.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Fault => "fault injected",
            Phase::Unresponsive => "master unresponsive",
            Phase::ReplicasReconfigured => "replicas reconfigured",
            sign => sign
                .event()
                .and_then(|e| e.known_name())
                .unwrap_or_default(),
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

/// One failover attempt, from its first sign to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failover {
    pub group: String,
    /// The epoch of the attempt, once a sentinel tried (`+new-epoch` before `+try-failover`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// The sentinel elected to carry it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<Addr>,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    pub started_at: Millis,
    pub marks: Vec<PhaseMark>,
    pub outcome: Option<Outcome>,
    pub ended_at: Option<Millis>,
    /// The master answered again while this attempt was open: later signs of trouble belong
    /// to a new failover.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub master_back: bool,
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

    /// Whether a sentinel has tried yet (the attempt has an epoch or an election).
    pub fn tried(&self) -> bool {
        self.epoch.is_some() || self.mark(Phase::TryFailover).is_some()
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
}

pub fn fmt_secs(ms: Millis) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}
