//! The event log: the merged stream in time order, with millisecond times and the publishing
//! sentinel, coloured by kind; identical events from several sentinels fold into one row (×N).
//! `e` focuses it: the selected row is shown whole, wrapped, and Enter opens it in full.

use super::Ctx;
use super::fmt::{addr, fit, wrap};
use crate::app::Mode;
use crate::logview::{position, source_label, window};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::event::{EventDetail, InstanceKind};
use sentui_model::log::{LogEntry, Source};
use sentui_model::time::clock;

/// The payload, shortened for narrow screens: instance details become `master :16379`,
/// `+switch-master` becomes `:16379 → :16380`.
fn payload(e: &LogEntry, narrow: bool) -> String {
    if !narrow {
        return e.payload.clone();
    }
    match &e.detail {
        EventDetail::Instance {
            instance,
            quorum,
            extra,
        } => {
            // Masters and replicas go by their address alone.
            let mut s = match instance.kind {
                InstanceKind::Sentinel => format!("sentinel {}", addr(&instance.addr, true)),
                _ => addr(&instance.addr, true),
            };
            if let Some((k, n)) = quorum {
                s.push_str(&format!(" quorum {k}/{n}"));
            }
            if let Some(x) = extra {
                s.push_str(&format!(" {x}"));
            }
            s
        }
        EventDetail::SwitchMaster { old, new, .. } => {
            format!("{} → {}", addr(old, true), addr(new, true))
        }
        EventDetail::VoteForLeader { run_id, epoch } => format!("{} epoch {epoch}", fit(run_id, 9)),
        _ => e.payload.clone(),
    }
}

/// What a row says after its time, source and event: the node it is about, and the payload.
fn about(e: &LogEntry, narrow: bool) -> String {
    let node = match (&e.source, &e.addr) {
        (Source::Sentinel, _) | (_, None) => String::new(),
        (_, Some(a)) => format!("{} ", addr(a, narrow)),
    };
    format!("{node}{}", payload(e, narrow))
}

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let rows = app.log_rows();
    let focused = app.in_mode(Mode::LogFocus);
    let selected = if focused {
        app.log_position()
    } else {
        app.log_cursor().and_then(|seq| position(&rows, seq))
    };
    let visible = area.height.saturating_sub(2) as usize;
    let range = window(rows.len(), visible, selected);
    let width = area.width.saturating_sub(2) as usize;
    let narrow = width < 100;
    let shown = &rows[range.clone()];
    let src_w = shown
        .iter()
        .map(|r| source_label(r, narrow).chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, if narrow { 12 } else { 24 });
    let event_w = shown
        .iter()
        .map(|r| r.first.event.name().chars().count())
        .max()
        .unwrap_or(8)
        .clamp(
            8,
            if width < 60 {
                16
            } else if narrow {
                20
            } else {
                34
            },
        );
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_at = None;
    for (i, r) in shown.iter().enumerate() {
        let e = r.first;
        let time = if narrow {
            clock(e.ts)[3..].to_string()
        } else {
            clock(e.ts)
        };
        let lead = time.chars().count() + 1 + src_w + 1 + event_w + 1;
        let is_selected = selected == Some(range.start + i);
        let source = format!("{:<src_w$} ", fit(&source_label(r, narrow), src_w));
        let mut spans = vec![Span::styled(format!("{time} "), t.dim()), Span::raw(source)];
        if is_selected {
            // The selected row is shown whole: event name and payload wrap under it.
            selected_at = Some(lines.len());
            let event = format!("{:<event_w$} ", e.event);
            let used = time.chars().count() + 1 + src_w + 1 + event.chars().count();
            spans.push(Span::styled(event, t.class(e.class())));
            let text = about(e, false);
            let mut parts = wrap(&text, width.saturating_sub(used).max(10)).into_iter();
            spans.push(Span::raw(parts.next().unwrap_or_default()));
            lines.push(Line::from(spans).style(t.selected()));
            // Continued under the time column: the whole width is the payload's.
            let indent = time.chars().count() + 1;
            let rest: String = parts.collect::<Vec<_>>().join(" ");
            if !rest.is_empty() {
                for l in wrap(&rest, width.saturating_sub(indent).max(10)) {
                    lines
                        .push(Line::from(format!("{}{l}", " ".repeat(indent))).style(t.selected()));
                }
            }
            continue;
        }
        spans.push(Span::styled(
            format!("{:<event_w$} ", fit(e.event.name(), event_w)),
            t.class(e.class()),
        ));
        spans.push(Span::raw(fit(
            &about(e, narrow),
            width.saturating_sub(lead),
        )));
        lines.push(Line::from(spans));
    }
    // A wrapped selection pushes rows out: the oldest go first, then the newest.
    while lines.len() > visible {
        match selected_at {
            Some(s) if s > 0 => {
                lines.remove(0);
                selected_at = Some(s - 1);
            }
            _ => {
                lines.pop();
            }
        }
    }
    let d = app.shown();
    let mut title = format!(" Events ({}", rows.len());
    if d.log().dropped() > 0 {
        title.push_str(&format!(", {} older dropped from view", d.log().dropped()));
    }
    title.push(')');
    if let Some(i) = selected.filter(|_| focused || app.log_cursor().is_some()) {
        title.push_str(&format!(" {}/{} ", i + 1, rows.len()));
    } else if range.end < rows.len() {
        title.push_str(" End=follow ");
    }
    let mut spans = vec![Span::styled(title, t.title())];
    let query = app.log_query();
    if let Some(src) = query.source.label() {
        spans.push(Span::styled(format!(" source: {src} "), t.warn()));
    }
    let typing = app.in_mode(Mode::FilterEditing);
    if typing || !query.text.is_empty() {
        let cursor = if typing { "▏" } else { "" };
        spans.push(Span::styled(
            format!(" filter: {}{cursor} ", query.text),
            t.warn(),
        ));
    }
    let border: Style = if focused { t.title() } else { Style::default() };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::from(spans));
    f.render_widget(Paragraph::new(lines).block(block), area);
}
