//! One lane each: its band and title at the left, then what it shows. A sentinel: its marks,
//! TILT and the gaps sentui could not hear it. A node: its role as a bar, its conditions over
//! it, its replication lag as a small chart. The probe: writes per 100 ms as stacked bars and
//! latency as a line, each with its scale. sentui: the faults it made.

mod marks;
mod probe;

use super::{Ctx, fitted};
use crate::info::Role;
use crate::postmortem::layout::{LaneBox, LaneData};
use crate::postmortem::text::{bytes, esc, moment, px, stretch, text_width};
use crate::postmortem::{ConditionSpan, NodeLane, SentinelLane, Span};
use marks::{Label, labelled, marks_row};
use probe::probe;
use std::fmt::Write;

const LABEL_FONT: f64 = 10.5;

/// A lane's band, every other one shaded, drawn before what runs across the lanes (the grid,
/// the outage, the phases) so that those lie over the bands and under the lanes' contents.
pub(super) fn band(o: &mut String, ctx: &Ctx, lane: &LaneBox, alt: bool) {
    let width = px(ctx.layout.width);
    let alt = if alt { " alt" } else { "" };
    let _ = writeln!(
        o,
        "<rect class=\"lane-bg{alt}\" data-band=\"{}\" x=\"0.0\" y=\"{}\" width=\"{width}\" \
         height=\"{}\"/><line class=\"sep\" x1=\"0.0\" y1=\"{y}\" x2=\"{width}\" y2=\"{y}\"/>",
        esc(&ctx.lane_id(&lane.id)),
        px(lane.y),
        px(lane.height),
        y = px(lane.y)
    );
}

/// A lane's title and contents.
pub(super) fn lane(o: &mut String, ctx: &Ctx, lane: &LaneBox, data: &LaneData) {
    let l = ctx.layout;
    let _ = writeln!(
        o,
        "<g class=\"lane\" id=\"{}\" data-lane=\"{}\">",
        esc(&ctx.lane_id(&lane.id)),
        esc(&lane.title)
    );
    let room = l.plot_left - 24.0;
    let _ = writeln!(
        o,
        "<text class=\"lane-title\" x=\"12.0\" y=\"{}\"{}>{}</text>",
        px(lane.y + 16.0),
        fitted(&lane.title, room, 12.0),
        esc(&lane.title)
    );
    let subtitle = match data {
        LaneData::Faults(_) => "faults it made".to_string(),
        LaneData::Sentinel(s) => s.addr.to_string(),
        LaneData::Node(n) => n.addr.to_string(),
        LaneData::Probe(p) => format!("{} writes/s", p.rate),
    };
    caption(o, &subtitle, lane.y + 29.0, room);
    match data {
        LaneData::Faults(marks) => marks_row(o, ctx, marks, lane.y, 2, lane.y + 35.0),
        LaneData::Sentinel(s) => sentinel(o, ctx, s, lane),
        LaneData::Node(n) => node(o, ctx, n, lane),
        LaneData::Probe(p) => probe(o, ctx, p, lane),
    }
    o.push_str("</g>\n");
}

/// A muted line in the title column.
pub(super) fn caption(o: &mut String, text: &str, y: f64, room: f64) {
    let _ = writeln!(
        o,
        "<text class=\"muted small\" x=\"12.0\" y=\"{}\"{}>{}</text>",
        px(y),
        fitted(text, room, 9.5),
        esc(text)
    );
}

fn sentinel(o: &mut String, ctx: &Ctx, s: &SentinelLane, lane: &LaneBox) {
    for gap in &s.gaps {
        let (x0, x1) = span_x(ctx, gap.from_ms, gap.to_ms);
        let hover = hover_span(ctx, "not heard", gap);
        let _ = write!(
            o,
            "<g><title>{}</title><rect class=\"gap\" fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" \
             height=\"{}\"/>",
            esc(&hover),
            ctx.pattern("hatch-gap"),
            px(x0),
            px(lane.y + 3.0),
            px(x1 - x0),
            px(lane.height - 6.0)
        );
        inside_text(
            o,
            "not heard",
            x0 + 4.0,
            x1,
            lane.y + lane.height - 7.0,
            "muted small",
        );
        o.push_str("</g>\n");
    }
    for tilt in &s.tilt {
        let (x0, x1) = span_x(ctx, tilt.from_ms, tilt.to_ms);
        let y = lane.y + 28.0;
        let _ = write!(
            o,
            "<g><title>{}</title><rect class=\"tilt\" fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" \
             height=\"14.0\"/>",
            esc(&hover_span(ctx, "TILT", tilt)),
            ctx.pattern("hatch-tilt"),
            px(x0),
            px(y),
            px(x1 - x0)
        );
        inside_text(o, "TILT", x0 + 10.0, x1, y + 10.5, "tilt");
        o.push_str("</g>\n");
    }
    marks_row(o, ctx, &s.marks, lane.y, 2, lane.y + 35.0);
}

