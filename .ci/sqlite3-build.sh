#!/usr/bin/env bash
# Builds sqlite3's native addon when `require('sqlite3')` fails (`npm run sqlite3:build`).
#
# .npmrc sets ignore-scripts, so npm ci never builds it, and its prebuilt download is unreachable here:
# it is compiled from source, 1–2 min on two cores. The compiled addon is kept in a per-user cache keyed
# by the sqlite3 version, Node's ABI, platform and architecture (as npm keeps its tarballs), so the next
# clean clone on the same machine copies it instead of compiling again; a copy that does not load is
# dropped and the addon compiled. SQLITE3_BUILD_CACHE=off compiles without the cache.
set -euo pipefail
cd "$(dirname "$0")/.."

loads() { node -e "require('sqlite3')" 2>/dev/null; }
loads && exit 0

key=$(node -p "[require('sqlite3/package.json').version, process.versions.modules, process.platform, process.arch].join('-')")
cache="${XDG_CACHE_HOME:-$HOME/.cache}/campus-card/sqlite3/$key"
addon=node_modules/sqlite3/build/Release/node_sqlite3.node

if [ "${SQLITE3_BUILD_CACHE:-on}" != off ] && [ -f "$cache/node_sqlite3.node" ]; then
  mkdir -p "$(dirname "$addon")"
  cp "$cache/node_sqlite3.node" "$addon"
  if loads; then
    echo "sqlite3: addon $key from the build cache ($cache)"
    exit 0
  fi
  echo "sqlite3: the cached addon $key does not load; compiling"
  rm -f "$cache/node_sqlite3.node"
fi

npm rebuild sqlite3 --ignore-scripts=false
loads
if [ "${SQLITE3_BUILD_CACHE:-on}" != off ]; then
  mkdir -p "$cache"
  cp "$addon" "$cache/node_sqlite3.node.tmp" && mv "$cache/node_sqlite3.node.tmp" "$cache/node_sqlite3.node"
fi
