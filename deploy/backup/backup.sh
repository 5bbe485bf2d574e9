#!/usr/bin/env bash
# A full, consistent backup of the platform's database, the starting point of a point-in-time
# restore (docs/operations.md § Backup and point-in-time restore):
#   backup.sh <backup-root>
# writes <backup-root>/full-<UTC stamp>/ with
#   dump.sql.gz   mariadb-dump --single-transaction: one InnoDB snapshot, no table locked for its length
#   position      "<binlog file> <position>": where the binary log continues from that snapshot
# The server must write binary logs (binlog.cnf). For large databases, physical-backup.sh takes
# mariadb-backup copies instead; see docs/operations.md for when to switch to it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
ROOT=${1:?usage: backup.sh <backup-root>}

[ "$(sql "SELECT @@log_bin")" = 1 ] || { echo "the server writes no binary log: see deploy/backup/binlog.cnf" >&2; exit 2; }
dir="$ROOT/full-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
log "dumping $DB_NAME to $dir"
# --master-data=2 writes the binlog position of the snapshot as a comment; --flush-logs starts a new
# binlog file at it, so the restore replays whole files from there.
mariadb-dump "${DB_ARGS[@]}" --single-transaction --master-data=2 --flush-logs \
  --routines --triggers --events --hex-blob --databases "$DB_NAME" | gzip >"$dir/dump.sql.gz.part"
mv "$dir/dump.sql.gz.part" "$dir/dump.sql.gz"
# (sed reads the whole dump: a reader that stops early would end gunzip by SIGPIPE)
gunzip -c "$dir/dump.sql.gz" |
  sed -n "1,60s/^-- CHANGE MASTER TO MASTER_LOG_FILE='\([^']*\)', MASTER_LOG_POS=\([0-9]*\);.*/\1 \2/p" >"$dir/position"
[ -s "$dir/position" ] || { echo "no binlog position in the dump" >&2; exit 1; }
log "done: $(cat "$dir/position")"
echo "$dir"
