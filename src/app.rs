//! The TUI's state and its reactions. `App::step(Input)` is the one way it changes: it applies
//! the input to the deployment and to the screen's own state, and returns the [`Command`]s to
//! carry out. No I/O and no clock here (every input carries its time), so a recording's
//! inputs fed to a fresh App rebuild every frame the live session drew.
//!
//! The state is private and kept by small owners: the session's [`Setup`], the [`Mode`]s open
//! (`mode.rs`: what the keyboard talks to, one key handler each), what sentui injected
//! ([`Faults`]), the selection (`selection.rs`) and the drawing delays ([`Latencies`]). The
//! UI, the session and the replay read it through the methods below.

mod control;
mod faults;
mod keys;
mod latency;
mod mode;
mod selection;
mod setup;

pub use faults::Faults;
pub use latency::{Latencies, Latency};
pub use mode::{Detail, Mode, Pending};
pub use setup::Setup;

use crate::logview::{LogQuery, SourceFilter};
use crate::record::Header;
use mode::Layers;
use sentui_model::action::Command;
use sentui_model::input::{Done, Input, InputKind, Stop};
use sentui_model::log::{FoldedEntry, LogEntry, OwnEvent};
use sentui_model::state::{Deployment, Update};
use sentui_model::view::{GroupView, Health};
use sentui_model::{Addr, Millis};

/// How often the health of every group is recomputed for the header.
const GLANCE_EVERY_MS: Millis = 1000;

/// The write probe's panel (`w` cycles: hidden -> running -> stopped, figures kept -> hidden).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProbePanel {
    #[default]
    Hidden,
    Running,
    Stopped,
}

/// The body of the screen (`v`): the overview, or replication, sentinels and votes in full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Page {
    #[default]
    Overview,
    Cluster,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusLine {
    pub text: String,
    pub error: bool,
    pub at: Millis,
}

impl StatusLine {
    /// How long the footer shows it: errors longer, but none for ever (the key hints come back).
    pub fn lasts(&self) -> Millis {
        if self.error { 20_000 } else { 8_000 }
    }

    /// Whether the footer still shows it at `now`.
    pub fn shown_at(&self, now: Millis) -> bool {
        now.saturating_sub(self.at) < self.lasts()
    }
}

/// The display frozen by Space: what it shows, and since when (timers on screen stop there).
struct Frozen {
    shown: Box<Deployment>,
    at: Millis,
}

pub struct App {
    setup: Setup,
    /// Live state: every update lands here, frozen or not.
    live: Deployment,
    frozen: Option<Frozen>,
    now: Millis,
    size: (u16, u16),
    /// The modes open besides the normal one (help, details, the focused log...).
    layers: Layers,
    page: Page,
    probe: ProbePanel,
    group_index: usize,
    /// The selected node; None follows the current master.
    selected: Option<Addr>,
    /// The selected log row (the number of its first entry); None follows the newest.
    log_cursor: Option<u64>,
    filter: String,
    /// Which sources the log shows (`o`).
    source: SourceFilter,
    status: Option<StatusLine>,
    faults: Faults,
    latency: Latencies,
    /// Every group that is not healthy, worst first, as of `glance_at` (refreshed each tick:
    /// with a hundred groups, not on every frame).
    glance: Vec<(String, Health)>,
    glance_at: Millis,
    /// A line the header shows above everything (a replay's position and keys).
    banner: Option<String>,
    quit: bool,
    /// Why the session ended, when it was not the user's `q`.
    stopped: Option<Stop>,
}

impl App {
    /// An App that has seen nothing yet, at the start of `setup`'s session.
    pub fn new(setup: Setup) -> Self {
        App {
            live: Deployment::default(),
            frozen: None,
            now: setup.started_at,
            size: (80, 24),
            layers: Layers::default(),
            page: Page::Overview,
            probe: ProbePanel::Hidden,
            group_index: 0,
            selected: None,
            log_cursor: None,
            filter: String::new(),
            source: SourceFilter::All,
            status: None,
            faults: Faults::default(),
            latency: Latencies::default(),
            glance: Vec::new(),
            glance_at: 0,
            banner: None,
            quit: false,
            stopped: None,
            setup,
        }
    }

