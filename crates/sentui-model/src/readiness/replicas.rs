//! Which replica Sentinel would promote, and why each other one is left out (sentinel.c:
//! `sentinelSelectSlave`, `compareSlavesForPromotion`). Each sentinel that could lead judges
//! from its own view (its SENTINEL REPLICAS), so the choice is made once per such sentinel.

use super::{Condition, Facts, INFO_PERIOD_MS, PING_PERIOD_MS, Rule, Status, names, span};
use crate::Millis;
use crate::addr::Addr;
use crate::flags::Flag;
use crate::reply::ReplicaRecord;
use crate::state::GroupPoll;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Why a sentinel leaves a replica out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Exclusion {
    /// It flags the replica subjectively (or objectively) down.
    Down,
    /// Its link to the replica is down.
    Disconnected,
    /// Its last good PING reply is older than 5 PING periods.
    PingStale { ms: u64 },
    /// Its last INFO is older than the validity window (3 INFO periods; 5 PING periods once
    /// the master is down).
    InfoStale { ms: u64, limit_ms: u64 },
    /// `replica-priority 0`: never promoted.
    PriorityZero,
    /// The replica's link to the master has been down longer than 10 x down-after-milliseconds
    /// (plus the time the master has been down).
    LinkDownTooLong { ms: u64, limit_ms: u64 },
}

impl Exclusion {
    pub fn describe(&self) -> String {
        match self {
            Exclusion::Down => "flagged s_down".to_string(),
            Exclusion::Disconnected => "disconnected from the sentinel".to_string(),
            Exclusion::PingStale { ms } => format!(
                "last PING reply {} ago (limit {})",
                span(*ms as Millis),
                span(5 * PING_PERIOD_MS)
            ),
            Exclusion::InfoStale { ms, limit_ms } => format!(
                "last INFO {} ago (limit {})",
                span(*ms as Millis),
                span(*limit_ms as Millis)
            ),
            Exclusion::PriorityZero => "replica-priority 0".to_string(),
            Exclusion::LinkDownTooLong { ms, limit_ms } => format!(
                "link to the master down {} (limit {}: 10 x down-after-milliseconds)",
                span(*ms as Millis),
                span(*limit_ms as Millis)
            ),
        }
    }

    /// Of two reasons of one kind, the one with the older figures.
    fn oldest(self, other: Exclusion) -> Exclusion {
        use Exclusion::*;
        match (self, other) {
            (PingStale { ms: a }, PingStale { ms: b }) => PingStale { ms: a.max(b) },
            (InfoStale { ms: a, limit_ms }, InfoStale { ms: b, .. }) => InfoStale {
                ms: a.max(b),
                limit_ms,
            },
            (LinkDownTooLong { ms: a, limit_ms }, LinkDownTooLong { ms: b, .. }) => {
                LinkDownTooLong {
                    ms: a.max(b),
                    limit_ms,
                }
            }
            (kept, _) => kept,
        }
    }

    /// Left out on purpose by its operator, not a sign of trouble.
    fn deliberate(&self) -> bool {
        *self == Exclusion::PriorityZero
    }
}

/// One replica as the sentinels that could lead judge it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicaVerdict {
    pub addr: Addr,
    /// How many of the sentinels that could lead would consider it, of how many.
    pub eligible_for: usize,
    pub judged_by: usize,
    /// Each reason a sentinel gave, with how many gave it.
    pub exclusions: Vec<(Exclusion, usize)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Streaming from its master now (link up, acknowledged within the last second).
    pub in_sync: bool,
    /// Bytes behind its master, as sentui reads them (offsets read close together).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_bytes: Option<u64>,
}

impl ReplicaVerdict {
    pub fn eligible(&self) -> bool {
        self.eligible_for > 0 && self.eligible_for == self.judged_by
    }

