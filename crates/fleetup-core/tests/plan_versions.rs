//! The automatic-upgrade cases of `../shared/conformance/kibana/versions.json`
//! (`shouldUpgradePolicies`, `upgradeManagedPackagePolicies`, `setupUpgradeManagedPackagePolicies`,
//! `runAgentlessAutoUpgrade`) through the dispatcher.
//!
//! Kibana's tests drive these functions with mocks and assert on what the mocks saw. Here each
//! case's mock returns become the operation's arguments, and the operation's reported `actions`
//! become the observations the assertions read (`upgrade_called`, `dry_run_called`,
//! `installation_update`, `installPackage_called_with`, …).

mod kibana_support;

use fleetup_core::dispatch;
use kibana_support::{check_assertion, deep_equal, load_cases};
use serde_json::{json, Map, Value};

const FUNCTIONS: &[&str] = &[
    "shouldUpgradePolicies",
    "upgradeManagedPackagePolicies",
    "setupUpgradeManagedPackagePolicies",
    "runAgentlessAutoUpgrade",
];

/// The case's `input` renamed to the operation's arguments.
fn args_for(function: &str, input: &Value) -> Value {
    let mut args = Map::new();
    let copy = |args: &mut Map<String, Value>, from: &str, to: &str| {
        if let Some(v) = input.get(from) {
            args.insert(to.to_string(), v.clone());
        }
    };
    match function {
        "shouldUpgradePolicies" => {
            copy(&mut args, "packageInfo", "package_info");
            copy(&mut args, "installedPackage", "installed_package");
        }
        "upgradeManagedPackagePolicies" => {
            copy(&mut args, "pkgName", "package");
            // `null` (not installed) must reach the operation as "no installation".
            args.insert(
                "installation".into(),
                input.get("installation").cloned().unwrap_or(Value::Null),
            );
            copy(&mut args, "package_policies", "package_policies");
            copy(&mut args, "dry_run_result", "dry_run_result");
            copy(&mut args, "package_infos", "package_infos");
        }
        "setupUpgradeManagedPackagePolicies" => {
            copy(&mut args, "installations", "installations");
            copy(&mut args, "package_policies", "package_policies");
            copy(&mut args, "hasNewDeprecations", "has_new_deprecations");
            copy(&mut args, "package_infos", "package_infos");
        }
        "runAgentlessAutoUpgrade" => {
            for (from, to) in [
                ("config", "config"),
                ("installation", "installation"),
                ("registry_versions", "registry_versions"),
                ("changelog_yaml", "changelog_yaml"),
                ("stored_changelog_asset", "stored_changelog_asset"),
                ("dry_run_result", "dry_run_result"),
                ("package_policies", "package_policies"),
                ("hasNewDeprecations", "has_new_deprecations"),
                ("bulk_upgrade_results", "bulk_upgrade_results"),
            ] {
                copy(&mut args, from, to);
            }
        }
        other => panic!("no mapping for {other}"),
    }
    Value::Object(args)
}

fn actions_named<'a>(out: &'a Value, name: &str) -> Vec<&'a Value> {
    out["actions"]
        .as_array()
        .map(|a| a.iter().filter(|x| x["action"] == name).collect())
        .unwrap_or_default()
}

