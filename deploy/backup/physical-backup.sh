#!/usr/bin/env bash
# A physical backup with mariadb-backup (Debian package mariadb-backup), next to the logical backup.sh:
# the server's data files copied while it runs, then only the pages changed since, each with the
# binary-log position it stands at, so physical-restore.sh replays the binlogs from there
# (docs/operations.md § Physical backups):
#   physical-backup.sh full <backup-root>          writes <backup-root>/phys-<UTC stamp>-full/
#   physical-backup.sh incremental <backup-root>   writes <backup-root>/phys-<UTC stamp>-inc/ on top of
#                                                  the newest phys-* backup there (named in its file base)
# Each directory also holds position ("<binlog file> <position>", as backup.sh writes it).
# Runs ON the database host, as root or mysql: mariadb-backup reads the data directory's files.
# DB_DEFAULTS / DB_HOST… (common.sh) name the server to connect to; give a client option file there
# ([client] only: mariadb-backup also reads a server's [mysqld] group, whose user= is not a login).
# The account needs RELOAD, PROCESS, LOCK TABLES and BINLOG MONITOR. The whole server is copied, not
# only DB_NAME. The binary-log half (binlog.cnf, archive-binlogs.sh) is the same as for backup.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"
KIND=${1:?usage: physical-backup.sh full|incremental <backup-root>}
ROOT=${2:?usage: physical-backup.sh full|incremental <backup-root>}
command -v mariadb-backup >/dev/null || { echo "mariadb-backup is not installed (apt-get install mariadb-backup)" >&2; exit 2; }
[ "$(sql "SELECT @@log_bin")" = 1 ] || { echo "the server writes no binary log: see deploy/backup/binlog.cnf" >&2; exit 2; }
mkdir -p "$ROOT"

args=(--backup --datadir="$(sql "SELECT @@datadir")")
# A Galera node's position in the cluster too (xtrabackup_galera_info), for seeding a node from it.
if [ "$(sql "SELECT @@wsrep_on" 2>/dev/null || echo 0)" = 1 ]; then args+=(--galera-info); fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
case "$KIND" in
  full) dir="$ROOT/phys-$stamp-full" ;;
  incremental)
    base=$(cd "$ROOT" && shopt -s nullglob && printf '%s\n' phys-*-full phys-*-inc | sort | tail -n 1)
    [ -n "$base" ] || { echo "no physical backup in $ROOT to build on: take a full one first" >&2; exit 2; }
    dir="$ROOT/phys-$stamp-inc"
    args+=(--incremental-basedir="$ROOT/$base")
    ;;
  *) echo "usage: physical-backup.sh full|incremental <backup-root>" >&2; exit 2 ;;
esac
[ ! -e "$dir" ] || { echo "$dir exists already" >&2; exit 1; }

log "physical $KIND backup to $dir${base:+ (on $base)}"
# Written under .part and renamed when complete: an interrupted run never looks like a backup.
mariadb-backup "${DB_ARGS[@]}" "${args[@]}" --target-dir="$dir.part" 2>"$ROOT/phys-$stamp.log" ||
  { echo "mariadb-backup failed: see $ROOT/phys-$stamp.log" >&2; exit 1; }
# The binlog file and position of the copy's consistent point (named mariadb_backup_binlog_info from 11.x).
file='' position=''
for name in xtrabackup_binlog_info mariadb_backup_binlog_info; do
  if [ -s "$dir.part/$name" ]; then read -r file position _ <"$dir.part/$name"; fi
done
[ -n "$position" ] || { echo "no binlog position in the backup (see $ROOT/phys-$stamp.log)" >&2; exit 1; }
echo "$file $position" >"$dir.part/position"
if [ -n "${base:-}" ]; then echo "$base" >"$dir.part/base"; fi
mv "$dir.part" "$dir"
mv "$ROOT/phys-$stamp.log" "$dir/mariadb-backup.log"
log "done: $(cat "$dir/position")"
echo "$dir"
