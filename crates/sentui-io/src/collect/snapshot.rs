//! One-shot collection for `sentui status`: poll the seed sentinels, then every sentinel and
//! node they report, all in parallel, each call bounded by the link timeouts.

use super::node::info_once;
use super::sentinel::poll_once;
use crate::link::{LinkSettings, now_ms};
use futures_util::future::join_all;
use sentui_model::budget::DetailSchedule;
use sentui_model::{Addr, Deployment, Reach, Update};
use std::collections::BTreeSet;

/// Discovery rounds: seeds, then what they report, then what those report.
const ROUNDS: usize = 3;

pub async fn snapshot(link: &LinkSettings, seeds: &[Addr]) -> Deployment {
    let mut d = Deployment::default();
    let mut polled: BTreeSet<Addr> = BTreeSet::new();
    let mut sentinels: Vec<Addr> = seeds
        .iter()
        .map(|s| link.map.announced_for(s).unwrap_or_else(|| s.clone()))
        .collect();
    let mut nodes: Vec<Addr> = Vec::new();
    for _ in 0..ROUNDS {
        let s_jobs = sentinels.iter().map(|s| async move {
            let mut conn = None;
            poll_once(link, s, &mut conn, &mut DetailSchedule::every_group()).await
        });
        let n_jobs = nodes.iter().map(|n| node_once(link, n));
        let (s_updates, n_updates) = tokio::join!(join_all(s_jobs), join_all(n_jobs));
        polled.extend(sentinels.drain(..));
        polled.extend(nodes.drain(..));
        for u in s_updates.into_iter().chain(n_updates) {
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

async fn node_once(link: &LinkSettings, addr: &Addr) -> Update {
    let started = now_ms();
    let mut conn = match link.connect(addr).await {
        Ok(c) => c,
        Err(reach) => {
            return Update::NodeReach {
                addr: addr.clone(),
                at: now_ms(),
                reach,
            };
        }
    };
    match info_once(&mut conn, addr).await {
        Ok(u) => u,
        Err(e) => Update::NodeReach {
            addr: addr.clone(),
            at: now_ms(),
            reach: match crate::link::classify(&e.0, e.1) {
                Reach::Unresponsive { .. } => Reach::Unresponsive { since: started },
                r => link.diagnose(addr, r).await,
            },
        },
    }
}
