//! The drill's report and verdict: the steps as they ran, the phase timing table (every phase
//! with its time since the fault), the probe's figures, the checks against the limits, and what
//! was restored; as text, markdown or JSON. Pure: built from the model and the runner's records.

use super::scenario::Expect;
use crate::event::SentinelEvent;
use crate::log::{Event, OwnEvent, Source};
use crate::probe::ProbeStats;
use crate::probe::loss::{self, FaultSpan, LossWindow};
use crate::stopwatch::Phase;
use crate::{Addr, Deployment, Millis};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every step ran and every check holds.
    Pass,
    /// A step timed out or a check failed (or the drill was interrupted).
    Fail,
    /// The drill could not run: usage, connection or control errors.
    Error,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Error => crate::EXIT_USAGE,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    Ok,
    Failed,
    TimedOut,
    Interrupted,
    /// Not run: an earlier step failed.
    Skipped,
}

impl StepOutcome {
    pub fn word(self) -> &'static str {
        match self {
            StepOutcome::Ok => "ok",
            StepOutcome::Failed => "failed",
            StepOutcome::TimedOut => "timed out",
            StepOutcome::Interrupted => "interrupted",
            StepOutcome::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    /// 1-based position in the scenario.
    pub step: usize,
    /// The line in the scenario file (0: built in).
    pub line: usize,
    pub what: String,
    pub outcome: StepOutcome,
    /// When the step ended, milliseconds since the first fault (negative: before it).
    pub since_fault_ms: Option<i64>,
    pub took_ms: u64,
    pub detail: String,
}

/// One row of the phase timing table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseRow {
    pub event: String,
    pub since_fault_ms: i64,
    pub by: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// The last acknowledged write before it, ms since the fault.
    pub from_ms: i64,
    /// The first acknowledged write after it (None: writes never came back).
    pub to_ms: Option<i64>,
    pub duration_ms: Millis,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
}

/// Lost writes of one master in one window, times since the fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LossRow {
    pub master: Option<Addr>,
    /// `old`, `new` or `other`: the master at the fault, the one at the end, another.
    pub role: &'static str,
    /// `before-fault`, `during-fault`, `after-fault` (null without a fault).
    pub window: Option<LossWindow>,
    pub count: u64,
    pub first_ms: i64,
    pub last_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeSummary {
    pub rate: u32,
    /// `sentinel` (moves at +switch-master) or `stay` (keeps its master until a write fails).
    pub follow: &'static str,
    pub attempted: u64,
    pub acked: u64,
    pub failed: u64,
    /// Failed writes by kind (`timeout`, `refused`, `readonly`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Acknowledged writes the master no longer has (None: not read back).
    pub lost: Option<u64>,
    pub lost_sample: Vec<u64>,
    /// The lost writes by the master that acknowledged them and when.
    pub loss: Vec<LossRow>,
    /// The same in a sentence (`312 acknowledged writes lost, all acknowledged by OLD ...`).
    pub loss_text: Option<String>,
    /// Writes the server refused (NOREPLICAS, READONLY, MASTERDOWN), by reason: never
    /// acknowledged, so never lost.
    pub refused: BTreeMap<String, u64>,
    pub read_back_from: Option<Addr>,
    pub read_back_error: Option<String>,
    /// Total time without acknowledged writes.
    pub unavailable_ms: Millis,
    /// The unavailability window: last success on the old master to first on the new.
    pub window: Option<Window>,
    pub last_error: Option<String>,
}

/// The lost writes, in a sentence, with the masters labelled OLD and NEW; None until read
/// back. Shared by the report and the TUI's probe panel.
pub fn loss_text(
    p: &ProbeStats,
    span: Option<FaultSpan>,
    masters: (Option<&Addr>, Option<&Addr>),
    fault: &str,
) -> Option<String> {
    let groups = p.loss(span)?;
    let labels = loss::Labels {
        old: masters.0,
        new: masters.1,
        fault,
        base: span.map(|s| s.at).unwrap_or(p.started_at),
    };
    Some(loss::describe(p.lost()?, &groups, labels))
}

