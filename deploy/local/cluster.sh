#!/usr/bin/env bash
# Brings a whole HA cluster up on ONE machine, on loopback ports, for tests and demos:
#   3 MariaDB Galera nodes   SQL 3311-3313, gcomm 4561-4563, IST 4571-4573, SST 4581-4583
#   HAProxy (one writer)     3310  -> the cores' DATABASE_URL is mysql://app:app@127.0.0.1:3310/campus_card
#   Redis master + replica   6381, 6382
#   3 Redis Sentinels        26381-26383 (master name "mymaster")
# Every process runs from $CLUSTER_DIR (default /tmp/campus-card-cluster) with its own config and
# data; nothing touches /etc/mysql, /var/lib/mysql or the shared services on 3306 / 6379.
#
#   cluster.sh up            create (first time) or restart everything; waits until writes work
#   cluster.sh down          stop every process this script started and delete $CLUSTER_DIR
#   cluster.sh status        node states, HAProxy's view, Redis roles
#   cluster.sh kill <n>      kill -9 Galera node n (1-3)
#   cluster.sh rejoin <n>    restart node n after a crash, by IST (recovers its position first)
#   cluster.sh writer        the node HAProxy currently sends writes to (n1/n2/n3)
#   cluster.sh cores-lb up <port> <host:port>...   HAProxy for N cores (deploy/haproxy/cores.cfg) on <port>
#   cluster.sh cores-lb down | status               stop it / each core's state as HAProxy sees it
#
# The same config templates are used on real hosts: see deploy/README.md and docs/operations.md.
set -euo pipefail

R=${CLUSTER_DIR:-/tmp/campus-card-cluster}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPLOY=$(dirname "$HERE")
HAPROXY_PORT=3310
REDIS_PORTS=(6381 6382)
SENTINEL_PORTS=(26381 26382 26383)
PEERS=127.0.0.1:4561,127.0.0.1:4562,127.0.0.1:4563

case "$R" in /root | /root/*) echo "CLUSTER_DIR must be traversable by the mysql user (not under /root)" >&2; exit 2 ;; esac

log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
need() { command -v "$1" >/dev/null || { echo "missing $1 ($2)" >&2; exit 2; }; }

sql() { # sql <n> <statement>: as root over node n's own socket
  mariadb --defaults-file="$R/n$1/my.cnf" -uroot -N -B -e "$2"
}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
node_alive() { alive "$R/n$1/mysqld.pid"; }
node_state() { # "Primary,4" when the node is in the primary component and Synced
  sql "$1" "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('wsrep_cluster_status','wsrep_local_state')" 2>/dev/null || true
}
wait_synced() {
  local i=$1 t
  for t in $(seq 1 240); do
    [ "$(node_state "$i")" = "Primary,4" ] && return 0
    node_alive "$i" || { log "n$i exited; tail of its error.log:"; tail -20 "$R/n$i/error.log" >&2; return 1; }
    sleep 0.25
  done
  log "n$i not Synced after 60 s"; tail -20 "$R/n$i/error.log" >&2; return 1
}

render_node() {
  local i=$1
  mkdir -p "$R/n$i"
  sed -e "s#@DIR@#$R/n$i#g" -e "s#@NAME@#n$i#g" -e "s#@ADDR@#127.0.0.1#g" \
    -e "s#@SQL_PORT@#331$i#g" -e "s#@GCOMM_PORT@#456$i#g" -e "s#@IST_PORT@#457$i#g" \
    -e "s#@SST_PORT@#458$i#g" -e "s#@PEERS@#$PEERS#g" -e "s#@BUFFER_POOL@#64M#g" \
    "$DEPLOY/galera/node.cnf" >"$R/n$i/my.cnf"
}

start_node() { # start_node <n> [extra mariadbd args]
  local i=$1; shift
  node_alive "$i" && return 0
  chown -R mysql:mysql "$R/n$i"
  setsid mariadbd --defaults-file="$R/n$i/my.cnf" "$@" >>"$R/n$i/stdout.log" 2>&1 </dev/null &
  local pid=$!
  # mariadbd writes its pid-file itself once it runs; wait for it.
  for _ in $(seq 1 80); do [ -s "$R/n$i/mysqld.pid" ] && break; sleep 0.1; done
  # A joiner writes it only after its state transfer, which took more than 8 s on a loaded machine:
  # until then the pid we started stands for it, so a slow joiner is not taken for a dead one (and
  # `down` can still stop it).
  # The file stays the mysql user's: mariadbd rewrites it when it gets there.
  [ -s "$R/n$i/mysqld.pid" ] || { echo "$pid" >"$R/n$i/mysqld.pid" && chown mysql:mysql "$R/n$i/mysqld.pid"; }
}

safe_to_bootstrap() { grep -q '^safe_to_bootstrap: 1' "$R/n$1/data/grastate.dat" 2>/dev/null; }

recovered_position() { # runs --wsrep-recover and prints <uuid>:<seqno>
  local i=$1
  chown -R mysql:mysql "$R/n$i"
  mariadbd --defaults-file="$R/n$i/my.cnf" --wsrep-recover >>"$R/n$i/stdout.log" 2>&1 </dev/null || true
  grep 'Recovered position:' "$R/n$i/error.log" | tail -1 | sed 's/.*position: *//'
}

