//! What runs across every lane: the grid and the time axis, Sentinel's phases, the clients'
//! outage as a band, the two brackets that set Sentinel's time against the clients', and the
//! legend.

use super::Ctx;
use super::labels::{Wanted, place};
use crate::postmortem::layout::{BRACKET_ROW, PHASE_ROW, PHASE_ROWS, TITLE_HEIGHT};
use crate::postmortem::text::{duration, esc, moment, offset, px, stretch, text_width, tick, wall};
use std::fmt::Write;

const PHASE_FONT: f64 = 10.5;

/// A faint line at every tick, a stronger one at 0.
pub(super) fn grid(o: &mut String, ctx: &Ctx) {
    let l = ctx.layout;
    o.push_str("<g pointer-events=\"none\">\n");
    for t in l.ticks() {
        let class = if t == 0 { "grid zero" } else { "grid" };
        let x = px(l.x_of(t));
        let _ = writeln!(
            o,
            "<line class=\"{class}\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            px(l.lanes_top),
            px(l.lanes_bottom)
        );
    }
    o.push_str("</g>\n");
}

/// The ticks' labels under the lanes: `-1s`, `0`, `+2s`.
pub(super) fn ticks(o: &mut String, ctx: &Ctx) {
    let l = ctx.layout;
    let y = l.lanes_bottom;
    o.push_str("<g class=\"ticks\">\n");
    let _ = writeln!(
        o,
        "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        px(l.plot_left),
        px(y),
        px(l.plot_right),
        px(y)
    );
    for t in l.ticks() {
        let x = px(l.x_of(t));
        let strong = if t == 0 { " strong" } else { "" };
        let _ = writeln!(
            o,
            "<line class=\"axis\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>\
             <text class=\"muted{strong}\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(y),
            px(y + 4.0),
            px(y + 16.0),
            tick(t)
        );
    }
    let _ = writeln!(
        o,
        "<text class=\"muted small\" x=\"12.0\" y=\"{}\">0 = {}</text>",
        px(y + 16.0),
        esc(&wall(ctx.page.timeline.origin, 0))
    );
    o.push_str("</g>\n");
}

/// Where the plot runs past the timeline's own span (runs compared on one scale), hatched
/// across every lane: nothing was recorded there.
pub(super) fn no_data(o: &mut String, ctx: &Ctx) {
    let l = ctx.layout;
    let t = &ctx.page.timeline;
    let before = (l.from_ms < t.from_ms).then(|| (l.from_ms, t.from_ms.min(l.to_ms)));
    let after = (t.to_ms < l.to_ms).then(|| (t.to_ms.max(l.from_ms), l.to_ms));
    for (from, to) in before.into_iter().chain(after) {
        let (x0, x1) = (l.x_of(from), l.x_of(to));
        let _ = writeln!(
            o,
            "<g><title>{}</title><rect class=\"gap\" fill=\"{}\" x=\"{}\" y=\"{}\" \
             width=\"{}\" height=\"{}\"/><text class=\"muted halo\" x=\"{}\" y=\"{}\">no data</text></g>",
            esc(&format!("no data: {} → {}", offset(from), offset(to))),
            ctx.pattern("hatch-gap"),
            px(x0),
            px(l.lanes_top),
            px(x1 - x0),
            px(l.lanes_bottom - l.lanes_top),
            px(x0 + 6.0),
            px(l.lanes_top + 14.0)
        );
    }
}

/// The clients' outage as a translucent band across every lane, edged at both ends.
pub(super) fn outage(o: &mut String, ctx: &Ctx) {
    let l = ctx.layout;
    let Some(span) = &ctx.page.timeline.outage else {
        return;
    };
    let (x0, x1) = super::lanes::span_x(ctx, span.from_ms, span.to_ms);
    let (top, bottom) = (px(l.lanes_top), px(l.lanes_bottom));
    let _ = writeln!(
        o,
        "<g pointer-events=\"none\"><rect class=\"outage\" x=\"{}\" y=\"{top}\" width=\"{}\" \
         height=\"{}\"/>",
        px(x0),
        px(x1 - x0),
        px(l.lanes_bottom - l.lanes_top)
    );
    for x in [x0, x1] {
        let x = px(x);
        let _ = writeln!(
            o,
            "<line class=\"outage-edge\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\"/>"
        );
    }
    o.push_str("</g>\n");
}

