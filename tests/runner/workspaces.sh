#!/usr/bin/env bash
# Every workspace's tests, as `npm test` runs them after the lint (README: "Tests").
#
# The front ends' builds (type-checks, the mini-program's unit tests and weapp prerender, the backoffice
# bundle and the Alipay and H5 bundles) need the CPU only, while the server packages' tests spend much of
# their time waiting on MariaDB, Redis and sockets; so the builds run in a second lane beside the server
# tests instead of after them, and the browser tests start once both lanes are done. Each lane's output
# goes to the terminal as it finishes, a failed lane fails the run.
set -uo pipefail
cd "$(dirname "$0")/../.."

logs=$(mktemp -d)
builds_pid=
stop_builds() { [ -n "$builds_pid" ] && kill -- -"$builds_pid" 2>/dev/null; rm -rf "$logs"; }
trap stop_builds EXIT

stamp() { echo "── $(date -u +%H:%M:%S) $*"; }

# Lane 2: the builds, in their own process group so a failure of lane 1 can stop them.
set -m
(
  stamp "builds: backoffice type-check and bundle"
  npm run build:test -w admin || exit 1
  stamp "builds: mini-program type-check, unit tests, weapp prerender, Alipay and H5 bundles"
  npm run build:test -w miniprogram || exit 1
  stamp "builds: done"
) > "$logs/builds.log" 2>&1 &
builds_pid=$!
set +m

# Lane 1: the server packages' tests, one package after the other.
for workspace in core device-gateway bff mock tests; do
  stamp "tests: $workspace"
  if ! npm run test -w "$workspace"; then
    stamp "tests: $workspace failed"
    exit 1
  fi
done

stamp "waiting for the builds"
wait "$builds_pid"
builds_rc=$?
builds_pid=
cat "$logs/builds.log"
if [ "$builds_rc" != 0 ]; then
  stamp "builds failed"
  exit 1
fi

for workspace in admin miniprogram; do
  stamp "browser tests: $workspace"
  npm run test:browser -w "$workspace" || { stamp "browser tests: $workspace failed"; exit 1; }
done
stamp "all tests passed"
