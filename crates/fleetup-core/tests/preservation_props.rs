//! Data preservation: fields fleetup does not model survive every operation that returns a policy.
//!
//! Policies start as Kibana builds them for corpus packages (`package.load`, then
//! `fleet.package_to_package_policy`); random extra fields (random names, random JSON values,
//! nested objects included) are then put at every level: the policy, `package`, each input,
//! stream and `data_stream`, and every var entry. After `fleet.update_package_inputs`,
//! `fleet.upgrade_dry_run`, `plan.resolve`, `plan.policy` and `plan.fleet` (with
//! `include_proposed`), to the same version and to a newer one, every extra is still there with
//! its value, wherever its input, stream or var still exists.
//!
//! By design, and so not checked here:
//! - inputs, streams and vars that the target package no longer has are dropped (Kibana's
//!   `updatePackageInputs` keeps only what the package defines), and their extras with them;
//! - the simplified format (`fleet.to_simplified_policy` / `fleet.from_simplified_policy`) is a
//!   fixed schema: Kibana's converters copy only its fields, so extras do not cross it;
//! - the dry run's proposed policy has no `id` (Kibana's `getUpgradeDryRunDiff` strips it) and its
//!   current policy gains `package.experimental_data_stream_features`.
//!
//! Extra names avoid every identifier the core spells out (read from its sources), since a key
//! the engine reads is data it models, not an extra. The Rust API takes `&Value`, which has no
//! interior mutability, so it cannot change its input; the JS surface is checked in
//! `web/test/preservation.test.mjs`.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fleetup_core::dispatch;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Corpus upgrades: (package, from, to).
const PAIRS: &[(&str, &str, &str)] = &[
    ("nginx", "1.1.0", "1.6.0"),
    ("mysql", "1.3.2", "1.4.0"),
    ("log", "1.1.0", "2.3.1"),
    ("apache", "1.1.0", "1.6.0"),
];

struct Fixture {
    /// (from PackageInfo, to PackageInfo, base policy) per pair.
    pairs: Vec<(Value, Value, Value)>,
    /// Identifiers spelled in the core's sources.
    known: BTreeSet<String>,
}

fn corpus() -> Option<PathBuf> {
    support::shared().map(|shared| shared.join("corpus/packages"))
}

fn load(root: &Path, name: &str, version: &str) -> Option<Value> {
    let dir = root.join(name).join(version);
    if !dir.is_dir() {
        return None;
    }
    Some(dispatch("package.load", &json!({"path": dir.to_str().unwrap()})).expect("package.load"))
}

fn identifiers(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            identifiers(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, quoted) in text.split('"').enumerate() {
                let ident = |c: char| c.is_ascii_alphanumeric() || "_-.$@".contains(c);
                if i % 2 == 1 && !quoted.is_empty() && quoted.chars().all(ident) {
                    out.insert(quoted.to_string());
                }
            }
        }
    }
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let root = corpus()?;
            let mut pairs = Vec::new();
            for (name, from, to) in PAIRS {
                let (Some(a), Some(b)) = (load(&root, name, from), load(&root, name, to)) else {
                    panic!("corpus package {name} {from} or {to} is missing");
                };
                let policy = dispatch(
                    "fleet.package_to_package_policy",
                    &json!({"package_info": a, "namespace": "default", "name": format!("{name}-1")}),
                )
                .unwrap();
                pairs.push((a, b, policy));
            }
            let mut known = BTreeSet::new();
            identifiers(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut known);
            Some(Fixture { pairs, known })
        })
        .as_ref()
}

/// Any JSON value, objects keyed by arbitrary strings.
fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("\\PC{0,8}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Where an extra goes: a level and indices (taken modulo what the policy has).
#[derive(Debug, Clone, Copy)]
enum Level {
    Policy,
    Package,
    Input(usize),
    Stream(usize, usize),
    DataStream(usize, usize),
    PolicyVar(usize),
    InputVar(usize, usize),
    StreamVar(usize, usize, usize),
}

fn arb_level() -> impl Strategy<Value = Level> {
    let i = 0usize..64;
    prop_oneof![
        Just(Level::Policy),
        Just(Level::Package),
        i.clone().prop_map(Level::Input),
        (i.clone(), i.clone()).prop_map(|(a, b)| Level::Stream(a, b)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Level::DataStream(a, b)),
        i.clone().prop_map(Level::PolicyVar),
        (i.clone(), i.clone()).prop_map(|(a, b)| Level::InputVar(a, b)),
        (i.clone(), i.clone(), i).prop_map(|(a, b, c)| Level::StreamVar(a, b, c)),
    ]
}

fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z_][a-zA-Z0-9_.-]{0,12}", "\\PC{1,10}"]
}

