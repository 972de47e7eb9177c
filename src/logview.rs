//! The event log as the screen shows it: the rows of one group, in time order, folded, filtered
//! by text and by source; the window of rows around the selection; saving what is shown. Pure:
//! the App (keys), the log panel (drawing) and the session (saving) all read the same rows.

use sentui_model::log::{FoldedEntry, LogEntry, Source, fold};
use sentui_model::state::Deployment;
use sentui_model::{Addr, Millis};
use std::ops::Range;

/// Events from several sentinels this close together fold into one row.
pub const FOLD_WINDOW_MS: Millis = 2000;

/// Which sources the log shows (`o` cycles: all, sentinels, sentui, docker (with a compose
/// project), then each sentinel).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SourceFilter {
    #[default]
    All,
    Sentinels,
    Sentui,
    Docker,
    /// What one sentinel published, unfolded.
    Sentinel(Addr),
}

impl SourceFilter {
    /// The filter after this one, given the group's sentinels and whether Docker is watched
    /// (without a compose project there is nothing from docker to show).
    pub fn next(&self, sentinels: &[Addr], docker: bool) -> SourceFilter {
        let first = || {
            sentinels
                .first()
                .cloned()
                .map_or(SourceFilter::All, SourceFilter::Sentinel)
        };
        match self {
            SourceFilter::All => SourceFilter::Sentinels,
            SourceFilter::Sentinels => SourceFilter::Sentui,
            SourceFilter::Sentui if docker => SourceFilter::Docker,
            SourceFilter::Sentui => first(),
            SourceFilter::Docker => first(),
            SourceFilter::Sentinel(a) => sentinels
                .iter()
                .position(|s| s == a)
                .and_then(|i| sentinels.get(i + 1))
                .cloned()
                .map_or(SourceFilter::All, SourceFilter::Sentinel),
        }
    }

    /// How the log's title names it (None: everything shows).
    pub fn label(&self) -> Option<String> {
        match self {
            SourceFilter::All => None,
            SourceFilter::Sentinels => Some("sentinels".into()),
            SourceFilter::Sentui => Some("sentui".into()),
            SourceFilter::Docker => Some("docker".into()),
            SourceFilter::Sentinel(a) => Some(format!("sentinel {a}")),
        }
    }

    fn admits(&self, e: &LogEntry) -> bool {
        match self {
            SourceFilter::All => true,
            SourceFilter::Sentinels => e.source == Source::Sentinel,
            SourceFilter::Sentui => e.source == Source::Sentui,
            SourceFilter::Docker => e.source == Source::Docker,
            SourceFilter::Sentinel(a) => e.sentinel.as_ref() == Some(a),
        }
    }
}

/// What the log shows: one group's entries (with no group known yet, every entry), matching
/// the text filter and the source filter.
pub struct LogQuery<'a> {
    pub group: Option<String>,
    pub text: &'a str,
    pub source: &'a SourceFilter,
}

/// Who published a row: `127.0.0.1:26380 ×3` (`:26380×3` when narrow), `sentui`, `docker`.
pub fn source_label(row: &FoldedEntry, narrow: bool) -> String {
    match row.first.source {
        Source::Sentinel => {
            let first = row
                .first
                .sentinel
                .as_ref()
                .map(|s| short_addr(s, narrow))
                .unwrap_or_default();
            if row.sentinels.len() > 1 {
                let sep = if narrow { "" } else { " " };
                format!("{first}{sep}×{}", row.sentinels.len())
            } else {
                first
            }
        }
        Source::Sentui => "sentui".into(),
        Source::Docker => "docker".into(),
    }
}

fn short_addr(a: &Addr, narrow: bool) -> String {
    if narrow && a.is_loopback() {
        format!(":{}", a.port)
    } else {
        a.to_string()
    }
}

/// The rows the log shows, oldest first.
pub fn rows<'a>(d: &'a Deployment, q: &LogQuery) -> Vec<FoldedEntry<'a>> {
    let needle = q.text.to_lowercase();
    let entries = d
        .log()
        .in_time_order()
        .into_iter()
        // Another group's events stay out of this group's log.
        .filter(|e| {
            q.group.is_none()
                || e.group
                    .as_deref()
                    .is_none_or(|g| Some(g) == q.group.as_deref())
        })
        .filter(|e| q.source.admits(e))
        .collect();
    fold(entries, FOLD_WINDOW_MS)
        .into_iter()
        .filter(|r| {
            needle.is_empty()
                || r.first.event.name().to_lowercase().contains(&needle)
                || r.first.payload.to_lowercase().contains(&needle)
                || source_label(r, false).contains(&needle)
        })
        .collect()
}

