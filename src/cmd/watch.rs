//! `sentui status --watch [INTERVAL]`: a snapshot every INTERVAL until Ctrl-C (or SIGTERM).
//! On a terminal each one is drawn in place (home, clear); otherwise they follow one another,
//! each under a line that says when it was taken (JSON: one object a line). The exit status
//! is the last snapshot's health.

use super::status::{StatusReport, report};
use crate::connection::Connection;
use sentui_model::time::date_time;
use std::io::IsTerminal;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

pub async fn run(
    c: &Connection,
    group: Option<&str>,
    json: bool,
    wide: bool,
    processes: bool,
    every: Duration,
) -> u8 {
    let tty = std::io::stdout().is_terminal();
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => return super::fail(format!("cannot watch SIGTERM: {e}")),
    };
    let mut last = None;
    for n in 1u64.. {
        let r = report(c, group, processes).await;
        print(&r, n, json, tty, wide, every);
        last = Some(r.exit_code());
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
        }
    }
    if tty && !json {
        // The prompt comes back below the last snapshot, not over it.
        outln!();
    }
    last.unwrap_or(sentui_model::EXIT_USAGE)
}

fn print(r: &StatusReport, n: u64, json: bool, tty: bool, wide: bool, every: Duration) {
    if json {
        match serde_json::to_string(r) {
            Ok(s) => outln!("{s}"),
            Err(e) => eprintln!("sentui: {e}"),
        }
        return;
    }
    let title = format!(
        "sentui status, every {}: snapshot {n} at {}",
        humantime::format_duration(every),
        date_time(r.ts)
    );
    // The terminal's width is read again for each snapshot: a resized window is fitted.
    let width = super::status::text_width(wide);
    if tty {
        // Home and clear: the snapshot replaces the one before, as `watch` does.
        out!(
            "\x1b[H\x1b[2J{title} (Ctrl-C stops)\n\n{}",
            r.to_text_with_errors(width)
        );
    } else {
        out!("=== {title} ===\n{}\n", r.to_text_with_errors(width));
    }
}
