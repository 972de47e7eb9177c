//! The on-call screen driven by keys, as the App steps them: the log's selection and the
//! details screen, sentinels selected and acted on like nodes, source filters, frozen timers,
//! footer messages that expire, replays that say what they are. Each bug the issue named has a
//! test here that failed before its fix.

mod common;

use common::scenario::{self, FREEZE, SENTINELS, addr};
use sentui::app::{App, Detail, Mode, Setup};
use sentui_model::action::{Action as ControlAction, Command};
use sentui_model::event::SentinelEvent;
use sentui_model::input::{Input, Key, KeyCode};
use sentui_model::log::{LogEntry, OwnEvent};
use sentui_model::{Millis, Update};

const PROMOTED_AT: Millis = 1795577722000;

fn setup() -> Setup {
    Setup::new(SENTINELS.iter().map(|s| addr(s)).collect(), FREEZE - 60_000)
}

fn app_with(d: sentui_model::state::Deployment, now: Millis) -> App {
    App::new(setup()).with_deployment(d, now)
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    let at = app.now();
    app.step(Input::key(at, Key::new(code)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The screen with every run of spaces made one, to look for label/value pairs.
fn squeezed(app: &App, w: u16, h: u16) -> String {
    let s = screen(app, w, h);
    s.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let buf = sentui::ui::render_to_buffer(app, w, h);
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_switch_master_found_with_the_filter_opens_in_full() {
    let mut app = app_with(scenario::promoted(), PROMOTED_AT);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "switch-master");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.mode(), Mode::LogFocus);
    let s = screen(&app, 120, 36);
    assert!(s.contains("Esc back"), "the footer says how to leave:\n{s}");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.detail(), Some(Detail::Event(_))));
    let s = squeezed(&app, 120, 36);
    for what in [
        "+switch-master",
        "mymaster 127.0.0.1 16379 127.0.0.1 16380",
        "2026-11-25 03:35:20.317 UTC",
        "sentinel 127.0.0.1:2638",
        "old master 127.0.0.1:16379",
        "new master 127.0.0.1:16380",
        "also from",
        "mymaster attempt in epoch 1",
        "received",
    ] {
        assert!(s.contains(what), "the details show '{what}':\n{s}");
    }
    press(&mut app, KeyCode::Esc);
    assert!(app.detail().is_none(), "Esc returns");
    assert_eq!(app.mode(), Mode::LogFocus, "to the log, still focused");
}

#[test]
fn pgdn_after_home_moves_back_through_the_log() {
    let mut app = app_with(scenario::promoted(), PROMOTED_AT);
    press(&mut app, KeyCode::Home);
    let top = screen(&app, 80, 24);
    assert!(top.contains(" 1/"), "Home selects the oldest row:\n{top}");
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageDown);
    let later = screen(&app, 80, 24);
    assert!(later.contains(" 21/"), "two PgDn: 20 rows on:\n{later}");
    assert_ne!(top, later, "PgDn after Home scrolls the log");
    press(&mut app, KeyCode::End);
    assert_eq!(app.log_cursor(), None, "End follows the newest again");
}

#[test]
fn the_selected_row_shows_its_whole_payload() {
    let mut app = app_with(scenario::promoted(), PROMOTED_AT);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "failover-complete");
    press(&mut app, KeyCode::Enter);
    let cut = screen(&app, 80, 24);
    assert!(
        !cut.contains("+failover-end 3.8s"),
        "cut while not selected"
    );
    press(&mut app, KeyCode::Char('e'));
    let whole = screen(&app, 80, 24);
    assert!(
        whole.contains("+failover-end 3.8s"),
        "the selected row wraps to its end:\n{whole}"
    );
}

#[test]
fn timers_stop_while_the_display_is_frozen() {
    let mut app = app_with(scenario::election(), 1795577719400);
    press(&mut app, KeyCode::Char(' '));
    let frozen = screen(&app, 120, 36);
    app.step(Input::tick(1795577719400 + 7_000));
    let later = screen(&app, 120, 36);
    let timers = |s: &str| {
        s.lines()
            .filter(|l| l.contains("master for") || l.contains("running") || l.contains("FOR "))
            .map(|l| l.replace("display frozen (collection goes on); Space resumes", ""))
            .collect::<Vec<_>>()
    };
    assert!(frozen.contains("FAILOVER IN PROGRESS for 1.9s"), "{frozen}");
    assert_eq!(timers(&frozen), timers(&later), "frozen timers do not tick");
    press(&mut app, KeyCode::Char(' '));
    assert!(
        screen(&app, 120, 36).contains("FAILOVER IN PROGRESS for 8.9s"),
        "live again, they count to now"
    );
}

