//! Every case of `../shared/conformance/kibana/validation.json` through the dispatcher.

mod kibana_support;

use fleetup_core::dispatch;
use kibana_support::{check_assertion, deep_equal, load_cases};
use serde_json::{json, Map, Value};

fn run_case(case: &Value) -> Result<(), String> {
    let function = case["function"].as_str().unwrap_or("");
    let ok = |op: &str, args: Value| dispatch(op, &args).map_err(|e| format!("{op} failed: {e}"));
    let subject = match function {
        "validatePackagePolicy" => ok(
            "fleet.validate_package_policy",
            json!({"package_policy": case["package_policy"], "package_info": case["package_info"]}),
        )?,
        "validatePackagePolicyConfig" => {
            let mut args = Map::new();
            for key in ["var", "var_def", "var_name", "package_type"] {
                if let Some(v) = case.get(key) {
                    args.insert(key.into(), v.clone());
                }
            }
            ok("fleet.validate_package_policy_config", Value::Object(args))?
        }
        "validationHasErrors" => ok(
            "fleet.validation_has_errors",
            json!({"validation_results": case["validation_results"]}),
        )?,
        "parseDuration" => {
            let r = ok("fleet.parse_duration", json!({"input": case["input"]}))?;
            let exp = &case["expected"];
            let errors = r["errors"].as_array().cloned().unwrap_or_default();
            if let Some(v) = exp.get("isValid") {
                if &r["isValid"] != v {
                    return Err(format!("isValid {} != {v}", r["isValid"]));
                }
            }
            if let Some(n) = exp.get("errors_length").and_then(Value::as_u64) {
                if errors.len() as u64 != n {
                    return Err(format!("errors {errors:?}, expected {n}"));
                }
            }
            if let Some(sub) = exp.get("errors_0_contains").and_then(Value::as_str) {
                if !errors
                    .first()
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.contains(sub))
                {
                    return Err(format!("errors[0] of {errors:?} lacks {sub:?}"));
                }
            }
            if let Some(ns) = exp.get("valueNs").and_then(Value::as_f64) {
                if r["valueNs"].as_f64() != Some(ns) {
                    return Err(format!("valueNs {} != {ns}", r["valueNs"]));
                }
            }
            return Ok(());
        }
        other => return Err(format!("unknown function {other}")),
    };
    match case.get("match").and_then(Value::as_str) {
        Some("toEqual") | None if case.get("expected").is_some() => {
            let exp = &case["expected"];
            if !deep_equal(&subject, exp) {
                return Err(format!("got {subject}\nexpected {exp}"));
            }
        }
        Some("toBe") if subject != case["expected"] => {
            return Err(format!("got {subject}, expected {}", case["expected"]));
        }
        Some("toBe") => {}
        Some("toContain") => {
            let exp = &case["expected"];
            let hit = subject.as_array().is_some_and(|a| a.contains(exp));
            if !hit {
                return Err(format!("{subject} does not contain {exp}"));
            }
        }
        Some("assertions") => {
            for a in case["assertions"].as_array().cloned().unwrap_or_default() {
                check_assertion(&subject, &a)?;
            }
        }
        Some(m) => return Err(format!("unsupported match {m}")),
        None => {}
    }
    if let Some(exp) = case.get("expected_has_errors").filter(|v| !v.is_null()) {
        let has = ok(
            "fleet.validation_has_errors",
            json!({"validation_results": subject}),
        )?;
        if &has != exp {
            return Err(format!("validationHasErrors {has}, expected {exp}"));
        }
    }
    Ok(())
}

#[test]
fn kibana_validation_cases() {
    let Some(cases) = load_cases("validation.json") else {
        return;
    };
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        if let Err(e) = run_case(case) {
            failures.push(format!("{id}: {e}"));
        }
    }
    println!(
        "validation.json: {} cases, {} failed",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
