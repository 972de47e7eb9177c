//! Sentinels: address, state, flags, last reply time, the master each believes in, its config
//! epoch and the leader it last voted for.

use super::Ctx;
use super::fmt::{duration, fit, flag_words, words_fit};
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
    // Below 100 columns, or where whole names leave FLAGS less than 12, addresses shorten
    // and the reply time goes; from 150 the container shows where its name fits.
    let selected = ctx.app.selected_addr();
    let believes_of = |s: &sentui_model::view::SentinelView, narrow: bool| {
        s.master
            .as_ref()
            .map(|m| ctx.names.addr(m, narrow))
            .unwrap_or_else(|| "?".into())
    };
    let voted_of =
        |s: &sentui_model::view::SentinelView, narrow: bool| match (&s.voted_leader, s.voted_epoch)
        {
            (Some(id), Some(e)) => {
                let who = d
                    .sentinel_by_run_id(id)
                    .map(|a| ctx.names.addr(&a, narrow))
                    .unwrap_or_else(|| fit(id, 10));
                format!("{who} (epoch {e})")
            }
            _ => "-".into(),
        };
    // Address, belief and vote columns as wide as what they show, so names are whole.
    let widest = |f: &dyn Fn(&sentui_model::view::SentinelView) -> String, min: u16| {
        v.sentinels
            .iter()
            .map(|s| f(s).chars().count() as u16)
            .max()
            .unwrap_or(min)
            .max(min)
    };
    let columns = |narrow: bool| {
        let addr_w = widest(&|s| ctx.names.addr(&s.addr, narrow), 8);
        // Never narrower than its header.
        let believes_w = widest(&|s| believes_of(s, narrow), if narrow { 8 } else { 15 });
        let voted_w = widest(&|s| voted_of(s, narrow), 12);
        let others: u16 = addr_w + 14 + believes_w + 5 + voted_w + if narrow { 5 } else { 5 + 6 };
        (addr_w, believes_w, voted_w, others)
    };
    let narrow = area.width < 100 || 2 + columns(false).3 + 12 > area.width;
    let (addr_w, believes_w, voted_w, others) = columns(narrow);
    let flags_w = area.width.saturating_sub(2 + others).clamp(12, 22);
    // The container column: whole names, else their short forms, else none.
    let room = area.width.saturating_sub(2 + others + flags_w + 1) as usize;
    let behind_w = |short: bool| {
        v.sentinels
            .iter()
            .map(|s| {
                behind(
                    s.container.as_ref(),
                    s.process.as_deref(),
                    &ctx.names,
                    short,
                )
            })
            .map(|b| b.chars().count())
            .max()
            .unwrap_or(0)
            .max("CONTAINER / PROCESS".len())
    };
    let container = match area.width >= 150 {
        false => None,
        true if behind_w(false) <= room => Some(false),
        true if behind_w(true) <= room => Some(true),
        true => None,
    };
    let believes_of = |s| believes_of(s, narrow);
    let voted_of = |s| voted_of(s, narrow);
    let rows = v.sentinels.iter().map(|s| {
        let state = state(s);
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
            Cell::from(ctx.names.addr(&s.addr, narrow)),
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
        if let Some(short) = container {
            cells.push(
                Cell::from(behind(
                    s.container.as_ref(),
                    s.process.as_deref(),
                    &ctx.names,
                    short,
                ))
                .style(t.dim()),
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
    if container.is_some() {
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
    names: &super::names::Names,
    short: bool,
) -> String {
    match (container, process) {
        (Some(c), _) => format!("{} ({})", names.container(&c.name, short), c.state),
        (None, Some(p)) => p.to_string(),
        (None, None) => String::new(),
    }
}

/// A sentinel's state in words (the panel's and `status`'s): STOPPED, PAUSED, no reply for
/// how long, else how it answers.
pub fn state(s: &sentui_model::view::SentinelView) -> String {
    match s.unresponsive_ms {
        _ if s.stopped => "STOPPED".into(),
        Some(ms) if s.paused => format!("PAUSED {}", duration(ms)),
        Some(ms) => format!("no reply {}", duration(ms)),
        None if s.paused => "PAUSED".into(),
        None => s.reach.to_string(),
    }
}
