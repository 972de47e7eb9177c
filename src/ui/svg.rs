//! A frame as SVG: the terminal's cells on a monospace grid, with their colours and emphasis.
//! Each run of same-styled cells is one `<text>` pinned to its grid width, so the picture lines
//! up whatever monospace font the viewer has.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use sentui_model::markup::escape;

const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;
const FONT: f64 = 14.0;
pub const BACKGROUND: &str = "#1d1f21";
pub const FOREGROUND: &str = "#d5d8d6";

/// The xterm palette for the 16 named colours, as a dark terminal shows them.
pub fn hex(c: Color, fallback: &str) -> String {
    match c {
        Color::Reset => fallback.to_string(),
        Color::Black => "#1d1f21".into(),
        Color::Red => "#cc6666".into(),
        Color::Green => "#b5bd68".into(),
        Color::Yellow => "#f0c674".into(),
        Color::Blue => "#81a2be".into(),
        Color::Magenta => "#b294bb".into(),
        Color::Cyan => "#8abeb7".into(),
        Color::Gray => "#c5c8c6".into(),
        Color::DarkGray => "#707880".into(),
        Color::LightRed => "#ff7b7b".into(),
        Color::LightGreen => "#d0e68a".into(),
        Color::LightYellow => "#ffe28a".into(),
        Color::LightBlue => "#a3c4e6".into(),
        Color::LightMagenta => "#d3b4e0".into(),
        Color::LightCyan => "#a9e0d8".into(),
        Color::White => "#ffffff".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => format!("#{0:02x}{0:02x}{0:02x}", i),
    }
}

/// Renders the whole buffer as a standalone SVG document.
pub fn render(buf: &Buffer, title: &str) -> String {
    let area = buf.area;
    let (w, h) = (area.width as f64 * CELL_W, area.height as f64 * CELL_H);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.1} {h:.1}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"{FONT}\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"{BACKGROUND}\"/>\n",
        escape(title)
    );
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.width {
                let c = &buf[(area.x + x, area.y + y)];
                if (c.fg, c.bg, c.modifier) != style {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let len = x - start;
            let (mut fg, mut bg) = (hex(style.0, FOREGROUND), hex(style.1, BACKGROUND));
            if style.2.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let (px, py) = (start as f64 * CELL_W, y as f64 * CELL_H);
            if bg != BACKGROUND {
                out.push_str(&format!(
                    "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{:.1}\" height=\"{CELL_H}\" fill=\"{bg}\"/>\n",
                    len as f64 * CELL_W
                ));
            }
            if text.trim().is_empty() {
                continue;
            }
            let mut attrs = format!("fill=\"{fg}\"");
            if style.2.contains(Modifier::BOLD) {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if style.2.contains(Modifier::DIM) {
                attrs.push_str(" opacity=\"0.6\"");
            }
            if style.2.contains(Modifier::UNDERLINED) {
                attrs.push_str(" text-decoration=\"underline\"");
            }
            out.push_str(&format!(
                "<text x=\"{px:.1}\" y=\"{:.1}\" {attrs} textLength=\"{:.1}\" lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\">{}</text>\n",
                py + CELL_H * 0.78,
                len as f64 * CELL_W,
                escape(&text)
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

/// An SVG file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {error}", path.display())]
pub struct WriteError {
    pub path: std::path::PathBuf,
    pub error: std::io::Error,
}

/// Draws `app` at `w`x`h` and writes it to `out` as SVG.
pub fn write(
    app: &crate::app::App,
    w: u16,
    h: u16,
    out: &std::path::Path,
    title: &str,
) -> Result<String, WriteError> {
    let buf = super::render_to_buffer(app, w, h);
    std::fs::write(out, render(&buf, title)).map_err(|error| WriteError {
        path: out.to_path_buf(),
        error,
    })?;
    Ok(format!("wrote {} ({w}x{h})", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn renders_runs_with_colours_and_escapes() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        buf.set_string(0, 0, "a<b", Style::default().fg(Color::Red));
        buf.set_string(
            3,
            0,
            "ok",
            Style::default().add_modifier(Modifier::REVERSED),
        );
        let svg = render(&buf, "t&t");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("fill=\"#cc6666\""));
        assert!(svg.contains("<title>t&amp;t</title>"));
        // Reversed: the background takes the foreground colour.
        assert!(svg.contains(&format!("fill=\"{FOREGROUND}\"/>")));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
