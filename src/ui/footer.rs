//! Footer: the status line (what the last action did or why it failed) or the key hints.

use super::Ctx;
use crate::keymap::{Action, KEYMAP};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A status message stays this long (errors until replaced).
const STATUS_MS: u64 = 8000;

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    if let Some(s) = &app.status
        && (s.error || app.now.saturating_sub(s.at) < STATUS_MS || app.confirm.is_some())
    {
        let style = if s.error { t.bad() } else { t.warn() };
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(format!(" {}", s.text), style))),
            area,
        );
        return;
    }
    let mut spans = Vec::new();
    for b in KEYMAP {
        let Some(hint) = b.hint else { continue };
        let hint = if b.action == Action::TogglePause {
            let narrow = area.width < 100;
            match app.selected_addr() {
                Some(a) if app.selected_is_paused() => {
                    format!("p resume {}", super::fmt::addr(&a, narrow))
                }
                Some(a) => format!("p pause {}", super::fmt::addr(&a, narrow)),
                None => hint.to_string(),
            }
        } else if b.action == Action::ToggleStop {
            if !app.containers {
                continue;
            }
            if app.selected_is_stopped() {
                "s start".to_string()
            } else {
                hint.to_string()
            }
        } else {
            hint.to_string()
        };
        if app.read_only
            && matches!(
                b.action,
                Action::TogglePause | Action::ToggleStop | Action::Failover
            )
        {
            continue;
        }
        // Hints that do not fit are left out rather than cut.
        let used: usize = spans.iter().map(|s: &Span| s.width()).sum();
        if used + hint.chars().count() + 2 > area.width as usize {
            continue;
        }
        spans.push(Span::styled(format!(" {hint} "), t.dim()));
        spans.push(Span::raw("│"));
    }
    spans.pop();
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
