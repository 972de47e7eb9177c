//! Readiness: can Sentinel fail the group's master over right now, which replica would it
//! promote, and what blocks it. A pure function of what the collectors read, written rule by
//! rule from Redis's and Valkey's `src/sentinel.c` (each rule cites the function it follows).
//!
//! `sentinels.rs` holds the rules about the sentinels (objective down, the election, TILT, the
//! cooldown between attempts), `replicas.rs` the choice of the replica, `checks.rs` the rights
//! of the sentinels' user, their consistency and the writes right now.

mod checks;
mod replicas;
mod sentinels;
#[cfg(test)]
mod tests;

pub use replicas::{Exclusion, Promotion, ReplicaVerdict, TieBreak};

use crate::Millis;
use crate::addr::Addr;
use crate::state::{Deployment, GroupPoll, Reach, SentinelState};
use crate::view::{GroupView, SentinelView};
use serde::Serialize;

/// Sentinel's PING period (`SENTINEL_PING_PERIOD`, 1 s) and INFO period (10 s): the replica
/// rules count in them.
pub const PING_PERIOD_MS: Millis = 1000;
pub const INFO_PERIOD_MS: Millis = 10_000;
/// How long TILT lasts after its last trigger (`sentinel_tilt_period`: 30 PING periods).
pub const TILT_PERIOD_MS: Millis = 30 * PING_PERIOD_MS;
/// Sentinel adds up to this much random delay to a failover start (`SENTINEL_MAX_DESYNC`).
pub const MAX_DESYNC_MS: Millis = 1000;

/// The whole answer for one group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub group: String,
    pub verdict: Verdict,
    /// One line: `FAILOVER READY — would promote X`, `AT RISK — …`, `BLOCKED — …`.
    pub headline: String,
    /// The replica Sentinel would promote if the master failed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promote: Option<Promotion>,
    pub conditions: Vec<Condition>,
    pub replicas: Vec<ReplicaVerdict>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ready,
    AtRisk,
    Blocked,
}

impl Verdict {
    /// The words the header and `doctor` start with.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "FAILOVER READY",
            Verdict::AtRisk => "AT RISK",
            Verdict::Blocked => "BLOCKED",
        }
    }
}

/// How one condition stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    /// sentui could not tell (the evidence says why); it does not change the verdict.
    NotChecked,
    AtRisk,
    Blocked,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NotChecked => "not checked",
            Status::AtRisk => "at risk",
            Status::Blocked => "blocked",
        }
    }
}

/// The conditions, in the order Sentinel meets them on the way to a failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    ObjectiveDown,
    Election,
    Tilt,
    Cooldown,
    Replicas,
    Rights,
    Consistency,
    Writes,
}

impl Rule {
    pub fn title(self) -> &'static str {
        match self {
            Rule::ObjectiveDown => "objective down",
            Rule::Election => "election",
            Rule::Tilt => "TILT",
            Rule::Cooldown => "cooldown",
            Rule::Replicas => "replicas",
            Rule::Rights => "rights",
            Rule::Consistency => "consistency",
            Rule::Writes => "writes now",
        }
    }

    /// Where in sentinel.c the rule comes from.
    pub fn source(self) -> &'static str {
        match self {
            Rule::ObjectiveDown => {
                "sentinelCheckObjectivelyDown; SENTINEL IS-MASTER-DOWN-BY-ADDR answers 0 in TILT"
            }
            Rule::Election => "sentinelGetLeader: max(quorum, voters/2+1), voters = known + 1",
            Rule::Tilt => "sentinelCheckTiltCondition, sentinelHandleRedisInstance",
            Rule::Cooldown => "sentinelStartFailoverIfNeeded, sentinelVoteLeader",
            Rule::Replicas => "sentinelSelectSlave, compareSlavesForPromotion",
            Rule::Rights => {
                "sentinelSendSlaveOf: MULTI, SLAVEOF, CONFIG REWRITE, CLIENT KILL, EXEC"
            }
            Rule::Consistency => "each sentinel decides from its own config and view",
            Rule::Writes => "INFO replication (min_slaves_good_slaves), role",
        }
    }
}

/// One condition: how it stands, why (the evidence), and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub rule: Rule,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// Blocked until this time (TILT ending, the cooldown ending), when that is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Millis>,
}

impl Condition {
    fn new(rule: Rule, status: Status, summary: impl Into<String>) -> Self {
        Condition {
            rule,
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            remedy: None,
            until: None,
        }
    }

    fn evidence(mut self, lines: impl IntoIterator<Item = String>) -> Self {
        self.evidence.extend(lines);
        self
    }

    /// What to do about it: only a condition that is not OK has one.
    fn remedy(mut self, remedy: impl Into<String>) -> Self {
        if self.status != Status::Ok {
            self.remedy = Some(remedy.into());
        }
        self
    }

    fn until(mut self, until: Option<Millis>) -> Self {
        self.until = until;
        self
    }
}

/// What the rules read about one sentinel of the group.
pub(crate) struct Member<'a> {
    pub view: &'a SentinelView,
    pub state: Option<&'a SentinelState>,
    /// Its last poll of the group (None: it does not answer, or does not report the group).
    pub poll: Option<&'a GroupPoll>,
    /// sentui gets answers from it and it is not paused or stopped.
    pub answers: bool,
    /// Peers that answer and list it, and how many of them flag it s_down.
    pub listed_by: usize,
    pub flagged_down_by: usize,
}

