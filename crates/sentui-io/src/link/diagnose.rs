//! A failed link explained by one more exchange: a port that answers HTTP (or anything but
//! RESP) is not a Redis server; a plaintext link that got nowhere to a port that speaks TLS
//! needs `--tls`; a TLS link to a port answering plaintext RESP means TLS is off there.

use crate::tls::TlsContext;
use sentui_model::{Addr, Reach};
use std::time::Duration;

/// A plaintext link failed. A closed connection is what a TLS port does with plaintext, so the
/// port is asked for a TLS handshake first (a ClientHello, no plaintext); otherwise one
/// plaintext inline PING tells other services apart.
pub(super) async fn plaintext(target: &Addr, failed: Reach, timeout: Duration) -> Reach {
    // redis-rs says "authentication failed" whatever the server said: a server that answers
    // PING without a password has none, and the password sent is the mistake.
    if let Reach::AuthFailed(why) = &failed {
        if !why.contains("WRONGPASS") {
            return failed;
        }
        return match raw_ping(target, timeout.min(Duration::from_millis(500))).await {
            Some(Answer::Pong) => Reach::AuthFailed(super::NO_PASSWORD_CONFIGURED.into()),
            _ => failed,
        };
    }
    let worth_asking = match &failed {
        Reach::Failed(why) => !why.starts_with("not a sentinel"),
        _ => false,
    };
    if !worth_asking {
        return failed;
    }
    if TlsContext::speaks_tls(target).await {
        return Reach::TlsFailed(
            "the port speaks TLS: add --tls (with --tls-ca, --tls-cert and --tls-key as the servers require)".into(),
        );
    }
    match raw_ping(target, timeout.min(Duration::from_millis(500))).await {
        Some(Answer::Http(status)) => {
            Reach::Failed(format!("not a Redis server (it answered HTTP: {status})"))
        }
        Some(Answer::Other(first)) => {
            Reach::Failed(format!("not a Redis server (it answered {first:?})"))
        }
        _ => failed,
    }
}

/// A TLS handshake got a reply that is not TLS, or none in time: is it a plaintext port?
pub(super) async fn not_tls(target: &Addr, failed: Reach, timeout: Duration) -> Reach {
    match raw_ping(target, timeout.min(Duration::from_millis(500))).await {
        Some(Answer::Resp | Answer::Pong) => Reach::TlsFailed(
            "no TLS handshake: the port answers plaintext Redis; is TLS enabled on that port? (drop --tls for a plaintext port)"
                .into(),
        ),
        Some(Answer::Http(status)) => {
            Reach::Failed(format!("not a Redis server (it answered HTTP: {status})"))
        }
        Some(Answer::Other(first)) => {
            Reach::Failed(format!("not a Redis server (it answered {first:?})"))
        }
        None => failed,
    }
}

/// What a port said to a plaintext inline `PING`.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// `+PONG` without a password: the server has none configured.
    Pong,
    /// Another RESP reply (`-NOAUTH ...`, ...).
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
    if first == "+PONG" {
        return Some(Answer::Pong);
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
        assert_eq!(classify_answer(b"+PONG\r\n"), Some(Answer::Pong));
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
}
