//! Keys: what each one does to the screen's state, and the commands it asks for. The keymap
//! (`keymap.rs`) names them; the focus (endpoints or the log) and the details screen decide
//! where ↑/↓, the paging keys, Enter and Esc go.

use super::{App, Detail, Focus, Page, Pending, ProbePanel};
use crate::keymap::{Action, action_for};
use sentui_model::action::{Action as ControlAction, Command};
use sentui_model::input::{Key, KeyCode};
use sentui_model::{Addr, ReachState};

/// Rows PgUp/PgDn move the log's selection (and the details screen).
const PAGE: isize = 10;

impl App {
    /// A key pressed while watching a replay: the view changes (selection, filter, help,
    /// details, groups); anything that would act, or answer a question the recorded session
    /// asked, says at once that a replay does not. Returns the viewer's own commands
    /// (screenshot, save the log, suspend), which the replay carries out.
    pub fn viewer_key(&mut self, k: Key) -> Vec<Command> {
        let typing = self.editing_filter;
        let action = action_for(&k);
        let answers = self.confirm.is_some() && action.is_none_or(|a| a.acts());
        if !typing && (action.is_some_and(|a| a.acts()) || answers) {
            self.set_status("replay: not acting", false);
            return Vec::new();
        }
        // The recorded question stays for the recorded answer.
        let pending = self.confirm.take();
        let mut commands = self.key(k);
        self.confirm = pending;
        self.quit = false;
        commands.retain(Command::is_the_viewers);
        commands
    }

