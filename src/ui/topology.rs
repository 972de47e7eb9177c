//! Topology: the master with its replicas as a graph (link state and lag on each edge), then the
//! sentinels, each with the master IT believes in; disagreement stands out. Nodes and sentinels
//! are selectable (↑/↓). A row that does not fit loses whole pieces (the container, the lag,
//! then long addresses), never half a word.

use super::fmt::{addr, bytes, duration, first_fitting, flag_words};
use super::{Ctx, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::flags::Flag;
use sentui_model::info::Role;
use sentui_model::view::{LinkState, NodeView, SentinelView};
use sentui_model::{Addr, ReachState};

/// The state word of a node and its style.
pub fn node_state(n: &NodeView, promoted: bool, t: Theme) -> (String, Style) {
    // Its container says why it does not answer, before the link can.
    if n.stopped {
        return ("STOPPED".into(), t.bad());
    }
    if n.paused {
        let extra = n
            .unresponsive_ms
            .map(|ms| format!(" {}", duration(ms)))
            .unwrap_or_default();
        return (format!("PAUSED{extra}"), t.warn());
    }
    // Before reachability: sentui reaches a partitioned node through its published port, the
    // sentinels do not.
    if n.partitioned {
        return ("PARTITIONED".into(), t.warn());
    }
    if let Some(ms) = n.unresponsive_ms {
        return (format!("unresponsive {}", duration(ms)), t.warn());
    }
    if n.reach != ReachState::Ok {
        return (n.reach.to_string(), t.reach(n.reach));
    }
    if n.flags.has(Flag::ODown) || n.flags.has(Flag::SDown) {
        let which = if n.flags.has(Flag::ODown) {
            "odown"
        } else {
            "sdown"
        };
        return (format!("down ({which})"), t.bad());
    }
    if promoted {
        return ("promoted".into(), t.master());
    }
    ("ok".into(), t.ok())
}

/// An address padded to a column, whole or short (`:16379`).
fn padded(a: &Addr, short: bool) -> String {
    if short {
        format!("{:<7}", addr(a, true))
    } else {
        format!("{:<21}", a.to_string())
    }
}

/// The candidates for one row, most detailed first: whole addresses while only the extras
/// (what runs behind it) give way, then short addresses (`:16379`) while the rest give way
/// too, the important pieces (flags, lag) last.
fn candidates<'a>(build: impl Fn(bool) -> Row<'a>) -> Vec<Line<'a>> {
    let line = |row: &Row<'a>, keep: usize| {
        let mut spans = row.required.clone();
        for piece in row.important.iter().chain(row.extra.iter()).take(keep) {
            spans.extend(piece.iter().cloned());
        }
        Line::from(spans)
    };
    let (full, short) = (build(false), build(true));
    let all = full.important.len() + full.extra.len();
    let mut out: Vec<Line> = (full.important.len()..=all)
        .rev()
        .map(|k| line(&full, k))
        .collect();
    out.extend((0..=all).rev().map(|k| line(&short, k)));
    out
}

/// A row's pieces: what it must say, what it should, and what it may.
struct Row<'a> {
    required: Vec<Span<'a>>,
    important: Vec<Vec<Span<'a>>>,
    extra: Vec<Vec<Span<'a>>>,
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
        .stopwatches()
        .get(&v.name)
        .and_then(|s| s.shown())
        .filter(|f| {
            f.ended_at
                .is_none_or(|end| ctx.app.shown_now().saturating_sub(end) < 60_000)
        })
        .and_then(|f| f.new_master.clone());
    let mark = |line: Line<'static>, a: &Addr| {
        if selected.as_ref() == Some(a) {
            line.style(t.selected())
        } else {
            line
        }
    };
    let mut lines = Vec::new();
    if let Some(m) = &v.master {
        let line = first_fitting(
            candidates(|short| master_row(m, promoted_addr.as_ref(), short, t)),
            inner_w,
        );
        lines.push(mark(line, &m.addr));
    }
    let n = v.replicas.len();
    for (i, r) in v.replicas.iter().enumerate() {
        let last = i + 1 == n;
        let line = first_fitting(candidates(|short| replica_row(r, last, short, t)), inner_w);
        lines.push(mark(line, &r.addr));
    }
    lines.push(Line::from(Span::styled(
        "sentinels, and the master each believes in:",
        t.dim(),
    )));
    for s in &v.sentinels {
        let line = first_fitting(candidates(|short| sentinel_row(s, short, t)), inner_w);
        lines.push(mark(line, &s.addr));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The server and version a node runs, as an optional piece of a row.
fn server_piece(n: &NodeView, t: Theme) -> Vec<Span<'static>> {
    match n.server.as_ref() {
        Some(server) => vec![Span::styled(format!("  {server}"), t.dim())],
        None => Vec::new(),
    }
}

