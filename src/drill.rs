//! `sentui drill`: runs a scenario against a deployment and reports. The runner owns the I/O:
//! the live collectors (events and state), the write probe and sentui's hands, whose ledger
//! holds every fault on a lease: it restores what it changed on success, on a failed step, on
//! the overall timeout, on SIGINT, SIGTERM or SIGHUP and on a panic, and if the drill dies
//! some other way (SIGKILL), the leases' guards do. What it measures goes into the pure model;
//! `report` judges and formats it.

use crate::connection::Connection;
use futures_util::FutureExt;
use sentui_io::collect::{self, CollectSettings};
use sentui_io::control::failover;
use sentui_io::hands::{Hands, lease_words};
use sentui_io::link::{LinkSettings, now_ms};
use sentui_io::probe::{self, ProbeConfig, ProbeHandle};
use sentui_model::action::{Action, Command};
use sentui_model::drill::report::{self, ProbeSummary, Report, StepOutcome, StepRecord, Verdict};
use sentui_model::drill::scenario::{Scenario, State, Step, StepKind, Target, Unmet};
use sentui_model::input::{ActionResult, Input};
use sentui_model::{Addr, Deployment, Millis};
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

pub struct DrillOptions {
    pub scenario: Scenario,
    /// The master group (`--master`); else the only one the sentinels monitor.
    pub group: Option<String>,
    /// Bound on all steps together.
    pub timeout: Duration,
    pub rate: u32,
    pub follow: sentui_model::probe::Follow,
    /// How long each fault may last (`--lease`).
    pub lease: Duration,
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
    error: Option<String>,
}

