//! Replaying a recording: a fresh App, fed the recorded inputs in their order, and told when
//! each recorded frame reached the screen, rebuilds what the live session showed frame for
//! frame (`--verify` checks every frame's hash). Drives the TUI (real time or faster, with
//! pause, step and seek), renders an asciicast, or takes a screenshot at a moment. A replay
//! never acts: recorded keys change what is shown, recorded outcomes say what happened.

use crate::app::{App, Mode};
use crate::keymap::{ReplayAction, replay_action_for};
use crate::keys::from_crossterm;
use crate::record::cast::CastWriter;
use crate::record::{Frame, Header, LoadError, Record, Recording, frame_hash, load};
use crate::ui;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use sentui_io::link::now_ms;
use sentui_model::Millis;
use sentui_model::action::Command;
use sentui_model::input::Input;
use sentui_model::log::{Event, NotAnEvent};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a recording could not be replayed or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot create {}: {error}", path.display())]
    Create {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Svg(#[from] ui::svg::WriteError),
    #[error("the recording has no {0} event")]
    NoSuchEvent(String),
    #[error("--at: {0}")]
    At(#[from] NotAnEvent),
    #[error(
        "replay needs a terminal; use --to-cast or --screenshot to render a recording without one"
    )]
    NoTerminal,
    #[error("drawing failed: {0}")]
    Draw(std::io::Error),
    #[error("--to-cast and --screenshot: one at a time")]
    TwoRenderings,
}

pub struct Replayer {
    header: Header,
    records: Vec<Record>,
    next: usize,
    /// Watched in the terminal, and whether the viewer asked for no colours.
    watched: Option<bool>,
    pub app: App,
}

impl Replayer {
    pub fn new(recording: Recording) -> Self {
        let app = App::for_session(&recording.header);
        Replayer {
            header: recording.header,
            records: recording.records,
            next: 0,
            watched: None,
            app,
        }
    }

    /// The replay is watched in the terminal: the footer and help show the replay's keys.
    pub fn watch(&mut self, no_color: bool) {
        self.watched = Some(no_color);
        self.app = self.fresh_app();
        self.next = 0;
    }

    /// The App the replay starts from.
    fn fresh_app(&self) -> App {
        match self.watched {
            Some(no_color) => App::for_replay(&self.header, no_color),
            None => App::for_session(&self.header),
        }
    }

    pub fn open(path: &Path) -> Result<Self, LoadError> {
        Ok(Replayer::new(load(path)?))
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn start(&self) -> Millis {
        self.header.started_at
    }

    pub fn end(&self) -> Millis {
        self.records
            .iter()
            .map(Record::t)
            .max()
            .unwrap_or(self.header.started_at)
            .max(self.header.started_at)
    }

    /// The virtual time: the newest input applied, or the start.
    pub fn position(&self) -> Millis {
        self.app.now()
    }

    fn apply(&mut self, r: &Record) {
        match r {
            // The commands a recorded input asks for are not carried out: their recorded
            // outcomes follow as inputs of their own. A recorded quit (or stop) ended the live
            // session, not the replay: the replay never asks the App whether it quits.
            Record::Input(i) => {
                let _ = self.app.step(i.clone());
            }
            Record::Frame(f) => self.app.frame_drawn(f.t),
        }
    }

    /// Applies every record up to `t` (in their recorded order) and moves the clock to `t`
    /// (a tick the live session may not have had: fine for watching, never used by verify).
    pub fn advance_to(&mut self, t: Millis) {
        while let Some(r) = self.records.get(self.next) {
            if r.t() > t {
                break;
            }
            let r = r.clone();
            self.apply(&r);
            self.next += 1;
        }
        if t > self.app.now() {
            let _ = self.app.step(Input::tick(t));
        }
    }

    /// Applies the next record; false at the end.
    pub fn step(&mut self) -> bool {
        let Some(t) = self.records.get(self.next).map(Record::t) else {
            return false;
        };
        self.advance_to(t.max(self.app.now()));
        true
    }

    /// Jumps to `t`, rebuilding from the start when going back.
    pub fn seek(&mut self, t: Millis) {
        if t < self.app.now() {
            let banner = self.app.banner().map(str::to_string);
            self.app = self.fresh_app();
            self.app.set_banner(banner);
            self.next = 0;
        }
        self.advance_to(t);
    }

    /// The receive time of the first log entry of `event` (as the replay rebuilds the log).
    pub fn time_of(&self, event: &Event) -> Option<Millis> {
        let mut probe = Replayer {
            header: self.header.clone(),
            records: self.records.clone(),
            next: 0,
            watched: None,
            app: App::for_session(&self.header),
        };
        while probe.step() {
            if let Some(e) = probe.app.live().log().entries().find(|e| e.event == *event) {
                return Some(e.ts);
            }
        }
        None
    }
}

/// The outcome of `replay --verify`.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every hashed frame came out the same.
    Same { frames: usize },
    /// The first frame that did not.
    Differs {
        frame: usize,
        at_ms: Millis,
        inputs: u64,
        recorded: String,
        replayed: String,
    },
    /// A version-1 recording: frames carry no hashes to check.
    Unhashed,
    /// No frame was recorded (an `events`, `drill` or `status` recording): nothing to check.
    NoFrames,
    /// The file ends in the middle of line `line`: the frames after it are lost.
    Truncated { line: usize, frames: usize },
}

