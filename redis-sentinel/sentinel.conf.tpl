# Rendered by entrypoint.sh at every container start -- edit the template,
# not /data/sentinel.conf (sentinel rewrites that file at runtime).
# @NAME@ placeholders are replaced from the environment; lines whose value is
# empty are dropped by the entrypoint (optional settings). Secrets are quoted
# so they may contain spaces; the entrypoint escapes \ and ".
port @SENTINEL_PORT@
bind @SENTINEL_BIND@
# Containers: clients come from other addresses, there is no loopback peer.
protected-mode no
dir @SENTINEL_DIR@
logfile ""
requirepass "@SENTINEL_REQUIREPASS@"
sentinel sentinel-pass "@SENTINEL_REQUIREPASS@"

# Required for a hostname in "sentinel monitor" (without it: fatal "Can't
# resolve instance hostname." at load) and for announced replica names.
sentinel resolve-hostnames @SENTINEL_RESOLVE_HOSTNAMES@
sentinel announce-hostnames @SENTINEL_ANNOUNCE_HOSTNAMES@
sentinel announce-ip @SENTINEL_ANNOUNCE_HOSTNAME@
sentinel announce-port @SENTINEL_ANNOUNCE_PORT@
sentinel myid @SENTINEL_MYID@

sentinel monitor @SENTINEL_MASTER_NAME@ @SENTINEL_MASTER_HOST@ @SENTINEL_MASTER_PORT@ @SENTINEL_QUORUM@
sentinel down-after-milliseconds @SENTINEL_MASTER_NAME@ @SENTINEL_DOWN_AFTER@
sentinel failover-timeout @SENTINEL_MASTER_NAME@ @SENTINEL_FAILOVER_TIMEOUT@
sentinel parallel-syncs @SENTINEL_MASTER_NAME@ @SENTINEL_PARALLEL_SYNCS@
# A master that restarts (a new run id) within this period is taken as down: optional.
sentinel master-reboot-down-after-period @SENTINEL_MASTER_NAME@ @SENTINEL_MASTER_REBOOT_DOWN_AFTER@
sentinel auth-user @SENTINEL_MASTER_NAME@ "@SENTINEL_AUTH_USER@"
sentinel auth-pass @SENTINEL_MASTER_NAME@ "@SENTINEL_AUTH_PASS@"
