//! How an [`Update`] changes the [`Deployment`]: the endpoints' states, the log (with what
//! sentui itself notices: reachability, roles, links, TILT), the votes and the stopwatches.

use super::trail;
use super::{
    ContainerInfo, Deployment, FailoverStart, NodeState, ProcessInfo, Reach, ReachState,
    SentinelPoll, SentinelState, StartCause, Update,
};
use crate::Millis;
use crate::addr::Addr;
use crate::event::{EventDetail, InstanceKind, SentinelEvent};
use crate::flags::Flag;
use crate::info::{PauseNow, ReplicationInfo, Role, WritePause};
use crate::log::{LogEntry, OwnEvent, Source};
use crate::probe::{ProbeEvent, ProbeStats};
use crate::stopwatch::{Failover, Outcome};
use std::collections::BTreeMap;

const LAG_HISTORY: usize = 120;
/// Vanished endpoints kept (shown as vanished); past this the longest gone are forgotten, so a
/// long session over a deployment whose addresses churn does not grow without bound.
pub const KEEP_VANISHED: usize = 256;

fn forget_oldest_vanished<T>(map: &mut BTreeMap<Addr, T>, state: impl Fn(&T) -> (&Reach, Millis)) {
    let mut gone: Vec<(Millis, Addr)> = map
        .iter()
        .filter(|(_, v)| *state(v).0 == Reach::Vanished)
        .map(|(a, v)| (state(v).1, a.clone()))
        .collect();
    if gone.len() <= KEEP_VANISHED {
        return;
    }
    gone.sort();
    let excess = gone.len() - KEEP_VANISHED;
    for (_, a) in gone.into_iter().take(excess) {
        map.remove(&a);
    }
}

/// When a sentinel entered TILT: kept while its INFO agrees to within a second and a half (the
/// `+tilt` heard is exact, INFO counts whole seconds); moved when TILT began again meanwhile.
fn tilt_since(tilt: bool, known: Option<Millis>, secs: Option<u64>, at: Millis) -> Option<Millis> {
    if !tilt {
        return None;
    }
    let Some(secs) = secs else { return known };
    let polled = at.saturating_sub(secs * 1000);
    match known {
        Some(k) if k.abs_diff(polled) <= 1500 => Some(k),
        _ => Some(polled),
    }
}

impl Deployment {
    pub(super) fn sentinel_mut(&mut self, addr: &Addr, at: Millis) -> &mut SentinelState {
        self.sentinels
            .entry(addr.clone())
            .or_insert_with(|| SentinelState::new(addr, at))
    }

    fn node_mut(&mut self, addr: &Addr, at: Millis) -> &mut NodeState {
        self.nodes
            .entry(addr.clone())
            .or_insert_with(|| NodeState::new(addr, at))
    }

    /// Declares an endpoint before anything is heard from it (so it shows as connecting).
    pub fn expect_sentinel(&mut self, addr: &Addr, at: Millis) {
        self.sentinel_mut(addr, at);
    }

