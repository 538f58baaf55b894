//! Speed of `registry.satisfies` next to the node-semver path, on the Kibana constraints that
//! real packages declare. A measurement, not a gate (timings depend on the machine), so it is
//! ignored by default:
//!
//! ```text
//! cargo test --release -p fleetup-core --test registry_perf -- --ignored --nocapture
//! ```

use std::hint::black_box;
use std::time::Instant;

use fleetup_core::registry::{self, Constraint, Version};
use fleetup_core::version::{self, Options};

/// The distinct `conditions.kibana.version` values of the package corpus, plus the other
/// Kibana-style shapes of the registry conformance data.
const CONSTRAINTS: &[&str] = &[
    ">7.7.0",
    "^7.10.0",
    "^7.11.0",
    "^7.14.0",
    "^7.14.0 || ^8.0.0",
    "^7.16.0 || ^8.0.0",
    "^7.9.0",
    "^8.0.0",
    "^8.2.1",
    "^8.8.0",
    "^7.17.6 || ^8.3.0",
    "^8.13.0 || ^9.0.0",
    ">=7.9.0 <8.0.0",
    "~7.10",
    ">=7.16.0",
    "*",
];

fn versions() -> Vec<String> {
    let mut out = Vec::new();
    for (major, minors) in [(7u64, 9u64..=17), (8, 0..=19), (9, 0..=2)] {
        for minor in minors {
            out.push(format!("{major}.{minor}.1"));
        }
    }
    out
}

/// The best of several timed trials: the machine is shared, so the minimum is the figure least
/// disturbed by other work.
fn measure(name: &str, pairs: usize, rounds: usize, mut f: impl FnMut() -> usize) -> f64 {
    black_box(f());
    let mut best = f64::INFINITY;
    let mut hits = 0;
    for _ in 0..TRIALS {
        let start = Instant::now();
        hits = 0;
        for _ in 0..rounds {
            hits += f();
        }
        best = best.min(start.elapsed().as_nanos() as f64 / (pairs * rounds) as f64);
    }
    println!(
        "{name:48} {best:8.1} ns/call   ({hits} true of {})",
        pairs * rounds
    );
    best
}

const TRIALS: usize = 15;

#[test]
#[ignore = "measurement; run with --release --ignored --nocapture"]
fn registry_vs_node_semver_ns_per_call() {
    let versions = versions();
    let pairs = versions.len() * CONSTRAINTS.len();
    let rounds = 20;
    println!(
        "{} constraints x {} Kibana versions = {pairs} pairs, {rounds} rounds",
        CONSTRAINTS.len(),
        versions.len()
    );
    let registry_ns = measure(
        "registry::satisfies (memoised constraint)",
        pairs,
        rounds,
        || {
            let mut n = 0;
            for c in CONSTRAINTS {
                for v in &versions {
                    n += usize::from(
                        registry::satisfies(black_box(v), black_box(c), false) == Ok(true),
                    );
                }
            }
            n
        },
    );
    let node_ns = measure(
        "version::satisfies (node-semver path)",
        pairs,
        rounds,
        || {
            let mut n = 0;
            for c in CONSTRAINTS {
                for v in &versions {
                    n += usize::from(version::satisfies(
                        black_box(v),
                        black_box(c),
                        Options::default(),
                    ));
                }
            }
            n
        },
    );
    measure("  of which Version::parse_coerce", pairs, rounds, || {
        let mut n = 0;
        for _ in CONSTRAINTS {
            for v in &versions {
                n += usize::from(Version::parse_coerce(black_box(v)).is_ok());
            }
        }
        n
    });
    measure("  of which Constraint::parse", pairs, rounds, || {
        let mut n = 0;
        for c in CONSTRAINTS {
            for _ in &versions {
                n += usize::from(Constraint::parse(black_box(c)).is_ok());
            }
        }
        n
    });
    let parsed: Vec<Constraint> = CONSTRAINTS
        .iter()
        .map(|c| Constraint::parse(c).unwrap())
        .collect();
    let parsed_versions: Vec<Version> = versions
        .iter()
        .map(|v| Version::parse_coerce(v).unwrap())
        .collect();
    measure("Constraint::check (both pre-parsed)", pairs, rounds, || {
        let mut n = 0;
        for c in &parsed {
            for v in &parsed_versions {
                n += usize::from(c.check(black_box(v), false));
            }
        }
        n
    });
    let requests: Vec<(String, String)> = CONSTRAINTS
        .iter()
        .flat_map(|c| {
            versions.iter().map(move |v| {
                (
                    serde_json::json!({"op": "registry.satisfies", "args": {"version": v, "constraint": c}}).to_string(),
                    serde_json::json!({"op": "semver.satisfies", "args": {"version": v, "range": c}}).to_string(),
                )
            })
        })
        .collect();
    let mut out = String::new();
    measure(
        "dispatcher: registry.satisfies (JSON in/out)",
        pairs,
        rounds / 4,
        || {
            let mut n = 0;
            for (r, _) in &requests {
                out.clear();
                fleetup_core::call_into(black_box(r), &mut out);
                n += usize::from(out == r#"{"ok":true}"#);
            }
            n
        },
    );
    measure(
        "dispatcher: semver.satisfies (JSON in/out)",
        pairs,
        rounds / 4,
        || {
            let mut n = 0;
            for (_, r) in &requests {
                out.clear();
                fleetup_core::call_into(black_box(r), &mut out);
                n += usize::from(out == r#"{"ok":true}"#);
            }
            n
        },
    );
    println!("registry / node-semver: {:.2}x", registry_ns / node_ns);
}
