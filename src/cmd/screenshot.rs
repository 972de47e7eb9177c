//! `sentui screenshot --out F.svg`: connect, collect for a moment, save the screen as SVG. The
//! inputs go through the same step as the TUI's, ticks included, so the screen is the one the
//! TUI would show at that moment.

use crate::app::App;
use crate::cli::ScreenshotArgs;
use crate::connection::Connection;
use crate::record::Header;
use sentui_io::collect;
use sentui_io::link::now_ms;
use sentui_model::input::Input;
use std::time::Duration;

/// How often the TUI ticks when nothing else happens.
const TICK: Duration = Duration::from_secs(1);

pub async fn run(
    c: Connection,
    group: Option<String>,
    args: &ScreenshotArgs,
    no_color: bool,
) -> u8 {
    let app = collect_for(c, group, args.size, args.wait, no_color).await;
    let (w, h) = args.size;
    match crate::ui::svg::write(&app, w, h, &args.out, "sentui") {
        Ok(msg) => {
            outln!("{msg}");
            0
        }
        Err(e) => super::fail(e),
    }
}

/// The App as the TUI would hold it after collecting for `wait`, its frame drawn.
async fn collect_for(
    c: Connection,
    group: Option<String>,
    size: (u16, u16),
    wait: Duration,
    no_color: bool,
) -> App {
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
    app
}
