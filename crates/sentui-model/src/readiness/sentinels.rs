//! The rules about the sentinels: objective down, the election, TILT and the cooldown.

use super::{Condition, Facts, MAX_DESYNC_MS, Member, Rule, Status, TILT_PERIOD_MS, names, span};
use crate::Millis;
use crate::state::StartCause;
use crate::time::clock;

/// Why a sentinel does not count, in words.
fn why_out(m: &Member, now: Millis) -> String {
    let addr = &m.view.addr;
    if !m.answers {
        let how = if m.view.paused {
            "paused".to_string()
        } else if m.view.stopped {
            "stopped".to_string()
        } else {
            match &m.view.reason {
                Some(r) => format!("{} ({r})", m.view.reach),
                None => m.view.reach.to_string(),
            }
        };
        return format!("{addr}: does not answer sentui: {how}");
    }
    if m.down_for_peers() {
        return format!(
            "{addr}: flagged s_down by {} of {} sentinels that list it",
            m.flagged_down_by, m.listed_by
        );
    }
    if m.view.tilt {
        return format!("{addr}: in TILT{}", tilt_span(m, now));
    }
    format!("{addr}: counts")
}

/// ` since 10:42:01 (12.0s), until about 10:42:31`.
fn tilt_span(m: &Member, now: Millis) -> String {
    match m.state.and_then(|s| s.tilt_since) {
        Some(since) => format!(
            " since {} ({}), until about {}",
            clock(since),
            span(now.saturating_sub(since)),
            clock(since + TILT_PERIOD_MS)
        ),
        None => String::new(),
    }
}

fn tilt_end(m: &Member) -> Option<Millis> {
    Some(m.state?.tilt_since? + TILT_PERIOD_MS)
}

/// ODOWN: the sentinel that sees the master down counts itself and every peer that answered
/// its SENTINEL IS-MASTER-DOWN-BY-ADDR with "down"; it needs `quorum` of them. A sentinel in
/// TILT answers "not down" and checks nothing itself (sentinel.c:
/// `sentinelCheckObjectivelyDown`, `sentinelCommand` is-master-down-by-addr,
/// `sentinelHandleRedisInstance`).
pub(super) fn objective_down(f: &Facts) -> Condition {
    let total = f.members.len();
    if f.quorum == 0 {
        return Condition::new(
            Rule::ObjectiveDown,
            Status::NotChecked,
            "no sentinel that answers reports the group's quorum",
        );
    }
    let able: Vec<&Member> = f.members.iter().filter(|m| m.can_act()).collect();
    let out: Vec<String> = f
        .members
        .iter()
        .filter(|m| !m.can_act())
        .map(|m| why_out(m, f.now))
        .collect();
    let n = able.len() as u32;
    let counted = format!(
        "{n} of {total} sentinels can see the master down, quorum is {}",
        f.quorum
    );
    if n < f.quorum {
        // Enough sentinels whose TILT ends in time: blocked until the one that completes it.
        let mut ends: Vec<Millis> = f
            .members
            .iter()
            .filter(|m| m.can_vote() && m.view.tilt)
            .filter_map(tilt_end)
            .collect();
        ends.sort();
        let until = ends.get((f.quorum - n) as usize - 1).copied();
        let summary = match until {
            Some(t) => format!(
                "objective down out of reach until about {}: {counted}",
                clock(t)
            ),
            None => format!("objective down out of reach: {counted}"),
        };
        return Condition::new(Rule::ObjectiveDown, Status::Blocked, summary)
            .evidence(out)
            .until(until)
            .remedy(
                "bring back the sentinels listed (or wait for their TILT to end); \
                 lowering the quorum (SENTINEL SET <group> quorum N) trades safety for it",
            );
    }
    let status = if n == f.quorum && (total as u32) > f.quorum {
        Status::AtRisk
    } else {
        Status::Ok
    };
    let summary = if status == Status::AtRisk {
        format!("{counted}: one more lost and no failover")
    } else {
        counted
    };
    Condition::new(Rule::ObjectiveDown, status, summary).evidence(out)
}

