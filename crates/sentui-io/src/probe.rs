//! The write probe: a client that behaves like a Sentinel-aware application. It asks the
//! sentinels for the master (`SENTINEL get-master-addr-by-name`), checks the node's `ROLE`,
//! writes `SET sentui:probe:<run-id>:<n> <n> EX 3600` at a steady rate (one write in flight,
//! each bounded by the response timeout), asks again after any error, and follows
//! `+switch-master` at once (it subscribes on every sentinel), or, told to stay, keeps its
//! master until a write fails (what pooled clients do). When stopped it reads the
//! acknowledged keys back from the current master (MGET in batches) to count lost writes, then
//! deletes its keys. Every step is reported as an owned, timestamped [`Update::Probe`].

use crate::link::{Backoff, LinkSettings, now_ms};
use futures_util::StreamExt;
use redis::RedisError;
use redis::aio::MultiplexedConnection;
use sentui_model::event::SentinelEvent;
use sentui_model::input::Input;
use sentui_model::probe::loss::lost_ranges;
use sentui_model::probe::{ErrorKind, Follow, ProbeEvent, ReadBack, WriteError, missing};
use sentui_model::{Addr, Update};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
pub struct ProbeConfig {
    pub link: LinkSettings,
    /// Sentinels to ask, announced addresses (reached through the link's map).
    pub sentinels: Vec<Addr>,
    pub group: String,
    /// Writes per second (clamped to 1..=MAX_RATE).
    pub rate: u32,
    pub run_id: String,
    /// The probe stops by itself after this many acknowledged writes (bounds its memory).
    pub max_acked: usize,
    /// Whether it moves at `+switch-master` or stays until a write fails.
    pub follow: Follow,
}

pub const DEFAULT_RATE: u32 = 100;
pub const MAX_RATE: u32 = 5000;
/// Keys per MGET / DEL during read-back and clean-up.
const BATCH: usize = 1000;
/// Key time to live: left-overs of a killed probe expire by themselves.
const KEY_TTL_SECS: u64 = 3600;
/// The longest a probe writes: its first keys must still exist at the read-back, or they would
/// count as lost.
const MAX_RUN: Duration = Duration::from_secs(KEY_TTL_SECS - 600);
/// Lost key numbers kept in the report.
const SAMPLE: usize = 20;

impl ProbeConfig {
    pub fn new(link: LinkSettings, sentinels: Vec<Addr>, group: String, rate: u32) -> Self {
        ProbeConfig {
            link,
            sentinels,
            group,
            rate: rate.clamp(1, MAX_RATE),
            run_id: run_id(),
            max_acked: 2_000_000,
            follow: Follow::Sentinel,
        }
    }

    pub fn following(mut self, follow: Follow) -> Self {
        self.follow = follow;
        self
    }

    pub fn key(&self, n: u64) -> String {
        format!("sentui:probe:{}:{n}", self.run_id)
    }
}

/// A run id unique enough for keys: time and pid, in hex.
pub fn run_id() -> String {
    format!("{:x}{:x}", now_ms(), std::process::id())
}

/// A running probe: stop it (it then reads back and cleans up) or abort it.
pub struct ProbeHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ProbeHandle {
    /// Asks the probe to stop writing; it reads back, deletes its keys and ends.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the probe and waits (at most `limit`) until its read-back and clean-up are done.
    pub async fn finish(self, limit: Duration) {
        self.stop();
        let abort = self.task.abort_handle();
        if tokio::time::timeout(limit, self.task).await.is_err() {
            abort.abort();
        }
    }
}

/// Starts the probe; its updates go to `tx`.
pub fn spawn(cfg: ProbeConfig, tx: mpsc::Sender<Input>) -> ProbeHandle {
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(run(cfg, tx, stop_rx));
    ProbeHandle { stop, task }
}

async fn send(tx: &mpsc::Sender<Input>, event: ProbeEvent) -> bool {
    let at = now_ms();
    tx.send(Input::update(at, Update::Probe { at, event }))
        .await
        .is_ok()
}

