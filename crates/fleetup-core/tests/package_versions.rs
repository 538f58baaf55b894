//! The pure version cases of `../shared/conformance/kibana/versions.json`, run through the JSON
//! dispatcher. Cases that cannot apply outside Kibana, or that belong to another module, are
//! listed in `SKIPPED` with the reason; a case of any other function fails the test.

use std::path::Path;

use serde_json::{json, Value};

const SKIPPED: &[(&str, &str)] = &[
    (
        "shouldUpgradePolicies",
        "run by tests/plan_versions.rs (fleet.should_upgrade_policies)",
    ),
    (
        "upgradeManagedPackagePolicies",
        "run by tests/plan_versions.rs (plan.managed_upgrades)",
    ),
    (
        "setupUpgradeManagedPackagePolicies",
        "run by tests/plan_versions.rs (plan.managed_upgrades, setup mode)",
    ),
    (
        "runAgentlessAutoUpgrade",
        "run by tests/plan_versions.rs (plan.agentless_auto_upgrade)",
    ),
    (
        "HTTP",
        "Kibana API test: needs a running Kibana, enrolled agents and saved objects",
    ),
    (
        "fetchList",
        "builds the registry HTTP URL and calls it; no HTTP outside Kibana",
    ),
];

fn cases() -> Option<Vec<Value>> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/kibana/versions.json");
    match std::fs::read_to_string(&p) {
        Ok(text) => Some(serde_json::from_str::<Vec<Value>>(&text).unwrap()),
        Err(_) => {
            eprintln!(
                "SKIPPED: {} is absent (a fresh clone has no reference material)",
                p.display()
            );
            None
        }
    }
}

/// The dispatcher request for a case, or `None` when the function is skipped.
fn request(case: &Value) -> Option<(&'static str, Value)> {
    let f = case["function"].as_str().unwrap();
    let i = &case["input"];
    Some(match f {
        "isPackagePrerelease" => (
            "fleet.is_package_prerelease",
            json!({"version": i["version"]}),
        ),
        "getPackageReleaseLabel" => (
            "fleet.package_release_label",
            json!({"version": i["version"]}),
        ),
        "splitPkgKey" => ("fleet.split_pkg_key", json!({"key": i["pkgkey"]})),
        "getAgentlessReleaseOverride" => (
            "fleet.agentless_release_override",
            json!({"package_info": i["packageInfo"], "integration_to_enable": i["policyTemplateName"],
                   "options": i["options"]}),
        ),
        "resolveEffectiveRelease" => (
            "fleet.resolve_effective_release",
            json!({"package_info": i["packageInfo"], "integration_to_enable": i["policyTemplateName"],
                   "options": i["options"]}),
        ),
        "hasBreakingChanges" => (
            "fleet.has_breaking_changes",
            json!({"changelog": i["changelog"], "from": i["currentVersion"], "to": i["targetVersion"]}),
        ),
        "pickRegistryTarget" => (
            "package.choose_target",
            json!({"versions": i["availableVersions"], "installed": i["installedVersion"],
                   "same_major": true, "range": i["versionRange"], "prerelease_rule": "semver"}),
        ),
        "fetchFindLatestPackageOrUndefined" | "fetchFindLatestPackageOrThrow" => (
            "package.latest",
            json!({"name": i["pkgName"], "registry": i["registry"], "bundled": i["bundled"],
                   "registry_error": i["registry_error"],
                   "or_throw": f == "fetchFindLatestPackageOrThrow"}),
        ),
        other => {
            assert!(
                SKIPPED.iter().any(|(name, _)| *name == other),
                "case {} uses `{other}`, which is neither run nor listed as skipped",
                case["id"]
            );
            return None;
        }
    })
}

/// The part of an op's result that the Kibana function returns.
fn kibana_result(op: &str, result: Value) -> Value {
    match op {
        "package.choose_target" => result["version"].clone(),
        "package.latest" => result["package"].clone(),
        _ => result,
    }
}

