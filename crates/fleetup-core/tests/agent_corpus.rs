//! Agent template compilation over the whole corpus, through the dispatcher.
//!
//! - every enabled stream of the default, the customised (every var set by the user) and the
//!   everything-enabled policy of every corpus version compiles, and gets a `compiled_stream`;
//! - for each consecutive version pair the dry run with both versions' templates produces the
//!   agent configuration diff without error; a few real pairs are kept as golden snapshots in
//!   `tests/snapshots/agent_diffs.json` (`FLEETUP_UPDATE_SNAPSHOTS=1` regenerates);
//! - standalone inputs rendered for every corpus policy have what Elastic Agent's schema needs.

mod support;

use std::path::Path;
use support::{entry_names, shared, versions_in_order};

use serde_json::{json, Map, Value};

fn call(op: &str, args: Value) -> Result<Value, fleetup_core::Error> {
    fleetup_core::dispatch(op, &args)
}

fn must(op: &str, args: Value) -> Value {
    call(op, args).unwrap_or_else(|e| panic!("{op} failed: {e}"))
}

/// Versions the corpus has no agent templates for (corpus NOTES.md): nothing to compile.
fn has_templates(templates: &Value, pkg: &Value) -> bool {
    let any = templates.as_object().is_some_and(|m| !m.is_empty());
    // log 2.3.1 (an input package) lacks its agent/input template in the corpus.
    let has_input_template = any
        && templates
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.contains("agent/input/"));
    any && (pkg["type"] != "input" || has_input_template)
}

struct Version {
    name: String,
    version: String,
    info: Value,
    templates: Value,
}

fn corpus(root: &Path) -> Vec<Vec<Version>> {
    entry_names(&root.join("corpus/packages"))
        .iter()
        .map(|name| package(root, name))
        .collect()
}

/// One corpus package's versions, in version order, each loaded with its agent templates.
fn package(root: &Path, name: &str) -> Vec<Version> {
    let dir = root.join("corpus/packages").join(name);
    versions_in_order(&dir)
        .into_iter()
        .map(|v| {
            let path = dir.join(&v);
            Version {
                name: name.to_string(),
                info: must("package.load", json!({"path": path.to_string_lossy()})),
                templates: must(
                    "package.agent_templates",
                    json!({"path": path.to_string_lossy()}),
                ),
                version: v,
            }
        })
        .collect()
}

fn default_policy(v: &Version) -> Value {
    let mut p = must(
        "fleet.package_to_package_policy",
        json!({"package_info": v.info, "agent_policy_ids": ["ap-1"], "namespace": "default", "name": format!("{}-1", v.name)}),
    );
    p["id"] = json!("pp-1");
    p
}

/// Every var set to a deterministic non-default value of its type (as the plan snapshots do).
///
/// A `yaml` var gets what such a var holds in real policies: a list of processors for
/// `processors` vars (templates put them under `processors:`), a mapping for the others.
fn customise(policy: &mut Value) {
    fn value(name: &str, current: &Value, ty: Option<&str>) -> Value {
        match (ty, current) {
            (Some("password"), _) => json!("s3cret-value"),
            (Some("yaml"), _) if name.contains("processors") => {
                json!("- add_tags:\n    tags: [set-by-user]\n")
            }
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
            // A quoted default (e.g. apm's `"node_modules|bower_components|~"`) stays quoted.
            (_, Value::String(s)) if s.len() > 1 && s.starts_with('"') && s.ends_with('"') => {
                json!(format!("{}-custom\"", &s[..s.len() - 1]))
            }
            (_, Value::String(s)) => json!(format!("{s}-custom")),
            _ => json!("custom"),
        }
    }
    each_var_entry(policy, |name, entry| {
        let ty = entry["type"].as_str().map(str::to_string);
        let current = entry.get("value").cloned().unwrap_or(Value::Null);
        entry["value"] = value(name, &current, ty.as_deref());
    });
}

