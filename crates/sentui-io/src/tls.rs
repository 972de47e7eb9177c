//! TLS for every link, set up once per process: the CA, the client identity and the verifier
//! are read and checked at startup into one rustls configuration that every connection shares
//! (with its session cache, so reconnects resume instead of redoing the full handshake).

pub mod hint;
pub mod keys;
mod verify;

pub use keys::{KeyFormat, TlsFile};

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::ServerName;
use sentui_model::Addr;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The TLS files and flags, as the user gave them.
#[derive(Clone, Debug, Default)]
pub struct TlsPaths {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub insecure: bool,
}

/// A TLS setting sentui cannot use, found at startup.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS {file} {}: {error}", path.display())]
    Unreadable {
        file: TlsFile,
        path: PathBuf,
        error: io::Error,
    },
    #[error("the TLS {file} {} is not a PEM {}", path.display(), file.pem())]
    NotPem { file: TlsFile, path: PathBuf },
    #[error("--tls-cert and --tls-key go together")]
    HalfAPair,
    #[error(
        "the TLS key {} is encrypted ({format}); encrypted keys are not supported: decrypt it with `openssl pkey -in {} -out client-plain.key` and pass that file", path.display(), path.display()
    )]
    EncryptedKey { path: PathBuf, format: String },
    #[error(
        "the TLS key {} is a '{label}' block, not a PKCS#1, PKCS#8 or SEC1 key: convert it with `openssl pkey -in {} -out client-pkcs8.key`", path.display(), path.display()
    )]
    KeyKind { path: PathBuf, label: String },
    #[error("the TLS key {} ({format}) cannot be used: {why}", path.display())]
    UnusableKey {
        path: PathBuf,
        format: KeyFormat,
        why: String,
    },
    #[error("the TLS CA {} holds no certificate sentui can use: {why}", path.display())]
    UnusableCa { path: PathBuf, why: String },
    #[error("no CA to trust: the system has none sentui can read ({0}); pass one with --tls-ca")]
    NoSystemCa(String),
}

/// The one TLS configuration of the process.
#[derive(Clone)]
pub struct TlsContext {
    connector: TlsConnector,
    client_cert: bool,
    insecure: bool,
}

impl std::fmt::Debug for TlsContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsContext")
            .field("client_cert", &self.client_cert)
            .field("insecure", &self.insecure)
            .finish()
    }
}

impl TlsContext {
    /// Reads and checks every file now, so a bad one is named before any connection.
    pub fn load(p: &TlsPaths) -> Result<TlsContext, TlsError> {
        let provider = provider();
        let client = match (&p.cert, &p.key) {
            (Some(c), Some(k)) => Some((
                keys::certificates(TlsFile::Certificate, c)?,
                keys::key(k)?,
                k.clone(),
            )),
            (None, None) => None,
            _ => return Err(TlsError::HalfAPair),
        };
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions");
        let builder = if p.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verify::AnyCertificate(
                    provider.clone(),
                )))
        } else {
            builder.with_root_certificates(roots(p.ca.as_deref())?)
        };
        let client_cert = client.is_some();
        let config = match client {
            Some((certs, key, path)) => {
                let format = key.format;
                builder
                    .with_client_auth_cert(certs, key.der)
                    .map_err(|e| unusable(path, format, e))?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(TlsContext {
            connector: TlsConnector::from(Arc::new(config)),
            client_cert,
            insecure: p.insecure,
        })
    }

    pub fn insecure(&self) -> bool {
        self.insecure
    }

    pub fn client_cert(&self) -> bool {
        self.client_cert
    }

    /// A TLS stream to `target`, checked with one inline PING: with TLS 1.3 the server judges
    /// the client certificate after the client's side of the handshake is done, so its
    /// refusal only shows on the first read. Any RESP reply (`+PONG`, `-NOAUTH`) will do.
    pub async fn open(&self, target: &Addr) -> io::Result<TlsStream<TcpStream>> {
        let host = target.host.trim_matches(['[', ']']);
        let tcp = TcpStream::connect((host, target.port)).await?;
        tcp.set_nodelay(true)?;
        let mut tls = self.connector.connect(server_name(host)?, tcp).await?;
        tls.write_all(b"PING\r\n").await?;
        tls.flush().await?;
        let mut reply = Vec::with_capacity(64);
        while !reply.ends_with(b"\r\n") {
            let mut buf = [0u8; 64];
            let n = tls.read(&mut buf).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            reply.extend_from_slice(&buf[..n]);
            if reply.len() > 1024 {
                break;
            }
        }
        Ok(tls)
    }

    /// Whether the port at `target` speaks TLS: a ClientHello, and a look at the first bytes
    /// back (a TLS handshake record), then hang up. No plaintext is sent.
    pub async fn speaks_tls(target: &Addr) -> bool {
        let host = target.host.trim_matches(['[', ']']);
        let probe = async {
            let name = server_name(host).ok()?;
            let mut hello = Vec::new();
            rustls::ClientConnection::new(PROBE_CONFIG.clone(), name)
                .ok()?
                .write_tls(&mut hello)
                .ok()?;
            let mut s = TcpStream::connect((host, target.port)).await.ok()?;
            s.write_all(&hello).await.ok()?;
            let mut head = [0u8; 3];
            s.read_exact(&mut head).await.ok()?;
            // A handshake (22) or alert (21) record of TLS 1.x.
            Some(matches!(head, [22 | 21, 3, 0..=4]))
        };
        tokio::time::timeout(std::time::Duration::from_millis(500), probe)
            .await
            .ok()
            .flatten()
            .unwrap_or(false)
    }

    /// The shared configuration (for tests that look at it).
    pub fn config(&self) -> &Arc<ClientConfig> {
        self.connector.config()
    }
}

