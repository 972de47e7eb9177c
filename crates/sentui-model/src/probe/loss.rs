//! Where lost writes came from: every acknowledged write is kept (key number, when, which
//! master), the read-back names the lost ones as ranges, and each lost write is attributed to
//! the master that acknowledged it and the window it fell in (before the fault, during it,
//! after the promotion). A partitioned master's writes show up as "by OLD during the fault".

use crate::{Addr, Millis};
use serde::{Deserialize, Serialize};

/// Every acknowledged write, in order: (key number, when, index into `masters`). Key numbers
/// grow with time (one write in flight), so a lost range maps to a stretch of time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AckLog {
    masters: Vec<Addr>,
    acks: Vec<(u64, Millis, u32)>,
}

/// No master known for an acknowledgement (the probe did not say).
const NO_MASTER: u32 = u32::MAX;

impl AckLog {
    pub fn push(&mut self, n: u64, at: Millis, master: Option<&Addr>) {
        let idx = match master {
            Some(m) => match self.masters.iter().position(|x| x == m) {
                Some(i) => i as u32,
                None => {
                    self.masters.push(m.clone());
                    (self.masters.len() - 1) as u32
                }
            },
            None => NO_MASTER,
        };
        self.acks.push((n, at, idx));
    }

    pub fn len(&self) -> usize {
        self.acks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.acks.is_empty()
    }

    /// The acknowledged writes whose key numbers fall in `ranges` (inclusive, sorted).
    fn lost<'a>(
        &'a self,
        ranges: &'a [(u64, u64)],
    ) -> impl Iterator<Item = (Millis, Option<&'a Addr>)> + 'a {
        ranges.iter().flat_map(move |(from, to)| {
            let start = self.acks.partition_point(|(n, _, _)| n < from);
            self.acks[start..]
                .iter()
                .take_while(move |(n, _, _)| n <= to)
                .map(move |(_, at, m)| (*at, self.masters.get(*m as usize)))
        })
    }
}

/// The most ranges a read-back reports; past it the rest of the lost writes go unattributed
/// (and are counted as such).
pub const MAX_RANGES: usize = 10_000;

/// The lost key numbers as ranges over the acknowledged ones: `acked[i]` is lost when
/// `present[i]` is false; consecutive lost acknowledged writes make one range.
pub fn lost_ranges(acked: &[u64], present: &[bool]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    let mut open = false;
    for (i, n) in acked.iter().enumerate() {
        if present.get(i).copied().unwrap_or(false) {
            open = false;
            continue;
        }
        if open && let Some(last) = out.last_mut() {
            last.1 = *n;
        } else if out.len() == MAX_RANGES {
            break;
        } else {
            out.push((*n, *n));
            open = true;
        }
    }
    out
}

/// When a lost write was acknowledged, relative to the fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossWindow {
    BeforeFault,
    /// From the fault until it ended: the later of its undo (heal, resume) and the promotion.
    DuringFault,
    /// After that: an old master healed from a partition goes on acknowledging writes until
    /// the sentinels convert it (they wait about 8 s after it is back), and they are lost.
    AfterFault,
}

impl LossWindow {
    /// `during the partition`, `after +switch-master at +1.1 s`: `fault` names the fault
    /// (`partition`, `pause`, ...); the span says what ended the window and when, counted from
    /// `base`, so the sentence names the same moment as the phase table (a manual failover is
    /// over for the writes at its `+switch-master`, long before Sentinel's `+failover-end`).
    pub fn words(self, fault: &str, span: &FaultSpan, base: Millis) -> String {
        let end = span
            .end
            .map(|e| (since(e, base), span.ended_by.unwrap_or(SpanEnd::Undone)));
        match (self, end) {
            (LossWindow::BeforeFault, _) => format!("before the {fault}"),
            (LossWindow::DuringFault, Some((_, SpanEnd::SwitchMaster))) => {
                format!("during the {fault}, before +switch-master")
            }
            (LossWindow::DuringFault, _) => format!("during the {fault}"),
            (LossWindow::AfterFault, Some((t, SpanEnd::SwitchMaster))) => {
                format!("after +switch-master at {t}")
            }
            (LossWindow::AfterFault, Some((t, SpanEnd::Undone))) => {
                format!("after the {fault} was undone at {t}")
            }
            (LossWindow::AfterFault, None) => format!("after the {fault}"),
        }
    }
}

