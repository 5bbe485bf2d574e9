#!/usr/bin/env bash
# Point-in-time restore: a full backup, then the archived binary logs replayed up to a moment:
#   restore.sh <backup-root>/full-<stamp> '<YYYY-MM-DD HH:MM:SS UTC>' [<binlog dir>]
# into the server DB_DEFAULTS / DB_HOST points at — a restore server, or the production server with
# the services stopped. The database DB_NAME must not exist there (drop or rename it first: this
# script never drops anything). Every transaction committed before the moment is restored, none after
# (binary-log times have whole seconds: the moment's second is excluded). Then run `npm run ledger:check`.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
FULL=${1:?usage: restore.sh <full backup dir> '<YYYY-MM-DD HH:MM:SS>' [binlog dir]}
UNTIL=${2:?the moment to restore to, UTC, YYYY-MM-DD HH:MM:SS}
BINLOGS=${3:-$(dirname "$FULL")/binlogs}
[[ "$UNTIL" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || { echo "moment not YYYY-MM-DD HH:MM:SS: $UNTIL" >&2; exit 2; }
[ -z "$(sql "SHOW DATABASES LIKE '$DB_NAME'")" ] || { echo "database $DB_NAME exists on the target: drop or rename it first" >&2; exit 2; }

read -r first position <"$FULL/position"
mapfile -t files < <(cd "$BINLOGS" && ls | grep -E '\.[0-9]{6}$' | sort | awk -v f="$first" '$0 >= f')
[ "${#files[@]}" -gt 0 ] && [ "${files[0]}" = "$first" ] || { echo "binlog $first is not in $BINLOGS" >&2; exit 1; }

log "loading $FULL/dump.sql.gz"
gunzip -c "$FULL/dump.sql.gz" | mariadb "${DB_ARGS[@]}"
log "replaying ${#files[@]} binlog file(s) from $first:$position until $UNTIL UTC"
# mariadb-binlog reads --stop-datetime in its own time zone: UTC here, as the argument is.
(cd "$BINLOGS" && TZ=UTC mariadb-binlog --start-position="$position" --stop-datetime="$UNTIL" "${files[@]}") |
  mariadb "${DB_ARGS[@]}"
log "restored $DB_NAME to $UNTIL UTC; now run: DATABASE_URL=… npm run ledger:check"
