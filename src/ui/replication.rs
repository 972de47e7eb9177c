//! Replication: per node its role, offset, lag in bytes and seconds, link, last I/O, and a
//! sparkline of the lag history.

use super::Ctx;
use super::fmt::{bytes, sparkline};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};
use sentui_model::info::Role;
use sentui_model::view::LinkState;

/// Fixed columns (NODE, ROLE, OFFSET, LAG, LINK, IO) and the spacing between all seven.
const FIXED: u16 = 21 + 7 + 10 + 9 + 4 + 3 + 6;

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Replication ", t.title()));
    let Some(v) = &ctx.view else {
        f.render_widget(block, area);
        return;
    };
    let d = ctx.app.shown();
    let spark_w = area.width.saturating_sub(2 + FIXED).clamp(4, 60) as usize;
    let rows = v.master.iter().chain(v.replicas.iter()).map(|n| {
        let role = match n.role {
            Some(Role::Master) => "master",
            Some(Role::Replica) => "replica",
            None => "?",
        };
        let history = d
            .nodes
            .get(&n.addr)
            .map(|s| sparkline(s.lag_history.iter().copied(), spark_w))
            .unwrap_or_default();
        let link_style = match n.link {
            Some(LinkState::Up) => t.ok(),
            Some(LinkState::Down) => t.bad(),
            None => t.dim(),
        };
        let lag = match (n.lag_bytes, n.lag_secs) {
            (Some(b), Some(s)) => format!("{} {s}s", bytes(b)),
            (Some(b), None) => bytes(b),
            _ => "-".into(),
        };
        Row::new(vec![
            Cell::from(n.addr.to_string()),
            Cell::from(role),
            Cell::from(
                n.offset
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(lag),
            Cell::from(n.link.map(|l| l.to_string()).unwrap_or_else(|| "-".into()))
                .style(link_style),
            Cell::from(
                n.last_io_secs
                    .map(|s| format!("{s}s"))
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(history).style(t.warn()),
        ])
    });
    let header =
        Row::new(["NODE", "ROLE", "OFFSET", "LAG", "LINK", "IO", "LAG HISTORY"]).style(t.dim());
    let widths = [
        Constraint::Length(21),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(4),
        Constraint::Length(3),
        Constraint::Min(4),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
