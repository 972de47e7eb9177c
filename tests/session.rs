//! The whole TUI session driven by scripted inputs into a test terminal and a fake executor:
//! fault marks carry the moment the action took effect, a recording replays frame for frame,
//! and every way a session ends undoes what sentui changed.

mod common;

use common::scenario::{self, FREEZE, addr};
use common::session::{Asked, FakeExecutor, Faulty, TestClock};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sentui::app::App;
use sentui::record::{Header, Recorder};
use sentui::replay::{self, Verdict};
use sentui::session::{Session, SessionError, run_guarded};
use sentui_model::action::{Action, Command};
use sentui_model::input::{Input, InputKind, Key, KeyCode, Stop};
use sentui_model::log::OwnEvent;
use sentui_model::stopwatch::Phase;
use sentui_model::{Millis, Update};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::{self, Receiver, Sender};

fn header() -> Header {
    let mut h = Header::new(
        "tui",
        FREEZE - 3000,
        scenario::SENTINELS.iter().map(|s| addr(s)).collect(),
    );
    h.size = Some((120, 36));
    h
}

type Fake<B> = Session<B, FakeExecutor>;

/// A session, what its executor was asked, both ends of its input stream, and its clock.
type Rig<B> = (
    Fake<B>,
    Arc<Mutex<Asked>>,
    Sender<Input>,
    Receiver<Input>,
    TestClock,
);

/// A session on `backend` with a fake executor; its clock (at 0) is the test's to move.
fn session<B: ratatui::backend::Backend>(backend: B) -> Rig<B> {
    let (tx, rx) = mpsc::channel(4096);
    let (executor, asked) = FakeExecutor::new(tx.clone());
    let terminal = Terminal::new(backend).unwrap();
    let clock = TestClock::default();
    let s = Session::new(
        App::for_session(&header()),
        terminal,
        executor,
        clock.reader(),
    );
    (s, asked, tx, rx, clock)
}

fn key(at: Millis, c: char) -> Input {
    Input::key(at, Key::char(c))
}

/// Feeds what the executor sent back (its outcomes) into the session.
fn pump<B: ratatui::backend::Backend>(s: &mut Fake<B>, rx: &mut Receiver<Input>) {
    while let Ok(i) = rx.try_recv() {
        s.feed(i);
    }
}

fn steady(s: &mut Fake<TestBackend>) {
    for u in scenario::steady_updates(FREEZE - 2000) {
        s.feed(Input::update(FREEZE - 2000, u));
    }
}

#[tokio::test]
async fn a_pause_from_the_keyboard_is_marked_when_it_took_effect() {
    let (mut s, asked, _tx, mut rx, clock) = session(TestBackend::new(120, 36));
    steady(&mut s);
    clock.set(FREEZE);
    s.draw().unwrap();
    s.feed(key(FREEZE, 'p'));
    // The fake action takes effect 37 ms after it was asked for; frames drawn meanwhile
    // change nothing about when the fault happened.
    clock.set(FREEZE + 500);
    s.draw().unwrap();
    pump(&mut s, &mut rx);
    let master = addr("127.0.0.1:16379");
    assert_eq!(
        asked.lock().unwrap().executed,
        vec![(
            Command::Control {
                action: Action::Pause,
                addr: master.clone()
            },
            FREEZE
        )]
    );
    let fault = s
        .app
        .live()
        .log()
        .entries()
        .find(|e| e.is(OwnEvent::Fault))
        .expect("the fault is logged");
    assert_eq!(fault.ts, FREEZE + 37);
    assert_eq!(fault.addr, Some(master));
    let attempt = s.app.live().stopwatches()["mymaster"].running().unwrap();
    assert_eq!(attempt.mark(Phase::Fault).unwrap().at, FREEZE + 37);
    assert_eq!(attempt.started_at, FREEZE + 37);
}

