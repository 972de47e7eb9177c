//! Reading the PEM files TLS needs: certificates, and a private key in whichever of the common
//! formats it comes (PKCS#1, PKCS#8, SEC1), named so that a key sentui cannot use is refused
//! at startup with its format, not at every connection.

use super::TlsError;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;

/// The files TLS reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsFile {
    Ca,
    Certificate,
    Key,
}

impl TlsFile {
    /// What its PEM holds.
    pub fn pem(self) -> &'static str {
        match self {
            TlsFile::Key => "private key",
            TlsFile::Ca | TlsFile::Certificate => "certificate",
        }
    }
}

impl std::fmt::Display for TlsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsFile::Ca => "CA",
            TlsFile::Certificate => "certificate",
            TlsFile::Key => "key",
        })
    }
}

/// How a private key is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFormat {
    /// `BEGIN RSA PRIVATE KEY`.
    Pkcs1,
    /// `BEGIN PRIVATE KEY`.
    Pkcs8,
    /// `BEGIN EC PRIVATE KEY`.
    Sec1,
}

impl std::fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyFormat::Pkcs1 => "PKCS#1 RSA key",
            KeyFormat::Pkcs8 => "PKCS#8 key",
            KeyFormat::Sec1 => "SEC1 EC key",
        })
    }
}

/// A key read from its file, with the format it was written in.
pub struct Key {
    pub der: PrivateKeyDer<'static>,
    pub format: KeyFormat,
}

/// Reads a file, naming it when it cannot be read.
pub fn read(file: TlsFile, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|error| TlsError::Unreadable {
        file,
        path: path.to_path_buf(),
        error,
    })
}

/// Every certificate in a PEM file (at least one).
pub fn certificates(file: TlsFile, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(file, path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(TlsError::NotPem {
            file,
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// The private key in a PEM file. Encrypted keys and blocks of other kinds are refused here,
/// each with what to do.
pub fn key(path: &Path) -> Result<Key, TlsError> {
    let bytes = read(TlsFile::Key, path)?;
    let text = String::from_utf8_lossy(&bytes);
    let not_pem = || TlsError::NotPem {
        file: TlsFile::Key,
        path: path.to_path_buf(),
    };
    let label = labels(&text)
        .find(|l| l.ends_with("PRIVATE KEY"))
        .ok_or_else(not_pem)?;
    let format = match label {
        "PRIVATE KEY" => KeyFormat::Pkcs8,
        "RSA PRIVATE KEY" => KeyFormat::Pkcs1,
        "EC PRIVATE KEY" => KeyFormat::Sec1,
        "ENCRYPTED PRIVATE KEY" => {
            return Err(TlsError::EncryptedKey {
                path: path.to_path_buf(),
                format: "PKCS#8".into(),
            });
        }
        other => {
            return Err(TlsError::KeyKind {
                path: path.to_path_buf(),
                label: other.to_string(),
            });
        }
    };
    // The legacy OpenSSL encryption keeps the PKCS#1 / SEC1 label and adds these headers.
    if text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("DEK-Info:") {
        return Err(TlsError::EncryptedKey {
            path: path.to_path_buf(),
            format: format.to_string(),
        });
    }
    let der = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::UnusableKey {
        path: path.to_path_buf(),
        format,
        why: e.to_string(),
    })?;
    Ok(Key { der, format })
}

/// The labels of a PEM text's `-----BEGIN …-----` lines, in order.
fn labels(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        l.trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client.key");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn encrypted_keys_are_refused_with_the_way_out() {
        let (_d, p) = key_file(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        let e = key(&p).err().unwrap().to_string();
        assert!(e.contains("encrypted keys are not supported"), "{e}");
        assert!(e.contains("openssl pkey -in"), "{e}");
        let (_d, p) = key_file(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n",
        );
        let e = key(&p).err().unwrap().to_string();
        assert!(e.contains("PKCS#1 RSA key"), "{e}");
        assert!(e.contains("encrypted keys are not supported"), "{e}");
    }

    #[test]
    fn other_kinds_and_broken_keys_are_named() {
        let (_d, p) = key_file(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n",
        );
        let e = key(&p).err().unwrap().to_string();
        assert!(e.contains("OPENSSH PRIVATE KEY"), "{e}");
        let (_d, p) =
            key_file("-----BEGIN EC PRIVATE KEY-----\n!!!\n-----END EC PRIVATE KEY-----\n");
        let e = key(&p).err().unwrap().to_string();
        assert!(e.contains("SEC1 EC key"), "{e}");
        let (_d, p) = key_file("not a key\n");
        assert!(matches!(key(&p), Err(TlsError::NotPem { .. })));
    }
}
