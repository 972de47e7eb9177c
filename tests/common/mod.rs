//! Helpers shared by the integration tests: run the real binary, start and stop a local lab.
#![allow(dead_code)]

pub mod fake_sentinel;
pub mod scenario;
pub mod session;
pub mod tmux;

use sentui::ndjson::JsonLines;
use sentui_io::lab::local::MemberRole;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sentui")
}

/// The sentui binary as a command, without the SENTUI_* settings (seeds, credentials, config
/// file, Compose choice) of whoever runs the tests: each test says what it sets.
pub fn sentui_cmd() -> Command {
    let mut cmd = Command::new(bin());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SENTUI_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

pub fn sentui(args: &[&str]) -> Output {
    sentui_env(args, &[])
}

/// `sentui ARGS` with extra environment variables.
pub fn sentui_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    sentui_cmd()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run sentui")
}

/// The command was refused as bad input: exit 2, with `why` on stderr.
/// An action on something already as asked: success (0), saying why nothing was done.
pub fn assert_nothing_to_do(out: &Output, why: &str) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    let said = stdout(out);
    assert!(
        said.contains(why) && said.contains("nothing to do"),
        "{said}"
    );
}

pub fn assert_refused(out: &Output, why: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(why), "{}", stderr(out));
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
    /// What `lab up` printed.
    pub up_stdout: String,
    /// Connection flags every command against the lab gets after the sentinels (TLS flags
    /// for a TLS lab).
    pub conn_extra: Vec<String>,
}

impl LocalLab {
    pub fn up(replicas: u8) -> LocalLab {
        Self::up_groups(replicas, 1)
    }

    /// A lab whose three sentinels watch `groups` master groups (`lab up --groups`).
    pub fn up_groups(replicas: u8, groups: u16) -> LocalLab {
        Self::up_with(replicas, groups, &[])
    }

    /// A mutual-TLS lab (`lab up --local --tls`); commands against it present the PKCS#8
    /// client key until `conn_extra` says otherwise.
    pub fn up_tls(replicas: u8) -> LocalLab {
        let mut lab = Self::up_with(replicas, 1, &["--tls"]);
        let t = lab.lab_dir().join("tls");
        let f = |n: &str| t.join(n).display().to_string();
        lab.conn_extra = vec![
            "--tls-ca".into(),
            f("ca.crt"),
            "--tls-cert".into(),
            f("client.crt"),
            "--tls-key".into(),
            f("client.key"),
        ];
        lab
    }

    fn up_with(replicas: u8, groups: u16, extra: &[&str]) -> LocalLab {
        let dir = tempfile::Builder::new()
            .prefix("sentui-test-lab")
            .tempdir()
            .unwrap();
        let lab_dir = dir.path().join("lab");
        let out = sentui(
            &[
                "lab",
                "up",
                "--local",
                "--dir",
                lab_dir.to_str().unwrap(),
                "--replicas",
                &replicas.to_string(),
                "--groups",
                &groups.to_string(),
            ]
            .iter()
            .chain(extra)
            .copied()
            .collect::<Vec<_>>(),
        );
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
            up_stdout: stdout(&out),
            conn_extra: Vec::new(),
            dir,
        }
    }

    pub fn lab_dir(&self) -> PathBuf {
        self.dir.path().join("lab")
    }

    pub fn sentinel_args(&self) -> Vec<String> {
        let mut args: Vec<String> = self
            .sentinels
            .iter()
            .flat_map(|s| ["--sentinel".to_string(), s.clone()])
            .collect();
        args.extend(self.conn_extra.iter().cloned());
        args
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

/// A 127.0.0.1 port nobody listens on (at the moment of asking).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
    lines: JsonLines,
    /// Every entry received so far.
    pub seen: Vec<Value>,
}

