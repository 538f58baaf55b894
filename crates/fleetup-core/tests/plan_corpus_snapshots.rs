//! Golden snapshots of the plan of every corpus upgrade pair (each consecutive pair and the
//! first → last pair of every package), for a default policy and for a customised one (every var
//! set by the user). A behaviour change in the engine or the change list shows up here, in review.
//!
//! Regenerate after an intended change with `FLEETUP_UPDATE_SNAPSHOTS=1 cargo test --test
//! plan_corpus_snapshots`, then read the diff of `tests/snapshots/corpus_plans.json`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use support::{entry_names, shared, versions_in_order};

use serde_json::{json, Map, Value};

fn call(op: &str, args: Value) -> Value {
    match fleetup_core::dispatch(op, &args) {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e}"),
    }
}

/// A deterministic non-default value of the same shape.
fn customised(value: &Value, ty: Option<&str>) -> Value {
    match (ty, value) {
        (Some("password"), _) => json!("s3cret-value"),
        (Some("yaml"), _) => json!("# set by the user\ncustom_key: custom_value\n"),
        (Some("bool"), Value::Bool(b)) => json!(!b),
        (Some("bool"), _) => json!(true),
        (Some("integer"), Value::Number(n)) => json!(n.as_i64().unwrap_or(0) + 1),
        (Some("integer"), _) => json!(42),
        (_, Value::Array(items)) => {
            let mut items = items.clone();
            items.push(json!("custom-entry"));
            Value::Array(items)
        }
        (_, Value::String(s))
            if s.ends_with('s')
                && s[..s.len() - 1].chars().all(|c| c.is_ascii_digit())
                && s.len() > 1 =>
        {
            json!(format!(
                "{}s",
                s[..s.len() - 1].parse::<u64>().unwrap_or(0) + 7
            ))
        }
        (_, Value::String(s)) => json!(format!("{s}-custom")),
        (_, Value::Number(n)) => json!(n.as_f64().unwrap_or(0.0) + 1.0),
        (_, Value::Bool(b)) => json!(!b),
        _ => json!("custom"),
    }
}

fn customise_vars(vars: Option<&mut Value>) {
    let Some(Value::Object(vars)) = vars else {
        return;
    };
    for (_, entry) in vars.iter_mut() {
        let Value::Object(entry) = entry else {
            continue;
        };
        let ty = entry
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string);
        let current = entry.get("value").cloned().unwrap_or(Value::Null);
        entry.insert("value".into(), customised(&current, ty.as_deref()));
    }
}

fn customise(policy: &mut Value) {
    customise_vars(policy.get_mut("vars"));
    if let Some(Value::Array(inputs)) = policy.get_mut("inputs") {
        for input in inputs {
            customise_vars(input.get_mut("vars"));
            if let Some(Value::Array(streams)) = input.get_mut("streams") {
                for s in streams {
                    customise_vars(s.get_mut("vars"));
                }
            }
        }
    }
}

fn record(plan: &Value) -> Value {
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for c in plan["changes"].as_array().into_iter().flatten() {
        *kinds
            .entry(c["kind"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
        if c["severity"] == "conflict" {
            let place = [
                c["input"].as_str(),
                c["dataset"].as_str(),
                c["var"].as_str(),
            ]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(" › ");
            conflicts.push(format!("{}: {place}", c["kind"].as_str().unwrap_or("?")));
        }
    }
    conflicts.sort();
    json!({
        "decision": plan["decision"],
        "by_kind": kinds,
        "conflicts": conflicts,
        "error": plan.get("error").cloned().unwrap_or(Value::Null),
    })
}

#[test]
fn corpus_pair_plans_match_their_snapshots() {
    let Some(root) = shared() else { return };
    let corpus = root.join("corpus/packages");
    let mut actual = Map::new();
    for name in entry_names(&corpus) {
        let versions = versions_in_order(&corpus.join(&name));
        let infos: Vec<Value> = versions
            .iter()
            .map(|v| {
                call(
                    "package.load",
                    json!({"path": corpus.join(&name).join(v).to_string_lossy()}),
                )
            })
            .collect();
        let mut pairs: Vec<(usize, usize)> = (1..versions.len()).map(|i| (i - 1, i)).collect();
        if versions.len() > 2 {
            pairs.push((0, versions.len() - 1));
        }
        for (a, b) in pairs {
            let (old, new) = (&infos[a], &infos[b]);
            let mut policy = call(
                "fleet.package_to_package_policy",
                json!({"package_info": old, "agent_policy_ids": ["ap-1"], "namespace": "default", "name": format!("{name}-1")}),
            );
            policy["id"] = json!("pp-1");
            let mut custom = policy.clone();
            customise(&mut custom);
            for (variant, p) in [("default", &policy), ("customised", &custom)] {
                let plan = call(
                    "plan.policy",
                    json!({"package_policy": p, "package_info": new, "previous_package_info": old}),
                );
                // Property: every Kibana error is covered by a conflict record.
                let errors = plan["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["severity"] == "conflict")
                    .count();
                assert_eq!(
                    plan["has_errors"],
                    json!(errors > 0),
                    "{name} {a}->{b} {variant}"
                );
                actual.insert(
                    format!("{name} {} -> {} ({variant})", versions[a], versions[b]),
                    record(&plan),
                );
            }
        }
    }
    let actual = Value::Object(actual);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/corpus_plans.json");
    let first_run = !path.exists() && std::env::var_os("CI").is_none();
    if std::env::var_os("FLEETUP_UPDATE_SNAPSHOTS").is_some() || first_run {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (Value::Object(exp), Value::Object(act)) = (&expected, &actual) else {
        unreachable!()
    };
    let mut diffs = Vec::new();
    for (k, v) in act {
        match exp.get(k) {
            Some(e) if e == v => {}
            Some(e) => diffs.push(format!("{k}:\n  snapshot {e}\n  now      {v}")),
            None => diffs.push(format!("{k}: not in the snapshot")),
        }
    }
    for k in exp.keys().filter(|k| !act.contains_key(*k)) {
        diffs.push(format!("{k}: in the snapshot but no longer planned"));
    }
    assert!(
        diffs.is_empty(),
        "{} corpus plan(s) differ from tests/snapshots/corpus_plans.json (FLEETUP_UPDATE_SNAPSHOTS=1 regenerates):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