#[test]
fn the_masters_age_counts_from_its_first_switch_master() {
    let mut d = scenario::promoted();
    // The leader publishes its own +switch-master after its +failover-end.
    d.apply(Update::SentinelEvent {
        sentinel: addr(SENTINELS[0]),
        at: 1795577721500,
        event: "+switch-master".into(),
        payload: "mymaster 127.0.0.1 16379 127.0.0.1 16380".into(),
    });
    let app = app_with(d, PROMOTED_AT);
    let s = screen(&app, 160, 48);
    assert!(
        s.contains("★ 127.0.0.1:16380 (master for 1.7s)"),
        "from 03:35:20.317, not the leader's late one:\n{s}"
    );
}

#[test]
fn the_log_is_in_event_time_with_the_receive_time_kept() {
    let mut app = app_with(scenario::steady(FREEZE - 2000), FREEZE);
    let sdown = Update::SentinelEvent {
        sentinel: addr(SENTINELS[1]),
        at: FREEZE + 1000,
        event: "+sdown".into(),
        payload: "master mymaster 127.0.0.1 16379".into(),
    };
    app.step(Input::update(FREEZE + 1000, sdown));
    // The engine stamped the pause before the +sdown; it reached sentui after.
    let entry = LogEntry::own(FREEZE + 10, OwnEvent::ContainerPause, "redis-master")
        .about(addr("127.0.0.1:16379"));
    app.step(Input::update(FREEZE + 1300, Update::Note { entry }));
    let rows = app.log_rows();
    let order: Vec<&str> = rows.iter().map(|r| r.first.event.name()).collect();
    let pause = rows
        .iter()
        .position(|r| r.first.is(OwnEvent::ContainerPause))
        .unwrap();
    let sdown = rows
        .iter()
        .position(|r| r.first.is(SentinelEvent::Sdown))
        .unwrap();
    assert!(pause < sdown, "{order:?}");
    let pause = &rows[pause];
    assert_eq!(pause.first.received(), FREEZE + 1300);
    assert_eq!(pause.first.ts, FREEZE + 10);
}

#[test]
fn the_leader_shows_its_own_vote() {
    let app = app_with(scenario::election(), 1795577719400);
    let v = app.view().unwrap();
    let leader = v
        .sentinels
        .iter()
        .find(|s| s.addr == addr(SENTINELS[0]))
        .unwrap();
    assert_eq!(leader.voted_epoch, Some(1), "{leader:?}");
    // The id it voted for is the one the votes panel resolves to itself.
    let voted = leader.voted_leader.as_deref().unwrap();
    assert_eq!(
        app.live().sentinel_by_run_id(voted),
        Some(addr(SENTINELS[0]))
    );
    let s = screen(&app, 160, 48);
    let row = s
        .lines()
        .find(|l| l.contains("│127.0.0.1:26380 ") && l.contains(" ok "))
        .unwrap();
    assert!(row.contains("127.0.0.1:26380 (epoch 1)"), "{row}");
}

#[test]
fn column_names_are_distinct() {
    let app = app_with(scenario::promoted(), PROMOTED_AT);
    let s = screen(&app, 160, 48);
    let header = s.lines().find(|l| l.contains("NODE ")).unwrap();
    let names: Vec<&str> = header
        .split('│')
        .nth(2)
        .unwrap()
        .split("  ")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(names.len(), unique.len(), "{names:?}");
    assert!(!header.contains("LAG"), "no two LAG columns: {header}");
}

#[test]
fn footer_messages_expire_and_the_hints_come_back() {
    let mut app = app_with(scenario::steady(FREEZE - 2000), FREEZE);
    app.step(Input::done(
        FREEZE + 10,
        FREEZE,
        Command::Control {
            action: ControlAction::Pause,
            addr: addr("127.0.0.1:16379"),
        },
        Err("nothing listens on port 16379".into()),
    ));
    let footer = |app: &App| screen(app, 80, 24).lines().last().unwrap().to_string();
    assert!(footer(&app).contains("nothing listens"));
    assert!(
        footer(&app).contains("? help"),
        "even then: {}",
        footer(&app)
    );
    app.step(Input::tick(FREEZE + 60_000));
    let f = footer(&app);
    assert!(
        f.contains("↑↓ select") && !f.contains("nothing listens"),
        "{f}"
    );
}

#[test]
fn the_header_says_the_quorum_and_the_epoch_being_elected() {
    let app = app_with(scenario::election(), 1795577719400);
    let s = screen(&app, 80, 24);
    assert!(s.contains("quorum 2 of 3 sentinels"), "{s}");
    assert!(s.contains("epoch 0, failover in epoch 1"), "{s}");
}

