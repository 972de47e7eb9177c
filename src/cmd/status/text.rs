//! The status table as text: the words the TUI uses (`sdown`, `unresponsive 2.2s`), fitted to
//! the terminal's width when there is one (columns give way whole, the least needed first;
//! flags, notes, problems and leases wrap by word), every column on one line with `--wide`.

use super::{StatusReport, dash};
use crate::ui::columns::{Column, paragraph, table};
use crate::ui::fmt::{duration, flag_words};
use crate::ui::sentinels;
use sentui_model::ReachState;
use sentui_model::flags::Flag;
use sentui_model::state::ContainerInfo;
use sentui_model::view::{GroupView, Health, NodeView, SentinelView};

impl StatusReport {
    /// The report as text, fitted to `width` when given; its errors are left for stderr
    /// ([`StatusReport::errors_and_hint`]).
    pub fn to_text(&self, width: Option<usize>) -> String {
        self.text(width, false)
    }

    /// The report as text with its errors in it, for a screen redrawn in place (`watch`).
    pub fn to_text_with_errors(&self, width: Option<usize>) -> String {
        self.text(width, true)
    }

    /// Why sentui could not see the deployment, and what to do when nothing answered.
    pub fn errors_and_hint(&self) -> Vec<String> {
        let mut all = self.errors.clone();
        if self.nothing_answered {
            all.push(format!("hint: {NOTHING_REACHABLE}"));
        }
        all
    }

    fn text(&self, width: Option<usize>, with_errors: bool) -> String {
        let mut out: Vec<String> = Vec::new();
        let tls = if self.tls { " (TLS)" } else { "" };
        out.extend(paragraph(
            "deployment: ",
            &format!("{}{tls}", self.deployment),
            2,
            width,
        ));
        if with_errors {
            for e in &self.errors {
                out.extend(paragraph("error: ", e, 2, width));
            }
            if self.nothing_answered {
                out.extend(paragraph("hint: ", NOTHING_REACHABLE, 6, width));
            }
        }
        // Every sentinel counts, those that never answered (a seed given wrong) included.
        if self.errors.is_empty() && self.sentinels_reachable < self.sentinels_known {
            out.push(format!(
                "sentinels: {} of {} answer",
                self.sentinels_reachable, self.sentinels_known
            ));
            for s in &self.unreachable_sentinels {
                out.extend(paragraph("  ", s, 4, width));
            }
        }
        for g in &self.masters {
            group(&mut out, g, width);
        }
        if !self.leases.is_empty() {
            out.extend(paragraph(
                "",
                "leases (a guard ends each fault when its lease runs out or its sentui is gone):",
                2,
                width,
            ));
            for l in &self.leases {
                out.extend(paragraph("  ", &l.line(), 4, width));
            }
        }
        let mut s = out.join("\n");
        s.push('\n');
        s
    }
}

/// What to do when no sentinel answers (the TUI's welcome screen says the same).
const NOTHING_REACHABLE: &str = "sentui asks the sentinels named by --sentinel HOST:PORT (or \
SENTUI_SENTINELS=host:port,..., or `sentinels` in the config file); name one of the \
deployment's. No deployment at hand? `sentui lab up --local` starts one and prints the \
--sentinel flags to use.";

fn health_word(h: Health) -> &'static str {
    match h {
        Health::Healthy => "HEALTHY",
        Health::Degraded => "DEGRADED",
        Health::Critical => "CRITICAL",
    }
}

/// A node's state in the TUI's words.
fn node_state(n: &NodeView) -> String {
    if n.stopped {
        return "STOPPED".into();
    }
    let unresponsive = n.unresponsive_ms.map(duration);
    if n.paused {
        return unresponsive.map_or("PAUSED".into(), |d| format!("PAUSED {d}"));
    }
    if n.partitioned {
        return "PARTITIONED".into();
    }
    if let Some(d) = unresponsive {
        return format!("unresponsive {d}");
    }
    if n.reach != ReachState::Ok {
        return n.reach.to_string();
    }
    match (n.flags.has(Flag::ODown), n.flags.has(Flag::SDown)) {
        (true, _) => "down (odown)".into(),
        (false, true) => "down (sdown)".into(),
        _ => "ok".into(),
    }
}

/// What runs behind an endpoint: `[container lab-redis-1 running]`, `[redis-server pid 42]`.
fn behind(container: Option<&ContainerInfo>, process: Option<&str>) -> Option<String> {
    match (container, process) {
        (Some(c), _) if c.is_partitioned() => Some(format!("[{} {} partitioned]", c.name, c.state)),
        (Some(c), _) => Some(format!("[{} {}]", c.name, c.state)),
        (None, Some(p)) => Some(format!("[{p}]")),
        (None, None) => None,
    }
}

