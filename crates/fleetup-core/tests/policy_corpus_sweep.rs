//! The upgrade engine over every corpus package (`../shared/corpus/packages/<name>/<version>`):
//! every consecutive version pair and first→last, for the old version's default policy and for
//! a customised one (every var set). Checks, per dry run:
//! - it succeeds (never a panic, never an error on a forward upgrade);
//! - `diff[0]` is the stored policy, `diff[1]` carries the target version;
//! - `hasErrors` agrees with validating the proposed policy again;
//! - running it twice gives byte-identical output;
//! - unknown fields at policy, input and stream level survive;
//! - stored var values that are still defined and non-null are kept.

use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicUsize, Ordering};

use fleetup_core::dispatch;

/// Stored var values compared against the proposed policy (guards against a vacuous sweep).
static COMPARED: AtomicUsize = AtomicUsize::new(0);
use serde_json::{json, Value};

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/packages");
    p.is_dir().then_some(p)
}

fn load(path: &Path) -> Value {
    dispatch("package.load", &json!({"path": path.to_string_lossy()}))
        .unwrap_or_else(|e| panic!("package.load {}: {e}", path.display()))
}

fn customise(policy: &mut Value) {
    fn set(vars: &mut Value) {
        let Some(m) = vars.as_object_mut() else {
            return;
        };
        for (i, entry) in m.values_mut().enumerate() {
            let v = match entry.get("type").and_then(Value::as_str) {
                Some("bool") => json!(i % 2 == 0),
                Some("integer") => json!(i),
                Some("yaml") => json!(format!("custom_{i}: true\n")),
                Some("duration") => json!("45s"),
                Some("select") => match entry.get("value") {
                    Some(v) if !v.is_null() => v.clone(),
                    _ => continue,
                },
                _ => match entry.get("value") {
                    Some(Value::Array(_)) => json!([format!("/custom/{i}")]),
                    _ => json!(format!("custom-{i}")),
                },
            };
            entry["value"] = v;
        }
    }
    if let Some(v) = policy.get_mut("vars") {
        set(v);
    }
    for input in policy["inputs"].as_array_mut().into_iter().flatten() {
        if let Some(v) = input.get_mut("vars") {
            set(v);
        }
        input["x_unknown_input"] = json!(1);
        for stream in input["streams"].as_array_mut().into_iter().flatten() {
            if let Some(v) = stream.get_mut("vars") {
                set(v);
            }
            stream["x_unknown_stream"] = json!([true]);
        }
    }
}

