//! Dry run of a customised policy (every var set), the per-policy cost of an upgrade plan.
//!
//! Uses the corpus packages (`../shared/corpus/packages/{aws,nginx}`) through `package.load`
//! when both are available; otherwise synthetic PackageInfo documents of the same size as the
//! corpus versions (aws 1.28.0: 35 data streams, ~315 stream vars, ~40 YAML vars; nginx 1.6.0:
//! 3 data streams, ~22 stream vars).

use criterion::{criterion_group, criterion_main, Criterion};
use fleetup_core::dispatch;
use fleetup_core::policy::merge::{update_package_inputs_prepared, BasePolicy};
use fleetup_core::policy::{upgrade_dry_run_prepared, PreparedPackage};
use serde_json::{json, Value};

// The allocator of the CLI, so that the numbers are those of the shipped binaries.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn synthetic_package(name: &str, version: &str, data_streams: usize, vars: usize) -> Value {
    let var_defs = |prefix: &str| -> Vec<Value> {
        (0..vars)
            .map(|i| match i % 8 {
                0 => json!({"name": format!("{prefix}_{i}"), "type": "text", "multi": true, "default": ["/var/log/*.log"]}),
                1 => json!({"name": format!("{prefix}_{i}"), "type": "bool", "default": false}),
                2 => json!({"name": format!("{prefix}_{i}"), "type": "yaml", "default": "a: 1\nb: [1, 2]\n"}),
                3 => json!({"name": format!("{prefix}_{i}"), "type": "integer", "default": 10, "required": true}),
                4 => json!({"name": format!("{prefix}_{i}"), "type": "duration", "default": "10s"}),
                5 => json!({"name": format!("{prefix}_{i}"), "type": "select", "default": "a",
                            "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]}),
                6 => json!({"name": format!("{prefix}_{i}"), "type": "password", "secret": true}),
                _ => json!({"name": format!("{prefix}_{i}"), "type": "text", "default": "x"}),
            })
            .collect()
    };
    let streams: Vec<Value> = (0..data_streams)
        .map(|d| {
            json!({
                "type": if d % 2 == 0 { "logs" } else { "metrics" },
                "dataset": format!("{name}.ds{d}"), "path": format!("ds{d}"), "package": name,
                "streams": [{"input": if d % 2 == 0 { "logfile" } else { "aws/metrics" },
                              "title": "s", "vars": var_defs("s")}]
            })
        })
        .collect();
    json!({
        "name": name, "version": version, "type": "integration",
        "vars": var_defs("pkg"),
        "policy_templates": [{"name": name, "title": name, "inputs": [
            {"type": "logfile", "title": "Logs", "vars": var_defs("in")},
            {"type": "aws/metrics", "title": "Metrics", "vars": var_defs("in")}
        ]}],
        "data_streams": streams
    })
}

fn load(rel: &str) -> Option<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/packages")
        .join(rel);
    dispatch("package.load", &json!({"path": path.to_string_lossy()})).ok()
}

/// A policy with every var of the package set to a user value (what a customised policy looks
/// like), at the package's own version.
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

fn bench(c: &mut Criterion) {
    let real = load("aws/1.23.4")
        .zip(load("aws/1.28.0"))
        .zip(load("nginx/1.1.0").zip(load("nginx/1.6.0")));
    let pairs = match real {
        Some(((a_old, a_new), (n_old, n_new))) => {
            println!("policy bench: corpus packages via package.load");
            vec![("aws", a_old, a_new), ("nginx", n_old, n_new)]
        }
        None => {
            println!("policy bench: package.load unavailable, synthetic packages");
            vec![
                (
                    "aws_synthetic",
                    synthetic_package("aws", "1.0.0", 35, 9),
                    synthetic_package("aws", "1.1.0", 36, 10),
                ),
                (
                    "nginx_synthetic",
                    synthetic_package("nginx", "1.0.0", 3, 7),
                    synthetic_package("nginx", "1.1.0", 3, 8),
                ),
            ]
        }
    };
    for (label, old, new) in pairs {
        let policy = customised_policy(&old);
        let args = json!({"package_policy": policy, "package_info": new});
        // The merge and validation alone (no change list, no diff copy).
        let mut base = policy.clone();
        base["package"]["version"] = new["version"].clone();
        let update_args = json!({"package_policy": base, "package_info": new, "dry_run": true});
        // In process, as a Rust caller upgrading many policies does: the package prepared once.
        let prepared = PreparedPackage::new(new.clone());
        let stored = base.as_object().expect("policy object");
        c.bench_function(&format!("merge_validate_prepared/{label}"), |b| {
            b.iter(|| {
                let base = BasePolicy {
                    stored,
                    omit: &[],
                    package: None,
                };
                update_package_inputs_prepared(
                    std::hint::black_box(&base),
                    &prepared,
                    Some(prepared.default_inputs()),
                    true,
                )
                .expect("update")
            })
        });
        c.bench_function(&format!("dry_run_prepared/{label}"), |b| {
            b.iter(|| {
                upgrade_dry_run_prepared(std::hint::black_box(&policy), &prepared, None, None)
                    .expect("dry run")
            })
        });
        c.bench_function(&format!("update_package_inputs/{label}"), |b| {
            b.iter(|| {
                dispatch(
                    "fleet.update_package_inputs",
                    std::hint::black_box(&update_args),
                )
                .expect("update")
            })
        });
        c.bench_function(&format!("dry_run/{label}"), |b| {
            b.iter(|| {
                dispatch("fleet.upgrade_dry_run", std::hint::black_box(&args)).expect("dry run")
            })
        });
        // One JSON line as `fleetup call` handles it: parse, dry run, serialise.
        let line = json!({"op": "fleet.upgrade_dry_run", "args": args}).to_string();
        let mut out = String::new();
        c.bench_function(&format!("dry_run_line/{label}"), |b| {
            b.iter(|| {
                out.clear();
                fleetup_core::call_into(std::hint::black_box(&line), &mut out);
                out.len()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
