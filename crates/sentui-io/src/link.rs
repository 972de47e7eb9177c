//! Connections with timeouts everywhere: a paused process accepts TCP and never answers, so no
//! call may wait without a bound.

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, ConnectionAddr, IntoConnectionInfo, RedisError};
use sentui_model::{Addr, AddrMap, Millis, Reach};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// TLS for every link (`rediss`): the CA to trust (else the system's), a client certificate and
/// key for mutual TLS, and whether to skip certificate and hostname checks.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    pub ca: Option<Vec<u8>>,
    pub client: Option<(Vec<u8>, Vec<u8>)>,
    pub insecure: bool,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSettings")
            .field("ca", &self.ca.is_some())
            .field("client_cert", &self.client.is_some())
            .field("insecure", &self.insecure)
            .finish()
    }
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
    pub tls: Option<TlsSettings>,
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

    /// A redis-rs client for the endpoint announced as `addr` (connecting to its mapped address).
    pub fn client(&self, addr: &Addr) -> Result<Client, RedisError> {
        let target = self.map.reachable(addr);
        let mut redis = redis::RedisConnectionInfo::default().set_skip_set_lib_name();
        if let Some(c) = &self.auth {
            redis = redis.set_password(c.password.expose());
            if let Some(u) = &c.username {
                redis = redis.set_username(u);
            }
        }
        let addr = match &self.tls {
            None => ConnectionAddr::Tcp(target.host.clone(), target.port),
            Some(t) => ConnectionAddr::TcpTls {
                host: target.host.clone(),
                port: target.port,
                insecure: t.insecure,
                tls_params: None,
            },
        };
        let info = addr.into_connection_info()?.set_redis_settings(redis);
        match &self.tls {
            None => Client::open(info),
            Some(t) => Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: t.client.clone().map(|(client_cert, client_key)| {
                        redis::ClientTlsConfig {
                            client_cert,
                            client_key,
                        }
                    }),
                    root_cert: t.ca.clone(),
                },
            ),
        }
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
        let client = self.client(addr).map_err(|e| classify(&e, now_ms()))?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(response);
        let started = now_ms();
        match tokio::time::timeout(
            self.connect_timeout + Duration::from_millis(100),
            client.get_multiplexed_async_connection_with_config(&config),
        )
        .await
        {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(classify(&e, started)),
            Err(_) => Err(Reach::Unresponsive { since: started }),
        }
    }
}

/// Maps a redis-rs error to the endpoint state it shows. `started` is when the failed call began.
pub fn classify(e: &RedisError, started: Millis) -> Reach {
    if e.is_timeout() {
        return Reach::Unresponsive { since: started };
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
    if code == "WRONGPASS"
        || text.contains("WRONGPASS")
        || e.kind() == redis::ErrorKind::AuthenticationFailed
    {
        return Reach::AuthFailed("wrong username or password (WRONGPASS)".into());
    }
    if text.contains("called without any password configured") {
        return Reach::AuthFailed("a password was given but the server has none configured".into());
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
