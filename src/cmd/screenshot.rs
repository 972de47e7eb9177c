//! `sentui screenshot --out F.svg`: connect, collect for a moment, save the screen as SVG. The
//! inputs go through the same step as the TUI's, ticks included, so the screen is the one the
//! TUI would show at that moment.

use crate::app::App;
use crate::connection::Connection;
use crate::record::Header;
use sentui_io::collect;
use sentui_io::link::now_ms;
use sentui_model::input::Input;
use std::path::Path;
use std::time::Duration;

/// How often the TUI ticks when nothing else happens.
const TICK: Duration = Duration::from_secs(1);

pub async fn run(
    c: Connection,
    group: Option<String>,
    size: (u16, u16),
    wait: Duration,
    out: &Path,
    no_color: bool,
) -> Result<String, String> {
    let mut header = Header::new("screenshot", now_ms(), c.seeds.clone());
    header.group = group;
    header.size = Some(size);
    header.no_color = no_color;
    header.compose_project = c.control.docker.as_ref().map(|d| d.project.clone());
    let mut app = App::for_session(&header);
    let (tx, mut rx) = tokio::sync::mpsc::channel(collect::CHANNEL);
    let _collectors = collect::start(c.settings, c.seeds, tx);
    let deadline = tokio::time::Instant::now() + wait;
    let mut ticks = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            input = rx.recv() => match input {
                Some(i) => { let _ = app.step(i); }
                None => break,
            },
            _ = ticks.tick() => { let _ = app.step(Input::tick(now_ms())); }
            _ = tokio::time::sleep_until(deadline) => break,
        }
    }
    let _ = app.step(Input::tick(now_ms()));
    app.frame_drawn(now_ms());
    crate::ui::svg::write(&app, size.0, size.1, out, "sentui")
}
