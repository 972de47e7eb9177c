//! The write probe of a drill: started before the first step with a baseline of writes, and
//! stopped at the end, after its read-back of what the master kept.

use super::{BASELINE, CONNECT_WAIT, DrillOptions, PROBE_FINISH, Runner, say};
use sentui_io::probe::{self, ProbeConfig};
use sentui_model::Addr;
use sentui_model::drill::scenario::State;
use std::time::Duration;
use tokio::time::Instant;

impl Runner {
    /// Starts the probe and lets it write for a baseline; goes on (saying so) if it cannot
    /// write yet.
    pub(super) async fn start_probe(&mut self, opts: &DrillOptions) {
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

    /// Stops the probe and waits (bounded) for its read-back; the last inputs are applied.
    pub(super) async fn stop_probe(&mut self) {
        let Some(handle) = self.probe.take() else {
            return;
        };
        handle.stop();
        let stopped = self
            .wait(Instant::now() + PROBE_FINISH, |d| {
                d.probe().as_ref().and_then(|p| p.stopped_at)
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
}