#[tokio::test]
async fn a_recorded_session_replays_frame_for_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.ndjson");
    let (mut s, _asked, _tx, mut rx, clock) = session(TestBackend::new(120, 36));
    s.record_to(Recorder::create(&path, &header()).unwrap());
    clock.set(FREEZE - 2000);
    s.draw().unwrap();
    let mut t = FREEZE - 2000;
    for (i, u) in scenario::failover_updates().into_iter().enumerate() {
        t = t.max(update_at(&u));
        s.feed(Input::update(t, u));
        match i {
            // The keyboard during the failover: help, a pause, the probe, a group switch.
            12 => s.feed(key(t, 'p')),
            20 => s.feed(key(t, '?')),
            21 => s.feed(Input::key(t, Key::new(KeyCode::Esc))),
            30 => s.feed(key(t, 'w')),
            40 => s.feed(Input::key(t, Key::new(KeyCode::Tab))),
            45 => s.feed(Input::tick(t + 250)),
            _ => {}
        }
        pump(&mut s, &mut rx);
        if i % 3 == 0 {
            clock.set(t + 5);
            s.draw().unwrap();
        }
    }
    clock.set(t + 20);
    s.draw().unwrap();
    drop(s);
    let recording = sentui::record::load(&path).unwrap();
    let frames = recording
        .records
        .iter()
        .filter(|r| matches!(r, sentui::record::Record::Frame(_)))
        .count();
    assert!(frames > 20, "{frames} frames recorded");
    assert_eq!(replay::verify(recording), Verdict::Same { frames });

    // A changed input changes a frame, and verify says which.
    let mut recording = sentui::record::load(&path).unwrap();
    let victim = recording
        .records
        .iter_mut()
        .rev()
        .find_map(|r| match r {
            sentui::record::Record::Input(Input {
                kind: InputKind::Key(k),
                ..
            }) if *k == Key::char('p') => Some(k),
            _ => None,
        })
        .unwrap();
    *victim = Key::char('x');
    match replay::verify(recording) {
        Verdict::Differs { frame, .. } => assert!(frame > 1, "differs at frame {frame}"),
        other => panic!("a changed key went unnoticed: {other:?}"),
    }
}

fn update_at(u: &Update) -> Millis {
    match u {
        Update::SentinelPolled { at, .. }
        | Update::SentinelReach { at, .. }
        | Update::PubSub { at, .. }
        | Update::SentinelEvent { at, .. }
        | Update::NodeInfo { at, .. }
        | Update::NodeReach { at, .. }
        | Update::Vanished { at, .. }
        | Update::Process { at, .. }
        | Update::Container { at, .. }
        | Update::Probe { at, .. } => *at,
        Update::Note { entry } => entry.ts,
        Update::NodeRights { rights, .. } => rights.at,
    }
}

/// A session with the master paused by sentui, ready to end in some way.
fn paused_session<B: ratatui::backend::Backend>(
    backend: B,
) -> (Fake<B>, Arc<Mutex<Asked>>, Sender<Input>, Receiver<Input>) {
    let (mut s, asked, tx, mut rx, _clock) = session(backend);
    for u in scenario::steady_updates(FREEZE - 2000) {
        s.feed(Input::update(FREEZE - 2000, u));
    }
    s.feed(key(FREEZE, 'p'));
    pump(&mut s, &mut rx);
    assert_eq!(s.app.faults().iter().count(), 1, "the master is paused");
    (s, asked, tx, rx)
}

fn undone(asked: &Arc<Mutex<Asked>>) -> Vec<(Action, sentui_model::Addr)> {
    asked.lock().unwrap().undone.clone()
}

fn resumed_master() -> Vec<(Action, sentui_model::Addr)> {
    vec![(Action::Unpause, addr("127.0.0.1:16379"))]
}

