//! Modes: what the keyboard talks to. They are layers, and a key goes to the open ones from the
//! top: typing the log's filter and answering a y/n question take every key; the help, the
//! details screen and the focused log each take the keys they have a use for (scrolling,
//! moving, Enter, Esc) and pass the others down; the normal mode, always open, takes what is
//! left (`keys.rs`). Several can be open at once: the help over the details over the focused
//! log, a question asked from any of them. Each mode has its handler here.

use super::App;
use crate::keymap::{Action, action_for};
use sentui_model::Addr;
use sentui_model::action::{Action as ControlAction, Command, FailoverKind};
use sentui_model::input::{Key, KeyCode};

/// Rows PgUp/PgDn move the log's selection and scroll the help and the details screen.
pub(super) const PAGE: isize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `/`: keys type the log's filter; Enter keeps it, Esc clears it, Ctrl-U and Ctrl-W edit it.
    FilterEditing,
    /// An action waits for y; any other key cancels it.
    Confirm,
    /// `?`: ↑/↓ and PgUp/PgDn scroll the help; Esc and ? close it.
    Help,
    /// Enter: ↑/↓, PgUp/PgDn and Home scroll the details; Esc and Enter close them.
    Detail,
    /// `e` or a paging key: they move the log's selection, Enter opens it, Esc and e leave.
    LogFocus,
    /// Every key as the keymap says.
    Normal,
}

impl Mode {
    /// The order a key is offered to the modes open.
    const TOP_FIRST: [Mode; 6] = [
        Mode::FilterEditing,
        Mode::Confirm,
        Mode::Help,
        Mode::Detail,
        Mode::LogFocus,
        Mode::Normal,
    ];
}

/// What the details screen (Enter) shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// The log row whose first entry has this number.
    Event(u64),
    /// A node or a sentinel.
    Endpoint(Addr),
    /// The group's readiness: every rule, its evidence and remedy (`r`).
    Readiness,
}

/// An action waiting for the user's y.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    /// A failover of the group: y asks for a classic one, c (where the deployment takes it,
    /// `coordinated`) for a coordinated one.
    Failover {
        group: String,
        coordinated: bool,
    },
    Control(ControlAction, Addr),
}

/// The modes open besides the normal one, with what each keeps.
#[derive(Clone, Debug, Default)]
pub(super) struct Layers {
    pub typing: bool,
    pub confirm: Option<Pending>,
    /// How far the help is scrolled (it is longer than a small terminal).
    pub help: Option<u16>,
    /// What the details screen shows, and how far it is scrolled.
    pub detail: Option<(Detail, u16)>,
    pub log_focus: bool,
}

impl Layers {
    fn open(&self, mode: Mode) -> bool {
        match mode {
            Mode::FilterEditing => self.typing,
            Mode::Confirm => self.confirm.is_some(),
            Mode::Help => self.help.is_some(),
            Mode::Detail => self.detail.is_some(),
            Mode::LogFocus => self.log_focus,
            Mode::Normal => true,
        }
    }
}

/// `s` moved by `by` rows, within 0..=`max`.
fn scrolled(s: u16, by: isize, max: u16) -> u16 {
    s.saturating_add_signed(by as i16).min(max)
}

impl App {
    /// The mode the keyboard talks to first.
    pub fn mode(&self) -> Mode {
        self.modes().next().unwrap_or(Mode::Normal)
    }

    /// Whether `mode` is open, on top or beneath another.
    pub fn in_mode(&self, mode: Mode) -> bool {
        self.layers.open(mode)
    }