    /// Applies one update: what [`Deployment::step`] does with an update input. Public because
    /// not every deployment comes from an input stream: `status` builds one from a snapshot's
    /// updates (no stream, no time passing), and tests build states from updates alone.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::SentinelPolled {
                sentinel,
                at,
                rtt_ms,
                poll,
            } => self.sentinel_polled(sentinel, at, rtt_ms, poll),
            Update::SentinelReach {
                sentinel,
                at,
                reach,
            } => self.set_sentinel_reach(&sentinel, at, reach),
            Update::PubSub {
                sentinel,
                at,
                up,
                detail,
            } => self.pubsub(sentinel, at, up, &detail),
            Update::SentinelEvent {
                sentinel,
                at,
                event,
                payload,
            } => self.sentinel_event(sentinel, at, &event, &payload),
            Update::NodeInfo {
                addr,
                at,
                rtt_ms,
                info,
            } => self.node_info(addr, at, rtt_ms, info),
            Update::NodeReach { addr, at, reach } => self.set_node_reach(&addr, at, reach),
            Update::Vanished { addr, at } => self.vanished(&addr, at),
            Update::NodeRights { addr, rights } => {
                let at = rights.at;
                self.node_mut(&addr, at).rights = Some(rights)
            }
            Update::Note { entry } => self.noted(entry),
            Update::Container {
                addr,
                at,
                sentinel,
                container,
            } => *self.behind(&addr, at, sentinel).1 = Some(container),
            Update::Process {
                addr,
                at,
                sentinel,
                process,
            } => *self.behind(&addr, at, sentinel).0 = process,
            Update::Probe { at, event } => self.probed(at, &event),
        }
    }

    fn sentinel_polled(&mut self, sentinel: Addr, at: Millis, rtt_ms: u64, poll: SentinelPoll) {
        self.set_sentinel_reach(&sentinel, at, Reach::Ok);
        let s = self.sentinel_mut(&sentinel, at);
        s.rtt_ms = Some(rtt_ms);
        s.polled_at = Some(at);
        s.run_id = poll.run_id.or(s.run_id.take());
        s.myid = poll.myid.or(s.myid.take());
        s.server = poll.server.or(s.server.take());
        let was_tilt = s.tilt;
        s.tilt = poll.tilt.unwrap_or(s.tilt);
        s.total_tilt = poll.total_tilt.or(s.total_tilt);
        s.tilt_since = tilt_since(s.tilt, s.tilt_since, poll.tilt_since_secs, at);
        s.errors = poll.errors;
        let mut before = std::mem::take(&mut s.groups);
        let was_coordinated: Vec<String> = before
            .values()
            .filter(|g| g.master.flags.has(Flag::CoordinatedFailover))
            .map(|g| g.master.name.clone())
            .collect();
        s.groups = poll
            .groups
            .into_iter()
            .map(|g| {
                let g = match before.remove(&g.master.name) {
                    Some(then) => g.with_details_of(then),
                    None => g,
                };
                (g.master.name.clone(), g)
            })
            .collect();
        let newly_coordinated: Vec<(String, Addr)> = s
            .groups
            .values()
            .filter(|g| g.master.flags.has(Flag::CoordinatedFailover))
            .filter(|g| !was_coordinated.contains(&g.master.name))
            .map(|g| (g.master.name.clone(), g.master.addr.clone()))
            .collect();
        let (tilt, was_tilt) = (s.tilt, was_tilt);
        // The flag lasts while the leader runs the attempt: its first poll marks the attempt.
        for (group, master) in newly_coordinated {
            let payload = "flagged coordinated_failover";
            let mut e =
                LogEntry::own(at, OwnEvent::CoordinatedFailover, payload).in_group(Some(group));
            e.addr = Some(master);
            e.sentinel = Some(sentinel.clone());
            self.push(e);
        }
        if tilt != was_tilt {
            let event = if tilt {
                OwnEvent::SentinelTilt
            } else {
                OwnEvent::SentinelTiltExit
            };
            self.note(
                at,
                event,
                "reported by INFO sentinel",
                Some(sentinel.clone()),
            );
        }
        self.after_gap(&sentinel, at);
    }

    fn vanished(&mut self, addr: &Addr, at: Millis) {
        if self.sentinels.contains_key(addr) {
            self.set_sentinel_reach(addr, at, Reach::Vanished);
            forget_oldest_vanished(&mut self.sentinels, |s| (&s.reach, s.reach_since));
        }
        if self.nodes.contains_key(addr) {
            self.set_node_reach(addr, at, Reach::Vanished);
            forget_oldest_vanished(&mut self.nodes, |n| (&n.reach, n.reach_since));
        }
    }

    /// An entry added to the log directly; the Docker engine's own come and go say whether the
    /// container states shown are current.
    fn noted(&mut self, entry: LogEntry) {
        match entry.own_event() {
            Some(OwnEvent::DockerEngineUnreachable) => {
                self.docker_unreachable_since.get_or_insert(entry.ts);
            }
            Some(OwnEvent::DockerEngineReachable) => self.docker_unreachable_since = None,
            _ => {}
        }
        self.push(entry)
    }

    /// What runs behind a sentinel or a node: its process and its container.
    fn behind(
        &mut self,
        addr: &Addr,
        at: Millis,
        sentinel: bool,
    ) -> (&mut Option<ProcessInfo>, &mut Option<ContainerInfo>) {
        if sentinel {
            let s = self.sentinel_mut(addr, at);
            (&mut s.process, &mut s.container)
        } else {
            let n = self.node_mut(addr, at);
            (&mut n.process, &mut n.container)
        }
    }

    fn probed(&mut self, at: Millis, event: &ProbeEvent) {
        if let ProbeEvent::Write { error, took_ms, .. } = event {
            self.trail.wrote(at, error.as_ref(), *took_ms);
        }
        let stats = self.probe.get_or_insert_with(ProbeStats::default);
        if let Some((event, payload)) = stats.apply(at, event) {
            let group = Some(stats.group.clone()).filter(|g| !g.is_empty());
            let mut e = LogEntry::own(at, event, &payload).in_group(group);
            e.addr = stats.master.clone();
            self.push(e);
        }
    }

    fn sentinel_event(&mut self, sentinel: Addr, at: Millis, event: &str, payload: &str) {
        let entry =
            LogEntry::new(at, Source::Sentinel, event, payload).from_sentinel(sentinel.clone());
        match &entry.detail {
            EventDetail::NewEpoch { epoch } => {
                self.saw_epoch(&sentinel, *epoch);
                self.votes.new_epoch(*epoch, at)
            }
            EventDetail::VoteForLeader { run_id, epoch } => {
                self.saw_epoch(&sentinel, *epoch);
                self.votes.vote(sentinel.clone(), run_id, *epoch, at)
            }
            EventDetail::SwitchMaster { group, new, .. } => {
                // It reset the master record, failover start time included: it may fail the
                // new master over at once (sentinel.c: `sentinelResetMaster`).
                if let Some(starts) = self.failover_starts.get_mut(group) {
                    starts.remove(&sentinel);
                }
                // Apply at once: the next poll would say the same, a second later.
                let epoch = self.votes.latest().map(|e| e.epoch).unwrap_or(0);
                if let Some(g) = self.sentinel_mut(&sentinel, at).groups.get_mut(group) {
                    g.master.addr = new.clone();
                    g.master.config_epoch = g.master.config_epoch.max(epoch);
                    g.master.flags.remove(Flag::SDown);
                    g.master.flags.remove(Flag::ODown);
                }
            }
            EventDetail::Tilt { entered } => {
                let s = self.sentinel_mut(&sentinel, at);
                s.tilt = *entered;
                s.tilt_since = entered.then_some(at);
            }
            _ => {}
        }
        if let EventDetail::VoteForLeader { run_id, epoch } = &entry.detail {
            self.voted(&sentinel, run_id, *epoch, at);
        }
        match entry.sentinel_event() {
            // SENTINEL RESET: the failover start time goes with the rest.
            Some(SentinelEvent::ResetMaster) => {
                if let Some(starts) = entry
                    .detail
                    .group()
                    .and_then(|g| self.failover_starts.get_mut(g))
                {
                    starts.remove(&sentinel);
                }
            }
            Some(SentinelEvent::TryFailover) => {
                if let Some(g) = entry.detail.group() {
                    self.votes.failover_step(g, None, at);
                    self.failover_started(g, &sentinel, at, StartCause::Tried);
                }
            }
            Some(SentinelEvent::ElectedLeader) => {
                if let Some(g) = entry.detail.group() {
                    self.votes.failover_step(g, Some(sentinel), at)
                }
            }
            _ => {}
        }
        self.push(entry);
    }

    fn failover_started(&mut self, group: &str, sentinel: &Addr, at: Millis, cause: StartCause) {
        self.failover_starts
            .entry(group.to_string())
            .or_default()
            .insert(sentinel.clone(), FailoverStart { at, cause });
    }

    /// A vote for another sentinel starts the voter's cooldown too. The event names no group:
    /// it is the group tried in that epoch, else the voter's only group.
    fn voted(&mut self, voter: &Addr, run_id: &str, epoch: u64, at: Millis) {
        let own = self.sentinels.get(voter).and_then(|s| s.myid.as_deref());
        if own == Some(run_id) {
            return;
        }
        let group = self
            .votes
            .epochs()
            .find(|e| e.epoch == epoch)
            .and_then(|e| e.group.clone())
            .or_else(|| {
                let groups = &self.sentinels.get(voter)?.groups;
                (groups.len() == 1).then(|| groups.keys().next().cloned())?
            });
        if let Some(g) = group {
            let cause = StartCause::VotedFor {
                run_id: run_id.to_string(),
                epoch,
            };
            self.failover_started(&g, voter, at, cause);
        }
    }

    fn saw_epoch(&mut self, sentinel: &Addr, epoch: u64) {
        let e = self.sentinel_epochs.entry(sentinel.clone()).or_default();
        *e = (*e).max(epoch);
    }

    fn node_info(&mut self, addr: Addr, at: Millis, rtt_ms: u64, info: ReplicationInfo) {
        self.set_node_reach(&addr, at, Reach::Ok);
        let master_offset = info
            .master
            .as_ref()
            .and_then(|m| self.nodes.get(m))
            .and_then(|m| m.info.as_ref())
            .filter(|i| i.role == Role::Master)
            .map(|i| i.offset);
        let node = self.node_mut(&addr, at);
        let previous = node.info.replace(info.clone());
        node.info_at = Some(at);
        node.rtt_ms = Some(rtt_ms);
        let lag_bytes = master_offset
            .filter(|_| info.role == Role::Replica)
            .map(|mo| mo.saturating_sub(info.offset).max(0) as u64);
        if let Some(lag) = lag_bytes {
            if node.lag_history.len() == LAG_HISTORY {
                node.lag_history.pop_front();
            }
            node.lag_history.push_back(lag);
        }
        let reading = trail::Reading {
            at,
            role: info.role,
            lag_bytes,
        };
        self.trail.read(&addr, reading);
        let paused_before = previous.as_ref().and_then(|p| p.pause.as_ref());
        self.pause_changed(&addr, at, paused_before, info.pause.as_ref());
        let Some(prev) = previous else { return };
        if prev.role != info.role || prev.master != info.master {
            let describe = |i: &ReplicationInfo| match (i.role, &i.master) {
                (Role::Master, _) => "master".to_string(),
                (Role::Replica, Some(m)) => format!("replica of {m}"),
                (Role::Replica, None) => "replica".to_string(),
            };
            let payload = format!("{} -> {}", describe(&prev), describe(&info));
            self.note(at, OwnEvent::RoleChange, &payload, Some(addr.clone()));
        }
        if info.role == Role::Replica
            && prev.link_up != info.link_up
            && let Some(up) = info.link_up
        {
            let event = if up {
                OwnEvent::LinkUp
            } else {
                OwnEvent::LinkDown
            };
            let to = info
                .master
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            self.note(at, event, &format!("replication link to {to}"), Some(addr));
        }
    }

    /// A pause that began, changed what it holds, or ended is logged on the node: a pause
    /// is news as soon as INFO says it, not at the next redraw of the topology.
    fn pause_changed(
        &mut self,
        addr: &Addr,
        at: Millis,
        before: Option<&WritePause>,
        now: Option<&WritePause>,
    ) {
        let same = |a: &WritePause, b: &WritePause| a.reason == b.reason && a.actions == b.actions;
        match (before, now) {
            (Some(b), Some(n)) if same(b, n) => {}
            (_, Some(n)) => {
                let said = PauseNow {
                    reason: n.reason.clone(),
                    actions: n.actions,
                    until: at + n.left_ms,
                    left_ms: n.left_ms,
                };
                self.note(
                    at,
                    OwnEvent::WritesPaused,
                    &said.describe(),
                    Some(addr.clone()),
                );
            }
            (Some(b), None) => {
                let payload = format!(
                    "{} no longer paused ({})",
                    b.actions.what(),
                    b.reason.name()
                );
                self.note(at, OwnEvent::WritesResumed, &payload, Some(addr.clone()));
            }
            (None, None) => {}
        }
    }

    fn set_node_reach(&mut self, addr: &Addr, at: Millis, reach: Reach) {
        let node = self.node_mut(addr, at);
        let Some(said) = transition(Endpoint::Node, &node.reach, &reach, at) else {
            refresh_detail(&mut node.reach, reach);
            return;
        };
        node.reach = reach;
        node.reach_since = at;
        if let Some((event, payload)) = said {
            self.note(at, event, &payload, Some(addr.clone()));
        }
    }

    fn set_sentinel_reach(&mut self, addr: &Addr, at: Millis, reach: Reach) {
        let s = self.sentinel_mut(addr, at);
        let Some(said) = transition(Endpoint::Sentinel, &s.reach, &reach, at) else {
            refresh_detail(&mut s.reach, reach);
            return;
        };
        s.reach = reach;
        s.reach_since = at;
        if let Some((event, payload)) = said {
            self.note(at, event, &payload, Some(addr.clone()));
        }
    }

    /// Adds one of sentui's own observations to the log.
    pub(super) fn note(&mut self, at: Millis, event: OwnEvent, payload: &str, addr: Option<Addr>) {
        let mut e = LogEntry::own(at, event, payload);
        e.addr = addr;
        self.push(e);
    }

    /// Pushes an entry into the log and lets the stopwatch of its group see it.
    pub(crate) fn push(&mut self, mut entry: LogEntry) {
        if entry.group.is_none() {
            entry.group = entry.addr.as_ref().and_then(|a| self.group_of(a));
        }
        let group = entry.group.clone();
        let master = group.as_deref().and_then(|g| self.master_of(g));
        let sentinel_epoch = entry
            .sentinel
            .as_ref()
            .and_then(|s| self.sentinel_epochs.get(s).copied());
        let down_after = group.as_deref().and_then(|g| self.down_after_ms(g));
        let mut finished: Vec<Failover> = match self.sentinel_seen_down(&entry) {
            Some(down) => self
                .stopwatches
                .values_mut()
                .filter_map(|sw| sw.sentinel_down(&down, &entry))
                .collect(),
            None => Vec::new(),
        };
        if let Some(g) = &group {
            let sw = self.stopwatches.entry(g.clone()).or_default();
            sw.down_after_ms = down_after.or(sw.down_after_ms);
            finished.extend(sw.observe(g, master.as_ref(), &entry, sentinel_epoch));
        }
        let at = entry.ts;
        self.log.push(entry);
        for f in finished {
            self.push_failover_summary(f, at);
        }
    }

    /// The sentinel an entry says is down: sentui lost it (`sentinel-down`,
    /// `sentinel-unresponsive`), or a peer published `+sdown sentinel` (named by its run id,
    /// which is how the deployment knows it when the announced address is not the one reached).
    fn sentinel_seen_down(&self, e: &LogEntry) -> Option<Addr> {
        match e.own_event() {
            Some(OwnEvent::SentinelDown | OwnEvent::SentinelUnresponsive) => return e.addr.clone(),
            Some(_) => return None,
            None => {}
        }
        if !e.is(SentinelEvent::Sdown) {
            return None;
        }
        let i = e
            .detail
            .instance()
            .filter(|i| i.kind == InstanceKind::Sentinel)?;
        Some(
            self.sentinel_by_run_id(&i.name)
                .unwrap_or_else(|| i.addr.clone()),
        )
    }

    /// Time passed: attempts whose sentinels went silent for twice the failover-timeout are
    /// closed as abandoned.
    pub(crate) fn advance(&mut self, now: Millis) {
        let open: Vec<String> = self
            .stopwatches
            .iter()
            .filter(|(_, s)| s.current.as_ref().is_some_and(|a| a.tried()))
            .map(|(g, _)| g.clone())
            .collect();
        for g in open {
            let timeout = self.failover_timeout_ms(&g);
            let finished = match self.stopwatches.get_mut(&g) {
                Some(s) => s.tick(now, timeout),
                None => Vec::new(),
            };
            for f in finished {
                self.push_failover_summary(f, now);
            }
        }
    }

    fn push_failover_summary(&mut self, f: Failover, at: Millis) {
        let event = match &f.outcome {
            Some(Outcome::Completed) => OwnEvent::FailoverComplete,
            Some(Outcome::Recovered) => OwnEvent::MasterRecovered,
            _ => OwnEvent::FailoverAborted,
        };
        let mut payload = format!("{}: {}", f.group, f.summary());
        if f.coordinated {
            payload.push_str(" (coordinated)");
        }
        if let Some(epoch) = f.epoch {
            payload.push_str(&format!(" (epoch {epoch})"));
        }
        if let Some(Outcome::Aborted(reason)) = &f.outcome {
            payload.push_str(&format!(" (aborted: {reason})"));
        }
        payload.push_str(&f.end_not_seen_note());
        if let Some(note) = &f.note {
            payload.push_str(&format!(" ({note})"));
        }
        let mut e = LogEntry::own(at, event, &payload).in_group(Some(f.group.clone()));
        e.failover = Some(Box::new(f));
        self.log.push(e);
    }
}

