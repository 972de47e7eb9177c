//! The load budget: how much sentui asks of the deployment it watches, whatever its size.
//!
//! - Data nodes: one request per probe interval (PING, or `INFO replication` once a second).
//!   The interval is `--probe-every` (100 ms) until the nodes together would exceed
//!   `--probe-budget` requests per second (300); past that it grows with the number of nodes,
//!   so 200 nodes are probed every 667 ms. No node ever gets more than 1 / `probe_every`.
//!   Probes fall on a shared 20 ms grid, so that many share one wake-up of sentui.
//! - Sentinels: one poll per `--refresh`: INFO server, INFO sentinel, `SENTINEL MASTERS` and
//!   `SENTINEL MYID` (one round trip), then `REPLICAS`, `SENTINELS` and `CKQUORUM` for the
//!   groups this round's budget allows (`--poll-budget` commands, 30: ten groups). Groups whose
//!   master record changed, or that an event just named, go first; the rest are refreshed in
//!   turn, stalest first, so with 100 groups each is refreshed at least every 10 s: as often as
//!   Sentinel itself refreshes what it knows of a replica (its INFO every 10 s).
//!
//! Pure: no I/O, no clocks; the collectors call it.

use crate::reply::MasterRecord;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Commands a group's details cost: REPLICAS, SENTINELS, CKQUORUM.
pub const COMMANDS_PER_GROUP: usize = 3;
/// Default `--probe-budget`: liveness requests per second across all nodes.
pub const DEFAULT_PROBE_BUDGET: u32 = 300;
/// Default `--poll-budget`: group-detail commands per poll round of one sentinel. Watching 100
/// groups at 100 a round doubled the commands a sentinel processes; 30 keeps sentui's share
/// near a third of the sentinel's own traffic.
pub const DEFAULT_POLL_BUDGET: u32 = 30;

/// The probe interval of each node when `nodes` share `budget_per_sec` requests per second,
/// never faster than `fastest`.
pub fn probe_interval(fastest: Duration, budget_per_sec: u32, nodes: usize) -> Duration {
    let spread = Duration::from_secs_f64(nodes as f64 / f64::from(budget_per_sec.max(1)));
    fastest.max(spread)
}

/// How often each node's rights check (CLIENT LIST and ACL DRYRUN, `collect/rights.rs`) comes
/// round: every 10 s, and past 20 nodes half a second per node, so that all of them together
/// stay at two checks a second. Rights change rarely; the probes must not wait for them.
pub fn rights_interval(nodes: usize) -> Duration {
    Duration::from_secs(10).max(Duration::from_millis(500) * nodes as u32)
}

/// Probes fall on a grid of this step, so that many nodes share each wake-up of sentui: at 200
/// nodes one wake-up per probe cost more CPU than the probes themselves.
pub const PROBE_SLOT: Duration = Duration::from_millis(20);

/// When a node's next probe is due, as time since a clock all nodes share: the first instant
/// after `elapsed` that is the node's offset into an `interval`. Offsets come from `key` (a hash
/// of the node's address), sit on the [`PROBE_SLOT`] grid and spread the nodes over the
/// interval; a late answer moves the next probe to the next free slot rather than bunching up.
pub fn next_probe(elapsed: Duration, interval: Duration, key: u64) -> Duration {
    let slot = (PROBE_SLOT.as_millis() as u64).min(interval.as_millis().max(1) as u64);
    let interval = (interval.as_millis().max(1) as u64).div_ceil(slot) * slot;
    let offset = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) % (interval / slot) * slot;
    let now = elapsed.as_millis() as u64;
    let mut due = now - now % interval + offset;
    if due <= now {
        due += interval;
    }
    Duration::from_millis(due)
}

/// Which groups of one sentinel get their details fetched in each poll round; the other groups
/// are sent as carried (their master record alone: the model keeps their last details).
#[derive(Clone, Debug)]
pub struct DetailSchedule {
    /// Commands per round; None fetches every group every round (one-shot snapshots).
    budget: Option<usize>,
    round: u64,
    /// Per group: its master record when its details were last fetched, and that round.
    fetched: BTreeMap<String, (MasterRecord, u64)>,
    /// Groups an event named since their last fetch.
    dirty: BTreeSet<String>,
}

