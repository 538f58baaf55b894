//! Property tests: arbitrary strings (grammar-heavy, unicode, huge) never panic any version
//! parser or `semver.*` operation, a few algebraic invariants hold, and hostile 500,000-character
//! inputs are handled in linear time.

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use fleetup_core::version::{self, Options, Range, Version};
use proptest::prelude::*;
use serde_json::json;

/// Strings built from the pieces the grammar cares about, plus arbitrary characters.
fn grammar_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("0".to_string()),
        Just("1".to_string()),
        Just("01".to_string()),
        Just("9007199254740991".to_string()),
        Just("9007199254740992".to_string()),
        Just(".".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just(" ".to_string()),
        Just("\u{a0}".to_string()),
        Just("\u{feff}".to_string()),
        Just("||".to_string()),
        Just(" - ".to_string()),
        Just("x".to_string()),
        Just("*".to_string()),
        Just("v".to_string()),
        Just("=".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("~".to_string()),
        Just("^".to_string()),
        Just("beta".to_string()),
        "[a-zA-Z0-9.+-]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn options() -> impl Strategy<Value = Options> {
    (any::<bool>(), any::<bool>()).prop_map(|(loose, include_prerelease)| Options {
        loose,
        include_prerelease,
    })
}

fn opts_json(o: Options) -> serde_json::Value {
    json!({"loose": o.loose, "include_prerelease": o.include_prerelease})
}

/// Every `semver.*` operation on the inputs, through the dispatcher: any answer is fine, a
/// panic is not (the test harness reports it).
fn every_op(a: &str, b: &str, o: Options) {
    let o = opts_json(o);
    let requests = [
        ("semver.valid", json!({"version": a, "options": o})),
        ("semver.parse", json!({"version": a, "options": o})),
        ("semver.prerelease", json!({"version": a, "options": o})),
        ("semver.compare", json!({"a": a, "b": b, "options": o})),
        (
            "semver.compare_build",
            json!({"a": a, "b": b, "options": o}),
        ),
        ("semver.compare_main", json!({"a": a, "b": b, "options": o})),
        ("semver.compare_pre", json!({"a": a, "b": b, "options": o})),
        (
            "semver.satisfies",
            json!({"version": a, "range": b, "options": o}),
        ),
        ("semver.valid_range", json!({"range": b, "options": o})),
        ("semver.min_version", json!({"range": b, "options": o})),
        (
            "semver.max_satisfying",
            json!({"versions": [a, b], "range": b, "options": o}),
        ),
        (
            "semver.gtr",
            json!({"version": a, "range": b, "options": o}),
        ),
        (
            "semver.ltr",
            json!({"version": a, "range": b, "options": o}),
        ),
        (
            "semver.intersects",
            json!({"range1": a, "range2": b, "options": o}),
        ),
    ];
    for (op, args) in requests {
        let _ = fleetup_core::dispatch(op, &args);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_grammar_strings(a in grammar_string(), b in grammar_string(), o in options()) {
        every_op(&a, &b, o);
    }

    #[test]
    fn no_panic_on_arbitrary_unicode(a in any::<String>(), b in any::<String>(), o in options()) {
        every_op(&a, &b, o);
        let _ = version::Comparator::parse(&a, o);
    }

    #[test]
    fn valid_is_idempotent(a in grammar_string(), o in options()) {
        if let Some(v) = version::valid(&a, o) {
            prop_assert_eq!(version::valid(&v, o), Some(v.clone()));
            prop_assert!(v.len() <= version::MAX_LENGTH);
        }
    }

    #[test]
    fn compare_is_antisymmetric(a in grammar_string(), b in grammar_string(), o in options()) {
        if let (Ok(x), Ok(y)) = (Version::parse(&a, o), Version::parse(&b, o)) {
            prop_assert_eq!(x.compare(&y), y.compare(&x).reverse());
            prop_assert_eq!(x.compare(&x), Ordering::Equal);
        }
    }

    #[test]
    fn satisfies_needs_valid_inputs(a in grammar_string(), b in grammar_string(), o in options()) {
        if version::satisfies(&a, &b, o) {
            prop_assert!(version::valid(&a, o).is_some());
            prop_assert!(version::valid_range(&b, o).is_some());
            let r = Range::parse(&b, o).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(r.test_str(&a));
        }
    }

    #[test]
    fn min_version_satisfies(b in grammar_string(), o in options()) {
        if let Ok(Some(v)) = version::min_version(&b, o) {
            let r = Range::parse(&b, o).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(r.test(&v), "{} does not satisfy {}", v, b);
        }
    }
}

/// Hostile inputs of 100,000–500,000 characters: each call must finish quickly. Measured time
/// grows linearly (about 1 µs per character in an unoptimised test build, 50× less optimised);
/// a quadratic scan would take minutes here, so the generous bound cannot hide one.
#[test]
fn huge_inputs_are_linear() {
    let pieces = [
        (" ", 500_000),
        ("0", 500_000),
        ("\u{a0}", 100_000),
        ("1", 100_000),
        ("v", 100_000),
        ("x", 100_000),
        ("1.", 100_000),
        ("x.", 100_000),
        ("~ ", 100_000),
        ("<", 100_000),
        ("||", 100_000),
        (" - ", 100_000),
        ("+a", 100_000),
        ("1.2.3-", 100_000),
    ];
    for (p, n) in pieces {
        let s = p.repeat(n / p.len());
        let wrapped = format!("1.2.3 {s} <2");
        for o in [Options::default(), Options::LOOSE] {
            // Each call answers something small; only its running time matters here.
            let calls: [(&str, &dyn Fn() -> bool); 3] = [
                ("valid_range", &|| version::valid_range(&s, o).is_some()),
                ("satisfies", &|| version::satisfies("1.2.3", &wrapped, o)),
                ("valid", &|| version::valid(&s, o).is_some()),
            ];
            for (name, call) in calls {
                let start = Instant::now();
                std::hint::black_box(call());
                let took = start.elapsed();
                assert!(
                    took < Duration::from_secs(10),
                    "{name}({p:?} x {n}, loose={}) took {took:?}",
                    o.loose
                );
            }
        }
    }
}
