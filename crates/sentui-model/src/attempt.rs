//! A failover attempt and its phases: what the stopwatch measures, what the log's summaries
//! carry and what reports and the screen show. Plain data; the stopwatch fills it in.

use super::Millis;
use super::addr::Addr;
use super::event::SentinelEvent;
use serde::{Deserialize, Serialize};

/// Sentinels that try in the same epoch before any is elected are one election (a split vote):
/// each asks for votes within its first ask period (1 s), so a later try by another sentinel
/// in that epoch is a new attempt (its epoch never spread: the first leader was forced).
pub(crate) const ELECTION_RACE_MS: Millis = 2_000;

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
    /// The sentinels that tried (`+try-failover`) in it: its candidates until one is elected.
    /// An attempt is its group, its epoch and its leader: another sentinel trying later is
    /// another attempt, even in the same epoch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tried_by: Vec<Addr>,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    pub started_at: Millis,
    pub marks: Vec<PhaseMark>,
    pub outcome: Option<Outcome>,
    pub ended_at: Option<Millis>,
    /// A completed attempt whose leader's `+failover-end` never came: why it was closed
    /// (the sentinels published `+switch-master`, so the master did change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_not_seen: Option<String>,
    /// The master answered again while this attempt was open: later signs of trouble belong
    /// to a new failover.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub master_back: bool,
    /// Valkey 9's coordinated failover (a sentinel flagged `coordinated_failover`, or sentui
    /// asked for one): an election, then `CLIENT PAUSE WRITE` + `FAILOVER TO` on the old
    /// primary instead of `REPLICAOF NO ONE` on the replica.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub coordinated: bool,
    /// Why this attempt came, where sentui can tell: a failback right after a coordinated
    /// failover, with the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Candidates seen down while no leader was elected (the attempt is lost when all are).
    #[serde(skip)]
    pub lost: Vec<Addr>,
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

    /// `coordinated failover` or `failover`: what kind of attempt it is, in words.
    pub fn kind_words(&self) -> &'static str {
        if self.coordinated {
            "coordinated failover"
        } else {
            "failover"
        }
    }

    /// Whether a sentinel has tried yet (the attempt has an epoch or an election).
    pub fn tried(&self) -> bool {
        self.epoch.is_some() || self.mark(Phase::TryFailover).is_some()
    }

    /// Whether `sentinel` may be this attempt's leader: its elected leader, one of its
    /// candidates, or any sentinel while nobody has tried yet. Another sentinel trying in the
    /// same epoch joins an election still open (a split vote), within `ELECTION_RACE_MS`.
    pub(crate) fn led_by(&self, sentinel: Option<&Addr>, at: Millis) -> bool {
        let Some(s) = sentinel else { return true };
        let racing = || {
            self.mark(Phase::TryFailover)
                .is_some_and(|m| at.saturating_sub(m.at) <= ELECTION_RACE_MS)
        };
        self.candidate(s) || (self.leader.is_none() && racing())
    }

    /// Whether `sentinel` is its elected leader or, before an election, one of its candidates
    /// (any sentinel while nobody has tried yet).
    pub(crate) fn candidate(&self, sentinel: &Addr) -> bool {
        match &self.leader {
            Some(l) => l == sentinel,
            None => self.tried_by.is_empty() || self.tried_by.contains(sentinel),
        }
    }

    /// Whether it is a failover under way rather than signs that may yet be a blip: a sentinel
    /// tried, the master is `+odown`, or sentui injected the fault.
    pub fn started(&self) -> bool {
        self.tried() || self.mark(Phase::Odown).is_some() || self.mark(Phase::Fault).is_some()
    }

    /// A blip or signs under the shown failover, in words: `blip: +sdown for 55 ms` (the
    /// master came back) or `now: +sdown 0.2s ago`.
    pub fn note_words(&self, now: Millis) -> String {
        // A note is one short line under the failover: the short words for sentui's own signs.
        let first = match self.timeline().first().map(|(m, _, _)| m.phase) {
            Some(Phase::Unresponsive) => "unresponsive",
            Some(Phase::Fault) => "fault",
            Some(p) => p.label(),
            None => "signs",
        };
        match self.ended_at {
            Some(end) => format!(
                "blip: {first} for {} ms",
                end.saturating_sub(self.started_at)
            ),
            None => format!(
                "now: {first} {} ago",
                fmt_secs(now.saturating_sub(self.started_at))
            ),
        }
    }

    /// Whether it changed the master: it completed (the sentinels published `+switch-master`).
    pub fn switched(&self) -> bool {
        self.outcome == Some(Outcome::Completed)
    }

    /// Whether it is a measurement worth keeping on screen: a completed or aborted attempt, not
    /// a blip the master recovered from before any sentinel tried.
    pub fn measured(&self) -> bool {
        matches!(
            self.outcome,
            Some(Outcome::Completed) | Some(Outcome::Aborted(_))
        )
    }

    /// ` (end not seen: …)` when the attempt's end was not seen, else nothing.
    pub fn end_not_seen_note(&self) -> String {
        self.end_not_seen
            .as_ref()
            .map(|why| format!(" (end not seen: {why})"))
            .unwrap_or_default()
    }

    /// The outcome in words: `completed`, `completed (end not seen: …)`, `aborted: …`,
    /// `master came back`, `running`.
    pub fn outcome_words(&self) -> String {
        match &self.outcome {
            Some(Outcome::Completed) => format!("completed{}", self.end_not_seen_note()),
            Some(Outcome::Aborted(why)) => format!("aborted: {why}"),
            Some(Outcome::Recovered) => "master came back".into(),
            None => "running".into(),
        }
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