/// What ended a fault's span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanEnd {
    /// The first `+switch-master` of the failover it caused.
    SwitchMaster,
    /// sentui undid it (resumed, healed).
    Undone,
}

/// The fault's span: from when it took effect to the later of its clearing and the promotion
/// (None: it had not ended when the probe stopped), and which of the two that was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultSpan {
    pub at: Millis,
    pub end: Option<Millis>,
    pub ended_by: Option<SpanEnd>,
}

impl FaultSpan {
    fn window(&self, t: Millis) -> LossWindow {
        if t < self.at {
            LossWindow::BeforeFault
        } else if self.end.is_none_or(|e| t < e) {
            LossWindow::DuringFault
        } else {
            LossWindow::AfterFault
        }
    }
}

/// Lost writes of one master in one window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossGroup {
    pub master: Option<Addr>,
    /// None when no fault is known (the TUI's probe without an injected fault).
    pub window: Option<LossWindow>,
    pub count: u64,
    /// The first and last of them were acknowledged at these times.
    pub first_at: Millis,
    pub last_at: Millis,
}

/// Groups the lost writes by master and window, in order of their first write.
pub fn attribute(acks: &AckLog, ranges: &[(u64, u64)], span: Option<FaultSpan>) -> Vec<LossGroup> {
    let mut out: Vec<LossGroup> = Vec::new();
    for (at, master) in acks.lost(ranges) {
        let window = span.map(|s| s.window(at));
        match out
            .iter_mut()
            .find(|g| g.master.as_ref() == master && g.window == window)
        {
            Some(g) => {
                g.count += 1;
                g.first_at = g.first_at.min(at);
                g.last_at = g.last_at.max(at);
            }
            None => out.push(LossGroup {
                master: master.cloned(),
                window,
                count: 1,
                first_at: at,
                last_at: at,
            }),
        }
    }
    out
}

/// Who acknowledged the lost writes: the masters (`old`, `new`: labelled OLD and NEW), the
/// fault's name (`partition`), its span and the time the figures count from (the fault, or the
/// probe's start).
#[derive(Clone, Copy, Debug)]
pub struct Labels<'a> {
    pub old: Option<&'a Addr>,
    pub new: Option<&'a Addr>,
    pub fault: &'a str,
    pub span: Option<FaultSpan>,
    pub base: Millis,
}

/// Seconds since the base: `+9.1 s`, or `-0.042 s` under a second.
fn since(t: Millis, base: Millis) -> String {
    let ms = t as i64 - base as i64;
    let sign = if ms < 0 { "-" } else { "+" };
    let s = ms.abs() as f64 / 1000.0;
    if ms.abs() < 1000 {
        format!("{sign}{s:.3} s")
    } else {
        format!("{sign}{s:.1} s")
    }
}

