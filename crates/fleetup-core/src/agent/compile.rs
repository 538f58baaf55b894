//! `compiled_input` / `compiled_stream` for a policy's inputs (Kibana's
//! `_compilePackagePolicyInputs`).
//!
//! Each enabled input is compiled with its package's input template (`agent/input/<template_path>`,
//! package and input vars), each enabled stream with its data stream's stream template (package,
//! input and stream vars). Disabled streams get `compiled_stream` removed, disabled inputs
//! `compiled_input`. Templates come from a map of the package's agent templates, keyed by their path
//! in the package (as `package.agent_templates` returns them; a leading `<name>-<version>/` or `/`
//! is fine too).

use serde_json::{Map, Value};

use super::template::{compile_template, MetaVariables};
pub use super::{AgentTemplates, CompileOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::js;
use crate::policy::package::{arr, normalized_data_streams, normalized_inputs, s};

/// Compiles every input of `inputs` (`_compilePackagePolicyInputs`). `package_vars` are the
/// policy's package-level vars.
///
/// # Errors
/// `TEMPLATE_ERROR` for a missing input or stream template (Kibana's `InputNotFoundError` /
/// `StreamNotFoundError` messages) or a Handlebars failure; `PACKAGE_POLICY_VALIDATION` when a
/// template renders invalid YAML.
pub fn compile_package_policy_inputs(
    pkg: &Value,
    package_vars: Option<&Value>,
    inputs: &[Value],
    templates: &AgentTemplates,
    opts: CompileOptions<'_>,
) -> Result<Vec<Value>> {
    let empty = Map::new();
    let package_vars = package_vars.and_then(Value::as_object).unwrap_or(&empty);
    let templates = TemplateIndex::new(templates);
    let templates = &templates;
    inputs
        .iter()
        .map(|input| {
            let compiled_input = compile_input(pkg, package_vars, input, templates, opts)?;
            let streams = arr(input, "streams")
                .iter()
                .map(|stream| compile_stream(pkg, package_vars, input, stream, templates, opts))
                .collect::<Result<Vec<_>>>()?;
            let mut out = input.as_object().cloned().unwrap_or_default();
            match compiled_input {
                Some(c) => out.insert("compiled_input".into(), c),
                None => out.shift_remove("compiled_input"),
            };
            if input.get("streams").is_some() {
                out.insert("streams".into(), Value::Array(streams));
            }
            Ok(Value::Object(out))
        })
        .collect()
}

fn not_found(message: String) -> Error {
    Error::new(ErrorKind::TemplateError, message)
}

/// `_compilePackagePolicyInput`.
fn compile_input(
    pkg: &Value,
    package_vars: &Map<String, Value>,
    input: &Value,
    templates: &TemplateIndex<'_>,
    opts: CompileOptions<'_>,
) -> Result<Option<Value>> {
    let policy_templates = arr(pkg, "policy_templates");
    let template = match s(input, "policy_template").filter(|t| !t.is_empty()) {
        Some(name) => policy_templates
            .iter()
            .find(|pt| s(pt, "name") == Some(name)),
        None => policy_templates.first(),
    };
    let Some(template) = template else {
        return Ok(None);
    };
    if !js::truthy(input.get("enabled")) {
        return Ok(None);
    }
    let package_inputs = normalized_inputs(template);
    if package_inputs.is_empty() {
        return Ok(None);
    }
    let input_type = input.get("type").map(js::to_js_string).unwrap_or_default();
    let Some(package_input) = package_inputs
        .iter()
        .find(|i| i.get("type").map(js::to_js_string).as_deref() == Some(&input_type))
    else {
        return Err(not_found(format!(
            "Input template not found, unable to find input type {input_type}"
        )));
    };
    let paths = template_paths(package_input);
    if paths.is_empty() {
        return Ok(None);
    }
    let mut vars = package_vars.clone();
    merge_vars(&mut vars, input.get("vars"));
    let meta = MetaVariables {
        package: Some(pkg),
        input: Some(input),
        stream: None,
        agent_version: opts.agent_version,
    };
    compile_paths(&paths, &vars, &meta, |path| {
        let suffix = format!("/agent/input/{path}");
        templates.find(|p| p.ends_with(&suffix)).ok_or_else(|| {
            not_found(format!(
                "Unable to load input template at /agent/input/{path}"
            ))
        })
    })
}

/// `_compilePackageStream`.
fn compile_stream(
    pkg: &Value,
    package_vars: &Map<String, Value>,
    input: &Value,
    stream: &Value,
    templates: &TemplateIndex<'_>,
    opts: CompileOptions<'_>,
) -> Result<Value> {
    let mut out = stream.as_object().cloned().unwrap_or_default();
    if !js::truthy(stream.get("enabled")) {
        out.shift_remove("compiled_stream");
        return Ok(Value::Object(out));
    }
    let dataset = stream
        .get("data_stream")
        .and_then(|d| d.get("dataset"))
        .map(js::to_js_string)
        .unwrap_or_else(|| "undefined".into());
    let data_streams = normalized_data_streams(pkg);
    let Some(data_stream) = data_streams
        .iter()
        .find(|ds| ds.get("dataset").map(js::to_js_string).as_deref() == Some(&dataset))
    else {
        return Err(not_found(format!(
            "Stream template not found, unable to find dataset {dataset}"
        )));
    };
    apply_index_privileges(data_stream, &mut out, opts.serverless);
    let input_type = input.get("type").map(js::to_js_string).unwrap_or_default();
    let Some(package_stream) = arr(data_stream, "streams")
        .iter()
        .find(|st| st.get("input").map(js::to_js_string).as_deref() == Some(&input_type))
    else {
        return Err(not_found(format!(
            "Stream template not found, unable to find stream for input {input_type}"
        )));
    };
    let paths = template_paths(package_stream);
    if paths.is_empty() {
        return Err(not_found(format!(
            "Stream template path not found for dataset {dataset}"
        )));
    }
    let ds_path = s(data_stream, "path").unwrap_or(&dataset);
    let input_package = s(pkg, "type") == Some("input");
    let needle = format!("/data_stream/{ds_path}/");
    let in_data_stream = |p: &str| {
        if input_package {
            p.contains("/agent/input/") || p.contains("/fields/")
        } else {
            p.contains(&needle)
        }
    };
    let mut vars = package_vars.clone();
    merge_vars(&mut vars, input.get("vars"));
    merge_vars(&mut vars, stream.get("vars"));
    let meta = MetaVariables {
        package: Some(pkg),
        input: Some(input),
        stream: Some(stream),
        agent_version: opts.agent_version,
    };
    let compiled = compile_paths(&paths, &vars, &meta, |path| {
        templates
            .find(|p| in_data_stream(p) && p.ends_with(path))
            .ok_or_else(|| {
                not_found(format!(
                    "Unable to load stream template {path} for dataset {dataset}"
                ))
            })
    })?;
    if let Some(c) = compiled {
        out.insert("compiled_stream".into(), c);
    }
    Ok(Value::Object(out))
}

/// Compiles each template path (found by `load`) and deep-merges the results in order, as Kibana
/// does for `template_paths`; `None` when there are no paths.
fn compile_paths<'t>(
    paths: &[String],
    vars: &Map<String, Value>,
    meta: &MetaVariables<'_>,
    load: impl Fn(&str) -> Result<&'t str>,
) -> Result<Option<Value>> {
    let mut compiled: Option<Value> = None;
    for path in paths {
        let one = compile_template(vars, meta, load(path)?)?;
        match &mut compiled {
            None => compiled = Some(one),
            Some(acc) => super::inputs::lodash_merge(acc, one),
        }
    }
    Ok(compiled)
}

