//! The keymap: one table of the TUI's commands drives their handling, the `?` help screen and
//! the footer hints. Typing a filter, answering a y/n question and a replay's own keys (pause,
//! step, seek, speed) are modes of their own, handled where they live.

use sentui_model::input::{Key, KeyCode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    NextGroup,
    PrevGroup,
    NextProblem,
    TogglePause,
    ToggleStop,
    TogglePartition,
    Failover,
    Freeze,
    Filter,
    ScrollUp,
    ScrollDown,
    ScrollTop,
    ScrollBottom,
    Screenshot,
    Help,
    Quit,
    ToggleProbe,
    FocusLog,
    Open,
    Back,
    Page,
    Readiness,
    Source,
    SaveLog,
    PostMortem,
    Suspend,
}

impl Action {
    /// Whether the key acts on the deployment or the machine (a replay refuses these).
    pub fn acts(self) -> bool {
        matches!(
            self,
            Action::TogglePause
                | Action::ToggleStop
                | Action::TogglePartition
                | Action::Failover
                | Action::ToggleProbe
        )
    }
}

pub struct Binding {
    pub action: Action,
    /// How the keys read in help and hints.
    pub keys: &'static str,
    pub help: &'static str,
    /// Shown in the footer (short form), when the footer has room, in the order of the table.
    pub hint: Option<&'static str>,
    matches: fn(&Key) -> bool,
}

fn code(k: &Key, c: KeyCode) -> bool {
    k.code == c && !k.ctrl
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        action: Action::Up,
        keys: "↑ k",
        help: "previous node or sentinel (in the log: the previous event)",
        hint: None,
        matches: |k| code(k, KeyCode::Up) || code(k, KeyCode::Char('k')),
    },
    Binding {
        action: Action::Down,
        keys: "↓ j",
        help: "next node or sentinel (in the log: the next event)",
        hint: Some("↑↓ select"),
        matches: |k| code(k, KeyCode::Down) || code(k, KeyCode::Char('j')),
    },
    Binding {
        action: Action::TogglePause,
        keys: "p",
        help: "pause/resume the selected node or sentinel (asks outside a lab)",
        hint: Some("p pause"),
        matches: |k| code(k, KeyCode::Char('p')),
    },
    Binding {
        action: Action::ToggleStop,
        keys: "s",
        help: "stop / start the selected one's container (y confirms)",
        hint: Some("s stop"),
        matches: |k| code(k, KeyCode::Char('s')),
    },
    Binding {
        action: Action::TogglePartition,
        keys: "n",
        help: "partition / heal the selected node (Docker lab; y confirms)",
        hint: Some("n partition"),
        matches: |k| code(k, KeyCode::Char('n')),
    },
    Binding {
        action: Action::Failover,
        keys: "f",
        help: "ask the sentinels for a failover (y; c coordinated)",
        hint: Some("f failover"),
        matches: |k| code(k, KeyCode::Char('f')),
    },
    Binding {
        action: Action::ToggleProbe,
        keys: "w",
        help: "write probe: start / stop (reads back lost writes) / close",
        hint: None,
        matches: |k| code(k, KeyCode::Char('w')),
    },
    Binding {
        action: Action::NextGroup,
        keys: "Tab",
        help: "next master group",
        hint: Some("Tab group"),
        matches: |k| k.code == KeyCode::Tab,
    },
    Binding {
        action: Action::NextProblem,
        keys: "g",
        help: "next master group with a problem",
        hint: None,
        matches: |k| code(k, KeyCode::Char('g')),
    },
    Binding {
        action: Action::PrevGroup,
        keys: "Shift-Tab",
        help: "previous master group",
        hint: None,
        matches: |k| k.code == KeyCode::BackTab,
    },
    Binding {
        action: Action::Freeze,
        keys: "Space",
        help: "freeze / unfreeze the display (collection goes on)",
        hint: Some("␣ freeze"),
        matches: |k| code(k, KeyCode::Char(' ')),
    },
    Binding {
        action: Action::Filter,
        keys: "/",
        help: "filter the event log (Enter keeps, Esc clears, ^U ^W edit)",
        hint: Some("/ filter"),
        matches: |k| code(k, KeyCode::Char('/')),
    },
    Binding {
        action: Action::FocusLog,
        keys: "e",
        help: "the event log: ↑↓ PgUp PgDn Home End select (e, Esc leave)",
        hint: Some("e events"),
        matches: |k| code(k, KeyCode::Char('e')),
    },
    Binding {
        action: Action::Open,
        keys: "Enter",
        help: "everything about the selected event, node or sentinel",
        hint: Some("⏎ details"),
        matches: |k| k.code == KeyCode::Enter,
    },
    Binding {
        action: Action::Back,
        keys: "Esc",
        help: "back: close the details, leave the log",
        hint: None,
        matches: |k| k.code == KeyCode::Esc,
    },
    Binding {
        action: Action::Page,
        keys: "v",
        help: "view: replication, sentinels and votes in full / the overview",
        hint: Some("v view"),
        matches: |k| code(k, KeyCode::Char('v')),
    },
    Binding {
        action: Action::Readiness,
        keys: "r",
        help: "readiness: can Sentinel fail over now, to which replica, why not",
        hint: Some("r ready?"),
        matches: |k| code(k, KeyCode::Char('r')),
    },
    Binding {
        action: Action::ScrollUp,
        keys: "PgUp",
        help: "the event log: 10 events back",
        hint: None,
        matches: |k| k.code == KeyCode::PageUp,
    },
    Binding {
        action: Action::ScrollDown,
        keys: "PgDn",
        help: "the event log: 10 events forward",
        hint: None,
        matches: |k| k.code == KeyCode::PageDown,
    },
    Binding {
        action: Action::ScrollTop,
        keys: "Home",
        help: "the event log: the oldest event",
        hint: None,
        matches: |k| k.code == KeyCode::Home,
    },
    Binding {
        action: Action::ScrollBottom,
        keys: "End",
        help: "the event log: follow the newest events",
        hint: None,
        matches: |k| k.code == KeyCode::End,
    },
    Binding {
        action: Action::Source,
        keys: "o",
        help: "log source: all, sentinels, sentui, docker, each sentinel",
        hint: None,
        matches: |k| code(k, KeyCode::Char('o')),
    },
    Binding {
        action: Action::SaveLog,
        keys: "x",
        help: "save the log as shown (.ndjson and .txt, current directory)",
        hint: None,
        matches: |k| code(k, KeyCode::Char('x')),
    },
    Binding {
        action: Action::PostMortem,
        keys: "m",
        help: "post-mortem page of the last failover (.html, .svg; current dir)",
        hint: None,
        matches: |k| code(k, KeyCode::Char('m')),
    },
    Binding {
        action: Action::Screenshot,
        keys: "c",
        help: "save the screen as SVG (current directory)",
        hint: None,
        matches: |k| code(k, KeyCode::Char('c')),
    },
    Binding {
        action: Action::Suspend,
        keys: "Ctrl-Z",
        help: "suspend sentui (the shell's fg brings it back)",
        hint: None,
        matches: |k| k.code == KeyCode::Char('z') && k.ctrl,
    },
    Binding {
        action: Action::Help,
        keys: "?",
        help: "this help",
        hint: Some("? help"),
        matches: |k| code(k, KeyCode::Char('?')),
    },
    Binding {
        action: Action::Quit,
        keys: "q Ctrl-C",
        help: "quit (resumes the nodes sentui paused)",
        hint: Some("q quit"),
        matches: |k| code(k, KeyCode::Char('q')) || (k.code == KeyCode::Char('c') && k.ctrl),
    },
];

