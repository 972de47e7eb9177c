//! Time as the model sees it: Unix milliseconds carried by every input, never read from a clock.

use std::time::Duration;

/// Unix time in milliseconds: every input and log entry carries one.
pub type Millis = u64;

/// A duration that is not one: unreadable, or zero.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DurationError {
    #[error("'{input}': {error} (try 500ms, 2s, 1m)")]
    Unreadable {
        input: String,
        error: humantime::DurationError,
    },
    #[error("'{0}': must be more than zero")]
    Zero(String),
}

/// A duration such as `500ms`, `2s` or `1m`, more than zero.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let d = humantime::parse_duration(s.trim()).map_err(|error| DurationError::Unreadable {
        input: s.to_string(),
        error,
    })?;
    if d.is_zero() {
        return Err(DurationError::Zero(s.to_string()));
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

/// `YYYY-MM-DD HH:MM:SS.mmm UTC`: the whole moment, for a reader who needs the date too.
pub fn date_time(ts: Millis) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let days = (ts / 86_400_000) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {} UTC", clock(ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_utc_with_milliseconds() {
        assert_eq!(clock(1_795_577_718_934), "03:35:18.934");
        assert_eq!(clock(0), "00:00:00.000");
        assert_eq!(date_time(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(date_time(1_795_577_718_934), "2026-11-25 03:35:18.934 UTC");
        assert_eq!(date_time(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
    }

    #[test]
    fn durations_need_a_unit_and_more_than_zero() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5").is_err());
    }
}
