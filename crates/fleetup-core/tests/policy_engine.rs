//! Rule-level tests of the upgrade engine through the dispatcher (each names the Kibana rule).

use fleetup_core::dispatch;
use serde_json::{json, Value};

fn nginx(version: &str, extra_stream_vars: Value, pkg_vars: Option<Value>) -> Value {
    let mut vars = vec![
        json!({"name": "paths", "type": "text", "multi": true, "required": true,
                               "default": ["/var/log/nginx/access.log*"]}),
    ];
    if let Value::Array(extra) = extra_stream_vars {
        vars.extend(extra);
    }
    let mut pkg = json!({
        "name": "nginx", "title": "Nginx", "version": version, "type": "integration",
        "policy_templates": [{"name": "nginx", "title": "Nginx", "inputs": [{"type": "logfile", "title": "Logs"}]}],
        "data_streams": [{"type": "logs", "dataset": "nginx.access", "path": "access",
                          "streams": [{"input": "logfile", "title": "Access", "vars": vars}]}]
    });
    if let Some(v) = pkg_vars {
        pkg["vars"] = v;
    }
    pkg
}

fn stored_policy() -> Value {
    json!({
        "id": "pp-1", "version": "WzEyLDFd", "name": "nginx-1", "namespace": "default", "description": "",
        "enabled": true, "policy_id": "ap-1", "policy_ids": ["ap-1"], "revision": 3,
        "package": {"name": "nginx", "title": "Nginx", "version": "1.20.0"},
        "inputs": [{"id": "logfile-nginx-pp-1", "type": "logfile", "policy_template": "nginx", "enabled": true,
                    "streams": [{"id": "logfile-nginx.access-pp-1", "enabled": true,
                                 "data_stream": {"type": "logs", "dataset": "nginx.access"},
                                 "vars": {"paths": {"type": "text", "value": ["/var/log/nginx/access.log*"]},
                                          "legacy_opt": {"type": "bool", "value": true}}}]}],
        "created_at": "2026-01-01T00:00:00Z", "created_by": "elastic"
    })
}

#[test]
fn dry_run_reports_new_required_var_and_drops_removed_var() {
    // fleet-upgrade.md §3.8: a new required stream var without default, a removed var and a
    // new package-level var.
    let target = nginx(
        "1.21.0",
        json!([{"name": "ssl_ca", "type": "text", "title": "SSL CA", "required": true}]),
        Some(json!([{"name": "proxy_url", "type": "text"}])),
    );
    let item = dispatch(
        "fleet.upgrade_dry_run",
        &json!({"package_policy": stored_policy(), "package_info": target}),
    )
    .unwrap();
    assert_eq!(item["name"], "nginx-1");
    assert_eq!(item["hasErrors"], true);
    assert!(item["changes"].is_array());
    let current = &item["diff"][0];
    assert_eq!(current["id"], "pp-1");
    assert_eq!(
        current["package"]["experimental_data_stream_features"],
        json!([])
    );
    let proposed = &item["diff"][1];
    assert!(proposed.get("id").is_none());
    assert_eq!(proposed["revision"], 3);
    assert_eq!(proposed["version"], "WzEyLDFd");
    assert_eq!(proposed["package"]["version"], "1.21.0");
    assert_eq!(proposed["vars"], json!({"proxy_url": {"type": "text"}}));
    let vars = &proposed["inputs"][0]["streams"][0]["vars"];
    assert_eq!(
        vars,
        &json!({"paths": {"type": "text", "value": ["/var/log/nginx/access.log*"]}, "ssl_ca": {"type": "text"}})
    );
    assert_eq!(
        proposed["inputs"][0]["streams"][0]["id"],
        "logfile-nginx.access-pp-1"
    );
    assert_eq!(
        proposed["errors"],
        json!([{"key": "inputs.logfile.streams.nginx.access.vars.ssl_ca", "message": "[\"SSL CA is required\"]"}])
    );
}

#[test]
fn real_upgrade_fails_with_kibanas_message() {
    let target = nginx(
        "1.21.0",
        json!([{"name": "ssl_ca", "type": "text", "title": "SSL CA", "required": true}]),
        None,
    );
    let mut base = stored_policy();
    base["package"]["version"] = json!("1.21.0");
    let err = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": base, "package_info": target}),
    )
    .unwrap_err();
    assert_eq!(err.code(), "PACKAGE_POLICY_VALIDATION");
    assert_eq!(
        err.message(),
        "Package policy is invalid: inputs.logfile.streams.nginx.access.vars.ssl_ca: [\"SSL CA is required\"]"
    );
}

#[test]
fn older_target_is_refused_equal_is_allowed() {
    let err = dispatch("fleet.upgrade_dry_run", &json!({"package_policy": stored_policy(), "package_info": nginx("1.19.0", json!([]), None)})).unwrap_err();
    assert_eq!(err.code(), "UPGRADE_NOT_ALLOWED");
    assert_eq!(
        err.message(),
        "Package policy pp-1's package version 1.20.0 of package nginx is newer than the installed package version. Please install the latest version of nginx."
    );
    let same = dispatch("fleet.upgrade_dry_run", &json!({"package_policy": stored_policy(), "package_info": nginx("1.20.0", json!([]), None)})).unwrap();
    assert_eq!(same["hasErrors"], false);
}

