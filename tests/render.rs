//! Render tests: the whole screen drawn into ratatui's TestBackend from deployments built of
//! captured replies, at each stage of a failover and at four terminal sizes, compared with
//! insta snapshots; and at every size what must never be cut (flags, roles, states, the
//! footer's `? help` and `q quit`) checked outright. Time is fixed, so nothing volatile needs
//! redacting.

mod common;

use common::scenario::{self, FREEZE, addr};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sentui::app::{App, Setup};
use sentui_model::input::{Input, Key, KeyCode};
use sentui_model::state::Deployment;

fn app_for(d: Deployment, now: u64) -> App {
    app_set(setup(), d, now)
}

fn setup() -> Setup {
    Setup::new(
        scenario::SENTINELS.iter().map(|s| addr(s)).collect(),
        FREEZE - 60_000,
    )
}

fn app_set(setup: Setup, d: Deployment, now: u64) -> App {
    App::new(setup).with_deployment(d, now)
}

fn key(at: u64, code: KeyCode) -> Input {
    Input::key(at, Key::new(code))
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| sentui::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sizes a new user tries: the classic terminal, two common windows, a large one.
const SIZES: [(u16, u16); 4] = [(80, 24), (100, 30), (120, 36), (160, 48)];

fn all_sizes(name: &str, app: &App) {
    for (w, h) in SIZES {
        let s = screen(app, w, h);
        nothing_critical_cut(&s, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), s);
    }
}

/// The screen without the event log's rows (whose payloads may be cut: the selected row and
/// Enter show them whole).
fn outside_the_log(s: &str) -> String {
    let mut span: Option<(usize, usize)> = None;
    let mut out = Vec::new();
    for line in s.lines() {
        let chars: Vec<char> = line.chars().collect();
        if let Some(start) = line.find("┌ Events").map(|b| line[..b].chars().count()) {
            let end = (start + 1..chars.len())
                .find(|&i| chars[i] == '┐')
                .unwrap_or(chars.len() - 1);
            span = Some((start, end));
            out.push(line.to_string());
            continue;
        }
        match span {
            Some((a, b)) if chars.len() > a => {
                let kept: String = chars
                    .iter()
                    .enumerate()
                    .map(|(i, c)| if i > a && i < b { ' ' } else { *c })
                    .collect();
                if chars.get(a) == Some(&'└') {
                    span = None;
                }
                out.push(kept);
            }
            _ => out.push(line.to_string()),
        }
    }
    out.join("\n")
}

/// What the screen must keep whole at any size: the footer's way to help and out, flags,
/// roles and states as words, never their first letters.
fn nothing_critical_cut(s: &str, w: u16, h: u16) {
    let footer = s.lines().last().unwrap_or_default();
    let s = &outside_the_log(s);
    assert!(
        footer.contains("? help") && footer.contains("q quit"),
        "{w}x{h}: the footer keeps ? help and q quit: {footer}"
    );
    for cut in [
        "s_do",
        "o_do",
        "[s_",
        "(reports role ma…",
        "unrespons…",
        "PAUS…",
        "replic…",
        "mast…",
        "sdow…",
        "odow…",
        "failov…",
    ] {
        assert!(!s.contains(cut), "{w}x{h}: '{cut}' is cut:\n{s}");
    }
}

#[test]
fn steady_state() {
    let app = app_for(scenario::steady(FREEZE - 2000), FREEZE - 1000);
    let s = screen(&app, 80, 24);
    assert!(s.contains("★ 127.0.0.1:16379"));
    assert!(s.contains("├─up──▶ 127.0.0.1:16380"));
    all_sizes("steady", &app);
}

/// Each node's server and version, where the topology rows have room for it.
#[test]
fn server_versions_where_they_fit() {
    let mut d = Deployment::default();
    for mut u in scenario::steady_updates(FREEZE - 2000) {
        if let sentui_model::Update::NodeInfo { info, .. } = &mut u {
            info.server = Some(sentui_model::info::ServerVersion {
                name: "valkey".into(),
                version: "8.1.1".into(),
            });
        }
        d.apply(u);
    }
    let app = app_for(d, FREEZE - 1000);
    let wide = screen(&app, 160, 45);
    assert_eq!(wide.matches("valkey 8.1.1").count(), 3, "{wide}");
    let narrow = screen(&app, 80, 24);
    assert!(narrow.contains("★ 127.0.0.1:16379"), "{narrow}");
    assert!(narrow.contains("├─up──▶ 127.0.0.1:16380"), "{narrow}");
}

