//! "Why no failover?" on real servers: for each case, `sentui doctor` (or the TUI's readiness
//! line) says what Sentinel will do before the fault, and then Sentinel does it. Local labs of
//! redis-server processes (down-after-milliseconds 1000, failover-timeout 10 s).

mod common;

use common::{EventStream, LocalLab, free_port, redis_cmd, sentinel_replica_field, wait_for};
use sentui_io::lab::local::MemberRole;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn addr(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// `sentui doctor --json` on the lab: its one group and the exit status.
fn doctor(lab: &LocalLab) -> (Value, i32) {
    let out = lab.run(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor --json: {e}: {}{}",
            common::stdout(&out),
            common::stderr(&out)
        )
    });
    (v["groups"][0].clone(), out.status.code().unwrap_or(-1))
}

/// Asks `doctor` until `ok` holds (the sentinels learn some things on their own schedule).
fn doctor_until(lab: &LocalLab, limit: Duration, ok: impl Fn(&Value, i32) -> bool) -> (Value, i32) {
    let deadline = Instant::now() + limit;
    loop {
        let (g, code) = doctor(lab);
        if ok(&g, code) || Instant::now() > deadline {
            return (g, code);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn condition<'a>(g: &'a Value, rule: &str) -> &'a Value {
    g["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} condition: {g:#}"))
}

fn pause_master(lab: &LocalLab) {
    let out = lab.run(&["ctl", "pause", "master", "--lease", "2m"]);
    assert!(out.status.success(), "ctl pause: {}", common::stderr(&out));
}

#[test]
fn healthy_names_the_replica_sentinel_then_promotes() {
    let lab = LocalLab::up(2);
    let (g, code) = doctor(&lab);
    assert_eq!(code, 0, "{g:#}");
    assert_eq!(g["verdict"], "ready", "{g:#}");
    let chosen = g["promote"]["addr"].as_str().unwrap().to_string();
    // No writes: both replicas are in sync, so the run id decides.
    assert_eq!(g["promote"]["decided_by"], "run-id", "{g:#}");
    let out = lab.run(&["doctor"]);
    assert!(
        common::stdout(&out).contains(&format!("FAILOVER READY — would promote {chosen}")),
        "{}",
        common::stdout(&out)
    );

    let ev = EventStream::start(&lab.sentinel_args(), "failover-complete");
    pause_master(&lab);
    let seen = ev.until("failover-complete", Duration::from_secs(40));
    eprintln!(
        "healthy: doctor said {chosen}; Sentinel promoted {}",
        seen.last().unwrap()["failover"]["new_master"]
    );
    assert_eq!(
        seen.last().unwrap()["failover"]["new_master"],
        chosen.as_str(),
        "doctor said {chosen}: {:#}",
        seen.last().unwrap()
    );
}

/// Sets `replica-priority 0` on `port` and waits until every sentinel holds it.
fn priority_zero(lab: &LocalLab, port: u16) {
    redis_cmd(port, &["CONFIG", "SET", "replica-priority", "0"]).unwrap();
    for sp in lab.ports(MemberRole::Sentinel) {
        let knows = wait_for(Duration::from_secs(25), || {
            (sentinel_replica_field(sp, port, "slave-priority").as_deref() == Some("0"))
                .then_some(())
        });
        assert!(knows.is_some(), "sentinel {sp} learns priority 0 of {port}");
    }
}

/// `HH:MM:SS.mmm` (UTC) as milliseconds of the day.
fn time_of_day(clock: &str) -> u64 {
    let (hms, ms) = clock.split_once('.').unwrap();
    let parts: Vec<u64> = hms.split(':').map(|p| p.parse().unwrap()).collect();
    ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000 + ms.parse::<u64>().unwrap()
}