/// What runs behind an endpoint, as an optional piece of a row.
fn behind_piece(
    container: Option<&sentui_model::state::ContainerInfo>,
    process: Option<&str>,
    t: Theme,
) -> Vec<Span<'static>> {
    let what = super::sentinels::behind(container, process);
    if what.is_empty() {
        Vec::new()
    } else {
        vec![Span::styled(format!("  {what}"), t.dim())]
    }
}

fn master_row(m: &NodeView, promoted: Option<&Addr>, short: bool, t: Theme) -> Row<'static> {
    let (state, style) = node_state(m, promoted == Some(&m.addr), t);
    let mut required = vec![
        Span::styled("★ ", t.master()),
        Span::styled(padded(&m.addr, short), t.master()),
        Span::raw(" master  "),
        Span::styled(state, style),
    ];
    if m.role == Some(Role::Replica) && m.reach == ReachState::Ok {
        let says = if short {
            "  (says replica!)"
        } else {
            "  (reports role replica!)"
        };
        required.push(Span::styled(says, t.bad()));
    }
    Row {
        required,
        important: Vec::new(),
        extra: vec![
            server_piece(m, t),
            behind_piece(m.container.as_ref(), m.process.as_deref(), t),
        ],
    }
}

fn replica_row(r: &NodeView, last: bool, short: bool, t: Theme) -> Row<'static> {
    let branch = if last { "└" } else { "├" };
    let (edge, edge_style) = match r.link {
        Some(LinkState::Up) => ("─up──▶ ", t.ok()),
        Some(LinkState::Down) => ("─down─▶ ", t.bad()),
        None => ("─ ? ─▶ ", t.dim()),
    };
    let (state, style) = node_state(r, false, t);
    let mut required = vec![
        Span::styled(branch, t.dim()),
        Span::styled(edge, edge_style),
        Span::raw(padded(&r.addr, short)),
        Span::raw(" "),
        Span::styled(state, style),
    ];
    if r.role == Some(Role::Master) && r.reach == ReachState::Ok {
        let says = if short {
            "  (says master!)"
        } else {
            "  (reports role master)"
        };
        required.push(Span::styled(says, t.warn()));
    }
    let lag = match (r.lag_bytes, r.lag_secs) {
        (Some(b), Some(s)) if s > 1 => vec![Span::raw(format!("  lag {} {s}s", bytes(b)))],
        (Some(b), _) => vec![Span::raw(format!("  lag {}", bytes(b)))],
        _ => Vec::new(),
    };
    Row {
        required,
        important: vec![lag],
        extra: vec![
            server_piece(r, t),
            behind_piece(r.container.as_ref(), r.process.as_deref(), t),
        ],
    }
}

fn sentinel_row(s: &SentinelView, short: bool, t: Theme) -> Row<'static> {
    let believes = s
        .master
        .as_ref()
        .map(|m| addr(m, short))
        .unwrap_or_else(|| "?".into());
    let (mark, style) = if s.stopped {
        ("  STOPPED".to_string(), t.bad())
    } else if s.paused {
        ("  PAUSED".to_string(), t.paused())
    } else if s.reach != ReachState::Ok {
        (format!("  {}", s.reach), t.reach(s.reach))
    } else if s.disagrees {
        ("  ✗ DISAGREES".to_string(), t.bad())
    } else {
        ("  ✓".to_string(), t.ok())
    };
    let mut flags = flag_words(&s.master_flags);
    if s.tilt {
        flags.push("TILT".into());
    }
    let flags = if flags.is_empty() {
        Vec::new()
    } else {
        vec![Span::styled(format!("  {}", flags.join(" ")), t.warn())]
    };
    Row {
        required: vec![
            Span::styled("◆ ", t.title()),
            Span::raw(padded(&s.addr, short)),
            Span::styled(" → ", t.dim()),
            Span::raw(if short {
                format!("{believes:<7}")
            } else {
                format!("{believes:<21}")
            }),
            Span::styled(mark, style),
        ],
        important: vec![flags],
        extra: vec![behind_piece(s.container.as_ref(), s.process.as_deref(), t)],
    }
}
