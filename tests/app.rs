//! App tests: scripted updates and keys into the App, asserting its state and the commands it
//! asks for.

mod common;

use common::scenario::{self, FREEZE, addr};
use sentui::app::{App, Mode, Setup};
use sentui_model::Millis;
use sentui_model::action::{Action as ControlAction, Command, FailoverKind};
use sentui_model::info::{ReplicationInfo, ServerVersion};
use sentui_model::input::{Input, Key, KeyCode};
use sentui_model::log::OwnEvent;
use sentui_model::state::{ContainerInfo, ContainerState, Reach, Update};
use sentui_model::view::Health;

fn key(app: &mut App, c: KeyCode) -> Vec<Command> {
    let at = app.now();
    app.step(Input::key(at, Key::new(c)))
}

/// A command's outcome, taking effect 10 ms after it was asked for.
fn done(app: &mut App, command: Command, result: Result<String, String>) {
    let at = app.now() + 10;
    app.step(Input::done(at, app.now(), command, result));
}

fn update(app: &mut App, u: Update) {
    let at = app.now();
    app.step(Input::update(at, u));
}

/// A session on a sentui lab of local processes, started at the freeze.
fn setup() -> Setup {
    Setup::new(
        scenario::SENTINELS.iter().map(|s| addr(s)).collect(),
        FREEZE,
    )
}

/// The steady deployment, as `setup` watches it.
fn app_with(setup: Setup) -> App {
    App::new(setup).with_deployment(scenario::steady(FREEZE - 2000), FREEZE)
}

fn app() -> App {
    app_with(setup())
}

/// The steady deployment as a Docker lab: each node and sentinel but those `outside` is a
/// running container of the compose project.
fn docker_app_with(setup: Setup, outside: &[&str]) -> App {
    let mut app = app_with(Setup {
        containers: true,
        ..setup
    });
    let nodes = ["127.0.0.1:16379", "127.0.0.1:16380", "127.0.0.1:16381"];
    for a in nodes.iter().chain(scenario::SENTINELS.iter()) {
        if !outside.contains(a) {
            container_is(&mut app, a, ContainerState::Running, false);
        }
    }
    app
}

fn docker_app() -> App {
    docker_app_with(setup(), &[])
}

/// The captured failover events received up to `until`, each at its receive time.
fn events_until(app: &mut App, until: Millis) {
    for u in scenario::events(until) {
        let Update::SentinelEvent { at, .. } = u else {
            unreachable!("the capture holds sentinel events")
        };
        app.step(Input::update(at, u));
    }
}

/// What the Docker watcher says of the container behind `a`.
fn container_is(app: &mut App, a: &str, state: ContainerState, partitioned: bool) {
    let sentinel = scenario::SENTINELS.contains(&a);
    let service = format!("member-{}", addr(a).port);
    update(
        app,
        Update::Container {
            addr: addr(a),
            at: app.now(),
            sentinel,
            container: ContainerInfo {
                id: format!("{service}-id"),
                name: format!("lab-{service}-1"),
                service,
                state,
                partitioned,
            },
        },
    );
}

fn status_text(app: &App) -> String {
    app.status().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn selection_starts_on_the_master_and_moves() {
    let mut app = app();
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16379")));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16380")));
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16381")));
    key(&mut app, KeyCode::Down);
    assert_eq!(
        app.selected_addr(),
        Some(addr("127.0.0.1:26380")),
        "after the nodes, the sentinels"
    );
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    assert_eq!(
        app.selected_addr(),
        Some(addr("127.0.0.1:26382")),
        "stops at the last sentinel"
    );
    for _ in 0..5 {
        key(&mut app, KeyCode::Char('k'));
    }
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16379")));
}

