//! Asking the sentinels for a manual failover: `SENTINEL FAILOVER <group>`, or Valkey 9's
//! `SENTINEL FAILOVER <group> COORDINATED`. Sentinel's refusals are read into what they mean
//! and what to do.

use crate::link::LinkSettings;
use sentui_model::Addr;
use sentui_model::action::FailoverKind;

/// What a sentinel's refusal means.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "a failover of this group is already in progress (INPROG): wait for it to end (`sentui events` shows it) and ask again"
    )]
    InProgress,
    #[error(
        "no replica can be promoted (NOGOODSLAVE): each is down, disconnected, stale or has replica-priority 0 (`sentui status` says which)"
    )]
    NoGoodReplica,
    #[error(
        "the master does not support the FAILOVER command, or the sentinel has not read its master_failover_state yet (NOGOODPRIMARY): a coordinated failover needs a Valkey 9 master; ask again in a few seconds, or for a classic failover (without coordinated)"
    )]
    NoGoodPrimary,
    #[error(
        "this sentinel does not know coordinated failovers (Valkey 9.0 and later only: {said}): ask for a classic failover"
    )]
    NoCoordinated { said: String },
    #[error("the sentinel monitors no such group ({said})")]
    NoSuchGroup { said: String },
    #[error("{0}")]
    Other(String),
}

impl Refusal {
    /// From the error line a sentinel answered.
    pub fn read(kind: FailoverKind, line: &str) -> Refusal {
        let line = line.trim();
        let code = line.split_whitespace().next().unwrap_or("");
        let lower = line.to_ascii_lowercase();
        match code {
            "INPROG" => Refusal::InProgress,
            "NOGOODSLAVE" | "NOGOODREPLICA" => Refusal::NoGoodReplica,
            "NOGOODPRIMARY" => Refusal::NoGoodPrimary,
            _ if lower.contains("no such master") => Refusal::NoSuchGroup { said: line.into() },
            _ if kind.is_coordinated()
                && (lower.contains("wrong number of arguments")
                    || lower.contains("unknown failover option")
                    || lower.contains("syntax error")) =>
            {
                Refusal::NoCoordinated { said: line.into() }
            }
            _ => Refusal::Other(line.to_string()),
        }
    }
}

/// Why a manual failover was not started.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FailoverError {
    #[error("{sentinel} refused the {} failover: {reason}", .kind.word())]
    Refused {
        sentinel: Addr,
        kind: FailoverKind,
        reason: Refusal,
    },
    #[error("no sentinel answered ({})", .0.join("; "))]
    NoneAnswered(Vec<String>),
}

/// Sends SENTINEL FAILOVER (COORDINATED for that kind) to the first of `sentinels` that
/// answers.
pub async fn failover_via(
    link: &LinkSettings,
    sentinels: &[Addr],
    group: &str,
    kind: FailoverKind,
) -> Result<String, FailoverError> {
    let mut errors = Vec::new();
    for s in sentinels {
        let mut conn = match link.for_sentinels().connect(s).await {
            Ok(c) => c,
            Err(r) => {
                errors.push(format!("{s}: {}", r.word()));
                continue;
            }
        };
        let mut cmd = redis::cmd("SENTINEL");
        cmd.arg("FAILOVER").arg(group);
        if kind.is_coordinated() {
            cmd.arg("COORDINATED");
        }
        let reply: redis::RedisResult<String> = cmd.query_async(&mut conn).await;
        return match reply {
            Ok(ok) => Ok(format!("{s} answered {ok}")),
            Err(e) => Err(FailoverError::Refused {
                sentinel: s.clone(),
                kind,
                reason: Refusal::read(kind, refusal_line(&e).as_str()),
            }),
        };
    }
    Err(FailoverError::NoneAnswered(errors))
}

/// The server's own error line (`INPROG Failover already in progress`), as redis-rs holds it.
fn refusal_line(e: &redis::RedisError) -> String {
    match (e.code(), e.detail()) {
        (Some(code), Some(detail)) => format!("{code} {detail}"),
        (Some(code), None) => code.to_string(),
        _ => e.to_string().lines().next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_what_they_mean() {
        use FailoverKind::*;
        // As Valkey 9.1.2's sentinel answered them (captured on the local lab).
        assert_eq!(
            Refusal::read(Coordinated, "INPROG Failover already in progress"),
            Refusal::InProgress
        );
        assert_eq!(
            Refusal::read(Classic, "NOGOODSLAVE No suitable replica to promote"),
            Refusal::NoGoodReplica
        );
        assert_eq!(
            Refusal::read(
                Coordinated,
                "NOGOODPRIMARY Primary does not support FAILOVER command"
            ),
            Refusal::NoGoodPrimary
        );
        assert!(matches!(
            Refusal::read(Coordinated, "ERR No such master with that name"),
            Refusal::NoSuchGroup { .. }
        ));
        // A sentinel before Valkey 9 (Valkey 8, Redis) does not take the fourth argument.
        let old = "ERR wrong number of arguments for 'sentinel|failover' command";
        assert!(matches!(
            Refusal::read(Coordinated, old),
            Refusal::NoCoordinated { .. }
        ));
        assert!(matches!(Refusal::read(Classic, old), Refusal::Other(_)));
        let said = FailoverError::Refused {
            sentinel: Addr::new("127.0.0.1", 26379),
            kind: Coordinated,
            reason: Refusal::InProgress,
        }
        .to_string();
        assert!(
            said.starts_with("127.0.0.1:26379 refused the coordinated failover: a failover of this group is already in progress (INPROG)"),
            "{said}"
        );
    }
}
