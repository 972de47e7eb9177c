//! `sentui status`: one snapshot as a table or JSON; the exit status tells the health.

use crate::connection::Connection;
use crate::deployment_name::DeploymentName;
use sentui_io::lease::LeaseStore;
use sentui_io::link::now_ms;
use sentui_model::ReachState;
use sentui_model::action::Action;
use sentui_model::flags::Flag;
use sentui_model::lease::countdown;
use sentui_model::state::Deployment;
use sentui_model::view::{GroupView, Health, NodeView};
use sentui_model::{Addr, Millis};
use serde::Serialize;
use std::fmt::Write;

/// Exit statuses of `status` (documented in docs/status.md).
pub const EXIT_HEALTHY: u8 = 0;
pub const EXIT_DEGRADED: u8 = 1;
pub const EXIT_UNREACHABLE: u8 = 2;
pub const EXIT_CRITICAL: u8 = 3;

/// One snapshot, printed as a table or JSON; the exit status tells the health.
pub async fn run(c: &Connection, group: Option<&str>, json: bool) -> u8 {
    let report = report(c, group).await;
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => outln!("{s}"),
            Err(e) => return super::fail(e),
        }
    } else {
        out!("{}", report.to_text());
    }
    report.exit_code()
}

/// One snapshot of the deployment (and the compose project's containers, with Docker).
pub async fn report(c: &Connection, group: Option<&str>) -> StatusReport {
    let mut d = sentui_io::collect::snapshot::snapshot(&c.settings.link, &c.seeds).await;
    if let Some(scope) = &c.settings.docker {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let listed = sentui_io::collect::docker::publish(
            &scope.engine,
            &scope.project,
            &c.settings.link.map,
            &tx,
        )
        .await;
        drop(tx);
        while let Some(u) = rx.recv().await {
            d.apply(u);
        }
        if let Err(e) = listed {
            eprintln!("sentui: {e}");
        }
    }
    if c.settings.docker.is_none() {
        // What runs behind the endpoints on this machine: pid, name, stopped or not.
        let map = &c.settings.link.map;
        let endpoints: Vec<(sentui_model::Addr, u16, bool)> = d
            .nodes()
            .keys()
            .map(|a| (a, false))
            .chain(d.sentinels().keys().map(|a| (a, true)))
            .filter(|(a, _)| !map.contains(a) && a.is_loopback())
            .map(|(a, sentinel)| (a.clone(), a.port, sentinel))
            .collect();
        let names = &c.control.server_names;
        for u in sentui_io::collect::local::processes_now(&endpoints, names, now_ms()) {
            d.apply(u);
        }
    }
    let now = now_ms();
    let mut report = StatusReport::new(c.deployment(), &d, group, now);
    report.leases = LeaseReport::of_members(&d, &LeaseStore::default_location(), now);
    report
}

/// A fault sentui injected that is still on its lease (any sentui of this user: the TUI, a
/// drill, `ctl`).
#[derive(Serialize)]
pub struct LeaseReport {
    pub action: Action,
    pub addr: Addr,
    /// `pid 123, redis-server` or `container lab-redis-master-1`.
    pub target: String,
    pub deployment: String,
    pub expires_at: Millis,
    pub remaining_ms: Millis,
    /// The sentui whose end ends the fault; null once nobody holds it (`ctl`, --leave-paused).
    pub held_by_pid: Option<i32>,
    pub guard_pid: Option<i32>,
}

impl LeaseReport {
    /// The leases on members of this deployment (its nodes and sentinels).
    fn of_members(d: &Deployment, store: &LeaseStore, now: Millis) -> Vec<LeaseReport> {
        store
            .list()
            .into_iter()
            .filter(|l| l.ended.is_none())
            .filter(|l| d.nodes().contains_key(&l.addr) || d.sentinels().contains_key(&l.addr))
            .map(|l| LeaseReport {
                action: l.action,
                target: l.target.describe(),
                deployment: l.deployment.clone(),
                remaining_ms: l.remaining(now),
                expires_at: l.expires_at,
                held_by_pid: l.owner.map(|o| o.pid),
                guard_pid: l.guard.map(|g| g.pid),
                addr: l.addr,
            })
            .collect()
    }

    fn line(&self) -> String {
        let holder = match self.held_by_pid {
            Some(pid) => format!("held by sentui pid {pid}"),
            None => "held by no sentui".to_string(),
        };
        format!(
            "  {} {} ({}): {} left, until {} UTC; {holder}, guard pid {}",
            self.action.verb(),
            self.addr,
            self.target,
            countdown(self.remaining_ms),
            sentui_model::time::clock(self.expires_at),
            dash(self.guard_pid)
        )
    }
}

