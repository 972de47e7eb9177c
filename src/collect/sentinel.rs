//! Sentinel collectors: a command link that polls the sentinel's views, and an events link
//! (`PSUBSCRIBE *`) that forwards every event it publishes.

use super::link::{Backoff, LinkSettings, classify, now_ms};
use super::reply::{records, text};
use crate::model::info::ServerInfo;
use crate::model::reply::{Ckquorum, MasterRecord, PeerRecord, ReplicaRecord, parse_all};
use crate::model::state::{GroupPoll, SentinelPoll};
use crate::model::{Addr, Reach, Update};
use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use redis::{RedisError, Value};
use std::time::Duration;
use tokio::sync::mpsc::Sender;

/// One poll: INFO (run id, version, TILT) and SENTINEL MASTERS in one round trip, then
/// REPLICAS, SENTINELS and CKQUORUM of every group in a second.
pub async fn poll(conn: &mut MultiplexedConnection) -> Result<SentinelPoll, RedisError> {
    let (server, sentinel, masters): (String, String, Value) = redis::pipe()
        .cmd("INFO")
        .arg("server")
        .cmd("INFO")
        .arg("sentinel")
        .cmd("SENTINEL")
        .arg("MASTERS")
        .query_async(conn)
        .await?;
    let mut poll = SentinelPoll::default()
        .with_server_info(ServerInfo::parse(&server))
        .with_server_info(ServerInfo::parse(&sentinel));
    let (master_records, bad) = records(&masters).map_err(bad_reply)?;
    poll.errors.extend(bad);
    let (masters, bad) = parse_all(&master_records, MasterRecord::parse);
    poll.errors.extend(bad);
    if masters.is_empty() {
        return Ok(poll);
    }
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for m in &masters {
        pipe.cmd("SENTINEL").arg("REPLICAS").arg(&m.name);
        pipe.cmd("SENTINEL").arg("SENTINELS").arg(&m.name);
        pipe.cmd("SENTINEL").arg("CKQUORUM").arg(&m.name);
    }
    let replies: Vec<redis::RedisResult<Value>> = pipe.query_async(conn).await?;
    let mut replies = replies.into_iter();
    for master in masters {
        let (r, s, q) = (replies.next(), replies.next(), replies.next());
        let mut group = GroupPoll {
            master,
            replicas: Vec::new(),
            peers: Vec::new(),
            ckquorum: None,
        };
        match r.map(|r| r.map_err(|e| e.to_string()).and_then(|v| records(&v))) {
            Some(Ok((recs, bad))) => {
                let (ok, bad2) = parse_all(&recs, ReplicaRecord::parse);
                group.replicas = ok;
                poll.errors.extend(bad.into_iter().chain(bad2));
            }
            Some(Err(e)) => poll
                .errors
                .push(format!("SENTINEL REPLICAS {}: {e}", group.master.name)),
            None => {}
        }
        match s.map(|r| r.map_err(|e| e.to_string()).and_then(|v| records(&v))) {
            Some(Ok((recs, bad))) => {
                let (ok, bad2) = parse_all(&recs, PeerRecord::parse);
                group.peers = ok;
                poll.errors.extend(bad.into_iter().chain(bad2));
            }
            Some(Err(e)) => poll
                .errors
                .push(format!("SENTINEL SENTINELS {}: {e}", group.master.name)),
            None => {}
        }
        group.ckquorum = match q {
            Some(Ok(v)) => text(&v).map(|t| Ckquorum::from_reply(Ok(&t))),
            Some(Err(e)) => {
                let msg = match (e.code(), e.detail()) {
                    (Some(c), Some(d)) => format!("{c} {d}"),
                    _ => e.to_string(),
                };
                Some(Ckquorum::from_reply(Err(&msg)))
            }
            None => None,
        };
        poll.groups.push(group);
    }
    Ok(poll)
}

fn bad_reply(msg: String) -> RedisError {
    RedisError::from((redis::ErrorKind::Parse, "unexpected reply", msg))
}

