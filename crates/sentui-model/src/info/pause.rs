//! What a node says of its own client pause (`INFO clients`: `paused_reason`,
//! `paused_actions`, `paused_timeout_milliseconds`, Valkey 8.1 and later) and of a `FAILOVER`
//! it runs (`INFO replication`: `master_failover_state`, Redis 6.2+ and Valkey). A coordinated
//! failover (Valkey 9) pauses the old primary's writes and runs `FAILOVER TO` on it: both show
//! here, and a pause left behind by an aborted one blocks every write until it runs out.

use crate::Millis;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why the server holds its clients (`paused_reason`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PauseReason {
    /// `CLIENT PAUSE` (by hand, or by Sentinel's coordinated failover: `CLIENT PAUSE WRITE`).
    ClientPause,
    /// A `FAILOVER` under way on this primary.
    FailoverInProgress,
    /// A `SHUTDOWN` waiting for its replicas.
    ShutdownInProgress,
    /// A name sentui does not know yet, kept as the server said it.
    Other(String),
}

impl PauseReason {
    fn parse(s: &str) -> Option<PauseReason> {
        Some(match s {
            "none" | "" => return None,
            "client_pause" => PauseReason::ClientPause,
            "failover_in_progress" => PauseReason::FailoverInProgress,
            "shutdown_in_progress" => PauseReason::ShutdownInProgress,
            other => PauseReason::Other(other.to_string()),
        })
    }

    /// As the server spells it.
    pub fn name(&self) -> &str {
        match self {
            PauseReason::ClientPause => "client_pause",
            PauseReason::FailoverInProgress => "failover_in_progress",
            PauseReason::ShutdownInProgress => "shutdown_in_progress",
            PauseReason::Other(s) => s,
        }
    }
}

/// What the pause holds back (`paused_actions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PauseActions {
    /// Writes (and commands that may write): reads still answer.
    Write,
    /// Every command.
    All,
}

impl PauseActions {
    fn parse(s: &str) -> Option<PauseActions> {
        match s {
            "write" => Some(PauseActions::Write),
            "all" => Some(PauseActions::All),
            _ => None,
        }
    }

    /// As the server spells it.
    pub fn name(self) -> &'static str {
        match self {
            PauseActions::Write => "write",
            PauseActions::All => "all",
        }
    }

    /// What it stops, for a sentence: `writes` or `all commands`.
    pub fn what(self) -> &'static str {
        match self {
            PauseActions::Write => "writes",
            PauseActions::All => "all commands",
        }
    }
}

/// A pause the node reported: why, what it holds and how long it had left when it said so.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WritePause {
    pub reason: PauseReason,
    pub actions: PauseActions,
    /// `paused_timeout_milliseconds`: what was left of it when INFO answered.
    pub left_ms: Millis,
}

impl WritePause {
    /// From INFO's `paused_*` fields (`None`: not paused, or a server that does not say).
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Self> {
        let (mut reason, mut actions, mut left) = (None, None, 0);
        for (k, v) in fields {
            match k {
                "paused_reason" => reason = PauseReason::parse(v.trim()),
                "paused_actions" => actions = PauseActions::parse(v.trim()),
                "paused_timeout_milliseconds" => left = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        Some(WritePause {
            reason: reason?,
            actions: actions?,
            left_ms: left,
        })
    }

    /// Its JSON and recorded form: `client_pause write 8200`.
    fn to_words(&self) -> String {
        format!(
            "{} {} {}",
            self.reason.name(),
            self.actions.name(),
            self.left_ms
        )
    }

    fn from_words(s: &str) -> Option<Self> {
        let mut w = s.split_whitespace();
        let (reason, actions, left) = (w.next()?, w.next()?, w.next()?);
        Some(WritePause {
            reason: PauseReason::parse(reason)?,
            actions: PauseActions::parse(actions)?,
            left_ms: left.parse().ok()?,
        })
    }
}

impl Serialize for PauseReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl Serialize for PauseActions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl Serialize for WritePause {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_words())
    }
}

impl<'de> Deserialize<'de> for WritePause {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WritePause::from_words(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a write pause: '{s}'")))
    }
}