const NODE_COLUMNS: [Column; 9] = [
    Column::left("", 0),
    Column::left("ADDR", 0),
    Column::left("ROLE", 2),
    Column::left("STATE", 0),
    Column::right("OFFSET", 1),
    Column::right("LAG", 4),
    Column::left("LINK", 3),
    Column::left("SERVER", 1),
    Column::left("FLAGS", 0),
];

fn node_row(label: &str, n: &NodeView) -> Vec<String> {
    let lag = match (n.lag_bytes, n.lag_secs) {
        (Some(b), Some(s)) => format!("{b}B/{s}s"),
        (Some(b), None) => format!("{b}B"),
        _ => "-".into(),
    };
    let mut free = flag_words(&n.flags);
    if let Some(f) = n.failover_state.as_ref().filter(|f| f.is_active()) {
        free.push(format!("FAILOVER {f}"));
    }
    if let Some(p) = &n.write_pause {
        free.push(format!("({})", p.describe()));
    }
    if !n.aliases.is_empty() {
        let also: Vec<String> = n.aliases.iter().map(|a| a.to_string()).collect();
        free.push(format!("(also listed as {}: RDB channel)", also.join(", ")));
    }
    free.extend(behind(n.container.as_ref(), n.process.as_deref()));
    vec![
        label.to_string(),
        n.addr.to_string(),
        dash(n.role.map(|r| format!("{r:?}").to_lowercase())),
        node_state(n),
        dash(n.offset),
        lag,
        dash(n.link),
        dash(n.server.as_ref()),
        free.join(" "),
    ]
}

const SENTINEL_COLUMNS: [Column; 8] = [
    Column::left("", 0),
    Column::left("SENTINEL", 0),
    Column::left("STATE", 0),
    Column::right("RTT", 1),
    Column::left("BELIEVES MASTER", 3),
    Column::right("EPOCH", 2),
    Column::left("SERVER", 1),
    Column::left("NOTES", 0),
];

fn sentinel_row(s: &SentinelView) -> Vec<String> {
    let flags = flag_words(&s.master_flags);
    let mut notes: Vec<String> = Vec::new();
    if !flags.is_empty() {
        notes.push(flags.join(" "));
    }
    if s.disagrees {
        notes.push("DISAGREES".into());
    }
    if s.tilt {
        notes.push("TILT".into());
    }
    if let Some(n) = s.total_tilt {
        notes.push(format!("{n} TILT(s) since start"));
    }
    if let (Some(v), Some(e)) = (&s.voted_leader, s.voted_epoch) {
        notes.push(format!("voted {} in epoch {e}", &v[..v.len().min(8)]));
    }
    if let Some(q) = &s.ckquorum
        && !q.ok
    {
        notes.push(q.text.clone());
    }
    notes.extend(behind(s.container.as_ref(), s.process.as_deref()));
    let notes = notes.join("; ");
    vec![
        "sentinel".into(),
        s.addr.to_string(),
        sentinels::state(s),
        s.rtt_ms
            .map(|r| format!("{r}ms"))
            .unwrap_or_else(|| "-".into()),
        dash(s.master.as_ref()),
        dash(s.config_epoch),
        dash(s.server.as_ref()),
        notes,
    ]
}

fn group(out: &mut Vec<String>, g: &GroupView, width: Option<usize>) {
    let reachable = g
        .sentinels
        .iter()
        .filter(|s| s.reach == ReachState::Ok)
        .count();
    let head = format!(
        "{}  {}  epoch {}  quorum {}  sentinels {}/{} reachable{}",
        g.name,
        health_word(g.health),
        g.epoch,
        g.quorum,
        reachable,
        g.sentinels.len(),
        match (g.failover_in_progress, g.coordinated) {
            (true, true) => "  COORDINATED FAILOVER IN PROGRESS",
            (true, false) => "  FAILOVER IN PROGRESS",
            _ => "",
        }
    );
    out.extend(paragraph("", &head, 2, width));
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
        out.extend(paragraph("  settings ", &settings.join("; "), 4, width));
    }
    let mut nodes = Vec::new();
    if let Some(m) = &g.master {
        nodes.push(node_row("master", m));
    }
    nodes.extend(g.replicas.iter().map(|r| node_row("replica", r)));
    out.extend(table(&NODE_COLUMNS, &nodes, 2, width));
    let sentinels: Vec<Vec<String>> = g.sentinels.iter().map(sentinel_row).collect();
    out.extend(table(&SENTINEL_COLUMNS, &sentinels, 2, width));
    if !g.problems.is_empty() {
        out.push("  problems:".into());
        for p in &g.problems {
            out.extend(paragraph("    - ", p, 6, width));
        }
    }
    out.push(String::new());
}