    fn modes(&self) -> impl Iterator<Item = Mode> + '_ {
        Mode::TOP_FIRST.into_iter().filter(|m| self.layers.open(*m))
    }

    /// How far the help or the details screen is scrolled (0 when closed, and for other modes).
    pub fn scroll(&self, mode: Mode) -> u16 {
        match (mode, &self.layers.help, &self.layers.detail) {
            (Mode::Help, Some(s), _) | (Mode::Detail, _, Some((_, s))) => *s,
            _ => 0,
        }
    }

    /// What the details screen shows, while it is open.
    pub fn detail(&self) -> Option<&Detail> {
        self.layers.detail.as_ref().map(|(d, _)| d)
    }

    pub(super) fn open(&mut self, d: Detail) {
        self.layers.detail = Some((d, 0));
    }

    /// A key, offered to the open modes from the top until one takes it.
    pub(super) fn key(&mut self, k: Key) -> Vec<Command> {
        let open: Vec<Mode> = self.modes().collect();
        open.into_iter()
            .find_map(|mode| self.key_in(mode, k))
            .unwrap_or_default()
    }

    /// What `mode` makes of `k`: the commands it asks for, or None when it passes `k` down.
    fn key_in(&mut self, mode: Mode, k: Key) -> Option<Vec<Command>> {
        let action = action_for(&k);
        let taken = match mode {
            Mode::FilterEditing => return Some(self.filter_key(k)),
            Mode::Confirm => return Some(self.confirm_key(k)),
            Mode::Normal => return Some(action.map(|a| self.normal_key(a)).unwrap_or_default()),
            Mode::Help => self.help_key(k, action),
            Mode::Detail => action.is_some_and(|a| self.detail_key(a)),
            Mode::LogFocus => action.is_some_and(|a| self.log_key(a)),
        };
        taken.then(Vec::new)
    }

    fn filter_key(&mut self, k: Key) -> Vec<Command> {
        match k.code {
            KeyCode::Enter => self.layers.typing = false,
            KeyCode::Esc => {
                self.layers.typing = false;
                self.filter.clear();
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            // As in a shell's line: Ctrl-U clears it, Ctrl-W takes the last word back; other
            // chords type nothing.
            KeyCode::Char('u') if k.ctrl => self.filter.clear(),
            KeyCode::Char('w') if k.ctrl => {
                let kept = self.filter.trim_end().rfind(' ').map_or(0, |i| i + 1);
                self.filter.truncate(kept);
            }
            KeyCode::Char(_) if k.ctrl || k.alt => {}
            KeyCode::Char(c) if self.filter.len() < 64 => self.filter.push(c),
            _ => {}
        }
        self.log_cursor = None;
        Vec::new()
    }

    /// y carries the pending action out (c a coordinated failover, where offered); any other
    /// key cancels it.
    fn confirm_key(&mut self, k: Key) -> Vec<Command> {
        let Some(pending) = self.layers.confirm.take() else {
            return Vec::new();
        };
        let offered = matches!(
            pending,
            Pending::Failover {
                coordinated: true,
                ..
            }
        );
        let kind = match k.plain_char() {
            Some('y' | 'Y') => FailoverKind::Classic,
            Some('c' | 'C') if offered => FailoverKind::Coordinated,
            _ => {
                self.set_status("cancelled", false);
                return Vec::new();
            }
        };
        self.confirmed(pending, kind)
    }

    fn help_key(&mut self, k: Key, action: Option<Action>) -> bool {
        let Some(s) = self.layers.help else {
            return false;
        };
        let by = match action {
            _ if k.is(KeyCode::Esc) || action == Some(Action::Help) => {
                self.layers.help = None;
                return true;
            }
            Some(Action::Up) => -1,
            Some(Action::Down) => 1,
            Some(Action::ScrollUp) => -PAGE,
            Some(Action::ScrollDown) => PAGE,
            _ => return false,
        };
        self.layers.help = Some(scrolled(s, by, 99));
        true
    }

    fn detail_key(&mut self, action: Action) -> bool {
        let Some((_, s)) = self.layers.detail.as_mut() else {
            return false;
        };
        *s = match action {
            Action::Up => scrolled(*s, -1, 999),
            Action::Down => scrolled(*s, 1, 999),
            Action::ScrollUp => scrolled(*s, -PAGE, 999),
            Action::ScrollDown => scrolled(*s, PAGE, 999),
            Action::ScrollTop => 0,
            Action::Back | Action::Open => {
                self.layers.detail = None;
                return true;
            }
            _ => return false,
        };
        true
    }

    /// Also the paging keys' way into the log from the normal mode.
    pub(super) fn log_key(&mut self, action: Action) -> bool {
        match action {
            Action::Up => self.move_log_cursor(Some(-1)),
            Action::Down => self.move_log_cursor(Some(1)),
            Action::ScrollUp => self.move_log_cursor(Some(-PAGE)),
            Action::ScrollDown => self.move_log_cursor(Some(PAGE)),
            Action::ScrollTop => self.move_log_cursor(None),
            Action::ScrollBottom => self.log_cursor = None,
            Action::Open => self.open_log_row(),
            Action::Back | Action::FocusLog => {
                self.layers.log_focus = false;
                self.log_cursor = None;
            }
            _ => return false,
        }
        true
    }

    fn open_log_row(&mut self) {
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
}