fn nth_mut(v: &mut Value, n: usize) -> Option<&mut Value> {
    let list = v.as_array_mut()?;
    let len = list.len();
    (len > 0).then(|| &mut list[n % len])
}

fn nth_var(vars: Option<&mut Value>, n: usize) -> Option<&mut Value> {
    let map = vars?.as_object_mut()?;
    let len = map.len();
    if len == 0 {
        return None;
    }
    map.values_mut().nth(n % len)
}

/// The object an extra at `level` goes into, if the policy has that level.
fn target(policy: &mut Value, level: Level) -> Option<&mut Map<String, Value>> {
    let t = match level {
        Level::Policy => Some(policy),
        Level::Package => policy.get_mut("package"),
        Level::Input(i) => nth_mut(&mut policy["inputs"], i),
        Level::Stream(i, s) => nth_mut(&mut nth_mut(&mut policy["inputs"], i)?["streams"], s),
        Level::DataStream(i, s) => {
            nth_mut(&mut nth_mut(&mut policy["inputs"], i)?["streams"], s)?.get_mut("data_stream")
        }
        Level::PolicyVar(k) => nth_var(policy.get_mut("vars"), k),
        Level::InputVar(i, k) => nth_var(nth_mut(&mut policy["inputs"], i)?.get_mut("vars"), k),
        Level::StreamVar(i, s, k) => {
            let stream = nth_mut(&mut nth_mut(&mut policy["inputs"], i)?["streams"], s)?;
            nth_var(stream.get_mut("vars"), k)
        }
    };
    t?.as_object_mut()
}

fn input_key(input: &Value) -> (Value, Value) {
    (input["type"].clone(), input["policy_template"].clone())
}

fn stream_key(stream: &Value) -> Value {
    stream["data_stream"]["dataset"].clone()
}

/// Every field of `before` that is not a known identifier must be in `after` with its value.
fn check_object(
    before: &Value,
    after: &Value,
    at: &str,
    known: &BTreeSet<String>,
    lost: &mut Vec<String>,
) {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return;
    };
    for (k, v) in b {
        if known.contains(k) {
            continue;
        }
        if a.get(k) != Some(v) {
            lost.push(format!("{at}/{k}: {v} became {:?}", a.get(k)));
        }
    }
}

fn check_vars(
    before: &Value,
    after: &Value,
    at: &str,
    known: &BTreeSet<String>,
    lost: &mut Vec<String>,
) {
    let (Some(b), Some(a)) = (
        before.get("vars").and_then(Value::as_object),
        after.get("vars").and_then(Value::as_object),
    ) else {
        return;
    };
    for (name, entry) in b {
        if let Some(out) = a.get(name) {
            check_object(entry, out, &format!("{at}/vars/{name}"), known, lost);
        }
    }
}