#[test]
fn p_toggles_pause_and_records_the_fault() {
    let mut app = app();
    let master = addr("127.0.0.1:16379");
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Command::Control {
            action: ControlAction::Pause,
            addr: master.clone()
        }]
    );
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Pause,
            addr: master.clone(),
        },
        Ok("paused it".into()),
    );
    assert!(app.faults().touches(&master));
    assert!(app.selected_is_paused());
    let fault = app.live().log().entries().last().unwrap();
    assert!(fault.is(OwnEvent::Fault));
    assert!(
        app.live().stopwatches()["mymaster"].current.is_some(),
        "the fault starts the stopwatch"
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Command::Control {
            action: ControlAction::Unpause,
            addr: master.clone()
        }]
    );
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Unpause,
            addr: master.clone(),
        },
        Ok("resumed it".into()),
    );
    assert!(app.faults().is_empty());
}

#[test]
fn outside_a_lab_p_asks_first_and_resuming_does_not() {
    let mut app = app_with(Setup {
        outside_lab: true,
        ..setup()
    });
    let master = addr("127.0.0.1:16379");
    assert!(key(&mut app, KeyCode::Char('p')).is_empty(), "asks first");
    assert!(app.status().unwrap().text.contains("not a sentui lab"));
    assert!(
        key(&mut app, KeyCode::Char('n')).is_empty(),
        "any other key cancels"
    );
    assert!(key(&mut app, KeyCode::Char('p')).is_empty());
    let pause = Command::Control {
        action: ControlAction::Pause,
        addr: master.clone(),
    };
    assert_eq!(key(&mut app, KeyCode::Char('y')), vec![pause.clone()]);
    done(&mut app, pause, Ok("paused it".into()));
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Command::Control {
            action: ControlAction::Unpause,
            addr: master
        }],
        "resuming needs no confirmation"
    );
}

#[test]
fn failed_action_shows_an_error_and_changes_nothing() {
    let mut app = app();
    let master = addr("127.0.0.1:16379");
    key(&mut app, KeyCode::Char('p'));
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Pause,
            addr: master,
        },
        Err("nothing listens on port 16379".into()),
    );
    assert!(app.faults().is_empty());
    let s = app.status().cloned().unwrap();
    assert!(s.error && s.text.contains("nothing listens"));
}

#[test]
fn failover_needs_confirmation() {
    let mut app = app();
    assert!(key(&mut app, KeyCode::Char('f')).is_empty());
    assert!(
        key(&mut app, KeyCode::Char('n')).is_empty(),
        "anything but y cancels"
    );
    assert!(!app.in_mode(Mode::Confirm));
    key(&mut app, KeyCode::Char('f'));
    match key(&mut app, KeyCode::Char('y')).as_slice() {
        [
            Command::Failover {
                group,
                sentinels,
                kind,
            },
        ] => {
            assert_eq!(group, "mymaster");
            assert_eq!(sentinels.len(), 3);
            assert_eq!(*kind, FailoverKind::Classic);
        }
        other => panic!("{other:?}"),
    }
    // A Redis deployment is not offered the coordinated kind: c cancels.
    key(&mut app, KeyCode::Char('f'));
    assert!(!status_text(&app).contains("c coordinated"));
    assert!(key(&mut app, KeyCode::Char('c')).is_empty());
}

