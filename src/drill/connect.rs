//! Before the first step: the sentinels answer, the drill knows its master group, and every
//! sentinel of that group and its master answer, their event links up (a `+switch-master` must
//! not be missed).

use super::{CONNECT_WAIT, Runner};
use crate::target::{GroupError, choose_group};
use sentui_io::collect::CollectSettings;
use sentui_io::hands::Hands;
use sentui_io::link::now_ms;
use sentui_model::{Addr, Deployment};
use tokio::time::Instant;

/// Why the drill could not start on the deployment.
#[derive(Debug, thiserror::Error)]
pub enum ReadyError {
    /// `why`: each sentinel's reachability (none: none answered).
    #[error(
        "no sentinel reported a master group within {}s ({})",
        CONNECT_WAIT.as_secs(),
        if .why.is_empty() { "none answered".to_string() } else { .why.join("; ") }
    )]
    NoGroup { why: Vec<String> },
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error(
        "the sentinels of '{group}' and its master did not all answer (and their event links come up) within {}s",
        CONNECT_WAIT.as_secs()
    )]
    NotReady { group: String },
}

impl Runner {
    /// Starts the collectors and waits (at most `CONNECT_WAIT`) until the drill can start.
    pub(super) async fn connect(
        settings: CollectSettings,
        seeds: Vec<Addr>,
        hands: Hands,
        group: Option<&str>,
    ) -> Result<Runner, ReadyError> {
        let mut r = Runner::new(settings, seeds, hands);
        let deadline = Instant::now() + CONNECT_WAIT;
        let polled = r
            .wait(deadline, |d| (!d.group_names().is_empty()).then_some(()))
            .await;
        if polled.is_none() {
            let why = r.d.sentinels().values();
            let why = why.map(|s| format!("{}: {}", s.addr, s.reach.describe(now_ms())));
            return Err(ReadyError::NoGroup { why: why.collect() });
        }
        r.group = choose_group(&r.d, group)?;
        let group = r.group.clone();
        if r.wait(deadline, |d| ready(d, &group).then_some(()))
            .await
            .is_none()
        {
            return Err(ReadyError::NotReady { group });
        }
        Ok(r)
    }
}

/// Every sentinel of `group` reports it with its event link up, and its master answers.
fn ready(d: &Deployment, group: &str) -> bool {
    let Some(master) = d.master_of(group) else {
        return false;
    };
    let reporting: Vec<_> = d
        .sentinels()
        .values()
        .filter(|s| s.groups.contains_key(group))
        .collect();
    let peers = d
        .sentinels()
        .values()
        .filter_map(|s| s.groups.get(group))
        .map(|g| g.peers.len() + 1)
        .max()
        .unwrap_or(0);
    reporting.len() >= peers
        && reporting.iter().all(|s| s.pubsub_up)
        && d.nodes().get(&master).is_some_and(|n| n.reach.is_ok())
}
