//! Every panel and view drawn at the sizes a new user tries, from a Docker Compose lab with a
//! long project name (`newbie1-redis-replica-1`, containers `newbie1-sentinel-2-1`) and long
//! payloads (a container id, a long Docker event), through a whole failover. What is checked on
//! every screen:
//! - every name the deployment holds appears whole or in its deliberate short form
//!   (`…replica-1`), and every elided form stands for exactly one name: no two names alike;
//! - nothing else is cut with `…` but whole words at a row's end, a run id's head;
//! - event names are never cut (every `+`/`-` word is a known event);
//! - no word is split by wrapping: a piece of a word too long for its line ends with `↵`.

mod common;

use common::scenario::{self, COMPOSE_NAMES, FREEZE, compose_addr};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sentui::app::{App, Mode, Setup};
use sentui::ui::names::{ELIDED, Names, is_form_of};
use sentui_model::event::SentinelEvent;
use sentui_model::input::{Input, Key, KeyCode};
use sentui_model::log::{Event, OwnEvent};

fn own(e: &Event) -> Option<OwnEvent> {
    match e {
        Event::Own(o) => Some(*o),
        _ => None,
    }
}
use std::collections::BTreeSet;

const SIZES: [(u16, u16); 4] = [(80, 24), (100, 30), (120, 36), (160, 48)];
const PROMOTED_AT: u64 = 1795577722000;

fn app(until: u64, now: u64) -> App {
    let seeds = ["127.0.0.1:26380", "127.0.0.1:26381", "127.0.0.1:26382"]
        .map(compose_addr)
        .to_vec();
    App::new(Setup::new(seeds, FREEZE - 60_000))
        .with_deployment(scenario::compose_failover(until), now)
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| sentui::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn press(app: &mut App, code: KeyCode) {
    let at = app.now();
    app.step(Input::key(at, Key::new(code)));
}

/// What a name looks like on screen: letters, digits and the characters names are made of.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ELIDED | '+' | ':' | '↵')
}

fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !is_name_char(c))
        .filter(|t| !t.is_empty())
}

/// `host:port` or a host, without its port.
fn host_of(token: &str) -> &str {
    token.split(':').next().unwrap_or(token)
}

/// Everything the model holds that is a name: hosts and container names.
fn names() -> Vec<String> {
    let mut out: Vec<String> = COMPOSE_NAMES
        .iter()
        .map(|(_, h, _)| h.to_string())
        .collect();
    out.extend(COMPOSE_NAMES.iter().map(|(_, h, _)| format!("{h}-1")));
    out
}

/// Every whole word the screen could show: names, event names, payload words.
fn known_words(app: &App) -> BTreeSet<String> {
    let mut words: BTreeSet<String> = names().into_iter().collect();
    for e in app.shown().log().in_time_order() {
        words.insert(e.event.name().to_string());
        words.extend(tokens(&e.payload).map(String::from));
    }
    words
}

struct Checked<'a> {
    what: &'a str,
    w: u16,
    h: u16,
    screen: &'a str,
}

impl Checked<'_> {
    fn fail(&self, why: String) -> ! {
        panic!(
            "{} at {}x{}: {why}\n{}",
            self.what, self.w, self.h, self.screen
        )
    }

    /// Each `…` form stands for exactly one name; nothing else is cut but a row's last words
    /// (`…` alone) or a run id's head.
    fn elisions(&self) {
        let names = names();
        for line in self.screen.lines() {
            for t in tokens(line).filter(|t| t.contains(ELIDED)) {
                let t = t.trim_end_matches(':');
                if t == "…" {
                    continue;
                }
                let host = host_of(t);
                let matching: Vec<&String> = names.iter().filter(|n| is_form_of(host, n)).collect();
                let run_id_head = host
                    .strip_suffix(ELIDED)
                    .is_some_and(|h| h.len() >= 8 && h.chars().all(|c| c.is_ascii_hexdigit()));
                match matching.len() {
                    1 => {}
                    0 if run_id_head => {}
                    0 => self.fail(format!("'{t}' is cut, and is no deliberate form of a name")),
                    _ => self.fail(format!("'{t}' could be any of {matching:?}")),
                }
            }
        }
    }

    /// No name is cut silently (a table cell that ends mid-name: `newbie1-sentinel-`).
    fn no_silent_cuts(&self) {
        let names = names();
        for t in tokens(self.screen) {
            let host = host_of(t);
            if !host.contains('-') || names.iter().any(|n| n == host) || host.contains(ELIDED) {
                continue;
            }
            if let Some(n) = names.iter().find(|n| n.starts_with(host)) {
                self.fail(format!("'{t}' is {n} cut without a mark"));
            }
        }
    }

    /// Every name appears, whole or short.
    fn every_name(&self, names: &[&str]) {
        let shown: Vec<&str> = tokens(self.screen).map(host_of).collect();
        for n in names {
            if !shown.iter().any(|t| is_form_of(t, n)) {
                self.fail(format!("{n} is not on the screen, whole or short"));
            }
        }
    }

    /// Every event-like word is a whole known event name.
    fn events_whole(&self) {
        for t in tokens(self.screen) {
            let looks_like_event = (t.starts_with('+') || t.starts_with('-'))
                && t[1..].starts_with(|c: char| c.is_ascii_lowercase());
            if looks_like_event && matches!(SentinelEvent::parse(t), SentinelEvent::Other(_)) {
                self.fail(format!("'{t}' is no event name: cut?"));
            }
        }
    }

    /// No word is split across two lines of a panel without the mark.
    fn no_split_words(&self, known: &BTreeSet<String>) {
        let lines: Vec<Vec<&str>> = self
            .screen
            .lines()
            .map(|l| l.split('│').collect())
            .collect();
        for pair in lines.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.len() != b.len() {
                continue;
            }
            for (sa, sb) in a.iter().zip(b.iter()) {
                let (Some(last), Some(first)) =
                    (sa.split_whitespace().last(), sb.split_whitespace().next())
                else {
                    continue;
                };
                if last.ends_with('↵') {
                    continue;
                }
                let joined = format!("{last}{first}");
                if known.contains(&joined) && !known.contains(last) {
                    self.fail(format!("'{joined}' is split as '{last}' / '{first}'"));
                }
            }
        }
    }
}

