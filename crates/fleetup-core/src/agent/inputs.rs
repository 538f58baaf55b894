//! The agent policy inputs of one package policy (Kibana's `storedPackagePolicyToAgentInputs`):
//! what Elastic Agent receives for it, built from the compiled inputs and streams.

use crate::fields::Fields;
use serde_json::{Map, Value};

use crate::js;
use crate::policy::package::{arr, effective_name, s};

/// Where the inputs go: the agent policy's output and namespace.
#[derive(Debug, Clone, Copy, Default)]
pub struct AgentPolicyContext<'a> {
    /// The agent policy's output id (`default` when `None`).
    pub output_id: Option<&'a str>,
    /// The agent policy's namespace (`default` when neither it nor the policy's is set).
    pub namespace: Option<&'a str>,
}

/// `storedPackagePolicyToAgentInputs(policy, packageInfo)`: one agent input per enabled input.
///
/// Not modelled (they need Fleet state this function does not have): global data tags
/// (`processors: [add_fields]`) and the OpenTelemetry collector's dataset rewrite.
pub fn agent_inputs(
    policy: &Value,
    pkg: Option<&Value>,
    ctx: AgentPolicyContext<'_>,
) -> Vec<Value> {
    let inputs = arr(policy, "inputs");
    if !js::truthy(policy.field("enabled")) || inputs.is_empty() {
        return Vec::new();
    }
    let agentless = policy.field("supports_agentless") == Some(&Value::Bool(true));
    inputs
        .iter()
        .filter(|input| js::truthy(input.field("enabled")))
        .map(|input| {
            let input_type = input.field("type").cloned().unwrap_or(Value::Null);
            let integration_condition = (!agentless && s(input, "type") != Some("otelcol"))
                .then(|| policy.field("condition"))
                .flatten();
            let mut full = Map::new();
            let id = match input.field("id") {
                Some(id) if !id.is_null() => id.clone(),
                _ => Value::String(input_id(input, policy, pkg)),
            };
            full.insert("id".into(), id);
            insert_defined(&mut full, "revision", policy.field("revision"));
            insert_defined(&mut full, "name", policy.field("name"));
            full.insert("type".into(), input_type);
            let namespace = s(policy, "namespace")
                .filter(|n| !n.is_empty())
                .or(ctx.namespace)
                .unwrap_or("default");
            let mut ds = Map::new();
            ds.insert("namespace".into(), Value::String(namespace.into()));
            full.insert("data_stream".into(), Value::Object(ds));
            let output = s(policy, "output_id")
                .filter(|o| !o.is_empty())
                .or(ctx.output_id)
                .unwrap_or("default");
            full.insert("use_output".into(), Value::String(output.into()));
            insert_defined(&mut full, "package_policy_id", policy.field("id"));
            for (k, v) in full_input_streams(input, integration_condition) {
                full.insert(k, v);
            }
            let mut full = Value::Object(full);
            if let Some(Value::Object(config)) = input.field("config") {
                let values: Map<String, Value> = config
                    .iter()
                    .filter_map(|(k, c)| c.field("value").map(|v| (k.clone(), v.clone())))
                    .collect();
                lodash_merge(&mut full, Value::Object(values));
            }
            if let (Value::Object(full), Some(package)) = (&mut full, policy.field("package")) {
                let mut meta_pkg = Map::new();
                insert_defined(&mut meta_pkg, "name", package.field("name"));
                let version = package
                    .field("version")
                    .filter(|v| !v.is_null())
                    .or_else(|| pkg.and_then(|p| p.field("version")));
                insert_defined(&mut meta_pkg, "version", version);
                if let Some(pt) = input
                    .field("policy_template")
                    .filter(|p| js::truthy(Some(p)))
                {
                    meta_pkg.insert("policy_template".into(), pt.clone());
                }
                if let Some(release) = pkg
                    .and_then(|p| p.field("release"))
                    .filter(|r| js::truthy(Some(r)))
                {
                    meta_pkg.insert("release".into(), release.clone());
                }
                let agent_version = pkg
                    .and_then(|p| p.field("conditions"))
                    .and_then(|c| c.field("agent"))
                    .and_then(|a| a.field("version"));
                insert_defined(&mut meta_pkg, "agentVersion", agent_version);
                let mut meta = Map::new();
                meta.insert("package".into(), Value::Object(meta_pkg));
                full.insert("meta".into(), Value::Object(meta));
            }
            merge_input_overrides(policy, full)
        })
        .collect()
}

fn insert_defined(map: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(v) = value {
        map.insert(key.into(), v.clone());
    }
}

/// `getInputId`: `<effective name>[-<policy template>][-<package policy id>]`; the endpoint
/// package uses the package policy id alone.
fn input_id(input: &Value, policy: &Value, pkg: Option<&Value>) -> String {
    let policy_id = s(policy, "id").filter(|i| !i.is_empty());
    if pkg.and_then(|p| s(p, "name")) == Some("endpoint") {
        return policy_id.unwrap_or("default").to_string();
    }
    let mut id = effective_name(input).unwrap_or("undefined").to_string();
    if let Some(pt) = s(input, "policy_template").filter(|p| !p.is_empty()) {
        id.push('-');
        id.push_str(pt);
    }
    if let Some(pid) = policy_id {
        id.push('-');
        id.push_str(pid);
    }
    id
}