/// Feeds the recorded inputs to a fresh App exactly as the live session did and compares every
/// recorded frame with the one the replay draws at the same point.
pub fn verify(recording: Recording) -> Verdict {
    let truncated = recording.truncated_at;
    let mut r = Replayer::new(recording);
    let records = std::mem::take(&mut r.records);
    let start = r.start();
    let mut frames = 0;
    for rec in &records {
        match rec {
            Record::Input(i) => {
                let _ = r.app.step(i.clone());
            }
            Record::Frame(Frame {
                t,
                inputs,
                width,
                height,
                hash: Some(recorded),
            }) => {
                let replayed = frame_hash(&ui::render_to_buffer(&r.app, *width, *height));
                if replayed != *recorded {
                    return Verdict::Differs {
                        frame: frames + 1,
                        at_ms: t.saturating_sub(start),
                        inputs: *inputs,
                        recorded: recorded.clone(),
                        replayed,
                    };
                }
                frames += 1;
                r.app.frame_drawn(*t);
            }
            Record::Frame(f) => r.app.frame_drawn(f.t),
        }
    }
    if frames == 0 && records.iter().any(|r| matches!(r, Record::Frame(_))) {
        return Verdict::Unhashed;
    }
    if let Some(line) = truncated {
        return Verdict::Truncated { line, frames };
    }
    if frames == 0 {
        return Verdict::NoFrames;
    }
    Verdict::Same { frames }
}

/// `sentui replay --verify FILE`: 0 when every frame matches; 1 when the recording does not
/// verify: a frame differs, or there is nothing to verify whole (no frames, no hashes, a
/// truncated or malformed file, an unknown version); 2 when the file cannot be opened.
pub fn verify_file(path: &Path) -> u8 {
    let recording = match load(path) {
        Ok(r) => r,
        Err(e @ LoadError::Open { .. }) => {
            eprintln!("sentui: {e}");
            return sentui_model::EXIT_USAGE;
        }
        Err(e) => {
            eprintln!("sentui: {e}: it cannot be verified");
            return 1;
        }
    };
    let recording_command = recording.header.command.clone();
    match verify(recording) {
        Verdict::Same { frames } => {
            outln!(
                "{}: all {frames} frames replay as they were drawn",
                path.display()
            );
            0
        }
        Verdict::Differs {
            frame,
            at_ms,
            inputs,
            recorded,
            replayed,
        } => {
            outln!(
                "{}: frame {frame} (at +{:.3} s, after {inputs} inputs) differs: drawn {recorded}, replayed {replayed}",
                path.display(),
                at_ms as f64 / 1000.0
            );
            1
        }
        Verdict::Unhashed => {
            eprintln!(
                "sentui: {} is a version 1 recording: its frames carry no hashes to check",
                path.display()
            );
            1
        }
        Verdict::NoFrames => {
            eprintln!(
                "sentui: {}: no frames to verify (a {} recording holds the inputs only; a TUI \
                 session's recording holds its frames)",
                path.display(),
                if recording_command.is_empty() {
                    "headless"
                } else {
                    &recording_command
                }
            );
            1
        }
        Verdict::Truncated { line, frames } => {
            eprintln!(
                "sentui: {}: truncated at line {line} (cut mid-line): the {frames} frames before \
                 it replay as drawn, the rest of the session is lost",
                path.display()
            );
            1
        }
    }
}

