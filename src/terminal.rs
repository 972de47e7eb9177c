//! The terminal given back and taken again: Ctrl-Z in the live TUI and in a replay.

use crossterm::{cursor, execute, terminal};

/// Why Ctrl-Z did not stop sentui, or left the terminal as it was.
#[derive(Debug, thiserror::Error)]
pub enum SuspendError {
    #[error("cannot give the terminal back: {0}")]
    GiveBack(std::io::Error),
    #[error("cannot take the terminal back: {0}")]
    TakeBack(std::io::Error),
    #[error("could not stop (SIGTSTP)")]
    NotStopped,
}

/// Ctrl-Z, as htop does it: the terminal is given back as sentui found it, the process stops
/// (SIGTSTP: the shell's prompt returns), and once resumed (fg, SIGCONT) the terminal is taken
/// again; the caller then redraws the whole screen.
pub fn suspend() -> Result<(), SuspendError> {
    ratatui::try_restore().map_err(SuspendError::GiveBack)?;
    let _ = execute!(std::io::stdout(), cursor::Show);
    // SAFETY: raise has no memory preconditions. SIGTSTP's default action stops this process
    // until SIGCONT; raise returns then.
    let stopped = unsafe { libc::raise(libc::SIGTSTP) } == 0;
    terminal::enable_raw_mode().map_err(SuspendError::TakeBack)?;
    execute!(
        std::io::stdout(),
        terminal::EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All),
        cursor::Hide
    )
    .map_err(SuspendError::TakeBack)?;
    if stopped {
        Ok(())
    } else {
        Err(SuspendError::NotStopped)
    }
}
