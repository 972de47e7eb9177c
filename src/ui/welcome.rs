//! Shown while no sentinel has answered: what sentui tries, why it fails, and how to fix it.

use super::Ctx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let mut lines = vec![
        Line::from(Span::styled(
            "No sentinel has answered yet. sentui keeps trying:",
            t.warn(),
        )),
        Line::from(""),
    ];
    for s in app.live().sentinels().values() {
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<22} ", s.addr.to_string())),
            Span::styled(s.reach.describe(app.now()), t.reach(s.reach.state())),
        ]));
    }
    if app.live().sentinels().is_empty() {
        for s in &app.setup().seeds {
            lines.push(Line::from(format!("  {s:<22} connecting")));
        }
    }
    // A sentinel that answered but refused the credentials or the TLS settings was named
    // right: its line above says the fix.
    if app
        .live()
        .sentinels()
        .values()
        .any(|s| s.reach.state().answered())
    {
        lines.extend([
            Line::from(""),
            Line::from(Span::styled("q quits.", t.dim())),
        ]);
        return render_lines(f, area, ctx, lines);
    }
    lines.extend([
        Line::from(""),
        Line::from("To watch a deployment, name one of its sentinels:"),
        Line::from(Span::styled(
            "  sentui --sentinel HOST:PORT        (or SENTUI_SENTINELS=host:port,...)",
            t.title(),
        )),
        Line::from(""),
        Line::from("No deployment at hand? Start the lab and watch it:"),
        Line::from(Span::styled(
            "  sentui demo                        (lab + this screen)",
            t.title(),
        )),
        Line::from(Span::styled(
            "  sentui lab up --local              (prints the --sentinel flags to use)",
            t.title(),
        )),
        Line::from(""),
        Line::from(Span::styled("q quits.", t.dim())),
    ]);
    render_lines(f, area, ctx, lines);
}

fn render_lines(f: &mut Frame, area: Rect, ctx: &Ctx, lines: Vec<Line<'static>>) {
    let t = ctx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" sentui: not connected ", t.title()));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
