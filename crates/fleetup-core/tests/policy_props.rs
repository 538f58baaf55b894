//! Property tests of the upgrade engine on generated packages and policies.
//!
//! 1. Upgrading a policy to its own package version changes nothing except what Kibana
//!    normalises: a var whose stored value is `null` or absent takes the package default
//!    (`deepMergeVars` keeps only non-null values; a default-less var ends without `value`, a
//!    `multi` one with `[]`); a policy without package-level `vars` gets the package's defaults
//!    (`{}` for an empty list); a dry run attaches `errors` when the policy is invalid.
//! 2. The same input gives byte-identical output.
//! 3. Fields the engine does not model (ids, revision, unknown keys at every level) survive.

use fleetup_core::dispatch;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A generated var definition: (type index, default pick, multi).
type VarSpec = (usize, Option<usize>, bool);

/// A var definition: (type, default, multi).
fn var_def() -> impl Strategy<Value = VarSpec> {
    (0usize..5, proptest::option::of(0usize..3), any::<bool>())
}

const TYPES: [&str; 5] = ["text", "bool", "integer", "yaml", "select"];

fn default_for(ty: &str, pick: usize, multi: bool) -> Value {
    let one = match ty {
        "bool" => json!(pick % 2 == 0),
        "integer" => json!(pick * 10),
        "yaml" => json!(format!("k{pick}: v\n")),
        "select" => json!(["a", "b", "c"][pick % 3]),
        _ => json!(format!("value-{pick}")),
    };
    if multi {
        json!([one])
    } else {
        one
    }
}

fn defs(prefix: &str, spec: &[VarSpec]) -> Vec<Value> {
    spec.iter()
        .enumerate()
        .map(|(i, (t, d, multi))| {
            let ty = TYPES[*t];
            let multi = *multi && ty == "text";
            let mut def = json!({"name": format!("{prefix}{i}"), "type": ty});
            if multi {
                def["multi"] = json!(true);
            }
            if ty == "select" {
                def["options"] = json!([{"value": "a", "text": "A"}, {"value": "b", "text": "B"}, {"value": "c", "text": "C"}]);
            }
            if let Some(p) = d {
                def["default"] = default_for(ty, *p, multi);
            }
            def
        })
        .collect()
}

#[derive(Debug, Clone)]
struct Case {
    pkg_vars: Vec<VarSpec>,
    inputs: Vec<Vec<VarSpec>>,
    streams: Vec<(usize, Vec<VarSpec>)>,
    /// Per var position: 0 keep default, 1 set to a user value, 2 null, 3 absent value.
    edits: Vec<usize>,
    unknown: String,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(var_def(), 0..4),
        proptest::collection::vec(proptest::collection::vec(var_def(), 0..4), 1..3),
        proptest::collection::vec(
            (0usize..3, proptest::collection::vec(var_def(), 0..4)),
            0..4,
        ),
        proptest::collection::vec(0usize..4, 40),
        "x_[a-z]{1,8}",
    )
        .prop_map(|(pkg_vars, inputs, streams, edits, unknown)| Case {
            pkg_vars,
            inputs,
            streams,
            edits,
            unknown,
        })
}

fn package(c: &Case) -> Value {
    let inputs: Vec<Value> = c
        .inputs
        .iter()
        .enumerate()
        .map(|(i, spec)| json!({"type": format!("input{i}"), "title": "t", "vars": defs("iv", spec)}))
        .collect();
    let n = inputs.len();
    let data_streams: Vec<Value> = c
        .streams
        .iter()
        .enumerate()
        .map(|(d, (input, spec))| {
            json!({"type": "logs", "dataset": format!("pkg.ds{d}"), "path": format!("ds{d}"),
                   "streams": [{"input": format!("input{}", input % n), "title": "s", "vars": defs("sv", spec)}]})
        })
        .collect();
    json!({"name": "pkg", "version": "1.2.3", "type": "integration", "vars": defs("pv", &c.pkg_vars),
           "policy_templates": [{"name": "pt", "title": "PT", "inputs": inputs}],
           "data_streams": data_streams})
}

/// Applies the case's edits to every var entry, and adds an unknown key at every level.
fn customise(policy: &mut Value, c: &Case) {
    let mut k = 0usize;
    let mut edit = |vars: &mut Value| {
        if let Some(m) = vars.as_object_mut() {
            for entry in m.values_mut() {
                match c.edits.get(k % c.edits.len()).copied().unwrap_or(0) {
                    1 => entry["value"] = json!(format!("user-{k}")),
                    2 => entry["value"] = Value::Null,
                    3 => {
                        if let Some(e) = entry.as_object_mut() {
                            e.shift_remove("value");
                        }
                    }
                    _ => {}
                }
                entry["x_unknown"] = json!(k);
                k += 1;
            }
        }
    };
    if let Some(v) = policy.get_mut("vars") {
        edit(v);
    }
    for input in policy["inputs"].as_array_mut().into_iter().flatten() {
        if let Some(v) = input.get_mut("vars") {
            edit(v);
        }
        input[c.unknown.as_str()] = json!({"nested": [1, null]});
        for stream in input["streams"].as_array_mut().into_iter().flatten() {
            if let Some(v) = stream.get_mut("vars") {
                edit(v);
            }
            stream["id"] = json!("stream-id");
            stream[c.unknown.as_str()] = Value::Null;
        }
    }
    policy["id"] = json!("pp-1");
    policy["revision"] = json!(7);
    policy["secret_references"] = json!([{"id": "s1"}]);
    policy[c.unknown.as_str()] = json!("kept");
}

