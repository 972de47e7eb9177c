//! The guard: a process of its own (`sentui guard LEASE`, started detached in a new session, so
//! neither a closed terminal nor a signal to sentui's process group reaches it) that holds one
//! lease and reverts its fault when the lease runs out or when the sentui that made it is gone,
//! however it went: SIGKILL, an OOM kill, a closed terminal. It then exits. A lease whose file
//! is removed was released by its owner: the guard exits without touching anything.

use crate::docker::{DockerError, Engine};
use crate::lease::{LeaseError, LeaseStore};
use crate::link::now_ms;
use crate::procfs::{self, ProcError};
use sentui_model::action::Action;
use sentui_model::lease::{
    EndReason, GuardDecision, GuardView, Lease, LeaseEnd, LeaseTarget, ProcessId, decide,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the guard looks: a dead owner's fault is reverted within this and the revert.
const LOOK_EVERY: Duration = Duration::from_millis(100);
/// How long a revert may take before the guard says it failed (a Docker call is bounded too).
const REVERT_LIMIT: Duration = Duration::from_secs(30);

/// How long a new guard has to say it holds its lease.
const START_LIMIT: Duration = Duration::from_secs(5);

/// Starts the guard for the lease in `path`: `exe guard PATH`, in a session of its own, with
/// no terminal; its words go to the store's guard log. Returns once the guard has written its
/// identity into the lease (it holds it from then on); an error when it did not.
pub fn spawn(exe: &Path, path: &Path, store: &LeaseStore) -> Result<ProcessId, LeaseError> {
    use std::os::unix::process::CommandExt;
    let err = |reason: String| LeaseError::Guard {
        exe: exe.to_path_buf(),
        reason,
    };
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(store.log_path())
        .map_err(|e| err(format!("cannot open {}: {e}", store.log_path().display())))?;
    let log2 = log.try_clone().map_err(|e| err(e.to_string()))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("guard")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(log2);
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| err(e.to_string()))?;
    let deadline = std::time::Instant::now() + START_LIMIT;
    let held = loop {
        if let Some(g) = LeaseStore::read_path(path).and_then(|l| l.guard) {
            break Ok(g);
        }
        if let Ok(Some(status)) = child.try_wait() {
            break Err(err(format!(
                "it exited ({status}); see {}",
                store.log_path().display()
            )));
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            break Err(err(format!(
                "it did not take the lease within {}s",
                START_LIMIT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Reaped here while this sentui lives; once it is gone, init reaps the guard.
    std::thread::spawn(move || child.wait());
    held
}

/// What the guard says, in its log: when, which guard, what.
fn say(msg: String) {
    eprintln!("{} guard {}: {msg}", now_ms(), std::process::id());
}

/// The guard's main loop; returns the exit status (0 once it let go, 2 when its lease could
/// not be read at start).
pub async fn run(path: PathBuf) -> u8 {
    use tokio::signal::unix::{SignalKind, signal};
    // A hang-up or Ctrl-C meant for sentui's terminal is not for the guard.
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe {
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        say("cannot watch SIGTERM".into());
        return 2;
    };
    let Some(mut lease) = sign(&path) else {
        return 2;
    };
    let mut stop_requested = false;
    loop {
        let view = look(&path, &mut lease, stop_requested);
        match decide(&lease, view) {
            GuardDecision::Hold => {}
            GuardDecision::Released => {
                let why = if view.target_gone {
                    let _ = std::fs::remove_file(&path);
                    format!("{} is gone, nothing to hold", lease.target.describe())
                } else {
                    "released".to_string()
                };
                say(format!("{why}: {}", lease.id));
                return 0;
            }
            GuardDecision::Revert(reason) => {
                end(&path, lease, reason).await;
                return 0;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(LOOK_EVERY) => {}
            _ = term.recv() => stop_requested = true,
        }
    }
}

/// Reads the lease and signs it: that tells the sentui that started this guard that it is
/// held. None (said) when it cannot.
fn sign(path: &Path) -> Option<Lease> {
    let Some(mut lease) = LeaseStore::read_path(path) else {
        say(format!("no lease at {}", path.display()));
        return None;
    };
    lease.guard = procfs::identity(std::process::id() as i32);
    let store = LeaseStore::at(path.parent().unwrap_or(Path::new(".")));
    if let Err(e) = store.write(&lease) {
        say(format!("cannot sign the lease: {e}"));
        return None;
    }
    say(format!(
        "holding {} until {} ({})",
        lease.describe(),
        sentui_model::time::clock(lease.expires_at),
        lease.id
    ));
    Some(lease)
}

/// What the guard sees now: the lease as its file says (the owner may hand it to nobody with
/// --leave-paused, or end it itself), its owner, its target.
fn look(path: &Path, lease: &mut Lease, stop_requested: bool) -> GuardView {
    let current = LeaseStore::read_path(path);
    let present = current.is_some() || path.exists();
    if let Some(l) = current {
        *lease = l;
    }
    GuardView {
        now: now_ms(),
        present,
        owner_alive: lease.owner.map(procfs::is_running),
        stop_requested,
        target_gone: match &lease.target {
            LeaseTarget::Process { process, .. } => !procfs::is_running(*process),
            // Asking the engine ten times a second would cost more than it saves: `lab
            // down` removes the leases of the containers it removes.
            LeaseTarget::Container { .. } => false,
        },
    }
}

/// Reverts the lease's fault (bounded), says how it went and leaves the outcome for its owner.
async fn end(path: &Path, lease: Lease, reason: EndReason) {
    let result = match tokio::time::timeout(REVERT_LIMIT, revert(&lease)).await {
        Ok(r) => r,
        Err(_) => Err(RevertError::TookTooLong(REVERT_LIMIT.as_secs())),
    };
    say(format!(
        "{} because {}: {}",
        lease.id,
        reason.describe(),
        match &result {
            Ok(m) => m.clone(),
            Err(e) => format!("FAILED: {e}"),
        }
    ));
    finish(path, lease, reason, result);
}

/// After a revert: an owner that still lives reads the outcome from the lease (and removes
/// it); with no owner left, the guard removes it.
fn finish(path: &Path, mut lease: Lease, reason: EndReason, result: Result<String, RevertError>) {
    let owner_alive = lease.owner.is_some_and(procfs::is_running);
    if owner_alive {
        lease.ended = Some(LeaseEnd {
            at: now_ms(),
            reason,
            result: result.map_err(|e| e.to_string()),
        });
        if let Some(dir) = path.parent() {
            let store = LeaseStore::at(dir);
            if store.write(&lease).is_ok() {
                return;
            }
        }
    }
    let _ = std::fs::remove_file(path);
}

/// Why a fault could not be ended.
#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(transparent)]
    Signal(#[from] ProcError),
    #[error("container {0} is gone")]
    ContainerGone(String),
    /// The blocking task that resumes a process did not finish (it panicked or was cancelled).
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
    #[error("the revert took over {0}s")]
    TookTooLong(u64),
}

/// Ends the lease's fault on exactly the process or container it touched.
pub async fn revert(lease: &Lease) -> Result<String, RevertError> {
    let undo = lease.undo();
    match &lease.target {
        LeaseTarget::Process { process, name } => {
            let process = *process;
            let (addr, name) = (lease.addr.clone(), name.clone());
            let resumed =
                tokio::task::spawn_blocking(move || resume_process(process, &name, &addr));
            Ok(resumed.await??)
        }
        LeaseTarget::Container { id, name, project } => {
            let engine = Engine::connect().await?;
            let done = match undo {
                Action::Heal => {
                    let c = engine
                        .project(project)
                        .await?
                        .into_iter()
                        .find(|c| c.id == *id)
                        .ok_or_else(|| RevertError::ContainerGone(name.clone()))?;
                    engine.partition(&c, project, false).await
                }
                other => engine.act(id, other).await,
            };
            match done {
                Ok(()) => Ok(format!("{} {} (container {name})", undo.verb(), lease.addr)),
                Err(DockerError::NotPaused(_)) => {
                    Ok(format!("container {name} was no longer paused"))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// SIGCONT to the process the pause stopped, and to no other: a pid that now names another
/// process (its start time differs) is left alone.
fn resume_process(
    p: ProcessId,
    name: &str,
    addr: &sentui_model::Addr,
) -> Result<String, ProcError> {
    if !procfs::is_running(p) {
        return Ok(format!("pid {} ({name}) is gone: nothing to resume", p.pid));
    }
    if procfs::stopped(p.pid) == Some(false) {
        return Ok(format!("pid {} ({name}) was already running", p.pid));
    }
    procfs::signal(p.pid, libc::SIGCONT)?;
    procfs::await_stopped(p.pid, false, Duration::from_millis(200));
    Ok(format!("resumed {addr} (pid {}, {name})", p.pid))
}
