//! `sentui status`: one snapshot as a table or JSON; the exit status tells the health. The
//! table (`status/text.rs`) fits the terminal; `--wide` shows every column.

mod text;

use crate::connection::Connection;
use crate::deployment_name::DeploymentName;
use sentui_io::collect::snapshot::Rights;
use sentui_io::lease::LeaseStore;
use sentui_io::link::now_ms;
use sentui_model::action::Action;
use sentui_model::lease::countdown;
use sentui_model::state::Deployment;
use sentui_model::view::{GroupView, Health};
use sentui_model::{Addr, Millis};
use serde::Serialize;

/// Exit statuses of `status` (documented in docs/status.md).
pub const EXIT_HEALTHY: u8 = 0;
pub const EXIT_DEGRADED: u8 = 1;
pub const EXIT_UNREACHABLE: u8 = 2;
pub const EXIT_CRITICAL: u8 = 3;

/// One snapshot, printed as a table or JSON; the exit status tells the health.
pub async fn run(
    c: &Connection,
    group: Option<&str>,
    json: bool,
    wide: bool,
    processes: bool,
) -> u8 {
    let report = report(c, group, processes).await;
    let text = if json {
        String::new()
    } else {
        report.to_text(text_width(wide))
    };
    if !json {
        // Data on stdout; errors, and what to do about them, on stderr.
        for e in report.errors_and_hint() {
            eprintln!("sentui: {e}");
        }
    }
    super::print_report(json, &report, &text, report.exit_code())
}

/// The width the table fits: the terminal's, when stdout is one and `--wide` is not given.
pub fn text_width(wide: bool) -> Option<usize> {
    use std::io::IsTerminal;
    if wide || !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size().ok().map(|(w, _)| w as usize)
}

/// One snapshot of the deployment (and the compose project's containers, with Docker); the
/// local process behind each endpoint that does not answer (behind every one: `processes`).
pub async fn report(c: &Connection, group: Option<&str>, processes: bool) -> StatusReport {
    let d = collect(c, Rights::Skip, processes).await;
    let now = now_ms();
    let mut report = StatusReport::new(c.deployment(), &d, group, now);
    report.tls = c.settings.link.tls.is_some();
    report.leases = LeaseReport::of_members(&d, &LeaseStore::default_location(), now);
    report
}

/// One snapshot's deployment: the sentinels and nodes, the containers (with Docker) or the
/// local processes behind them, and, when asked, the sentinels' rights on each node.
pub async fn collect(c: &Connection, rights: Rights, processes: bool) -> Deployment {
    let mut d =
        sentui_io::collect::snapshot::snapshot_with(&c.settings.link, &c.seeds, rights).await;
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
        // What runs behind the endpoints on this machine: pid, name, stopped or not. Reading
        // /proc costs more than the whole snapshot, so only where it explains something (an
        // endpoint that does not answer), unless every one is asked for.
        let map = &c.settings.link.map;
        let nodes = d.nodes().iter().map(|(a, n)| (a, &n.reach, false));
        let sentinels = d.sentinels().iter().map(|(a, s)| (a, &s.reach, true));
        let endpoints: Vec<(sentui_model::Addr, u16, bool)> = nodes
            .chain(sentinels)
            .filter(|(_, reach, _)| processes || !matches!(reach, sentui_model::Reach::Ok))
            .filter(|(a, _, _)| !map.contains(a) && a.is_loopback())
            .map(|(a, _, sentinel)| (a.clone(), a.port, sentinel))
            .collect();
        if !endpoints.is_empty() {
            let names = &c.control.server_names;
            for u in sentui_io::collect::local::processes_now(&endpoints, names, now_ms()) {
                d.apply(u);
            }
        }
    }
    d
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
    /// Every link spoke TLS.
    pub tls: bool,
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
    /// No sentinel answered at all (none refused a password): the text says how to name one.
    #[serde(skip)]
    pub nothing_answered: bool,
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
        // A sentinel that answered but refused the credentials or the TLS settings was named
        // right: its own reason says the fix, and the hint about naming sentinels would not.
        let nothing_answered = d.sentinels().values().all(|s| !s.reach.state().answered());
        StatusReport {
            nothing_answered,
            ts: now,
            deployment,
            tls: false,
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
}

fn dash<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}
