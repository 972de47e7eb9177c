//! The node collector: `INFO replication` every second and a liveness probe (PING) every
//! ~100 ms, one request in flight at a time, so a frozen node is flagged unresponsive long
//! before Sentinel's own `+sdown`, and a paused node never piles up requests. With many nodes
//! the probe interval grows to keep sentui within its probe budget (see [`sentui_model::budget`]).
//! A Valkey node is asked `INFO replication clients`, which says its client pause too: every
//! 500 ms when it reports one at all (so a pause shows within a second), and at every probe
//! while it is paused (so its end does).

use super::reply::text;
use super::rights;
use crate::link::{Backoff, LinkSettings, classify, now_ms};
use redis::Value;
use redis::aio::MultiplexedConnection;
use sentui_model::budget;
use sentui_model::info::{MinReplicas, ReplicationInfo, ServerInfo, ServerVersion};
use sentui_model::{Addr, Reach, Update};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

#[derive(Clone, Debug)]
pub struct ProbeSettings {
    /// The fastest probe interval (with few nodes).
    pub probe_every: Duration,
    pub info_every: Duration,
    /// How often INFO goes to a node that reports its client pause (Valkey 8.1+).
    pub pause_info_every: Duration,
    /// A request unanswered this long marks the node unresponsive.
    pub unresponsive_after: Duration,
    /// A request unanswered this long is given up and the connection rebuilt.
    pub give_up_after: Duration,
    /// Probe requests per second across all nodes.
    pub budget_per_sec: u32,
    /// How many nodes share the budget (the router keeps it current).
    pub nodes: Arc<AtomicUsize>,
}

impl ProbeSettings {
    /// Each node's probe interval now.
    pub fn interval(&self) -> Duration {
        budget::probe_interval(
            self.probe_every,
            self.budget_per_sec,
            self.nodes.load(Ordering::Relaxed),
        )
    }
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            probe_every: Duration::from_millis(100),
            info_every: Duration::from_millis(1000),
            pause_info_every: Duration::from_millis(500),
            unresponsive_after: Duration::from_millis(300),
            give_up_after: Duration::from_secs(60),
            budget_per_sec: budget::DEFAULT_PROBE_BUDGET,
            nodes: Arc::default(),
        }
    }
}

/// How long the node may take over `CONFIG GET` before sentui does without its answer.
const CONFIG_WAIT: Duration = Duration::from_millis(300);

/// `INFO server`, then `INFO replication`: what the node is, and its replication. One after
/// the other, not pipelined, so that a peer that answers the first with garbage and hangs up
/// is reported for its garbage, not for the write the hang-up broke. Then, best effort,
/// `CONFIG GET min-replicas-*` (refused where CONFIG is renamed or forbidden).
async fn server_and_replication(
    conn: &mut MultiplexedConnection,
) -> redis::RedisResult<(ServerFacts, Value)> {
    let server: Value = redis::cmd("INFO").arg("server").query_async(conn).await?;
    let info = text(&server)
        .map(|t| ServerInfo::parse(&t))
        .unwrap_or_default();
    let with_clients = info.server.as_ref().is_some_and(says_its_pause);
    let replication: Value = info_cmd(with_clients).query_async(conn).await?;
    let mut get = redis::cmd("CONFIG");
    get.arg("GET").arg("min-replicas-*");
    let config = get.query_async::<Vec<String>>(conn);
    let min_replicas = match tokio::time::timeout(CONFIG_WAIT, config).await {
        Ok(Ok(pairs)) => MinReplicas::from_config(pairs.chunks(2).filter_map(|kv| match kv {
            [k, v] => Some((k.as_str(), v.as_str())),
            _ => None,
        })),
        _ => None,
    };
    let facts = ServerFacts {
        server: info.server,
        run_id: info.run_id,
        min_replicas,
    };
    Ok((facts, replication))
}

/// Valkey tells its client pause in `INFO clients` (8.1 and later; older ones just do not
/// say), and every Valkey takes several sections in one INFO. Redis does not say it, and
/// Redis before 7.0 refuses two sections.
fn says_its_pause(server: &ServerVersion) -> bool {
    server.name == "valkey"
}

/// `INFO replication`, with `clients` where the node says its pause there.
fn info_cmd(with_clients: bool) -> redis::Cmd {
    let mut cmd = redis::cmd("INFO");
    cmd.arg("replication");
    if with_clients {
        cmd.arg("clients");
    }
    cmd
}

