//! The pre-flight (a healthy group, the probe writing) and the steps, each recorded with its
//! outcome; a step that fails skips the rest.

use super::fault::StepError;
use super::{DrillError, DrillOptions, HEALTHY_WAIT, Runner, say};
use sentui_io::link::now_ms;
use sentui_model::drill::report::{StepOutcome, StepRecord, given_up};
use sentui_model::drill::scenario::{Scenario, State, Step, StepKind};
use sentui_model::event::SentinelEvent;
use sentui_model::log::Event;
use sentui_model::{Addr, Deployment};
use std::time::Duration;
use tokio::time::Instant;

impl Runner {
    /// The pre-flight and the steps. Cancelled on a signal.
    pub(super) async fn run(&mut self, opts: &DrillOptions) {
        if let Err(why) = self.wait_state(State::Healthy, HEALTHY_WAIT).await {
            say(format!("starting although the group is not healthy: {why}"));
        }
        if opts.scenario.probe {
            self.start_probe(opts).await;
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

    /// Records the step a signal cut short and skips the rest.
    pub(super) fn interrupted(&mut self, scenario: &Scenario) {
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

    fn record(&mut self, step: &Step, outcome: StepOutcome, started: Instant, detail: String) {
        let rec = StepRecord {
            step: self.steps.len() + 1,
            line: step.line,
            what: step.describe(),
            outcome,
            since_fault_ms: self.fault_at.map(|f| now_ms() as i64 - f as i64),
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

    /// Runs one step, within the drill's `deadline`; what happened, in a few words.
    async fn step(&mut self, step: &Step, deadline: Instant) -> (StepOutcome, String) {
        let timed = |t: Duration| deadline.min(Instant::now() + t);
        match &step.kind {
            StepKind::Fault { fault, target } => {
                let done = self.fault(*fault, target).await;
                self.outcome(step, done)
            }
            StepKind::Wait {
                event,
                about,
                timeout,
            } => {
                let about = match about {
                    Some(t) => match self.resolve(t).await {
                        Ok(a) => Some(a),
                        Err(e) => return self.outcome(step, Err(e.into())),
                    },
                    None => None,
                };
                self.wait_event(event, about, timed(*timeout), *timeout)
                    .await
            }
            StepKind::Until { state, timeout } => {
                let limit = timed(*timeout).saturating_duration_since(Instant::now());
                match self.wait_state(*state, limit).await {
                    Ok(s) => (StepOutcome::Ok, s),
                    Err(e) => (StepOutcome::TimedOut, e.why),
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

    /// A step that acted: done, or failed for a reason that ends the drill with exit 2.
    fn outcome(&mut self, step: &Step, done: Result<String, StepError>) -> (StepOutcome, String) {
        match done {
            Ok(msg) => (StepOutcome::Ok, msg),
            Err(error) => {
                let detail = error.to_string();
                self.error = Some(DrillError::Step {
                    step: step.describe(),
                    error,
                });
                (StepOutcome::Failed, detail)
            }
        }
    }

    /// Waits for a log entry of the group named `event` (about `about`, if given) that
    /// arrived after the step started. A wait for `+switch-master` ends early when the
    /// failover the fault caused was given up by its leader and no sentinel may try again
    /// before `until`: it cannot come.
    async fn wait_event(
        &mut self,
        event: &Event,
        about: Option<Addr>,
        until: Instant,
        timeout: Duration,
    ) -> (StepOutcome, String) {
        let from = self.d.log().next_seq();
        let group = self.group.clone();
        let until_ms =
            now_ms() + until.saturating_duration_since(Instant::now()).as_millis() as u64;
        let switch: Event = SentinelEvent::SwitchMaster.into();
        let fault_at = self.fault_at.filter(|_| *event == switch);
        let cannot_come = |d: &Deployment| {
            let fault_at = fault_at?;
            given_up(d, &group, fault_at)
                .filter(|g| g.retry_at > until_ms)
                .map(|g| format!("the failover was given up: {}", g.words(fault_at)))
        };
        let waited = self
            .wait(until, |d| {
                let seen = d
                    .log()
                    .since(from)
                    .find(|e| {
                        e.event == *event
                            && e.group.as_deref().is_none_or(|g| g == group)
                            && about.as_ref().is_none_or(|a| e.addr.as_ref() == Some(a))
                    })
                    .map(|e| {
                        let who = e
                            .sentinel
                            .as_ref()
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| format!("{:?}", e.source).to_lowercase());
                        (StepOutcome::Ok, format!("{who}: {}", e.payload))
                    });
                seen.or_else(|| cannot_come(d).map(|why| (StepOutcome::Failed, why)))
            })
            .await;
        waited.unwrap_or_else(|| {
            (
                StepOutcome::TimedOut,
                format!("no {event} within {}", humantime::format_duration(timeout)),
            )
        })
    }
}
