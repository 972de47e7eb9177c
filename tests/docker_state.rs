//! Container states on the real Docker engine, as its events arrive: a replica and a sentinel
//! stopped with `docker stop` (the engine's own command, not sentui) read "stopped" within a
//! second, in `status` (text and JSON, the stopped ones with their container) and in the TUI
//! (topology, the endpoint's details, an event's details), never PARTITIONED, with advice to
//! start them rather than to map a port; started again, they read running. Runs wherever an
//! engine is reachable; only where none is does it skip, saying so loudly.

mod common;

use common::*;
use sentui::app::{App, Detail};
use sentui::record::Header;
use sentui_io::collect::{self, CHANNEL};
use sentui_io::link::now_ms;
use sentui_model::Addr;
use sentui_model::input::{Input, Key, KeyCode};
use sentui_model::log::{Event, OwnEvent};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{self, Receiver};

/// How soon after `docker stop` returns every reading must say so.
const WITHIN: Duration = Duration::from_secs(1);
const SIZE: (u16, u16) = (140, 40);

/// Runs `docker ARGS` (the engine's own CLI) and returns when it did.
async fn docker(args: &[&str]) -> Instant {
    let out = tokio::process::Command::new("docker")
        .args(args)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", stderr(&out));
    Instant::now()
}

fn screen(app: &App) -> Vec<String> {
    let buf = sentui::ui::render_to_buffer(app, SIZE.0, SIZE.1);
    (0..SIZE.1)
        .map(|y| (0..SIZE.0).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn row<'a>(screen: &'a [String], what: &str) -> &'a str {
    screen
        .iter()
        .find(|l| l.contains(what))
        .map(String::as_str)
        .unwrap_or("")
}

/// The live TUI's App, fed what the real collectors (the Docker watcher included) report.
struct Tui {
    app: App,
    rx: Receiver<Input>,
}

impl Tui {
    async fn start(project: &str) -> Tui {
        use clap::Parser;
        let cli =
            sentui::cli::Cli::try_parse_from(["sentui", "--compose-project", project]).unwrap();
        let c = sentui::connection::connect(&cli.conn, &Default::default(), false)
            .await
            .unwrap();
        let mut header = Header::new("tui", now_ms(), c.seeds.clone());
        header.compose_project = Some(project.to_string());
        header.size = Some(SIZE);
        let app = App::for_session(&header);
        let (tx, rx) = mpsc::channel(CHANNEL);
        collect::start(c.settings, c.seeds, tx);
        Tui { app, rx }
    }

    /// Applies the inputs as they come until `done` holds of the screen, or `deadline`. Like
    /// the session, it applies what is queued and then draws; every screen drawn passes
    /// `always`. Returns the screen that satisfied `done`, or the last one drawn.
    async fn until(
        &mut self,
        deadline: Instant,
        always: impl Fn(&[String]),
        done: impl Fn(&App, &[String]) -> bool,
    ) -> Result<Vec<String>, Vec<String>> {
        let mut last = screen(&self.app);
        loop {
            always(&last);
            if done(&self.app, &last) {
                return Ok(last);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(input)) => {
                    self.app.step(input);
                    while let Ok(input) = self.rx.try_recv() {
                        self.app.step(input);
                    }
                }
                Ok(None) | Err(_) => return Err(last),
            }
            last = screen(&self.app);
        }
    }
}

impl Tui {
    /// Presses `keys` as the user does.
    fn press(&mut self, keys: &[KeyCode]) {
        for k in keys {
            self.app.step(Input::key(now_ms(), Key::new(*k)));
        }
    }

    /// Walks the selection (↓) to `a` and opens its details (Enter).
    fn open_endpoint(&mut self, a: &Addr) {
        while self.app.selected_addr().as_ref() != Some(a) {
            let before = self.app.selected_addr();
            self.press(&[KeyCode::Down]);
            assert_ne!(self.app.selected_addr(), before, "{a} cannot be selected");
        }
        self.press(&[KeyCode::Enter]);
        assert_eq!(self.app.detail(), Some(&Detail::Endpoint(a.clone())));
    }

    /// Finds the newest row of `event` with the filter, focuses the log there (`e`) and opens
    /// it (Enter); returns the keys that go back (close, leave the log, clear the filter).
    fn open_newest(&mut self, event: &str) -> [KeyCode; 4] {
        self.press(&[KeyCode::Char('/')]);
        let typed: Vec<KeyCode> = event.chars().map(KeyCode::Char).collect();
        self.press(&typed);
        self.press(&[KeyCode::Enter, KeyCode::Char('e'), KeyCode::Enter]);
        [KeyCode::Esc, KeyCode::Esc, KeyCode::Char('/'), KeyCode::Esc]
    }
}

fn never_partitioned(screen: &[String]) {
    assert!(
        !screen.iter().any(|l| l.contains("PARTITIONED")),
        "nothing was partitioned:\n{}",
        screen.join("\n")
    );
}

