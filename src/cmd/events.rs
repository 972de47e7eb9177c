//! `sentui events`: the merged log as a stream of lines (text or NDJSON).

use crate::cli::EventsArgs;
use crate::logview::{json_line, text_line};
use crate::record::{Header, Recorder};
use sentui_io::collect::{self, CollectSettings};
use sentui_io::link::now_ms;
use sentui_model::Addr;
use sentui_model::event::SentinelEvent;
use sentui_model::input::InputKind;
use sentui_model::log::Event;
use sentui_model::state::Deployment;
use sentui_model::{Reach, Update};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Exit status: 0; 1 when `--until` was given and the event did not come within `--for`; 2
/// when no sentinel was ever reached (each seed's first try failed, or none answered before
/// the end), the reasons on stderr.
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
    if let Some(warning) = args.until.as_ref().and_then(unknown_event) {
        eprintln!("sentui: {warning}");
    }
    let mut reached = Reached::new(seeds.len());
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
            _ = tokio::signal::ctrl_c() => return reached.exit_code(0),
        };
        let Some(Some(input)) = update else {
            if !reached.any() {
                return reached.exit_code(0);
            }
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
        if let InputKind::Update(u) = &input.kind
            && reached.saw(u)
        {
            return reached.exit_code(0);
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

/// What to say about an `--until` name no server this sentui knows publishes: it is waited
/// for all the same (a newer server's event), but never silently.
pub fn unknown_event(until: &Event) -> Option<String> {
    let Event::Sentinel(SentinelEvent::Other(name)) = until else {
        return None;
    };
    Some(format!(
        "--until {name}: no Redis or Valkey sentinel known to this sentui publishes that event \
(they publish +switch-master, +odown, +sdown, ...: docs/status.md); waiting for it anyway, as \
a newer server's event: --for bounds the wait"
    ))
}

/// Whether any sentinel was reached, and why the others were not.
struct Reached {
    seeds: usize,
    connected: bool,
    failed: BTreeMap<Addr, Reach>,
}

impl Reached {
    fn new(seeds: usize) -> Self {
        Reached {
            seeds,
            connected: false,
            failed: BTreeMap::new(),
        }
    }

    fn any(&self) -> bool {
        self.connected
    }

    /// Notes what an update says of a sentinel's link; true when every seed's first try
    /// failed and none was ever reached (watching on would only repeat the failures).
    fn saw(&mut self, u: &Update) -> bool {
        match u {
            Update::SentinelPolled { .. } | Update::PubSub { up: true, .. } => {
                self.connected = true
            }
            Update::SentinelReach {
                sentinel, reach, ..
            } if !reach.is_ok() => {
                self.failed.insert(sentinel.clone(), reach.clone());
            }
            _ => {}
        }
        !self.connected && self.failed.len() >= self.seeds
    }

    /// `ok` once a sentinel was reached; else 2, the reasons on stderr.
    fn exit_code(&self, ok: u8) -> u8 {
        if self.connected {
            return ok;
        }
        let now = now_ms();
        eprintln!("sentui: events: no sentinel could be reached");
        for (s, reach) in &self.failed {
            eprintln!("sentui: sentinel {s}: {}", reach.describe(now));
        }
        2
    }
}
