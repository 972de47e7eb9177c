//! For session tests: an executor that acts on nothing and reports what it was asked, a
//! terminal backend that fails or panics on demand, and a clock the test moves.
#![allow(dead_code)]

use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use sentui::session::Executor;
use sentui_model::action::{Action, Command};
use sentui_model::input::Input;
use sentui_model::{Addr, Millis};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::Sender;

/// What the fake executor was asked, for the test to check.
#[derive(Clone, Debug, Default)]
pub struct Asked {
    pub executed: Vec<(Command, Millis)>,
    pub undone: Vec<(Action, Addr)>,
    pub finished: bool,
}

/// Carries out nothing: every command "takes effect" `effect_after` ms after it was asked for
/// and its outcome goes back on the input stream, like the real executor's.
pub struct FakeExecutor {
    pub inputs: Sender<Input>,
    pub effect_after: Millis,
    /// Hold outcomes back (an action still in flight).
    pub silent: bool,
    pub asked: Arc<Mutex<Asked>>,
    /// The faults it holds (as the real one's ledger does), oldest first.
    held: Vec<(Action, Addr)>,
}

impl FakeExecutor {
    pub fn new(inputs: Sender<Input>) -> (Self, Arc<Mutex<Asked>>) {
        let asked = Arc::new(Mutex::new(Asked::default()));
        let e = FakeExecutor {
            inputs,
            effect_after: 37,
            silent: false,
            asked: asked.clone(),
            held: Vec::new(),
        };
        (e, asked)
    }
}

fn describe(c: &Command) -> String {
    match c {
        Command::Control { action, addr } => format!("{} {addr} (fake)", action.verb()),
        other => format!("{other:?} done (fake)"),
    }
}

impl Executor for FakeExecutor {
    fn execute(&mut self, command: Command, issued_at: Millis) {
        self.asked
            .lock()
            .unwrap()
            .executed
            .push((command.clone(), issued_at));
        if let Command::Control { action, addr } = &command {
            match action.undo() {
                Some(_) => self.held.push((*action, addr.clone())),
                None => self
                    .held
                    .retain(|(a, at)| !(at == addr && a.undo() == Some(*action))),
            }
        }
        if self.silent {
            return;
        }
        let result = Ok(describe(&command));
        let input = Input::done(issued_at + self.effect_after, issued_at, command, result);
        self.inputs
            .try_send(input)
            .expect("room on the input stream");
    }

    async fn restore(&mut self) -> Vec<(Input, String)> {
        let mut out = Vec::new();
        while let Some((fault, addr)) = self.held.pop() {
            let undo = fault.undo().expect("only faults with an undo are held");
            self.asked.lock().unwrap().undone.push((undo, addr.clone()));
            let msg = format!("{} {addr} (fake)", undo.verb());
            let line = format!("{msg} ({} by sentui during this session)", fault.verb());
            let command = Command::Control { action: undo, addr };
            out.push((Input::done(0, 0, command, Ok(msg)), line));
        }
        out
    }

    fn hand_over(&mut self) -> Vec<String> {
        std::mem::take(&mut self.held)
            .into_iter()
            .map(|(fault, addr)| format!("left {} {addr} as asked (--leave-paused)", fault.verb()))
            .collect()
    }

    async fn finish(&mut self) {
        self.asked.lock().unwrap().finished = true;
    }
}

/// One session's clock: whatever the test last set. Clones read and move the same time, so the
/// test keeps one and gives the session [`TestClock::reader`].
#[derive(Clone, Debug, Default)]
pub struct TestClock(Arc<AtomicU64>);

impl TestClock {
    pub fn set(&self, t: Millis) {
        self.0.store(t, Ordering::SeqCst);
    }

    pub fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }

    /// The clock as a session reads it.
    pub fn reader(&self) -> impl Fn() -> Millis + Send + 'static {
        let c = self.clone();
        move || c.now()
    }
}

/// A test terminal that fails (an I/O error) or panics once it has drawn `after` frames.
pub struct Faulty {
    pub inner: TestBackend,
    pub draws: usize,
    pub fail_after: Option<usize>,
    pub panic_after: Option<usize>,
}

impl Faulty {
    pub fn new(w: u16, h: u16) -> Self {
        Faulty {
            inner: TestBackend::new(w, h),
            draws: 0,
            fail_after: None,
            panic_after: None,
        }
    }
}

impl Backend for Faulty {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        if self.panic_after.is_some_and(|n| self.draws >= n) {
            panic!("the terminal backend panicked (test)");
        }
        if self.fail_after.is_some_and(|n| self.draws >= n) {
            return Err(std::io::Error::other("the terminal went away (test)"));
        }
        self.draws += 1;
        let _ = self.inner.draw(content);
        Ok(())
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        Ok(Position::ORIGIN)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, _: P) -> Result<(), Self::Error> {
        Ok(())
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
    fn clear_region(&mut self, _: ClearType) -> Result<(), Self::Error> {
        Ok(())
    }
    fn size(&self) -> Result<Size, Self::Error> {
        Ok(self.inner.size().unwrap_or_default())
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        Ok(WindowSize {
            columns_rows: self.size()?,
            pixels: Size::default(),
        })
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}
