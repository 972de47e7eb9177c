//! Marks in a lane: a glyph each (its shape and colour say what it is), a label placed so
//! none overlaps, a leader line from the label down to its glyph, and hover text.

use crate::postmortem::style::mark_class;
use crate::postmortem::svg::Ctx;
use crate::postmortem::svg::labels::{Wanted, place};
use crate::postmortem::text::{esc, moment, px, text_width};
use crate::postmortem::{Mark, MarkKind};
use std::fmt::Write;

const LABEL_FONT: f64 = 10.5;
const LABEL_ROW: f64 = 11.0;

/// A lane's marks: a glyph each on `glyph_y`, labels in `rows` rows from the lane's top.
pub(super) fn marks_row(
    o: &mut String,
    ctx: &Ctx,
    marks: &[Mark],
    lane_y: f64,
    rows: usize,
    glyph_y: f64,
) {
    let labels: Vec<Label> = marks.iter().map(Label::of).collect();
    labelled(o, ctx, &labels, lane_y, rows, glyph_y);
}

/// A label in a lane: a mark's (with its glyph and hover text), or a span's word alone.
pub(super) struct Label<'a> {
    pub at_ms: i64,
    pub text: &'a str,
    pub mark: Option<&'a Mark>,
}

impl<'a> Label<'a> {
    pub(super) fn of(mark: &'a Mark) -> Label<'a> {
        Label {
            at_ms: mark.at_ms,
            text: &mark.label,
            mark: Some(mark),
        }
    }
}

/// Labels placed so none overlaps, a leader line joining a mark's label to its glyph.
pub(super) fn labelled(
    o: &mut String,
    ctx: &Ctx,
    labels: &[Label],
    lane_y: f64,
    rows: usize,
    glyph_y: f64,
) {
    let l = ctx.layout;
    let inside: Vec<&Label> = labels
        .iter()
        .filter(|m| m.at_ms >= l.from_ms && m.at_ms <= l.to_ms)
        .collect();
    let wanted: Vec<Wanted> = inside
        .iter()
        .map(|m| Wanted {
            x: l.x_of(m.at_ms),
            width: text_width(m.text, LABEL_FONT),
            priority: m.mark.map(|m| mark_priority(m.kind)).unwrap_or(0),
        })
        .collect();
    let placed = place(&wanted, rows, l.plot_left, l.width - 4.0);
    let hover = |label: &Label| {
        label.mark.map(|m| {
            let mut hover = format!("{}\n{}", m.label, moment(ctx.page.timeline.origin, m.at_ms));
            if !m.detail.is_empty() {
                hover = format!("{hover}\n{}", m.detail);
            }
            format!("<title>{}</title>", esc(&hover))
        })
    };
    let baseline = |row: usize| lane_y + 12.0 + row as f64 * LABEL_ROW;
    // Leaders and glyphs first, then every text over them, so no line crosses a label.
    for (label, at) in inside.iter().zip(&placed) {
        let Some(m) = label.mark else { continue };
        let x = l.x_of(label.at_ms);
        let _ = write!(o, "<g>{}", hover(label).unwrap_or_default());
        if let Some(at) = at {
            let _ = write!(
                o,
                "<line class=\"leader\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
                px(baseline(at.row) - 8.0),
                px(glyph_y),
                x = px(x)
            );
        }
        glyph_at(o, m.kind, x, glyph_y);
        o.push_str("</g>\n");
    }
    for (label, at) in inside.iter().zip(&placed) {
        let Some(at) = at else { continue };
        let anchor = if at.ends_here {
            " text-anchor=\"end\""
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "<g>{}<text class=\"halo\" x=\"{}\" y=\"{}\"{anchor}>{}</text></g>",
            hover(label).unwrap_or_default(),
            px(at.x),
            px(baseline(at.row)),
            esc(label.text)
        );
    }
}

/// Sentinel's big moments keep their labels first, then the signs, then the rest.
fn mark_priority(kind: MarkKind) -> u8 {
    match kind {
        MarkKind::SwitchMaster | MarkKind::Fault | MarkKind::Undo | MarkKind::Asked => 0,
        MarkKind::Sdown
        | MarkKind::Odown
        | MarkKind::Elected
        | MarkKind::Abort
        | MarkKind::Tilt
        | MarkKind::FailoverEnd => 1,
        MarkKind::TryFailover | MarkKind::Vote | MarkKind::Role => 2,
        MarkKind::Step | MarkKind::Cleared | MarkKind::Other => 3,
    }
}

/// A mark's glyph: a diamond for votes and the switch, a triangle for sentui's own acts, a
/// square for TILT and aborts, a dot for the rest.
fn glyph_at(o: &mut String, kind: MarkKind, x: f64, y: f64) {
    let class = mark_class(kind);
    let d = match kind {
        MarkKind::SwitchMaster => diamond(x, y, 6.5),
        MarkKind::Vote | MarkKind::Elected => diamond(x, y, 5.0),
        MarkKind::Fault | MarkKind::Asked => format!(
            "M{} {}H{}L{} {}Z",
            px(x - 5.5),
            px(y - 5.0),
            px(x + 5.5),
            px(x),
            px(y + 5.0)
        ),
        MarkKind::Undo => format!(
            "M{} {}H{}L{} {}Z",
            px(x - 5.5),
            px(y + 5.0),
            px(x + 5.5),
            px(x),
            px(y - 5.0)
        ),
        MarkKind::Tilt | MarkKind::Abort => format!("M{} {}h9v9h-9Z", px(x - 4.5), px(y - 4.5)),
        _ => {
            let _ = write!(
                o,
                "<circle class=\"glyph {class}\" cx=\"{}\" cy=\"{}\" r=\"4.0\"/>",
                px(x),
                px(y)
            );
            return;
        }
    };
    let _ = write!(o, "<path class=\"glyph {class}\" d=\"{d}\"/>");
}

fn diamond(x: f64, y: f64, r: f64) -> String {
    format!(
        "M{} {}L{} {}L{} {}L{} {}Z",
        px(x),
        px(y - r),
        px(x + r),
        px(y),
        px(x),
        px(y + r),
        px(x - r),
        px(y)
    )
}