/// Calls `f` with every var entry of the policy: package, input and stream vars.
fn each_var_entry(policy: &mut Value, mut f: impl FnMut(&str, &mut Value)) {
    let mut vars = |v: Option<&mut Value>| {
        if let Some(Value::Object(vars)) = v {
            for (name, entry) in vars.iter_mut() {
                f(name, entry);
            }
        }
    };
    vars(policy.get_mut("vars"));
    for input in policy["inputs"].as_array_mut().into_iter().flatten() {
        vars(input.get_mut("vars"));
        for s in input["streams"].as_array_mut().into_iter().flatten() {
            vars(s.get_mut("vars"));
        }
    }
}

/// Versions whose stream templates put a user's `processors` yaml var where it cannot be valid
/// YAML (after an indented list, e.g. tcp 1.3.0's `  - syslog:` then a root-level
/// `{{processors}}`): Kibana's compilation fails for them as soon as the user sets processors.
const PROCESSORS_TEMPLATE_BUGS: &[(&str, &str)] = &[
    ("aws", "1.17.0"),
    ("aws", "1.17.1"),
    ("aws", "1.23.4"),
    ("tcp", "1.3.0"),
    ("udp", "1.3.0"),
    ("windows", "0.9.2"),
    ("windows", "1.0.0"),
];

fn processors_bug(v: &Version) -> bool {
    PROCESSORS_TEMPLATE_BUGS.contains(&(v.name.as_str(), v.version.as_str()))
}

/// Resets every `processors` yaml var to no value.
fn unset_processors(policy: &mut Value) {
    each_var_entry(policy, |name, entry| {
        if name.contains("processors") && entry["type"] == "yaml" {
            entry["value"] = Value::Null;
        }
    });
}

fn enable_everything(policy: &mut Value) {
    for input in policy["inputs"].as_array_mut().into_iter().flatten() {
        input["enabled"] = json!(true);
        for s in input["streams"].as_array_mut().into_iter().flatten() {
            s["enabled"] = json!(true);
        }
    }
}

#[test]
fn every_enabled_stream_of_every_corpus_policy_compiles() {
    let Some(root) = shared() else { return };
    let (mut versions, mut streams) = (0, 0);
    let mut failures = Vec::new();
    for package in corpus(&root) {
        for v in &package {
            if !has_templates(&v.templates, &v.info) {
                continue;
            }
            versions += 1;
            let default = default_policy(v);
            let mut custom = default.clone();
            customise(&mut custom);
            let mut everything = default.clone();
            enable_everything(&mut everything);
            let mut everything_custom = custom.clone();
            enable_everything(&mut everything_custom);
            for (variant, policy) in [
                ("default", &default),
                ("customised", &custom),
                ("all enabled", &everything),
                ("all enabled, customised", &everything_custom),
            ] {
                let inputs = match call(
                    "fleet.compile_package_policy_inputs",
                    json!({"package_info": v.info, "package_policy": policy, "agent_templates": v.templates}),
                ) {
                    Ok(inputs) => inputs,
                    Err(e) if variant.contains("customised") && processors_bug(v) => {
                        // The rendered YAML is invalid because of the template, exactly as in
                        // Kibana; without the user's processors the same policy compiles.
                        assert_eq!(e.kind(), fleetup_core::ErrorKind::PackagePolicyValidation);
                        let mut without = policy.clone();
                        unset_processors(&mut without);
                        must(
                            "fleet.compile_package_policy_inputs",
                            json!({"package_info": v.info, "package_policy": without, "agent_templates": v.templates}),
                        );
                        continue;
                    }
                    Err(e) => {
                        failures.push(format!("{} {} ({variant}): {e}", v.name, v.version));
                        continue;
                    }
                };
                for input in inputs.as_array().unwrap() {
                    for s in input["streams"].as_array().into_iter().flatten() {
                        if s["enabled"] == true {
                            streams += 1;
                            assert!(
                                s["compiled_stream"].is_object(),
                                "{} {} ({variant}): {} has no compiled stream",
                                v.name,
                                v.version,
                                s["data_stream"]["dataset"]
                            );
                        } else {
                            assert!(s.get("compiled_stream").is_none());
                        }
                    }
                }
            }
        }
    }
    eprintln!("{versions} corpus versions, {streams} enabled streams compiled");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(versions >= 60, "only {versions} versions had templates");
}