impl EventStream {
    /// Starts the stream with `conn` (connection flags) and returns once all three events
    /// links are up.
    pub fn start(conn: &[String], until: &str) -> EventStream {
        let mut s = Self::spawn(conn, &[], &["--until", until, "--for", "60s"]);
        s.wait_links(3, Duration::from_secs(15));
        s
    }

    /// `sentui CONN events --json ARGS` with `env`, its lines read as JSON on a thread.
    fn spawn(conn: &[String], env: &[(&str, &str)], args: &[&str]) -> EventStream {
        let mut child = sentui_cmd()
            .args(conn)
            .envs(env.iter().copied())
            .args(["events", "--json"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let lines = JsonLines::spawn(child.stdout.take().unwrap());
        EventStream {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The next entry, waiting until `deadline` (None: none came). sentui prints nothing
    /// else on stdout, so a line that is not JSON fails the test.
    fn next_by(&self, deadline: Instant) -> Option<Value> {
        self.lines
            .next_by(deadline)
            .map(|line| line.unwrap_or_else(|e| panic!("events --json: {e}")))
    }

    /// Waits until `links` events links are up, each within `connect`.
    fn wait_links(&mut self, links: usize, connect: Duration) {
        let mut from = 0;
        for _ in 0..links {
            match self.wait_from(from, connect, |v| v["event"] == "events-link-up") {
                Some(i) => from = i + 1,
                None => panic!("{links} events links come up: {}", self.summary()),
            }
        }
    }

    /// Waits for `event`; returns what arrived since the links came up, ending with it.
    pub fn until(mut self, event: &str, limit: Duration) -> Vec<Value> {
        let start = self.seen.len();
        let deadline = Instant::now() + limit;
        while let Some(v) = self.next_by(deadline) {
            let done = v["event"] == event;
            self.seen.push(v);
            if done {
                return self.seen.split_off(start);
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
    /// What of the project is left on the engine: containers, networks, volumes, and images
    /// built for it that no tag names any more (dangling).
    pub fn leftovers(&self) -> String {
        let label = format!("label=com.docker.compose.project={}", self.project);
        let mut left = String::new();
        for what in [
            vec!["ps", "-a"],
            vec!["network", "ls"],
            vec!["volume", "ls"],
            vec!["images", "--filter", "dangling=true"],
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

impl DockerLab {
    /// The id of the container of `service`.
    pub fn container(&self, service: &str) -> String {
        let out = std::process::Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.compose.project={}", self.project),
                "--filter",
                &format!("label=com.docker.compose.service={service}"),
            ])
            .output()
            .unwrap();
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            !id.is_empty(),
            "no container for {service} in {}",
            self.project
        );
        id
    }

    /// The compose service of the current master (as the sentinels announce it).
    pub fn master_service(&self) -> String {
        let (s, _) = self.status();
        let addr = s["masters"][0]["master"]["addr"]
            .as_str()
            .unwrap_or_default();
        addr.split(':').next().unwrap_or_default().to_string()
    }
}

impl DockerLab {
    /// `lab down` (with `env`) succeeds and leaves no container, network or volume.
    pub fn down_clean(&self, env: &[(&str, &str)]) {
        let down = sentui_env(&["lab", "down", "--project", &self.project], env);
        assert!(
            down.status.success(),
            "{}: lab down: {}{}",
            self.project,
            stdout(&down),
            stderr(&down)
        );
        assert_eq!(self.leftovers(), "", "nothing of {} is left", self.project);
    }
}

impl Drop for DockerLab {
    fn drop(&mut self) {
        let _ = sentui(&["lab", "down", "--project", &self.project]);
    }
}

/// Says loudly that `test` is skipped and why: straight to stderr, which the test harness does
/// not capture (an `eprintln!` would show only if the test failed, and a skipped test passes).
pub fn skip_loudly(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! SKIPPED {test}: {} !!!!!!!!\n",
        why.to_uppercase()
    );
}

/// True where a Docker engine answers; elsewhere says loudly that `test` is skipped.
pub fn docker_or_skip(test: &str) -> bool {
    if docker_engine_reachable() {
        return true;
    }
    skip_loudly(test, "no Docker engine is reachable (docker info failed)");
    false
}

impl DockerLab {
    /// Brings up the compose lab as `project` (taken down on drop), or, only when no Docker
    /// engine is reachable, says loudly that `test` is skipped and returns None.
    pub fn up_or_skip(test: &str, project: String) -> Option<(DockerLab, Output)> {
        if !docker_or_skip(test) {
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

/// Faults on single lab members: kill one, start it again as `lab up` did, signal it. The lab's
/// state file is kept current, so `lab down` (and Drop) still stops exactly what runs.
impl LocalLab {
    /// The lab's state file (`lab.json`).
    pub fn state(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.lab_dir().join("lab.json")).unwrap())
            .unwrap()
    }

    /// Ports of the members started as `role`, in lab order.
    pub fn ports(&self, role: MemberRole) -> Vec<u16> {
        let state = sentui_io::lab::local::load(&self.lab_dir()).expect("the lab's lab.json");
        state
            .members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.port)
            .collect()
    }

    /// The member listening on `port`, as the state file has it.
    pub fn member(&self, port: u16) -> Value {
        self.state()["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["port"] == port)
            .cloned()
            .unwrap_or_else(|| panic!("no lab member on port {port}"))
    }

    pub fn pid_of(&self, port: u16) -> i32 {
        self.member(port)["pid"].as_i64().unwrap() as i32
    }

    /// Sends `signal` to the member on `port` (only a pid the lab recorded).
    pub fn signal(&self, port: u16, signal: i32) {
        let pid = self.pid_of(port);
        // SAFETY: kill has no memory preconditions; the pid is one the lab started.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "signal {signal} to pid {pid} (port {port})");
    }

    /// SIGKILLs the member on `port` and waits until its process is gone.
    pub fn kill_member(&self, port: u16) {
        let pid = self.pid_of(port);
        self.signal(port, libc::SIGKILL);
        assert!(
            wait_for(Duration::from_secs(5), || (!pid_alive(pid)).then_some(())).is_some(),
            "pid {pid} still alive after SIGKILL"
        );
    }

    /// Starts the member on `port` again with the arguments `lab up` gave it (a replica
    /// replicates from the lab's first master, a sentinel reads its own sentinel.conf as it is
    /// now) and records its new pid. Returns the new pid.
    pub fn restart_member(&mut self, port: u16) -> i32 {
        let m = self.member(port);
        let dir = PathBuf::from(m["dir"].as_str().unwrap());
        let pidfile = dir.join("redis.pid");
        let _ = std::fs::remove_file(&pidfile);
        let mut args: Vec<String> = Vec::new();
        if m["role"] == "sentinel" {
            args.push(dir.join("sentinel.conf").to_string_lossy().into_owned());
            args.push("--sentinel".into());
        } else {
            let d = dir.to_string_lossy().into_owned();
            for a in [
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--dir",
                &d,
                "--daemonize",
                "yes",
                "--pidfile",
                &pidfile.to_string_lossy(),
                "--logfile",
                &dir.join("log").to_string_lossy(),
                "--save",
                "",
                "--appendonly",
                "no",
            ] {
                args.push(a.to_string());
            }
            if m["role"] == "replica" {
                let master = self.ports(MemberRole::Master)[0];
                args.extend(["--replicaof".into(), "127.0.0.1".into(), master.to_string()]);
            }
        }
        let status = Command::new("redis-server").args(&args).status().unwrap();
        assert!(status.success(), "redis-server {args:?}: {status}");
        let pid: i32 = wait_for(Duration::from_secs(5), || {
            std::fs::read_to_string(&pidfile)
                .ok()
                .and_then(|s| s.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no pid file from the restarted member on {port}"));
        let mut state = self.state();
        for member in state["members"].as_array_mut().unwrap() {
            if member["port"] == port {
                member["pid"] = pid.into();
            }
        }
        std::fs::write(
            self.lab_dir().join("lab.json"),
            serde_json::to_string_pretty(&state).unwrap(),
        )
        .unwrap();
        self.pids = state["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["pid"].as_i64().unwrap() as i32)
            .collect();
        pid
    }
}

/// `field` of the SENTINEL REPLICAS entry for the replica on `replica`, as the sentinel on `sp`
/// holds it.
pub fn sentinel_replica_field(sp: u16, replica: u16, field: &str) -> Option<String> {
    let v = redis_cmd(sp, &["SENTINEL", "REPLICAS", "mymaster"]).ok()?;
    let redis::Value::Array(replicas) = v else {
        return None;
    };
    replicas.into_iter().find_map(|r| {
        let fields: Vec<String> = redis::from_redis_value(r).ok()?;
        let get = |k: &str| fields.chunks(2).find(|c| c[0] == k).map(|c| c[1].clone());
        (get("port")? == replica.to_string()).then(|| get(field))?
    })
}

/// A plain Redis command to a lab endpoint on 127.0.0.1 (bounded), as text.
pub fn redis_cmd(port: u16, args: &[&str]) -> redis::RedisResult<redis::Value> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/"))?;
    let mut conn = client.get_connection_with_timeout(Duration::from_secs(2))?;
    conn.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(&mut conn)
}

impl EventStream {
    /// `sentui ... events --json --for LIMIT` (no --until), read line by line on a thread;
    /// returns once `links` events links are up (within `connect`).
    pub fn start_for(conn: &[String], limit: &str, links: usize, connect: Duration) -> EventStream {
        Self::start_for_env(conn, &[], limit, links, connect)
    }

    /// [`EventStream::start_for`] with extra environment variables for sentui.
    pub fn start_for_env(
        conn: &[String],
        env: &[(&str, &str)],
        limit: &str,
        links: usize,
        connect: Duration,
    ) -> EventStream {
        let mut s = Self::spawn(conn, env, &["--for", limit]);
        s.wait_links(links, connect);
        s
    }

    /// The index in `seen` of the first entry at or after `from` that satisfies `pred`, waiting
    /// up to `limit` for it to arrive. Everything received stays in `seen`.
    pub fn wait_from(
        &mut self,
        from: usize,
        limit: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<usize> {
        if let Some(i) = self.seen.iter().skip(from).position(&pred) {
            return Some(from + i);
        }
        let deadline = Instant::now() + limit;
        while let Some(v) = self.next_by(deadline) {
            let hit = pred(&v);
            self.seen.push(v);
            if hit && self.seen.len() > from {
                return Some(self.seen.len() - 1);
            }
        }
        None
    }

    /// Takes whatever arrived without waiting.
    pub fn drain(&mut self) {
        while let Some(line) = self.lines.try_next() {
            self.seen
                .push(line.unwrap_or_else(|e| panic!("events --json: {e}")));
        }
    }

    /// True while the sentui process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What came so far, one `event addr payload` per line (for failure messages).
    pub fn summary(&self) -> String {
        self.seen
            .iter()
            .map(|v| {
                format!(
                    "{} {} {} {}",
                    v["event"].as_str().unwrap_or("?"),
                    v["sentinel"].as_str().unwrap_or("-"),
                    v["addr"].as_str().unwrap_or("-"),
                    v["payload"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A redis-server on 127.0.0.1:`port` that no lab started and no sentinel knows (its files
/// in `dir`), once it listens; killed when the guard drops.
pub fn stray_redis_on(port: u16, dir: &Path) -> Killed {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", ""])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server runs");
    let stray = Killed(child);
    let listens = || std::net::TcpStream::connect(("127.0.0.1", port)).ok();
    assert!(
        wait_for(Duration::from_secs(5), listens).is_some(),
        "the stray redis-server listens on {port}"
    );
    stray
}