enum Next {
    Tick,
    Switch(Addr, Addr),
    Stop,
}

/// A write's outcome: the master that acknowledged it (and a `Master` event when it had to be
/// found first), or why it failed and the master it was sent to.
type Written = Result<(Addr, Option<ProbeEvent>), (WriteError, Option<Addr>)>;

async fn run(cfg: ProbeConfig, tx: mpsc::Sender<Input>, mut stop: watch::Receiver<bool>) {
    let started = ProbeEvent::Started {
        run_id: cfg.run_id.clone(),
        group: cfg.group.clone(),
        rate: cfg.rate,
        follow: cfg.follow,
    };
    if !send(&tx, started).await {
        return;
    }
    let (switch_tx, mut switch_rx) = mpsc::channel::<(Addr, Addr)>(16);
    let _listeners = listeners(&cfg, switch_tx);
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / cfg.rate as f64));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut w = Writer {
        cfg,
        tx,
        conn: None,
        told: None,
        last_switch: None,
        acked: Vec::new(),
        n: 0,
    };
    let running = std::time::Instant::now();
    let reason = loop {
        let next = tokio::select! {
            _ = ticks.tick() => Next::Tick,
            Some((sentinel, new)) = switch_rx.recv() => Next::Switch(sentinel, new),
            _ = stop.changed() => Next::Stop,
        };
        match next {
            Next::Stop => break "stopped".to_string(),
            Next::Switch(sentinel, new) => {
                if !w.switched(sentinel, new).await {
                    return;
                }
                continue;
            }
            Next::Tick => {}
        }
        let key_n = w.n;
        w.n += 1;
        let sent = std::time::Instant::now();
        let Some(outcome) = w.write(key_n, &mut switch_rx, &mut stop).await else {
            break "stopped".to_string();
        };
        let took_ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
        if !w.report(key_n, outcome, took_ms).await {
            return;
        }
        if let Some(limit) = w.limit(running) {
            break limit;
        }
    };
    w.finish(reason).await;
}

/// One `+switch-master` listener a sentinel, when the probe follows them (a probe that stays
/// hears none: it learns of the failover when a write fails). Aborted when the probe ends.
fn listeners(cfg: &ProbeConfig, switch_tx: mpsc::Sender<(Addr, Addr)>) -> crate::collect::Tasks {
    let listen = match cfg.follow {
        Follow::Sentinel => cfg.sentinels.as_slice(),
        Follow::Stay => &[],
    };
    crate::collect::Tasks::of(
        listen
            .iter()
            .map(|s| {
                tokio::spawn(switch_listener(
                    cfg.link.clone(),
                    s.clone(),
                    cfg.group.clone(),
                    switch_tx.clone(),
                ))
            })
            .collect(),
    )
}

/// What the probe keeps from one write to the next.
struct Writer {
    cfg: ProbeConfig,
    tx: mpsc::Sender<Input>,
    conn: Option<(Addr, MultiplexedConnection)>,
    /// The master +switch-master named: tried next instead of asking.
    told: Option<Addr>,
    /// The last master +switch-master named (each sentinel announces it).
    last_switch: Option<Addr>,
    acked: Vec<u64>,
    /// The next key number.
    n: u64,
}

impl Writer {
    /// A sentinel announced `new`: the next write goes there. False when nobody listens any
    /// more.
    async fn switched(&mut self, sentinel: Addr, new: Addr) -> bool {
        if self.last_switch.as_ref() == Some(&new)
            || self.conn.as_ref().is_some_and(|(a, _)| *a == new)
        {
            return true;
        }
        self.last_switch = Some(new.clone());
        self.conn = None;
        self.told = Some(new.clone());
        let how = format!("+switch-master from {sentinel}");
        send(&self.tx, ProbeEvent::Master { addr: new, how }).await
    }

