//! Details of a node (its INFO replication fields, the flags each sentinel gives it, what runs
//! behind it, its last errors) or of a sentinel (its ids, version, what it believes of each
//! group, its quorum check, its vote, its peers and its errors).

use super::{Ctx, Fields, who};
use crate::ui::fmt::{duration, flag_words};
use ratatui::style::Style;
use sentui_model::Addr;
use sentui_model::info::Role;
use sentui_model::log::Source;
use sentui_model::time::clock;

/// How many of the newest log entries about an endpoint are shown.
const RECENT: usize = 8;

pub(super) fn fields(ctx: &Ctx, a: &Addr) -> (String, Fields) {
    if ctx.app.is_sentinel(a) {
        (format!(" Sentinel {a} "), sentinel(ctx, a))
    } else {
        (format!(" Node {a} "), node(ctx, a))
    }
}

/// A local process stopped by SIGSTOP says so: why it does not answer, who stopped it (when
/// sentui did), and how it comes back.
fn stopped_process(
    ctx: &Ctx,
    a: &Addr,
    process: Option<&sentui_model::state::ProcessInfo>,
    reach: &sentui_model::Reach,
    now: sentui_model::Millis,
) -> Option<String> {
    let p = process.filter(|p| p.paused)?;
    let silent = match reach {
        sentui_model::Reach::Unresponsive { since } => {
            format!(
                "; unresponsive for {}",
                super::duration(now.saturating_sub(*since))
            )
        }
        _ => String::new(),
    };
    let by_sentui = ctx.app.faults().has(a, sentui_model::action::Action::Pause);
    Some(if by_sentui {
        format!(
            "PAUSED by sentui (SIGSTOP): {} pid {} answers nothing until p resumes it (SIGCONT){silent}",
            p.name, p.pid
        )
    } else {
        format!(
            "PAUSED (SIGSTOP, not by this sentui): {} pid {} answers nothing until it is resumed (p, or kill -CONT {}){silent}",
            p.name, p.pid, p.pid
        )
    })
}

/// How sentui's links to the endpoint speak TLS, when they do (every link alike).
fn link(f: &mut Fields, ctx: &Ctx) {
    match ctx.app.setup().tls {
        Some(tls) if tls.insecure => f.add("link", tls.describe(), ctx.theme.warn()),
        Some(tls) => f.add("link", tls.describe(), Style::default()),
        None => {}
    }
}

fn node(ctx: &Ctx, a: &Addr) -> Fields {
    let t = ctx.theme;
    let d = ctx.app.shown();
    let now = ctx.app.shown_now();
    let mut f = Fields::new();
    let n = d.nodes().get(a);
    // A stopped or paused container is why it does not answer, and says what to do.
    let state = match n {
        None => "not contacted yet".into(),
        Some(n) => n
            .container
            .as_ref()
            .and_then(|c| c.cause())
            .or_else(|| stopped_process(ctx, a, n.process.as_ref(), &n.reach, now))
            .unwrap_or_else(|| n.reach.describe(now)),
    };
    f.add("state", state, Style::default());
    let behind = who(ctx, a);
    if !behind.is_empty() {
        f.add("runs as", behind, Style::default());
    }
    if let Some(server) = n
        .and_then(|n| n.info.as_ref())
        .and_then(|i| i.server.as_ref())
    {
        f.add("server", server.to_string(), Style::default());
    }
    link(&mut f, ctx);
    if let Some(n) = n
        && let Some(rtt) = n.rtt_ms
    {
        // While it does not answer, the last round trip is history, and says so.
        let when = match n.reach {
            sentui_model::Reach::Unresponsive { .. } => " (its last answer, before it stopped)",
            _ => "",
        };
        f.add("round trip", format!("{rtt} ms{when}"), Style::default());
    }
    f.section("INFO replication", t.title());
    match n.and_then(|n| n.info.as_ref().map(|i| (i, n.info_at))) {
        None => f.add("", "no INFO reply yet", t.dim()),
        Some((i, at)) => {
            if let Some(at) = at {
                f.add("as of", clock(at), t.dim());
            }
            let role = match i.role {
                Role::Master => "master",
                Role::Replica => "replica",
            };
            f.add("role", role, Style::default());
            f.add("offset", i.offset.to_string(), Style::default());
            if let Some(m) = &i.master {
                f.add("master", m.to_string(), Style::default());
            }
            if let Some(up) = i.link_up {
                f.add("link", if up { "up" } else { "down" }, Style::default());
            }
            if let Some(s) = i.last_io_secs {
                f.add("last I/O", format!("{s} s ago"), Style::default());
            }
            if i.sync_in_progress {
                f.add("sync", "in progress", t.warn());
            }
            if let Some(p) = i.replica_priority {
                f.add("priority", p.to_string(), Style::default());
            }
            if let Some(r) = &i.replid {
                f.add("replid", r.clone(), Style::default());
            }
            if let Some(s) = &i.failover_state {
                let style = if s.is_active() {
                    t.warn()
                } else {
                    Style::default()
                };
                f.add("failover", s.to_string(), style);
            }
            // INFO clients (Valkey 8.1+): the pause a coordinated failover or a CLIENT PAUSE
            // holds, counted down to now.
            if i.reports_pause {
                match n.and_then(|n| n.pause_at(now)) {
                    Some(p) => f.add("clients", p.describe(), t.warn()),
                    None => f.add("clients", "not paused", Style::default()),
                }
            }
            for r in &i.connected_replicas {
                f.add(
                    "replica",
                    format!(
                        "{} {} offset {} ack {} s ago",
                        r.addr, r.state, r.offset, r.lag_secs
                    ),
                    Style::default(),
                );
            }
        }
    }
    f.section("what each sentinel says of it", t.title());
    for s in d.sentinels().values() {
        for g in s.groups.values() {
            let flags = if g.master.addr == *a {
                Some(&g.master.flags)
            } else {
                g.replicas.iter().find(|r| r.addr == *a).map(|r| &r.flags)
            };
            if let Some(flags) = flags {
                let words = flag_words(flags);
                let role = if g.master.addr == *a {
                    "master"
                } else {
                    "replica"
                };
                let text = if words.is_empty() {
                    format!("{role} of {}, no flags", g.master.name)
                } else {
                    format!("{role} of {}: {}", g.master.name, words.join(" "))
                };
                f.add(&s.addr.to_string(), text, Style::default());
            }
        }
    }
    recent(&mut f, ctx, a);
    f
}

