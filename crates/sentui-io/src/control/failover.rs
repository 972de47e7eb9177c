//! Asking the sentinels for a manual failover (`SENTINEL FAILOVER <group>`).

use crate::link::LinkSettings;
use sentui_model::Addr;

/// Why a manual failover was not started.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FailoverError {
    #[error("{sentinel} refused the failover: {reason}")]
    Refused { sentinel: Addr, reason: String },
    #[error("no sentinel answered ({})", .0.join("; "))]
    NoneAnswered(Vec<String>),
}

/// Sends SENTINEL FAILOVER to the first of `sentinels` that answers.
pub async fn failover_via(
    link: &LinkSettings,
    sentinels: &[Addr],
    group: &str,
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
        let reply: redis::RedisResult<String> = redis::cmd("SENTINEL")
            .arg("FAILOVER")
            .arg(group)
            .query_async(&mut conn)
            .await;
        return match reply {
            Ok(ok) => Ok(format!("{s} answered {ok}")),
            Err(e) => Err(FailoverError::Refused {
                sentinel: s.clone(),
                reason: e.to_string().lines().next().unwrap_or("").to_string(),
            }),
        };
    }
    Err(FailoverError::NoneAnswered(errors))
}