/// The screens, for a reader to look at (trailing spaces trimmed).
fn snapshots(name: &str, app: &App) {
    for (w, h) in SIZES {
        let s: Vec<String> = screen(app, w, h)
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), s.join("\n"));
    }
}

fn check(what: &str, app: &App, every_name: &[&str]) {
    let known = known_words(app);
    for (w, h) in SIZES {
        let s = screen(app, w, h);
        let c = Checked {
            what,
            w,
            h,
            screen: &s,
        };
        c.elisions();
        c.no_silent_cuts();
        c.every_name(every_name);
        c.events_whole();
        c.no_split_words(&known);
    }
}

const HOSTS: [&str; 6] = [
    "newbie1-redis-master",
    "newbie1-redis-replica-1",
    "newbie1-redis-replica-2",
    "newbie1-sentinel-1",
    "newbie1-sentinel-2",
    "newbie1-sentinel-3",
];

#[test]
fn the_short_forms_are_distinct_and_shorter() {
    let d = scenario::compose_failover(PROMOTED_AT);
    let names = Names::of(&d);
    let short: Vec<(&str, &str)> = names.shortened().collect();
    assert!(!short.is_empty(), "long names are shortened where narrow");
    let forms: BTreeSet<&str> = short.iter().map(|(_, s)| *s).collect();
    assert_eq!(forms.len(), short.len(), "{short:?}");
    for (n, s) in &short {
        assert!(s.chars().count() < n.chars().count());
        assert!(is_form_of(s, n), "{s} is a form of {n}");
    }
}

#[test]
fn every_stage_of_a_failover_on_the_overview_and_the_cluster_page() {
    for (stage, until, now) in [
        ("steady", FREEZE - 1000, FREEZE - 1000),
        ("election", 1795577719339, 1795577719400),
        ("promoted", PROMOTED_AT, PROMOTED_AT),
    ] {
        let mut app = app(until, now);
        check(&format!("{stage}, overview"), &app, &HOSTS);
        snapshots(&format!("compose_{stage}"), &app);
        app.step(Input::key(now, Key::char('v')));
        check(&format!("{stage}, cluster page"), &app, &HOSTS);
        snapshots(&format!("compose_{stage}_cluster"), &app);
    }
}

#[test]
fn every_log_row_selected_and_opened() {
    let mut app = app(PROMOTED_AT, PROMOTED_AT);
    app.step(Input::key(PROMOTED_AT, Key::char('e')));
    assert!(app.in_mode(Mode::LogFocus));
    let rows = app.log_rows().len();
    let mut opened_complete = false;
    for _ in 0..rows {
        press(&mut app, KeyCode::Up);
        check("the log, a row selected", &app, &[]);
        let seq = app.log_cursor().unwrap();
        let event = app.shown().log().get(seq).unwrap().event.clone();
        if own(&event) == Some(OwnEvent::FailoverComplete) {
            snapshots("compose_failover_complete_selected", &app);
        }
        let long = matches!(
            own(&event),
            Some(OwnEvent::FailoverComplete | OwnEvent::ContainerPause)
        );
        if long {
            press(&mut app, KeyCode::Enter);
            check(&format!("details of {event}"), &app, &[]);
            if own(&event) == Some(OwnEvent::FailoverComplete) {
                opened_complete = true;
                snapshots("compose_failover_complete_details", &app);
                for (w, h) in SIZES {
                    let s = screen(&app, w, h);
                    for phase in [
                        "+elected-leader",
                        "+selected-slave",
                        "+promoted-slave",
                        "+switch-master",
                    ] {
                        assert!(s.contains(phase), "{w}x{h}: {phase} whole:\n{s}");
                    }
                }
            }
            press(&mut app, KeyCode::Esc);
        }
    }
    assert!(opened_complete, "the failover-complete entry was opened");
}