#[test]
fn failover_offers_the_coordinated_kind_on_valkey_9() {
    let mut app = app();
    let valkey = ServerVersion {
        name: "valkey".into(),
        version: "9.1.2".into(),
    };
    let at = app.now();
    for s in scenario::SENTINELS {
        let mut poll = scenario::poll(false, s);
        poll.server = Some(valkey.clone());
        update(
            &mut app,
            Update::SentinelPolled {
                sentinel: addr(s),
                at,
                rtt_ms: 1,
                poll,
            },
        );
    }
    let text = std::fs::read_to_string("tests/fixtures/info_replication_master.resp").unwrap();
    let start = text.find("# Replication").unwrap();
    let mut info = ReplicationInfo::parse(&text[start..]).unwrap();
    assert!(info.failover_state.is_some(), "the master reports it");
    info.server = Some(valkey);
    update(
        &mut app,
        Update::NodeInfo {
            addr: addr("127.0.0.1:16379"),
            at,
            rtt_ms: 1,
            info,
        },
    );
    key(&mut app, KeyCode::Char('f'));
    assert!(
        status_text(&app).contains("y classic, c coordinated"),
        "{:?}",
        app.status()
    );
    match key(&mut app, KeyCode::Char('c')).as_slice() {
        [Command::Failover { group, kind, .. }] => {
            assert_eq!(
                (group.as_str(), *kind),
                ("mymaster", FailoverKind::Coordinated)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn read_only_refuses_control() {
    for c in ['p', 'f', 's', 'n'] {
        let read_only = Setup {
            read_only: true,
            ..setup()
        };
        let mut app = docker_app_with(read_only, &[]);
        assert!(key(&mut app, KeyCode::Char(c)).is_empty(), "{c}");
        assert!(
            status_text(&app).contains("read-only"),
            "{c}: {:?}",
            app.status()
        );
        assert!(
            !app.in_mode(Mode::Confirm),
            "{c}: refused at once, not asked"
        );
    }
}

/// A key that cannot act here says so at once; y/n is asked only for what would be done.
#[test]
fn s_and_n_on_local_processes_are_refused_before_anything_is_asked() {
    let mut app = app();
    assert!(!app.setup().containers, "a local-process deployment");
    for (c, why) in [
        (
            's',
            "stopping needs a container (Docker lab, --compose-project)",
        ),
        (
            'n',
            "partitioning needs the Docker lab's networks (--compose-project)",
        ),
    ] {
        assert!(key(&mut app, KeyCode::Char(c)).is_empty());
        let status = app.status().cloned().unwrap();
        assert!(status.text.starts_with(why), "{c}: {}", status.text);
        assert!(status.error);
        assert!(!app.in_mode(Mode::Confirm), "{c}: nothing to confirm");
        assert!(
            key(&mut app, KeyCode::Char('y')).is_empty(),
            "{c}: a y after the refusal does nothing"
        );
    }
    // What a local process can do still goes: p pauses at once (in a lab).
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Command::Control {
            action: ControlAction::Pause,
            addr: addr("127.0.0.1:16379")
        }]
    );
}

#[test]
fn on_a_docker_lab_only_the_projects_containers_are_acted_on() {
    // A replica the sentinels report that is no container of the project.
    let mut app = docker_app_with(setup(), &["127.0.0.1:16381"]);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16381")));
    for c in ['s', 'n', 'p'] {
        assert!(key(&mut app, KeyCode::Char(c)).is_empty(), "{c}");
        assert!(
            status_text(&app).contains("127.0.0.1:16381 is not a container of the compose project"),
            "{c}: {}",
            status_text(&app)
        );
        assert!(!app.in_mode(Mode::Confirm), "{c}");
    }
    // A sentinel is a container, but has nothing to be partitioned from.
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:26380")));
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(
        status_text(&app).contains("only the lab's Redis nodes can be partitioned"),
        "{}",
        status_text(&app)
    );
    assert!(!app.in_mode(Mode::Confirm));
    // Stopping it is asked, since it would be done.
    key(&mut app, KeyCode::Char('s'));
    assert!(
        status_text(&app).starts_with("stop 127.0.0.1:26380? y to confirm"),
        "{}",
        status_text(&app)
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Command::Control {
            action: ControlAction::Stop,
            addr: addr("127.0.0.1:26380")
        }]
    );
}

#[test]
fn with_the_docker_engine_gone_a_control_key_says_so_at_once() {
    use sentui_model::log::{LogEntry, Source};
    let mut app = docker_app_with(setup(), &["127.0.0.1:16379"]);
    update(
        &mut app,
        Update::Note {
            entry: LogEntry::new(FREEZE, Source::Docker, "docker-engine-unreachable", "gone"),
        },
    );
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert!(
        status_text(&app).starts_with("the Docker engine is not reachable: 127.0.0.1:16379"),
        "{}",
        status_text(&app)
    );
    assert!(!app.in_mode(Mode::Confirm));
}

#[test]
fn freeze_keeps_the_screen_while_collection_goes_on() {
    let mut app = app();
    key(&mut app, KeyCode::Char(' '));
    let frozen_len = app.shown().log().len();
    let mut d = app.live().clone();
    scenario::events_until(&mut d, 1795577719339);
    for e in d.log().entries().skip(app.live().log().len()) {
        update(&mut app, sentui_model::Update::Note { entry: e.clone() });
    }
    assert!(app.live().log().len() > frozen_len, "collection goes on");
    assert_eq!(app.shown().log().len(), frozen_len, "the screen stays");
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.shown().log().len(), app.live().log().len());
}

