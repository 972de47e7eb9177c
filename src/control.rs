//! Control actions: pause, resume, stop, start, restart the node behind an address. Containers
//! of the selected compose project go through the Docker API; other nodes on this machine are
//! frozen with SIGSTOP/SIGCONT. Every action reports what it touched, so callers can log it and
//! undo it.

pub mod process;
pub mod sentinel;

use crate::collect::link::SharedMap;
use crate::docker::{ComposeContainer, Engine};
use crate::model::Addr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// What an action did, for the log, the status line and the undo list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub action: Action,
    pub addr: Addr,
    /// `pid 1234, redis-server` or `container lab-redis-master-1`.
    pub target: String,
}

impl Effect {
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.action.verb(), self.addr, self.target)
    }
}

/// The compose project sentui may touch (and nothing else).
#[derive(Clone)]
pub struct DockerScope {
    pub engine: Engine,
    pub project: String,
}

impl std::fmt::Debug for DockerScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DockerScope({})", self.project)
    }
}

impl DockerScope {
    /// The project's container behind an announced address, or named `name` (service or
    /// container name).
    pub async fn find(
        &self,
        addr: Option<&Addr>,
        name: Option<&str>,
    ) -> Result<Option<ComposeContainer>, String> {
        let containers = self.engine.project(&self.project).await?;
        let d = crate::docker::discover(&containers);
        if let Some(a) = addr {
            if let Some(c) = d.members.get(a) {
                return Ok(Some(c.clone()));
            }
            // Another announced form of the same container (its name or IP).
            let reach = d.map.reachable(a);
            if let Some((_, c)) = d
                .members
                .iter()
                .find(|(announced, _)| d.map.reachable(announced) == reach && d.map.contains(a))
            {
                return Ok(Some(c.clone()));
            }
        }
        if let Some(n) = name {
            return Ok(containers
                .into_iter()
                .find(|c| c.service == n || c.name == n));
        }
        Ok(None)
    }
}

#[derive(Clone)]
pub struct Controller {
    pub map: SharedMap,
    pub docker: Option<DockerScope>,
    pub read_only: bool,
}

impl Controller {
    pub fn new(map: SharedMap, docker: Option<DockerScope>, read_only: bool) -> Self {
        Controller {
            map,
            docker,
            read_only,
        }
    }

    /// Carries out `action` on the node announced as `addr`.
    pub async fn apply(&self, action: Action, addr: &Addr) -> Result<Effect, String> {
        if self.read_only {
            return Err("read-only: control actions are disabled".into());
        }
        // A stopped container publishes no port: it is found by its announced name then.
        if let Some(scope) = &self.docker
            && let Some(c) = scope.find(Some(addr), Some(&addr.host)).await?
        {
            scope.engine.act(&c.id, action).await?;
            return Ok(Effect {
                action,
                addr: addr.clone(),
                target: format!("container {}", c.name),
            });
        }
        if self.map.contains(addr) {
            let scope = self
                .docker
                .as_ref()
                .map(|d| format!(" of compose project '{}'", d.project))
                .unwrap_or_default();
            return Err(format!(
                "{addr} is behind an address map and is not a container{scope}; sentui will not touch it"
            ));
        }
        let map = self.map.clone();
        let addr = addr.clone();
        tokio::task::spawn_blocking(move || local(action, &addr, &map))
            .await
            .map_err(|e| format!("control task failed: {e}"))?
    }
}

/// SIGSTOP/SIGCONT of the local process listening on the node's port.
fn local(action: Action, addr: &Addr, map: &SharedMap) -> Result<Effect, String> {
    let sig = match action {
        Action::Pause => libc::SIGSTOP,
        Action::Unpause => libc::SIGCONT,
        other => {
            return Err(format!(
                "{} needs a container (Docker lab, --compose-project); a local process can be paused and resumed",
                other.verb_present()
            ));
        }
    };
    let reach = map.reachable(addr);
    if !reach.is_loopback() {
        return Err(format!(
            "{addr} is not on this machine ({reach}); sentui can only freeze local processes here"
        ));
    }
    let proc = process::find_listener(reach.port)?
        .ok_or_else(|| format!("nothing listens on port {} of this machine", reach.port))?;
    process::signal(proc.pid, sig)?;
    Ok(Effect {
        action,
        addr: addr.clone(),
        target: format!("pid {}, {}", proc.pid, proc.name),
    })
}
