//! The one action enum (what sentui can do to a member of the deployment, and its undo) and the
//! commands the UI asks its executor to carry out.

use crate::addr::Addr;
use serde::{Deserialize, Serialize};

/// What sentui can do: to a node or sentinel (pause ... restart, partition, heal), or to a group
/// (failover).
/// The TUI's keys, `sentui ctl`, the drill's faults and scenario steps all name these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Pause,
    Unpause,
    Stop,
    Start,
    Restart,
    /// `SENTINEL FAILOVER <group>`, asked of the sentinels.
    Failover,
    /// `SENTINEL FAILOVER <group> COORDINATED` (Valkey 9): an election, then the old primary
    /// pauses writes and hands over with `FAILOVER TO` once the replica caught up.
    FailoverCoordinated,
    /// Cut a node off from the sentinels and the other nodes while clients still reach it
    /// (Docker labs: its container leaves the lab's network).
    Partition,
    /// Undo a partition: the node rejoins the lab's network under the same name.
    Heal,
    /// Restart a node with its data removed, as a server without persistence comes back:
    /// empty, on the same address, usually before the sentinels' down-after-milliseconds.
    RestartEmpty,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::Pause,
        Action::Unpause,
        Action::Stop,
        Action::Start,
        Action::Restart,
        Action::Failover,
        Action::FailoverCoordinated,
        Action::Partition,
        Action::Heal,
        Action::RestartEmpty,
    ];

    /// The name on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Unpause => "unpause",
            Action::Stop => "stop",
            Action::Start => "start",
            Action::Restart => "restart",
            Action::Failover => "failover",
            Action::FailoverCoordinated => "failover-coordinated",
            Action::Partition => "partition",
            Action::Heal => "heal",
            Action::RestartEmpty => "restart-empty",
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Action::Pause => "paused",
            Action::Unpause => "resumed",
            Action::Stop => "stopped",
            Action::Start => "started",
            Action::Restart => "restarted",
            Action::Failover => "failed over",
            Action::FailoverCoordinated => "failed over (coordinated)",
            Action::Partition => "partitioned",
            Action::Heal => "healed",
            Action::RestartEmpty => "restarted empty",
        }
    }

    pub fn verb_present(self) -> &'static str {
        match self {
            Action::Pause => "pausing",
            Action::Unpause => "resuming",
            Action::Stop => "stopping",
            Action::Start => "starting",
            Action::Restart => "restarting",
            Action::Failover => "failing over",
            Action::FailoverCoordinated => "failing over (coordinated)",
            Action::Partition => "partitioning",
            Action::Heal => "healing",
            Action::RestartEmpty => "restarting empty",
        }
    }

    /// The action that undoes this one, if any.
    pub fn undo(self) -> Option<Action> {
        match self {
            Action::Pause => Some(Action::Unpause),
            Action::Stop => Some(Action::Start),
            Action::Partition => Some(Action::Heal),
            _ => None,
        }
    }

    /// Whether it breaks something (a fault): it starts the stopwatch and, outside a lab,
    /// asks for confirmation.
    pub fn is_fault(self) -> bool {
        matches!(
            self,
            Action::Pause
                | Action::Stop
                | Action::Failover
                | Action::FailoverCoordinated
                | Action::Partition
                | Action::RestartEmpty
        )
    }

    /// Whether it can hurt a deployment that is not a lab (anything but resuming or starting
    /// what is down): outside a sentui lab it needs a confirmation (`y` in the TUI, `--yes` on
    /// the command line).
    pub fn needs_consent(self) -> bool {
        matches!(
            self,
            Action::Pause
                | Action::Stop
                | Action::Restart
                | Action::Failover
                | Action::FailoverCoordinated
                | Action::Partition
                | Action::RestartEmpty
        )
    }

    /// Whether it acts on one node or sentinel (else on a whole group).
    pub fn on_node(self) -> bool {
        self.failover_kind().is_none()
    }

    /// For a failover, which kind.
    pub fn failover_kind(self) -> Option<FailoverKind> {
        match self {
            Action::Failover => Some(FailoverKind::Classic),
            Action::FailoverCoordinated => Some(FailoverKind::Coordinated),
            _ => None,
        }
    }
}

/// A manual failover as Sentinel runs it: classic (`SENTINEL FAILOVER <group>`: no election,
/// the leader sends `REPLICAOF NO ONE` to the replica) or coordinated (Valkey 9: `SENTINEL
/// FAILOVER <group> COORDINATED`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailoverKind {
    #[default]
    Classic,
    Coordinated,
}

impl FailoverKind {
    pub fn is_coordinated(self) -> bool {
        self == FailoverKind::Coordinated
    }

    /// The action that asks for it.
    pub fn action(self) -> Action {
        match self {
            FailoverKind::Classic => Action::Failover,
            FailoverKind::Coordinated => Action::FailoverCoordinated,
        }
    }

