//! Leader-election votes per epoch: who voted for whom, and who was elected.

use super::Millis;
use super::addr::Addr;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vote {
    /// Run id of the sentinel voted for.
    pub run_id: String,
    pub at: Millis,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EpochVotes {
    pub epoch: u64,
    pub group: Option<String>,
    pub started_at: Option<Millis>,
    /// Voter (the sentinel that published `+vote-for-leader`) -> its vote.
    pub votes: BTreeMap<Addr, Vote>,
    /// The sentinel that published `+elected-leader` for this epoch.
    pub leader: Option<Addr>,
    pub elected_at: Option<Millis>,
}

impl EpochVotes {
    /// Votes counted per candidate run id, most votes first.
    pub fn tally(&self) -> Vec<(&str, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for v in self.votes.values() {
            *counts.entry(v.run_id.as_str()).or_default() += 1;
        }
        let mut t: Vec<_> = counts.into_iter().collect();
        t.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        t
    }
}

/// Every epoch seen in this session (bounded to the newest `KEEP`).
#[derive(Clone, Debug, Default)]
pub struct VoteBook {
    epochs: BTreeMap<u64, EpochVotes>,
    /// The epoch most recently announced; `+vote-for-leader` names it, `+elected-leader` does not.
    current: Option<u64>,
}

const KEEP: usize = 64;

impl VoteBook {
    fn epoch_mut(&mut self, epoch: u64, at: Millis) -> &mut EpochVotes {
        if !self.epochs.contains_key(&epoch)
            && self.epochs.len() >= KEEP
            && let Some(oldest) = self.epochs.keys().next().copied()
        {
            self.epochs.remove(&oldest);
        }
        self.epochs.entry(epoch).or_insert_with(|| EpochVotes {
            epoch,
            started_at: Some(at),
            ..Default::default()
        })
    }

    pub fn new_epoch(&mut self, epoch: u64, at: Millis) {
        self.epoch_mut(epoch, at);
        self.current = Some(self.current.map_or(epoch, |c| c.max(epoch)));
    }

    pub fn vote(&mut self, voter: Addr, run_id: &str, epoch: u64, at: Millis) {
        self.new_epoch(epoch, at);
        self.epoch_mut(epoch, at).votes.insert(
            voter,
            Vote {
                run_id: run_id.to_string(),
                at,
            },
        );
    }

    /// `+try-failover` / `+elected-leader`: ties the current epoch to a group (and a leader).
    pub fn failover_step(&mut self, group: &str, leader: Option<Addr>, at: Millis) {
        let Some(epoch) = self.current else { return };
        let e = self.epoch_mut(epoch, at);
        if e.group.is_none() {
            e.group = Some(group.to_string());
        }
        if let Some(l) = leader
            && e.leader.is_none()
        {
            e.leader = Some(l);
            e.elected_at = Some(at);
        }
    }

    pub fn epochs(&self) -> impl DoubleEndedIterator<Item = &EpochVotes> {
        self.epochs.values()
    }

    pub fn latest(&self) -> Option<&EpochVotes> {
        self.epochs.values().next_back()
    }

    /// The newest vote `voter` published (`+vote-for-leader`) in an election of `group` (or of
    /// an epoch no group was tied to yet): the candidate's run id and the epoch.
    pub fn last_vote_of(&self, voter: &Addr, group: &str) -> Option<(&str, u64)> {
        self.epochs
            .values()
            .rev()
            .filter(|e| e.group.as_deref().is_none_or(|g| g == group))
            .find_map(|e| e.votes.get(voter).map(|v| (v.run_id.as_str(), e.epoch)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_votes_and_leader() {
        let mut b = VoteBook::default();
        let s1: Addr = "127.0.0.1:1".parse().unwrap();
        let s2: Addr = "127.0.0.1:2".parse().unwrap();
        b.new_epoch(1, 10);
        b.failover_step("m", None, 10);
        b.vote(s1.clone(), "aaa", 1, 11);
        b.vote(s2.clone(), "aaa", 1, 12);
        b.failover_step("m", Some(s1.clone()), 20);
        let e = b.latest().unwrap();
        assert_eq!(e.epoch, 1);
        assert_eq!(e.group.as_deref(), Some("m"));
        assert_eq!(e.leader, Some(s1));
        assert_eq!(e.tally(), vec![("aaa", 2)]);
        assert_eq!(e.started_at, Some(10));
        assert_eq!(b.last_vote_of(&s2, "m"), Some(("aaa", 1)));
        assert_eq!(b.last_vote_of(&s2, "other"), None);
    }

    #[test]
    fn keeps_a_bounded_number_of_epochs() {
        let mut b = VoteBook::default();
        for i in 0..200 {
            b.new_epoch(i, i);
        }
        assert_eq!(b.epochs().count(), KEEP);
        assert_eq!(b.latest().unwrap().epoch, 199);
    }
}
