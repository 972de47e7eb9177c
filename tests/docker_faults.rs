//! The Docker engine going away under a live sentui (`events --json` on the compose lab): a
//! proxy of the engine's socket is cut and restored; sentui says the engine is gone, keeps
//! watching Redis (a replica paused behind its back is still seen), and says when the engine is
//! back, with container events flowing again. Runs wherever an engine is reachable; only where
//! none is does it skip, saying so loudly.

mod common;

use common::*;
use serde_json::Value;
use std::time::Duration;

/// The replica `a` in a status' one group.
fn replica<'a>(s: &'a Value, a: &str) -> Option<&'a Value> {
    s["masters"][0]["replicas"]
        .as_array()?
        .iter()
        .find(|r| r["addr"] == a)
}

/// Every event about `a` (as the node it concerns or the sentinel it came from) is `name`.
fn is(v: &Value, name: &str, a: &str) -> bool {
    v["event"] == name && (v["addr"] == a || v["sentinel"] == a)
}

/// A unix-socket proxy to the Docker engine's socket, run by the test, so the test can take
/// "the engine" away from sentui (and only from sentui) and bring it back.
struct EngineProxy {
    path: std::path::PathBuf,
    upstream: std::path::PathBuf,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::os::unix::net::UnixStream>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EngineProxy {
    fn start(path: &std::path::Path, upstream: &std::path::Path) -> EngineProxy {
        let mut p = EngineProxy {
            path: path.to_path_buf(),
            upstream: upstream.to_path_buf(),
            stop: Default::default(),
            conns: Default::default(),
            thread: None,
        };
        p.resume();
        p
    }

    /// Listens again (a fresh listener on the same path).
    fn resume(&mut self) {
        use std::os::unix::net::{UnixListener, UnixStream};
        use std::sync::atomic::Ordering;
        let _ = std::fs::remove_file(&self.path);
        let l = UnixListener::bind(&self.path).unwrap();
        l.set_nonblocking(true).unwrap();
        self.stop.store(false, Ordering::Relaxed);
        let (stop, conns, upstream) =
            (self.stop.clone(), self.conns.clone(), self.upstream.clone());
        self.thread = Some(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok((client, _)) = l.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(engine) = UnixStream::connect(&upstream) else {
                    continue;
                };
                let mut all = conns.lock().unwrap();
                all.push(client.try_clone().unwrap());
                all.push(engine.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), engine.try_clone().unwrap()),
                    (engine, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        }));
    }

    /// The engine goes away: no listener, every open connection cut.
    fn kill(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for EngineProxy {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The engine's unix socket, as the docker CLI would reach it (None: not a unix socket).
fn engine_socket() -> Option<std::path::PathBuf> {
    match std::env::var("DOCKER_HOST") {
        Ok(h) if !h.is_empty() => h.strip_prefix("unix://").map(Into::into),
        _ => Some("/var/run/docker.sock".into()),
    }
}

fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

#[test]
fn the_docker_engine_going_away() {
    let Some(socket) = engine_socket() else {
        skip_loudly(
            "the_docker_engine_going_away",
            "DOCKER_HOST is not a unix socket, the test's proxy needs one",
        );
        return;
    };
    let Some((lab, _)) = DockerLab::up_or_skip(
        "the_docker_engine_going_away",
        format!("sentui-faults-{}", std::process::id()),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let proxied = dir.path().join("engine.sock");
    let mut proxy = EngineProxy::start(&proxied, &socket);
    let host = format!("unix://{}", proxied.display());
    let conn = ["--compose-project".to_string(), lab.project.clone()];
    let mut ev = EventStream::start_for_env(
        &conn,
        &[("DOCKER_HOST", &host)],
        "150s",
        3,
        Duration::from_secs(30),
    );
    let announced = "redis-replica-1:6379";
    let container = docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={}", lab.project),
        "--filter",
        "label=com.docker.compose.service=redis-replica-1",
    ]);
    assert!(!container.is_empty(), "the replica's container");
    /// Resumes the container however the test ends (before the lab is taken down).
    struct Unpause(String);
    impl Drop for Unpause {
        fn drop(&mut self) {
            let _ = std::process::Command::new("docker")
                .args(["unpause", &self.0])
                .output();
        }
    }
    let _unpause = Unpause(container.clone());

    // The engine goes away: sentui says so and keeps running.
    proxy.kill();
    let gone = ev.wait_from(0, Duration::from_secs(30), |v| {
        v["event"] == "docker-engine-unreachable"
    });
    assert!(
        gone.is_some(),
        "docker-engine-unreachable:\n{}",
        ev.summary()
    );
    let gone = gone.unwrap();
    assert_eq!(ev.seen[gone]["source"], "docker");
    assert!(
        ev.seen[gone]["payload"]
            .as_str()
            .unwrap()
            .contains("the Docker engine is not reachable"),
        "says what is wrong: {}",
        ev.seen[gone]
    );
    assert!(
        ev.seen[gone]["payload"]
            .as_str()
            .unwrap()
            .contains("Redis monitoring goes on"),
        "{}",
        ev.seen[gone]
    );
    // And Redis monitoring does go on: a replica paused behind sentui's back is seen through
    // Redis alone (the engine cannot tell sentui now).
    docker(&["pause", &container]);
    let frozen = ev.wait_from(gone, Duration::from_secs(20), |v| {
        is(v, "node-unresponsive", announced)
    });
    assert!(
        frozen.is_some(),
        "{announced} unresponsive without the engine:\n{}",
        ev.summary()
    );
    assert!(
        !ev.seen[gone..]
            .iter()
            .any(|v| v["event"] == "container-pause"),
        "no container event can come now:\n{}",
        ev.summary()
    );
    assert!(ev.running(), "sentui keeps running without the engine");

    // The engine is back: sentui says so and container events flow again.
    proxy.resume();
    let back = ev.wait_from(gone, Duration::from_secs(30), |v| {
        v["event"] == "docker-engine-reachable"
    });
    assert!(back.is_some(), "docker-engine-reachable:\n{}", ev.summary());
    docker(&["unpause", &container]);
    let unpause = ev.wait_from(back.unwrap(), Duration::from_secs(30), |v| {
        v["event"] == "container-unpause" && v["source"] == "docker"
    });
    assert!(unpause.is_some(), "container-unpause:\n{}", ev.summary());
    assert_eq!(
        ev.seen[unpause.unwrap()]["addr"],
        announced,
        "the container is known again: {}",
        ev.seen[unpause.unwrap()]
    );
    let answered = ev.wait_from(frozen.unwrap(), Duration::from_secs(20), |v| {
        is(v, "node-responsive", announced)
    });
    assert!(answered.is_some(), "{announced} answers:\n{}", ev.summary());
    assert!(ev.running(), "the live session keeps running");
    let mut last = Value::Null;
    let healthy = wait_for(Duration::from_secs(20), || {
        let (s, code) = lab.status();
        let ok = code == 0
            && replica(&s, announced).is_some_and(|r| r["container"]["state"] == "running");
        last = s;
        ok.then_some(())
    });
    assert!(
        healthy.is_some(),
        "healthy again, the replica running: {last:#}"
    );
}
