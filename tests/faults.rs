//! Faults, one test each, on the local-process lab: a sentinel restarted with a new run id, a
//! sentinel in TILT, a node restarted on its port, replicas with priority 0, the old master as
//! a zombie, a node that answers garbage, a leader crashed after its election. In each, a
//! long-running sentui (`events --json`, read line by line) keeps running and shows the fault,
//! and `status --json` shows the truth before, during and after it. (The Docker engine going
//! away: docker_faults.rs.)

mod common;

use common::*;
use sentui_io::lab::local::MemberRole;
use serde_json::Value;
use std::time::{Duration, Instant};

fn port_of(addr: &str) -> u16 {
    addr.rsplit(':').next().unwrap().parse().unwrap()
}

fn addr(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// The one group of a lab's status.
fn group(s: &Value) -> &Value {
    &s["masters"][0]
}

fn replica<'a>(s: &'a Value, a: &str) -> Option<&'a Value> {
    group(s)["replicas"]
        .as_array()?
        .iter()
        .find(|r| r["addr"] == a)
}

fn sentinel_view<'a>(s: &'a Value, a: &str) -> Option<&'a Value> {
    group(s)["sentinels"]
        .as_array()?
        .iter()
        .find(|r| r["addr"] == a)
}

fn problems(s: &Value) -> Vec<String> {
    group(s)["problems"]
        .as_array()
        .map(|p| {
            p.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Polls `status --json` until `ok` holds for it; returns the last status either way.
fn status_until(
    lab: &LocalLab,
    limit: Duration,
    ok: impl Fn(&Value, i32) -> bool,
) -> (Value, bool) {
    let deadline = Instant::now() + limit;
    loop {
        let (s, code) = lab.status();
        if ok(&s, code) {
            return (s, true);
        }
        if Instant::now() > deadline {
            return (s, false);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Every event about `a` (as the node it concerns or the sentinel it came from) is `name`.
fn is(v: &Value, name: &str, a: &str) -> bool {
    v["event"] == name && (v["addr"] == a || v["sentinel"] == a)
}

const EVENT_WAIT: Duration = Duration::from_secs(25);

#[test]
fn a_sentinel_restarted_with_a_new_run_id() {
    let mut lab = LocalLab::up(1);
    let port = lab.ports(MemberRole::Sentinel)[0];
    let victim = addr(port);
    // The id Sentinel goes by (in hello messages, votes, SENTINEL SENTINELS): its myid.
    let myid = |port| -> Option<String> {
        redis::from_redis_value(redis_cmd(port, &["SENTINEL", "MYID"]).ok()?).ok()
    };
    let old_id = myid(port).unwrap();
    let (s, _) = lab.status();
    assert_eq!(
        sentinel_view(&s, &victim).unwrap()["run_id"],
        old_id.as_str(),
        "{s:#}"
    );

    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));
    lab.kill_member(port);
    let down = ev.wait_from(0, EVENT_WAIT, |v| is(v, "sentinel-down", &victim));
    assert!(
        down.is_some(),
        "sentinel-down for {victim}:\n{}",
        ev.summary()
    );
    let (s, _) = status_until(&lab, Duration::from_secs(10), |s, _| {
        sentinel_view(s, &victim).is_some_and(|v| v["reach"] != "ok")
    });
    assert_eq!(
        sentinel_view(&s, &victim).unwrap()["reach"],
        "refused",
        "{s:#}"
    );
    assert!(
        problems(&s).contains(&format!("sentinel {victim} is refused")),
        "{s:#}"
    );

    // A fresh run id: the config without its `sentinel myid` line.
    let conf =
        std::path::PathBuf::from(lab.member(port)["dir"].as_str().unwrap()).join("sentinel.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(text.contains(&format!("sentinel myid {old_id}")), "{text}");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("sentinel myid "))
        .collect();
    std::fs::write(&conf, kept.join("\n") + "\n").unwrap();
    lab.restart_member(port);
    let new_id = wait_for(Duration::from_secs(5), || myid(port))
        .expect("the restarted sentinel answers INFO");
    assert_ne!(new_id, old_id, "a new run id");

    let up = ev.wait_from(down.unwrap(), EVENT_WAIT, |v| is(v, "sentinel-up", &victim));
    assert!(up.is_some(), "sentinel-up for {victim}:\n{}", ev.summary());
    let relinked = ev.wait_from(down.unwrap(), EVENT_WAIT, |v| {
        is(v, "events-link-up", &victim)
    });
    assert!(relinked.is_some(), "events link back:\n{}", ev.summary());
    // The other sentinels announce it under its new id, and sentui passes that on.
    let announced = ev.wait_from(down.unwrap(), EVENT_WAIT, |v| {
        v["event"] == "+sentinel" && v["payload"].as_str().unwrap_or("").contains(&new_id)
    });
    assert!(
        announced.is_some(),
        "+sentinel with the new id {new_id}:\n{}",
        ev.summary()
    );
    assert!(ev.running(), "the live session keeps running");

    // The deployment as before, the sentinel back under its new id, nothing left of the old one.
    let (s, ok) = status_until(&lab, Duration::from_secs(20), |s, code| {
        code == 0
            && group(s)["sentinels"].as_array().map(Vec::len) == Some(3)
            && sentinel_view(s, &victim).is_some_and(|v| v["run_id"] == new_id.as_str())
    });
    assert!(ok, "healthy, three sentinels, {victim} as {new_id}: {s:#}");
    assert_eq!(group(&s)["master"]["addr"], lab.master.as_str());
    assert_eq!(group(&s)["replicas"].as_array().unwrap().len(), 1);
    assert!(
        !s.to_string().contains(&old_id),
        "the old run id {old_id} is gone: {s:#}"
    );
}

#[test]
fn a_sentinel_in_tilt() {
    let lab = LocalLab::up(1);
    let port = lab.ports(MemberRole::Sentinel)[1];
    let victim = addr(port);
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));

    // Frozen for longer than Sentinel's 2 s timer delta: it enters TILT when it wakes.
    lab.signal(port, libc::SIGSTOP);
    std::thread::sleep(Duration::from_millis(3500));
    lab.signal(port, libc::SIGCONT);
    let tilt = ev.wait_from(0, EVENT_WAIT, |v| is(v, "+tilt", &victim));
    assert!(tilt.is_some(), "+tilt from {victim}:\n{}", ev.summary());
    let (s, ok) = status_until(&lab, Duration::from_secs(10), |s, _| {
        sentinel_view(s, &victim).is_some_and(|v| v["tilt"] == true && v["reach"] == "ok")
    });
    assert!(ok, "{victim} in TILT: {s:#}");
    assert!(
        problems(&s).contains(&format!("sentinel {victim} is in TILT mode")),
        "{s:#}"
    );
    assert_eq!(group(&s)["master"]["addr"], lab.master.as_str());
    for other in lab.sentinels.iter().filter(|a| **a != victim) {
        assert_eq!(sentinel_view(&s, other).unwrap()["tilt"], false, "{s:#}");
    }

    // TILT lasts 30 s; then it leaves, and sentui says so.
    let left = ev.wait_from(tilt.unwrap(), Duration::from_secs(45), |v| {
        is(v, "-tilt", &victim)
    });
    assert!(left.is_some(), "-tilt from {victim}:\n{}", ev.summary());
    assert!(ev.running(), "the live session keeps running");
    let (s, ok) = status_until(&lab, Duration::from_secs(10), |s, code| {
        code == 0 && sentinel_view(s, &victim).is_some_and(|v| v["tilt"] == false)
    });
    assert!(ok, "{victim} out of TILT, healthy: {s:#}");
}

#[test]
fn a_node_restarted_on_the_same_port() {
    let mut lab = LocalLab::up(2);
    let port = lab.ports(MemberRole::Replica)[0];
    let victim = addr(port);
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));

    lab.kill_member(port);
    let down = ev.wait_from(0, EVENT_WAIT, |v| is(v, "node-down", &victim));
    assert!(down.is_some(), "node-down for {victim}:\n{}", ev.summary());
    // The first failure sentui sees depends on timing: a probe in flight when the process dies
    // gets a reset (or end of stream); one sent after it is refused. Each names the cause.
    let payload = ev.seen[down.unwrap()]["payload"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ["refused", "reset by peer", "closed", "broken pipe"]
            .iter()
            .any(|cause| payload.to_lowercase().contains(cause)),
        "{}",
        ev.seen[down.unwrap()]
    );
    let (s, ok) = status_until(&lab, Duration::from_secs(10), |s, _| {
        replica(s, &victim).is_some_and(|r| r["reach"] == "refused")
    });
    assert!(ok, "{victim} shown refused: {s:#}");
    assert!(
        problems(&s).contains(&format!("replica {victim} is refused")),
        "{s:#}"
    );
    // Sentinel sees it too, and sentui shows that.
    let sdown = ev.wait_from(0, EVENT_WAIT, |v| {
        v["event"] == "+sdown" && v["addr"] == victim.as_str()
    });
    assert!(sdown.is_some(), "+sdown of {victim}:\n{}", ev.summary());

    lab.restart_member(port);
    let up = ev.wait_from(down.unwrap(), EVENT_WAIT, |v| is(v, "node-up", &victim));
    assert!(up.is_some(), "node-up for {victim}:\n{}", ev.summary());
    assert!(ev.running(), "the live session keeps running");
    let (s, ok) = status_until(&lab, Duration::from_secs(30), |s, code| {
        code == 0
            && replica(s, &victim)
                .is_some_and(|r| r["reach"] == "ok" && r["role"] == "replica" && r["link"] == "up")
    });
    assert!(ok, "{victim} back, linked, group healthy: {s:#}");
    assert_eq!(group(&s)["master"]["addr"], lab.master.as_str());
}

/// Sets replica-priority 0 on the node on `port` and waits until every sentinel knows it (they
/// refresh a replica's INFO every 10 s).
fn set_priority_zero(lab: &LocalLab, port: u16) {
    let ok = redis_cmd(port, &["CONFIG", "SET", "replica-priority", "0"]);
    assert!(ok.is_ok(), "CONFIG SET: {ok:?}");
    let (s, ok) = status_until(lab, Duration::from_secs(5), |s, _| {
        replica(s, &addr(port)).is_some_and(|r| r["priority"] == 0)
    });
    assert!(ok, "status shows priority 0 for {port}: {s:#}");
    for sp in lab.ports(MemberRole::Sentinel) {
        let knows = wait_for(Duration::from_secs(20), || {
            (redis_priority(sp, port) == Some(0)).then_some(())
        });
        assert!(knows.is_some(), "sentinel {sp} learns priority 0 of {port}");
    }
}

/// The priority sentinel `sp` holds for the replica on `port`.
fn redis_priority(sp: u16, port: u16) -> Option<i64> {
    sentinel_replica_field(sp, port, "slave-priority")?
        .parse()
        .ok()
}

#[test]
fn a_replica_with_priority_zero_is_never_promoted() {
    let lab = LocalLab::up(2);
    let (never, other) = (
        lab.ports(MemberRole::Replica)[0],
        lab.ports(MemberRole::Replica)[1],
    );
    set_priority_zero(&lab, never);

    let ev = EventStream::start(&lab.sentinel_args(), "failover-complete");
    let out = lab.run(&["ctl", "pause", "master"]);
    assert!(out.status.success(), "ctl pause: {}", stderr(&out));
    let seen = ev.until("failover-complete", Duration::from_secs(40));
    let done = seen.last().unwrap();
    assert_eq!(
        done["failover"]["new_master"],
        addr(other).as_str(),
        "the replica with priority 100 is promoted: {done}"
    );

    let (s, ok) = status_until(&lab, Duration::from_secs(15), |s, _| {
        group(s)["master"]["addr"] == addr(other).as_str()
            && replica(s, &addr(never)).is_some_and(|r| r["role"] == "replica")
    });
    assert!(ok, "{other} is master, {never} its replica: {s:#}");
    assert_eq!(replica(&s, &addr(never)).unwrap()["priority"], 0, "{s:#}");
}

#[test]
fn only_priority_zero_replicas_abort_the_failover() {
    let lab = LocalLab::up(1);
    let only = lab.ports(MemberRole::Replica)[0];
    set_priority_zero(&lab, only);

    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));
    let out = lab.run(&["ctl", "pause", "master"]);
    assert!(out.status.success(), "ctl pause: {}", stderr(&out));
    let abort = ev.wait_from(0, Duration::from_secs(40), |v| {
        v["event"] == "-failover-abort-no-good-slave"
    });
    assert!(
        abort.is_some(),
        "-failover-abort-no-good-slave:\n{}",
        ev.summary()
    );
    let aborted = ev.wait_from(0, EVENT_WAIT, |v| v["event"] == "failover-aborted");
    assert!(aborted.is_some(), "sentui's verdict:\n{}", ev.summary());
    assert!(ev.running(), "the live session keeps running");

    // No master is invented: the frozen one is still the master, and the group is critical.
    let (s, code) = lab.status();
    assert_eq!(code, 3, "critical: {s:#}");
    assert_eq!(group(&s)["health"], "critical", "{s:#}");
    assert_eq!(group(&s)["master"]["addr"], lab.master.as_str(), "{s:#}");
    assert_ne!(group(&s)["master"]["reach"], "ok", "{s:#}");
    let r = replica(&s, &addr(only)).unwrap();
    assert_eq!(r["role"], "replica", "{s:#}");
    assert_eq!(r["priority"], 0, "{s:#}");
    assert_eq!(s["masters"].as_array().unwrap().len(), 1);
}

