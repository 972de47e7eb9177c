//! Control actions: pause, resume, stop, start, restart, partition and heal the node behind an
//! address. Containers of the selected compose project go through the Docker API (a partition
//! through its networks); other nodes on this machine are frozen with SIGSTOP/SIGCONT. Every action reports what it touched, so callers can log it and
//! undo it.

pub mod failover;
pub mod restart;

use crate::docker::{DockerError, DockerScope};
use crate::link::SharedMap;
use crate::link::now_ms;
use crate::procfs::{self, ProcError};
pub use sentui_model::action::Action;
use sentui_model::lease::LeaseTarget;
use sentui_model::state::ContainerState;
use sentui_model::{Addr, Millis};

/// How long a signalled process may take to be seen in its new state.
const SIGNAL_SETTLE: std::time::Duration = std::time::Duration::from_millis(200);

/// What an action did, for the log, the status line and the undo list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub action: Action,
    pub addr: Addr,
    /// `pid 1234, redis-server` or `container lab-redis-master-1`.
    pub target: String,
    /// When it took effect: the moment the signal or the Docker call returned.
    pub at: Millis,
}

impl Effect {
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.action.verb(), self.addr, self.target)
    }
}

/// Why an action was not carried out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("read-only: control actions are disabled")]
    ReadOnly,
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error("{addr} is behind an address map and is not a container; sentui will not touch it")]
    Mapped { addr: Addr },
    #[error("{addr} is not on this machine ({reach}); sentui can only freeze local processes here")]
    NotLocal { addr: Addr, reach: Addr },
    #[error("nothing listens on port {0} of this machine")]
    NoListener(u16),
    #[error(
        "pid {pid} ({name}) listens on port {port} but is not a Redis or Valkey server or sentinel; sentui will not signal it"
    )]
    NotAServer { pid: i32, name: String, port: u16 },
    #[error("{addr} is not a container of compose project '{project}'; sentui will not touch it")]
    NotInProject { addr: Addr, project: String },
    #[error("{0} is not paused")]
    NotPaused(String),
    #[error(transparent)]
    Proc(#[from] ProcError),
    #[error(
        "{0} needs a container (Docker lab, --compose-project); a local process can be paused and resumed"
    )]
    NeedsContainer(&'static str),
    #[error(
        "{0} needs the Docker lab's networks (--compose-project): local processes share this machine's network with every other node and sentinel, so nothing can cut one off while clients still reach it"
    )]
    NeedsNetworks(&'static str),
    #[error("control task failed: {0}")]
    Task(String),
    #[error("restarting empty: {0}")]
    Restart(String),
}

/// Said once, where it is shown.
impl From<ControlError> for String {
    fn from(e: ControlError) -> String {
        e.to_string()
    }
}

#[derive(Clone)]
pub struct Controller {
    pub map: SharedMap,
    pub docker: Option<DockerScope>,
    pub read_only: bool,
    /// The deployment is a lab sentui started (a compose project from `lab up`, or a local lab's
    /// processes): faults need no confirmation there.
    pub in_lab: bool,
    /// More executable names to accept as servers (the basename of `--server-bin`).
    pub server_names: Vec<String>,
}

impl Controller {
    pub fn new(map: SharedMap, docker: Option<DockerScope>, read_only: bool) -> Self {
        Controller {
            map,
            docker,
            read_only,
            in_lab: false,
            server_names: Vec::new(),
        }
    }

    /// Carries out `action` on the node announced as `addr`.
    pub async fn apply(&self, action: Action, addr: &Addr) -> Result<Effect, ControlError> {
        if self.read_only {
            return Err(ControlError::ReadOnly);
        }
        // A stopped container publishes no port: it is found by its announced name then.
        if let Some(scope) = &self.docker
            && let Some(c) = scope.find(Some(addr), Some(&addr.host)).await?
        {
            // A restart-empty took effect when the node went down, not when it came back.
            let mut at = None;
            if matches!(action, Action::Partition | Action::Heal) {
                let cut = action == Action::Partition;
                scope.engine.partition(&c, &scope.project, cut).await?;
            } else if action == Action::RestartEmpty {
                at = Some(scope.engine.restart_empty(&c).await?);
            } else if action == Action::Start && c.state == ContainerState::Running {
                return Err(DockerError::AlreadyRunning(c.name.clone()).into());
            } else if action == Action::Stop && c.state.is_stopped() {
                return Err(DockerError::AlreadyStopped(c.name.clone()).into());
            } else {
                // Said with the container's name, not Docker's id.
                scope.engine.act(&c.id, action).await.map_err(|e| match e {
                    DockerError::NotPaused(_) => DockerError::NotPaused(c.name.clone()),
                    DockerError::AlreadyPaused(_) => DockerError::AlreadyPaused(c.name.clone()),
                    other => other,
                })?;
            }
            return Ok(Effect {
                action,
                addr: addr.clone(),
                target: format!("container {}", c.name),
                at: at.unwrap_or_else(now_ms),
            });
        }
        // Scoped to a project: what is not its container is not ours, even if it runs here.
        if let Some(scope) = &self.docker {
            return Err(ControlError::NotInProject {
                addr: addr.clone(),
                project: scope.project.clone(),
            });
        }
        if self.map.contains(addr) {
            return Err(ControlError::Mapped { addr: addr.clone() });
        }
        let map = self.map.clone();
        let addr = addr.clone();
        let names = self.server_names.clone();
        tokio::task::spawn_blocking(move || local(action, &addr, &map, &names))
            .await
            .map_err(|e| ControlError::Task(e.to_string()))?
    }
}