/// How often INFO goes to a node, from what its last INFO said of its pause.
fn info_interval(probe: &ProbeSettings, last: &Update) -> Duration {
    match last {
        Update::NodeInfo { info, .. } if info.pause.is_some() => Duration::ZERO,
        Update::NodeInfo { info, .. } if info.reports_pause => probe.pause_info_every,
        _ => probe.info_every,
    }
}

/// What a node is, from its `INFO server` reply: name and version, and its run id; and its
/// min-replicas settings.
#[derive(Clone, Default)]
struct ServerFacts {
    server: Option<ServerVersion>,
    run_id: Option<String>,
    min_replicas: Option<MinReplicas>,
}

/// One `INFO server` + `INFO replication`, as an update (used by one-shot snapshots).
pub async fn info_once(
    conn: &mut MultiplexedConnection,
    addr: &Addr,
) -> Result<Update, RedisErrorAt> {
    let started = now_ms();
    let (server, replication) = server_and_replication(conn)
        .await
        .map_err(|e| RedisErrorAt(e, started))?;
    let at = now_ms();
    Ok(info_update(addr, &replication, &server, started, at))
}

/// A redis-rs error and when the failed call started.
pub struct RedisErrorAt(pub redis::RedisError, pub u64);

fn info_update(addr: &Addr, v: &Value, server: &ServerFacts, started: u64, at: u64) -> Update {
    let garbage = |why: String| Update::NodeReach {
        addr: addr.clone(),
        at,
        reach: Reach::Failed(format!("garbage INFO reply: {why}")),
    };
    let mut info = match text(v).map(|t| ReplicationInfo::parse(&t)) {
        Some(Ok(info)) => info,
        Some(Err(e)) => return garbage(e.to_string()),
        None => return garbage("INFO replied with a non-string".into()),
    };
    info.server = server.server.clone();
    info.run_id = server.run_id.clone();
    info.min_replicas = server.min_replicas;
    Update::NodeInfo {
        addr: addr.clone(),
        at,
        rtt_ms: at.saturating_sub(started),
        info,
    }
}

