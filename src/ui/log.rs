//! The event log: the merged stream in time order, with millisecond times and the publishing
//! sentinel, coloured by kind; identical events from several sentinels fold into one row (×N).
//! `e` focuses it: the selected row is shown whole, wrapped, and Enter opens it in full.

use super::Ctx;
use super::fmt::{fit_words, wrap_hanging};
use super::names::Names;
use crate::app::Mode;
use crate::logview::{position, window};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use sentui_model::event::{EventDetail, InstanceKind};
use sentui_model::log::FoldedEntry;
use sentui_model::log::{LogEntry, Source};
use sentui_model::time::clock;

/// The payload, shortened for narrow screens: instance details become `master :16379`,
/// `+switch-master` becomes `:16379 → :16380`.
fn payload(e: &LogEntry, narrow: bool, names: &Names) -> String {
    if !narrow {
        return e.payload.clone();
    }
    match &e.detail {
        EventDetail::Instance {
            instance,
            quorum,
            extra,
        } => {
            // Masters and replicas go by their address alone.
            let mut s = match instance.kind {
                InstanceKind::Sentinel => format!("sentinel {}", names.addr(&instance.addr, true)),
                _ => names.addr(&instance.addr, true),
            };
            if let Some((k, n)) = quorum {
                s.push_str(&format!(" quorum {k}/{n}"));
            }
            if let Some(x) = extra {
                s.push_str(&format!(" {x}"));
            }
            s
        }
        EventDetail::SwitchMaster { old, new, .. } => {
            format!("{} → {}", names.addr(old, true), names.addr(new, true))
        }
        // A run id's first characters tell it apart; the mark says the rest was left out.
        EventDetail::VoteForLeader { run_id, epoch } => {
            let head: String = run_id.chars().take(8).collect();
            let mark = if run_id.chars().count() > 8 {
                "…"
            } else {
                ""
            };
            format!("{head}{mark} epoch {epoch}")
        }
        _ => e.payload.clone(),
    }
}

/// What a row says after its time, source and event: the node it is about, and the payload.
fn about(e: &LogEntry, narrow: bool, names: &Names) -> String {
    let node = match (&e.source, &e.addr) {
        (Source::Sentinel, _) | (_, None) => String::new(),
        (_, Some(a)) => format!("{} ", names.addr(a, narrow)),
    };
    format!("{node}{}", payload(e, narrow, names))
}

/// How a row names its source, from the most to the least detailed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SourceForm {
    /// `127.0.0.1:26380 ×3`
    Whole,
    /// `:26380×3`, `…sentinel-1×3`
    Short,
    /// `…sentinel-1`, and `×3` alone for a row several sentinels published (the details
    /// name them all).
    Count,
}

/// Who published a row, in `form`: `sentui`, `docker` or a sentinel; names in the screen's
/// forms, never cut.
fn source(row: &FoldedEntry, form: SourceForm, names: &Names) -> String {
    match (&row.first.source, &row.first.sentinel) {
        (Source::Sentinel, Some(s)) => {
            let first = names.addr(s, form != SourceForm::Whole);
            match (row.sentinels.len(), form) {
                (0 | 1, _) => first,
                (n, SourceForm::Whole) => format!("{first} ×{n}"),
                (n, SourceForm::Short) => format!("{first}×{n}"),
                (n, SourceForm::Count) => format!("×{n}"),
            }
        }
        (Source::Sentinel, None) => "sentinel".into(),
        (Source::Sentui, _) => "sentui".into(),
        (Source::Docker, _) => "docker".into(),
    }
}

/// How much of a time a row shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeForm {
    /// `12:35:19.204`
    Whole,
    /// `35:19.204`
    Minutes,
    /// `19.204`
    Seconds,
}

impl TimeForm {
    fn width(self) -> usize {
        match self {
            TimeForm::Whole => 12,
            TimeForm::Minutes => 9,
            TimeForm::Seconds => 6,
        }
    }
}

/// The columns of the rows shown. Event names are never cut: the event column is as wide
/// as the widest name shown (`+failover-state-send-slaveof-noone` included), and the other
/// columns give way first: the time loses its hours, then its minutes, the source its details.
struct Columns {
    time: TimeForm,
    source: SourceForm,
    source_w: usize,
    event_w: usize,
}