/// Runs `sentui status ARGS` in a thread of its own until `ok` holds of its output, starting no
/// reading after `deadline`; every reading passes `always`. Returns the output that held and
/// when the reading that gave it started, or the last output.
fn status_until(
    lab: &DockerLab,
    args: &'static [&'static str],
    deadline: Instant,
    always: fn(&str),
    ok: impl Fn(&str) -> bool + Send + 'static,
) -> std::thread::JoinHandle<Result<(String, Instant), String>> {
    let project = lab.project.clone();
    std::thread::spawn(move || {
        loop {
            let started = Instant::now();
            let mut all = vec!["--compose-project", project.as_str(), "status"];
            all.extend_from_slice(args);
            let out = stdout(&sentui(&all));
            always(&out);
            if ok(&out) {
                return Ok((out, started));
            }
            if Instant::now() >= deadline {
                return Err(out);
            }
        }
    })
}

fn member<'a>(s: &'a Value, addr: &str) -> &'a Value {
    let g = &s["masters"][0];
    g["replicas"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(g["sentinels"].as_array().into_iter().flatten())
        .chain(std::iter::once(&g["master"]))
        .find(|n| n["addr"] == addr)
        .unwrap_or(&Value::Null)
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or(Value::Null)
}

/// No reading of `status` (JSON or text) says partitioned.
fn no_partition_read(out: &str) {
    let s = json(out);
    let g = &s["masters"][0];
    for n in g["replicas"].as_array().into_iter().flatten() {
        assert_eq!(n["partitioned"], false, "{n:#}");
    }
    if s.is_null() {
        assert!(!out.contains("partitioned"), "{out}");
    }
}

/// A thread asking `status`: the output that held and when its reading started, or the last.
type Reading = std::thread::JoinHandle<Result<(String, Instant), String>>;

