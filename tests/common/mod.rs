//! Helpers shared by the integration tests: run the real binary, start and stop a local lab.
#![allow(dead_code)]

pub mod scenario;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sentui")
}

pub fn sentui(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("SENTUI_SENTINELS")
        .output()
        .expect("run sentui")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A local lab in its own temporary directory, taken down when dropped (also on panic).
pub struct LocalLab {
    pub dir: tempfile::TempDir,
    pub sentinels: Vec<String>,
    pub master: String,
    pub pids: Vec<i32>,
}

impl LocalLab {
    pub fn up(replicas: u8) -> LocalLab {
        let dir = tempfile::Builder::new()
            .prefix("sentui-test-lab")
            .tempdir()
            .unwrap();
        let lab_dir = dir.path().join("lab");
        let out = sentui(&[
            "lab",
            "up",
            "--local",
            "--dir",
            lab_dir.to_str().unwrap(),
            "--replicas",
            &replicas.to_string(),
        ]);
        assert!(
            out.status.success(),
            "lab up failed: {}{}",
            stdout(&out),
            stderr(&out)
        );
        let state: Value =
            serde_json::from_str(&std::fs::read_to_string(lab_dir.join("lab.json")).unwrap())
                .unwrap();
        let members = state["members"].as_array().unwrap();
        let port_of = |m: &Value| format!("127.0.0.1:{}", m["port"]);
        LocalLab {
            sentinels: members
                .iter()
                .filter(|m| m["role"] == "sentinel")
                .map(port_of)
                .collect(),
            master: members
                .iter()
                .find(|m| m["role"] == "master")
                .map(port_of)
                .unwrap(),
            pids: members
                .iter()
                .map(|m| m["pid"].as_i64().unwrap() as i32)
                .collect(),
            dir,
        }
    }

    pub fn lab_dir(&self) -> PathBuf {
        self.dir.path().join("lab")
    }

    pub fn sentinel_args(&self) -> Vec<String> {
        self.sentinels
            .iter()
            .flat_map(|s| ["--sentinel".to_string(), s.clone()])
            .collect()
    }

    /// Runs sentui against this lab.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<String> = self.sentinel_args();
        all.extend(args.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        sentui(&refs)
    }

    pub fn status(&self) -> (Value, i32) {
        let out = self.run(&["status", "--json"]);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("status --json: {e}: {}", stdout(&out)));
        (v, out.status.code().unwrap_or(-1))
    }

    pub fn down(&self) -> Output {
        sentui(&[
            "lab",
            "down",
            "--local",
            "--dir",
            self.lab_dir().to_str().unwrap(),
        ])
    }
}

impl Drop for LocalLab {
    fn drop(&mut self) {
        if self.lab_dir().exists() {
            let _ = self.down();
        }
    }
}

/// Polls `f` until it returns Some or `limit` passes.
pub fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

pub fn pid_alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// `sentui ... events --json --until EVENT --for 60s`, read line by line on a thread.
pub struct EventStream {
    child: std::process::Child,
    rx: std::sync::mpsc::Receiver<Value>,
    /// Every entry received so far.
    pub seen: Vec<Value>,
}

impl EventStream {
    /// Starts the stream with `conn` (connection flags) and returns once all three events
    /// links are up.
    pub fn start(conn: &[String], until: &str) -> EventStream {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(bin())
            .args(conn)
            .args(["events", "--json", "--until", until, "--for", "60s"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut s = EventStream {
            child,
            rx,
            seen: Vec::new(),
        };
        let mut links = 0;
        while links < 3 {
            let v =
                s.rx.recv_timeout(Duration::from_secs(15))
                    .expect("events links come up");
            links += (v["event"] == "events-link-up") as usize;
            s.seen.push(v);
        }
        s
    }

    /// Waits for `event`; returns what arrived since the links came up, ending with it.
    pub fn until(mut self, event: &str, limit: Duration) -> Vec<Value> {
        let start = self.seen.len();
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    let done = v["event"] == event;
                    self.seen.push(v);
                    if done {
                        return self.seen.split_off(start);
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no {event} within {limit:?}; saw {:?}",
            self.seen
                .iter()
                .map(|v| v["event"].clone())
                .collect::<Vec<_>>()
        );
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Docker engine answers `docker info`.
pub fn docker_engine_reachable() -> bool {
    std::process::Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A compose lab under its own project name, taken down when dropped (also on panic).
pub struct DockerLab {
    pub project: String,
}

impl DockerLab {
    pub fn named(project: String) -> DockerLab {
        DockerLab { project }
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--compose-project", self.project.as_str()];
        all.extend_from_slice(args);
        sentui(&all)
    }
    pub fn status(&self) -> (Value, i32) {
        let out = self.run(&["status", "--json"]);
        (
            serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
            out.status.code().unwrap_or(-1),
        )
    }
    pub fn leftovers(&self) -> String {
        let label = format!("label=com.docker.compose.project={}", self.project);
        let mut left = String::new();
        for what in [
            vec!["ps", "-a"],
            vec!["network", "ls"],
            vec!["volume", "ls"],
        ] {
            let out = std::process::Command::new("docker")
                .args(&what)
                .args(["-q", "--filter", &label])
                .output()
                .unwrap();
            left.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        left.trim().to_string()
    }
}

impl Drop for DockerLab {
    fn drop(&mut self) {
        let _ = sentui(&["lab", "down", "--project", &self.project]);
    }
}

impl DockerLab {
    /// Brings up the compose lab as `project` (taken down on drop), or, only when no Docker
    /// engine is reachable, says loudly that `test` is skipped and returns None.
    pub fn up_or_skip(test: &str, project: String) -> Option<(DockerLab, Output)> {
        if !docker_engine_reachable() {
            eprintln!(
                "\n!!!!!!!! SKIPPED {test}: NO DOCKER ENGINE IS REACHABLE (docker info failed) !!!!!!!!\n"
            );
            println!("SKIPPED: no Docker engine reachable");
            return None;
        }
        let lab = DockerLab::named(project);
        let up = sentui(&["lab", "up", "--project", &lab.project]);
        assert!(
            up.status.success(),
            "lab up: {}{}",
            stdout(&up),
            stderr(&up)
        );
        Some((lab, up))
    }
}
