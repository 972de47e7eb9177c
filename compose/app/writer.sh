#!/bin/sh
# Writes through Sentinel like a real client: ask a sentinel where the master
# is, write there, and on any error (timeout, READONLY after a demotion,
# connection refused) forget the master and ask the sentinels again.
# One line per write or error on stdout, for `compose logs -f app`.
set -u

: "${SENTINEL_MASTER_NAME:=mymaster}"
: "${SENTINELS:=sentinel-1:26379 sentinel-2:26379 sentinel-3:26379}"
: "${APP_INTERVAL:=0.3}"       # seconds between writes
: "${APP_KEY:=sentui:counter}"
: "${APP_TIMEOUT:=2}"          # a paused master hangs, it does not refuse
: "${REDIS_PASSWORD:=}"       # for the data nodes
: "${SENTINEL_PASSWORD:=}"    # for the sentinels
unset REDISCLI_AUTH VALKEYCLI_AUTH
# valkey-cli on Valkey images, redis-cli elsewhere
CLI_BIN=$(command -v valkey-cli || command -v redis-cli)

trap 'echo "$(ts) app: stopping"; exit 0' TERM INT

ts() { date '+%H:%M:%S'; }
# cli PASSWORD args...; an empty REDISCLI_AUTH would still send AUTH.
# Replies and redis-cli errors go to stdout. SIGINT rather than SIGTERM on
# timeout: busybox sh reports TERM-killed jobs ("Terminated") on stderr.
cli() {
  (
    [ -z "$1" ] || { REDISCLI_AUTH=$1 VALKEYCLI_AUTH=$1; export REDISCLI_AUTH VALKEYCLI_AUTH; }
    shift
    timeout -s INT "$APP_TIMEOUT" "$CLI_BIN" --no-auth-warning "$@" 2>&1
  ) 2>/dev/null
}

master=
discover() {
  for s in $SENTINELS; do
    addr=$(cli "$SENTINEL_PASSWORD" -h "${s%:*}" -p "${s##*:}" SENTINEL get-master-addr-by-name "$SENTINEL_MASTER_NAME" | tr '\n' ' ')
    set -- $addr
    if [ $# -eq 2 ] && [ "$2" -eq "$2" ] 2>/dev/null; then
      # Sentinel may still point at a demoted node right after a failover
      # if asked early; a real client checks ROLE, so do we.
      role=$(cli "$REDIS_PASSWORD" -h "$1" -p "$2" ROLE | head -n1)
      if [ "$role" = master ]; then
        [ "$master" = "$1:$2" ] || echo "$(ts) app: master is $1:$2 (from $s)"
        master="$1:$2"
        return 0
      fi
      echo "$(ts) app: $s says $1:$2 but its role is '${role:-unreachable}'"
    else
      echo "$(ts) app: sentinel $s: ${addr:-no answer}"
    fi
  done
  master=
  return 1
}

n=0
while :; do
  if [ -z "$master" ] && ! discover; then
    sleep 1
    continue
  fi
  n=$((n + 1))
  # redis-cli exits 0 even on error replies (READONLY...): check the reply.
  out=$(cli "$REDIS_PASSWORD" -h "${master%:*}" -p "${master##*:}" INCR "$APP_KEY")
  if [ "$out" -eq "$out" ] 2>/dev/null; then
    out2=$(cli "$REDIS_PASSWORD" -h "${master%:*}" -p "${master##*:}" SET sentui:last "$(ts) write $n")
    [ "$out2" = OK ] || out="$out, SET: $out2"
  fi
  case "$out" in
    *[!0-9]*|'')
      echo "$(ts) write ERROR #$n master=$master: $(echo "${out:-timeout}" | tr '\n' ' ')- re-asking sentinels"
      master= ;;
    *)
      echo "$(ts) write ok #$n master=$master $APP_KEY=$out" ;;
  esac
  sleep "$APP_INTERVAL"
done
