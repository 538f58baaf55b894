//! The "new version defaults": `packageToPackagePolicyInputs` and `packageToPackagePolicy`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::js::truthy;
use super::package::{
    arr, effective_name, has_integrations, is_input_only_template, normalized_data_streams,
    normalized_inputs, s, vars_from_defs,
};

/// (key, policy template name, registry input, the template's data stream paths).
type KeyedInput<'a> = (String, Option<&'a str>, Cow<'a, Value>, Option<&'a [Value]>);

/// `packageToPackagePolicyInputs(pkg, integrationToEnable?)`: one input per (policy template,
/// input), with its streams and var defaults.
pub fn package_to_package_policy_inputs(
    pkg: &Value,
    integration_to_enable: Option<&str>,
) -> Vec<Value> {
    // (policy template name, input, data stream paths) keyed by "<template>-<input>"; a duplicate
    // key replaces the earlier entry in place, as a JavaScript object key would.
    let mut by_key: Vec<KeyedInput> = Vec::new();
    for pt in arr(pkg, "policy_templates") {
        let pt_name = s(pt, "name");
        let paths = match pt.get("data_streams") {
            Some(Value::Array(p)) if !is_input_only_template(pt) => Some(p.as_slice()),
            _ => None,
        };
        let inputs: Vec<Cow<'_, Value>> = match normalized_inputs(pt) {
            Cow::Borrowed(list) => list.iter().map(Cow::Borrowed).collect(),
            Cow::Owned(list) => list.into_iter().map(Cow::Owned).collect(),
        };
        for input in inputs {
            let key = format!(
                "{}-{}",
                pt_name.unwrap_or("undefined"),
                effective_name(&input).unwrap_or("undefined")
            );
            let entry = (key.clone(), pt_name, input, paths);
            match by_key.iter_mut().find(|(k, ..)| *k == key) {
                Some(slot) => *slot = entry,
                None => by_key.push(entry),
            }
        }
    }
    let data_streams = normalized_data_streams(pkg);
    let multi_template = has_integrations(pkg);
    by_key
        .into_iter()
        .map(|(_, pt_name, input, paths)| {
            let eff = effective_name(&input).unwrap_or("").to_string();
            let ty = s(&input, "type").unwrap_or("").to_string();
            let mut streams = streams_for(&data_streams, paths, &eff);
            if streams.is_empty() && eff != ty {
                streams = streams_for(&data_streams, paths, &ty);
            }
            let mut enabled = streams.is_empty()
                || streams
                    .iter()
                    .any(|s| s.get("enabled") == Some(&Value::Bool(true)));
            if truthy(input.get("deprecated")) {
                enabled = false;
            }
            if enabled && multi_template {
                if let Some(target) = integration_to_enable {
                    if pt_name != Some(target) {
                        enabled = false;
                    }
                }
            }
            let mut out = Map::new();
            if let Some(t) = input.get("type") {
                out.insert("type".into(), t.clone());
            }
            if let Some(n) = input.get("name").filter(|n| truthy(Some(n))) {
                out.insert("name".into(), n.clone());
            }
            if let Some(p) = &pt_name {
                out.insert("policy_template".into(), Value::String((*p).to_string()));
            }
            out.insert("enabled".into(), Value::Bool(enabled));
            out.insert("streams".into(), Value::Array(streams));
            if let Some(m) = input.get("migrate_from").filter(|m| truthy(Some(m))) {
                out.insert("migrate_from".into(), m.clone());
            }
            let vars = vars_from_defs(arr(&input, "vars"));
            if !vars.is_empty() {
                out.insert("vars".into(), Value::Object(vars));
            }
            if let Some(d) = input.get("deprecated").filter(|d| truthy(Some(d))) {
                out.insert("deprecated".into(), d.clone());
            }
            Value::Object(out)
        })
        .collect()
}

