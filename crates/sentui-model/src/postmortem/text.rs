//! How the page writes things: escaped text, pixel numbers, durations, moments on the axis and
//! the headline that sets Sentinel's time against the clients'.

use super::Page;
use crate::Millis;
use crate::time::clock;

pub(super) use crate::markup::escape as esc;

/// A coordinate: one decimal, never `-0.0`, the same on every machine.
pub(super) fn px(v: f64) -> String {
    let tenths = (v * 10.0).round();
    if tenths == 0.0 {
        return "0.0".into();
    }
    format!("{:.1}", tenths / 10.0)
}

/// A duration as a reader says it: `850 ms`, `2.0 s`, `1 min 05 s`.
pub(super) fn duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    if a < 1000 {
        format!("{sign}{a} ms")
    } else if a < 59_950 {
        let tenths = (a + 50) / 100;
        format!("{sign}{}.{} s", tenths / 10, tenths % 10)
    } else {
        let secs = (a + 500) / 1000;
        format!("{sign}{} min {:02} s", secs / 60, secs % 60)
    }
}

/// Milliseconds from the origin to the millisecond: `+2.045 s`, `-0.300 s`, `0.000 s`.
pub(super) fn offset(ms: i64) -> String {
    let sign = match ms.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    let a = ms.unsigned_abs();
    format!("{sign}{}.{:03} s", a / 1000, a % 1000)
}

/// The wall clock at `ms` from the origin, in UTC.
pub(super) fn wall(origin: Millis, ms: i64) -> String {
    format!("{} UTC", clock_at(origin, ms))
}

/// A moment for the hover text: `+2.045 s · 11:08:24.196 UTC`.
pub(super) fn moment(origin: Millis, ms: i64) -> String {
    format!("{} · {}", offset(ms), wall(origin, ms))
}

/// A stretch for the hover text: `+0.050 s → +9.000 s (8.9 s) · 11:08:22.201 → 11:08:31.151 UTC`.
pub(super) fn stretch(origin: Millis, from: i64, to: Option<i64>) -> String {
    match to {
        Some(to) => format!(
            "{} → {} ({}) · {} → {}",
            offset(from),
            offset(to),
            duration(to - from),
            clock_at(origin, from),
            wall(origin, to)
        ),
        None => format!(
            "{} → still at the end of the data · from {}",
            offset(from),
            wall(origin, from)
        ),
    }
}

fn clock_at(origin: Millis, ms: i64) -> String {
    clock((origin as i64).saturating_add(ms).max(0) as Millis)
}

/// An axis tick: `0`, `-1s`, `+2s`, `+0.5s`, `+2m`, `+1m30s`.
pub(super) fn tick(ms: i64) -> String {
    if ms == 0 {
        return "0".into();
    }
    let sign = if ms < 0 { "-" } else { "+" };
    let a = ms.unsigned_abs();
    if a >= 60_000 && a.is_multiple_of(1000) {
        let (m, s) = (a / 60_000, a % 60_000 / 1000);
        if s == 0 {
            format!("{sign}{m}m")
        } else {
            format!("{sign}{m}m{s}s")
        }
    } else if a.is_multiple_of(1000) {
        format!("{sign}{}s", a / 1000)
    } else {
        let s = format!("{}.{:03}", a / 1000, a % 1000);
        format!("{sign}{}s", s.trim_end_matches('0'))
    }
}

/// Bytes as read: `512 B`, `171.9 KiB`, `3.2 MiB`.
pub(super) fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n < KIB {
        format!("{n} B")
    } else if n < MIB {
        format!("{}.{} KiB", n / KIB, n % KIB * 10 / KIB)
    } else {
        format!("{}.{} MiB", n / MIB, n % MIB * 10 / MIB)
    }
}

/// How wide a text of `chars` characters is at `font` px, a little generous so that labels
/// placed apart by this measure never touch.
pub(super) fn text_width(s: &str, font: f64) -> f64 {
    s.chars().count() as f64 * font * 0.6
}

/// The headline that sets Sentinel's time against the clients', in two halves:
/// `Sentinel switched in 2.0 s` and `clients could not write for 9.0 s`.
pub fn headline_parts(page: &Page) -> [String; 2] {
    let s = &page.summary;
    let sentinel = match s.sentinel_ms {
        Some(ms) => format!("Sentinel switched in {}", duration(ms)),
        None if s.switched => "the master changed without a +switch-master seen".into(),
        None => format!("Sentinel did not switch the master ({})", s.outcome),
    };
    let clients = match &s.clients {
        None => "no write probe ran".into(),
        Some(c) => {
            let outage = match (c.outage_from(), c.outage_ms) {
                (None, _) => "clients' writes never failed".into(),
                (Some(_), Some(o)) => format!("clients could not write for {}", duration(o)),
                (Some(f), None) => format!(
                    "clients could not write from {} to the end of the data",
                    offset(f)
                ),
            };
            // Writes that were acknowledged and then gone are what a partition costs: they
            // belong beside the outage, or a page that says "never failed" reads as no harm.
            match c.lost.iter().map(|l| l.count).sum::<u64>() {
                0 => outage,
                1 => format!("{outage}, and 1 acknowledged write was lost"),
                n => format!("{outage}, and {n} acknowledged writes were lost"),
            }
        }
    };
    [sentinel, clients]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_fixed_and_signed() {
        assert_eq!(px(-0.04), "0.0");
        assert_eq!(px(12.345), "12.3");
        assert_eq!(duration(8950), "9.0 s");
        assert_eq!(duration(50), "50 ms");
        assert_eq!(duration(65_400), "1 min 05 s");
        assert_eq!(offset(2045), "+2.045 s");
        assert_eq!(offset(-300), "-0.300 s");
        assert_eq!(offset(0), "0.000 s");
        assert_eq!(tick(-1000), "-1s");
        assert_eq!(tick(500), "+0.5s");
        assert_eq!(tick(90_000), "+1m30s");
        assert_eq!(tick(120_000), "+2m");
        assert_eq!(bytes(176_000), "171.8 KiB");
    }

    #[test]
    fn moments_carry_the_millisecond_and_utc() {
        let origin = 1_795_577_718_934;
        assert_eq!(moment(origin, 2045), "+2.045 s · 03:35:20.979 UTC");
        assert_eq!(
            stretch(origin, 50, Some(9000)),
            "+0.050 s → +9.000 s (9.0 s) · 03:35:18.984 → 03:35:27.934 UTC"
        );
    }
}
