//! The write probe's figures: what a Sentinel-aware application writing numbered keys saw.
//! Pure: the probe task (collect/probe.rs) sends [`ProbeEvent`]s with their times; this keeps
//! the counts, the errors by kind, the outages (from the last success before a failure to the
//! next success) and the read-back of acknowledged writes after the failover.

pub mod loss;

use super::Millis;
use super::addr::Addr;
use super::event::SentinelEvent;
use super::log::OwnEvent;
use loss::{AckLog, FaultSpan, LossGroup};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Why a write failed, as an application would classify it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// No answer within the response timeout (a frozen master).
    Timeout,
    /// Connection refused (a stopped master).
    Refused,
    /// `READONLY`: the node is a replica now.
    Readonly,
    /// `NOREPLICAS`: the master has fewer good replicas than `min-replicas-to-write`.
    NoReplicas,
    /// `MASTERDOWN`: a replica whose link to its master is down (replica-serve-stale-data no).
    MasterDown,
    /// The node sentinels named says (ROLE) it is not a master.
    NotMaster,
    /// No sentinel answered with a master address.
    NoMaster,
    /// The connection broke (reset, closed).
    Connection,
    /// The write was cut short by `+switch-master` (its outcome is unknown: not acknowledged).
    Switched,
    Other,
}

impl ErrorKind {
    pub fn word(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Refused => "refused",
            ErrorKind::Readonly => "readonly",
            ErrorKind::NoReplicas => "noreplicas",
            ErrorKind::MasterDown => "masterdown",
            ErrorKind::NotMaster => "not-master",
            ErrorKind::NoMaster => "no-master",
            ErrorKind::Connection => "connection",
            ErrorKind::Switched => "switched",
            ErrorKind::Other => "other",
        }
    }

    /// The server answered and said no: the write was refused, never acknowledged, so it
    /// cannot be lost (what `min-replicas-to-write` turns losses into).
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            ErrorKind::Readonly | ErrorKind::NoReplicas | ErrorKind::MasterDown
        )
    }
}

/// Which master the probe writes to, as clients differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Follow {
    /// Moves to the new master at the first `+switch-master` (a Sentinel-aware client that
    /// subscribes).
    #[default]
    Sentinel,
    /// Keeps the master it has until a write fails, then asks the sentinels again (what
    /// pooled clients do).
    Stay,
}

impl Follow {
    pub fn name(self) -> &'static str {
        match self {
            Follow::Sentinel => "sentinel",
            Follow::Stay => "stay",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteError {
    pub kind: ErrorKind,
    pub message: String,
}

/// What the probe task reports, one event at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ProbeEvent {
    Started {
        run_id: String,
        group: String,
        rate: u32,
        #[serde(default)]
        follow: Follow,
    },
    /// The probe found (or switched to) this master; `how`: `asked 127.0.0.1:26379`,
    /// `+switch-master from ...`.
    Master {
        addr: Addr,
        how: String,
    },
    /// Attempt `n` (key `sentui:probe:<run-id>:<n>`): acknowledged when `error` is None.
    Write {
        n: u64,
        master: Option<Addr>,
        error: Option<WriteError>,
        /// From sending the write to its outcome (absent in older recordings).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took_ms: Option<u64>,
    },
    /// After the writes: how many acknowledged keys the current master still has.
    ReadBack(ReadBack),
    ReadBackFailed {
        error: String,
    },
    Stopped {
        reason: String,
    },
}

/// Counts by error kind, keyed by the kind's word.
fn words(counts: impl IntoIterator<Item = (ErrorKind, u64)>) -> BTreeMap<String, u64> {
    counts
        .into_iter()
        .map(|(k, n)| (k.word().to_string(), n))
        .collect()
}

/// One stretch without successful writes: from the last success before the first failure (or
/// the probe's start) to the next success (None while it lasts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    pub from: Millis,
    pub first_failure: Millis,
    pub to: Option<Millis>,
    /// The master of the last success before, and of the first success after.
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    pub failed: u64,
}

impl Outage {
    pub fn duration(&self, now: Millis) -> Millis {
        self.to.unwrap_or(now).saturating_sub(self.from)
    }

