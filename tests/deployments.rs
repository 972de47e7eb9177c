//! Real deployments: requirepass/masterauth with a sentinel password and an ACL user, wrong
//! credentials, TLS with certificates made here, two master groups watched by five sentinels.
//! Every output is searched for the secrets. (The config file's precedence: cli.rs.)

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// redis-server processes of one test, killed when dropped. Each writes its log to `log` in
/// its own directory; when the test fails, the logs are printed (what the sentinels decided
/// is the only account of a failover that never came).
struct Procs {
    children: Vec<Child>,
    /// Each process's name and directory, in the order started.
    dirs: Vec<(String, PathBuf)>,
    root: tempfile::TempDir,
}

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        if std::thread::panicking() {
            self.print_logs();
        }
    }
}

impl Procs {
    fn new() -> Procs {
        Procs {
            children: Vec::new(),
            dirs: Vec::new(),
            root: tempfile::tempdir().unwrap(),
        }
    }
    fn dir(&mut self, name: &str) -> PathBuf {
        let d = self.root.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        self.dirs.push((name.to_string(), d.clone()));
        d
    }
    fn server(&mut self, name: &str, args: &[String]) {
        let d = self.dir(name);
        let child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
            ])
            .arg(&d)
            .arg("--logfile")
            .arg(d.join("log"))
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        self.children.push(child);
    }
    fn sentinel(&mut self, name: &str, conf: &str) {
        let d = self.dir(name);
        let path = d.join("sentinel.conf");
        std::fs::write(
            &path,
            format!(
                "bind 127.0.0.1\ndir {}\nlogfile {}\n{conf}",
                d.display(),
                d.join("log").display()
            ),
        )
        .unwrap();
        let child = Command::new("redis-server")
            .arg(&path)
            .arg("--sentinel")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.children.push(child);
    }
    /// Every process's log on stderr, which the test harness shows with the failure.
    fn print_logs(&self) {
        for (name, dir) in &self.dirs {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_else(|e| format!("({e})"));
            eprintln!("---- log of {name} ----\n{log}");
        }
    }
}

fn run(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(bin());
    for k in [
        "SENTUI_SENTINELS",
        "SENTUI_PASSWORD",
        "SENTUI_USERNAME",
        "SENTUI_SENTINEL_PASSWORD",
        "SENTUI_SENTINEL_USERNAME",
        "SENTUI_CONFIG",
        "SENTUI_COMPOSE_PROJECT",
        "SENTUI_PASSWORD_FILE",
        "SENTUI_SENTINEL_PASSWORD_FILE",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(envs.iter().copied()).args(args).output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)))
}

/// Waits until `status --json` says the deployment is healthy (exit 0) and every group has a
/// linked replica (sentinels learn of replicas from the master's INFO, every 10 s).
fn wait_healthy(envs: &[(&str, &str)], args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["status", "--json"]);
    wait_for(Duration::from_secs(30), || {
        let o = run(envs, &all);
        let v = json(&o);
        let linked = v["masters"]
            .as_array()
            .is_some_and(|g| !g.is_empty() && g.iter().all(|g| g["replicas"][0]["link"] == "up"));
        (o.status.code() == Some(0) && linked).then_some(v)
    })
    .unwrap_or_else(|| {
        let o = run(envs, &all);
        panic!("never healthy: {}{}", stdout(&o), stderr(&o))
    })
}

/// The fields of each replica the sentinel on `port` holds for `mymaster` (SENTINEL REPLICAS,
/// as the sentinel password allows).
fn replicas_held_by(port: u16) -> redis::RedisResult<Vec<Vec<String>>> {
    let client = redis::Client::open(format!("redis://:{SPASS}@127.0.0.1:{port}/"))?;
    let mut conn = client.get_connection_with_timeout(Duration::from_secs(2))?;
    conn.set_read_timeout(Some(Duration::from_secs(2)))?;
    redis::cmd("SENTINEL")
        .arg("REPLICAS")
        .arg("mymaster")
        .query(&mut conn)
}

