//! What went wrong starting or stopping a local lab, said for a person.

use super::{MAX_GROUPS, STATE_FILE};
use crate::lab::agree::NotAgreed;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

/// The labs that do run, and how to stop each.
fn elsewhere(labs: &[PathBuf]) -> String {
    match labs {
        [] => String::new(),
        labs => {
            let each: Vec<String> = labs
                .iter()
                .map(|d| format!("`sentui lab down --local --dir {}`", d.display()))
                .collect();
            format!(
                "; {} running elsewhere: {}",
                if labs.len() == 1 {
                    "a local lab is"
                } else {
                    "local labs are"
                },
                each.join(", ")
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("no local lab in {}", .0.display())]
    NoLab(PathBuf),
    #[error("no local lab in {} (no {STATE_FILE} there): nothing to stop{}", .0.display(), elsewhere(.1))]
    NothingToStop(PathBuf, Vec<PathBuf>),
    /// A file, directory or program the lab needs: what was done to which.
    #[error("cannot {action} {}: {source}", path.display())]
    Fs {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the lab state in {}: {source}", dir.display())]
    SaveState {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error("--server-bin {}: no such file", .0.display())]
    NoSuchServer(PathBuf),
    #[error(
        "neither redis-server nor valkey-server is on PATH: install one (Debian/Ubuntu: apt-get install redis-server redis-tools) or name it with --server-bin"
    )]
    NoServerOnPath,
    #[error("{} is not a Redis-compatible server: `--version` did not finish within 5 s", .0.display())]
    VersionTimeout(PathBuf),
    #[error("{p} is not a Redis-compatible server: `{p} --version` printed '{said}'", p = path.display())]
    NotAServer { path: PathBuf, said: String },
    #[error("cannot find a free port{}", .0.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    NoFreePort(Option<std::io::Error>),
    #[error(transparent)]
    Io(std::io::Error),
    #[error("a lab runs 1 to {MAX_GROUPS} groups, not {0}")]
    Groups(u16),
    #[error("{} exited with {status}; see {}", server.display(), log.display())]
    Exited {
        server: PathBuf,
        status: ExitStatus,
        log: PathBuf,
    },
    #[error("redis did not start; see {}", .0.display())]
    DidNotStart(PathBuf),
    #[error(transparent)]
    NotAgreed(#[from] NotAgreed),
    #[error("the TLS lab makes its certificates with the openssl command, which failed: {0}")]
    Certificates(String),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error("could not stop {}; the lab's directory {} is kept", survivors.join(", "), dir.display())]
    NotStopped {
        survivors: Vec<String>,
        dir: PathBuf,
    },
}

impl LabError {
    pub(super) fn fs(action: &'static str, path: &Path, source: std::io::Error) -> LabError {
        LabError::Fs {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `sentui lab` speaks in sentences: it takes these as they are said.
impl From<LabError> for String {
    fn from(e: LabError) -> String {
        e.to_string()
    }
}
