//! sentui's hands: the one guarded driver the TUI, `drill`, `ctl` and `demo` act through. A
//! fault that can be undone (pause, stop, partition) is first put on a lease, held by a guard
//! process outside sentui (see `guard`), then carried out; the lease stays in this process's
//! ledger until sentui ends the fault itself (the user's resume, or `restore` on the way out),
//! the lease runs out, or this process dies and the guard ends it. Actions with nothing to undo
//! (restart, restart-empty, failover) go straight to the controller.

use crate::control::{ControlError, Controller, Effect};
use crate::guard;
use crate::lease::{LeaseError, LeaseStore};
use crate::link::now_ms;
use crate::procfs;
use sentui_model::action::Action;
use sentui_model::input::ActionResult;
use sentui_model::lease::{Lease, LeaseTarget, Ledger, ProcessId, countdown};
use sentui_model::{Addr, Millis};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Who holds the leases this driver grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// This process: its death ends them (the TUI, a drill, the demo).
    ThisProcess,
    /// Nobody: only their end does (`ctl pause`, which exits at once).
    Nobody,
}

#[derive(Clone, Debug)]
pub struct HandsConfig {
    /// How long a fault may last.
    pub lease: Duration,
    pub store: LeaseStore,
    /// The sentui binary, which the guard runs as (`sentui guard LEASE`).
    pub guard_exe: PathBuf,
    pub holder: Holder,
    /// What the leases say they belong to (`compose project lab`, `sentinels 127.0.0.1:26379`).
    pub deployment: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HandsError {
    #[error(transparent)]
    Control(#[from] ControlError),
    #[error("{0}; sentui does not inject a fault nothing would take back")]
    Lease(#[from] LeaseError),
}

/// What an action did, and the lease it is held on.
#[derive(Clone, Debug)]
pub struct Applied {
    pub effect: Effect,
    pub lease: Option<Lease>,
    /// Leases this action ended (a resume ends the pause's lease).
    pub released: Vec<Lease>,
}

impl Applied {
    /// `paused 127.0.0.1:6379 (pid 12, redis-server); lease 10m00s, until 12:34:56`.
    pub fn describe(&self) -> String {
        match &self.lease {
            Some(l) => format!("{}; {}", self.effect.describe(), lease_words(l, now_ms())),
            None => self.effect.describe(),
        }
    }
}

/// `lease 9m41s, until 12:34:56 UTC`.
pub fn lease_words(l: &Lease, now: Millis) -> String {
    format!(
        "lease {}, until {} UTC",
        countdown(l.remaining(now)),
        sentui_model::time::clock(l.expires_at)
    )
}

/// One fault ended on the way out.
#[derive(Clone, Debug)]
pub struct Undone {
    pub lease: Lease,
    pub issued_at: Millis,
    pub at: Millis,
    /// What the revert did, or why it failed, in words: it becomes the outcome of a `Done`
    /// input, recorded as it is said.
    pub result: ActionResult,
}

#[derive(Clone)]
pub struct Hands {
    control: Controller,
    config: Arc<HandsConfig>,
    ledger: Arc<Mutex<Ledger>>,
    owner: Option<ProcessId>,
    granted: Arc<AtomicU64>,
    /// Held shared by every action under way, whole by `restore`.
    acting: Arc<tokio::sync::RwLock<()>>,
}

/// How long `restore` waits for actions under way.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(10);

impl Hands {
    pub fn new(control: Controller, config: HandsConfig) -> Self {
        let owner = match config.holder {
            Holder::ThisProcess => procfs::identity(std::process::id() as i32),
            Holder::Nobody => None,
        };
        Hands {
            control,
            config: Arc::new(config),
            ledger: Arc::default(),
            owner,
            granted: Arc::default(),
            acting: Arc::default(),
        }
    }

    pub fn control(&self) -> &Controller {
        &self.control
    }

    pub fn config(&self) -> &HandsConfig {
        &self.config
    }

    /// The leases this process holds, newest first.
    pub fn held(&self) -> Vec<Lease> {
        self.ledger().newest_first().cloned().collect()
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // A panic while holding the lock leaves the ledger as it was: still the truth.
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Carries out `action` on `addr`. A fault with an undo is leased first (its guard runs
    /// before the fault exists); an undo releases the leases it ends. The action runs to its
    /// end even if the caller stops waiting (a signal ends a drill mid-step): `restore` waits
    /// for it, so it never undoes a fault that lands after the undo.
    pub async fn apply(&self, action: Action, addr: &Addr) -> Result<Applied, HandsError> {
        let hands = self.clone();
        let addr = addr.clone();
        let acting = self.acting.clone().read_owned().await;
        tokio::spawn(async move {
            let applied = hands.apply_now(action, &addr).await;
            drop(acting);
            applied
        })
        .await
        .map_err(|e| HandsError::Control(ControlError::Task(e.to_string())))?
    }

    async fn apply_now(&self, action: Action, addr: &Addr) -> Result<Applied, HandsError> {
        if action.undo().is_some() {
            let target = self.control.target(action, addr).await?;
            // Starting the guard waits for it to sign the lease: not on the async thread.
            let (hands, at) = (self.clone(), addr.clone());
            let lease = tokio::task::spawn_blocking(move || hands.grant(action, &at, target))
                .await
                .map_err(|e| HandsError::Control(ControlError::Task(e.to_string())))??;
            return match self.control.apply(action, addr).await {
                Ok(effect) => Ok(Applied {
                    effect,
                    lease: Some(lease),
                    released: Vec::new(),
                }),
                Err(e) => {
                    self.let_go(&lease);
                    Err(e.into())
                }
            };
        }
        let effect = self.control.apply(action, addr).await?;
        // A restart brings a stopped node back as a start does.
        let ends = match action {
            Action::Restart => Action::Start,
            other => other,
        };
        let released = self.release(ends, addr);
        Ok(Applied {
            effect,
            lease: None,
            released,
        })
    }

    /// Writes the lease, starts its guard and notes it in the ledger.
    fn grant(&self, action: Action, addr: &Addr, target: LeaseTarget) -> Result<Lease, LeaseError> {
        let store = &self.config.store;
        store.ensure()?;
        let now = now_ms();
        let n = self.granted.fetch_add(1, Ordering::Relaxed);
        let mut lease = Lease {
            id: format!("{}-{now}-{n}", std::process::id()),
            action,
            addr: addr.clone(),
            target,
            deployment: self.config.deployment.clone(),
            granted_at: now,
            expires_at: now + self.config.lease.as_millis() as Millis,
            owner: self.owner,
            guard: None,
            ended: None,
        };
        let path = store.write(&lease)?;
        match guard::spawn(&self.config.guard_exe, &path, store) {
            Ok(g) => lease.guard = Some(g),
            Err(e) => {
                store.remove(&lease.id);
                return Err(e);
            }
        }
        self.ledger().hold(lease.clone());
        Ok(lease)
    }

    /// Ends a lease without reverting anything: its guard exits.
    fn let_go(&self, lease: &Lease) {
        self.config.store.remove(&lease.id);
        self.ledger().forget(&lease.id);
    }

    /// After `undo` on `addr` took effect: the leases it ended, this process's and any other
    /// sentui's (a `ctl unpause` ends the lease `ctl pause` left).
    fn release(&self, undo: Action, addr: &Addr) -> Vec<Lease> {
        let mut gone = self.ledger().release(undo, addr);
        for l in self.config.store.list() {
            if l.addr == *addr && l.undo() == undo && !gone.iter().any(|g| g.id == l.id) {
                gone.push(l);
            }
        }
        for l in &gone {
            self.config.store.remove(&l.id);
        }
        gone
    }

    /// Ends every fault this process holds, newest first, on exactly what each touched; the
    /// leases are let go. Every exit path of every command comes here.
    pub async fn restore(&self) -> Vec<Undone> {
        // Actions still under way finish first (bounded: a Docker call is bounded too).
        let _quiet = tokio::time::timeout(IN_FLIGHT_WAIT, self.acting.write()).await;
        let mut done = Vec::new();
        for lease in self.held() {
            let issued_at = now_ms();
            let result = guard::revert(&lease).await.map_err(|e| e.to_string());
            let at = now_ms();
            self.let_go(&lease);
            done.push(Undone {
                lease,
                issued_at,
                at,
                result,
            });
        }
        done
    }

    /// Leaves every fault in place until its lease ends (`--leave-paused`): nobody holds the
    /// leases any more, so this process may go; their guards still end them.
    pub fn hand_over(&self) -> Vec<Lease> {
        let held = self.held();
        let mut handed = Vec::new();
        for mut l in held {
            l.owner = None;
            if self.config.store.write(&l).is_ok() {
                self.ledger().forget(&l.id);
                handed.push(l);
            }
        }
        handed
    }

    /// Leases of this process that ended without it: their guard reverted the fault (the lease
    /// ran out) or someone else released them (another sentui resumed the node). Each is let
    /// go and returned once; `ended` says what the guard did, None when it was released.
    pub fn take_ended(&self) -> Vec<Lease> {
        let mut out = Vec::new();
        for held in self.held() {
            match self.config.store.read(&held.id) {
                Some(l) if l.ended.is_some() => {
                    self.let_go(&l);
                    out.push(l);
                }
                Some(_) => {}
                None => {
                    self.ledger().forget(&held.id);
                    out.push(held);
                }
            }
        }
        out
    }
}
