//! The agent configuration diff: what Elastic Agent runs for a policy before and after an upgrade.
//!
//! Both sides are agent policy inputs ([`super::inputs::agent_inputs`]) built from compiled
//! inputs and streams. Streams are matched by dataset and input type first, then by dataset alone
//! (a stream that moved to another input type, e.g. `logfile` → `filestream`). The result is a
//! list of structured changes and a unified diff of the two YAML documents; secret values of the
//! policies' password and secret vars are masked in both.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::plan::index::{containers, is_secret, VarDefs, MASK};
use crate::policy::package::s;

/// One change in what the agent runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentChange {
    /// `input_started`, `input_stopped`, `stream_started`, `stream_stopped`, `stream_moved`
    /// (same dataset, another input type), `key_added`, `key_removed` or `key_changed`.
    pub kind: &'static str,
    /// The agent input's type (the proposed one for moved streams).
    pub input_type: String,
    /// The stream's dataset (stream-level changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// JSON Pointer of the key inside the agent input or stream (key-level changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value the agent runs today (masked for secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value it will run after the upgrade (masked for secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// One sentence for people.
    pub message: String,
}

impl AgentChange {
    /// A change with no key: the path and both values are filled in by key-level changes.
    fn new(kind: &'static str, input_type: &str, dataset: Option<&str>, message: String) -> Self {
        AgentChange {
            kind,
            input_type: input_type.to_string(),
            dataset: dataset.map(str::to_string),
            path: None,
            before: None,
            after: None,
            message,
        }
    }
}

/// Both sides and what changed between them.
#[derive(Debug, Clone, Serialize)]
pub struct AgentDiff {
    /// The agent inputs today (masked).
    pub before: Vec<Value>,
    /// The agent inputs after the upgrade (masked).
    pub after: Vec<Value>,
    /// Structured changes, input by input, stream by stream.
    pub changes: Vec<AgentChange>,
    /// A unified diff of the two `inputs:` YAML documents (empty when they are equal).
    pub unified: String,
}

/// Diffs the agent inputs of `current` and `proposed` (both with compiled inputs and streams).
/// `secret_sources` are the policies (with their packages) whose secret var values are masked.
pub fn agent_diff(
    before: Vec<Value>,
    after: Vec<Value>,
    secret_sources: &[(&Value, Option<&Value>)],
    labels: (&str, &str),
) -> AgentDiff {
    let secrets = secret_values(secret_sources);
    let before: Vec<Value> = before.into_iter().map(|v| mask(v, &secrets)).collect();
    let after: Vec<Value> = after.into_iter().map(|v| mask(v, &secrets)).collect();
    let changes = changes(&before, &after);
    let unified = unified_diff(&before, &after, labels);
    AgentDiff {
        before,
        after,
        changes,
        unified,
    }
}

/// The `inputs:` section of an agent policy as YAML.
pub fn inputs_yaml(inputs: &[Value]) -> String {
    let mut doc = Map::new();
    doc.insert("inputs".into(), Value::Array(inputs.to_vec()));
    crate::yaml::dump(&Value::Object(doc))
}

fn unified_diff(before: &[Value], after: &[Value], labels: (&str, &str)) -> String {
    let old = inputs_yaml(before);
    let new = inputs_yaml(after);
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(labels.0, labels.1)
        .to_string()
}

// ---- secrets ----

/// Every non-empty string a password or secret var of the policies holds.
fn secret_values(sources: &[(&Value, Option<&Value>)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (policy, pkg) in sources {
        let Some(policy) = policy.as_object() else {
            continue;
        };
        let defs = pkg.map(VarDefs::new);
        for c in containers(policy) {
            let Some(vars) = c.vars else { continue };
            for (name, entry) in vars {
                let value = entry.get("value");
                let def = defs.as_ref().and_then(|d| d.get(&c, name));
                let secret = is_secret(def, value) || s(entry, "type") == Some("password");
                if !secret {
                    continue;
                }
                let mut push = |v: &Value| {
                    if let Some(t) = v.as_str().filter(|t| !t.is_empty()) {
                        out.push(t.to_string());
                    }
                };
                match value {
                    Some(Value::Array(items)) => items.iter().for_each(&mut push),
                    Some(v) => push(v),
                    None => {}
                }
            }
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

fn mask(value: Value, secrets: &[String]) -> Value {
    if secrets.is_empty() {
        return value;
    }
    match value {
        Value::String(text) => {
            let mut text = text;
            for secret in secrets {
                if text.contains(secret.as_str()) {
                    text = text.replace(secret.as_str(), MASK);
                }
            }
            Value::String(text)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|v| mask(v, secrets)).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, mask(v, secrets))).collect())
        }
        other => other,
    }
}

// ---- structured changes ----

struct StreamRef<'a> {
    input_type: &'a str,
    dataset: &'a str,
    stream: &'a Value,
}

fn streams_of(inputs: &[Value]) -> Vec<StreamRef<'_>> {
    inputs
        .iter()
        .flat_map(|input| {
            let input_type = s(input, "type").unwrap_or("");
            crate::policy::package::arr(input, "streams")
                .iter()
                .map(move |stream| StreamRef {
                    input_type,
                    dataset: stream
                        .get("data_stream")
                        .and_then(|d| d.get("dataset"))
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                    stream,
                })
        })
        .collect()
}

/// Keys not compared between two agent inputs or streams: identities, nested streams, and the
/// package metadata (its version always changes in an upgrade).
const SKIPPED_KEYS: &[&str] = &["id", "streams", "package_policy_id", "meta", "revision"];

