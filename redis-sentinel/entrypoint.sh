#!/bin/sh
# Sentinel entrypoint for the sentui lab (POSIX/busybox sh, no bash).
#
# At EVERY start the config is rendered fresh from the template + env into a
# writable, per-container file ($SENTINEL_CONF, default /data/sentinel.conf),
# then redis-server runs it in sentinel mode. Sentinel rewrites that file at
# runtime; we deliberately do not trust a stale copy of it, because after a
# failover it may name a master that no longer is one, and the env is the
# single source of truth for settings.
#
# What we keep / rediscover so a restart does not lose knowledge wrongly:
#  * the sentinel's own `myid` is carried over from the previous file (or
#    SENTINEL_MYID): a new id for the same announced address would leave a
#    stale duplicate entry in the other sentinels' tables;
#  * the current master is asked from peer sentinels (SENTINEL_PEERS) and,
#    if SENTINEL_MASTER_HOST turns out to be a replica now, its master is
#    monitored instead. Replicas and other sentinels are rediscovered by
#    sentinel itself within seconds (INFO + hello messages).
set -eu

log() { echo "sentinel-entrypoint: $*" >&2; }

# Valkey images ship valkey-server/valkey-cli (official ones also redis-* links): use the
# image's own names.
if command -v valkey-server >/dev/null 2>&1; then
  : "${SERVER_BIN:=valkey-server}" "${CLI_BIN:=valkey-cli}"
else
  : "${SERVER_BIN:=redis-server}" "${CLI_BIN:=redis-cli}"
fi

: "${SENTINEL_CONF:=/data/sentinel.conf}"
: "${SENTINEL_TEMPLATE:=/usr/local/etc/redis/sentinel.conf.tpl}"
: "${SENTINEL_PORT:=26379}"
: "${SENTINEL_BIND:=}"
: "${SENTINEL_DIR:=$(dirname "$SENTINEL_CONF")}"
: "${SENTINEL_MASTER_NAME:=mymaster}"
: "${SENTINEL_MASTER_HOST:=redis-master}"
: "${SENTINEL_MASTER_PORT:=6379}"
: "${SENTINEL_QUORUM:=2}"
: "${SENTINEL_DOWN_AFTER:=1000}"
: "${SENTINEL_FAILOVER_TIMEOUT:=10000}"
: "${SENTINEL_PARALLEL_SYNCS:=1}"
: "${SENTINEL_MASTER_REBOOT_DOWN_AFTER:=}"
: "${SENTINEL_RESOLVE_HOSTNAMES:=yes}"
: "${SENTINEL_ANNOUNCE_HOSTNAMES:=yes}"
: "${SENTINEL_ANNOUNCE_HOSTNAME:=}"
: "${SENTINEL_ANNOUNCE_PORT:=}"
: "${REDIS_PASSWORD:=}"
: "${SENTINEL_AUTH_PASS:=$REDIS_PASSWORD}"
: "${SENTINEL_AUTH_USER:=}"
: "${SENTINEL_REQUIREPASS:=}"
: "${SENTINEL_MYID:=}"
: "${SENTINEL_KEEP_MYID:=yes}"
: "${SENTINEL_PEERS:=}"
: "${SENTINEL_FOLLOW_REPLICA:=yes}"
: "${SENTINEL_WAIT_MASTER:=30}"

# Never block on a frozen (docker pause'd) peer: bound every probe.
# An empty REDISCLI_AUTH would still make redis-cli send AUTH, so only set
# it when there is a password.
probe() { # password host port cmd...
  (
    # valkey-cli reads VALKEYCLI_AUTH (and REDISCLI_AUTH too, for compatibility)
    if [ -n "$1" ]; then REDISCLI_AUTH=$1 VALKEYCLI_AUTH=$1; export REDISCLI_AUTH VALKEYCLI_AUTH; else unset REDISCLI_AUTH VALKEYCLI_AUTH; fi
    h=$2 p=$3; shift 3
    if command -v timeout >/dev/null 2>&1; then
      # INT, not TERM: busybox sh would log "Terminated" for each timeout
      timeout -s INT 2 "$CLI_BIN" --no-auth-warning -h "$h" -p "$p" "$@" 2>/dev/null
    else
      "$CLI_BIN" --no-auth-warning -h "$h" -p "$p" "$@" 2>/dev/null
    fi
  ) 2>/dev/null
}
data_probe() { probe "$SENTINEL_AUTH_PASS" "$@"; }
peer_probe() { probe "$SENTINEL_REQUIREPASS" "$@"; }

# --- 1. who is the master right now? ------------------------------------------
# (work happens in functions: they get their own "$@", so the container's
# CMD args survive untouched for the final exec)
master_host=$SENTINEL_MASTER_HOST
master_port=$SENTINEL_MASTER_PORT

