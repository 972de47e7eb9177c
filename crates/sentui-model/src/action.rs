//! The one action enum: what sentui can do to a member of the deployment, and its undo.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Pause,
    Unpause,
    Stop,
    Start,
    Restart,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Pause => "paused",
            Action::Unpause => "resumed",
            Action::Stop => "stopped",
            Action::Start => "started",
            Action::Restart => "restarted",
        }
    }

    pub fn verb_present(self) -> &'static str {
        match self {
            Action::Pause => "pausing",
            Action::Unpause => "resuming",
            Action::Stop => "stopping",
            Action::Start => "starting",
            Action::Restart => "restarting",
        }
    }

    /// The action that undoes this one, if any.
    pub fn undo(self) -> Option<Action> {
        match self {
            Action::Pause => Some(Action::Unpause),
            Action::Stop => Some(Action::Start),
            _ => None,
        }
    }
}
