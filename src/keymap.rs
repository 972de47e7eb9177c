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
}

impl Action {
    /// Whether the key acts on the deployment or the machine (a replay refuses these).
    pub fn acts(self) -> bool {
        matches!(
            self,
            Action::TogglePause
                | Action::ToggleStop
                | Action::Failover
                | Action::ToggleProbe
                | Action::Screenshot
        )
    }
}

pub struct Binding {
    pub action: Action,
    /// How the keys read in help and hints.
    pub keys: &'static str,
    pub help: &'static str,
    /// Shown in the footer (short form), when the footer has room.
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
        help: "select the previous node",
        hint: None,
        matches: |k| code(k, KeyCode::Up) || code(k, KeyCode::Char('k')),
    },
    Binding {
        action: Action::Down,
        keys: "↓ j",
        help: "select the next node",
        hint: Some("↑↓ select"),
        matches: |k| code(k, KeyCode::Down) || code(k, KeyCode::Char('j')),
    },
    Binding {
        action: Action::TogglePause,
        keys: "p",
        help: "pause / resume the selected node (SIGSTOP/SIGCONT)",
        hint: Some("p pause"),
        matches: |k| code(k, KeyCode::Char('p')),
    },
    Binding {
        action: Action::ToggleStop,
        keys: "s",
        help: "stop / start the selected node's container (y confirms)",
        hint: Some("s stop"),
        matches: |k| code(k, KeyCode::Char('s')),
    },
    Binding {
        action: Action::Failover,
        keys: "f",
        help: "ask the sentinels for a manual failover (confirm with y)",
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
        help: "filter the event log (Enter keeps, Esc clears)",
        hint: Some("/ filter"),
        matches: |k| code(k, KeyCode::Char('/')),
    },
    Binding {
        action: Action::ScrollUp,
        keys: "PgUp",
        help: "scroll the event log back",
        hint: None,
        matches: |k| k.code == KeyCode::PageUp,
    },
    Binding {
        action: Action::ScrollDown,
        keys: "PgDn",
        help: "scroll the event log forward",
        hint: None,
        matches: |k| k.code == KeyCode::PageDown,
    },
    Binding {
        action: Action::ScrollTop,
        keys: "Home",
        help: "oldest events",
        hint: None,
        matches: |k| k.code == KeyCode::Home,
    },
    Binding {
        action: Action::ScrollBottom,
        keys: "End",
        help: "newest events (follow)",
        hint: None,
        matches: |k| k.code == KeyCode::End,
    },
    Binding {
        action: Action::Screenshot,
        keys: "c",
        help: "save the screen as SVG (current directory)",
        hint: None,
        matches: |k| code(k, KeyCode::Char('c')),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> Key {
        Key::new(c)
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
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                assert_ne!(a.action, b.action, "one binding per action");
            }
        }
    }
}
