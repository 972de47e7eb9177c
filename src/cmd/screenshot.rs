//! `sentui screenshot --out F.svg`: connect, collect for a moment, save the screen as SVG.

use crate::Connection;
use crate::app::{App, Event};
use sentui_io::collect;
use sentui_io::link::now_ms;
use std::path::Path;
use std::time::Duration;

pub async fn run(
    c: Connection,
    group: Option<String>,
    size: (u16, u16),
    wait: Duration,
    out: &Path,
    no_color: bool,
) -> Result<String, String> {
    let mut app = App::new(c.seeds.clone(), now_ms());
    app.only_group = group;
    app.no_color = no_color;
    app.size = size;
    app.containers = c.control.docker.is_some();
    for s in &c.seeds {
        app.live.expect_sentinel(s, app.now);
    }
    let (mut rx, _collector) = collect::start(c.settings, c.seeds);
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(u)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        app.handle(Event::Update(Box::new(u)));
    }
    app.now = now_ms();
    app.drawn(app.now);
    crate::replay::write_svg(&app, size.0, size.1, out, "sentui")
}
