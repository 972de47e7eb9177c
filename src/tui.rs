//! The terminal UI runtime: the one place that awaits. Collector updates, keys, ticks, signals
//! and action results become `app::Event`s; the app returns `Command`s, run here off the UI path.
//! The terminal is restored on quit, on error, on panic and on SIGTERM.

use crate::app::{ActionResult, App, Command, Event};
use crate::record::{Header, Record, Recorder};
use crate::ui;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use sentui_io::collect::{self, CollectSettings};
use sentui_io::control::Controller;
use sentui_io::link::LinkSettings;
use sentui_io::link::now_ms;
use sentui_model::Addr;
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

pub struct TuiOptions {
    pub group: Option<String>,
    pub leave_paused: bool,
    pub read_only: bool,
    pub no_color: bool,
    pub stats_out: Option<std::path::PathBuf>,
    /// Record the session (NDJSON) here.
    pub record: Option<std::path::PathBuf>,
}

/// Restores the terminal however the UI ends (return, `?`, panic unwinding).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Redraws are coalesced to at most one per this interval.
const MIN_FRAME: Duration = Duration::from_millis(16);
/// Updates that add nothing to the log (polls, INFO) are drawn at most this often.
const CALM_FRAME: Duration = Duration::from_millis(500);

pub async fn run(
    settings: CollectSettings,
    seeds: Vec<Addr>,
    control: Controller,
    opts: TuiOptions,
) -> Result<u8, String> {
    if !std::io::stdout().is_terminal() {
        return Err(
            "the terminal UI needs a terminal; for scripts use `sentui status` or `sentui events`"
                .into(),
        );
    }
    let link = settings.link.clone();
    let mut app = App::new(seeds.clone(), now_ms());
    app.only_group = opts.group;
    app.read_only = opts.read_only;
    app.containers = control.docker.is_some();
    app.no_color = opts.no_color;
    for s in &seeds {
        app.live.expect_sentinel(s, app.now);
    }
    let seeds_for_header = seeds.clone();
    let (mut updates, _collector) = collect::start(settings, seeds);
    let (done_tx, mut done_rx) = mpsc::channel::<ActionResult>(64);
    let (probe_tx, mut probe_rx) = mpsc::channel::<sentui_model::Update>(4096);
    let mut probe = ProbeTasks::default();
    let mut term_events = EventStream::new();
    let mut sigterm =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    let mut sighup =
        signal(SignalKind::hangup()).map_err(|e| format!("cannot watch SIGHUP: {e}"))?;

    let mut recorder = match &opts.record {
        Some(path) => {
            let mut h = Header::new("tui", app.now, seeds_for_header);
            h.group = app.only_group.clone();
            h.compose_project = control.docker.as_ref().map(|d| d.project.clone());
            h.size = crossterm::terminal::size().ok();
            Some(Recorder::create(path, &h)?)
        }
        None => None,
    };
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    let mut dirty = true;
    // Polls changed numbers on screen, but nothing that must show at once.
    let mut calm_dirty = false;
    let mut last_draw = tokio::time::Instant::now() - MIN_FRAME;
    // The oldest key press not yet on screen.
    let mut key_at: Option<Instant> = None;
    loop {
        if calm_dirty && last_draw.elapsed() >= CALM_FRAME {
            dirty = true;
        }
        if dirty && last_draw.elapsed() >= MIN_FRAME {
            app.now = now_ms();
            terminal
                .draw(|f| ui::draw(f, &app))
                .map_err(|e| format!("drawing failed: {e}"))?;
            app.drawn(now_ms());
            if let Some(t) = key_at.take() {
                app.key_latency.record([t.elapsed().as_millis() as u64]);
            }
            if let Some(rec) = recorder.as_mut() {
                rec.frame(now_ms(), app.live.log.next_seq());
            }
            last_draw = tokio::time::Instant::now();
            dirty = false;
            calm_dirty = false;
        }
        let tick = if dirty {
            MIN_FRAME.saturating_sub(last_draw.elapsed())
        } else if calm_dirty {
            CALM_FRAME.saturating_sub(last_draw.elapsed())
        } else if app.needs_fast_tick() {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(1)
        };
        let mut commands = Vec::new();
        let logged = app.live.log.next_seq();
        tokio::select! {
            u = updates.recv() => {
                let Some(u) = u else { return Err("the collectors stopped".into()) };
                if let Some(rec) = recorder.as_mut() {
                    rec.update(now_ms(), &u);
                }
                commands.extend(app.handle(Event::Update(Box::new(u))));
                // Take everything already queued before drawing once.
                for _ in 0..1024 {
                    match updates.try_recv() {
                        Ok(u) => {
                            if let Some(rec) = recorder.as_mut() {
                                rec.update(now_ms(), &u);
                            }
                            commands.extend(app.handle(Event::Update(Box::new(u))))
                        }
                        Err(_) => break,
                    }
                }
                calm_dirty = true;
            }
            ev = term_events.next() => {
                match ev {
                    Some(Ok(TermEvent::Key(k))) => {
                        key_at.get_or_insert_with(Instant::now);
                        if let Some(rec) = recorder.as_mut() {
                            rec.record(&Record::Key { t: now_ms(), key: k });
                        }
                        commands.extend(app.handle(Event::Key(k)))
                    }
                    Some(Ok(TermEvent::Resize(w, h))) => {
                        if let Some(rec) = recorder.as_mut() {
                            rec.record(&Record::Resize { t: now_ms(), width: w, height: h });
                        }
                        app.handle(Event::Resize(w, h));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(format!("reading the terminal failed: {e}")),
                    None => app.quit = true,
                }
                dirty = true;
            }
            r = done_rx.recv() => {
                if let Some(r) = r {
                    if let Some(rec) = recorder.as_mut() {
                        rec.record(&Record::Action { t: now_ms(), result: r.clone() });
                    }
                    app.handle(Event::Done(r));
                }
                dirty = true;
            }
            _ = tokio::time::sleep(tick) => {
                app.handle(Event::Tick(now_ms()));
                dirty = true;
            }
            _ = sigterm.recv() => app.quit = true,
            _ = sighup.recv() => app.quit = true,
            Some(u) = probe_rx.recv() => {
                if let Some(rec) = recorder.as_mut() {
                    rec.update(now_ms(), &u);
                }
                app.handle(Event::Update(Box::new(u)));
                calm_dirty = true;
            }
        }
        // New log entries, from any source, are drawn at once (the latency target); other
        // changes calmly.
        if app.live.log.next_seq() != logged {
            dirty = true;
        }
        if let Some(e) = recorder.as_mut().and_then(|r| r.error.take()) {
            app.handle(Event::Done(ActionResult {
                command: Command::Screenshot,
                result: Err(e),
            }));
        }
        for c in commands {
            // Screenshots and the probe answer at once, from here; the rest runs off the loop.
            let immediate = if c == Command::Screenshot {
                Some(screenshot_now(&app))
            } else {
                probe.command(&c, &link, &probe_tx)
            };
            if let Some(result) = immediate {
                let r = ActionResult { command: c, result };
                if let Some(rec) = recorder.as_mut() {
                    rec.record(&Record::Action {
                        t: now_ms(),
                        result: r.clone(),
                    });
                }
                app.handle(Event::Done(r));
                dirty = true;
                continue;
            }
            let tx = done_tx.clone();
            let (control, link) = (control.clone(), link.clone());
            tokio::spawn(async move {
                let result = execute(&c, &control, &link).await;
                let _ = tx.send(ActionResult { command: c, result }).await;
            });
        }
        if app.quit {
            break;
        }
    }
    drop(_guard);
    probe.finish().await;
    if let Some(path) = &opts.stats_out {
        let lat = &app.latency;
        let stats = serde_json::json!({
            "events_drawn": lat.count(),
            "latency_p50_ms": lat.percentile(0.5),
            "latency_p99_ms": lat.percentile(0.99),
            "latency_max_ms": lat.percentile(1.0),
            "keys_drawn": app.key_latency.count(),
            "key_p50_ms": app.key_latency.percentile(0.5),
            "key_p99_ms": app.key_latency.percentile(0.99),
            "key_max_ms": app.key_latency.percentile(1.0),
        });
        if let Err(e) = std::fs::write(path, stats.to_string()) {
            eprintln!("sentui: cannot write {}: {e}", path.display());
        }
    }
    // Nothing an action did is left behind silently.
    for (a, done) in app.still_changed() {
        if opts.leave_paused {
            outln!("left {} as asked (--leave-paused): {a}", done.verb());
            continue;
        }
        let Some(undo) = done.undo() else { continue };
        match control.apply(undo, &a).await {
            Ok(e) => outln!(
                "{} ({} by sentui during this session)",
                e.describe(),
                done.verb()
            ),
            Err(e) => eprintln!("sentui: could not undo on {a}: {e}"),
        }
    }
    Ok(0)
}

/// Writes the current screen as SVG into the working directory (or SENTUI_SCREENSHOT_DIR).
fn screenshot_now(app: &App) -> Result<String, String> {
    let dir = std::env::var_os("SENTUI_SCREENSHOT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".".into());
    let path = dir.join(format!("sentui-{}.svg", now_ms()));
    let (w, h) = app.size;
    crate::replay::write_svg(app, w, h, &path, "sentui")
        .map(|_| format!("screenshot saved: {}", path.display()))
}

/// The write probe the TUI runs (`w`), and the one stopped that still reads back.
#[derive(Default)]
struct ProbeTasks {
    running: Option<sentui_io::probe::ProbeHandle>,
    stopping: Option<sentui_io::probe::ProbeHandle>,
}

impl ProbeTasks {
    /// Carries out a probe command (None: not one).
    fn command(
        &mut self,
        c: &Command,
        link: &LinkSettings,
        tx: &mpsc::Sender<sentui_model::Update>,
    ) -> Option<Result<String, String>> {
        use sentui_io::probe;
        match c {
            Command::StartProbe { group, sentinels } => {
                if self.running.is_some() {
                    return Some(Err("the probe is already running".into()));
                }
                let cfg = probe::ProbeConfig::new(
                    link.clone(),
                    sentinels.clone(),
                    group.clone(),
                    probe::DEFAULT_RATE,
                );
                let msg = format!(
                    "probe writing {} keys/s to {group} (sentui:probe:{}:N); w stops it",
                    cfg.rate, cfg.run_id
                );
                self.running = Some(probe::spawn(cfg, tx.clone()));
                Some(Ok(msg))
            }
            Command::StopProbe => {
                let Some(h) = self.running.take() else {
                    return Some(Err("the probe is not running".into()));
                };
                h.stop();
                self.stopping = Some(h);
                Some(Ok(
                    "probe stopped: reading back its acknowledged writes".into()
                ))
            }
            _ => None,
        }
    }

    /// On quit: stop the probe and give its read-back and clean-up a moment.
    async fn finish(self) {
        for h in self.running.into_iter().chain(self.stopping) {
            h.finish(Duration::from_secs(3)).await;
        }
    }
}

async fn execute(c: &Command, control: &Controller, link: &LinkSettings) -> Result<String, String> {
    match c {
        Command::Control { action, addr } => {
            control.apply(*action, addr).await.map(|e| e.describe())
        }
        Command::Screenshot => Err("screenshots are taken by the UI loop".into()),
        Command::Failover { group, sentinels } => {
            sentui_io::control::failover::failover_via(link, sentinels, group).await
        }
        Command::StartProbe { .. } | Command::StopProbe => Err("internal: probe command".into()),
    }
}