#[test]
fn filter_typing_and_clearing() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    for c in "vote".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.log_query().text, "vote");
    assert!(
        !app.quitting(),
        "q while typing a filter is a letter, not quit"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Esc);
    assert!(app.log_query().text.is_empty());
}

#[test]
fn filter_chords_edit_the_line_and_type_nothing() {
    let mut app = app();
    let chord = |app: &mut App, c: char| {
        let at = app.now();
        let k = Key {
            ctrl: true,
            ..Key::new(KeyCode::Char(c))
        };
        app.step(Input::key(at, k));
    };
    key(&mut app, KeyCode::Char('/'));
    for c in "slave-reconf done".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    chord(&mut app, 'w');
    assert_eq!(app.log_query().text, "slave-reconf ");
    chord(&mut app, 'a');
    assert_eq!(app.log_query().text, "slave-reconf ", "Ctrl-A types no a");
    chord(&mut app, 'u');
    assert_eq!(
        app.log_query().text,
        "",
        "Ctrl-U clears the line, types no u"
    );
    for c in "failover-complete".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.log_query().text, "failover-complete");
}

#[test]
fn tab_cycles_groups_and_resets_selection() {
    let mut app = App::new(setup()).with_deployment(scenario::two_groups(), FREEZE);
    assert_eq!(app.group().as_deref(), Some("cache"));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.group().as_deref(), Some("mymaster"));
    assert_eq!(app.selected_addr(), Some(addr("127.0.0.1:16379")));
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.group().as_deref(), Some("cache"));
}

#[test]
fn other_groups_problems_show_and_g_jumps_there() {
    let mut app = App::new(setup()).with_deployment(scenario::two_groups(), FREEZE);
    // Every node of both groups answers; then the master of "mymaster" refuses connections.
    for port in [16379, 16380, 16381, 17379, 17380, 17381] {
        let master = port % 1000 == 379;
        let info = if master {
            "role:master\r\nconnected_slaves:0\r\nmaster_repl_offset:100\r\n".to_string()
        } else {
            format!(
                "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:{}\r\nmaster_link_status:up\r\nslave_repl_offset:100\r\n",
                port - port % 1000 + 379
            )
        };
        update(
            &mut app,
            Update::NodeInfo {
                addr: addr(&format!("127.0.0.1:{port}")),
                at: FREEZE - 100,
                rtt_ms: 1,
                info: ReplicationInfo::parse(&info).unwrap(),
            },
        );
    }
    update(
        &mut app,
        Update::NodeReach {
            addr: addr("127.0.0.1:16379"),
            at: FREEZE - 50,
            reach: Reach::Failed("connection refused".into()),
        },
    );
    // The glance is refreshed once a second.
    app.step(Input::tick(FREEZE + 1000));
    assert_eq!(app.group().as_deref(), Some("cache"));
    let others: Vec<_> = app.other_problems().into_iter().cloned().collect();
    assert_eq!(others, vec![("mymaster".to_string(), Health::Critical)]);
    let buf = sentui::ui::render_to_buffer(&app, 140, 40);
    let rows: Vec<String> = (0..5)
        .map(|y| (0..140).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect();
    assert!(
        rows.iter().any(|r| r.trim() == "healthy")
            && rows
                .iter()
                .any(|r| r.trim() == "other groups: 1 critical (mymaster) · g to go"),
        "{rows:#?}"
    );
    // g goes there; from there no other group has a problem.
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.group().as_deref(), Some("mymaster"));
    assert!(app.other_problems().is_empty());
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.group().as_deref(), Some("mymaster"));
    assert!(
        app.status()
            .is_some_and(|s| s.text.contains("no other group")),
        "{:?}",
        app.status()
    );
}