/// The CA roots: the given file's certificates, or the system's (read once, here).
fn roots(ca: Option<&Path>) -> Result<rustls::RootCertStore, TlsError> {
    let mut store = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            for cert in keys::certificates(TlsFile::Ca, path)? {
                store.add(cert).map_err(|e| TlsError::UnusableCa {
                    path: path.to_path_buf(),
                    why: e.to_string(),
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map_or("no certificates".to_string(), |e| e.to_string());
                return Err(TlsError::NoSystemCa(why));
            }
        }
    }
    Ok(store)
}

/// Why rustls refused the client identity, as a startup error naming the key's format.
fn unusable(path: PathBuf, format: KeyFormat, e: rustls::Error) -> TlsError {
    let why = match e {
        rustls::Error::InconsistentKeys(_) => {
            "it does not belong to the certificate given with --tls-cert".to_string()
        }
        rustls::Error::General(g) => format!("{g} (the key's algorithm or size is not supported)"),
        other => other.to_string(),
    };
    TlsError::UnusableKey { path, format, why }
}

/// ring: small and quick to build, reads every key format sentui takes. rustls marks it
/// deprecated for lacking post-quantum key exchange, which the OpenSSL builds Redis and
/// Valkey servers run today do not offer either.
///
/// Key exchange prefers X25519: ring's default order puts P-384 first, and ring does P-384 in
/// generic code, so its two operations cost about 2 ms a handshake against X25519's 0.1 ms
/// (a status of six links over TLS took 4.5 times its plaintext time). OpenSSL servers take
/// X25519 first by default; a server that refuses it still gets P-256 or P-384.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    use rustls::crypto::ring::kx_group;
    let mut provider = rustls::crypto::ring::default_provider();
    provider.kx_groups = vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1];
    Arc::new(provider)
}

fn server_name(host: &str) -> io::Result<ServerName<'static>> {
    ServerName::try_from(host.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// For the ClientHello of [`TlsContext::speaks_tls`] only, made once: nothing is verified,
/// since the probe hangs up before any certificate would be.
static PROBE_CONFIG: std::sync::LazyLock<Arc<ClientConfig>> = std::sync::LazyLock::new(|| {
    let provider = provider();
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verify::AnyCertificate(provider)))
        .with_no_client_auth();
    Arc::new(config)
});

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::NamedGroup;

    #[test]
    fn key_exchange_offers_x25519_first_and_keeps_the_nist_curves() {
        let ctx = TlsContext::load(&TlsPaths {
            ca: None,
            cert: None,
            key: None,
            insecure: true,
        })
        .unwrap();
        let groups: Vec<NamedGroup> = ctx
            .config()
            .crypto_provider()
            .kx_groups
            .iter()
            .map(|g| g.name())
            .collect();
        assert_eq!(
            groups,
            [
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1
            ]
        );
    }
}
