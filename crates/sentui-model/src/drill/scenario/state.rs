//! The states a step waits for or checks, judged on a [`Deployment`]: Ok with what shows the
//! state holds, or [`Unmet`] with why it does not (yet).

use super::StepError;
use crate::info::Role;
use crate::{Addr, Deployment, Millis};
use std::collections::BTreeMap;

/// Why a state does not hold (yet): what the drill shows while it waits, and what a check
/// that fails reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unmet(pub String);

impl From<&str> for Unmet {
    fn from(why: &str) -> Unmet {
        Unmet(why.to_string())
    }
}

impl From<String> for Unmet {
    fn from(why: String) -> Unmet {
        Unmet(why)
    }
}

/// A state a step waits for (`until`) or checks (`check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The sentinels name another master than the old one.
    MasterChanged,
    /// The sentinels still name the old master: no failover (yet).
    MasterUnchanged,
    /// The old master answers and reports role replica with its link up.
    OldMasterReplica,
    /// Exactly one master, and every reachable sentinel names it.
    Agreed,
    /// `sentui status` would say healthy.
    Healthy,
    /// The probe's last write was acknowledged.
    ProbeWriting,
}

pub const STATES: &str =
    "master-changed, master-unchanged, old-master-replica, agreed, healthy, probe-writing";