galera_up() {
  local i fresh=0
  for i in 1 2 3; do render_node "$i"; done
  if [ ! -d "$R/n1/data/mysql" ]; then
    fresh=1
    for i in 1 2 3; do
      mkdir -p "$R/n$i/data"; chown -R mysql:mysql "$R/n$i"
      mariadb-install-db --no-defaults --user=mysql --datadir="$R/n$i/data" --skip-test-db >"$R/n$i/install.log" 2>&1
    done
  fi
  if ! node_alive 1 && ! node_alive 2 && ! node_alive 3; then
    # Nobody runs: bootstrap from the node that may (after a clean stop, the last one stopped).
    local boot=1
    if [ $fresh = 0 ]; then
      boot=""
      for i in 1 2 3; do safe_to_bootstrap "$i" && boot=$i && break; done
      if [ -z "$boot" ]; then
        # All crashed: the highest recovered seqno wins.
        local best=-2 pos seq
        for i in 1 2 3; do
          pos=$(recovered_position "$i"); seq=${pos##*:}
          [ -n "$seq" ] && [ "$seq" -gt "$best" ] && best=$seq && boot=$i
        done
        sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$R/n$boot/data/grastate.dat"
      fi
    fi
    log "bootstrapping the cluster from n$boot"
    start_node "$boot" --wsrep-new-cluster
    wait_synced "$boot"
    if [ $fresh = 1 ]; then
      sed -e 's#@CLIENT_HOST@#127.0.0.1#g' -e 's#@APP_PASSWORD@#app#g' -e 's#@CHECK_HOST@#127.0.0.1#g' \
        "$DEPLOY/galera/bootstrap.sql" | mariadb --defaults-file="$R/n$boot/my.cnf" -uroot
      sql "$boot" "CREATE DATABASE IF NOT EXISTS campus_card CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    fi
  fi
  for i in 1 2 3; do
    node_alive "$i" && continue
    if [ $fresh = 1 ]; then log "starting n$i (joins by SST)"; start_node "$i"; else rejoin_start "$i"; fi
  done
  for i in 1 2 3; do wait_synced "$i"; done
  log "galera: 3 nodes Synced"
}

haproxy_up() {
  need haproxy "apt-get install -y haproxy"
  cp "$DEPLOY/haproxy/galera-check.sh" "$R/galera-check.sh"; chmod +x "$R/galera-check.sh"
  sed -e "s#@DIR@#$R#g" -e "s#@CHECK@#$R/galera-check.sh#g" -e "s#@LISTEN@#127.0.0.1:$HAPROXY_PORT#g" \
    -e "s#@N1@#127.0.0.1:3311#g" -e "s#@N2@#127.0.0.1:3312#g" -e "s#@N3@#127.0.0.1:3313#g" \
    "$DEPLOY/haproxy/haproxy.cfg" >"$R/haproxy.cfg"
  haproxy -c -q -f "$R/haproxy.cfg"
  if alive "$R/haproxy.pid" && ! cmp -s "$R/haproxy.cfg" "$R/haproxy.cfg.running"; then
    stop_pidfile "$R/haproxy.pid"
  fi
  cp "$R/haproxy.cfg" "$R/haproxy.cfg.running"
  if ! alive "$R/haproxy.pid"; then
    # -db keeps it in the foreground (and it then writes no pidfile): keep $! ourselves.
    setsid haproxy -db -f "$R/haproxy.cfg" >>"$R/haproxy.log" 2>&1 </dev/null &
    echo $! >"$R/haproxy.pid"
  fi
  for _ in $(seq 1 100); do
    mariadb --no-defaults -h127.0.0.1 -P$HAPROXY_PORT -uapp -papp -N -B -e 'SELECT 1' >/dev/null 2>&1 && { log "haproxy: writes reach $(writer)"; return 0; }
    sleep 0.2
  done
  log "haproxy does not pass connections:"; tail -20 "$R/haproxy.log" >&2; return 1
}

redis_up() {
  need redis-server "apt-get install -y redis-server"
  need redis-sentinel "apt-get install -y redis-sentinel"
  mkdir -p "$R/redis"
  local p
  for p in "${REDIS_PORTS[@]}"; do
    alive "$R/redis/redis-$p.pid" && continue
    local of=""
    [ "$p" != "${REDIS_PORTS[0]}" ] && of="replicaof 127.0.0.1 ${REDIS_PORTS[0]}"
    sed -e "s#@PORT@#$p#g" -e "s#@ADDR@#127.0.0.1#g" -e "s#@DIR@#$R/redis#g" -e "s#@REPLICAOF@#$of#g" \
      "$DEPLOY/redis/redis.conf" >"$R/redis/redis-$p.conf"
    redis-server "$R/redis/redis-$p.conf"
  done
  for p in "${SENTINEL_PORTS[@]}"; do
    alive "$R/redis/sentinel-$p.pid" && continue
    # Sentinel rewrites its file: a fresh writable copy only the first time.
    [ -f "$R/redis/sentinel-$p.conf" ] || sed -e "s#@PORT@#$p#g" -e "s#@ADDR@#127.0.0.1#g" -e "s#@DIR@#$R/redis#g" \
      -e "s#@MASTER@#127.0.0.1 ${REDIS_PORTS[0]}#g" "$DEPLOY/redis/sentinel.conf" >"$R/redis/sentinel-$p.conf"
    redis-sentinel "$R/redis/sentinel-$p.conf"
  done
  for _ in $(seq 1 50); do
    redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name mymaster >/dev/null 2>&1 && { log "redis: master $(redis-cli -p "${SENTINEL_PORTS[0]}" sentinel get-master-addr-by-name mymaster | paste -sd:)"; return 0; }
    sleep 0.1
  done
  log "sentinel does not answer"; return 1
}

writer() { # the node a new connection through HAProxy lands on (the one writer)
  mariadb --no-defaults -h127.0.0.1 -P$HAPROXY_PORT -uapp -papp --connect-timeout=2 -N -B \
    -e 'SELECT @@wsrep_node_name' 2>/dev/null || echo none
}

status() {
  local i
  for i in 1 2 3; do
    if node_alive "$i"; then
      printf 'n%s pid %s  %s  size=%s\n' "$i" "$(cat "$R/n$i/mysqld.pid")" "$(node_state "$i")" \
        "$(sql "$i" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='wsrep_cluster_size'" 2>/dev/null)"
    else
      echo "n$i down"
    fi
  done
  if alive "$R/haproxy.pid"; then
    echo "haproxy pid $(cat "$R/haproxy.pid")"
    echo "show servers state galera_write" | socat - "unix-connect:$R/admin.sock" | awk 'NR>2 && NF>6 {print "  " $4 " op_state=" $6 " (2=UP 0=DOWN)"}'
    echo "show table galera_write" | socat - "unix-connect:$R/admin.sock" | sed 's/^/  /'
  else
    echo "haproxy down"
  fi
  local p
  for p in "${REDIS_PORTS[@]}"; do
    printf 'redis %s %s\n' "$p" "$(redis-cli -p "$p" info replication 2>/dev/null | grep '^role:' | tr -d '\r' || echo down)"
  done
  for p in "${SENTINEL_PORTS[@]}"; do
    printf 'sentinel %s master=%s\n' "$p" "$(redis-cli -p "$p" sentinel get-master-addr-by-name mymaster 2>/dev/null | paste -sd: || echo down)"
  done
}

