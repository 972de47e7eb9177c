//! Replication: per node its role, offset, bytes behind the master, seconds since its last
//! acknowledgement, link, last I/O, and a sparkline of the bytes behind over time.

use super::Ctx;
use super::fmt::{bytes, sparkline};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};
use sentui_model::info::Role;
use sentui_model::view::LinkState;

/// Fixed columns (ROLE, OFFSET, BEHIND, ACK, LINK, IO) and the spacing between all eight.
const FIXED: u16 = 7 + 10 + 8 + 5 + 4 + 4 + 7;

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
    // Whole addresses when they and a short history fit; else the screen's short forms
    // (`:16379`, `…replica-1`). The column is as wide as the longest one: never cut.
    let widest = |short: bool| {
        v.master
            .iter()
            .chain(v.replicas.iter())
            .map(|n| ctx.names.addr(&n.addr, short).chars().count() as u16)
            .max()
            .unwrap_or(4)
            .max(4)
    };
    let short = area.width < 2 + FIXED + widest(false) + 10;
    let node_w = widest(short);
    let spark_w = area.width.saturating_sub(2 + FIXED + node_w).clamp(4, 60) as usize;
    let selected = ctx.app.selected_addr();
    let rows = v.master.iter().chain(v.replicas.iter()).map(|n| {
        let role = match n.role {
            Some(Role::Master) => "master",
            Some(Role::Replica) => "replica",
            None => "?",
        };
        let history = d
            .nodes()
            .get(&n.addr)
            .map(|s| sparkline(s.lag_history.iter().copied(), spark_w))
            .unwrap_or_default();
        let link_style = match n.link {
            Some(LinkState::Up) => t.ok(),
            Some(LinkState::Down) => t.bad(),
            None => t.dim(),
        };
        let behind = n.lag_bytes.map(bytes).unwrap_or_else(|| "-".into());
        let ack = n
            .lag_secs
            .map(|s| format!("{s}s"))
            .unwrap_or_else(|| "-".into());
        let row = Row::new(vec![
            Cell::from(ctx.names.addr(&n.addr, short)),
            Cell::from(role),
            Cell::from(
                n.offset
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(behind),
            Cell::from(ack),
            Cell::from(n.link.map(|l| l.to_string()).unwrap_or_else(|| "-".into()))
                .style(link_style),
            Cell::from(
                n.last_io_secs
                    .map(|s| format!("{s}s"))
                    .unwrap_or_else(|| "-".into()),
            ),
            // Reversed, the bars would read as their gaps: the selected row's history keeps
            // its own colours (the rest of the row shows the selection).
            Cell::from(history).style(t.warn().remove_modifier(ratatui::style::Modifier::REVERSED)),
        ]);
        if selected.as_ref() == Some(&n.addr) {
            row.style(t.selected())
        } else {
            row
        }
    });
    let header = Row::new([
        "NODE", "ROLE", "OFFSET", "BEHIND", "ACK", "LINK", "IO", "TREND",
    ])
    .style(t.dim());
    let widths = [
        Constraint::Length(node_w),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(4),
        // Room for its header at least.
        Constraint::Min(5),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
