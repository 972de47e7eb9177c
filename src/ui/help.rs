//! The `?` help screen, generated from the keymap, with the on-screen latency figures.

use super::Ctx;
use crate::keymap::KEYMAP;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let w = area.width.min(72);
    let h = area.height.min(KEYMAP.len() as u16 + 8);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = KEYMAP
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {:<11}", b.keys), t.title()),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    let lat = &ctx.app.latency;
    let p = |q| {
        lat.percentile(q)
            .map(|v| format!("{v}ms"))
            .unwrap_or_else(|| "-".into())
    };
    lines.push(Line::from(Span::styled(
        format!(
            " events on screen after arrival: p50 {} p99 {} ({} events)",
            p(0.5),
            p(0.99),
            lat.count()
        ),
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        " Esc or ? closes this help",
        t.dim(),
    )));
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Keys ", t.title())),
        ),
        r,
    );
}
