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
        let is_ip = target
            .host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok();
        if is_ip || target.host == "localhost" || self.resolve_announced {
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

    /// A redis-rs client for the endpoint announced as `addr` (connecting to its mapped address).
    pub fn client(&self, addr: &Addr) -> Result<Client, RedisError> {
        let target = self.map.reachable(addr);
        if let Some(why) = self.refusal(addr) {
            return Err(RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "not contacted",
                why,
            )));
        }
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
            Ok(Err(e)) => Err(self.diagnose(addr, classify(&e, started)).await),
            Err(_) => Err(self
                .diagnose(addr, Reach::Unresponsive { since: started })
                .await),
        }
    }

    /// A failed connection, explained where one raw exchange can tell more: a port that
    /// answers HTTP (or anything but RESP) is not a Redis server, and a TLS connection that got
    /// nowhere to a port answering plaintext RESP means TLS is not enabled there.
    pub async fn diagnose(&self, addr: &Addr, failed: Reach) -> Reach {
        let worth_asking = match &failed {
            Reach::Failed(why) => !why.starts_with("not a sentinel"),
            Reach::Unresponsive { .. } => self.tls.is_some(),
            _ => false,
        };
        // Never a raw exchange with an address the name policy keeps sentui away from.
        if !worth_asking || self.refusal(addr).is_some() {
            return failed;
        }
        let target = self.map.reachable(addr);
        match raw_ping(
            &target,
            self.connect_timeout.min(Duration::from_millis(500)),
        )
        .await
        {
            Some(Answer::Http(status)) => {
                Reach::Failed(format!("not a Redis server (it answered HTTP: {status})"))
            }
            Some(Answer::Other(first)) => {
                Reach::Failed(format!("not a Redis server (it answered {first:?})"))
            }
            Some(Answer::Resp) if self.tls.is_some() => Reach::Failed(
                "no TLS handshake: the port answers plaintext Redis; is TLS enabled on that port?"
                    .into(),
            ),
            _ => failed,
        }
    }
}

/// What a port said to a plaintext inline `PING`.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// A RESP reply (`+PONG`, `-NOAUTH ...`, ...).
    Resp,
    /// An HTTP status line.
    Http(String),
    /// Something else: its first line, shortened.
    Other(String),
}

fn classify_answer(bytes: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("").trim();
    if first.is_empty() {
        return None;
    }
    if let Some(status) = first.strip_prefix("HTTP/") {
        let status = status.split_once(' ').map_or(status, |(_, s)| s);
        return Some(Answer::Http(status.chars().take(40).collect()));
    }
    // An HTTP/0.9-style answer (to a request line with no version) is the page alone.
    if first.starts_with('<') && first.to_ascii_lowercase().contains("html") {
        return Some(Answer::Http("an HTML page".into()));
    }
    if first.starts_with([
        '+', '-', ':', '$', '*', '%', '_', '>', '#', ',', '(', '=', '!', '|', '~',
    ]) {
        return Some(Answer::Resp);
    }
    Some(Answer::Other(first.chars().take(40).collect()))
}

/// One plaintext inline PING and whatever comes back first (None: no answer in time).
async fn raw_ping(target: &Addr, limit: Duration) -> Option<Answer> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let exchange = async {
        let mut s = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
            .await
            .ok()?;
        s.write_all(b"PING\r\n").await.ok()?;
        let mut buf = [0u8; 128];
        let n = s.read(&mut buf).await.ok()?;
        classify_answer(&buf[..n])
    };
    tokio::time::timeout(limit, exchange).await.ok().flatten()
}

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
    fn raw_answers_are_told_apart() {
        assert_eq!(
            classify_answer(b"HTTP/1.0 400 Bad request\r\nServer: x\r\n"),
            Some(Answer::Http("400 Bad request".into()))
        );
        assert_eq!(
            classify_answer(b"<!DOCTYPE HTML>\n<html lang=\"en\">"),
            Some(Answer::Http("an HTML page".into()))
        );
        assert_eq!(classify_answer(b"+PONG\r\n"), Some(Answer::Resp));
        assert_eq!(
            classify_answer(b"-NOAUTH Authentication required.\r\n"),
            Some(Answer::Resp)
        );
        assert_eq!(
            classify_answer(b"SSH-2.0-OpenSSH_9.2\r\n"),
            Some(Answer::Other("SSH-2.0-OpenSSH_9.2".into()))
        );
        assert_eq!(classify_answer(b""), None);
    }

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
