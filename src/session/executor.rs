//! The live executor: control actions through sentui's hands (each fault on a lease, held by a
//! guard outside sentui), manual failovers through the sentinels, the write probe. Each outcome
//! goes back on the input stream stamped with the moment the call returned, when the action
//! took effect; a lease that ends without sentui (it ran out) comes back the same way.

use super::Executor;
use sentui_io::control::failover::failover_via;
use sentui_io::hands::{Hands, lease_words};
use sentui_io::link::{LinkSettings, now_ms};
use sentui_io::probe::{self, ProbeConfig, ProbeHandle};
use sentui_model::Millis;
use sentui_model::action::Command;
use sentui_model::input::{ActionResult, Input};
use std::time::Duration;
use tokio::sync::mpsc::Sender;

/// How often the executor looks for leases that ended without it.
const LEASE_LOOK: Duration = Duration::from_millis(250);

pub struct RealExecutor {
    hands: Hands,
    link: LinkSettings,
    inputs: Sender<Input>,
    /// The write probe the TUI runs (`w`), and the one stopped that still reads back.
    probe: Option<ProbeHandle>,
    stopping: Option<ProbeHandle>,
}

impl RealExecutor {
    /// Also starts the watch on this session's leases: one that its guard ended (it ran out)
    /// is reported as the undo it was, so the screen and the log say so.
    pub fn new(hands: Hands, link: LinkSettings, inputs: Sender<Input>) -> Self {
        tokio::spawn(watch_leases(hands.clone(), inputs.clone()));
        RealExecutor {
            hands,
            link,
            inputs,
            probe: None,
            stopping: None,
        }
    }

    /// The probe answers at once: it runs beside the session and reports as updates.
    fn probe_command(&mut self, c: &Command) -> ActionResult {
        match c {
            Command::StartProbe { group, sentinels } => {
                if self.probe.is_some() {
                    return Err("the probe is already running".into());
                }
                let cfg = ProbeConfig::new(
                    self.link.clone(),
                    sentinels.clone(),
                    group.clone(),
                    probe::DEFAULT_RATE,
                );
                let msg = format!(
                    "probe writing {} keys/s to {group} (sentui:probe:{}:N); w stops it",
                    cfg.rate, cfg.run_id
                );
                self.probe = Some(probe::spawn(cfg, self.inputs.clone()));
                Ok(msg)
            }
            Command::StopProbe => {
                let Some(h) = self.probe.take() else {
                    return Err("the probe is not running".into());
                };
                h.stop();
                self.stopping = Some(h);
                Ok("probe stopped: reading back its acknowledged writes".into())
            }
            _ => Err("internal: not a probe command".into()),
        }
    }
}

impl Executor for RealExecutor {
    fn execute(&mut self, command: Command, issued_at: Millis) {
        let tx = self.inputs.clone();
        if matches!(command, Command::StartProbe { .. } | Command::StopProbe) {
            let result = self.probe_command(&command);
            let input = Input::done(now_ms(), issued_at, command, result);
            tokio::spawn(async move { tx.send(input).await });
            return;
        }
        let (hands, link) = (self.hands.clone(), self.link.clone());
        tokio::spawn(async move {
            // Stamped when the action took effect: a control action says when its signal or
            // Docker call returned; a failover request, when the sentinel answered.
            let (at, result, lease_until) = match &command {
                Command::Control { action, addr } => match hands.apply(*action, addr).await {
                    Ok(done) => (
                        done.effect.at,
                        Ok(done.describe()),
                        done.lease.map(|l| l.expires_at),
                    ),
                    Err(e) => (now_ms(), Err(e.to_string()), None),
                },
                Command::Failover {
                    group,
                    sentinels,
                    kind,
                } => {
                    let r = failover_via(&link, sentinels, group, *kind).await;
                    (now_ms(), r.map_err(|e| e.to_string()), None)
                }
                _ => (
                    now_ms(),
                    Err("internal: the session answers this command itself".into()),
                    None,
                ),
            };
            let done = Input::done(at, issued_at, command, result).leased(lease_until);
            let _ = tx.send(done).await;
        });
    }

    async fn restore(&mut self) -> Vec<(Input, String)> {
        self.hands
            .restore()
            .await
            .into_iter()
            .map(|u| {
                let line = match &u.result {
                    Ok(msg) => format!(
                        "{msg} ({} by sentui during this session)",
                        u.lease.action.verb()
                    ),
                    Err(e) => format!("could not {} {}: {e}", u.lease.undo().name(), u.lease.addr),
                };
                let command = Command::Control {
                    action: u.lease.undo(),
                    addr: u.lease.addr.clone(),
                };
                (Input::done(u.at, u.issued_at, command, u.result), line)
            })
            .collect()
    }

    fn hand_over(&mut self) -> Vec<String> {
        let now = now_ms();
        self.hands
            .hand_over()
            .iter()
            .map(|l| {
                format!(
                    "left {} {} as asked (--leave-paused); a guard ends it when its {}",
                    l.action.verb(),
                    l.addr,
                    lease_words(l, now)
                )
            })
            .collect()
    }

    async fn finish(&mut self) {
        for h in self.probe.take().into_iter().chain(self.stopping.take()) {
            h.finish(Duration::from_secs(3)).await;
        }
    }
}

/// Reports each lease of this session that ended without it: the guard's revert as the undo
/// it was (stamped when it took effect), or, for a lease someone else released, nothing (the
/// node's own state says it).
async fn watch_leases(hands: Hands, tx: Sender<Input>) {
    loop {
        tokio::time::sleep(LEASE_LOOK).await;
        for lease in hands.take_ended() {
            let Some(end) = lease.ended.clone() else {
                continue;
            };
            let command = Command::Control {
                action: lease.undo(),
                addr: lease.addr.clone(),
            };
            let result = end
                .result
                .map(|msg| format!("{}: {msg}", end.reason.describe()))
                .map_err(|e| format!("{} could not be ended by its guard: {e}", lease.describe()));
            if tx
                .send(Input::done(end.at, end.at, command, result))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}