/// Compares every level of `after` that still exists in `before`; returns what was lost.
fn lost_extras(before: &Value, after: &Value, known: &BTreeSet<String>) -> Vec<String> {
    let mut lost = Vec::new();
    check_object(before, after, "", known, &mut lost);
    check_object(
        &before["package"],
        &after["package"],
        "/package",
        known,
        &mut lost,
    );
    check_vars(before, after, "", known, &mut lost);
    let empty = Vec::new();
    let after_inputs = after["inputs"].as_array().unwrap_or(&empty);
    for (i, input) in before["inputs"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let Some(out) = after_inputs
            .iter()
            .find(|o| input_key(o) == input_key(input))
        else {
            continue;
        };
        let at = format!("/inputs/{i}");
        check_object(input, out, &at, known, &mut lost);
        check_vars(input, out, &at, known, &mut lost);
        let out_streams = out["streams"].as_array().unwrap_or(&empty);
        for (s, stream) in input["streams"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .enumerate()
        {
            let Some(o) = out_streams
                .iter()
                .find(|o| stream_key(o) == stream_key(stream))
            else {
                continue;
            };
            let at = format!("{at}/streams/{s}");
            check_object(stream, o, &at, known, &mut lost);
            check_object(
                &stream["data_stream"],
                &o["data_stream"],
                &format!("{at}/data_stream"),
                known,
                &mut lost,
            );
            check_vars(stream, o, &at, known, &mut lost);
        }
    }
    lost
}

/// Every policy the operations return for `policy` upgraded to `pkg`, by operation name.
fn outputs(policy: &Value, pkg: &Value) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    let ok = |op: &str, args: Value| dispatch(op, &args).unwrap_or_else(|e| panic!("{op}: {e}"));
    let mut updated = ok(
        "fleet.update_package_inputs",
        json!({"package_policy": policy, "package_info": pkg, "dry_run": true}),
    );
    // A dry-run update attaches `errors` when the result is invalid; it is the only addition.
    if let Some(m) = updated.as_object_mut() {
        m.shift_remove("errors");
    }
    out.push(("fleet.update_package_inputs", updated));
    let dry = ok(
        "fleet.upgrade_dry_run",
        json!({"package_policy": policy, "package_info": pkg}),
    );
    out.push(("fleet.upgrade_dry_run current", dry["diff"][0].clone()));
    out.push(("fleet.upgrade_dry_run proposed", dry["diff"][1].clone()));
    let resolved = ok(
        "plan.resolve",
        json!({"package_policy": policy, "package_info": pkg, "edits": []}),
    );
    out.push(("plan.resolve", resolved["package_policy"].clone()));
    let plan = ok(
        "plan.policy",
        json!({"package_policy": policy, "package_info": pkg, "include_proposed": true}),
    );
    if let Some(p) = plan.get("proposed") {
        out.push(("plan.policy proposed", p.clone()));
    }
    let fleet = ok(
        "plan.fleet",
        json!({"policies": [policy], "package_info": pkg, "include_proposed": true}),
    );
    if let Some(p) = fleet["policies"][0].get("proposed") {
        out.push(("plan.fleet proposed", p.clone()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn extra_fields_survive_every_operation_that_returns_a_policy(
        pair in 0usize..PAIRS.len(),
        newer in any::<bool>(),
        extras in proptest::collection::vec((arb_level(), arb_name(), arb_value()), 1..24),
    ) {
        let Some(fx) = fixture() else { return Ok(()) };
        let (from, to, base) = &fx.pairs[pair];
        let mut policy = base.clone();
        policy["id"] = json!("pp-1");
        let mut placed = 0;
        for (level, name, value) in &extras {
            if fx.known.contains(name) {
                continue;
            }
            if let Some(obj) = target(&mut policy, *level) {
                obj.insert(name.clone(), value.clone());
                placed += 1;
            }
        }
        prop_assume!(placed > 0);
        let pkg = if newer { to } else { from };
        for (op, out) in outputs(&policy, pkg) {
            let lost = lost_extras(&policy, &out, &fx.known);
            prop_assert!(lost.is_empty(), "{} ({} {}): lost {:#?}", op, PAIRS[pair].0, pkg["version"], lost);
        }
    }
}

#[test]
fn the_corpus_pairs_keep_inputs_streams_and_vars_to_check() {
    // Guards against a vacuous property: each pair's upgrade keeps something at every level.
    let Some(fx) = fixture() else { return };
    for (i, (_, to, policy)) in fx.pairs.iter().enumerate() {
        let out = dispatch(
            "fleet.update_package_inputs",
            &json!({"package_policy": policy, "package_info": to, "dry_run": true}),
        )
        .unwrap();
        let kept_streams = out["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                policy["inputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| input_key(p) == input_key(o))
            })
            .flat_map(|o| o["streams"].as_array().cloned().unwrap_or_default())
            .filter(|s| {
                s.get("vars")
                    .is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty()))
            })
            .count();
        assert!(
            kept_streams > 0,
            "{}: no stream with vars survives the upgrade",
            PAIRS[i].0
        );
    }
}