impl ControlError {
    /// The target is already as the action would leave it (resumed, running, healed, ...):
    /// `ctl` says so and succeeds, whatever the action.
    pub fn already_done(&self) -> bool {
        match self {
            ControlError::NotPaused(_) => true,
            ControlError::Docker(e) => e.already_done(),
            _ => false,
        }
    }
}

impl Controller {
    /// Exactly what `action` on `addr` would touch, found without touching it: the lease
    /// names it, so the revert reaches that process or container and no other. Refuses as
    /// `apply` would (read-only, not a member of the project, not a server, no container).
    pub async fn target(&self, action: Action, addr: &Addr) -> Result<LeaseTarget, ControlError> {
        if self.read_only {
            return Err(ControlError::ReadOnly);
        }
        if let Some(scope) = &self.docker {
            let Some(c) = scope.find(Some(addr), Some(&addr.host)).await? else {
                return Err(ControlError::NotInProject {
                    addr: addr.clone(),
                    project: scope.project.clone(),
                });
            };
            if matches!(action, Action::Partition | Action::Heal)
                && let Some(refused) = c.partition_refusal(&scope.project)
            {
                return Err(refused.into());
            }
            return Ok(LeaseTarget::Container {
                id: c.id,
                name: c.name,
                project: scope.project.clone(),
            });
        }
        if self.map.contains(addr) {
            return Err(ControlError::Mapped { addr: addr.clone() });
        }
        match action {
            Action::Pause | Action::Unpause => {}
            Action::Partition | Action::Heal => {
                return Err(ControlError::NeedsNetworks(action.verb_present()));
            }
            other => return Err(ControlError::NeedsContainer(other.verb_present())),
        }
        let (map, addr, names) = (self.map.clone(), addr.clone(), self.server_names.clone());
        tokio::task::spawn_blocking(move || {
            let p = local_server(&addr, &map, &names)?;
            let process = procfs::identity(p.pid)
                .ok_or(ControlError::NoListener(map.reachable(&addr).port))?;
            Ok(LeaseTarget::Process {
                process,
                name: p.name,
            })
        })
        .await
        .map_err(|e| ControlError::Task(e.to_string()))?
    }
}

/// The local server process behind a node's address: on this machine, listening on the
/// node's port, and a Redis or Valkey server or sentinel.
fn local_server(
    addr: &Addr,
    map: &SharedMap,
    server_names: &[String],
) -> Result<procfs::LocalProcess, ControlError> {
    let reach = map.reachable(addr);
    if !reach.is_loopback() {
        return Err(ControlError::NotLocal {
            addr: addr.clone(),
            reach,
        });
    }
    let proc = procfs::find_listener(reach.port)?.ok_or(ControlError::NoListener(reach.port))?;
    if !procfs::is_server_name(&proc.name, server_names) {
        return Err(ControlError::NotAServer {
            pid: proc.pid,
            name: proc.name,
            port: reach.port,
        });
    }
    Ok(proc)
}

/// SIGSTOP/SIGCONT of the local process listening on the node's port.
fn local(
    action: Action,
    addr: &Addr,
    map: &SharedMap,
    server_names: &[String],
) -> Result<Effect, ControlError> {
    // None: restart-empty, which is no signal.
    let sig = match action {
        Action::Pause => Some(libc::SIGSTOP),
        Action::Unpause => Some(libc::SIGCONT),
        Action::RestartEmpty => None,
        Action::Partition | Action::Heal => {
            return Err(ControlError::NeedsNetworks(action.verb_present()));
        }
        other => return Err(ControlError::NeedsContainer(other.verb_present())),
    };
    let Some(sig) = sig else {
        let reach = map.reachable(addr);
        if !reach.is_loopback() {
            return Err(ControlError::NotLocal {
                addr: addr.clone(),
                reach,
            });
        }
        return restart::local(addr, reach.port, server_names);
    };
    let proc = local_server(addr, map, server_names)?;
    if action == Action::Unpause && procfs::stopped(proc.pid) == Some(false) {
        return Err(ControlError::NotPaused(format!(
            "{addr} (pid {}, {})",
            proc.pid, proc.name
        )));
    }
    procfs::signal(proc.pid, sig)?;
    // A signal is delivered when the process is next scheduled: the action took effect when
    // the process is seen stopped (or running again), moments later.
    procfs::await_stopped(proc.pid, action == Action::Pause, SIGNAL_SETTLE);
    let at = now_ms();
    Ok(Effect {
        action,
        addr: addr.clone(),
        target: format!("pid {}, {}", proc.pid, proc.name),
        at,
    })
}
