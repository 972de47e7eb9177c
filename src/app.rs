//! The TUI's state and its reactions. `App::step(Input)` is the one way it changes: it applies
//! the input to the deployment and to the screen's own state, and returns the [`Command`]s to
//! carry out. No I/O and no clock here (every input carries its time), so a recording's
//! inputs fed to a fresh App rebuild every frame the live session drew.

mod keys;
mod selection;

use crate::logview::{LogQuery, SourceFilter};
use crate::record::Header;
use sentui_model::action::{Action as ControlAction, Command};
use sentui_model::input::{Done, Input, InputKind, Stop};
use sentui_model::log::FoldedEntry;
use sentui_model::state::Deployment;
use sentui_model::view::{GroupView, Health};
use sentui_model::{Addr, Millis};
use std::collections::{BTreeMap, VecDeque};

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

/// Where ↑/↓ and Enter go: the nodes and sentinels, or the event log (`e`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    Endpoints,
    Log,
}

/// What the details screen (Enter) shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// The log row whose first entry has this number.
    Event(u64),
    /// A node or a sentinel.
    Endpoint(Addr),
}

/// The body of the screen (`v`): the overview, or replication, sentinels and votes in full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Page {
    #[default]
    Overview,
    Cluster,
}

/// An action waiting for the user's y.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Failover(String),
    Control(ControlAction, Addr),
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

/// Delays in milliseconds (receive to screen, key to screen), the newest 10,000.
#[derive(Clone, Debug, Default)]
pub struct Latency {
    samples: VecDeque<Millis>,
}

impl Latency {
    const KEEP: usize = 10_000;

    pub fn record(&mut self, delays: impl IntoIterator<Item = Millis>) {
        for d in delays {
            if self.samples.len() == Self::KEEP {
                self.samples.pop_front();
            }
            self.samples.push_back(d);
        }
    }

    pub fn percentile(&self, p: f64) -> Option<Millis> {
        if self.samples.is_empty() {
            return None;
        }
        let mut s: Vec<Millis> = self.samples.iter().copied().collect();
        s.sort_unstable();
        let idx = ((s.len() as f64 - 1.0) * p).round() as usize;
        Some(s[idx.min(s.len() - 1)])
    }

    pub fn count(&self) -> usize {
        self.samples.len()
    }
}

pub struct App {
    /// Live state: every update lands here, frozen or not.
    pub live: Deployment,
    /// What the screen shows while frozen (Space).
    pub frozen: Option<Box<Deployment>>,
    pub seeds: Vec<Addr>,
    pub only_group: Option<String>,
    pub group_index: usize,
    /// The selected node; None follows the current master.
    pub selected: Option<Addr>,
    pub show_help: bool,
    /// How far the help is scrolled (it is longer than a small terminal).
    pub help_scroll: u16,
    /// An action waiting for confirmation (y).
    pub confirm: Option<Pending>,
    pub filter: String,
    pub editing_filter: bool,
    /// Which sources the log shows (`o`).
    pub source: SourceFilter,
    pub focus: Focus,
    /// The selected log row (the number of its first entry); None follows the newest.
    pub log_cursor: Option<u64>,
    /// The details screen, when open, and how far it is scrolled.
    pub detail: Option<Detail>,
    pub detail_scroll: u16,
    pub page: Page,
    /// When the display froze (Space): the timers on screen stop there.
    pub frozen_at: Option<Millis>,
    /// A replay is being watched: the footer and help show the replay's keys.
    pub replay: bool,
    pub status: Option<StatusLine>,
    /// Nodes sentui paused, stopped or partitioned and has not brought back (a node can be
    /// both partitioned and paused): undone on quit unless told otherwise.
    pub changed_by_us: BTreeMap<Addr, std::collections::BTreeSet<ControlAction>>,
    /// When the lease of each of those faults ends (a guard outside sentui ends the fault then).
    pub leases: BTreeMap<(Addr, ControlAction), Millis>,
    pub read_only: bool,
    /// Not a sentui lab: a pause asks for confirmation too (stop and failover always do).
    pub outside_lab: bool,
    /// Nodes are containers sentui may stop and start (a compose project is watched).
    pub containers: bool,
    /// The compose project watched, which names the deployment in the header.
    pub compose_project: Option<String>,
    pub no_color: bool,
    pub now: Millis,
    pub started_at: Millis,
    pub size: (u16, u16),
    pub latency: Latency,
    /// Key press to frame on screen, in milliseconds.
    pub key_latency: Latency,
    /// Every group that is not healthy, worst first, as of `glance_at` (refreshed each tick:
    /// with a hundred groups, not on every frame).
    pub glance: Vec<(String, Health)>,
    pub glance_at: Millis,
    /// A line the header shows above everything (a replay's position and keys).
    pub banner: Option<String>,
    pub quit: bool,
    /// Why the session ended, when it was not the user's `q`.
    pub stopped: Option<Stop>,
    pub probe: ProbePanel,
    /// When the oldest key not yet on screen was pressed.
    key_pending_since: Option<Millis>,
}

