//! The TLS lab's own CA and certificates, made with the `openssl` command: a server
//! certificate every member uses (for 127.0.0.1 and localhost, for serving and as the client
//! of its peers), and client certificates with their keys in the three common formats, so the
//! lab tries each: PKCS#8 and PKCS#1 (one RSA key), SEC1 (an EC key).

use super::LabError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a TLS lab keeps its certificates (`DIR/tls`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LabTls {
    pub dir: PathBuf,
}

impl LabTls {
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.crt")
    }
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
    /// The RSA client certificate; its key is in PKCS#8 (`client.key`) and PKCS#1
    /// (`client-pkcs1.key`).
    pub fn client_cert(&self) -> PathBuf {
        self.dir.join("client.crt")
    }
    pub fn client_key(&self) -> PathBuf {
        self.dir.join("client.key")
    }
    pub fn client_key_pkcs1(&self) -> PathBuf {
        self.dir.join("client-pkcs1.key")
    }
    /// The EC client certificate, its key in SEC1.
    pub fn ec_client_cert(&self) -> PathBuf {
        self.dir.join("client-ec.crt")
    }
    pub fn ec_client_key(&self) -> PathBuf {
        self.dir.join("client-ec.key")
    }

    /// What every server's command line gets (the port given is its TLS port; plaintext off).
    pub fn server_args(&self, port: u16) -> Vec<String> {
        let p = |p: PathBuf| p.to_string_lossy().into_owned();
        [
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            p(self.server_cert()),
            "--tls-key-file".into(),
            p(self.server_key()),
            "--tls-ca-cert-file".into(),
            p(self.ca()),
            "--tls-auth-clients".into(),
            "yes".into(),
            "--tls-replication".into(),
            "yes".into(),
        ]
        .to_vec()
    }

    /// The same for a sentinel's config file: these lines come last, so `port 0` overrides
    /// the plaintext port written before.
    pub fn sentinel_lines(&self, port: u16) -> String {
        format!(
            "port 0\ntls-port {port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients yes\ntls-replication yes\n",
            self.server_cert().display(),
            self.server_key().display(),
            self.ca().display()
        )
    }

    /// The settings sentui connects to the lab with.
    pub fn paths(&self) -> crate::tls::TlsPaths {
        crate::tls::TlsPaths {
            ca: Some(self.ca()),
            cert: Some(self.client_cert()),
            key: Some(self.client_key()),
            insecure: false,
        }
    }
}

/// Makes the CA and certificates in `dir/tls`.
pub fn make(dir: &Path) -> Result<LabTls, LabError> {
    let tls = LabTls {
        dir: dir.join("tls"),
    };
    std::fs::create_dir_all(&tls.dir).map_err(|e| LabError::fs("create", &tls.dir, e))?;
    let d = &tls.dir;
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).map_err(|e| LabError::fs("write", &p, e))
    };
    write(
        "server.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )?;
    write(
        "client.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
    )?;
    let days = ["-days", "30"];
    openssl(
        d,
        &[
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=sentui lab CA",
            ][..],
            &days,
        ]
        .concat(),
    )?;
    for (name, cn, ext) in [
        ("server", "localhost", "server.ext"),
        ("client", "sentui-lab-client", "client.ext"),
    ] {
        let (key, csr) = (format!("{name}.key"), format!("{name}.csr"));
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                &format!("/CN={cn}"),
            ],
        )?;
        sign(d, name, ext)?;
    }
    openssl(
        d,
        &[
            "pkey",
            "-in",
            "client.key",
            "-traditional",
            "-out",
            "client-pkcs1.key",
        ],
    )?;
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "client-ec.key",
        ],
    )?;
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "client-ec.key",
            "-out",
            "client-ec.csr",
            "-subj",
            "/CN=sentui-lab-client-ec",
        ],
    )?;
    sign(d, "client-ec", "client.ext")?;
    Ok(tls)
}

/// `NAME.csr` signed by the lab's CA into `NAME.crt`.
fn sign(d: &Path, name: &str, ext: &str) -> Result<(), LabError> {
    let (csr, crt) = (format!("{name}.csr"), format!("{name}.crt"));
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            "30",
            "-extfile",
            ext,
        ],
    )
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), LabError> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| LabError::Certificates(format!("cannot run openssl: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(LabError::Certificates(format!(
            "openssl {}: {}",
            args.first().unwrap_or(&""),
            err.lines().next().unwrap_or("failed")
        )));
    }
    Ok(())
}