#[test]
fn kibana_version_cases() {
    let Some(cases) = cases() else { return };
    let (mut ran, mut skipped) = (0, Vec::new());
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let Some((op, args)) = request(case) else {
            skipped.push(id.to_string());
            continue;
        };
        ran += 1;
        let got = fleetup_core::dispatch(op, &args);
        if let Some(err) = case.get("expected_error") {
            let e = got.expect_err(id);
            if err.get("class").and_then(Value::as_str) == Some("PackageNotFoundError") {
                assert_eq!(e.code(), "PACKAGE_NOT_FOUND", "{id}: {e}");
            }
            continue;
        }
        let got = kibana_result(op, got.unwrap_or_else(|e| panic!("{id}: {e}")));
        match case["match"].as_str().unwrap() {
            "toBe" | "toEqual" | "toBeUndefined" => {
                assert_eq!(got, case["expected"], "{id}");
            }
            other => panic!("{id}: unexpected match kind {other}"),
        }
    }
    for (name, why) in SKIPPED {
        let n = cases.iter().filter(|c| c["function"] == *name).count();
        println!("skipped {n} `{name}` case(s): {why}");
    }
    println!("{ran} version cases passed, {} skipped", skipped.len());
    assert!(ran >= 15, "only {ran} cases ran");
}

