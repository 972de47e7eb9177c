//! Hands that always let go, tried the way things end for real on the local lab: the TUI's
//! terminal closed (tmux kill-session: a hang-up), SIGTERM and SIGKILL to the TUI and to a drill
//! while a pause is in place; a lease that runs out; `ctl pause` outliving `ctl`; a pid reused
//! by another process. Every time, the paused server runs again within 2 s and no guard is left.

mod common;

use common::tmux::start_with_env;
use common::*;
use sentui_io::procfs;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest a fault may outlive whatever ended its sentui.
const LET_GO: Duration = Duration::from_secs(2);

/// A lease directory of the test's own, so that its guards and leases are the test's alone.
struct Leases {
    dir: tempfile::TempDir,
}

impl Leases {
    fn new() -> Leases {
        Leases {
            dir: tempfile::Builder::new()
                .prefix("sentui-leases")
                .tempdir()
                .unwrap(),
        }
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    fn env(&self) -> [(&str, &str); 1] {
        [("SENTUI_LEASE_DIR", self.path())]
    }

    fn files(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect()
    }

    /// Guard processes holding leases of this directory.
    fn guards(&self) -> Vec<i32> {
        let mut pids = Vec::new();
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| procfs::parse_stat_state(&s))
                == Some('Z');
            if cmdline.contains(" guard ") && cmdline.contains(self.path()) && !zombie {
                pids.push(pid);
            }
        }
        pids
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("guard.log")).unwrap_or_default()
    }

    /// Nothing held any more: no lease file, no guard.
    fn assert_all_let_go(&self, what: &str) {
        let gone = wait_for(LET_GO, || {
            (self.files().is_empty() && self.guards().is_empty()).then_some(())
        });
        assert!(
            gone.is_some(),
            "{what}: leases {:?}, guards {:?} left\n{}",
            self.files(),
            self.guards(),
            self.log()
        );
    }
}

fn stopped(pid: i32) -> bool {
    procfs::stopped(pid) == Some(true)
}