    /// The outage spans a change of master (the failover as the application lives it).
    pub fn switched(&self) -> bool {
        self.new_master.is_some() && self.new_master != self.old_master
    }
}

/// What reading the acknowledged keys back found on the master.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadBack {
    pub master: Addr,
    pub checked: u64,
    pub lost: u64,
    /// The first lost key numbers (bounded).
    pub sample: Vec<u64>,
    /// The lost key numbers as ranges over the acknowledged ones (bounded:
    /// [`loss::MAX_RANGES`]).
    #[serde(default)]
    pub lost_ranges: Vec<(u64, u64)>,
}

/// Outages kept in detail (the count goes on).
const OUTAGES_KEPT: usize = 32;
/// Acknowledgement times kept for the current rate.
const ACK_TIMES_KEPT: usize = 20_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeStats {
    pub run_id: String,
    pub group: String,
    /// Target writes per second.
    pub rate: u32,
    #[serde(default)]
    pub follow: Follow,
    pub started_at: Millis,
    pub stopped_at: Option<Millis>,
    pub stop_reason: Option<String>,
    /// The master the probe writes to.
    pub master: Option<Addr>,
    pub attempted: u64,
    pub acked: u64,
    pub failed: u64,
    /// Failed writes by kind.
    pub errors: BTreeMap<ErrorKind, u64>,
    pub last_error: Option<(Millis, String)>,
    pub last_ok: Option<(Millis, Addr)>,
    /// The outage going on now, if writes are failing.
    pub outage: Option<Outage>,
    /// Finished outages, oldest first (the newest [`OUTAGES_KEPT`]).
    pub outages: Vec<Outage>,
    /// Every finished outage counted, also those no longer kept.
    pub outages_total: u64,
    /// Sum of the finished outages' durations.
    pub unavailable_ms: Millis,
    /// The read-back's outcome (the error when it could not be done), once it ended. The error
    /// is data: the words the probe reported (`ProbeEvent::ReadBackFailed`), recorded and
    /// replayed as they were.
    pub readback: Option<Result<ReadBack, String>>,
    #[serde(skip)]
    ack_times: VecDeque<Millis>,
    /// Every acknowledged write, for attributing the lost ones (the probe stops itself at
    /// 2,000,000 acknowledged writes, which bounds it). Rebuilt from the inputs in a replay.
    #[serde(skip)]
    acks: AckLog,
}

/// A log line worth adding for a probe event: (event, payload).
pub type ProbeNote = (OwnEvent, String);

impl ProbeStats {
    /// Applies one event; returns a log note when writes stop or start succeeding again, or the
    /// read-back ends.
    pub fn apply(&mut self, at: Millis, event: &ProbeEvent) -> Option<ProbeNote> {
        match event {
            ProbeEvent::Started {
                run_id,
                group,
                rate,
                follow,
            } => Some(self.started(at, run_id, group, *rate, *follow)),
            ProbeEvent::Master { addr, how } => {
                let changed = self.master.as_ref() != Some(addr);
                self.master = Some(addr.clone());
                changed.then(|| (OwnEvent::ProbeMaster, format!("writing to {addr} ({how})")))
            }
            ProbeEvent::Write {
                n, master, error, ..
            } => {
                self.attempted += 1;
                match error {
                    None => {
                        let m = master.clone().or_else(|| self.master.clone());
                        self.acks.push(*n, at, m.as_ref());
                        self.ok(at, master.clone())
                    }
                    Some(e) => self.failure(at, e),
                }
            }
            ProbeEvent::ReadBack(found) => Some(self.read_back(Ok(found))),
            ProbeEvent::ReadBackFailed { error } => Some(self.read_back(Err(error.as_str()))),
            ProbeEvent::Stopped { reason } => {
                self.stopped_at = Some(at);
                self.stop_reason = Some(reason.clone());
                Some((
                    OwnEvent::ProbeStopped,
                    format!(
                        "{reason}: {} acknowledged, {} failed",
                        self.acked, self.failed
                    ),
                ))
            }
        }
    }