stop_pidfile() { # SIGTERM then SIGKILL the process in a pidfile this script wrote or its child wrote
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

down() {
  local i p
  stop_pidfile "$R/haproxy.pid"
  stop_pidfile "$R/cores-haproxy.pid"
  for p in "${SENTINEL_PORTS[@]}"; do stop_pidfile "$R/redis/sentinel-$p.pid"; done
  for p in "${REDIS_PORTS[@]}"; do stop_pidfile "$R/redis/redis-$p.pid"; done
  for i in 3 2 1; do stop_pidfile "$R/n$i/mysqld.pid"; done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$R"
  log "down"
}

kill_node() {
  local i=$1
  node_alive "$i" || { log "n$i is not running"; return 1; }
  kill -9 "$(cat "$R/n$i/mysqld.pid")"
  log "n$i killed (-9)"
}

rejoin_start() { # after a crash grastate.dat says seqno -1 and a plain start does a full SST: recover first for IST
  local i=$1 pos
  rm -f "$R/n$i/mysqld.pid"
  # The peers are up, so the primary component need not be restored from disk: without
  # gvwstate.dat the node joins under a fresh identity. Once, restarting under its old one, n1
  # only logged "reconnecting to … attempt 0" to both peers every second and exited 9 s later.
  rm -f "$R/n$i/data/gvwstate.dat"
  pos=$(recovered_position "$i")
  log "n$i rejoins from ${pos:-nothing recovered (full SST)}"
  if [ -n "$pos" ]; then start_node "$i" --wsrep-start-position="$pos"; else start_node "$i"; fi
}

rejoin() {
  local i=$1
  node_alive "$i" && { log "n$i is running"; return 0; }
  rejoin_start "$i"
  wait_synced "$i"
  log "n$i Synced"
}

cores_lb_up() { # cores_lb_up <port> <host:port>...: HAProxy in front of the cores (HTTP, readiness check)
  local port=$1; shift
  [ $# -gt 0 ] || { echo "usage: cluster.sh cores-lb up <port> <host:port>..." >&2; exit 2; }
  need haproxy "apt-get install -y haproxy"
  mkdir -p "$R"
  local servers="" i=0 addr
  for addr in "$@"; do i=$((i + 1)); servers+="    server c$i $addr check"$'\n'; done
  local cfg="$R/cores-haproxy.cfg"
  awk -v dir="$R" -v listen="127.0.0.1:$port" -v servers="$servers" \
    '{ gsub(/@DIR@/, dir); gsub(/@LISTEN@/, listen); if ($0 == "@SERVERS@") { printf "%s", servers; next } print }' \
    "$DEPLOY/haproxy/cores.cfg" >"$cfg"
  haproxy -c -q -f "$cfg"
  stop_pidfile "$R/cores-haproxy.pid"
  setsid haproxy -db -f "$cfg" >>"$R/cores-haproxy.log" 2>&1 </dev/null &
  echo $! >"$R/cores-haproxy.pid"
  for _ in $(seq 1 100); do
    [ -S "$R/cores-admin.sock" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null && { log "cores-lb: 127.0.0.1:$port -> $*"; return 0; }
    sleep 0.2
  done
  log "cores-lb: no core answers through 127.0.0.1:$port"; tail -5 "$R/cores-haproxy.log" >&2; return 1
}

cores_lb_status() {
  alive "$R/cores-haproxy.pid" || { echo "cores-lb down"; return 0; }
  echo "show servers state cores" | socat - "unix-connect:$R/cores-admin.sock" | awk 'NR>2 && NF>6 {print $4 " " $5 " op_state=" $6 " (2=UP 0=DOWN)"}'
}

case "${1:-}" in
  cores-lb)
    case "${2:-}" in
      up) shift 2; cores_lb_up "$@" ;;
      down) stop_pidfile "$R/cores-haproxy.pid"; log "cores-lb down" ;;
      status) cores_lb_status ;;
      *) echo "usage: cluster.sh cores-lb up <port> <host:port>... | down | status" >&2; exit 2 ;;
    esac ;;
  up)
    need mariadbd "apt-get install -y mariadb-server galera-4"
    need socat "apt-get install -y socat"
    [ -f /usr/lib/galera/libgalera_smm.so ] || { echo "missing galera-4" >&2; exit 2; }
    mkdir -p "$R"; chmod 755 "$R"
    galera_up; haproxy_up; redis_up ;;
  down) down ;;
  status) status ;;
  kill | rejoin)
    case "${2:-}" in 1 | 2 | 3) ;; *) echo "usage: cluster.sh $1 1|2|3" >&2; exit 2 ;; esac
    if [ "$1" = kill ]; then kill_node "$2"; else rejoin "$2"; fi ;;
  writer) writer ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
