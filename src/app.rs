//! The TUI's state and its reactions. `App::step(Input)` is the one way it changes: it applies
//! the input to the deployment and to the screen's own state, and returns the [`Command`]s to
//! carry out. No I/O and no clock here (every input carries its time), so a recording's
//! inputs fed to a fresh App rebuild every frame the live session drew.

use crate::keymap::{Action, action_for};
use crate::record::Header;
use sentui_model::ReachState;
use sentui_model::action::{Action as ControlAction, Command};
use sentui_model::input::{Done, Input, InputKind, Key, KeyCode, Stop};
use sentui_model::state::{ContainerState, Deployment};
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
    /// An action waiting for confirmation (y).
    pub confirm: Option<Pending>,
    pub filter: String,
    pub editing_filter: bool,
    /// Log rows scrolled back from the newest (0 follows the log).
    pub scroll: usize,
    pub status: Option<StatusLine>,
    /// Nodes sentui paused or stopped and has not brought back: undone on quit unless told
    /// otherwise.
    pub changed_by_us: BTreeMap<Addr, ControlAction>,
    pub read_only: bool,
    /// Nodes are containers sentui may stop and start (a compose project is watched).
    pub containers: bool,
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
            confirm: None,
            filter: String::new(),
            editing_filter: false,
            scroll: 0,
            status: None,
            changed_by_us: BTreeMap::new(),
            read_only: false,
            containers: false,
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
        app.read_only = h.read_only;
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
                let health = d.view(&g, self.now).health;
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
        self.group().map(|g| self.shown().view(&g, self.now))
    }

    /// Nodes in display order: master first, then replicas.
    pub fn node_order(&self) -> Vec<Addr> {
        let Some(v) = self.view() else {
            return Vec::new();
        };
        v.master
            .iter()
            .chain(v.replicas.iter())
            .map(|n| n.addr.clone())
            .collect()
    }

    /// The node keys act on: the one selected, else the master. A node sentui paused or
    /// stopped stays selected even while the sentinels' lists briefly leave it out (right
    /// after `+switch-master`), so `p` resumes it rather than pausing the new master.
    pub fn selected_addr(&self) -> Option<Addr> {
        let order = self.node_order();
        match &self.selected {
            Some(a) if order.contains(a) || self.changed_by_us.contains_key(a) => Some(a.clone()),
            _ => order.into_iter().next(),
        }
    }

    /// Whether `p` on the selected node would resume it (else it pauses).
    pub fn selected_is_paused(&self) -> bool {
        let Some(a) = self.selected_addr() else {
            return false;
        };
        let node = self.live.nodes.get(&a);
        self.changed_by_us.get(&a) == Some(&ControlAction::Pause)
            || node
                .and_then(|n| n.process.as_ref())
                .is_some_and(|p| p.paused)
            || node
                .and_then(|n| n.container.as_ref())
                .is_some_and(|c| c.state == ContainerState::Paused)
    }

    /// Whether `s` on the selected node would start it (else it stops).
    pub fn selected_is_stopped(&self) -> bool {
        let Some(a) = self.selected_addr() else {
            return false;
        };
        self.changed_by_us.get(&a) == Some(&ControlAction::Stop)
            || self
                .live
                .nodes
                .get(&a)
                .and_then(|n| n.container.as_ref())
                .is_some_and(|c| c.state.is_stopped())
    }

    /// What sentui paused or stopped and is still so (as far as sentui can tell): undone on quit.
    pub fn still_changed(&self) -> Vec<(Addr, ControlAction)> {
        self.changed_by_us
            .iter()
            .filter(|(a, done)| {
                let node = self.live.nodes.get(*a);
                let process = node.and_then(|n| n.process.as_ref());
                let container = node.and_then(|n| n.container.as_ref());
                match (done, process, container) {
                    (_, None, None) => true,
                    (ControlAction::Pause, Some(p), _) => p.paused,
                    (ControlAction::Pause, None, Some(c)) => c.state == ContainerState::Paused,
                    (ControlAction::Stop, _, Some(c)) => {
                        !matches!(c.state, ContainerState::Running | ContainerState::Paused)
                    }
                    _ => true,
                }
            })
            .map(|(a, d)| (a.clone(), *d))
            .collect()
    }

    /// True when no sentinel has ever answered: the screen explains how to connect.
    pub fn nothing_reachable(&self) -> bool {
        self.live.sentinels.values().all(|s| s.polled_at.is_none())
    }

    fn set_status(&mut self, text: impl Into<String>, error: bool) {
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

    /// A key pressed while watching a replay: the view changes (selection, filter, help,
    /// groups); anything that would act answers at once that a replay does not.
    pub fn viewer_key(&mut self, k: Key) {
        let typing = self.editing_filter;
        if !typing && action_for(&k).is_some_and(|a| a.acts()) {
            self.set_status("replay: not acting", false);
            return;
        }
        let _ = self.key(k);
        self.quit = false;
        self.confirm = None;
    }

    fn key(&mut self, k: Key) -> Vec<Command> {
        if self.editing_filter {
            match k.code {
                KeyCode::Enter => self.editing_filter = false,
                KeyCode::Esc => {
                    self.editing_filter = false;
                    self.filter.clear();
                }
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                KeyCode::Char(c) if self.filter.len() < 64 => self.filter.push(c),
                _ => {}
            }
            self.scroll = 0;
            return Vec::new();
        }
        if let Some(pending) = self.confirm.take() {
            if !matches!(k.plain_char(), Some('y' | 'Y')) {
                self.set_status("cancelled", false);
                return Vec::new();
            }
            return match pending {
                Pending::Failover(group) => {
                    self.set_status(
                        format!("asking the sentinels to fail over {group}..."),
                        false,
                    );
                    let mut sentinels: Vec<_> = self.shown().view(&group, self.now).sentinels;
                    sentinels.sort_by_key(|s| s.reach != ReachState::Ok);
                    let sentinels = sentinels.into_iter().map(|s| s.addr).collect();
                    vec![Command::Failover { group, sentinels }]
                }
                Pending::Control(action, addr) => {
                    self.set_status(format!("{} {addr}...", action.verb_present()), false);
                    vec![Command::Control { action, addr }]
                }
            };
        }
        if self.show_help && k.is(KeyCode::Esc) {
            self.show_help = false;
            return Vec::new();
        }
        let Some(action) = action_for(&k) else {
            return Vec::new();
        };
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.show_help = !self.show_help,
            Action::Up | Action::Down => self.move_selection(action == Action::Down),
            Action::NextProblem => {
                self.refresh_glance();
                let groups = self.groups();
                let n = groups.len().max(1);
                let next = (1..=n).map(|step| (self.group_index + step) % n).find(|i| {
                    groups
                        .get(*i)
                        .is_some_and(|g| self.glance.iter().any(|(p, _)| p == g))
                });
                match next {
                    Some(i) if i != self.group_index => {
                        self.group_index = i;
                        self.selected = None;
                        self.scroll = 0;
                    }
                    Some(_) => self.set_status("no other group has a problem", false),
                    None => self.set_status("every group is healthy", false),
                }
            }
            Action::NextGroup | Action::PrevGroup => {
                let n = self.groups().len().max(1);
                self.group_index = if action == Action::NextGroup {
                    (self.group_index + 1) % n
                } else {
                    (self.group_index + n - 1) % n
                };
                self.selected = None;
                self.scroll = 0;
            }
            Action::Freeze => {
                if self.frozen.take().is_some() {
                    self.set_status("display live again", false);
                } else {
                    self.frozen = Some(Box::new(self.live.clone()));
                    self.set_status("display frozen (collection goes on); Space resumes", false);
                }
            }
            Action::Filter => {
                self.editing_filter = true;
            }
            Action::ScrollUp => self.scroll = self.scroll.saturating_add(10),
            Action::ScrollDown => self.scroll = self.scroll.saturating_sub(10),
            Action::ScrollTop => self.scroll = usize::MAX / 2,
            Action::ScrollBottom => self.scroll = 0,
            Action::TogglePause => return self.toggle_pause(),
            Action::Failover => {
                if self.read_only {
                    self.set_status("read-only: control actions are disabled", true);
                } else if let Some(g) = self.group() {
                    self.set_status(
                        format!("fail over {g} now? y to confirm, any other key cancels"),
                        false,
                    );
                    self.confirm = Some(Pending::Failover(g));
                }
            }
            Action::ToggleStop => self.toggle_stop(),
            Action::Screenshot => return vec![Command::Screenshot],
            Action::ToggleProbe => return self.toggle_probe(),
        }
        Vec::new()
    }

    fn toggle_probe(&mut self) -> Vec<Command> {
        match self.probe {
            ProbePanel::Running => {
                self.probe = ProbePanel::Stopped;
                self.set_status("stopping the probe: reading back its writes...", false);
                vec![Command::StopProbe]
            }
            ProbePanel::Stopped => {
                self.probe = ProbePanel::Hidden;
                Vec::new()
            }
            ProbePanel::Hidden if self.read_only => {
                self.set_status("read-only: the write probe is disabled", true);
                Vec::new()
            }
            ProbePanel::Hidden => {
                let Some(group) = self.group() else {
                    self.set_status("no master group to write to", true);
                    return Vec::new();
                };
                let mut sentinels = self.live.view(&group, self.now).sentinels;
                sentinels.sort_by_key(|s| s.reach != ReachState::Ok);
                let sentinels = sentinels.into_iter().map(|s| s.addr).collect();
                self.probe = ProbePanel::Running;
                self.set_status(format!("starting the write probe on {group}..."), false);
                vec![Command::StartProbe { group, sentinels }]
            }
        }
    }

    fn move_selection(&mut self, down: bool) {
        let order = self.node_order();
        if order.is_empty() {
            return;
        }
        let current = self
            .selected_addr()
            .and_then(|a| order.iter().position(|x| *x == a))
            .unwrap_or(0);
        let next = if down {
            (current + 1).min(order.len() - 1)
        } else {
            current.saturating_sub(1)
        };
        self.selected = Some(order[next].clone());
    }

    fn toggle_stop(&mut self) {
        if self.read_only {
            self.set_status("read-only: control actions are disabled", true);
            return;
        }
        let Some(addr) = self.selected_addr() else {
            self.set_status("no node selected", true);
            return;
        };
        self.selected = Some(addr.clone());
        let action = if self.selected_is_stopped() {
            ControlAction::Start
        } else {
            ControlAction::Stop
        };
        let verb = if action == ControlAction::Start {
            "start"
        } else {
            "stop"
        };
        self.set_status(
            format!("{verb} {addr}? y to confirm, any other key cancels"),
            false,
        );
        self.confirm = Some(Pending::Control(action, addr));
    }

    fn toggle_pause(&mut self) -> Vec<Command> {
        if self.read_only {
            self.set_status("read-only: control actions are disabled", true);
            return Vec::new();
        }
        let Some(addr) = self.selected_addr() else {
            self.set_status("no node selected", true);
            return Vec::new();
        };
        // The selection stays on this node through the failover, so `p` again resumes it.
        self.selected = Some(addr.clone());
        let action = if self.selected_is_paused() {
            ControlAction::Unpause
        } else {
            ControlAction::Pause
        };
        self.set_status(format!("{} {addr}...", action.verb_present()), false);
        vec![Command::Control { action, addr }]
    }

    /// What the UI makes of a command's outcome (the deployment logs it: see
    /// `Deployment::step`).
    fn done(&mut self, d: &Done) {
        match (&d.command, &d.result) {
            (Command::Control { action, addr }, Ok(msg)) => {
                match action {
                    ControlAction::Pause | ControlAction::Stop => {
                        self.changed_by_us.insert(addr.clone(), *action);
                    }
                    _ => {
                        self.changed_by_us.remove(addr);
                    }
                }
                self.set_status(msg.clone(), false);
            }
            (Command::Failover { group, .. }, Ok(msg)) => {
                self.set_status(format!("failover of {group} requested: {msg}"), false)
            }
            (Command::Screenshot | Command::StartProbe { .. } | Command::StopProbe, Ok(msg)) => {
                self.set_status(msg.clone(), false)
            }
            (_, Err(e)) => self.set_status(e.clone(), true),
        }
    }

    /// True while something on screen counts time (an unresponsive node, a running failover,
    /// a status message about to expire): the runtime then ticks faster.
    pub fn needs_fast_tick(&self) -> bool {
        let d = self.shown();
        self.status
            .as_ref()
            .is_some_and(|s| self.now.saturating_sub(s.at) < 10_000)
            || d.nodes
                .values()
                .any(|n| matches!(n.reach, sentui_model::Reach::Unresponsive { .. }))
            || d.sentinels
                .values()
                .any(|s| matches!(s.reach, sentui_model::Reach::Unresponsive { .. }))
            || d.stopwatches.values().any(|s| s.current.is_some())
    }

    /// A frame showing the current state reached the screen at `at`: the log entries it
    /// showed for the first time are marked drawn, and the delays since they were received
    /// (and since the oldest key not yet shown) are kept. A replay calls it at the recorded
    /// moments, so the figures (and the frames that show them) come out the same.
    pub fn frame_drawn(&mut self, at: Millis) {
        let delays = self.live.log.mark_drawn(at);
        if self.frozen.is_none() {
            self.latency.record(delays);
        }
        if let Some(t) = self.key_pending_since.take() {
            self.key_latency.record([at.saturating_sub(t)]);
        }
    }
}
