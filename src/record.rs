//! Recordings: NDJSON of everything that drove the screen (collector updates with their receive
//! times, frames with the log position they showed, keys, actions and their results, terminal
//! sizes), after a versioned header. Replaying one rebuilds the same App, frame by frame.
//! Credentials never enter a recording: updates carry none, and the header names only addresses.

pub mod cast;
pub mod svg;

use crate::app::ActionResult;
use crossterm::event::KeyEvent;
use sentui_model::{Addr, Millis, Update};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

pub const FORMAT: &str = "sentui-recording";
pub const VERSION: u32 = 1;

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
        }
    }
}

/// One line of a recording after the header. `t` is Unix milliseconds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Record {
    /// What a collector sent (its own `at` is the receive time).
    Update {
        t: Millis,
        update: Box<Update>,
    },
    /// A frame was drawn: every log entry with a lower `seq` was on screen at `t`.
    Frame {
        t: Millis,
        log_seq: u64,
    },
    Key {
        t: Millis,
        key: KeyEvent,
    },
    /// A user action and what it did (replays show the result; they never act again).
    Action {
        t: Millis,
        result: ActionResult,
    },
    Resize {
        t: Millis,
        width: u16,
        height: u16,
    },
}

impl Record {
    pub fn t(&self) -> Millis {
        match self {
            Record::Update { t, .. }
            | Record::Frame { t, .. }
            | Record::Key { t, .. }
            | Record::Action { t, .. }
            | Record::Resize { t, .. } => *t,
        }
    }
}

/// Writes a recording as it happens, flushing each line so a crash loses nothing. A write error
/// stops the recording (and is reported once); it never stops sentui.
pub struct Recorder {
    out: Option<BufWriter<File>>,
    pub error: Option<String>,
    last_frame_seq: u64,
}

impl Recorder {
    pub fn create(path: &Path, header: &Header) -> Result<Recorder, String> {
        let file = File::create(path)
            .map_err(|e| format!("cannot create the recording {}: {e}", path.display()))?;
        let mut r = Recorder {
            out: Some(BufWriter::new(file)),
            error: None,
            last_frame_seq: 0,
        };
        r.write_json(header);
        match r.error.take() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }

    fn write_json<T: Serialize>(&mut self, value: &T) {
        let Some(out) = self.out.as_mut() else { return };
        let result = serde_json::to_writer(&mut *out, value)
            .map_err(|e| e.to_string())
            .and_then(|_| out.write_all(b"\n").map_err(|e| e.to_string()))
            .and_then(|_| out.flush().map_err(|e| e.to_string()));
        if let Err(e) = result {
            self.error = Some(format!("recording stopped: {e}"));
            self.out = None;
        }
    }

    pub fn record(&mut self, r: &Record) {
        self.write_json(r);
    }

    pub fn update(&mut self, t: Millis, u: &Update) {
        self.record(&Record::Update {
            t,
            update: Box::new(u.clone()),
        });
    }

    /// Records a frame, only when it showed log entries the last one did not.
    pub fn frame(&mut self, t: Millis, log_seq: u64) {
        if log_seq != self.last_frame_seq {
            self.last_frame_seq = log_seq;
            self.record(&Record::Frame { t, log_seq });
        }
    }
}

/// Reads a recording, checking its header; a bad line is an error naming it.
pub fn load(path: &Path) -> Result<(Header, Vec<Record>), String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut lines = BufReader::new(file).lines();
    let first = lines
        .next()
        .ok_or_else(|| format!("{} is empty", path.display()))?
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let header: Header = serde_json::from_str(&first)
        .map_err(|e| format!("{} is not a sentui recording (line 1: {e})", path.display()))?;
    if header.format != FORMAT {
        return Err(format!(
            "{} is not a sentui recording (format '{}')",
            path.display(),
            header.format
        ));
    }
    if header.version > VERSION {
        return Err(format!(
            "{} is a version {} recording; this sentui reads version {VERSION} and older",
            path.display(),
            header.version
        ));
    }
    let mut records = Vec::new();
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(&line) {
            Ok(r) => records.push(r),
            // A recording cut short by a crash ends with a partial line: keep what came before.
            Err(e) if e.is_eof() => break,
            Err(e) => return Err(format!("{} line {}: {e}", path.display(), i + 2)),
        }
    }
    Ok((header, records))
}
