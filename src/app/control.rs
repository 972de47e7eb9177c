//! Keys that act on the deployment: pause (`p`), stop (`s`), partition (`n`), failover (`f`)
//! and the write probe (`w`). What cannot be done here is refused at once, with why; what
//! breaks a group asks first (the Confirm mode), and y carries it out.

use super::{App, Pending, ProbePanel};
use sentui_model::action::{Action as ControlAction, Command, FailoverKind};
use sentui_model::{Addr, ReachState};

impl App {
    /// The user said y to `pending`.
    pub(super) fn confirmed(&mut self, pending: Pending, kind: FailoverKind) -> Vec<Command> {
        match pending {
            Pending::Failover { group, .. } => {
                let how = if kind.is_coordinated() {
                    "a coordinated failover of"
                } else {
                    "a failover of"
                };
                self.set_status(format!("asking the sentinels for {how} {group}..."), false);
                let sentinels = self.sentinels_to_ask(self.shown(), &group);
                vec![Command::Failover {
                    group,
                    sentinels,
                    kind,
                }]
            }
            Pending::Control(action, addr) => {
                self.set_status(format!("{} {addr}...", action.verb_present()), false);
                vec![Command::Control { action, addr }]
            }
        }
    }

    /// `group`'s sentinels as `d` knows them, those that answer first.
    fn sentinels_to_ask(&self, d: &sentui_model::state::Deployment, group: &str) -> Vec<Addr> {
        let mut sentinels = d.view(group, self.now).sentinels;
        sentinels.sort_by_key(|s| s.reach != ReachState::Ok);
        sentinels.into_iter().map(|s| s.addr).collect()
    }

    fn ask(&mut self, question: String, pending: Pending) {
        self.set_status(question, false);
        self.layers.confirm = Some(pending);
    }

    pub(super) fn ask_failover(&mut self) {
        if self.setup.read_only {
            self.set_status("read-only: control actions are disabled", true);
        } else if let Some(g) = self.group() {
            // Valkey 9 takes a coordinated one (the master reports master_failover_state and
            // every sentinel is Valkey 9): offered beside the classic one.
            let coordinated = self.shown().offers_coordinated_failover(&g);
            let question = if coordinated {
                format!(
                    "fail over {g} now? y classic, c coordinated (Valkey 9: no acknowledged write lost), any other key cancels"
                )
            } else {
                format!("fail over {g} now? y to confirm, any other key cancels")
            };
            self.ask(
                question,
                Pending::Failover {
                    group: g,
                    coordinated,
                },
            );
        }
    }

    pub(super) fn toggle_probe(&mut self) -> Vec<Command> {
        match self.probe {
            ProbePanel::Running => {
                self.probe = ProbePanel::Stopped;
                self.set_status("stopping the probe: reading back its writes...", false);
                vec![Command::StopProbe]
            }
            ProbePanel::Stopped => {
                self.probe = ProbePanel::Hidden;
                Vec::new()
            }
            ProbePanel::Hidden if self.setup.read_only => {
                self.set_status("read-only: the write probe is disabled", true);
                Vec::new()
            }
            ProbePanel::Hidden => {
                let Some(group) = self.group() else {
                    self.set_status("no master group to write to", true);
                    return Vec::new();
                };
                let sentinels = self.sentinels_to_ask(&self.live, &group);
                self.probe = ProbePanel::Running;
                self.set_status(format!("starting the write probe on {group}..."), false);
                vec![Command::StartProbe { group, sentinels }]
            }
        }
    }

    pub(super) fn toggle_stop(&mut self) {
        let stopped = self.selected_is_stopped();
        self.ask_on_selected(if stopped {
            ControlAction::Start
        } else {
            ControlAction::Stop
        });
    }

    /// Partition or heal the selected node, after a `y` (like a stop: it breaks the group).
    pub(super) fn toggle_partition(&mut self) {
        let partitioned = self.selected_is_partitioned();
        self.ask_on_selected(if partitioned {
            ControlAction::Heal
        } else {
            ControlAction::Partition
        });
    }

    /// The selected endpoint, if `action` can be done to it; else says why not.
    fn target_of(&mut self, action: ControlAction) -> Option<Addr> {
        let Some(addr) = self.selected_addr() else {
            self.set_status("nothing selected", true);
            return None;
        };
        if let Some(why) = self.refusal(action, &addr) {
            self.set_status(why, true);
            return None;
        }
        // The selection stays on this node through a failover, so the same key undoes it.
        self.selected = Some(addr.clone());
        Some(addr)
    }

    /// Asks to confirm `action` on the selected node, unless it cannot be done there.
    fn ask_on_selected(&mut self, action: ControlAction) {
        let Some(addr) = self.target_of(action) else {
            return;
        };
        let question = format!(
            "{} {addr}? y to confirm, any other key cancels",
            action.name()
        );
        self.ask(question, Pending::Control(action, addr));
    }

    pub(super) fn toggle_pause(&mut self) -> Vec<Command> {
        let action = if self.selected_is_paused() {
            ControlAction::Unpause
        } else {
            ControlAction::Pause
        };
        let Some(addr) = self.target_of(action) else {
            return Vec::new();
        };
        if action == ControlAction::Pause && self.setup.outside_lab {
            let question =
                format!("pause {addr}? not a sentui lab: y to confirm, any other key cancels");
            self.ask(question, Pending::Control(action, addr));
            return Vec::new();
        }
        self.set_status(format!("{} {addr}...", action.verb_present()), false);
        vec![Command::Control { action, addr }]
    }

    /// Why `action` cannot be done to `addr` in this session, if it cannot: read-only; stop,
    /// start, partition and heal on local processes (they need a container, and the Docker
    /// lab's networks); on a Docker lab, anything but the project's containers, and a partition
    /// of a sentinel (it has no network of its own for its published port).
    fn refusal(&self, action: ControlAction, addr: &Addr) -> Option<String> {
        use ControlAction as A;
        if self.setup.read_only {
            return Some("read-only: control actions are disabled".into());
        }
        if !self.setup.containers {
            return self.needs_a_container(action);
        }
        let container = self
            .live
            .nodes()
            .get(addr)
            .and_then(|n| n.container.as_ref())
            .or_else(|| self.live.sentinels().get(addr)?.container.as_ref());
        if container.is_none() {
            return Some(match self.live.docker_unreachable_since() {
                Some(_) => format!(
                    "the Docker engine is not reachable: {addr} cannot be {} now",
                    action.verb()
                ),
                None => format!(
                    "{addr} is not a container of the compose project; sentui will not touch it"
                ),
            });
        }
        if matches!(action, A::Partition | A::Heal) && self.is_sentinel(addr) {
            return Some(format!(
                "{addr} is a sentinel: only the lab's Redis nodes can be partitioned (a sentinel has no network of its own for its published port)"
            ));
        }
        None
    }

    /// Why `action` cannot be done to a local process, if it cannot.
    fn needs_a_container(&self, action: ControlAction) -> Option<String> {
        let verb = action.verb_present();
        match action {
            ControlAction::Stop | ControlAction::Start => Some(format!(
                "{verb} needs a container (Docker lab, --compose-project); a local process can be paused and resumed (p)"
            )),
            ControlAction::Partition | ControlAction::Heal => Some(format!(
                "{verb} needs the Docker lab's networks (--compose-project): local processes share this machine's network"
            )),
            _ => None,
        }
    }
}