/// A pause as it stands at a given moment: the node's report carried forward to `now`. In
/// `status --json` as `{ "reason", "actions", "until", "left_ms" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PauseNow {
    pub reason: PauseReason,
    pub actions: PauseActions,
    /// When it ends by itself (the report's time plus what was left then).
    pub until: Millis,
    /// Milliseconds left at `now` (0 once it should have ended: the next INFO will say).
    pub left_ms: Millis,
}

impl PauseNow {
    /// `writes paused (client_pause), 8.2 s left`.
    pub fn describe(&self) -> String {
        format!(
            "{} paused ({}), {:.1} s left",
            self.actions.what(),
            self.reason.name(),
            self.left_ms as f64 / 1000.0
        )
    }
}

/// Where a `FAILOVER` run on this primary stands (`master_failover_state`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FailoverState {
    NoFailover,
    /// Writes paused, waiting for the target replica to catch up.
    WaitingForSync,
    /// Handing over: the primary is becoming a replica of the target.
    FailoverInProgress,
    Other(String),
}

impl FailoverState {
    pub fn parse(s: &str) -> FailoverState {
        match s.trim() {
            "no-failover" => FailoverState::NoFailover,
            "waiting-for-sync" => FailoverState::WaitingForSync,
            "failover-in-progress" => FailoverState::FailoverInProgress,
            other => FailoverState::Other(other.to_string()),
        }
    }

    /// As the server spells it.
    pub fn name(&self) -> &str {
        match self {
            FailoverState::NoFailover => "no-failover",
            FailoverState::WaitingForSync => "waiting-for-sync",
            FailoverState::FailoverInProgress => "failover-in-progress",
            FailoverState::Other(s) => s,
        }
    }

    /// A `FAILOVER` is under way on the node.
    pub fn is_active(&self) -> bool {
        *self != FailoverState::NoFailover
    }
}

impl fmt::Display for FailoverState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl Serialize for FailoverState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for FailoverState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(FailoverState::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `INFO clients` of Valkey 9.1.2 after `CLIENT PAUSE 5000 WRITE` (captured).
    const PAUSED: &str = "# Clients\r\nconnected_clients:1\r\nblocked_clients:0\r\npaused_reason:client_pause\r\npaused_actions:write\r\npaused_timeout_milliseconds:4943\r\n";
    const NOT_PAUSED: &str = "# Clients\r\npaused_reason:none\r\npaused_actions:none\r\npaused_timeout_milliseconds:0\r\n";

    #[test]
    fn reads_a_pause_and_its_absence() {
        let p = WritePause::from_fields(crate::info::fields(PAUSED)).unwrap();
        assert_eq!(p.reason, PauseReason::ClientPause);
        assert_eq!(p.actions, PauseActions::Write);
        assert_eq!(p.left_ms, 4943);
        assert_eq!(
            WritePause::from_fields(crate::info::fields(NOT_PAUSED)),
            None
        );
        assert_eq!(
            WritePause::from_fields(crate::info::fields("role:master")),
            None
        );
        let odd = "paused_reason:nap\npaused_actions:all\npaused_timeout_milliseconds:x\n";
        let p = WritePause::from_fields(crate::info::fields(odd)).unwrap();
        assert_eq!(
            (p.reason.name(), p.actions, p.left_ms),
            ("nap", PauseActions::All, 0)
        );
    }

    #[test]
    fn a_pause_and_a_failover_state_keep_their_spelling() {
        let p = WritePause::from_fields(crate::info::fields(PAUSED)).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#""client_pause write 4943""#);
        assert_eq!(serde_json::from_str::<WritePause>(&json).unwrap(), p);
        assert!(serde_json::from_str::<WritePause>(r#""garbage""#).is_err());
        for s in [
            "no-failover",
            "waiting-for-sync",
            "failover-in-progress",
            "new-state",
        ] {
            let f = FailoverState::parse(s);
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{s}\""));
            assert_eq!(f.is_active(), s != "no-failover");
        }
    }

    #[test]
    fn a_pause_now_says_what_is_held_and_for_how_long() {
        let p = PauseNow {
            reason: PauseReason::ClientPause,
            actions: PauseActions::Write,
            until: 10_000,
            left_ms: 8_200,
        };
        assert_eq!(p.describe(), "writes paused (client_pause), 8.2 s left");
    }
}
