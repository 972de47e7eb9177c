//! The timeline's geometry: where each lane's band lies and how time maps to x. The SVG is
//! drawn from it, and a browser test reads it to find each lane's band in a screenshot.

use super::{Mark, NodeLane, ProbeLane, SentinelLane, Timeline};

/// The timeline's width in px, whatever the span: pages compared side by side share it.
pub const WIDTH: f64 = 1200.0;
/// Left of the plot: the lanes' titles.
pub const LABEL_WIDTH: f64 = 176.0;
/// Right of the plot: the probe's scales.
pub const RIGHT_MARGIN: f64 = 64.0;
/// Above the lanes: the title and headline, the two brackets, the phases' labels.
pub(super) const TITLE_HEIGHT: f64 = 48.0;
pub(super) const BRACKET_ROW: f64 = 22.0;
pub(super) const PHASE_ROWS: usize = 5;
pub(super) const PHASE_ROW: f64 = 14.0;
/// Below the lanes: the axis's labels, then the legend.
pub(super) const AXIS_HEIGHT: f64 = 26.0;
pub(super) const LEGEND_HEIGHT: f64 = 28.0;

// Two rows of labels, as a sentinel's: a fault, its undoing and a failover asked for can
// fall within a label's width of each other.
const FAULTS_HEIGHT: f64 = 46.0;
const SENTINEL_HEIGHT: f64 = 46.0;
const NODE_HEIGHT: f64 = 40.0;
const NODE_WITH_LAG_HEIGHT: f64 = 68.0;
const PROBE_HEIGHT: f64 = 136.0;

/// What a lane shows, which decides its height and drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneKind {
    Sentinel,
    Node,
    Probe,
    Faults,
}

/// One lane's band: its SVG element id (`lane-…`), its title (the `data-lane` attribute and
/// the text at its left), and where it lies, in the SVG's px.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneBox {
    pub id: String,
    pub title: String,
    pub kind: LaneKind,
    pub y: f64,
    pub height: f64,
}

/// The timeline's geometry, in px of the SVG (whose pixel width is [`Layout::width`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The span drawn, in ms from the origin.
    pub from_ms: i64,
    pub to_ms: i64,
    /// The plot's left and right edges: `x_of(from_ms)` and `x_of(to_ms)`.
    pub plot_left: f64,
    pub plot_right: f64,
    /// The lanes' top and bottom (the phases' lines and the outage band run between them).
    pub lanes_top: f64,
    pub lanes_bottom: f64,
    /// Top to bottom: sentui's faults (when it made any), each sentinel, each node, the probe.
    pub lanes: Vec<LaneBox>,
}

