#!/usr/bin/env bash
# Side-by-side benchmark: node-semver 7.8.5 vs fleetup on the same inputs (see bench.mjs).
# Usage: bench/semver-node/run.sh        (SECONDS_PER_LOOP=2 by default; FLEETUP=path to override)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
# node-semver pinned to the version the conformance fixtures come from (package.json).
if [ ! -f node_modules/semver/package.json ]; then
  npm install --no-audit --no-fund --silent
fi
if [ -z "${FLEETUP:-}" ]; then
  (cd "$root" && cargo build -q --release -p fleetup-cli)
  export FLEETUP="$root/target/release/fleetup"
fi
node bench.mjs