/// `template_paths` when non-empty, else `[template_path]`, else nothing.
fn template_paths(def: &Value) -> Vec<String> {
    match def.get("template_paths") {
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect(),
        _ => s(def, "template_path")
            .filter(|p| !p.is_empty())
            .map(|p| vec![p.to_string()])
            .unwrap_or_default(),
    }
}

/// A template path with a leading `/`, so `ends_with("/agent/input/x")` works for paths given
/// relative to the package root.
fn normalized(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// The package's templates in path order (as in the package archive), each path with a leading
/// `/`; built once per compilation.
struct TemplateIndex<'a>(Vec<(String, &'a str)>);

impl<'a> TemplateIndex<'a> {
    fn new(templates: &'a AgentTemplates) -> Self {
        let mut entries: Vec<(&String, &'a str)> = templates
            .iter()
            .filter_map(|(k, v)| v.as_str().filter(|t| !t.is_empty()).map(|t| (k, t)))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        TemplateIndex(
            entries
                .into_iter()
                .map(|(k, t)| (normalized(k), t))
                .collect(),
        )
    }

    /// The first template whose path matches.
    fn find(&self, matches: impl Fn(&str) -> bool) -> Option<&'a str> {
        self.0.iter().find(|(p, _)| matches(p)).map(|(_, t)| *t)
    }
}

/// `Object.assign(vars, more)` for var entry maps.
fn merge_vars(vars: &mut Map<String, Value>, more: Option<&Value>) {
    if let Some(Value::Object(more)) = more {
        for (k, v) in more {
            vars.insert(k.clone(), v.clone());
        }
    }
}

/// Index privileges Fleet lets a data stream ask for (`read_cross_cluster` not on Serverless).
const ALLOWED_INDEX_PRIVILEGES: &[&str] = &[
    "auto_configure",
    "create_doc",
    "maintenance",
    "monitor",
    "read",
    "read_cross_cluster",
];

/// `_applyIndexPrivileges`: copies the data stream's `dynamic_dataset` / `dynamic_namespace` and
/// its allowed index privileges into the stream's `data_stream.elasticsearch`.
fn apply_index_privileges(data_stream: &Value, stream: &mut Map<String, Value>, serverless: bool) {
    let es = data_stream.get("elasticsearch");
    let mut set = |key: &str, value: Value| {
        let ds = stream
            .entry("data_stream")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(ds) = ds {
            let target = ds
                .entry("elasticsearch")
                .or_insert_with(|| Value::Object(Map::new()));
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(t) = target {
                t.insert(key.into(), value);
            }
        }
    };
    for key in ["dynamic_dataset", "dynamic_namespace"] {
        if let Some(v) = es.and_then(|e| e.get(key)).filter(|v| js::truthy(Some(v))) {
            set(key, v.clone());
        }
    }
    let privileges = es
        .and_then(|e| e.get("privileges"))
        .and_then(|p| p.get("indices"))
        .and_then(Value::as_array);
    let valid: Vec<Value> = privileges
        .into_iter()
        .flatten()
        .filter(|p| {
            p.as_str().is_some_and(|p| {
                ALLOWED_INDEX_PRIVILEGES.contains(&p) && !(serverless && p == "read_cross_cluster")
            })
        })
        .cloned()
        .collect();
    if !valid.is_empty() {
        let mut indices = Map::new();
        indices.insert("indices".into(), Value::Array(valid));
        set("privileges", Value::Object(indices));
    }
}
