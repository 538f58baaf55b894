#!/usr/bin/env bash
# The one test command: installs what it needs, then runs everything CI runs (`just ci`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export PATH="$root/.venv/bin:$HOME/.cargo/bin:$PATH"
just ci