impl App {
    pub fn new(seeds: Vec<Addr>, now: Millis) -> Self {
        App {
            live: Deployment::default(),
            frozen: None,
            seeds,
            only_group: None,
            group_index: 0,
            selected: None,
            show_help: false,
            help_scroll: 0,
            confirm: None,
            filter: String::new(),
            editing_filter: false,
            source: SourceFilter::All,
            focus: Focus::Endpoints,
            log_cursor: None,
            detail: None,
            detail_scroll: 0,
            page: Page::Overview,
            frozen_at: None,
            replay: false,
            status: None,
            changed_by_us: BTreeMap::new(),
            leases: BTreeMap::new(),
            read_only: false,
            outside_lab: false,
            containers: false,
            compose_project: None,
            no_color: false,
            now,
            started_at: now,
            size: (80, 24),
            latency: Latency::default(),
            key_latency: Latency::default(),
            glance: Vec::new(),
            glance_at: 0,
            banner: None,
            quit: false,
            stopped: None,
            probe: ProbePanel::Hidden,
            key_pending_since: None,
        }
    }

    /// The App a session starts from, as its recording's header describes it: the same for
    /// the live session and for its replay.
    pub fn for_session(h: &Header) -> App {
        let mut app = App::new(h.seeds.clone(), h.started_at);
        app.only_group = h.group.clone();
        app.containers = h.compose_project.is_some();
        app.compose_project = h.compose_project.clone();
        app.read_only = h.read_only;
        app.outside_lab = h.outside_lab;
        app.no_color = h.no_color;
        if let Some(size) = h.size {
            app.size = size;
        }
        for s in &h.seeds {
            app.live.expect_sentinel(s, h.started_at);
        }
        app
    }

    /// What the screen shows: the frozen copy, or the live state.
    pub fn shown(&self) -> &Deployment {
        self.frozen.as_deref().unwrap_or(&self.live)
    }

    /// The time the screen shows: when the display froze, or now. Timers on screen count to it.
    pub fn shown_now(&self) -> Millis {
        self.frozen_at.unwrap_or(self.now)
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

    pub fn groups(&self) -> Vec<String> {
        let mut g = self.shown().group_names();
        if let Some(only) = &self.only_group {
            g.retain(|x| x == only);
        }
        g
    }

    /// Recomputes which groups are not healthy.
    pub fn refresh_glance(&mut self) {
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

    pub(crate) fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(StatusLine {
            text: text.into(),
            error,
            at: self.now,
        });
    }

    /// Applies one input and returns what to carry out.
    pub fn step(&mut self, input: Input) -> Vec<Command> {
        self.now = self.now.max(input.at);
        let commands = match &input.kind {
            InputKind::Key(k) => {
                self.key_pending_since.get_or_insert(input.at);
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
        match (&d.command, &d.result) {
            (Command::Control { action, addr }, Ok(msg)) => {
                if action.undo().is_some() {
                    self.changed_by_us
                        .entry(addr.clone())
                        .or_default()
                        .insert(*action);
                    if let Some(until) = d.lease_until {
                        self.leases.insert((addr.clone(), *action), until);
                    }
                } else if let Some(done) = self.changed_by_us.get_mut(addr) {
                    // An undo takes back what it undoes; a restart brings a stopped node back.
                    done.retain(|d| {
                        d.undo() != Some(*action)
                            && !(*d == ControlAction::Stop && *action == ControlAction::Restart)
                    });
                    if done.is_empty() {
                        self.changed_by_us.remove(addr);
                    }
                }
                let changed = &self.changed_by_us;
                self.leases
                    .retain(|(a, fault), _| changed.get(a).is_some_and(|f| f.contains(fault)));
                self.set_status(msg.clone(), false);
            }
            (Command::Failover { group, .. }, Ok(msg)) => {
                self.set_status(format!("failover of {group} requested: {msg}"), false)
            }
            (
                Command::Screenshot
                | Command::SaveLog
                | Command::Suspend
                | Command::StartProbe { .. }
                | Command::StopProbe,
                Ok(msg),
            ) => self.set_status(msg.clone(), false),
            (_, Err(e)) => self.set_status(e.clone(), true),
        }
    }

    /// True while something on screen counts time (an unresponsive node, a running failover,
    /// a status message about to expire): the runtime then ticks faster.
    pub fn needs_fast_tick(&self) -> bool {
        let d = self.shown();
        self.status
            .as_ref()
            .is_some_and(|s| self.now.saturating_sub(s.at) < s.lasts() + 1000)
            || d.nodes()
                .values()
                .any(|n| matches!(n.reach, sentui_model::Reach::Unresponsive { .. }))
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
        if self.frozen.is_none() {
            self.latency.record(delays);
        }
        if let Some(t) = self.key_pending_since.take() {
            self.key_latency.record([at.saturating_sub(t)]);
        }
    }
}