#[tokio::test]
async fn quitting_resumes_what_sentui_paused_and_says_so() {
    let (mut s, asked, tx, mut rx) = paused_session(TestBackend::new(80, 24));
    tx.send(key(FREEZE + 100, 'q')).await.unwrap();
    let (result, lines) = run_guarded(&mut s, &mut rx, || {}).await;
    assert!(result.is_ok());
    assert_eq!(undone(&asked), resumed_master());
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].contains("resumed 127.0.0.1:16379") && lines[0].contains("paused by sentui"),
        "{lines:?}"
    );
    assert!(asked.lock().unwrap().finished, "the probe is ended too");
    // The resume is in the log, as the fault was.
    assert!(
        s.app
            .live()
            .log()
            .entries()
            .any(|e| e.is(OwnEvent::FaultCleared))
    );
}

#[tokio::test]
async fn leave_paused_leaves_it_and_says_so() {
    let (mut s, asked, tx, mut rx) = paused_session(TestBackend::new(80, 24));
    s.leave_paused = true;
    tx.send(key(FREEZE + 100, 'q')).await.unwrap();
    let (_, lines) = run_guarded(&mut s, &mut rx, || {}).await;
    assert!(undone(&asked).is_empty());
    assert!(lines[0].contains("--leave-paused"), "{lines:?}");
}

#[tokio::test]
async fn a_signal_or_the_collectors_stopping_ends_the_session_and_resumes() {
    for (stop, fails) in [
        (Stop::Sigterm, false),
        (Stop::Sighup, false),
        (Stop::Sigint, false),
        (Stop::TerminalClosed, false),
        (Stop::TerminalFailed("read error".into()), true),
        (Stop::CollectorsStopped, true),
    ] {
        let (mut s, asked, tx, mut rx) = paused_session(TestBackend::new(80, 24));
        tx.send(Input::new(FREEZE + 100, InputKind::Stop(stop.clone())))
            .await
            .unwrap();
        let (result, _) = run_guarded(&mut s, &mut rx, || {}).await;
        assert_eq!(result.is_err(), fails, "{stop:?}: {result:?}");
        assert_eq!(undone(&asked), resumed_master(), "{stop:?}");
    }
}

#[tokio::test]
async fn a_failing_terminal_ends_the_session_and_resumes() {
    let mut backend = Faulty::new(80, 24);
    backend.fail_after = Some(0);
    let (mut s, asked, _tx, mut rx) = paused_session(backend);
    let (result, _) = run_guarded(&mut s, &mut rx, || {}).await;
    assert!(
        matches!(result, Err(SessionError::Draw(ref e)) if e.contains("went away")),
        "{result:?}"
    );
    assert_eq!(undone(&asked), resumed_master());
}

#[test]
fn a_panic_resumes_before_it_unwinds() {
    let mut backend = Faulty::new(80, 24);
    backend.panic_after = Some(0);
    let (mut s, asked, _tx, mut rx) = paused_session(backend);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(run_guarded(&mut s, &mut rx, || {}))
    }));
    assert!(outcome.is_err(), "the panic goes on after the undo");
    assert_eq!(undone(&asked), resumed_master());
}

#[tokio::test]
async fn an_action_in_flight_at_the_end_is_awaited_then_undone() {
    let (mut s, asked, tx, mut rx, _clock) = session(TestBackend::new(80, 24));
    for u in scenario::steady_updates(FREEZE - 2000) {
        s.feed(Input::update(FREEZE - 2000, u));
    }
    s.executor.silent = true;
    s.feed(key(FREEZE, 'p'));
    // SIGTERM before the pause's outcome came back; the outcome arrives while ending.
    tx.send(Input::new(FREEZE + 10, InputKind::Stop(Stop::Sigterm)))
        .await
        .unwrap();
    let late = Input::done(
        FREEZE + 40,
        FREEZE,
        Command::Control {
            action: Action::Pause,
            addr: addr("127.0.0.1:16379"),
        },
        Ok("paused 127.0.0.1:16379 (fake)".into()),
    );
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        tx.send(late).await.unwrap();
    });
    let (_, lines) = run_guarded(&mut s, &mut rx, || {}).await;
    assert_eq!(undone(&asked), resumed_master(), "{lines:?}");
}

