//! What went wrong talking to the Docker engine, for a person.

/// What went wrong talking to the Docker engine, said for a person: which engine, and what to
/// do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DockerError {
    #[error(
        "the Docker engine is not reachable ({0}); is it running? (DOCKER_HOST selects another engine)"
    )]
    Unreachable(String),
    #[error(
        "permission denied talking to the Docker engine ({0}); run as a member of the docker group or as root"
    )]
    PermissionDenied(String),
    #[error("{what}: the Docker engine did not answer within {secs}s")]
    Timeout { what: String, secs: u64 },
    /// The engine answered with an error.
    #[error("{what}: {reason}")]
    Refused { what: String, reason: String },
    #[error("a failover is asked of the sentinels, not of a container")]
    NotAContainerAction,
    #[error("a partition changes the container's networks: internal error, use Engine::partition")]
    NetworkAction,
    #[error(
        "{0} has no network of its own for its published port, so leaving the lab's network would cut the host off too; only the lab's Redis nodes can be partitioned (a lab started by an older sentui: `sentui lab down`, then `lab up`)"
    )]
    NotPartitionable(String),
    #[error(
        "{0} is a sentinel: only the lab's Redis nodes can be partitioned (a sentinel's published port is on the lab's network itself, so leaving it would cut the host off too); to take a sentinel away, pause or stop it"
    )]
    SentinelNotPartitionable(String),
    #[error("container {0} is not paused")]
    NotPaused(String),
    #[error("container {0} is already paused")]
    AlreadyPaused(String),
    #[error("container {0} is not partitioned (it is on the lab's network)")]
    NotPartitioned(String),
    #[error("container {0} is already partitioned (it is off the lab's network)")]
    AlreadyPartitioned(String),
    #[error("container {0} is already running")]
    AlreadyRunning(String),
    #[error("container {0} is already stopped")]
    AlreadyStopped(String),
}

impl DockerError {
    /// The container is already as the action would leave it: nothing was done, and nothing
    /// needed doing.
    pub fn already_done(&self) -> bool {
        matches!(
            self,
            DockerError::NotPaused(_)
                | DockerError::AlreadyPaused(_)
                | DockerError::NotPartitioned(_)
                | DockerError::AlreadyPartitioned(_)
                | DockerError::AlreadyRunning(_)
                | DockerError::AlreadyStopped(_)
        )
    }

    /// Reads a bollard error (and the causes behind it) while doing `what`.
    pub fn from_bollard(what: &str, e: &bollard::errors::Error) -> Self {
        let text = with_causes(e);
        if text.contains("Permission denied") || text.contains("permission denied") {
            return DockerError::PermissionDenied(text);
        }
        if text.contains("No such file")
            || text.contains("Socket not found")
            || text.contains("onnection refused")
            || text.contains("onnection reset")
            || text.contains("roken pipe")
            || text.contains("error trying to connect")
        {
            return DockerError::Unreachable(text);
        }
        DockerError::Refused {
            what: what.to_string(),
            reason: text,
        }
    }
}

/// The labs, which speak in sentences, take these as they are said.
impl From<DockerError> for String {
    fn from(e: DockerError) -> String {
        e.to_string()
    }
}

/// Explains a bollard error for a person (see [`DockerError`]).
pub fn explain(e: &bollard::errors::Error) -> String {
    DockerError::from_bollard("talking to the Docker engine", e).to_string()
}

/// The error and the causes behind it: bollard's own text can hide the one that tells what
/// happened ("client error (Connect)" over "No such file or directory").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cause = c.source();
    }
    text
}