fn streams_for(data_streams: &[Value], paths: Option<&[Value]>, input_name: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for ds in data_streams {
        if let Some(p) = paths.filter(|p| !p.is_empty()) {
            if !ds.get("path").is_some_and(|dp| p.contains(dp)) {
                continue;
            }
        }
        for st in arr(ds, "streams") {
            if s(st, "input") != Some(input_name) {
                continue;
            }
            let enabled = if truthy(st.get("deprecated")) {
                false
            } else {
                st.get("enabled") != Some(&Value::Bool(false))
            };
            let mut data_stream = Map::new();
            if let Some(t) = ds.get("type") {
                data_stream.insert("type".into(), t.clone());
            }
            if let Some(d) = ds.get("dataset") {
                data_stream.insert("dataset".into(), d.clone());
            }
            let mut stream = Map::new();
            stream.insert("enabled".into(), Value::Bool(enabled));
            stream.insert("data_stream".into(), Value::Object(data_stream));
            let vars = vars_from_defs(arr(st, "vars"));
            if !vars.is_empty() {
                stream.insert("vars".into(), Value::Object(vars));
            }
            if let Some(m) = st.get("migrate_from").filter(|m| truthy(Some(m))) {
                stream.insert("migrate_from".into(), m.clone());
            }
            if let Some(d) = st.get("deprecated").filter(|d| truthy(Some(d))) {
                stream.insert("deprecated".into(), d.clone());
            }
            out.push(Value::Object(stream));
        }
    }
    out
}

/// Arguments of [`package_to_package_policy`] besides the package.
#[derive(Debug, Default, Clone)]
pub struct NewPolicyOptions<'a> {
    /// Agent policy ids (`policy_ids`; the first is also the deprecated `policy_id`).
    pub agent_policy_ids: Vec<String>,
    /// Namespace (`""` when absent, as Kibana's default argument).
    pub namespace: Option<&'a str>,
    /// Policy name (default `<package>-1`).
    pub name: Option<&'a str>,
    /// Description.
    pub description: Option<&'a str>,
    /// Only this policy template's inputs are enabled (multi-template packages).
    pub integration_to_enable: Option<&'a str>,
}

/// `packageToPackagePolicy(pkg, agentPolicyIds, namespace, name, description)`.
pub fn package_to_package_policy(pkg: &Value, opts: &NewPolicyOptions<'_>) -> Value {
    let pkg_name = s(pkg, "name").unwrap_or("");
    let mut out = Map::new();
    out.insert(
        "name".into(),
        Value::String(
            opts.name
                .map_or_else(|| format!("{pkg_name}-1"), str::to_string),
        ),
    );
    out.insert(
        "description".into(),
        opts.description
            .map_or(Value::Null, |d| Value::String(d.into())),
    );
    if out.get("description") == Some(&Value::Null) {
        out.shift_remove("description");
    }
    out.insert(
        "namespace".into(),
        Value::String(opts.namespace.unwrap_or("").to_string()),
    );
    let mut package = Map::new();
    for key in ["name", "title", "version"] {
        if let Some(v) = pkg.get(key) {
            package.insert(key.into(), v.clone());
        }
    }
    if pkg
        .get("agent")
        .and_then(|a| a.get("privileges"))
        .and_then(|p| p.get("root"))
        == Some(&Value::Bool(true))
    {
        package.insert("requires_root".into(), Value::Bool(true));
    }
    out.insert("package".into(), Value::Object(package));
    out.insert("enabled".into(), Value::Bool(true));
    if let Some(first) = opts.agent_policy_ids.first() {
        out.insert("policy_id".into(), Value::String(first.clone()));
    }
    out.insert(
        "policy_ids".into(),
        Value::Array(
            opts.agent_policy_ids
                .iter()
                .cloned()
                .map(Value::String)
                .collect(),
        ),
    );
    out.insert(
        "inputs".into(),
        Value::Array(package_to_package_policy_inputs(
            pkg,
            opts.integration_to_enable,
        )),
    );
    let vars = vars_from_defs(arr(pkg, "vars"));
    if !vars.is_empty() {
        out.insert("vars".into(), Value::Object(vars));
    }
    Value::Object(out)
}