impl Columns {
    /// The event column fits most names (at most `cap`); a longer one is still written whole
    /// and pushes its row's payload right. Time and source give way until the longest name
    /// shown fits on its row; where even that fails, it goes whole on a line of its own.
    fn for_rows(shown: &[FoldedEntry], width: usize, narrow: bool, names: &Names) -> Columns {
        let longest = shown
            .iter()
            .map(|r| r.first.event.name().chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        let cap = if narrow { 20 } else { 34 };
        let source_w = |form| {
            shown
                .iter()
                .map(|r| source(r, form, names).chars().count())
                .max()
                .unwrap_or(6)
                .max(6)
        };
        let tries = [
            (TimeForm::Whole, SourceForm::Whole),
            (TimeForm::Minutes, SourceForm::Short),
            (TimeForm::Seconds, SourceForm::Short),
            (TimeForm::Seconds, SourceForm::Count),
        ];
        let from = if narrow { 1 } else { 0 };
        let (time, source) = tries[from..]
            .iter()
            .copied()
            .find(|&(time, form)| time.width() + 1 + source_w(form) + 1 + longest <= width)
            .unwrap_or(tries[3]);
        Columns {
            time,
            source,
            source_w: source_w(source),
            event_w: longest.min(cap),
        }
    }

    fn time(&self, ts: sentui_model::Millis) -> String {
        let c = clock(ts);
        match self.time {
            TimeForm::Whole => c,
            TimeForm::Minutes => c[3..].to_string(),
            TimeForm::Seconds => c[6..].to_string(),
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let app = ctx.app;
    let rows = app.log_rows();
    let focused = app.in_mode(Mode::LogFocus);
    let selected = if focused {
        app.log_position()
    } else {
        app.log_cursor().and_then(|seq| position(&rows, seq))
    };
    let visible = area.height.saturating_sub(2) as usize;
    let range = window(rows.len(), visible, selected);
    let width = area.width.saturating_sub(2) as usize;
    let narrow = width < 100;
    let shown = &rows[range.clone()];
    let names = &ctx.names;
    let layout = Columns::for_rows(shown, width, narrow, names);
    let (src_w, event_w) = (layout.source_w, layout.event_w);
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_at = None;
    for (i, r) in shown.iter().enumerate() {
        let e = r.first;
        let time = layout.time(e.ts);
        let is_selected = selected == Some(range.start + i);
        let source = format!("{:<src_w$} ", source(r, layout.source, names));
        let mut spans = vec![Span::styled(format!("{time} "), t.dim()), Span::raw(source)];
        let indent = time.chars().count() + 1;
        let mut used = indent + src_w + 1;
        let name = e.event.name();
        let mut rest: Vec<Line> = Vec::new();
        // An event name never fits only in part: whole on this line, or whole below.
        let event = format!("{name:<event_w$} ");
        if used + name.chars().count() <= width {
            used += event.chars().count();
            spans.push(Span::styled(event, t.class(e.class())));
        } else {
            rest.push(Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(name.to_string(), t.class(e.class())),
            ]));
        }
        if is_selected {
            // The selected row is shown whole: the payload wraps under it, by word.
            selected_at = Some(lines.len());
            let text = about(e, false, names);
            let parts = wrap_hanging(
                &text,
                width.saturating_sub(used),
                width.saturating_sub(indent).max(10),
            );
            let mut parts = parts.into_iter();
            spans.push(Span::raw(parts.next().unwrap_or_default()));
            lines.push(Line::from(spans).style(t.selected()));
            lines.extend(rest.into_iter().map(|l| l.style(t.selected())));
            for l in parts {
                lines.push(Line::from(format!("{}{l}", " ".repeat(indent))).style(t.selected()));
            }
            continue;
        }
        spans.push(Span::raw(fit_words(
            &about(e, narrow, names),
            width.saturating_sub(used),
        )));
        lines.push(Line::from(spans));
        lines.extend(rest);
    }
    // A wrapped selection pushes rows out: the oldest go first, then the newest.
    while lines.len() > visible {
        match selected_at {
            Some(s) if s > 0 => {
                lines.remove(0);
                selected_at = Some(s - 1);
            }
            _ => {
                lines.pop();
            }
        }
    }
    let d = app.shown();
    let mut title = format!(" Events ({}", rows.len());
    if d.log().dropped() > 0 {
        title.push_str(&format!(", {} older dropped from view", d.log().dropped()));
    }
    title.push(')');
    if let Some(i) = selected.filter(|_| focused || app.log_cursor().is_some()) {
        title.push_str(&format!(" {}/{} ", i + 1, rows.len()));
    } else if range.end < rows.len() {
        title.push_str(" End=follow ");
    }
    let mut spans = vec![Span::styled(title, t.title())];
    let query = app.log_query();
    if let Some(src) = query.source.label() {
        spans.push(Span::styled(format!(" source: {src} "), t.warn()));
    }
    let typing = app.in_mode(Mode::FilterEditing);
    if typing || !query.text.is_empty() {
        let cursor = if typing { "▏" } else { "" };
        spans.push(Span::styled(
            format!(" filter: {}{cursor} ", query.text),
            t.warn(),
        ));
    }
    let border: Style = if focused { t.title() } else { Style::default() };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::from(spans));
    f.render_widget(Paragraph::new(lines).block(block), area);
}
