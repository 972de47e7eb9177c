//! The timeline as SVG: a lane per sentui's faults, sentinel, node and the write probe on one
//! time axis, Sentinel's phases across every lane, and the clients' outage as a band across
//! them all against a bracket of Sentinel's time, so the gap between the two is plain to see.

mod axis;
mod labels;
mod lanes;

use super::Page;
use super::layout::{self, Layout};
use super::style::timeline_css;
use super::text::{esc, headline_parts, px, text_width};
use std::fmt::Write;

/// The timeline alone, as a standalone SVG document (for a wiki or an issue).
pub fn svg(page: &Page) -> String {
    let layout = Layout::of(&page.timeline);
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    draw(&mut o, page, &layout, &Embed::Standalone);
    o
}

/// How the timeline sits in its document.
pub(super) enum Embed {
    /// A document of its own, with its own stylesheet.
    Standalone,
    /// Inside an HTML page whose stylesheet carries the timeline's; `run` tells apart the ids
    /// of several timelines on one page (empty for one).
    Inline { run: String },
}

impl Embed {
    fn run(&self) -> &str {
        match self {
            Embed::Standalone => "",
            Embed::Inline { run } => run,
        }
    }
}

/// Ids and drawing helpers shared by the parts of the timeline.
pub(super) struct Ctx<'a> {
    pub page: &'a Page,
    pub layout: &'a Layout,
    /// Prefix of the ids this timeline defines (patterns), unique on the page.
    pub run: &'a str,
}

impl Ctx<'_> {
    /// A pattern's reference: `url(#run-hatch-tilt)`.
    fn pattern(&self, name: &str) -> String {
        format!("url(#{}{name})", self.run)
    }

    /// The lane's element id on this page.
    fn lane_id(&self, id: &str) -> String {
        match id.strip_prefix("lane-") {
            Some(rest) if !self.run.is_empty() => format!("lane-{}{rest}", self.run),
            _ => id.to_string(),
        }
    }
}

/// Draws the `<svg>` element of the timeline into `o`.
pub(super) fn draw(o: &mut String, page: &Page, layout: &Layout, embed: &Embed) {
    let ctx = Ctx {
        page,
        layout,
        run: embed.run(),
    };
    let (w, h) = (px(layout.width), px(layout.height));
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pm\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\">\n<title>{}</title>\n",
        esc(&format!(
            "{}: {}",
            page.title,
            headline_parts(page).join("; ")
        ))
    );
    if let Embed::Standalone = embed {
        let _ = write!(o, "<style>\n{}</style>\n", timeline_css());
    }
    patterns(o, &ctx);
    let _ = writeln!(o, "<rect class=\"bg\" width=\"{w}\" height=\"{h}\"/>");
    header(o, &ctx);
    let data = layout::lane_data(&page.timeline);
    o.push_str("<g class=\"bands\">\n");
    for (i, lane) in layout.lanes.iter().enumerate() {
        lanes::band(o, &ctx, lane, i % 2 == 1);
    }
    o.push_str("</g>\n");
    axis::grid(o, &ctx);
    axis::no_data(o, &ctx);
    axis::outage(o, &ctx);
    axis::phases(o, &ctx);
    for (lane, data) in layout.lanes.iter().zip(&data) {
        lanes::lane(o, &ctx, lane, data);
    }
    axis::brackets(o, &ctx);
    axis::ticks(o, &ctx);
    axis::legend(o, &ctx);
    o.push_str("</svg>\n");
}

/// Hatching for conditions, TILT and the gaps sentui could not hear.
fn patterns(o: &mut String, ctx: &Ctx) {
    o.push_str("<defs>\n");
    for name in ["cond", "tilt", "gap"] {
        let _ = writeln!(
            o,
            "<pattern id=\"{}hatch-{name}\" patternUnits=\"userSpaceOnUse\" width=\"6\" \
             height=\"6\" patternTransform=\"rotate(45)\"><line class=\"hatch-{name}\" x1=\"0\" \
             y1=\"0\" x2=\"0\" y2=\"6\"/></pattern>",
            ctx.run
        );
    }
    o.push_str("</defs>\n");
}

/// The title, where the data came from, and the headline in two colours.
fn header(o: &mut String, ctx: &Ctx) {
    let page = ctx.page;
    let title = esc(&page.title);
    let _ = write!(o, "<text class=\"title\" x=\"16.0\" y=\"20.0\">{title}");
    let about = format!("{} · {} · {}", page.deployment, page.group, page.source);
    let _ = writeln!(
        o,
        "<tspan class=\"muted small\" dx=\"12\">{}</tspan></text>",
        esc(&about)
    );
    let [sentinel, clients] = headline_parts(page);
    let _ = writeln!(
        o,
        "<text class=\"headline\" x=\"16.0\" y=\"40.0\"><tspan class=\"c-sentinel\">{};</tspan>\
         <tspan class=\"c-clients\" dx=\"6\">{}</tspan></text>",
        esc(&sentinel),
        esc(&clients)
    );
}

/// A text of `font` px that fits in `room` px: squeezed (never cut) when it is longer.
pub(super) fn fitted(text: &str, room: f64, font: f64) -> String {
    if text_width(text, font) <= room {
        String::new()
    } else {
        format!(
            " textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
            px(room)
        )
    }
}