/// Waits until every sentinel holds a replica it could promote: flagged `slave` alone (not
/// down, not disconnected) and read (`master-link-status` comes from the replica's INFO; `err`
/// until the first one). A sentinel learns of replicas from the master's INFO, every 10 s,
/// and sentui's health needs one sentinel to list it: a sentinel that started before the
/// replica attached and is elected before its next INFO aborts the failover
/// (`-failover-abort-no-good-slave`), and none retries for twice the failover-timeout.
fn wait_every_sentinel_holds_a_replica(sentinels: &[u16]) {
    let good = |r: &Vec<String>| {
        let get = |k: &str| r.chunks(2).find(|c| c[0] == k).map(|c| c[1].as_str());
        get("flags") == Some("slave") && get("master-link-status") == Some("ok")
    };
    let holds = |port: u16| replicas_held_by(port).is_ok_and(|rs| rs.iter().any(good));
    let all = wait_for(Duration::from_secs(30), || {
        sentinels.iter().all(|p| holds(*p)).then_some(())
    });
    assert!(
        all.is_some(),
        "not every sentinel holds a good replica: {:?}",
        sentinels
            .iter()
            .map(|p| (p, replicas_held_by(*p)))
            .collect::<Vec<_>>()
    );
}

const PASS: &str = "node-Pw-7f3e1b";
const SPASS: &str = "sentinel-Pw-c19a44";
const ACL_PASS: &str = "acl-Pw-5d02e7";

