//! Sentinel collectors: a command link that polls the sentinel's views, and an events link
//! (`PSUBSCRIBE *`) that forwards every event it publishes.

use super::reply::{ShapeError, records, text};
use crate::link::{Backoff, LinkSettings, classify, now_ms};
use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use redis::{RedisError, Value};
use sentui_model::budget::DetailSchedule;
use sentui_model::event::{EventDetail, SentinelEvent};
use sentui_model::info::ServerInfo;
use sentui_model::reply::{Ckquorum, MasterRecord, PeerRecord, Record, ReplicaRecord, parse_all};
use sentui_model::state::{GroupPoll, SentinelPoll};
use sentui_model::{Addr, Reach, Update};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::Sender;

/// Groups the events link heard about since the last poll, shared with the poller.
#[derive(Clone, Default)]
pub struct NamedGroups(Arc<Mutex<BTreeSet<String>>>);

impl NamedGroups {
    /// Bounded by the groups a deployment has; a flood of made-up names stops at this many.
    const MAX: usize = 4096;

    fn note(&self, event: &str, payload: &str) {
        if let Some(group) = EventDetail::parse(&SentinelEvent::parse(event), payload).group() {
            let mut named = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if named.len() < Self::MAX {
                named.insert(group.to_string());
            }
        }
    }

