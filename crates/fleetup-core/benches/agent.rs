//! Agent template compilation: the customised aws 1.28.0 policy (every var set by the user, every
//! input and stream enabled), compiled as `fleet.compile_package_policy_inputs` does, and the
//! agent configuration diff of the aws 1.23.4 → 1.28.0 dry run. Needs `../shared`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use fleetup_core::agent::{compile_package_policy_inputs, CompileOptions};
use serde_json::{json, Value};

fn call(op: &str, args: Value) -> Value {
    fleetup_core::dispatch(op, &args).unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn load(version: &str) -> Option<(Value, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/packages/aws")
        .join(version);
    if !dir.is_dir() {
        return None;
    }
    let path = dir.to_string_lossy().to_string();
    Some((
        call("package.load", json!({"path": path})),
        call("package.agent_templates", json!({"path": path})),
    ))
}

/// Every var set to a non-default value of its type; every input and stream enabled.
fn customised(info: &Value) -> Value {
    let mut p = call(
        "fleet.package_to_package_policy",
        json!({"package_info": info, "namespace": "default", "name": "aws-1"}),
    );
    p["id"] = json!("pp-1");
    fn vars(v: Option<&mut Value>) {
        if let Some(Value::Object(vars)) = v {
            for (name, entry) in vars.iter_mut() {
                let value = match (entry["type"].as_str(), entry.get("value")) {
                    (Some("password"), _) => json!("s3cret"),
                    (Some("bool"), Some(Value::Bool(b))) => json!(!b),
                    (Some("integer"), _) => json!(7),
                    (Some("yaml"), _) if name.contains("processors") => {
                        json!("- add_tags:\n    tags: [bench]\n")
                    }
                    (Some("yaml"), _) => json!("bench_key: 1\n"),
                    (_, Some(Value::Array(a))) => {
                        let mut a = a.clone();
                        a.push(json!("bench"));
                        Value::Array(a)
                    }
                    (_, Some(Value::String(s))) => json!(format!("{s}-bench")),
                    _ => json!("bench"),
                };
                entry["value"] = value;
            }
        }
    }
    vars(p.get_mut("vars"));
    for input in p["inputs"].as_array_mut().into_iter().flatten() {
        input["enabled"] = json!(true);
        vars(input.get_mut("vars"));
        for s in input["streams"].as_array_mut().into_iter().flatten() {
            s["enabled"] = json!(true);
            vars(s.get_mut("vars"));
        }
    }
    p
}

fn bench_agent(c: &mut Criterion) {
    let (Some((info, templates)), Some((old_info, old_templates))) =
        (load("1.28.0"), load("1.23.4"))
    else {
        eprintln!("SKIPPED: ../shared is absent; nothing to benchmark");
        return;
    };
    let policy = customised(&info);
    let templates = templates.as_object().unwrap().clone();
    let inputs = policy["inputs"].as_array().unwrap().clone();
    let streams = compile_package_policy_inputs(
        &info,
        policy.get("vars"),
        &inputs,
        &templates,
        CompileOptions::default(),
    )
    .unwrap()
    .iter()
    .flat_map(|i| i["streams"].as_array().cloned().unwrap_or_default())
    .filter(|s| s.get("compiled_stream").is_some())
    .count();
    eprintln!("aws 1.28.0 customised: {streams} compiled streams per run");
    c.bench_function("agent/compile_aws_1.28.0_customised", |b| {
        b.iter(|| {
            compile_package_policy_inputs(
                &info,
                policy.get("vars"),
                std::hint::black_box(&inputs),
                &templates,
                CompileOptions::default(),
            )
            .unwrap()
        })
    });
    let mut old_policy = call(
        "fleet.package_to_package_policy",
        json!({"package_info": old_info, "namespace": "default", "name": "aws-1"}),
    );
    old_policy["id"] = json!("pp-1");
    let args = json!({
        "package_policy": old_policy, "package_info": info, "agent_templates": templates,
        "current_package_info": old_info, "current_agent_templates": old_templates,
    });
    c.bench_function("agent/dry_run_with_agent_diff_aws_1.23.4_to_1.28.0", |b| {
        b.iter(|| {
            fleetup_core::dispatch("fleet.upgrade_dry_run", std::hint::black_box(&args)).unwrap()
        })
    });
}

criterion_group!(benches, bench_agent);
criterion_main!(benches);
