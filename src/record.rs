//! Recordings: NDJSON, a versioned header, then the session's inputs in the order they were
//! applied and, between them, a record of each frame drawn (when, after how many inputs, its
//! size and a hash of what it showed). Replaying one feeds the same inputs to the same step,
//! so it rebuilds every frame; `sentui replay --verify` checks that frame for frame.
//! Version-1 recordings (updates, keys, action results) are read into the same form.
//! Credentials never enter a recording: inputs carry none, and the header names only addresses.

pub mod cast;

use crate::keys::from_crossterm;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use sentui_model::action::Command;
use sentui_model::input::{Input, InputKind};
use sentui_model::{Addr, Millis, Update};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "sentui-recording";
/// 2: inputs and hashed frames. 1: updates, keys, action results and frames without hashes.
pub const VERSION: u32 = 2;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// `tui` or `events`.
    pub command: String,
    pub sentui: String,
    pub started_at: Millis,
    pub seeds: Vec<Addr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_project: Option<String>,
    /// Terminal size at the start (TUI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<(u16, u16)>,
    /// The session drew without colours.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_color: bool,
    /// The session refused control actions.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// The deployment was not a sentui lab: faults asked for confirmation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside_lab: bool,
    /// The links spoke TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsUse>,
}

impl Header {
    pub fn new(command: &str, started_at: Millis, seeds: Vec<Addr>) -> Self {
        Header {
            format: FORMAT.into(),
            version: VERSION,
            command: command.into(),
            sentui: env!("CARGO_PKG_VERSION").into(),
            started_at,
            seeds,
            group: None,
            compose_project: None,
            size: None,
            no_color: false,
            read_only: false,
            outside_lab: false,
            tls: None,
        }
    }
}

/// How the links speak TLS, for the header and the details (and a recording's header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsUse {
    /// A client certificate is presented (mutual TLS).
    pub client_cert: bool,
    /// The servers' certificates are not checked (`--tls-insecure`).
    pub insecure: bool,
}

impl TlsUse {
    pub fn of(tls: &sentui_io::tls::TlsContext) -> TlsUse {
        TlsUse {
            client_cert: tls.client_cert(),
            insecure: tls.insecure(),
        }
    }

    /// `TLS, mutual, certificates checked`, and so on.
    pub fn describe(&self) -> String {
        format!(
            "TLS{}, {}",
            if self.client_cert { ", mutual" } else { "" },
            if self.insecure {
                "certificates NOT checked (--tls-insecure)"
            } else {
                "certificates checked"
            }
        )
    }
}

/// A frame the session drew.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Frame {
    /// When it reached the screen.
    pub t: Millis,
    /// How many inputs had been applied when it was drawn.
    pub inputs: u64,
    pub width: u16,
    pub height: u16,
    /// [`frame_hash`] of what it showed (absent in version-1 recordings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// One line of a recording after the header.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Record {
    Input(Input),
    Frame(Frame),
}

impl Record {
    pub fn t(&self) -> Millis {
        match self {
            Record::Input(i) => i.at,
            Record::Frame(f) => f.t,
        }
    }
}

/// Writes a recording as it happens, flushing each line so a crash loses nothing. A write error
/// stops the recording (and is reported once); it never stops sentui.
pub struct Recorder {
    out: Option<BufWriter<File>>,
    pub error: Option<String>,
}

/// Why a recording could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot create the recording {}: {error}", path.display())]
    Create {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("recording stopped: {0}")]
    Header(std::io::Error),
}

/// Why a recording cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot open {}: {error}", path.display())]
    Open {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} is empty", path.display())]
    Empty { path: PathBuf },
    #[error("{} is not a sentui recording (line 1: {error})", path.display())]
    NoHeader {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{} is not a sentui recording (format '{format}')", path.display())]
    OtherFormat { path: PathBuf, format: String },
    #[error(
        "{} is a version {version} recording; this sentui reads versions 1 to {VERSION}",
        path.display()
    )]
    Newer { path: PathBuf, version: u32 },
    #[error("{} line {line}: {error}", path.display())]
    BadLine {
        path: PathBuf,
        line: usize,
        error: serde_json::Error,
    },
}

