//! The vote log: for each epoch, who voted for whom, and the elected leader.

use super::Ctx;
use super::fmt::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::time::clock;

/// The vote lines for the current group, newest epoch first, at most `max` lines.
pub fn lines<'a>(ctx: &Ctx<'a>, max: usize, narrow: bool) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let d = ctx.app.shown();
    let group = ctx.view.as_ref().map(|v| v.name.clone());
    let name = |run_id: &str| {
        d.sentinel_by_run_id(run_id)
            .map(|a| ctx.names.addr(&a, narrow))
            .unwrap_or_else(|| fit(run_id, 12))
    };
    let mut out = Vec::new();
    for e in d.votes().epochs().rev() {
        if e.group.is_some() && e.group != group {
            continue;
        }
        if out.len() >= max {
            break;
        }
        let leader = e
            .leader
            .as_ref()
            .map(|l| ctx.names.addr(l, narrow))
            .unwrap_or_else(|| "none yet".into());
        let when = if narrow {
            String::new()
        } else {
            e.started_at.map(clock).unwrap_or_default() + " "
        };
        out.push(Line::from(vec![
            Span::styled(format!("epoch {} ", e.epoch), t.title()),
            Span::styled(when, t.dim()),
            Span::raw("leader "),
            Span::styled(leader, t.master()),
        ]));
        for (voter, vote) in &e.votes {
            if out.len() >= max {
                break;
            }
            out.push(Line::from(vec![
                Span::raw(format!("  {}", ctx.names.addr(voter, narrow))),
                Span::styled(" → ", t.dim()),
                Span::styled(
                    name(&vote.run_id),
                    t.class(sentui_model::event::EventClass::Vote),
                ),
            ]));
        }
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Votes ", t.title()));
    let mut l = lines(ctx, area.height.saturating_sub(2) as usize, area.width < 50);
    if l.is_empty() {
        // Elections before sentui started happened all the same: say so where one did.
        match ctx.view.as_ref().map(|v| v.epoch).filter(|e| *e > 0) {
            Some(epoch) => {
                for said in [
                    "no election since sentui started".to_string(),
                    format!("(epoch {epoch} was before it)"),
                ] {
                    l.push(Line::from(Span::styled(said, t.dim())));
                }
            }
            None => l.push(Line::from(Span::styled(
                "no election seen in this session",
                t.dim(),
            ))),
        }
    }
    f.render_widget(Paragraph::new(l).block(block), area);
}
