//! A TUI session: one loop over one input stream. Every input is recorded, then applied by the
//! App's pure step; the commands it returns go to an [`Executor`], whose outcomes come back on
//! the same stream, stamped with the moment they took effect. Frames are drawn when something
//! changed (at most one per 16 ms; polls calmly) and recorded with a hash, so a replay can
//! check it reproduces every one.
//!
//! Generic over the ratatui backend and the executor: live it is crossterm and the real
//! executor (see `tui`), in tests a `TestBackend` and a fake one driven by scripted inputs.
//! Undo belongs to the session: [`run_guarded`] ends every session (quit, a failed terminal,
//! the collectors gone, SIGTERM/SIGHUP, a panic) by waiting for actions in flight and undoing
//! what sentui changed.

pub mod executor;

use crate::app::App;
use crate::record::{Frame, Recorder, frame_hash};
use crate::terminal::SuspendError;
use crate::ui;
use futures_util::FutureExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use sentui_model::Millis;
use sentui_model::action::Command;
use sentui_model::input::{ActionResult, Input, InputKind};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::mpsc::Receiver;
use tokio::time::Instant;

/// Carries out the App's commands. Outcomes come back on the session's input stream as
/// [`InputKind::Done`], stamped with the time the action took effect.
pub trait Executor {
    /// Starts `command`, asked for at `issued_at`.
    fn execute(&mut self, command: Command, issued_at: Millis);
    /// Ends every fault its ledger holds (newest first), at the end of the session: each
    /// outcome as the input it is (a `Done` of the undo) and a line for the user.
    fn restore(&mut self) -> impl Future<Output = Vec<(Input, String)>>;
    /// Leaves the faults in place until their leases end (`--leave-paused`): lines that say
    /// until when.
    fn hand_over(&mut self) -> Vec<String>;
    /// Ends what the executor runs (the write probe reads back, bounded).
    fn finish(&mut self) -> impl Future<Output = ()>;
}

/// Why a session could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("{0}")]
    Stopped(String),
}

/// Redraws are coalesced to at most one per this interval.
const MIN_FRAME: Duration = Duration::from_millis(16);
/// Updates that add nothing to the log (polls, INFO) are drawn at most this often.
const CALM_FRAME: Duration = Duration::from_millis(500);
/// How long the end of a session waits for the outcome of actions still in flight.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(5);

pub struct Session<B: Backend, E: Executor> {
    pub app: App,
    terminal: Terminal<B>,
    pub executor: E,
    recorder: Option<Recorder>,
    /// Inputs applied so far (frames record it, so a replay draws at the same points).
    inputs: u64,
    /// Commands carried out whose outcome has not come back yet.
    in_flight: usize,
    /// On quit, leave what sentui paused or stopped as it is, until the leases end.
    pub leave_paused: bool,
    /// This session's clock: live the wall clock, in a test one the test moves (each session
    /// its own, so tests run side by side).
    clock: Clock,
    /// Gives the terminal back and stops the process until it is resumed (Ctrl-Z); live it
    /// is `terminal::suspend`. Without one, Ctrl-Z says it cannot.
    suspend: Option<fn() -> Result<(), SuspendError>>,
}

/// Where a session reads the time (Unix ms): stamps of the inputs it makes itself (ticks,
/// answers to the viewer's commands, undo outcomes) and of the frames it draws.
pub type Clock = Box<dyn Fn() -> Millis + Send>;

impl<B: Backend, E: Executor> Session<B, E> {
    /// A session reading the time from `clock` (live: `sentui_io::link::now_ms`).
    pub fn new(
        app: App,
        terminal: Terminal<B>,
        executor: E,
        clock: impl Fn() -> Millis + Send + 'static,
    ) -> Self {
        Session {
            app,
            terminal,
            executor,
            recorder: None,
            inputs: 0,
            in_flight: 0,
            leave_paused: false,
            clock: Box::new(clock),
            suspend: None,
        }
    }

    /// What Ctrl-Z does: give the terminal back and stop until resumed.
    pub fn on_suspend(&mut self, suspend: fn() -> Result<(), SuspendError>) {
        self.suspend = Some(suspend);
    }

    pub fn record_to(&mut self, recorder: Recorder) {
        self.recorder = Some(recorder);
    }

    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    pub fn inputs_applied(&self) -> u64 {
        self.inputs
    }