/// The election: a leader needs the votes of max(quorum, voters/2+1) sentinels in the epoch,
/// the voters being every sentinel it knows (ever seen since the last SENTINEL RESET) and
/// itself (sentinel.c: `sentinelGetLeader`).
pub(super) fn election(f: &Facts) -> Condition {
    let known = f
        .polls()
        .map(|(_, p)| p.master.num_other_sentinels as usize + 1)
        .max()
        .unwrap_or(f.members.len())
        .max(f.members.len());
    let needed = (f.quorum as usize).max(known / 2 + 1);
    let voters: Vec<&Member> = f.members.iter().filter(|m| m.can_vote()).collect();
    let ghosts: Vec<&Member> = f.members.iter().filter(|m| !m.can_vote()).collect();
    let n = voters.len();
    let counted = format!(
        "{n} of {known} sentinels can vote, {needed} needed (max of quorum {} and {known}/2+1)",
        f.quorum
    );
    let mut evidence = vec![format!(
        "voting: {}",
        names(voters.iter().map(|m| &m.view.addr))
    )];
    evidence.extend(ghosts.iter().map(|m| ghost_line(f, m)));
    if known > f.members.len() {
        evidence.push(format!(
            "{} more counted by the sentinels than sentui sees",
            known - f.members.len()
        ));
    }
    let reset = format!(
        "if {} gone for good, run SENTINEL RESET {} on each sentinel that answers, one at a \
         time, 30 s apart: they forget the sentinels that no longer say hello",
        if ghosts.len() == 1 {
            "it is"
        } else {
            "they are"
        },
        f.group()
    );
    if n < needed {
        let summary = if ghosts.is_empty() {
            format!("election out of reach: {counted}")
        } else {
            format!(
                "election out of reach: {counted}; counted but silent: {}",
                names(ghosts.iter().map(|m| &m.view.addr))
            )
        };
        return Condition::new(Rule::Election, Status::Blocked, summary)
            .evidence(evidence)
            .remedy(reset);
    }
    if n == needed && known > needed {
        let c = Condition::new(
            Rule::Election,
            Status::AtRisk,
            format!("{counted}: one more lost and no leader"),
        )
        .evidence(evidence);
        return if ghosts.is_empty() {
            c
        } else {
            c.remedy(reset)
        };
    }
    Condition::new(Rule::Election, Status::Ok, counted).evidence(evidence)
}

/// A silent sentinel, with how long its peers have not heard from it.
fn ghost_line(f: &Facts, m: &Member) -> String {
    let silent = f
        .polls()
        .flat_map(|(_, p)| p.peers.iter())
        .filter(|p| p.addr == m.view.addr)
        .filter_map(|p| p.last_ok_ping_ms)
        .min();
    match silent {
        Some(ms) if ms > 0 => format!(
            "{} (its peers last heard it {} ago)",
            why_out(m, f.now),
            span(ms as Millis)
        ),
        _ => why_out(m, f.now),
    }
}

/// TILT: after a timer jump of over 2 s a sentinel stops acting for 30 s (it still collects
/// and votes) (sentinel.c: `sentinelCheckTiltCondition`, `sentinelHandleRedisInstance`).
pub(super) fn tilt(f: &Facts) -> Condition {
    let tilted: Vec<&Member> = f.members.iter().filter(|m| m.view.tilt).collect();
    if tilted.is_empty() {
        return Condition::new(Rule::Tilt, Status::Ok, "no sentinel in TILT");
    }
    let until = tilted.iter().filter_map(|m| tilt_end(m)).max();
    Condition::new(
        Rule::Tilt,
        Status::AtRisk,
        format!(
            "{} in TILT{}",
            names(tilted.iter().map(|m| &m.view.addr)),
            until
                .map(|t| format!(" until about {}", clock(t)))
                .unwrap_or_default()
        ),
    )
    .evidence(tilted.iter().map(|m| why_out(m, f.now)))
    .evidence([
        "meanwhile it does not mark the master down, answers \"not down\" to its \
                peers and neither starts nor leads a failover; it still votes"
            .to_string(),
    ])
    .until(until)
    .remedy(
        "TILT ends 30 s after its last trigger; a sentinel that keeps entering it is starved \
         of CPU or paused (look at sentinel_total_tilt, the host's load and the clock)",
    )
}

