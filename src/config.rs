//! The configuration file (TOML): `--config PATH`, else `$XDG_CONFIG_HOME/sentui/config.toml`
//! (or `~/.config/sentui/config.toml`) when it exists. Precedence, for every setting: command
//! line > environment > file > defaults (see settings.rs, which also takes the deployment and
//! the credentials from here).

use crate::cli::Cli;
use clap::ArgMatches;
use clap::parser::ValueSource;
use sentui_model::AddrMap;
use sentui_model::time::parse_duration;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub sentinels: Option<Vec<String>>,
    pub master: Option<String>,
    pub compose_project: Option<String>,
    pub map: Option<Vec<String>>,
    pub timeout: Option<String>,
    pub refresh: Option<String>,
    pub probe_every: Option<String>,
    pub unresponsive_after: Option<String>,
    pub probe_budget: Option<u32>,
    pub poll_budget: Option<u32>,
    pub read_only: Option<bool>,
    pub leave_paused: Option<bool>,
    pub lease: Option<String>,
    pub no_color: Option<bool>,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub tls: TlsConfig,
}

#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub username: Option<String>,
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    pub sentinel_username: Option<String>,
    pub sentinel_password: Option<String>,
    pub sentinel_password_file: Option<PathBuf>,
}

/// Passwords stay out of Debug output.
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("sentinel_username", &self.sentinel_username)
            .field(
                "sentinel_password",
                &self.sentinel_password.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub enabled: Option<bool>,
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub insecure: Option<bool>,
}

pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("sentui").join("config.toml"))
}

/// Why the config file cannot be used, naming the file or the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("config file {}: {error}", path.display())]
    Invalid { path: PathBuf, error: SyntaxError },
    /// `why`: what the value's parser said (it quotes the value: never a secret's).
    #[error("{key}: {why}")]
    BadValue { key: &'static str, why: String },
    #[error("{key} = {value}: at least {least}")]
    TooSmall {
        key: &'static str,
        value: u32,
        least: u32,
    },
    /// A value from the file that does not parse, with where it is.
    #[error("config file {}, line {line}: {error}; fix the value or remove the line", path.display())]
    InFile {
        path: PathBuf,
        line: usize,
        error: Box<ConfigError>,
    },
}

impl ConfigError {
    /// The error with the file and line its key is on, when it is about a value the file
    /// gave (`path`): `timeout = "fast"` says where it is.
    pub fn in_file(self, path: Option<&Path>) -> ConfigError {
        let key = match &self {
            ConfigError::BadValue { key, .. } | ConfigError::TooSmall { key, .. } => *key,
            _ => return self,
        };
        let Some(path) = path else { return self };
        let Ok(text) = std::fs::read_to_string(path) else {
            return self;
        };
        match line_of_key(&text, key) {
            Some(line) => ConfigError::InFile {
                path: path.to_path_buf(),
                line,
                error: Box::new(self),
            },
            None => self,
        }
    }
}

/// The line (from 1) where `key = ...` is set, outside quoted text.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        })
        .map(|i| i + 1)
}

/// Where the file does not parse and what is wrong there, never quoting the file: toml's own
/// rendering prints the offending line and serde's names the value, either of which may be a
/// password. For a secret key (anything under `[auth]`, or a name with pass/secret/token),
/// only what was expected is said.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// "line N, key K: what is wrong".
    #[error("line {line}{}: {what}", place(.table, .key))]
    At {
        line: usize,
        table: String,
        key: String,
        what: String,
    },
    /// No place known: toml's message with every quoted value dropped.
    #[error("{0}")]
    Unplaced(String),
}

fn place(table: &str, key: &str) -> String {
    match (table, key) {
        ("", "") => String::new(),
        ("", k) => format!(", key {k}"),
        (t, "") => format!(", in [{t}]"),
        (t, k) => format!(", key {t}.{k}"),
    }
}

/// Reads the file named by `--config` (which must exist) or the default one (if it exists).
pub fn load(explicit: Option<&Path>) -> Result<(FileConfig, Option<PathBuf>), ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return Ok((FileConfig::default(), None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(error) => return Err(ConfigError::Unreadable { path, error }),
    };
    match parse(&text) {
        Ok(cfg) => Ok((cfg, Some(path))),
        Err(error) => Err(ConfigError::Invalid { path, error }),
    }
}

pub fn parse(text: &str) -> Result<FileConfig, SyntaxError> {
    toml::from_str(text).map_err(|e| describe_error(text, &e))
}

