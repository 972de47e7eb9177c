//! The event log: the merged stream with millisecond times and the publishing sentinel,
//! coloured by kind; identical events from several sentinels fold into one row (×N). Scrolls
//! and filters with `/`.

use super::Ctx;
use super::fmt::{addr, fit};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::event::{EventDetail, InstanceKind};
use sentui_model::log::{FoldedEntry, LogEntry, Source};
use sentui_model::time::clock;

/// Events from several sentinels this close together fold into one row.
const FOLD_WINDOW_MS: u64 = 2000;

fn source_label(row: &FoldedEntry, narrow: bool) -> String {
    match row.first.source {
        Source::Sentinel => {
            let first = row
                .first
                .sentinel
                .as_ref()
                .map(|s| addr(s, narrow))
                .unwrap_or_default();
            if row.sentinels.len() > 1 {
                let sep = if narrow { "" } else { " " };
                format!("{first}{sep}×{}", row.sentinels.len())
            } else {
                first
            }
        }
        Source::Sentui => "sentui".into(),
        Source::Docker => "docker".into(),
    }
}

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
            let kind = match instance.kind {
                InstanceKind::Master => "",
                InstanceKind::Replica => "",
                InstanceKind::Sentinel => "sentinel ",
            };
            let mut s = format!("{kind}{}", addr(&instance.addr, true));
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

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let d = app.shown();
    let group = ctx.view.as_ref().map(|v| v.name.as_str());
    let needle = app.filter.to_lowercase();
    let rows: Vec<FoldedEntry> = d
        .log
        .folded(FOLD_WINDOW_MS)
        .into_iter()
        // Another group's events stay out of this group's log; with no group known yet
        // (the sentinels report none), every event shows.
        .filter(|r| group.is_none() || r.first.group.as_deref().is_none_or(|g| Some(g) == group))
        .filter(|r| {
            needle.is_empty()
                || r.first.event.to_lowercase().contains(&needle)
                || r.first.payload.to_lowercase().contains(&needle)
                || source_label(r, false).contains(&needle)
        })
        .collect();
    let visible = area.height.saturating_sub(2) as usize;
    let scroll = app.scroll.min(rows.len().saturating_sub(visible));
    let end = rows.len() - scroll;
    let start = end.saturating_sub(visible);
    let width = area.width.saturating_sub(2) as usize;
    let narrow = width < 90;
    let src_w = if narrow { 12 } else { 24 };
    let event_w = if narrow { 16 } else { 21 };
    let lines: Vec<Line> = rows[start..end]
        .iter()
        .map(|r| {
            let e = r.first;
            let style = t.class(e.class);
            let about = match (&e.source, &e.addr) {
                (Source::Sentinel, _) | (_, None) => String::new(),
                (_, Some(a)) => format!("{} ", addr(a, narrow)),
            };
            let time = if narrow {
                clock(e.ts)[3..].to_string()
            } else {
                clock(e.ts)
            };
            let used = time.len() + 1 + src_w + 1 + event_w + 1;
            Line::from(vec![
                Span::styled(format!("{time} "), t.dim()),
                Span::raw(format!(
                    "{:<w$} ",
                    fit(&source_label(r, narrow), src_w),
                    w = src_w
                )),
                Span::styled(
                    format!("{:<w$} ", fit(&e.event, event_w), w = event_w),
                    style,
                ),
                Span::raw(fit(
                    &format!("{about}{}", payload(e, narrow)),
                    width.saturating_sub(used),
                )),
            ])
        })
        .collect();
    let mut title = format!(" Events ({}", rows.len());
    if d.log.dropped() > 0 {
        title.push_str(&format!(", {} older dropped from view", d.log.dropped()));
    }
    title.push(')');
    if scroll > 0 {
        title.push_str(&format!(" ↑{scroll} End=follow"));
    }
    let mut spans = vec![Span::styled(title, t.title())];
    if app.editing_filter || !app.filter.is_empty() {
        let cursor = if app.editing_filter { "▏" } else { "" };
        spans.push(Span::styled(
            format!(" filter: {}{cursor} ", app.filter),
            t.warn(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(spans));
    f.render_widget(Paragraph::new(lines).block(block), area);
}