/// When to take a screenshot of a replay: at an event (the first of that name) or a number of
/// seconds from the start, plus an offset.
pub enum At {
    Event(Event),
    Secs(f64),
}

impl At {
    pub fn parse(s: &str) -> Result<At, NotAnEvent> {
        match s.trim().parse::<f64>() {
            Ok(secs) if secs >= 0.0 => Ok(At::Secs(secs)),
            _ => s.trim().parse().map(At::Event),
        }
    }
}

/// Renders the replay to an asciicast v2 file: a frame at each record and every 250 ms between.
pub fn to_cast(path: &Path, out: &Path, size: Option<(u16, u16)>) -> Result<String, ReplayError> {
    let mut r = Replayer::open(path)?;
    let (w, h) = size.or(r.header.size).unwrap_or((120, 36));
    let written = |error| ReplayError::Write {
        path: out.to_path_buf(),
        error,
    };
    let file = std::fs::File::create(out).map_err(|error| ReplayError::Create {
        path: out.to_path_buf(),
        error,
    })?;
    let title = format!(
        "sentui replay of {}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let mut cast =
        CastWriter::new(std::io::BufWriter::new(file), w, h, r.start(), &title).map_err(written)?;
    let mut times: Vec<Millis> = r.records.iter().map(Record::t).collect();
    let mut t = r.start();
    while t <= r.end() {
        times.push(t);
        t += 250;
    }
    times.sort_unstable();
    times.dedup();
    for t in times {
        r.advance_to(t);
        let buf = ui::render_to_buffer(&r.app, w, h);
        cast.frame(t, &buf).map_err(written)?;
    }
    let frames = cast.frames;
    cast.finish().map_err(written)?;
    Ok(format!(
        "wrote {} ({frames} frames, {w}x{h}, {:.1} s)",
        out.display(),
        (r.end() - r.start()) as f64 / 1000.0
    ))
}

/// Writes the replay's frame at `at` (plus `after_ms`) as SVG.
pub fn screenshot(
    path: &Path,
    out: &Path,
    at: &At,
    after_ms: Millis,
    size: Option<(u16, u16)>,
) -> Result<String, ReplayError> {
    let mut r = Replayer::open(path)?;
    let t = match at {
        At::Secs(s) => r.start() + (s * 1000.0) as Millis,
        At::Event(name) => r
            .time_of(name)
            .ok_or_else(|| ReplayError::NoSuchEvent(name.to_string()))?,
    } + after_ms;
    r.advance_to(t);
    let (w, h) = size.or(r.header.size).unwrap_or((120, 36));
    let title = format!(
        "sentui at {:.1}s of {}",
        (t.saturating_sub(r.start())) as f64 / 1000.0,
        path.display()
    );
    Ok(crate::ui::svg::write(&r.app, w, h, out, &title)?)
}

fn clock(ms: Millis) -> String {
    format!("{:02}:{:04.1}", ms / 60_000, (ms % 60_000) as f64 / 1000.0)
}

/// The replay in the terminal. Space pauses, `.` steps, ←/→ seek 10 s, +/- change the speed,
/// q quits; other keys work as in the live TUI (selection, filter, help...).
pub async fn run_tui(path: &Path, speed: f64, no_color: bool) -> Result<u8, ReplayError> {
    let mut r = Replayer::open(path)?;
    if !std::io::stdout().is_terminal() {
        return Err(ReplayError::NoTerminal);
    }
    r.watch(no_color);
    let (start, end) = (r.start(), r.end());
    let mut speed = speed.clamp(0.1, 64.0);
    let mut playing = true;
    let mut anchor_real = tokio::time::Instant::now();
    let mut anchor_virt = start;
    let mut events = EventStream::new();
    let mut terminal = ratatui::init();
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            ratatui::restore();
        }
    }
    let _guard = Guard;
    loop {
        if playing {
            let virt =
                anchor_virt + (anchor_real.elapsed().as_secs_f64() * 1000.0 * speed) as Millis;
            r.advance_to(virt.min(end));
            if virt >= end {
                playing = false;
            }
        }
        let state = if playing {
            "▶"
        } else if r.position() >= end {
            "end"
        } else {
            "⏸"
        };
        r.app.set_banner(Some(format!(
            " REPLAY {} / {} ×{speed} {state} ",
            clock(r.position().saturating_sub(start)),
            clock(end - start)
        )));
        terminal
            .draw(|f| ui::draw(f, &r.app))
            .map_err(ReplayError::Draw)?;
        let wait = tokio::time::sleep(Duration::from_millis(if playing { 50 } else { 500 }));
        tokio::select! {
            ev = events.next() => {
                let Some(Ok(ev)) = ev else { break };
                let TermEvent::Key(k) = ev else {
                    continue;
                };
                let Some(key) = from_crossterm(&k) else {
                    continue;
                };
                let typing = r.app.mode() == Mode::FilterEditing;
                let own = if typing && !key.ctrl { None } else { replay_action_for(&key) };
                match own {
                    Some(ReplayAction::Quit) => break,
                    Some(ReplayAction::PlayPause) => {
                        playing = !playing && r.position() < end;
                        anchor_real = tokio::time::Instant::now();
                        anchor_virt = r.position();
                    }
                    Some(ReplayAction::Step) => {
                        playing = false;
                        r.step();
                    }
                    Some(ReplayAction::Back10 | ReplayAction::Forward10) => {
                        let target = if own == Some(ReplayAction::Forward10) {
                            (r.position() + 10_000).min(end)
                        } else {
                            r.position().saturating_sub(10_000).max(start)
                        };
                        r.seek(target);
                        anchor_real = tokio::time::Instant::now();
                        anchor_virt = r.position();
                    }
                    Some(ReplayAction::Faster | ReplayAction::Slower) => {
                        speed = if own == Some(ReplayAction::Faster) {
                            (speed * 2.0).min(64.0)
                        } else {
                            (speed / 2.0).max(0.125)
                        };
                        anchor_real = tokio::time::Instant::now();
                        anchor_virt = r.position();
                    }
                    None => {
                        // The viewer's own keys: selection, filter, help, details. Nothing
                        // acts; what concerns only the viewer (save, screenshot, Ctrl-Z) is
                        // done here.
                        for c in r.app.viewer_key(key) {
                            let result = match c {
                                Command::Suspend => {
                                    let resumed = crate::terminal::suspend();
                                    // Both buffers emptied: the next frame is drawn whole.
                                    terminal.swap_buffers();
                                    terminal.swap_buffers();
                                    resumed
                                        .map(|_| "resumed".to_string())
                                        .map_err(|e| e.to_string())
                                }
                                c => crate::session::viewer_command(&c, &r.app, now_ms()),
                            };
                            match result {
                                Ok(m) => r.app.set_status(m, false),
                                Err(e) => r.app.set_status(e, true),
                            }
                        }
                    }
                }
            }
            _ = wait => {}
        }
    }
    Ok(0)
}