/// The position of the row whose first entry is `seq`.
pub fn position(rows: &[FoldedEntry], seq: u64) -> Option<usize> {
    rows.iter().position(|r| r.first.seq == seq)
}

/// The rows on screen: the newest `visible` while following the log; with a row selected, the
/// page (counted from the newest) that holds it. Pages keep the window still while the
/// selection moves inside it, without the App knowing how tall the panel is.
pub fn window(len: usize, visible: usize, selected: Option<usize>) -> Range<usize> {
    let visible = visible.max(1);
    let end = match selected {
        None => len,
        Some(i) => {
            let from_end = len.saturating_sub(1).saturating_sub(i);
            len - (from_end / visible) * visible
        }
    };
    match end.checked_sub(visible) {
        Some(start) => start..end,
        None => 0..visible.min(len),
    }
}

/// The shown rows written out: every entry of every row (the folded ones too), as `events
/// --json` prints them, and as `events` prints them.
pub fn export(rows: &[FoldedEntry]) -> (String, String) {
    let (mut ndjson, mut text) = (String::new(), String::new());
    // Every sentinel's own entry of a folded row, all in time order (a row's later copies
    // can come after the next row's first).
    let mut entries: Vec<&LogEntry> = rows.iter().flat_map(|r| r.all.iter().copied()).collect();
    entries.sort_by_key(|e| (e.ts, e.seq));
    for e in entries {
        ndjson.push_str(&json_line(e));
        ndjson.push('\n');
        text.push_str(&text_line(e));
        text.push('\n');
    }
    (ndjson, text)
}

/// One entry as `events --json` prints it (and `x` saves it): its JSON on one line.
pub fn json_line(e: &LogEntry) -> String {
    serde_json::to_string(e).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
}

/// One entry as `events` prints it (and `x` saves it): time, who, event, about what, payload.
pub fn text_line(e: &LogEntry) -> String {
    let who = e
        .sentinel
        .as_ref()
        .map(|s| s.to_string())
        .or_else(|| {
            (e.source != Source::Sentinel).then(|| format!("{:?}", e.source).to_lowercase())
        })
        .unwrap_or_default();
    let about = match (&e.sentinel, &e.addr) {
        (None, Some(a)) => format!("{a} "),
        _ => String::new(),
    };
    format!(
        "{}  {:<21}  {:<28} {}{}",
        sentui_model::time::clock(e.ts),
        who,
        e.event,
        about,
        e.payload
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_holds_the_selection_and_pages_from_the_newest() {
        assert_eq!(window(100, 10, None), 90..100);
        assert_eq!(window(5, 10, None), 0..5);
        assert_eq!(window(100, 10, Some(99)), 90..100);
        assert_eq!(window(100, 10, Some(90)), 90..100);
        assert_eq!(window(100, 10, Some(89)), 80..90);
        assert_eq!(window(100, 10, Some(0)), 0..10);
        assert_eq!(window(95, 10, Some(3)), 0..10, "the oldest page is full");
        for i in 0..95 {
            assert!(window(95, 10, Some(i)).contains(&i));
        }
    }

    #[test]
    fn sources_cycle_through_each_sentinel_and_back() {
        let s: Vec<Addr> = ["127.0.0.1:1", "127.0.0.1:2"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let cycle = |docker: bool| {
            let mut f = SourceFilter::All;
            let mut seen = Vec::new();
            for _ in 0..6 {
                f = f.next(&s, docker);
                seen.push(f.label().unwrap_or_else(|| "all".into()));
            }
            seen
        };
        assert_eq!(
            cycle(true),
            [
                "sentinels",
                "sentui",
                "docker",
                "sentinel 127.0.0.1:1",
                "sentinel 127.0.0.1:2",
                "all"
            ]
        );
        // Without a compose project, docker has nothing to show and is not offered.
        assert_eq!(
            cycle(false)[..5],
            [
                "sentinels",
                "sentui",
                "sentinel 127.0.0.1:1",
                "sentinel 127.0.0.1:2",
                "all"
            ]
        );
    }
}
