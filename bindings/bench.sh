#!/usr/bin/env bash
# Per-call overhead of the bindings: `satisfies("9.1.0", "^8.13.0 || ^9.0.0")` from Rust
# (in-process core, and the C ABI called from Rust), Python (fleetup via cffi; the peers
# python-semver, packaging and deepdiff) and Go (cgo over the static library).
# Usage: bash bindings/bench.sh   (after `just py-install`; run by `just bench-bindings`)
# Prints one line per measurement: "<name> <ns per call>". Single-threaded, warm.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.venv/bin:$HOME/.cargo/bin:$PATH"

echo "# Rust (in-process)"
cargo run -q --release -p fleetup-ffi --example bench_calls

echo "# Python $(python -c 'import sys; print(sys.version.split()[0])')"
python - <<'PY'
import timeit

import fleetup

def bench(name, stmt, setup="pass", number=100_000):
    t = min(timeit.repeat(stmt, setup, number=number, repeat=3, globals=globals()))
    print(f"{name} {t / number * 1e9:.0f}")

bench("py_fleetup_satisfies", 'fleetup.satisfies("9.1.0", "^8.13.0 || ^9.0.0")')
bench("py_fleetup_compare", 'fleetup.compare("1.6.0-preview9", "1.6.0-preview10")')
try:
    bench("py_fleetup_call_satisfies", 'fleetup.call("semver.satisfies", version="9.1.0", range="^8.13.0 || ^9.0.0")', number=30_000)
except fleetup.UnknownOpError:
    print("py_fleetup_call_satisfies unavailable (the semver.satisfies op is not on this branch yet)")
try:
    import semver  # python-semver: no npm ranges; the nearest check is two comparisons
    bench("py_semver_match_2_comparators", 'v = semver.Version.parse("9.1.0"); v.match(">=8.13.0") and v.match("<10.0.0")')
    bench("py_semver_compare", 'semver.compare("1.6.0-preview9", "1.6.0-preview10")')
except ImportError:
    print("py_semver unavailable")
try:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version
    bench("py_packaging_specifier_contains", 'SpecifierSet(">=8.13.0,<10.0.0").contains(Version("9.1.0"))', number=30_000)
except ImportError:
    print("py_packaging unavailable")

import json
from pathlib import Path
policy = json.loads(Path("examples/policies.json").read_text())["items"][0]
info = fleetup.call("package.load", path=str(Path("examples/packages/acme_web-2.0.0").resolve()))
info_bytes = json.dumps(info).encode()
bench("py_fleetup_dry_run", "fleetup.dry_run(policy, info)", number=2_000)
bench("py_fleetup_dry_run_bytes_in", "fleetup.dry_run(policy, info_bytes)", number=2_000)
try:
    from deepdiff import DeepDiff  # what users otherwise diff two policies with
    proposed = fleetup.call("fleet.upgrade_dry_run", package_policy=policy, package_info=info)["diff"][1]
    bench("py_deepdiff_same_two_policies", "DeepDiff(policy, proposed)", number=500)
except ImportError:
    print("py_deepdiff unavailable")
PY

echo "# Go $(GOTOOLCHAIN=local go env GOVERSION)"
(cd bindings/go && GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=1 GOPATH="$root/target/go" GOCACHE="$root/target/go-cache" \
  go test -run '^$' -bench . -benchtime 1s . | awk '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); print "go_" $1, $3 }')
