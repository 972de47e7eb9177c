//! `sentui events`: the merged log as a stream of lines (text or NDJSON).

use crate::cli::EventsArgs;
use crate::logview::{json_line, text_line};
use crate::record::{Header, Recorder};
use sentui_io::collect::{self, CollectSettings};
use sentui_io::link::now_ms;
use sentui_model::Addr;
use sentui_model::state::Deployment;
use std::io::Write;
use std::path::PathBuf;

/// Exit status: 0, or 1 when `--until` was given and the event did not come within `--for`.
/// `only`: one master group's entries; `record`: the session recorded there.
pub async fn run(
    settings: CollectSettings,
    seeds: Vec<Addr>,
    args: &EventsArgs,
    only: Option<String>,
    record: Option<PathBuf>,
) -> u8 {
    let mut recorder = match &record {
        Some(path) => {
            let mut h = Header::new("events", now_ms(), seeds.clone());
            h.group = only.clone();
            h.compose_project = settings.docker.as_ref().map(|d| d.project.clone());
            match Recorder::create(path, &h) {
                Ok(r) => Some(r),
                Err(e) => {
                    eprintln!("sentui: {e}");
                    return sentui_model::EXIT_USAGE;
                }
            }
        }
        None => None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(collect::CHANNEL);
    let _collectors = collect::start(settings, seeds, tx);
    let mut d = Deployment::default();
    let mut printed = 0u64;
    let deadline = args.duration.map(|dur| tokio::time::Instant::now() + dur);
    let stdout = std::io::stdout();
    loop {
        let next = async {
            match deadline {
                Some(dl) => tokio::time::timeout_at(dl, rx.recv()).await.ok(),
                None => Some(rx.recv().await),
            }
        };
        let update = tokio::select! {
            u = next => u,
            _ = tokio::signal::ctrl_c() => return 0,
        };
        let Some(Some(input)) = update else {
            if let Some(ev) = &args.until {
                eprintln!(
                    "sentui: no {ev} within {}",
                    humantime::format_duration(args.duration.unwrap_or_default())
                );
                return 1;
            }
            return 0;
        };
        if let Some(rec) = recorder.as_mut() {
            rec.input(&input);
            if let Some(e) = rec.error.take() {
                eprintln!("sentui: {e}");
            }
        }
        d.step(input);
        let mut out = stdout.lock();
        let mut done = false;
        for e in d.log().since(printed) {
            if only
                .as_deref()
                .is_some_and(|g| e.group.as_deref().is_some_and(|eg| eg != g))
            {
                continue;
            }
            let line = if args.json {
                json_line(e)
            } else {
                text_line(e)
            };
            if writeln!(out, "{line}").is_err() {
                return 0; // stdout closed (e.g. piped into head): nothing left to do
            }
            if args.until.as_ref() == Some(&e.event) {
                done = true;
                break;
            }
        }
        let _ = out.flush();
        printed = d.log().next_seq();
        if done {
            return 0;
        }
    }
}
