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
            let updates = out["installation_updates"].as_array().cloned().unwrap_or_default();
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
                Err(format!("expected {}, got {}", case["expected"], subject["result"]))
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
    assert!(ran >= 10, "expected the automatic-upgrade cases, found {ran}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
