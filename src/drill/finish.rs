//! The end of every drill, however its steps ended: what it changed is restored (the
//! ledger's faults ended, newest first), the sentinels get a moment to agree, the probe reads
//! back, and the report is built from what the model saw.

use super::{AGREE_WAIT, DrillError, DrillOptions, Runner, say};
use sentui_io::link::now_ms;
use sentui_model::action::Command;
use sentui_model::drill::report::{self, ProbeSummary, Report, Verdict};
use sentui_model::drill::scenario::{State, Unmet};
use sentui_model::event::SentinelEvent;
use sentui_model::postmortem::{self, About, Focus};

use super::stream::NotYet;

/// The report of a drill that could not start.
pub(super) fn not_run(opts: &DrillOptions, group: String, e: DrillError) -> Report {
    Report {
        scenario: opts.scenario.name.clone(),
        group,
        verdict: Verdict::Error,
        error: Some(e.to_string()),
        old_master: None,
        new_master: None,
        fault_at: None,
        failover_ms: None,
        steps: Vec::new(),
        phases: Vec::new(),
        probe: None,
        checks: Vec::new(),
        restored: Vec::new(),
        prediction: None,
        postmortem: None,
    }
}

impl Runner {
    /// Restores, lets the sentinels agree (if the scenario expects it), stops the probe and
    /// reports; `error` is why the drill did not run to its end.
    pub(super) async fn finish(mut self, opts: &DrillOptions, error: Option<DrillError>) -> Report {
        let restored = self.restore().await;
        let agreement = if opts.scenario.expect.agree_at_end {
            Some(self.wait_state(State::Agreed, AGREE_WAIT).await)
        } else {
            None
        };
        self.stop_probe().await;
        self.report(opts, error, agreement, restored)
    }

    /// Ends every fault the drill holds, newest first, and lets their leases go; says what it
    /// did and what failed.
    pub(super) async fn restore(&mut self) -> Vec<String> {
        let mut done = Vec::new();
        for u in self.hands.restore().await {
            let (undo, addr) = (u.lease.undo(), u.lease.addr.clone());
            let line = match &u.result {
                Ok(msg) => msg.clone(),
                Err(e) => format!("{} {addr} failed: {e}", undo.verb_present()),
            };
            let command = Command::Control { action: undo, addr };
            self.send_done(u.at, u.issued_at, command, u.result).await;
            say(format!("restore: {line}"));
            done.push(line);
        }
        done
    }

    /// A sentinel saw the old master down after the fault (`+sdown`): the fault lasted long
    /// enough for Sentinel to act on it, so the verdict was put to the test.
    fn master_seen_down(&self) -> Result<(), String> {
        let (Some(at), Some(master)) = (self.fault_at, self.old_master.as_ref()) else {
            return Err("no fault took effect".into());
        };
        let seen = self.d.log().in_time_order().iter().any(|e| {
            e.ts >= at
                && e.addr.as_ref() == Some(master)
                && e.sentinel_event() == Some(&SentinelEvent::Sdown)
        });
        if seen {
            Ok(())
        } else {
            Err(
                "no sentinel saw the master down: the fault was shorter than \
                 down-after-milliseconds"
                    .into(),
            )
        }
    }

    fn report(
        &self,
        opts: &DrillOptions,
        error: Option<DrillError>,
        agreement: Option<Result<String, NotYet>>,
        restored: Vec<String>,
    ) -> Report {
        let now = now_ms();
        let fault_at = self.fault_at;
        let new_master = self
            .d
            .master_of(&self.group)
            .filter(|m| Some(m) != self.old_master.as_ref());
        let span = fault_at.map(|f| self.d.fault_span(&self.group, f));
        let probe = self
            .d
            .probe()
            .as_ref()
            .filter(|_| opts.scenario.probe)
            .map(|p| {
                let masters = (self.old_master.as_ref(), new_master.as_ref());
                ProbeSummary::new(p, span, masters, &self.fault_name, now)
            });
        let failover_ms = fault_at.and_then(|f| self.d.failover_ms(&self.group, f));
        let agreement = agreement.map(|a| a.map_err(|e| Unmet(e.why)));
        let checks = report::checks(
            &opts.scenario.expect,
            failover_ms,
            probe.as_ref(),
            agreement,
        );
        let error = error.map(|e| e.to_string());
        let about = About {
            source: format!("drill {}", opts.scenario.name),
            deployment: self.deployment.clone(),
            fault: self.fault_name.clone(),
        };
        let focus = fault_at.map_or(Focus::LastFailover, Focus::Fault);
        Report {
            postmortem: postmortem::build(&self.d, &self.group, focus, &about, now),
            scenario: opts.scenario.name.clone(),
            group: self.group.clone(),
            verdict: report::verdict(error.as_deref(), &self.steps, &checks),
            error,
            old_master: self.old_master.clone(),
            new_master: new_master.clone(),
            fault_at,
            failover_ms,
            steps: self.steps.clone(),
            phases: fault_at
                .map(|f| report::phases(&self.d, &self.group, f))
                .unwrap_or_default(),
            probe,
            checks,
            restored,
            prediction: self.before.as_ref().map(|(at, r, tested)| {
                let tested = tested.clone().and_then(|()| self.master_seen_down());
                report::prediction(r, *at, tested, new_master.as_ref())
            }),
        }
    }
}
