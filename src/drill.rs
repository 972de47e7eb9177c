//! `sentui drill`: runs a scenario against a deployment and reports. The runner owns the I/O:
//! the live collectors (events and state), the write probe and sentui's hands, whose ledger
//! holds every fault on a lease: it restores what it changed on success, on a failed step, on
//! the overall timeout, on SIGINT, SIGTERM or SIGHUP and on a panic, and if the drill dies
//! some other way (SIGKILL), the leases' guards do. What it measures goes into the pure model;
//! `report` judges and formats it.
//!
//! Who does what: `connect` (the sentinels answer, one group, every event link up), `stream`
//! (the input stream applied to the model until a condition holds), `steps` (the pre-flight
//! and each step), `fault` (a fault step through the hands), `probe` (the write probe),
//! `signals` (what ends a drill early), `finish` (restore, then the report).

mod connect;
mod fault;
mod finish;
mod probe;
mod signals;
mod steps;
mod stream;

use crate::connection::Connection;
use connect::ReadyError;
use fault::StepError;
use futures_util::FutureExt;
use sentui_io::collect::CollectSettings;
use sentui_io::hands::Hands;
use sentui_io::link::LinkSettings;
use sentui_io::probe::ProbeHandle;
use sentui_model::drill::report::{Report, StepRecord};
use sentui_model::drill::scenario::Scenario;
use sentui_model::input::Input;
use sentui_model::readiness::Readiness;
use sentui_model::{Addr, Deployment, Millis};
use signals::{Signal, Signals};
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct DrillOptions {
    pub scenario: Scenario,
    /// The master group (`--master`); else the only one the sentinels monitor.
    pub group: Option<String>,
    /// Bound on all steps together.
    pub timeout: Duration,
    pub rate: u32,
    pub follow: sentui_model::probe::Follow,
}

/// How long the drill waits for the sentinels to answer and its links to come up.
const CONNECT_WAIT: Duration = Duration::from_secs(15);
/// How long it waits for a healthy deployment before the first step (then goes on, warning).
const HEALTHY_WAIT: Duration = Duration::from_secs(30);
/// Writes the probe makes before the first step, as a baseline.
const BASELINE: Duration = Duration::from_secs(1);
/// Grace for the sentinels' polls to agree at the end.
const AGREE_WAIT: Duration = Duration::from_secs(10);
/// Bound on the probe's read-back and clean-up.
const PROBE_FINISH: Duration = Duration::from_secs(20);

/// Why the drill could not run, or did not run to its end (the report's `error`).
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    #[error(transparent)]
    Ready(#[from] ReadyError),
    #[error("cannot watch {signal}: {error}")]
    Signal {
        signal: Signal,
        error: std::io::Error,
    },
    #[error("interrupted ({0})")]
    Interrupted(Signal),
    /// A step that could not be carried out (exit 2), named as the scenario says it.
    #[error("{step}: {error}")]
    Step { step: String, error: StepError },
}

/// Progress on stderr; a closed stderr must not stop the drill before it restores.
fn say(msg: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "sentui drill: {msg}");
}

struct Runner {
    d: Deployment,
    /// The one input stream: collectors, the write probe and the drill's own actions.
    inputs: mpsc::Receiver<Input>,
    tx: mpsc::Sender<Input>,
    probe: Option<ProbeHandle>,
    link: LinkSettings,
    seeds: Vec<Addr>,
    /// Acts, and holds what it changed (the ledger) until the drill restores it.
    hands: Hands,
    group: String,
    old_master: Option<Addr>,
    fault_at: Option<Millis>,
    /// The first fault's name (`partition`), for the loss sentence.
    fault_name: String,
    steps: Vec<StepRecord>,
    /// The step running now (index into the scenario).
    current: usize,
    /// Why a step could not be carried out (a control or resolve error: exit 2).
    error: Option<DrillError>,
    /// The readiness verdict just before the first fault, and whether that fault takes the
    /// master away (else why not).
    before: Option<(Millis, Readiness, Result<(), String>)>,
    /// The deployment as the post-mortem page names it (`compose project P`, `sentinels …`).
    deployment: String,
}

/// How the steps ended when they did not run to their end.
enum Ended {
    Signal(Signal),
    Panic(Box<dyn std::any::Any + Send>),
}

/// Runs the drill and returns its report (the verdict gives the exit status). `hands` hold
/// what it changes for this process (`Holder::ThisProcess`).
pub async fn run(conn: Connection, hands: Hands, opts: DrillOptions) -> Report {
    let deployment = conn.deployment().to_string();
    let Connection {
        settings, seeds, ..
    } = conn;
    let mut r = match Runner::connect(settings, seeds, hands, opts.group.as_deref()).await {
        Ok(r) => Runner { deployment, ..r },
        Err(e) => return finish::not_run(&opts, opts.group.clone().unwrap_or_default(), e.into()),
    };
    let mut signals = match Signals::watch() {
        Ok(s) => s,
        Err(e) => return finish::not_run(&opts, r.group.clone(), e),
    };
    let ended = tokio::select! {
        run = AssertUnwindSafe(r.run(&opts)).catch_unwind() => run.err().map(Ended::Panic),
        sig = signals.next() => Some(Ended::Signal(sig)),
    };
    let mut error = None;
    match ended {
        None => {}
        Some(Ended::Signal(sig)) => {
            say(format!(
                "interrupted ({sig}): restoring what the drill changed"
            ));
            error = Some(DrillError::Interrupted(sig));
            r.interrupted(&opts.scenario);
        }
        Some(Ended::Panic(panic)) => {
            say("a step panicked: restoring what the drill changed");
            for line in r.restore().await {
                say(format!("restored: {line}"));
            }
            std::panic::resume_unwind(panic);
        }
    }
    if let Some(e) = r.error.take() {
        error = Some(e);
    }
    r.finish(&opts, error).await
}

impl Runner {
    /// A runner on a fresh stream, before it knows its group.
    fn new(settings: CollectSettings, seeds: Vec<Addr>, hands: Hands) -> Runner {
        let link = settings.link.clone();
        let (tx, inputs) = mpsc::channel(sentui_io::collect::CHANNEL);
        let _collectors = sentui_io::collect::start(settings, seeds.clone(), tx.clone());
        Runner {
            d: Deployment::default(),
            inputs,
            tx,
            probe: None,
            link,
            seeds,
            hands,
            group: String::new(),
            old_master: None,
            fault_at: None,
            fault_name: "fault".into(),
            steps: Vec::new(),
            current: 0,
            error: None,
            before: None,
            deployment: String::new(),
        }
    }
}
