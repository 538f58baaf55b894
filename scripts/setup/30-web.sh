# Web tooling for crates/fleetup-wasm and web/: the wasm-bindgen CLI (same version as the crate
# pins), Debian's Chromium for the browser tests, and web/'s npm dev dependencies.
# Sourced by scripts/bootstrap.sh (set -euo pipefail, cwd = repo root); idempotent and quick
# when everything is present.

# The version the crate pins with `=`; the CLI must match it exactly.
fleetup_wbg_version="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' crates/fleetup-wasm/Cargo.toml)"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$fleetup_wbg_version" ]; then
  echo "setup: installing wasm-bindgen-cli $fleetup_wbg_version"
  # --locked first for a reproducible build; the plain resolve is the fallback when a locked
  # dependency is not (yet) on the registry mirror.
  cargo install wasm-bindgen-cli --version "$fleetup_wbg_version" --locked \
    || cargo install wasm-bindgen-cli --version "$fleetup_wbg_version"
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium (Debian) for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi

# npm ci only when the lock file changed since the last install (never downloads a browser).
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: installing web/ dev dependencies"
  (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
unset fleetup_wbg_version