/// Same state again: keep the first `since` of an unresponsive spell, take the newest error text.
fn refresh_detail(current: &mut Reach, new: Reach) {
    if !matches!(current, Reach::Unresponsive { .. }) {
        *current = new;
    }
}

#[derive(Clone, Copy)]
enum Endpoint {
    Node,
    Sentinel,
}

impl Endpoint {
    /// The event for a node or a sentinel becoming `state`.
    fn event(self, state: ReachState) -> OwnEvent {
        use OwnEvent::*;
        match (self, state) {
            (Endpoint::Node, ReachState::Ok) => NodeUp,
            (Endpoint::Node, ReachState::Unresponsive) => NodeUnresponsive,
            (Endpoint::Node, ReachState::Vanished) => NodeVanished,
            (Endpoint::Node, _) => NodeDown,
            (Endpoint::Sentinel, ReachState::Ok) => SentinelUp,
            (Endpoint::Sentinel, ReachState::Unresponsive) => SentinelUnresponsive,
            (Endpoint::Sentinel, ReachState::Vanished) => SentinelVanished,
            (Endpoint::Sentinel, _) => SentinelDown,
        }
    }
}

/// What to log for a reachability change: None when nothing changed, Some(None) when it
/// changed without being worth a log line (the first successful contact).
fn transition(
    kind: Endpoint,
    old: &Reach,
    new: &Reach,
    at: Millis,
) -> Option<Option<(OwnEvent, String)>> {
    use Reach::*;
    if std::mem::discriminant(old) == std::mem::discriminant(new) {
        return None;
    }
    // One outage: a killed server first fails the open link (broken pipe), then refuses new
    // ones. Only the reason is refreshed; it is down since the first.
    if matches!(old, Refused(_) | Failed(_)) && matches!(new, Refused(_) | Failed(_)) {
        return None;
    }
    Some(match (old, new) {
        (Connecting, Ok) | (_, Connecting) => None,
        (Unresponsive { since }, Ok) => {
            let back = match kind {
                Endpoint::Node => OwnEvent::NodeResponsive,
                Endpoint::Sentinel => OwnEvent::SentinelResponsive,
            };
            let payload = format!("answered again after {} ms", at.saturating_sub(*since));
            Some((back, payload))
        }
        (_, Ok) => Some((kind.event(ReachState::Ok), "reachable again".into())),
        (_, Unresponsive { since }) => Some((
            kind.event(ReachState::Unresponsive),
            format!("no reply for {} ms", at.saturating_sub(*since)),
        )),
        (_, Vanished) => Some((
            kind.event(ReachState::Vanished),
            "no sentinel reports it any more".into(),
        )),
        (_, r) => Some((kind.event(r.state()), r.describe(at))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(d: &mut Deployment, at: Millis, reach: Reach) {
        let sentinel: Addr = "127.0.0.1:26379".parse().unwrap();
        d.apply(Update::SentinelReach {
            sentinel,
            at,
            reach,
        });
    }

    fn downs(d: &Deployment) -> Vec<String> {
        d.log()
            .entries()
            .filter(|e| e.own_event() == Some(OwnEvent::SentinelDown))
            .map(|e| e.payload.clone())
            .collect()
    }

    #[test]
    fn a_killed_sentinel_is_down_once_since_its_first_failure() {
        let mut d = Deployment::default();
        reach(&mut d, 1_000, Reach::Ok);
        // The open link breaks, then the port refuses: one outage.
        reach(&mut d, 2_000, Reach::Failed("broken pipe".into()));
        reach(&mut d, 2_200, Reach::Refused("connection refused".into()));
        assert_eq!(downs(&d), ["failed: broken pipe"]);
        let s = d.sentinels().values().next().unwrap();
        assert_eq!(s.reach, Reach::Refused("connection refused".into()));
        assert_eq!(s.reach_since, 2_000);
        // Answering, but refusing the password, is news: the settings are what to fix.
        reach(&mut d, 3_000, Reach::AuthFailed("WRONGPASS".into()));
        assert_eq!(downs(&d), ["failed: broken pipe", "auth-failed: WRONGPASS"]);
    }
}
