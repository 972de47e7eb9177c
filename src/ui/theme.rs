//! Colours, or none (`--no-color`, or NO_COLOR read by the command line): without colour,
//! emphasis uses bold/reverse only.

use ratatui::style::{Color, Modifier, Style};
use sentui_model::ReachState;
use sentui_model::event::EventClass;

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn master(&self) -> Style {
        self.fg(Color::LightYellow).add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn banner(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn class(&self, c: EventClass) -> Style {
        match c {
            EventClass::Down => self.fg(Color::Red),
            EventClass::Vote => self.fg(Color::Magenta),
            EventClass::Promotion => self.fg(Color::Yellow),
            EventClass::Recovery => self.fg(Color::Green),
            EventClass::Config => self.fg(Color::Blue),
            EventClass::Fault => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            EventClass::Info => Style::default(),
        }
    }
    /// Style of an endpoint's state.
    pub fn reach(&self, state: ReachState) -> Style {
        match state {
            ReachState::Ok => self.ok(),
            ReachState::Connecting => self.dim(),
            ReachState::Unresponsive => self.warn(),
            _ => self.bad(),
        }
    }

    /// Style of a paused endpoint (frozen on purpose, by sentui or someone).
    pub fn paused(&self) -> Style {
        self.warn()
    }
}
