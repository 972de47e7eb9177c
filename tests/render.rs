//! Render tests: the whole screen drawn into ratatui's TestBackend from deployments built of
//! captured replies, at each stage of a failover and at two terminal sizes, compared with
//! insta snapshots. Time is fixed, so nothing volatile needs redacting.

mod common;

use common::scenario::{self, FREEZE, addr};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sentui::app::App;
use sentui_model::state::Deployment;

fn app_for(d: Deployment, now: u64) -> App {
    let mut app = App::new(
        scenario::SENTINELS.iter().map(|s| addr(s)).collect(),
        FREEZE - 60_000,
    );
    app.live = d;
    app.now = now;
    app
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

fn both_sizes(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x45"), screen(app, 160, 45));
}

#[test]
fn steady_state() {
    let app = app_for(scenario::steady(FREEZE - 2000), FREEZE - 1000);
    let s = screen(&app, 80, 24);
    assert!(s.contains("★ 127.0.0.1:16379"));
    assert!(s.contains("├─up──▶ 127.0.0.1:16380"));
    both_sizes("steady", &app);
}

/// Each node's server and version, where the topology rows have room for it.
#[test]
fn server_versions_where_they_fit() {
    let mut d = scenario::steady(FREEZE - 2000);
    for n in d.nodes.values_mut() {
        if let Some(i) = n.info.as_mut() {
            i.server = Some(sentui_model::info::ServerVersion {
                name: "valkey".into(),
                version: "8.1.1".into(),
            });
        }
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
    both_sizes("unresponsive", &app);
}

#[test]
fn odown() {
    let app = app_for(scenario::odown(), 1795577719250);
    let s = screen(&app, 160, 45);
    assert!(s.contains("FAILOVER IN PROGRESS"), "{s}");
    assert!(s.contains("+odown"));
    both_sizes("odown", &app);
}

#[test]
fn election() {
    let app = app_for(scenario::election(), 1795577719400);
    let s = screen(&app, 160, 45);
    assert!(s.contains("epoch 1"), "{s}");
    assert!(s.contains("leader :26380"), "{s}");
    both_sizes("election", &app);
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
    both_sizes("promoted", &app);
}

#[test]
fn two_groups_tab_switches() {
    let mut app = app_for(scenario::two_groups(), FREEZE);
    let s = screen(&app, 80, 24);
    assert!(s.contains("cache [1/2 Tab]"), "{s}");
    both_sizes("two_groups", &app);
    app.step(sentui_model::input::Input::key(
        FREEZE,
        sentui_model::input::Key::new(sentui_model::input::KeyCode::Tab),
    ));
    let s = screen(&app, 80, 24);
    assert!(s.contains("mymaster [2/2 Tab]"), "{s}");
}

#[test]
fn nothing_reachable_explains_what_to_do() {
    let mut app = App::new(vec![addr("127.0.0.1:26379")], 1000);
    app.live.expect_sentinel(&addr("127.0.0.1:26379"), 1000);
    app.live.apply(sentui_model::Update::SentinelReach {
        sentinel: addr("127.0.0.1:26379"),
        at: 1000,
        reach: sentui_model::Reach::Refused("connection refused".into()),
    });
    let s = screen(&app, 80, 24);
    assert!(s.contains("No sentinel has answered yet"));
    assert!(s.contains("refused: connection refused"));
    assert!(s.contains("sentui demo"));
    insta::assert_snapshot!("not_connected_80x24", s);
}

#[test]
fn help_screen_lists_the_keymap() {
    let mut app = app_for(scenario::steady(FREEZE - 2000), FREEZE - 1000);
    app.show_help = true;
    let s = screen(&app, 80, 24);
    for b in sentui::keymap::KEYMAP {
        assert!(s.contains(b.help), "help shows '{}'", b.help);
    }
}

#[test]
fn no_color_draws_without_colours() {
    let mut app = app_for(scenario::odown(), 1795577719250);
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
    app.no_color = true;
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
