//! Sentinels: address, state, flags, last reply time, the master each believes in, its config
//! epoch and the leader it last voted for.

use super::Ctx;
use super::fmt::{addr, duration, fit, flag_words, words_fit};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};
use sentui_model::ReachState;

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
    // Below 100 columns addresses shorten and the reply time goes; from 150 the container shows.
    let narrow = area.width < 100;
    let wide = area.width >= 150;
    let selected = ctx.app.selected_addr();
    let believes_of = |s: &sentui_model::view::SentinelView| {
        s.master
            .as_ref()
            .map(|m| addr(m, narrow))
            .unwrap_or_else(|| "?".into())
    };
    let voted_of = |s: &sentui_model::view::SentinelView| match (&s.voted_leader, s.voted_epoch) {
        (Some(id), Some(e)) => {
            let who = d
                .sentinel_by_run_id(id)
                .map(|a| addr(&a, narrow))
                .unwrap_or_else(|| fit(id, 10));
            format!("{who} (epoch {e})")
        }
        _ => "-".into(),
    };
    // Address, belief and vote columns as wide as what they show (up to their caps), so names
    // are whole; FLAGS takes what is left, at least 12.
    let widest = |f: &dyn Fn(&sentui_model::view::SentinelView) -> String, min: u16, cap: u16| {
        v.sentinels
            .iter()
            .map(|s| f(s).chars().count() as u16)
            .max()
            .unwrap_or(min)
            .clamp(min, cap)
    };
    let (addr_cap, believes_cap, voted_cap) = if narrow { (12, 15, 20) } else { (21, 21, 26) };
    let addr_w = widest(&|s| addr(&s.addr, narrow), 8, addr_cap);
    // Never narrower than its header.
    let believes_w = widest(&believes_of, if narrow { 8 } else { 15 }, believes_cap);
    let voted_w = widest(&voted_of, 12, voted_cap);
    let others: u16 = addr_w + 14 + believes_w + 5 + voted_w + if narrow { 5 } else { 5 + 6 };
    let flags_w = area.width.saturating_sub(2 + others).clamp(12, 22);
    let rows = v.sentinels.iter().map(|s| {
        let state = match s.unresponsive_ms {
            _ if s.stopped => "STOPPED".into(),
            Some(ms) if s.paused => format!("PAUSED {}", duration(ms)),
            Some(ms) => format!("no reply {}", duration(ms)),
            None if s.paused => "PAUSED".into(),
            None => s.reach.to_string(),
        };
        let mut flags = flag_words(&s.master_flags);
        if s.tilt {
            flags.push("tilt".into());
        }
        if !s.events_link && s.reach == ReachState::Ok {
            flags.push("no-events-link".into());
        }
        let voted = voted_of(s);
        let believes = believes_of(s);
        let mut cells = vec![
            Cell::from(addr(&s.addr, narrow)),
            Cell::from(state).style(if s.stopped {
                t.bad()
            } else if s.paused {
                t.paused()
            } else {
                t.reach(s.reach)
            }),
            Cell::from(words_fit(&flags, flags_w as usize)).style(t.warn()),
        ];
        if !narrow {
            cells.push(Cell::from(
                s.rtt_ms
                    .map(|r| format!("{r}ms"))
                    .unwrap_or_else(|| "-".into()),
            ));
        }
        cells.extend([
            Cell::from(believes).style(if s.disagrees { t.bad() } else { t.ok() }),
            Cell::from(
                s.config_epoch
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(voted),
        ]);
        if wide {
            cells.push(
                Cell::from(behind(s.container.as_ref(), s.process.as_deref())).style(t.dim()),
            );
        }
        let row = Row::new(cells);
        if selected.as_ref() == Some(&s.addr) {
            row.style(t.selected())
        } else {
            row
        }
    });
    let mut header = vec!["SENTINEL", "STATE", "FLAGS"];
    let mut widths = vec![
        Constraint::Length(addr_w),
        Constraint::Length(14),
        Constraint::Length(flags_w),
    ];
    if !narrow {
        header.push("REPLY");
        widths.push(Constraint::Length(5));
    }
    header.extend([
        if narrow {
            "BELIEVES"
        } else {
            "BELIEVES MASTER"
        },
        "EPOCH",
        "VOTED LEADER",
    ]);
    widths.extend([
        Constraint::Length(believes_w),
        Constraint::Length(5),
        Constraint::Length(voted_w),
    ]);
    if wide {
        header.push("CONTAINER / PROCESS");
        widths.push(Constraint::Min(20));
    }
    let header = Row::new(header).style(t.dim());
    f.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

/// What runs behind an endpoint: `container NAME (state)` or the local process.
pub fn behind(
    container: Option<&sentui_model::state::ContainerInfo>,
    process: Option<&str>,
) -> String {
    match (container, process) {
        (Some(c), _) => format!("{} ({})", c.name, c.state),
        (None, Some(p)) => p.to_string(),
        (None, None) => String::new(),
    }
}