pub fn action_for(key: &Key) -> Option<Action> {
    KEYMAP.iter().find(|b| (b.matches)(key)).map(|b| b.action)
}

/// The keys of a replay's own (the others work as live, and those that would act answer that
/// a replay does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayAction {
    PlayPause,
    Step,
    Back10,
    Forward10,
    Faster,
    Slower,
    Quit,
}

pub struct ReplayBinding {
    pub action: ReplayAction,
    pub keys: &'static str,
    pub help: &'static str,
    pub hint: Option<&'static str>,
    matches: fn(&Key) -> bool,
}

pub const REPLAY_KEYMAP: &[ReplayBinding] = &[
    ReplayBinding {
        action: ReplayAction::PlayPause,
        keys: "Space",
        help: "replay: pause / play",
        hint: Some("␣ play/pause"),
        matches: |k| code(k, KeyCode::Char(' ')),
    },
    ReplayBinding {
        action: ReplayAction::Step,
        keys: ".",
        help: "replay: one record forward",
        hint: Some(". step"),
        matches: |k| code(k, KeyCode::Char('.')),
    },
    ReplayBinding {
        action: ReplayAction::Back10,
        keys: "←",
        help: "replay: 10 s back",
        hint: Some("←→ seek"),
        matches: |k| code(k, KeyCode::Left),
    },
    ReplayBinding {
        action: ReplayAction::Forward10,
        keys: "→",
        help: "replay: 10 s forward",
        hint: None,
        matches: |k| code(k, KeyCode::Right),
    },
    ReplayBinding {
        action: ReplayAction::Faster,
        keys: "+",
        help: "replay: twice as fast",
        hint: Some("+- speed"),
        matches: |k| code(k, KeyCode::Char('+')),
    },
    ReplayBinding {
        action: ReplayAction::Slower,
        keys: "-",
        help: "replay: half as fast",
        hint: None,
        matches: |k| code(k, KeyCode::Char('-')),
    },
    ReplayBinding {
        action: ReplayAction::Quit,
        keys: "q Ctrl-C",
        help: "quit the replay",
        hint: None,
        matches: |k| code(k, KeyCode::Char('q')) || (k.code == KeyCode::Char('c') && k.ctrl),
    },
];

pub fn replay_action_for(key: &Key) -> Option<ReplayAction> {
    REPLAY_KEYMAP
        .iter()
        .find(|b| (b.matches)(key))
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> Key {
        Key::new(c)
    }

    #[test]
    fn help_lines_fit_an_80_column_help_box() {
        for b in KEYMAP {
            assert!(b.keys.chars().count() <= 11, "{}", b.keys);
            assert!(
                b.help.chars().count() <= 66,
                "too long for 80 columns: {}",
                b.help
            );
        }
    }

    #[test]
    fn every_action_has_a_key_and_keys_are_unambiguous() {
        assert_eq!(action_for(&key(KeyCode::Char('j'))), Some(Action::Down));
        assert_eq!(action_for(&key(KeyCode::Up)), Some(Action::Up));
        assert_eq!(action_for(&Key::ctrl('c')), Some(Action::Quit));
        assert_eq!(
            action_for(&key(KeyCode::Char('c'))),
            Some(Action::Screenshot)
        );
        assert_eq!(action_for(&key(KeyCode::Char('z'))), None);
        assert_eq!(action_for(&Key::ctrl('z')), Some(Action::Suspend));
        assert_eq!(action_for(&key(KeyCode::Enter)), Some(Action::Open));
        assert_eq!(
            replay_action_for(&key(KeyCode::Char(' '))),
            Some(ReplayAction::PlayPause)
        );
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                assert_ne!(a.action, b.action, "one binding per action");
            }
        }
    }
}