#[test]
fn priority_zero_everywhere_blocks_and_the_cooldown_names_the_next_attempt() {
    let lab = LocalLab::up(1);
    let only = lab.ports(MemberRole::Replica)[0];
    priority_zero(&lab, only);

    let (g, code) = doctor(&lab);
    assert_eq!(code, 3, "{g:#}");
    let c = condition(&g, "replicas");
    assert_eq!(c["status"], "blocked", "{g:#}");
    assert!(
        g["headline"]
            .as_str()
            .unwrap()
            .starts_with("BLOCKED — no replica is eligible"),
        "{g:#}"
    );
    assert!(
        c["evidence"][0]
            .as_str()
            .unwrap()
            .contains("replica-priority 0"),
        "{g:#}"
    );
    // doctor hears no events: it says it cannot know the cooldown.
    assert_eq!(condition(&g, "cooldown")["status"], "not-checked", "{g:#}");

    // The TUI hears the attempt and the votes, so it knows when the next one may come.
    let dir = tempfile::tempdir().unwrap();
    let (tui, _exit, _pid) = common::tmux::start(
        &lab.sentinels.join(","),
        &dir,
        "readiness-cooldown",
        (160, 48),
        "",
    );
    tui.wait_screen(Duration::from_secs(10), "the readiness line", |s| {
        s.contains("BLOCKED — no replica is eligible")
    });
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));
    pause_master(&lab);
    let abort = ev.wait_from(0, Duration::from_secs(40), |v| {
        v["event"] == "-failover-abort-no-good-slave"
    });
    assert!(abort.is_some(), "no-good-slave abort:\n{}", ev.summary());
    let screen = tui.wait_screen(Duration::from_secs(5), "the cooldown", |s| {
        s.contains("BLOCKED — no new attempt before ")
    });
    let before = screen
        .split("no new attempt before ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let predicted = time_of_day(&before);
    // Sentinel's next attempt comes once twice the failover-timeout has passed since the last
    // (plus up to 1 s of random desync).
    let next = ev.wait_from(abort.unwrap(), Duration::from_secs(40), |v| {
        v["event"] == "+try-failover"
    });
    assert!(next.is_some(), "a next attempt:\n{}", ev.summary());
    let at = ev.seen[next.unwrap()]["ts"].as_u64().unwrap() % 86_400_000;
    eprintln!(
        "cooldown: predicted no attempt before {before}; the next came {} ms after",
        at as i64 - predicted as i64
    );
    assert!(
        at >= predicted && at <= predicted + 1000,
        "predicted no attempt before {before}, the next came at {} ({} ms after):\n{screen}",
        sentui_model::time::clock(ev.seen[next.unwrap()]["ts"].as_u64().unwrap()),
        at as i64 - predicted as i64
    );
}

/// A sentinel started by hand beside the lab's (stopped by its pid at the end).
struct ExtraSentinel {
    pid: i32,
    port: u16,
}

impl ExtraSentinel {
    fn start(dir: &Path, master: &str) -> ExtraSentinel {
        let port = free_port();
        let home = dir.join(format!("sentinel-{port}"));
        std::fs::create_dir_all(&home).unwrap();
        let (host, mport) = master.split_once(':').unwrap();
        let conf = format!(
            "port {port}\nbind 127.0.0.1\ndir \"{d}\"\ndaemonize yes\npidfile \"{d}/pid\"\n\
             logfile \"{d}/log\"\nsentinel monitor mymaster {host} {mport} 2\n\
             sentinel down-after-milliseconds mymaster 1000\n\
             sentinel failover-timeout mymaster 10000\n",
            d = home.display()
        );
        std::fs::write(home.join("sentinel.conf"), conf).unwrap();
        let ok = Command::new("redis-sentinel")
            .arg(home.join("sentinel.conf"))
            .status()
            .unwrap();
        assert!(ok.success());
        let pid = wait_for(Duration::from_secs(5), || {
            std::fs::read_to_string(home.join("pid"))
                .ok()?
                .trim()
                .parse()
                .ok()
        })
        .expect("the extra sentinel's pid file");
        ExtraSentinel { pid, port }
    }

    fn kill(&self) {
        // SAFETY: kill has no memory preconditions; the pid is the one this test started.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
    }
}

impl Drop for ExtraSentinel {
    fn drop(&mut self) {
        self.kill();
    }
}

fn known_sentinels(sp: u16) -> Option<u64> {
    let v = redis_cmd(sp, &["SENTINEL", "MASTER", "mymaster"]).ok()?;
    let fields: Vec<String> = redis::from_redis_value(v).ok()?;
    fields
        .chunks(2)
        .find(|c| c[0] == "num-other-sentinels")
        .and_then(|c| c[1].parse().ok())
}

