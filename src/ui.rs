//! Drawing: a pure function of `&App`. `draw` picks the layout (compact for small terminals,
//! wide for large ones); each panel is one `render(frame, area, &Ctx)` in its own file.

pub mod columns;
mod detail;
pub mod fmt;
mod footer;
mod header;
mod help;
mod log;
pub mod names;
mod probe;
mod replication;
pub mod sentinels;
mod stopwatch;
pub mod svg;
mod theme;
mod topology;
mod votes;
mod welcome;

pub use theme::Theme;

use crate::app::{App, Mode, Page};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use sentui_model::readiness::Readiness;
use sentui_model::view::GroupView;

/// What every panel reads.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub view: Option<GroupView>,
    /// Whether Sentinel could fail the shown group over now (`sentui_model::readiness`).
    pub readiness: Option<Readiness>,
    pub theme: Theme,
    /// Every name's form on this frame: whole, or short and distinct (`names.rs`).
    pub names: names::Names,
}

impl<'a> Ctx<'a> {
    pub fn new(app: &'a App) -> Self {
        let view = app.view();
        Ctx {
            app,
            readiness: view
                .as_ref()
                .map(|v| app.shown().readiness(v, app.shown_now())),
            view,
            names: names::Names::of(app.shown()),
            theme: Theme {
                color: !app.setup().no_color,
            },
        }
    }
}

/// Draws `app` into an off-screen buffer of the given size (screenshots, recordings, tests).
pub fn render_to_buffer(app: &App, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let backend = ratatui::backend::TestBackend::new(width.max(1), height.max(1));
    match ratatui::Terminal::new(backend) {
        Ok(mut t) => {
            let _ = t.draw(|f| draw(f, app));
            t.backend().buffer().clone()
        }
        Err(_) => ratatui::buffer::Buffer::empty(Rect::new(0, 0, width, height)),
    }
}

/// Below this the compact layout is used.
const WIDE_MIN: (u16, u16) = (120, 34);

pub fn draw(f: &mut Frame, app: &App) {
    let ctx = Ctx::new(app);
    let area = f.area();
    let foot_h = footer::height(&ctx, area.width).min(area.height.saturating_sub(1).max(1));
    let [body, foot] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(foot_h)]).areas(area);
    footer::render(f, foot, &ctx);
    if app.nothing_reachable() {
        welcome::render(f, body, &ctx);
    } else {
        let head_lines = header::lines(&ctx, body.width);
        // The header never takes more than half the screen.
        let head_h = (head_lines.len() as u16).min(body.height / 2);
        let [head, rest] =
            Layout::vertical([Constraint::Length(head_h), Constraint::Min(1)]).areas(body);
        f.render_widget(ratatui::widgets::Paragraph::new(head_lines), head);
        if app.in_mode(Mode::Detail) {
            detail::render(f, rest, &ctx);
        } else if app.page() == Page::Cluster {
            cluster(f, rest, &ctx);
        } else if area.width >= WIDE_MIN.0 && area.height >= WIDE_MIN.1 {
            wide(f, rest, &ctx);
        } else {
            compact(f, rest, &ctx);
        }
    }
    if app.in_mode(Mode::Help) {
        help::render(f, area, &ctx);
    }
}

fn counts(ctx: &Ctx) -> (u16, u16) {
    ctx.view
        .as_ref()
        .map(|v| {
            (
                v.master.iter().count() as u16 + v.replicas.len() as u16,
                v.sentinels.len() as u16,
            )
        })
        .unwrap_or((0, 0))
}

fn wide(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let (nodes, sentinels) = counts(ctx);
    let top = (nodes + sentinels + 4).max(6);
    // The sentinels row also holds the votes: an epoch line and one line per voter.
    let middle = (sentinels + 3).max(6);
    let [top_row, mid_row, bottom] = Layout::vertical([
        Constraint::Length(top),
        Constraint::Length(middle),
        Constraint::Min(6),
    ])
    .areas(area);
    let [topo, repl] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(top_row);
    topology::render(f, topo, ctx);
    replication::render(f, repl, ctx);
    let [sent_area, votes_area] =
        Layout::horizontal([Constraint::Min(60), Constraint::Length(36)]).areas(mid_row);
    sentinels::render(f, sent_area, ctx);
    votes::render(f, votes_area, ctx);
    let side = if area.width >= 150 { 48 } else { 36 };
    let [log_area, sw_area] =
        Layout::horizontal([Constraint::Min(40), Constraint::Length(side)]).areas(bottom);
    let log_area = with_probe(f, log_area, ctx);
    log::render(f, log_area, ctx);
    stopwatch::render(f, sw_area, ctx);
}

fn compact(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let (nodes, sentinels) = counts(ctx);
    let topo_h = (nodes + sentinels + 3).min(area.height.saturating_sub(5).max(4));
    let [topo, bottom] =
        Layout::vertical([Constraint::Length(topo_h), Constraint::Min(3)]).areas(area);
    topology::render(f, topo, ctx);
    let bottom = with_probe(f, bottom, ctx);
    if area.width >= 70 {
        // At 80 columns the log keeps room for the widest event name whole.
        let side_w = if area.width >= 100 { 40 } else { 24 };
        let [log_area, side] =
            Layout::horizontal([Constraint::Min(30), Constraint::Length(side_w)]).areas(bottom);
        log::render(f, log_area, ctx);
        stopwatch::render(f, side, ctx);
    } else {
        log::render(f, bottom, ctx);
    }
}

/// `v`: replication, the sentinels and the votes, each across the whole width.
fn cluster(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let (nodes, sentinels) = counts(ctx);
    let [repl, sent, votes_area] = Layout::vertical([
        Constraint::Length(nodes + 3),
        Constraint::Length(sentinels + 3),
        Constraint::Min(3),
    ])
    .areas(area);
    replication::render(f, repl, ctx);
    sentinels::render(f, sent, ctx);
    let [problems_area, votes_area] =
        Layout::horizontal([Constraint::Min(30), Constraint::Length(36)]).areas(votes_area);
    problems(f, problems_area, ctx);
    votes::render(f, votes_area, ctx);
}

/// Every problem of the group, wrapped (the header has room for the first).
fn problems(f: &mut Frame, area: Rect, ctx: &Ctx) {
    use ratatui::text::{Line, Span};
    let t = ctx.theme;
    let width = area.width.saturating_sub(4) as usize;
    let mut lines = Vec::new();
    for p in ctx.view.iter().flat_map(|v| v.problems.iter()) {
        for (i, l) in fmt::wrap(p, width).into_iter().enumerate() {
            let lead = if i == 0 { "! " } else { "  " };
            lines.push(Line::from(Span::styled(format!("{lead}{l}"), t.warn())));
        }
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled("none: healthy", t.ok())));
    }
    let block = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .title(Span::styled(" Problems ", t.title()));
    f.render_widget(ratatui::widgets::Paragraph::new(lines).block(block), area);
}

/// Draws the write probe panel (when shown) at the bottom of `area`; returns the rest.
fn with_probe(f: &mut Frame, area: Rect, ctx: &Ctx) -> Rect {
    if ctx.app.probe() == crate::app::ProbePanel::Hidden || area.height < probe::HEIGHT + 3 {
        return area;
    }
    let [rest, panel] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(probe::HEIGHT)]).areas(area);
    probe::render(f, panel, ctx);
    rest
}
