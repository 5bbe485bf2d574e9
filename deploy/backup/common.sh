# Shared by backup.sh, archive-binlogs.sh and restore.sh: how to reach the database server.
#   DB_DEFAULTS   a client option file ([client] host, port, user, password or socket); preferred,
#                 so no password appears on a command line
#   DB_HOST, DB_PORT, DB_USER   used when DB_DEFAULTS is unset (password from MYSQL_PWD)
#   DB_NAME       the platform's database (default campus_card)
DB_NAME=${DB_NAME:-campus_card}
if [ -n "${DB_DEFAULTS:-}" ]; then
  DB_ARGS=(--defaults-file="$DB_DEFAULTS")
else
  DB_ARGS=(--no-defaults -h "${DB_HOST:-127.0.0.1}" -P "${DB_PORT:-3306}" -u "${DB_USER:-root}")
fi
log() { printf '[backup %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
sql() { mariadb "${DB_ARGS[@]}" -N -B -e "$1"; }