ask_peers() {
  for peer in $SENTINEL_PEERS; do
    ph=${peer%:*} pp=${peer##*:}
    [ "$pp" != "$peer" ] || pp=26379
    [ "$ph" != "$SENTINEL_ANNOUNCE_HOSTNAME" ] || continue   # that is us
    addr=$(peer_probe "$ph" "$pp" SENTINEL get-master-addr-by-name "$SENTINEL_MASTER_NAME" | tr '\n' ' ') || addr=
    set -- $addr
    if [ $# -eq 2 ] && [ -n "$1" ]; then
      master_host=$1 master_port=$2
      log "peer $ph:$pp says $SENTINEL_MASTER_NAME is at $master_host:$master_port"
      return 0
    fi
  done
}

follow_replica() {
  info=$(data_probe "$master_host" "$master_port" INFO replication | tr -d '\r') || info=
  printf '%s\n' "$info" | grep -q '^role:slave' || return 0
  mh=$(printf '%s\n' "$info" | sed -n 's/^master_host://p')
  mp=$(printf '%s\n' "$info" | sed -n 's/^master_port://p')
  if [ -n "$mh" ] && [ -n "$mp" ]; then
    log "$master_host:$master_port is a replica of $mh:$mp; monitoring that instead"
    master_host=$mh master_port=$mp
  fi
}

# A name not yet in compose DNS does not stop sentinel 7.0 (it logs "Failed
# to resolve hostname" every second) but it counts the master as down and
# finds no replicas meanwhile; start once the master answers, bounded.
wait_master() {
  deadline=$(( $(date +%s) + SENTINEL_WAIT_MASTER ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    out=$(data_probe "$master_host" "$master_port" PING) || out=
    [ -z "$out" ] || return 0
    sleep 1
  done
  log "WARNING: $master_host:$master_port not reachable after ${SENTINEL_WAIT_MASTER}s, starting anyway"
}

ask_peers
[ "$SENTINEL_FOLLOW_REPLICA" != yes ] || follow_replica
wait_master

# --- 2. render ------------------------------------------------------------------
if [ -z "$SENTINEL_MYID" ] && [ "$SENTINEL_KEEP_MYID" = yes ] && [ -f "$SENTINEL_CONF" ]; then
  SENTINEL_MYID=$(sed -n 's/^sentinel myid \([0-9a-fA-F]\{40\}\)$/\1/p' "$SENTINEL_CONF" | head -n1)
fi
SENTINEL_MASTER_HOST=$master_host
SENTINEL_MASTER_PORT=$master_port

# Escape for a "quoted" redis config string (\ and "), then for sed (\ | &).
esc() { printf '%s' "$1" | sed -e 's/[\\"]/\\&/g' -e 's/[\\|&]/\\&/g'; }
render() {
  set --
  for var in SENTINEL_PORT SENTINEL_BIND SENTINEL_DIR SENTINEL_REQUIREPASS \
    SENTINEL_RESOLVE_HOSTNAMES SENTINEL_ANNOUNCE_HOSTNAMES \
    SENTINEL_ANNOUNCE_HOSTNAME SENTINEL_ANNOUNCE_PORT SENTINEL_MYID \
    SENTINEL_MASTER_NAME SENTINEL_MASTER_HOST SENTINEL_MASTER_PORT \
    SENTINEL_QUORUM SENTINEL_DOWN_AFTER SENTINEL_FAILOVER_TIMEOUT \
    SENTINEL_PARALLEL_SYNCS SENTINEL_MASTER_REBOOT_DOWN_AFTER \
    SENTINEL_AUTH_USER SENTINEL_AUTH_PASS; do
    eval "val=\${$var}"
    if [ -z "$val" ]; then
      set -- "$@" -e "/@$var@/d"          # optional setting left unset
    else
      set -- "$@" -e "s|@$var@|$(esc "$val")|g"
    fi
  done

  mkdir -p "$(dirname "$SENTINEL_CONF")"
  tmp="$SENTINEL_CONF.tmp.$$"
  sed "$@" "$SENTINEL_TEMPLATE" >"$tmp"
  left=$(grep -v '^#' "$tmp" | grep -o '@[A-Z_]*@' | sort -u | tr '\n' ' ') || left=
  if [ -n "$left" ]; then
    log "ERROR: unrendered placeholders in $SENTINEL_TEMPLATE: $left"
    rm -f "$tmp"
    exit 1
  fi
  mv -f "$tmp" "$SENTINEL_CONF"
}
render
log "rendered $SENTINEL_CONF: monitor $SENTINEL_MASTER_NAME $master_host:$master_port" \
  "quorum=$SENTINEL_QUORUM down-after=$SENTINEL_DOWN_AFTER failover-timeout=$SENTINEL_FAILOVER_TIMEOUT" \
  "announce=${SENTINEL_ANNOUNCE_HOSTNAME:-<container ip>} myid=${SENTINEL_MYID:-<new>}"

# --- 3. run -----------------------------------------------------------------------
# Official images drop to their own user (redis, valkey) in docker-entrypoint.sh (which chowns
# the cwd, /data); reuse it. The offline image has none and runs as root.
if [ "$(id -u)" = 0 ] && command -v docker-entrypoint.sh >/dev/null 2>&1; then
  chown "${SERVER_BIN%-server}" "$SENTINEL_CONF" "$(dirname "$SENTINEL_CONF")" 2>/dev/null || true
  exec docker-entrypoint.sh "$SERVER_BIN" "$SENTINEL_CONF" --sentinel "$@"
fi
exec "$SERVER_BIN" "$SENTINEL_CONF" --sentinel "$@"
