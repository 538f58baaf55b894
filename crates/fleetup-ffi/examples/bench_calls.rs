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
    dry_run();
}

/// The bundled example's first policy upgraded to acme_web 2.0.0, in-process.
fn dry_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let Ok(text) = std::fs::read_to_string(root.join("policies.json")) else {
        println!("rust_core_dry_run unavailable (no examples/policies.json)");
        return;
    };
    let Ok(policies) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let policy = policies["items"][0].clone();
    let path = root.join("packages/acme_web-2.0.0");
    let load = serde_json::json!({"path": path});
    let Ok(info) = fleetup_core::dispatch("package.load", &load) else {
        println!("rust_core_dry_run unavailable (package.load failed)");
        return;
    };
    let args = serde_json::json!({"package_policy": policy, "package_info": info});
    if fleetup_core::dispatch("fleet.upgrade_dry_run", &args).is_err() {
        println!("rust_core_dry_run unavailable (fleet.upgrade_dry_run failed)");
        return;
    }
    time("rust_core_dry_run", 2_000, || {
        black_box(fleetup_core::dispatch("fleet.upgrade_dry_run", black_box(&args)).ok());
    });
    // What a C caller pays: the JSON texts are parsed inside the call and the result serialised.
    let (p, i) = (
        args["package_policy"].to_string(),
        args["package_info"].to_string(),
    );
    time("rust_c_abi_dry_run", 2_000, || {
        let mut out = fleetup::fleetup_bytes {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: live slices and a writable local; outputs freed once.
        unsafe {
            let err = fleetup::fleetup_upgrade_dry_run(
                p.as_ptr(),
                p.len(),
                i.as_ptr(),
                i.len(),
                &mut out,
            );
            fleetup::fleetup_error_free(err);
            fleetup::fleetup_bytes_free(out);
        }
    });
}
