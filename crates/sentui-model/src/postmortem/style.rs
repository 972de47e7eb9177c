//! The page's colours and type: one stylesheet for the timeline (the standalone SVG carries it,
//! the HTML page carries it once for all its timelines) and one for the HTML page around it.
//! Light by default (what rsvg-convert and printers see); dark under
//! `prefers-color-scheme: dark` on screens.

use super::MarkKind;

/// The CSS class of a mark's glyph, which gives its colour.
pub(super) fn mark_class(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Sdown => "mk-sdown",
        MarkKind::Cleared => "mk-cleared",
        MarkKind::Odown => "mk-odown",
        MarkKind::TryFailover => "mk-try",
        MarkKind::Vote => "mk-vote",
        MarkKind::Elected => "mk-elected",
        MarkKind::Step => "mk-step",
        MarkKind::SwitchMaster => "mk-switch",
        MarkKind::FailoverEnd => "mk-end",
        MarkKind::Abort => "mk-abort",
        MarkKind::Tilt => "mk-tilt",
        MarkKind::Fault => "mk-fault",
        MarkKind::Undo => "mk-undo",
        MarkKind::Asked => "mk-asked",
        MarkKind::Role => "mk-role",
        MarkKind::Other => "mk-other",
    }
}

/// Colours as (selector, property, light, dark).
const COLOURS: &[(&str, &str, &str, &str)] = &[
    (".pm .bg", "fill", "#ffffff", "#0f1419"),
    (".pm text", "fill", "#1f2937", "#e5e7eb"),
    (".pm .muted", "fill", "#6b7280", "#9ca3af"),
    (".pm .lane-bg", "fill", "#ffffff", "#0f1419"),
    (".pm .lane-bg.alt", "fill", "#f5f6f8", "#161c24"),
    (".pm .sep", "stroke", "#e5e7eb", "#2a313c"),
    (".pm .grid", "stroke", "#e5e7eb", "#262d38"),
    (".pm .grid.zero", "stroke", "#9ca3af", "#6b7280"),
    (".pm .axis", "stroke", "#6b7280", "#9ca3af"),
    (".pm .phase", "stroke", "#6366f1", "#818cf8"),
    (".pm .phase.key", "stroke", "#059669", "#34d399"),
    (".pm .outage", "fill", "#dc2626", "#f87171"),
    (".pm .outage-edge", "stroke", "#dc2626", "#f87171"),
    (".pm .br-sentinel", "stroke", "#4f46e5", "#a5b4fc"),
    (".pm .c-sentinel", "fill", "#4338ca", "#a5b4fc"),
    (".pm .br-clients", "stroke", "#dc2626", "#f87171"),
    (".pm .c-clients", "fill", "#b91c1c", "#fca5a5"),
    (".pm .halo", "stroke", "#ffffff", "#0f1419"),
    (".pm .leader", "stroke", "#9ca3af", "#4b5563"),
    (".pm .glyph", "stroke", "#ffffff", "#0f1419"),
    (".pm .mk-sdown", "fill", "#d97706", "#fbbf24"),
    (".pm .mk-cleared", "fill", "#9ca3af", "#6b7280"),
    (".pm .mk-odown", "fill", "#ea580c", "#fb923c"),
    (".pm .mk-try", "fill", "#2563eb", "#60a5fa"),
    (".pm .mk-vote", "fill", "#7c3aed", "#c4b5fd"),
    (".pm .mk-elected", "fill", "#6d28d9", "#a78bfa"),
    (".pm .mk-step", "fill", "#0891b2", "#22d3ee"),
    (".pm .mk-switch", "fill", "#059669", "#34d399"),
    (".pm .mk-end", "fill", "#0d9488", "#2dd4bf"),
    (".pm .mk-abort", "fill", "#dc2626", "#f87171"),
    (".pm .mk-tilt", "fill", "#b45309", "#f59e0b"),
    (".pm .mk-fault", "fill", "#dc2626", "#f87171"),
    (".pm .mk-undo", "fill", "#16a34a", "#4ade80"),
    (".pm .mk-asked", "fill", "#2563eb", "#60a5fa"),
    (".pm .mk-role", "fill", "#4f46e5", "#818cf8"),
    (".pm .mk-other", "fill", "#6b7280", "#9ca3af"),
    (".pm .role-master", "fill", "#4f46e5", "#6366f1"),
    (".pm .role-replica", "fill", "#c7d2fe", "#312e81"),
    (".pm text.role-master", "fill", "#ffffff", "#ffffff"),
    (".pm text.role-replica", "fill", "#312e81", "#c7d2fe"),
    (".pm .cond", "stroke", "#dc2626", "#f87171"),
    (".pm .hatch-cond", "stroke", "#dc2626", "#f87171"),
    (".pm .tilt", "stroke", "#b45309", "#f59e0b"),
    (".pm text.tilt", "fill", "#92400e", "#fbbf24"),
    (".pm .hatch-tilt", "stroke", "#d97706", "#b45309"),
    (".pm .gap", "stroke", "#9ca3af", "#6b7280"),
    (".pm .hatch-gap", "stroke", "#c4c9d1", "#3b4250"),
    (".pm .lag", "fill", "#0891b2", "#22d3ee"),
    (".pm .lag-line", "stroke", "#0e7490", "#67e8f9"),
    (".pm .acked", "fill", "#22c55e", "#22c55e"),
    (".pm .failed", "fill", "#dc2626", "#ef4444"),
    (".pm .refused", "fill", "#f59e0b", "#fbbf24"),
    (".pm .latency", "stroke", "#7c3aed", "#c4b5fd"),
    (".pm .scale", "stroke", "#9ca3af", "#6b7280"),
];

