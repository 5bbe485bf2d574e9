#!/usr/bin/env bash
# Every workspace's tests, as `npm test` runs them after the lint (README: "Tests").
#
# Two lanes side by side. The server packages' tests spend much of their time waiting on MariaDB, Redis
# and sockets, the browser tests on pages and on 30-second second-factor steps, so neither keeps both
# CPUs busy alone:
#   lane 1: the server packages' tests, one package after the other;
#   lane 2: the front ends' builds (type-checks, the mini-program's unit tests and weapp prerender, the
#           backoffice bundle and the Alipay and H5 bundles), then the backoffice's and the mini-program's
#           browser tests, which need those builds.
# Lane 2's output goes to the terminal when it ends, a failed lane fails the run and stops the other.
set -uo pipefail
cd "$(dirname "$0")/../.."

logs=$(mktemp -d)
builds_pid=
stop_builds() { [ -n "$builds_pid" ] && kill -- -"$builds_pid" 2>/dev/null; rm -rf "$logs"; }
trap stop_builds EXIT

stamp() { echo "── $(date -u +%H:%M:%S) $*"; }

# Lane 2: the builds, then the browser tests, in their own process group so a failure of lane 1 can stop them.
set -m
(
  stamp "builds: backoffice type-check and bundle"
  npm run build:test -w admin || exit 1
  stamp "builds: mini-program type-check, unit tests, weapp prerender, Alipay and H5 bundles"
  npm run build:test -w miniprogram || exit 1
  stamp "builds: done"
  for workspace in admin miniprogram; do
    stamp "browser tests: $workspace"
    npm run test:browser -w "$workspace" || { stamp "browser tests: $workspace failed"; exit 1; }
  done
  stamp "browser tests: done"
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

stamp "waiting for the builds and browser tests"
wait "$builds_pid"
builds_rc=$?
builds_pid=
cat "$logs/builds.log"
if [ "$builds_rc" != 0 ]; then
  stamp "builds or browser tests failed"
  exit 1
fi
stamp "all tests passed"