fn check(label: &str, policy: &Value, target: &Value) -> Result<(), String> {
    let args = json!({"package_policy": policy, "package_info": target});
    let item = dispatch("fleet.upgrade_dry_run", &args).map_err(|e| format!("{label}: {e}"))?;
    let again = dispatch("fleet.upgrade_dry_run", &args).map_err(|e| format!("{label}: {e}"))?;
    // Byte-level comparison: key order matters, not just JSON equality.
    let (first, second) = (item.to_string(), again.to_string());
    if first != second {
        return Err(format!("{label}: output differs between two runs"));
    }
    let proposed = &item["diff"][1];
    if proposed["package"]["version"] != target["version"] {
        return Err(format!(
            "{label}: proposed version {}",
            proposed["package"]["version"]
        ));
    }
    let mut clean = proposed.clone();
    if let Some(m) = clean.as_object_mut() {
        m.shift_remove("errors");
    }
    let v = dispatch(
        "fleet.validate_package_policy",
        &json!({"package_policy": clean, "package_info": target}),
    )
    .map_err(|e| e.to_string())?;
    let has = dispatch(
        "fleet.validation_has_errors",
        &json!({"validation_results": v}),
    )
    .map_err(|e| e.to_string())?;
    if has != item["hasErrors"] {
        return Err(format!(
            "{label}: hasErrors {} but revalidation says {has}",
            item["hasErrors"]
        ));
    }
    if policy.get("x_unknown").is_some() && proposed["x_unknown"] != policy["x_unknown"] {
        return Err(format!("{label}: policy-level unknown field lost"));
    }
    // Inputs matched by (type, policy_template) keep unknown fields and non-null values of vars
    // the target still defines.
    for old in policy["inputs"].as_array().into_iter().flatten() {
        let Some(new) = proposed["inputs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["type"] == old["type"] && i["policy_template"] == old["policy_template"])
        else {
            continue;
        };
        if old.get("x_unknown_input").is_some() && new["x_unknown_input"] != old["x_unknown_input"]
        {
            return Err(format!(
                "{label}: input {} lost an unknown field",
                old["type"]
            ));
        }
        for (name, entry) in old["vars"].as_object().into_iter().flatten() {
            let kept = &new["vars"][name];
            if !kept.is_null() && !entry["value"].is_null() && kept["value"] != entry["value"] {
                return Err(format!(
                    "{label}: input var {name} changed {} -> {}",
                    entry["value"], kept["value"]
                ));
            }
        }
        for os in old["streams"].as_array().into_iter().flatten() {
            let Some(ns) = new["streams"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| s["data_stream"]["dataset"] == os["data_stream"]["dataset"])
            else {
                continue;
            };
            if os.get("x_unknown_stream").is_some()
                && ns["x_unknown_stream"] != os["x_unknown_stream"]
            {
                return Err(format!("{label}: stream lost an unknown field"));
            }
            for (name, entry) in os["vars"].as_object().into_iter().flatten() {
                let kept = &ns["vars"][name];
                if !kept.is_null() && !entry["value"].is_null() {
                    COMPARED.fetch_add(1, Ordering::Relaxed);
                    if kept["value"] != entry["value"] {
                        return Err(format!("{label}: stream var {name} changed"));
                    }
                }
            }
        }
    }
    Ok(())
}

#[test]
fn corpus_upgrade_sweep() {
    let Some(root) = corpus() else {
        println!("SKIPPED: ../shared/corpus/packages is absent (it is present in CI)");
        return;
    };
    if dispatch("package.load", &json!({})).is_err_and(|e| e.code() == "UNKNOWN_OP") {
        println!("SKIPPED: package.load is not available");
        return;
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut runs = 0;
    for pkg_dir in names {
        let mut versions: Vec<(String, Value)> = std::fs::read_dir(&pkg_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("manifest.yml").is_file())
            .map(|p| {
                let info = load(&p);
                (info["version"].as_str().unwrap_or("").to_string(), info)
            })
            .collect();
        versions.sort_by(|a, b| {
            fleetup_core::version::compare(&a.0, &b.0, Default::default())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut pairs: Vec<(usize, usize)> = (1..versions.len()).map(|i| (i - 1, i)).collect();
        if versions.len() > 2 {
            pairs.push((0, versions.len() - 1));
        }
        for (a, b) in pairs {
            let (old, new) = (&versions[a].1, &versions[b].1);
            let mut policy = dispatch(
                "fleet.package_to_package_policy",
                &json!({"package_info": old, "namespace": "default", "agent_policy_ids": ["ap-1"]}),
            )
            .unwrap();
            policy["id"] = json!("pp-1");
            policy["revision"] = json!(3);
            let label = format!(
                "{} {} -> {}",
                old["name"].as_str().unwrap_or("?"),
                versions[a].0,
                versions[b].0
            );
            if let Err(e) = check(&format!("{label} (defaults)"), &policy, new) {
                failures.push(e);
            }
            customise(&mut policy);
            policy["x_unknown"] = json!({"kept": true});
            if let Err(e) = check(&format!("{label} (customised)"), &policy, new) {
                failures.push(e);
            }
            runs += 2;
        }
    }
    let compared = COMPARED.load(Ordering::Relaxed);
    println!(
        "corpus sweep: {runs} dry runs, {compared} kept values compared, {} failures",
        failures.len()
    );
    assert!(
        compared > 1000,
        "the sweep compared too few values ({compared})"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
