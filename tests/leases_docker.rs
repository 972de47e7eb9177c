//! Hands that always let go, on the real Docker engine: a container paused or partitioned by the
//! TUI or a drill is unpaused or healed within 2 s when that sentui goes away (its terminal
//! closed, SIGKILL), by the guard that holds its lease. Runs wherever an engine is reachable;
//! only where none is does it skip, saying so loudly.

mod common;

use common::tmux::start_with_env;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LET_GO: Duration = Duration::from_secs(2);

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn paused(id: &str) -> bool {
    docker(&["inspect", "-f", "{{.State.Paused}}", id]) == "true"
}

/// On the lab's own network (a partition takes it off).
fn on_lab_network(id: &str, project: &str) -> bool {
    docker(&["inspect", "-f", "{{json .NetworkSettings.Networks}}", id])
        .contains(&format!("\"{project}_lab\""))
}

/// Polls until `f` holds; how long it took, or None past `limit`.
fn within(limit: Duration, f: impl Fn() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn no_guards(dir: &str) -> bool {
    let pattern = format!("guard {dir}/");
    let out = Command::new("pgrep")
        .args(["-f", &pattern])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().is_empty()
}

fn healthy(lab: &DockerLab) {
    let ok = wait_for(Duration::from_secs(90), || {
        let (v, code) = lab.status();
        (code == 0 && v["masters"][0]["master"]["addr"].is_string()).then_some(())
    });
    assert!(ok.is_some(), "the lab did not come back healthy");
}

#[test]
fn docker_faults_are_let_go_when_sentui_goes() {
    let project = format!("sentui-test-leases-{}", std::process::id());
    let Some((lab, _)) =
        DockerLab::up_or_skip("docker_faults_are_let_go_when_sentui_goes", project)
    else {
        return;
    };
    let leases = tempfile::Builder::new()
        .prefix("sentui-leases")
        .tempdir()
        .unwrap();
    let lease_dir = leases.path().to_str().unwrap().to_string();
    let env = [("SENTUI_LEASE_DIR", lease_dir.as_str())];

    // The TUI partitions the master (n, y), then its terminal is closed.
    healthy(&lab);
    let master = lab.container("redis-master");
    let dir = tempfile::tempdir().unwrap();
    let (tmux, _, _) = start_with_env(
        "",
        &dir,
        "dpart",
        (120, 36),
        &env,
        &format!("--compose-project {}", lab.project),
    );
    tmux.wait_screen(Duration::from_secs(20), "the master", |s| {
        s.contains("★ redis-master") && s.contains("connected to 3/3")
    });
    tmux.keys("n");
    tmux.wait_screen(Duration::from_secs(5), "the question", |s| {
        s.contains("y to confirm")
    });
    tmux.keys("y");
    tmux.wait_screen(Duration::from_secs(10), "the lease", |s| {
        s.contains("partitioned redis-master:6379 · lease")
    });
    assert!(!on_lab_network(&master, &lab.project), "n partitioned it");
    tmux.cmd(&["kill-session", "-t", &tmux.session]);
    let took = within(LET_GO, || on_lab_network(&master, &lab.project));
    assert!(took.is_some(), "the master was left partitioned");
    eprintln!("terminal closed: healed after {took:?}");
    assert!(
        within(LET_GO, || no_guards(&lease_dir)).is_some(),
        "a guard is left"
    );

    // The TUI pauses the master (p), then is killed outright.
    healthy(&lab);
    let (tmux, _, pid_file) = start_with_env(
        "",
        &dir,
        "dpause",
        (120, 36),
        &env,
        &format!("--compose-project {}", lab.project),
    );
    tmux.wait_screen(Duration::from_secs(20), "the master", |s| {
        s.contains("★ ") && s.contains("connected to 3/3")
    });
    let service = lab.master_service();
    let id = lab.container(&service);
    tmux.keys("p");
    tmux.wait_screen(Duration::from_secs(10), "the lease", |s| {
        s.contains(" · lease")
    });
    assert!(paused(&id), "p paused {service}");
    let sentui: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(unsafe { libc::kill(sentui, libc::SIGKILL) }, 0);
    let took = within(LET_GO, || !paused(&id));
    assert!(took.is_some(), "{service} was left paused");
    eprintln!("SIGKILL: unpaused after {took:?}");
    assert!(
        within(LET_GO, || no_guards(&lease_dir)).is_some(),
        "a guard is left"
    );
    drop(tmux);

    // A drill holding a partition, killed outright.
    healthy(&lab);
    let service = lab.master_service();
    let id = lab.container(&service);
    let mut drill = Command::new(bin())
        .args([
            "--compose-project",
            &lab.project,
            "drill",
            "--fault",
            "partition",
            "--hold",
            "20s",
            "--no-probe",
        ])
        .env("SENTUI_LEASE_DIR", &lease_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cut = within(Duration::from_secs(60), || {
        !on_lab_network(&id, &lab.project)
    });
    assert!(cut.is_some(), "the drill partitioned {service}");
    assert_eq!(unsafe { libc::kill(drill.id() as i32, libc::SIGKILL) }, 0);
    let _ = drill.wait();
    let took = within(LET_GO, || on_lab_network(&id, &lab.project));
    assert!(
        took.is_some(),
        "{service} was left partitioned by the killed drill"
    );
    eprintln!("drill SIGKILL: healed after {took:?}");
    assert!(
        within(LET_GO, || no_guards(&lease_dir)).is_some(),
        "a guard is left"
    );
    healthy(&lab);
}
