//! The health verdict of a group and the problems behind it, in the words `status` prints.

use super::{GroupView, Health, LinkState, NodeView, SentinelView};
use crate::flags::Flag;
use crate::info::Role;
use crate::state::{ContainerInfo, ReachState};

/// Why an endpoint is refused or failed: its stopped or paused container when it has one (the
/// link's own error would only say that nothing listens, or that no port is published), else
/// the link's error.
pub(super) fn why_not(link: Option<&str>, container: Option<&ContainerInfo>) -> Option<String> {
    let link = link?;
    Some(
        container
            .and_then(ContainerInfo::cause)
            .unwrap_or_else(|| link.to_string()),
    )
}

/// `: reason` for the states whose word alone does not say what went wrong.
fn why(reason: &Option<String>) -> String {
    match reason.as_deref() {
        Some(r) if r != "connection refused" => format!(": {r}"),
        _ => String::new(),
    }
}

/// What is wrong, by weight: critical problems (no failover or no writes) and degraded ones.
#[derive(Default)]
struct Problems {
    critical: Vec<String>,
    degraded: Vec<String>,
}

/// Sets the health verdict and the list of problems behind it (the critical ones first).
pub(super) fn judge(v: &mut GroupView) {
    let mut p = Problems::default();
    match &v.master {
        None => p.critical.push("no sentinel reports a master".to_string()),
        Some(m) => master(&mut p, m),
    }
    if v.failover_in_progress && v.coordinated {
        p.critical.push("coordinated failover in progress".into());
    } else if v.failover_in_progress {
        p.critical.push("failover in progress".into());
    }
    for r in &v.replicas {
        replica(&mut p, r);
    }
    let reachable = v
        .sentinels
        .iter()
        .filter(|s| s.reach == ReachState::Ok)
        .count() as u32;
    if v.quorum > 0 && reachable < v.quorum {
        p.critical.push(format!(
            "only {reachable} sentinel(s) reachable, quorum is {}",
            v.quorum
        ));
    }
    for s in &v.sentinels {
        sentinel(&mut p, s);
    }
    v.health = if !p.critical.is_empty() {
        Health::Critical
    } else if !p.degraded.is_empty() {
        Health::Degraded
    } else {
        Health::Healthy
    };
    p.critical.extend(p.degraded);
    v.problems = p.critical;
}

fn master(p: &mut Problems, m: &NodeView) {
    if let Some(cause) = m.container.as_ref().and_then(|c| c.cause()) {
        p.critical.push(format!("master {} is {cause}", m.addr));
    } else if m.reach != ReachState::Ok {
        p.critical.push(format!(
            "master {} is {}{}",
            m.addr,
            m.reach,
            why(&m.reason)
        ));
    } else if m.role == Some(Role::Replica) {
        p.critical
            .push(format!("master {} reports role replica", m.addr));
    }
    if m.flags.has(Flag::MasterReboot) {
        p.degraded.push(format!(
            "master {} restarted and has not answered PING since (master_reboot); past master-reboot-down-after-period the sentinels count it down",
            m.addr
        ));
    }
    // A pause holds every write the clients send (a coordinated failover's, or one it left
    // behind when it aborted): no writes, whatever the sentinels think.
    if let Some(w) = &m.write_pause {
        p.critical.push(format!(
            "{} paused on the master ({}), {:.1} s left",
            w.actions.what(),
            w.reason.name(),
            w.left_ms as f64 / 1000.0
        ));
    }
    if let Some(state) = m.failover_state.as_ref().filter(|s| s.is_active()) {
        p.degraded.push(format!(
            "master {} runs a FAILOVER ({state}): it hands over once a replica caught up",
            m.addr
        ));
    }
    if m.flags.has(Flag::ODown) {
        p.critical
            .push(format!("master {} is objectively down", m.addr));
    } else if m.flags.has(Flag::SDown) {
        p.degraded
            .push(format!("master {} is subjectively down", m.addr));
    }
}

fn replica(p: &mut Problems, r: &NodeView) {
    if let Some(w) = &r.write_pause {
        p.degraded
            .push(format!("replica {}: {}", r.addr, w.describe()));
    }
    if let Some(cause) = r.container.as_ref().and_then(|c| c.cause()) {
        p.degraded.push(format!("replica {} is {cause}", r.addr));
    } else if r.reach != ReachState::Ok {
        p.degraded.push(format!(
            "replica {} is {}{}",
            r.addr,
            r.reach,
            why(&r.reason)
        ));
    } else if r.link == Some(LinkState::Down) {
        p.degraded
            .push(format!("replica {} has its link down", r.addr));
    } else if r.role == Some(Role::Master) {
        p.degraded.push(format!(
            "split brain: replica {} reports role master and still accepts writes",
            r.addr
        ));
    }
    // sentui may still reach it, but the sentinels' view is what a failover acts on.
    if r.flags.has(Flag::SDown) || r.flags.has(Flag::Disconnected) {
        p.degraded.push(format!(
            "replica {} is {} for the sentinels: they will not promote it",
            r.addr,
            if r.flags.has(Flag::SDown) {
                "subjectively down (s_down)"
            } else {
                "disconnected"
            }
        ));
    }
}

fn sentinel(p: &mut Problems, s: &SentinelView) {
    if let Some(cause) = s.container.as_ref().and_then(|c| c.cause()) {
        p.degraded.push(format!("sentinel {} is {cause}", s.addr));
    } else if s.reach != ReachState::Ok {
        p.degraded.push(format!(
            "sentinel {} is {}{}",
            s.addr,
            s.reach,
            why(&s.reason)
        ));
    }
    if s.disagrees && s.reach == ReachState::Ok {
        let theirs = s.master.as_ref().map(|m| m.to_string()).unwrap_or_default();
        p.degraded.push(format!(
            "sentinel {} believes the master is {theirs}",
            s.addr
        ));
    }
    if s.tilt {
        p.degraded
            .push(format!("sentinel {} is in TILT mode", s.addr));
    }
    if let Some(q) = &s.ckquorum
        && !q.ok
        && s.reach == ReachState::Ok
    {
        p.degraded.push(format!("sentinel {}: {}", s.addr, q.text));
    }
}
