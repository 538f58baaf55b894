//! A small driver for instruction-count profiling of the policy engine (issue 4's scenarios),
//! for `valgrind --tool=callgrind` or `perf stat`, where criterion's wall-clock numbers are too
//! noisy on a shared machine.
//!
//! Usage: `policy_profile <update|merge|dry|dispatch|line|prepare|print> <aws|nginx> [N]`
//! - `update`: `fleet.update_package_inputs` (merge + validate) through the dispatcher;
//! - `merge`: the same merge + validate against a `PreparedPackage` (Kibana's
//!   `updatePackageInputs`, the logic Kibana's figures time);
//! - `dry`: the dry run (merge, validate, change list) against a `PreparedPackage`;
//! - `dispatch`: the same through the dispatcher (`fleet.upgrade_dry_run` on JSON values);
//! - `line`: the same dry run as JSON text through `fleetup_core::call`, each line carrying the
//!   policy and the whole target PackageInfo (what `fleetup call` does per line);
//! - `prepare`: setup only (subtract it from the others);
//! - `ser` / `parse`: writing the dry-run item as JSON text / parsing the policy, alone;
//! - `linegen`: setup and the `line` mode's request texts (subtract it from `line`).
//!
//! Packages come from `../shared/corpus/packages` (aws 1.23.4 → 1.28.0, nginx 1.1.0 → 1.6.0).

use fleetup_core::dispatch;
use serde_json::{json, Value};

// The allocator of the CLI, so that instruction counts are those of `fleetup call`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn load(rel: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/packages")
        .join(rel);
    dispatch("package.load", &json!({"path": path.to_string_lossy()})).expect("package.load")
}

/// Every var of the package set to a user value.
fn customised_policy(pkg: &Value) -> Value {
    let mut policy = dispatch(
        "fleet.package_to_package_policy",
        &json!({"package_info": pkg, "namespace": "default"}),
    )
    .expect("package_to_package_policy");
    fn customise(vars: &mut Value) {
        if let Some(m) = vars.as_object_mut() {
            for entry in m.values_mut() {
                let custom = match entry.get("type").and_then(Value::as_str) {
                    Some("bool") => json!(true),
                    Some("integer") => json!(42),
                    Some("yaml") => json!("custom: true\n"),
                    Some("duration") => json!("30s"),
                    Some("select") => json!("b"),
                    _ => match entry.get("value") {
                        Some(Value::Array(_)) => json!(["/custom/path.log"]),
                        _ => json!("custom"),
                    },
                };
                entry["value"] = custom;
            }
        }
    }
    if let Some(v) = policy.get_mut("vars") {
        customise(v);
    }
    for input in policy["inputs"].as_array_mut().into_iter().flatten() {
        if let Some(v) = input.get_mut("vars") {
            customise(v);
        }
        for stream in input["streams"].as_array_mut().into_iter().flatten() {
            if let Some(v) = stream.get_mut("vars") {
                customise(v);
            }
        }
    }
    policy["id"] = json!("pp-1");
    policy
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("dry", String::as_str);
    let which = args.get(2).map_or("nginx", String::as_str);
    let n: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(100);
    let (old, new) = match which {
        "aws" => (load("aws/1.23.4"), load("aws/1.28.0")),
        _ => (load("nginx/1.1.0"), load("nginx/1.6.0")),
    };
    let policy = customised_policy(&old);
    let mut base = policy.clone();
    base["package"]["version"] = new["version"].clone();
    let update_args = json!({"package_policy": base, "package_info": new, "dry_run": true});
    let dry_args = json!({"package_policy": policy, "package_info": new});
    let info_text = new.to_string();
    // Distinct policies per line, as in the 10,000-policy scenario.
    let lines: Vec<String> = if mode == "line" || mode == "linegen" {
        (0..n)
            .map(|i| {
                let mut p = policy.clone();
                p["id"] = json!(format!("pp-{i:06}"));
                p["name"] = json!(format!("{which}-{i}"));
                format!(
                    "{{\"op\":\"fleet.upgrade_dry_run\",\"args\":{{\"package_info\":{info_text},\"package_policy\":{p}}}}}"
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let start = std::time::Instant::now();
    let mut bytes = 0usize;
    match mode {
        "update" => {
            for _ in 0..n {
                let out = dispatch("fleet.update_package_inputs", &update_args).expect("update");
                bytes += out.as_object().map_or(0, |m| m.len());
            }
        }
        "dry" => {
            let prepared = fleetup_core::policy::PreparedPackage::new(new.clone());
            for _ in 0..n {
                let out =
                    fleetup_core::policy::upgrade_dry_run_prepared(&policy, &prepared, None, None)
                        .expect("dry run");
                bytes += out.as_object().map_or(0, |m| m.len());
            }
        }
        "merge" => {
            let prepared = fleetup_core::policy::PreparedPackage::new(new.clone());
            let stored = base.as_object().expect("policy object");
            for _ in 0..n {
                let base = fleetup_core::policy::merge::BasePolicy {
                    stored,
                    omit: &[],
                    package: None,
                };
                let out = fleetup_core::policy::merge::update_package_inputs_prepared(
                    &base,
                    &prepared,
                    Some(prepared.default_inputs()),
                    true,
                )
                .expect("merge");
                bytes += out.as_object().map_or(0, |m| m.len());
            }
        }
        "dispatch" => {
            for _ in 0..n {
                let out = dispatch("fleet.upgrade_dry_run", &dry_args).expect("dry run");
                bytes += out.as_object().map_or(0, |m| m.len());
            }
        }
        "line" => {
            let mut out = String::new();
            for line in &lines {
                out.clear();
                fleetup_core::call_into(line, &mut out);
                bytes += out.len();
            }
        }
        "ser" => {
            // Writing the dry-run item as JSON text, alone.
            let prepared = fleetup_core::policy::PreparedPackage::new(new.clone());
            let item =
                fleetup_core::policy::upgrade_dry_run_owned(policy.clone(), &prepared, None, None)
                    .expect("dry run");
            let mut buf = Vec::new();
            for _ in 0..n {
                buf.clear();
                item.write_json(&mut buf);
                bytes += buf.len();
            }
        }
        "parse" => {
            // Parsing a request's policy text, alone.
            let text = policy.to_string();
            for _ in 0..n {
                let v: Value = serde_json::from_str(&text).expect("parse");
                bytes += v.as_object().map_or(0, |m| m.len());
            }
        }
        "print" => {
            let out = dispatch("fleet.upgrade_dry_run", &dry_args).expect("dry run");
            println!("{out}");
        }
        _ => {}
    }
    let elapsed = start.elapsed();
    eprintln!(
        "{mode} {which} x{n}: {:.1} µs per iteration ({bytes})",
        elapsed.as_secs_f64() * 1e6 / n.max(1) as f64
    );
}