    /// `eligible` or `not eligible: flagged s_down by 3 of 3 sentinels`.
    pub fn describe(&self) -> String {
        if self.eligible() {
            return "eligible".to_string();
        }
        let why: Vec<String> = self
            .exclusions
            .iter()
            .map(|(e, n)| {
                let d = e.describe();
                match e {
                    Exclusion::Down | Exclusion::Disconnected => {
                        format!("{d} by {n} of {} sentinels", self.judged_by)
                    }
                    _ if *n < self.judged_by => format!("{d} (for {n} of {})", self.judged_by),
                    _ => d,
                }
            })
            .collect();
        if self.eligible_for > 0 {
            format!(
                "eligible for {} of {} sentinels; {}",
                self.eligible_for,
                self.judged_by,
                why.join(", ")
            )
        } else {
            format!("not eligible: {}", why.join(", "))
        }
    }
}

/// What decided the choice against the runner-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreak {
    /// The only eligible replica.
    Alone,
    Priority,
    Offset,
    RunId,
}

/// The replica Sentinel would promote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Promotion {
    pub addr: Addr,
    pub decided_by: TieBreak,
    /// Sentinels that could lead and would pick another one, with their pick.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<(Addr, Addr)>,
}

impl Promotion {
    pub fn reason(&self) -> &'static str {
        match self.decided_by {
            TieBreak::Alone => "the only eligible replica",
            TieBreak::Priority => "lowest replica-priority",
            TieBreak::Offset => "same priority, the furthest along in replication",
            TieBreak::RunId => "same priority, as far along: smallest run id",
        }
    }
}

/// The reasons one sentinel leaves a replica out (empty: it would consider it).
fn exclusions(r: &ReplicaRecord, poll: &GroupPoll) -> Vec<Exclusion> {
    let mut out = Vec::new();
    if r.flags.has(Flag::SDown) || r.flags.has(Flag::ODown) {
        out.push(Exclusion::Down);
    }
    if r.flags.has(Flag::Disconnected) {
        out.push(Exclusion::Disconnected);
    }
    if let Some(ms) = r
        .last_ok_ping_ms
        .filter(|ms| *ms as Millis > 5 * PING_PERIOD_MS)
    {
        out.push(Exclusion::PingStale { ms: ms as u64 });
    }
    if r.priority == Some(0) {
        out.push(Exclusion::PriorityZero);
    }
    let master_down = poll.master.flags.has(Flag::SDown);
    let info_limit = if master_down {
        5 * PING_PERIOD_MS
    } else {
        3 * INFO_PERIOD_MS
    };
    // 0 is how the reply says "never": too ambiguous to count against it.
    if let Some(ms) = r.info_refresh_ms.filter(|ms| *ms > info_limit) {
        out.push(Exclusion::InfoStale {
            ms,
            limit_ms: info_limit,
        });
    }
    if let Some(down_after) = poll.master.down_after_ms {
        let master_down_ms = if master_down {
            poll.master.sdown_ms.unwrap_or(0)
        } else {
            0
        };
        let limit = 10 * down_after + master_down_ms;
        if let Some(ms) = r.link_down_ms.filter(|ms| *ms > limit) {
            out.push(Exclusion::LinkDownTooLong {
                ms,
                limit_ms: limit,
            });
        }
    }
    out
}

/// How far each replica has got, comparable across replicas. Sentinel compares the offsets it
/// read last, which it refreshes every second once the master is down, when each replica holds
/// what it had when the master stopped. Replicas streaming from the master (link up, acked
/// within the second) all hold what it sent but the last moment's bytes: as far along, so the
/// run id decides (the offsets read now differ by whatever came between two readings, such as
/// the sentinels' hello messages). A replica behind is as far behind as sentui reads it (the
/// master's offset less its own). Without those readings for every replica, the newest offset
/// any sentinel reported.
struct Progress(BTreeMap<Addr, i64>);

/// A replica streaming from its master now: link up, acknowledged within the last second.
pub(super) fn in_sync(v: &crate::view::NodeView) -> bool {
    v.link == Some(crate::view::LinkState::Up) && v.lag_secs.is_some_and(|s| s <= 1)
}

