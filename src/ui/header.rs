//! Header: the deployment, the group, its master (and for how long), the epoch (and the one being elected),
//! the quorum, CKQUORUM, what sentui is connected to, a banner while a failover runs or the
//! display is frozen, the readiness line (can Sentinel fail over now) and the first problem. Its
//! pieces flow onto as many lines as the width needs: none is cut.

use super::Ctx;
use super::fmt::{duration, wrap};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use sentui_model::ReachState;
use sentui_model::event::EventDetail;
use sentui_model::readiness::Verdict;
use sentui_model::view::{GroupView, Health};

/// The header's lines at `width`, the first problem included (wrapped).
pub fn lines<'a>(ctx: &Ctx<'a>, width: u16) -> Vec<Line<'a>> {
    let width = width as usize;
    let mut pieces = identity(ctx);
    pieces.extend(state(ctx));
    let mut out = flow(pieces, width);
    out.extend(readiness(ctx, width));
    let problem = ctx.view.as_ref().and_then(|v| v.problems.first().cloned());
    let t = ctx.theme;
    match problem {
        Some(p) => {
            let more = ctx.view.as_ref().map_or(0, |v| v.problems.len() - 1);
            let text = if more > 0 {
                format!("! {p} (+{more} more: v lists them)")
            } else {
                format!("! {p}")
            };
            for l in wrap(&text, width.saturating_sub(1)).into_iter().take(3) {
                out.push(Line::from(Span::styled(format!(" {l}"), t.warn())));
            }
        }
        None if ctx.view.is_some() => out.push(Line::from(Span::styled(" healthy", t.ok()))),
        None => {}
    }
    if let Some(others) = other_groups(ctx) {
        out.extend(flow(vec![vec![others]], width));
    }
    out
}

/// Pieces (each a few spans that belong together) laid left to right, two spaces apart,
/// starting a new line where the next piece does not fit.
fn flow(pieces: Vec<Vec<Span<'_>>>, width: usize) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for piece in pieces {
        let w: usize = piece.iter().map(Span::width).sum();
        if used > 0 && used + 2 + w > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        line.push(Span::raw(if used > 0 { "  " } else { " " }));
        used += if used > 0 { 2 } else { 1 };
        used += w;
        line.extend(piece);
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

/// Who is master and under what terms: group, master and its age, epoch, quorum, CKQUORUM.
fn identity<'a>(ctx: &Ctx<'a>) -> Vec<Vec<Span<'a>>> {
    let t = ctx.theme;
    let app = ctx.app;
    let name = app.setup().deployment();
    let mut first = vec![
        Span::styled("sentui", t.title()),
        Span::styled(format!(" · {}", name.short()), t.dim()),
    ];
    match app.setup().tls {
        Some(tls) if tls.insecure => first.push(Span::styled(" · tls unverified", t.warn())),
        Some(_) => first.push(Span::styled(" · tls", t.ok())),
        None => {}
    }
    let mut pieces = vec![first];
    let Some(v) = &ctx.view else {
        pieces.push(vec![Span::styled("no master group reported yet", t.warn())]);
        return pieces;
    };
    let groups = app.groups();
    let mut name = vec![Span::styled(v.name.clone(), t.master())];
    if groups.len() > 1 {
        let gi = groups.iter().position(|g| *g == v.name).unwrap_or(0) + 1;
        name.push(Span::styled(
            format!(" [{gi}/{} Tab]", groups.len()),
            t.dim(),
        ));
    }
    pieces.push(name);
    pieces.push(match &v.master {
        Some(m) => vec![
            Span::styled(format!("★ {}", m.addr), t.master()),
            Span::styled(format!(" (master {})", master_for(ctx, &m.addr)), t.dim()),
        ],
        None => vec![Span::styled("★ unknown", t.bad())],
    });
    let mut epoch = vec![Span::raw(format!("epoch {}", v.epoch))];
    if let Some(e) = electing(ctx, v) {
        epoch.push(Span::styled(format!(", failover in epoch {e}"), t.warn()));
    }
    pieces.push(epoch);
    let quorum_style = if (answering(v) as u32) < v.quorum {
        t.bad()
    } else {
        t.ok()
    };
    pieces.push(vec![Span::styled(
        format!("quorum {} of {} sentinels", v.quorum, v.sentinels.len()),
        quorum_style,
    )]);
    let ck = v
        .sentinels
        .iter()
        .filter(|s| s.reach == ReachState::Ok)
        .filter_map(|s| s.ckquorum.as_ref())
        .find(|q| !q.ok);
    match (ck, v.sentinels.iter().any(|s| s.ckquorum.is_some())) {
        (Some(q), _) => pieces.push(vec![Span::styled(
            format!(
                "ckquorum: {}",
                q.text.split('.').next().unwrap_or("").trim()
            ),
            t.bad(),
        )]),
        (None, true) => pieces.push(vec![Span::styled("ckquorum ok", t.ok())]),
        _ => {}
    }
    pieces
}

