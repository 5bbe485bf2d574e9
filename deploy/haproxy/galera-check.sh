#!/bin/sh
# HAProxy external check for one Galera node: UP only when the node is in the Primary component
# AND Synced (wsrep_local_state 4). A plain mysql-check is not enough: a node without quorum
# still accepts logins and then answers every query with 1047 "WSREP has not yet prepared node".
# HAProxy passes: <proxy_addr> <proxy_port> <server_addr> <server_port>; exit 0 means UP.
out=$(mariadb --no-defaults -h "$3" -P "$4" -u haproxy --connect-timeout=1 -N -B -e "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME)
  FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('wsrep_cluster_status','wsrep_local_state')" 2>/dev/null)
[ "$out" = "Primary,4" ]