#[test]
fn the_app_alone_is_the_same_pure_step() {
    // The same inputs into two Apps give the same state: no clock, no randomness.
    let inputs: Vec<Input> = scenario::failover_updates()
        .into_iter()
        .map(|u| Input::update(update_at(&u), u))
        .collect();
    let run = || {
        let mut app: App = App::for_session(&header());
        for i in inputs.clone() {
            let _ = app.step(i);
        }
        sentui::record::frame_hash(&sentui::ui::render_to_buffer(&app, 120, 36))
    };
    assert_eq!(run(), run());
}

/// Ctrl-Z goes to the session's suspender (live: give the terminal back, SIGTSTP); when it
/// returns, the whole screen is drawn again and the outcome is an input like any other.
#[tokio::test]
async fn ctrl_z_suspends_through_the_session_and_redraws() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SUSPENDED: AtomicUsize = AtomicUsize::new(0);
    fn suspend() -> Result<(), sentui::terminal::SuspendError> {
        SUSPENDED.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    let (mut s, asked, _tx, _rx, _clock) = session(TestBackend::new(80, 24));
    steady(&mut s);
    // Without a suspender (a test terminal), Ctrl-Z says it cannot.
    s.feed(Input::key(FREEZE, Key::ctrl('z')));
    let status = s.app.status().cloned().unwrap();
    assert!(
        status.error && status.text.contains("cannot be suspended"),
        "{status:?}"
    );
    s.on_suspend(suspend);
    s.feed(Input::key(FREEZE + 10, Key::ctrl('z')));
    assert_eq!(SUSPENDED.load(Ordering::SeqCst), 1);
    assert_eq!(s.app.status().unwrap().text, "resumed");
    assert!(
        asked.lock().unwrap().executed.is_empty(),
        "the session's own: never the executor's"
    );
}

/// `x` saves the log as the screen shows it (the filter applied), as NDJSON and text.
#[tokio::test]
async fn x_saves_the_log_as_shown() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: set before any thread of this test binary reads it; no other test reads it.
    unsafe { std::env::set_var("SENTUI_SCREENSHOT_DIR", dir.path()) };
    let (mut s, _asked, _tx, _rx, clock) = session(TestBackend::new(120, 36));
    let mut t = FREEZE - 2000;
    for u in scenario::failover_updates() {
        t = t.max(update_at(&u));
        s.feed(Input::update(t, u));
    }
    s.feed(key(t, '/'));
    for c in "switch-master".chars() {
        s.feed(key(t, c));
    }
    s.feed(Input::key(t, Key::new(KeyCode::Enter)));
    clock.set(t + 5);
    s.feed(key(t, 'x'));
    let said = s.app.status().cloned().unwrap();
    assert!(
        !said.error && said.text.starts_with("log saved"),
        "{said:?}"
    );
    // Named by this session's clock.
    let saved = |ext: &str| {
        let path = dir.path().join(format!("sentui-log-{}.{ext}", t + 5));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; saved: {said:?}", path.display()))
    };
    let (json, text) = (saved("ndjson"), saved("txt"));
    let entries: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| {
            e["event"].as_str().unwrap().contains("switch-master")
                || e["payload"].as_str().unwrap().contains("switch-master")
        }),
        "only what the filter shows: {json}"
    );
    let switches = entries
        .iter()
        .filter(|e| e["event"] == "+switch-master")
        .count();
    assert!(switches >= 3, "every sentinel's own, unfolded: {json}");
    assert_eq!(text.lines().count(), entries.len());
    assert!(
        text.contains("+switch-master")
            && text.contains("mymaster 127.0.0.1 16379 127.0.0.1 16380")
    );
}