    /// Writes key `key_n`; a `+switch-master` meanwhile (the first of its kind) fails it as
    /// switched. None when the probe is told to stop.
    async fn write(
        &mut self,
        key_n: u64,
        switch_rx: &mut mpsc::Receiver<(Addr, Addr)>,
        stop: &mut watch::Receiver<bool>,
    ) -> Option<Written> {
        let attempt = write_once(&self.cfg, &mut self.conn, &mut self.told, key_n);
        tokio::pin!(attempt);
        loop {
            tokio::select! {
                r = &mut attempt => break Some(r),
                Some((sentinel, new)) = switch_rx.recv() => {
                    // Every sentinel announces the switch: act on the first only.
                    if self.last_switch.as_ref() == Some(&new) {
                        continue;
                    }
                    break Some(Err((WriteError {
                        kind: ErrorKind::Switched,
                        message: format!("+switch-master from {sentinel} during the write"),
                    }, Some(new))));
                }
                _ = stop.changed() => break None,
            }
        }
    }

    /// Reports a write (and the master found for it) and how long it took, asking the
    /// sentinels included; false when nobody listens any more.
    async fn report(&mut self, key_n: u64, outcome: Written, took_ms: u64) -> bool {
        let (event, found) = match outcome {
            Ok((master, found)) => {
                self.acked.push(key_n);
                let event = ProbeEvent::Write {
                    n: key_n,
                    master: Some(master),
                    error: None,
                    took_ms: Some(took_ms),
                };
                (event, found)
            }
            Err((e, master)) => {
                self.conn = None;
                let master = if e.kind == ErrorKind::Switched {
                    self.told = master;
                    self.last_switch = self.told.clone();
                    None
                } else {
                    master
                };
                let event = ProbeEvent::Write {
                    n: key_n,
                    master,
                    error: Some(e),
                    took_ms: Some(took_ms),
                };
                (event, None)
            }
        };
        if let Some(m) = found
            && !send(&self.tx, m).await
        {
            return false;
        }
        send(&self.tx, event).await
    }

    /// Why the probe stops by itself, once it reached one of its limits.
    fn limit(&self, running: std::time::Instant) -> Option<String> {
        if self.acked.len() >= self.cfg.max_acked {
            return Some(format!(
                "{} acknowledged writes: the probe's limit",
                self.acked.len()
            ));
        }
        (running.elapsed() >= MAX_RUN).then(|| {
            format!(
                "{} minutes: the probe's limit (its keys live {} minutes, and the read-back must find them)",
                MAX_RUN.as_secs() / 60,
                KEY_TTL_SECS / 60
            )
        })
    }

    /// Reads the acknowledged writes back, cleans up and says why the probe stopped.
    async fn finish(self, reason: String) {
        drop(self.conn);
        let readback = read_back(&self.cfg, &self.acked, self.n).await;
        let _ = send(&self.tx, readback).await;
        let _ = send(&self.tx, ProbeEvent::Stopped { reason }).await;
    }
}

/// One write. Ok: the master that acknowledged it, and a `Master` event when the probe had to
/// find the master first. Err: why, and the master it was sent to (if any).
async fn write_once(
    cfg: &ProbeConfig,
    conn: &mut Option<(Addr, MultiplexedConnection)>,
    told: &mut Option<Addr>,
    n: u64,
) -> Result<(Addr, Option<ProbeEvent>), (WriteError, Option<Addr>)> {
    let mut found = None;
    if conn.is_none() {
        let (addr, c, how) = locate(cfg, told.take()).await.map_err(|e| (e, None))?;
        found = Some(ProbeEvent::Master {
            addr: addr.clone(),
            how,
        });
        *conn = Some((addr, c));
    }
    let Some((addr, c)) = conn.as_mut() else {
        return Err((
            WriteError {
                kind: ErrorKind::NoMaster,
                message: "no connection".into(),
            },
            None,
        ));
    };
    let reply: redis::RedisResult<()> = redis::cmd("SET")
        .arg(cfg.key(n))
        .arg(n)
        .arg("EX")
        .arg(KEY_TTL_SECS)
        .query_async(c)
        .await;
    match reply {
        Ok(()) => Ok((addr.clone(), found)),
        Err(e) => Err((write_error(&e), Some(addr.clone()))),
    }
}

