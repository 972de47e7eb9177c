//! The input stream: everything that changes what sentui knows enters as one typed,
//! timestamped [`Input`]: collector and write-probe updates, the outcome of sentui's own
//! actions (stamped when they took effect), keys, resizes, ticks and requests to stop. A
//! recording is the sequence of inputs, so a replay feeds the same inputs to the same step.

use crate::Millis;
use crate::action::Command;
use crate::state::Update;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// When it happened, Unix milliseconds: the receive time of an update, the moment an
    /// action took effect, the time of a key press or tick.
    pub at: Millis,
    pub kind: InputKind,
}

impl Input {
    pub fn new(at: Millis, kind: InputKind) -> Self {
        Input { at, kind }
    }

    pub fn update(at: Millis, update: Update) -> Self {
        Input::new(at, InputKind::Update(Box::new(update)))
    }

    pub fn key(at: Millis, key: Key) -> Self {
        Input::new(at, InputKind::Key(key))
    }

    pub fn tick(at: Millis) -> Self {
        Input::new(at, InputKind::Tick)
    }

    /// The outcome of `command`, issued at `issued_at`, which took effect at `at`.
    pub fn done(at: Millis, issued_at: Millis, command: Command, result: ActionResult) -> Self {
        Input::new(
            at,
            InputKind::Done(Box::new(Done {
                command,
                issued_at,
                result,
                lease_until: None,
            })),
        )
    }

    /// The same outcome for a fault held on a lease that ends at `until`.
    pub fn leased(mut self, until: Option<Millis>) -> Self {
        if let InputKind::Done(d) = &mut self.kind {
            d.lease_until = until;
        }
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// What a collector or the write probe saw.
    Update(Box<Update>),
    Key(Key),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (timers on screen, attempts that time out).
    Tick,
    /// A command's outcome.
    Done(Box<Done>),
    /// The session must end (a signal, the terminal gone, the collectors stopped).
    Stop(Stop),
    /// Something sentui reports about itself, not the deployment (a recording that stopped).
    Notice {
        text: String,
        error: bool,
    },
}

/// What an action said: a description of what it touched, or why it failed. Both are words,
/// not an error to handle: the outcome as it was said is data, recorded in the input stream and
/// replayed as it was (hence the `String` error, where live code has typed errors).
pub type ActionResult = Result<String, String>;

/// The outcome of a command. The input's `at` is when it took effect (the Docker call or the
/// signal returned); `issued_at` is when it was asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub command: Command,
    pub issued_at: Millis,
    pub result: ActionResult,
    /// For a fault held on a lease: when the lease ends and a guard outside sentui ends the
    /// fault (if sentui has not by then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<Millis>,
}

/// Why a session ends other than by the user's `q`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    Sigterm,
    Sighup,
    /// `kill -INT` (in the TUI's raw mode, Ctrl-C is a key, not this signal).
    Sigint,
    /// The terminal closed its input (the window went away).
    TerminalClosed,
    TerminalFailed(String),
    CollectorsStopped,
}

impl Stop {
    /// Whether sentui ends because something failed (exit status 2), not because it was asked.
    pub fn is_failure(&self) -> bool {
        matches!(self, Stop::TerminalFailed(_) | Stop::CollectorsStopped)
    }

    pub fn describe(&self) -> String {
        match self {
            Stop::Sigterm => "SIGTERM".into(),
            Stop::Sighup => "SIGHUP".into(),
            Stop::Sigint => "SIGINT".into(),
            Stop::TerminalClosed => "the terminal closed".into(),
            Stop::TerminalFailed(e) => format!("reading the terminal failed: {e}"),
            Stop::CollectorsStopped => "the collectors stopped".into(),
        }
    }
}

/// A key as sentui sees it, whatever the terminal library (recorded as text: `p`, `ctrl+c`,
/// `pgdn`, `shift+tab`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
    Insert,
    F(u8),
}

