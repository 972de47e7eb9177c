//! Header: the group, its master (and for how long), epoch, quorum and CKQUORUM, what sentui is
//! connected to, and a banner while a failover runs or the display is frozen.

use super::Ctx;
use super::fmt::duration;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use sentui_model::ReachState;
use sentui_model::event::EventDetail;
use sentui_model::view::Health;

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let groups = app.groups();
    let mut first = vec![Span::styled(" sentui ", t.title())];
    let mut second = Vec::new();
    match &ctx.view {
        Some(v) => {
            let gi = groups.iter().position(|g| *g == v.name).unwrap_or(0) + 1;
            first.push(Span::styled(v.name.clone(), t.master()));
            if groups.len() > 1 {
                first.push(Span::styled(
                    format!(" [{gi}/{} Tab]", groups.len()),
                    t.dim(),
                ));
            }
            first.push(Span::raw("  ★ "));
            match &v.master {
                Some(m) => {
                    first.push(Span::styled(m.addr.to_string(), t.master()));
                    first.push(Span::styled(
                        format!(" ({})", master_for(ctx, &m.addr)),
                        t.dim(),
                    ));
                }
                None => first.push(Span::styled("unknown", t.bad())),
            }
            first.push(Span::raw(format!("  epoch {}", v.epoch)));
            let reachable = v
                .sentinels
                .iter()
                .filter(|s| s.reach == ReachState::Ok)
                .count();
            let quorum_style = if (reachable as u32) < v.quorum {
                t.bad()
            } else {
                t.ok()
            };
            first.push(Span::raw("  quorum "));
            first.push(Span::styled(
                format!("{}/{}", v.quorum, v.sentinels.len()),
                quorum_style,
            ));
            let ck = v
                .sentinels
                .iter()
                .filter_map(|s| s.ckquorum.as_ref())
                .find(|q| !q.ok);
            match (ck, v.sentinels.iter().any(|s| s.ckquorum.is_some())) {
                (Some(q), _) => first.push(Span::styled(
                    format!(" ckquorum {}", q.text.split('.').next().unwrap_or("")),
                    t.bad(),
                )),
                (None, true) => first.push(Span::styled(" ckquorum ok", t.ok())),
                _ => {}
            }
        }
        None => first.push(Span::styled("no master group reported yet", t.warn())),
    }
    let connected = app
        .live
        .sentinels
        .values()
        .filter(|s| s.reach.is_ok())
        .count();
    let nodes_ok = app.live.nodes.values().filter(|n| n.reach.is_ok()).count();
    let conn = format!(
        " connected to {connected}/{} sentinels, {nodes_ok}/{} nodes",
        app.live.sentinels.len(),
        app.live.nodes.len()
    );
    if let Some(b) = &app.banner {
        second.push(Span::styled(b.clone(), t.banner()));
        if ctx.view.as_ref().is_some_and(|v| v.failover_in_progress) {
            second.push(Span::styled(" FAILOVER IN PROGRESS ", t.bad()));
        }
    } else if app.frozen.is_some() {
        second.push(Span::styled(
            " FROZEN: display paused, collection goes on (Space) ",
            t.banner(),
        ));
    } else if let Some(v) = ctx.view.as_ref().filter(|v| v.failover_in_progress) {
        let running = app
            .live
            .stopwatches
            .get(&v.name)
            .and_then(|s| s.current.as_ref())
            .map(|f| format!(" for {}", duration(app.now.saturating_sub(f.started_at))))
            .unwrap_or_default();
        second.push(Span::styled(
            format!(" FAILOVER IN PROGRESS{running} "),
            t.banner(),
        ));
    }
    second.push(Span::styled(conn, t.dim()));
    if let Some(since) = app.live.docker_unreachable_since {
        second.push(Span::styled(
            format!(
                ", Docker engine unreachable for {} (container states are from before)",
                duration(app.now.saturating_sub(since))
            ),
            t.warn(),
        ));
    }
    if let Some(v) = &ctx.view
        && !v.problems.is_empty()
        && area.height < 3
    {
        second.push(Span::styled(format!("  ! {}", v.problems[0]), t.warn()));
    }
    let mut lines = vec![Line::from(first), Line::from(second)];
    if area.height >= 3 {
        let problem = ctx.view.as_ref().and_then(|v| v.problems.first().cloned());
        let mut third = match problem {
            Some(p) => vec![Span::styled(format!(" ! {p}"), t.warn())],
            None => vec![Span::styled(" healthy", t.ok())],
        };
        if let Some(others) = other_groups(ctx) {
            third.push(Span::raw("  ·  "));
            third.push(others);
        }
        lines.push(Line::from(third));
    }
    f.render_widget(Paragraph::new(lines), area);
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
    let style = if worst.1 == Health::Critical {
        t.bad()
    } else {
        t.warn()
    };
    Some(Span::styled(
        format!("other groups: {} · g to go", parts.join(", ")),
        style,
    ))
}

/// How long the master has been master: since its `+switch-master`, else "seen for" since
/// sentui started.
fn master_for(ctx: &Ctx, master: &sentui_model::Addr) -> String {
    let d = ctx.app.shown();
    let since = d.log.entries().rev().find_map(|e| match &e.detail {
        EventDetail::SwitchMaster { new, .. } if new == master => Some(e.ts),
        _ => None,
    });
    match since {
        Some(ts) => duration(ctx.app.now.saturating_sub(ts)),
        None => format!(
            "≥{}",
            duration(ctx.app.now.saturating_sub(ctx.app.started_at))
        ),
    }
}
