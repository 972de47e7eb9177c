//! Mutual TLS on the local lab (`lab up --local --tls`, its own CA and certificates): status
//! and events with client keys in PKCS#1, PKCS#8 and SEC1, each with and without
//! --tls-insecure; a timed failover and a drill over TLS; each TLS mistake told in one line
//! with its fix (and no plaintext sent into a TLS port after a failed handshake); a sentinel
//! seeded by host name counted once.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The TLS flags for one client identity, verified or not.
fn tls_flags(lab: &LocalLab, cert: &str, key: &str, insecure: bool) -> Vec<String> {
    let t = lab.lab_dir().join("tls");
    let f = |n: &str| t.join(n).display().to_string();
    let mut flags = vec![
        "--tls-cert".to_string(),
        f(cert),
        "--tls-key".into(),
        f(key),
    ];
    if insecure {
        flags.push("--tls-insecure".into());
    } else {
        flags.extend(["--tls-ca".into(), f("ca.crt")]);
    }
    flags
}

/// The three client keys the lab makes: (certificate, key, the key's PEM label).
const IDENTITIES: [(&str, &str, &str); 3] = [
    ("client.crt", "client.key", "BEGIN PRIVATE KEY"),
    ("client.crt", "client-pkcs1.key", "BEGIN RSA PRIVATE KEY"),
    ("client-ec.crt", "client-ec.key", "BEGIN EC PRIVATE KEY"),
];