/// The fault's span in the log: from `fault_at` to the later of the first `+switch-master` of
/// the group and the first `fault-cleared` after it (whichever there is).
pub fn fault_span(d: &Deployment, group: &str, fault_at: Millis) -> FaultSpan {
    let switch = failover_ms(d, group, fault_at).map(|ms| fault_at + ms);
    let cleared = d
        .log()
        .entries()
        .find(|e| e.ts >= fault_at && e.is(OwnEvent::FaultCleared))
        .map(|e| e.ts);
    let end = match (switch, cleared) {
        (Some(s), Some(c)) => Some(s.max(c)),
        (s, c) => s.or(c),
    };
    FaultSpan { at: fault_at, end }
}

/// The first fault sentui injected at or after `from` (the TUI's probe start), with the node
/// it hit.
pub fn first_fault(d: &Deployment, from: Millis) -> Option<(Millis, Option<Addr>)> {
    d.log()
        .entries()
        .find(|e| e.ts >= from && e.is(OwnEvent::Fault))
        .map(|e| (e.ts, e.addr.clone()))
}

impl ProbeSummary {
    /// `fault` names the fault for the loss sentence (`partition`, `pause`, ...).
    pub fn new(
        p: &ProbeStats,
        span: Option<FaultSpan>,
        masters: (Option<&Addr>, Option<&Addr>),
        fault: &str,
        now: Millis,
    ) -> ProbeSummary {
        let fault_at = span.map(|s| s.at);
        let base = fault_at.unwrap_or(p.started_at);
        let (old, new) = masters;
        let loss = p
            .loss(span)
            .unwrap_or_default()
            .into_iter()
            .map(|g| LossRow {
                role: match g.master.as_ref() {
                    Some(m) if Some(m) == old => "old",
                    Some(m) if Some(m) == new => "new",
                    _ => "other",
                },
                master: g.master,
                window: g.window,
                count: g.count,
                first_ms: since(g.first_at, base),
                last_ms: since(g.last_at, base),
            })
            .collect();
        let (lost_sample, read_back_from, read_back_error) = match &p.readback {
            Some(Ok(found)) => (found.sample.clone(), Some(found.master.clone()), None),
            Some(Err(error)) => (Vec::new(), None, Some(error.clone())),
            None => (Vec::new(), None, Some("the probe did not read back".into())),
        };
        ProbeSummary {
            rate: p.rate,
            follow: p.follow.name(),
            loss,
            loss_text: loss_text(p, span, masters, fault),
            refused: p
                .refusals()
                .into_iter()
                .map(|(k, n)| (k.word().to_string(), n))
                .collect(),
            attempted: p.attempted,
            acked: p.acked,
            failed: p.failed,
            errors: p
                .errors
                .iter()
                .map(|(k, n)| (k.word().to_string(), *n))
                .collect(),
            lost: p.lost(),
            lost_sample,
            read_back_from,
            read_back_error,
            unavailable_ms: p.unavailable_total(now),
            window: p.window().map(|o| Window {
                from_ms: since(o.from, base),
                to_ms: o.to.map(|t| since(t, base)),
                duration_ms: o.duration(p.stopped_at.unwrap_or(now)),
                old_master: o.old_master.clone(),
                new_master: o.new_master.clone(),
            }),
            last_error: p.last_error.as_ref().map(|e| e.1.clone()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub limit: String,
    /// What was measured (None: could not be measured, which fails the check).
    pub measured: Option<String>,
    pub pass: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    pub group: String,
    pub verdict: Verdict,
    /// Why the drill could not run or was cut short.
    pub error: Option<String>,
    pub old_master: Option<Addr>,
    pub new_master: Option<Addr>,
    /// The first fault, Unix milliseconds.
    pub fault_at: Option<Millis>,
    /// First fault to the first `+switch-master`.
    pub failover_ms: Option<Millis>,
    pub steps: Vec<StepRecord>,
    pub phases: Vec<PhaseRow>,
    pub probe: Option<ProbeSummary>,
    pub checks: Vec<Check>,
    /// What the drill undid at the end (and what it could not).
    pub restored: Vec<String>,
}

fn since(t: Millis, base: Millis) -> i64 {
    t as i64 - base as i64
}

/// Log events that belong in the timing table besides the stopwatch's phases.
const EXTRA_EVENTS: [Event; 5] = [
    Event::Own(OwnEvent::FaultCleared),
    Event::Sentinel(SentinelEvent::ConvertToSlave),
    Event::Own(OwnEvent::ProbeUnavailable),
    Event::Own(OwnEvent::ProbeAvailable),
    Event::Own(OwnEvent::ProbeMaster),
];

/// The phase timing table: the stopwatch's phases of the failover the fault caused,
/// and the first of each of [`EXTRA_EVENTS`] after the fault, in time order.
pub fn phases(d: &Deployment, group: &str, fault_at: Millis) -> Vec<PhaseRow> {
    let mut rows = Vec::new();
    // The failover going on at the fault or after it: one that began with an earlier sign
    // (the master already flagged) keeps those marks, at negative times.
    let failover = d.stopwatches().get(group).and_then(|s| {
        let after: Vec<_> = s
            .all()
            .filter(|f| f.ended_at.is_none_or(|end| end >= fault_at))
            .collect();
        after
            .iter()
            .find(|f| f.outcome == Some(crate::stopwatch::Outcome::Completed))
            .or(after.first())
            .copied()
    });
    if let Some(f) = failover {
        for (m, _, _) in f.timeline() {
            rows.push(PhaseRow {
                event: m.phase.label().to_string(),
                since_fault_ms: since(m.at, fault_at),
                by: m.by.clone(),
                detail: m.detail.clone(),
            });
        }
    }
    let mut seen: Vec<&Event> = Vec::new();
    for e in d.log().entries() {
        if e.ts < fault_at || e.group.as_deref().is_some_and(|g| g != group) {
            continue;
        }
        let Some(extra) = EXTRA_EVENTS.iter().find(|n| **n == e.event) else {
            continue;
        };
        if seen.contains(&extra) {
            continue;
        }
        seen.push(extra);
        rows.push(PhaseRow {
            event: e.event.to_string(),
            since_fault_ms: since(e.ts, fault_at),
            by: match (&e.source, &e.sentinel) {
                (Source::Sentinel, Some(s)) => s.to_string(),
                (s, _) => format!("{s:?}").to_lowercase(),
            },
            detail: e.payload.clone(),
        });
    }
    rows.sort_by_key(|r| r.since_fault_ms);
    rows
}

/// Milliseconds from the fault to the first `+switch-master` of the group after it.
pub fn failover_ms(d: &Deployment, group: &str, fault_at: Millis) -> Option<Millis> {
    d.log()
        .entries()
        .find(|e| {
            e.ts >= fault_at
                && e.is(SentinelEvent::SwitchMaster)
                && e.group.as_deref() == Some(group)
        })
        .map(|e| e.ts - fault_at)
        .or_else(|| {
            let sw = d.stopwatches().get(group)?;
            sw.all()
                .filter(|f| f.started_at >= fault_at)
                .find_map(|f| f.mark(Phase::SwitchMaster))
                .map(|m| m.at.saturating_sub(fault_at))
        })
}

fn secs(ms: Millis) -> String {
    format!("{:.3}s", ms as f64 / 1000.0)
}

fn signed_secs(ms: i64) -> String {
    format!(
        "{}{:.3}s",
        if ms < 0 { "-" } else { "+" },
        ms.abs() as f64 / 1000.0
    )
}

fn limit_secs(v: f64) -> String {
    format!("<= {v}s")
}

/// The checks the limits ask for. `agreement`: the end state (Some when asked for).
pub fn checks(
    expect: &Expect,
    failover_ms: Option<Millis>,
    probe: Option<&ProbeSummary>,
    agreement: Option<Result<String, String>>,
) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(max) = expect.max_failover_secs {
        out.push(Check {
            name: "failover (fault to +switch-master)".into(),
            limit: limit_secs(max),
            measured: failover_ms.map(secs),
            pass: failover_ms.is_some_and(|ms| ms as f64 <= max * 1000.0),
        });
    }
    if let Some(max) = expect.max_lost_writes {
        let lost = probe.and_then(|p| p.lost);
        out.push(Check {
            name: "lost writes".into(),
            limit: format!("<= {max}"),
            measured: match (lost, probe) {
                (Some(n), _) => Some(n.to_string()),
                (None, Some(p)) => p.read_back_error.clone().map(|e| format!("unknown: {e}")),
                (None, None) => Some("unknown: no probe ran".into()),
            },
            pass: lost.is_some_and(|n| n <= max),
        });
    }
    if let Some(max) = expect.max_unavailable_secs {
        let ms = probe.map(|p| p.unavailable_ms);
        out.push(Check {
            name: "unavailable (probe)".into(),
            limit: limit_secs(max),
            measured: Some(
                ms.map(secs)
                    .unwrap_or_else(|| "unknown: no probe ran".into()),
            ),
            pass: ms.is_some_and(|ms| ms as f64 <= max * 1000.0),
        });
    }
    if let Some(a) = agreement {
        let pass = a.is_ok();
        out.push(Check {
            name: "one master, all sentinels agree".into(),
            limit: "at the end".into(),
            measured: Some(a.unwrap_or_else(|e| e)),
            pass,
        });
    }
    out
}

/// Pass when no error, every step ok and every check holds.
pub fn verdict(error: Option<&str>, steps: &[StepRecord], checks: &[Check]) -> Verdict {
    if error.is_some() && steps.iter().all(|s| s.outcome != StepOutcome::Interrupted) {
        return Verdict::Error;
    }
    if error.is_some()
        || steps.iter().any(|s| s.outcome != StepOutcome::Ok)
        || checks.iter().any(|c| !c.pass)
    {
        return Verdict::Fail;
    }
    Verdict::Pass
}

fn addr_or(a: &Option<Addr>) -> String {
    a.as_ref()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "?".into())
}

impl Report {
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    fn headline(&self) -> String {
        let mut s = format!(
            "drill {} on {}: {}",
            self.scenario,
            self.group,
            self.verdict.word()
        );
        if let Some(e) = &self.error {
            let _ = write!(s, " ({e})");
        }
        s
    }