impl DetailSchedule {
    pub fn every_group() -> Self {
        DetailSchedule {
            budget: None,
            round: 0,
            fetched: BTreeMap::new(),
            dirty: BTreeSet::new(),
        }
    }

    pub fn within(commands_per_round: u32) -> Self {
        DetailSchedule {
            budget: Some(commands_per_round as usize),
            ..Self::every_group()
        }
    }

    /// An event named `group`: fetch its details next round.
    pub fn mark_dirty(&mut self, group: &str) {
        // Bounded: only groups the sentinel reported are kept (see `plan`).
        if self.fetched.contains_key(group) {
            self.dirty.insert(group.to_string());
        }
    }

    /// The groups to fetch this round, in the order of `masters`. Changed, new and dirty groups
    /// always go (a failover must show at once); the budget's rest goes to the stalest.
    pub fn plan(&mut self, masters: &[MasterRecord]) -> BTreeSet<String> {
        self.round += 1;
        let names: BTreeSet<&str> = masters.iter().map(|m| m.name.as_str()).collect();
        self.fetched.retain(|g, _| names.contains(g.as_str()));
        self.dirty.retain(|g| names.contains(g.as_str()));
        let Some(budget) = self.budget else {
            return names.into_iter().map(str::to_string).collect();
        };
        let slots = (budget / COMMANDS_PER_GROUP).max(1);
        let mut chosen: BTreeSet<String> = masters
            .iter()
            .filter(|m| {
                self.dirty.contains(&m.name)
                    || self
                        .fetched
                        .get(&m.name)
                        .is_none_or(|(then, _)| details_may_differ(then, m))
            })
            .map(|m| m.name.clone())
            .collect();
        let mut stalest: Vec<(u64, &str)> = masters
            .iter()
            .filter(|m| !chosen.contains(&m.name))
            .map(|m| {
                (
                    self.fetched.get(&m.name).map_or(0, |f| f.1),
                    m.name.as_str(),
                )
            })
            .collect();
        stalest.sort();
        let room = slots.saturating_sub(chosen.len());
        chosen.extend(stalest.into_iter().take(room).map(|(_, g)| g.to_string()));
        chosen
    }

    /// The details of the group of `master` were fetched this round.
    pub fn fetched(&mut self, master: &MasterRecord) {
        self.dirty.remove(&master.name);
        self.fetched
            .insert(master.name.clone(), (master.clone(), self.round));
    }
}