pub async fn node_task(link: LinkSettings, probe: ProbeSettings, addr: Addr, tx: Sender<Update>) {
    let mut backoff = Backoff::default();
    // A dropped connection is retried once at once before it is reported: a node that changes
    // role (SLAVEOF NO ONE during a failover) closes its client connections.
    let mut last_quiet_retry: Option<Instant> = None;
    loop {
        let mut conn = match link.connect_unbounded(&addr).await {
            Ok(c) => c,
            Err(reach) => {
                if !report(&tx, &addr, reach).await {
                    return;
                }
                tokio::time::sleep(backoff.next_delay()).await;
                continue;
            }
        };
        backoff.reset();
        match probe_loop(&mut conn, &probe, &addr, &tx).await {
            LoopEnd::ReceiverGone => return,
            LoopEnd::Reconnect(Reach::Failed(_))
                if last_quiet_retry.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) =>
            {
                last_quiet_retry = Some(Instant::now());
            }
            LoopEnd::Reconnect(reach) => {
                let reach = link.diagnose(&addr, reach).await;
                if !report(&tx, &addr, reach).await {
                    return;
                }
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
    }
}

/// Sends the node's new state; false when nobody listens any more.
async fn report(tx: &Sender<Update>, addr: &Addr, reach: Reach) -> bool {
    tx.send(Update::NodeReach {
        addr: addr.clone(),
        at: now_ms(),
        reach,
    })
    .await
    .is_ok()
}

enum LoopEnd {
    ReceiverGone,
    Reconnect(Reach),
}

/// The clock every node's probe schedule counts from, so that probes share wake-ups.
static PROBE_EPOCH: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();

/// A stable hash of the address (FNV-1a): where in the interval this node is probed. The whole
/// address, since a compose lab announces every node on port 6379.
fn address_key(addr: &Addr) -> u64 {
    let text = addr.to_string();
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

async fn probe_loop(
    conn: &mut MultiplexedConnection,
    probe: &ProbeSettings,
    addr: &Addr,
    tx: &Sender<Update>,
) -> LoopEnd {
    let mut last_info: Option<Instant> = None;
    let mut last_rights: Option<Instant> = None;
    // What the node is: asked with the first INFO on each connection (a restart may bring
    // another version), then stamped on every report.
    let mut server: Option<ServerFacts> = None;
    let mut flagged = false;
    let mut info_every = probe.info_every;
    let key = address_key(addr);
    loop {
        let epoch = *PROBE_EPOCH.get_or_init(tokio::time::Instant::now);
        let due = budget::next_probe(epoch.elapsed(), probe.interval(), key);
        tokio::time::sleep_until(epoch + due).await;
        let info_due = last_info.is_none_or(|t| t.elapsed() >= info_every);
        let ask_server = info_due && server.is_none();
        let with_clients = server
            .as_ref()
            .and_then(|s| s.server.as_ref())
            .is_some_and(says_its_pause);
        let started = now_ms();
        let request = Box::pin(ask(&mut *conn, info_due, ask_server, with_clients));
        let late = Late {
            probe,
            addr,
            tx,
            started,
        };
        let reply = match late.wait(request, &mut flagged).await {
            Ok(reply) => reply,
            Err(end) => return end,
        };
        let at = now_ms();
        let update = match reply {
            None => return LoopEnd::Reconnect(Reach::Unresponsive { since: started }),
            Some(Err(e)) => return LoopEnd::Reconnect(classify(&e, started)),
            Some(Ok((s, v))) if info_due => {
                last_info = Some(Instant::now());
                flagged = false;
                if let Some(s) = s {
                    server = Some(s);
                }
                let facts = server.clone().unwrap_or_default();
                let u = info_update(addr, &v, &facts, started, at);
                info_every = info_interval(probe, &u);
                Some(u)
            }
            Some(Ok(_)) if flagged => {
                flagged = false;
                Some(Update::NodeReach {
                    addr: addr.clone(),
                    at,
                    reach: Reach::Ok,
                })
            }
            Some(Ok(_)) => None,
        };
        if let Some(u) = update
            && tx.send(u).await.is_err()
        {
            return LoopEnd::ReceiverGone;
        }
        // Rights after a good INFO, on the same connection: still one request at a time.
        let rights_every = budget::rights_interval(probe.nodes.load(Ordering::Relaxed));
        if info_due && last_rights.is_none_or(|t| t.elapsed() >= rights_every) {
            last_rights = Some(Instant::now());
            let version = server.as_ref().and_then(|s| s.server.as_ref());
            let checked = rights::check(conn, version, RIGHTS_WAIT).await;
            let u = Update::NodeRights {
                addr: addr.clone(),
                rights: checked,
            };
            if tx.send(u).await.is_err() {
                return LoopEnd::ReceiverGone;
            }
        }
    }
}

/// How long a rights check may take before it is left for the next round.
pub const RIGHTS_WAIT: Duration = Duration::from_secs(2);

/// One probe request: PING, or `INFO replication` when it is due (after INFO server on a new
/// connection).
async fn ask(
    conn: &mut MultiplexedConnection,
    info_due: bool,
    ask_server: bool,
    with_clients: bool,
) -> redis::RedisResult<(Option<ServerFacts>, Value)> {
    if ask_server {
        let (s, r) = server_and_replication(conn).await?;
        return Ok((Some(s), r));
    }
    let cmd = if info_due {
        info_cmd(with_clients)
    } else {
        redis::cmd("PING")
    };
    cmd.query_async::<Value>(conn).await.map(|r| (None, r))
}

/// Waiting for a probe's reply, asked at `started`.
struct Late<'a> {
    probe: &'a ProbeSettings,
    addr: &'a Addr,
    tx: &'a Sender<Update>,
    started: u64,
}

impl Late<'_> {
    /// The reply, flagging the node unresponsive once it is late (`flagged`); None when it
    /// gave up on it. Err when nobody listens any more.
    async fn wait<F: std::future::Future + Unpin>(
        &self,
        mut request: F,
        flagged: &mut bool,
    ) -> Result<Option<F::Output>, LoopEnd> {
        loop {
            let deadline = if *flagged {
                self.probe.give_up_after
            } else {
                self.probe.unresponsive_after
            };
            match tokio::time::timeout(deadline, &mut request).await {
                Ok(r) => return Ok(Some(r)),
                Err(_) if !*flagged => {
                    *flagged = true;
                    let u = Update::NodeReach {
                        addr: self.addr.clone(),
                        at: now_ms(),
                        reach: Reach::Unresponsive {
                            since: self.started,
                        },
                    };
                    if self.tx.send(u).await.is_err() {
                        return Err(LoopEnd::ReceiverGone);
                    }
                }
                Err(_) => return Ok(None),
            }
        }
    }
}
