//! Control actions: pause, resume, stop, start, restart the node behind an address. Containers
//! of the selected compose project go through the Docker API; other nodes on this machine are
//! frozen with SIGSTOP/SIGCONT. Every action reports what it touched, so callers can log it and
//! undo it.

pub mod failover;

use crate::docker::DockerScope;
use crate::link::SharedMap;
use crate::procfs;
use sentui_model::Addr;
pub use sentui_model::action::Action;

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
    let proc = procfs::find_listener(reach.port)?
        .ok_or_else(|| format!("nothing listens on port {} of this machine", reach.port))?;
    procfs::signal(proc.pid, sig)?;
    Ok(Effect {
        action,
        addr: addr.clone(),
        target: format!("pid {}, {}", proc.pid, proc.name),
    })
}
