//! The rules beside Sentinel's own decision: the rights of the sentinels' user on the nodes,
//! whether the sentinels agree on the group's settings, and whether writes work right now.

use super::{Condition, Facts, Rule, Status, names};
use crate::addr::Addr;
use crate::info::Role;
use crate::rights::RightsCheck;
use crate::state::ReachState;
use std::collections::{BTreeMap, BTreeSet};

/// The user the sentinels log in with must be allowed every command a failover sends
/// (sentinel.c: `sentinelSendSlaveOf`); a refused one leaves the promotion undone until the
/// failover times out.
pub(super) fn rights(f: &Facts) -> Condition {
    let mut denied = Vec::new();
    let mut first_denied: Option<&str> = None;
    let mut not_checked = Vec::new();
    let mut checked = 0;
    for addr in group_nodes(f) {
        match f.d.nodes().get(addr).and_then(|n| n.rights.as_ref()) {
            None => not_checked.push(format!("{addr}: not read yet")),
            Some(r) => match &r.check {
                RightsCheck::NotChecked { why } => not_checked.push(format!("{addr}: {why}")),
                RightsCheck::Checked { logins } => {
                    checked += 1;
                    for l in logins {
                        for d in &l.denied {
                            first_denied.get_or_insert(&d.command);
                            denied.push(format!(
                                "{addr}: user {} (sentinel {}) may not run {}: {}",
                                l.user, l.sentinel_id, d.command, d.reason
                            ));
                        }
                    }
                }
            },
        }
    }
    let logins: Vec<String> = logins_by_sentinel(f)
        .iter()
        .map(|(id, users)| format!("sentinel {id} logs in as {}", join(users)))
        .collect();
    if !denied.is_empty() {
        return Condition::new(
            Rule::Rights,
            Status::Blocked,
            format!(
                "the sentinels' user may not run {}",
                first_denied.unwrap_or("a failover command")
            ),
        )
        .evidence(denied)
        .evidence(logins)
        .remedy(
            "grant the sentinels' user what a failover sends: ACL SETUSER <user> +multi +exec \
             +slaveof +replicaof +config|rewrite +client|kill (and +ping +info +subscribe \
             +publish +client|setname +role to watch)",
        );
    }
    if checked == 0 {
        let summary = match not_checked.first() {
            Some(first) => first.clone(),
            None => "no node to check".to_string(),
        };
        return Condition::new(Rule::Rights, Status::NotChecked, summary).evidence(not_checked);
    }
    Condition::new(
        Rule::Rights,
        Status::Ok,
        format!("the sentinels' user may run the failover's commands on {checked} node(s)"),
    )
    .evidence(logins)
    .evidence(not_checked)
}

/// Each sentinel decides from its own settings and view: they must agree on the master, the
/// config epoch, the quorum, down-after-milliseconds and failover-timeout, and log in as one
/// user.
pub(super) fn consistency(f: &Facts) -> Condition {
    let mut differ = Vec::new();
    let polls: Vec<_> = f.polls().collect();
    let mut compare = |what: &str, value: &dyn Fn(&crate::reply::MasterRecord) -> String| {
        let mut seen: BTreeMap<String, Vec<&Addr>> = BTreeMap::new();
        for (m, p) in &polls {
            seen.entry(value(&p.master)).or_default().push(&m.view.addr);
        }
        if seen.len() > 1 {
            let parts: Vec<String> = seen
                .iter()
                .map(|(v, who)| format!("{v} ({})", names(who.iter().copied())))
                .collect();
            differ.push(format!("{what}: {}", parts.join(" vs ")));
        }
    };
    compare("master", &|m| m.addr.to_string());
    compare("config epoch", &|m| m.config_epoch.to_string());
    compare("quorum", &|m| m.quorum.to_string());
    compare("down-after-milliseconds", &|m| opt(m.down_after_ms));
    compare("failover-timeout", &|m| opt(m.failover_timeout_ms));
    compare("sentinels known", &|m| {
        (m.num_other_sentinels + 1).to_string()
    });
    if let Some(users) = login_users(f) {
        differ.push(users);
    }
    if differ.is_empty() {
        return Condition::new(
            Rule::Consistency,
            Status::Ok,
            format!("{} sentinel(s) agree on the group's settings", polls.len()),
        );
    }
    Condition::new(
        Rule::Consistency,
        Status::AtRisk,
        format!("sentinels disagree on {}", differ[0]),
    )
    .evidence(differ)
    .remedy(
        "set the same value on each sentinel (SENTINEL SET <group> <option> <value>); a \
         different master or epoch settles once the newest config reaches every sentinel",
    )
}

