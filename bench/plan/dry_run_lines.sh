#!/usr/bin/env bash
# Times `fleetup call` on N JSON Lines, each a `fleet.upgrade_dry_run` request carrying one
# customised nginx 1.1.0 policy and the whole nginx 1.6.0 PackageInfo (issue 4's JSON Lines path).
# Usage: bench/plan/dry_run_lines.sh [N]   (needs ../shared and bench/plan/run.sh's policy file)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
n="${1:-2000}"
corpus="$root/../shared/corpus/packages/nginx"
[ -d "$corpus/1.6.0" ] || { echo "SKIPPED: $corpus is absent"; exit 0; }
cargo build -q --release -p fleetup-cli
bin="$root/target/release/fleetup"
out="$root/target/bench-plan"; mkdir -p "$out"
policies="$out/nginx-1.1.0-10000.jsonl"
[ -s "$policies" ] || python3 bench/plan/gen_policies.py "$bin" "$corpus/1.1.0" 10000 "$policies"
lines="$out/dry-run-$n.jsonl"
if [ ! -s "$lines" ]; then
  echo "{\"op\":\"package.load\",\"args\":{\"path\":\"$corpus/1.6.0\"}}" | "$bin" call > "$out/nginx-1.6.0.json"
  python3 - "$policies" "$out/nginx-1.6.0.json" "$n" "$lines" <<'PY'
import json, sys
policies, pkg, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
info = json.dumps(json.load(open(pkg))["ok"], separators=(",", ":"))
with open(policies) as src, open(out, "w") as dst:
    for i, line in enumerate(src):
        if i == n:
            break
        dst.write('{"op":"fleet.upgrade_dry_run","args":{"package_info":' + info + ',"package_policy":' + line.strip() + '}}\n')
PY
fi
/usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" call < "$lines" > "$out/dry-run-out.jsonl"
read -r secs kb < "$out/time.txt"
errors=$(grep -c '"error"' "$out/dry-run-out.jsonl" || true)
printf 'fleetup call: %d dry-run lines (%s) in %.2f s = %.3f ms/line, %.1f MB peak, %s error responses\n' \
  "$n" "$(du -h "$lines" | cut -f1)" "$secs" "$(echo "$secs * 1000 / $n" | bc -l)" "$(echo "$kb / 1024" | bc -l)" "$errors"