/// What in a master record means the group's details may have changed since `then`.
fn details_may_differ(then: &MasterRecord, now: &MasterRecord) -> bool {
    then.addr != now.addr
        || then.flags != now.flags
        || then.config_epoch != now.config_epoch
        || then.num_replicas != now.num_replicas
        || then.num_other_sentinels != now.num_other_sentinels
        || then.failover_state != now.failover_state
        || then.run_id != now.run_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Addr;
    use crate::flags::{Flag, Flags};

    fn master(name: &str, replicas: u32) -> MasterRecord {
        MasterRecord {
            name: name.into(),
            addr: Addr::new("127.0.0.1", 6379),
            run_id: None,
            flags: Flags::parse("master"),
            config_epoch: 0,
            quorum: 2,
            num_replicas: replicas,
            num_other_sentinels: 2,
            down_after_ms: None,
            failover_timeout_ms: None,
            master_reboot_down_after_ms: None,
            parallel_syncs: None,
            last_ok_ping_ms: None,
            failover_state: None,
            sdown_ms: None,
            role_reported_ms: None,
        }
    }

    fn groups(n: usize) -> Vec<MasterRecord> {
        (0..n).map(|i| master(&format!("g{i:03}"), 1)).collect()
    }

    fn fetch(s: &mut DetailSchedule, m: &MasterRecord) {
        s.fetched(m);
    }

    #[test]
    fn the_probe_interval_grows_only_past_the_budget() {
        let fast = Duration::from_millis(100);
        assert_eq!(probe_interval(fast, 1000, 3), fast);
        assert_eq!(probe_interval(fast, 1000, 100), fast);
        assert_eq!(probe_interval(fast, 1000, 200), Duration::from_millis(200));
        assert_eq!(probe_interval(fast, 1000, 2000), Duration::from_secs(2));
        assert_eq!(probe_interval(fast, 0, 1), Duration::from_secs(1));
    }

    #[test]
    fn probes_fall_on_a_shared_grid_spread_over_the_interval() {
        let interval = Duration::from_millis(400);
        let keys = 0..200u64;
        let first: Vec<Duration> = keys
            .clone()
            .map(|k| next_probe(Duration::ZERO, interval, k))
            .collect();
        // Within one interval, on the 20 ms grid, over most of its 20 slots.
        assert!(first.iter().all(|d| *d > Duration::ZERO && *d <= interval));
        assert!(first.iter().all(|d| d.as_millis().is_multiple_of(20)));
        let slots: BTreeSet<_> = first.iter().collect();
        assert!(slots.len() >= 15, "{} distinct slots", slots.len());
        // Then every interval, on time.
        for (k, d) in keys.zip(&first) {
            assert_eq!(next_probe(*d, interval, k), *d + interval);
        }
        // A late answer: the next probe is the node's next slot, not a burst to catch up.
        let at = next_probe(Duration::ZERO, interval, 7);
        let late = at + Duration::from_millis(450);
        assert_eq!(next_probe(late, interval, 7), at + interval * 2);
        // An interval off the grid is rounded up to it; one shorter than a slot is its own slot.
        let odd = next_probe(Duration::ZERO, Duration::from_millis(130), 3);
        assert!(odd.as_millis().is_multiple_of(20) && odd <= Duration::from_millis(140));
        let tiny = Duration::from_millis(5);
        assert_eq!(
            next_probe(Duration::from_millis(12), tiny, 3),
            Duration::from_millis(15)
        );
    }

    #[test]
    fn a_small_deployment_is_fetched_whole_every_round() {
        let mut s = DetailSchedule::within(DEFAULT_POLL_BUDGET);
        let ms = groups(3);
        for _ in 0..3 {
            let plan = s.plan(&ms);
            assert_eq!(plan.len(), 3);
            ms.iter().for_each(|m| fetch(&mut s, m));
        }
    }

    #[test]
    fn a_large_deployment_is_fetched_in_turn_within_budget() {
        let mut s = DetailSchedule::within(99); // 33 groups a round
        let ms = groups(100);
        // First round: every group is new, so every group goes.
        let first = s.plan(&ms);
        assert_eq!(first.len(), 100);
        ms.iter().for_each(|m| fetch(&mut s, m));
        // Then 33 a round, stalest first, so all 100 within 4 rounds.
        let mut seen = BTreeSet::new();
        for _ in 0..4 {
            let plan = s.plan(&ms);
            assert_eq!(plan.len(), 33);
            for m in ms.iter().filter(|m| plan.contains(&m.name)) {
                fetch(&mut s, m);
            }
            seen.extend(plan);
        }
        assert_eq!(seen.len(), 100);
    }

    #[test]
    fn changed_and_named_groups_go_first_even_past_the_budget() {
        let mut s = DetailSchedule::within(6); // 2 groups a round
        let mut ms = groups(10);
        s.plan(&ms);
        ms.iter().for_each(|m| fetch(&mut s, m));
        ms[7].flags.insert(Flag::SDown);
        ms[8].num_replicas = 0;
        s.mark_dirty("g009");
        s.mark_dirty("not-a-group");
        let plan = s.plan(&ms);
        assert!(plan.contains("g007") && plan.contains("g008") && plan.contains("g009"));
        assert_eq!(plan.len(), 3, "{plan:?}");
        assert!(!s.dirty.contains("not-a-group"));
    }

    #[test]
    fn removed_groups_are_forgotten() {
        let mut s = DetailSchedule::within(6);
        let ms = groups(5);
        s.plan(&ms);
        ms.iter().for_each(|m| fetch(&mut s, m));
        s.plan(&ms[..2]);
        assert_eq!(s.fetched.len(), 2);
    }

    #[test]
    fn one_shot_snapshots_fetch_everything() {
        let mut s = DetailSchedule::every_group();
        assert_eq!(s.plan(&groups(150)).len(), 150);
    }

    #[test]
    fn rights_are_checked_at_two_nodes_a_second_at_most() {
        assert_eq!(rights_interval(3), Duration::from_secs(10));
        assert_eq!(rights_interval(20), Duration::from_secs(10));
        assert_eq!(rights_interval(200), Duration::from_secs(100));
    }
}
