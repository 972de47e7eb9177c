//! Frames as an asciicast v2 file (what `asciinema play` and `asciinema cat` read): a JSON header
//! line, then `[seconds, "o", text]` events. Each frame writes only the rows that changed since
//! the previous one, with ANSI colours.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::io::Write;

fn sgr_color(c: Color, fg: bool) -> String {
    let base = if fg { 30 } else { 40 };
    match c {
        Color::Reset => format!("{}", base + 9),
        Color::Black => format!("{base}"),
        Color::Red => format!("{}", base + 1),
        Color::Green => format!("{}", base + 2),
        Color::Yellow => format!("{}", base + 3),
        Color::Blue => format!("{}", base + 4),
        Color::Magenta => format!("{}", base + 5),
        Color::Cyan => format!("{}", base + 6),
        Color::Gray => format!("{}", base + 7),
        Color::DarkGray => format!("{}", base + 60),
        Color::LightRed => format!("{}", base + 61),
        Color::LightGreen => format!("{}", base + 62),
        Color::LightYellow => format!("{}", base + 63),
        Color::LightBlue => format!("{}", base + 64),
        Color::LightMagenta => format!("{}", base + 65),
        Color::LightCyan => format!("{}", base + 66),
        Color::White => format!("{}", base + 67),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
    }
}

fn sgr(fg: Color, bg: Color, m: Modifier) -> String {
    let mut parts = vec!["0".to_string(), sgr_color(fg, true), sgr_color(bg, false)];
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
    ] {
        if m.contains(flag) {
            parts.push(code.into());
        }
    }
    format!("\x1b[{}m", parts.join(";"))
}

/// One row as text with colour escapes, ending with a reset.
fn row(buf: &Buffer, y: u16) -> String {
    let mut out = format!("\x1b[{};1H", y + 1);
    let mut last = None;
    for x in 0..buf.area.width {
        let c = &buf[(buf.area.x + x, buf.area.y + y)];
        let style = (c.fg, c.bg, c.modifier);
        if last != Some(style) {
            out.push_str(&sgr(style.0, style.1, style.2));
            last = Some(style);
        }
        out.push_str(c.symbol());
    }
    out.push_str("\x1b[0m");
    out
}

pub struct CastWriter<W: Write> {
    out: W,
    previous: Option<Buffer>,
    start_ms: u64,
    pub frames: usize,
}

impl<W: Write> CastWriter<W> {
    pub fn new(
        mut out: W,
        width: u16,
        height: u16,
        start_ms: u64,
        title: &str,
    ) -> std::io::Result<Self> {
        let header = serde_json::json!({
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": start_ms / 1000,
            "title": title,
            "env": { "TERM": "xterm-256color" },
        });
        writeln!(out, "{header}")?;
        Ok(CastWriter {
            out,
            previous: None,
            start_ms,
            frames: 0,
        })
    }

    /// Writes the rows of `buf` that changed, at `t_ms`; an unchanged frame writes nothing.
    pub fn frame(&mut self, t_ms: u64, buf: &Buffer) -> std::io::Result<()> {
        let mut text = String::new();
        match &self.previous {
            Some(prev) if prev.area == buf.area => {
                for y in 0..buf.area.height {
                    let changed = (0..buf.area.width).any(|x| {
                        prev[(buf.area.x + x, buf.area.y + y)]
                            != buf[(buf.area.x + x, buf.area.y + y)]
                    });
                    if changed {
                        text.push_str(&row(buf, y));
                    }
                }
            }
            _ => {
                text.push_str("\x1b[?25l\x1b[2J");
                for y in 0..buf.area.height {
                    text.push_str(&row(buf, y));
                }
            }
        }
        if !text.is_empty() {
            let secs = t_ms.saturating_sub(self.start_ms) as f64 / 1000.0;
            let event = serde_json::json!([(secs * 1000.0).round() / 1000.0, "o", text]);
            writeln!(self.out, "{event}")?;
            self.frames += 1;
        }
        self.previous = Some(buf.clone());
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn writes_header_and_only_changed_rows() {
        let mut w = CastWriter::new(Vec::new(), 4, 2, 1000, "t").unwrap();
        let mut b = Buffer::empty(Rect::new(0, 0, 4, 2));
        b.set_string(0, 0, "ab", Style::default().fg(Color::Red));
        w.frame(1000, &b).unwrap();
        w.frame(1500, &b).unwrap();
        b.set_string(0, 1, "cd", Style::default());
        w.frame(2000, &b).unwrap();
        assert_eq!(w.frames, 2, "the unchanged frame writes nothing");
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let header: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(header["version"], 2);
        let last: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(last[0], 1.0);
        assert!(
            last[2].as_str().unwrap().contains("\u{1b}[2;1H"),
            "only row 2 rewritten"
        );
        assert!(!last[2].as_str().unwrap().contains("\u{1b}[1;1H"));
    }
}
