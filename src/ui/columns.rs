//! A plain-text table that fits a width (`status`, and any report printed on a terminal):
//! columns give way whole, the least needed first, never cut; the last column is free text
//! that wraps by word under itself (or, with too little room beside the others, on lines of
//! its own below the row). Without a width (`--wide`, or not a terminal) every column shows and
//! nothing wraps.

use super::fmt::wrap;

/// One column: its header, how it aligns, and how much it is needed (columns with the lowest
/// `keep` give way first; 0 never does).
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub right: bool,
    pub keep: u8,
}

impl Column {
    pub const fn left(header: &'static str, keep: u8) -> Self {
        Column {
            header,
            right: false,
            keep,
        }
    }

    pub const fn right(header: &'static str, keep: u8) -> Self {
        Column {
            header,
            right: true,
            keep,
        }
    }
}

/// The last column wraps beside the others when it has at least this much room.
const FREE_MIN: usize = 20;

/// `rows` under `columns` (the last one free text), each line starting with `indent` spaces,
/// fitted to `width` when given.
pub fn table(
    columns: &[Column],
    rows: &[Vec<String>],
    indent: usize,
    width: Option<usize>,
) -> Vec<String> {
    let Some((free, fixed)) = columns.split_last() else {
        return Vec::new();
    };
    let mut shown: Vec<usize> = (0..fixed.len()).collect();
    let widths = |shown: &[usize]| -> Vec<usize> {
        shown
            .iter()
            .map(|&c| {
                rows.iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .chain([fixed[c].header.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    };
    let used = |w: &[usize]| indent + w.iter().map(|w| w + 1).sum::<usize>();
    // The free text's room: its longest word at least (a container's name breaks no line),
    // within half the width.
    let longest_word = rows
        .iter()
        .filter_map(|r| r.get(fixed.len()))
        .flat_map(|t| t.split(' '))
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    let free_min = |width: usize| longest_word.clamp(FREE_MIN, (width / 2).max(FREE_MIN));
    if let Some(width) = width {
        // Drop the least needed column until the free text has its room.
        while used(&widths(&shown)) + free_min(width) > width {
            let droppable = shown
                .iter()
                .enumerate()
                .filter(|(_, c)| fixed[**c].keep > 0)
                .min_by_key(|(i, c)| (fixed[**c].keep, std::cmp::Reverse(*i)));
            match droppable {
                Some((i, _)) => {
                    shown.remove(i);
                }
                None => break,
            }
        }
    }
    let w = widths(&shown);
    let lead = used(&w);
    let line = |cells: &dyn Fn(usize) -> String, text: &str| -> Vec<String> {
        let mut head = " ".repeat(indent);
        for (i, &c) in shown.iter().enumerate() {
            let cell = cells(c);
            let cell = if fixed[c].right {
                format!("{cell:>width$} ", width = w[i])
            } else {
                format!("{cell:<width$} ", width = w[i])
            };
            head.push_str(&cell);
        }
        match width {
            None => vec![format!("{head}{text}").trim_end().to_string()],
            Some(width) if width >= lead + free_min(width) => {
                let mut out = Vec::new();
                for (i, part) in wrap(text, width - lead).into_iter().enumerate() {
                    let start = if i == 0 {
                        head.clone()
                    } else {
                        " ".repeat(lead)
                    };
                    out.push(format!("{start}{part}").trim_end().to_string());
                }
                out
            }
            Some(width) => {
                // Too little room beside the columns: the text goes below, indented.
                let mut out = vec![head.trim_end().to_string()];
                if !text.is_empty() {
                    let below = indent + 4;
                    for part in wrap(text, width.saturating_sub(below).max(FREE_MIN)) {
                        out.push(format!("{}{part}", " ".repeat(below)));
                    }
                }
                out
            }
        }
    };
    let mut out = line(&|c| fixed[c].header.to_string(), free.header);
    for r in rows {
        let text = r.get(fixed.len()).cloned().unwrap_or_default();
        out.extend(line(&|c| r.get(c).cloned().unwrap_or_default(), &text));
    }
    out
}

/// `text` wrapped by word to `width` (when given), the first line after `first`, the others
/// after `hang` spaces.
pub fn paragraph(first: &str, text: &str, hang: usize, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![format!("{first}{text}")];
    };
    let room = width.saturating_sub(hang).max(FREE_MIN);
    let first_room = width.saturating_sub(first.chars().count()).max(FREE_MIN);
    let parts = super::fmt::wrap_hanging(text, first_room, room);
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                format!("{first}{p}").trim_end().to_string()
            } else {
                format!("{}{p}", " ".repeat(hang))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Vec<String>> {
        vec![vec![
            "master".into(),
            "127.0.0.1:16379".into(),
            "redis 7.0.15".into(),
            "ok".into(),
            "sdown odown failover [redis-server pid 4242]".into(),
        ]]
    }

    const COLS: [Column; 5] = [
        Column::left("", 0),
        Column::left("ADDR", 0),
        Column::left("SERVER", 1),
        Column::left("STATE", 2),
        Column::left("FLAGS", 0),
    ];

    #[test]
    fn wide_shows_every_column_on_one_line() {
        let t = table(&COLS, &rows(), 2, None);
        assert_eq!(t.len(), 2);
        assert!(t[1].contains("redis 7.0.15") && t[1].contains("[redis-server pid 4242]"));
    }

    #[test]
    fn narrow_drops_whole_columns_and_wraps_the_text_by_word() {
        let t = table(&COLS, &rows(), 2, Some(52));
        assert!(t.iter().all(|l| l.chars().count() <= 52), "{t:#?}");
        assert!(!t.join("\n").contains("redis 7.0.15"), "{t:#?}");
        let words: Vec<&str> = t.iter().flat_map(|l| l.split_whitespace()).collect();
        assert!(
            words.join(" ").contains("[redis-server pid 4242]"),
            "{t:#?}"
        );
        assert!(t[0].contains("STATE"));
    }

    #[test]
    fn paragraphs_hang() {
        let p = paragraph(
            "  - ",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            4,
            Some(24),
        );
        assert!(p.iter().all(|l| l.chars().count() <= 24), "{p:#?}");
        assert!(p[1].starts_with("    "));
    }
}