    fn take(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// One poll: INFO (run id, version, TILT) and SENTINEL MASTERS in one round trip, then
/// REPLICAS, SENTINELS and CKQUORUM of the groups `schedule` plans in a second; the other
/// groups are sent carried, their master record alone.
pub async fn poll(
    conn: &mut MultiplexedConnection,
    schedule: &mut DetailSchedule,
) -> Result<SentinelPoll, RedisError> {
    let (mut poll, masters) = masters(conn).await?;
    let plan = schedule.plan(&masters);
    if masters.is_empty() {
        return Ok(poll);
    }
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for m in masters.iter().filter(|m| plan.contains(&m.name)) {
        pipe.cmd("SENTINEL").arg("REPLICAS").arg(&m.name);
        pipe.cmd("SENTINEL").arg("SENTINELS").arg(&m.name);
        pipe.cmd("SENTINEL").arg("CKQUORUM").arg(&m.name);
    }
    let replies: Vec<redis::RedisResult<Value>> = if plan.is_empty() {
        Vec::new()
    } else {
        pipe.query_async(conn).await?
    };
    let mut replies = replies.into_iter();
    for master in masters {
        if !plan.contains(&master.name) {
            poll.groups.push(GroupPoll::carried(master));
            continue;
        }
        let (r, s, q) = (replies.next(), replies.next(), replies.next());
        let group = details(master, [r, s, q], &mut poll.errors);
        schedule.fetched(&group.master);
        poll.groups.push(group);
    }
    Ok(poll)
}

/// The first round trip: INFO server, INFO sentinel, SENTINEL MASTERS and SENTINEL MYID; the
/// poll so far and the masters.
async fn masters(
    conn: &mut MultiplexedConnection,
) -> Result<(SentinelPoll, Vec<MasterRecord>), RedisError> {
    // SENTINEL MYID is Redis 6.2+; an older sentinel's error leaves the id to its peers.
    let replies: Vec<redis::RedisResult<Value>> = redis::pipe()
        .ignore_errors()
        .cmd("INFO")
        .arg("server")
        .cmd("INFO")
        .arg("sentinel")
        .cmd("SENTINEL")
        .arg("MASTERS")
        .cmd("SENTINEL")
        .arg("MYID")
        .query_async(conn)
        .await?;
    let mut replies = replies.into_iter();
    let mut next = || {
        replies
            .next()
            .unwrap_or_else(|| Err(bad_reply("missing reply".into())))
    };
    let server = required_text(next(), "INFO server")?;
    let sentinel = required_text(next(), "INFO sentinel")?;
    let masters = next()?;
    let myid = next()
        .ok()
        .as_ref()
        .and_then(text)
        .filter(|id| !id.is_empty());
    let mut poll = SentinelPoll {
        myid,
        ..SentinelPoll::default()
    }
    .with_server_info(ServerInfo::parse(&server))
    .with_server_info(ServerInfo::parse(&sentinel));
    let (master_records, bad) = records(&masters).map_err(|e| bad_reply(e.to_string()))?;
    poll.errors.extend(bad);
    let (masters, bad) = parse_all(&master_records, MasterRecord::parse);
    poll.errors.extend(bad);
    Ok((poll, masters))
}

/// A group's details from its REPLICAS, SENTINELS and CKQUORUM replies (None: not asked);
/// what did not parse goes to `errors`.
fn details(
    master: MasterRecord,
    [r, s, q]: [Option<redis::RedisResult<Value>>; 3],
    errors: &mut Vec<String>,
) -> GroupPoll {
    let mut group = GroupPoll {
        master,
        replicas: Vec::new(),
        peers: Vec::new(),
        ckquorum: None,
        carried: false,
    };
    match r.map(listed) {
        Some(Ok((recs, bad))) => {
            let (ok, bad2) = parse_all(&recs, ReplicaRecord::parse);
            group.replicas = ok;
            errors.extend(bad.into_iter().chain(bad2));
        }
        Some(Err(e)) => errors.push(format!("SENTINEL REPLICAS {}: {e}", group.master.name)),
        None => {}
    }
    match s.map(listed) {
        Some(Ok((recs, bad))) => {
            let (ok, bad2) = parse_all(&recs, PeerRecord::parse);
            group.peers = ok;
            errors.extend(bad.into_iter().chain(bad2));
        }
        Some(Err(e)) => errors.push(format!("SENTINEL SENTINELS {}: {e}", group.master.name)),
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
    group
}

/// A reply that must be text, or the error that ends the poll.
fn required_text(reply: redis::RedisResult<Value>, what: &str) -> Result<String, RedisError> {
    let v = reply?;
    text(&v).ok_or_else(|| bad_reply(format!("{what} replied with a non-string")))
}

/// Why a list reply gave no records.
#[derive(Debug, thiserror::Error)]
enum ListError {
    #[error(transparent)]
    Redis(#[from] RedisError),
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

/// A list reply's records and the entries that are none (see [`records`]).
fn listed(reply: redis::RedisResult<Value>) -> Result<(Vec<Record>, Vec<String>), ListError> {
    Ok(records(&reply?)?)
}

fn bad_reply(msg: String) -> RedisError {
    RedisError::from((redis::ErrorKind::Parse, "unexpected reply", msg))
}

/// Connects and polls once, as an update (used by the live task and by one-shot snapshots).
pub async fn poll_once(
    link: &LinkSettings,
    sentinel: &Addr,
    conn: &mut Option<MultiplexedConnection>,
    schedule: &mut DetailSchedule,
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
    match tokio::time::timeout(bound, poll(c, schedule)).await {
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
                reach: link.diagnose(sentinel, classify(&e, started)).await,
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

/// Polls one sentinel every `every` until the receiver is gone, fetching at most
/// `budget` group-detail commands a round; groups `named` by events go first.
pub async fn poll_task(
    link: LinkSettings,
    sentinel: Addr,
    every: Duration,
    budget: u32,
    named: NamedGroups,
    tx: Sender<Update>,
) {
    let mut conn = None;
    let mut schedule = DetailSchedule::within(budget);
    let mut backoff = Backoff::default();
    loop {
        for g in named.take() {
            schedule.mark_dirty(&g);
        }
        let update = poll_once(&link, &sentinel, &mut conn, &mut schedule).await;
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

/// How soon to try subscribing again. Pub/sub has no history, so every moment unsubscribed is
/// events lost: a closed port (connection refused: a sentinel restarting) costs nothing to try,
/// so it is tried every 200 ms (no faster), and a restarted sentinel is subscribed again within
/// 250 ms of accepting connections; a link that just closed is tried at once; a host that times
/// out or fails otherwise keeps the capped backoff.
const REFUSED_RETRY: Duration = Duration::from_millis(200);

/// Forwards every event the sentinel publishes, reconnecting when the link drops (see
/// `REFUSED_RETRY`), and tells the poller which groups the events named.
pub async fn events_task(
    link: LinkSettings,
    sentinel: Addr,
    named: NamedGroups,
    tx: Sender<Update>,
) {
    let mut backoff = Backoff::default();
    loop {
        let mut retry = None;
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
                let subscribed = std::time::Instant::now();
                let mut stream = pubsub.into_on_message();
                while let Some(msg) = stream.next().await {
                    let payload: String = msg.get_payload().unwrap_or_else(|_| {
                        String::from_utf8_lossy(msg.get_payload_bytes()).into_owned()
                    });
                    let event = msg.get_channel_name().to_string();
                    named.note(&event, &payload);
                    let update = Update::SentinelEvent {
                        sentinel: sentinel.clone(),
                        at: now_ms(),
                        event,
                        payload,
                    };
                    if tx.send(update).await.is_err() {
                        return;
                    }
                }
                // At once, unless links keep closing as soon as they are made.
                if subscribed.elapsed() > Duration::from_secs(1) {
                    retry = Some(Duration::ZERO);
                }
                "the events connection closed".to_string()
            }
            Err(e) => {
                if matches!(e, SubscribeError::Link { refused: true, .. }) {
                    retry = Some(REFUSED_RETRY);
                }
                e.to_string()
            }
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
        let delay = retry.unwrap_or_else(|| backoff.next_delay());
        tokio::time::sleep(delay).await;
    }
}

/// Why the events link could not subscribe.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SubscribeError {
    /// The link failed: how the sentinel answers, as the views say it; `refused` when the
    /// port is closed (nothing listens: a sentinel restarting).
    #[error("{said}")]
    Link { said: String, refused: bool },
    #[error("no answer to PSUBSCRIBE within {0} ms")]
    Timeout(u128),
}

/// A pub/sub connection to the sentinel, subscribed to `pattern` (PSUBSCRIBE), bounded.
pub(crate) async fn subscribe(
    link: &LinkSettings,
    sentinel: &Addr,
    pattern: &str,
) -> Result<redis::aio::PubSub, SubscribeError> {
    let bound = link.connect_timeout + link.response_timeout;
    let attempt = async {
        let mut pubsub = link.for_sentinels().pubsub(sentinel).await?;
        let started = now_ms();
        pubsub
            .psubscribe(pattern)
            .await
            .map_err(|e| classify(&e, started))?;
        Ok::<_, Reach>(pubsub)
    };
    match tokio::time::timeout(bound, attempt).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(reach)) => Err(SubscribeError::Link {
            refused: matches!(reach, Reach::Refused(_)),
            said: reach.describe(now_ms()),
        }),
        Err(_) => Err(SubscribeError::Timeout(bound.as_millis())),
    }
}