/// `312 acknowledged writes lost, all acknowledged by OLD 127.0.0.1:49153 during the partition
/// (+0.4 s .. +9.1 s)`; several groups are listed one after another.
pub fn describe(lost: u64, groups: &[LossGroup], l: Labels) -> String {
    let (old, new) = (l.old, l.new);
    if lost == 0 {
        return "no acknowledged write lost".into();
    }
    let label = |m: Option<&Addr>| match m {
        Some(a) if Some(a) == old => format!("OLD {a}"),
        Some(a) if Some(a) == new => format!("NEW {a}"),
        Some(a) => a.to_string(),
        None => "an unknown master".into(),
    };
    let at = |t: Millis| since(t, l.base);
    let part = |g: &LossGroup| {
        let when = match (g.window, &l.span) {
            (Some(w), Some(span)) => format!(" {}", w.words(l.fault, span, l.base)),
            _ => String::new(),
        };
        format!(
            "by {}{when} ({} .. {})",
            label(g.master.as_ref()),
            at(g.first_at),
            at(g.last_at)
        )
    };
    let attributed: u64 = groups.iter().map(|g| g.count).sum();
    let mut text = match groups {
        [only] if only.count == lost => {
            format!(
                "{lost} acknowledged writes lost, all acknowledged {}",
                part(only)
            )
        }
        _ => {
            let parts: Vec<String> = groups
                .iter()
                .map(|g| format!("{} {}", g.count, part(g)))
                .collect();
            format!(
                "{lost} acknowledged writes lost: {}",
                if parts.is_empty() {
                    "none attributed".to_string()
                } else {
                    parts.join("; ")
                }
            )
        }
    };
    if attributed < lost && !groups.is_empty() {
        text.push_str(&format!("; {} not attributed", lost - attributed));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Addr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_join_consecutive_lost_acknowledged_writes() {
        // 3 and 4 were not acknowledged (not in `acked`): 2 and 5 are consecutive acks.
        let acked = [0, 1, 2, 5, 6, 7, 9];
        let present = [true, true, false, false, true, false, false];
        assert_eq!(lost_ranges(&acked, &present), vec![(2, 5), (7, 9)]);
        assert!(lost_ranges(&acked, &[true; 7]).is_empty());
        assert_eq!(
            lost_ranges(&[1, 2], &[true]),
            vec![(2, 2)],
            "unanswered counts as lost"
        );
    }

    #[test]
    fn each_lost_write_goes_to_its_master_and_window() {
        let (old, new) = (a("127.0.0.1:1"), a("127.0.0.1:2"));
        let mut acks = AckLog::default();
        for n in 0..10 {
            acks.push(n, 1000 + n * 100, Some(&old)); // 1000 .. 1900
        }
        for n in 10..15 {
            acks.push(n, 3000 + n * 100, Some(&new)); // 4000 .. 4400
        }
        // The fault at 1250, promoted (or cleared) at 4200.
        let span = FaultSpan {
            at: 1250,
            end: Some(4200),
            ended_by: Some(SpanEnd::Undone),
        };
        let groups = attribute(&acks, &[(2, 8), (13, 14)], Some(span));
        assert_eq!(groups.len(), 3, "{groups:?}");
        assert_eq!(
            (
                groups[0].window,
                groups[0].count,
                groups[0].first_at,
                groups[0].last_at
            ),
            (Some(LossWindow::BeforeFault), 1, 1200, 1200)
        );
        assert_eq!(groups[1].master, Some(old.clone()));
        assert_eq!(
            (
                groups[1].window,
                groups[1].count,
                groups[1].first_at,
                groups[1].last_at
            ),
            (Some(LossWindow::DuringFault), 6, 1300, 1800)
        );
        assert_eq!(
            (groups[2].master.clone(), groups[2].window, groups[2].count),
            (Some(new.clone()), Some(LossWindow::AfterFault), 2)
        );
        let labels = Labels {
            old: Some(&old),
            new: Some(&new),
            fault: "pause",
            span: Some(span),
            base: 1250,
        };
        let text = describe(9, &groups, labels);
        assert_eq!(
            text,
            "9 acknowledged writes lost: 1 by OLD 127.0.0.1:1 before the pause (-0.050 s .. -0.050 s); \
             6 by OLD 127.0.0.1:1 during the pause (+0.050 s .. +0.550 s); \
             2 by NEW 127.0.0.1:2 after the pause was undone at +3.0 s (+3.0 s .. +3.1 s)"
        );
    }

    #[test]
    fn one_group_reads_all_and_unattributed_writes_are_said() {
        let old = a("127.0.0.1:1");
        let mut acks = AckLog::default();
        for n in 0..100 {
            acks.push(n, 10_000 + n * 100, Some(&old));
        }
        let span = Some(FaultSpan {
            at: 10_000,
            end: None,
            ended_by: None,
        });
        let groups = attribute(&acks, &[(4, 91)], span);
        let labels = Labels {
            old: Some(&old),
            new: None,
            fault: "partition",
            span,
            base: 10_000,
        };
        let text = describe(88, &groups, labels);
        assert_eq!(
            text,
            "88 acknowledged writes lost, all acknowledged by OLD 127.0.0.1:1 during the partition (+0.400 s .. +9.1 s)"
        );
        let text = describe(90, &groups, labels);
        assert!(text.ends_with("; 2 not attributed"), "{text}");
        assert_eq!(describe(0, &[], labels), "no acknowledged write lost");
    }

    #[test]
    fn without_a_fault_writes_are_grouped_by_master_only() {
        let m = a("127.0.0.1:1");
        let mut acks = AckLog::default();
        acks.push(1, 5, Some(&m));
        acks.push(2, 6, None);
        let groups = attribute(&acks, &[(1, 2)], None);
        assert_eq!(groups.len(), 2);
        assert!(groups.iter().all(|g| g.window.is_none()));
        assert_eq!(groups[1].master, None);
    }
}
