//! Topology: the master with its replicas as a graph (link state and lag on each edge), then the
//! sentinels, each with the master IT believes in; disagreement stands out. Nodes and sentinels
//! are selectable (↑/↓). A row that does not fit loses whole pieces (the container, the lag,
//! then long addresses), never half a word.

use super::fmt::{bytes, duration, first_fitting, flag_words};
use super::names::Names;
use super::{Ctx, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::flags::Flag;
use sentui_model::info::{PauseActions, Role};
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
    // A pause holds the clients' writes while the node answers everything else: a
    // coordinated failover's hand-over, or one it left behind.
    if let Some(p) = &n.write_pause {
        let what = match p.actions {
            PauseActions::Write => "writes",
            PauseActions::All => "all",
        };
        return (format!("{what} paused {}", duration(p.left_ms)), t.warn());
    }
    if let Some(f) = n.failover_state.as_ref().filter(|f| f.is_active()) {
        return (format!("FAILOVER {f}"), t.warn());
    }
    if promoted {
        return ("promoted".into(), t.master());
    }
    ("ok".into(), t.ok())
}

/// How a panel writes its addresses and names: all rows alike, whole or short, so one row
/// never reads `sentinel-2:26379` beside another's `sentinel-1`.
#[derive(Clone, Copy)]
struct Form<'n> {
    names: &'n Names,
    short: bool,
    /// The address column's width.
    width: usize,
}

impl Form<'_> {
    /// An address padded to the column, whole or short (`:16379`, `…replica-1`).
    fn padded(&self, a: &Addr) -> String {
        format!("{:<w$}", self.names.addr(a, self.short), w = self.width)
    }
}

/// The lines of one row, most detailed first: every optional piece, then fewer (the extras
/// give way first, then the important pieces).
fn candidates<'a>(row: Row<'a>) -> Candidates<'a> {
    let all = row.important.len() + row.extra.len();
    let complete = row.extra.len() + 1;
    let lines = (row.important.len().min(all)..=all)
        .rev()
        .chain((0..row.important.len()).rev())
        .map(|keep| {
            let mut spans = row.required.clone();
            for piece in row.important.iter().chain(row.extra.iter()).take(keep) {
                spans.extend(piece.iter().cloned());
            }
            Line::from(spans)
        })
        .collect();
    Candidates { lines, complete }
}

/// A row's lines, most detailed first; the first `complete` keep every important piece.
struct Candidates<'a> {
    lines: Vec<Line<'a>>,
    complete: usize,
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
    let names = &ctx.names;
    let build = |form: Form| -> Vec<(Candidates<'static>, Addr)> {
        let mut rows = Vec::new();
        if let Some(m) = &v.master {
            let row = master_row(m, promoted_addr.as_ref(), form, t);
            rows.push((candidates(row), m.addr.clone()));
        }
        let n = v.replicas.len();
        for (i, r) in v.replicas.iter().enumerate() {
            rows.push((
                candidates(replica_row(r, i + 1 == n, form, t)),
                r.addr.clone(),
            ));
        }
        for s in &v.sentinels {
            rows.push((candidates(sentinel_row(s, form, t)), s.addr.clone()));
        }
        rows
    };
    let column = |short: bool| {
        let nodes = v.master.iter().chain(v.replicas.iter()).map(|n| &n.addr);
        let believed = v.sentinels.iter().filter_map(|s| s.master.as_ref());
        nodes
            .chain(v.sentinels.iter().map(|s| &s.addr))
            .chain(believed)
            .map(|a| names.addr(a, short).chars().count())
            .max()
            .unwrap_or(0)
    };
    let whole = Form {
        names,
        short: false,
        width: column(false),
    };
    let short = Form {
        names,
        short: true,
        width: column(true),
    };
    // Whole addresses when every row can have them, else short ones in every row.
    let rows = build(whole);
    let fits_whole = |c: &Candidates| c.lines[..c.complete].iter().any(|l| l.width() <= inner_w);
    let form_rows = if rows.iter().all(|(c, _)| fits_whole(c)) {
        rows
    } else {
        build(short)
    };
    let mut lines = Vec::new();
    for (cands, a) in form_rows {
        lines.push(mark(first_fitting(cands.lines, inner_w), &a));
    }
    // The node rows, then the sentinels under their heading.
    let nodes = v.master.iter().count() + v.replicas.len();
    let heading = Span::styled("sentinels, and the master each believes in:", t.dim());
    lines.insert(nodes, Line::from(heading));
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
    form: Form,
    t: Theme,
) -> Vec<Span<'static>> {
    let what = super::sentinels::behind(container, process, form.names, form.short);
    if what.is_empty() {
        Vec::new()
    } else {
        vec![Span::styled(format!("  {what}"), t.dim())]
    }
}

fn master_row(m: &NodeView, promoted: Option<&Addr>, form: Form, t: Theme) -> Row<'static> {
    let short = form.short;
    let (state, style) = node_state(m, promoted == Some(&m.addr), t);
    let mut required = vec![
        Span::styled("★ ", t.master()),
        Span::styled(form.padded(&m.addr), t.master()),
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
        // What runs behind it (its container or pid) before the server: the one names what
        // to act on.
        extra: vec![
            behind_piece(m.container.as_ref(), m.process.as_deref(), form, t),
            server_piece(m, t),
        ],
    }
}

fn replica_row(r: &NodeView, last: bool, form: Form, t: Theme) -> Row<'static> {
    let short = form.short;
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
        Span::raw(form.padded(&r.addr)),
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
            behind_piece(r.container.as_ref(), r.process.as_deref(), form, t),
            server_piece(r, t),
        ],
    }
}

fn sentinel_row(s: &SentinelView, form: Form, t: Theme) -> Row<'static> {
    let believes = s
        .master
        .as_ref()
        .map(|m| form.padded(m))
        .unwrap_or_else(|| format!("{:<w$}", "?", w = form.width));
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
            Span::raw(form.padded(&s.addr)),
            Span::styled(" → ", t.dim()),
            Span::raw(believes),
            Span::styled(mark, style),
        ],
        important: vec![flags],
        extra: vec![behind_piece(
            s.container.as_ref(),
            s.process.as_deref(),
            form,
            t,
        )],
    }
}