impl Recorder {
    pub fn create(path: &Path, header: &Header) -> Result<Recorder, RecordError> {
        let file = File::create(path).map_err(|error| RecordError::Create {
            path: path.to_path_buf(),
            error,
        })?;
        let mut out = BufWriter::new(file);
        write_line(&mut out, header).map_err(RecordError::Header)?;
        Ok(Recorder {
            out: Some(out),
            error: None,
        })
    }

    fn write_json<T: Serialize>(&mut self, value: &T) {
        let Some(out) = self.out.as_mut() else { return };
        if let Err(e) = write_line(out, value) {
            self.error = Some(format!("recording stopped: {e}"));
            self.out = None;
        }
    }

    pub fn input(&mut self, i: &Input) {
        self.write_json(&RecordRef::Input(i));
    }

    pub fn frame(&mut self, f: &Frame) {
        self.write_json(&RecordRef::Frame(f));
    }
}

/// One NDJSON line, flushed.
fn write_line<T: Serialize>(out: &mut BufWriter<File>, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// [`Record`] by reference, to write without cloning inputs.
#[derive(Serialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
enum RecordRef<'a> {
    Input(&'a Input),
    Frame(&'a Frame),
}

/// A hash of everything a frame shows (every cell's symbol, colours and modifiers): FNV-1a, so
/// it is the same in every build and on every machine.
pub fn frame_hash(buf: &Buffer) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    eat(&buf.area.width.to_le_bytes());
    eat(&buf.area.height.to_le_bytes());
    for cell in &buf.content {
        eat(cell.symbol().as_bytes());
        eat(&[0xff]);
        eat(&color_code(cell.fg).to_le_bytes());
        eat(&color_code(cell.bg).to_le_bytes());
        eat(&cell.modifier.bits().to_le_bytes());
    }
    format!("{h:016x}")
}

fn color_code(c: Color) -> u32 {
    match c {
        Color::Reset => 0x0100_0000,
        Color::Rgb(r, g, b) => u32::from_be_bytes([0, r, g, b]),
        Color::Indexed(i) => 0x0200_0000 | u32::from(i),
        named => 0x0300_0000 | named_index(named),
    }
}

fn named_index(c: Color) -> u32 {
    const NAMED: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    NAMED.iter().position(|n| *n == c).unwrap_or(99) as u32
}

/// A recording read back: its header and its records, version-1 ones converted.
pub struct Recording {
    pub header: Header,
    pub records: Vec<Record>,
    /// The line cut short where the recording ends (its writer died mid-line): what came
    /// before replays, but the recording cannot be verified whole.
    pub truncated_at: Option<usize>,
}

impl Recording {
    /// The deployment as the recorded inputs left it, and the time of the last of them (the
    /// header's start when there is none).
    pub fn deployment(&self) -> (sentui_model::Deployment, Millis) {
        let mut d = sentui_model::Deployment::default();
        let mut end = self.header.started_at;
        for r in &self.records {
            if let Record::Input(i) = r {
                end = end.max(i.at);
                d.step(i.clone());
            }
        }
        (d, end)
    }
}

/// Reads a recording, checking its header; a bad line is an error naming it.
pub fn load(path: &Path) -> Result<Recording, LoadError> {
    let file = File::open(path).map_err(|error| LoadError::Open {
        path: path.to_path_buf(),
        error,
    })?;
    read(path, BufReader::new(file))
}

/// A recording from `reader`, which holds the file at `path` (named in errors).
pub fn read(path: &Path, reader: impl BufRead) -> Result<Recording, LoadError> {
    let at = || path.to_path_buf();
    let mut lines = reader.lines();
    let first = lines
        .next()
        .ok_or_else(|| LoadError::Empty { path: at() })?
        .map_err(|error| LoadError::Read { path: at(), error })?;
    let header: Header =
        serde_json::from_str(&first).map_err(|error| LoadError::NoHeader { path: at(), error })?;
    if header.format != FORMAT {
        return Err(LoadError::OtherFormat {
            path: at(),
            format: header.format,
        });
    }
    if header.version > VERSION || header.version == 0 {
        return Err(LoadError::Newer {
            path: at(),
            version: header.version,
        });
    }
    let mut v1 = v1::Converter::new(header.size.unwrap_or((120, 36)));
    let mut records = Vec::new();
    let mut truncated_at = None;
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|error| LoadError::Read { path: at(), error })?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = if header.version == 1 {
            serde_json::from_str::<v1::Record>(&line).map(|r| v1.convert(r))
        } else {
            serde_json::from_str::<Record>(&line)
        };
        match parsed {
            Ok(r) => records.push(r),
            // A recording cut short by a crash ends with a partial line: keep what came before.
            Err(e) if e.is_eof() => {
                truncated_at = Some(i + 2);
                break;
            }
            Err(error) => {
                return Err(LoadError::BadLine {
                    path: at(),
                    line: i + 2,
                    error,
                });
            }
        }
    }
    Ok(Recording {
        header,
        records,
        truncated_at,
    })
}

