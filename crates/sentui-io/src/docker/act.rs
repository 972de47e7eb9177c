//! Acting on a container: pause, unpause, stop, start, restart; partition and heal (its lab
//! network); restart it with its data emptied.

use super::{
    CALL_TIMEOUT, ComposeContainer, DockerError, Engine, LAB_NETWORK, bounded, project_network,
    short_id,
};
use bollard::models::{EndpointSettings, NetworkConnectRequest, NetworkDisconnectRequest};
use bollard::query_parameters::{
    RestartContainerOptions, StartContainerOptions, StopContainerOptions,
};
use std::time::Duration;

impl Engine {
    pub async fn act(
        &self,
        id: &str,
        action: sentui_model::action::Action,
    ) -> Result<(), DockerError> {
        use sentui_model::action::Action;
        let what = format!("{} container {}", action.verb_present(), short_id(id));
        match action {
            Action::Failover | Action::FailoverCoordinated => Err(DockerError::NotAContainerAction),
            Action::Partition | Action::Heal => Err(DockerError::NetworkAction),
            Action::RestartEmpty => Err(DockerError::NetworkAction),
            Action::Pause => self.pause(id, &what).await,
            Action::Unpause => match bounded(&what, self.docker.unpause_container(id)).await {
                // Docker says so in a 500 with its own wording: say it plainly.
                Err(DockerError::Refused { reason, .. }) if reason.contains("is not paused") => {
                    Err(DockerError::NotPaused(short_id(id)))
                }
                other => other,
            },
            Action::Stop => {
                bounded(
                    &what,
                    self.docker.stop_container(id, None::<StopContainerOptions>),
                )
                .await
            }
            Action::Start => {
                bounded(
                    &what,
                    self.docker
                        .start_container(id, None::<StartContainerOptions>),
                )
                .await
            }
            Action::Restart => {
                bounded(
                    &what,
                    self.docker
                        .restart_container(id, None::<RestartContainerOptions>),
                )
                .await
            }
        }
    }

    /// runc's freezer gives up when a process is caught in the kernel ("unable to freeze"),
    /// which a loaded machine sees now and then: one more try.
    async fn pause(&self, id: &str, what: &str) -> Result<(), DockerError> {
        match bounded(what, self.docker.pause_container(id)).await {
            Err(DockerError::Refused { reason, .. }) if reason.contains("is already paused") => {
                Err(DockerError::AlreadyPaused(short_id(id)))
            }
            Err(DockerError::Refused { reason, .. }) if reason.contains("unable to freeze") => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                bounded(what, self.docker.pause_container(id)).await
            }
            other => other,
        }
    }

    /// Partitions (`cut`) or heals a node of `project`: takes its container off the lab's
    /// network, or connects it again under its service name (the alias the others resolve).
    /// Its own edge network keeps its published port either way.
    pub async fn partition(
        &self,
        c: &ComposeContainer,
        project: &str,
        cut: bool,
    ) -> Result<(), DockerError> {
        if let Some(refused) = c.partition_refusal(project) {
            return Err(refused);
        }
        let network = project_network(project, LAB_NETWORK);
        if cut {
            let what = format!("disconnecting {} from {network}", c.name);
            let req = NetworkDisconnectRequest {
                container: c.id.clone(),
                force: Some(false),
            };
            match bounded(&what, self.docker.disconnect_network(&network, req)).await {
                // The engine's "is not connected to network" (403): said plainly.
                Err(DockerError::Refused { reason, .. }) if reason.contains("not connected") => {
                    Err(DockerError::AlreadyPartitioned(c.name.clone()))
                }
                other => other,
            }
        } else {
            let what = format!("connecting {} to {network}", c.name);
            let req = NetworkConnectRequest {
                container: c.id.clone(),
                endpoint_config: Some(EndpointSettings {
                    aliases: Some(vec![c.service.clone()]),
                    ..EndpointSettings::default()
                }),
            };
            match bounded(&what, self.docker.connect_network(&network, req)).await {
                // The engine's "endpoint with name ... already exists" (403): said plainly.
                Err(DockerError::Refused { reason, .. }) if reason.contains("already exists") => {
                    Err(DockerError::NotPartitioned(c.name.clone()))
                }
                other => other,
            }
        }
    }

    /// Restarts a node's container with its data emptied, as a server without persistence
    /// that crashed: its data directory (`/data`, a volume) emptied from inside, the container
    /// killed (SIGKILL: no save on the way out) and started again. Returns when it was killed
    /// (unix ms): when the fault took effect.
    pub async fn restart_empty(&self, c: &ComposeContainer) -> Result<u64, DockerError> {
        if c.is_sentinel() {
            return Err(DockerError::Refused {
                what: format!("restarting {} empty", c.name),
                reason: "a sentinel keeps its state in its config file; restart-empty is for Redis nodes".into(),
            });
        }
        self.empty_data(c).await?;
        let what = format!("killing {}", c.name);
        let kill = bollard::query_parameters::KillContainerOptionsBuilder::default()
            .signal("KILL")
            .build();
        // SIGKILL takes effect at once; the engine answers once the container is gone.
        let killed = crate::link::now_ms();
        bounded(&what, self.docker.kill_container(&c.id, Some(kill))).await?;
        let what = format!("starting {}", c.name);
        bounded(
            &what,
            self.docker
                .start_container(&c.id, None::<StartContainerOptions>),
        )
        .await?;
        Ok(killed)
    }

    /// Empties a node's data directory from inside its container, and waits for it to be done.
    async fn empty_data(&self, c: &ComposeContainer) -> Result<(), DockerError> {
        use bollard::exec::{CreateExecOptions, StartExecOptions};
        let what = format!("emptying /data of {}", c.name);
        let exec = bounded(
            &what,
            self.docker.create_exec(
                &c.id,
                CreateExecOptions::<String> {
                    cmd: Some(vec![
                        "sh".into(),
                        "-c".into(),
                        "rm -rf /data/dump.rdb /data/appendonlydir /data/appendonly.aof".into(),
                    ]),
                    ..Default::default()
                },
            ),
        )
        .await?;
        let opts = StartExecOptions {
            detach: true,
            ..Default::default()
        };
        bounded(&what, self.docker.start_exec(&exec.id, Some(opts))).await?;
        // Detached: done when the engine says the command has exited.
        let deadline = tokio::time::Instant::now() + CALL_TIMEOUT;
        loop {
            let i = bounded(&what, self.docker.inspect_exec(&exec.id)).await?;
            if i.running != Some(true) {
                if i.exit_code.unwrap_or(0) != 0 {
                    return Err(DockerError::Refused {
                        what,
                        reason: format!("rm exited with {:?}", i.exit_code),
                    });
                }
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(DockerError::Timeout {
                    what,
                    secs: CALL_TIMEOUT.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }
}
