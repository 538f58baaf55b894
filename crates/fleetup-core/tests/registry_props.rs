//! Properties of the registry (Masterminds semver) parser over arbitrary input:
//! - it never panics, on any string, through the Rust API and the dispatcher;
//! - it accepts and normalises exactly what the library's regular expressions would: a
//!   differential check against an oracle built on the `regex` crate, whose leftmost-first
//!   semantics are those of Go's `regexp`;
//! - normal forms are fixed points, and comparison is antisymmetric.

use std::sync::OnceLock;

use fleetup_core::registry::{Constraint, Version};
use proptest::prelude::*;
use regex::Regex;

/// Pieces that reach every branch of the grammar when concatenated at random.
const PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "7",
    "12",
    "01",
    "x",
    "X",
    "*",
    "|",
    "||",
    ".",
    "-",
    " - ",
    " ",
    "  ",
    ",",
    ", ",
    ">",
    "<",
    "=",
    "!",
    "~",
    "^",
    ">=",
    "<=",
    "=>",
    "=<",
    "!=",
    "~>",
    "v",
    "a",
    "beta",
    "SNAPSHOT",
    "+",
    "\t",
    "\n",
    "\u{b}",
    "99999999999999999999",
    "é",
];

fn constraint_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES), 0..14).prop_map(|v| v.concat())
}

fn version_like() -> impl Strategy<Value = String> {
    let pieces = &[
        "0", "1", "2", "10", "01", ".", "-", "+", "v", "a", "rc", "x", " ",
    ][..];
    proptest::collection::vec(proptest::sample::select(pieces), 0..10).prop_map(|v| v.concat())
}

struct Oracle {
    range: Regex,
    valid: Regex,
    find: Regex,
    single: Regex,
}

/// The library's patterns, written out from its documented grammar. `\s` is spelled as Go's
/// ASCII class because the `regex` crate's `\s` is Unicode-aware.
fn oracle() -> &'static Oracle {
    static O: OnceLock<Oracle> = OnceLock::new();
    O.get_or_init(|| {
        let ws = r"[\t\n\f\r ]";
        let num = r"[0-9|xX*]+";
        let ident = r"[0-9A-Za-z\-]+";
        let cv = format!(
            r"v?({num})(\.{num})?(\.{num})?(-({ident}(\.{ident})*))?(\+({ident}(\.{ident})*))?"
        );
        let ops = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
        let re = |p: String| Regex::new(&p).expect("oracle pattern");
        Oracle {
            range: re(format!(r"{ws}*({cv}){ws}+-{ws}+({cv}){ws}*")),
            valid: re(format!(
                r"^({ws}*({ops}){ws}*({cv}){ws}*)((?:{ws}+|,{ws}*)({ops}){ws}*({cv}){ws}*)*$"
            )),
            find: re(format!(r"({ops}){ws}*({cv})")),
            single: re(format!(r"^{ws}*({ops}){ws}*({cv}){ws}*$")),
        }
    })
}

/// `NewConstraint` followed by `String()`, or the error text, by the library's algorithm.
fn oracle_parse(c: &str) -> Result<String, String> {
    let o = oracle();
    let mut text = c.to_string();
    for caps in o.range.captures_iter(c) {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let from = caps.get(1).map_or("", |m| m.as_str());
        let to = caps.get(11).map_or("", |m| m.as_str());
        text = text.replacen(whole, &format!(">= {from}, <= {to} "), 1);
    }
    let mut groups = Vec::new();
    for seg in text.split("||") {
        if !o.valid.is_match(seg) {
            return Err(format!("improper constraint: {seg}"));
        }
        let mut items = Vec::new();
        for m in o.find.find_iter(seg) {
            let caps = o
                .single
                .captures(m.as_str())
                .ok_or_else(|| format!("improper constraint: {}", m.as_str()))?;
            let g = |i: usize| caps.get(i).map_or("", |m| m.as_str());
            let is_x = |s: &str| matches!(s, "x" | "X" | "*");
            let ver = if is_x(g(3)) {
                format!("0.0.0{}", g(6))
            } else if g(4).is_empty() || is_x(g(4).trim_start_matches('.')) {
                format!("{}.0.0{}", g(3), g(6))
            } else if g(5).is_empty() || is_x(g(5).trim_start_matches('.')) {
                format!("{}{}.0{}", g(3), g(4), g(6))
            } else {
                g(2).to_string()
            };
            // The version parser itself is checked against the library's tables elsewhere.
            Version::parse_coerce(&ver).map_err(|_| "constraint parser error".to_string())?;
            items.push(format!("{}{}", g(1), g(2)));
        }
        groups.push(items.join(" "));
    }
    Ok(groups.join(" || "))
}