/// Finds the master: the one `+switch-master` named, else the first sentinel that answers.
/// Connects through the address map and checks that the node says it is the master.
async fn locate(
    cfg: &ProbeConfig,
    told: Option<Addr>,
) -> Result<(Addr, MultiplexedConnection, String), WriteError> {
    let (addr, how) = match told {
        Some(a) => (a, "named by +switch-master".to_string()),
        None => ask_sentinels(cfg).await?,
    };
    let mut c = cfg
        .link
        .connect(&addr)
        .await
        .map_err(|r| reach_error(&addr, &r))?;
    let role: redis::Value = redis::cmd("ROLE")
        .query_async(&mut c)
        .await
        .map_err(|e| write_error(&e))?;
    match role_name(&role).as_deref() {
        Some("master") => Ok((addr, c, how)),
        other => Err(WriteError {
            kind: ErrorKind::NotMaster,
            message: format!("{addr} says it is {}", other.unwrap_or("of unknown role")),
        }),
    }
}

async fn ask_sentinels(cfg: &ProbeConfig) -> Result<(Addr, String), WriteError> {
    let mut why = Vec::new();
    for s in &cfg.sentinels {
        let mut c = match cfg.link.for_sentinels().connect(s).await {
            Ok(c) => c,
            Err(r) => {
                why.push(format!("{s}: {}", r.word()));
                continue;
            }
        };
        let reply: redis::RedisResult<Option<(String, u16)>> = redis::cmd("SENTINEL")
            .arg("get-master-addr-by-name")
            .arg(&cfg.group)
            .query_async(&mut c)
            .await;
        match reply {
            Ok(Some((host, port))) => {
                return Ok((Addr::new(host, port), format!("asked {s}")));
            }
            Ok(None) => why.push(format!("{s}: does not know '{}'", cfg.group)),
            Err(e) => why.push(format!("{s}: {}", write_error(&e).message)),
        }
    }
    Err(WriteError {
        kind: ErrorKind::NoMaster,
        message: format!("no sentinel named a master ({})", why.join("; ")),
    })
}

