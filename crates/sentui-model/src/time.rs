//! Time as the model sees it: Unix milliseconds carried by every input, never read from a clock.

use std::time::Duration;

/// Unix time in milliseconds: every input and log entry carries one.
pub type Millis = u64;

/// A duration such as `500ms`, `2s` or `1m`, more than zero.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("'{s}': {e} (try 500ms, 2s, 1m)"))?;
    if d.is_zero() {
        return Err(format!("'{s}': must be more than zero"));
    }
    Ok(d)
}

/// `HH:MM:SS.mmm` in UTC (logs are compared across machines; UTC keeps them comparable).
pub fn clock(ts: Millis) -> String {
    let ms = ts % 1000;
    let s = ts / 1000;
    format!(
        "{:02}:{:02}:{:02}.{ms:03}",
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_utc_with_milliseconds() {
        assert_eq!(clock(1_795_577_718_934), "03:35:18.934");
        assert_eq!(clock(0), "00:00:00.000");
    }

    #[test]
    fn durations_need_a_unit_and_more_than_zero() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5").is_err());
    }
}