    /// The App a session starts from, as its recording's header describes it: the same for
    /// the live session and for its replay.
    pub fn for_session(h: &Header) -> App {
        let mut app = App::new(Setup::of(h));
        if let Some(size) = h.size {
            app.size = size;
        }
        for s in &h.seeds {
            app.live.expect_sentinel(s, h.started_at);
        }
        app
    }

    /// The App a replay of `h`'s session is watched in: the footer and help show the replay's
    /// keys, and the viewer may ask for no colours.
    pub fn for_replay(h: &Header, no_color: bool) -> App {
        let mut app = App::for_session(h);
        app.setup.replay = true;
        app.setup.no_color |= no_color;
        app
    }

    /// This App with `d` as what it knows at `now` (tests and benchmarks build deployments
    /// from captured replies rather than stream them in).
    pub fn with_deployment(mut self, d: Deployment, now: Millis) -> Self {
        self.live = d;
        self.now = now;
        self
    }

    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Everything collected so far, frozen display or not.
    pub fn live(&self) -> &Deployment {
        &self.live
    }

    /// The time of the newest input.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// What the screen shows: the frozen copy, or the live state.
    pub fn shown(&self) -> &Deployment {
        self.frozen.as_ref().map_or(&self.live, |f| &f.shown)
    }

    /// The time the screen shows: when the display froze, or now. Timers on screen count to it.
    pub fn shown_now(&self) -> Millis {
        self.frozen.as_ref().map_or(self.now, |f| f.at)
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.is_some()
    }

    /// The terminal's size (columns, rows).
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    pub fn page(&self) -> Page {
        self.page
    }

    pub fn probe(&self) -> ProbePanel {
        self.probe
    }

    /// The footer's message, shown or expired.
    pub fn status(&self) -> Option<&StatusLine> {
        self.status.as_ref()
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn latency(&self) -> &Latencies {
        &self.latency
    }

    pub fn banner(&self) -> Option<&str> {
        self.banner.as_deref()
    }

    /// Shows `banner` above everything (a replay says where it is).
    pub fn set_banner(&mut self, banner: Option<String>) {
        self.banner = banner;
    }

    /// True once the session should end: the user's `q`, or a `Stop` input.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// Why the session ended, when it was not the user's `q`.
    pub fn stopped(&self) -> Option<&Stop> {
        self.stopped.as_ref()
    }

    /// What the event log shows.
    pub fn log_query(&self) -> LogQuery<'_> {
        LogQuery {
            group: self.group(),
            text: &self.filter,
            source: &self.source,
        }
    }