    pub(super) fn key(&mut self, k: Key) -> Vec<Command> {
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
            self.log_cursor = None;
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
        if self.show_help {
            let by = |d: i16, s: u16| s.saturating_add_signed(d).min(99);
            match action {
                Action::Up => self.help_scroll = by(-1, self.help_scroll),
                Action::Down => self.help_scroll = by(1, self.help_scroll),
                Action::ScrollUp => self.help_scroll = by(-(PAGE as i16), self.help_scroll),
                Action::ScrollDown => self.help_scroll = by(PAGE as i16, self.help_scroll),
                _ => {}
            }
            if matches!(
                action,
                Action::Up | Action::Down | Action::ScrollUp | Action::ScrollDown
            ) {
                return Vec::new();
            }
        }
        if self.detail.is_some() && self.detail_key(action) {
            return Vec::new();
        }
        if self.focus == Focus::Log && self.log_key(action) {
            return Vec::new();
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => {
                self.show_help = !self.show_help;
                self.help_scroll = 0;
            }
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
                        self.group_changed();
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
                self.group_changed();
            }
            Action::Freeze => {
                if self.frozen.take().is_some() {
                    self.frozen_at = None;
                    self.set_status("display live again", false);
                } else {
                    self.frozen = Some(Box::new(self.live.clone()));
                    self.frozen_at = Some(self.now);
                    self.set_status("display frozen (collection goes on); Space resumes", false);
                }
            }
            Action::Filter => {
                self.editing_filter = true;
            }
            // The paging keys move the log's selection from anywhere, and focus the log so
            // the footer says how to go on.
            Action::ScrollUp | Action::ScrollDown | Action::ScrollTop => {
                self.focus = Focus::Log;
                self.log_key(action);
            }
            Action::ScrollBottom => self.log_cursor = None,
            Action::FocusLog => {
                self.focus = Focus::Log;
                self.log_cursor = self.newest_named_by_filter();
            }
            Action::Open => match self.selected_addr() {
                Some(a) => self.open(Detail::Endpoint(a)),
                None => self.set_status("nothing selected", false),
            },
            Action::Back => {}
            Action::Page => {
                self.page = match self.page {
                    Page::Overview => Page::Cluster,
                    Page::Cluster => Page::Overview,
                }
            }
            Action::Source => {
                let sentinels: Vec<_> = self
                    .view()
                    .map(|v| v.sentinels.into_iter().map(|s| s.addr).collect())
                    .unwrap_or_default();
                self.source = self.source.next(&sentinels);
                self.log_cursor = None;
            }
            Action::SaveLog => return vec![Command::SaveLog],
            Action::Suspend => return vec![Command::Suspend],
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
            Action::TogglePartition => self.toggle_partition(),
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

    fn toggle_stop(&mut self) {
        let stopped = self.selected_is_stopped();
        self.ask_on_selected(if stopped {
            ControlAction::Start
        } else {
            ControlAction::Stop
        });
    }

    /// Partition or heal the selected node, after a `y` (like a stop: it breaks the group).
    fn toggle_partition(&mut self) {
        let partitioned = self.selected_is_partitioned();
        self.ask_on_selected(if partitioned {
            ControlAction::Heal
        } else {
            ControlAction::Partition
        });
    }

    /// Asks to confirm `action` on the selected node (the selection stays on it), unless it
    /// cannot be done there: then says so at once.
    fn ask_on_selected(&mut self, action: ControlAction) {
        let Some(addr) = self.selected_addr() else {
            self.set_status("nothing selected", true);
            return;
        };
        if let Some(why) = self.refusal(action, &addr) {
            self.set_status(why, true);
            return;
        }
        self.selected = Some(addr.clone());
        self.set_status(
            format!(
                "{} {addr}? y to confirm, any other key cancels",
                action.name()
            ),
            false,
        );
        self.confirm = Some(Pending::Control(action, addr));
    }

    /// Why `action` cannot be done to `addr` in this session, if it cannot: read-only; stop,
    /// start, partition and heal on local processes (they need a container, and the Docker
    /// lab's networks); on a Docker lab, anything but the project's containers, and a partition
    /// of a sentinel (it has no network of its own for its published port).
    fn refusal(&self, action: ControlAction, addr: &Addr) -> Option<String> {
        use ControlAction as A;
        if self.read_only {
            return Some("read-only: control actions are disabled".into());
        }
        let verb = action.verb_present();
        if !self.containers {
            return match action {
                A::Stop | A::Start => Some(format!(
                    "{verb} needs a container (Docker lab, --compose-project); a local process can be paused and resumed (p)"
                )),
                A::Partition | A::Heal => Some(format!(
                    "{verb} needs the Docker lab's networks (--compose-project): local processes share this machine's network"
                )),
                _ => None,
            };
        }
        let container = self
            .live
            .nodes()
            .get(addr)
            .and_then(|n| n.container.as_ref())
            .or_else(|| self.live.sentinels().get(addr)?.container.as_ref());
        if container.is_none() {
            return Some(match self.live.docker_unreachable_since() {
                Some(_) => format!(
                    "the Docker engine is not reachable: {addr} cannot be {} now",
                    action.verb()
                ),
                None => format!(
                    "{addr} is not a container of the compose project; sentui will not touch it"
                ),
            });
        }
        if matches!(action, A::Partition | A::Heal) && self.is_sentinel(addr) {
            return Some(format!(
                "{addr} is a sentinel: only the lab's Redis nodes can be partitioned (a sentinel has no network of its own for its published port)"
            ));
        }
        None
    }

    fn toggle_pause(&mut self) -> Vec<Command> {
        let Some(addr) = self.selected_addr() else {
            self.set_status("nothing selected", true);
            return Vec::new();
        };
        // The selection stays on this node through the failover, so `p` again resumes it.
        let action = if self.selected_is_paused() {
            ControlAction::Unpause
        } else {
            ControlAction::Pause
        };
        if let Some(why) = self.refusal(action, &addr) {
            self.set_status(why, true);
            return Vec::new();
        }
        self.selected = Some(addr.clone());
        if action == ControlAction::Pause && self.outside_lab {
            self.set_status(
                format!("pause {addr}? not a sentui lab: y to confirm, any other key cancels"),
                false,
            );
            self.confirm = Some(Pending::Control(action, addr));
            return Vec::new();
        }
        self.set_status(format!("{} {addr}...", action.verb_present()), false);
        vec![Command::Control { action, addr }]
    }

    /// A key while the details screen is open: ↑/↓ and the paging keys scroll it, Esc closes
    /// it. Returns whether the key was used.
    fn detail_key(&mut self, action: Action) -> bool {
        let by = |d: isize, s: u16| s.saturating_add_signed(d as i16).min(999);
        match action {
            Action::Up => self.detail_scroll = by(-1, self.detail_scroll),
            Action::Down => self.detail_scroll = by(1, self.detail_scroll),
            Action::ScrollUp => self.detail_scroll = by(-PAGE, self.detail_scroll),
            Action::ScrollDown => self.detail_scroll = by(PAGE, self.detail_scroll),
            Action::ScrollTop => self.detail_scroll = 0,
            Action::Back | Action::Open => self.detail = None,
            _ => return false,
        }
        true
    }

    /// A key while the log has the focus: ↑/↓ and the paging keys move its selection, Enter
    /// opens the selected event, Esc and e give the focus back. Returns whether it was used.
    fn log_key(&mut self, action: Action) -> bool {
        match action {
            Action::Up => self.move_log_cursor(Some(-1)),
            Action::Down => self.move_log_cursor(Some(1)),
            Action::ScrollUp => self.move_log_cursor(Some(-PAGE)),
            Action::ScrollDown => self.move_log_cursor(Some(PAGE)),
            Action::ScrollTop => self.move_log_cursor(None),
            Action::ScrollBottom => self.log_cursor = None,
            Action::Open => {
                let rows = self.log_rows();
                let row = self
                    .log_position()
                    .and_then(|i| rows.get(i))
                    .map(|r| r.first.seq);
                match row {
                    Some(seq) => self.open(Detail::Event(seq)),
                    None => self.set_status("the log is empty", false),
                }
            }
            Action::Back | Action::FocusLog => {
                self.focus = super::Focus::Endpoints;
                self.log_cursor = None;
            }
            _ => return false,
        }
        true
    }

    /// With a filter that names an event (`/switch-master`), the newest row of that event:
    /// where `e` starts, rather than on a row that only mentions it.
    fn newest_named_by_filter(&self) -> Option<u64> {
        let needle = self.filter.to_lowercase();
        if needle.is_empty() {
            return None;
        }
        self.log_rows()
            .iter()
            .rev()
            .find(|r| r.first.event.name().to_lowercase().contains(&needle))
            .map(|r| r.first.seq)
    }

    fn open(&mut self, d: Detail) {
        self.detail = Some(d);
        self.detail_scroll = 0;
    }

    /// Another group is shown: its master is selected and its log followed.
    fn group_changed(&mut self) {
        self.selected = None;
        self.log_cursor = None;
        self.detail = None;
        if matches!(self.source, crate::logview::SourceFilter::Sentinel(_)) {
            self.source = crate::logview::SourceFilter::All;
        }
    }
}
