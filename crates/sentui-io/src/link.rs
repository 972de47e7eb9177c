//! Connections with timeouts everywhere: a paused process accepts TCP and never answers, so no
//! call may wait without a bound.

mod diagnose;

use crate::tls::TlsContext;
use crate::tls::hint::{self, Failure};
use redis::aio::{MultiplexedConnection, PubSub};
use redis::{AsyncConnectionConfig, Client, ConnectionAddr, IntoConnectionInfo, RedisError};
use sentui_model::{Addr, AddrMap, Millis, Reach};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// The announced -> reachable map, shared by every collector and updated in place (Docker
/// gives a restarted container a new ephemeral port; links pick it up when they reconnect).
#[derive(Clone, Debug, Default)]
pub struct SharedMap(Arc<RwLock<AddrMap>>);

impl SharedMap {
    pub fn new(map: AddrMap) -> Self {
        SharedMap(Arc::new(RwLock::new(map)))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, AddrMap> {
        // A writer that panicked left a whole map behind: keep using it.
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn reachable(&self, announced: &Addr) -> Addr {
        self.read().reachable(announced)
    }

    pub fn announced_for(&self, reachable: &Addr) -> Option<Addr> {
        self.read().announced_for(reachable).cloned()
    }

    pub fn contains(&self, announced: &Addr) -> bool {
        self.read().contains(announced)
    }

    /// Adds (or updates) entries.
    pub fn merge(&self, other: &AddrMap) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .merge(other);
    }
}

/// A password: kept out of Debug output, logs, recordings and error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Credentials for one side (nodes or sentinels): an ACL username (optional) and a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: Option<String>,
    pub password: Secret,
}

/// How collectors reach endpoints.
#[derive(Clone, Debug)]
pub struct LinkSettings {
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    /// Announced address -> reachable address.
    pub map: SharedMap,
    /// Credentials for Redis nodes.
    pub auth: Option<Credentials>,
    /// Credentials for sentinels.
    pub sentinel_auth: Option<Credentials>,
    /// TLS for every link, set up once ([`TlsContext::load`]) and shared.
    pub tls: Option<TlsContext>,
    /// Which addresses may be contacted when the map does not map them.
    pub names: NamePolicy,
}

/// Announced addresses are only contacted as the user allowed: a host name is never looked up
/// through the system resolver unless the user named that host (a seed, a map target) or opted
/// in (`--resolve-names`); inside a compose project, only published 127.0.0.1 ports are used.
#[derive(Clone, Debug, Default)]
pub struct NamePolicy {
    /// `--resolve-names`: look up announced host names too.
    pub resolve_announced: bool,
    /// Host names the user gave (seeds, map targets): looked up as asked.
    pub user_hosts: std::collections::BTreeSet<String>,
    /// The compose project whose published ports are the only way in (`--compose-project`).
    pub only_mapped: Option<String>,
}

impl NamePolicy {
    /// Why `target` (the address `announced` maps to, or itself) may not be contacted.
    pub fn refusal(&self, announced: &Addr, target: &Addr, mapped: bool) -> Option<String> {
        if mapped || self.user_hosts.contains(&target.host) {
            return None;
        }
        if let Some(project) = &self.only_mapped
            && !target.is_loopback()
        {
            return Some(format!(
                "{announced} is not published on 127.0.0.1 by compose project {project}; sentui only connects to published ports (map it with --map)"
            ));
        }
        if target.is_ip() || target.host == "localhost" || self.resolve_announced {
            return None;
        }
        Some(format!(
            "{announced} is announced by name and the address map has no entry for it; sentui does not look announced names up (map it with --map {announced}=HOST:PORT, or allow lookups with --resolve-names)"
        ))
    }
}

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings {
            connect_timeout: Duration::from_millis(1000),
            response_timeout: Duration::from_millis(1000),
            map: SharedMap::default(),
            auth: None,
            sentinel_auth: None,
            tls: None,
            names: NamePolicy::default(),
        }
    }
}

pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

impl LinkSettings {
    /// The same settings with the sentinels' credentials, for links to sentinels.
    pub fn for_sentinels(&self) -> LinkSettings {
        LinkSettings {
            auth: self.sentinel_auth.clone(),
            ..self.clone()
        }
    }

    /// Why the name policy keeps sentui away from the endpoint announced as `addr`, if it does.
    fn refusal(&self, addr: &Addr) -> Option<String> {
        let target = self.map.reachable(addr);
        self.names.refusal(addr, &target, self.map.contains(addr))
    }