#[test]
fn master_unresponsive() {
    let app = app_for(scenario::master_unresponsive(), FREEZE + 800);
    let s = screen(&app, 80, 24);
    assert!(s.contains("unresponsive 800ms"), "{s}");
    all_sizes("unresponsive", &app);
}

#[test]
fn odown() {
    let app = app_for(scenario::odown(), 1795577719250);
    let s = screen(&app, 160, 45);
    assert!(s.contains("FAILOVER IN PROGRESS"), "{s}");
    assert!(s.contains("+odown"));
    all_sizes("odown", &app);
}

#[test]
fn election() {
    let app = app_for(scenario::election(), 1795577719400);
    let s = screen(&app, 160, 45);
    assert!(s.contains("epoch 1"), "{s}");
    assert!(s.contains("leader :26380"), "{s}");
    all_sizes("election", &app);
}

#[test]
fn election_as_polled_keeps_flags_whole() {
    let app = app_for(scenario::election_polled(), 1795577719400);
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(
            s.contains("sdown odown"),
            "{w}x{h}: the flags as words:\n{s}"
        );
    }
    all_sizes("election_polled", &app);
}

#[test]
fn too_few_sentinels_answer_to_fail_over() {
    let mut app = app_for(scenario::quorum_lost(), FREEZE);
    let paused = addr("127.0.0.1:26381");
    while app.selected_addr() != Some(paused.clone()) {
        let before = app.selected_addr();
        app.step(key(FREEZE, KeyCode::Down));
        assert_ne!(app.selected_addr(), before, "{paused} is never selected");
    }
    for (w, h) in SIZES {
        let s = screen(&app, w, h);
        assert!(
            s.contains(
                "BLOCKED — objective down out of reach: 1 of 3 sentinels can see the master"
            ),
            "{w}x{h}:\n{s}"
        );
        assert!(
            s.contains("p resume"),
            "{w}x{h}: p resumes the paused sentinel:\n{s}"
        );
    }
    all_sizes("quorum_lost", &app);
}

#[test]
fn promoted() {
    let app = app_for(scenario::promoted(), 1795577722000);
    let s = screen(&app, 160, 45);
    assert!(s.contains("★ 127.0.0.1:16380"), "{s}");
    assert!(
        s.contains("done in"),
        "the stopwatch stays after the end: {s}"
    );
    assert!(s.contains("+switch-master"));
    all_sizes("promoted", &app);
}

/// Valkey 9.1 right after a completed failover: the new master `+sdown` for 55 ms, then
/// `-sdown`. The pane keeps the failover it measured; the blip is a note under it.
#[test]
fn a_blip_after_a_completed_failover_is_a_note_not_a_replacement() {
    let mut d = scenario::promoted();
    let at = 1795577730000;
    for (dt, event) in [(0, "+sdown"), (55, "-sdown")] {
        d.apply(sentui_model::Update::SentinelEvent {
            sentinel: addr("127.0.0.1:26380"),
            at: at + dt,
            event: event.into(),
            payload: "master mymaster 127.0.0.1 16380".into(),
        });
    }
    let sw = &d.stopwatches()["mymaster"];
    assert!(sw.last().unwrap().outcome == Some(sentui_model::stopwatch::Outcome::Recovered));
    let app = app_for(d, at + 15_000);
    for (w, h) in [(120, 36), (160, 48)] {
        let s = screen(&app, w, h);
        assert!(
            s.contains("done in"),
            "{w}x{h}: the completed failover stays:\n{s}"
        );
        assert!(s.contains("+switch-master"), "{w}x{h}:\n{s}");
        assert!(
            s.contains("blip: +sdown for 55 ms"),
            "{w}x{h}: the blip is a note:\n{s}"
        );
        assert!(!s.contains("master came back\n"), "{w}x{h}:\n{s}");
    }
}

/// Started at epoch 3: the panes say what can be known of the failovers before sentui
/// started, and since when the master has been one, instead of denying them.
#[test]
fn history_before_sentui_started_is_acknowledged() {
    let at = FREEZE - 2000;
    let mut d = Deployment::default();
    for mut u in scenario::steady_updates(at) {
        if let sentui_model::Update::SentinelPolled { poll, .. } = &mut u {
            for g in &mut poll.groups {
                g.master.config_epoch = 3;
            }
        }
        d.apply(u);
    }
    // The fixture's sentinels saw the master report its role 8.86 s before their poll.
    assert_eq!(d.master_since("mymaster"), Some(at - 8_860));
    let app = app_for(d, at + 60_000);
    for (w, h) in [(120, 36), (160, 48)] {
        let s = screen(&app, w, h);
        for said in [
            "epoch 3: up to 3 failovers",
            "before sentui started (not seen)",
            "no election since sentui started",
            "(epoch 3 was before it)",
            // The same "at least" as the header: sentui watched it longer than the replies say.
            "for 1m58s at least",
            "(master for ≥1m58s)",
        ] {
            assert!(s.contains(said), "{w}x{h}: {said}\n{s}");
        }
    }
}