fn role_name(v: &redis::Value) -> Option<String> {
    match v {
        redis::Value::Array(items) => match items.first()? {
            redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
            redis::Value::SimpleString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn write_error(e: &RedisError) -> WriteError {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_connection_refusal() {
        ErrorKind::Refused
    } else if e.code() == Some("READONLY") {
        ErrorKind::Readonly
    } else if e.code() == Some("NOREPLICAS") {
        ErrorKind::NoReplicas
    } else if e.code() == Some("MASTERDOWN") {
        ErrorKind::MasterDown
    } else if e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error() {
        ErrorKind::Connection
    } else {
        ErrorKind::Other
    };
    WriteError {
        kind,
        message: e.to_string().lines().next().unwrap_or("").to_string(),
    }
}

fn reach_error(addr: &Addr, r: &sentui_model::Reach) -> WriteError {
    use sentui_model::Reach;
    let kind = match r {
        Reach::Unresponsive { .. } => ErrorKind::Timeout,
        Reach::Refused(_) => ErrorKind::Refused,
        _ => ErrorKind::Connection,
    };
    WriteError {
        kind,
        message: format!("{addr}: {}", r.describe(now_ms())),
    }
}

/// Reads the acknowledged keys back from the current master and deletes every key written.
async fn read_back(cfg: &ProbeConfig, acked: &[u64], attempted: u64) -> ProbeEvent {
    // Right after a failover the sentinels may still disagree for a moment: a few tries.
    let mut backoff = Backoff::default();
    let mut last = String::new();
    let mut found = None;
    for _ in 0..5 {
        match locate(cfg, None).await {
            Ok(f) => {
                found = Some(f);
                break;
            }
            Err(e) => last = e.message,
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
    let Some((master, mut c, _)) = found else {
        return ProbeEvent::ReadBackFailed {
            error: format!("cannot reach the master: {last}"),
        };
    };
    let mut present = Vec::with_capacity(acked.len());
    for chunk in acked.chunks(BATCH) {
        let keys: Vec<String> = chunk.iter().map(|n| cfg.key(*n)).collect();
        let values: redis::RedisResult<Vec<Option<String>>> =
            redis::cmd("MGET").arg(&keys).query_async(&mut c).await;
        match values {
            Ok(v) => present.extend(
                chunk
                    .iter()
                    .zip(v.iter().chain(std::iter::repeat(&None)))
                    .map(|(n, got)| got.as_deref() == Some(n.to_string().as_str())),
            ),
            Err(e) => {
                return ProbeEvent::ReadBackFailed {
                    error: format!("MGET on {master}: {}", write_error(&e).message),
                };
            }
        }
    }
    let lost = missing(acked, &present);
    let ranges = lost_ranges(acked, &present);
    // Clean-up is best effort: the keys expire anyway.
    let all: Vec<u64> = (0..attempted).collect();
    for chunk in all.chunks(BATCH) {
        let keys: Vec<String> = chunk.iter().map(|n| cfg.key(*n)).collect();
        let deleted: redis::RedisResult<u64> =
            redis::cmd("DEL").arg(&keys).query_async(&mut c).await;
        if deleted.is_err() {
            break;
        }
    }
    ProbeEvent::ReadBack(ReadBack {
        master,
        checked: acked.len() as u64,
        lost: lost.len() as u64,
        sample: lost.into_iter().take(SAMPLE).collect(),
        lost_ranges: ranges,
    })
}

/// Subscribes to `+switch-master` on one sentinel and passes on the new master of `group`,
/// reconnecting with backoff.
async fn switch_listener(
    link: LinkSettings,
    sentinel: Addr,
    group: String,
    tx: mpsc::Sender<(Addr, Addr)>,
) {
    let mut backoff = Backoff::default();
    loop {
        if let Ok(pubsub) = crate::collect::sentinel::subscribe(
            &link,
            &sentinel,
            SentinelEvent::SwitchMaster.name(),
        )
        .await
        {
            backoff.reset();
            let mut stream = pubsub.into_on_message();
            while let Some(msg) = stream.next().await {
                let payload: String = msg.get_payload().unwrap_or_default();
                if let Some(new) = switched_to(&payload, &group)
                    && tx.send((sentinel.clone(), new)).await.is_err()
                {
                    return;
                }
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// `mymaster 127.0.0.1 6379 127.0.0.1 6380` -> the new master, when it is about `group`.
fn switched_to(payload: &str, group: &str) -> Option<Addr> {
    let parts: Vec<&str> = payload.split_whitespace().collect();
    match parts.as_slice() {
        [g, _, _, host, port] if *g == group => Addr::from_parts(host, port),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_master_payload() {
        assert_eq!(
            switched_to("mymaster 127.0.0.1 6379 127.0.0.1 6380", "mymaster"),
            Some("127.0.0.1:6380".parse().unwrap())
        );
        assert_eq!(
            switched_to("other 127.0.0.1 6379 127.0.0.1 6380", "mymaster"),
            None
        );
        assert_eq!(switched_to("mymaster garbage", "mymaster"), None);
    }

    #[test]
    fn rate_is_clamped_and_keys_are_namespaced() {
        let c = ProbeConfig::new(LinkSettings::default(), vec![], "g".into(), 0);
        assert_eq!(c.rate, 1);
        assert!(c.key(7).starts_with("sentui:probe:") && c.key(7).ends_with(":7"));
        let c = ProbeConfig::new(LinkSettings::default(), vec![], "g".into(), 1_000_000);
        assert_eq!(c.rate, MAX_RATE);
    }
}