/// A parse error as its place and what is wrong (see [`SyntaxError`]).
fn describe_error(text: &str, e: &toml::de::Error) -> SyntaxError {
    let message = e.message().trim();
    let Some(span) = e.span() else {
        return SyntaxError::Unplaced(without_quoted(message));
    };
    let start = span.start.min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    let (table, key) = key_at(text, start);
    let what = if is_secret(&table, &key) {
        match message.split_once("expected") {
            Some((_, expected)) => format!("invalid value (expected{expected})"),
            None => "invalid value (not shown: it may be a secret)".to_string(),
        }
    } else {
        message.to_string()
    };
    SyntaxError::At {
        line,
        table,
        key,
        what,
    }
}

/// The table (last `[header]` before `at`) and key (before `=` on the line of `at`).
fn key_at(text: &str, at: usize) -> (String, String) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .unwrap_or_default();
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string())
        .unwrap_or_default();
    (table, key)
}

fn is_secret(table: &str, key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    table == "auth" || ["pass", "secret", "token"].iter().any(|w| key.contains(w))
}

/// Drops every `quoted` piece of a message (values appear there), for errors with no place.
fn without_quoted(message: &str) -> String {
    message
        .split('`')
        .enumerate()
        .map(|(i, piece)| if i % 2 == 1 { "…" } else { piece })
        .collect()
}