/// The user's values show up in what the agent runs: a customised policy compiles to different
/// agent configuration than the default one for every version with vars.
#[test]
fn customised_values_reach_the_compiled_configuration() {
    let Some(root) = shared() else { return };
    let nginx = package(&root, "nginx");
    let v = nginx.iter().find(|v| v.version == "1.6.0").unwrap();
    let mut policy = default_policy(v);
    customise(&mut policy);
    let inputs = must(
        "fleet.compile_package_policy_inputs",
        json!({"package_info": v.info, "package_policy": policy, "agent_templates": v.templates}),
    );
    let access = inputs[0]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["data_stream"]["dataset"] == "nginx.access")
        .unwrap();
    let compiled = &access["compiled_stream"];
    assert_eq!(
        compiled["paths"],
        json!(["/var/log/nginx/access.log*", "custom-entry"])
    );
    // `preserve_original_event` (a bool the user turned on) adds its tag first.
    assert_eq!(
        compiled["tags"],
        json!(["preserve_original_event", "nginx-access", "custom-entry"])
    );
    // The yaml `processors` var is merged as YAML, before the package's own processor.
    assert_eq!(
        compiled["processors"],
        json!([{"add_tags": {"tags": ["set-by-user"]}}, {"add_locale": null}])
    );
}

fn dry_run_with_templates(
    old: &Version,
    new: &Version,
    policy: &Value,
) -> Result<Value, fleetup_core::Error> {
    call(
        "fleet.upgrade_dry_run",
        json!({
            "package_policy": policy, "package_info": new.info, "agent_templates": new.templates,
            "current_package_info": old.info, "current_agent_templates": old.templates,
        }),
    )
}

/// Golden pairs: the full structured agent diff is kept.
const GOLDEN: &[(&str, &str, &str)] = &[
    ("kubernetes", "1.3.3", "1.4.0"),
    ("windows", "1.5.1", "1.6.0"),
    ("nginx", "1.1.0", "1.6.0"),
    ("system", "1.6.4", "1.11.0"),
];