/// What Kibana's merge does to a var entry of an unchanged package: a null or absent value
/// takes the default; without a default it ends absent (`[]` for multi).
fn normalise_vars(vars: &mut Value, defs: &[Value]) {
    let Some(m) = vars.as_object_mut() else {
        return;
    };
    for (name, entry) in m.iter_mut() {
        let Some(def) = defs.iter().find(|d| d["name"] == *name) else {
            continue;
        };
        let Some(e) = entry.as_object_mut() else {
            continue;
        };
        let unset = matches!(e.get("value"), None | Some(Value::Null));
        if !unset {
            continue;
        }
        let multi = def.get("multi") == Some(&json!(true));
        let default = def.get("default").filter(|d| {
            !matches!(d, Value::Null | Value::Bool(false)) && *d != &json!("") && *d != &json!(0)
        });
        match (default, multi) {
            (Some(d), _) => {
                e.insert("value".into(), d.clone());
            }
            (None, true) => {
                e.insert("value".into(), json!([]));
            }
            (None, false) => match def.get("default") {
                Some(d) => {
                    e.insert("value".into(), d.clone());
                }
                None => {
                    e.shift_remove("value");
                }
            },
        }
    }
}

fn expected_after_self_upgrade(policy: &Value, pkg: &Value) -> Value {
    let mut exp = policy.clone();
    let pkg_defs = pkg["vars"].as_array().map_or(&[][..], Vec::as_slice);
    match exp.get_mut("vars") {
        Some(v) => normalise_vars(v, pkg_defs),
        // A package that declares a vars list gives a policy without vars its defaults.
        None if pkg["vars"].is_array() => {
            let defaults = dispatch(
                "fleet.package_to_package_policy",
                &json!({"package_info": pkg}),
            )
            .unwrap();
            exp["vars"] = defaults.get("vars").cloned().unwrap_or_else(|| json!({}));
        }
        None => {}
    }
    let inputs_defs: Vec<Value> = pkg["policy_templates"][0]["inputs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for input in exp["inputs"].as_array_mut().into_iter().flatten() {
        let idefs = inputs_defs
            .iter()
            .find(|i| i["type"] == input["type"])
            .and_then(|i| i["vars"].as_array().cloned())
            .unwrap_or_default();
        if let Some(v) = input.get_mut("vars") {
            normalise_vars(v, &idefs);
        }
        for stream in input["streams"].as_array_mut().into_iter().flatten() {
            let ds = stream["data_stream"]["dataset"].clone();
            let sdefs = pkg["data_streams"]
                .as_array()
                .and_then(|l| l.iter().find(|d| d["dataset"] == ds))
                .and_then(|d| d["streams"][0]["vars"].as_array().cloned())
                .unwrap_or_default();
            if let Some(v) = stream.get_mut("vars") {
                normalise_vars(v, &sdefs);
            }
        }
    }
    exp
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn self_upgrade_changes_only_what_kibana_normalises(c in case()) {
        let pkg = package(&c);
        let mut policy = dispatch("fleet.package_to_package_policy", &json!({"package_info": pkg, "namespace": "default"})).unwrap();
        customise(&mut policy, &c);
        let out = dispatch("fleet.update_package_inputs", &json!({"package_policy": policy, "package_info": pkg, "dry_run": true})).unwrap();
        let mut out_no_errors = out.clone();
        if let Some(m) = out_no_errors.as_object_mut() {
            m.shift_remove("errors");
        }
        let expected = expected_after_self_upgrade(&policy, &pkg);
        prop_assert_eq!(out_no_errors.to_string(), expected.to_string());
        // Errors are exactly what validating the result reports.
        let validation = dispatch("fleet.validate_package_policy", &json!({"package_policy": out_no_errors, "package_info": pkg})).unwrap();
        let has = dispatch("fleet.validation_has_errors", &json!({"validation_results": validation})).unwrap();
        prop_assert_eq!(has == json!(true), out.get("errors").is_some());
    }

    #[test]
    fn same_input_same_bytes(c in case()) {
        let pkg = package(&c);
        let mut policy = dispatch("fleet.package_to_package_policy", &json!({"package_info": pkg})).unwrap();
        customise(&mut policy, &c);
        let req = json!({"op": "fleet.upgrade_dry_run", "args": {"package_policy": policy, "package_info": pkg}}).to_string();
        prop_assert_eq!(fleetup_core::call(&req), fleetup_core::call(&req));
    }

    #[test]
    fn unknown_fields_survive_an_upgrade(c in case(), bump in 0usize..3) {
        let pkg = package(&c);
        let mut policy = dispatch("fleet.package_to_package_policy", &json!({"package_info": pkg})).unwrap();
        customise(&mut policy, &c);
        let mut target = pkg.clone();
        target["version"] = json!(format!("1.{}.0", 3 + bump));
        let item = dispatch("fleet.upgrade_dry_run", &json!({"package_policy": policy, "package_info": target})).unwrap();
        let proposed = &item["diff"][1];
        prop_assert_eq!(&proposed[c.unknown.as_str()], &json!("kept"));
        prop_assert_eq!(&proposed["revision"], &json!(7));
        prop_assert_eq!(&proposed["secret_references"], &json!([{"id": "s1"}]));
        prop_assert!(proposed.get("id").is_none(), "the dry run's proposed policy omits id");
        for (i, input) in proposed["inputs"].as_array().into_iter().flatten().enumerate() {
            prop_assert_eq!(&input[c.unknown.as_str()], &json!({"nested": [1, null]}), "input {}", i);
            for stream in input["streams"].as_array().into_iter().flatten() {
                prop_assert_eq!(&stream["id"], &json!("stream-id"));
                prop_assert!(stream.get(c.unknown.as_str()).is_some_and(Value::is_null));
            }
        }
        // The stored policy is returned untouched except for the installation's feature list.
        let mut current = item["diff"][0].clone();
        if let Some(p) = current.get_mut("package").and_then(Value::as_object_mut) {
            p.shift_remove("experimental_data_stream_features");
        }
        prop_assert_eq!(current, policy);
    }
}