    /// `classic` or `coordinated`.
    pub fn word(self) -> &'static str {
        match self {
            FailoverKind::Classic => "classic",
            FailoverKind::Coordinated => "coordinated",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// clap's parser for `ctl`'s action (and the drill's fault names): an argument, whose error
/// clap prints as it is, so a sentence is all it needs.
impl std::str::FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        if s == "resume" {
            return Ok(Action::Unpause);
        }
        Action::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                format!("unknown action '{s}' (one of {})", names.join(", "))
            })
    }
}

fn is_classic(k: &FailoverKind) -> bool {
    *k == FailoverKind::Classic
}

/// What the UI asks its executor to do. The outcome comes back on the input stream as a `Done`
/// input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum Command {
    /// Pause, resume, stop, start, restart, partition or heal a node (its container or local
    /// process).
    Control { action: Action, addr: Addr },
    /// Save the screen as SVG.
    Screenshot,
    /// SENTINEL FAILOVER (COORDINATED for that kind), sent to the first of `sentinels` that
    /// answers.
    Failover {
        group: String,
        sentinels: Vec<Addr>,
        /// Recorded only when coordinated: older recordings read as classic.
        #[serde(default, skip_serializing_if = "is_classic")]
        kind: FailoverKind,
    },
    /// Start the write probe on `group`, asking `sentinels` for its master.
    StartProbe { group: String, sentinels: Vec<Addr> },
    /// Stop the write probe (it reads back its acknowledged writes, then ends).
    StopProbe,
    /// Save the event log as shown (NDJSON and text).
    SaveLog,
    /// Write the post-mortem page of the group's last failover (HTML, and its timeline as SVG).
    PostMortem,
    /// Give the terminal back and stop sentui (Ctrl-Z); the outcome comes when it is resumed.
    Suspend,
}

impl Command {
    /// Whether it concerns only the screen and the files sentui writes, never the deployment:
    /// the session carries these out itself (a replay too).
    pub fn is_the_viewers(&self) -> bool {
        matches!(
            self,
            Command::Screenshot | Command::SaveLog | Command::PostMortem | Command::Suspend
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_resume_is_unpause() {
        for a in Action::ALL {
            assert_eq!(a.name().parse::<Action>(), Ok(a));
        }
        assert_eq!("Resume".parse::<Action>(), Ok(Action::Unpause));
        let err = "freeze".parse::<Action>().unwrap_err();
        assert!(err.contains("pause, unpause"), "{err}");
    }

    #[test]
    fn only_pause_stop_and_partition_have_an_undo() {
        assert_eq!(Action::Pause.undo(), Some(Action::Unpause));
        assert_eq!(Action::Stop.undo(), Some(Action::Start));
        assert_eq!(Action::Partition.undo(), Some(Action::Heal));
        assert_eq!(Action::Heal.undo(), None);
        assert!(Action::Partition.is_fault() && !Action::Heal.is_fault());
        assert!(Action::RestartEmpty.is_fault(), "it starts the stopwatch");
        // Outside a lab, everything that can hurt asks first; undoing does not.
        for a in Action::ALL {
            let undoes = matches!(a, Action::Unpause | Action::Start | Action::Heal);
            assert_eq!(a.needs_consent(), !undoes, "{a}");
        }
        assert_eq!(
            Action::RestartEmpty.undo(),
            None,
            "its data does not come back"
        );
        assert_eq!("restart-empty".parse::<Action>(), Ok(Action::RestartEmpty));
        assert_eq!(Action::Failover.undo(), None);
        assert_eq!(
            "failover-coordinated".parse::<Action>(),
            Ok(Action::FailoverCoordinated)
        );
        assert!(!Action::FailoverCoordinated.on_node());
        assert_eq!(
            Action::FailoverCoordinated.failover_kind(),
            Some(FailoverKind::Coordinated)
        );
        assert_eq!(Action::Restart.undo(), None);
    }

    #[test]
    fn commands_keep_their_recorded_spelling() {
        let c = Command::Control {
            action: Action::Pause,
            addr: "127.0.0.1:6379".parse().unwrap(),
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"command":"control","action":"pause","addr":"127.0.0.1:6379"}"#
        );
        let f = |kind| Command::Failover {
            group: "g".into(),
            sentinels: vec![],
            kind,
        };
        let classic = r#"{"command":"failover","group":"g","sentinels":[]}"#;
        assert_eq!(
            serde_json::to_string(&f(FailoverKind::Classic)).unwrap(),
            classic
        );
        assert_eq!(
            serde_json::to_string(&f(FailoverKind::Coordinated)).unwrap(),
            r#"{"command":"failover","group":"g","sentinels":[],"kind":"coordinated"}"#
        );
        assert_eq!(
            serde_json::from_str::<Command>(classic).unwrap(),
            f(FailoverKind::Classic)
        );
    }
}
