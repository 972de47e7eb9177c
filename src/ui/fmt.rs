//! Small text helpers shared by the panels.

use sentui_model::Millis;
use sentui_model::flags::{Flag, Flags};

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

/// Sentinel's flags as words a reader takes in at once (`sdown odown`), never cut; the role
/// flags (`master`, `slave`, `sentinel`) say nothing the row does not.
pub fn flag_words(flags: &Flags) -> Vec<String> {
    flags
        .iter()
        .filter(|f| !matches!(f, Flag::Master | Flag::Slave | Flag::Sentinel))
        .map(|f| match f {
            Flag::SDown => "sdown".to_string(),
            Flag::ODown => "odown".to_string(),
            Flag::FailoverInProgress => "failover".to_string(),
            other => other.name().replace('_', "-"),
        })
        .collect()
}

/// As many whole words as fit in `width`, then `+N` for the ones left out: never half a word.
pub fn words_fit(words: &[String], width: usize) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        let sep = usize::from(!out.is_empty());
        let left = words.len() - i - 1;
        let more = if left > 0 {
            format!(" +{left}")
        } else {
            String::new()
        };
        if out.chars().count() + sep + w.chars().count() + more.chars().count() > width {
            let rest = format!("+{}", words.len() - i);
            if out.chars().count() + sep + rest.len() <= width {
                if sep == 1 {
                    out.push(' ');
                }
                out.push_str(&rest);
            }
            return out;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The mark that ends a piece of a word too long for its line: the word goes on below.
pub const BREAK: char = '↵';

/// `text` broken into lines of at most `width` characters at spaces. A word longer than a
/// whole line is broken with a visible mark (`↵`) at the end of each piece but the last, so
/// nothing is ever split silently; runs of spaces inside a line are kept (aligned columns).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(word);
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            let mut piece: String = word.drain(..width - 1).collect();
            piece.push(BREAK);
            lines.push(piece);
        }
        line.extend(word);
    }
    lines.push(line);
    lines
}

/// `text` wrapped by word to `first` characters on its first line and `rest` on the others
/// (a row whose first line starts after a label). Nothing goes on the first line when its
/// first word does not fit there; a word longer than `rest` breaks with the mark.
pub fn wrap_hanging(text: &str, first: usize, rest: usize) -> Vec<String> {
    let rest = rest.max(2);
    let first_word = text.split(' ').next().unwrap_or_default().chars().count();
    if first_word > first {
        let mut lines = vec![String::new()];
        lines.extend(wrap(text, rest));
        return lines;
    }
    let mut lines = wrap(text, first);
    let head = lines.remove(0);
    let tail = lines.join(" ");
    // What did not fit on the first line, wrapped again to the wider lines below.
    let tail_start = text.chars().count().min(head.chars().count() + 1);
    let remaining: String = text.chars().skip(tail_start).collect();
    let mut out = vec![head];
    if !tail.is_empty() {
        out.extend(wrap(&remaining, rest));
    }
    out
}

/// As many whole words of `text` as fit in `width`, then `…` for the rest: a row that cannot
/// hold all of its text loses words at its end, never the end of a word.
pub fn fit_words(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!out.is_empty());
        if out.chars().count() + sep + word.chars().count() + 2 > width {
            break;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if width >= 1 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('…');
    }
    out
}

/// The first of `candidates` (most detailed first) that fits in `width`, else the last.
pub fn first_fitting<'a>(
    candidates: impl IntoIterator<Item = ratatui::text::Line<'a>>,
    width: usize,
) -> ratatui::text::Line<'a> {
    let mut last = ratatui::text::Line::default();
    for c in candidates {
        if c.width() <= width {
            return c;
        }
        last = c;
    }
    last
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

    #[test]
    fn flags_are_whole_words() {
        let f = Flags::parse("master,s_down,o_down,failover_in_progress");
        let w = flag_words(&f);
        assert_eq!(w, ["sdown", "odown", "failover"]);
        let f = Flags::parse("slave,master_down,master_reboot");
        assert_eq!(flag_words(&f), ["master-down", "master-reboot"]);
        assert_eq!(words_fit(&w, 30), "sdown odown failover");
        assert_eq!(words_fit(&w, 14), "sdown odown +1");
        assert_eq!(words_fit(&w, 12), "sdown +2");
        assert_eq!(words_fit(&w, 3), "+3");
        assert_eq!(words_fit(&w, 1), "");
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(
            wrap("master 127.0.0.1:1 is down", 12),
            ["master", "127.0.0.1:1", "is down"]
        );
        assert_eq!(wrap("abcdefgh", 3), ["ab↵", "cd↵", "ef↵", "gh"]);
        assert_eq!(
            wrap("+elected-leader 1.5s", 16),
            ["+elected-leader", "1.5s"]
        );
        assert_eq!(wrap("id 7c66b7899594 x", 8), ["id", "7c66b78↵", "99594 x"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(
            fit_words("redis-master → redis-replica-1", 20),
            "redis-master → …"
        );
        assert_eq!(fit_words("short", 20), "short");
        assert_eq!(
            wrap_hanging("master unresponsive 0.0s, +sdown 1.4s", 10, 20),
            ["master", "unresponsive 0.0s,", "+sdown 1.4s"]
        );
        assert_eq!(
            wrap_hanging("unresponsive 0.0s", 5, 20),
            ["", "unresponsive 0.0s"]
        );
    }
}
