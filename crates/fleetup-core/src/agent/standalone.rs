//! Standalone Elastic Agent configuration for a package policy.
//!
//! [`render`] gives the `inputs:` section Kibana's "Add agent → standalone" download contains for
//! a policy. [`upgrade`] carries a hand-edited standalone configuration to a new package version
//! with a three-way merge per key: *base* is what the old version generates for the policy, *ours*
//! is the user's file, *theirs* is what the new version generates for the upgraded policy. A key
//! the user changed is carried over when the new version left it as the old one had it; when the
//! new version changed it too, the new value is kept and the key is reported as a conflict. Inputs
//! of other packages and every other part of the file pass through unchanged (comments are not
//! kept: the file is rewritten from its parsed form).

use serde::Serialize;
use serde_json::{Map, Value};

use super::compile::{AgentTemplates, CompileOptions};
use super::inputs::{agent_inputs, AgentPolicyContext};
use crate::error::{Error, ErrorKind, Result};
use crate::policy::package::{arr, s};

/// The agent inputs of `policy` compiled with `pkg`'s templates, for a standalone agent
/// (output `default` unless the policy names one).
///
/// # Errors
/// Compilation errors (see [`super::compile_package_policy_inputs`]).
pub fn render(
    policy: &Value,
    pkg: &Value,
    templates: &AgentTemplates,
    opts: CompileOptions<'_>,
) -> Result<Vec<Value>> {
    let compiled = super::compile_policy(&with_stream_ids(policy), pkg, templates, opts)?;
    Ok(agent_inputs(
        &compiled,
        Some(pkg),
        AgentPolicyContext::default(),
    ))
}

/// Stream ids as Fleet assigns them when it saves a policy (`getInputsWithStreamIds`):
/// `<input type>-<dataset>[-<package policy id>]`, for streams that have none yet.
fn with_stream_ids(policy: &Value) -> Value {
    let mut policy = policy.clone();
    let policy_id = s(&policy, "id").map(str::to_string);
    if let Some(Value::Array(inputs)) = policy.get_mut("inputs") {
        for input in inputs {
            let input_type = input
                .get("type")
                .map(crate::js::to_js_string)
                .unwrap_or_default();
            if let Some(Value::Array(streams)) = input.get_mut("streams") {
                for stream in streams {
                    if stream.get("id").is_some_and(|id| !id.is_null()) {
                        continue;
                    }
                    let mut id = format!("{input_type}-{}", dataset_of(stream));
                    if let Some(pid) = &policy_id {
                        id.push('-');
                        id.push_str(pid);
                    }
                    stream["id"] = Value::String(id);
                }
            }
        }
    }
    policy
}

/// What happened to one key the user had edited in the standalone file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarriedEdit {
    /// `carried` (applied to the new configuration), `conflict` (the new version changed the key
    /// too; its value is kept) or `dropped` (the user's stream or input is gone in the new version).
    pub outcome: &'static str,
    /// The agent input's id in the user's file.
    pub input_id: String,
    /// The stream's dataset, for stream keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// JSON Pointer of the key in the input or stream.
    pub path: String,
    /// The user's value (`None`: the user removed the key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
    /// What the new package version generates for the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<Value>,
}

/// The upgraded standalone configuration.
#[derive(Debug, Clone, Serialize)]
pub struct StandaloneUpgrade {
    /// The whole document (the user's, with this package's inputs replaced).
    pub document: Value,
    /// The document as YAML.
    pub yaml: String,
    /// Every user edit and what became of it.
    pub edits: Vec<CarriedEdit>,
}