#[test]
fn null_and_absent_stay_apart() {
    // An explicit null keeps being an entry; an absent var stays absent.
    let pkg = json!({"name": "p", "version": "1.0.0", "policy_templates": [{"name": "pt", "inputs": [
        {"type": "i", "vars": [{"name": "a", "type": "text"}, {"name": "b", "type": "text", "default": "d"}]}]}]});
    let policy = json!({"name": "x", "namespace": "default", "package": {"name": "p", "version": "1.0.0"},
        "inputs": [{"type": "i", "policy_template": "pt", "enabled": true, "streams": [],
                    "vars": {"a": {"type": "text", "value": null}, "b": {"type": "text", "value": null}}}]});
    let out = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg}),
    )
    .unwrap();
    let vars = &out["inputs"][0]["vars"];
    assert_eq!(
        vars["a"],
        json!({"type": "text"}),
        "null without default becomes undefined"
    );
    assert_eq!(vars["b"], json!({"type": "text", "value": "d"}));
    let _ = Map::<String, Value>::new();
}

/// Arbitrary JSON, biased towards the keys the engine reads.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        prop_oneof![
            Just("a"),
            Just("logs"),
            Just("text"),
            Just("yaml"),
            Just("bool"),
            Just("integer"),
            Just("select"),
            Just("duration"),
            Just("url"),
            Just("input"),
            Just("*x"),
            Just("1h"),
            Just("http://h"),
            Just("data_stream.dataset"),
            Just("")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("name"),
                        Just("type"),
                        Just("value"),
                        Just("vars"),
                        Just("inputs"),
                        Just("streams"),
                        Just("policy_templates"),
                        Just("data_streams"),
                        Just("policy_template"),
                        Just("enabled"),
                        Just("data_stream"),
                        Just("dataset"),
                        Just("input"),
                        Just("multi"),
                        Just("required"),
                        Just("default"),
                        Just("migrate_from"),
                        Just("scope"),
                        Just("stream"),
                        Just("required_vars"),
                        Just("var_groups"),
                        Just("options"),
                        Just("secret"),
                        Just("isSecretRef"),
                        Just("id"),
                        Just("ids"),
                        Just("version"),
                        Just("package"),
                        Just("deprecated")
                    ],
                    inner,
                ),
                0..5,
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn operations_never_panic_on_arbitrary_documents(policy in arb_json(), pkg in arb_json(), dry in any::<bool>()) {
        // Non-object documents would stop at argument checking; wrap them so the engine runs.
        let policy = if policy.is_object() {
            policy
        } else {
            json!({"name": "p", "package": {"name": "x", "version": "1.0.0"}, "inputs": [policy.clone()], "vars": {"v": {"value": policy}}})
        };
        let pkg = if pkg.is_object() {
            pkg
        } else {
            json!({"name": "x", "version": "1.0.0", "policy_templates": [pkg.clone()], "data_streams": [pkg.clone()], "vars": [pkg]})
        };
        for op in [
            "fleet.validate_package_policy",
            "fleet.update_package_inputs",
            "fleet.upgrade_dry_run",
            "fleet.package_to_package_policy",
            "fleet.package_to_package_policy_inputs",
            "fleet.to_simplified_policy",
        ] {
            let _ = dispatch(op, &json!({"package_policy": policy, "package_info": pkg, "dry_run": dry}));
        }
        let _ = dispatch("fleet.from_simplified_policy", &json!({"simplified_policy": policy, "package_info": pkg}));
        let _ = dispatch("fleet.validate_package_policy_config", &json!({"var": policy, "var_def": pkg, "var_name": "data_stream.dataset", "package_type": "input"}));
        let _ = dispatch("fleet.validation_has_errors", &json!({"validation_results": policy}));
    }
}
