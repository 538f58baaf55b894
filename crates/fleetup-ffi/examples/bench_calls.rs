//! Per-call cost in-process from Rust, the baseline for `bindings/bench.sh`.
//!
//! Run with `cargo run --release -p fleetup-ffi --example bench_calls`. Prints one line per
//! measurement: `<name> <nanoseconds per call>`.

use std::hint::black_box;
use std::time::Instant;

use fleetup_core::version::{self, Options};

const VERSION: &str = "9.1.0";
const RANGE: &str = "^8.13.0 || ^9.0.0";

fn time(name: &str, iterations: u32, mut f: impl FnMut()) {
    for _ in 0..iterations / 10 {
        f(); // warm-up
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(iterations);
    println!("{name} {ns:.0}");
}

fn main() {
    let n = 200_000;
    time("rust_core_satisfies", n, || {
        black_box(version::satisfies(
            black_box(VERSION),
            black_box(RANGE),
            Options::default(),
        ));
    });
    time("rust_c_abi_satisfies", n, || {
        let mut out = false;
        // SAFETY: live string slices and a writable local.
        let err = unsafe {
            fleetup::fleetup_version_satisfies(
                VERSION.as_ptr(),
                VERSION.len(),
                RANGE.as_ptr(),
                RANGE.len(),
                0,
                &mut out,
            )
        };
        // SAFETY: NULL or a live error, freed once.
        unsafe { fleetup::fleetup_error_free(err) };
        black_box(out);
    });
    let request = format!(
        r#"{{"op":"semver.satisfies","args":{{"version":"{VERSION}","range":"{RANGE}"}}}}"#
    );
    time("rust_core_call_satisfies_json", n / 4, || {
        black_box(fleetup_core::call(black_box(&request)));
    });
}