    /// The rows the event log shows, oldest first.
    pub fn log_rows(&self) -> Vec<FoldedEntry<'_>> {
        crate::logview::rows(self.shown(), &self.log_query())
    }

    /// The selected log row (the number of its first entry); None follows the newest.
    pub fn log_cursor(&self) -> Option<u64> {
        self.log_cursor
    }

    pub fn groups(&self) -> Vec<String> {
        let mut g = self.shown().group_names();
        if let Some(only) = &self.setup.group {
            g.retain(|x| x == only);
        }
        g
    }

    /// Recomputes which groups are not healthy.
    fn refresh_glance(&mut self) {
        let d = self.shown();
        let mut glance: Vec<(String, Health)> = self
            .groups()
            .into_iter()
            .map(|g| {
                let health = d.view(&g, self.shown_now()).health;
                (g, health)
            })
            .filter(|(_, h)| *h != Health::Healthy)
            .collect();
        glance.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.glance = glance;
        self.glance_at = self.now;
    }

    /// Unhealthy groups other than the one shown.
    pub fn other_problems(&self) -> Vec<&(String, Health)> {
        let shown = self.group();
        self.glance
            .iter()
            .filter(|(g, _)| Some(g) != shown.as_ref())
            .collect()
    }

    pub fn group(&self) -> Option<String> {
        let g = self.groups();
        g.get(self.group_index.min(g.len().saturating_sub(1)))
            .cloned()
    }

    pub fn view(&self) -> Option<GroupView> {
        self.group()
            .map(|g| self.shown().view(&g, self.shown_now()))
    }

    /// True when no sentinel has ever answered: the screen explains how to connect.
    pub fn nothing_reachable(&self) -> bool {
        self.live
            .sentinels()
            .values()
            .all(|s| s.polled_at.is_none())
    }

    /// Says `text` in the footer (the replay says there what the viewer's own commands did).
    /// Whatever the footer says goes to the log too (source sentui), so it lasts after the
    /// footer moves on and can be read whole however narrow the footer is.
    pub(crate) fn set_status(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        let event = if error {
            OwnEvent::Error
        } else {
            OwnEvent::Message
        };
        let entry = LogEntry::own(self.now, event, &text).in_group(self.group());
        self.live.apply(Update::Note { entry });
        self.status = Some(StatusLine {
            text,
            error,
            at: self.now,
        });
    }

    /// Applies one input and returns what to carry out.
    pub fn step(&mut self, input: Input) -> Vec<Command> {
        self.now = self.now.max(input.at);
        let commands = match &input.kind {
            InputKind::Key(k) => {
                self.latency.key_pressed(input.at);
                self.key(*k)
            }
            InputKind::Resize { width, height } => {
                self.size = (*width, *height);
                Vec::new()
            }
            InputKind::Done(d) => {
                self.done(d);
                Vec::new()
            }
            InputKind::Stop(why) => {
                self.stopped = Some(why.clone());
                self.quit = true;
                Vec::new()
            }
            InputKind::Notice { text, error } => {
                self.set_status(text.clone(), *error);
                Vec::new()
            }
            InputKind::Update(_) | InputKind::Tick => Vec::new(),
        };
        self.live.step(input);
        // Every second of input time, whatever the input: a busy deployment's updates leave
        // the session no idle moment to tick in.
        if self.now.saturating_sub(self.glance_at) >= GLANCE_EVERY_MS {
            self.refresh_glance();
        }
        commands
    }

    /// What the UI makes of a command's outcome (the deployment logs it: see
    /// `Deployment::step`).
    fn done(&mut self, d: &Done) {
        let said = match (&d.command, &d.result) {
            (Command::Control { action, addr }, Ok(msg)) => {
                self.faults.record(*action, addr, d.lease_until);
                msg.clone()
            }
            (Command::Failover { group, kind, .. }, Ok(msg)) if kind.is_coordinated() => {
                format!("coordinated failover of {group} requested: {msg}")
            }
            (Command::Failover { group, .. }, Ok(msg)) => {
                format!("failover of {group} requested: {msg}")
            }
            (
                Command::Screenshot
                | Command::SaveLog
                | Command::PostMortem
                | Command::Suspend
                | Command::StartProbe { .. }
                | Command::StopProbe,
                Ok(msg),
            ) => msg.clone(),
            (_, Err(e)) => return self.set_status(e.clone(), true),
        };
        self.set_status(said, false);
    }

    /// True while something on screen counts time (an unresponsive node, a running failover,
    /// a write pause's time left, a status message about to expire): the runtime then ticks
    /// faster.
    pub fn needs_fast_tick(&self) -> bool {
        let d = self.shown();
        self.status
            .as_ref()
            .is_some_and(|s| self.now.saturating_sub(s.at) < s.lasts() + 1000)
            || d.nodes().values().any(|n| {
                matches!(n.reach, sentui_model::Reach::Unresponsive { .. })
                    || n.write_pause().is_some()
            })
            || d.sentinels()
                .values()
                .any(|s| matches!(s.reach, sentui_model::Reach::Unresponsive { .. }))
            || d.stopwatches().values().any(|s| s.current.is_some())
    }

    /// A frame showing the current state reached the screen at `at`: the log entries it
    /// showed for the first time are marked drawn, and the delays since they were received
    /// (and since the oldest key not yet shown) are kept. A replay calls it at the recorded
    /// moments, so the figures (and the frames that show them) come out the same.
    pub fn frame_drawn(&mut self, at: Millis) {
        let delays = self.live.mark_drawn(at);
        self.latency.frame_drawn(at, delays, !self.is_frozen());
    }
}
