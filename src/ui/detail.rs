//! The details screen (Enter): one event in full (when it happened to the millisecond, who
//! published it, the whole payload and what sentui read in it, the failover attempt it belongs
//! to, when it arrived and was first drawn), or one node or sentinel (see `detail/endpoint.rs`).
//! Labels on the left, values wrapped beside them; ↑/↓ scroll, Esc returns.

mod endpoint;
mod readiness;

use super::Ctx;
use super::fmt::{duration, wrap};
use crate::app::{Detail, Mode};
use crate::logview::position;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::Addr;
use sentui_model::event::EventDetail;
use sentui_model::log::{LogEntry, Source};
use sentui_model::stopwatch::Outcome;
use sentui_model::time::{clock, date_time};

const LABEL_W: usize = 16;

/// The screen's rows: a label and its value (a value of several lines keeps them).
pub(super) struct Fields {
    rows: Vec<(String, String, Style)>,
}

impl Fields {
    fn new() -> Self {
        Fields { rows: Vec::new() }
    }

    pub(super) fn add(&mut self, label: &str, value: impl Into<String>, style: Style) {
        self.rows.push((label.to_string(), value.into(), style));
    }

    /// A heading between groups of fields.
    pub(super) fn section(&mut self, title: &str, style: Style) {
        self.rows
            .push((String::new(), String::new(), Style::default()));
        self.rows
            .push((format!("── {title}"), String::new(), style));
    }

    fn lines(self, width: usize, label_style: Style) -> Vec<Line<'static>> {
        let value_w = width.saturating_sub(LABEL_W + 1).max(10);
        let mut out = Vec::new();
        for (label, value, style) in self.rows {
            let mut first = true;
            for part in value.split('\n') {
                for l in wrap(part, value_w) {
                    let lead = if first {
                        format!("{label:<LABEL_W$} ")
                    } else {
                        " ".repeat(LABEL_W + 1)
                    };
                    first = false;
                    out.push(Line::from(vec![
                        Span::styled(lead, label_style),
                        Span::styled(l, style),
                    ]));
                }
            }
        }
        out
    }
}

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(detail) = ctx.app.detail() else {
        return;
    };
    let (title, fields) = match detail {
        Detail::Event(seq) => (format!(" Event #{seq} "), event_fields(ctx, *seq)),
        Detail::Endpoint(a) => endpoint::fields(ctx, a),
        Detail::Readiness => readiness::fields(ctx),
    };
    let width = area.width.saturating_sub(2) as usize;
    let lines = fields.lines(width, t.dim());
    let visible = area.height.saturating_sub(2) as usize;
    let top = (ctx.app.scroll(Mode::Detail) as usize).min(lines.len().saturating_sub(visible));
    let more = if lines.len() > top + visible {
        format!(" ↓ {} more lines ", lines.len() - top - visible)
    } else {
        String::new()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.title())
        .title(Span::styled(title, t.title()))
        .title_bottom(Span::styled(format!("{more} Esc back "), t.dim()));
    let shown: Vec<Line> = lines.into_iter().skip(top).take(visible).collect();
    f.render_widget(Paragraph::new(shown).block(block), area);
}

/// Who is behind a sentinel's address: its container (name, service) or local process.
pub(super) fn who(ctx: &Ctx, a: &Addr) -> String {
    let d = ctx.app.live();
    let (container, process) = match (d.sentinels().get(a), d.nodes().get(a)) {
        (Some(s), _) => (s.container.as_ref(), s.process.as_ref()),
        (None, Some(n)) => (n.container.as_ref(), n.process.as_ref()),
        _ => (None, None),
    };
    match (container, process) {
        (Some(c), _) => format!("container {} (service {}, {})", c.name, c.service, c.state),
        (None, Some(p)) => format!("local process {}", p.label()),
        (None, None) => String::new(),
    }
}

fn with_who(ctx: &Ctx, a: &Addr) -> String {
    let w = who(ctx, a);
    if w.is_empty() {
        a.to_string()
    } else {
        format!("{a}, {w}")
    }
}

fn event_fields(ctx: &Ctx, seq: u64) -> Fields {
    let t = ctx.theme;
    let app = ctx.app;
    let rows = app.log_rows();
    let d = app.shown();
    let mut f = Fields::new();
    let (entry, all): (&LogEntry, Vec<&LogEntry>) = match position(&rows, seq) {
        Some(i) => (rows[i].first, rows[i].all.clone()),
        None => match d.log().get(seq) {
            Some(e) => (e, vec![e]),
            None => {
                f.add("", "this event is no longer in the log's view", t.warn());
                return f;
            }
        },
    };
    f.add("event", entry.event.to_string(), t.class(entry.class()));
    f.add("when", date_time(entry.ts), Style::default());
    let source = match (&entry.source, &entry.sentinel) {
        (Source::Sentinel, Some(s)) => format!("sentinel {}", with_who(ctx, s)),
        (Source::Sentinel, None) => "a sentinel".into(),
        (Source::Sentui, _) => "sentui (its own observation)".into(),
        (Source::Docker, _) => "docker (the engine's container events)".into(),
    };
    f.add("source", source, Style::default());
    if all.len() > 1 {
        let also: Vec<String> = all[1..]
            .iter()
            .map(|e| {
                let who = e.sentinel.as_ref().map_or("?".into(), |s| with_who(ctx, s));
                format!("{who} at {}", clock(e.ts))
            })
            .collect();
        f.add("also from", also.join("\n"), Style::default());
    }
    f.add(
        "payload",
        if entry.payload.is_empty() {
            "(empty)".to_string()
        } else {
            entry.payload.clone()
        },
        t.title(),
    );
    parsed(&mut f, ctx, entry);
    if let Some(a) = &entry.addr {
        f.add("about", with_who(ctx, a), Style::default());
    }
    if let Some(g) = &entry.group {
        f.add("group", g.clone(), Style::default());
    }
    attempt(&mut f, ctx, entry);
    let received = entry.received();
    let late = received.saturating_sub(entry.ts);
    f.add(
        "received",
        if late > 0 {
            format!("{} ({} after it happened)", clock(received), duration(late))
        } else {
            clock(received)
        },
        Style::default(),
    );
    // Frames mark the live log; the frozen copy may predate the first frame that showed it.
    let drawn = app.live().log().get(entry.seq).and_then(|e| e.drawn_at);
    f.add(
        "first drawn",
        drawn.map_or("not yet".into(), |at| {
            format!(
                "{} ({} after receipt)",
                clock(at),
                duration(at.saturating_sub(received))
            )
        }),
        Style::default(),
    );
    f.add("number", format!("#{} in this session", entry.seq), t.dim());
    f
}

