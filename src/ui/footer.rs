//! Footer: on the left the status line (what the last action did or why it failed, for a
//! while) or the keys of what has the focus; on the right, always, `? help │ q quit`.

use super::Ctx;
use super::fmt::{addr, fit};
use crate::app::Mode;
use crate::keymap::{Action, KEYMAP, REPLAY_KEYMAP};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What stays on the right whatever else the footer says.
const ALWAYS: [&str; 2] = ["? help", "q quit"];

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let right: String = ALWAYS
        .iter()
        .map(|h| format!(" {h} "))
        .collect::<Vec<_>>()
        .join("│");
    let right_w = right.chars().count();
    let room = (area.width as usize).saturating_sub(right_w + 1);
    let mut spans = Vec::new();
    match app.status() {
        Some(s) if s.shown_at(app.now()) || app.in_mode(Mode::Confirm) => {
            let style = if s.error { t.bad() } else { t.warn() };
            spans.push(Span::styled(fit(&format!(" {}", s.text), room), style));
        }
        _ => {
            for hint in hints(ctx, area.width) {
                // Hints that do not fit are left out rather than cut.
                let used: usize = spans.iter().map(Span::width).sum();
                if used + hint.chars().count() + 3 > room {
                    continue;
                }
                spans.push(Span::styled(format!(" {hint} "), t.dim()));
                spans.push(Span::raw("│"));
            }
            spans.pop();
        }
    }
    let used: usize = spans.iter().map(Span::width).sum();
    spans.push(Span::raw(
        " ".repeat((area.width as usize).saturating_sub(used + right_w)),
    ));
    spans.push(Span::styled(right, t.dim()));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer's hints, most useful first (those that do not fit are left out from the end).
const FOOTER_ORDER: [Action; 11] = [
    Action::Down,
    Action::TogglePause,
    Action::FocusLog,
    Action::Open,
    Action::Page,
    Action::Failover,
    Action::ToggleStop,
    Action::TogglePartition,
    Action::NextGroup,
    Action::Filter,
    Action::Freeze,
];

/// The keys of what has the focus, most useful first.
fn hints(ctx: &Ctx, width: u16) -> Vec<String> {
    let app = ctx.app;
    if app.in_mode(Mode::Detail) {
        return ["↑↓ PgUp PgDn scroll", "Esc back"]
            .map(String::from)
            .to_vec();
    }
    let mut out = Vec::new();
    if app.setup().replay {
        out.extend(
            REPLAY_KEYMAP
                .iter()
                .filter_map(|b| b.hint)
                .map(String::from),
        );
    }
    if app.in_mode(Mode::LogFocus) {
        out.extend(
            [
                "↑↓ PgUp PgDn Home End select",
                "⏎ details",
                "/ filter",
                "o source",
                "x save",
                "e Esc back",
            ]
            .map(String::from),
        );
        return out;
    }
    for action in FOOTER_ORDER {
        let Some(b) = KEYMAP.iter().find(|b| b.action == action) else {
            continue;
        };
        let Some(hint) = b.hint else { continue };
        let acts = matches!(
            b.action,
            Action::TogglePause | Action::ToggleStop | Action::TogglePartition | Action::Failover
        );
        if acts && (app.setup().read_only || app.setup().replay) {
            continue;
        }
        if app.setup().replay && b.action == Action::Freeze {
            continue;
        }
        out.push(match b.action {
            Action::TogglePause => {
                let narrow = width < 100;
                match app.selected_addr() {
                    Some(a) if app.selected_is_paused() => format!("p resume {}", addr(&a, narrow)),
                    Some(a) => format!("p pause {}", addr(&a, narrow)),
                    None => hint.to_string(),
                }
            }
            Action::ToggleStop if !app.setup().containers => continue,
            Action::ToggleStop if app.selected_is_stopped() => "s start".to_string(),
            Action::TogglePartition if !app.setup().containers => continue,
            Action::TogglePartition if app.selected_is_partitioned() => "n heal".to_string(),
            _ => hint.to_string(),
        });
    }
    out
}
