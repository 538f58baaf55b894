#!/usr/bin/env bash
# Times `fleetup plan` over N customised policies (default: nginx 1.1.0 → 1.6.0, 10,000 and
# 100,000 policies) and reports wall time and peak memory. Needs ../shared (the corpus).
# Usage: bench/plan/run.sh [PACKAGE FROM TO]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
pkg="${1:-nginx}"; from="${2:-1.1.0}"; to="${3:-1.6.0}"
corpus="$root/../shared/corpus/packages/$pkg"
[ -d "$corpus/$from" ] || { echo "SKIPPED: $corpus/$from is absent"; exit 0; }
cargo build -q --release -p fleetup-cli
bin="$root/target/release/fleetup"
out="$root/target/bench-plan"; mkdir -p "$out"
for n in 10000 100000; do
  f="$out/$pkg-$from-$n.jsonl"
  [ -s "$f" ] || python3 bench/plan/gen_policies.py "$bin" "$corpus/$from" "$n" "$f"
  for fmt in human json; do
    flag=""; [ "$fmt" = json ] && flag="--json"
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" plan "$f" --package "$corpus/$to" \
      --from "$corpus/$from" $flag --no-progress > "$out/report-$fmt.txt" || true
    read -r secs kb < "$out/time.txt"
    printf '%-8s %7d policies  %-5s  %6.2f s  %6.1f MB peak  (%s)\n' "$pkg" "$n" "$fmt" "$secs" \
      "$(echo "$kb / 1024" | bc -l)" "$(du -h "$f" | cut -f1) input"
  done
done