/// What sentui read in the payload.
fn parsed(f: &mut Fields, ctx: &Ctx, e: &LogEntry) {
    let d = ctx.app.shown();
    match &e.detail {
        EventDetail::Instance {
            instance,
            quorum,
            extra,
        } => {
            f.add("instance", instance.kind.word(), Style::default());
            f.add("name", instance.name.clone(), Style::default());
            f.add("address", instance.addr.to_string(), Style::default());
            if let Some((g, m)) = &instance.master {
                f.add("of master", format!("{g} at {m}"), Style::default());
            }
            if let Some((k, n)) = quorum {
                f.add(
                    "quorum",
                    format!("{k} of {n} sentinels agree (#quorum {k}/{n})"),
                    Style::default(),
                );
            }
            if let Some(x) = extra {
                f.add("more", x.clone(), Style::default());
            }
        }
        EventDetail::NewEpoch { epoch } => f.add("epoch", epoch.to_string(), Style::default()),
        EventDetail::VoteForLeader { run_id, epoch } => {
            let who = d
                .sentinel_by_run_id(run_id)
                .map(|a| format!("{run_id} (sentinel {a})"))
                .unwrap_or_else(|| run_id.clone());
            f.add("voted for", who, Style::default());
            f.add("epoch", epoch.to_string(), Style::default());
        }
        EventDetail::SwitchMaster { old, new, .. } => {
            f.add("old master", old.to_string(), Style::default());
            f.add("new master", new.to_string(), Style::default());
        }
        EventDetail::Tilt { entered } => f.add(
            "tilt",
            if *entered { "entered" } else { "left" },
            Style::default(),
        ),
        EventDetail::Raw if e.source == Source::Sentinel => {
            f.add("parsed", "(kept as published)", Style::default())
        }
        EventDetail::Raw => {}
    }
}

/// The failover attempt the event belongs to: the one whose mark it made, else the one open
/// at its time; and on sentui's summaries, the phases they measured.
fn attempt(f: &mut Fields, ctx: &Ctx, e: &LogEntry) {
    let d = ctx.app.shown();
    let attempts: Vec<_> = e
        .group
        .as_ref()
        .and_then(|g| d.stopwatches().get(g))
        .map(|s| s.all().collect())
        .unwrap_or_default();
    let summary = e.failover.as_deref();
    let found = summary.or_else(|| {
        attempts
            .iter()
            .find(|a| {
                a.marks
                    .iter()
                    .any(|m| m.at == e.ts && m.detail == e.payload)
            })
            .or_else(|| {
                attempts
                    .iter()
                    .find(|a| a.started_at <= e.ts && a.ended_at.is_none_or(|end| e.ts <= end))
            })
            .copied()
    });
    let Some(a) = found else {
        f.add(
            "failover",
            "not part of a failover attempt",
            ctx.theme.dim(),
        );
        return;
    };
    let epoch = a
        .epoch
        .map_or("no epoch yet".into(), |e| format!("epoch {e}"));
    let outcome = match &a.outcome {
        None => "running".to_string(),
        Some(Outcome::Completed) => format!(
            "completed in {}",
            duration(
                a.ended_at
                    .unwrap_or(a.started_at)
                    .saturating_sub(a.started_at)
            )
        ),
        Some(Outcome::Recovered) => "the master came back".into(),
        Some(Outcome::Aborted(r)) => format!("aborted: {r}"),
    } + &a.end_not_seen_note();
    let masters = match (&a.old_master, &a.new_master) {
        (Some(o), Some(n)) => format!(", {o} → {n}"),
        (Some(o), None) => format!(", master {o}"),
        _ => String::new(),
    };
    let leader = a
        .leader
        .as_ref()
        .map(|l| format!(", leader {l}"))
        .unwrap_or_default();
    f.add(
        "failover",
        format!(
            "{} attempt in {epoch}, started {}{masters}{leader}: {outcome}",
            a.group,
            clock(a.started_at)
        ),
        Style::default(),
    );
    if summary.is_some() {
        let phases: Vec<String> = a
            .timeline()
            .iter()
            .map(|(m, since, _)| {
                format!("{:<22} +{} ({})", m.phase.label(), duration(*since), m.by)
            })
            .collect();
        f.add("phases", phases.join("\n"), Style::default());
    }
}
