# fleetup's developer interface. CI runs `just ci` (through scripts/test.sh), the same as a developer.
# Tools the recipes need are installed by scripts/bootstrap.sh (idempotent).

set shell := ["bash", "-euo", "pipefail", "-c"]

export PATH := justfile_directory() + "/.venv/bin:" + env_var('HOME') + "/.cargo/bin:" + env_var('PATH')

# List the recipes.
default:
    @just --list

# Build every crate (debug).
build:
    cargo build --workspace

# Build the release CLI.
release:
    cargo build --release -p fleetup-cli

# Everything CI runs.
ci: lint test

# All tests, every language.
test: test-rust test-web

# Rust unit, conformance and integration tests.
test-rust:
    cargo test --workspace --no-fail-fast

# Formatting and lints.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    just check-core-purity

# The core has no wasm/FFI dependencies and builds for wasm32 as it is.
check-core-purity:
    ! cargo tree -p fleetup-core -e normal | grep -E 'wasm-bindgen|js-sys|web-sys|libc'
    cargo check -q -p fleetup-core --target wasm32-unknown-unknown

# Criterion benchmarks.
bench:
    cargo bench -p fleetup-core

# Run the version/range parser fuzz target for SECONDS (needs nightly and cargo-fuzz).
# Inputs are capped at 4 KiB and each run at 10 s, so a slow input is reported as a failure.
fuzz-semver SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    cd fuzz && cargo +nightly fuzz run semver_parse -- -max_total_time={{SECONDS}} -max_len=4096 -timeout=10 -rss_limit_mb=2048

# The main job on the bundled example.
example:
    cargo run -q --release -p fleetup-cli -- semver satisfies 9.1.0 "^8.13.0 || ^9.0.0"

# --- WebAssembly package and the review widget (crates/fleetup-wasm, web/) ---

# Build the WebAssembly package into web/pkg (size-optimised `wasm` profile, wasm-bindgen --target web).
wasm:
    #!/usr/bin/env bash
    set -euo pipefail
    pin="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' crates/fleetup-wasm/Cargo.toml)"
    cli="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
    if [ "$pin" != "$cli" ]; then
      echo "wasm-bindgen CLI is '${cli:-missing}' but crates/fleetup-wasm pins $pin: run scripts/bootstrap.sh" >&2
      exit 1
    fi
    cargo build -q -p fleetup-wasm --target wasm32-unknown-unknown --profile wasm
    wasm-bindgen --target web --weak-refs --out-dir web/pkg target/wasm32-unknown-unknown/wasm/fleetup_wasm.wasm
    if [ -x web/node_modules/.bin/wasm-opt ]; then
      web/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        -o web/pkg/fleetup_wasm_bg.wasm web/pkg/fleetup_wasm_bg.wasm
    fi
    echo "web/pkg: $(wc -c < web/pkg/fleetup_wasm_bg.wasm) bytes, $(gzip -9c web/pkg/fleetup_wasm_bg.wasm | wc -c) gzipped"

# JS tests: the API and shared vectors in Node, the widget in headless Chromium.
test-web: wasm
    cd web && node --test --test-concurrency=1 test/

# Serve the widget on the bundled example and corpus pairs (http://127.0.0.1:8087/).
demo: wasm
    node web/scripts/serve.mjs

# Quick check of the built package in Node (no browser).
smoke-web: wasm
    node web/scripts/smoke.mjs
