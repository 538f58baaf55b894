//! Corner cases found by differential fuzzing against node-semver 7.8.5
//! (`bench/semver-node/diff.mjs`), with the answers node-semver gave, run through the
//! dispatcher. They pin behaviour that follows from node-semver's regular expressions and
//! JavaScript numbers rather than from its documentation. `"THROWS"`: node-semver throws, so
//! the operation must be an error.

use serde_json::{json, Value};

/// `[op, args, options, expected]`.
fn cases() -> Value {
    json!([
        ["valid", "1.2.34.5", {"loose": true}, "1.2.3-4.5"],
        ["valid", "1.2.3.4", {"loose": true}, null],
        ["valid", "1.2.3-", {"loose": true}, "1.2.3--"],
        ["valid", "1.2.3-", {}, null],
        ["valid", " =v 01.02.03beta.4 ", {"loose": true}, "1.2.3-beta.4"],
        ["valid", "\u{a0}1.2.3\u{feff}", {}, "1.2.3"],
        ["valid", "\u{85}1.2.3", {}, null],
        ["valid", "1.2.3-01", {"loose": true}, "1.2.3-1"],
        ["validRange", "1.2.34.5 - 2", {"loose": true}, ">=1.2.3-4.5 <3.0.0-0"],
        ["validRange", "~1.2.34.5", {"loose": true}, ">=1.2.3-4.5 <1.3.0-0"],
        ["validRange", "x.9007199254740991.00 - 1.2.01.0", {"loose": true, "includePrerelease": true}, "<=1.2.0-1.0"],
        ["validRange", "~2.X.002.1.00+build9007199254740992 ||2.0.3+00", {"loose": true, "includePrerelease": true}, ">=2.0.0-0 <3.0.0-0||2.0.3"],
        ["validRange", "1.2.3 +build >2", {}, "1.2.3 >=3.0.0"],
        ["validRange", "> = 1.2.3", {"loose": true}, "1.2.3"],
        ["validRange", "~> 1.2", {}, ">=1.2.0 <1.3.0-0"],
        ["validRange", "^ 1.2 ~ 3", {}, ">=1.2.0 <2.0.0-0 >=3.0.0 <4.0.0-0"],
        ["validRange", "=<1.2.3", {}, null],
        ["validRange", ">=1.2.3 >=1.2.3 <2", {}, ">=1.2.3 <2.0.0-0"],
        ["validRange", "<x || 1.2.3", {}, "1.2.3"],
        ["validRange", "*-pre", {}, null],
        ["validRange", "1.*.3", {}, null],
        ["validRange", "^9007199254740991.0.0", {}, null],
        ["validRange", ">9007199254740991.x", {"loose": true}, null],
        ["validRange", ">1000000000000000000000.x || 1.2.3", {"loose": true}, "1.2.3"],
        ["validRange", "v1.2.3 - v2.3.4", {}, ">=1.2.3 <=2.3.4"],
        ["validRange", "1.2.3 - 2.3.4", {"includePrerelease": true}, ">=1.2.3-0 <2.3.5-0"],
        ["validRange", ">=0.0.0", {"includePrerelease": true}, ">=0.0.0"],
        ["validRange", ">=0.0.0-0", {"includePrerelease": true}, "*"],
        ["minVersion", ">0.3.9007199254740991", {}, "0.3.9007199254740992"],
        ["minVersion", ">0.3.9007199254740991", {"loose": true}, "THROWS"],
        ["minVersion", ">=1.2.3-09007199254740993", {"loose": true}, "THROWS"],
        ["satisfies", ["1.2.3-90071992547409910", ">=1.2.3-90071992547409911"], {}, true],
        ["satisfies", ["1.2.3-beta", ">=1.2.3-alpha <2"], {}, true],
        ["satisfies", ["3.4.5-alpha.9", ">1.2.3-alpha.3"], {}, false],
        ["compare", ["1.2.3-90071992547409910", "1.2.3-90071992547409911"], {}, 0],
        ["compare", ["1.6.0-preview9", "1.6.0-preview10"], {}, 1]
    ])
}

#[test]
fn node_semver_corner_cases() {
    let mut failures = Vec::new();
    let all = cases();
    let list = all.as_array().expect("table is an array");
    for case in list {
        let (op, arg, o, want) = (&case[0], &case[1], &case[2], &case[3]);
        let options = json!({
            "loose": o["loose"].as_bool().unwrap_or(false),
            "include_prerelease": o["includePrerelease"].as_bool().unwrap_or(false),
        });
        let (name, args) = match op.as_str().unwrap_or_default() {
            "valid" => ("semver.valid", json!({"version": arg, "options": options})),
            "validRange" => (
                "semver.valid_range",
                json!({"range": arg, "options": options}),
            ),
            "minVersion" => (
                "semver.min_version",
                json!({"range": arg, "options": options}),
            ),
            "satisfies" => (
                "semver.satisfies",
                json!({"version": arg[0], "range": arg[1], "options": options}),
            ),
            "compare" => (
                "semver.compare",
                json!({"a": arg[0], "b": arg[1], "options": options}),
            ),
            other => panic!("unknown op {other}"),
        };
        let got = fleetup_core::dispatch(name, &args);
        let ok = match (&got, want) {
            (Err(_), Value::String(s)) if s == "THROWS" => true,
            (Ok(g), w) => g == w,
            _ => false,
        };
        if !ok {
            failures.push(format!("{name} {args}: want {want}, got {got:?}"));
        }
    }
    println!("{} corner cases, {} failed", list.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