/// Runs the drill and returns its report (the verdict gives the exit status).
pub async fn run(conn: Connection, opts: DrillOptions) -> Report {
    let hands =
        crate::hands::for_connection(&conn, opts.lease, sentui_io::hands::Holder::ThisProcess);
    let Connection {
        settings, seeds, ..
    } = conn;
    let name = opts.scenario.name.clone();
    let error_report = |group: String, e: String| Report {
        scenario: name.clone(),
        group,
        verdict: Verdict::Error,
        error: Some(e),
        old_master: None,
        new_master: None,
        fault_at: None,
        failover_ms: None,
        steps: Vec::new(),
        phases: Vec::new(),
        probe: None,
        checks: Vec::new(),
        restored: Vec::new(),
    };
    let mut r = match Runner::connect(settings, seeds, hands, opts.group.as_deref()).await {
        Ok(r) => r,
        Err(e) => return error_report(opts.group.unwrap_or_default(), e),
    };
    let mut signals = match Signals::watch() {
        Ok(s) => s,
        Err(e) => return error_report(r.group.clone(), e),
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
            error = Some(format!("interrupted ({sig})"));
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
    let restored = r.restore().await;
    let agreement = if opts.scenario.expect.agree_at_end {
        Some(r.wait_state(State::Agreed, AGREE_WAIT).await)
    } else {
        None
    };
    r.stop_probe().await;
    r.report(&opts, error, agreement, restored)
}

/// How the steps ended when they did not run to their end.
enum Ended {
    Signal(&'static str),
    Panic(Box<dyn std::any::Any + Send>),
}

/// The signals that end a drill early: Ctrl-C, what `timeout`, systemd and a cancelled CI job
/// send, and a closed terminal. Each restores before the drill exits.
struct Signals {
    int: Signal,
    term: Signal,
    hup: Signal,
}

impl Signals {
    fn watch() -> Result<Self, String> {
        let watch = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| format!("cannot watch {name}: {e}"))
        };
        Ok(Signals {
            int: watch(SignalKind::interrupt(), "SIGINT")?,
            term: watch(SignalKind::terminate(), "SIGTERM")?,
            hup: watch(SignalKind::hangup(), "SIGHUP")?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
            _ = self.hup.recv() => "SIGHUP",
        }
    }
}

impl Runner {
    async fn connect(
        settings: CollectSettings,
        seeds: Vec<Addr>,
        hands: Hands,
        group: Option<&str>,
    ) -> Result<Runner, String> {
        let link = settings.link.clone();
        let (tx, inputs) = mpsc::channel(collect::CHANNEL);
        let _collectors = collect::start(settings, seeds.clone(), tx.clone());
        let mut r = Runner {
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
        };
        let deadline = Instant::now() + CONNECT_WAIT;
        let polled = r
            .wait(deadline, |d| (!d.group_names().is_empty()).then_some(()))
            .await;
        if polled.is_none() {
            let why: Vec<String> =
                r.d.sentinels()
                    .values()
                    .map(|s| format!("{}: {}", s.addr, s.reach.describe(now_ms())))
                    .collect();
            return Err(format!(
                "no sentinel reported a master group within {}s ({})",
                CONNECT_WAIT.as_secs(),
                if why.is_empty() {
                    "none answered".to_string()
                } else {
                    why.join("; ")
                }
            ));
        }
        let names = r.d.group_names();
        r.group = match (group, names.as_slice()) {
            (Some(g), _) if names.iter().any(|n| n == g) => g.to_string(),
            (Some(g), _) => return Err(format!("no sentinel monitors a master named '{g}'")),
            (None, [only]) => only.clone(),
            (None, many) => {
                return Err(format!(
                    "several master groups ({}): name one with --master",
                    many.join(", ")
                ));
            }
        };
        // Every sentinel's events link must be up: a +switch-master must not be missed.
        let group = r.group.clone();
        let ready = r
            .wait(deadline, |d| {
                let master = d.master_of(&group)?;
                let reporting: Vec<_> = d
                    .sentinels()
                    .values()
                    .filter(|s| s.groups.contains_key(&group))
                    .collect();
                let peers = d
                    .sentinels()
                    .values()
                    .filter_map(|s| s.groups.get(&group))
                    .map(|g| g.peers.len() + 1)
                    .max()
                    .unwrap_or(0);
                (reporting.len() >= peers
                    && reporting.iter().all(|s| s.pubsub_up)
                    && d.nodes().get(&master).is_some_and(|n| n.reach.is_ok()))
                .then_some(())
            })
            .await;
        if ready.is_none() {
            return Err(format!(
                "the sentinels of '{}' and its master did not all answer (and their event links come up) within {}s",
                r.group,
                CONNECT_WAIT.as_secs()
            ));
        }
        Ok(r)
    }

    /// Reports what one of the drill's actions did, stamped when it took effect, on the
    /// input stream (the model logs it as it applies the stream, like every other input).
    async fn report_done(
        &mut self,
        at: Millis,
        issued_at: Millis,
        command: Command,
        result: ActionResult,
    ) {
        let _ = self
            .tx
            .send(Input::done(at, issued_at, command, result))
            .await;
    }

    /// Applies updates until `check` says Some or the deadline passes.
    async fn wait<T>(
        &mut self,
        deadline: Instant,
        mut check: impl FnMut(&Deployment) -> Option<T>,
    ) -> Option<T> {
        loop {
            if let Some(v) = check(&self.d) {
                return Some(v);
            }
            tokio::select! {
                i = self.inputs.recv() => match i {
                    Some(i) => self.d.step(i),
                    None => return None,
                },
                _ = tokio::time::sleep_until(deadline) => return check(&self.d),
            }
        }
    }

    async fn wait_state(&mut self, state: State, limit: Duration) -> Result<String, Unmet> {
        let (group, old) = (self.group.clone(), self.old_master.clone());
        let mut last = Unmet(String::new());
        let got = self
            .wait(Instant::now() + limit, |d| {
                match state.holds(d, &group, old.as_ref(), now_ms()) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        last = e;
                        None
                    }
                }
            })
            .await;
        got.ok_or(last)
    }

    fn since_fault(&self, at: Millis) -> Option<i64> {
        self.fault_at.map(|f| at as i64 - f as i64)
    }

    fn record(&mut self, step: &Step, outcome: StepOutcome, started: Instant, detail: String) {
        let rec = StepRecord {
            step: self.steps.len() + 1,
            line: step.line,
            what: step.describe(),
            outcome,
            since_fault_ms: self.since_fault(now_ms()),
            took_ms: started.elapsed().as_millis() as u64,
            detail,
        };
        say(format!(
            "step {} {}: {} {}",
            rec.step,
            rec.what,
            rec.outcome.word(),
            rec.detail
        ));
        self.steps.push(rec);
    }

    /// The pre-flight (healthy, probe writing) and the steps. Cancelled on Ctrl-C.
    async fn run(&mut self, opts: &DrillOptions) {
        if let Err(why) = self.wait_state(State::Healthy, HEALTHY_WAIT).await {
            say(format!("starting although the group is not healthy: {why}"));
        }
        if opts.scenario.probe {
            let sentinels: Vec<Addr> = self.d.sentinels().keys().cloned().collect();
            let cfg = ProbeConfig::new(self.link.clone(), sentinels, self.group.clone(), opts.rate)
                .following(opts.follow);
            say(format!(
                "probe writing {} keys/s (sentui:probe:{}:N), following {}",
                cfg.rate,
                cfg.run_id,
                opts.follow.name()
            ));
            self.probe = Some(probe::spawn(cfg, self.tx.clone()));
            if let Err(why) = self.wait_state(State::ProbeWriting, CONNECT_WAIT).await {
                say(format!("the probe cannot write yet: {why}"));
            }
            let until = Instant::now() + BASELINE;
            self.wait(until, |_| None::<()>).await;
        }
        let deadline = Instant::now() + opts.timeout;
        for (i, step) in opts.scenario.steps.iter().enumerate() {
            self.current = i;
            let started = Instant::now();
            let (outcome, detail) = if Instant::now() >= deadline {
                (
                    StepOutcome::TimedOut,
                    format!("the drill's {}s are up", opts.timeout.as_secs_f64()),
                )
            } else {
                self.step(step, deadline).await
            };
            let ok = outcome == StepOutcome::Ok;
            self.record(step, outcome, started, detail);
            if !ok {
                for s in &opts.scenario.steps[i + 1..] {
                    self.record(s, StepOutcome::Skipped, Instant::now(), String::new());
                }
                break;
            }
        }
        self.current = opts.scenario.steps.len();
    }

    /// Records the step Ctrl-C cut short and skips the rest.
    fn interrupted(&mut self, scenario: &Scenario) {
        let now = Instant::now();
        for (i, s) in scenario.steps.iter().enumerate().skip(self.steps.len()) {
            let outcome = if i == self.current {
                StepOutcome::Interrupted
            } else {
                StepOutcome::Skipped
            };
            self.record(s, outcome, now, String::new());
        }
    }

    async fn resolve(&self, t: &Target) -> Result<Addr, String> {
        match t {
            Target::Master => self
                .d
                .master_of(&self.group)
                .ok_or_else(|| "no sentinel names a master".into()),
            Target::OldMaster => self
                .old_master
                .clone()
                .ok_or_else(|| "no fault ran yet: there is no old master".into()),
            Target::Named(n) => {
                let control = self.hands.control();
                crate::target::resolve(n, &self.link, &self.seeds, Some(&self.group), control).await
            }
        }
    }

    async fn step(&mut self, step: &Step, deadline: Instant) -> (StepOutcome, String) {
        let timed = |t: Duration| deadline.min(Instant::now() + t);
        match &step.kind {
            StepKind::Fault { fault, target } => match self.fault(*fault, target).await {
                Ok(msg) => (StepOutcome::Ok, msg),
                Err(e) => {
                    self.error = Some(format!("{}: {e}", step.describe()));
                    (StepOutcome::Failed, e)
                }
            },
            StepKind::Wait {
                event,
                about,
                timeout,
            } => {
                let about = match about {
                    Some(t) => match self.resolve(t).await {
                        Ok(a) => Some(a),
                        Err(e) => {
                            self.error = Some(format!("{}: {e}", step.describe()));
                            return (StepOutcome::Failed, e);
                        }
                    },
                    None => None,
                };
                let from = self.d.log().next_seq();
                let group = self.group.clone();
                let seen = self
                    .wait(timed(*timeout), |d| {
                        d.log()
                            .since(from)
                            .find(|e| {
                                e.event == *event
                                    && e.group.as_deref().is_none_or(|g| g == group)
                                    && about.as_ref().is_none_or(|a| e.addr.as_ref() == Some(a))
                            })
                            .map(|e| {
                                let who =
                                    e.sentinel.as_ref().map(|s| s.to_string()).unwrap_or_else(
                                        || format!("{:?}", e.source).to_lowercase(),
                                    );
                                format!("{who}: {}", e.payload)
                            })
                    })
                    .await;
                match seen {
                    Some(s) => (StepOutcome::Ok, s),
                    None => (
                        StepOutcome::TimedOut,
                        format!("no {event} within {}", humantime::format_duration(*timeout)),
                    ),
                }
            }
            StepKind::Until { state, timeout } => {
                let limit = timed(*timeout).saturating_duration_since(Instant::now());
                match self.wait_state(*state, limit).await {
                    Ok(s) => (StepOutcome::Ok, s),
                    Err(e) => (StepOutcome::TimedOut, e.to_string()),
                }
            }
            StepKind::Sleep(d) => {
                self.wait(timed(*d), |_| None::<()>).await;
                (StepOutcome::Ok, String::new())
            }
            StepKind::Check(state) => {
                match state.holds(&self.d, &self.group, self.old_master.as_ref(), now_ms()) {
                    Ok(s) => (StepOutcome::Ok, s),
                    Err(e) => (StepOutcome::Failed, e.to_string()),
                }
            }
        }
    }

    /// Carries out a fault step; the first fault fixes the old master and the fault time (the
    /// moment it took effect), and is logged so the stopwatch starts at it.
    async fn fault(&mut self, fault: Action, target: &Target) -> Result<String, String> {
        let addr = if fault == Action::Failover {
            self.resolve(&Target::Master).await?
        } else {
            self.resolve(target).await?
        };
        let old_master = self.d.master_of(&self.group);
        let issued = now_ms();
        let mut effect_at = None;
        let mut lease_until = None;
        let (command, result) = if fault == Action::Failover {
            let mut sentinels: Vec<Addr> = self
                .d
                .sentinels()
                .values()
                .filter(|s| s.reach.is_ok())
                .map(|s| s.addr.clone())
                .collect();
            sentinels.extend(self.seeds.iter().cloned());
            let result = failover::failover_via(&self.link, &sentinels, &self.group)
                .await
                .map_err(|e| e.to_string());
            let command = Command::Failover {
                group: self.group.clone(),
                sentinels,
            };
            (command, result)
        } else {
            // A fault is leased before it is carried out: its guard holds it from the start.
            let applied = self.hands.apply(fault, &addr).await;
            effect_at = applied.as_ref().ok().map(|a| a.effect.at);
            lease_until = applied
                .as_ref()
                .ok()
                .and_then(|a| a.lease.as_ref().map(|l| l.expires_at));
            if let Ok(Some(l)) = applied.as_ref().map(|a| a.lease.as_ref()) {
                say(format!("{}: {}", l.describe(), lease_words(l, now_ms())));
            }
            let result = applied.map(|a| a.describe()).map_err(|e| e.to_string());
            let command = Command::Control {
                action: fault,
                addr: addr.clone(),
            };
            (command, result)
        };
        let at = effect_at.unwrap_or_else(now_ms);
        if fault.is_fault() && self.fault_at.is_none() && result.is_ok() {
            self.old_master = old_master;
            self.fault_at = Some(at);
            self.fault_name = fault.name().to_string();
        }
        let done = Input::done(at, issued, command, result.clone()).leased(lease_until);
        let _ = self.tx.send(done).await;
        result
    }

    /// Ends every fault the drill holds, newest first, and lets their leases go; says what it
    /// did and what failed.
    async fn restore(&mut self) -> Vec<String> {
        let mut done = Vec::new();
        for u in self.hands.restore().await {
            let (undo, addr) = (u.lease.undo(), u.lease.addr.clone());
            let line = match &u.result {
                Ok(msg) => msg.clone(),
                Err(e) => format!("{} {addr} failed: {e}", undo.verb_present()),
            };
            let command = Command::Control { action: undo, addr };
            self.report_done(u.at, u.issued_at, command, u.result).await;
            say(format!("restore: {line}"));
            done.push(line);
        }
        done
    }

    async fn stop_probe(&mut self) {
        let Some(handle) = self.probe.take() else {
            return;
        };
        handle.stop();
        let stopped = self
            .wait(Instant::now() + PROBE_FINISH, |d| {
                d.probe().and_then(|p| p.stopped_at)
            })
            .await;
        if stopped.is_none() {
            say("the probe did not finish its read-back in time");
        }
        handle.finish(Duration::from_secs(1)).await;
        while let Ok(i) = self.inputs.try_recv() {
            self.d.step(i);
        }
    }

    fn report(
        &self,
        opts: &DrillOptions,
        error: Option<String>,
        agreement: Option<Result<String, Unmet>>,
        restored: Vec<String>,
    ) -> Report {
        let now = now_ms();
        let fault_at = self.fault_at;
        let new_master = self
            .d
            .master_of(&self.group)
            .filter(|m| Some(m) != self.old_master.as_ref());
        let span = fault_at.map(|f| report::fault_span(&self.d, &self.group, f));
        let probe = self
            .d
            .probe()
            .as_ref()
            .filter(|_| opts.scenario.probe)
            .map(|p| {
                let masters = (self.old_master.as_ref(), new_master.as_ref());
                ProbeSummary::new(p, span, masters, &self.fault_name, now)
            });
        let failover_ms = fault_at.and_then(|f| report::failover_ms(&self.d, &self.group, f));
        let checks = report::checks(
            &opts.scenario.expect,
            failover_ms,
            probe.as_ref(),
            agreement,
        );
        Report {
            scenario: opts.scenario.name.clone(),
            group: self.group.clone(),
            verdict: report::verdict(error.as_deref(), &self.steps, &checks),
            error,
            old_master: self.old_master.clone(),
            new_master,
            fault_at,
            failover_ms,
            steps: self.steps.clone(),
            phases: fault_at
                .map(|f| report::phases(&self.d, &self.group, f))
                .unwrap_or_default(),
            probe,
            checks,
            restored,
        }
    }
}
