#!/usr/bin/env bash
# Times `fleetup call` on N JSON Lines, each a `fleet.upgrade_dry_run` request carrying one
# distinct customised policy and the whole target PackageInfo (issue 4's JSON Lines path):
# nginx 1.1.0 → 1.6.0 (default) or aws 1.23.4 → 1.28.0.
# Usage: bench/plan/dry_run_lines.sh [N] [nginx|aws]   (needs ../shared)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
n="${1:-2000}"
pkg="${2:-nginx}"
case "$pkg" in
  nginx) from=1.1.0 to=1.6.0 count=10000 ;;
  aws) from=1.23.4 to=1.28.0 count=2000 ;;
  *) echo "unknown package $pkg (nginx or aws)"; exit 2 ;;
esac
corpus="$root/../shared/corpus/packages/$pkg"
[ -d "$corpus/$to" ] || { echo "SKIPPED: $corpus is absent"; exit 0; }
cargo build -q --release -p fleetup-cli
bin="$root/target/release/fleetup"
out="$root/target/bench-plan"; mkdir -p "$out"
policies="$out/$pkg-$from-$count.jsonl"
[ -s "$policies" ] || python3 bench/plan/gen_policies.py "$bin" "$corpus/$from" "$count" "$policies"
lines="$out/dry-run-$pkg-$n.jsonl"
if [ ! -s "$lines" ]; then
  echo "{\"op\":\"package.load\",\"args\":{\"path\":\"$corpus/$to\"}}" | "$bin" call > "$out/$pkg-$to.json"
  python3 - "$policies" "$out/$pkg-$to.json" "$n" "$lines" <<'PY'
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
/usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" call < "$lines" > "$out/dry-run-$pkg-out.jsonl"
read -r secs kb < "$out/time.txt"
errors=$(grep -c '^{"error"' "$out/dry-run-$pkg-out.jsonl" || true)
printf 'fleetup call: %d %s dry-run lines (%s) in %.2f s = %.3f ms/line, %.1f MB peak, %s error responses\n' \
  "$n" "$pkg" "$(du -h "$lines" | cut -f1)" "$secs" "$(echo "$secs * 1000 / $n" | bc -l)" "$(echo "$kb / 1024" | bc -l)" "$errors"