#[derive(Serialize)]
pub struct StatusReport {
    /// When the snapshot was taken, Unix milliseconds.
    pub ts: Millis,
    /// What the snapshot is about: the compose project, and the sentinels sentui started from.
    pub deployment: DeploymentName,
    pub health: Option<Health>,
    pub sentinels_reachable: usize,
    pub sentinels_known: usize,
    /// Each sentinel that does not answer, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable_sentinels: Vec<String>,
    pub masters: Vec<GroupView>,
    /// Why sentui could not see the deployment, when it could not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Faults sentui injected into this deployment that are still on their lease.
    pub leases: Vec<LeaseReport>,
}

impl StatusReport {
    pub fn new(
        deployment: DeploymentName,
        d: &Deployment,
        only: Option<&str>,
        now: Millis,
    ) -> Self {
        let masters: Vec<GroupView> = d
            .views(now)
            .into_iter()
            .filter(|g| only.is_none_or(|o| o == g.name))
            .collect();
        let reachable = d.sentinels().values().filter(|s| s.reach.is_ok()).count();
        let mut errors = Vec::new();
        if reachable == 0 {
            for s in d.sentinels().values() {
                errors.push(format!("sentinel {}: {}", s.addr, s.reach.describe(now)));
            }
        } else if masters.is_empty() {
            errors.push(match only {
                Some(name) => format!("no sentinel monitors a master named '{name}'"),
                None => "the sentinels monitor no master".to_string(),
            });
        }
        let unreachable_sentinels = d
            .sentinels()
            .values()
            .filter(|s| !s.reach.is_ok())
            .map(|s| format!("{}: {}", s.addr, s.reach.describe(now)))
            .collect();
        StatusReport {
            ts: now,
            deployment,
            unreachable_sentinels,
            health: masters.iter().map(|g| g.health).max(),
            sentinels_reachable: reachable,
            sentinels_known: d.sentinels().len(),
            masters,
            errors,
            leases: Vec::new(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            return EXIT_UNREACHABLE;
        }
        match self.health {
            Some(Health::Healthy) => EXIT_HEALTHY,
            Some(Health::Degraded) => EXIT_DEGRADED,
            Some(Health::Critical) => EXIT_CRITICAL,
            None => EXIT_UNREACHABLE,
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "deployment: {}", self.deployment);
        for e in &self.errors {
            let _ = writeln!(out, "error: {e}");
        }
        // Every sentinel counts, those that never answered (a seed given wrong) included.
        if self.errors.is_empty() && self.sentinels_reachable < self.sentinels_known {
            let _ = writeln!(
                out,
                "sentinels: {} of {} answer",
                self.sentinels_reachable, self.sentinels_known
            );
            for s in &self.unreachable_sentinels {
                let _ = writeln!(out, "  {s}");
            }
        }
        for g in &self.masters {
            write_group(&mut out, g);
        }
        if !self.leases.is_empty() {
            let _ = writeln!(
                out,
                "leases (a guard ends each fault when its lease runs out or its sentui is gone):"
            );
            for l in &self.leases {
                let _ = writeln!(out, "{}", l.line());
            }
        }
        out
    }
}

fn health_word(h: Health) -> &'static str {
    match h {
        Health::Healthy => "HEALTHY",
        Health::Degraded => "DEGRADED",
        Health::Critical => "CRITICAL",
    }
}

fn dash<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn node_row(out: &mut String, label: &str, n: &NodeView) {
    let role = n.role.map(|r| format!("{r:?}").to_lowercase());
    let state = match n.unresponsive_ms {
        _ if n.stopped => "stopped".into(),
        Some(ms) => format!("unresponsive {ms}ms"),
        None if n.partitioned => "partitioned".into(),
        None => n.reach.to_string(),
    };
    let lag = match (n.lag_bytes, n.lag_secs) {
        (Some(b), Some(s)) => format!("{b}B/{s}s"),
        (Some(b), None) => format!("{b}B"),
        _ => "-".into(),
    };
    let mut flags = n.flags.to_string();
    if !n.aliases.is_empty() {
        let also: Vec<String> = n.aliases.iter().map(|a| a.to_string()).collect();
        flags.push_str(&format!(
            " (also listed as {}: RDB channel)",
            also.join(", ")
        ));
    }
    let _ = writeln!(
        out,
        "  {label:<8} {:<22} {:<8} {:<18} {:>12} {:>10} {:<5} {:<13} {}",
        n.addr.to_string(),
        dash(role),
        state,
        dash(n.offset),
        lag,
        dash(n.link),
        dash(n.server.as_ref()),
        with_behind(flags, n.container.as_ref(), n.process.as_deref())
    );
}