/// A dashed line at every phase across every lane, its label and the time since the step
/// before staggered over the lanes (a label with no room is left out; its hover text stays).
pub(super) fn phases(o: &mut String, ctx: &Ctx) {
    let l = ctx.layout;
    let t = &ctx.page.timeline;
    let texts: Vec<(String, String)> = t
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let took = if i == 0 {
                String::new()
            } else {
                format!(" +{}", duration(p.took_ms))
            };
            (p.label.clone(), took)
        })
        .collect();
    let wanted: Vec<Wanted> = t
        .phases
        .iter()
        .zip(&texts)
        .map(|(p, (label, took))| Wanted {
            x: l.x_of(p.at_ms),
            width: text_width(&format!("{label}{took}"), PHASE_FONT),
            priority: phase_priority(&p.label),
        })
        .collect();
    let placed = place(&wanted, PHASE_ROWS, l.plot_left, l.width - 4.0);
    o.push_str("<g class=\"phases\">\n");
    let mut texts_out = String::new();
    for (i, (p, (label, took))) in t.phases.iter().zip(&texts).enumerate() {
        if p.at_ms < l.from_ms || p.at_ms > l.to_ms {
            continue;
        }
        let x = px(l.x_of(p.at_ms));
        let key = if p.label.contains("switch-master") {
            " key"
        } else {
            ""
        };
        let before = match i {
            0 => String::new(),
            _ => format!(", {} after {}", duration(p.took_ms), t.phases[i - 1].label),
        };
        let hover = format!(
            "{} by {}\n{}{before}",
            p.label,
            p.by,
            moment(t.origin, p.at_ms)
        );
        let hover = format!("<title>{}</title>", esc(&hover));
        let top = match placed[i] {
            Some(at) => {
                let y = l.lanes_top - 6.0 - at.row as f64 * PHASE_ROW;
                let anchor = if at.ends_here {
                    " text-anchor=\"end\""
                } else {
                    ""
                };
                let _ = writeln!(
                    texts_out,
                    "<g>{hover}<text class=\"halo\" x=\"{}\" y=\"{}\"{anchor}>{}\
                     <tspan class=\"muted\">{}</tspan></text></g>",
                    px(at.x),
                    px(y),
                    esc(label),
                    esc(took)
                );
                y - PHASE_FONT + 2.0
            }
            None => l.lanes_top,
        };
        let _ = writeln!(
            o,
            "<g>{hover}<line class=\"phase{key}\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/></g>",
            px(top),
            px(l.lanes_bottom)
        );
    }
    // The labels over every line.
    o.push_str(&texts_out);
    o.push_str("</g>\n");
}

/// Sentinel's word first: the switch, the signs, the promotion (the step that usually takes
/// longest: Sentinel waits for the replica's next INFO), the end; then the leader's other steps.
fn phase_priority(label: &str) -> u8 {
    if label.contains("switch-master") {
        0
    } else if [
        "fault",
        "sdown",
        "odown",
        // Not "elected": that is in "+selected-slave" too.
        "elected-leader",
        "promoted",
        "failover-end",
        "abort",
    ]
    .iter()
    .any(|w| label.contains(w))
    {
        1
    } else {
        2
    }
}

/// The two brackets over the lanes: how long Sentinel took to switch, how long clients could
/// not write.
pub(super) fn brackets(o: &mut String, ctx: &Ctx) {
    let t = &ctx.page.timeline;
    let origin = t.origin;
    if let Some(ms) = ctx.page.summary.sentinel_ms {
        let text = format!("Sentinel: {} to +switch-master", duration(ms));
        let hover = format!("Sentinel's time\n{}", stretch(origin, 0, Some(ms)));
        bracket(o, ctx, 0, 0, ms, "br-sentinel", &text, &hover);
    }
    if let Some(span) = &t.outage {
        let (to, text) = match span.to_ms {
            Some(to) => (
                to,
                format!("clients: writes failing {}", duration(to - span.from_ms)),
            ),
            None => (
                t.to_ms,
                format!(
                    "clients: writes failing from {} to the end of the data",
                    offset(span.from_ms)
                ),
            ),
        };
        let mut hover = format!(
            "the clients' outage: first failed write to first acknowledged one\n{}",
            stretch(origin, span.from_ms, span.to_ms)
        );
        if !span.detail.is_empty() {
            hover = format!("{hover}\n{}", span.detail);
        }
        bracket(o, ctx, 1, span.from_ms, to, "br-clients", &text, &hover);
    }
}