/// Carries the user's standalone configuration (`document`: a whole `elastic-agent.yml` or just
/// an `inputs` list) from `base` (what the old version generates) to `generated` (what the new
/// version generates). Inputs are this package's when `meta.package.name` is `package_name`.
///
/// # Errors
/// `INVALID_ARGUMENT` when the document has no `inputs` list.
pub fn upgrade(
    document: &Value,
    package_name: &str,
    base: &[Value],
    generated: &[Value],
) -> Result<StandaloneUpgrade> {
    let user_inputs: &[Value] =
        match document {
            Value::Array(a) => a,
            Value::Object(m) => match m.get("inputs") {
                Some(Value::Array(a)) => a,
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "the standalone configuration has no `inputs` list",
                    )
                    .at("/standalone"))
                }
            },
            _ => return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the standalone configuration must be a mapping with `inputs` or a list of inputs",
            )
            .at("/standalone")),
        };
    let ours = |input: &Value| {
        input
            .get("meta")
            .and_then(|m| m.get("package"))
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            == Some(package_name)
    };
    let mut edits = Vec::new();
    let mut upgraded: Vec<Value> = generated.to_vec();
    let mut used_base = vec![false; base.len()];
    for user in user_inputs.iter().filter(|i| ours(i)) {
        let input_id = s(user, "id").unwrap_or("").to_string();
        let Some(bi) = match_input(base, &used_base, user) else {
            // An input the user added by hand: kept as it is.
            upgraded.push(user.clone());
            continue;
        };
        used_base[bi] = true;
        let base_input = &base[bi];
        let target = match_input_index(&upgraded, base_input);
        // Input-level keys.
        let mut input_edits = Vec::new();
        diff_keys(&mut input_edits, "", base_input, user, true);
        apply_edits(
            &mut edits,
            &input_id,
            None,
            input_edits,
            target.map(|t| &mut upgraded[t]),
        );
        // Streams.
        for user_stream in arr(user, "streams") {
            let dataset = dataset_of(user_stream).to_string();
            let base_stream = arr(base_input, "streams")
                .iter()
                .find(|b| same_stream(b, user_stream));
            let Some(base_stream) = base_stream else {
                if let Some(t) = target {
                    push_stream(&mut upgraded[t], user_stream.clone());
                }
                continue;
            };
            let mut stream_edits = Vec::new();
            diff_keys(&mut stream_edits, "", base_stream, user_stream, true);
            let new_stream = target.and_then(|t| {
                let streams = upgraded[t].get_mut("streams")?.as_array_mut()?;
                streams.iter_mut().find(|n| dataset_of(n) == dataset)
            });
            apply_edits(
                &mut edits,
                &input_id,
                Some(&dataset),
                stream_edits,
                new_stream,
            );
        }
        // Streams the user deleted from the file stay deleted.
        for base_stream in arr(base_input, "streams") {
            if !arr(user, "streams")
                .iter()
                .any(|u| same_stream(base_stream, u))
            {
                let dataset = dataset_of(base_stream).to_string();
                if let Some(Value::Array(streams)) =
                    target.and_then(|t| upgraded[t].get_mut("streams"))
                {
                    streams.retain(|n| dataset_of(n) != dataset);
                }
                edits.push(CarriedEdit {
                    outcome: "carried",
                    input_id: input_id.clone(),
                    dataset: Some(dataset),
                    path: String::new(),
                    user: None,
                    generated: None,
                });
            }
        }
    }
    // The package's inputs go where the first of them was; everything else stays in place.
    let mut inputs = Vec::new();
    let mut placed = false;
    for input in user_inputs {
        if ours(input) {
            if !placed {
                inputs.extend(upgraded.iter().cloned());
                placed = true;
            }
        } else {
            inputs.push(input.clone());
        }
    }
    if !placed {
        inputs.extend(upgraded);
    }
    let document = match document {
        Value::Object(m) => {
            let mut m = m.clone();
            m.insert("inputs".into(), Value::Array(inputs));
            Value::Object(m)
        }
        _ => Value::Array(inputs),
    };
    let yaml = crate::yaml::dump(&document);
    Ok(StandaloneUpgrade {
        document,
        yaml,
        edits,
    })
}

