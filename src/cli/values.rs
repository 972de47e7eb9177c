//! Value parsers for clap: what a flag's text must look like, and the message when it does
//! not (clap shows it with the flag's name, which is why these return plain strings).

use sentui_model::time::parse_duration;
use sentui_model::{Addr, AddrMap};
use std::time::Duration;

/// A boolean flag's environment variable, read as people write them: 1/0, true/false, yes/no,
/// on/off in any case; empty means unset. A bad value names the variable (the flag itself takes
/// no value, so only the variable can be wrong).
pub fn env_bool(
    var: &'static str,
) -> impl Fn(&str) -> Result<bool, NotABoolean> + Clone + Send + Sync + 'static {
    move |value: &str| match value.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "off" | "n" | "f" => Ok(false),
        "1" | "true" | "yes" | "on" | "y" | "t" => Ok(true),
        _ => Err(NotABoolean {
            var,
            value: value.to_string(),
        }),
    }
}

/// A boolean flag's variable set to something else.
#[derive(Debug, thiserror::Error)]
#[error("{var}={value:?} is not a boolean: use 1/0, true/false, yes/no or on/off")]
pub struct NotABoolean {
    pub var: &'static str,
    pub value: String,
}

pub fn parse_addr(s: &str) -> Result<Addr, String> {
    s.parse()
        .map_err(|e: sentui_model::addr::AddrError| e.to_string())
}

pub(super) fn parse_map(s: &str) -> Result<(Addr, Addr), String> {
    AddrMap::parse_entry(s).map_err(|e| e.to_string())
}

pub(super) fn parse_duration_or_zero(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("'{s}': {e} (try 500ms, 2s)"))
}

/// `120x36`: a terminal size, at least 20x5.
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WIDTHxHEIGHT (e.g. 120x36)"))?;
    let w: u16 = w.trim().parse().map_err(|_| format!("'{s}': bad width"))?;
    let h: u16 = h.trim().parse().map_err(|_| format!("'{s}': bad height"))?;
    if w < 20 || h < 5 || w > 1000 || h > 500 {
        return Err(format!("'{s}': between 20x5 and 1000x500"));
    }
    Ok((w, h))
}

/// A lease: at least a second (a guard must have time to start before it ends), at most a day.
pub fn parse_lease(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| e.to_string())?;
    if d < Duration::from_secs(1) || d > Duration::from_secs(86_400) {
        return Err(format!("'{s}': a lease is from 1s to 24h"));
    }
    Ok(d)
}