#[allow(clippy::too_many_arguments)]
fn bracket(
    o: &mut String,
    ctx: &Ctx,
    row: usize,
    from: i64,
    to: i64,
    class: &str,
    text: &str,
    hover: &str,
) {
    const FONT: f64 = 12.5;
    let l = ctx.layout;
    let top = TITLE_HEIGHT + row as f64 * BRACKET_ROW;
    let (x0, x1) = (l.x_in(from), l.x_in(to));
    let line = top + 16.0;
    let text_class = class.replace("br-", "c-");
    let width = text_width(text, FONT);
    // Over the bracket when it is wide enough, else just after its end (or before its start
    // near the right edge).
    let (tx, ty, anchor) = if width + 8.0 <= x1 - x0 {
        ((x0 + x1) / 2.0, line - 4.0, "middle")
    } else if x1 + 8.0 + width <= l.width - 4.0 {
        (x1 + 8.0, line + 4.0, "start")
    } else {
        (x0 - 8.0, line + 4.0, "end")
    };
    let _ = writeln!(
        o,
        "<g><title>{}</title><path class=\"{class}\" d=\"M{} {}V{}H{}V{}\"/>\
         <text class=\"bracket-text {text_class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text></g>",
        esc(hover),
        px(x0),
        px(line + 5.0),
        px(line),
        px(x1),
        px(line + 5.0),
        px(tx),
        px(ty),
        esc(text)
    );
}

/// What the colours and hatchings mean, for what this timeline shows.
pub(super) fn legend(o: &mut String, ctx: &Ctx) {
    let l = ctx.layout;
    let t = &ctx.page.timeline;
    let mut items: Vec<(Swatch, &str)> = Vec::new();
    if t.outage.is_some() {
        items.push((Swatch::Band("outage"), "clients' outage"));
    }
    if !t.phases.is_empty() {
        items.push((Swatch::Line("phase"), "phase"));
    }
    if t.nodes.iter().any(|n| !n.roles.is_empty()) {
        items.push((Swatch::Fill("role-master"), "master"));
        items.push((Swatch::Fill("role-replica"), "replica"));
    }
    if t.nodes.iter().any(|n| !n.conditions.is_empty()) {
        items.push((Swatch::Hatch("cond"), "node condition"));
    }
    if t.nodes.iter().any(|n| !n.lag.is_empty()) {
        items.push((Swatch::Fill("lag"), "replication lag"));
    }
    if t.sentinels.iter().any(|s| !s.tilt.is_empty()) {
        items.push((Swatch::Hatch("tilt"), "TILT"));
    }
    if t.sentinels.iter().any(|s| !s.gaps.is_empty()) {
        items.push((Swatch::Hatch("gap"), "not heard"));
    }
    if t.probe.is_some() {
        items.push((Swatch::Fill("acked"), "acknowledged"));
        items.push((Swatch::Fill("failed"), "failed"));
        items.push((Swatch::Fill("refused"), "refused"));
        items.push((Swatch::Line("latency"), "latency"));
    }
    let y = l.lanes_bottom + 26.0 + 10.0;
    let mut x = 16.0;
    o.push_str("<g class=\"legend\">\n");
    for (swatch, text) in items {
        let (sx, sy) = (px(x), px(y - 8.0));
        match swatch {
            Swatch::Band(class) | Swatch::Fill(class) => {
                let _ = write!(
                    o,
                    "<rect class=\"{class}\" x=\"{sx}\" y=\"{sy}\" width=\"14.0\" height=\"10.0\"/>"
                );
                if let Swatch::Band(_) = swatch {
                    let _ = write!(
                        o,
                        "<rect class=\"outage-edge\" x=\"{sx}\" y=\"{sy}\" width=\"14.0\" \
                         height=\"10.0\"/>"
                    );
                }
            }
            Swatch::Hatch(name) => {
                let _ = write!(
                    o,
                    "<rect class=\"{name}\" fill=\"{}\" x=\"{sx}\" y=\"{sy}\" width=\"14.0\" \
                     height=\"10.0\"/>",
                    ctx.pattern(&format!("hatch-{name}"))
                );
            }
            Swatch::Line(class) => {
                let _ = write!(
                    o,
                    "<line class=\"{class}\" x1=\"{sx}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                    px(y - 3.0),
                    px(x + 14.0),
                    px(y - 3.0)
                );
            }
        }
        let _ = writeln!(
            o,
            "<text class=\"muted\" x=\"{}\" y=\"{}\">{}</text>",
            px(x + 18.0),
            px(y),
            esc(text)
        );
        x += 18.0 + text_width(text, 10.5) + 14.0;
    }
    o.push_str("</g>\n");
}

enum Swatch {
    Band(&'static str),
    Fill(&'static str),
    Hatch(&'static str),
    Line(&'static str),
}