/// True when the user did not give this setting on the command line or in the environment.
/// (Said here from clap's value source, not through `settings`, which builds on this module.)
fn unset(m: &ArgMatches, id: &str) -> bool {
    !matches!(
        m.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Fills every setting the command line and the environment left unset from the file. The
/// deployment (`sentinels`, `compose_project`) and the `[auth]` table are settings.rs's.
pub fn apply(cli: &mut Cli, m: &ArgMatches, f: &FileConfig) -> Result<(), ConfigError> {
    let c = &mut cli.conn;
    let dur = |key: &'static str, v: &Option<String>| {
        v.as_deref()
            .map(|s| {
                parse_duration(s).map_err(|why| ConfigError::BadValue {
                    key,
                    why: why.to_string(),
                })
            })
            .transpose()
    };
    if unset(m, "map")
        && let Some(list) = &f.map
    {
        c.map = list
            .iter()
            .map(|s| {
                AddrMap::parse_entry(s).map_err(|why| ConfigError::BadValue {
                    key: "map",
                    why: why.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
    }
    if unset(m, "master") && f.master.is_some() {
        c.master = f.master.clone();
    }
    for (id, value, target) in [
        ("timeout", &f.timeout, &mut c.timeout),
        ("refresh", &f.refresh, &mut c.refresh),
        ("probe_every", &f.probe_every, &mut c.probe_every),
        (
            "unresponsive_after",
            &f.unresponsive_after,
            &mut c.unresponsive_after,
        ),
    ] {
        if unset(m, id)
            && let Some(d) = dur(id, value)?
        {
            *target = d;
        }
    }
    for (id, value, target, least) in [
        ("probe_budget", f.probe_budget, &mut c.probe_budget, 1),
        ("poll_budget", f.poll_budget, &mut c.poll_budget, 3),
    ] {
        if unset(m, id)
            && let Some(n) = value
        {
            if n < least {
                return Err(ConfigError::TooSmall {
                    key: id,
                    value: n,
                    least,
                });
            }
            *target = n;
        }
    }
    if unset(m, "tls") && f.tls.enabled.is_some() {
        c.tls = f.tls.enabled.unwrap_or(false);
    }
    if unset(m, "tls_insecure") && f.tls.insecure.is_some() {
        c.tls_insecure = f.tls.insecure.unwrap_or(false);
    }
    for (id, value, target) in [
        ("tls_ca", &f.tls.ca, &mut c.tls_ca),
        ("tls_cert", &f.tls.cert, &mut c.tls_cert),
        ("tls_key", &f.tls.key, &mut c.tls_key),
    ] {
        if unset(m, id) && value.is_some() {
            *target = value.clone();
        }
    }
    let u = &mut cli.ui;
    if unset(m, "lease")
        && let Some(v) = &f.lease
    {
        u.lease = crate::cli::parse_lease(v)
            .map_err(|why| ConfigError::BadValue { key: "lease", why })?;
    }
    for (id, value, target) in [
        ("read_only", f.read_only, &mut u.read_only),
        ("leave_paused", f.leave_paused, &mut u.leave_paused),
        ("no_color", f.no_color, &mut u.no_color),
    ] {
        if unset(m, id)
            && let Some(v) = value
        {
            *target = v;
        }
    }
    Ok(())
}

pub const TEMPLATE: &str = r#"# sentui configuration (TOML).
# Where sentui looks: --config PATH (or SENTUI_CONFIG), else $XDG_CONFIG_HOME/sentui/config.toml
# (~/.config/sentui/config.toml). Precedence for every setting: command line > environment
# (SENTUI_*) > this file > defaults. Remove the leading '#' to set a value.

# The deployment: sentinels to start from (the others and every node are discovered) and/or
# a compose project. Taken from here only when neither the command line nor the environment
# names a deployment (--sentinel, --compose-project, SENTUI_SENTINELS, SENTUI_COMPOSE_PROJECT);
# where they name another one, sentui says on stderr that it ignored these keys.
# sentinels = ["127.0.0.1:26379"]

# Only this master group (default: every group the sentinels monitor).
# master = "mymaster"

# Watch and control a Docker Compose project (containers found by their compose labels).
# compose_project = "sentui-lab"

# Reach announced addresses elsewhere (NAT): "ANNOUNCED=REACHABLE".
# map = ["redis-master:6379=127.0.0.1:49153"]

# Connect and response timeout of every call; sentinel poll interval; node liveness probe;
# silence that flags a node unresponsive.
# timeout = "1s"
# refresh = "1s"
# probe_every = "100ms"
# unresponsive_after = "300ms"

# Load budget: liveness probes per second across all nodes (past it, each node is probed less
# often), and group-detail commands per poll of one sentinel (past it, groups take turns).
# probe_budget = 300
# poll_budget = 30

# No control actions at all (pause, stop, failover).
# read_only = false
# How long a fault sentui injects may last before a guard outside sentui ends it.
# lease = "10m"
# On quit, keep the nodes sentui paused or stopped as they are.
# leave_paused = false
# No colours.
# no_color = false

[auth]
# Redis nodes: an ACL username (optional) and a password, or a file holding the password
# (password_file wins over password). The environment (SENTUI_USERNAME, SENTUI_PASSWORD) wins
# over this file, and --password-file on the command line over both. Keep this file readable
# only by you (chmod 600) if it holds a password.
# username = "monitor"
# password = ""
# password_file = "/run/secrets/redis-password"
# Sentinels (default: the nodes' credentials; SENTUI_SENTINEL_* in the environment).
# sentinel_username = "monitor"
# sentinel_password = ""
# sentinel_password_file = "/run/secrets/sentinel-password"

[tls]
# rediss to nodes and sentinels. ca: trust this CA (default: the system's). cert/key: client
# certificate for mutual TLS. insecure: skip certificate and hostname checks (testing only).
# enabled = false
# ca = "/etc/redis/tls/ca.crt"
# cert = "/etc/redis/tls/client.crt"
# key = "/etc/redis/tls/client.key"
# insecure = false
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_and_sets_nothing() {
        assert_eq!(parse(TEMPLATE).unwrap(), FileConfig::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let parse = |text: &str| parse(text).map_err(|e| e.to_string());
        let e = parse("sentinel = [\"a:1\"]").unwrap_err();
        assert!(e.contains("unknown field `sentinel`"), "{e}");
        let e = parse("timeout = 5").unwrap_err();
        assert!(e.contains("timeout"), "{e}");
        let e = parse("[auth]\npasword = \"x\"").unwrap_err();
        assert!(e.contains("pasword"), "{e}");
    }

    #[test]
    fn errors_name_line_and_key_but_never_a_secret() {
        let parse = |text: &str| parse(text).map_err(|e| e.to_string());
        let e = parse("timeout = \"1s\"\n[auth]\nusername = \"u\"\npassword = \"Leaky-Secret-99\n")
            .unwrap_err();
        assert!(e.starts_with("line 4, key auth.password:"), "{e}");
        assert!(!e.contains("Leaky"), "{e}");
        let e = parse("[auth]\npassword = 12345\n").unwrap_err();
        assert!(e.contains("line 2, key auth.password"), "{e}");
        assert!(e.contains("expected a string"), "{e}");
        assert!(!e.contains("12345"), "{e}");
        // Outside [auth], a key whose name says secret is hidden too; others are quoted.
        let e = parse("api_token = 777\n").unwrap_err();
        assert!(!e.contains("777"), "{e}");
        let e = parse("probe_budget = \"many\"\n").unwrap_err();
        assert!(e.contains("line 1, key probe_budget"), "{e}");
    }
}