impl Key {
    pub fn new(code: KeyCode) -> Self {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub fn char(c: char) -> Self {
        Key::new(KeyCode::Char(c))
    }

    pub fn ctrl(c: char) -> Self {
        Key {
            ctrl: true,
            ..Key::char(c)
        }
    }

    /// The key without modifiers: `c` is `Some('p')` for a plain p.
    pub fn plain_char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }

    /// Whether this is `code` pressed without Ctrl or Alt.
    pub fn is(&self, code: KeyCode) -> bool {
        self.code == code && !self.ctrl && !self.alt
    }
}

const NAMED: [(KeyCode, &str); 15] = [
    (KeyCode::Enter, "enter"),
    (KeyCode::Esc, "esc"),
    (KeyCode::Backspace, "backspace"),
    (KeyCode::Tab, "tab"),
    (KeyCode::BackTab, "shift+tab"),
    (KeyCode::Up, "up"),
    (KeyCode::Down, "down"),
    (KeyCode::Left, "left"),
    (KeyCode::Right, "right"),
    (KeyCode::PageUp, "pgup"),
    (KeyCode::PageDown, "pgdn"),
    (KeyCode::Home, "home"),
    (KeyCode::End, "end"),
    (KeyCode::Delete, "delete"),
    (KeyCode::Insert, "insert"),
];

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("ctrl+")?;
        }
        if self.alt {
            f.write_str("alt+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|(_, n)| *n)
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}

/// A key name that names no key (in a recording).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown key '{0}'")]
pub struct UnknownKey(pub String);

impl std::str::FromStr for Key {
    type Err = UnknownKey;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut rest = s;
        let mut key = Key::char(' ');
        // A lone "+" is the plus key, not a modifier.
        loop {
            if let Some(r) = rest.strip_prefix("ctrl+").filter(|r| !r.is_empty()) {
                key.ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt+").filter(|r| !r.is_empty()) {
                key.alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        key.code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ if rest == "space" => KeyCode::Char(' '),
            _ => match NAMED.iter().find(|(_, n)| *n == rest) {
                Some((code, _)) => *code,
                None => rest
                    .strip_prefix('f')
                    .and_then(|n| n.parse().ok())
                    .map(KeyCode::F)
                    .ok_or_else(|| UnknownKey(s.to_string()))?,
            },
        };
        Ok(key)
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;

    #[test]
    fn keys_read_back_as_written() {
        for k in [
            Key::char('p'),
            Key::char('+'),
            Key::char(' '),
            Key::ctrl('c'),
            Key::new(KeyCode::BackTab),
            Key::new(KeyCode::PageDown),
            Key::new(KeyCode::F(5)),
            Key {
                alt: true,
                ..Key::char('x')
            },
        ] {
            let text = k.to_string();
            assert_eq!(text.parse::<Key>(), Ok(k), "{text}");
        }
        assert_eq!(Key::ctrl('c').to_string(), "ctrl+c");
        assert!("hyper+x".parse::<Key>().is_err());
    }

    #[test]
    fn inputs_serialize_with_their_kind() {
        let i = Input::done(
            1_010,
            1_000,
            Command::Control {
                action: Action::Pause,
                addr: "127.0.0.1:6379".parse().unwrap(),
            },
            Ok("paused".into()),
        );
        let json = serde_json::to_string(&i).unwrap();
        assert_eq!(serde_json::from_str::<Input>(&json).unwrap(), i);
        assert!(json.starts_with(r#"{"at":1010,"kind":{"done":{"command":{"command":"control""#));
        let tick = serde_json::to_string(&Input::tick(5)).unwrap();
        assert_eq!(tick, r#"{"at":5,"kind":"tick"}"#);
        let key = serde_json::to_string(&Input::key(6, Key::ctrl('c'))).unwrap();
        assert_eq!(key, r#"{"at":6,"kind":{"key":"ctrl+c"}}"#);
    }
}
