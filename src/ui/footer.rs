//! Footer: on the left the status line (what the last action did or why it failed, for a
//! while) or the keys of what has the focus; on the right, always, `? help │ q quit`. A
//! message longer than the line wraps by word onto up to `MAX_LINES` lines, the last saying
//! when the rest is only in the log (where every message is, whole).

use super::Ctx;
use super::fmt::{fit_words, wrap};
use crate::app::Mode;
use crate::keymap::{Action, KEYMAP, REPLAY_KEYMAP};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What stays on the right whatever else the footer says.
const ALWAYS: [&str; 2] = ["? help", "q quit"];

/// The most lines a message takes at the bottom of the screen.
const MAX_LINES: usize = 4;

fn right() -> String {
    ALWAYS
        .iter()
        .map(|h| format!(" {h} "))
        .collect::<Vec<_>>()
        .join("│")
}

/// The status message shown now, wrapped to the room the footer leaves it.
fn message_lines(ctx: &Ctx, width: u16) -> Option<(Vec<String>, bool)> {
    let app = ctx.app;
    let s = app.status()?;
    if !(s.shown_at(app.now()) || app.in_mode(Mode::Confirm)) {
        return None;
    }
    let room = (width as usize).saturating_sub(right().chars().count() + 2);
    let mut lines = wrap(&s.text, room.max(10));
    if lines.len() > MAX_LINES {
        // The rest is in the log, whole.
        const NOTE: &str = " (whole in the log: e)";
        let rest = lines.split_off(MAX_LINES - 1).join(" ");
        let room = room.saturating_sub(NOTE.len());
        lines.push(format!("{}{NOTE}", fit_words(&rest, room)));
    }
    Some((lines, s.error))
}

/// How many lines the footer takes at `width`: one, or a long message's.
pub fn height(ctx: &Ctx, width: u16) -> u16 {
    message_lines(ctx, width).map_or(1, |(l, _)| l.len() as u16)
}

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let right = right();
    let right_w = right.chars().count();
    let room = (area.width as usize).saturating_sub(right_w + 1);
    let mut spans = Vec::new();
    match message_lines(ctx, area.width) {
        Some((lines, error)) => {
            let style = if error { t.bad() } else { t.warn() };
            let n = lines.len();
            let mut out: Vec<Line> = lines
                .into_iter()
                .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
                .collect();
            if let Some(last) = out.last_mut() {
                let used = last.width();
                last.spans.push(Span::raw(
                    " ".repeat((area.width as usize).saturating_sub(used + right_w)),
                ));
                last.spans.push(Span::styled(right, t.dim()));
            }
            let top = area.height.saturating_sub(n as u16);
            let area = Rect {
                y: area.y + top,
                height: area.height - top,
                ..area
            };
            f.render_widget(Paragraph::new(out), area);
            return;
        }
        None => {
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
    let bottom = Rect {
        y: area.y + area.height.saturating_sub(1),
        height: area.height.min(1),
        ..area
    };
    f.render_widget(Paragraph::new(Line::from(spans)), bottom);
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
                    Some(a) if app.selected_is_paused() => {
                        format!("p resume {}", ctx.names.addr(&a, narrow))
                    }
                    Some(a) => format!("p pause {}", ctx.names.addr(&a, narrow)),
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