fn opt(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

/// `credentials: sentinel a as default, sentinel b as failover`, when they differ.
fn login_users(f: &Facts) -> Option<String> {
    let by_sentinel = logins_by_sentinel(f);
    let users: BTreeSet<&String> = by_sentinel.values().flatten().collect();
    (users.len() > 1).then(|| {
        let parts: Vec<String> = by_sentinel
            .iter()
            .map(|(id, u)| format!("sentinel {id} as {}", join(u)))
            .collect();
        format!("credentials: {}", parts.join(", "))
    })
}

/// The group's master and replicas.
fn group_nodes<'a>(f: &Facts<'a>) -> impl Iterator<Item = &'a Addr> {
    f.view
        .master
        .iter()
        .chain(f.view.replicas.iter())
        .map(|n| &n.addr)
}

/// The users each sentinel logs in with on the group's nodes, as their rights checks read
/// them (CLIENT LIST), by the sentinel's id.
fn logins_by_sentinel(f: &Facts) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_sentinel: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for addr in group_nodes(f) {
        let check = f.d.nodes().get(addr).and_then(|n| n.rights.as_ref());
        if let Some(RightsCheck::Checked { logins }) = check.map(|r| &r.check) {
            for l in logins {
                by_sentinel
                    .entry(l.sentinel_id.clone())
                    .or_default()
                    .insert(l.user.clone());
            }
        }
    }
    by_sentinel
}

fn join(users: &BTreeSet<String>) -> String {
    users.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Writes right now: a second node that says master still takes writes (split brain), a master
/// under `CLIENT PAUSE` holds them back (INFO's `paused_reason`, `paused_actions`), and a master
/// short of `min-replicas-to-write` good replicas refuses them (NOREPLICAS).
pub(super) fn writes(f: &Facts) -> Condition {
    let mut trouble = Vec::new();
    for r in &f.view.replicas {
        if r.reach == ReachState::Ok && r.role == Some(Role::Master) {
            trouble.push(format!(
                "split brain: {} still accepts writes as master{}",
                r.addr,
                f.view
                    .master
                    .as_ref()
                    .map(|m| format!(" (the sentinels' master is {})", m.addr))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(m) = &f.view.master
        && let Some(pause) = &m.write_pause
    {
        trouble.push(format!("the master {} has {}", m.addr, pause.describe()));
    }
    if let Some(m) = &f.view.master
        && let Some(min) = m.min_replicas.filter(|m| m.to_write > 0)
        && let Some(good) =
            f.d.nodes()
                .get(&m.addr)
                .and_then(|n| n.info.as_ref())
                .and_then(|i| i.good_replicas)
        && good < min.to_write
    {
        trouble.push(format!(
            "the master {} refuses writes (NOREPLICAS): {good} good replica(s), \
             min-replicas-to-write is {} (max lag {}s)",
            m.addr, min.to_write, min.max_lag_secs
        ));
    }
    if trouble.is_empty() {
        return Condition::new(
            Rule::Writes,
            Status::Ok,
            "one master takes writes; nothing refuses them",
        );
    }
    Condition::new(Rule::Writes, Status::AtRisk, trouble[0].clone())
        .evidence(trouble)
        .remedy(
            "a second master loses the writes it takes when it is made a replica again: \
             point clients at the sentinels' master, and bound it with min-replicas-to-write",
        )
}