    /// A new run: everything counted so far is forgotten.
    fn started(
        &mut self,
        at: Millis,
        run_id: &str,
        group: &str,
        rate: u32,
        follow: Follow,
    ) -> ProbeNote {
        *self = ProbeStats {
            run_id: run_id.to_string(),
            group: group.to_string(),
            rate,
            follow,
            started_at: at,
            ..ProbeStats::default()
        };
        let following = match follow {
            Follow::Sentinel => SentinelEvent::SwitchMaster.to_string(),
            Follow::Stay => "its master until a write fails".to_string(),
        };
        (
            OwnEvent::ProbeStarted,
            format!("{rate} writes/s to {group}, following {following}"),
        )
    }

    /// The read-back ended: what the master lost, or why it could not be read.
    fn read_back(&mut self, outcome: Result<&ReadBack, &str>) -> ProbeNote {
        self.readback = Some(outcome.cloned().map_err(str::to_string));
        let said = match outcome {
            Ok(ReadBack {
                master,
                checked,
                lost,
                ..
            }) => format!("{master} has lost {lost} of {checked} acknowledged writes"),
            Err(error) => format!("read-back failed: {error}"),
        };
        (OwnEvent::ProbeReadback, said)
    }

    fn ok(&mut self, at: Millis, master: Option<Addr>) -> Option<ProbeNote> {
        self.acked += 1;
        if self.ack_times.len() == ACK_TIMES_KEPT {
            self.ack_times.pop_front();
        }
        self.ack_times.push_back(at);
        let master = master.or_else(|| self.master.clone());
        if let Some(m) = &master {
            self.last_ok = Some((at, m.clone()));
        }
        let mut outage = self.outage.take()?;
        outage.to = Some(at);
        outage.new_master = master;
        let took = outage.duration(at);
        self.unavailable_ms += took;
        self.outages_total += 1;
        let note = format!(
            "writes succeed again on {} after {} ms ({} failed)",
            outage
                .new_master
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_else(|| "?".into()),
            took,
            outage.failed
        );
        if self.outages.len() == OUTAGES_KEPT {
            self.outages.remove(0);
        }
        self.outages.push(outage);
        Some((OwnEvent::ProbeAvailable, note))
    }

    fn failure(&mut self, at: Millis, e: &WriteError) -> Option<ProbeNote> {
        self.failed += 1;
        *self.errors.entry(e.kind).or_default() += 1;
        self.last_error = Some((at, format!("{}: {}", e.kind.word(), e.message)));
        if let Some(o) = &mut self.outage {
            o.failed += 1;
            return None;
        }
        let (from, old) = match &self.last_ok {
            Some((t, m)) => (*t, Some(m.clone())),
            None => (self.started_at, self.master.clone()),
        };
        self.outage = Some(Outage {
            from,
            first_failure: at,
            to: None,
            old_master: old,
            new_master: None,
            failed: 1,
        });
        Some((
            OwnEvent::ProbeUnavailable,
            format!("write failed ({}): {}", e.kind.word(), e.message),
        ))
    }

    /// Acknowledged writes in the second before `now`.
    pub fn rate_at(&self, now: Millis) -> u64 {
        self.ack_times
            .iter()
            .rev()
            .take_while(|t| now.saturating_sub(**t) < 1000)
            .count() as u64
    }

    /// Total time without writes: finished outages plus the running one (up to `now`, or the
    /// probe's stop).
    pub fn unavailable_total(&self, now: Millis) -> Millis {
        let end = self.stopped_at.unwrap_or(now);
        self.unavailable_ms + self.outage.as_ref().map_or(0, |o| o.duration(end))
    }

    /// The unavailability window: the outage across a change of master (last success on the
    /// old master to first success on the new), else the longest one, else the running one.
    pub fn window(&self) -> Option<&Outage> {
        self.outages
            .iter()
            .rev()
            .find(|o| o.switched())
            .or_else(|| self.outages.iter().max_by_key(|o| o.duration(0)))
            .or(self.outage.as_ref())
    }

    /// The lost writes, in a sentence, with the masters labelled OLD and NEW; None until read
    /// back. Shared by the drill's report, the TUI's probe panel and the post-mortem page.
    pub fn loss_text(
        &self,
        span: Option<FaultSpan>,
        masters: (Option<&Addr>, Option<&Addr>),
        fault: &str,
    ) -> Option<String> {
        let groups = self.loss(span)?;
        let labels = loss::Labels {
            old: masters.0,
            new: masters.1,
            fault,
            span,
            base: span.map(|s| s.at).unwrap_or(self.started_at),
        };
        Some(loss::describe(self.lost()?, &groups, labels))
    }

