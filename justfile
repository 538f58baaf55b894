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
test: test-rust

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
