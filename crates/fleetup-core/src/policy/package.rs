//! Read-only views of a PackageInfo document (`serde_json::Value` in Kibana's shape): normalised
//! inputs and data streams, var definitions, input keys.

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use crate::fields::field;

/// An empty JSON array, for "absent list" lookups.
static EMPTY: Vec<Value> = Vec::new();

/// `obj[key]` as an array, or an empty slice when absent or not an array.
pub fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    match field(v, key) {
        Some(Value::Array(a)) => a,
        _ => &EMPTY,
    }
}

/// `obj[key]` as a string.
pub fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    field(v, key).and_then(Value::as_str)
}

/// The input's effective name: `name` when set, otherwise `type` (Kibana's
/// `getInputEffectiveName`).
pub fn effective_name(input: &Value) -> Option<&str> {
    match field(input, "name") {
        Some(Value::String(n)) if !n.is_empty() => Some(n),
        _ => s(input, "type"),
    }
}

/// Whether a policy template describes an input package (`'input' in template`).
pub fn is_input_only_template(pt: &Value) -> bool {
    pt.get("input").is_some()
}

/// `doesPackageHaveIntegrations`: more than one policy template.
pub fn has_integrations(pkg: &Value) -> bool {
    arr(pkg, "policy_templates").len() > 1
}

/// `isPackageLimited`: some policy template has `multiple: false`.
pub fn is_limited(pkg: &Value) -> bool {
    arr(pkg, "policy_templates")
        .iter()
        .any(|pt| pt.get("multiple") == Some(&Value::Bool(false)))
}

/// `packageHasNoPolicyTemplates`.
pub fn has_no_policy_templates(pkg: &Value) -> bool {
    !arr(pkg, "policy_templates")
        .iter()
        .any(|pt| is_input_only_template(pt) || !arr(pt, "inputs").is_empty())
}

/// `buildInputKey`: `<policy_template>-<name>` when the package has several templates.
pub fn input_key<'a>(
    name: &'a str,
    policy_template: Option<&str>,
    has_integrations: bool,
) -> Cow<'a, str> {
    if has_integrations {
        // JavaScript template literals print a missing policy template as "undefined".
        Cow::Owned(format!("{}-{name}", policy_template.unwrap_or("undefined")))
    } else {
        Cow::Borrowed(name)
    }
}

/// `getNormalizedInputs(template)`: the template's inputs, or one synthetic input for an
/// input-only template.
pub fn normalized_inputs(pt: &Value) -> Cow<'_, [Value]> {
    if !is_input_only_template(pt) {
        return Cow::Borrowed(arr(pt, "inputs"));
    }
    let mut input = Map::new();
    for (k, from) in [
        ("type", "input"),
        ("title", "title"),
        ("description", "description"),
    ] {
        if let Some(v) = pt.get(from) {
            input.insert(k.into(), v.clone());
        }
    }
    if crate::policy::js::truthy(pt.get("deprecated")) {
        if let Some(d) = pt.get("deprecated") {
            input.insert("deprecated".into(), d.clone());
        }
    }
    if let Some(d) = pt.get("dynamic_signal_types") {
        input.insert("dynamic_signal_types".into(), d.clone());
    }
    Cow::Owned(vec![Value::Object(input)])
}

