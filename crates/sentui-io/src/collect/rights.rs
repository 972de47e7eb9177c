//! Checks on a node whether the user each sentinel logs in with may run what a failover sends:
//! `CLIENT LIST TYPE normal` names the sentinels' connections and their users, one pipeline of
//! `ACL DRYRUN` asks for each command (see [`sentui_model::rights`]).

use super::reply::text;
use crate::link::now_ms;
use redis::Value;
use redis::aio::MultiplexedConnection;
use sentui_model::info::ServerVersion;
use sentui_model::rights::{
    COORDINATED_COMMANDS, Denied, FAILOVER_COMMANDS, NodeRights, RightsCheck, SentinelLogin,
    dryrun_denied, sentinel_logins,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// The check, bounded by `wait`; a node that does not answer in time is not checked this time.
pub async fn check(
    conn: &mut MultiplexedConnection,
    server: Option<&ServerVersion>,
    wait: Duration,
) -> NodeRights {
    let check = match tokio::time::timeout(wait, check_now(conn, server)).await {
        Ok(c) => c,
        Err(_) => RightsCheck::NotChecked {
            why: format!("no answer to CLIENT LIST / ACL DRYRUN within {wait:?}"),
        },
    };
    NodeRights {
        at: now_ms(),
        check,
    }
}

async fn check_now(
    conn: &mut MultiplexedConnection,
    server: Option<&ServerVersion>,
) -> RightsCheck {
    let not = |why: String| RightsCheck::NotChecked { why };
    let list: redis::RedisResult<Value> = redis::cmd("CLIENT")
        .arg("LIST")
        .arg("TYPE")
        .arg("normal")
        .query_async(conn)
        .await;
    let list = match list {
        Ok(v) => text(&v).unwrap_or_default(),
        Err(e) => return not(format!("sentui's user may not run CLIENT LIST ({e})")),
    };
    let found = sentinel_logins(&list);
    if found.is_empty() {
        return not("no sentinel is connected to it".into());
    }
    let commands = commands_for(server);
    // Sentinels mostly share one user: each user is asked about once.
    let mut by_user: BTreeMap<&str, Vec<Denied>> = BTreeMap::new();
    for (_, user) in &found {
        if by_user.contains_key(user.as_str()) {
            continue;
        }
        match denied(conn, user, &commands, server).await {
            Ok(denied) => by_user.insert(user, denied),
            Err(why) => return not(why),
        };
    }
    let logins = found
        .iter()
        .map(|(sentinel_id, user)| SentinelLogin {
            sentinel_id: sentinel_id.clone(),
            user: user.clone(),
            denied: by_user.get(user.as_str()).cloned().unwrap_or_default(),
        })
        .collect();
    RightsCheck::Checked { logins }
}

/// The `commands` ACL DRYRUN says `user` may not run, in one pipeline; Err: why it cannot say.
async fn denied(
    conn: &mut MultiplexedConnection,
    user: &str,
    commands: &[&[&str]],
    server: Option<&ServerVersion>,
) -> Result<Vec<Denied>, String> {
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for c in commands {
        pipe.cmd("ACL").arg("DRYRUN").arg(user).arg(*c);
    }
    let replies: Vec<Value> = pipe
        .query_async(conn)
        .await
        .map_err(|e| format!("ACL DRYRUN failed: {e}"))?;
    let mut denied = Vec::new();
    for (c, reply) in commands.iter().zip(&replies) {
        let answer = match reply {
            Value::ServerError(e) => {
                let words = format!("{} {}", e.code(), e.details().unwrap_or_default());
                if let Some(why) = unavailable(e.code(), &words, server) {
                    return Err(why);
                }
                Err(words)
            }
            v => Ok(text(v).unwrap_or_default()),
        };
        if let Some(reason) = dryrun_denied(answer.as_deref().map_err(|e| e.as_str())) {
            denied.push(Denied {
                command: c.join(" "),
                reason,
            });
        }
    }
    Ok(denied)
}

/// The failover's commands, and the coordinated failover's where the server has it (Valkey 9).
fn commands_for(server: Option<&ServerVersion>) -> Vec<&'static [&'static str]> {
    let mut all: Vec<&[&str]> = FAILOVER_COMMANDS.to_vec();
    let coordinated = server.is_some_and(ServerVersion::has_coordinated_failover);
    if coordinated {
        all.extend_from_slice(COORDINATED_COMMANDS);
    }
    all
}

/// Why ACL DRYRUN cannot answer here (None: the error is about the command asked).
fn unavailable(code: &str, words: &str, server: Option<&ServerVersion>) -> Option<String> {
    if code == "NOPERM" {
        return Some("sentui's user may not run ACL DRYRUN".into());
    }
    let lower = words.to_ascii_lowercase();
    if !(lower.contains("unknown subcommand") || lower.contains("unknown command")) {
        return None;
    }
    Some(match server {
        Some(s) => format!("ACL DRYRUN is not available on {s} (Redis 7.0 or later, or Valkey)"),
        None => "ACL DRYRUN is not available on this server".into(),
    })
}