#[test]
fn sentinels_are_selected_and_paused_like_nodes() {
    let mut app = app_with(scenario::steady(FREEZE - 2000), FREEZE);
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    let first = addr(SENTINELS[0]);
    assert_eq!(app.selected_addr(), Some(first.clone()));
    let cmds = press(&mut app, KeyCode::Char('p'));
    assert_eq!(
        cmds,
        vec![Command::Control {
            action: ControlAction::Pause,
            addr: first.clone()
        }]
    );
    app.step(Input::done(
        FREEZE + 20,
        FREEZE,
        cmds[0].clone(),
        Ok("paused 127.0.0.1:26380 (pid 1, redis-sentinel)".into()),
    ));
    assert!(app.selected_is_paused());
    assert!(
        app.live()
            .stopwatches()
            .get("mymaster")
            .is_none_or(|s| s.current.is_none()),
        "pausing a sentinel is no failover"
    );
    assert_eq!(
        app.faults()
            .iter()
            .map(|(a, d)| (a.clone(), d))
            .collect::<Vec<_>>(),
        vec![(first.clone(), ControlAction::Pause)]
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.detail(), Some(&Detail::Endpoint(first)));
    let s = screen(&app, 100, 30);
    assert!(s.contains("Sentinel 127.0.0.1:26380"), "{s}");
    assert!(
        s.contains("believes") && s.contains("master 127.0.0.1:16379"),
        "{s}"
    );
}

#[test]
fn a_node_opens_with_its_replication_and_the_sentinels_flags() {
    let mut app = app_with(scenario::election_polled(), 1795577719400);
    press(&mut app, KeyCode::Enter);
    let s = squeezed(&app, 120, 36);
    assert!(s.contains("Node 127.0.0.1:16379"), "{s}");
    assert!(
        s.contains("INFO replication") && s.contains("role master"),
        "{s}"
    );
    assert!(
        s.contains("127.0.0.1:26380 master of mymaster: sdown odown failover"),
        "{s}"
    );
    assert!(
        s.contains("its latest log entries") && s.contains("+odown"),
        "{s}"
    );
}

#[test]
fn the_log_filters_by_source() {
    let mut app = app_with(scenario::promoted(), PROMOTED_AT);
    let all = app.log_rows().len();
    press(&mut app, KeyCode::Char('o'));
    assert!(app.log_rows().iter().all(|r| r.first.sentinel.is_some()));
    press(&mut app, KeyCode::Char('o'));
    assert!(
        app.log_rows()
            .iter()
            .all(|r| !r.first.is(SentinelEvent::Sdown))
    );
    // No compose project: no docker to offer; the first sentinel follows sentui.
    press(&mut app, KeyCode::Char('o'));
    let s = screen(&app, 120, 36);
    assert!(s.contains("source: sentinel 127.0.0.1:26380"), "{s}");
    assert!(
        app.log_rows()
            .iter()
            .all(|r| r.first.sentinel == Some(addr(SENTINELS[0])) && r.sentinels.len() == 1)
    );
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('o'));
    }
    assert_eq!(app.log_rows().len(), all, "back to every source");
}

#[test]
fn a_replay_says_at_once_that_it_does_not_act() {
    let watched = Setup {
        replay: true,
        ..setup()
    };
    let mut app = App::new(watched).with_deployment(scenario::steady(FREEZE - 2000), FREEZE);
    assert!(app.viewer_key(Key::char('p')).is_empty());
    assert_eq!(app.status().unwrap().text, "replay: not acting");
    // The recorded session asked to fail over; the viewer's y does not answer it.
    app.step(Input::key(FREEZE, Key::char('f')));
    assert_eq!(app.mode(), Mode::Confirm);
    assert!(app.status().unwrap().text.starts_with("fail over mymaster"));
    assert!(app.viewer_key(Key::char('y')).is_empty());
    assert_eq!(app.status().unwrap().text, "replay: not acting");
    assert_eq!(app.mode(), Mode::Confirm, "the recorded answer will come");
    // The viewer's own keys still work, and saving is the viewer's to do.
    app.viewer_key(Key::new(KeyCode::Down));
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16380")));
    assert_eq!(app.viewer_key(Key::char('x')), vec![Command::SaveLog]);
    // The recorded answer comes; once its message is gone, the footer shows the replay's keys.
    app.step(Input::key(FREEZE, Key::char('n')));
    app.step(Input::tick(FREEZE + 10_000));
    let footer = screen(&app, 120, 36);
    let footer = footer.lines().last().unwrap();
    assert!(
        footer.contains("␣ play/pause") && footer.contains(". step"),
        "{footer}"
    );
}
