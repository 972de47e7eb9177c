//! Sentinels: address, state, flags, last reply time, the master each believes in, its config
//! epoch and the leader it last voted for.

use super::Ctx;
use super::fmt::fit;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Sentinels ", t.title()));
    let Some(v) = &ctx.view else {
        f.render_widget(block, area);
        return;
    };
    let d = ctx.app.shown();
    let rows = v.sentinels.iter().map(|s| {
        let state = match s.unresponsive_ms {
            Some(ms) => format!("unresponsive {ms}ms"),
            None if s.paused => "PAUSED".into(),
            None => s.reach.clone(),
        };
        let mut flags: Vec<String> = s
            .master_flags
            .iter()
            .filter(|f| *f != "master")
            .cloned()
            .collect();
        if s.tilt {
            flags.push("tilt".into());
        }
        if !s.events_link && s.reach == "ok" {
            flags.push("no-events-link".into());
        }
        let voted = match (&s.voted_leader, s.voted_epoch) {
            (Some(id), Some(e)) => {
                let who = d
                    .sentinel_by_run_id(id)
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| fit(id, 10));
                format!("{who} @{e}")
            }
            _ => "-".into(),
        };
        let believes = s
            .master
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_else(|| "?".into());
        Row::new(vec![
            Cell::from(s.addr.to_string()),
            Cell::from(state.clone()).style(t.reach(if s.paused { "paused" } else { &s.reach })),
            Cell::from(flags.join(",")).style(t.warn()),
            Cell::from(
                s.rtt_ms
                    .map(|r| format!("{r}ms"))
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(believes).style(if s.disagrees { t.bad() } else { t.ok() }),
            Cell::from(
                s.config_epoch
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(voted),
            Cell::from(s.process.clone().unwrap_or_default()).style(t.dim()),
        ])
    });
    let header = Row::new([
        "SENTINEL",
        "STATE",
        "FLAGS",
        "REPLY",
        "BELIEVES MASTER",
        "EPOCH",
        "VOTED LEADER",
        "PROCESS",
    ])
    .style(t.dim());
    let widths = [
        Constraint::Length(21),
        Constraint::Length(18),
        Constraint::Length(24),
        Constraint::Length(6),
        Constraint::Length(21),
        Constraint::Length(5),
        Constraint::Length(26),
        Constraint::Min(8),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
