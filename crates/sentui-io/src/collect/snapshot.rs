//! One-shot collection for `sentui status`: poll the seed sentinels, then every sentinel and
//! node they report, all in parallel, each call bounded by the link timeouts.

use super::node::{RIGHTS_WAIT, info_once};
use super::rights;
use super::sentinel::poll_once;
use crate::link::{LinkSettings, now_ms};
use futures_util::future::join_all;
use sentui_model::budget::DetailSchedule;
use sentui_model::{Addr, Deployment, Reach, Update};
use std::collections::BTreeSet;

/// Discovery rounds: seeds, then what they report, then what those report.
const ROUNDS: usize = 3;

/// Whether a snapshot also checks the sentinels' rights on each node (one more round trip per
/// node: `doctor` needs it, `status` does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rights {
    Check,
    Skip,
}

pub async fn snapshot(link: &LinkSettings, seeds: &[Addr]) -> Deployment {
    snapshot_with(link, seeds, Rights::Skip).await
}

pub async fn snapshot_with(link: &LinkSettings, seeds: &[Addr], rights: Rights) -> Deployment {
    let mut d = Deployment::default();
    let mut polled: BTreeSet<Addr> = BTreeSet::new();
    let mut sentinels: Vec<Addr> = seeds
        .iter()
        .map(|s| link.map.announced_for(s).unwrap_or_else(|| s.clone()))
        .collect();
    let mut nodes: Vec<Addr> = Vec::new();
    // A seed by name and the same sentinel announced by address are one sentinel.
    let mut aliases = super::alias::SeedAliases::resolve(&sentinels, link).await;
    for _ in 0..ROUNDS {
        let s_jobs = sentinels.iter().map(|s| async move {
            let mut conn = None;
            poll_once(link, s, &mut conn, &mut DetailSchedule::every_group()).await
        });
        let n_jobs = nodes.iter().map(|n| node_once(link, n, rights));
        let n_jobs = futures_util::future::join_all(n_jobs);
        let (s_updates, n_updates) = tokio::join!(join_all(s_jobs), n_jobs);
        polled.extend(sentinels.drain(..));
        polled.extend(nodes.drain(..));
        s_updates.iter().for_each(|u| aliases.note(u));
        let s_updates = s_updates.into_iter().map(|mut u| {
            aliases.rewrite(&mut u);
            u
        });
        for u in s_updates.chain(n_updates.into_iter().flatten()) {
            d.apply(u);
        }
        let (found_sentinels, found_nodes) = d.reported_endpoints();
        sentinels = found_sentinels
            .into_iter()
            .filter(|a| !polled.contains(a))
            .collect();
        nodes = found_nodes
            .into_iter()
            .filter(|a| !polled.contains(a))
            .collect();
        if sentinels.is_empty() && nodes.is_empty() {
            break;
        }
    }
    d
}

/// A node's INFO, then (when it answered) the sentinels' rights on it.
async fn node_once(link: &LinkSettings, addr: &Addr, check: Rights) -> Vec<Update> {
    let started = now_ms();
    let mut conn = match link.connect(addr).await {
        Ok(c) => c,
        Err(reach) => {
            return vec![Update::NodeReach {
                addr: addr.clone(),
                at: now_ms(),
                reach,
            }];
        }
    };
    match info_once(&mut conn, addr).await {
        Ok(u) if check == Rights::Skip => vec![u],
        Ok(u) => {
            let version = match &u {
                Update::NodeInfo { info, .. } => info.server.clone(),
                _ => None,
            };
            let checked = rights::check(&mut conn, version.as_ref(), RIGHTS_WAIT).await;
            vec![
                u,
                Update::NodeRights {
                    addr: addr.clone(),
                    rights: checked,
                },
            ]
        }
        Err(e) => vec![Update::NodeReach {
            addr: addr.clone(),
            at: now_ms(),
            reach: match crate::link::classify(&e.0, e.1) {
                Reach::Unresponsive { .. } => Reach::Unresponsive { since: started },
                r => link.diagnose(addr, r).await,
            },
        }],
    }
}
