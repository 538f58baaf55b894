//! Upgrade plans through the public operations: the change kinds on real corpus pairs (and on
//! small hand-written packages where the corpus has no example), the windows 1.5.1 → 1.6.0
//! conflict and its resolution, and secrets that never leak into a plan.

mod support;

use std::path::Path;
use support::shared;

use serde_json::{json, Value};

fn call(op: &str, args: Value) -> Value {
    match fleetup_core::dispatch(op, &args) {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e}"),
    }
}

fn load(root: &Path, pkg: &str, version: &str) -> Value {
    let path = root.join("corpus/packages").join(pkg).join(version);
    call("package.load", json!({"path": path.to_string_lossy()}))
}

fn example(version: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../examples/packages/acme_web-{version}"));
    call("package.load", json!({"path": path.to_string_lossy()}))
}

fn default_policy(pkg: &Value) -> Value {
    let mut p = call(
        "fleet.package_to_package_policy",
        json!({"package_info": pkg, "agent_policy_ids": ["ap-1"], "namespace": "default", "name": "p-1"}),
    );
    p["id"] = json!("pp-1");
    p
}

fn plan(policy: &Value, old: &Value, new: &Value) -> Value {
    call(
        "plan.policy",
        json!({"package_policy": policy, "package_info": new, "previous_package_info": old}),
    )
}

fn changes<'a>(plan: &'a Value, kind: &str) -> Vec<&'a Value> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect()
}

/// Sets `value` on var `name` wherever it occurs in the policy.
fn set_var(policy: &mut Value, name: &str, value: Value) {
    fn walk(v: &mut Value, name: &str, value: &Value) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(vars)) = o.get_mut("vars") {
                    if let Some(Value::Object(entry)) = vars.get_mut(name) {
                        entry.insert("value".into(), value.clone());
                    }
                }
                for (_, child) in o.iter_mut() {
                    walk(child, name, value);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, name, value)),
            _ => {}
        }
    }
    walk(policy, name, &value);
}