/// Version 1: what the TUI recorded before inputs were one stream.
mod v1 {
    use super::*;
    use crossterm::event::KeyEvent;

    #[derive(Deserialize)]
    #[serde(tag = "kind", rename_all = "kebab-case")]
    pub enum Record {
        Update { t: Millis, update: Box<Update> },
        Frame { t: Millis },
        Key { t: Millis, key: KeyEvent },
        Action { t: Millis, result: ActionResult },
        Resize { t: Millis, width: u16, height: u16 },
    }

    #[derive(Deserialize)]
    pub struct ActionResult {
        command: Command,
        /// The outcome as recorded: what was done, or why not.
        result: sentui_model::input::ActionResult,
    }

    /// Turns version-1 records into inputs and frames, counting inputs and following sizes.
    pub struct Converter {
        inputs: u64,
        size: (u16, u16),
    }

    impl Converter {
        pub fn new(size: (u16, u16)) -> Self {
            Converter { inputs: 0, size }
        }

        pub fn convert(&mut self, r: Record) -> super::Record {
            let input = match r {
                Record::Frame { t } => {
                    return super::Record::Frame(Frame {
                        t,
                        inputs: self.inputs,
                        width: self.size.0,
                        height: self.size.1,
                        hash: None,
                    });
                }
                Record::Update { t, update } => Input::new(t, InputKind::Update(update)),
                // Version 1 kept only pressed keys that were not releases, like the live loop.
                Record::Key { t, key } => match from_crossterm(&key) {
                    Some(k) => Input::key(t, k),
                    None => Input::tick(t),
                },
                // The time it was recorded stands for both issue and effect.
                Record::Action { t, result } => Input::done(t, t, result.command, result.result),
                Record::Resize { t, width, height } => {
                    self.size = (width, height);
                    Input::new(t, InputKind::Resize { width, height })
                }
            };
            self.inputs += 1;
            super::Record::Input(input)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentui_model::input::Key;

    #[test]
    fn records_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.ndjson");
        let mut rec = Recorder::create(&path, &Header::new("tui", 1, vec![])).unwrap();
        let key = Input::key(2, Key::char('p'));
        let frame = Frame {
            t: 3,
            inputs: 1,
            width: 80,
            height: 24,
            hash: Some("00".into()),
        };
        rec.input(&key);
        rec.frame(&frame);
        let back = load(&path).unwrap();
        assert_eq!(back.records, vec![Record::Input(key), Record::Frame(frame)]);
    }

    #[test]
    fn the_hash_sees_colours_and_text() {
        use ratatui::layout::Rect;
        use ratatui::style::Style;
        let mut a = Buffer::empty(Rect::new(0, 0, 4, 1));
        let b = a.clone();
        assert_eq!(frame_hash(&a), frame_hash(&b));
        a.set_string(0, 0, "x", Style::default());
        assert_ne!(frame_hash(&a), frame_hash(&b));
        let mut c = b.clone();
        c.set_string(0, 0, " ", Style::default().fg(Color::Red));
        assert_ne!(frame_hash(&c), frame_hash(&b));
    }
}
