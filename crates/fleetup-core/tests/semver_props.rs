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

/// Well-formed strict versions (most with prereleases), so comparisons are exercised.
fn version_string() -> impl Strategy<Value = String> {
    let ident = prop_oneof![
        (0u64..20).prop_map(|n| n.to_string()),
        Just("9007199254740990".to_string()),
        "[a-zA-Z][a-zA-Z0-9-]{0,4}",
        "[0-9]{1,3}[a-z-][a-z0-9]{0,2}",
    ];
    (
        0u64..3,
        0u64..3,
        0u64..3,
        prop::collection::vec(ident, 0..4),
    )
        .prop_map(|(a, b, c, pre)| {
            let mut s = format!("{a}.{b}.{c}");
            if !pre.is_empty() {
                s.push('-');
                s.push_str(&pre.join("."));
            }
            s
        })
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
    fn compare_is_antisymmetric(
        a in prop_oneof![grammar_string(), version_string()],
        b in prop_oneof![grammar_string(), version_string()],
        o in options(),
    ) {
        if let (Ok(x), Ok(y)) = (Version::parse(&a, o), Version::parse(&b, o)) {
            prop_assert_eq!(x.compare(&y), y.compare(&x).reverse());
            prop_assert_eq!(x.compare(&x), Ordering::Equal);
        }
    }

    /// Where the `semver` crate's semantics match node-semver's (strict versions whose numeric
    /// identifiers fit in 2^53 − 1), precedence agrees with `semver::Version::cmp_precedence`.
    #[test]
    fn precedence_matches_semver_crate(a in version_string(), b in version_string()) {
        let strict = Options::default();
        let small = |v: &Version| v.prerelease.iter().all(|i| match i {
            version::Identifier::Numeric(_) => true,
            version::Identifier::Text(t) => !t.bytes().all(|c| c.is_ascii_digit()),
        });
        let x = Version::parse(&a, strict).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let y = Version::parse(&b, strict).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(small(&x) && small(&y));
        let (sx, sy) = (x.to_semver(), y.to_semver());
        prop_assert!(sx.is_some() && sy.is_some(), "{} / {} do not convert", a, b);
        if let (Some(sx), Some(sy)) = (sx, sy) {
            prop_assert_eq!(x.compare(&y), sx.cmp_precedence(&sy), "{} vs {}", a, b);
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

/// Ranges over the documented length limit are refused without parsing; whitespace does not
/// count towards it.
#[test]
fn range_length_limit() {
    let o = Options::default();
    let long = "1.2.3 ".repeat(version::MAX_RANGE_LENGTH / 6 + 1);
    assert!(!version::satisfies("1.2.3", &long, o));
    assert_eq!(version::valid_range(&long, o), None);
    let err = version::min_version(&long, o).expect_err("over the limit");
    assert_eq!(err.code(), "LIMIT_EXCEEDED");
    let spaced = format!("1.2.3{}<2", " ".repeat(2 * version::MAX_RANGE_LENGTH));
    assert_eq!(
        version::valid_range(&spaced, o).as_deref(),
        Some("1.2.3 <2.0.0-0")
    );
}
