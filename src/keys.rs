//! Terminal keys as sentui's own [`Key`]: the App, the keymap and recordings never see the
//! terminal library's types.

use crossterm::event::{KeyCode as TermCode, KeyEvent, KeyEventKind, KeyModifiers};
use sentui_model::input::{Key, KeyCode};

/// The key pressed (None for a release, or a key sentui has no use for).
pub fn from_crossterm(k: &KeyEvent) -> Option<Key> {
    if k.kind == KeyEventKind::Release {
        return None;
    }
    let code = match k.code {
        TermCode::Char(c) => KeyCode::Char(c),
        TermCode::Enter => KeyCode::Enter,
        TermCode::Esc => KeyCode::Esc,
        TermCode::Backspace => KeyCode::Backspace,
        TermCode::Tab => KeyCode::Tab,
        TermCode::BackTab => KeyCode::BackTab,
        TermCode::Up => KeyCode::Up,
        TermCode::Down => KeyCode::Down,
        TermCode::Left => KeyCode::Left,
        TermCode::Right => KeyCode::Right,
        TermCode::PageUp => KeyCode::PageUp,
        TermCode::PageDown => KeyCode::PageDown,
        TermCode::Home => KeyCode::Home,
        TermCode::End => KeyCode::End,
        TermCode::Delete => KeyCode::Delete,
        TermCode::Insert => KeyCode::Insert,
        TermCode::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key {
        code,
        ctrl: k.modifiers.contains(KeyModifiers::CONTROL),
        alt: k.modifiers.contains(KeyModifiers::ALT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_become_keys_and_releases_nothing() {
        let ctrl_c = KeyEvent::new(TermCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(from_crossterm(&ctrl_c), Some(Key::ctrl('c')));
        let mut release = KeyEvent::new(TermCode::Char('p'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(from_crossterm(&release), None);
        let shift_tab = KeyEvent::new(TermCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(from_crossterm(&shift_tab), Some(Key::new(KeyCode::BackTab)));
    }
}
