//! What went wrong bringing the Docker lab up or down, said for a person.

use super::ComposeTool;
use crate::docker::DockerError;
use crate::lab::agree::NotAgreed;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A lab file or directory: what was done to which.
    #[error("cannot {action} {}: {source}", path.display())]
    Fs {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{env}='{value}' is neither `docker compose` nor `docker-compose`", env = ComposeTool::ENV)]
    Env { value: String },
    #[error(
        "{env}={name} but `{name} version` does not run: it is not installed (scripts/install-deps installs both)",
        env = ComposeTool::ENV,
        name = .0.name()
    )]
    ToolMissing(ComposeTool),
    #[error(
        "neither `docker compose` nor `docker-compose` works here; install Docker Compose (scripts/install-deps does), or use `--local`"
    )]
    NoTool,
    #[error("cannot run {program}: {source}")]
    Run {
        program: String,
        source: std::io::Error,
    },
    /// The compose tool ran and failed: the command and the end of what it said.
    #[error("`{command}` failed:\n{tail}")]
    Failed { command: String, tail: String },
    #[error("{official} cannot be pulled and the offline image could not be built:\n{stderr}")]
    OfflineImage { official: String, stderr: String },
    #[error("the lab did not become healthy within {secs}s ({last})")]
    NotHealthy { secs: u64, last: String },
    #[error(
        "no lab named '{0}': the Docker engine has no container, network or volume of that compose project"
    )]
    NoLab(String),
    #[error(
        "compose project '{project}' was not started by `sentui lab up` ({from}); sentui will not remove it"
    )]
    Foreign { project: String, from: String },
    #[error("compose down left: {}", .0.join(", "))]
    LeftOver(Vec<String>),
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(transparent)]
    NotAgreed(#[from] NotAgreed),
}

impl ComposeError {
    pub(super) fn fs(action: &'static str, path: &Path, source: std::io::Error) -> ComposeError {
        ComposeError::Fs {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `sentui lab` speaks in sentences: it takes these as they are said.
impl From<ComposeError> for String {
    fn from(e: ComposeError) -> String {
        e.to_string()
    }
}