#[test]
fn two_groups_tab_switches() {
    let mut app = app_for(scenario::two_groups(), FREEZE);
    let s = screen(&app, 80, 24);
    assert!(s.contains("cache [1/2 Tab]"), "{s}");
    all_sizes("two_groups", &app);
    app.step(key(FREEZE, KeyCode::Tab));
    let s = screen(&app, 80, 24);
    assert!(s.contains("mymaster [2/2 Tab]"), "{s}");
}

#[test]
fn nothing_reachable_explains_what_to_do() {
    let header = sentui::record::Header::new("tui", 1000, vec![addr("127.0.0.1:26379")]);
    let mut app = App::for_session(&header);
    app.step(Input::update(
        1000,
        sentui_model::Update::SentinelReach {
            sentinel: addr("127.0.0.1:26379"),
            at: 1000,
            reach: sentui_model::Reach::Refused("connection refused".into()),
        },
    ));
    let s = screen(&app, 80, 24);
    assert!(s.contains("No sentinel has answered yet"));
    assert!(s.contains("refused: connection refused"));
    assert!(s.contains("sentui demo"));
    insta::assert_snapshot!("not_connected_80x24", s);
}

#[test]
fn a_sentinel_that_refused_the_tls_settings_gets_its_fix_not_the_seed_hint() {
    let header = sentui::record::Header::new("tui", 1000, vec![addr("127.0.0.1:26379")]);
    let mut app = App::for_session(&header);
    let why = "127.0.0.1:26379 requires a client certificate: add --tls-cert FILE --tls-key FILE";
    app.step(Input::update(
        1000,
        sentui_model::Update::SentinelReach {
            sentinel: addr("127.0.0.1:26379"),
            at: 1000,
            reach: sentui_model::Reach::TlsFailed(why.into()),
        },
    ));
    let s = screen(&app, 120, 24);
    assert!(s.contains("No sentinel has answered yet"), "{s}");
    assert!(
        s.contains("tls-failed: 127.0.0.1:26379 requires a client"),
        "{s}"
    );
    assert!(!s.contains("name one of its sentinels"), "{s}");
    assert!(!s.contains("sentui demo"), "{s}");
}

#[test]
fn help_screen_lists_the_keymap_scrolling_where_it_is_short() {
    for (w, h) in SIZES {
        let mut app = app_for(scenario::steady(FREEZE - 2000), FREEZE - 1000);
        app.step(Input::key(FREEZE - 1000, Key::char('?')));
        let mut seen = String::new();
        for _ in 0..40 {
            seen.push_str(&screen(&app, w, h));
            app.step(Input::key(FREEZE - 1000, Key::new(KeyCode::Down)));
        }
        for b in sentui::keymap::KEYMAP {
            assert!(seen.contains(b.help), "{w}x{h}: help shows '{}'", b.help);
        }
    }
}

