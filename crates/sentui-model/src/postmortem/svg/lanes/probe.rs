//! The write probe's lane: writes per 100 ms as stacked bars (acknowledged, failed, refused)
//! over the slowest write of each 100 ms as a line, each with its scale at the right.

use super::marks::marks_row;
use super::{Ctx, caption};
use crate::postmortem::layout::LaneBox;
use crate::postmortem::text::{esc, moment, px};
use crate::postmortem::{BUCKET_MS, Bucket, ProbeLane};
use std::fmt::Write;

/// Writes per bucket as stacked bars (acknowledged, failed, refused) over latency as a line,
/// each with its scale at the right.
pub(super) fn probe(o: &mut String, ctx: &Ctx, p: &ProbeLane, lane: &LaneBox) {
    let l = ctx.layout;
    let (bars_top, bars_bottom) = (lane.y + 40.0, lane.y + 84.0);
    let (lat_top, lat_bottom) = (lane.y + 94.0, lane.y + lane.height - 8.0);
    let shown: Vec<&Bucket> = p
        .buckets
        .iter()
        .filter(|b| b.at_ms >= l.from_ms && b.at_ms + BUCKET_MS <= l.to_ms)
        .collect();
    let per_bucket = (p.rate as u64 * BUCKET_MS as u64).div_ceil(1000).max(1);
    let most = shown
        .iter()
        .map(|b| u64::from(b.acked) + u64::from(b.failed))
        .max()
        .unwrap_or(0)
        .max(per_bucket);
    let slowest = shown
        .iter()
        .filter_map(|b| b.max_latency_ms)
        .max()
        .unwrap_or(0);
    let lat_scale = nice_ceiling(u64::from(slowest).max(1));
    let count_h = |n: u32| f64::from(n) / most as f64 * (bars_bottom - bars_top);
    let origin = ctx.page.timeline.origin;
    o.push_str("<g class=\"buckets\">\n");
    for b in &shown {
        let x0 = l.x_of(b.at_ms);
        let w = l.x_of(b.at_ms + BUCKET_MS) - x0;
        let bar_w = if w > 3.0 { w - 0.8 } else { w };
        let latency = b
            .max_latency_ms
            .map(|ms| format!(", slowest {ms} ms"))
            .unwrap_or_default();
        let hover = format!(
            "{}\nacknowledged {}, failed {}, refused {}{latency}",
            moment(origin, b.at_ms),
            b.acked,
            b.failed,
            b.refused
        );
        let _ = write!(
            o,
            "<g><title>{}</title><rect class=\"hit\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            esc(&hover),
            px(x0),
            px(bars_top),
            px(w),
            px(lat_bottom - bars_top)
        );
        let mut y = bars_bottom;
        let timeouts = b.failed.saturating_sub(b.refused);
        for (class, n) in [
            ("acked", b.acked),
            ("failed", timeouts),
            ("refused", b.refused),
        ] {
            if n == 0 {
                continue;
            }
            let h = count_h(n);
            y -= h;
            let _ = write!(
                o,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                px(x0),
                px(y),
                px(bar_w),
                px(h)
            );
        }
        o.push_str("</g>\n");
    }
    o.push_str("</g>\n");
    latency_line(o, ctx, &shown, lat_top, lat_bottom, lat_scale);
    scale(o, ctx, bars_top, bars_bottom, &most.to_string());
    scale(o, ctx, lat_top, lat_bottom, &format!("{lat_scale} ms"));
    let room = l.plot_left - 24.0;
    caption(o, "writes per 100 ms", bars_bottom - 2.0, room);
    caption(o, "slowest write per 100 ms", lat_bottom - 2.0, room);
    marks_row(o, ctx, &p.marks, lane.y, 1, lane.y + 30.0);
}

/// The slowest write of each bucket, joined where buckets follow each other.
fn latency_line(o: &mut String, ctx: &Ctx, shown: &[&Bucket], top: f64, bottom: f64, max: u64) {
    let l = ctx.layout;
    let mut runs: Vec<Vec<String>> = Vec::new();
    let mut last_at = None;
    for b in shown {
        let Some(ms) = b.max_latency_ms else {
            last_at = None;
            continue;
        };
        let x = l.x_of(b.at_ms) + (l.x_of(b.at_ms + BUCKET_MS) - l.x_of(b.at_ms)) / 2.0;
        let y = bottom - f64::from(ms) / max as f64 * (bottom - top);
        let point = format!("{},{}", px(x), px(y));
        match (last_at, runs.last_mut()) {
            (Some(at), Some(run)) if at + BUCKET_MS == b.at_ms => run.push(point),
            _ => runs.push(vec![point]),
        }
        last_at = Some(b.at_ms);
    }
    for run in runs {
        if run.len() == 1 {
            let (x, y) = run[0].split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(
                o,
                "<circle class=\"latency\" cx=\"{x}\" cy=\"{y}\" r=\"1.5\" pointer-events=\"none\"/>"
            );
        } else {
            let _ = writeln!(
                o,
                "<polyline class=\"latency\" points=\"{}\" pointer-events=\"none\"/>",
                run.join(" ")
            );
        }
    }
}

/// A scale at the right of the plot: its top value, 0 at its bottom.
fn scale(o: &mut String, ctx: &Ctx, top: f64, bottom: f64, top_label: &str) {
    let x = ctx.layout.plot_right + 4.0;
    let _ = writeln!(
        o,
        "<path class=\"scale\" d=\"M{} {}H{}V{}H{}\"/>\
         <text class=\"muted small\" x=\"{}\" y=\"{}\">{}</text>\
         <text class=\"muted small\" x=\"{}\" y=\"{}\">0</text>",
        px(x - 4.0),
        px(top),
        px(x),
        px(bottom),
        px(x - 4.0),
        px(x + 3.0),
        px(top + 7.0),
        esc(top_label),
        px(x + 3.0),
        px(bottom)
    );
}

/// 1, 2 or 5 times a power of ten, at least `n`.
fn nice_ceiling(n: u64) -> u64 {
    let mut base = 1;
    loop {
        for m in [1, 2, 5] {
            if base * m >= n {
                return base * m;
            }
        }
        base *= 10;
    }
}
