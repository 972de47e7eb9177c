//! The `?` help screen, generated from the keymap, with the on-screen latency figures.

use super::Ctx;
use crate::app::Mode;
use crate::keymap::{KEYMAP, REPLAY_KEYMAP};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let replay = ctx.app.setup().replay;
    let extra = if replay {
        REPLAY_KEYMAP.len() as u16 + 1
    } else {
        0
    };
    let w = area.width.min(84);
    let h = area.height.min(KEYMAP.len() as u16 + 6 + extra);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let key = |keys: &str, help: &'static str| {
        Line::from(vec![
            Span::styled(format!(" {keys:<11}"), t.title()),
            Span::raw(help),
        ])
    };
    let mut lines: Vec<Line> = Vec::new();
    if replay {
        lines.extend(REPLAY_KEYMAP.iter().map(|b| key(b.keys, b.help)));
        lines.push(Line::from(Span::styled(
            " below: the live keys; those that act answer \"replay: not acting\"",
            t.dim(),
        )));
    }
    lines.extend(KEYMAP.iter().map(|b| key(b.keys, b.help)));
    lines.push(Line::from(""));
    let lat = &ctx.app.latency().events;
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
    let visible = r.height.saturating_sub(2) as usize;
    let top = (ctx.app.scroll(Mode::Help) as usize).min(lines.len().saturating_sub(visible));
    let below = lines.len().saturating_sub(top + visible);
    let bottom = if below > 0 {
        format!(" ↓ {below} more (↑↓) · Esc or ? closes ")
    } else {
        " Esc or ? closes this help ".to_string()
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines.into_iter().skip(top).collect::<Vec<_>>()).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Keys ", t.title()))
                .title_bottom(Span::styled(bottom, t.dim())),
        ),
        r,
    );
}
