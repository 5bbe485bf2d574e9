#!/usr/bin/env bash
# Copies the server's closed binary logs to <backup-root>/binlogs/ (run every few minutes from cron:
# the interval is how much a lost server can lose; or keep `mariadb-binlog --stop-never` streaming):
#   archive-binlogs.sh <backup-root>
# Reads them over the SQL port (needs REPLICATION SLAVE), so it runs on the backup host, not the
# database host. The current file is closed first (FLUSH BINARY LOGS) so everything up to now is copied.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
ROOT=${1:?usage: archive-binlogs.sh <backup-root>}
mkdir -p "$ROOT/binlogs"

sql "FLUSH BINARY LOGS"
mapfile -t logs < <(sql "SHOW BINARY LOGS")
last=$((${#logs[@]} - 1))
archived=none
for ((i = 0; i < last; i++)); do # every file but the newest, which the flush just opened
  read -r file size _ <<<"${logs[$i]}"
  # A closed file never changes: copied once, again only when a copy was cut short.
  [ "$(stat -c %s "$ROOT/binlogs/$file" 2>/dev/null)" = "$size" ] && continue
  mariadb-binlog "${DB_ARGS[@]}" --read-from-remote-server --raw --result-file="$ROOT/binlogs/" "$file"
  archived=$file
done
log "archived up to ${logs[$((last - 1))]%%[[:space:]]*} (newly: $archived)"
