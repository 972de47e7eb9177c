//! The states a step waits for or checks, judged on a [`Deployment`]: Ok with what shows the
//! state holds, or [`Unmet`] with why it does not (yet).

use super::StepError;
use crate::info::Role;
use crate::{Addr, Deployment, Millis};

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
                if v.health == crate::view::Health::Healthy {
                    Ok("healthy".into())
                } else {
                    Err(format!("not healthy: {}", v.problems.join("; ")).into())
                }
            }
            State::ProbeWriting => probe_writing(d),
        }
    }
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