/// Appends what runs behind an endpoint (container or local process) to a column.
fn with_behind(
    text: String,
    container: Option<&sentui_model::state::ContainerInfo>,
    process: Option<&str>,
) -> String {
    match (container, process) {
        (Some(c), _) if c.is_partitioned() => {
            format!("{text}  [{} {} partitioned]", c.name, c.state)
        }
        (Some(c), _) => format!("{text}  [{} {}]", c.name, c.state),
        (None, Some(p)) => format!("{text}  [{p}]"),
        (None, None) => text,
    }
}

fn write_group(out: &mut String, g: &GroupView) {
    let reachable = g
        .sentinels
        .iter()
        .filter(|s| s.reach == ReachState::Ok)
        .count();
    let _ = writeln!(
        out,
        "{}  {}  epoch {}  quorum {}  sentinels {}/{} reachable{}",
        g.name,
        health_word(g.health),
        g.epoch,
        g.quorum,
        reachable,
        g.sentinels.len(),
        if g.failover_in_progress {
            "  FAILOVER IN PROGRESS"
        } else {
            ""
        }
    );
    // The settings that bound what a failover loses, as the nodes and sentinels report them.
    let mut settings = Vec::new();
    if let Some(m) = g.master.as_ref().and_then(|m| m.min_replicas) {
        settings.push(format!("master: {m}"));
    }
    match g.master_reboot_down_after_ms {
        Some(0) => settings.push("master-reboot-down-after-period 0 (off)".into()),
        Some(ms) => settings.push(format!("master-reboot-down-after-period {ms}ms")),
        None => {}
    }
    if !settings.is_empty() {
        let _ = writeln!(out, "  settings {}", settings.join("; "));
    }
    let _ = writeln!(
        out,
        "  {:<8} {:<22} {:<8} {:<18} {:>12} {:>10} {:<5} {:<13} FLAGS",
        "", "ADDR", "ROLE", "STATE", "OFFSET", "LAG", "LINK", "SERVER"
    );
    if let Some(m) = &g.master {
        node_row(out, "master", m);
    }
    for r in &g.replicas {
        node_row(out, "replica", r);
    }
    let _ = writeln!(
        out,
        "  {:<8} {:<22} {:<18} {:>6} {:<22} {:>5} {:<13} NOTES",
        "", "SENTINEL", "STATE", "RTT", "BELIEVES MASTER", "EPOCH", "SERVER"
    );
    for s in &g.sentinels {
        let mut notes_prefix = String::new();
        if let Some(c) = &s.container {
            notes_prefix = format!("[{} {}] ", c.name, c.state);
        }
        let mut notes = s
            .master_flags
            .iter()
            .filter(|f| **f != Flag::Master)
            .map(|f| f.name().to_string())
            .collect::<Vec<_>>();
        if s.disagrees {
            notes.push("DISAGREES".into());
        }
        if s.tilt {
            notes.push("TILT".into());
        }
        if let (Some(v), Some(e)) = (&s.voted_leader, s.voted_epoch) {
            notes.push(format!("voted {} in epoch {e}", &v[..v.len().min(8)]));
        }
        if let Some(q) = &s.ckquorum
            && !q.ok
        {
            notes.push(q.text.clone());
        }
        let state = match s.unresponsive_ms {
            _ if s.stopped => "stopped".into(),
            Some(ms) => format!("unresponsive {ms}ms"),
            None => s.reach.to_string(),
        };
        let notes = format!("{notes_prefix}{}", notes.join("; "));
        let _ = writeln!(
            out,
            "  {:<8} {:<22} {:<18} {:>6} {:<22} {:>5} {:<13} {}",
            "sentinel",
            s.addr.to_string(),
            state,
            s.rtt_ms
                .map(|r| format!("{r}ms"))
                .unwrap_or_else(|| "-".into()),
            dash(s.master.as_ref()),
            dash(s.config_epoch),
            dash(s.server.as_ref()),
            notes
        );
    }
    if !g.problems.is_empty() {
        let _ = writeln!(out, "  problems:");
        for p in &g.problems {
            let _ = writeln!(out, "    - {p}");
        }
    }
    out.push('\n');
}