impl Progress {
    fn new(f: &Facts, judges: &[(&Addr, &GroupPoll)]) -> Self {
        let read: Option<BTreeMap<Addr, i64>> = f
            .view
            .replicas
            .iter()
            .map(|v| {
                let behind = if in_sync(v) { 0 } else { v.lag_bytes? as i64 };
                Some((v.addr.clone(), -behind))
            })
            .collect();
        if let Some(read) = read.filter(|l| !l.is_empty()) {
            return Progress(read);
        }
        let mut newest: BTreeMap<Addr, i64> = BTreeMap::new();
        for r in judges.iter().flat_map(|(_, p)| p.replicas.iter()) {
            let o = newest.entry(r.addr.clone()).or_insert(i64::MIN);
            *o = (*o).max(r.offset.unwrap_or(0));
        }
        Progress(newest)
    }

    fn of(&self, r: &ReplicaRecord) -> i64 {
        self.0
            .get(&r.addr)
            .copied()
            .unwrap_or(r.offset.unwrap_or(0))
    }
}

/// Better first: lower priority, further along, smaller run id (case-insensitive; none last).
fn compare(a: &ReplicaRecord, b: &ReplicaRecord, progress: &Progress) -> (Ordering, TieBreak) {
    let pa = a.priority.unwrap_or(100);
    let pb = b.priority.unwrap_or(100);
    if pa != pb {
        return (pa.cmp(&pb), TieBreak::Priority);
    }
    let (oa, ob) = (progress.of(a), progress.of(b));
    if oa != ob {
        return (ob.cmp(&oa), TieBreak::Offset);
    }
    let order = match (&a.run_id, &b.run_id) {
        (Some(x), Some(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    (order, TieBreak::RunId)
}

/// One sentinel's pick, and what decided it.
fn pick<'p>(poll: &'p GroupPoll, progress: &Progress) -> Option<(&'p ReplicaRecord, TieBreak)> {
    let mut eligible: Vec<&ReplicaRecord> = poll
        .replicas
        .iter()
        .filter(|r| exclusions(r, poll).is_empty())
        .collect();
    eligible.sort_by(|a, b| compare(a, b, progress).0);
    let best = *eligible.first()?;
    let decided = eligible
        .get(1)
        .map(|second| compare(best, second, progress).1)
        .unwrap_or(TieBreak::Alone);
    Some((best, decided))
}

pub(super) fn judge(f: &Facts) -> (Condition, Vec<ReplicaVerdict>, Option<Promotion>) {
    // The sentinels that could lead judge; with none, every sentinel that answers, so the
    // replicas are still described.
    let mut judges: Vec<(&Addr, &GroupPoll)> = f
        .polls()
        .filter(|(m, _)| m.can_act())
        .map(|(m, p)| (&m.view.addr, p))
        .collect();
    if judges.is_empty() {
        judges = f.polls().map(|(m, p)| (&m.view.addr, p)).collect();
    }
    let verdicts = verdicts(f, &judges);
    let progress = Progress::new(f, &judges);
    let picks: Vec<(&Addr, &ReplicaRecord, TieBreak)> = judges
        .iter()
        .filter_map(|(s, p)| pick(p, &progress).map(|(r, t)| (*s, r, t)))
        .collect();
    // Judges that could lead and would find no replica: elected, they abort.
    let empty_handed: Vec<&Addr> = judges
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| !picks.iter().any(|(p, _, _)| p == s))
        .collect();
    let promote = promotion(&picks);
    let condition =
        condition(&verdicts, &judges, promote.as_ref()).unless_led_by(&empty_handed, &judges);
    (condition, verdicts, promote)
}

impl Condition {
    /// A replica would be promoted, but some sentinels that could lead would find none
    /// (`sentinelSelectSlave` returns NULL): elected, such a leader aborts with
    /// `-failover-abort-no-good-slave`, and no sentinel that voted tries again for twice the
    /// failover-timeout. The usual cause: a sentinel learns of replicas only from the master's
    /// `INFO` (every 10 s), so one started after them does not know them yet.
    fn unless_led_by(self, empty_handed: &[&Addr], judges: &[(&Addr, &GroupPoll)]) -> Condition {
        if empty_handed.is_empty() || !matches!(self.status, Status::Ok | Status::AtRisk) {
            return self;
        }
        let why = |s: &Addr| {
            let knows = judges
                .iter()
                .find(|(j, _)| *j == s)
                .map_or(0, |(_, p)| p.replicas.len());
            match knows {
                0 => format!("{s} knows no replica"),
                n => format!("{s} knows {n}, none eligible"),
            }
        };
        let named: Vec<String> = empty_handed.iter().map(|s| why(s)).collect();
        let who = if empty_handed.len() == 1 {
            "it"
        } else {
            "either"
        };
        Condition::new(
            Rule::Replicas,
            Status::AtRisk,
            format!(
                "{}: elected, {who} would abort with -failover-abort-no-good-slave",
                named.join(", ")
            ),
        )
        .evidence([self.summary.clone()])
        .evidence(self.evidence)
        .remedy(
            "a sentinel learns of replicas from the master's INFO every 10 s: wait until every \
sentinel lists them (SENTINEL REPLICAS), or look at why it left them out",
        )
    }
}

/// The replica most judges pick (ties: the smaller address), and the judges that differ.
fn promotion(picks: &[(&Addr, &ReplicaRecord, TieBreak)]) -> Option<Promotion> {
    let mut counts: Vec<(&Addr, usize, TieBreak)> = Vec::new();
    for (_, r, t) in picks {
        match counts.iter_mut().find(|(a, _, _)| *a == &r.addr) {
            Some(c) => c.1 += 1,
            None => counts.push((&r.addr, 1, *t)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let (addr, _, decided_by) = counts.first()?;
    Some(Promotion {
        addr: (*addr).clone(),
        decided_by: *decided_by,
        others: picks
            .iter()
            .filter(|(_, r, _)| r.addr != **addr)
            .map(|(s, r, _)| ((*s).clone(), r.addr.clone()))
            .collect(),
    })
}

fn verdicts(f: &Facts, judges: &[(&Addr, &GroupPoll)]) -> Vec<ReplicaVerdict> {
    let mut addrs: Vec<&Addr> = judges
        .iter()
        .flat_map(|(_, p)| p.replicas.iter().map(|r| &r.addr))
        .filter(|a| f.view.replicas.iter().any(|v| v.addr == **a))
        .collect();
    addrs.sort();
    addrs.dedup();
    let view_of = |a: &Addr| f.view.replicas.iter().find(|v| v.addr == *a);
    addrs
        .into_iter()
        .map(|addr| {
            let mut v = ReplicaVerdict {
                addr: addr.clone(),
                eligible_for: 0,
                judged_by: 0,
                exclusions: Vec::new(),
                priority: None,
                offset: None,
                run_id: None,
                in_sync: view_of(addr).is_some_and(in_sync),
                lag_bytes: view_of(addr).and_then(|v| v.lag_bytes),
            };
            for (_, p) in judges {
                let Some(r) = p.replicas.iter().find(|r| r.addr == *addr) else {
                    continue;
                };
                v.judged_by += 1;
                v.priority = v.priority.or(r.priority);
                v.offset = v.offset.max(r.offset);
                v.run_id = v.run_id.take().or(r.run_id.clone());
                let out = exclusions(r, p);
                v.eligible_for += usize::from(out.is_empty());
                // One reason of a kind, however many sentinels gave it: its figures are the
                // oldest any of them reported (each is over its limit anyway).
                for e in out {
                    let same = |x: &&mut (Exclusion, usize)| {
                        std::mem::discriminant(&x.0) == std::mem::discriminant(&e)
                    };
                    match v.exclusions.iter_mut().find(same) {
                        Some(x) => {
                            x.0 = x.0.clone().oldest(e);
                            x.1 += 1;
                        }
                        None => v.exclusions.push((e, 1)),
                    }
                }
            }
            v
        })
        .collect()
}

fn condition(
    verdicts: &[ReplicaVerdict],
    judges: &[(&Addr, &GroupPoll)],
    promote: Option<&Promotion>,
) -> Condition {
    let evidence: Vec<String> = verdicts
        .iter()
        .map(|v| {
            let mut line = format!("{}: {}", v.addr, v.describe());
            if let Some(p) = v.priority {
                line.push_str(&format!(" · priority {p}"));
            }
            match (v.in_sync, v.lag_bytes, v.offset) {
                (true, _, _) => line.push_str(" · in sync"),
                (false, Some(lag), _) => line.push_str(&format!(" · {lag} B behind")),
                (false, None, Some(o)) => line.push_str(&format!(" · offset {o}")),
                (false, None, None) => {}
            }
            line
        })
        .collect();
    if judges.is_empty() {
        return Condition::new(
            Rule::Replicas,
            Status::NotChecked,
            "no sentinel that answers lists the replicas",
        );
    }
    let Some(p) = promote else {
        let summary = if verdicts.is_empty() {
            "no replica to promote".to_string()
        } else {
            format!(
                "no replica is eligible ({} of {} left out)",
                verdicts.len(),
                verdicts.len()
            )
        };
        return Condition::new(Rule::Replicas, Status::Blocked, summary)
            .evidence(evidence)
            .remedy(no_good_replica_remedy(verdicts));
    };
    let chosen = format!("would promote {} ({})", p.addr, p.reason());
    if !p.others.is_empty() {
        let differ: Vec<String> = p
            .others
            .iter()
            .map(|(s, r)| format!("{s} would pick {r}"))
            .collect();
        return Condition::new(
            Rule::Replicas,
            Status::AtRisk,
            format!("the replica depends on the leader: {}", differ.join(", ")),
        )
        .evidence([chosen])
        .evidence(evidence);
    }
    let troubled: Vec<&ReplicaVerdict> = verdicts
        .iter()
        .filter(|v| !v.eligible() && v.exclusions.iter().any(|(e, _)| !e.deliberate()))
        .collect();
    if let Some(first) = troubled.first() {
        return Condition::new(
            Rule::Replicas,
            Status::AtRisk,
            format!(
                "{} {}; {chosen}",
                first.addr,
                first.describe().replacen("not eligible: ", "", 1) + ", not eligible"
            ),
        )
        .evidence(evidence)
        .remedy(format!(
            "{} cannot take over: {}",
            names(troubled.iter().map(|v| &v.addr)),
            "bring it back in reach of the sentinels and its master"
        ));
    }
    Condition::new(Rule::Replicas, Status::Ok, chosen).evidence(evidence)
}

fn no_good_replica_remedy(verdicts: &[ReplicaVerdict]) -> String {
    let has = |x: fn(&Exclusion) -> bool| {
        verdicts
            .iter()
            .any(|v| v.exclusions.iter().any(|(e, _)| x(e)))
    };
    let mut fixes = Vec::new();
    if has(|e| *e == Exclusion::PriorityZero) {
        fixes.push("give a replica a non-zero replica-priority (CONFIG SET replica-priority 100)");
    }
    if has(|e| matches!(e, Exclusion::LinkDownTooLong { .. })) {
        fixes.push(
            "restore the replicas' link to the master (masterauth, network); or raise \
             down-after-milliseconds",
        );
    }
    if has(|e| {
        matches!(
            e,
            Exclusion::Down | Exclusion::Disconnected | Exclusion::PingStale { .. }
        )
    }) {
        fixes.push("bring the replicas back in reach of the sentinels");
    }
    if fixes.is_empty() {
        fixes.push("add a replica the sentinels can see");
    }
    format!(
        "Sentinel would abort with -failover-abort-no-good-slave: {}",
        fixes.join("; ")
    )
}