#[test]
fn ghosts_still_count_and_block_the_election() {
    let lab = LocalLab::up(1);
    let extra: Vec<ExtraSentinel> = (0..2)
        .map(|_| ExtraSentinel::start(lab.dir.path(), &lab.master))
        .collect();
    let mut all: Vec<u16> = lab.ports(MemberRole::Sentinel);
    all.extend(extra.iter().map(|e| e.port));
    for sp in &all {
        let five = wait_for(Duration::from_secs(20), || {
            (known_sentinels(*sp) == Some(4)).then_some(())
        });
        assert!(five.is_some(), "sentinel {sp} knows the other four");
    }
    // Two stopped for good: their peers still count them until SENTINEL RESET.
    for e in &extra {
        e.kill();
    }
    let (g, code) = doctor_until(&lab, Duration::from_secs(10), |g, _| {
        condition(g, "election")["status"] == "at-risk"
    });
    assert_eq!(code, 1, "3 of 5 vote, 3 needed: at risk: {g:#}");
    // One more sentinel paused: 2 of 5 answer.
    let paused = lab.ports(MemberRole::Sentinel)[2];
    lab.signal(paused, libc::SIGSTOP);
    let (g, code) = doctor(&lab);
    lab.signal(paused, libc::SIGCONT);
    assert_eq!(code, 3, "{g:#}");
    let summary = condition(&g, "election")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        summary.starts_with("election out of reach: 2 of 5 sentinels can vote, 3 needed"),
        "{summary}"
    );
    for e in &extra {
        assert!(
            summary.contains(&addr(e.port)),
            "ghost {} named: {summary}",
            e.port
        );
    }
    assert!(
        condition(&g, "election")["remedy"]
            .as_str()
            .unwrap()
            .contains("SENTINEL RESET mymaster"),
        "{g:#}"
    );

    // The master paused with that sentinel paused too: an attempt, but no leader.
    lab.signal(paused, libc::SIGSTOP);
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "60s", 2, Duration::from_secs(15));
    pause_master(&lab);
    let not_elected = ev.wait_from(0, Duration::from_secs(40), |v| {
        v["event"] == "-failover-abort-not-elected"
    });
    lab.signal(paused, libc::SIGCONT);
    assert!(not_elected.is_some(), "not elected:\n{}", ev.summary());
    assert!(
        ev.seen.iter().all(|v| v["event"] != "+elected-leader"),
        "no leader:\n{}",
        ev.summary()
    );
}

#[test]
fn tilt_blocks_until_it_ends_and_the_failover_waits_for_it() {
    let lab = LocalLab::up(1);
    let sentinels = lab.ports(MemberRole::Sentinel);
    // Frozen past Sentinel's 2 s timer delta: both enter TILT when they wake.
    for sp in &sentinels[1..] {
        lab.signal(*sp, libc::SIGSTOP);
    }
    std::thread::sleep(Duration::from_millis(3500));
    for sp in &sentinels[1..] {
        lab.signal(*sp, libc::SIGCONT);
    }
    let (g, code) = doctor_until(&lab, Duration::from_secs(10), |g, _| {
        condition(g, "objective-down")["status"] == "blocked"
    });
    assert_eq!(code, 3, "{g:#}");
    let odown = condition(&g, "objective-down");
    assert!(
        odown["summary"]
            .as_str()
            .unwrap()
            .contains("1 of 3 sentinels can see the master down, quorum is 2"),
        "{g:#}"
    );
    let until = odown["until"].as_u64().expect("until when");
    assert_eq!(condition(&g, "tilt")["status"], "at-risk", "{g:#}");

    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));
    pause_master(&lab);
    let first = ev.wait_from(0, Duration::from_secs(60), |v| v["event"] == "+odown");
    assert!(first.is_some(), "+odown after TILT:\n{}", ev.summary());
    let at = ev.seen[first.unwrap()]["ts"].as_u64().unwrap();
    eprintln!(
        "TILT: blocked until {}, +odown came {} ms after that",
        sentui_model::time::clock(until),
        at as i64 - until as i64
    );
    // INFO says since when in whole seconds: the end is known to within one.
    assert!(
        at + 1000 >= until && at <= until + 5000,
        "+odown at {at}, TILT said until {until} ({} ms):\n{}",
        at as i64 - until as i64,
        ev.summary()
    );
}

#[test]
fn replicas_cut_off_from_the_master_too_long_leave_no_good_replica() {
    let lab = LocalLab::up(2);
    let replicas = lab.ports(MemberRole::Replica);
    // A wrong masterauth: each replica keeps trying and failing to sync.
    for r in &replicas {
        redis_cmd(*r, &["CONFIG", "SET", "masterauth", "not-the-password"]).unwrap();
        redis_cmd(*r, &["CLIENT", "KILL", "TYPE", "master"]).unwrap();
    }
    // Past 10 x down-after-milliseconds, as every sentinel reads it (INFO every 10 s).
    for sp in lab.ports(MemberRole::Sentinel) {
        for r in &replicas {
            let long = wait_for(Duration::from_secs(40), || {
                sentinel_replica_field(sp, *r, "master-link-down-time")?
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| *ms > 10_000)
            });
            assert!(
                long.is_some(),
                "sentinel {sp} sees {r}'s link down past 10 s"
            );
        }
    }
    let (g, code) = doctor(&lab);
    assert_eq!(code, 3, "{g:#}");
    let c = condition(&g, "replicas");
    assert_eq!(c["status"], "blocked", "{g:#}");
    for e in c["evidence"].as_array().unwrap() {
        assert!(
            e.as_str().unwrap().contains("link to the master down"),
            "{g:#}"
        );
    }

    let mut ev = EventStream::start_for(&lab.sentinel_args(), "60s", 3, Duration::from_secs(15));
    pause_master(&lab);
    let abort = ev.wait_from(0, Duration::from_secs(40), |v| {
        v["event"] == "-failover-abort-no-good-slave"
    });
    assert!(abort.is_some(), "no-good-slave abort:\n{}", ev.summary());
}

