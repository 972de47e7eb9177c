//! The live terminal UI: wires the input sources into one stream (collectors, the terminal,
//! signals, the executor's outcomes) and runs a [`Session`] on the crossterm terminal. The
//! terminal is given back and what sentui changed is undone however the session ends; Ctrl-Z
//! is `terminal::suspend`.

use crate::app::App;
use crate::connection::Connection;
use crate::keys::from_crossterm;
use crate::record::{Header, RecordError, Recorder, TlsUse};
use crate::session::executor::RealExecutor;
use crate::session::{Session, SessionError, run_guarded};
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use sentui_io::collect::{self, CHANNEL};
use sentui_io::hands::Hands;
use sentui_io::link::now_ms;
use sentui_model::input::{Input, InputKind, Stop};
use std::io::IsTerminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{self, Sender};

/// Why the TUI did not run, or how it ended badly.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("the terminal UI needs a terminal; for scripts use `sentui status` or `sentui events`")]
    NoTerminal,
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("cannot watch {name}: {error}")]
    Signal {
        name: &'static str,
        error: std::io::Error,
    },
    #[error(transparent)]
    Session(#[from] SessionError),
}

pub struct TuiOptions {
    pub group: Option<String>,
    pub leave_paused: bool,
    pub read_only: bool,
    pub no_color: bool,
    pub stats_out: Option<std::path::PathBuf>,
    /// Record the session (NDJSON) here.
    pub record: Option<std::path::PathBuf>,
}

impl TuiOptions {
    pub fn from_args(ui: &crate::cli::UiArgs, group: Option<String>) -> Self {
        TuiOptions {
            group,
            leave_paused: ui.leave_paused,
            read_only: ui.read_only,
            no_color: ui.colorless(),
            stats_out: ui.stats_out.clone(),
            record: ui.record.clone(),
        }
    }
}

/// `hands` hold what the session changes for this process (`Holder::ThisProcess`).
pub async fn run(conn: Connection, hands: Hands, opts: TuiOptions) -> Result<u8, TuiError> {
    if !std::io::stdout().is_terminal() {
        return Err(TuiError::NoTerminal);
    }
    let Connection {
        settings,
        seeds,
        control,
    } = conn;
    let mut header = Header::new("tui", now_ms(), seeds.clone());
    header.group = opts.group.clone();
    header.compose_project = control.docker.as_ref().map(|d| d.project.clone());
    header.size = crossterm::terminal::size().ok();
    header.no_color = opts.no_color;
    header.read_only = opts.read_only;
    header.outside_lab = !control.in_lab;
    header.tls = settings.link.tls.as_ref().map(TlsUse::of);
    let recorder = match &opts.record {
        Some(path) => Some(Recorder::create(path, &header)?),
        None => None,
    };
    let (tx, mut rx) = mpsc::channel::<Input>(CHANNEL);
    let link = settings.link.clone();
    let collectors = collect::start(settings, seeds, tx.clone());
    watch_collectors(collectors, tx.clone());
    watch_signals(tx.clone())?;
    let terminal = ratatui::init();
    watch_terminal(tx.clone());
    let executor = RealExecutor::new(hands, link, tx);
    let mut session = Session::new(App::for_session(&header), terminal, executor, now_ms);
    session.leave_paused = opts.leave_paused;
    session.on_suspend(crate::terminal::suspend);
    if let Some(r) = recorder {
        session.record_to(r);
    }
    let (result, lines) = run_guarded(&mut session, &mut rx, ratatui::restore).await;
    for line in lines {
        outln!("{line}");
    }
    write_stats(&session.app, opts.stats_out.as_deref());
    result?;
    Ok(0)
}

/// The collectors end only if their task fails: the session then stops (and restores).
fn watch_collectors(task: tokio::task::JoinHandle<()>, tx: Sender<Input>) {
    tokio::spawn(async move {
        let _ = task.await;
        let _ = tx
            .send(Input::new(
                now_ms(),
                InputKind::Stop(Stop::CollectorsStopped),
            ))
            .await;
    });
}

fn watch_signals(tx: Sender<Input>) -> Result<(), TuiError> {
    let watch = |kind: SignalKind, name: &'static str| {
        signal(kind).map_err(|error| TuiError::Signal { name, error })
    };
    let mut term = watch(SignalKind::terminate(), "SIGTERM")?;
    let mut hup = watch(SignalKind::hangup(), "SIGHUP")?;
    let mut int = watch(SignalKind::interrupt(), "SIGINT")?;
    tokio::spawn(async move {
        loop {
            let stop = tokio::select! {
                _ = term.recv() => Stop::Sigterm,
                _ = hup.recv() => Stop::Sighup,
                _ = int.recv() => Stop::Sigint,
            };
            if tx
                .send(Input::new(now_ms(), InputKind::Stop(stop)))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    Ok(())
}

/// Keys and resizes, stamped when read; the terminal closing or failing stops the session.
fn watch_terminal(tx: Sender<Input>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        loop {
            let kind = match events.next().await {
                Some(Ok(TermEvent::Key(k))) => match from_crossterm(&k) {
                    Some(key) => InputKind::Key(key),
                    None => continue,
                },
                Some(Ok(TermEvent::Resize(width, height))) => InputKind::Resize { width, height },
                Some(Ok(_)) => continue,
                Some(Err(e)) => InputKind::Stop(Stop::TerminalFailed(e.to_string())),
                None => InputKind::Stop(Stop::TerminalClosed),
            };
            let last = matches!(kind, InputKind::Stop(_));
            if tx.send(Input::new(now_ms(), kind)).await.is_err() || last {
                return;
            }
        }
    });
}

/// The measured figures the benchmark reads (`--stats-out`).
fn write_stats(app: &App, path: Option<&std::path::Path>) {
    let Some(path) = path else { return };
    let (lat, keys) = (&app.latency().events, &app.latency().keys);
    let stats = serde_json::json!({
        "events_drawn": lat.count(),
        "latency_p50_ms": lat.percentile(0.5),
        "latency_p99_ms": lat.percentile(0.99),
        "latency_max_ms": lat.percentile(1.0),
        "keys_drawn": keys.count(),
        "key_p50_ms": keys.percentile(0.5),
        "key_p99_ms": keys.percentile(0.99),
        "key_max_ms": keys.percentile(1.0),
    });
    // Written whole, then renamed: a reader waiting for the file never reads half of it.
    let part = path.with_extension("part");
    let written =
        std::fs::write(&part, stats.to_string()).and_then(|()| std::fs::rename(&part, path));
    if let Err(e) = written {
        eprintln!("sentui: cannot write {}: {e}", path.display());
    }
}