/// `status` asked, JSON and text, each in a thread of its own, from just after `docker stop`.
struct StatusCheck {
    from: Instant,
    readings: Vec<(&'static str, Reading)>,
}

/// Starts asking `status` until both readings, JSON and text, say what is expected; each
/// must come from a reading started within `WITHIN` of `from`.
fn status_says(
    lab: &DockerLab,
    from: Instant,
    json_ok: impl Fn(&Value) -> bool + Send + 'static,
    text_ok: impl Fn(&str) -> bool + Send + 'static,
) -> StatusCheck {
    let deadline = from + WITHIN;
    let j = status_until(lab, &["--json"], deadline, no_partition_read, move |o| {
        json_ok(&json(o))
    });
    let t = status_until(lab, &[], deadline, no_partition_read, text_ok);
    StatusCheck {
        from,
        readings: vec![("JSON", j), ("text", t)],
    }
}

impl StatusCheck {
    /// The JSON and the text that said so.
    fn wait(self) -> (Value, String) {
        let mut got = Vec::new();
        for (what, h) in self.readings {
            let (out, started) = h
                .join()
                .unwrap()
                .unwrap_or_else(|o| panic!("status ({what}) did not say so within 1 s:\n{o}"));
            let after = started.duration_since(self.from);
            println!(
                "status ({what}): a reading started {} ms after docker stop returned said so",
                after.as_millis()
            );
            assert!(after < WITHIN);
            got.push(out);
        }
        (json(&got[0]), got.remove(1))
    }
}

#[test]
fn docker_stop_reads_stopped_within_a_second_everywhere() {
    let Some((lab, _)) = DockerLab::up_or_skip(
        "docker_stop_reads_stopped_within_a_second_everywhere",
        format!("sentui-dstate-{}", std::process::id()),
    ) else {
        return;
    };
    let replica = "redis-replica-1:6379";
    let sentinel = "sentinel-3:26379";
    // Their rows in the topology and in the status table.
    let (replica_row, sentinel_row) = ("▶ redis-replica-1:6379", "◆ sentinel-3:26379");
    let (replica_line, sentinel_line) =
        ("replica redis-replica-1:6379", "sentinel sentinel-3:26379");
    let lines = |text: &str| text.lines().map(String::from).collect::<Vec<_>>();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut tui = Tui::start(&lab.project).await;
        let ready = tui
            .until(
                Instant::now() + Duration::from_secs(30),
                never_partitioned,
                |app, s| {
                    let running = |a: &str| {
                        let a: Addr = a.parse().unwrap();
                        let c = app
                            .live()
                            .nodes()
                            .get(&a)
                            .and_then(|n| n.container.clone())
                            .or_else(|| app.live().sentinels().get(&a)?.container.clone());
                        c.is_some_and(|c| c.state.as_str() == "running")
                    };
                    row(s, replica_row).contains(" ok")
                        && row(s, sentinel_row).contains('✓')
                        && running(replica)
                        && running(sentinel)
                },
            )
            .await;
        assert!(ready.is_ok(), "the TUI never showed the lab:\n{:?}", ready);

        // The replica, then a sentinel, stopped by the engine's own command: `status` is
        // asked (in threads of its own) while the TUI goes on.
        let replica_id = lab.container("redis-replica-1");
        let stopped_at = docker(&["stop", &replica_id]).await;
        let status = status_says(
            &lab,
            stopped_at,
            move |s| {
                let r = member(s, replica);
                r["stopped"] == true && r["container"]["state"] == "exited"
            },
            move |text| row(&lines(text), replica_line).contains(" STOPPED "),
        );
        let shown = tui
            .until(stopped_at + WITHIN, never_partitioned, |_, s| {
                row(s, replica_row).contains("STOPPED")
            })
            .await
            .unwrap_or_else(|s| panic!("not STOPPED within 1 s:\n{}", s.join("\n")));
        println!(
            "TUI: STOPPED {} ms after docker stop returned: {}",
            stopped_at.elapsed().as_millis(),
            row(&shown, replica_row).trim()
        );
        assert!(
            shown.iter().any(|l| l.contains(&format!(
                "replica {replica} is stopped (container {}-redis-replica-1-1 exited)",
                lab.project
            ))),
            "the header says why:\n{}",
            shown.join("\n")
        );
        // Its details say so too, with what to do.
        tui.open_endpoint(&replica.parse().unwrap());
        let detail = screen(&tui.app).join("\n");
        assert!(
            detail.contains("stopped (container") && detail.contains("start it with"),
            "{detail}"
        );
        tui.press(&[KeyCode::Esc]);
        let (json, text) = status.wait();
        let r = member(&json, replica);
        assert_eq!(
            r["container"]["name"],
            format!("{}-redis-replica-1-1", lab.project)
        );
        assert_ne!(r["link"], "up", "a stopped replica has no link: {r:#}");
        let problems = json["masters"][0]["problems"].to_string();
        assert!(
            problems.contains("start it with `sentui ctl start redis-replica-1`"),
            "{problems}"
        );
        assert!(
            !text.contains("--map"),
            "no map advice for a stopped node:\n{text}"
        );
        assert!(!json.to_string().contains("--map"), "{json:#}");

        let sentinel_id = lab.container("sentinel-3");
        let stopped_at = docker(&["stop", &sentinel_id]).await;
        let status = status_says(
            &lab,
            stopped_at,
            move |s| {
                let s = member(s, sentinel);
                s["stopped"] == true && s["container"]["state"] == "exited"
            },
            move |text| row(&lines(text), sentinel_line).contains(" STOPPED "),
        );
        let sentinel_addr: Addr = sentinel.parse().unwrap();
        let shown = tui
            .until(stopped_at + WITHIN, never_partitioned, |app, s| {
                row(s, sentinel_row).contains("STOPPED")
                    && app.live().log().entries().any(|e| {
                        e.event == Event::Own(OwnEvent::ContainerStop)
                            && e.addr.as_ref() == Some(&sentinel_addr)
                    })
            })
            .await
            .unwrap_or_else(|s| panic!("sentinel not STOPPED within 1 s:\n{}", s.join("\n")));
        println!(
            "TUI: sentinel STOPPED {} ms after docker stop returned: {}",
            stopped_at.elapsed().as_millis(),
            row(&shown, sentinel_row).trim()
        );
        // The details of the engine's event say what the container is now.
        let seq = tui
            .app
            .live()
            .log()
            .entries()
            .filter(|e| {
                e.event == Event::Own(OwnEvent::ContainerStop)
                    && e.addr.as_ref() == Some(&sentinel_addr)
            })
            .map(|e| e.seq)
            .next_back()
            .unwrap();
        let back = tui.open_newest("container-stop");
        assert_eq!(tui.app.detail(), Some(&Detail::Event(seq)));
        let detail = screen(&tui.app).join("\n");
        assert!(
            detail.contains("(service sentinel-3, exited)"),
            "the event's details:\n{detail}"
        );
        tui.press(&back);
        status.wait();

        // Started again (by the engine's command): running, on screen and in status.
        docker(&["start", &replica_id, &sentinel_id]).await;
        let back = tui
            .until(
                Instant::now() + Duration::from_secs(30),
                never_partitioned,
                |_, s| {
                    row(s, replica_row).contains(" ok")
                        && row(s, sentinel_row).contains('✓')
                        && !s.iter().any(|l| l.contains("STOPPED"))
                },
            )
            .await;
        assert!(back.is_ok(), "running again on screen:\n{back:?}");
        let running = wait_for(Duration::from_secs(30), || {
            let (s, code) = lab.status();
            let r = member(&s, replica);
            (code == 0
                && r["stopped"] == false
                && r["container"]["state"] == "running"
                && member(&s, sentinel)["container"]["state"] == "running")
                .then_some(())
        });
        assert!(running.is_some(), "running again in status");
    });
    lab.down_clean(&[]);
}
