//! The write probe panel (`w`): what a Sentinel-aware application writing at a steady rate
//! sees: acknowledged and failed writes, the current master, the unavailability window, lost
//! writes once read back (who acknowledged them and when, around the fault sentui injected),
//! writes refused by reason, the last error.

use super::Ctx;
use super::fmt::{duration, fit};
use crate::app::ProbePanel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::drill::report;
use sentui_model::probe::ReadBack;

/// Rows the panel wants, borders included.
pub const HEIGHT: u16 = 6;

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let width = area.width.saturating_sub(2) as usize;
    let now = app.shown_now();
    let mut lines = Vec::new();
    match app.shown().probe() {
        None => lines.push(Line::from(Span::styled("starting...", t.dim()))),
        Some(p) => {
            let master = p
                .master
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| "?".into());
            let (state, style) = match (&p.stop_reason, &p.outage) {
                (Some(r), _) => (format!("probe {r}"), t.dim()),
                (None, Some(o)) => (
                    format!(
                        "WRITES FAILING for {}",
                        duration(now.saturating_sub(o.from))
                    ),
                    t.bad(),
                ),
                (None, None) => (format!("{}/s of {}/s", p.rate_at(now), p.rate), t.ok()),
            };
            lines.push(Line::from(vec![
                Span::styled(state, style),
                Span::raw(format!("  master {master}")),
            ]));
            let lost = match &p.readback {
                Some(Ok(ReadBack { lost, checked, .. })) => Span::styled(
                    format!("  lost {lost} of {checked}"),
                    if *lost == 0 { t.ok() } else { t.bad() },
                ),
                Some(Err(error)) => Span::styled(format!("  lost ? ({error})"), t.warn()),
                None if app.probe() == ProbePanel::Running => {
                    Span::styled("  lost: read back when stopped (w)", t.dim())
                }
                None => Span::styled("  lost: reading back...", t.dim()),
            };
            lines.push(Line::from(vec![
                Span::raw(format!("acked {}  failed {}", p.acked, p.failed)),
                Span::styled(
                    if p.errors.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", p.errors_text())
                    },
                    t.warn(),
                ),
                lost,
            ]));
            let mut window = format!("unavailable {}", duration(p.unavailable_total(now)));
            if let Some(w) = p.window() {
                let who = |a: &Option<sentui_model::Addr>| {
                    a.as_ref()
                        .map(|a| ctx.names.addr(a, width < 70))
                        .unwrap_or_else(|| "?".into())
                };
                window.push_str(&format!(
                    "  window {} ({} → {})",
                    duration(w.duration(p.stopped_at.unwrap_or(now))),
                    who(&w.old_master),
                    who(&w.new_master)
                ));
            }
            lines.push(Line::from(window));
            let refused: Vec<String> = p
                .refusals()
                .iter()
                .map(|(k, n)| format!("{} {n}", k.word()))
                .collect();
            let shown = app.shown();
            // The loss sentence counts from the first fault after the probe started.
            let span = report::first_fault(shown, p.started_at);
            let old = span.as_ref().and_then(|(_, a)| a.clone());
            let new = shown
                .master_of(&p.group)
                .filter(|m| Some(m) != old.as_ref());
            let span = span.map(|(at, _)| shown.fault_span(&p.group, at));
            let loss = p
                .loss_text(span, (old.as_ref(), new.as_ref()), "fault")
                .filter(|_| p.lost().is_some_and(|n| n > 0));
            if let Some(text) = loss {
                lines.push(Line::from(Span::styled(text, t.bad())));
            } else if !refused.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!(
                        "refused {} (not acknowledged, not lost)",
                        refused.join(", ")
                    ),
                    t.warn(),
                )));
            } else if let Some((at, e)) = &p.last_error {
                lines.push(Line::from(Span::styled(
                    format!("last error {} ago: {e}", duration(now.saturating_sub(*at))),
                    t.dim(),
                )));
            }
        }
    }
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            if text.chars().count() > width {
                Line::from(Span::styled(fit(&text, width), l.spans[0].style))
            } else {
                l
            }
        })
        .collect();
    let title = match app.probe() {
        ProbePanel::Running => " Write probe (w stops) ",
        _ => " Write probe (w closes) ",
    };
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, t.title())),
        ),
        area,
    );
}
