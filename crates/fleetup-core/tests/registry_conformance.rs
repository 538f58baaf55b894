//! Conformance with the package registry's semver library (Masterminds/semver v3.4.0), from the
//! tables in `../shared/conformance/registry/` (every value produced by the real Go library),
//! and the Kibana constraints found in real packages. Everything goes through the JSON
//! dispatcher, as every other surface does.
//!
//! Skips with a message when `../shared` is absent (a fresh clone); CI always has it.

use std::path::{Path, PathBuf};

use fleetup_core::registry::{Constraint, Version};
use serde_json::{json, Value};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("conformance/registry").is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIPPED: {} not found; the registry conformance data lives in ../shared (present in CI)",
            dir.display()
        );
        None
    }
}

fn load(dir: &Path, name: &str) -> Vec<Value> {
    let path = dir.join("conformance/registry").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Array(rows)) => rows,
        other => panic!("{} is not a JSON array: {other:?}", path.display()),
    }
}

/// Runs an operation and returns `Ok(result)` or `Err((code, message, path))`.
fn op(name: &str, args: Value) -> Result<Value, (String, String, String)> {
    let request = json!({"op": name, "args": args}).to_string();
    let response: Value = serde_json::from_str(&fleetup_core::call(&request)).unwrap();
    if let Some(ok) = response.get("ok") {
        return Ok(ok.clone());
    }
    let e = &response["error"];
    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
    Err((s("code"), s("message"), s("path")))
}

/// Collects mismatches and counts checks.
#[derive(Default)]
struct Tally {
    checks: usize,
    failures: Vec<String>,
}

impl Tally {
    fn eq(&mut self, id: &str, what: &str, got: &Value, want: &Value) {
        self.checks += 1;
        if got != want {
            self.failures
                .push(format!("{id}: {what}: got {got}, want {want}"));
        }
    }

    fn finish(self, name: &str) {
        println!(
            "{name}: {} checks, {} passed, {} failed",
            self.checks,
            self.checks - self.failures.len(),
            self.failures.len()
        );
        for f in self.failures.iter().take(40) {
            println!("  MISMATCH {f}");
        }
        assert!(
            self.failures.is_empty(),
            "{name}: {} mismatches",
            self.failures.len()
        );
    }
}

fn result_or_null(r: Result<Value, (String, String, String)>) -> Value {
    r.unwrap_or(Value::Null)
}

#[test]
fn checks_json() {
    let Some(dir) = shared() else { return };
    let rows = load(&dir, "checks.json");
    assert!(rows.len() >= 1100, "expected 1100 rows, got {}", rows.len());
    let mut t = Tally::default();
    for row in &rows {
        let id = row["id"].as_str().unwrap_or("?");
        let constraint = row["constraint"].as_str().expect("constraint");
        let include = row["include_prerelease"].as_bool().unwrap_or(false);

        // Validity and the normalised string.
        let string = result_or_null(op(
            "registry.valid_constraint",
            json!({"constraint": constraint}),
        ));
        t.eq(
            id,
            "constraint_valid",
            &Value::Bool(!string.is_null()),
            &row["constraint_valid"],
        );
        if let Some(want) = row.get("constraint_string") {
            t.eq(id, "constraint_string", &string, want);
        }
        if let Some(groups) = row.get("constraint_groups") {
            let got = Constraint::parse(constraint)
                .map(|c| json!(c.groups()))
                .unwrap_or(Value::Null);
            t.eq(id, "constraint_groups", &got, groups);
        }
        // The error text, through the op that reports it.
        if let Some(want) = row.get("constraint_error") {
            let got = match op(
                "registry.satisfies",
                json!({"version": "1.0.0", "constraint": constraint}),
            ) {
                Err((code, message, path)) => {
                    t.eq(id, "error code", &json!(code), &json!("INVALID_CONSTRAINT"));
                    t.eq(id, "error path", &json!(path), &json!("/constraint"));
                    json!(message)
                }
                Ok(v) => v,
            };
            t.eq(id, "constraint_error", &got, want);
        }

        let Some(version) = row["version"].as_str() else {
            continue;
        };
        // The version parses in both modes.
        let coerced = result_or_null(op("registry.valid_version", json!({"version": version})));
        t.eq(
            id,
            "version_valid",
            &Value::Bool(!coerced.is_null()),
            &row["version_valid"],
        );
        if let Some(want) = row.get("version_string") {
            t.eq(id, "version_string", &coerced, want);
        }
        let strict = result_or_null(op(
            "registry.valid_version",
            json!({"version": version, "strict": true}),
        ));
        t.eq(
            id,
            "version_strict_valid",
            &Value::Bool(!strict.is_null()),
            &row["version_strict_valid"],
        );

        // Check, with the row's IncludePrerelease and (cross rows) with it on.
        let sat = |include: bool| {
            result_or_null(op(
                "registry.satisfies",
                json!({"version": version, "constraint": constraint, "include_prerelease": include}),
            ))
        };
        t.eq(id, "check", &sat(include), &row["check"]);
        if let Some(want) = row.get("check_include_prerelease") {
            t.eq(id, "check_include_prerelease", &sat(true), want);
        }
        if let Some(want) = row.get("validate") {
            let got = op(
                "registry.validate",
                json!({"version": version, "constraint": constraint, "include_prerelease": include}),
            );
            if let Ok(got) = got {
                t.eq(id, "validate", &got["ok"], want);
                if let Some(errors) = row.get("validate_errors") {
                    t.eq(id, "validate_errors", &got["errors"], errors);
                }
            } else if !want.is_null() {
                t.eq(id, "validate", &Value::Null, want);
            }
        }
    }
    t.finish("checks.json");
}