#[test]
fn consecutive_pairs_give_an_agent_configuration_diff() {
    let Some(root) = shared() else { return };
    let mut snapshot = Map::new();
    let mut pairs = 0;
    for package in corpus(&root) {
        for w in package.windows(2) {
            let (old, new) = (&w[0], &w[1]);
            if !has_templates(&old.templates, &old.info)
                || !has_templates(&new.templates, &new.info)
            {
                continue;
            }
            let mut custom = default_policy(old);
            customise(&mut custom);
            if processors_bug(old) || processors_bug(new) {
                unset_processors(&mut custom);
            }
            for (variant, policy) in [("default", default_policy(old)), ("customised", custom)] {
                let item = dry_run_with_templates(old, new, &policy).unwrap_or_else(|e| {
                    panic!(
                        "{} {} -> {} ({variant}): {e}",
                        old.name, old.version, new.version
                    )
                });
                let diff = &item["agent_configuration"];
                assert!(
                    diff["changes"].is_array(),
                    "{} {} -> {}",
                    old.name,
                    old.version,
                    new.version
                );
                // Secrets never reach the diff in clear.
                assert!(
                    !diff.to_string().contains("s3cret-value"),
                    "{} {} -> {} leaks a secret",
                    old.name,
                    old.version,
                    new.version
                );
                pairs += 1;
                if variant == "default"
                    && GOLDEN.contains(&(
                        old.name.as_str(),
                        old.version.as_str(),
                        new.version.as_str(),
                    ))
                {
                    let changes: Vec<Value> = diff["changes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| json!([c["kind"], c["input_type"], c["dataset"], c["path"]]))
                        .collect();
                    snapshot.insert(
                        format!("{} {} -> {}", old.name, old.version, new.version),
                        Value::Array(changes),
                    );
                }
            }
        }
    }
    // nginx 1.1.0 -> 1.6.0 is not consecutive in the corpus listing order only if versions are
    // missing; run the golden pairs that are not consecutive explicitly.
    for (name, a, b) in GOLDEN {
        let key = format!("{name} {a} -> {b}");
        if snapshot.contains_key(&key) {
            continue;
        }
        let package = package(&root, name);
        let old = package.iter().find(|v| v.version == *a).unwrap();
        let new = package.iter().find(|v| v.version == *b).unwrap();
        let item = dry_run_with_templates(old, new, &default_policy(old)).unwrap();
        let changes: Vec<Value> = item["agent_configuration"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["kind"], c["input_type"], c["dataset"], c["path"]]))
            .collect();
        snapshot.insert(key, Value::Array(changes));
    }
    eprintln!("{pairs} dry runs with an agent configuration diff");
    assert!(pairs >= 80, "only {pairs} pairs");
    let actual = Value::Object(snapshot);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/agent_diffs.json");
    if std::env::var_os("FLEETUP_UPDATE_SNAPSHOTS").is_some()
        || (!path.exists() && std::env::var_os("CI").is_none())
    {
        std::fs::write(&path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        expected, actual,
        "agent diffs differ from tests/snapshots/agent_diffs.json (FLEETUP_UPDATE_SNAPSHOTS=1 regenerates)"
    );
}

/// kubernetes 1.3.3 → 1.4.0: container logs move from `logfile` to `filestream`.
#[test]
fn kubernetes_container_logs_move_to_filestream() {
    let Some(root) = shared() else { return };
    let package = package(&root, "kubernetes");
    let old = package.iter().find(|v| v.version == "1.3.3").unwrap();
    let new = package.iter().find(|v| v.version == "1.4.0").unwrap();
    let item = dry_run_with_templates(old, new, &default_policy(old)).unwrap();
    let diff = &item["agent_configuration"];
    let moved: Vec<&Value> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["dataset"] == "kubernetes.container_logs" && c["kind"] == "stream_moved")
        .collect();
    assert_eq!(moved.len(), 1, "{:#}", diff["changes"]);
    assert_eq!(moved[0]["before"], "logfile");
    assert_eq!(moved[0]["after"], "filestream");
    let unified = diff["unified"].as_str().unwrap();
    assert!(
        unified.contains("-  - id: logfile-container-logs-pp-1")
            || unified.contains("type: filestream"),
        "{unified}"
    );
}

/// What Elastic Agent needs of each input of a standalone policy.
fn assert_agent_schema(inputs: &Value, what: &str) {
    for input in inputs.as_array().unwrap() {
        for key in ["id", "type", "use_output"] {
            assert!(
                input[key].as_str().is_some_and(|s| !s.is_empty()),
                "{what}: input without {key}: {input}"
            );
        }
        assert!(
            input["data_stream"]["namespace"].is_string(),
            "{what}: {input}"
        );
        for s in input["streams"].as_array().into_iter().flatten() {
            assert!(s["id"].is_string(), "{what}: stream without id: {s}");
            assert!(
                s["data_stream"]["dataset"].is_string(),
                "{what}: stream without dataset: {s}"
            );
        }
    }
}

