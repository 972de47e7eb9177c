//! The server a local lab runs, and what it says it is.

use super::{LabError, ServerBinary};
use sentui_model::info::ServerVersion;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The server the lab runs: `explicit` (`--server-bin`), else redis-server on PATH, else
/// valkey-server. It must say it is a Redis or Valkey server when asked `--version`.
pub async fn server_binary(explicit: Option<&Path>) -> Result<ServerBinary, LabError> {
    let path = match explicit {
        Some(p) if p.is_file() => p.to_path_buf(),
        Some(p) => return Err(LabError::NoSuchServer(p.to_path_buf())),
        None => on_path().ok_or(LabError::NoServerOnPath)?,
    };
    let run = tokio::process::Command::new(&path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = match tokio::time::timeout(Duration::from_secs(5), run).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(LabError::fs("run", &path, e)),
        Err(_) => return Err(LabError::VersionTimeout(path)),
    };
    let said = String::from_utf8_lossy(&out.stdout);
    match ServerVersion::from_version_output(&said) {
        Some(server) if out.status.success() => Ok(ServerBinary { path, server }),
        _ => Err(LabError::NotAServer {
            said: said.lines().next().unwrap_or("").trim().to_string(),
            path,
        }),
    }
}

/// redis-server on PATH, else valkey-server.
fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["redis-server", "valkey-server"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
