//! The normal mode's keys: what each one does to the screen's state, and the commands it asks
//! for. The keymap (`keymap.rs`) names them; the modes above (`mode.rs`) get each key first.
//! Keys that act on the deployment are in `control.rs`.

use super::{App, Detail, Mode, Page};
use crate::keymap::{Action, action_for};
use crate::logview::SourceFilter;
use sentui_model::action::Command;
use sentui_model::input::Key;

impl App {
    /// A key pressed while watching a replay: the view changes (selection, filter, help,
    /// details, groups); anything that would act, or answer a question the recorded session
    /// asked, says at once that a replay does not. Returns the viewer's own commands
    /// (screenshot, save the log, suspend), which the replay carries out.
    pub fn viewer_key(&mut self, k: Key) -> Vec<Command> {
        let typing = self.mode() == Mode::FilterEditing;
        let action = action_for(&k);
        let answers = self.in_mode(Mode::Confirm) && action.is_none_or(|a| a.acts());
        if !typing && (action.is_some_and(|a| a.acts()) || answers) {
            self.set_status("replay: not acting", false);
            return Vec::new();
        }
        // The recorded question stays for the recorded answer.
        let pending = self.layers.confirm.take();
        let mut commands = self.key(k);
        self.layers.confirm = pending;
        self.quit = false;
        commands.retain(Command::is_the_viewers);
        commands
    }

    /// A key no other mode took.
    pub(super) fn normal_key(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.layers.help = Some(0),
            Action::Up | Action::Down => self.move_selection(action == Action::Down),
            Action::NextProblem => self.next_problem(),
            Action::NextGroup => self.next_group(1),
            Action::PrevGroup => self.next_group(-1),
            Action::Freeze => self.toggle_freeze(),
            Action::Filter => self.layers.typing = true,
            // The paging keys move the log's selection from anywhere, and focus the log so
            // the footer says how to go on.
            Action::ScrollUp | Action::ScrollDown | Action::ScrollTop => {
                self.layers.log_focus = true;
                self.log_key(action);
            }
            Action::ScrollBottom => self.log_cursor = None,
            Action::FocusLog => {
                self.layers.log_focus = true;
                self.log_cursor = self.newest_named_by_filter();
            }
            Action::Open => match self.selected_addr() {
                Some(a) => self.open(Detail::Endpoint(a)),
                None => self.set_status("nothing selected", false),
            },
            Action::Back => {}
            Action::Page => self.toggle_page(),
            // r again closes it, like Enter.
            Action::Readiness => match &self.layers.detail {
                Some((Detail::Readiness, _)) => self.layers.detail = None,
                _ => self.open(Detail::Readiness),
            },
            Action::Source => self.next_source(),
            Action::SaveLog => return vec![Command::SaveLog],
            Action::PostMortem => return vec![Command::PostMortem],
            Action::Suspend => return vec![Command::Suspend],
            Action::Screenshot => return vec![Command::Screenshot],
            Action::TogglePause => return self.toggle_pause(),
            Action::Failover => self.ask_failover(),
            Action::ToggleStop => self.toggle_stop(),
            Action::TogglePartition => self.toggle_partition(),
            Action::ToggleProbe => return self.toggle_probe(),
        }
        Vec::new()
    }

    /// `g`: the next group (in display order) that has a problem.
    fn next_problem(&mut self) {
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

    /// Tab (`by` 1) and Shift-Tab (-1), round the groups.
    fn next_group(&mut self, by: isize) {
        let n = self.groups().len().max(1);
        self.group_index = (self.group_index + n).saturating_add_signed(by) % n;
        self.group_changed();
    }

    fn toggle_freeze(&mut self) {
        if self.frozen.take().is_some() {
            self.set_status("display live again", false);
        } else {
            self.frozen = Some(super::Frozen {
                shown: Box::new(self.live.clone()),
                at: self.now,
            });
            self.set_status("display frozen (collection goes on); Space resumes", false);
        }
    }

    fn toggle_page(&mut self) {
        self.page = match self.page {
            Page::Overview => Page::Cluster,
            Page::Cluster => Page::Overview,
        }
    }

    /// `o`: all sources, then each kind, then each sentinel of the group shown.
    fn next_source(&mut self) {
        let sentinels: Vec<_> = self
            .view()
            .map(|v| v.sentinels.into_iter().map(|s| s.addr).collect())
            .unwrap_or_default();
        let docker = self.setup().containers;
        self.source = self.source.next(&sentinels, docker);
        self.log_cursor = None;
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

    /// Another group is shown: its master is selected and its log followed.
    fn group_changed(&mut self) {
        self.selected = None;
        self.log_cursor = None;
        self.layers.detail = None;
        if matches!(self.source, SourceFilter::Sentinel(_)) {
            self.source = SourceFilter::All;
        }
    }
}
