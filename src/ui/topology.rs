//! Topology: the master with its replicas as a graph (link state and lag on each edge), then the
//! sentinels, each with the master IT believes in; disagreement stands out.

use super::fmt::{bytes, duration, fit};
use super::{Ctx, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::ReachState;
use sentui_model::info::Role;
use sentui_model::view::{LinkState, NodeView};

/// The state word of a node and its style.
pub fn node_state(n: &NodeView, promoted: bool, t: Theme) -> (String, Style) {
    if n.paused {
        let extra = n
            .unresponsive_ms
            .map(|ms| format!(" {}", duration(ms)))
            .unwrap_or_default();
        return (format!("PAUSED{extra}"), t.warn());
    }
    if let Some(ms) = n.unresponsive_ms {
        return (format!("unresponsive {}", duration(ms)), t.warn());
    }
    if n.reach != ReachState::Ok {
        return (n.reach.to_string(), t.reach(n.reach));
    }
    if n.flags.iter().any(|f| f == "o_down" || f == "s_down") {
        let which = if n.flags.iter().any(|f| f == "o_down") {
            "o_down"
        } else {
            "s_down"
        };
        return (format!("down ({which})"), t.bad());
    }
    if promoted {
        return ("promoted".into(), t.master());
    }
    ("ok".into(), t.ok())
}

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Topology ", t.title()));
    let inner_w = area.width.saturating_sub(2) as usize;
    let Some(v) = &ctx.view else {
        f.render_widget(
            Paragraph::new("waiting for the sentinels' first report...").block(block),
            area,
        );
        return;
    };
    let selected = ctx.app.selected_addr();
    let promoted_addr = ctx
        .app
        .shown()
        .stopwatches
        .get(&v.name)
        .and_then(|s| s.shown())
        .filter(|f| {
            f.ended_at
                .is_none_or(|end| ctx.app.now.saturating_sub(end) < 60_000)
        })
        .and_then(|f| f.new_master.clone());
    let mut lines = Vec::new();
    let label = |n: &NodeView| -> String {
        let mut what = super::sentinels::behind(n.container.as_ref(), n.process.as_deref());
        // The server and version where the row has room for it.
        if let Some(server) = n.server.as_ref() {
            what = if what.is_empty() {
                server.to_string()
            } else {
                format!("{server} · {what}")
            };
        }
        if inner_w > 60 && !what.is_empty() {
            format!("  {what}")
        } else {
            String::new()
        }
    };
    if let Some(m) = &v.master {
        let (state, style) = node_state(m, promoted_addr.as_ref() == Some(&m.addr), t);
        let mut spans = vec![
            Span::styled("★ ", t.master()),
            Span::styled(format!("{:<21}", m.addr.to_string()), t.master()),
            Span::raw(" master  "),
            Span::styled(state, style),
        ];
        if m.role == Some(Role::Replica) && m.reach == ReachState::Ok {
            spans.push(Span::styled("  (reports role replica!)", t.bad()));
        }
        spans.push(Span::styled(label(m), t.dim()));
        let mut line = Line::from(spans);
        if selected.as_ref() == Some(&m.addr) {
            line = line.style(t.selected());
        }
        lines.push(line);
    }
    let n = v.replicas.len();
    for (i, r) in v.replicas.iter().enumerate() {
        let branch = if i + 1 == n { "└" } else { "├" };
        let (edge, edge_style) = match r.link {
            Some(LinkState::Up) => ("─up──▶ ", t.ok()),
            Some(LinkState::Down) => ("─down─▶ ", t.bad()),
            None => ("─ ? ─▶ ", t.dim()),
        };
        let lag = match (r.lag_bytes, r.lag_secs) {
            (Some(b), Some(s)) if s > 1 => format!("lag {} {s}s", bytes(b)),
            (Some(b), _) => format!("lag {}", bytes(b)),
            _ => String::new(),
        };
        let (state, style) = node_state(r, false, t);
        let mut spans = vec![
            Span::styled(branch, t.dim()),
            Span::styled(edge, edge_style),
            Span::raw(format!("{:<21}", r.addr.to_string())),
            Span::raw(" "),
            Span::styled(state, style),
            Span::raw(format!("  {lag}")),
        ];
        if r.role == Some(Role::Master) && r.reach == ReachState::Ok {
            spans.push(Span::styled("  (reports role master)", t.warn()));
        }
        spans.push(Span::styled(label(r), t.dim()));
        let mut line = Line::from(spans);
        if selected.as_ref() == Some(&r.addr) {
            line = line.style(t.selected());
        }
        lines.push(line);
    }
    lines.push(Line::from(Span::styled(
        "sentinels, and the master each believes in:",
        t.dim(),
    )));
    for s in &v.sentinels {
        let believes = s
            .master
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_else(|| "?".into());
        let (mark, style) = if s.reach != ReachState::Ok {
            (format!("  {}", s.reach), t.reach(s.reach))
        } else if s.disagrees {
            ("  ✗ DISAGREES".to_string(), t.bad())
        } else {
            ("  ✓".to_string(), t.ok())
        };
        let mut flags: Vec<&str> = s
            .master_flags
            .iter()
            .map(String::as_str)
            .filter(|f| *f != "master")
            .collect();
        if s.tilt {
            flags.push("TILT");
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(","))
        };
        lines.push(Line::from(vec![
            Span::styled("◆ ", t.title()),
            Span::raw(format!("{:<21}", s.addr.to_string())),
            Span::styled(" → ", t.dim()),
            Span::raw(fit(&believes, 21)),
            Span::styled(mark, style),
            Span::styled(flags, t.warn()),
        ]));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}