/// `CLIENT LIST` on `port` shows a sentinel logged in as `user`.
fn sentinel_logged_in_as(port: u16, user: &str) -> bool {
    redis_cmd(port, &["CLIENT", "LIST", "TYPE", "normal"])
        .ok()
        .and_then(|v| redis::from_redis_value::<String>(v).ok())
        .is_some_and(|list| {
            list.lines()
                .any(|l| l.contains("-cmd ") && l.contains(&format!("user={user} ")))
        })
}

#[test]
fn a_sentinel_user_without_slaveof_blocks_on_rights_and_the_failover_fails() {
    let lab = LocalLab::up(1);
    let nodes: Vec<u16> = lab
        .ports(MemberRole::Master)
        .into_iter()
        .chain(lab.ports(MemberRole::Replica))
        .collect();
    for n in &nodes {
        let ok = redis_cmd(
            *n,
            &[
                "ACL",
                "SETUSER",
                "failover",
                "on",
                ">s3cret",
                "~*",
                "&*",
                "+@all",
                "-slaveof",
                "-replicaof",
            ],
        );
        assert!(ok.is_ok(), "ACL SETUSER: {ok:?}");
    }
    for sp in lab.ports(MemberRole::Sentinel) {
        for (k, v) in [("auth-user", "failover"), ("auth-pass", "s3cret")] {
            let ok = redis_cmd(sp, &["SENTINEL", "SET", "mymaster", k, v]);
            assert!(ok.is_ok(), "SENTINEL SET {k}: {ok:?}");
        }
    }
    for n in &nodes {
        let in_as = wait_for(Duration::from_secs(20), || {
            sentinel_logged_in_as(*n, "failover").then_some(())
        });
        assert!(in_as.is_some(), "the sentinels log in to {n} as failover");
    }
    let (g, code) = doctor_until(&lab, Duration::from_secs(10), |g, _| {
        condition(g, "rights")["status"] == "blocked"
    });
    assert_eq!(code, 3, "{g:#}");
    let c = condition(&g, "rights");
    assert_eq!(
        c["summary"], "the sentinels' user may not run SLAVEOF NO ONE",
        "{g:#}"
    );
    assert!(
        c["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("user failover")),
        "{g:#}"
    );

    let mut ev = EventStream::start_for(&lab.sentinel_args(), "60s", 3, Duration::from_secs(15));
    pause_master(&lab);
    let timeout = ev.wait_from(0, Duration::from_secs(45), |v| {
        v["event"] == "-failover-abort-slave-timeout"
    });
    assert!(
        timeout.is_some(),
        "the promotion is refused and times out:\n{}",
        ev.summary()
    );
    assert!(
        ev.seen.iter().all(|v| v["event"] != "+switch-master"),
        "{}",
        ev.summary()
    );
}

#[test]
fn the_tui_says_the_verdict_and_r_shows_every_rule() {
    let lab = LocalLab::up(2);
    let dir = tempfile::tempdir().unwrap();
    let (tui, _exit, _pid) = common::tmux::start(
        &lab.sentinels.join(","),
        &dir,
        "readiness-view",
        (80, 24),
        "",
    );
    tui.wait_screen(Duration::from_secs(10), "the readiness line", |s| {
        s.contains("FAILOVER READY — would promote 127.0.0.1:")
    });
    tui.keys("r");
    let s = tui.wait_screen(Duration::from_secs(5), "the readiness screen", |s| {
        s.contains("Readiness of mymaster") && s.contains("objective down: ok")
    });
    assert!(s.contains("would promote"), "{s}");
    tui.keys("r");
    tui.wait_screen(Duration::from_secs(5), "the overview again", |s| {
        !s.contains("Readiness of mymaster") && s.contains("Topology")
    });
}