#[test]
fn no_color_draws_without_colours() {
    let app = app_for(scenario::odown(), 1795577719250);
    let colored = |app: &App| {
        let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
        t.draw(|f| sentui::ui::draw(f, app)).unwrap();
        t.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(colored(&app));
    let no_color = Setup {
        no_color: true,
        ..setup()
    };
    let app = app_set(no_color, scenario::odown(), 1795577719250);
    assert!(
        !colored(&app),
        "NO_COLOR: no foreground or background colour anywhere"
    );
}

#[test]
fn tiny_and_huge_terminals_do_not_panic() {
    let app = app_for(scenario::promoted(), 1795577722000);
    for (w, h) in [(1, 1), (20, 5), (40, 10), (80, 24), (300, 100)] {
        screen(&app, w, h);
    }
}

#[test]
fn details_log_focus_and_the_cluster_page_at_80x24() {
    let mut app = app_for(scenario::promoted(), 1795577722000);
    let press = |app: &mut App, k: Key| {
        app.step(Input::key(1795577722000, k));
    };
    press(&mut app, Key::char('v'));
    let s = screen(&app, 80, 24);
    nothing_critical_cut(&s, 80, 24);
    assert!(s.contains("Replication") && s.contains("Sentinels") && s.contains("Votes"));
    insta::assert_snapshot!("cluster_page_80x24", s);
    press(&mut app, Key::char('v'));
    press(&mut app, Key::char('e'));
    press(&mut app, Key::new(KeyCode::PageUp));
    let s = screen(&app, 80, 24);
    nothing_critical_cut(&s, 80, 24);
    insta::assert_snapshot!("log_focused_80x24", s);
    press(&mut app, Key::new(KeyCode::Enter));
    let s = screen(&app, 80, 24);
    nothing_critical_cut(&s, 80, 24);
    insta::assert_snapshot!("event_details_80x24", s);
}

#[test]
fn the_probe_panel_says_who_acknowledged_the_lost_writes_and_what_was_refused() {
    use sentui::app::ProbePanel;
    use sentui_model::action::{Action, Command};
    use sentui_model::input::Input;
    use sentui_model::probe::{ErrorKind, Follow, ProbeEvent, ReadBack, WriteError};
    use sentui_model::state::Update;
    let mut app = app_for(scenario::steady(FREEZE - 2000), FREEZE - 1000);
    let master = addr("127.0.0.1:16379");
    let probe = |app: &mut App, at: u64, event: ProbeEvent| {
        app.step(Input::update(at, Update::Probe { at, event }));
    };
    // w starts the probe (its command is the executor's; the probe's reports follow).
    app.step(key(app.now(), KeyCode::Char('w')));
    let start = FREEZE - 900;
    probe(
        &mut app,
        start,
        ProbeEvent::Started {
            run_id: "r".into(),
            group: "mymaster".into(),
            rate: 100,
            follow: Follow::Stay,
        },
    );
    for n in 0..10 {
        let error = (n == 9).then(|| WriteError {
            kind: ErrorKind::NoReplicas,
            message: "NOREPLICAS Not enough good replicas to write.".into(),
        });
        probe(
            &mut app,
            start + 10 + n * 10,
            ProbeEvent::Write {
                n,
                master: Some(master.clone()),
                error,
                took_ms: Some(3),
            },
        );
        if n == 4 {
            // The partition took effect between writes 4 and 5.
            let at = start + 55;
            let command = Command::Control {
                action: Action::Partition,
                addr: master.clone(),
            };
            app.step(Input::done(
                at,
                at - 5,
                command,
                Ok("partitioned it".into()),
            ));
        }
    }
    probe(
        &mut app,
        start + 200,
        ProbeEvent::ReadBack(ReadBack {
            master: master.clone(),
            checked: 9,
            lost: 4,
            sample: vec![5, 6, 7, 8],
            lost_ranges: vec![(5, 8)],
        }),
    );
    // w stops the probe: its figures stay on screen.
    app.step(key(app.now(), KeyCode::Char('w')));
    assert_eq!(app.probe(), ProbePanel::Stopped);
    let s = screen(&app, 160, 48);
    assert!(
        s.contains("4 acknowledged writes lost, all acknowledged by OLD 127.0.0.1:16379 during the fault (+0.005 s .. +0.035 s)"),
        "{s}"
    );
    // Without losses, the refusals take that line.
    probe(
        &mut app,
        start + 300,
        ProbeEvent::ReadBack(ReadBack {
            master: master.clone(),
            checked: 9,
            lost: 0,
            sample: vec![],
            lost_ranges: vec![],
        }),
    );
    let s = screen(&app, 160, 48);
    assert!(
        s.contains("refused noreplicas 1 (not acknowledged, not lost)"),
        "{s}"
    );
}

/// The selected row's history keeps its colours: reversed, the bars would read as their gaps
/// (a solid bar, on screen and in the `c` SVG alike).
#[test]
fn the_selected_rows_sparkline_is_not_reversed() {
    use ratatui::style::Modifier;
    let mut app = app_for(scenario::promoted(), 1795577722000);
    app.step(Input::key(1795577722000, Key::char('v')));
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| sentui::ui::draw(f, &app)).unwrap();
    let buf = t.backend().buffer();
    let bars = "▁▂▃▄▅▆▇█";
    let mut selected_bars = 0;
    for y in 0..30 {
        let reversed_row = (0..100).any(|x| buf[(x, y)].modifier.contains(Modifier::REVERSED));
        for x in 0..100 {
            let c = &buf[(x, y)];
            if reversed_row && bars.contains(c.symbol()) {
                selected_bars += 1;
                assert!(
                    !c.modifier.contains(Modifier::REVERSED),
                    "row {y}, column {x}"
                );
            }
        }
    }
    assert!(selected_bars > 0, "the selected row has a history");
}