fn sentinel(ctx: &Ctx, a: &Addr) -> Fields {
    let t = ctx.theme;
    let d = ctx.app.shown();
    let now = ctx.app.shown_now();
    let mut f = Fields::new();
    let Some(s) = d.sentinels().get(a) else {
        f.add("", "not contacted yet", t.dim());
        return f;
    };
    match s.container.as_ref().and_then(|c| c.cause()) {
        Some(cause) => f.add("state", cause, t.bad()),
        None => f.add("state", s.reach.describe(now), t.reach(s.reach.state())),
    }
    let behind = who(ctx, a);
    if !behind.is_empty() {
        f.add("runs as", behind, Style::default());
    }
    if let Some(id) = &s.myid {
        f.add("sentinel id", id.clone(), Style::default());
    }
    if let Some(id) = &s.run_id {
        f.add("run id", id.clone(), Style::default());
    }
    if let Some(v) = &s.server {
        f.add("server", v.to_string(), Style::default());
    }
    link(&mut f, ctx);
    if let Some(rtt) = s.rtt_ms {
        f.add("round trip", format!("{rtt} ms"), Style::default());
    }
    if let Some(at) = s.polled_at {
        f.add(
            "last poll",
            format!("{} ({} ago)", clock(at), duration(now.saturating_sub(at))),
            Style::default(),
        );
    }
    f.add(
        "events link",
        if s.pubsub_up { "subscribed" } else { "down" },
        Style::default(),
    );
    if let Some(n) = s.total_tilt {
        let style = if n > 0 { t.warn() } else { Style::default() };
        f.add(
            "tilts",
            format!("{n} since it started (sentinel_total_tilt)"),
            style,
        );
    }
    if s.tilt {
        f.add("tilt", "in TILT mode: it takes no action", t.bad());
    }
    for (name, g) in &s.groups {
        f.section(&format!("group {name}"), t.title());
        f.add(
            "believes",
            format!(
                "master {} (config epoch {})",
                g.master.addr, g.master.config_epoch
            ),
            Style::default(),
        );
        let words = flag_words(&g.master.flags);
        if !words.is_empty() {
            f.add("flags", words.join(" "), t.warn());
        }
        f.add(
            "quorum",
            format!(
                "{} (it knows {} other sentinels, {} replicas)",
                g.master.quorum, g.master.num_other_sentinels, g.master.num_replicas
            ),
            Style::default(),
        );
        if let Some(q) = &g.ckquorum {
            f.add(
                "ckquorum",
                q.text.clone(),
                if q.ok { t.ok() } else { t.bad() },
            );
        }
        if let Some(st) = &g.master.failover_state {
            f.add("failover", st.clone(), Style::default());
        }
        if let Some((id, epoch)) = d.votes().last_vote_of(a, name) {
            let to = d
                .sentinel_by_run_id(id)
                .map(|x| format!(" (sentinel {x})"))
                .unwrap_or_default();
            f.add(
                "voted",
                format!("{id}{to} in epoch {epoch}"),
                Style::default(),
            );
        }
        for p in &g.peers {
            let flags = flag_words(&p.flags);
            let state = if flags.is_empty() {
                "ok".to_string()
            } else {
                flags.join(" ")
            };
            f.add("peer", format!("{} {state}", p.addr), Style::default());
        }
    }
    if !s.errors.is_empty() {
        f.section("what did not parse", t.title());
        for e in &s.errors {
            f.add("", e.clone(), t.warn());
        }
    }
    recent(&mut f, ctx, a);
    f
}

/// The newest log entries about `a` or published by it: its last errors and changes.
fn recent(f: &mut Fields, ctx: &Ctx, a: &Addr) {
    let t = ctx.theme;
    let d = ctx.app.shown();
    f.section("its latest log entries", t.title());
    let entries: Vec<_> = d
        .log()
        .in_time_order()
        .into_iter()
        .rev()
        .filter(|e| e.addr.as_ref() == Some(a) || e.sentinel.as_ref() == Some(a))
        .take(RECENT)
        .collect();
    if entries.is_empty() {
        f.add("", "none", t.dim());
    }
    for e in entries.into_iter().rev() {
        let by = match (&e.source, &e.sentinel) {
            (Source::Sentinel, Some(s)) if s != a => format!(" (from {s})"),
            _ => String::new(),
        };
        f.add(
            &clock(e.ts),
            format!("{} {}{by}", e.event, e.payload),
            t.class(e.class()),
        );
    }
}
