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
    let wide = area.width >= 150;
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
            Cell::from(if wide {
                behind(s.container.as_ref(), s.process.as_deref())
            } else {
                String::new()
            })
            .style(t.dim()),
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
        if wide { "CONTAINER / PROCESS" } else { "" },
    ])
    .style(t.dim());
    let widths = [
        Constraint::Length(21),
        Constraint::Length(14),
        Constraint::Length(16),
        Constraint::Length(5),
        Constraint::Length(21),
        Constraint::Length(5),
        Constraint::Length(21),
        Constraint::Min(if wide { 20 } else { 0 }),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

/// What runs behind an endpoint: `container NAME (state)` or the local process.
pub fn behind(
    container: Option<&crate::model::state::ContainerInfo>,
    process: Option<&str>,
) -> String {
    match (container, process) {
        (Some(c), _) => format!("{} ({})", c.name, c.state),
        (None, Some(p)) => p.to_string(),
        (None, None) => String::new(),
    }
}