fn ours(c: &str) -> Result<String, String> {
    Constraint::parse(c)
        .map(|c| c.to_string())
        .map_err(|e| e.message().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES raises the count for a longer local run.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(4000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_any_string(s in "\\PC{0,40}", v in "\\PC{0,20}", pre in any::<bool>()) {
        if let (Ok(c), Ok(v)) = (Constraint::parse(&s), Version::parse_coerce(&v)) {
            let _ = c.check(&v, pre);
            let _ = c.validate(&v, pre);
        }
        let _ = Version::parse_strict(&v);
        let request = serde_json::json!({"op": "registry.satisfies",
            "args": {"version": v, "constraint": s, "include_prerelease": pre}});
        let out = fleetup_core::call(&request.to_string());
        let enveloped = out.starts_with(r#"{"ok":"#) || out.starts_with(r#"{"error":"#);
        prop_assert!(enveloped, "{}", out);
    }

    #[test]
    fn parser_matches_the_library_patterns(c in constraint_like()) {
        prop_assert_eq!(ours(&c), oracle_parse(&c), "constraint {:?}", c);
    }

    #[test]
    fn normal_form_is_a_fixed_point(c in constraint_like(), v in version_like(), pre in any::<bool>()) {
        let streamed = fleetup_core::registry::satisfies(&v, &c, pre);
        if let Err(e) = &streamed {
            // Constraint errors come first, then version errors.
            let expected = Constraint::parse(&c).err().or_else(|| Version::parse_coerce(&v).err());
            prop_assert_eq!(Some(e), expected.as_ref());
        }
        if let Ok(parsed) = Constraint::parse(&c) {
            let normal = parsed.to_string();
            let again = Constraint::parse(&normal);
            prop_assert!(again.is_ok(), "{:?} -> {:?} does not re-parse", c, normal);
            let again = again.unwrap();
            prop_assert_eq!(again.to_string(), normal.clone());
            if let Ok(pv) = Version::parse_coerce(&v) {
                prop_assert_eq!(parsed.check(&pv, pre), again.check(&pv, pre));
                // The memoised path gives the same answer as parse-then-check.
                let answer = fleetup_core::registry::satisfies(&v, &c, pre);
                prop_assert_eq!(answer.ok(), Some(parsed.check(&pv, pre)));
                prop_assert_eq!(parsed.validate(&pv, pre).0, parsed.check(&pv, pre));
            }
        }
    }

    #[test]
    fn versions_normalise_to_strict_and_order_consistently(a in version_like(), b in version_like()) {
        if let Ok(va) = Version::parse_coerce(&a) {
            let strict = Version::parse_strict(&va.to_string());
            prop_assert_eq!(strict.as_ref().ok(), Some(&va), "{:?}", a);
            if let Ok(vb) = Version::parse_coerce(&b) {
                prop_assert_eq!(va.compare(&vb), vb.compare(&va).reverse());
            }
        }
    }
}

/// `NewVersion` (coercing) by the library's algorithm: its loose pattern, then the numbers and
/// the prerelease's numeric identifiers.
fn oracle_version(v: &str) -> Option<String> {
    static LOOSE: OnceLock<Regex> = OnceLock::new();
    let re = LOOSE.get_or_init(|| {
        let ident = r"[0-9A-Za-z\-]+";
        Regex::new(&format!(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-({ident}(\.{ident})*))?(\+({ident}(\.{ident})*))?$"
        ))
        .expect("oracle pattern")
    });
    let caps = re.captures(v)?;
    let g = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let num = |s: &str| s.trim_start_matches('.').parse::<u64>().ok();
    let major = num(g(1))?;
    let minor = if g(2).is_empty() { 0 } else { num(g(2))? };
    let patch = if g(3).is_empty() { 0 } else { num(g(3))? };
    let leading_zero =
        |p: &str| p.len() > 1 && p.starts_with('0') && p.bytes().all(|c| c.is_ascii_digit());
    if g(5).split('.').any(leading_zero) {
        return None;
    }
    let mut out = format!("{major}.{minor}.{patch}");
    if !g(5).is_empty() {
        out.push('-');
        out.push_str(g(5));
    }
    if !g(8).is_empty() {
        out.push('+');
        out.push_str(g(8));
    }
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(4000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn coercing_parser_matches_the_library_pattern(v in version_like()) {
        let ours = Version::parse_coerce(&v).ok().map(|v| v.to_string());
        prop_assert_eq!(ours, oracle_version(&v), "version {:?}", v);
    }
}

#[test]
fn oracle_agrees_on_known_cases() {
    for c in [
        "1.2.3 - 2.3.4",
        "1||2 - 3",
        "1 - 2- 3 || 2 - 3",
        ">= 1.2, < 3.0.0",
        "1.x.5",
        "",
        "v1.2.3-beta.01",
        "=< 1.2",
        "99999999999999999999\t,",
    ] {
        assert_eq!(ours(c), oracle_parse(c), "{c:?}");
    }
    for v in [
        "v1.2",
        "01.2.3",
        "1.2.3-01",
        "1.2-beta.5",
        "18446744073709551616",
        "1.2.3+01",
    ] {
        let ours = Version::parse_coerce(v).ok().map(|v| v.to_string());
        assert_eq!(ours, oracle_version(v), "{v:?}");
    }
}