#[test]
fn windows_event_id_is_exactly_the_conflict_and_resolving_it_matches_kibana() {
    let Some(root) = shared() else { return };
    let old = load(&root, "windows", "1.5.1");
    let new = load(&root, "windows", "1.6.0");
    let current = default_policy(&old);
    let p = plan(&current, &old, &new);
    assert_eq!(p["decision"], "needs_review");

    let conflicts: Vec<&Value> = p["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "conflict")
        .collect();
    let mut named: Vec<(String, String)> = conflicts
        .iter()
        .map(|c| {
            (
                c["dataset"].as_str().unwrap().to_string(),
                c["var"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    named.sort();
    assert_eq!(
        named,
        vec![
            ("windows.forwarded".to_string(), "event_id".to_string()),
            (
                "windows.sysmon_operational".to_string(),
                "event_id".to_string()
            ),
        ]
    );
    // Every Kibana error of the dry run is covered by a conflict record.
    let dry = call(
        "fleet.upgrade_dry_run",
        json!({"package_policy": current, "package_info": new}),
    );
    let kibana_keys: Vec<&str> = dry["diff"][1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(kibana_keys.len(), 2);
    for key in kibana_keys {
        assert!(
            conflicts.iter().any(|c| c["kibana_errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["key"] == key)),
            "error {key} is not covered by a conflict record"
        );
    }

    // Resolve with values for both, then compare with Kibana's own merge of the same edits.
    let edits: Vec<Value> = conflicts
        .iter()
        .map(|c| json!({"path": c["proposed_path"], "value": "4624, 4625"}))
        .collect();
    let resolved = call(
        "plan.resolve",
        json!({"package_policy": current, "package_info": new, "edits": edits}),
    );
    assert_eq!(resolved["has_errors"], false, "{}", resolved["errors"]);
    assert!(resolved["conflicts"].as_array().unwrap().is_empty());

    let mut edited = current.clone();
    for input in edited["inputs"].as_array_mut().unwrap() {
        for stream in input["streams"].as_array_mut().unwrap() {
            let ds = stream["data_stream"]["dataset"]
                .as_str()
                .unwrap()
                .to_string();
            if ds == "windows.forwarded" || ds == "windows.sysmon_operational" {
                stream["vars"]["event_id"] = json!({"value": "4624, 4625"});
            }
        }
    }
    let mut base = edited.clone();
    base.as_object_mut().unwrap().shift_remove("id");
    base["package"]["version"] = new["version"].clone();
    let kibana = call(
        "fleet.update_package_inputs",
        json!({"package_policy": base, "package_info": new, "dry_run": false}),
    );
    let mut ours = resolved["package_policy"].clone();
    if let Some(es) = new.get("elasticsearch") {
        assert_eq!(ours["elasticsearch"], *es);
    }
    ours.as_object_mut().unwrap().shift_remove("elasticsearch");
    assert_eq!(ours, kibana);
}

#[test]
fn corpus_pairs_show_each_change_kind() {
    let Some(root) = shared() else { return };

    // fleet_server 0.1.7 → 0.2.0: port text → integer, host multi → single.
    let (old, new) = (
        load(&root, "fleet_server", "0.1.7"),
        load(&root, "fleet_server", "0.2.0"),
    );
    let p = plan(&default_policy(&old), &old, &new);
    let t = changes(&p, "type_changed");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["var"], "port");
    assert_eq!(t[0]["details"]["old_type"], "text");
    assert_eq!(t[0]["details"]["new_type"], "integer");
    let m = changes(&p, "multi_changed");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["var"], "host");

    // system 1.6.4 → 1.11.0: preserve_original_event moves from the winlog input to 3 streams.
    let (old, new) = (
        load(&root, "system", "1.6.4"),
        load(&root, "system", "1.11.0"),
    );
    let p = plan(&default_policy(&old), &old, &new);
    let moved = changes(&p, "var_moved");
    assert_eq!(moved.len(), 3);
    assert!(moved.iter().all(|c| c["var"] == "preserve_original_event"
        && c["details"]["old_scope"] == "input"
        && c["details"]["new_scope"] == "stream"));

    // kubernetes 1.3.3 → 1.4.0: container logs move from logfile to filestream.
    let (old, new) = (
        load(&root, "kubernetes", "1.3.3"),
        load(&root, "kubernetes", "1.4.0"),
    );
    let p = plan(&default_policy(&old), &old, &new);
    let swap = changes(&p, "input_type_changed");
    assert_eq!(swap.len(), 1);
    assert_eq!(swap[0]["dataset"], "kubernetes.container_logs");
    assert_eq!(swap[0]["details"]["old_input"], "logfile");
    assert_eq!(swap[0]["details"]["new_input"], "filestream");

    // udp 1.0.0 → 1.0.1: listen_adress → listen_address, a customised value is lost.
    let (old, new) = (load(&root, "udp", "1.0.0"), load(&root, "udp", "1.0.1"));
    let mut pol = default_policy(&old);
    set_var(&mut pol, "listen_adress", json!("0.0.0.0"));
    let p = plan(&pol, &old, &new);
    let r = changes(&p, "likely_rename");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["var"], "listen_address");
    assert_eq!(r[0]["details"]["renamed_from"], "listen_adress");
    assert_eq!(r[0]["severity"], "attention");
    assert_eq!(r[0]["old_value"], "0.0.0.0");

    // aws 1.17.0 → 1.17.1: log_streams_prefix → log_stream_prefix in 7 streams.
    let (old, new) = (load(&root, "aws", "1.17.0"), load(&root, "aws", "1.17.1"));
    let p = plan(&default_policy(&old), &old, &new);
    let r = changes(&p, "likely_rename");
    assert_eq!(r.len(), 7, "{:#?}", r);
    assert!(r
        .iter()
        .all(|c| c["details"]["renamed_from"] == "log_streams_prefix"));

    // apm 0.3.0 → 0.4.0: rum vars removed (a customised one is flagged), required → optional.
    let (old, new) = (load(&root, "apm", "0.3.0"), load(&root, "apm", "0.4.0"));
    let mut pol = default_policy(&old);
    set_var(&mut pol, "rum_event_rate_limit", json!(999));
    let p = plan(&pol, &old, &new);
    let user = changes(&p, "var_removed_user_value");
    assert_eq!(user.len(), 1);
    assert_eq!(user[0]["var"], "rum_event_rate_limit");
    assert_eq!(user[0]["old_value"], 999);
    assert_eq!(changes(&p, "var_removed").len(), 2);
    assert!(changes(&p, "required_changed")
        .iter()
        .any(|c| c["var"] == "host" && c["details"]["new_required"] == false));

    // windows 1.5.1 → 1.6.0: required var without default on enabled streams.
    let (old, new) = (
        load(&root, "windows", "1.5.1"),
        load(&root, "windows", "1.6.0"),
    );
    let p = plan(&default_policy(&old), &old, &new);
    assert_eq!(changes(&p, "var_added_required").len(), 2);

    // log 1.1.0 → 2.3.1 (integration → input package): the old stream goes, the new one comes.
    let (old, new) = (load(&root, "log", "1.1.0"), load(&root, "log", "2.3.1"));
    let p = plan(&default_policy(&old), &old, &new);
    assert_eq!(changes(&p, "stream_removed").len(), 1);
    assert_eq!(changes(&p, "stream_added").len(), 1);

    // kubernetes 0.14.0 → 1.0.0: a value on the old default while the default moves.
    let (old, new) = (
        load(&root, "kubernetes", "0.14.0"),
        load(&root, "kubernetes", "1.0.0"),
    );
    let p = plan(&default_policy(&old), &old, &new);
    assert!(!changes(&p, "value_kept_default_changed").is_empty());
}

#[test]
fn hand_written_pairs_cover_the_remaining_kinds() {
    // The bundled example: a secret-ified var, a package var swap, a rename, a conflict.
    let (old, new) = (example("1.4.0"), example("2.0.0"));
    let mut pol = default_policy(&old);
    set_var(&mut pol, "status_path", json!("/status"));
    let p = plan(&pol, &old, &new);
    assert_eq!(changes(&p, "now_secret").len(), 1);
    assert_eq!(
        changes(&p, "likely_rename")[0]["details"]["renamed_from"],
        "status_path"
    );
    assert_eq!(changes(&p, "var_added_required")[0]["severity"], "conflict");
    assert_eq!(changes(&p, "var_removed")[0]["var"], "environment");
    assert_eq!(
        p["changes"][0]["severity"], "conflict",
        "conflicts come first"
    );

    // Deprecations, enabled state, input added, value reset: a tiny synthetic package.
    let pkg = |version: &str, deprecated: bool, extra_input: bool| {
        let mut inputs = vec![json!({"type": "tcp", "title": "TCP", "vars": [
            {"name": "host", "type": "text", "title": "Host", "default": "localhost:9000"}
        ]})];
        if extra_input {
            inputs.push(json!({"type": "udp", "title": "UDP"}));
        }
        let mut stream = json!({"input": "tcp", "title": "T", "vars": [
            {"name": "timeout", "type": "text", "title": "Timeout", "default": "30s"}
        ]});
        if deprecated {
            stream["deprecated"] = json!({"since": version, "description": "Use the udp input."});
        }
        json!({"name": "synth", "version": version, "title": "Synth", "type": "integration",
               "policy_templates": [{"name": "synth", "title": "S", "inputs": inputs}],
               "data_streams": [{"type": "logs", "dataset": "synth.events", "title": "E",
                                 "streams": [stream]}]})
    };
    let (old, new) = (pkg("1.0.0", false, false), pkg("1.1.0", true, true));
    let mut pol = default_policy(&old);
    pol["inputs"][0]["vars"]["host"]["value"] = Value::Null; // reset to the default by Kibana
    pol["inputs"][0]["streams"][0]
        .as_object_mut()
        .unwrap()
        .shift_remove("enabled");
    let p = plan(&pol, &old, &new);
    assert_eq!(changes(&p, "deprecated").len(), 1);
    assert_eq!(changes(&p, "input_added").len(), 1);
    let reset = changes(&p, "value_reset");
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0]["new_value"], "localhost:9000");
    assert_eq!(changes(&p, "enabled_changed").len(), 1);
}

#[test]
fn secrets_never_appear_in_plans() {
    let (old, new) = (example("1.4.0"), example("2.0.0"));
    let planted = "PLANTED-S3CRET-9f2c";
    let mut pol = default_policy(&old);
    set_var(&mut pol, "api_key", json!(planted));
    let mut pol2 = pol.clone();
    set_var(
        &mut pol2,
        "api_key",
        json!([planted, "another-PLANTED-S3CRET-9f2c"]),
    );
    let outputs = [
        call(
            "plan.policy",
            json!({"package_policy": pol, "package_info": new, "previous_package_info": old}),
        ),
        call(
            "plan.policy",
            json!({"package_policy": pol2, "package_info": new, "include_unchanged": true}),
        ),
        call(
            "plan.fleet",
            json!({"policies": {"items": [pol, pol2]}, "package_info": new}),
        ),
        call(
            "plan.resolve",
            json!({"package_policy": pol, "package_info": new, "edits": []}),
        )["changes"]
            .clone(),
        call(
            "fleet.upgrade_dry_run",
            json!({"package_policy": pol, "package_info": new}),
        )["changes"]
            .clone(),
    ];
    for out in outputs {
        let text = out.to_string();
        assert!(!text.contains("PLANTED-S3CRET"), "secret leaked: {text}");
        assert!(
            text.contains("api_key"),
            "the secret var itself is still reported"
        );
    }
}
