//! Whether the user the sentinels log in with may run what a failover sends to a node.
//!
//! Sentinel names its connections `sentinel-<first 8 chars of its id>-cmd` (sentinel.c:
//! `sentinelSetClientName`), so a node's `CLIENT LIST` tells which user each sentinel logs in
//! as; `ACL DRYRUN <user> <command…>` (Redis 7.0+, Valkey) tells whether that user may run
//! each command the failover sends (sentinel.c: `sentinelSendSlaveOf`). The I/O is the
//! collector's; reading the replies is here.

use crate::Millis;
use serde::{Deserialize, Serialize};

/// The commands a failover sends to a node, as `ACL DRYRUN` arguments. The replica to promote
/// gets `SLAVEOF NO ONE`, the others `SLAVEOF <host> <port>`: the same right.
pub const FAILOVER_COMMANDS: &[&[&str]] = &[
    &["MULTI"],
    &["SLAVEOF", "NO", "ONE"],
    &["CONFIG", "REWRITE"],
    &["CLIENT", "KILL", "TYPE", "normal"],
    &["EXEC"],
];

/// What Valkey 9's coordinated failover sends the primary besides.
pub const COORDINATED_COMMANDS: &[&[&str]] =
    &[&["CLIENT", "PAUSE", "1000", "WRITE"], &["FAILOVER"]];

/// One sentinel's login on a node and what its user may not run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelLogin {
    /// The first 8 characters of the sentinel's id, as its connection name carries them.
    pub sentinel_id: String,
    pub user: String,
    /// Each failover command the user may not run, with the server's words.
    pub denied: Vec<Denied>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denied {
    pub command: String,
    pub reason: String,
}

/// The outcome of checking one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RightsCheck {
    Checked {
        logins: Vec<SentinelLogin>,
    },
    /// Why it could not be checked (no ACL DRYRUN, sentui's user may not run it…).
    NotChecked {
        why: String,
    },
}

/// A node's check and when it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRights {
    pub at: Millis,
    pub check: RightsCheck,
}

/// A sentinel's command connection in a `CLIENT LIST` reply: (sentinel id prefix, user).
pub fn sentinel_logins(client_list: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = client_list
        .lines()
        .filter_map(|line| {
            let field = |k: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(k)?.strip_prefix('='))
            };
            let id = field("name")?
                .strip_prefix("sentinel-")?
                .strip_suffix("-cmd")?;
            Some((
                id.to_string(),
                field("user").unwrap_or("default").to_string(),
            ))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What an `ACL DRYRUN` reply says: allowed (`OK`), or denied with the server's reason.
pub fn dryrun_denied(reply: Result<&str, &str>) -> Option<String> {
    match reply {
        Ok(text) if text.eq_ignore_ascii_case("OK") => None,
        Ok(text) | Err(text) => Some(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // From a Redis 7.0.15 node watched by three sentinels, one logging in as `failover`.
    const CLIENT_LIST: &str = "id=5 addr=127.0.0.1:50110 laddr=127.0.0.1:17800 fd=9 name=sentinel-8f2b7c1e-cmd age=12 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=5 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=ping user=default redir=-1 resp=2\n\
id=6 addr=127.0.0.1:50112 laddr=127.0.0.1:17800 fd=10 name=sentinel-8f2b7c1e-pubsub age=12 idle=0 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=subscribe user=default redir=-1 resp=2\n\
id=7 addr=127.0.0.1:50120 laddr=127.0.0.1:17800 fd=11 name=sentinel-0c4d9a11-cmd age=11 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=5 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=info user=failover redir=-1 resp=2\n\
id=9 addr=127.0.0.1:50130 laddr=127.0.0.1:17800 fd=12 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22426 events=r cmd=client|list user=default redir=-1 resp=2\n";

    #[test]
    fn finds_each_sentinels_command_connection_and_its_user() {
        assert_eq!(
            sentinel_logins(CLIENT_LIST),
            vec![
                ("0c4d9a11".to_string(), "failover".to_string()),
                ("8f2b7c1e".to_string(), "default".to_string())
            ]
        );
        assert!(sentinel_logins("").is_empty());
        assert!(sentinel_logins("garbage\nname=sentinel-x user=y").is_empty());
    }

    #[test]
    fn reads_dryrun_replies() {
        assert_eq!(dryrun_denied(Ok("OK")), None);
        let no = "User failover has no permissions to run the 'slaveof' command";
        assert_eq!(dryrun_denied(Ok(no)).as_deref(), Some(no));
        assert_eq!(
            dryrun_denied(Err("ERR User x not found")).as_deref(),
            Some("ERR User x not found")
        );
    }
}