#[test]
fn user_choices_survive_and_stale_streams_go() {
    let mut policy = stored_policy();
    policy["inputs"][0]["enabled"] = json!(false);
    policy["inputs"][0]["streams"][0]["enabled"] = json!(false);
    policy["inputs"][0]["streams"]
        .as_array_mut()
        .unwrap()
        .push(json!({
        "enabled": true, "data_stream": {"type": "logs", "dataset": "nginx.gone"}}));
    let item = dispatch(
        "fleet.upgrade_dry_run",
        &json!({"package_policy": policy, "package_info": nginx("1.21.0", json!([]), None)}),
    )
    .unwrap();
    let input = &item["diff"][1]["inputs"][0];
    assert_eq!(input["enabled"], false, "an explicit enabled is kept");
    assert_eq!(
        input["streams"].as_array().unwrap().len(),
        1,
        "a stream whose dataset left the package is removed"
    );
    assert_eq!(input["streams"][0]["enabled"], false);
}

#[test]
fn limited_packages_add_new_inputs_disabled_and_synthetics_adds_none() {
    let pkg = |name: &str| {
        json!({"name": name, "version": "2.0.0", "policy_templates": [
        {"name": "a", "multiple": false, "inputs": [{"type": "one"}, {"type": "two"}]}]})
    };
    let policy = json!({"name": "p", "namespace": "default", "package": {"name": "x", "version": "1.0.0"},
        "inputs": [{"type": "one", "policy_template": "a", "enabled": true, "streams": []}]});
    let out = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg("limited")}),
    )
    .unwrap();
    assert_eq!(out["inputs"][1]["type"], "two");
    assert_eq!(out["inputs"][1]["enabled"], false);
    let out = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg("synthetics")}),
    )
    .unwrap();
    assert_eq!(out["inputs"].as_array().unwrap().len(), 1);
}

#[test]
fn deprecated_inputs_default_disabled_and_sync_on_upgrade() {
    let pkg = json!({"name": "x", "version": "2.0.0", "policy_templates": [{"name": "a", "inputs": [
        {"type": "old", "deprecated": {"description": "use new"}}, {"type": "new"}]}]});
    let defaults = dispatch(
        "fleet.package_to_package_policy_inputs",
        &json!({"package_info": pkg}),
    )
    .unwrap();
    assert_eq!(defaults[0]["enabled"], false);
    assert_eq!(defaults[0]["deprecated"]["description"], "use new");
    assert_eq!(defaults[1]["enabled"], true);
    let policy = json!({"name": "p", "package": {"name": "x", "version": "1.0.0"},
        "inputs": [{"type": "old", "policy_template": "a", "enabled": true, "streams": []}]});
    let out = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg}),
    )
    .unwrap();
    assert_eq!(
        out["inputs"][0]["enabled"], true,
        "the user's enabled is kept"
    );
    assert_eq!(out["inputs"][0]["deprecated"]["description"], "use new");
}

#[test]
fn input_packages_match_their_single_stream_by_position() {
    let pkg = json!({"name": "custom", "version": "2.0.0", "type": "input", "policy_templates": [
        {"name": "logs", "type": "logs", "input": "logfile", "template_path": "input.yml.hbs",
         "vars": [{"name": "paths", "type": "text", "multi": true, "required": true},
                  {"name": "ignore_older", "type": "text", "default": "72h"}]}]});
    let policy = json!({"name": "p", "namespace": "default", "package": {"name": "custom", "version": "1.0.0"},
        "inputs": [{"type": "logfile", "policy_template": "logs", "enabled": true, "streams": [
            {"id": "s-1", "enabled": true, "data_stream": {"type": "logs", "dataset": "custom.logs"},
             "vars": {"paths": {"type": "text", "value": ["/tmp/a.log"]},
                      "data_stream.dataset": {"type": "text", "value": "mydataset"}}}]}]});
    let out = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg}),
    )
    .unwrap();
    let stream = &out["inputs"][0]["streams"][0];
    assert_eq!(stream["id"], "s-1");
    assert_eq!(stream["vars"]["paths"]["value"], json!(["/tmp/a.log"]));
    assert_eq!(stream["vars"]["data_stream.dataset"]["value"], "mydataset");
    assert_eq!(stream["vars"]["ignore_older"]["value"], "72h");
}