    /// Lost acknowledged writes, once read back.
    pub fn lost(&self) -> Option<u64> {
        match &self.readback {
            Some(Ok(found)) => Some(found.lost),
            _ => None,
        }
    }

    /// The lost writes by master and window (`span`: the fault, when one is known); None
    /// until read back.
    pub fn loss(&self, span: Option<FaultSpan>) -> Option<Vec<LossGroup>> {
        match &self.readback {
            Some(Ok(found)) => Some(loss::attribute(&self.acks, &found.lost_ranges, span)),
            _ => None,
        }
    }

    /// Writes the server refused, by reason (`noreplicas 120, readonly 3`): not acknowledged,
    /// so not lost.
    pub fn refusals(&self) -> BTreeMap<ErrorKind, u64> {
        self.errors
            .iter()
            .filter(|(k, _)| k.is_refusal())
            .map(|(k, n)| (*k, *n))
            .collect()
    }

    /// Failed writes by kind, the kinds in words (`timeout`, `readonly`): as reports print them.
    pub fn errors_by_word(&self) -> BTreeMap<String, u64> {
        words(self.errors.iter().map(|(k, n)| (*k, *n)))
    }

    /// [`ProbeStats::refusals`], the reasons in words (`noreplicas`, `readonly`).
    pub fn refusals_by_word(&self) -> BTreeMap<String, u64> {
        words(self.refusals())
    }

