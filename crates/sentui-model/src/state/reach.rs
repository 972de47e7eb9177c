//! How an endpoint answers sentui: the state with its details ([`Reach`]) and without them
//! ([`ReachState`]).

use crate::Millis;
use serde::{Deserialize, Serialize};

/// How an endpoint answers sentui.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum Reach {
    Connecting,
    Ok,
    /// Accepted the connection or the command but has not answered since `since`
    /// (a paused container or a SIGSTOPped process).
    Unresponsive {
        since: Millis,
    },
    Refused(String),
    AuthFailed(String),
    /// It answered, but not with the link's TLS settings: plaintext to a TLS port, TLS to a
    /// plaintext port, or a certificate one side does not accept. The reason says the fix.
    TlsFailed(String),
    Failed(String),
    /// No sentinel reports it any more.
    Vanished,
}

/// How an endpoint answers, without the details: what views, tables and JSON show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReachState {
    Connecting,
    Ok,
    Unresponsive,
    Refused,
    AuthFailed,
    TlsFailed,
    Failed,
    Vanished,
}

impl ReachState {
    /// The word tables and JSON use: ok, unresponsive, refused, auth-failed, tls-failed, ...
    pub fn word(self) -> &'static str {
        match self {
            ReachState::Connecting => "connecting",
            ReachState::Ok => "ok",
            ReachState::Unresponsive => "unresponsive",
            ReachState::Refused => "refused",
            ReachState::AuthFailed => "auth-failed",
            ReachState::TlsFailed => "tls-failed",
            ReachState::Failed => "failed",
            ReachState::Vanished => "vanished",
        }
    }

    pub fn is_ok(self) -> bool {
        self == ReachState::Ok
    }

    /// Whether something that speaks Redis answered there, even if it refused sentui's
    /// credentials or TLS settings: the address is right, the settings are what to fix.
    pub fn answered(self) -> bool {
        matches!(
            self,
            ReachState::Ok | ReachState::AuthFailed | ReachState::TlsFailed
        )
    }
}

impl std::fmt::Display for ReachState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

impl Reach {
    pub fn is_ok(&self) -> bool {
        matches!(self, Reach::Ok)
    }

    pub fn state(&self) -> ReachState {
        match self {
            Reach::Connecting => ReachState::Connecting,
            Reach::Ok => ReachState::Ok,
            Reach::Unresponsive { .. } => ReachState::Unresponsive,
            Reach::Refused(_) => ReachState::Refused,
            Reach::AuthFailed(_) => ReachState::AuthFailed,
            Reach::TlsFailed(_) => ReachState::TlsFailed,
            Reach::Failed(_) => ReachState::Failed,
            Reach::Vanished => ReachState::Vanished,
        }
    }

    /// A short word for tables: ok, unresponsive, refused, auth-failed, failed, ...
    pub fn word(&self) -> &'static str {
        self.state().word()
    }

    /// Why it cannot be used, when the state carries a reason (refused, auth-failed,
    /// tls-failed, failed).
    pub fn reason(&self) -> Option<&str> {
        match self {
            Reach::Refused(m) | Reach::AuthFailed(m) | Reach::TlsFailed(m) | Reach::Failed(m) => {
                Some(m)
            }
            _ => None,
        }
    }

    pub fn describe(&self, now: Millis) -> String {
        match self {
            Reach::Unresponsive { since } => {
                format!("unresponsive for {} ms", now.saturating_sub(*since))
            }
            Reach::Refused(m) | Reach::AuthFailed(m) | Reach::TlsFailed(m) | Reach::Failed(m) => {
                format!("{}: {m}", self.word())
            }
            other => other.word().to_string(),
        }
    }
}