/// Connects and polls once, as an update (used by the live task and by one-shot snapshots).
pub async fn poll_once(
    link: &LinkSettings,
    sentinel: &Addr,
    conn: &mut Option<MultiplexedConnection>,
) -> Update {
    let started = now_ms();
    let c = match conn {
        Some(c) => c,
        None => match link.for_sentinels().connect(sentinel).await {
            Ok(c) => conn.insert(c),
            Err(reach) => {
                return Update::SentinelReach {
                    sentinel: sentinel.clone(),
                    at: now_ms(),
                    reach,
                };
            }
        },
    };
    let bound = link.response_timeout * 2;
    match tokio::time::timeout(bound, poll(c)).await {
        Ok(Ok(poll)) => {
            let at = now_ms();
            Update::SentinelPolled {
                sentinel: sentinel.clone(),
                at,
                rtt_ms: at.saturating_sub(started),
                poll,
            }
        }
        Ok(Err(e)) => {
            *conn = None;
            Update::SentinelReach {
                sentinel: sentinel.clone(),
                at: now_ms(),
                reach: classify(&e, started),
            }
        }
        Err(_) => {
            *conn = None;
            Update::SentinelReach {
                sentinel: sentinel.clone(),
                at: now_ms(),
                reach: Reach::Unresponsive { since: started },
            }
        }
    }
}

/// Polls one sentinel every `every` until the receiver is gone.
pub async fn poll_task(link: LinkSettings, sentinel: Addr, every: Duration, tx: Sender<Update>) {
    let mut conn = None;
    let mut backoff = Backoff::default();
    loop {
        let update = poll_once(&link, &sentinel, &mut conn).await;
        let ok = matches!(update, Update::SentinelPolled { .. });
        if tx.send(update).await.is_err() {
            return;
        }
        let delay = if ok {
            backoff.reset();
            every
        } else {
            backoff.next_delay().max(every / 4)
        };
        tokio::time::sleep(delay).await;
    }
}

/// Forwards every event the sentinel publishes, reconnecting with backoff when the link drops.
pub async fn events_task(link: LinkSettings, sentinel: Addr, tx: Sender<Update>) {
    let mut backoff = Backoff::default();
    loop {
        let detail = match subscribe(&link, &sentinel, "*").await {
            Ok(pubsub) => {
                backoff.reset();
                let up = Update::PubSub {
                    sentinel: sentinel.clone(),
                    at: now_ms(),
                    up: true,
                    detail: "subscribed to all events".into(),
                };
                if tx.send(up).await.is_err() {
                    return;
                }
                let mut stream = pubsub.into_on_message();
                while let Some(msg) = stream.next().await {
                    let payload: String = msg.get_payload().unwrap_or_else(|_| {
                        String::from_utf8_lossy(msg.get_payload_bytes()).into_owned()
                    });
                    let update = Update::SentinelEvent {
                        sentinel: sentinel.clone(),
                        at: now_ms(),
                        event: msg.get_channel_name().to_string(),
                        payload,
                    };
                    if tx.send(update).await.is_err() {
                        return;
                    }
                }
                "the events connection closed".to_string()
            }
            Err(e) => e,
        };
        let down = Update::PubSub {
            sentinel: sentinel.clone(),
            at: now_ms(),
            up: false,
            detail,
        };
        if tx.send(down).await.is_err() {
            return;
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// A pub/sub connection to the sentinel, subscribed to `pattern` (PSUBSCRIBE), bounded.
pub(crate) async fn subscribe(
    link: &LinkSettings,
    sentinel: &Addr,
    pattern: &str,
) -> Result<redis::aio::PubSub, String> {
    let client = link
        .for_sentinels()
        .client(sentinel)
        .map_err(|e| e.to_string())?;
    let bound = link.connect_timeout + link.response_timeout;
    let attempt = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.psubscribe(pattern).await?;
        Ok::<_, RedisError>(pubsub)
    };
    match tokio::time::timeout(bound, attempt).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(classify(&e, now_ms()).describe(now_ms())),
        Err(_) => Err(format!(
            "no answer to PSUBSCRIBE within {} ms",
            bound.as_millis()
        )),
    }
}
