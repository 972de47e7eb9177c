//! A failed TLS handshake, told in one line with the fix: which side refused what, and what to
//! change. The rustls error inside the I/O error says which mistake it was.

use rustls::{AlertDescription, CertificateError};
use sentui_model::Addr;
use std::io;

/// What the connection was, for the hint.
pub struct Context<'a> {
    /// The address as the sentinels announce it.
    pub announced: &'a Addr,
    /// Where sentui connected (the mapped address).
    pub target: &'a Addr,
    /// Whether a client certificate was presented.
    pub client_cert: bool,
}

/// Why a TLS connection failed.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// The port answered, but not in TLS: most likely a plaintext port.
    NotTls,
    /// Anything else, explained.
    Explained(String),
}

/// The rustls error inside an I/O error, when there is one.
fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

pub fn explain(e: &io::Error, cx: &Context) -> Failure {
    let Some(tls) = rustls_error(e) else {
        return Failure::Explained(match e.kind() {
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe => {
                "the server closed the connection during the TLS handshake (its log says why)"
                    .into()
            }
            _ => format!("TLS connection failed: {e}"),
        });
    };
    match tls {
        rustls::Error::InvalidMessage(_) => Failure::NotTls,
        rustls::Error::InvalidCertificate(c) => Failure::Explained(certificate(c, cx)),
        rustls::Error::AlertReceived(a) => Failure::Explained(alert(*a, cx)),
        rustls::Error::PeerIncompatible(why) => Failure::Explained(format!(
            "the server and sentui share no TLS version or cipher ({why:?})"
        )),
        other => Failure::Explained(format!("TLS handshake failed: {other}")),
    }
}

/// The server's certificate refused here.
fn certificate(c: &CertificateError, cx: &Context) -> String {
    let target = cx.target;
    match c {
        CertificateError::NotValidForNameContext { presented, .. } => {
            mismatch(cx, presented.iter().map(|n| clean_name(n)).collect())
        }
        CertificateError::NotValidForName => mismatch(cx, Vec::new()),
        CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
            "the certificate of {target} is not signed by a CA sentui trusts: pass its CA with --tls-ca FILE (--tls-insecure skips the check, for testing)"
        ),
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => format!(
            "the certificate of {target} is expired or not valid yet: renew it (or check this machine's clock)"
        ),
        other => format!("the certificate of {target} was refused: {other:?}"),
    }
}

/// `DnsName("localhost")` -> `localhost`: rustls names the presented names by kind.
fn clean_name(n: &str) -> String {
    match n.split_once("(\"") {
        Some((_, rest)) => rest.trim_end_matches("\")").to_string(),
        None => n.trim_matches('"').to_string(),
    }
}

/// The certificate holds other names than the one connected to: reach it by a name it holds,
/// or have the servers announce one.
fn mismatch(cx: &Context, names: Vec<String>) -> String {
    let (target, announced) = (cx.target, cx.announced);
    let holds = if names.is_empty() {
        "other names".to_string()
    } else {
        names.join(", ")
    };
    let name = names
        .iter()
        .find(|n| !n.starts_with('*'))
        .map_or("NAME", String::as_str);
    format!(
        "the certificate of {target} is for {holds}, not {}: map the address to a name it holds (--map {announced}={name}:{}) or make the servers announce one (replica-announce-ip, sentinel announce-ip/announce-hostnames)",
        target.host, target.port
    )
}

/// An alert from the server: most are about the client certificate.
fn alert(a: AlertDescription, cx: &Context) -> String {
    use AlertDescription as A;
    let target = cx.target;
    match (a, cx.client_cert) {
        (A::CertificateRequired | A::HandshakeFailure, false) => {
            format!("{target} requires a client certificate: add --tls-cert FILE --tls-key FILE")
        }
        (A::CertificateExpired, true) => {
            format!("{target} says the client certificate has expired: renew it")
        }
        (
            A::UnknownCA
            | A::BadCertificate
            | A::CertificateUnknown
            | A::UnsupportedCertificate
            | A::AccessDenied
            | A::DecryptError
            | A::CertificateRequired
            | A::HandshakeFailure,
            true,
        ) => format!(
            "{target} does not trust the client certificate ({}): use one signed by a CA in the server's tls-ca-cert-file",
            alert_name(a)
        ),
        _ => format!("{target} refused the TLS handshake ({})", alert_name(a)),
    }
}

/// An alert as the TLS specification names it.
fn alert_name(a: AlertDescription) -> String {
    use AlertDescription as A;
    match a {
        A::UnknownCA => "unknown CA".into(),
        A::BadCertificate => "bad certificate".into(),
        A::CertificateUnknown => "certificate unknown".into(),
        A::CertificateRequired => "certificate required".into(),
        A::HandshakeFailure => "handshake failure".into(),
        A::DecryptError => "decrypt error".into(),
        A::AccessDenied => "access denied".into(),
        A::ProtocolVersion => "protocol version".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(e: rustls::Error, client_cert: bool) -> String {
        let (a, t) = (Addr::new("127.0.0.1", 7001), Addr::new("127.0.0.1", 7001));
        let cx = Context {
            announced: &a,
            target: &t,
            client_cert,
        };
        match explain(&io::Error::new(io::ErrorKind::InvalidData, e), &cx) {
            Failure::Explained(s) => s,
            Failure::NotTls => "NotTls".into(),
        }
    }

    #[test]
    fn each_mistake_gets_its_fix() {
        let s = explained(
            rustls::Error::AlertReceived(AlertDescription::CertificateRequired),
            false,
        );
        assert!(s.contains("--tls-cert FILE --tls-key FILE"), "{s}");
        let s = explained(
            rustls::Error::AlertReceived(AlertDescription::UnknownCA),
            true,
        );
        assert!(
            s.contains("does not trust the client certificate (unknown CA)"),
            "{s}"
        );
        let s = explained(
            rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                expected: rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap(),
                presented: vec!["DnsName(\"localhost\")".into()],
            }),
            true,
        );
        assert!(s.contains("is for localhost, not 127.0.0.1"), "{s}");
        assert!(s.contains("--map 127.0.0.1:7001=localhost:7001"), "{s}");
        let s = explained(
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
            false,
        );
        assert!(s.contains("--tls-ca FILE"), "{s}");
        assert_eq!(
            explained(
                rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
                false
            ),
            "NotTls"
        );
    }
}