/// A lane's data, in the order the lanes are drawn.
pub(super) enum LaneData<'a> {
    Faults(&'a [Mark]),
    Sentinel(&'a SentinelLane),
    Node(&'a NodeLane),
    Probe(&'a ProbeLane),
}

/// The lanes a timeline has, top to bottom.
pub(super) fn lane_data(t: &Timeline) -> Vec<LaneData<'_>> {
    let mut lanes = Vec::new();
    if !t.faults.is_empty() {
        lanes.push(LaneData::Faults(&t.faults));
    }
    lanes.extend(t.sentinels.iter().map(LaneData::Sentinel));
    lanes.extend(t.nodes.iter().map(LaneData::Node));
    lanes.extend(t.probe.iter().map(LaneData::Probe));
    lanes
}

impl LaneData<'_> {
    fn kind(&self) -> LaneKind {
        match self {
            LaneData::Faults(_) => LaneKind::Faults,
            LaneData::Sentinel(_) => LaneKind::Sentinel,
            LaneData::Node(_) => LaneKind::Node,
            LaneData::Probe(_) => LaneKind::Probe,
        }
    }

    fn title(&self) -> String {
        match self {
            LaneData::Faults(_) => "sentui".into(),
            LaneData::Sentinel(s) => s.name.clone(),
            LaneData::Node(n) => n.name.clone(),
            LaneData::Probe(_) => "write probe".into(),
        }
    }

    fn height(&self) -> f64 {
        match self {
            LaneData::Faults(_) => FAULTS_HEIGHT,
            LaneData::Sentinel(_) => SENTINEL_HEIGHT,
            LaneData::Node(n) if n.lag.is_empty() => NODE_HEIGHT,
            LaneData::Node(_) => NODE_WITH_LAG_HEIGHT,
            LaneData::Probe(_) => PROBE_HEIGHT,
        }
    }
}

impl Layout {
    /// The timeline's own span.
    pub fn of(t: &Timeline) -> Layout {
        Layout::spanning(t, t.from_ms, t.to_ms)
    }

    /// The timeline drawn over `from_ms..to_ms`, whatever its own span: timelines laid out over
    /// the same span share their scale (ms per px), so they compare by eye.
    pub fn spanning(t: &Timeline, from_ms: i64, to_ms: i64) -> Layout {
        let to_ms = to_ms.max(from_ms + 1000);
        let lanes_top = TITLE_HEIGHT + 2.0 * BRACKET_ROW + PHASE_ROWS as f64 * PHASE_ROW + 6.0;
        let mut y = lanes_top;
        let mut ids = Vec::<String>::new();
        let lanes = lane_data(t)
            .iter()
            .map(|d| {
                let id = unique_id(&mut ids, d.kind(), &d.title());
                let lane = LaneBox {
                    id,
                    title: d.title(),
                    kind: d.kind(),
                    y,
                    height: d.height(),
                };
                y += lane.height;
                lane
            })
            .collect();
        Layout {
            width: WIDTH,
            height: y + AXIS_HEIGHT + LEGEND_HEIGHT,
            from_ms,
            to_ms,
            plot_left: LABEL_WIDTH,
            plot_right: WIDTH - RIGHT_MARGIN,
            lanes_top,
            lanes_bottom: y,
            lanes,
        }
    }

    /// Where `ms` (from the origin) lies; outside the plot for times outside the span.
    pub fn x_of(&self, ms: i64) -> f64 {
        self.plot_left + (ms - self.from_ms) as f64 / self.ms_per_px()
    }

    pub fn ms_per_px(&self) -> f64 {
        (self.to_ms - self.from_ms) as f64 / (self.plot_right - self.plot_left)
    }

    /// `x_of`, held inside the plot (for spans that start before it or run past it).
    pub(super) fn x_in(&self, ms: i64) -> f64 {
        self.x_of(ms.clamp(self.from_ms, self.to_ms))
    }

    /// The axis's ticks: a round step (100 ms up to an hour) giving 7 to 12 ticks where the
    /// span allows, every multiple of it inside the span.
    pub(super) fn ticks(&self) -> Vec<i64> {
        const STEPS: [i64; 17] = [
            100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
            600_000, 900_000, 1_800_000, 3_600_000,
        ];
        let span = self.to_ms - self.from_ms;
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / s <= 11)
            .unwrap_or(3_600_000);
        let first = self.from_ms.div_euclid(step) * step;
        let first = if first < self.from_ms {
            first + step
        } else {
            first
        };
        (0..)
            .map(|i| first + i * step)
            .take_while(|t| *t <= self.to_ms)
            .collect()
    }
}

/// `lane-{kind}-{name}` in lowercase letters, digits and dashes, made unique with `-2`, `-3`.
fn unique_id(taken: &mut Vec<String>, kind: LaneKind, title: &str) -> String {
    let kind = match kind {
        LaneKind::Sentinel => "sentinel",
        LaneKind::Node => "node",
        LaneKind::Probe => "probe",
        LaneKind::Faults => "faults",
    };
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    let base = if slug.is_empty() || matches!(kind, "probe" | "faults") {
        format!("lane-{kind}")
    } else {
        format!("lane-{kind}-{slug}")
    };
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.push(id.clone());
    id
}