#[test]
fn standalone_inputs_follow_the_agent_schema_and_round_trip_as_yaml() {
    let Some(root) = shared() else { return };
    let mut rendered = 0;
    for package in corpus(&root) {
        for v in &package {
            if !has_templates(&v.templates, &v.info) {
                continue;
            }
            let out = must(
                "agent.standalone_inputs",
                json!({"package_policy": default_policy(v), "package_info": v.info, "agent_templates": v.templates}),
            );
            let what = format!("{} {}", v.name, v.version);
            assert_agent_schema(&out["inputs"], &what);
            let parsed = fleetup_core::yaml::parse(out["yaml"].as_str().unwrap()).unwrap();
            assert_eq!(
                parsed["inputs"], out["inputs"],
                "{what}: YAML does not read back"
            );
            rendered += 1;
        }
    }
    assert!(rendered >= 60);
}

#[test]
fn standalone_upgrade_carries_hand_edits() {
    let Some(root) = shared() else { return };
    let package = package(&root, "nginx");
    let old = package.iter().find(|v| v.version == "1.1.0").unwrap();
    let new = package.iter().find(|v| v.version == "1.6.0").unwrap();
    let policy = default_policy(old);
    let standalone = must(
        "agent.standalone_inputs",
        json!({"package_policy": policy, "package_info": old.info, "agent_templates": old.templates}),
    );
    // The user edits the access log paths by hand and adds an unrelated input and setting.
    let mut inputs = standalone["inputs"].as_array().unwrap().clone();
    let access = inputs[0]["streams"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["data_stream"]["dataset"] == "nginx.access")
        .unwrap();
    access["paths"] = json!(["/srv/nginx/access.log"]);
    inputs.push(
        json!({"id": "my-own", "type": "filestream", "use_output": "default", "streams": []}),
    );
    let document = json!({"outputs": {"default": {"type": "elasticsearch"}}, "inputs": inputs});
    let yaml = fleetup_core::yaml::dump(&document);
    let out = must(
        "agent.standalone_upgrade",
        json!({
            "standalone": yaml, "package_policy": policy,
            "current_package_info": old.info, "current_agent_templates": old.templates,
            "package_info": new.info, "agent_templates": new.templates,
        }),
    );
    let doc = &out["document"];
    assert_eq!(doc["outputs"], document["outputs"]);
    let upgraded_access = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["streams"].as_array().cloned().unwrap_or_default())
        .find(|s| s["data_stream"]["dataset"] == "nginx.access")
        .unwrap();
    assert_eq!(upgraded_access["paths"], json!(["/srv/nginx/access.log"]));
    assert!(doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == "my-own"));
    assert!(doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["meta"]["package"]["name"] == "nginx")
        .all(|i| i["meta"]["package"]["version"] == "1.6.0"));
    let edits = out["edits"].as_array().unwrap();
    assert!(
        edits
            .iter()
            .any(|e| e["outcome"] == "carried" && e["path"] == "/paths"),
        "{edits:?}"
    );
    assert_eq!(
        fleetup_core::yaml::parse(out["yaml"].as_str().unwrap()).unwrap(),
        *doc
    );
}

/// `plan.policy` with agent templates carries the agent configuration diff beside the change list.
#[test]
fn plans_carry_the_agent_configuration_when_given_templates() {
    let Some(root) = shared() else { return };
    let package = package(&root, "kubernetes");
    let old = package.iter().find(|v| v.version == "1.3.3").unwrap();
    let new = package.iter().find(|v| v.version == "1.4.0").unwrap();
    let plan = must(
        "plan.policy",
        json!({
            "package_policy": default_policy(old), "package_info": new.info,
            "previous_package_info": old.info, "agent_templates": new.templates,
            "previous_agent_templates": {"1.3.3": old.templates},
        }),
    );
    let changes = plan["agent_configuration"]["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["kind"] == "stream_moved"),
        "{changes:?}"
    );
    // Without templates the plan has no agent section.
    let plain = must(
        "plan.policy",
        json!({"package_policy": default_policy(old), "package_info": new.info}),
    );
    assert!(plain.get("agent_configuration").is_none());
}