    /// `timeout 12, readonly 3`.
    pub fn errors_text(&self) -> String {
        if self.errors.is_empty() {
            return "none".into();
        }
        self.errors
            .iter()
            .map(|(k, n)| format!("{} {n}", k.word()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Compares acknowledged key numbers with what a read-back found: the numbers missing.
/// `present[i]` says whether `acked[i]` was found.
pub fn missing(acked: &[u64], present: &[bool]) -> Vec<u64> {
    acked
        .iter()
        .zip(present.iter().chain(std::iter::repeat(&false)))
        .filter(|(_, p)| !**p)
        .map(|(n, _)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Addr {
        s.parse().unwrap()
    }

    fn write(n: u64, master: &str, kind: Option<ErrorKind>) -> ProbeEvent {
        ProbeEvent::Write {
            n,
            master: Some(a(master)),
            error: kind.map(|k| WriteError {
                kind: k,
                message: "x".into(),
            }),
            took_ms: None,
        }
    }

    fn started() -> ProbeStats {
        let mut s = ProbeStats::default();
        s.apply(
            1000,
            &ProbeEvent::Started {
                run_id: "r".into(),
                group: "g".into(),
                rate: 100,
                follow: Follow::Stay,
            },
        );
        s
    }

    #[test]
    fn counts_acks_and_errors_by_kind() {
        let mut s = started();
        s.apply(1010, &write(0, "127.0.0.1:1", None));
        s.apply(1020, &write(1, "127.0.0.1:1", Some(ErrorKind::Timeout)));
        s.apply(1030, &write(2, "127.0.0.1:1", Some(ErrorKind::Timeout)));
        s.apply(1040, &write(3, "127.0.0.1:1", Some(ErrorKind::Readonly)));
        assert_eq!((s.attempted, s.acked, s.failed), (4, 1, 3));
        assert_eq!(s.errors[&ErrorKind::Timeout], 2);
        assert_eq!(s.errors_text(), "timeout 2, readonly 1");
        assert_eq!(
            s.refusals().into_iter().collect::<Vec<_>>(),
            vec![(ErrorKind::Readonly, 1)],
            "a timeout is no refusal"
        );
        assert!(s.last_error.as_ref().unwrap().1.starts_with("readonly"));
    }

    #[test]
    fn the_window_runs_from_the_last_success_on_the_old_master_to_the_first_on_the_new() {
        let mut s = started();
        s.apply(2000, &write(0, "127.0.0.1:1", None));
        let note = s.apply(2010, &write(1, "127.0.0.1:1", Some(ErrorKind::Timeout)));
        assert_eq!(note.unwrap().0, OwnEvent::ProbeUnavailable);
        assert!(
            s.apply(3010, &write(2, "127.0.0.1:1", Some(ErrorKind::Timeout)))
                .is_none(),
            "one note per outage"
        );
        assert_eq!(s.unavailable_total(3500), 1500, "a running outage counts");
        let note = s.apply(5000, &write(3, "127.0.0.1:2", None)).unwrap();
        assert_eq!(note.0, OwnEvent::ProbeAvailable);
        assert!(note.1.contains("after 3000 ms (2 failed)"), "{}", note.1);
        let w = s.window().unwrap();
        assert_eq!((w.from, w.first_failure, w.to), (2000, 2010, Some(5000)));
        assert_eq!(w.old_master, Some(a("127.0.0.1:1")));
        assert_eq!(w.new_master, Some(a("127.0.0.1:2")));
        assert!(w.switched());
        assert_eq!(s.unavailable_total(9000), 3000);
    }

    #[test]
    fn the_switch_window_wins_over_a_longer_blip_and_outages_add_up() {
        let mut s = started();
        s.apply(1100, &write(0, "127.0.0.1:1", Some(ErrorKind::Refused)));
        s.apply(5100, &write(1, "127.0.0.1:1", None));
        s.apply(6000, &write(2, "127.0.0.1:1", Some(ErrorKind::Timeout)));
        s.apply(7000, &write(3, "127.0.0.1:2", None));
        let w = s.window().unwrap();
        assert_eq!((w.from, w.to), (5100, Some(7000)));
        assert_eq!(s.outages[0].from, 1000, "no success yet: from the start");
        assert_eq!(s.unavailable_total(7000), 4100 + 1900);
        assert_eq!(s.outages_total, 2);
    }

    #[test]
    fn rate_counts_the_last_second() {
        let mut s = started();
        for i in 0..50 {
            s.apply(10_000 + i * 20, &write(i, "127.0.0.1:1", None));
        }
        assert_eq!(s.rate_at(10_990), 50);
        assert_eq!(s.rate_at(11_500), 24);
    }

    #[test]
    fn a_recorded_read_back_reads_as_before() {
        // As recordings hold it (before lost_ranges existed, too).
        let old =
            r#"{"type":"read-back","master":"127.0.0.1:2","checked":10,"lost":2,"sample":[7,8]}"#;
        let event: ProbeEvent = serde_json::from_str(old).unwrap();
        let found = ReadBack {
            master: a("127.0.0.1:2"),
            checked: 10,
            lost: 2,
            sample: vec![7, 8],
            lost_ranges: vec![],
        };
        assert_eq!(event, ProbeEvent::ReadBack(found.clone()));
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"type":"read-back","master":"127.0.0.1:2","checked":10,"lost":2,"sample":[7,8],"lost_ranges":[]}"#
        );
        let mut s = started();
        s.apply(9000, &event);
        assert_eq!(s.readback, Some(Ok(found)));
    }

    #[test]
    fn readback_and_stop() {
        let mut s = started();
        assert_eq!(s.lost(), None);
        s.apply(
            9000,
            &ProbeEvent::ReadBack(ReadBack {
                master: a("127.0.0.1:2"),
                checked: 10,
                lost: 2,
                sample: vec![7, 8],
                lost_ranges: vec![(7, 8)],
            }),
        );
        assert_eq!(s.lost(), Some(2));
        s.apply(
            9001,
            &ProbeEvent::Stopped {
                reason: "asked to stop".into(),
            },
        );
        assert_eq!(s.stopped_at, Some(9001));
        s.apply(
            9002,
            &ProbeEvent::ReadBackFailed {
                error: "no master".into(),
            },
        );
        assert_eq!(s.lost(), None);
    }

    #[test]
    fn missing_keys() {
        assert_eq!(missing(&[1, 2, 3, 4], &[true, false, true, false]), [2, 4]);
        assert_eq!(
            missing(&[1, 2], &[true]),
            [2],
            "unanswered counts as missing"
        );
        assert!(missing(&[], &[]).is_empty());
    }
}