impl State {
    pub fn parse(s: &str) -> Result<State, StepError> {
        Ok(match s {
            "master-changed" => State::MasterChanged,
            "master-unchanged" => State::MasterUnchanged,
            "old-master-replica" => State::OldMasterReplica,
            "agreed" => State::Agreed,
            "healthy" => State::Healthy,
            "probe-writing" => State::ProbeWriting,
            other => return Err(StepError::UnknownState(other.to_string())),
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            State::MasterChanged => "master-changed",
            State::MasterUnchanged => "master-unchanged",
            State::OldMasterReplica => "old-master-replica",
            State::Agreed => "agreed",
            State::Healthy => "healthy",
            State::ProbeWriting => "probe-writing",
        }
    }

    /// Whether the state holds: Ok(what shows it) or Err(why not).
    pub fn holds(
        self,
        d: &Deployment,
        group: &str,
        old_master: Option<&Addr>,
        now: Millis,
    ) -> Result<String, Unmet> {
        let master = d.master_of(group);
        match self {
            State::MasterChanged => match (master, old_master) {
                (Some(m), Some(old)) if m != *old => Ok(format!("master is now {m}")),
                (Some(m), _) => Err(format!("master is still {m}").into()),
                (None, _) => Err("no sentinel names a master".into()),
            },
            State::MasterUnchanged => match (master, old_master) {
                (Some(m), Some(old)) if m == *old => Ok(format!("master is still {m}")),
                (Some(m), Some(_)) => Err(format!("failed over: master is now {m}").into()),
                (Some(_), None) => Err("no fault ran yet: there is no old master".into()),
                (None, _) => Err("no sentinel names a master".into()),
            },
            State::OldMasterReplica => old_master_replica(d, old_master, master.as_ref()),
            State::Agreed => agreement(d, group, now),
            State::Healthy => {
                let v = d.view(group, now);
                if v.health != crate::view::Health::Healthy {
                    return Err(format!("not healthy: {}", v.problems.join("; ")).into());
                }
                match stale_roles(d, group).first() {
                    Some(stale) => Err(stale.clone().into()),
                    None => Ok("healthy".into()),
                }
            }
            State::ProbeWriting => probe_writing(d),
        }
    }
}

/// Sentinels that have not read a replica's INFO since its role last changed (they read a
/// replica's every 10 s). Such a sentinel still holds the role it read, with the time it read
/// it: a failover promoting that replica now is undone at once (sentinel.c,
/// `sentinelRefreshInstanceInfo`: a replica that has reported master for longer than 4 publish
/// periods is sent `REPLICAOF` back, `+convert-to-slave`), and the failover aborts. Seen right
/// after a failback, in drills run back to back.
fn stale_roles(d: &Deployment, group: &str) -> Vec<String> {
    // Each node's last role change, from one pass over the log (the drill asks on every
    // update while it waits for this state).
    let mut changed: BTreeMap<&Addr, Millis> = BTreeMap::new();
    for e in d.log().entries() {
        if let Some(addr) = e
            .addr
            .as_ref()
            .filter(|_| e.is(crate::log::OwnEvent::RoleChange))
        {
            changed.insert(addr, e.ts);
        }
    }
    let mut stale = Vec::new();
    for (sentinel, s) in d.sentinels() {
        let (Some(polled), Some(poll)) = (s.polled_at, s.groups.get(group)) else {
            continue;
        };
        for r in &poll.replicas {
            let (Some(age), Some(&at)) = (r.info_refresh_ms, changed.get(&r.addr)) else {
                continue;
            };
            if polled.saturating_sub(age) < at {
                stale.push(format!(
                    "{sentinel} has not read {}'s INFO since its role changed (it reads a \
                     replica's every 10 s)",
                    r.addr
                ));
            }
        }
    }
    stale
}

/// The old master answers, and replicates from the master with its link up.
fn old_master_replica(
    d: &Deployment,
    old_master: Option<&Addr>,
    master: Option<&Addr>,
) -> Result<String, Unmet> {
    let old = old_master.ok_or("no fault ran yet: there is no old master")?;
    let node = d.nodes().get(old).ok_or(format!("{old} is not known"))?;
    let info = node
        .info
        .as_ref()
        .filter(|_| node.reach.is_ok())
        .ok_or(format!("{old} does not answer ({})", node.reach.word()))?;
    let of = info
        .master
        .as_ref()
        .map(|m| m.to_string())
        .unwrap_or_else(|| "?".into());
    match (info.role, info.link_up) {
        // A restarted node may first follow its configured master: not yet.
        (Role::Replica, _) if info.master.as_ref() != master => Err(format!(
            "{old} is a replica of {of}, not of the master {}",
            master.map(|m| m.to_string()).unwrap_or_else(|| "?".into())
        )
        .into()),
        (Role::Replica, Some(true)) => Ok(format!("{old} is a replica of {of}")),
        (Role::Replica, _) => Err(format!("{old} is a replica, its link not up yet").into()),
        (Role::Master, _) => Err(format!("{old} still says it is a master").into()),
    }
}

/// The probe's writes are acknowledged now.
fn probe_writing(d: &Deployment) -> Result<String, Unmet> {
    match d.probe() {
        Some(p) if p.outage.is_none() && p.acked > 0 => {
            Ok(format!("{} writes acknowledged", p.acked))
        }
        Some(p) if p.acked == 0 => Err("no write acknowledged yet".into()),
        Some(p) => Err(format!(
            "writes failing: {}",
            p.last_error.as_ref().map(|e| e.1.as_str()).unwrap_or("?")
        )
        .into()),
        None => Err("the probe is not running".into()),
    }
}

/// Exactly one master and every reachable sentinel names it.
pub fn agreement(d: &Deployment, group: &str, now: Millis) -> Result<String, Unmet> {
    let v = d.view(group, now);
    let master = v
        .master
        .as_ref()
        .map(|m| m.addr.clone())
        .ok_or("no sentinel names a master")?;
    let known: Vec<_> = v
        .sentinels
        .iter()
        .filter(|s| s.reach != crate::ReachState::Vanished)
        .collect();
    let answering: Vec<_> = known
        .iter()
        .filter(|s| s.reach == crate::ReachState::Ok)
        .collect();
    if answering.is_empty() || answering.len() < known.len() {
        return Err(format!("{} of {} sentinels answer", answering.len(), known.len()).into());
    }
    let dissent: Vec<String> = answering
        .iter()
        .filter(|s| s.master.as_ref() != Some(&master))
        .map(|s| {
            format!(
                "{} names {}",
                s.addr,
                s.master
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "none".into())
            )
        })
        .collect();
    if !dissent.is_empty() {
        return Err(format!("sentinels disagree: {}", dissent.join(", ")).into());
    }
    // A second node that says it is master (the old one before it is converted) is a split.
    let masters: Vec<String> = d
        .nodes()
        .values()
        .filter(|n| {
            n.reach.is_ok() && n.addr != master && d.group_of(&n.addr).as_deref() == Some(group)
        })
        .filter(|n| n.info.as_ref().is_some_and(|i| i.role == Role::Master))
        .map(|n| n.addr.to_string())
        .collect();
    if !masters.is_empty() {
        return Err(format!("{} also say(s) master besides {master}", masters.join(", ")).into());
    }
    Ok(format!(
        "{master}, named by all {} answering sentinels",
        answering.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Input, InputKind};
    use crate::log::{LogEntry, OwnEvent};

    /// The local lab, healthy, as the TUI recorded it before `w` and `p`.
    fn steady() -> (Deployment, Millis) {
        let recording = include_str!("../../postmortem/build/local-probe-failover.ndjson");
        let mut d = Deployment::default();
        let mut now = 0;
        for line in recording.lines().skip(1) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v["record"] != "input" {
                continue;
            }
            let input: Input = serde_json::from_value(v).unwrap();
            if matches!(input.kind, InputKind::Key(_)) {
                break;
            }
            now = input.at;
            d.step(input);
        }
        (d, now)
    }

    #[test]
    fn healthy_waits_until_every_sentinel_has_read_each_replicas_new_role() {
        let (mut d, now) = steady();
        assert_eq!(
            State::Healthy.holds(&d, "mymaster", None, now),
            Ok("healthy".to_string())
        );
        // A replica's role changed after the sentinels last read its INFO (a failback just
        // done): a failover now could promote it into a +convert-to-slave.
        let replica: Addr = "127.0.0.1:36055".parse().unwrap();
        let mut e = LogEntry::own(
            now,
            OwnEvent::RoleChange,
            "master -> replica of 127.0.0.1:40619",
        );
        e.addr = Some(replica);
        d.step(Input::update(now, crate::Update::Note { entry: e }));
        let why = State::Healthy.holds(&d, "mymaster", None, now).unwrap_err();
        assert!(
            why.0
                .contains("has not read 127.0.0.1:36055's INFO since its role changed"),
            "{why}"
        );
    }
}
