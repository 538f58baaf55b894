#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60), seeding the corpora from
# ../shared (package manifests, policies built from them) and the bundled example.
# Usage: scripts/fuzz.sh [SECONDS]   (needs the nightly toolchain; installs cargo-fuzz if missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
secs="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seeds="$root/fuzz/corpus"
mkdir -p "$seeds"/{dispatch,package_manifest,package_zip,dry_run,semver_parse,agent_template}
shared="$root/../shared"
if [ -d "$shared/corpus/packages" ]; then
  find "$shared/corpus/packages" "$shared/conformance/kibana/test_packages" -name manifest.yml | sed -n '1,200p' |
    while read -r f; do cp "$f" "$seeds/package_manifest/$(echo "$f" | md5sum | cut -c1-16)"; done
fi
if [ -d "$shared/corpus/packages" ]; then
  find "$shared/corpus/packages" -name '*.hbs' | sed -n '1,300p' |
    while read -r f; do cp "$f" "$seeds/agent_template/$(echo "$f" | md5sum | cut -c1-16)"; done
fi
find examples/packages -name '*.hbs' | while read -r f; do cp "$f" "$seeds/agent_template/$(echo "$f" | md5sum | cut -c1-16)"; done
cp examples/policies.json "$seeds/dry_run/example-items" 2>/dev/null || true
python3 - "$seeds" <<'PY'
import json, sys
seeds = sys.argv[1]
items = json.load(open("examples/policies.json"))["items"]
for i, p in enumerate(items):
    open(f"{seeds}/dry_run/policy-{i}", "w").write(json.dumps(p))
    open(f"{seeds}/dispatch/dry-run-{i}", "w").write(json.dumps({"op": "plan.changes", "args": {"current": p, "proposed": p, "package_info": {}}}))
for i, r in enumerate([{"op": "semver.satisfies", "args": {"version": "9.1.0", "range": "^8.13.0 || ^9.0.0"}},
                       {"op": "registry.satisfies", "args": {"version": "8.0.0", "constraint": ">= 7.16, < 9"}},
                       {"op": "fleet.validate_package_policy_config", "args": {"var": {"value": "1h"}, "var_def": {"name": "d", "type": "duration"}, "var_name": "d"}}]):
    open(f"{seeds}/dispatch/op-{i}", "w").write(json.dumps(r))
PY
for target in ${FUZZ_TARGETS:-semver_parse dispatch package_manifest package_zip dry_run agent_template}; do
  echo "== $target (${secs}s)"
  (cd fuzz && cargo +nightly fuzz run "$target" "$seeds/$target" -- -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 2>&1 | tail -4)
done