/// `getNormalizedDataStreams(pkg)`: the package's data streams, or one synthetic data stream per
/// policy template for input packages.
pub fn normalized_data_streams(pkg: &Value) -> Cow<'_, [Value]> {
    if s(pkg, "type") != Some("input") {
        return Cow::Borrowed(arr(pkg, "data_streams"));
    }
    let pkg_name = s(pkg, "name").unwrap_or("undefined");
    arr(pkg, "policy_templates")
        .iter()
        .map(|pt| {
            let dynamic = pt.get("dynamic_signal_types") == Some(&Value::Bool(true));
            let pt_name = s(pt, "name").unwrap_or("undefined");
            let dataset = if dynamic {
                "generic.otel".to_string()
            } else {
                format!("{pkg_name}.{pt_name}")
            };
            let mut vars = arr(pt, "vars").to_vec();
            if !vars.iter().any(|v| s(v, "name") == Some(DATASET_VAR)) {
                let mut def = json!({
                    "name": DATASET_VAR, "type": "text", "title": "Dataset name",
                    "multi": false, "required": true, "show_user": true
                });
                if !pt_name.is_empty() && pt.get("name").is_some() {
                    def["default"] = Value::String(pt_name.to_string());
                }
                vars.push(def);
            }
            let ds_type = pt.get("type").cloned();
            let otel = s(pt, "input") == Some("otelcol");
            if otel
                && (ds_type.as_ref().and_then(Value::as_str) == Some("traces") || dynamic)
                && !vars.iter().any(|v| s(v, "name") == Some("use_apm"))
            {
                vars.push(json!({"name": "use_apm", "type": "bool", "title": "Enable Elastic APM Enrichment",
                    "multi": false, "required": false, "show_user": true, "default": true}));
            }
            let mut stream = Map::new();
            if let Some(i) = pt.get("input") {
                stream.insert("input".into(), i.clone());
            }
            stream.insert("vars".into(), Value::Array(vars));
            match pt.get("template_paths") {
                Some(Value::Array(tp)) if !tp.is_empty() => {
                    stream.insert("template_paths".into(), Value::Array(tp.clone()));
                }
                _ => {
                    if let Some(tp) = pt.get("template_path") {
                        stream.insert("template_path".into(), tp.clone());
                    }
                }
            }
            if let Some(t) = pt.get("title") {
                stream.insert("title".into(), t.clone());
                stream.insert("description".into(), t.clone());
            }
            stream.insert("enabled".into(), Value::Bool(true));
            let mut es = match pkg.get("elasticsearch") {
                Some(Value::Object(o)) => o.clone(),
                _ => Map::new(),
            };
            es.insert("dynamic_dataset".into(), Value::Bool(true));
            es.insert("dynamic_namespace".into(), Value::Bool(true));
            let mut ds = Map::new();
            if let Some(t) = ds_type {
                ds.insert("type".into(), t);
            }
            ds.insert("dataset".into(), Value::String(dataset.clone()));
            ds.insert("package".into(), Value::String(pkg_name.to_string()));
            ds.insert("path".into(), Value::String(dataset));
            ds.insert("elasticsearch".into(), Value::Object(es));
            ds.insert("streams".into(), Value::Array(vec![Value::Object(stream)]));
            Value::Object(ds)
        })
        .collect::<Vec<_>>()
        .into()
}

/// The input package dataset var name.
pub const DATASET_VAR: &str = "data_stream.dataset";

/// The value `varsReducer` gives a var: `[]` for a multi var whose default is falsy, otherwise
/// its default (`None`: no default, JavaScript `undefined`).
pub fn var_default_value(def: &Map<String, Value>) -> Option<Value> {
    let default = def.get("default");
    if !crate::js::truthy(default) && crate::js::truthy(def.get("multi")) {
        return Some(Value::Array(Vec::new()));
    }
    default.cloned()
}

/// `varsReducer` over a list of var definitions: `{name: {value: default | [] for multi, type}}`.
/// A definition without a default yields an entry without `value` (JavaScript `undefined`).
pub fn vars_from_defs(defs: &[Value]) -> Map<String, Value> {
    let mut out = Map::new();
    for def in defs {
        let Some(name) = s(def, "name") else { continue };
        let Some(def_map) = def.as_object() else {
            continue;
        };
        let mut entry = Map::new();
        if let Some(value) = var_default_value(def_map) {
            entry.insert("value".into(), value);
        }
        if let Some(t) = def.get("type") {
            if crate::policy::js::truthy(Some(t)) {
                entry.insert("type".into(), t.clone());
            }
        }
        out.insert(name.to_string(), Value::Object(entry));
    }
    out
}

/// A registry stream with the dataset of its data stream, as
/// `getRegistryStreamWithDataStreamForInputType` yields it (only the dataset is read here).
#[derive(Debug, Clone, Copy)]
pub struct RegistryStream<'a> {
    /// `data_stream.dataset`.
    pub dataset: Option<&'a Value>,
    /// The registry stream (`input`, `vars`, …).
    pub stream: &'a Value,
}