#[test]
fn versions_json() {
    let Some(dir) = shared() else { return };
    let rows = load(&dir, "versions.json");
    assert!(rows.len() >= 230, "expected 230 rows, got {}", rows.len());
    let mut t = Tally::default();
    for row in &rows {
        let id = row["id"].as_str().unwrap_or("?");
        let version = row["version"].as_str().expect("version");
        for (mode, strict) in [("new", false), ("strict", true)] {
            let want = &row[mode];
            let got = result_or_null(op(
                "registry.valid_version",
                json!({"version": version, "strict": strict}),
            ));
            t.eq(
                id,
                &format!("{mode}.valid"),
                &Value::Bool(!got.is_null()),
                &want["valid"],
            );
            if let Some(s) = want.get("string") {
                t.eq(id, &format!("{mode}.string"), &got, s);
            }
            if let Some(e) = want.get("error") {
                let parsed = if strict {
                    Version::parse_strict(version)
                } else {
                    Version::parse_coerce(version)
                };
                let message = parsed.err().map(|e| e.message().to_string());
                t.eq(id, &format!("{mode}.error"), &json!(message), e);
            }
        }
    }
    t.finish("versions.json");
}

#[test]
fn compare_json() {
    let Some(dir) = shared() else { return };
    let rows = load(&dir, "compare.json");
    assert!(rows.len() >= 40, "expected 40 rows, got {}", rows.len());
    let mut t = Tally::default();
    for row in &rows {
        let id = row["id"].as_str().unwrap_or("?");
        let (a, b) = (row["a"].as_str().unwrap(), row["b"].as_str().unwrap());
        let got = op("registry.compare", json!({"a": a, "b": b})).unwrap_or(Value::Null);
        let r = &row["result"];
        t.eq(id, "compare", &got, &r["compare"]);
        let n = got.as_i64().unwrap_or(99);
        for (name, value) in [
            ("lt", n < 0),
            ("le", n <= 0),
            ("gt", n > 0),
            ("ge", n >= 0),
            ("eq", n == 0),
        ] {
            t.eq(id, name, &json!(value), &r[name]);
        }
        // And the op the upstream test asserted.
        let want = &row["expected"];
        let asserted = match row["op"].as_str().unwrap_or("") {
            "compare" => got.clone(),
            name => r[name].clone(),
        };
        t.eq(id, "expected", &asserted, want);
        for (k, s) in [("a_string", a), ("b_string", b)] {
            let norm = result_or_null(op("registry.valid_version", json!({"version": s})));
            t.eq(id, k, &norm, &row[k]);
        }
    }
    t.finish("compare.json");
}
