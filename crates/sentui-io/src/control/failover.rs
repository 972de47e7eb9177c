//! Asking the sentinels for a manual failover (`SENTINEL FAILOVER <group>`).

use crate::link::LinkSettings;
use sentui_model::Addr;

/// Sends SENTINEL FAILOVER to the first of `sentinels` that answers.
pub async fn failover_via(
    link: &LinkSettings,
    sentinels: &[Addr],
    group: &str,
) -> Result<String, String> {
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
            Err(e) => Err(format!(
                "{s} refused the failover: {}",
                e.to_string().lines().next().unwrap_or("")
            )),
        };
    }
    Err(format!("no sentinel answered ({})", errors.join("; ")))
}