fn status_json(lab: &LocalLab, extra: &[&str]) -> (Value, Option<i32>) {
    let out = lab.run(&[extra, &["status", "--json"]].concat());
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("status --json ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (v, out.status.code())
}

/// Lines of the sentinels' logs that say plaintext came into their TLS port.
fn plaintext_in_logs(lab: &LocalLab) -> usize {
    (1..=3)
        .map(|n| lab.lab_dir().join(format!("sentinel-{n}/log")))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .map(|log| log.matches("wrong version number").count())
        .sum()
}

#[test]
fn every_key_format_with_and_without_verification() {
    let mut lab = LocalLab::up_tls(2);
    for (cert, key, label) in IDENTITIES {
        let pem = std::fs::read_to_string(lab.lab_dir().join("tls").join(key)).unwrap();
        assert!(pem.contains(label), "{key} is written as {label}");
        for insecure in [false, true] {
            lab.conn_extra = tls_flags(&lab, cert, key, insecure);
            let what = format!("{key}, insecure {insecure}");
            let (v, code) = status_json(&lab, &[]);
            assert_eq!(code, Some(0), "{what}: {v:#}");
            assert_eq!(v["tls"], true, "{what}");
            assert_eq!(v["sentinels_reachable"], 3, "{what}");
            assert_eq!(v["masters"][0]["replicas"][0]["reach"], "ok", "{what}");
            let text = stdout(&lab.run(&["status"]));
            let first = text.lines().next().unwrap_or_default();
            assert!(first.ends_with("(TLS)"), "{text}");
            // Events: every events link comes up over TLS.
            let stream = EventStream::start(&lab.sentinel_args(), "+switch-master");
            drop(stream);
        }
    }
}

#[test]
fn failover_and_drill_over_mutual_tls() {
    let mut lab = LocalLab::up_tls(2);

    // A timed failover, watched with the SEC1 key and the certificates not checked.
    lab.conn_extra = tls_flags(&lab, "client-ec.crt", "client-ec.key", true);
    let old = lab.master.clone();
    let stream = EventStream::start(&lab.sentinel_args(), "failover-complete");
    let out = lab.run(&["ctl", "pause", "master"]);
    assert!(out.status.success(), "ctl pause: {}", stderr(&out));
    let seen = stream.until("failover-complete", Duration::from_secs(40));
    let done = seen
        .iter()
        .find(|v| v["event"] == "failover-complete")
        .unwrap();
    let f = &done["failover"];
    let mark = |phase: &str| {
        f["marks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["phase"] == phase)
            .and_then(|m| m["at"].as_u64())
            .unwrap_or_else(|| panic!("no {phase} mark: {f:#}"))
    };
    let start = f["started_at"].as_u64().unwrap();
    let switch = mark("switch-master");
    assert!(start <= mark("sdown") && mark("odown") <= switch);
    assert!(
        switch - start < 15_000,
        "switched {} ms after the first sign",
        switch - start
    );
    assert_eq!(f["old_master"], old.as_str());
    let out = lab.run(&["ctl", "unpause", old.as_str()]);
    assert!(out.status.success(), "ctl unpause: {}", stderr(&out));
    // The lab settles: the old master rejoins as a replica, over TLS.
    wait_for(Duration::from_secs(40), || {
        let (v, code) = status_json(&lab, &[]);
        let replicas = v["masters"][0]["replicas"].as_array()?.clone();
        (code == Some(0)
            && replicas.len() == 2
            && replicas
                .iter()
                .all(|r| r["link"] == "up" && r["reach"] == "ok"))
        .then_some(())
    })
    .expect("healthy again after the failover");

    // A drill with the PKCS#1 key, the servers' certificates checked: it passes, writes
    // acknowledged over TLS, none lost.
    lab.conn_extra = tls_flags(&lab, "client.crt", "client-pkcs1.key", false);
    let out = lab.run(&[
        "drill",
        "--max-failover-secs",
        "30",
        "--max-unavailable-secs",
        "30",
        "--timeout-secs",
        "90",
        "--report",
        "json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("drill report ({e}): {}\n{}", stdout(&out), stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{r:#}\n{}", stderr(&out));
    assert_eq!(r["verdict"], "pass", "{r:#}");
    assert!(r["probe"]["acked"].as_u64().unwrap() > 100, "{r:#}");
    assert_eq!(r["probe"]["lost"], 0, "{r:#}");
}

#[test]
fn each_tls_mistake_is_told_with_its_fix() {
    let lab = LocalLab::up_tls(1);
    let t = lab.lab_dir().join("tls");
    let f = |n: &str| t.join(n).display().to_string();
    let seed = lab.sentinels[0].clone();
    let run = |args: &[&str]| sentui(&[&["--sentinel", seed.as_str()], args].concat());
    let one_line = |o: &std::process::Output, want: &str| {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        let err = stderr(o);
        let line = err
            .lines()
            .find(|l| l.contains(want))
            .unwrap_or_else(|| panic!("stderr lacks {want:?}:\n{err}"));
        assert!(!stdout(o).contains(want), "errors go to stderr");
        // The sentinel was named right: no hint about naming another one.
        assert!(
            !err.contains("hint:"),
            "the mistake's own line says the fix:\n{err}"
        );
        line.to_string()
    };

    // Plaintext into a TLS port: detected without sending more plaintext.
    let before = plaintext_in_logs(&lab);
    let o = run(&["--timeout", "500ms", "status"]);
    one_line(&o, "the port speaks TLS: add --tls");
    let after_plain = plaintext_in_logs(&lab);
    assert!(
        after_plain <= before + 1,
        "one plaintext try, no plaintext PING after it ({before} -> {after_plain})"
    );
    // `events` that never reached a sentinel exits 2, its reasons on stderr.
    let o = run(&["--timeout", "500ms", "events", "--for", "20s"]);
    one_line(&o, "the port speaks TLS: add --tls");
    let after_plain = plaintext_in_logs(&lab);

    // No client certificate, and one from a CA the servers do not trust.
    let o = run(&["--tls-ca", &f("ca.crt"), "status"]);
    one_line(
        &o,
        "requires a client certificate: add --tls-cert FILE --tls-key FILE",
    );
    let other = tempfile::tempdir().unwrap();
    let (cert, key) = foreign_client(other.path());
    let o = run(&[
        "--tls-ca",
        &f("ca.crt"),
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "status",
    ]);
    one_line(&o, "does not trust the client certificate (unknown CA)");
    assert_eq!(
        plaintext_in_logs(&lab),
        after_plain,
        "no plaintext PING after a failed handshake"
    );

    // The servers' CA not given: the system's does not know it.
    let o = run(&[
        "--tls-ca",
        cert.to_str().unwrap(),
        "--tls-cert",
        &f("client.crt"),
        "--tls-key",
        &f("client.key"),
        "status",
    ]);
    one_line(
        &o,
        "not signed by a CA sentui trusts: pass its CA with --tls-ca",
    );

    // Keys refused at startup, their format named.
    std::fs::write(
        other.path().join("enc.key"),
        std::process::Command::new("openssl")
            .args([
                "pkey",
                "-in",
                &f("client.key"),
                "-aes256",
                "-passout",
                "pass:x",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let enc = other.path().join("enc.key").display().to_string();
    let o = run(&[
        "--tls-ca",
        &f("ca.crt"),
        "--tls-cert",
        &f("client.crt"),
        "--tls-key",
        &enc,
        "status",
    ]);
    one_line(
        &o,
        "encrypted keys are not supported: decrypt it with `openssl pkey -in",
    );
    let o = run(&[
        "--tls-ca",
        &f("ca.crt"),
        "--tls-cert",
        &f("client.crt"),
        "--tls-key",
        &f("client-ec.key"),
        "status",
    ]);
    one_line(
        &o,
        "(SEC1 EC key) cannot be used: it does not belong to the certificate",
    );
}

/// A certificate whose only name is `localhost`: connecting by IP, the hint says how to map
/// the address to that name, and doing so works.
#[test]
fn a_certificate_for_a_name_only_gets_the_map_hint() {
    let lab = LocalLab::up_tls(1);
    let t = lab.lab_dir().join("tls");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("dns.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost\n",
    )
    .unwrap();
    let ca = t.join("ca.crt");
    let ca_key = t.join("ca.key");
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "dns.key",
            "-out",
            "dns.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "dns.csr",
            "-CA",
            ca.to_str().unwrap(),
            "-CAkey",
            ca_key.to_str().unwrap(),
            "-CAcreateserial",
            "-out",
            "dns.crt",
            "-days",
            "2",
            "-extfile",
            "dns.ext",
        ],
    );
    // A sentinel with that certificate, watching the lab's master over TLS.
    let port = free_port();
    let conf = d.join("sentinel.conf");
    let master: Vec<&str> = lab.master.split(':').collect();
    std::fs::write(
        &conf,
        format!(
            "port 0\ntls-port {port}\nbind 127.0.0.1\ndaemonize yes\npidfile {pid}\nlogfile {log}\ndir {dir}\ntls-cert-file {cert}\ntls-key-file {key}\ntls-ca-cert-file {ca}\ntls-auth-clients yes\ntls-replication yes\nsentinel monitor mymaster {ip} {mport} 2\n",
            pid = d.join("s.pid").display(),
            log = d.join("s.log").display(),
            dir = d.display(),
            cert = d.join("dns.crt").display(),
            key = d.join("dns.key").display(),
            ca = ca.display(),
            ip = master[0],
            mport = master[1],
        ),
    )
    .unwrap();
    let started = std::process::Command::new("redis-server")
        .args([conf.to_str().unwrap(), "--sentinel"])
        .status()
        .unwrap();
    assert!(started.success());
    let _stop = StopPidFile(d.join("s.pid"));
    let by_ip = format!("127.0.0.1:{port}");
    let tls = [
        "--tls-ca",
        ca.to_str().unwrap(),
        "--tls-cert",
        lab.conn_extra[3].as_str(),
        "--tls-key",
        lab.conn_extra[5].as_str(),
    ];
    let hint = wait_for(Duration::from_secs(10), || {
        let o = sentui(&[&["--sentinel", by_ip.as_str()], &tls[..], &["status"]].concat());
        let err = stderr(&o);
        err.contains("is for localhost, not 127.0.0.1")
            .then_some(err)
    })
    .expect("the name mismatch told");
    let want = format!("--map {by_ip}=localhost:{port}");
    assert!(hint.contains(&want), "{hint}");
    assert!(hint.contains("announce"), "{hint}");
    // Following the hint reaches the sentinel: it answers over TLS.
    let o = sentui(
        &[
            &["--sentinel", by_ip.as_str(), "--map", &want[6..]],
            &tls[..],
            &["status", "--json"],
        ]
        .concat(),
    );
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    let answered = v["masters"][0]["sentinels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["addr"] == by_ip.as_str() && s["reach"] == "ok");
    assert!(answered, "{v:#}");
}

/// One sentinel is one sentinel: seeded by host name it is not counted again under the
/// address its peers announce (plaintext and TLS alike).
#[test]
fn a_seed_by_host_name_is_counted_once() {
    for lab in [LocalLab::up(1), LocalLab::up_tls(1)] {
        let port = lab.sentinels[0].rsplit(':').next().unwrap().to_string();
        let seed = format!("localhost:{port}");
        let mut args = vec!["--sentinel".to_string(), seed.clone()];
        args.extend(lab.conn_extra.iter().cloned());
        args.push("status".into());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sentui(&refs);
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
        assert!(text.contains("sentinels 3/3 reachable"), "{text}");
        assert!(text.contains(&format!("sentinel {seed} ")), "{text}");
        assert!(
            !text.contains(&format!("sentinel 127.0.0.1:{port} ")),
            "one sentinel, one name: {text}"
        );
        let refs_json: Vec<&str> = refs[..refs.len() - 1]
            .iter()
            .copied()
            .chain(["status", "--json"])
            .collect();
        let v: Value = serde_json::from_slice(&sentui(&refs_json).stdout).unwrap();
        assert_eq!(v["sentinels_known"], 3, "{v:#}");
        assert_eq!(v["masters"][0]["sentinels"].as_array().unwrap().len(), 3);
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
}

/// A client certificate from a CA of its own, which the lab's servers do not trust.
fn foreign_client(d: &Path) -> (PathBuf, PathBuf) {
    openssl(
        d,
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
            "/CN=another CA",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "c.key",
            "-out",
            "c.csr",
            "-subj",
            "/CN=stranger",
        ],
    );
    std::fs::write(
        d.join("c.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "c.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "c.crt",
            "-days",
            "2",
            "-extfile",
            "c.ext",
        ],
    );
    (d.join("c.crt"), d.join("c.key"))
}

/// Stops the server whose pid file this is, when dropped (also on panic).
struct StopPidFile(PathBuf);

impl Drop for StopPidFile {
    fn drop(&mut self) {
        if let Some(pid) = std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok())
        {
            // SAFETY: kill has no memory preconditions; the pid is the server this test started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
}