impl Member<'_> {
    /// Its peers count it down: a majority of those that list it flag it s_down.
    pub fn down_for_peers(&self) -> bool {
        self.listed_by > 0 && self.flagged_down_by * 2 > self.listed_by
    }

    /// It can take part in the election (a sentinel in TILT still votes).
    pub fn can_vote(&self) -> bool {
        self.answers && !self.down_for_peers()
    }

    /// It can see the master down, answer its peers so, and start or lead a failover.
    pub fn can_act(&self) -> bool {
        self.can_vote() && !self.view.tilt
    }
}

/// The group's facts the rules share.
pub(crate) struct Facts<'a> {
    pub d: &'a Deployment,
    pub view: &'a GroupView,
    pub now: Millis,
    pub members: Vec<Member<'a>>,
    pub quorum: u32,
    pub failover_timeout_ms: Millis,
}

impl<'a> Facts<'a> {
    fn new(d: &'a Deployment, view: &'a GroupView, now: Millis) -> Self {
        let group = view.name.as_str();
        let members: Vec<Member> = view
            .sentinels
            .iter()
            .map(|sv| {
                let state = d.sentinels().get(&sv.addr);
                let poll = state
                    .filter(|s| s.reach == Reach::Ok)
                    .and_then(|s| s.groups.get(group));
                Member {
                    view: sv,
                    state,
                    poll,
                    answers: sv.reach == crate::ReachState::Ok && !sv.paused && !sv.stopped,
                    listed_by: 0,
                    flagged_down_by: 0,
                }
            })
            .collect();
        let mut facts = Facts {
            d,
            view,
            now,
            quorum: view.quorum,
            failover_timeout_ms: d.failover_timeout_ms(group),
            members,
        };
        facts.count_peer_flags();
        facts
    }

    /// How the answering sentinels list each other (SENTINEL SENTINELS).
    fn count_peer_flags(&mut self) {
        let listings: Vec<(Addr, Vec<(Addr, bool)>)> = self
            .members
            .iter()
            .filter(|m| m.answers)
            .filter_map(|m| {
                let peers = m.poll?.peers.iter();
                Some((
                    m.view.addr.clone(),
                    peers
                        .map(|p| (p.addr.clone(), p.flags.has(crate::flags::Flag::SDown)))
                        .collect(),
                ))
            })
            .collect();
        for m in &mut self.members {
            for (by, peers) in &listings {
                if *by == m.view.addr {
                    continue;
                }
                if let Some((_, down)) = peers.iter().find(|(a, _)| *a == m.view.addr) {
                    m.listed_by += 1;
                    m.flagged_down_by += usize::from(*down);
                }
            }
        }
    }

    pub fn group(&self) -> &str {
        &self.view.name
    }

    /// Every answering sentinel's poll of the group.
    pub fn polls(&self) -> impl Iterator<Item = (&Member<'a>, &'a GroupPoll)> {
        self.members.iter().filter_map(|m| m.poll.map(|p| (m, p)))
    }
}

impl Deployment {
    /// The readiness of the group `view` shows, at `now`.
    pub fn readiness(&self, view: &GroupView, now: Millis) -> Readiness {
        let facts = Facts::new(self, view, now);
        let (replica_condition, replicas, promote) = replicas::judge(&facts);
        let mut conditions = vec![
            sentinels::objective_down(&facts),
            sentinels::election(&facts),
            sentinels::tilt(&facts),
            sentinels::cooldown(&facts),
            replica_condition,
            checks::rights(&facts),
            checks::consistency(&facts),
            checks::writes(&facts),
        ];
        conditions.sort_by_key(|c| c.rule);
        let verdict = if conditions.iter().any(|c| c.status == Status::Blocked) {
            Verdict::Blocked
        } else if conditions.iter().any(|c| c.status == Status::AtRisk) {
            Verdict::AtRisk
        } else {
            Verdict::Ready
        };
        let headline = headline(verdict, &conditions, promote.as_ref());
        Readiness {
            group: view.name.clone(),
            verdict,
            headline,
            promote,
            conditions,
            replicas,
        }
    }
}

/// The first condition that decides the verdict, in one line.
fn headline(verdict: Verdict, conditions: &[Condition], promote: Option<&Promotion>) -> String {
    let deciding = |status| conditions.iter().find(|c| c.status == status);
    let because = match verdict {
        Verdict::Ready => promote
            .map(|p| format!("would promote {}", p.addr))
            .unwrap_or_default(),
        Verdict::AtRisk => deciding(Status::AtRisk)
            .map(|c| c.summary.clone())
            .unwrap_or_default(),
        Verdict::Blocked => deciding(Status::Blocked)
            .map(|c| c.summary.clone())
            .unwrap_or_default(),
    };
    let mut line = format!("{} — {because}", verdict.label());
    // The replicas' own summary may have named the choice already.
    if verdict != Verdict::Ready
        && let Some(p) = promote
        && !because.contains(&format!("would promote {}", p.addr))
    {
        line.push_str(&format!("; would promote {}", p.addr));
    }
    line
}

/// `12.3s` / `4m05s`: a duration in the words the evidence uses (an age, so whole seconds
/// round down, unlike a lease's countdown).
pub(crate) fn span(ms: Millis) -> String {
    if ms < 60_000 {
        crate::attempt::fmt_secs(ms)
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

/// A list of addresses in words: `a, b and c`.
pub(crate) fn names<'b>(addrs: impl IntoIterator<Item = &'b Addr>) -> String {
    let all: Vec<String> = addrs.into_iter().map(Addr::to_string).collect();
    match all.as_slice() {
        [] => "none".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
