//! The real binary in tmux against the local lab, used as a person would: press `p` on the
//! master, watch the failover happen on screen, press `q`, and check that sentui exited 0, left
//! the terminal as it found it, and resumed the node it paused.

mod common;

use common::tmux::{Tmux, assert_exited_cleanly, exit_status, start, start_with_env};
use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn press_p_on_the_master_and_watch_the_failover() {
    let lab = LocalLab::up(2);
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("session.ndjson");
    let saves = dir.path().join("saved");
    let (tmux, exit_file, _) = start_with_env(
        &lab.sentinels.join(","),
        &dir,
        "e2e",
        (100, 30),
        &[("SENTUI_SCREENSHOT_DIR", saves.to_str().unwrap())],
        &format!("--record {}", recording.display()),
    );

    let master_line = format!("★ {}", lab.master);
    tmux.wait_screen(Duration::from_secs(15), "the master", |s| {
        s.contains(&master_line) && s.contains("✓")
    });
    tmux.keys("p");
    let s = tmux.wait_screen(
        Duration::from_secs(40),
        "a new master and +switch-master",
        |s| s.contains("+switch-master") && s.contains('★') && !s.contains(&master_line),
    );
    assert!(
        s.contains("PAUSED") || s.contains("unresponsive"),
        "the old master shows frozen:\n{s}"
    );

    // Once the failover is done, `m` writes its post-mortem: the page and its timeline.
    tmux.wait_screen(Duration::from_secs(20), "the failover done", |s| {
        s.contains("done in")
    });
    tmux.keys("m");
    tmux.wait_screen(Duration::from_secs(10), "the post-mortem saved", |s| {
        s.contains("post-mortem of")
    });
    let saved = |ext: &str| -> String {
        let entry = std::fs::read_dir(&saves)
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("sentui-postmortem-") && name.ends_with(ext)
            })
            .unwrap_or_else(|| panic!("no sentui-postmortem-*{ext} in {}", saves.display()));
        std::fs::read_to_string(entry.path()).unwrap()
    };
    let (html, svg) = (saved(".html"), saved(".svg"));
    for member in lab.sentinels.iter().chain(std::iter::once(&lab.master)) {
        assert!(
            html.contains(&format!("data-lane=\"{member}\"")),
            "{member}'s lane"
        );
        assert!(
            svg.contains(&format!("data-lane=\"{member}\"")),
            "{member}'s lane"
        );
    }
    assert!(html.contains("+switch-master"));

    // The old master, frozen by sentui, is resumed on quit.
    let old_pid = lab.pids[0];
    assert!(
        std::fs::read_to_string(format!("/proc/{old_pid}/stat"))
            .unwrap()
            .contains(") T ")
    );
    tmux.keys("q");
    assert_exited_cleanly(&tmux, &exit_file, "sentui exits");
    let after = tmux.screen();
    assert!(
        after.contains(&format!("resumed {}", lab.master)),
        "quit resumes what sentui paused:\n{after}"
    );
    assert!(
        !std::fs::read_to_string(format!("/proc/{old_pid}/stat"))
            .unwrap()
            .contains(") T ")
    );

    // The session was recorded: header, inputs (updates, the keys pressed, what p did) and
    // frames with their hashes.
    let rec = sentui::record::load(&recording).unwrap();
    assert_eq!(rec.header.command, "tui");
    assert_eq!(rec.header.size, Some((100, 30)));
    use sentui::record::Record;
    use sentui_model::input::InputKind;
    let inputs: Vec<&InputKind> = rec
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Input(i) => Some(&i.kind),
            _ => None,
        })
        .collect();
    let keys: Vec<String> = inputs
        .iter()
        .filter_map(|k| match k {
            InputKind::Key(key) => Some(key.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(keys, vec!["p", "m", "q"]);
    assert!(inputs.iter().any(|k| matches!(k, InputKind::Done(d) if d.result.as_ref().is_ok_and(|m| m.starts_with("paused")))));
    assert!(
        inputs
            .iter()
            .filter(|k| matches!(k, InputKind::Update(_)))
            .count()
            > 20
    );
    assert!(
        rec.records
            .iter()
            .any(|r| matches!(r, Record::Frame(f) if f.hash.is_some()))
    );
}

#[test]
fn sigterm_restores_the_terminal_and_resumes() {
    let lab = LocalLab::up(1);
    let dir = tempfile::tempdir().unwrap();
    let (tmux, exit_file, pid_file) = start(&lab.sentinels.join(","), &dir, "term", (80, 24), "");
    let master_line = format!("★ {}", lab.master);
    tmux.wait_screen(Duration::from_secs(15), "the master", |s| {
        s.contains(&master_line)
    });
    tmux.keys("p");
    tmux.wait_screen(Duration::from_secs(10), "the pause", |s| {
        s.contains("PAUSED")
    });
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert_exited_cleanly(&tmux, &exit_file, "sentui exits on SIGTERM");
    assert!(
        tmux.screen().contains(&format!("resumed {}", lab.master)),
        "{}",
        tmux.screen()
    );
}

/// 10,000 events in one burst from a sentinel while the TUI records: the screen keeps
/// answering keys, the log shows what it dropped from view, and the recording keeps every event.
#[test]
fn an_event_storm_keeps_the_screen_answering_and_the_recording_whole() {
    const STORM: usize = 10_000;
    let events = (0..STORM)
        .map(|i| {
            let event = if i % 2 == 0 { "+sdown" } else { "-sdown" };
            let payload = format!(
                "slave storm-{i} 127.0.0.1 {} @ mymaster 127.0.0.1 1",
                10_000 + i % 500
            );
            (event.to_string(), payload)
        })
        .collect();
    let fake = common::fake_sentinel::FakeSentinel::start(events, Duration::from_secs(2));
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("storm.ndjson");
    let (tmux, exit_file, _) = start(
        &format!("127.0.0.1:{}", fake.port),
        &dir,
        "storm",
        (120, 36),
        &format!("--record {}", rec.display()),
    );
    // The whole storm is in once 5000 entries (and a few of sentui's own) left the view.
    let dropped = |s: &str| -> Option<usize> {
        let (before, _) = s.split_once(" older dropped from view")?;
        before.rsplit(' ').next()?.parse().ok()
    };
    let s = tmux.wait_screen(Duration::from_secs(20), "the whole storm in the log", |s| {
        dropped(s).is_some_and(|n| n >= STORM - 5000)
    });
    assert!(s.contains("+sdown") && s.contains("-sdown"), "{s}");
    // Still answering keys: help opens.
    tmux.keys("?");
    tmux.wait_screen(Duration::from_secs(3), "the help", |s| {
        s.to_lowercase().contains("quit")
    });
    tmux.keys("Escape");
    tmux.keys("q");
    assert_exited_cleanly(&tmux, &exit_file, "sentui exits after the storm");
    let recorded = std::fs::read_to_string(&rec).unwrap();
    let stormed = recorded
        .lines()
        .filter(|l| l.contains("slave storm-"))
        .count();
    assert_eq!(stormed, STORM, "the recording keeps every event");
}

/// The determinism check: a live session on the local lab (the write probe on, a failover
/// from `p`, the old master resumed with `p`, Tab to the other group) is recorded, and its
/// replay reproduces every frame the live session drew.
#[test]
fn a_live_session_replays_frame_for_frame() {
    let lab = LocalLab::up_groups(1, 2);
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("live.ndjson");
    let (tmux, exit_file, _) = start(
        &lab.sentinels.join(","),
        &dir,
        "verify",
        (120, 36),
        &format!("--record {}", rec.display()),
    );
    let master_line = format!("★ {}", lab.master);
    tmux.wait_screen(Duration::from_secs(15), "the master", |s| {
        s.contains(&master_line) && s.contains("✓")
    });
    tmux.keys("w");
    tmux.wait_screen(Duration::from_secs(10), "the probe writing", |s| {
        s.contains("acked")
    });
    tmux.keys("p");
    tmux.wait_screen(Duration::from_secs(40), "the failover", |s| {
        s.contains("+switch-master") && !s.contains(&master_line)
    });
    tmux.keys("p");
    tmux.wait_screen(Duration::from_secs(10), "the old master resumed", |s| {
        s.contains("resumed")
    });
    tmux.keys("Tab");
    tmux.wait_screen(Duration::from_secs(5), "the other group", |s| {
        s.contains("mymaster-002")
    });
    tmux.keys("q");
    assert_exited_cleanly(&tmux, &exit_file, "sentui exits");
    let out = sentui(&["replay", "--verify", rec.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    let frames: usize = said
        .split("all ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(frames > 20, "{said}");

    // The recording's post-mortem: the failover the probe lived through, Sentinel's time
    // beside the clients'.
    let page = dir.path().join("page.html");
    let out = sentui(&[
        "report",
        rec.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("clients could not write for"),
        "{}",
        stdout(&out)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("lane-probe"), "the probe's lane");
}

/// The on-call path of issue 16 in a real terminal: after a failover on the local lab at
/// 120x36, `/switch-master` Enter, `e`, Enter shows a `+switch-master` in full with its whole
/// payload and the address of the sentinel that published it; Esc returns. At 80x24 the
/// footer keeps `? help`. Ctrl-Z gives the shell back, `fg` brings the screen back, and `q`
/// still exits 0 with the terminal as it was.
#[test]
fn read_a_switch_master_in_full_then_suspend_and_resume() {
    let lab = LocalLab::up(1);
    let dir = tempfile::tempdir().unwrap();
    let exit_file = dir.path().join("exit");
    // An interactive shell with job control, as a person has: Ctrl-Z needs one.
    let tmux = Tmux::start("read", (120, 36), "bash --norc --noprofile -i");
    // sentui alone on its command line: a list would go on when the job stops.
    tmux.cmd(&["send-keys", "-t", &tmux.session, "-l", "PS1='shell$ '"]);
    tmux.keys("Enter");
    let line = format!("SENTUI_SENTINELS={} {}", lab.sentinels.join(","), bin());
    tmux.cmd(&["send-keys", "-t", &tmux.session, "-l", &line]);
    tmux.keys("Enter");
    let master_line = format!("★ {}", lab.master);
    tmux.wait_screen(Duration::from_secs(15), "the master", |s| {
        s.contains(&master_line) && s.contains("✓")
    });
    tmux.keys("p");
    tmux.wait_screen(Duration::from_secs(40), "the failover", |s| {
        s.contains("+switch-master") && !s.contains(&master_line)
    });
    let (old_ip, old_port) = lab.master.split_once(':').unwrap();
    tmux.keys("/");
    tmux.cmd(&["send-keys", "-t", &tmux.session, "-l", "switch-master"]);
    tmux.keys("Enter");
    tmux.keys("e");
    // Focused, the log's title counts the selected row: `Events (2) 1/2`.
    tmux.wait_screen(Duration::from_secs(5), "the log focused", |s| {
        s.lines().any(|l| {
            l.contains("filter: switch-master")
                && l.split("┌ Events (")
                    .nth(1)
                    .is_some_and(|t| t.contains('/'))
        })
    });
    tmux.keys("Enter");
    let s = tmux.wait_screen(Duration::from_secs(5), "the event in full", |s| {
        s.contains("Event #")
    });
    let payload = format!("mymaster {old_ip} {old_port} ");
    assert!(s.contains("+switch-master") && s.contains(&payload), "{s}");
    let source = s.lines().find(|l| l.contains("source")).unwrap_or_default();
    assert!(
        lab.sentinels
            .iter()
            .any(|a| source.contains(&format!("sentinel {a}"))),
        "the publishing sentinel's address: {source}"
    );
    tmux.keys("Escape");
    tmux.wait_screen(Duration::from_secs(5), "the log again", |s| {
        !s.contains("Event #") && s.contains("Events (")
    });
    // The same session at 80x24: the footer keeps its way to help and out.
    tmux.cmd(&["resize-window", "-t", &tmux.session, "-x", "80", "-y", "24"]);
    tmux.keys("Escape");
    tmux.wait_screen(Duration::from_secs(5), "? help at 80x24", |s| {
        let last = s
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or_default();
        s.lines().count() <= 24 && last.contains("? help") && last.contains("q quit")
    });
    // Ctrl-Z: the shell's prompt; fg: the screen again.
    tmux.keys("C-z");
    tmux.wait_screen(Duration::from_secs(5), "the shell", |s| {
        s.contains("Stopped") && s.contains("shell$")
    });
    let show = |f: &str| {
        tmux.cmd(&["display-message", "-p", "-t", &tmux.session, f])
            .trim()
            .to_string()
    };
    assert_eq!(show("#{alternate_on}"), "0", "the terminal given back");
    tmux.cmd(&["send-keys", "-t", &tmux.session, "-l", "fg"]);
    tmux.keys("Enter");
    tmux.wait_screen(Duration::from_secs(5), "the screen back", |s| {
        s.contains("Topology") && s.contains("resumed")
    });
    tmux.keys("q");
    tmux.wait_screen(Duration::from_secs(10), "the prompt after quit", |s| {
        s.lines().rfind(|l| !l.trim().is_empty()).map(str::trim_end) == Some("shell$")
    });
    let echo = format!("echo $? > {}", exit_file.display());
    tmux.cmd(&["send-keys", "-t", &tmux.session, "-l", &echo]);
    tmux.keys("Enter");
    assert_eq!(exit_status(&exit_file, "sentui exits"), "0");
    assert_eq!(show("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(show("#{cursor_flag}"), "1", "cursor visible again");
}

#[test]
fn demo_offers_to_take_down_only_the_lab_it_started() {
    // A lab that was already running: the demo uses it and leaves it as it found it.
    let lab = LocalLab::up(1);
    let dir = tempfile::tempdir().unwrap();
    let args = format!("demo --local --dir {}", lab.lab_dir().display());
    // The demo connects to its lab whatever SENTUI_SENTINELS says.
    let seeds = lab.sentinels.join(",");
    let (tmux, exit_file, _) = start(&seeds, &dir, "demo-found", (120, 36), &args);
    tmux.wait_screen(Duration::from_secs(30), "the TUI on the lab", |s| {
        s.contains("mymaster") && s.contains("q quit")
    });
    tmux.keys("q");
    let s = tmux.wait_screen(Duration::from_secs(10), "the demo's last word", |s| {
        s.contains("keeps running")
    });
    assert!(s.contains("already running before this demo"), "{s}");
    assert!(!s.contains("take the lab down"), "{s}");
    assert!(
        wait_for(Duration::from_secs(5), || std::fs::read_to_string(
            &exit_file
        )
        .ok())
        .is_some()
    );
    for pid in &lab.pids {
        assert!(pid_alive(*pid), "the lab's pid {pid} still runs");
    }

    // A lab the demo started: it asks, and takes it down on yes.
    let own = dir.path().join("own-lab");
    let args = format!("demo --local --replicas 1 --dir {}", own.display());
    let (tmux, exit_file, _) = start(&seeds, &dir, "demo-own", (120, 36), &args);
    tmux.wait_screen(Duration::from_secs(60), "the TUI on the new lab", |s| {
        s.contains("mymaster") && s.contains("q quit")
    });
    tmux.keys("q");
    tmux.wait_screen(Duration::from_secs(10), "the question", |s| {
        s.contains("take the lab down")
    });
    tmux.keys("y");
    tmux.keys("Enter");
    tmux.wait_screen(Duration::from_secs(15), "the lab removed", |s| {
        s.contains("removed")
    });
    assert!(
        wait_for(Duration::from_secs(5), || std::fs::read_to_string(
            &exit_file
        )
        .ok())
        .is_some()
    );
    assert!(!own.exists(), "the demo's own lab is gone");
}