/// What does not change with the colour scheme.
const SHAPES: &str = "\
.pm{font-family:'DejaVu Sans',Verdana,'Segoe UI',system-ui,sans-serif}
.pm text{font-size:10.5px}
.pm .title{font-size:15px;font-weight:bold}
.pm .headline{font-size:13px;font-weight:bold}
.pm .lane-title{font-size:12px;font-weight:bold}
.pm .small{font-size:9.5px}
.pm .strong{font-weight:bold}
.pm .sep,.pm .grid,.pm .axis,.pm .leader,.pm .scale{stroke-width:1;fill:none}
.pm .grid.zero{stroke-width:1.5}
.pm .phase{stroke-width:1;stroke-dasharray:4 3;fill:none}
.pm .phase.key{stroke-width:1.5}
.pm .outage{fill-opacity:0.09;pointer-events:none}
.pm .outage-edge{stroke-width:1;stroke-dasharray:2 2;fill:none}
.pm .br-sentinel,.pm .br-clients{stroke-width:2;fill:none}
.pm .bracket-text{font-size:12.5px;font-weight:bold}
.pm .halo{paint-order:stroke;stroke-width:3px;stroke-linejoin:round;stroke-opacity:0.85}
.pm .glyph{stroke-width:1}
.pm .cond,.pm .tilt,.pm .gap{stroke-width:1;stroke-opacity:0.8}
.pm text.tilt{stroke:none;font-weight:bold;font-size:9.5px}
.pm .hatch-cond,.pm .hatch-tilt,.pm .hatch-gap{stroke-width:2}
.pm .lag{fill-opacity:0.25}
.pm .lag-line{stroke-width:1.2;fill:none}
.pm .latency{stroke-width:1.5;fill:none}
.pm .hit{fill:transparent}
";

/// The timeline's stylesheet.
pub(super) fn timeline_css() -> String {
    let mut light = String::from(SHAPES);
    let mut dark = String::new();
    for (selector, property, l, d) in COLOURS {
        light.push_str(&format!("{selector}{{{property}:{l}}}\n"));
        dark.push_str(&format!("{selector}{{{property}:{d}}}\n"));
    }
    format!("{light}@media screen and (prefers-color-scheme: dark){{\n{dark}}}\n")
}

/// The HTML page's own stylesheet (the timeline's is added to it).
pub(super) const PAGE_CSS: &str = "\
:root{color-scheme:light dark}
body{margin:0;background:#ffffff;color:#1f2937;font:14px/1.45 'DejaVu Sans',Verdana,'Segoe UI',system-ui,sans-serif}
main{padding:24px}
figure.timeline{margin:0 0 20px 0}
figure.timeline svg{display:block;max-width:none}
h1{font-size:20px;margin:0 0 6px 0}
h2{font-size:16px;margin:22px 0 8px 0}
p.headline{font-size:16px;font-weight:bold;margin:0 0 12px 0}
.sentinel-time{color:#4338ca}
.clients-time{color:#b91c1c}
section{max-width:1200px;break-inside:avoid}
.columns{display:flex;flex-wrap:wrap;gap:8px 40px}
.columns>section{flex:1 1 520px}
table{border-collapse:collapse;margin:4px 0 8px 0}
th,td{padding:3px 10px 3px 0;text-align:left;vertical-align:top;border-bottom:1px solid #e5e7eb}
th{font-weight:bold}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.compare{table-layout:fixed;width:100%}
table.compare tr:first-child th:first-child{width:190px}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}
dl.facts dt{color:#6b7280}
dl.facts dd{margin:0}
.muted{color:#6b7280}
ul.notes{margin:4px 0;padding-left:20px}
@media screen and (prefers-color-scheme: dark){
body{background:#0f1419;color:#e5e7eb}
.sentinel-time{color:#a5b4fc}
.clients-time{color:#fca5a5}
th,td{border-bottom-color:#2a313c}
dl.facts dt,.muted{color:#9ca3af}
}
@page{margin:12mm}
@media print{
body{font-size:10.5pt}
main{padding:0}
figure.timeline svg{width:100%;height:auto}
figure,section,table{break-inside:avoid}
h2{break-after:avoid}
}
";