/// `combineConditions`: trimmed non-empty conditions, one as is, several as `(a) and (b)`.
fn combine_conditions(conditions: &[Option<&Value>]) -> Option<String> {
    let parts: Vec<String> = conditions
        .iter()
        .flatten()
        .filter(|c| !c.is_null())
        .map(|c| js::to_js_string(c).trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(
            parts
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" and "),
        ),
    }
}

/// `getFullInputStreams`: the compiled input's keys, the combined condition and the enabled
/// streams with their compiled content.
fn full_input_streams(input: &Value, integration_condition: Option<&Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let compiled_input = input.field("compiled_input").and_then(Value::as_object);
    if let Some(ci) = compiled_input {
        for (k, v) in ci {
            if k != "condition" {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let condition = combine_conditions(&[
        integration_condition,
        compiled_input.and_then(|c| c.field("condition")),
        input.field("condition"),
    ]);
    if let Some(c) = condition {
        out.insert("condition".into(), Value::String(c));
    }
    let streams = arr(input, "streams");
    if streams.is_empty() {
        return out;
    }
    let full_streams = streams
        .iter()
        .filter(|st| js::truthy(st.field("enabled")))
        .map(|st| {
            let compiled = st.field("compiled_stream").and_then(Value::as_object);
            let mut full = Map::new();
            full.insert("id".into(), st.field("id").cloned().unwrap_or(Value::Null));
            let mut ds = st
                .field("data_stream")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(Value::Object(cds)) = compiled.and_then(|c| c.field("data_stream")) {
                for (k, v) in cds {
                    ds.insert(k.clone(), v.clone());
                }
            }
            full.insert("data_stream".into(), Value::Object(ds));
            if let Some(c) = compiled {
                for (k, v) in c {
                    if k != "data_stream" && k != "condition" {
                        full.insert(k.clone(), v.clone());
                    }
                }
            }
            let condition = combine_conditions(&[
                compiled.and_then(|c| c.field("condition")),
                st.field("condition"),
            ]);
            if let Some(c) = condition {
                full.insert("condition".into(), Value::String(c));
            }
            if let Some(Value::Object(config)) = st.field("config") {
                for (k, c) in config {
                    if let Some(v) = c.field("value") {
                        full.insert(k.clone(), v.clone());
                    }
                }
            }
            let ds_type = st
                .field("vars")
                .and_then(|v| v.field("data_stream.type"))
                .and_then(|v| v.field("value"))
                .filter(|v| js::truthy(Some(v)));
            if let (Some(t), Some(Value::Object(ds))) = (ds_type, full.get_mut("data_stream")) {
                ds.insert("type".into(), t.clone());
            }
            Value::Object(full)
        })
        .collect();
    out.insert("streams".into(), Value::Array(full_streams));
    out
}

/// `mergeInputsOverrides`: `overrides.inputs[<this input's id>]` deep-merged over the input
/// (the `deepmerge` package: objects merge, arrays concatenate).
fn merge_input_overrides(policy: &Value, full: Value) -> Value {
    let Some(Value::Object(overrides)) = policy.field("overrides").and_then(|o| o.field("inputs"))
    else {
        return full;
    };
    let Some((first_id, over)) = overrides.iter().next() else {
        return full;
    };
    if full.field("id").and_then(Value::as_str) != Some(first_id.as_str()) {
        return full;
    }
    deepmerge(full, over)
}

fn deepmerge(target: Value, source: &Value) -> Value {
    match (target, source) {
        (Value::Object(mut t), Value::Object(s)) => {
            // deepmerge keeps the target's key order and appends new keys.
            for (k, v) in s {
                match t.get_mut(k) {
                    Some(existing) => {
                        let e = std::mem::take(existing);
                        *existing = deepmerge(e, v);
                    }
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(t)
        }
        (Value::Array(mut t), Value::Array(s)) => {
            t.extend(s.iter().cloned());
            Value::Array(t)
        }
        (_, s) => s.clone(),
    }
}

/// lodash `merge` of plain JSON: objects merge key by key, arrays index by index, other values
/// replace (an `undefined`-free JSON source never deletes).
pub(crate) fn lodash_merge(target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(t), Value::Object(s)) => {
            for (k, v) in s {
                match t.get_mut(&k) {
                    Some(existing) if v.is_object() || v.is_array() => lodash_merge(existing, v),
                    _ => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(s)) => {
            for (i, v) in s.into_iter().enumerate() {
                match t.get_mut(i) {
                    Some(existing) if v.is_object() || v.is_array() => lodash_merge(existing, v),
                    Some(existing) => *existing = v,
                    None => t.push(v),
                }
            }
        }
        (t, s) => *t = s,
    }
}