#[test]
fn quit_keys() {
    let mut app = app();
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quitting());
    let mut app2 = self::app();
    app2.step(Input::key(FREEZE, Key::ctrl('c')));
    assert!(app2.quitting());
}

#[test]
fn latency_is_measured_per_drawn_event() {
    use sentui_model::log::{LogEntry, OwnEvent};
    let mut app = App::new(setup());
    app.frame_drawn(FREEZE);
    assert_eq!(app.latency().events.count(), 0);
    update(
        &mut app,
        Update::Note {
            entry: LogEntry::own(FREEZE, OwnEvent::RoleChange, ""),
        },
    );
    app.frame_drawn(FREEZE + 12);
    assert_eq!(app.latency().events.count(), 1);
    assert_eq!(app.latency().events.percentile(0.99), Some(12));
}

#[test]
fn s_stops_and_starts_after_confirmation() {
    let mut app = docker_app();
    let master = addr("127.0.0.1:16379");
    assert!(key(&mut app, KeyCode::Char('s')).is_empty(), "asks first");
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Command::Control {
            action: ControlAction::Stop,
            addr: master.clone()
        }]
    );
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Stop,
            addr: master.clone(),
        },
        Ok("stopped it".into()),
    );
    assert!(app.selected_is_stopped());
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Command::Control {
            action: ControlAction::Start,
            addr: master
        }]
    );
}

#[test]
fn n_partitions_and_heals_after_confirmation_and_both_faults_are_undone_on_quit() {
    let mut app = docker_app();
    let master = addr("127.0.0.1:16379");
    assert!(key(&mut app, KeyCode::Char('n')).is_empty(), "asks first");
    assert!(
        app.status()
            .unwrap()
            .text
            .starts_with("partition 127.0.0.1:16379?")
    );
    assert!(
        key(&mut app, KeyCode::Char('x')).is_empty(),
        "any other key cancels"
    );
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Command::Control {
            action: ControlAction::Partition,
            addr: master.clone()
        }]
    );
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Partition,
            addr: master.clone(),
        },
        Ok("partitioned it".into()),
    );
    container_is(&mut app, "127.0.0.1:16379", ContainerState::Running, true);
    let fault = app.live().log().entries().last().unwrap();
    assert!(fault.is(OwnEvent::Fault), "a partition is a fault");
    assert!(app.selected_is_partitioned());
    // Paused as well: quitting must undo both, not only the last.
    key(&mut app, KeyCode::Char('p'));
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Pause,
            addr: master.clone(),
        },
        Ok("paused it".into()),
    );
    container_is(&mut app, "127.0.0.1:16379", ContainerState::Paused, true);
    let mut undo: Vec<ControlAction> = app.faults().iter().filter_map(|(_, d)| d.undo()).collect();
    undo.sort();
    assert_eq!(undo, vec![ControlAction::Unpause, ControlAction::Heal]);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Command::Control {
            action: ControlAction::Heal,
            addr: master.clone()
        }]
    );
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Heal,
            addr: master.clone(),
        },
        Ok("healed it".into()),
    );
    assert!(
        app.live()
            .log()
            .entries()
            .last()
            .unwrap()
            .is(OwnEvent::FaultCleared)
    );
    assert_eq!(
        app.faults()
            .iter()
            .map(|(a, d)| (a.clone(), d))
            .collect::<Vec<_>>(),
        vec![(master, ControlAction::Pause)],
        "the heal takes back the partition only"
    );
}

#[test]
fn the_selection_stays_on_the_paused_node_after_the_failover() {
    let mut app = app();
    let old = addr("127.0.0.1:16379");
    key(&mut app, KeyCode::Char('p'));
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Pause,
            addr: old.clone(),
        },
        Ok("paused".into()),
    );
    events_until(&mut app, 1795577721364);
    app.step(Input::update(
        1795577721400,
        Update::SentinelPolled {
            sentinel: addr(scenario::SENTINELS[0]),
            at: 1795577721400,
            rtt_ms: 1,
            poll: scenario::poll(true, scenario::SENTINELS[0]),
        },
    ));
    assert_eq!(
        app.live().master_of("mymaster"),
        Some(addr("127.0.0.1:16380"))
    );
    assert_eq!(
        app.selected_addr(),
        Some(old.clone()),
        "still the node p paused"
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Command::Control {
            action: ControlAction::Unpause,
            addr: old
        }]
    );
}