#[test]
fn simplified_format_round_trip_and_errors() {
    let pkg = nginx(
        "1.21.0",
        json!([{"name": "tags", "type": "text", "multi": true, "default": ["a"]}]),
        Some(json!([{"name": "proxy_url", "type": "text"}])),
    );
    let simplified = json!({"name": "n", "namespace": "default", "policy_ids": ["ap"],
        "vars": {"proxy_url": "http://proxy"},
        "inputs": {"nginx-logfile": {"streams": {"nginx.access": {"enabled": false, "vars": {"tags": ["x"]}}}}}});
    let full = dispatch(
        "fleet.from_simplified_policy",
        &json!({"simplified_policy": simplified, "package_info": pkg}),
    )
    .unwrap();
    assert_eq!(
        full["inputs"][0]["enabled"], true,
        "an omitted enabled means enabled"
    );
    assert_eq!(full["inputs"][0]["streams"][0]["enabled"], false);
    assert_eq!(
        full["inputs"][0]["streams"][0]["vars"]["tags"]["value"],
        json!(["x"])
    );
    assert_eq!(full["vars"]["proxy_url"]["value"], "http://proxy");
    let back = dispatch(
        "fleet.to_simplified_policy",
        &json!({"package_policy": full}),
    )
    .unwrap();
    assert_eq!(
        back["inputs"]["nginx-logfile"]["streams"]["nginx.access"]["vars"]["tags"],
        json!(["x"])
    );
    assert_eq!(back["vars"], json!({"proxy_url": "http://proxy"}));

    let bad = |s: Value| {
        dispatch(
            "fleet.from_simplified_policy",
            &json!({"simplified_policy": s, "package_info": pkg}),
        )
        .unwrap_err()
    };
    let e = bad(json!({"name": "n", "inputs": {"nope": {}}}));
    assert_eq!(
        (e.code(), e.message()),
        ("PACKAGE_POLICY_VALIDATION", "Input not found: nope")
    );
    let e = bad(json!({"name": "n", "inputs": {"nginx-logfile": {"streams": {"x": {}}}}}));
    assert_eq!(e.message(), "Stream not found nginx-logfile: x");
    let e = bad(
        json!({"name": "n", "inputs": {"nginx-logfile": {"streams": {"nginx.access": {"vars": {"zz": 1}}}}}}),
    );
    assert_eq!(
        e.message(),
        "Variable nginx-logfile nginx.access:zz not found"
    );
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    for args in [
        json!({}),
        json!({"package_policy": 1, "package_info": {}}),
        json!({"package_policy": {}, "package_info": []}),
    ] {
        for op in [
            "fleet.update_package_inputs",
            "fleet.upgrade_dry_run",
            "fleet.validate_package_policy",
        ] {
            let e = dispatch(op, &args).unwrap_err();
            assert!(
                ["INVALID_ARGUMENT", "INVALID_POLICY"].contains(&e.code()),
                "{op}: {e}"
            );
        }
    }
    // Odd shapes inside otherwise valid objects never panic.
    let weird =
        json!({"name": 5, "inputs": [1, {"type": null, "streams": "x", "vars": [1]}], "vars": "v"});
    let pkg = json!({"name": "x", "version": "1.0.0", "policy_templates": [{"name": "a", "inputs": [{"type": "t", "vars": [{"name": "v", "type": "yaml"}]}]}], "data_streams": "bad"});
    let _ = dispatch(
        "fleet.validate_package_policy",
        &json!({"package_policy": weird, "package_info": pkg}),
    );
    let _ = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": weird, "package_info": pkg, "dry_run": true}),
    );
}

#[test]
fn frozen_vars_are_enforced_at_save_time() {
    let pkg = json!({"name": "x", "version": "2.0.0", "policy_templates": [{"name": "a", "inputs": [
        {"type": "t", "vars": [{"name": "kept", "type": "text", "default": "new-default"}]}]}]});
    let policy = json!({"name": "p", "package": {"name": "x", "version": "1.0.0"},
        "inputs": [{"type": "t", "policy_template": "a", "enabled": false, "keep_enabled": true, "streams": [],
                    "vars": {"kept": {"type": "text", "value": "pinned", "frozen": true},
                             "gone": {"type": "text", "value": "g", "frozen": true}}}]});
    // The merge alone (Kibana's updatePackageInputs) drops `gone` and keeps `frozen` on `kept`.
    let merged = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg}),
    )
    .unwrap();
    assert_eq!(
        merged["inputs"][0]["vars"],
        json!({"kept": {"type": "text", "value": "pinned", "frozen": true}})
    );
    // Save-time rules re-add the frozen var the new version dropped.
    let saved = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg, "enforce_frozen": true}),
    )
    .unwrap();
    assert_eq!(saved["inputs"][0]["vars"]["gone"]["value"], "g");
    assert_eq!(saved["inputs"][0]["enabled"], false);
    // A frozen var whose type changes is refused unless forced.
    let mut pkg2 = pkg.clone();
    pkg2["policy_templates"][0]["inputs"][0]["vars"][0]["type"] = json!("textarea");
    let err = dispatch(
        "fleet.update_package_inputs",
        &json!({"package_policy": policy, "package_info": pkg2, "enforce_frozen": true}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            "PACKAGE_POLICY_VALIDATION",
            "kept is a frozen variable and cannot be modified"
        )
    );
    assert!(dispatch("fleet.update_package_inputs", &json!({"package_policy": policy, "package_info": pkg2, "enforce_frozen": true, "force": true})).is_ok());
}