#[test]
fn node_and_sentinel_details() {
    let mut app = app(PROMOTED_AT, PROMOTED_AT);
    for _ in 0..6 {
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        check("an endpoint's details", &app, &[]);
        press(&mut app, KeyCode::Esc);
    }
}

#[test]
fn the_widest_event_name_is_whole_at_every_size() {
    let mut app = app(PROMOTED_AT, PROMOTED_AT);
    app.step(Input::key(PROMOTED_AT, Key::char('e')));
    let widest = "+failover-state-send-slaveof-noone";
    let mut seen = BTreeSet::new();
    for _ in 0..app.log_rows().len() {
        press(&mut app, KeyCode::Up);
        for (w, h) in SIZES {
            if screen(&app, w, h).contains(widest) {
                seen.insert((w, h));
            }
        }
    }
    assert_eq!(
        seen.len(),
        SIZES.len(),
        "{widest} whole at every size: {seen:?}"
    );
}

/// `status` on a terminal of 80 or 100 columns: no line is wider, no word is split (a line
/// ends where a word ends), and the flags read as the TUI says them (`sdown`, not `s_down`).
#[test]
fn status_fits_the_terminal_by_whole_words() {
    use sentui::cmd::status::StatusReport;
    use sentui::deployment_name::DeploymentName;
    for (until, now) in [
        (FREEZE - 1000, FREEZE - 1000),
        (1795577719339, 1795577719400),
    ] {
        let mut d = scenario::compose_failover(until);
        // The sentinels' next polls flag the master down.
        for u in scenario::election_polled_updates(now) {
            if until > FREEZE {
                d.apply(scenario::renamed(&u));
            }
        }
        let seeds = vec![compose_addr("127.0.0.1:26380")];
        let report = StatusReport::new(
            DeploymentName::new(Some("newbie1".into()), seeds),
            &d,
            None,
            now,
        );
        let wide = report.to_text(None);
        let known: BTreeSet<String> = tokens(&wide).map(String::from).collect();
        for width in [80usize, 100] {
            let text = report.to_text(Some(width));
            let lines: Vec<&str> = text.lines().collect();
            for l in &lines {
                assert!(
                    l.chars().count() <= width,
                    "{width}: '{l}' is wider:\n{text}"
                );
            }
            let c = Checked {
                what: "status",
                w: width as u16,
                h: 0,
                screen: &text,
            };
            c.no_split_words(&known);
            c.no_silent_cuts();
            if std::env::var_os("SHOW_STATUS").is_some() {
                println!("{text}");
            }
            if until > FREEZE {
                assert!(text.contains("sdown odown"), "{text}");
            }
            assert!(!text.contains("s_down"), "{text}");
        }
    }
}

/// A message longer than the footer wraps there by word, and stays whole in the log (source
/// sentui, event `message`/`error`) after the footer moves on.
#[test]
fn footer_messages_wrap_and_last_in_the_log() {
    let mut app = app(PROMOTED_AT, PROMOTED_AT);
    let text = "partitioning needs the Docker lab's networks (--compose-project): local processes \
share this machine's network with every other node and sentinel, so nothing can cut one off \
while clients still reach it";
    app.step(Input {
        at: PROMOTED_AT,
        kind: sentui_model::input::InputKind::Notice {
            text: text.into(),
            error: true,
        },
    });
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        let words: Vec<&str> = s
            .lines()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .flat_map(|l| l.split_whitespace())
            .collect();
        let footer = words.join(" ");
        assert!(
            footer.contains(text) || footer.contains("(whole in the log: e)"),
            "{w}x{h}: the footer holds the whole message, or says where it is:\n{s}"
        );
        assert!(s.lines().last().unwrap().contains("q quit"), "{s}");
    }
    let logged = app
        .live()
        .log()
        .in_time_order()
        .into_iter()
        .find(|e| own(&e.event) == Some(OwnEvent::Error))
        .expect("the message is in the log");
    assert_eq!(logged.payload, text);
    // Long after the footer let go of it, the log still has it.
    app.step(Input::tick(PROMOTED_AT + 60_000));
    assert!(app.status().is_none_or(|s| !s.shown_at(app.now())));
    assert!(app.log_rows().iter().any(|r| r.first.payload == text));
}