fn ok(op: &str, args: Value) -> Value {
    fleetup_core::dispatch(op, &args).unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn code(op: &str, args: Value) -> String {
    fleetup_core::dispatch(op, &args)
        .unwrap_err()
        .code()
        .to_string()
}

#[test]
fn choose_target_gives_a_reason_for_every_other_version() {
    let versions = json!([
        "1.0.0",
        "1.1.0",
        "1.2.0-beta1",
        "0.9.0",
        "2.0.0",
        "not-a-version",
        {"version": "1.3.0", "conditions": {"kibana": {"version": "^9.0.0"}}},
        {"version": "1.2.0", "conditions": {"kibana.version": "^8.10.0", "elastic": {"subscription": "platinum"}}},
        {"version": "1.1.5", "conditions": {"kibana": {"version": "^8.10.0"}}},
    ]);
    let r = ok(
        "package.choose_target",
        json!({"versions": versions, "installed": "1.0.0", "same_major": true,
               "kibana_version": "8.12.1-SNAPSHOT", "subscription": "gold"}),
    );
    assert_eq!(r["version"], "1.1.5");
    assert_eq!(r["entry"]["version"], "1.1.5");
    let codes: Vec<(String, String)> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["version"].as_str().unwrap().to_string(),
                x["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = [
        ("1.0.0", "NOT_NEWER"),
        ("1.1.0", "NOT_NEWEST"),
        ("1.2.0-beta1", "PRERELEASE"),
        ("0.9.0", "PRERELEASE"),
        ("2.0.0", "OTHER_MAJOR"),
        ("not-a-version", "INVALID_VERSION"),
        ("1.3.0", "KIBANA_INCOMPATIBLE"),
        ("1.2.0", "LICENSE_REQUIRED"),
    ];
    assert_eq!(
        codes,
        expect
            .iter()
            .map(|(v, c)| (v.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    for x in r["rejected"].as_array().unwrap() {
        assert!(!x["reason"].as_str().unwrap().is_empty());
    }
    // Allowing prereleases and lifting the license changes the pick.
    let r = ok(
        "package.choose_target",
        json!({"versions": ["1.0.0", "1.2.0-beta1"], "prerelease": true}),
    );
    assert_eq!(r["version"], "1.2.0-beta1");
    // pickRegistryTarget only excludes prerelease tags, so 0.x versions stay eligible there.
    let r = ok(
        "package.choose_target",
        json!({"versions": ["0.6.0", "0.7.0-beta"], "installed": "0.5.0", "same_major": true,
               "prerelease_rule": "semver"}),
    );
    assert_eq!(r["version"], "0.6.0");
    let r = ok("package.choose_target", json!({"versions": []}));
    assert!(r["version"].is_null() && r["rejected"] == json!([]));
    assert_eq!(
        code("package.choose_target", json!({"versions": [1]})),
        "INVALID_ARGUMENT"
    );
    assert_eq!(
        code(
            "package.choose_target",
            json!({"versions": [], "installed": "x"})
        ),
        "INVALID_VERSION"
    );
}

#[test]
fn update_available_follows_kibana() {
    let r = ok(
        "package.update_available",
        json!({"installed": "1.16.2", "latest": "1.20.4", "policy_version": "1.16.2"}),
    );
    assert_eq!(
        r,
        json!({"latest_version": "1.20.4", "update_available": true,
               "is_viewing_old_package": true, "policy_upgradeable": false})
    );
    // Registry behind the viewed version: latestVersion is the viewed one.
    let r = ok(
        "package.update_available",
        json!({"installed": "2.0.0", "latest": "1.9.0"}),
    );
    assert_eq!(r["latest_version"], "2.0.0");
    assert_eq!(r["update_available"], false);
    assert_eq!(
        code(
            "package.update_available",
            json!({"installed": "1.x", "latest": "1.0.0"})
        ),
        "INVALID_VERSION"
    );
}

#[test]
fn breaking_changes_windows() {
    let changelog = json!([
        {"version": "3.6.0", "changes": [{"type": "breaking-change", "description": "a"}, {"type": "enhancement"}]},
        {"version": "3.5.0", "changes": [{"type": "enhancement"}]},
        {"version": "bogus", "changes": [{"type": "breaking-change"}]},
        {"version": "3.4.0", "changes": [{"type": "breaking-change", "description": "b"}]},
    ]);
    let r = ok(
        "fleet.breaking_changes",
        json!({"changelog": changelog, "from": "3.4.0", "to": "3.6.0"}),
    );
    assert_eq!(
        r,
        json!([{"version": "3.6.0", "changes": [{"type": "breaking-change", "description": "a"}]}])
    );
    // The upgrade callout's window includes the installed version.
    let r = ok(
        "fleet.breaking_changes",
        json!({"changelog": changelog, "from": "3.4.0", "to": "3.6.0", "inclusive_from": true}),
    );
    assert_eq!(r.as_array().unwrap().len(), 2);
    // Changelog text is accepted too.
    let text =
        "- version: \"1.1.0\"\n  changes:\n    - type: breaking-change\n      description: x\n";
    assert_eq!(
        ok(
            "fleet.has_breaking_changes",
            json!({"changelog": text, "from": "1.0.0", "to": "1.1.0"})
        ),
        true
    );
    // An invalid bound fails only where Kibana's `semver.gt` would throw.
    assert_eq!(
        code(
            "fleet.has_breaking_changes",
            json!({"changelog": changelog, "from": "x", "to": "3.6.0"})
        ),
        "INVALID_VERSION"
    );
    assert_eq!(
        ok(
            "fleet.has_breaking_changes",
            json!({"changelog": [], "from": "x", "to": "1.0.0"})
        ),
        false
    );
}

#[test]
fn latest_package_choice() {
    let r = ok(
        "package.latest",
        json!({"registry": [{"name": "p", "version": "1.0.0"}], "bundled": {"name": "p", "version": "1.0.0"}}),
    );
    assert_eq!(r["source"], "bundled");
    let r = ok("package.latest", json!({"registry": [], "bundled": null}));
    assert_eq!(r, json!({"package": null, "source": "none"}));
    assert_eq!(
        code("package.latest", json!({"registry": [], "or_throw": true})),
        "PACKAGE_NOT_FOUND"
    );
    let r = ok(
        "package.latest",
        json!({"registry": [{"version": "2.0.0"}], "bundled": {"version": "1.0.0"}, "airgapped": true}),
    );
    assert_eq!(r["source"], "bundled");
}
