//! Small text helpers shared by the panels.

use sentui_model::Millis;

/// `850ms`, `3.2s`, `4m05s`, `2h13m`.
pub fn duration(ms: Millis) -> String {
    match ms {
        0..=999 => format!("{ms}ms"),
        1000..=59_999 => format!("{:.1}s", ms as f64 / 1000.0),
        60_000..=3_599_999 => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
        _ => format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60),
    }
}

/// `512B`, `12.3KB`, `4.0MB`.
pub fn bytes(b: u64) -> String {
    match b {
        0..=9_999 => format!("{b}B"),
        10_000..=9_999_999 => format!("{:.1}KB", b as f64 / 1024.0),
        _ => format!("{:.1}MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A sparkline of the newest `width` values, scaled to the largest.
pub fn sparkline(
    values: impl DoubleEndedIterator<Item = u64> + ExactSizeIterator,
    width: usize,
) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let skip = values.len().saturating_sub(width);
    let v: Vec<u64> = values.skip(skip).collect();
    let max = v.iter().copied().max().unwrap_or(0);
    v.iter()
        .map(|&x| BARS[x.saturating_mul(7).checked_div(max).unwrap_or(0).min(7) as usize])
        .collect()
}

/// An address as short as it can be told apart when space is tight: `:26379` for this
/// machine, `sentinel-1` for a name on a standard port; the whole `host:port` otherwise.
pub fn addr(a: &sentui_model::Addr, narrow: bool) -> String {
    match (narrow, a.port) {
        (true, _) if a.is_loopback() => format!(":{}", a.port),
        // Compose service names on the standard ports read fine without them.
        (true, 6379 | 26379) => a.host.clone(),
        _ => a.to_string(),
    }
}

/// Cuts `s` to `width` characters, marking the cut with `…`.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(duration(850), "850ms");
        assert_eq!(duration(3200), "3.2s");
        assert_eq!(duration(245_000), "4m05s");
        assert_eq!(bytes(512), "512B");
        assert_eq!(sparkline([0u64, 7, 14].into_iter(), 10), "▁▄█");
        assert_eq!(sparkline([0u64, 0].into_iter(), 1), "▁");
        assert_eq!(fit("abcdef", 4), "abc…");
    }
}