    /// The connection settings redis-rs sends on a new link (credentials).
    fn redis_info(&self) -> redis::RedisConnectionInfo {
        let mut redis = redis::RedisConnectionInfo::default().set_skip_set_lib_name();
        if let Some(c) = &self.auth {
            redis = redis.set_password(c.password.expose());
            if let Some(u) = &c.username {
                redis = redis.set_username(u);
            }
        }
        redis
    }

    /// A plaintext redis-rs client for the endpoint announced as `addr` (connecting to its
    /// mapped address). TLS links are sentui's own ([`LinkSettings::open_tls`]).
    fn client(&self, addr: &Addr) -> Result<Client, Reach> {
        if let Some(why) = self.refusal(addr) {
            return Err(Reach::Failed(why));
        }
        let target = self.map.reachable(addr);
        ConnectionAddr::Tcp(target.host.clone(), target.port)
            .into_connection_info()
            .map(|info| info.set_redis_settings(self.redis_info()))
            .and_then(Client::open)
            .map_err(|e| classify(&e, now_ms()))
    }

    /// A TLS stream to the endpoint announced as `addr`, with the process's one TLS
    /// configuration; a failure comes explained, with the fix.
    async fn open_tls(&self, tls: &TlsContext, addr: &Addr) -> Result<TlsStream<TcpStream>, Reach> {
        if let Some(why) = self.refusal(addr) {
            return Err(Reach::Failed(why));
        }
        let target = self.map.reachable(addr);
        let started = now_ms();
        match tokio::time::timeout(self.connect_timeout, tls.open(&target)).await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Err(Reach::Refused("connection refused".into()))
            }
            Ok(Err(e)) => {
                let cx = hint::Context {
                    announced: addr,
                    target: &target,
                    client_cert: tls.client_cert(),
                };
                match hint::explain(&e, &cx) {
                    Failure::Explained(why) => Err(Reach::TlsFailed(why)),
                    Failure::NotTls => Err(diagnose::not_tls(
                        &target,
                        Reach::Failed("the port does not answer in TLS".into()),
                        self.connect_timeout,
                    )
                    .await),
                }
            }
            // No handshake in time: a paused server, or a plaintext port still waiting for
            // the end of what it takes for an inline command.
            Err(_) => Err(diagnose::not_tls(
                &target,
                Reach::Unresponsive { since: started },
                self.connect_timeout,
            )
            .await),
        }
    }

    /// A pub/sub connection (for the events link), over TLS when TLS is on.
    pub async fn pubsub(&self, addr: &Addr) -> Result<PubSub, Reach> {
        let started = now_ms();
        let made = match &self.tls {
            None => self.client(addr)?.get_async_pubsub().await,
            Some(tls) => {
                let stream = self.open_tls(tls, addr).await?;
                PubSub::new(&self.redis_info(), stream).await
            }
        };
        made.map_err(|e| classify(&e, started))
    }

    /// A command connection; every request on it is bounded by the response timeout.
    pub async fn connect(&self, addr: &Addr) -> Result<MultiplexedConnection, Reach> {
        self.connect_with(addr, Some(self.response_timeout)).await
    }

    /// A command connection whose requests the caller bounds itself (the liveness probe).
    pub async fn connect_unbounded(&self, addr: &Addr) -> Result<MultiplexedConnection, Reach> {
        self.connect_with(addr, None).await
    }

    async fn connect_with(
        &self,
        addr: &Addr,
        response: Option<Duration>,
    ) -> Result<MultiplexedConnection, Reach> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(response);
        let started = now_ms();
        let bound = self.connect_timeout + Duration::from_millis(100);
        let made = match &self.tls {
            None => {
                let client = self.client(addr)?;
                tokio::time::timeout(
                    bound,
                    client.get_multiplexed_async_connection_with_config(&config),
                )
                .await
            }
            Some(tls) => {
                let stream = self.open_tls(tls, addr).await?;
                let info = self.redis_info();
                let setup = MultiplexedConnection::new_with_config(&info, stream, config);
                tokio::time::timeout(bound, setup).await.map(|r| {
                    r.map(|(conn, driver)| {
                        tokio::spawn(driver);
                        conn
                    })
                })
            }
        };
        match made {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(self.diagnose(addr, classify(&e, started)).await),
            Err(_) => Err(self
                .diagnose(addr, Reach::Unresponsive { since: started })
                .await),
        }
    }

    /// A failed link, explained where one more exchange can tell more (see [`diagnose`]).
    /// Over TLS nothing is sent in plaintext: the TLS link explained itself when it failed.
    pub async fn diagnose(&self, addr: &Addr, failed: Reach) -> Reach {
        if self.tls.is_some() || self.refusal(addr).is_some() {
            return failed;
        }
        let target = self.map.reachable(addr);
        diagnose::plaintext(&target, failed, self.connect_timeout).await
    }
}

