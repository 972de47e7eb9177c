//! The live executor: control actions through the controller (Docker API or signals), manual
//! failovers through the sentinels, the write probe. Each outcome goes back on the input
//! stream stamped with the moment the call returned, when the action took effect.

use super::Executor;
use sentui_io::control::Controller;
use sentui_io::control::failover::failover_via;
use sentui_io::link::{LinkSettings, now_ms};
use sentui_io::probe::{self, ProbeConfig, ProbeHandle};
use sentui_model::action::{Action, Command};
use sentui_model::input::{ActionResult, Input};
use sentui_model::{Addr, Millis};
use std::time::Duration;
use tokio::sync::mpsc::Sender;

pub struct RealExecutor {
    control: Controller,
    link: LinkSettings,
    inputs: Sender<Input>,
    /// The write probe the TUI runs (`w`), and the one stopped that still reads back.
    probe: Option<ProbeHandle>,
    stopping: Option<ProbeHandle>,
}

impl RealExecutor {
    pub fn new(control: Controller, link: LinkSettings, inputs: Sender<Input>) -> Self {
        RealExecutor {
            control,
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
        let (control, link) = (self.control.clone(), self.link.clone());
        tokio::spawn(async move {
            // Stamped when the action took effect: a control action says when its signal or
            // Docker call returned; a failover request, when the sentinel answered.
            let (at, result) = match &command {
                Command::Control { action, addr } => match control.apply(*action, addr).await {
                    Ok(effect) => (effect.at, Ok(effect.describe())),
                    Err(e) => (now_ms(), Err(e.to_string())),
                },
                Command::Failover { group, sentinels } => {
                    let r = failover_via(&link, sentinels, group).await;
                    (now_ms(), r.map_err(|e| e.to_string()))
                }
                _ => (
                    now_ms(),
                    Err("internal: the session answers this command itself".into()),
                ),
            };
            let _ = tx.send(Input::done(at, issued_at, command, result)).await;
        });
    }

    async fn undo(&mut self, action: Action, addr: &Addr) -> ActionResult {
        self.control
            .apply(action, addr)
            .await
            .map(|e| e.describe())
            .map_err(|e| e.to_string())
    }

    async fn finish(&mut self) {
        for h in self.probe.take().into_iter().chain(self.stopping.take()) {
            h.finish(Duration::from_secs(3)).await;
        }
    }
}