/// The cooldown: a sentinel does not start an attempt within twice the failover-timeout of
/// its last start, which its own attempt or a vote for another sentinel set (sentinel.c:
/// `sentinelStartFailoverIfNeeded`, `sentinelVoteLeader`).
pub(super) fn cooldown(f: &Facts) -> Condition {
    let wait = 2 * f.failover_timeout_ms;
    if let Some(what) = in_progress(f) {
        return Condition::new(
            Rule::Cooldown,
            Status::AtRisk,
            format!("a failover is in progress ({what})"),
        );
    }
    let starts = f.d.failover_starts(f.group());
    let heard = f
        .members
        .iter()
        .any(|m| m.state.is_some_and(|s| s.pubsub_up));
    if !heard && starts.is_none_or(|s| s.is_empty()) {
        // No reply says when a sentinel last tried or voted: only its events do.
        return Condition::new(
            Rule::Cooldown,
            Status::NotChecked,
            format!(
                "no event heard: an attempt or a vote in the last {} would hold the next \
                 attempt back (the TUI and `sentui events` hear them)",
                span(wait)
            ),
        );
    }
    let able: Vec<&Member> = f.members.iter().filter(|m| m.can_act()).collect();
    let mut evidence = Vec::new();
    let mut free_now = Vec::new();
    let mut next: Vec<Millis> = Vec::new();
    for m in &able {
        match starts.and_then(|s| s.get(&m.view.addr)) {
            Some(start) if start.at + wait > f.now => {
                let why = match &start.cause {
                    StartCause::Tried => "tried a failover".to_string(),
                    StartCause::VotedFor { epoch, .. } => {
                        format!("voted for another sentinel in epoch {epoch}")
                    }
                };
                evidence.push(format!(
                    "{}: {why} at {}; no attempt of its own before {} (+ up to 1s)",
                    m.view.addr,
                    clock(start.at),
                    clock(start.at + wait)
                ));
                next.push(start.at + wait);
            }
            _ => free_now.push(&m.view.addr),
        }
    }
    evidence.push(format!(
        "from the attempts and votes sentui heard since it started; failover-timeout {}, so \
         {} between attempts",
        span(f.failover_timeout_ms),
        span(wait)
    ));
    if !free_now.is_empty() || able.is_empty() {
        let summary = if next.is_empty() {
            "no recent attempt holds a sentinel back".to_string()
        } else {
            format!("{} can start an attempt now", names(free_now))
        };
        return Condition::new(Rule::Cooldown, Status::Ok, summary).evidence(evidence);
    }
    let until = next.into_iter().min();
    Condition::new(
        Rule::Cooldown,
        Status::Blocked,
        format!(
            "no new attempt before {} (cooldown after the last)",
            until.map(clock).unwrap_or_default()
        ),
    )
    .evidence(evidence)
    .until(until.map(|t| t + MAX_DESYNC_MS))
    .remedy(
        "wait; or ask for one now with SENTINEL FAILOVER <group>, which the cooldown does not \
         hold back",
    )
}

/// A failover under way: a sentinel says so (its failover state or flag), or an attempt sentui
/// heard tried and has not ended. An aborted one is over, though the master stays down.
fn in_progress(f: &Facts) -> Option<String> {
    let said = f.polls().find_map(|(m, p)| {
        let flagged = p.master.flags.iter().any(crate::flags::Flag::is_failover);
        match &p.master.failover_state {
            Some(state) => Some(format!("{} says {state}", m.view.addr)),
            None if flagged => Some(format!("{} flags it", m.view.addr)),
            None => None,
        }
    });
    said.or_else(|| {
        let attempt = f.d.stopwatches().get(f.group())?.running()?;
        attempt.tried().then(|| match attempt.epoch {
            Some(e) => format!("an attempt in epoch {e}"),
            None => "an attempt".to_string(),
        })
    })
}