#[test]
fn the_old_master_as_a_zombie() {
    let lab = LocalLab::up(2);
    let old = lab.master.clone();
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "90s", 3, Duration::from_secs(15));
    lab.signal(port_of(&old), libc::SIGSTOP);
    let switch = ev.wait_from(0, Duration::from_secs(40), |v| {
        v["event"] == "+switch-master"
    });
    lab.signal(port_of(&old), libc::SIGCONT);
    let switch = switch.unwrap_or_else(|| panic!("+switch-master:\n{}", ev.summary()));
    // `mymaster OLDHOST OLDPORT NEWHOST NEWPORT`
    let words: Vec<String> = ev.seen[switch]["payload"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(str::to_string)
        .collect();
    let new = format!("{}:{}", words[3], words[4]);
    assert_ne!(new, old);

    // Awake and still claiming to be master until Sentinel converts it: sentui shows one master,
    // the new one, and the old one as a replica that reports role master.
    let mut zombie_seen = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let (s, _) = lab.status();
        assert_eq!(s["masters"].as_array().unwrap().len(), 1, "{s:#}");
        assert_eq!(
            group(&s)["master"]["addr"],
            new.as_str(),
            "never the zombie: {s:#}"
        );
        let r = replica(&s, &old).unwrap_or_else(|| panic!("{old} listed: {s:#}"));
        if r["reach"] == "ok" && r["role"] == "master" {
            zombie_seen = Some(s);
            break;
        }
        if r["role"] == "replica" {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let s = zombie_seen.unwrap_or_else(|| {
        panic!(
            "{old} never shown reporting role master before conversion:\n{}",
            ev.summary()
        )
    });
    assert!(
        problems(&s).contains(&format!(
            "split brain: replica {old} reports role master and still accepts writes"
        )),
        "{s:#}"
    );
    assert_ne!(group(&s)["health"], "healthy", "{s:#}");

    // Later it is converted and rejoins as a replica.
    let convert = ev.wait_from(switch, Duration::from_secs(40), |v| {
        v["event"] == "+convert-to-slave" && v["addr"] == old.as_str()
    });
    assert!(convert.is_some(), "+convert-to-slave:\n{}", ev.summary());
    let (s, ok) = status_until(&lab, Duration::from_secs(30), |s, code| {
        code == 0
            && group(s)["master"]["addr"] == new.as_str()
            && replica(s, &old).is_some_and(|r| r["role"] == "replica" && r["link"] == "up")
    });
    assert!(ok, "{old} a healthy replica of {new}: {s:#}");
    assert!(ev.running(), "the live session keeps running");
}

/// A TCP server on 127.0.0.1 that answers every read with invalid RESP, until dropped.
struct GarbageServer {
    addr: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl GarbageServer {
    fn start() -> GarbageServer {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((mut s, _)) => {
                        let flag = flag.clone();
                        std::thread::spawn(move || {
                            s.set_nonblocking(false).ok();
                            s.set_read_timeout(Some(Duration::from_millis(500))).ok();
                            let mut buf = [0u8; 4096];
                            while !flag.load(Ordering::Relaxed) {
                                match s.read(&mut buf) {
                                    Ok(0) => return,
                                    Ok(_) => {
                                        if s.write_all(b"%\xff\x00 not RESP at all\r\n").is_err() {
                                            return;
                                        }
                                    }
                                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                                    Err(_) => return,
                                }
                            }
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        GarbageServer { addr, stop }
    }
}

impl Drop for GarbageServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn a_node_replying_garbage() {
    let lab = LocalLab::up(2);
    let garbage = GarbageServer::start();
    let victim = addr(lab.ports(MemberRole::Replica)[0]);
    let healthy = addr(lab.ports(MemberRole::Replica)[1]);
    let mut conn = lab.sentinel_args();
    conn.extend(["--map".to_string(), format!("{victim}={}", garbage.addr)]);

    let mut ev = EventStream::start_for(&conn, "60s", 3, Duration::from_secs(15));
    let down = ev.wait_from(0, EVENT_WAIT, |v| is(v, "node-down", &victim));
    assert!(down.is_some(), "node-down for {victim}:\n{}", ev.summary());
    let reason = ev.seen[down.unwrap()]["payload"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.starts_with("failed: not a valid Redis reply"),
        "a clear reason: {reason}"
    );
    std::thread::sleep(Duration::from_secs(3));
    ev.drain();
    assert!(
        ev.running(),
        "the live session keeps running:\n{}",
        ev.summary()
    );
    assert!(
        !ev.seen.iter().any(|v| is(v, "node-up", &victim)),
        "never shown up:\n{}",
        ev.summary()
    );

    let mut args: Vec<String> = conn.clone();
    args.extend(["status".into(), "--json".into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sentui(&refs);
    let s: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    assert_eq!(out.status.code(), Some(1), "degraded: {s:#}");
    let r = replica(&s, &victim).unwrap();
    assert_eq!(r["reach"], "failed", "{s:#}");
    let why = r["reason"].as_str().unwrap_or_default();
    assert!(why.starts_with("not a valid Redis reply"), "{s:#}");
    assert!(
        problems(&s).contains(&format!("replica {victim} is failed: {why}")),
        "{s:#}"
    );
    // The rest of the group is as it is.
    assert_eq!(group(&s)["master"]["addr"], lab.master.as_str());
    assert_eq!(group(&s)["master"]["reach"], "ok");
    let h = replica(&s, &healthy).unwrap();
    assert!(h["reach"] == "ok" && h["link"] == "up", "{s:#}");
    assert!(
        group(&s)["sentinels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["reach"] == "ok"),
        "{s:#}"
    );
    assert_eq!(problems(&s).len(), 1, "only the garbage node: {s:#}");
}

/// Resumes a process the test froze, whatever way the test ends.
struct Thaw(i32);

impl Drop for Thaw {
    fn drop(&mut self) {
        // SAFETY: kill has no memory preconditions; the pid is a lab member the test froze.
        unsafe { libc::kill(self.0, libc::SIGCONT) };
    }
}

fn millis_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The leader crashes right after its election (SENTINEL SIMULATE-FAILURE); the master comes
/// back, the crashed sentinel is restarted, and the master is frozen again: `events --json`
/// reports the abandoned attempt as aborted, and the real failover as complete, timed from its
/// own start, never merged with the first.
#[test]
fn a_leader_crashed_after_its_election_is_an_aborted_attempt_not_part_of_the_next() {
    let mut lab = LocalLab::up(2);
    let master_port = port_of(&lab.master);
    let master_pid = lab.pid_of(master_port);
    let sentinels = lab.ports(MemberRole::Sentinel);
    for p in &sentinels {
        let ok = redis_cmd(
            *p,
            &["SENTINEL", "SIMULATE-FAILURE", "crash-after-election"],
        );
        assert!(ok.is_ok(), "SIMULATE-FAILURE on {p}: {ok:?}");
    }
    let mut ev = EventStream::start_for(&lab.sentinel_args(), "120s", 3, Duration::from_secs(15));
    let thaw = Thaw(master_pid);
    lab.signal(master_port, libc::SIGSTOP);
    let crashed = wait_for(Duration::from_secs(30), || {
        sentinels
            .iter()
            .copied()
            .find(|p| !pid_alive(lab.pid_of(*p)))
    })
    .unwrap_or_else(|| panic!("no elected sentinel crashed:\n{}", ev.summary()));
    lab.signal(master_port, libc::SIGCONT);
    let back = ev.seen.len();
    assert!(
        ev.wait_from(back, EVENT_WAIT, |v| is(v, "node-responsive", &lab.master))
            .is_some(),
        "the master answers again:\n{}",
        ev.summary()
    );
    // The crashed sentinel comes back (without the flag, which is not saved in its config);
    // the survivors still wait out their retry delay, so it leads the next failover.
    lab.restart_member(crashed);
    let relinked = ev.seen.len();
    assert!(
        ev.wait_from(relinked, EVENT_WAIT, |v| is(
            v,
            "events-link-up",
            &addr(crashed)
        ))
        .is_some(),
        "the restarted sentinel's events link:\n{}",
        ev.summary()
    );
    let (s, healthy) = status_until(&lab, Duration::from_secs(15), |_, code| code == 0);
    assert!(healthy, "healthy again before the second fault: {s:#}");
    let second_fault = millis_now();
    lab.signal(master_port, libc::SIGSTOP);
    let done = ev.wait_from(relinked, Duration::from_secs(40), |v| {
        v["event"] == "failover-complete"
    });
    lab.signal(master_port, libc::SIGCONT);
    drop(thaw);
    let done = done.unwrap_or_else(|| panic!("no failover-complete:\n{}", ev.summary()));
    let complete = &ev.seen[done]["failover"];
    assert_eq!(complete["epoch"], 2, "{complete:#}");
    let started = complete["started_at"].as_u64().unwrap();
    assert!(
        started >= second_fault,
        "the real failover starts at its own first sign: {complete:#}"
    );
    let switch = complete["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["phase"] == "switch-master")
        .and_then(|m| m["at"].as_u64())
        .unwrap_or_else(|| panic!("+switch-master marked: {complete:#}"));
    // Timed from its own start: about 2 s (1.2 s seen when the sentinels saw the freeze
    // early); merged with the abandoned attempt it would be 6 s and more.
    let after = switch - started;
    assert!(
        (1000..=4500).contains(&after),
        "+switch-master {after} ms after the failover's start"
    );
    let aborted: Vec<&Value> = ev.seen[..done]
        .iter()
        .filter(|v| v["event"] == "failover-aborted")
        .collect();
    assert_eq!(aborted.len(), 1, "one abandoned attempt:\n{}", ev.summary());
    assert_eq!(aborted[0]["failover"]["epoch"], 1);
    // Over when its leader was seen down, or (a rival candidate of the same election still
    // up) when the next epoch began.
    let why = aborted[0]["payload"].as_str().unwrap();
    assert!(
        why.contains("aborted: leader lost") || why.contains("aborted: superseded by epoch 2"),
        "{}",
        aborted[0]
    );
}
