//! The session with the real executor on the local lab: `p` SIGSTOPs the master and the fault
//! is marked within 10 ms of the moment the process stopped; and every way a session ends
//! (SIGTERM, the terminal failing, the collectors stopping, a panic, a quit) leaves the master
//! running again.

mod common;

use common::session::Faulty;
use common::*;
use ratatui::Terminal;
use ratatui::backend::Backend;
use sentui::app::App;
use sentui::record::Header;
use sentui::session::executor::RealExecutor;
use sentui::session::{Session, run_guarded};
use sentui_io::collect::{self, CHANNEL, CollectSettings};
use sentui_io::control::Controller;
use sentui_io::hands::{Hands, HandsConfig, Holder};
use sentui_io::lease::LeaseStore;
use sentui_io::link::{SharedMap, now_ms};
use sentui_model::Addr;
use sentui_model::input::{Input, InputKind, Key, Stop};
use sentui_model::log::OwnEvent;
use std::time::Duration;
use tokio::sync::mpsc::{self, Receiver, Sender};

/// The process state letter (`T` when stopped).
fn state(pid: i32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next())
        .unwrap_or('?')
}

struct Live<B: Backend> {
    session: Session<B, RealExecutor>,
    rx: Receiver<Input>,
    tx: Sender<Input>,
}

/// A session on the lab whose App knows the master and every node answers.
async fn live<B: Backend>(lab: &LocalLab, backend: B) -> Live<B> {
    let seeds: Vec<Addr> = lab.sentinels.iter().map(|s| s.parse().unwrap()).collect();
    let (tx, mut rx) = mpsc::channel(CHANNEL);
    let settings = CollectSettings::default();
    let link = settings.link.clone();
    collect::start(settings, seeds.clone(), tx.clone());
    let control = Controller::new(SharedMap::default(), None, false);
    let hands = Hands::new(
        control,
        HandsConfig {
            lease: Duration::from_secs(600),
            store: LeaseStore::at(lab.dir.path().join("leases")),
            guard_exe: env!("CARGO_BIN_EXE_sentui").into(),
            holder: Holder::ThisProcess,
            deployment: "the session_live test's lab".into(),
        },
    );
    let executor = RealExecutor::new(hands, link, tx.clone());
    let app = App::for_session(&Header::new("tui", now_ms(), seeds));
    let mut session = Session::new(app, Terminal::new(backend).unwrap(), executor, now_ms);
    let master: Addr = lab.master.parse().unwrap();
    let ready = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(i) = rx.recv().await {
            session.feed(i);
            let v = session.app.view();
            if v.is_some_and(|v| {
                v.master
                    .as_ref()
                    .is_some_and(|m| m.addr == master && m.reach.is_ok())
            }) {
                return;
            }
        }
    })
    .await;
    assert!(ready.is_ok(), "the session never knew the master");
    Live { session, rx, tx }
}

/// Presses `p` on the master and waits until the pause's outcome is applied.
async fn pause_master<B: Backend>(l: &mut Live<B>) {
    l.session.feed(Input::key(now_ms(), Key::char('p')));
    let done = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(i) = l.rx.recv().await {
            let is_done = matches!(i.kind, InputKind::Done(_));
            l.session.feed(i);
            if is_done {
                return;
            }
        }
    })
    .await;
    assert!(done.is_ok(), "the pause never came back");
    assert_eq!(
        l.session.app.faults().iter().count(),
        1,
        "{:?}",
        l.session.app.status()
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_fault_is_marked_when_the_master_stopped() {
    let lab = LocalLab::up(1);
    let pid = lab.pids[0];
    // Watches the process from outside: it stopped between the last time it was seen running
    // and the first time it was seen stopped.
    let watcher = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut running_at = now_ms();
        while std::time::Instant::now() < deadline {
            let seen = now_ms();
            if state(pid) == 'T' {
                return Some((running_at, now_ms()));
            }
            running_at = seen;
            std::thread::sleep(Duration::from_micros(200));
        }
        None
    });
    runtime().block_on(async {
        let mut l = live(&lab, ratatui::backend::TestBackend::new(120, 36)).await;
        pause_master(&mut l).await;
        let (running, stopped) = watcher.join().unwrap().expect("the master stopped");
        let fault = l
            .session
            .app
            .live()
            .log()
            .entries()
            .find(|e| e.is(OwnEvent::Fault))
            .expect("the fault is logged")
            .ts;
        println!(
            "stopped between {} and {} ms, fault marked at {} ms",
            0,
            stopped - running,
            fault as i64 - running as i64
        );
        assert!(
            fault + 10 >= running && fault <= stopped + 10,
            "fault marked at {fault}, the master stopped between {running} and {stopped}"
        );
        l.tx.send(Input::key(now_ms(), Key::char('q')))
            .await
            .unwrap();
        let (_, lines) = run_guarded(&mut l.session, &mut l.rx, || {}).await;
        assert!(lines[0].starts_with("resumed"), "{lines:?}");
    });
    assert_ne!(state(pid), 'T');
}

/// Runs the session to its end after `end` made it end; the master must run again.
fn ends_and_resumes<B: Backend>(backend: B, end: Option<InputKind>, panics: bool) {
    let lab = LocalLab::up(1);
    let pid = lab.pids[0];
    let rt = runtime();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let mut l = live(&lab, backend).await;
            pause_master(&mut l).await;
            assert_eq!(state(pid), 'T', "the pause took effect when it said so");
            if let Some(kind) = end {
                l.tx.send(Input::new(now_ms(), kind)).await.unwrap();
            }
            run_guarded(&mut l.session, &mut l.rx, || {}).await
        })
    }));
    assert_eq!(outcome.is_err(), panics);
    assert_ne!(state(pid), 'T', "the master was left paused");
}

#[test]
fn sigterm_resumes_the_master() {
    ends_and_resumes(
        ratatui::backend::TestBackend::new(80, 24),
        Some(InputKind::Stop(Stop::Sigterm)),
        false,
    );
}

#[test]
fn the_collectors_stopping_resumes_the_master() {
    ends_and_resumes(
        ratatui::backend::TestBackend::new(80, 24),
        Some(InputKind::Stop(Stop::CollectorsStopped)),
        false,
    );
}

#[test]
fn a_failing_terminal_resumes_the_master() {
    let mut backend = Faulty::new(80, 24);
    backend.fail_after = Some(0);
    ends_and_resumes(backend, None, false);
}

#[test]
fn a_panic_resumes_the_master() {
    let mut backend = Faulty::new(80, 24);
    backend.panic_after = Some(0);
    ends_and_resumes(backend, None, true);
}