/// What is going on: replay, frozen display or failover banners, a failover that cannot
/// happen, the connections, the Docker engine.
fn state<'a>(ctx: &Ctx<'a>) -> Vec<Vec<Span<'a>>> {
    let t = ctx.theme;
    let app = ctx.app;
    let now = app.shown_now();
    let mut pieces = Vec::new();
    let failover = ctx.view.as_ref().filter(|v| v.failover_in_progress);
    if let Some(b) = app.banner() {
        pieces.push(vec![Span::styled(b, t.banner())]);
    }
    if app.is_frozen() {
        pieces.push(vec![Span::styled(
            " FROZEN: display paused, collection goes on (Space) ",
            t.banner(),
        )]);
    }
    if let Some(v) = failover {
        let running = app
            .shown()
            .stopwatches()
            .get(&v.name)
            .and_then(|s| s.running())
            .map(|f| format!(" for {}", duration(now.saturating_sub(f.started_at))))
            .unwrap_or_default();
        let style = if app.banner().is_some() || app.is_frozen() {
            t.bad()
        } else {
            t.banner()
        };
        pieces.push(vec![Span::styled(
            format!(" FAILOVER IN PROGRESS{running} "),
            style,
        )]);
    }
    for (addr, fault, until) in app.faults().leases() {
        pieces.push(vec![Span::styled(
            format!(
                "{} {addr} · lease {}",
                fault.verb(),
                sentui_model::lease::countdown(until.saturating_sub(app.now()))
            ),
            t.warn(),
        )]);
    }
    let connected = app
        .live()
        .sentinels()
        .values()
        .filter(|s| s.reach.is_ok())
        .count();
    let nodes_ok = app
        .live()
        .nodes()
        .values()
        .filter(|n| n.reach.is_ok())
        .count();
    pieces.push(vec![Span::styled(
        format!(
            "connected to {connected}/{} sentinels, {nodes_ok}/{} nodes",
            app.live().sentinels().len(),
            app.live().nodes().len()
        ),
        t.dim(),
    )]);
    if let Some(since) = app.live().docker_unreachable_since() {
        pieces.push(vec![Span::styled(
            format!(
                "Docker engine unreachable for {} (container states are from before)",
                duration(app.now().saturating_sub(since))
            ),
            t.warn(),
        )]);
    }
    pieces
}

/// Sentinels that answer: reachable and not paused.
fn answering(v: &GroupView) -> usize {
    v.sentinels
        .iter()
        .filter(|s| s.reach == ReachState::Ok && !s.paused)
        .count()
}

/// The readiness line: `FAILOVER READY — would promote X`, `AT RISK — …` or `BLOCKED — …`
/// (wrapped by word; `r` shows every rule).
fn readiness<'a>(ctx: &Ctx<'a>, width: usize) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let Some(r) = &ctx.readiness else {
        return Vec::new();
    };
    let style = match r.verdict {
        Verdict::Ready => t.ok(),
        Verdict::AtRisk => t.warn(),
        Verdict::Blocked => t.banner(),
    };
    wrap(&r.headline, width.saturating_sub(1))
        .into_iter()
        .take(3)
        .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
        .collect()
}

/// The epoch being elected or failed over in, when it is newer than the config epoch.
fn electing(ctx: &Ctx, v: &GroupView) -> Option<u64> {
    let d = ctx.app.shown();
    let attempt = d
        .stopwatches()
        .get(&v.name)
        .and_then(|s| s.running())
        .and_then(|f| f.epoch);
    let voting = v
        .failover_in_progress
        .then(|| {
            d.votes()
                .epochs()
                .rev()
                .find(|e| e.group.as_deref().is_none_or(|g| g == v.name))
                .map(|e| e.epoch)
        })
        .flatten();
    attempt.or(voting).filter(|e| *e > v.epoch)
}

/// "other groups: 1 critical (mymaster-057), 2 degraded · g to go" when groups not on screen have
/// problems: with many groups, a failover elsewhere must not go unseen.
fn other_groups(ctx: &Ctx) -> Option<Span<'static>> {
    let t = ctx.theme;
    let others = ctx.app.other_problems();
    let worst = others.first()?;
    let count = |h: Health| others.iter().filter(|(_, x)| *x == h).count();
    let mut parts = Vec::new();
    for (health, word) in [
        (Health::Critical, "critical"),
        (Health::Degraded, "degraded"),
    ] {
        match count(health) {
            0 => {}
            1 if worst.1 == health => parts.push(format!("1 {word} ({})", worst.0)),
            n => parts.push(format!("{n} {word}")),
        }
    }
    let style: Style = if worst.1 == Health::Critical {
        t.bad()
    } else {
        t.warn()
    };
    Some(Span::styled(
        format!("other groups: {} · g to go", parts.join(", ")),
        style,
    ))
}

/// How long the master has been master: since the first `+switch-master` that made it master
/// (the leader's own, published after its `+failover-end`, does not restart the count), else
/// "≥" the longer of the time sentui has watched it and what the sentinels' replies say
/// (`Deployment::master_since`).
fn master_for(ctx: &Ctx, master: &sentui_model::Addr) -> String {
    let d = ctx.app.shown();
    let now = ctx.app.shown_now();
    let mut since = None;
    for e in d.log().in_time_order() {
        if let EventDetail::SwitchMaster { new, .. } = &e.detail {
            match &since {
                Some((to, _)) if to == new => {}
                _ => since = Some((new.clone(), e.ts)),
            }
        }
    }
    match since.filter(|(to, _)| to == master) {
        Some((_, ts)) => format!("for {}", duration(now.saturating_sub(ts))),
        None => format!("for ≥{}", duration(now.saturating_sub(known_since(ctx)))),
    }
}

/// The earliest moment the master is known to have been master without a `+switch-master`
/// seen: when sentui started watching, or earlier where the sentinels' replies say so.
pub(super) fn known_since(ctx: &Ctx) -> sentui_model::Millis {
    let started = ctx.app.setup().started_at;
    ctx.view
        .as_ref()
        .and_then(|v| ctx.app.shown().master_since(&v.name))
        .map_or(started, |s| s.min(started))
}
