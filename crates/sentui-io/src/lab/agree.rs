//! Waiting until a lab's sentinels agree, for the local lab and the Docker lab alike.

use crate::collect::snapshot::snapshot;
use crate::link::LinkSettings;
use sentui_model::Addr;
use std::time::{Duration, Instant};

/// The sentinels did not settle in time: what was still wrong when the time ran out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the sentinels did not agree within {secs}s ({last})")]
pub struct NotAgreed {
    pub secs: u64,
    pub last: String,
}

/// Waits until, for every group, every sentinel names the same master and knows all replicas
/// and peers, and every replica's link is up.
pub async fn wait_until_agreed(
    link: &LinkSettings,
    seeds: &[Addr],
    groups: &[String],
    replicas: u32,
    limit: Duration,
) -> Result<(), NotAgreed> {
    let deadline = Instant::now() + limit;
    let mut last = String::from("no sentinel answered yet");
    while Instant::now() < deadline {
        let d = snapshot(link, seeds).await;
        let linked = d
            .nodes()
            .values()
            .filter_map(|n| n.info.as_ref())
            .filter(|i| i.link_up == Some(true))
            .count();
        let waiting: Vec<String> = groups
            .iter()
            .filter_map(|group| group_disagreement(&d, seeds, group, replicas))
            .collect();
        if waiting.is_empty() && linked == replicas as usize * groups.len() {
            return Ok(());
        }
        last = match waiting.first() {
            Some(first) if waiting.len() > 1 => {
                format!("{first}; {} more groups not settled", waiting.len() - 1)
            }
            Some(first) => first.clone(),
            None => format!(
                "{linked} of {} replica links up",
                replicas as usize * groups.len()
            ),
        };
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(NotAgreed {
        secs: limit.as_secs(),
        last,
    })
}

/// Why `group` is not settled yet, or None when every sentinel agrees on it.
fn group_disagreement(
    d: &sentui_model::Deployment,
    seeds: &[Addr],
    group: &str,
    replicas: u32,
) -> Option<String> {
    let views: Vec<_> = seeds
        .iter()
        .filter_map(|s| d.sentinels().get(s))
        .filter_map(|s| s.groups.get(group).map(|g| (s, g)))
        .collect();
    let agreed = views.len() == seeds.len()
        && views.iter().all(|(_, g)| {
            Some(&g.master.addr) == views.first().map(|(_, g0)| &g0.master.addr)
                && g.master.num_replicas == replicas
                && g.master.num_other_sentinels as usize == seeds.len() - 1
        });
    // A sentinel in TILT (its timer stalled, e.g. a loaded machine at start) acts on nothing
    // for 30 s: the lab is not ready until it is out.
    let tilted: Vec<String> = views
        .iter()
        .filter(|(s, _)| s.tilt)
        .map(|(s, _)| s.addr.to_string())
        .collect();
    if agreed && tilted.is_empty() {
        return None;
    }
    if agreed {
        return Some(format!("{group}: {} in TILT mode", tilted.join(", ")));
    }
    let seen: Vec<String> = views
        .iter()
        .map(|(s, g)| {
            format!(
                "{} sees {} replicas, {} other sentinels",
                s.addr, g.master.num_replicas, g.master.num_other_sentinels
            )
        })
        .collect();
    Some(format!(
        "{group}: {}",
        if seen.is_empty() {
            "no sentinel reports it".to_string()
        } else {
            seen.join("; ")
        }
    ))
}