fn changes(before: &[Value], after: &[Value]) -> Vec<AgentChange> {
    let mut out = Vec::new();
    // Inputs, matched by type (and by id when a type appears more than once).
    let mut used_after = vec![false; after.len()];
    for b in before {
        let bt = s(b, "type").unwrap_or("");
        let found = after
            .iter()
            .enumerate()
            .position(|(i, a)| {
                !used_after[i] && s(a, "type") == Some(bt) && a.get("id") == b.get("id")
            })
            .or_else(|| {
                after
                    .iter()
                    .enumerate()
                    .position(|(i, a)| !used_after[i] && s(a, "type") == Some(bt))
            });
        match found {
            Some(i) => {
                used_after[i] = true;
                key_changes(&mut out, bt, None, b, &after[i]);
            }
            None => out.push(AgentChange::new(
                "input_stopped",
                bt,
                None,
                format!("The agent stops running the {bt} input."),
            )),
        }
    }
    for (i, a) in after.iter().enumerate() {
        if !used_after[i] {
            let at = s(a, "type").unwrap_or("");
            out.push(AgentChange::new(
                "input_started",
                at,
                None,
                format!("The agent starts running the {at} input."),
            ));
        }
    }
    // Streams: same dataset and input type, then same dataset under another input type.
    let old = streams_of(before);
    let new = streams_of(after);
    let mut used_new = vec![false; new.len()];
    let mut unmatched_old = Vec::new();
    for o in &old {
        match new.iter().enumerate().position(|(i, n)| {
            !used_new[i] && n.dataset == o.dataset && n.input_type == o.input_type
        }) {
            Some(i) => {
                used_new[i] = true;
                key_changes(
                    &mut out,
                    o.input_type,
                    Some(o.dataset),
                    o.stream,
                    new[i].stream,
                );
            }
            None => unmatched_old.push(o),
        }
    }
    for o in unmatched_old {
        match new
            .iter()
            .enumerate()
            .position(|(i, n)| !used_new[i] && n.dataset == o.dataset)
        {
            Some(i) => {
                used_new[i] = true;
                let n = &new[i];
                out.push(AgentChange {
                    kind: "stream_moved",
                    input_type: n.input_type.to_string(),
                    dataset: Some(o.dataset.to_string()),
                    path: None,
                    before: Some(Value::String(o.input_type.to_string())),
                    after: Some(Value::String(n.input_type.to_string())),
                    message: format!(
                        "Stream {} moves from the {} input to the {} input.",
                        o.dataset, o.input_type, n.input_type
                    ),
                });
                key_changes(&mut out, n.input_type, Some(o.dataset), o.stream, n.stream);
            }
            None => out.push(AgentChange::new(
                "stream_stopped",
                o.input_type,
                Some(o.dataset),
                format!(
                    "The agent stops collecting {} ({} input).",
                    o.dataset, o.input_type
                ),
            )),
        }
    }
    for (i, n) in new.iter().enumerate() {
        if !used_new[i] {
            out.push(AgentChange::new(
                "stream_started",
                n.input_type,
                Some(n.dataset),
                format!(
                    "The agent starts collecting {} ({} input).",
                    n.dataset, n.input_type
                ),
            ));
        }
    }
    out
}

fn key_changes(
    out: &mut Vec<AgentChange>,
    input_type: &str,
    dataset: Option<&str>,
    before: &Value,
    after: &Value,
) {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return;
    };
    let mut path = String::new();
    walk(out, input_type, dataset, &mut path, b, a, true);
}

fn walk(
    out: &mut Vec<AgentChange>,
    input_type: &str,
    dataset: Option<&str>,
    path: &mut String,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    top: bool,
) {
    let skip = |k: &str| top && SKIPPED_KEYS.contains(&k);
    let place = match dataset {
        Some(d) => format!("stream {d} ({input_type})"),
        None => format!("input {input_type}"),
    };
    for (k, bv) in before {
        if skip(k) {
            continue;
        }
        let len = path.len();
        path.push('/');
        crate::args::push_pointer_token(path, k);
        match after.get(k) {
            None => out.push(AgentChange {
                kind: "key_removed",
                input_type: input_type.to_string(),
                dataset: dataset.map(str::to_string),
                path: Some(path.clone()),
                before: Some(bv.clone()),
                after: None,
                message: format!("{place}: {path} is no longer set."),
            }),
            Some(av) => match (bv, av) {
                (Value::Object(bm), Value::Object(am)) => {
                    walk(out, input_type, dataset, path, bm, am, false)
                }
                _ if bv != av => out.push(AgentChange {
                    kind: "key_changed",
                    input_type: input_type.to_string(),
                    dataset: dataset.map(str::to_string),
                    path: Some(path.clone()),
                    before: Some(bv.clone()),
                    after: Some(av.clone()),
                    message: format!("{place}: {path} changes."),
                }),
                _ => {}
            },
        }
        path.truncate(len);
    }
    for (k, av) in after {
        if skip(k) || before.contains_key(k) {
            continue;
        }
        let len = path.len();
        path.push('/');
        crate::args::push_pointer_token(path, k);
        out.push(AgentChange {
            kind: "key_added",
            input_type: input_type.to_string(),
            dataset: dataset.map(str::to_string),
            path: Some(path.clone()),
            before: None,
            after: Some(av.clone()),
            message: format!("{place}: {path} is newly set."),
        });
        path.truncate(len);
    }
}