/// A master and a replica with requirepass (and an ACL user that may only look), watched by
/// three sentinels with their own password: (the processes, the master's port, the sentinels
/// as `--sentinel` takes them, their ports).
fn password_deployment() -> (Procs, u16, String, Vec<u16>) {
    let mut p = Procs::new();
    let (m, r) = (free_port(), free_port());
    let sentinels: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let auth = |port: u16, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "--port",
            &port.to_string(),
            "--requirepass",
            PASS,
            "--masterauth",
            PASS,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // An ACL user that may only look: what a monitoring tool should be given.
        a.extend(
            [
                "--user",
                "monitor",
                "on",
                &format!(">{ACL_PASS}"),
                "+ping",
                "+info",
                "+role",
                "allkeys",
            ]
            .map(String::from),
        );
        a.extend(
            [
                "--user",
                "default",
                "on",
                &format!(">{PASS}"),
                "~*",
                "&*",
                "+@all",
            ]
            .map(String::from),
        );
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    p.server("master", &auth(m, &[]));
    p.server(
        "replica",
        &auth(r, &["--replicaof", "127.0.0.1", &m.to_string()]),
    );
    for (i, port) in sentinels.iter().enumerate() {
        p.sentinel(
            &format!("s{i}"),
            &format!(
                "port {port}\nrequirepass {SPASS}\nsentinel sentinel-pass {SPASS}\nsentinel monitor mymaster 127.0.0.1 {m} 2\nsentinel auth-pass mymaster {PASS}\nsentinel down-after-milliseconds mymaster 1000\n"
            ),
        );
    }
    let seeds = sentinels
        .iter()
        .map(|p| format!("127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    (p, m, seeds, sentinels)
}

#[test]
fn passwords_acl_users_and_wrong_credentials() {
    let (_p, m, seeds, sentinels) = password_deployment();
    let conn = ["--sentinel", seeds.as_str()];
    let good = [
        ("SENTUI_PASSWORD", PASS),
        ("SENTUI_SENTINEL_PASSWORD", SPASS),
    ];
    let s = wait_healthy(&good, &conn);
    assert_eq!(s["masters"][0]["replicas"][0]["link"], "up");
    let mut outputs = vec![serde_json::to_string(&s).unwrap()];

    // The ACL user sees the nodes too.
    let acl = [
        ("SENTUI_USERNAME", "monitor"),
        ("SENTUI_PASSWORD", ACL_PASS),
        ("SENTUI_SENTINEL_PASSWORD", SPASS),
    ];
    let s = wait_healthy(&acl, &conn);
    assert_eq!(s["masters"][0]["master"]["role"], "master");

    // A wrong node password: the nodes' links fail, named, and status says critical.
    let o = run(
        &[
            ("SENTUI_PASSWORD", "wrong-node-pw"),
            ("SENTUI_SENTINEL_PASSWORD", SPASS),
        ],
        &[&conn[..], &["status"]].concat(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("master 127.0.0.1:{m} is auth-failed")),
        "{}",
        stdout(&o)
    );
    outputs.push(format!("{}{}", stdout(&o), stderr(&o)));

    // A wrong sentinel password: nothing can be seen; exit 2 names the sentinel and the failure.
    let o = run(
        &[
            ("SENTUI_PASSWORD", PASS),
            ("SENTUI_SENTINEL_PASSWORD", "wrong-sentinel-pw"),
        ],
        &[&conn[..], &["status"]].concat(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("sentinel 127.0.0.1:{}: auth-failed", sentinels[0])),
        "{}",
        stderr(&o)
    );
    outputs.push(format!("{}{}", stdout(&o), stderr(&o)));

    // No password at all for the sentinels.
    let o = run(
        &[("SENTUI_SENTINEL_PASSWORD", "")],
        &[&conn[..], &["status"]].concat(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("auth-failed"), "{}", stderr(&o));

    // The same through a password file and the config file.
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, format!("{PASS}\n")).unwrap();
    let cfg = dir.path().join("sentui.toml");
    std::fs::write(&cfg, format!("[auth]\nsentinel_password = \"{SPASS}\"\n")).unwrap();
    let o = run(
        &[],
        &[
            &conn[..],
            &[
                "--config",
                cfg.to_str().unwrap(),
                "--password-file",
                pw.to_str().unwrap(),
                "status",
                "--json",
            ],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    outputs.push(stdout(&o));

    // A recording and the event stream, with the right credentials.
    let rec = dir.path().join("r.ndjson");
    let o = run(
        &good,
        &[
            &conn[..],
            &[
                "--record",
                rec.to_str().unwrap(),
                "events",
                "--json",
                "--for",
                "2s",
            ],
        ]
        .concat(),
    );
    outputs.push(format!("{}{}", stdout(&o), stderr(&o)));
    outputs.push(std::fs::read_to_string(&rec).unwrap());
    // A frame of it as SVG.
    let svg = dir.path().join("r.svg");
    let o = run(
        &[],
        &[
            "replay",
            rec.to_str().unwrap(),
            "--screenshot",
            svg.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    outputs.push(std::fs::read_to_string(&svg).unwrap());
    // A config file whose [auth] line is broken: named by line and key, the value never shown.
    let cfg = dir.path().join("broken.toml");
    std::fs::write(
        &cfg,
        format!("[auth]\nusername = \"u\"\npassword = \"{PASS}\n"),
    )
    .unwrap();
    let o = run(&[], &["--config", cfg.to_str().unwrap(), "status"]);
    assert_refused(&o, "line 3, key auth.password");
    outputs.push(stderr(&o));
    std::fs::write(
        &cfg,
        format!("[auth]\nsentinel_password = {}\n", 987_654_321),
    )
    .unwrap();
    let o = run(&[], &["--config", cfg.to_str().unwrap(), "status"]);
    assert_refused(&o, "expected a string");
    assert!(!stderr(&o).contains("987654321"), "{}", stderr(&o));

    // Not a sentui lab: faults need --yes, and nothing is touched without it.
    let master = format!("127.0.0.1:{m}");
    for args in [
        &["ctl", "pause", "master"][..],
        &["ctl", "stop", &master][..],
        &["ctl", "failover"][..],
        &["ctl", "failover", "--coordinated"][..],
        &["drill", "--no-probe"][..],
        &["drill", "--ab"][..],
    ] {
        let o = run(&good, &[&conn[..], args].concat());
        assert_refused(&o, "not a sentui lab");
        outputs.push(stderr(&o));
    }
    let o = run(&good, &[&conn[..], &["status", "--json"]].concat());
    assert_eq!(json(&o)["masters"][0]["master"]["paused"], false);
    let o = run(
        &good,
        &[&conn[..], &["ctl", "pause", &master, "--yes"]].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&good, &[&conn[..], &["ctl", "unpause", &master]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A drill with its write probe, consented to: its report holds no secret either. Whichever
    // sentinel leads must have a replica to promote.
    wait_every_sentinel_holds_a_replica(&sentinels);
    let o = run(
        &good,
        &[
            &conn[..],
            &["drill", "--yes", "--rate", "20", "--report", "json"],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    outputs.push(format!("{}{}", stdout(&o), stderr(&o)));
    for out in &outputs {
        for secret in [PASS, SPASS, ACL_PASS] {
            assert!(!out.contains(secret), "a secret leaked into: {out}");
        }
    }
}

/// The brief's case: a wrong password exported, the right one in a file named on the command
/// line. The command line wins (it used to be the other way round, for this setting alone).
#[test]
fn a_password_file_on_the_command_line_wins_over_the_environment() {
    let (_p, m, seeds, _) = password_deployment();
    let dir = tempfile::tempdir().unwrap();
    let (pw, spw) = (dir.path().join("pw"), dir.path().join("spw"));
    std::fs::write(&pw, format!("{PASS}\n")).unwrap();
    std::fs::write(&spw, format!("{SPASS}\n")).unwrap();
    let wrong = [
        ("SENTUI_PASSWORD", "wrong-pass"),
        ("SENTUI_SENTINEL_PASSWORD", "wrong-sentinel-pass"),
    ];
    // The servers it just started answer first (with the right passwords).
    let good = [
        ("SENTUI_PASSWORD", PASS),
        ("SENTUI_SENTINEL_PASSWORD", SPASS),
    ];
    wait_healthy(&good, &["--sentinel", &seeds]);
    // The exported passwords are wrong indeed: alone, they fail.
    let o = run(
        &[
            ("SENTUI_PASSWORD", "wrong-pass"),
            ("SENTUI_SENTINEL_PASSWORD", SPASS),
        ],
        &["--sentinel", &seeds, "status"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("master 127.0.0.1:{m} is auth-failed")),
        "{}",
        stdout(&o)
    );
    // With the files named on the command line: healthy, the master answers as master.
    let s = wait_healthy(
        &wrong,
        &[
            "--sentinel",
            &seeds,
            "--password-file",
            pw.to_str().unwrap(),
            "--sentinel-password-file",
            spw.to_str().unwrap(),
        ],
    );
    assert_eq!(s["health"], "healthy");
    assert_eq!(s["masters"][0]["master"]["role"], "master");
    let o = run(
        &wrong,
        &[
            "--sentinel",
            &seeds,
            "--password-file",
            pw.to_str().unwrap(),
            "--sentinel-password-file",
            spw.to_str().unwrap(),
            "status",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("mymaster  HEALTHY"), "{}", stdout(&o));
    for out in [stdout(&o), stderr(&o)] {
        for secret in [PASS, SPASS, "wrong-pass", "wrong-sentinel-pass"] {
            assert!(!out.contains(secret), "a secret leaked into: {out}");
        }
    }
}

/// `lab up --local` says to export SENTUI_SENTINELS; a compose project named on the command
/// line afterwards is watched alone (it used to be merged with the exported sentinels), and
/// the other way round. What was ignored is said on stderr; status and ctl name the deployment.
#[test]
fn the_deployment_on_the_command_line_is_used_alone() {
    let local = LocalLab::up(1);
    let exported = local.sentinels.join(",");
    let named_local = |out: &str| local.sentinels.iter().any(|s| out.contains(s.as_str()));

    // A compose project exported, sentinels named: only the sentinels. Without a Docker lab of
    // that name this used to fail ("has no containers"), or merge where one runs.
    let o = run(
        &[("SENTUI_COMPOSE_PROJECT", "sentui-settings-not-this-one")],
        &["--sentinel", &exported, "status", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    assert_eq!(v["deployment"]["compose_project"], Value::Null, "{v}");
    assert_eq!(v["deployment"]["sentinels"].as_array().unwrap().len(), 3);
    assert!(
        stderr(&o).contains(&format!(
            "sentui: using --sentinel {exported}; ignoring SENTUI_COMPOSE_PROJECT=sentui-settings-not-this-one ("
        )),
        "{}",
        stderr(&o)
    );
    // ctl says which deployment it acted on.
    let o = run(&[], &["--sentinel", &exported, "ctl", "pause", "master"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = stdout(&o);
    let first = said.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("paused {}", local.master))
            && first.ends_with(&format!("[sentinels {}]", local.sentinels.join(", "))),
        "the line that says what was done names the deployment: {said}"
    );
    let o = run(
        &[],
        &["--sentinel", &exported, "ctl", "unpause", &local.master],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let project = format!("sentui-settings-{}", std::process::id());
    let Some((docker, _)) =
        DockerLab::up_or_skip("the_deployment_on_the_command_line_is_used_alone", project)
    else {
        return;
    };
    let exported_env = [("SENTUI_SENTINELS", exported.as_str())];
    let o = wait_for(Duration::from_secs(30), || {
        let o = run(
            &exported_env,
            &["--compose-project", &docker.project, "status", "--json"],
        );
        (o.status.code() == Some(0)).then_some(o)
    })
    .unwrap_or_else(|| {
        let o = run(
            &exported_env,
            &["--compose-project", &docker.project, "status"],
        );
        panic!("never healthy alone: {}{}", stdout(&o), stderr(&o))
    });
    let v = json(&o);
    assert_eq!(v["deployment"]["compose_project"], docker.project.as_str());
    assert_eq!(v["sentinels_known"], 3, "only the project's sentinels: {v}");
    assert!(
        !named_local(&stdout(&o)),
        "the local lab leaked in: {}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains(&format!(
            "sentui: using --compose-project {}; ignoring SENTUI_SENTINELS={exported} (",
            docker.project
        )),
        "{}",
        stderr(&o)
    );
    let o = run(
        &exported_env,
        &["--compose-project", &docker.project, "status"],
    );
    let text = stdout(&o);
    assert!(
        text.starts_with(&format!("deployment: compose project {}\n", docker.project)),
        "{text}"
    );
    assert!(!text.contains("answer"), "no sentinel missing: {text}");
    let o = run(
        &exported_env,
        &[
            "--compose-project",
            &docker.project,
            "ctl",
            "pause",
            "redis-replica-2",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .lines()
            .next()
            .unwrap_or_default()
            .ends_with(&format!("[compose project {}]", docker.project)),
        "the line that says what was done names the deployment: {}",
        stdout(&o)
    );
    let o = run(
        &exported_env,
        &[
            "--compose-project",
            &docker.project,
            "ctl",
            "unpause",
            "redis-replica-2",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    docker.down_clean(&[]);
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made for this test.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=sentui test CA",
        ],
    );
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    for name in ["server", "client"] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.crt"),
                "-days",
                "2",
                "-extfile",
                "san.ext",
            ],
        );
    }
}

#[test]
fn tls_with_a_ca_and_client_certificates() {
    let mut p = Procs::new();
    let certs = p.dir("certs");
    certificates(&certs);
    let c = |f: &str| certs.join(f).display().to_string();
    let tls_args = |port: u16| -> Vec<String> {
        [
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &c("server.crt"),
            "--tls-key-file",
            &c("server.key"),
            "--tls-ca-cert-file",
            &c("ca.crt"),
            "--tls-auth-clients",
            "yes",
            "--tls-replication",
            "yes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let (m, r, s) = (free_port(), free_port(), free_port());
    p.server("master", &tls_args(m));
    let mut replica = tls_args(r);
    replica.extend(["--replicaof".into(), "127.0.0.1".into(), m.to_string()]);
    p.server("replica", &replica);
    p.sentinel(
        "s",
        &format!(
            "port 0\ntls-port {s}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-replication yes\ntls-auth-clients yes\nsentinel monitor mymaster 127.0.0.1 {m} 1\n",
            c("server.crt"),
            c("server.key"),
            c("ca.crt")
        ),
    );
    let seed = format!("127.0.0.1:{s}");
    let (ca, cert, key) = (c("ca.crt"), c("client.crt"), c("client.key"));
    let tls = [
        "--sentinel",
        seed.as_str(),
        "--tls-ca",
        ca.as_str(),
        "--tls-cert",
        cert.as_str(),
        "--tls-key",
        key.as_str(),
    ];
    wait_healthy(&[], &tls);
    // The sentinel learns of the replica from the master's INFO, every 10 s.
    let st = wait_for(Duration::from_secs(30), || {
        let v = json(&run(&[], &[&tls[..], &["status", "--json"]].concat()));
        (v["masters"][0]["replicas"][0]["link"] == "up").then_some(v)
    })
    .expect("the replica over TLS, linked");
    assert_eq!(st["masters"][0]["master"]["addr"], format!("127.0.0.1:{m}"));
    assert_eq!(st["masters"][0]["replicas"][0]["reach"], "ok");

    // Without TLS, or without the client certificate the servers require: a clear failure.
    let o = run(&[], &["--sentinel", &seed, "--timeout", "500ms", "status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let o = run(&[], &["--sentinel", &seed, "--tls-ca", &ca, "status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    // A missing file is named.
    let o = run(
        &[],
        &[
            "--sentinel",
            &seed,
            "--tls-ca",
            "/nonexistent/ca.crt",
            "status",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/ca.crt"), "{}", stderr(&o));
}

#[test]
fn two_master_groups_with_five_sentinels() {
    let mut p = Procs::new();
    let (a, a2, b, b2) = (free_port(), free_port(), free_port(), free_port());
    p.server("a", &["--port".into(), a.to_string()]);
    p.server(
        "a2",
        &[
            "--port".into(),
            a2.to_string(),
            "--replicaof".into(),
            "127.0.0.1".into(),
            a.to_string(),
        ],
    );
    p.server("b", &["--port".into(), b.to_string()]);
    p.server(
        "b2",
        &[
            "--port".into(),
            b2.to_string(),
            "--replicaof".into(),
            "127.0.0.1".into(),
            b.to_string(),
        ],
    );
    let sentinels: Vec<u16> = (0..5).map(|_| free_port()).collect();
    for (i, port) in sentinels.iter().enumerate() {
        p.sentinel(&format!("s{i}"), &format!("port {port}\nsentinel monitor orders 127.0.0.1 {a} 3\nsentinel monitor sessions 127.0.0.1 {b} 3\n"));
    }
    // One seed is enough: the other four sentinels and all nodes are discovered.
    let seed = format!("127.0.0.1:{}", sentinels[0]);
    let s = wait_for(Duration::from_secs(30), || {
        let o = run(&[], &["--sentinel", &seed, "status", "--json"]);
        let v = json(&o);
        let ready = o.status.code() == Some(0)
            && v["masters"].as_array().is_some_and(|g| {
                g.len() == 2
                    && g.iter().all(|g| {
                        g["sentinels"].as_array().unwrap().len() == 5
                            && g["replicas"].as_array().unwrap().len() == 1
                    })
            });
        ready.then_some(v)
    })
    .expect("both groups with five sentinels");
    let names: Vec<&str> = s["masters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders", "sessions"]);
    assert_eq!(s["sentinels_known"], 5);
    for g in s["masters"].as_array().unwrap() {
        assert_eq!(g["quorum"], 3);
        assert_eq!(g["replicas"].as_array().unwrap().len(), 1);
    }
    let o = run(
        &[],
        &[
            "--sentinel",
            &seed,
            "--master",
            "sessions",
            "status",
            "--json",
        ],
    );
    let v = json(&o);
    assert_eq!(v["masters"].as_array().unwrap().len(), 1);
    assert_eq!(v["masters"][0]["master"]["addr"], format!("127.0.0.1:{b}"));
    let o = run(&[], &["--sentinel", &seed, "--master", "nosuch", "status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no sentinel monitors a master named 'nosuch'"),
        "{}",
        stderr(&o)
    );
}
