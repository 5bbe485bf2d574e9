#!/usr/bin/env bash
# Point-in-time restore from physical backups (physical-backup.sh) into a fresh data directory, served
# by a MariaDB of its own on a loopback port, then the archived binary logs replayed up to a moment
# (docs/operations.md § Physical backups):
#   physical-restore.sh <backup-root>/phys-<stamp>-{full,inc} '<YYYY-MM-DD HH:MM:SS UTC>' <new datadir> [<binlog dir>]
# The backup named is the last one applied: an incremental one brings its chain (its base, that one's
# base … down to the full one). The backups themselves are never changed: the full one is copied to
# <new datadir>.prepare, prepared there with each incremental in order, and moved into <new datadir>,
# which must not exist or be empty. The server started on it (RESTORE_PORT, default 3398, 127.0.0.1
# only; socket, pid file and error log next to the datadir as <new datadir>.sock/.pid/.err) writes no
# binary log and is left running for the checks: `npm run ledger:check` against it, then either point
# the cores at it or stop it (kill "$(cat <new datadir>.pid)"). Every transaction committed before the
# moment is restored, none after (whole seconds, the moment's second excluded, as restore.sh).
# Run as root on a host with mariadb-backup and mariadbd of the same version as the backed-up server.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
LAST=${1:?usage: physical-restore.sh <backup dir> '<YYYY-MM-DD HH:MM:SS>' <new datadir> [binlog dir]}
UNTIL=${2:?the moment to restore to, UTC, YYYY-MM-DD HH:MM:SS}
DATA=$(realpath -m "${3:?the new data directory}")
[ -d "$LAST" ] || { echo "no backup directory $LAST" >&2; exit 2; }
LAST=$(cd "$LAST" && pwd)
BINLOGS=${4:-$(dirname "$LAST")/binlogs}
PORT=${RESTORE_PORT:-3398}
[[ "$UNTIL" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || { echo "moment not YYYY-MM-DD HH:MM:SS: $UNTIL" >&2; exit 2; }
command -v mariadb-backup >/dev/null || { echo "mariadb-backup is not installed (apt-get install mariadb-backup)" >&2; exit 2; }
[ ! -e "$DATA" ] || [ -z "$(ls -A "$DATA")" ] || { echo "$DATA is not empty: restore into a fresh directory" >&2; exit 2; }
[ ! -e "$DATA.prepare" ] || { echo "$DATA.prepare exists (an earlier run?): remove it first" >&2; exit 2; }
[ -s "$LAST/position" ] || { echo "$LAST is not a physical backup (no position file)" >&2; exit 2; }

# The chain, full backup first: each incremental names its base in the file base.
chain=("$LAST")
while [ -s "${chain[0]}/base" ]; do
  chain=("$(dirname "$LAST")/$(cat "${chain[0]}/base")" "${chain[@]}")
  [ -d "${chain[0]}" ] || { echo "the chain's backup ${chain[0]} is missing" >&2; exit 1; }
done
read -r first position <"$LAST/position"
mapfile -t files < <(cd "$BINLOGS" && ls | grep -E '\.[0-9]{6}$' | sort | awk -v f="$first" '$0 >= f')
[ "${#files[@]}" -gt 0 ] && [ "${files[0]}" = "$first" ] || { echo "binlog $first is not in $BINLOGS" >&2; exit 1; }

log "preparing ${chain[0]##*/} with ${#chain[@]} backup(s) in $DATA.prepare"
mkdir -p "$(dirname "$DATA")"
cp -a "${chain[0]}" "$DATA.prepare"
mariadb-backup --prepare --target-dir="$DATA.prepare" 2>"$DATA.prepare.log"
for inc in "${chain[@]:1}"; do
  mariadb-backup --prepare --target-dir="$DATA.prepare" --incremental-dir="$inc" 2>>"$DATA.prepare.log"
done
mkdir -p "$DATA"
mariadb-backup --move-back --target-dir="$DATA.prepare" --datadir="$DATA" 2>>"$DATA.prepare.log"
rm -rf "$DATA.prepare"
chown -R mysql:mysql "$DATA"

log "starting the restored server on 127.0.0.1:$PORT"
# No binary log while the old one is replayed into it; binlog.cnf comes with the move to production.
setsid mariadbd --no-defaults --user=mysql --datadir="$DATA" --port="$PORT" --bind-address=127.0.0.1 \
  --socket="$DATA.sock" --pid-file="$DATA.pid" --log-error="$DATA.err" --skip-log-bin \
  --skip-name-resolve </dev/null >/dev/null 2>&1 &
# The restored grants are production's: root connects over the socket (unix_socket), or give
# RESTORE_USER and MYSQL_PWD.
restored=(--no-defaults --socket="$DATA.sock" -u "${RESTORE_USER:-root}")
for ((i = 0; ; i++)); do
  mariadb "${restored[@]}" -e 'SELECT 1' >/dev/null 2>&1 && break
  [ "$i" -lt 600 ] || { echo "the restored server did not start: see $DATA.err" >&2; exit 1; }
  sleep 0.1
done

log "replaying ${#files[@]} binlog file(s) from $first:$position until $UNTIL UTC"
(cd "$BINLOGS" && TZ=UTC mariadb-binlog --start-position="$position" --stop-datetime="$UNTIL" "${files[@]}") |
  mariadb "${restored[@]}"
log "restored to $UNTIL UTC on 127.0.0.1:$PORT (pid $(cat "$DATA.pid")); now run: DATABASE_URL=mysql://…@127.0.0.1:$PORT/$DB_NAME npm run ledger:check"
echo "$DATA"