/// What the harness observes, in the case's vocabulary.
fn subject_for(function: &str, input: &Value, out: &Value) -> Value {
    let mut s = Map::new();
    match function {
        "shouldUpgradePolicies" => {
            s.insert("result".into(), out.clone());
        }
        "upgradeManagedPackagePolicies" | "setupUpgradeManagedPackagePolicies" => {
            s.insert("result".into(), out["results"].clone());
            let upgrades = actions_named(out, "upgrade");
            s.insert("upgrade_called".into(), Value::Bool(!upgrades.is_empty()));
            if let Some(u) = upgrades.first() {
                let mut w = (*u).clone();
                if let Some(m) = w.as_object_mut() {
                    m.remove("action");
                    // The case writes the policy object the mock received as a placeholder.
                    let given = input["package_policies"]
                        .as_array()
                        .is_some_and(|ps| ps.iter().any(|p| deep_equal(&m["packagePolicy"], p)));
                    if given {
                        m.insert("packagePolicy".into(), json!("<the package policy>"));
                    }
                }
                s.insert("upgrade_called_with".into(), w);
            }
            let dry = actions_named(out, "dry_run");
            s.insert("dry_run_called".into(), Value::Bool(!dry.is_empty()));
            let updates = out["installation_updates"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            s.insert("update_called".into(), Value::Bool(!updates.is_empty()));
            if let Some(u) = updates.first() {
                s.insert("installation_update".into(), u.clone());
            }
            let checks = actions_named(out, "has_new_deprecations");
            s.insert(
                "hasNewDeprecations_called".into(),
                Value::Bool(!checks.is_empty()),
            );
            s.insert(
                "ensureScheduled_called".into(),
                Value::Bool(!out["scheduled"].as_array().is_none_or(Vec::is_empty)),
            );
            if let Some(t) = out["scheduled"].get(0) {
                s.insert("ensureScheduled_called_with".into(), t.clone());
            }
        }
        "runAgentlessAutoUpgrade" => {
            s.insert("result".into(), out["results"].clone());
            let installs = actions_named(out, "install_package");
            s.insert(
                "installPackage_called".into(),
                Value::Bool(!installs.is_empty()),
            );
            if let Some(i) = installs.first() {
                s.insert("installPackage_called_with".into(), (*i).clone());
            }
            let bulk = actions_named(out, "bulk_upgrade");
            s.insert("bulkUpgrade_called".into(), Value::Bool(!bulk.is_empty()));
            if let Some(b) = bulk.first() {
                let mut w = (*b).clone();
                if let Some(m) = w.as_object_mut() {
                    m.remove("action");
                }
                s.insert("bulkUpgrade_called_with".into(), w);
            }
            s.insert(
                "registry_fetchList_called".into(),
                Value::Bool(!actions_named(out, "registry_fetch_list").is_empty()),
            );
            s.insert(
                "dry_run_called".into(),
                Value::Bool(!actions_named(out, "dry_run").is_empty()),
            );
        }
        _ => unreachable!(),
    }
    Value::Object(s)
}

fn run_case(case: &Value) -> Result<(), String> {
    let function = case["function"].as_str().unwrap_or_default();
    let op = match function {
        "shouldUpgradePolicies" => "fleet.should_upgrade_policies",
        "runAgentlessAutoUpgrade" => "plan.agentless_auto_upgrade",
        _ => "plan.managed_upgrades",
    };
    let input = &case["input"];
    let out = dispatch(op, &args_for(function, input)).map_err(|e| format!("{op} failed: {e}"))?;
    let subject = subject_for(function, input, &out);
    if let Some(expected) = case.get("expected_error") {
        return Err(format!("expected error {expected}, got {out}"));
    }
    match case["match"].as_str() {
        Some("toBe") | Some("toEqual") => {
            if deep_equal(&subject["result"], &case["expected"]) {
                Ok(())
            } else {
                Err(format!(
                    "expected {}, got {}",
                    case["expected"], subject["result"]
                ))
            }
        }
        Some("assertions") => {
            let list = case["assertions"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return Err("no assertions".into());
            }
            list.iter()
                .try_for_each(|a| check_assertion(&subject, a))
                .map_err(|e| format!("{e}\nsubject: {subject}"))
        }
        other => Err(format!("unsupported match {other:?}")),
    }
}

#[test]
fn automatic_upgrade_cases_pass() {
    let Some(cases) = load_cases("versions.json") else {
        return;
    };
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases
        .iter()
        .filter(|c| FUNCTIONS.contains(&c["function"].as_str().unwrap_or_default()))
    {
        ran += 1;
        if let Err(e) = run_case(case) {
            failures.push(format!("{}: {e}", case["id"]));
        }
    }
    println!("ran {ran} automatic-upgrade cases");
    assert!(
        ran >= 10,
        "expected the automatic-upgrade cases, found {ran}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------- the other scenarios of Kibana's tests
//
// The cases below follow the remaining `it(...)` blocks of Kibana's `managed_package_policies` and
// `agentless/auto_upgrade` tests and the rules of `fleet-upgrade.md` §5.3–§5.5, written in the
// same case format so they run through the same mapping. They need no `../shared`.

fn case(function: &str, input: Value, assertions: Value) -> Value {
    json!({"id": "local", "function": function, "input": input, "match": "assertions", "assertions": assertions})
}

fn must_pass(c: &Value) {
    if let Err(e) = run_case(c) {
        panic!("{e}");
    }
}

fn aws_input(over: Value) -> Value {
    let mut base = json!({
        "config": {"dryRun": false, "packages": [{"name": "aws", "versionRange": "^3.0.0"}]},
        "installation": {"name": "aws", "version": "3.4.0", "install_status": "installed", "install_source": "registry"},
        "registry_versions": [{"name": "aws", "version": "3.4.0"}, {"name": "aws", "version": "3.5.0"}],
        "changelog_yaml": "- version: \"3.5.0\"\n  changes:\n    - description: New option\n      type: enhancement\n      link: https://example.com\n",
        "dry_run_result": {"hasErrors": false},
        "package_policies": [{"id": "pp-1", "supports_agentless": true, "package": {"version": "3.4.0"}, "policy_ids": ["ap"]}],
    });
    if let (Some(b), Some(o)) = (base.as_object_mut(), over.as_object()) {
        for (k, v) in o {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

fn agentless_result(over: Value) -> Value {
    let out = dispatch(
        "plan.agentless_auto_upgrade",
        &args_for("runAgentlessAutoUpgrade", &aws_input(over)),
    )
    .expect("agentless plan");
    out["results"][0].clone()
}

#[test]
fn managed_task_without_installation_does_nothing() {
    must_pass(&case(
        "upgradeManagedPackagePolicies",
        json!({"pkgName": "testpkg", "installation": null, "package_policies": [
            {"id": "p", "package": {"name": "testpkg", "version": "0.0.1"}}]}),
        json!([{"path": "upgrade_called", "op": "toBe", "value": false},
               {"path": "dry_run_called", "op": "toBe", "value": false},
               {"path": "result", "op": "toEqual", "value": []}]),
    ));
}

#[test]
fn managed_task_clears_a_pending_review_and_reports_dry_run_messages() {
    let input = json!({
        "pkgName": "p", "installation": {"name": "p", "version": "2.0.0",
            "pending_upgrade_review": {"target_version": "2.0.0", "action": "accepted"}},
        "package_policies": [{"id": "a", "package": {"name": "p", "version": "1.0.0"}},
                             {"id": "b", "package": {"name": "p", "version": "2.0.0"}}],
        "dry_run_result": {"hasErrors": true, "body": {"message": "boom"}},
    });
    must_pass(&case(
        "upgradeManagedPackagePolicies",
        input,
        json!([{"path": "result", "op": "toEqual", "value": [{"packagePolicyId": "a", "errors": ["boom"]}]},
               {"path": "upgrade_called", "op": "toBe", "value": false},
               {"path": "installation_update", "op": "toEqual", "value":
                   {"type": "epm-packages", "id": "p", "attributes": {"pending_upgrade_review": null}}}]),
    ));
}

fn setup_input(name: &str, review: Option<&str>) -> Value {
    let mut attrs = json!({"name": name, "version": "2.0.0", "install_status": "installed", "keep_policies_up_to_date": true});
    if let Some(action) = review {
        attrs["pending_upgrade_review"] = json!({"target_version": "2.0.0", "reason": "deprecated",
            "created_at": "2026-01-01T00:00:00.000Z", "action": action});
    }
    json!({"installations": [{"id": format!("{name}-pkg"), "attributes": attrs}],
           "package_policies": [{"id": "policy-1", "package": {"name": name, "version": "1.0.0"}}],
           "hasNewDeprecations": true})
}

#[test]
fn setup_review_gate_follows_the_user_answer() {
    let not_updated = json!({"path": "update_called", "op": "toBe", "value": false});
    let not_checked = json!({"path": "hasNewDeprecations_called", "op": "toBe", "value": false});
    let scheduled = |b: bool| json!({"path": "ensureScheduled_called", "op": "toBe", "value": b});
    for (review, sched) in [("declined", false), ("pending", false), ("accepted", true)] {
        must_pass(&case(
            "setupUpgradeManagedPackagePolicies",
            setup_input("custom_package", Some(review)),
            json!([not_updated, not_checked, scheduled(sched)]),
        ));
    }
    // Stack-aligned packages skip the gate.
    must_pass(&case(
        "setupUpgradeManagedPackagePolicies",
        setup_input("apm", None),
        json!([not_checked, not_updated, scheduled(true),
               {"path": "ensureScheduled_called_with.id", "op": "toBe",
                "value": "fleet:setup:upgrade_managed_package_policies:apm"}]),
    ));
    // A review for another version does not count: the check runs again.
    let mut other = setup_input("custom_package", Some("accepted"));
    other["installations"][0]["attributes"]["pending_upgrade_review"]["target_version"] =
        json!("1.5.0");
    must_pass(&case(
        "setupUpgradeManagedPackagePolicies",
        other,
        json!([{"path": "hasNewDeprecations_called", "op": "toBe", "value": true},
               {"path": "installation_update.attributes.pending_upgrade_review.target_version", "op": "toBe", "value": "2.0.0"},
               scheduled(false)]),
    ));
}

#[test]
fn setup_skips_installations_that_do_not_keep_policies_up_to_date() {
    let mut input = setup_input("custom_package", None);
    input["installations"][0]["attributes"]["keep_policies_up_to_date"] = json!(false);
    must_pass(&case(
        "setupUpgradeManagedPackagePolicies",
        input,
        json!([{"path": "ensureScheduled_called", "op": "toBe", "value": false},
               {"path": "hasNewDeprecations_called", "op": "toBe", "value": false}]),
    ));
}

#[test]
fn setup_deprecation_check_uses_package_infos() {
    let cur = json!({"name": "custom_package", "version": "1.0.0"});
    let tgt = json!({"name": "custom_package", "version": "2.0.0",
        "policy_templates": [{"name": "pt", "deprecated": {"description": "use pt2"}}]});
    let mut input = setup_input("custom_package", None);
    input.as_object_mut().unwrap().remove("hasNewDeprecations");
    input["package_infos"] = json!([cur, tgt]);
    must_pass(&case(
        "setupUpgradeManagedPackagePolicies",
        input.clone(),
        json!([{"path": "installation_update.attributes.pending_upgrade_review.deprecation_details",
                "op": "toEqual", "value": {"description": "use pt2"}},
               {"path": "ensureScheduled_called", "op": "toBe", "value": false}]),
    ));
    // Same deprecation in both versions: nothing new, the task is scheduled.
    input["package_infos"][0]["policy_templates"] = json!([{"name": "pt", "deprecated": {}}]);
    must_pass(&case(
        "setupUpgradeManagedPackagePolicies",
        input,
        json!([{"path": "update_called", "op": "toBe", "value": false},
               {"path": "ensureScheduled_called", "op": "toBe", "value": true}]),
    ));
}

#[test]
fn agentless_statuses_and_reasons() {
    let r = agentless_result(json!({"package_policies": [
        {"id": "pp-1", "supports_agentless": true, "package": {"version": "3.4.0"}},
        {"id": "pp-2", "supports_agentless": false, "package": {"version": "3.4.0"}}]}));
    assert_eq!(
        r["reason"],
        "package is also used by non-agentless package policies"
    );
    let r = agentless_result(json!({"package_policies": [
        {"id": "pp-1", "package": {"version": "3.4.0"}}]}));
    assert_eq!(r["reason"], "no agentless package policies");
    let r = agentless_result(
        json!({"installation": {"name": "aws", "version": "3.4.0", "install_status": "installing"}}),
    );
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("skipped"), Some("package is not installed"))
    );
    // Nothing newer in the registry and the policies are current.
    let r = agentless_result(
        json!({"registry_versions": [{"name": "aws", "version": "3.4.0"}, {"name": "aws", "version": "4.0.0"}]}),
    );
    assert_eq!(r["status"], "up_to_date");
    assert_eq!(r["targetVersion"], "3.4.0");
    // The installed version is outside the configured range.
    let r = agentless_result(
        json!({"config": {"dryRun": false, "packages": [{"name": "aws", "versionRange": "^4.0.0"}]}}),
    );
    assert_eq!(r["reason"], "version 3.4.0 is outside range ^4.0.0");
    // A policy on an older major.
    let r = agentless_result(json!({"package_policies": [
        {"id": "pp-1", "supports_agentless": true, "package": {"version": "2.9.0"}},
        {"id": "pp-2", "supports_agentless": true, "package": {"version": "3.4.0"}}]}));
    assert_eq!(r["reason"], "major version change for pp-1");
    // No changelog.
    let r = agentless_result(json!({"changelog_yaml": ""}));
    assert_eq!(r["reason"], "changelog unavailable");
    // Breaking change between the oldest policy version and the target.
    let r = agentless_result(json!({
        "package_policies": [{"id": "pp-1", "supports_agentless": true, "package": {"version": "3.2.0"}}],
        "changelog_yaml": "- version: 3.3.0\n  changes: [{type: breaking-change}]\n"}));
    assert_eq!(
        r["reason"],
        "changelog lists a breaking change between 3.2.0 and 3.5.0"
    );
    // New deprecations.
    let r = agentless_result(json!({"hasNewDeprecations": true}));
    assert_eq!(r["reason"], "new deprecations need review");
    // bulkUpgrade reports a failure.
    let r = agentless_result(json!({"bulk_upgrade_results": [{"id": "pp-1", "success": false}]}));
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("failed"), Some("failed to upgrade pp-1"))
    );
    // A policy with an invalid version makes node-semver throw: the package fails.
    let r = agentless_result(
        json!({"package_policies": [{"id": "pp-1", "supports_agentless": true, "package": {"version": "x"}}]}),
    );
    assert_eq!(r["status"], "failed");
    assert_eq!(r["reason"], "Invalid Version: x");
}

#[test]
fn agentless_install_failure_and_agent_policy_refresh() {
    let args = args_for("runAgentlessAutoUpgrade", &aws_input(json!({})));
    let mut with_error = args.clone();
    with_error["install_error"] = json!("registry down");
    let out = dispatch("plan.agentless_auto_upgrade", &with_error).unwrap();
    assert_eq!(out["results"][0]["reason"], "install failed: registry down");
    assert!(actions_named(&out, "bulk_upgrade").is_empty());
    let out = dispatch("plan.agentless_auto_upgrade", &args).unwrap();
    let refresh = actions_named(&out, "refresh_agentless_agent_policies");
    assert_eq!(refresh[0]["agentPolicyIds"], json!(["ap"]));
    assert_eq!(out["results"][0]["packagePolicyIds"], json!(["pp-1"]));
}

fn load_test_package(dir: &str) -> Option<Value> {
    let root = kibana_support::kibana_dir()?;
    let path = root.join("test_packages/package_policy_upgrade").join(dir);
    Some(dispatch("package.load", &json!({"path": path.to_string_lossy()})).expect("load package"))
}

#[test]
fn managed_task_runs_real_dry_runs_from_package_infos() {
    let (Some(old), Some(clean), Some(conflict)) = (
        load_test_package("0.2.0-add-non-required-test-var"),
        load_test_package("0.2.5-non-breaking-change"),
        load_test_package("0.4.0-add-test-var-as-bool"),
    ) else {
        println!("SKIPPED: ../shared/conformance/kibana is absent (it is present in CI)");
        return;
    };
    let mut policy = dispatch(
        "fleet.package_to_package_policy",
        &json!({"package_info": old, "agent_policy_ids": ["ap"], "name": "p-1"}),
    )
    .unwrap();
    policy["id"] = json!("p-1");
    for (target, conflicts) in [(clean, false), (conflict, true)] {
        let version = target["version"].clone();
        let out = dispatch(
            "plan.managed_upgrades",
            &json!({"package": "package_policy_upgrade",
                    "installation": {"name": "package_policy_upgrade", "version": version},
                    "package_policies": [policy], "package_infos": [target]}),
        )
        .unwrap();
        let result = &out["results"][0];
        assert_eq!(result["packagePolicyId"], "p-1");
        assert_eq!(result["diff"][1]["package"]["version"], version);
        let errors = result["errors"].as_array().cloned().unwrap_or_default();
        assert_eq!(!errors.is_empty(), conflicts, "{version}: {errors:?}");
        assert_eq!(actions_named(&out, "upgrade").is_empty(), conflicts);
    }
}

#[test]
fn should_upgrade_policies_rules() {
    let call = |p: &str, keep: Value, i: &str| {
        dispatch(
            "fleet.should_upgrade_policies",
            &json!({"package_info": {"version": p, "keepPoliciesUpToDate": keep}, "installed_package": {"version": i}}),
        )
    };
    assert_eq!(call("1.0.0", json!(true), "1.1.0").unwrap(), json!(true));
    assert_eq!(call("1.1.0", json!(true), "1.1.0").unwrap(), json!(false));
    assert_eq!(call("1.2.0", json!(true), "1.1.0").unwrap(), json!(false));
    assert_eq!(call("1.0.0", json!(false), "1.1.0").unwrap(), json!(false));
    assert_eq!(call("1.0.0", Value::Null, "1.1.0").unwrap(), json!(false));
    assert_eq!(
        call("nope", json!(true), "1.1.0").unwrap_err().code(),
        "INVALID_VERSION"
    );
}

#[test]
fn the_harness_catches_wrong_expectations() {
    let bad = case(
        "runAgentlessAutoUpgrade",
        aws_input(json!({})),
        json!([{"path": "result[0].status", "op": "toBe", "value": "would_upgrade"}]),
    );
    assert!(run_case(&bad).is_err());
    let bad = case(
        "upgradeManagedPackagePolicies",
        json!({"installation": null}),
        json!([{"path": "upgrade_called", "op": "toBe", "value": true}]),
    );
    assert!(run_case(&bad).is_err());
}

#[test]
fn bad_arguments_are_invalid_argument_errors() {
    for (op, args) in [
        ("plan.agentless_auto_upgrade", json!({})),
        (
            "plan.agentless_auto_upgrade",
            json!({"config": {"packages": [{"name": 1}]}}),
        ),
        ("plan.managed_upgrades", json!({"installations": 5})),
        (
            "plan.managed_upgrades",
            json!({"installation": {"version": "2.0.0"},
            "package_policies": [{"id": "a", "package": {"version": "1.0.0"}}]}),
        ),
        ("fleet.should_upgrade_policies", json!({"package_info": {}})),
    ] {
        let e = dispatch(op, &args).unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT", "{op} {args}: {e}");
    }
}
