#!/usr/bin/env bash
# Every workspace's tests, as `npm test` runs them after the lint (README: "Tests").
#
# Two lanes side by side, then the backoffice's browser tests alone:
#   lane 1: the core's and the BFF's tests, the longest (13–15 min), which spend much of their time
#           waiting on MariaDB, Redis and sockets;
#   lane 2: the front ends' builds (type-checks, the mini-program's unit tests and weapp prerender, the
#           backoffice bundle and the Alipay and H5 bundles), which need the CPU only, then the device
#           gateway's, the stand-ins' and the cross-service tests, then the mini-program's browser tests.
# The backoffice's browser tests start once both lanes are done: beside the BFF's tests they had missed
# Playwright's 30 s waits (f557f56). Lane 2's output goes to the terminal when it ends; a failed lane
# fails the run.
set -uo pipefail
cd "$(dirname "$0")/../.."

logs=$(mktemp -d)
lane2_pid=
stop_lane2() { [ -n "$lane2_pid" ] && kill -- -"$lane2_pid" 2>/dev/null; rm -rf "$logs"; }
trap stop_lane2 EXIT

stamp() { echo "── $(date -u +%H:%M:%S) $*"; }

# Lane 2, in its own process group so a failure of lane 1 can stop it.
set -m
(
  stamp "builds: backoffice type-check and bundle"
  npm run build:test -w admin || exit 1
  stamp "builds: mini-program type-check, unit tests, weapp prerender, Alipay and H5 bundles"
  npm run build:test -w miniprogram || exit 1
  stamp "builds: done"
  for workspace in device-gateway mock tests; do
    stamp "tests: $workspace"
    npm run test -w "$workspace" || { stamp "tests: $workspace failed"; exit 1; }
  done
  stamp "browser tests: miniprogram"
  npm run test:browser -w miniprogram || { stamp "browser tests: miniprogram failed"; exit 1; }
  stamp "lane 2: done"
) > "$logs/lane2.log" 2>&1 &
lane2_pid=$!
set +m

# Lane 1.
for workspace in core bff; do
  stamp "tests: $workspace"
  if ! npm run test -w "$workspace"; then
    stamp "tests: $workspace failed"
    exit 1
  fi
done

stamp "waiting for lane 2"
wait "$lane2_pid"
lane2_rc=$?
lane2_pid=
cat "$logs/lane2.log"
if [ "$lane2_rc" != 0 ]; then
  stamp "lane 2 failed"
  exit 1
fi

stamp "browser tests: admin"
npm run test:browser -w admin || { stamp "browser tests: admin failed"; exit 1; }
stamp "all tests passed"