fn dataset_of(stream: &Value) -> &str {
    stream
        .get("data_stream")
        .and_then(|d| d.get("dataset"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn same_stream(a: &Value, b: &Value) -> bool {
    a.get("id").is_some() && a.get("id") == b.get("id") || dataset_of(a) == dataset_of(b)
}

/// The base input a user input came from: same id, else same type.
fn match_input(base: &[Value], used: &[bool], user: &Value) -> Option<usize> {
    base.iter()
        .enumerate()
        .position(|(i, b)| !used[i] && b.get("id").is_some() && b.get("id") == user.get("id"))
        .or_else(|| {
            base.iter()
                .enumerate()
                .position(|(i, b)| !used[i] && b.get("type") == user.get("type"))
        })
}

/// The generated input that replaces `base_input`: same id, else same type, else one that
/// carries one of its datasets (an input type swap).
fn match_input_index(generated: &[Value], base_input: &Value) -> Option<usize> {
    generated
        .iter()
        .position(|g| g.get("id") == base_input.get("id"))
        .or_else(|| {
            generated
                .iter()
                .position(|g| g.get("type") == base_input.get("type"))
        })
        .or_else(|| {
            let datasets: Vec<&str> = arr(base_input, "streams").iter().map(dataset_of).collect();
            generated.iter().position(|g| {
                arr(g, "streams")
                    .iter()
                    .any(|s| datasets.contains(&dataset_of(s)))
            })
        })
}

fn push_stream(input: &mut Value, stream: Value) {
    if let Value::Object(m) = input {
        match m.get_mut("streams") {
            Some(Value::Array(a)) => a.push(stream),
            _ => {
                m.insert("streams".into(), Value::Array(vec![stream]));
            }
        }
    }
}

/// One user edit: the key's path, the base value and the user's value (`None` = absent).
type Edit = (String, Option<Value>, Option<Value>);

/// Keys that differ between `base` and `user`, recursing into mappings. Identities, nested
/// streams and `meta` (which names the package version) are not user settings.
fn diff_keys(out: &mut Vec<Edit>, prefix: &str, base: &Value, user: &Value, top: bool) {
    let (Some(b), Some(u)) = (base.as_object(), user.as_object()) else {
        return;
    };
    let skip = |k: &str| {
        top && matches!(
            k,
            "id" | "streams" | "meta" | "revision" | "package_policy_id"
        )
    };
    let path_of = |k: &str| {
        let mut p = prefix.to_string();
        p.push('/');
        crate::args::push_pointer_token(&mut p, k);
        p
    };
    for (k, bv) in b {
        if skip(k) {
            continue;
        }
        match u.get(k) {
            None => out.push((path_of(k), Some(bv.clone()), None)),
            Some(uv) if bv.is_object() && uv.is_object() => {
                diff_keys(out, &path_of(k), bv, uv, false)
            }
            Some(uv) if uv != bv => out.push((path_of(k), Some(bv.clone()), Some(uv.clone()))),
            Some(_) => {}
        }
    }
    for (k, uv) in u {
        if !skip(k) && !b.contains_key(k) {
            out.push((path_of(k), None, Some(uv.clone())));
        }
    }
}

fn apply_edits(
    out: &mut Vec<CarriedEdit>,
    input_id: &str,
    dataset: Option<&str>,
    edits: Vec<Edit>,
    mut target: Option<&mut Value>,
) {
    for (path, base, user) in edits {
        let record = |outcome, generated: Option<Value>| CarriedEdit {
            outcome,
            input_id: input_id.to_string(),
            dataset: dataset.map(str::to_string),
            path: path.clone(),
            user: user.clone(),
            generated,
        };
        let Some(target) = target.as_deref_mut() else {
            out.push(record("dropped", None));
            continue;
        };
        let generated = target.pointer(&path).cloned();
        if generated == base {
            set_pointer(target, &path, user.clone());
            out.push(record("carried", generated));
        } else {
            out.push(record("conflict", generated));
        }
    }
}

/// Sets (or with `None` removes) the value at a JSON Pointer, creating mappings on the way.
fn set_pointer(root: &mut Value, pointer: &str, value: Option<Value>) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut node = root;
    for t in parents {
        let Value::Object(m) = node else { return };
        node = m
            .entry(t.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(m) = node {
        match value {
            Some(v) => {
                m.insert(last.clone(), v);
            }
            None => {
                m.shift_remove(last);
            }
        }
    }
}