fn node(o: &mut String, ctx: &Ctx, n: &NodeLane, lane: &LaneBox) {
    let bar_top = lane.y + 17.0;
    const BAR: f64 = 14.0;
    for r in &n.roles {
        let (x0, x1) = span_x(ctx, r.from_ms, r.to_ms);
        let (class, word) = match r.role {
            Role::Master => ("role-master", "master"),
            Role::Replica => ("role-replica", "replica"),
        };
        let hover = hover(ctx, word, r.from_ms, r.to_ms, "");
        let _ = write!(
            o,
            "<g><title>{}</title><rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" \
             height=\"{BAR}\"/>",
            esc(&hover),
            px(x0),
            px(bar_top),
            px(x1 - x0)
        );
        // Clear of the glyph of a role change at the bar's start.
        inside_text(o, word, x0 + 9.0, x1, bar_top + 10.5, class);
        o.push_str("</g>\n");
    }
    for c in &n.conditions {
        condition(o, ctx, c, bar_top);
    }
    // The conditions' words share the label row with the marks, ahead of them.
    let mut labels: Vec<Label> = n
        .conditions
        .iter()
        .filter(|c| c.from_ms >= ctx.layout.from_ms)
        .map(|c| Label {
            at_ms: c.from_ms,
            text: c.condition.word(),
            mark: None,
        })
        .collect();
    labels.extend(n.marks.iter().map(Label::of));
    labelled(o, ctx, &labels, lane.y, 1, bar_top + BAR / 2.0);
    if !n.lag.is_empty() {
        lag(o, ctx, n, lane);
    }
}

fn condition(o: &mut String, ctx: &Ctx, c: &ConditionSpan, bar_top: f64) {
    let (x0, x1) = span_x(ctx, c.from_ms, c.to_ms);
    let hover = hover(ctx, c.condition.word(), c.from_ms, c.to_ms, &c.detail);
    let _ = writeln!(
        o,
        "<g><title>{}</title><rect class=\"cond\" fill=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" \
         height=\"18.0\"/></g>",
        esc(&hover),
        ctx.pattern("hatch-cond"),
        px(x0),
        px(bar_top - 2.0),
        px(x1 - x0)
    );
}

/// Replication lag as a small area chart, its maximum labelled.
fn lag(o: &mut String, ctx: &Ctx, n: &NodeLane, lane: &LaneBox) {
    let l = ctx.layout;
    let (top, bottom) = (lane.y + 40.0, lane.y + lane.height - 5.0);
    let shown: Vec<_> = n
        .lag
        .iter()
        .filter(|p| p.at_ms >= l.from_ms && p.at_ms <= l.to_ms)
        .collect();
    let Some(max) = shown.iter().max_by_key(|p| (p.bytes, -p.at_ms)) else {
        return;
    };
    let y_of = |b: u64| bottom - (b as f64 / max.bytes.max(1) as f64) * (bottom - top);
    let line: Vec<String> = shown
        .iter()
        .map(|p| format!("{},{}", px(l.x_of(p.at_ms)), px(y_of(p.bytes))))
        .collect();
    let (first, last) = (l.x_of(shown[0].at_ms), l.x_of(shown[shown.len() - 1].at_ms));
    let hover = format!(
        "replication lag, at most {} ({} read)\n{}",
        bytes(max.bytes),
        shown.len(),
        moment(ctx.page.timeline.origin, max.at_ms)
    );
    let _ = writeln!(
        o,
        "<g><title>{}</title><polygon class=\"lag\" points=\"{},{} {} {},{}\"/>\
         <polyline class=\"lag-line\" points=\"{}\"/></g>",
        esc(&hover),
        px(first),
        px(bottom),
        line.join(" "),
        px(last),
        px(bottom),
        line.join(" ")
    );
    let text = format!("lag max {}", bytes(max.bytes));
    let x = l.x_of(max.at_ms);
    let width = text_width(&text, 9.5);
    let (tx, anchor) = if x + 6.0 + width <= l.plot_right {
        (x + 6.0, "start")
    } else {
        (x - 6.0, "end")
    };
    let _ = writeln!(
        o,
        "<text class=\"small\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
        px(tx),
        px(top + 8.0),
        esc(&text)
    );
    caption(o, "replication lag", bottom - 2.0, l.plot_left - 24.0);
}

/// A span's left and right x, held inside the plot (a span still going runs to the end of
/// the data).
pub(super) fn span_x(ctx: &Ctx, from: i64, to: Option<i64>) -> (f64, f64) {
    let l = ctx.layout;
    (l.x_in(from), l.x_in(to.unwrap_or(ctx.page.timeline.to_ms)))
}

/// A stretch's hover text: what, when and for how long, and the detail when there is one.
fn hover(ctx: &Ctx, what: &str, from: i64, to: Option<i64>, detail: &str) -> String {
    let mut s = format!("{what}\n{}", stretch(ctx.page.timeline.origin, from, to));
    if !detail.is_empty() {
        s = format!("{s}\n{detail}");
    }
    s
}

fn hover_span(ctx: &Ctx, what: &str, span: &Span) -> String {
    hover(ctx, what, span.from_ms, span.to_ms, &span.detail)
}

/// A word inside a span, when the span is wide enough to hold it whole.
fn inside_text(o: &mut String, word: &str, x0: f64, x1: f64, y: f64, class: &str) {
    let font = if class.contains("small") || class == "tilt" {
        9.5
    } else {
        LABEL_FONT
    };
    if x0 + text_width(word, font) + 4.0 <= x1 {
        let _ = write!(
            o,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\">{}</text>",
            px(x0),
            px(y),
            esc(word)
        );
    }
}