    fn master_line(&self) -> String {
        let mut s = format!(
            "master {} -> {}",
            addr_or(&self.old_master),
            addr_or(&self.new_master)
        );
        match self.failover_ms {
            Some(ms) => {
                let _ = write!(s, "; +switch-master {} after the fault", secs(ms));
            }
            None if self.fault_at.is_some() => s.push_str("; no +switch-master seen"),
            None => {}
        }
        s
    }

    fn probe_lines(p: &ProbeSummary) -> Vec<(String, String)> {
        let errors = if p.errors.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                p.errors
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let lost = match (p.lost, &p.read_back_from, &p.read_back_error) {
            (Some(n), Some(m), _) => {
                let sample = if p.lost_sample.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (keys {})",
                        p.lost_sample
                            .iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                format!("{n} of {} acknowledged, read back on {m}{sample}", p.acked)
            }
            (_, _, Some(e)) => format!("unknown ({e})"),
            _ => "unknown".into(),
        };
        let refused = if p.refused.is_empty() {
            "none".to_string()
        } else {
            let by: Vec<String> = p.refused.iter().map(|(k, n)| format!("{k} {n}")).collect();
            format!(
                "{} (the server said no: not acknowledged, so not lost)",
                by.join(", ")
            )
        };
        let mut rows = vec![
            (
                "rate".into(),
                format!("{} writes/s, following {}", p.rate, p.follow),
            ),
            (
                "writes".into(),
                format!(
                    "{} attempted, {} acknowledged, {} failed{errors}",
                    p.attempted, p.acked, p.failed
                ),
            ),
            ("lost".into(), lost),
        ];
        if let Some(t) = &p.loss_text
            && p.lost.is_some_and(|n| n > 0)
        {
            rows.push(("loss".into(), t.clone()));
        }
        rows.push(("refused".into(), refused));
        rows.push(("unavailable".into(), secs(p.unavailable_ms)));
        if let Some(w) = &p.window {
            rows.push((
                "window".into(),
                format!(
                    "{}: last write on {} at {}, first on {} at {}",
                    secs(w.duration_ms),
                    addr_or(&w.old_master),
                    signed_secs(w.from_ms),
                    addr_or(&w.new_master),
                    w.to_ms.map(signed_secs).unwrap_or_else(|| "never".into())
                ),
            ));
        }
        if let Some(e) = &p.last_error {
            rows.push(("last error".into(), e.clone()));
        }
        rows
    }

    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}", self.headline());
        let _ = writeln!(o, "  {}", self.master_line());
        let _ = writeln!(o, "\nsteps");
        for s in &self.steps {
            let _ = writeln!(
                o,
                "  {:>2}  {:<32} {:<11} {:>9}  {}",
                s.step,
                s.what,
                s.outcome.word(),
                s.since_fault_ms.map(signed_secs).unwrap_or_default(),
                s.detail
            );
        }
        let _ = writeln!(o, "\nphases (time since the fault)");
        if self.phases.is_empty() {
            let _ = writeln!(o, "  none seen");
        }
        for p in &self.phases {
            let _ = writeln!(
                o,
                "  {:>9}  {:<22} {:<21} {}",
                signed_secs(p.since_fault_ms),
                p.event,
                p.by,
                p.detail
            );
        }
        let _ = writeln!(o, "\nprobe");
        match &self.probe {
            Some(p) => {
                for (k, v) in Self::probe_lines(p) {
                    let _ = writeln!(o, "  {k:<12} {v}");
                }
            }
            None => {
                let _ = writeln!(o, "  off");
            }
        }
        let _ = writeln!(o, "\nchecks");
        if self.checks.is_empty() {
            let _ = writeln!(o, "  none asked for");
        }
        for c in &self.checks {
            let _ = writeln!(
                o,
                "  {}  {:<36} {:<12} {}",
                if c.pass { "PASS" } else { "FAIL" },
                c.name,
                c.limit,
                c.measured.as_deref().unwrap_or("not measured")
            );
        }
        if !self.restored.is_empty() {
            let _ = writeln!(o, "\nrestored");
            for r in &self.restored {
                let _ = writeln!(o, "  {r}");
            }
        }
        let _ = writeln!(o, "\nverdict: {}", self.verdict.word());
        o
    }

    pub fn to_markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        let mut o = String::new();
        let _ = writeln!(o, "## {}\n", cell(&self.headline()));
        let _ = writeln!(o, "{}\n", cell(&self.master_line()));
        let _ = writeln!(o, "### Steps\n");
        let _ = writeln!(o, "| # | step | outcome | since fault | detail |");
        let _ = writeln!(o, "| ---: | --- | --- | ---: | --- |");
        for s in &self.steps {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                s.step,
                cell(&s.what),
                s.outcome.word(),
                s.since_fault_ms.map(signed_secs).unwrap_or_default(),
                cell(&s.detail)
            );
        }
        let _ = writeln!(o, "\n### Phases\n");
        let _ = writeln!(o, "| since fault | event | by | detail |");
        let _ = writeln!(o, "| ---: | --- | --- | --- |");
        for p in &self.phases {
            let _ = writeln!(
                o,
                "| {} | `{}` | {} | {} |",
                signed_secs(p.since_fault_ms),
                p.event,
                cell(&p.by),
                cell(&p.detail)
            );
        }
        let _ = writeln!(o, "\n### Probe\n");
        match &self.probe {
            Some(p) => {
                let _ = writeln!(o, "| figure | value |");
                let _ = writeln!(o, "| --- | --- |");
                for (k, v) in Self::probe_lines(p) {
                    let _ = writeln!(o, "| {k} | {} |", cell(&v));
                }
            }
            None => {
                let _ = writeln!(o, "off");
            }
        }
        let _ = writeln!(o, "\n### Checks\n");
        let _ = writeln!(o, "| result | check | limit | measured |");
        let _ = writeln!(o, "| --- | --- | --- | --- |");
        for c in &self.checks {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                if c.pass { "PASS" } else { "**FAIL**" },
                cell(&c.name),
                cell(&c.limit),
                cell(c.measured.as_deref().unwrap_or("not measured"))
            );
        }
        if !self.restored.is_empty() {
            let _ = writeln!(o, "\n### Restored\n");
            for r in &self.restored {
                let _ = writeln!(o, "- {}", cell(r));
            }
        }
        let _ = writeln!(o, "\n**Verdict: {}**", self.verdict.word());
        o
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Update;
    use crate::log::LogEntry;
    use crate::probe::{ErrorKind, ProbeEvent, ReadBack, WriteError};

    fn a(s: &str) -> Addr {
        s.parse().unwrap()
    }

    fn sentinel(d: &mut Deployment, ts: Millis, event: SentinelEvent, payload: &str) {
        d.apply(Update::SentinelEvent {
            sentinel: a("127.0.0.1:26379"),
            at: ts,
            event: event.to_string(),
            payload: payload.into(),
        });
    }

    fn probe(d: &mut Deployment, ts: Millis, event: ProbeEvent) {
        d.apply(Update::Probe { at: ts, event });
    }

    fn write(n: u64, m: &str, err: Option<ErrorKind>) -> ProbeEvent {
        ProbeEvent::Write {
            n,
            master: Some(a(m)),
            error: err.map(|kind| WriteError {
                kind,
                message: "no answer".into(),
            }),
        }
    }

    /// A drill's worth of updates: probe writes, a fault at 10 000, the failover, read-back.
    fn drilled() -> Deployment {
        let mut d = Deployment::default();
        probe(
            &mut d,
            9_000,
            ProbeEvent::Started {
                run_id: "r".into(),
                group: "mymaster".into(),
                rate: 100,
                follow: crate::probe::Follow::Sentinel,
            },
        );
        probe(&mut d, 9_990, write(0, "127.0.0.1:1", None));
        let mut fault = LogEntry::own(10_000, OwnEvent::Fault, "paused 127.0.0.1:1")
            .in_group(Some("mymaster".into()));
        fault.addr = Some(a("127.0.0.1:1"));
        d.apply(Update::Note { entry: fault });
        probe(
            &mut d,
            11_000,
            write(1, "127.0.0.1:1", Some(ErrorKind::Timeout)),
        );
        sentinel(
            &mut d,
            11_100,
            SentinelEvent::Sdown,
            "master mymaster 127.0.0.1 1",
        );
        sentinel(
            &mut d,
            11_200,
            SentinelEvent::Odown,
            "master mymaster 127.0.0.1 1 #quorum 2/2",
        );
        sentinel(
            &mut d,
            11_300,
            SentinelEvent::TryFailover,
            "master mymaster 127.0.0.1 1",
        );
        sentinel(
            &mut d,
            12_500,
            SentinelEvent::SwitchMaster,
            "mymaster 127.0.0.1 1 127.0.0.1 2",
        );
        probe(&mut d, 12_600, write(2, "127.0.0.1:2", None));
        sentinel(
            &mut d,
            13_000,
            SentinelEvent::FailoverEnd,
            "master mymaster 127.0.0.1 1",
        );
        probe(
            &mut d,
            14_000,
            ProbeEvent::ReadBack(ReadBack {
                master: a("127.0.0.1:2"),
                checked: 2,
                lost: 1,
                sample: vec![0],
                lost_ranges: vec![(0, 0)],
            }),
        );
        probe(
            &mut d,
            14_001,
            ProbeEvent::Stopped {
                reason: "stopped".into(),
            },
        );
        d
    }

    /// The probe summary of a drill whose pause of 127.0.0.1:1 (at 10 s) promoted 127.0.0.1:2.
    fn summary(d: &Deployment) -> ProbeSummary {
        let (old, new) = (a("127.0.0.1:1"), a("127.0.0.1:2"));
        let span = fault_span(d, "mymaster", 10_000);
        ProbeSummary::new(
            d.probe().unwrap(),
            Some(span),
            (Some(&old), Some(&new)),
            "pause",
            15_000,
        )
    }

    fn report(d: &Deployment, expect: &Expect) -> Report {
        let p = summary(d);
        let fms = failover_ms(d, "mymaster", 10_000);
        let checks = checks(expect, fms, Some(&p), Some(Ok("all agree".into())));
        let steps = vec![StepRecord {
            step: 1,
            line: 0,
            what: "pause master".into(),
            outcome: StepOutcome::Ok,
            since_fault_ms: Some(0),
            took_ms: 3,
            detail: "paused 127.0.0.1:1".into(),
        }];
        Report {
            scenario: "pause-master".into(),
            group: "mymaster".into(),
            verdict: verdict(None, &steps, &checks),
            error: None,
            old_master: Some(a("127.0.0.1:1")),
            new_master: Some(a("127.0.0.1:2")),
            fault_at: Some(10_000),
            failover_ms: fms,
            steps,
            phases: phases(d, "mymaster", 10_000),
            probe: Some(p),
            checks,
            restored: vec!["resumed 127.0.0.1:1 (pid 1, redis-server)".into()],
        }
    }

    #[test]
    fn phases_and_failover_time_count_from_the_fault() {
        let d = drilled();
        assert_eq!(failover_ms(&d, "mymaster", 10_000), Some(2_500));
        let rows = phases(&d, "mymaster", 10_000);
        let names: Vec<(&str, i64)> = rows
            .iter()
            .map(|r| (r.event.as_str(), r.since_fault_ms))
            .collect();
        assert_eq!(
            names,
            [
                ("fault injected", 0),
                ("probe-unavailable", 1000),
                ("+sdown", 1100),
                ("+odown", 1200),
                ("+try-failover", 1300),
                ("+switch-master", 2500),
                ("probe-available", 2600),
                ("+failover-end", 3000),
            ]
        );
    }

    #[test]
    fn a_failover_that_began_before_the_fault_is_still_shown() {
        let d = drilled();
        let rows = phases(&d, "mymaster", 10_500);
        assert_eq!(rows[0].event, "fault injected");
        assert_eq!(rows[0].since_fault_ms, -500);
        assert!(
            rows.iter()
                .any(|r| r.event == Phase::SwitchMaster.label() && r.since_fault_ms == 2000)
        );
        assert!(
            phases(&d, "mymaster", 20_000).is_empty(),
            "ended before: not this one"
        );
    }

    #[test]
    fn limits_decide_the_verdict() {
        let d = drilled();
        let generous = Expect {
            max_failover_secs: Some(30.0),
            max_lost_writes: Some(5),
            max_unavailable_secs: Some(30.0),
            agree_at_end: true,
        };
        let r = report(&d, &generous);
        assert_eq!(r.verdict, Verdict::Pass);
        assert!(r.checks.iter().all(|c| c.pass));
        assert_eq!(r.exit_code(), 0);
        let strict = Expect {
            max_failover_secs: Some(0.001),
            ..generous.clone()
        };
        let r = report(&d, &strict);
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.exit_code(), 1);
        assert_eq!(r.checks[0].measured.as_deref(), Some("2.500s"));
        let r = report(
            &d,
            &Expect {
                max_lost_writes: Some(0),
                ..generous
            },
        );
        assert!(!r.checks[1].pass, "one write lost");
    }

    #[test]
    fn unmeasured_limits_fail_and_errors_exit_2() {
        let c = checks(
            &Expect {
                max_failover_secs: Some(10.0),
                max_lost_writes: Some(0),
                max_unavailable_secs: Some(1.0),
                agree_at_end: true,
            },
            None,
            None,
            Some(Err("sentinels disagree".into())),
        );
        assert!(c.iter().all(|c| !c.pass));
        assert_eq!(c[1].measured.as_deref(), Some("unknown: no probe ran"));
        assert_eq!(verdict(Some("no sentinel"), &[], &[]), Verdict::Error);
        assert_eq!(verdict(Some("no sentinel"), &[], &[]).exit_code(), 2);
        let interrupted = StepRecord {
            step: 1,
            line: 0,
            what: "wait +switch-master".into(),
            outcome: StepOutcome::Interrupted,
            since_fault_ms: None,
            took_ms: 0,
            detail: String::new(),
        };
        assert_eq!(
            verdict(Some("interrupted"), &[interrupted], &[]),
            Verdict::Fail
        );
    }

    #[test]
    fn probe_summary_window_is_relative_to_the_fault() {
        let d = drilled();
        let p = summary(&d);
        assert_eq!((p.attempted, p.acked, p.failed, p.lost), (3, 2, 1, Some(1)));
        assert_eq!(p.errors["timeout"], 1);
        let w = p.window.unwrap();
        assert_eq!((w.from_ms, w.to_ms, w.duration_ms), (-10, Some(2600), 2610));
        assert_eq!(p.unavailable_ms, 2610);
        assert_eq!(
            fault_span(&d, "mymaster", 10_000).end,
            Some(12_500),
            "no fault-cleared: the promotion ends it"
        );
        assert_eq!(p.loss.len(), 1);
        assert_eq!(
            (
                p.loss[0].role,
                p.loss[0].window,
                p.loss[0].count,
                p.loss[0].first_ms
            ),
            ("old", Some(LossWindow::BeforeFault), 1, -10)
        );
        assert_eq!(p.refused.len(), 0, "a timeout is no refusal");
    }

    #[test]
    fn formats_carry_phases_probe_figures_and_verdict() {
        let d = drilled();
        let r = report(
            &d,
            &Expect {
                max_failover_secs: Some(30.0),
                ..Expect::default()
            },
        );
        let text = r.to_text();
        for want in [
            "drill pause-master on mymaster: PASS",
            "+switch-master 2.500s after the fault",
            "+2.500s  +switch-master",
            "3 attempted, 2 acknowledged, 1 failed (timeout 1)",
            "1 of 2 acknowledged, read back on 127.0.0.1:2 (keys 0)",
            "loss         1 acknowledged writes lost, all acknowledged by OLD 127.0.0.1:1 before the pause (-0.010 s .. -0.010 s)",
            "refused      none",
            "rate         100 writes/s, following sentinel",
            "window       2.610s: last write on 127.0.0.1:1 at -0.010s, first on 127.0.0.1:2 at +2.600s",
            "PASS  failover (fault to +switch-master)",
            "resumed 127.0.0.1:1",
            "verdict: PASS",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        let md = r.to_markdown();
        assert!(md.contains("| +2.500s | `+switch-master` |"), "{md}");
        assert!(md.contains("**Verdict: PASS**"));
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["verdict"], "pass");
        assert_eq!(v["failover_ms"], 2500);
        assert_eq!(v["probe"]["lost"], 1);
        assert_eq!(v["probe"]["loss"][0]["window"], "before-fault");
        assert_eq!(v["probe"]["loss"][0]["role"], "old");
        assert_eq!(v["probe"]["follow"], "sentinel");
        assert_eq!(v["phases"][0]["event"], "fault injected");
        assert_eq!(v["steps"][0]["outcome"], "ok");
    }
}