/// The current master of the lab and the pid of its server.
fn master(lab: &LocalLab) -> (String, i32) {
    let (v, _) = lab.status();
    let addr = v["masters"][0]["master"]["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    let pid = procfs::find_listener(port).unwrap().unwrap().pid;
    (addr, pid)
}

/// Polls (every 20 ms) until `pid` is seen running; how long that took, or None past `limit`.
fn runs_again_within(pid: i32, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if !stopped(pid) {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Waits until the lab has a master whose every node answers again (after a failover the old
/// master rejoins as a replica), so the next round starts from a healthy lab.
fn healthy(lab: &LocalLab) {
    let ok = wait_for(Duration::from_secs(60), || {
        let (v, code) = lab.status();
        (code == 0 && v["masters"][0]["master"]["addr"].is_string()).then_some(())
    });
    assert!(ok.is_some(), "the lab did not come back healthy");
}

/// The TUI on `lab` in tmux (with `args`), `p` pressed on the master and the pause seen on
/// screen with its lease: the session, its exit and pid files, the master and its server's pid.
fn tui_pausing_the_master(
    lab: &LocalLab,
    leases: &Leases,
    dir: &tempfile::TempDir,
    name: &str,
    args: &str,
) -> (common::tmux::Tmux, PathBuf, PathBuf, String, i32) {
    let (addr, pid) = master(lab);
    let (tmux, exit, pid_file) = start_with_env(
        &lab.sentinels.join(","),
        dir,
        name,
        (120, 36),
        &leases.env(),
        args,
    );
    tmux.wait_screen(Duration::from_secs(15), "the master", |s| {
        s.contains(&format!("★ {addr}")) && s.contains("connected to 3/3")
    });
    tmux.keys("p");
    tmux.wait_screen(Duration::from_secs(5), "the lease", |s| {
        s.contains(&format!("paused {addr} · lease"))
    });
    assert!(stopped(pid), "p paused the master");
    (tmux, exit, pid_file, addr, pid)
}

#[derive(Clone, Copy, Debug)]
enum Ending {
    /// `tmux kill-session`: the terminal goes away, as when an ssh session drops.
    TerminalClosed,
    Term,
    Hup,
    Int,
    Kill,
}

fn signal(pid: i32, sig: i32) {
    procfs::signal(pid, sig).expect("signal sentui");
}

#[test]
fn the_tui_lets_go_however_it_ends() {
    let lab = LocalLab::up(2);
    for ending in [
        Ending::TerminalClosed,
        Ending::Term,
        Ending::Hup,
        Ending::Int,
        Ending::Kill,
    ] {
        healthy(&lab);
        let leases = Leases::new();
        let dir = tempfile::tempdir().unwrap();
        let (tmux, _exit, pid_file, _, pid) =
            tui_pausing_the_master(&lab, &leases, &dir, "hands", "");
        assert_eq!(leases.guards().len(), 1, "one guard holds the pause");
        let sentui: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        match ending {
            Ending::TerminalClosed => {
                tmux.cmd(&["kill-session", "-t", &tmux.session]);
            }
            Ending::Term => signal(sentui, libc::SIGTERM),
            Ending::Hup => signal(sentui, libc::SIGHUP),
            Ending::Int => signal(sentui, libc::SIGINT),
            Ending::Kill => signal(sentui, libc::SIGKILL),
        }
        let took = runs_again_within(pid, LET_GO);
        assert!(
            took.is_some(),
            "{ending:?}: the master was left paused\n{}",
            leases.log()
        );
        eprintln!("{ending:?}: the master ran again after {took:?}");
        leases.assert_all_let_go(&format!("{ending:?}"));
        assert!(
            wait_for(Duration::from_secs(5), || (!pid_alive(sentui))
                .then_some(()))
            .is_some(),
            "{ending:?}: sentui is gone"
        );
    }
}

/// Starts a drill that pauses the master and holds the pause for 20 s.
fn drill(lab: &LocalLab, leases: &Leases) -> std::process::Child {
    let mut args = lab.sentinel_args();
    args.extend(
        ["drill", "--fault", "pause", "--hold", "20s", "--no-probe"]
            .iter()
            .map(|s| s.to_string()),
    );
    Command::new(bin())
        .args(&args)
        .env("SENTUI_LEASE_DIR", leases.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("drill starts")
}

#[test]
fn a_drill_lets_go_however_it_ends() {
    let lab = LocalLab::up(2);
    for ending in [Ending::Int, Ending::Term, Ending::Hup, Ending::Kill] {
        healthy(&lab);
        let leases = Leases::new();
        let (_, pid) = master(&lab);
        let mut child = drill(&lab, &leases);
        let paused = wait_for(Duration::from_secs(40), || stopped(pid).then_some(()));
        assert!(paused.is_some(), "{ending:?}: the drill paused the master");
        let sig = match ending {
            Ending::Int => libc::SIGINT,
            Ending::Term => libc::SIGTERM,
            Ending::Hup => libc::SIGHUP,
            _ => libc::SIGKILL,
        };
        signal(child.id() as i32, sig);
        let took = runs_again_within(pid, LET_GO);
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        use std::io::Read;
        let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
        assert!(
            took.is_some(),
            "{ending:?}: the master was left paused\n{stderr}\n{}",
            leases.log()
        );
        eprintln!("{ending:?}: the master ran again after {took:?}");
        if !matches!(ending, Ending::Kill) {
            assert!(
                stderr.contains("restore: resumed"),
                "{ending:?}: the drill restored it itself\n{stderr}"
            );
            assert_eq!(
                status.code(),
                Some(1),
                "an interrupted drill fails: {stderr}"
            );
        }
        leases.assert_all_let_go(&format!("{ending:?}"));
    }
}

#[test]
fn a_lease_that_runs_out_ends_the_fault_and_the_screen_says_so() {
    let lab = LocalLab::up(2);
    let leases = Leases::new();
    let dir = tempfile::tempdir().unwrap();
    let (tmux, exit, _, addr, pid) =
        tui_pausing_the_master(&lab, &leases, &dir, "lease", "--lease 2s");
    let took = runs_again_within(pid, Duration::from_secs(2) + LET_GO);
    assert!(took.is_some(), "the lease ran out: {}", leases.log());
    // The log says it (filtered to sentui's own entries, so a failover's do not push it off).
    tmux.keys("o");
    let s = tmux.wait_screen(Duration::from_secs(5), "the lease's end", |s| {
        s.contains("its lease ran out") && !s.contains("· lease")
    });
    assert!(s.contains(&addr), "{s}");
    leases.assert_all_let_go("the lease ran out");
    tmux.keys("q");
    common::tmux::assert_exited_cleanly(&tmux, &exit, "sentui quits");
    let after = tmux.screen();
    assert!(
        !after.contains("could not"),
        "nothing was left to undo on quit:\n{after}"
    );
}

#[test]
fn ctl_pause_outlives_ctl_until_its_lease_ends_or_ctl_unpause() {
    let lab = LocalLab::up(1);
    let leases = Leases::new();
    let (addr, pid) = master(&lab);
    let mut args = lab.sentinel_args();
    args.extend(["ctl", "pause", "master", "--lease", "2s"].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sentui_env(&refs, &leases.env());
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("lease 2s, until"), "{said}");
    assert!(
        said.contains("`sentui ctl unpause master` does it sooner"),
        "{said}"
    );
    assert!(stopped(pid), "ctl exited and the pause stays");
    // status names the lease while it runs.
    let mut status_args = lab.sentinel_args();
    status_args.extend(["status", "--json"].map(String::from));
    let refs: Vec<&str> = status_args.iter().map(String::as_str).collect();
    let v: Value = serde_json::from_slice(&sentui_env(&refs, &leases.env()).stdout).unwrap();
    let lease = &v["leases"][0];
    assert_eq!(lease["addr"], addr.as_str(), "{v}");
    assert_eq!(lease["action"], "pause");
    assert!(lease["held_by_pid"].is_null(), "ctl holds nothing: {lease}");
    assert!(lease["remaining_ms"].as_u64().unwrap() <= 2000);
    let took = runs_again_within(pid, Duration::from_secs(2) + LET_GO);
    assert!(took.is_some(), "the lease ran out: {}", leases.log());
    leases.assert_all_let_go("ctl's lease ran out");
    assert!(
        leases.log().contains("because its lease ran out: resumed"),
        "{}",
        leases.log()
    );

    // A longer lease, ended sooner by ctl unpause: the guard goes without touching anything.
    let mut args = lab.sentinel_args();
    // By its address: the first pause may have cost it the master role.
    args.extend(["ctl", "pause", &addr, "--lease", "10m"].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(sentui_env(&refs, &leases.env()).status.success());
    assert!(stopped(pid));
    let mut args = lab.sentinel_args();
    args.extend(["ctl", "unpause", &addr].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sentui_env(&refs, &leases.env());
    assert!(
        stdout(&out).contains("ended the lease on paused"),
        "{}",
        stdout(&out)
    );
    assert!(!stopped(pid));
    leases.assert_all_let_go("ctl unpause");
    assert!(leases.log().contains("released"), "{}", leases.log());
}

#[test]
fn a_guard_never_signals_a_process_that_reused_the_pid() {
    // A stopped process that is not the one the lease names (its start time differs): the
    // guard of a lease whose owner is gone must leave it stopped.
    let leases = Leases::new();
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = sleeper.id() as i32;
    signal(pid, libc::SIGSTOP);
    assert!(wait_for(Duration::from_secs(2), || stopped(pid).then_some(())).is_some());
    let real = procfs::identity(pid).unwrap();
    let lease = serde_json::json!({
        "id": "reused-pid",
        "action": "pause",
        "addr": "127.0.0.1:1",
        "target": {"kind": "process", "process": {"pid": pid, "start": real.start + 1}, "name": "redis-server"},
        "deployment": "a test",
        "granted_at": 0,
        "expires_at": u64::MAX,
        // An owner that is certainly gone: pid 1's start time is never this.
        "owner": {"pid": 1, "start": 999_999_999_999u64},
    });
    let path = Path::new(leases.path()).join("reused-pid.json");
    std::fs::write(&path, lease.to_string()).unwrap();
    let out = Command::new(bin())
        .args(["guard", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is gone, nothing to hold"),
        "{}",
        stderr(&out)
    );
    assert!(stopped(pid), "the other process was not touched");
    assert!(
        !path.exists(),
        "the lease is removed once its owner is gone"
    );
    let _ = sleeper.kill();
    let _ = sleeper.wait();
}

#[test]
fn leave_paused_keeps_the_fault_until_its_lease_ends_and_says_when() {
    let lab = LocalLab::up(1);
    let leases = Leases::new();
    let dir = tempfile::tempdir().unwrap();
    let (tmux, exit, _, addr, pid) =
        tui_pausing_the_master(&lab, &leases, &dir, "leave", "--leave-paused --lease 4s");
    tmux.keys("q");
    common::tmux::assert_exited_cleanly(&tmux, &exit, "sentui quits");
    let said = tmux.screen();
    assert!(
        said.contains(&format!("left paused {addr} as asked (--leave-paused)"))
            && said.contains("until"),
        "{said}"
    );
    assert!(stopped(pid), "left paused");
    assert_eq!(leases.guards().len(), 1, "its guard still holds it");
    let took = runs_again_within(pid, Duration::from_secs(4) + LET_GO);
    assert!(took.is_some(), "the lease ended it: {}", leases.log());
    leases.assert_all_let_go("the handed-over lease ran out");
}