#[test]
fn p_resumes_the_paused_old_master_even_while_the_sentinels_do_not_list_it() {
    let mut app = app();
    let old = addr("127.0.0.1:16379");
    key(&mut app, KeyCode::Char('p'));
    done(
        &mut app,
        Command::Control {
            action: ControlAction::Pause,
            addr: old.clone(),
        },
        Ok("paused".into()),
    );
    events_until(&mut app, 1795577721364);
    // Right after +switch-master the sentinels list the new master's replicas without the old
    // master for a moment.
    for s in scenario::SENTINELS {
        let mut poll = scenario::poll(true, s);
        poll.groups[0].replicas.retain(|r| r.addr != old);
        app.step(Input::update(
            1795577721400,
            Update::SentinelPolled {
                sentinel: addr(s),
                at: 1795577721400,
                rtt_ms: 1,
                poll,
            },
        ));
    }
    assert!(!app.node_order().contains(&old));
    assert_eq!(
        key(&mut app, KeyCode::Char('p')),
        vec![Command::Control {
            action: ControlAction::Unpause,
            addr: old
        }],
        "p resumes the node sentui paused, never the new master"
    );
}

#[test]
fn w_starts_stops_and_closes_the_write_probe() {
    use sentui::app::ProbePanel;
    use sentui_model::Update;
    use sentui_model::probe::ProbeEvent;
    let mut app = app();
    let cmds = key(&mut app, KeyCode::Char('w'));
    let [Command::StartProbe { group, sentinels }] = cmds.as_slice() else {
        panic!("w starts the probe: {cmds:?}");
    };
    assert_eq!(group, "mymaster");
    assert_eq!(sentinels.len(), 3);
    assert_eq!(app.probe(), ProbePanel::Running);
    update(
        &mut app,
        Update::Probe {
            at: FREEZE,
            event: ProbeEvent::Started {
                run_id: "r".into(),
                group: "mymaster".into(),
                rate: 100,
                follow: Default::default(),
            },
        },
    );
    assert_eq!(app.live().probe().as_ref().unwrap().rate, 100);
    assert_eq!(key(&mut app, KeyCode::Char('w')), vec![Command::StopProbe]);
    assert_eq!(
        app.probe(),
        ProbePanel::Stopped,
        "the figures stay on screen"
    );
    assert!(key(&mut app, KeyCode::Char('w')).is_empty());
    assert_eq!(app.probe(), ProbePanel::Hidden);
    let mut ro = app_with(Setup {
        read_only: true,
        ..setup()
    });
    assert!(key(&mut ro, KeyCode::Char('w')).is_empty());
    assert!(ro.status().unwrap().error, "read-only refuses the probe");
}

/// The header line that says what sentui is connected to.
fn connection_line(app: &App) -> String {
    let buf = sentui::ui::render_to_buffer(app, 160, 40);
    (0..160).map(|x| buf[(x, 1)].symbol().to_string()).collect()
}

#[test]
fn the_docker_engine_going_away_is_said_until_it_returns() {
    use sentui_model::log::{LogEntry, Source};
    let mut app = app();
    let note = |at, event: &str| {
        Input::update(
            at,
            Update::Note {
                entry: LogEntry::new(at, Source::Docker, event, "detail"),
            },
        )
    };
    app.step(Input::tick(FREEZE));
    assert!(!connection_line(&app).contains("Docker"));
    app.step(note(FREEZE, "docker-engine-unreachable"));
    // Said once, counted from the first time.
    app.step(note(FREEZE + 5_000, "docker-engine-unreachable"));
    app.step(Input::tick(FREEZE + 12_000));
    let line = connection_line(&app);
    assert!(
        line.contains("Docker engine unreachable for 12.0s (container states are from before)"),
        "{line}"
    );
    app.step(note(FREEZE + 13_000, "docker-engine-reachable"));
    assert!(!connection_line(&app).contains("Docker"));
}
