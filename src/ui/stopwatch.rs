//! The failover stopwatch: the phases of the running or last failover, the time of each since
//! the first sign, and the time since the previous step. Stays on screen after the end.

use super::Ctx;
use super::fmt::{duration, fit};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use sentui_model::Millis;
use sentui_model::stopwatch::{Outcome, Phase, PhaseMark};

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let inner_h = area.height.saturating_sub(2) as usize;
    let width = area.width.saturating_sub(2) as usize;
    let stopwatch = ctx
        .view
        .as_ref()
        .and_then(|v| app.shown().stopwatches().get(&v.name));
    let failover = stopwatch.and_then(|s| s.shown());
    // A blip after it (or signs gathering now) is a line under it, not a replacement.
    let note = stopwatch
        .and_then(|s| s.note())
        .map(|n| n.note_words(app.shown_now()));
    let mut lines = Vec::new();
    let title = match failover {
        None => {
            lines.extend(history(ctx, width));
            lines.push(Line::from(Span::styled(
                "no failover yet: press p on the master",
                t.dim(),
            )));
            if let Some(n) = &note {
                lines.push(Line::from(Span::styled(fit(n, width), t.dim())));
            }
            " Failover ".to_string()
        }
        Some(fo) => {
            let (state, style) = match &fo.outcome {
                None => (
                    format!(
                        "running {}",
                        duration(app.shown_now().saturating_sub(fo.started_at))
                    ),
                    t.warn(),
                ),
                Some(Outcome::Completed) => (
                    format!(
                        "done in {}{}",
                        duration(
                            fo.ended_at
                                .unwrap_or(fo.started_at)
                                .saturating_sub(fo.started_at)
                        ),
                        fo.end_not_seen_note()
                    ),
                    t.ok(),
                ),
                Some(Outcome::Recovered) => ("master came back".into(), t.ok()),
                Some(Outcome::Aborted(r)) => (format!("aborted: {r}"), t.bad()),
            };
            let short = |a: &Option<sentui_model::Addr>| {
                a.as_ref()
                    .map(|a| ctx.names.addr(a, width < 36))
                    .unwrap_or_else(|| "?".into())
            };
            let (old, new) = (short(&fo.old_master), short(&fo.new_master));
            lines.push(Line::from(vec![Span::styled(state, style)]));
            // Both names whole: on a second line when they do not fit on one.
            for l in super::fmt::wrap(&format!("{old} → {new}"), width) {
                lines.push(Line::from(Span::styled(l, t.master())));
            }
            // Why a failover came right after a coordinated one: the log's entry has the
            // evidence in full.
            if fo.note.is_some() {
                for l in
                    super::fmt::wrap("follows a coordinated failover (see its log line)", width)
                {
                    lines.push(Line::from(Span::styled(l, t.warn())));
                }
            }
            let label_w = if width < 36 { 15 } else { 21 };
            let room = inner_h.saturating_sub(lines.len() + usize::from(note.is_some()));
            for (mark, since, delta) in shown_marks(fo.timeline(), room) {
                let mut spans = vec![
                    Span::raw(format!(
                        "{:<label_w$}",
                        fit(label(mark.phase, width < 36), label_w)
                    )),
                    Span::styled(format!("{:>7}", format!("+{}", duration(since))), t.title()),
                ];
                if width >= 36 {
                    spans.push(Span::styled(
                        format!(" {:>7}", format!("Δ{}", duration(delta))),
                        t.dim(),
                    ));
                }
                lines.push(Line::from(spans));
            }
            if let Some(n) = note {
                for l in super::fmt::wrap(&n, width) {
                    lines.push(Line::from(Span::styled(l, t.dim())));
                }
            }
            if fo.coordinated {
                " Coordinated failover ".to_string()
            } else {
                " Failover ".to_string()
            }
        }
    };
    // In the compact layout this panel also carries the latest votes.
    if area.height > lines.len() as u16 + 4 && area.width < 60 {
        let room = inner_h.saturating_sub(lines.len() + 1);
        let votes = super::votes::lines(ctx, room, true);
        if !votes.is_empty() {
            lines.push(Line::from(Span::styled("votes:", t.dim())));
            lines.extend(votes);
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, t.title()));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// What can be known of the failovers before sentui started: the config epoch counts the
/// epochs failovers were made in (aborted attempts take epochs too, hence "up to"), and the
/// sentinels' `role-reported-time` says since when the master has been one (at least).
fn history(ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let Some(v) = ctx.view.as_ref().filter(|v| v.epoch > 0) else {
        return Vec::new();
    };
    let mut out: Vec<Line<'static>> = [
        format!(
            "epoch {0}: up to {0} failover{1}",
            v.epoch,
            if v.epoch == 1 { "" } else { "s" }
        ),
        "before sentui started (not seen)".to_string(),
    ]
    .into_iter()
    .map(|l| Line::from(Span::styled(fit(&l, width), t.warn())))
    .collect();
    let d = ctx.app.shown();
    if let Some(m) = d.master_of(&v.name) {
        let since = super::header::known_since(ctx);
        let ago = duration(ctx.app.shown_now().saturating_sub(since));
        let said = format!(
            "master {} for {ago} at least",
            super::fmt::addr(&m, width < 36)
        );
        out.push(Line::from(Span::styled(fit(&said, width), t.master())));
    }
    out
}

/// A phase's name; on a narrow panel the two long ones are said shorter, not cut.
fn label(phase: Phase, narrow: bool) -> &'static str {
    match phase {
        Phase::Unresponsive if narrow => "unresponsive",
        Phase::ReplicasReconfigured if narrow => "reconfigured",
        Phase::Fault if narrow => "fault",
        p => p.label(),
    }
}

/// The phases that fit in `room` rows: when not all do, the minor steps give way first, so the
/// fault, the downs, the election, the promotion, the switch and the end stay on screen.
fn shown_marks(
    timeline: Vec<(&PhaseMark, Millis, Millis)>,
    room: usize,
) -> Vec<(&PhaseMark, Millis, Millis)> {
    const GIVE_WAY: [Phase; 5] = [
        Phase::TryFailover,
        Phase::SelectedReplica,
        Phase::ReplicasReconfigured,
        Phase::Unresponsive,
        Phase::Elected,
    ];
    let mut shown = timeline;
    for phase in GIVE_WAY {
        if shown.len() <= room {
            break;
        }
        shown.retain(|(m, _, _)| m.phase != phase);
    }
    if shown.len() > room {
        // Still too many: keep the newest.
        shown.drain(..shown.len() - room);
    }
    shown
}
