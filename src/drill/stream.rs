//! The drill's one input stream, applied to its model: until a condition holds, until a
//! state holds, and the outcomes of its own actions sent into it.

use super::Runner;
use sentui_io::link::now_ms;
use sentui_model::action::Command;
use sentui_model::drill::scenario::State;
use sentui_model::input::{ActionResult, Input};
use sentui_model::{Deployment, Millis};
use std::time::Duration;
use tokio::time::Instant;

/// A state that did not come to hold in time.
#[derive(Debug, thiserror::Error)]
#[error("{why}")]
pub struct NotYet {
    /// Why not, the last time it was judged (the model's words).
    pub why: String,
}

impl Runner {
    /// Applies updates until `check` says Some or the deadline passes.
    pub(super) async fn wait<T>(
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

    /// Applies updates until `state` holds (what holds) or `limit` passes.
    pub(super) async fn wait_state(
        &mut self,
        state: State,
        limit: Duration,
    ) -> Result<String, NotYet> {
        let (group, old) = (self.group.clone(), self.old_master.clone());
        let mut why = String::new();
        let got = self
            .wait(Instant::now() + limit, |d| {
                match state.holds(d, &group, old.as_ref(), now_ms()) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        why = e.to_string();
                        None
                    }
                }
            })
            .await;
        got.ok_or(NotYet { why })
    }

    /// Reports what one of the drill's actions did, stamped when it took effect, on the
    /// input stream (the model logs it as it applies the stream, like every other input).
    pub(super) async fn send_done(
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
}
