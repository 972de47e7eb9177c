//! Where leases live: one JSON file a lease in a directory of the user's own (mode 0700), read
//! by the guards that hold them, by the sentui that granted them and by `status`. Files are
//! replaced by rename, so a reader sees a whole lease or none.

use sentui_model::lease::{Lease, LeaseTarget};
use std::path::{Path, PathBuf};

/// The directory's override, for tests and for users who keep state elsewhere.
pub const DIR_ENV: &str = "SENTUI_LEASE_DIR";

#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("cannot use the lease directory {dir}: {reason}")]
    Dir { dir: PathBuf, reason: String },
    #[error("cannot write lease {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("cannot start the guard that holds the lease ({exe}): {reason}")]
    Guard { exe: PathBuf, reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseStore {
    dir: PathBuf,
}

impl LeaseStore {
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        LeaseStore { dir: dir.into() }
    }

    /// `$SENTUI_LEASE_DIR`, else `$XDG_RUNTIME_DIR/sentui/leases`, else
    /// `/tmp/sentui-<uid>/leases`: the same place for every sentui of this user, so `status`
    /// sees the leases the TUI, a drill or `ctl` holds.
    pub fn default_location() -> Self {
        if let Some(d) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
            return LeaseStore::at(d);
        }
        if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
            return LeaseStore::at(Path::new(&d).join("sentui").join("leases"));
        }
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        LeaseStore::at(format!("/tmp/sentui-{uid}/leases"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Creates the directory, readable by this user only (a lease names what a guard will
    /// signal: nobody else may write one).
    pub fn ensure(&self) -> Result<(), LeaseError> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let err = |e: std::io::Error| LeaseError::Dir {
            dir: self.dir.clone(),
            reason: e.to_string(),
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(err)?;
        let meta = std::fs::metadata(&self.dir).map_err(err)?;
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != uid || meta.permissions().mode() & 0o022 != 0 {
            return Err(LeaseError::Dir {
                dir: self.dir.clone(),
                reason: "it belongs to another user or others may write to it".into(),
            });
        }
        Ok(())
    }

    /// Writes the lease whole (a temporary file renamed over the old one).
    pub fn write(&self, lease: &Lease) -> Result<PathBuf, LeaseError> {
        let path = self.path_of(&lease.id);
        let tmp = self.dir.join(format!(".{}.tmp", lease.id));
        let err = |e: std::io::Error| LeaseError::Write {
            path: path.clone(),
            reason: e.to_string(),
        };
        let body = serde_json::to_vec_pretty(lease).map_err(|e| LeaseError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        std::fs::write(&tmp, body).map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        Ok(path)
    }

    /// The lease in `path`; None when it is gone (released) or unreadable.
    pub fn read_path(path: &Path) -> Option<Lease> {
        let text = std::fs::read(path).ok()?;
        serde_json::from_slice(&text).ok()
    }

    pub fn read(&self, id: &str) -> Option<Lease> {
        Self::read_path(&self.path_of(id))
    }

    /// Removes a lease: its guard sees it gone and exits without touching anything.
    pub fn remove(&self, id: &str) {
        let _ = std::fs::remove_file(self.path_of(id));
    }

    /// Every lease in the directory (none when there is no directory yet).
    pub fn list(&self) -> Vec<Lease> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut leases: Vec<Lease> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| Self::read_path(&p))
            .collect();
        leases.sort_by_key(|l| l.granted_at);
        leases
    }

    /// Removes the leases on containers of `project` (its lab was taken down): their guards
    /// exit without a revert that could only fail.
    pub fn forget_project(&self, project: &str) -> usize {
        let mut n = 0;
        for l in self.list() {
            if matches!(&l.target, LeaseTarget::Container { project: p, .. } if p == project) {
                self.remove(&l.id);
                n += 1;
            }
        }
        n
    }

    /// The guards' log: what each one decided and did, one line each.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("guard.log")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentui_model::action::Action;
    use sentui_model::lease::ProcessId;

    #[test]
    fn leases_round_trip_and_are_listed_oldest_first() {
        let tmp = tempfile::tempdir().unwrap();
        let store = LeaseStore::at(tmp.path().join("leases"));
        store.ensure().unwrap();
        assert!(store.list().is_empty());
        let mk = |id: &str, at| Lease {
            id: id.into(),
            action: Action::Pause,
            addr: "127.0.0.1:6379".parse().unwrap(),
            target: LeaseTarget::Process {
                process: ProcessId { pid: 1, start: 1 },
                name: "redis-server".into(),
            },
            deployment: "sentinels 127.0.0.1:26379".into(),
            granted_at: at,
            expires_at: at + 1000,
            owner: None,
            guard: None,
            ended: None,
        };
        store.write(&mk("b", 20)).unwrap();
        store.write(&mk("a", 10)).unwrap();
        let ids: Vec<String> = store.list().into_iter().map(|l| l.id).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(store.read("a").unwrap().granted_at, 10);
        store.remove("a");
        assert!(store.read("a").is_none());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.dir()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
