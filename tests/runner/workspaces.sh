#!/usr/bin/env bash
# The lint and every workspace's tests, as `npm test` runs them (README: "Tests").
#
# Two lanes side by side, then the backoffice's browser tests alone:
#   lane 1: the core's test files that may run two at a time, then the BFF's tests; both spend much
#           of their time waiting on MariaDB, Redis and sockets;
#   lane 2: the lint (biome, the root type-check), the front ends' builds (type-checks, the
#           mini-program's unit tests and weapp prerender, the backoffice bundle and the Alipay and H5
#           bundles), which need the CPU only, then the core's files that run one at a time (its
#           package.json config.serial: wall-clock windows, crashes), the device gateway's, the
#           stand-ins' and the cross-service tests, then the mini-program's browser tests.
# The lanes hold about the same minutes (each file's time is in the ten slowest listed after every run).
# The backoffice's browser tests start once both lanes are done: beside the BFF's tests they had missed
# Playwright's 30 s waits (f557f56). Lane 2's output goes to the terminal when it ends; a failed lane
# fails the run, and lane 1 stops at its next step once lane 2 has failed.
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
  step() { # step <what> <command…>: stamped; a failure ends the lane and tells lane 1
    stamp "$1"
    shift
    "$@" && return 0
    stamp "failed: $*"
    touch "$logs/lane2-failed"
    exit 1
  }
  step "lint: biome and the root type-check" npm run lint
  step "builds: backoffice type-check and bundle" npm run build:test -w admin
  step "builds: mini-program type-check, unit tests, weapp prerender, Alipay and H5 bundles" \
    npm run build:test -w miniprogram
  step "tests: core, the files that run alone" npm run test:serial -w core
  for workspace in device-gateway mock tests; do
    step "tests: $workspace" npm run test -w "$workspace"
  done
  step "browser tests: miniprogram" npm run test:browser -w miniprogram
  stamp "lane 2: done"
) > "$logs/lane2.log" 2>&1 &
lane2_pid=$!
set +m

# Lane 1.
lane1() { # lane1 <what> <command…>
  if [ -e "$logs/lane2-failed" ]; then
    stamp "lane 2 failed; stopping"
    cat "$logs/lane2.log"
    exit 1
  fi
  stamp "$1"
  shift
  "$@" && return 0
  stamp "failed: $*"
  exit 1
}
lane1 "tests: core, the files that run two at a time" npm run test:parallel -w core
lane1 "tests: bff" npm run test -w bff

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