    /// Records one input, applies it and carries out the commands it leads to.
    pub fn feed(&mut self, input: Input) {
        if let Some(rec) = self.recorder.as_mut() {
            rec.input(&input);
        }
        if matches!(input.kind, InputKind::Done(_)) {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        self.inputs += 1;
        let at = input.at;
        let commands = self.app.step(input);
        for c in commands {
            self.dispatch(c, at);
        }
        if let Some(e) = self.recorder.as_mut().and_then(|r| r.error.take()) {
            self.recorder = None;
            let at = (self.clock)();
            self.feed(Input::new(
                at,
                InputKind::Notice {
                    text: e,
                    error: true,
                },
            ));
        }
    }

    fn dispatch(&mut self, c: Command, issued_at: Millis) {
        self.in_flight += 1;
        if c.is_the_viewers() {
            // The screen and the terminal are the session's: it answers at once.
            let result = match &c {
                Command::Suspend => self.suspend(),
                _ => viewer_command(&c, &self.app, (self.clock)()),
            };
            let at = (self.clock)();
            self.feed(Input::done(at, issued_at, c, result));
            return;
        }
        self.executor.execute(c, issued_at);
    }

    /// Ctrl-Z: the terminal is given back and the process stops; once resumed, the whole
    /// screen is drawn again.
    fn suspend(&mut self) -> ActionResult {
        let Some(suspend) = self.suspend else {
            return Err("this session cannot be suspended".into());
        };
        suspend().map_err(|e| e.to_string())?;
        // The screen came back blank: both buffers emptied, the next frame is drawn whole.
        // (Terminal::clear would ask the terminal where its cursor is, a reply the key reader
        // takes first.)
        self.terminal.swap_buffers();
        self.terminal.swap_buffers();
        Ok("resumed".into())
    }

    /// Draws the current state, then tells the App (and the recording) the frame is on screen.
    pub fn draw(&mut self) -> Result<(), SessionError> {
        let app = &self.app;
        let frame = self
            .terminal
            .draw(|f| ui::draw(f, app))
            .map_err(|e| SessionError::Draw(e.to_string()))?;
        let (width, height) = (frame.area.width, frame.area.height);
        let hash = frame_hash(frame.buffer);
        let t = (self.clock)();
        self.app.frame_drawn(t);
        if let Some(rec) = self.recorder.as_mut() {
            rec.frame(&Frame {
                t,
                inputs: self.inputs,
                width,
                height,
                hash: Some(hash),
            });
        }
        Ok(())
    }

    /// The loop: inputs in, frames out, until the App quits. Inputs already queued are
    /// applied together before one frame; new log entries, keys and outcomes are drawn at
    /// once, other changes calmly; a tick keeps timers on screen moving.
    pub async fn run(&mut self, inputs: &mut Receiver<Input>) -> Result<(), SessionError> {
        let mut dirty = true;
        let mut calm_dirty = false;
        let mut last_draw = Instant::now() - MIN_FRAME;
        while !self.app.quitting() {
            if calm_dirty && last_draw.elapsed() >= CALM_FRAME {
                dirty = true;
            }
            if dirty && last_draw.elapsed() >= MIN_FRAME {
                self.draw()?;
                last_draw = Instant::now();
                dirty = false;
                calm_dirty = false;
            }
            let wait = if dirty {
                MIN_FRAME.saturating_sub(last_draw.elapsed())
            } else if calm_dirty {
                CALM_FRAME.saturating_sub(last_draw.elapsed())
            } else if self.app.needs_fast_tick() {
                Duration::from_millis(250)
            } else {
                Duration::from_secs(1)
            };
            let logged = self.app.live().log().next_seq();
            tokio::select! {
                input = inputs.recv() => {
                    let Some(input) = input else {
                        return Err(SessionError::Stopped("the input stream closed".into()));
                    };
                    let mut urgent = !matches!(input.kind, InputKind::Update(_));
                    self.feed(input);
                    for _ in 0..1024 {
                        match inputs.try_recv() {
                            Ok(i) => {
                                urgent |= !matches!(i.kind, InputKind::Update(_));
                                self.feed(i);
                            }
                            Err(_) => break,
                        }
                    }
                    if urgent {
                        dirty = true;
                    } else {
                        calm_dirty = true;
                    }
                }
                _ = tokio::time::sleep(wait) => {
                    if !dirty && !calm_dirty {
                        let at = (self.clock)();
                        self.feed(Input::tick(at));
                        dirty = true;
                    }
                }
            }
            if self.app.live().log().next_seq() != logged {
                dirty = true;
            }
        }
        if let Some(stop) = self.app.stopped().filter(|s| s.is_failure()) {
            return Err(SessionError::Stopped(stop.describe()));
        }
        Ok(())
    }

    /// The end of every session: waits (bounded) for the outcome of actions in flight, then
    /// undoes what sentui paused or stopped and has not brought back, unless told to leave it.
    /// Returns what it did, one line each, for the user.
    pub async fn restore(&mut self, inputs: &mut Receiver<Input>) -> Vec<String> {
        let deadline = Instant::now() + IN_FLIGHT_WAIT;
        while self.in_flight > 0 {
            match tokio::time::timeout_at(deadline, inputs.recv()).await {
                Ok(Some(i)) => self.feed(i),
                _ => break,
            }
        }
        let mut lines = Vec::new();
        if self.leave_paused {
            lines = self.executor.hand_over();
        } else {
            for (input, line) in self.executor.restore().await {
                lines.push(line);
                self.feed(input);
            }
        }
        self.executor.finish().await;
        lines
    }
}

/// Where sentui writes what the viewer saves: SENTUI_SCREENSHOT_DIR, else the working directory.
fn save_dir() -> std::path::PathBuf {
    std::env::var_os("SENTUI_SCREENSHOT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".".into())
}

/// Carries out a command that concerns only what the viewer sees (a live session's and a
/// replay's alike): the screen as SVG, the log as shown. `stamp` names the files.
pub fn viewer_command(c: &Command, app: &App, stamp: Millis) -> ActionResult {
    let dir = save_dir();
    // A directory named but not there yet is made, as a place to save into.
    std::fs::create_dir_all(&dir).map_err(|e| {
        format!(
            "cannot create {} (SENTUI_SCREENSHOT_DIR) to save into: {e}",
            dir.display()
        )
    })?;
    match c {
        Command::Screenshot => {
            let path = dir.join(format!("sentui-{stamp}.svg"));
            let (w, h) = app.size();
            crate::ui::svg::write(app, w, h, &path, "sentui")
                .map(|_| format!("screenshot saved: {}", path.display()))
                .map_err(|e| e.to_string())
        }
        Command::SaveLog => {
            let rows = app.log_rows();
            let entries: usize = rows.iter().map(|r| r.all.len()).sum();
            let (ndjson, text) = crate::logview::export(&rows);
            let json_path = dir.join(format!("sentui-log-{stamp}.ndjson"));
            let text_path = dir.join(format!("sentui-log-{stamp}.txt"));
            for (path, body) in [(&json_path, ndjson), (&text_path, text)] {
                std::fs::write(path, body)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            Ok(format!(
                "log saved ({} rows as shown, {entries} entries: each sentinel's own, in time \
order): {} and {}",
                rows.len(),
                json_path.display(),
                text_path.display()
            ))
        }
        Command::PostMortem => post_mortem(app, &dir, stamp),
        other => Err(format!("internal: {other:?} is not the viewer's")),
    }
}

/// The post-mortem of the shown group's last failover, as a page and its timeline.
fn post_mortem(app: &App, dir: &std::path::Path, stamp: Millis) -> ActionResult {
    use sentui_model::postmortem::{self, About, Focus};
    let setup = app.setup();
    let group = app
        .group()
        .ok_or_else(|| "no master group to write a post-mortem of".to_string())?;
    let about = About {
        source: if setup.replay {
            "a replay of a recording".into()
        } else {
            "seen live by the TUI".into()
        },
        deployment: setup.deployment().to_string(),
        fault: "fault".into(),
    };
    let page = postmortem::build(app.live(), &group, Focus::LastFailover, &about, app.now())
        .ok_or_else(|| format!("no failover of {group} to write a post-mortem of yet"))?;
    let html = dir.join(format!("sentui-postmortem-{stamp}.html"));
    let svg = dir.join(format!("sentui-postmortem-{stamp}.svg"));
    for (path, body) in [
        (&html, postmortem::html(&page)),
        (&svg, postmortem::svg(&page)),
    ] {
        std::fs::write(path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(format!(
        "post-mortem of {} saved: {} and {}",
        page.title,
        html.display(),
        svg.display()
    ))
}

/// Runs the session to its end and restores whatever way it ends: a quit, an error, a stop
/// input (signal, terminal, collectors) or a panic. `before_restore` runs first (the live
/// terminal is given back there, so what the undo says is readable). Returns the loop's
/// result and the undo's lines; a panic is resumed after the undo.
pub async fn run_guarded<B: Backend, E: Executor>(
    session: &mut Session<B, E>,
    inputs: &mut Receiver<Input>,
    before_restore: impl FnOnce(),
) -> (Result<(), SessionError>, Vec<String>) {
    let outcome = AssertUnwindSafe(session.run(inputs)).catch_unwind().await;
    before_restore();
    let lines = session.restore(inputs).await;
    match outcome {
        Ok(result) => (result, lines),
        Err(panic) => {
            for l in &lines {
                eprintln!("sentui: {l}");
            }
            std::panic::resume_unwind(panic)
        }
    }
}