/// A password sent to a server that has none, and how to send none.
pub const NO_PASSWORD_CONFIGURED: &str = "a password was sent but the server has none \
configured (it answers PING without one): send none (nodes: no --password-file or \
SENTUI_PASSWORD; sentinels, which get the nodes' password unless told otherwise: \
SENTUI_SENTINEL_PASSWORD= or --sentinel-password-file /dev/null)";

/// Maps a redis-rs error to the endpoint state it shows. `started` is when the failed call began.
pub fn classify(e: &RedisError, started: Millis) -> Reach {
    if e.is_timeout() {
        return Reach::Unresponsive { since: started };
    }
    if e.kind() == redis::ErrorKind::InvalidClientConfig
        && let Some(why) = e.detail()
    {
        return Reach::Failed(why.to_string());
    }
    if e.is_connection_refusal() {
        return Reach::Refused("connection refused".into());
    }
    let code = e.code().unwrap_or("");
    // Errors inside a pipeline arrive wrapped: look at the text as well as the code.
    let text = e.to_string();
    if code == "NOAUTH" || text.contains("NOAUTH") {
        return Reach::AuthFailed("authentication required and no password given (NOAUTH)".into());
    }
    if text.contains("called without any password configured") {
        return Reach::AuthFailed(NO_PASSWORD_CONFIGURED.into());
    }
    if code == "WRONGPASS"
        || text.contains("WRONGPASS")
        || e.kind() == redis::ErrorKind::AuthenticationFailed
    {
        return Reach::AuthFailed(
            "wrong username or password (WRONGPASS): check --password-file or SENTUI_PASSWORD \
(nodes) and --sentinel-password-file or SENTUI_SENTINEL_PASSWORD (sentinels)"
                .into(),
        );
    }
    if code == "NOPERM" || text.contains("NOPERM") {
        return Reach::AuthFailed(format!("the user lacks a permission: {}", one_line(e)));
    }
    if text.contains("unknown command 'SENTINEL'") || text.contains("unknown command `SENTINEL`") {
        // Only sentinel links send SENTINEL: a Redis data node was named as a sentinel.
        return Reach::Failed(
            "not a sentinel: it answers as Redis but does not know SENTINEL (a data node? sentinels usually listen on 26379)".into(),
        );
    }
    if e.kind() == redis::ErrorKind::Parse {
        // Something answers on the port, but not in RESP (another service, a broken proxy).
        return Reach::Failed(format!("not a valid Redis reply ({})", one_line(e)));
    }
    Reach::Failed(one_line(e))
}

fn one_line(e: &RedisError) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

/// Capped exponential backoff for reconnects: 100 ms, 200 ms, ... up to 2 s.
#[derive(Clone, Debug, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn next_delay(&mut self) -> Duration {
        let ms = 100u64.saturating_mul(1 << self.failures.min(5)).min(2000);
        self.failures = self.failures.saturating_add(1);
        Duration::from_millis(ms)
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_names_are_not_looked_up_unless_allowed() {
        let named = Addr::new("redis-master", 6379);
        let ip = Addr::new("10.0.0.5", 6379);
        let mut p = NamePolicy::default();
        assert!(
            p.refusal(&named, &named, false)
                .unwrap()
                .contains("--resolve-names")
        );
        assert_eq!(p.refusal(&ip, &ip, false), None, "an IP needs no lookup");
        assert_eq!(p.refusal(&named, &Addr::new("127.0.0.1", 4000), true), None);
        p.user_hosts.insert("redis-master".into());
        assert_eq!(p.refusal(&named, &named, false), None, "the user named it");
        let p = NamePolicy {
            resolve_announced: true,
            ..NamePolicy::default()
        };
        assert_eq!(p.refusal(&named, &named, false), None);
        let p = NamePolicy {
            only_mapped: Some("lab".into()),
            ..NamePolicy::default()
        };
        assert!(
            p.refusal(&ip, &ip, false)
                .unwrap()
                .contains("not published")
        );
    }

    #[test]
    fn backoff_is_capped() {
        let mut b = Backoff::default();
        let d: Vec<u64> = (0..8).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(d, vec![100, 200, 400, 800, 1600, 2000, 2000, 2000]);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 100);
    }

    #[test]
    fn a_data_node_named_as_a_sentinel_is_called_so() {
        for detail in [
            "unknown command 'SENTINEL', with args beginning with: 'MASTERS' ",
            "unknown command `SENTINEL`, with args beginning with: `MASTERS`, ",
        ] {
            let e = RedisError::from((
                redis::ErrorKind::Client,
                "An error was signalled by the server",
                detail.to_string(),
            ));
            match classify(&e, 0) {
                Reach::Failed(why) => assert!(why.starts_with("not a sentinel"), "{why}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
