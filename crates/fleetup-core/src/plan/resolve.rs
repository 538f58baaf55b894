//! Conflict resolution: apply a user's edits to the proposed policy, re-validate, and return the
//! policy ready for Fleet's update API together with whatever conflicts remain.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::changes::{field_changes, Change, ChangeOptions, Severity};
use super::index::{containers, VarDefs};
use crate::error::{Error, ErrorKind, Result};
use crate::policy::defaults::package_to_package_policy_inputs;
use crate::policy::merge::update_package_inputs;
use crate::policy::package::var_default_value;
use crate::policy::validate::{
    error_list, validate_package_policy, validation_has_errors, ValidateOptions,
};

/// One edit, addressed by a JSON Pointer into the proposed policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// A var (`…/vars/<name>`, optionally `/value`) or an input/stream (`/inputs/1/streams/0`).
    pub path: String,
    /// What to do; `set` when omitted.
    #[serde(default)]
    pub action: Action,
    /// The value for `set`.
    #[serde(default)]
    pub value: Option<Value>,
    /// For `keep_previous`: where the previous value lives in the current policy, when it is not
    /// the same var (a rename or a scope move). Found from the change list when omitted.
    #[serde(default)]
    pub from: Option<String>,
}

/// What an edit does.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Give the var `value`.
    #[default]
    Set,
    /// Give the var the value it had in the current policy.
    KeepPrevious,
    /// Give the var the target version's default.
    UseDefault,
    /// Disable the input or stream at `path`.
    Disable,
    /// Enable the input or stream at `path`.
    Enable,
}

impl Edit {
    /// Reads a list of edits from JSON exactly as `serde_json::from_value::<Vec<Edit>>` does
    /// (same acceptance, including the array form `[path, action, value, from]`, and the same
    /// error messages), without instantiating serde's deserializer machinery: in the WebAssembly
    /// build that path (and the float printer its messages link) cost ~14 KB gzipped.
    /// `list_from_json_matches_serde` holds it to the derived implementation.
    ///
    /// # Errors
    /// serde's message for the first problem, e.g. ``missing field `path` ``.
    pub fn list_from_json(v: &Value) -> std::result::Result<Vec<Edit>, String> {
        match v {
            Value::Array(items) => items.iter().map(Edit::from_json).collect(),
            other => Err(invalid_type(other, "a sequence")),
        }
    }

    fn from_json(v: &Value) -> std::result::Result<Edit, String> {
        const FIELDS: [&str; 4] = ["path", "action", "value", "from"];
        match v {
            Value::Object(map) => {
                let (mut path, mut action, mut value, mut from) = (None, None, None, None);
                for (key, v) in map {
                    match key.as_str() {
                        "path" => path = Some(string_from_json(v)?),
                        "action" => action = Some(Action::from_json(v)?),
                        "value" => value = Some(option_from_json(v)),
                        "from" => from = Some(optional_string_from_json(v)?),
                        _ => {
                            return Err(format!(
                                "unknown field `{key}`, expected one of {}",
                                one_of(&FIELDS)
                            ))
                        }
                    }
                }
                Ok(Edit {
                    path: path.ok_or("missing field `path`")?,
                    action: action.unwrap_or_default(),
                    value: value.flatten(),
                    from: from.flatten(),
                })
            }
            Value::Array(items) => {
                let mut it = items.iter();
                let path = match it.next() {
                    Some(v) => string_from_json(v)?,
                    None => {
                        return Err("invalid length 0, expected struct Edit with 4 elements".into())
                    }
                };
                let action = it.next().map(Action::from_json).transpose()?;
                let value = it.next().and_then(option_from_json);
                let from = it.next().map(optional_string_from_json).transpose()?;
                if it.next().is_some() {
                    return Err(format!(
                        "invalid length {}, expected fewer elements in array",
                        items.len()
                    ));
                }
                Ok(Edit {
                    path,
                    action: action.unwrap_or_default(),
                    value,
                    from: from.flatten(),
                })
            }
            other => Err(invalid_type(other, "struct Edit")),
        }
    }
}

impl Action {
    const NAMES: [&'static str; 5] = ["set", "keep_previous", "use_default", "disable", "enable"];

    /// serde's externally tagged unit-variant enum: `"name"` or `{"name": null}`.
    fn from_json(v: &Value) -> std::result::Result<Action, String> {
        let (name, payload) = match v {
            Value::String(s) => (s.as_str(), None),
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((k, v)), None) => (k.as_str(), Some(v)),
                    _ => return Err("invalid value: map, expected map with a single key".into()),
                }
            }
            other => return Err(invalid_type(other, "string or map")),
        };
        let action = match name {
            "set" => Action::Set,
            "keep_previous" => Action::KeepPrevious,
            "use_default" => Action::UseDefault,
            "disable" => Action::Disable,
            "enable" => Action::Enable,
            _ => {
                return Err(format!(
                    "unknown variant `{name}`, expected one of {}",
                    one_of(&Self::NAMES)
                ))
            }
        };
        match payload {
            Some(p) if !p.is_null() => Err(invalid_type(p, "unit")),
            _ => Ok(action),
        }
    }
}

/// serde's `one of` list: `` `a`, `b`, `c` ``.
fn one_of(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn string_from_json(v: &Value) -> std::result::Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(invalid_type(other, "a string")),
    }
}

/// `Option<T>` from a JSON value: `null` is `None`.
fn option_from_json(v: &Value) -> Option<Value> {
    (!v.is_null()).then(|| v.clone())
}

fn optional_string_from_json(v: &Value) -> std::result::Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        other => string_from_json(other).map(Some),
    }
}

/// serde_json's `invalid type: <what v is>, expected <expected>`.
fn invalid_type(v: &Value, expected: &str) -> String {
    let what = match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_string(),
        Value::Object(_) => "map".to_string(),
    };
    format!("invalid type: {what}, expected {expected}")
}

/// The outcome of [`resolve`].
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The upgraded policy with the edits applied, without `errors` (ready for Fleet's API).
    pub policy: Value,
    /// Kibana's validation errors that remain (`[{key, message}]`).
    pub errors: Vec<Value>,
    /// The full change list against the current policy, conflicts first.
    pub changes: Vec<Change>,
}

impl Resolution {
    /// The conflicts that still block the upgrade.
    pub fn conflicts(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.severity == Severity::Conflict)
    }
}

/// Upgrades `current` to `target` as Kibana's dry run would, applies `edits` in order,
/// re-validates, and returns the result.
///
/// # Errors
/// `INVALID_EDIT` (with the edit's index in the path) when an edit addresses nothing, and the
/// engine's errors for an invalid policy.
pub fn resolve(
    current: &Value,
    target: &Value,
    previous: Option<&Value>,
    edits: &[Edit],
) -> Result<Resolution> {
    let Value::Object(cur) = current else {
        return Err(Error::new(
            ErrorKind::InvalidPolicy,
            "a package policy must be a JSON object",
        )
        .at("/package_policy"));
    };
    let mut base = cur.clone();
    base.shift_remove("id");
    base.shift_remove("spaceIds");
    // Dropped from the result anyway; removing it here means an `errors` field on the merged
    // policy can only be the merge's own validation of it (reused below when there are no edits).
    base.shift_remove("errors");
    if let Some(Value::Object(p)) = base.get_mut("package") {
        if let Some(v) = target.get("version") {
            p.insert("version".into(), v.clone());
        }
    }
    let defaults = package_to_package_policy_inputs(target, None);
    let mut proposed = update_package_inputs(&Value::Object(base), target, Some(&defaults), true)?;
    let mut merge_errors = None;
    if let Value::Object(m) = &mut proposed {
        merge_errors = m.shift_remove("errors");
        m.shift_remove("missingVars");
    }
    // The change list of the unedited upgrade tells `keep_previous` where renamed vars came from.
    // Only an edit without `from` reads it, so it is skipped otherwise (it costs a validation and
    // a change list, about a third of the whole call, and the first review has no edits at all).
    let needs_before = edits
        .iter()
        .any(|e| e.action == Action::KeepPrevious && e.from.is_none());
    let before = if !needs_before {
        Vec::new()
    } else {
        let mut with_errors = proposed.clone();
        attach_errors(&mut with_errors, target);
        field_changes(
            current,
            &with_errors,
            target,
            previous,
            ChangeOptions::default(),
        )
    };
    for (i, edit) in edits.iter().enumerate() {
        apply(&mut proposed, current, target, &before, edit)
            .map_err(|e| e.under(&format!("/edits/{i}")))?;
    }
    let errors = match merge_errors {
        // Unedited, the proposal is what the merge just validated (validation reads neither
        // `errors` nor `missingVars`), and the merge attached exactly this list when it had
        // errors: no need to validate the same policy a second time.
        Some(Value::Array(list)) if edits.is_empty() => list,
        None if edits.is_empty() => Vec::new(),
        _ => {
            let results = validate_package_policy(&proposed, target, &ValidateOptions::default());
            if validation_has_errors(&results) {
                error_list(&results)
            } else {
                Vec::new()
            }
        }
    };
    let mut with_errors = proposed.clone();
    if !errors.is_empty() {
        if let Value::Object(m) = &mut with_errors {
            m.insert("errors".into(), Value::Array(errors.clone()));
        }
    }
    let changes = field_changes(
        current,
        &with_errors,
        target,
        previous,
        ChangeOptions::default(),
    );
    Ok(Resolution {
        policy: proposed,
        errors,
        changes,
    })
}

fn attach_errors(policy: &mut Value, target: &Value) {
    let results = validate_package_policy(policy, target, &ValidateOptions::default());
    if validation_has_errors(&results) {
        if let Value::Object(m) = policy {
            m.insert("errors".into(), Value::Array(error_list(&results)));
        }
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidEdit, message).at("/path")
}

/// Splits `…/vars/<name>[/value]` into the container pointer and the var name.
fn split_var_path(path: &str) -> Option<(&str, String)> {
    let path = path.strip_suffix("/value").unwrap_or(path);
    let idx = path.rfind("/vars/")?;
    let name = &path[idx + "/vars/".len()..];
    if name.contains('/') {
        return None;
    }
    Some((&path[..idx], name.replace("~1", "/").replace("~0", "~")))
}

fn apply(
    proposed: &mut Value,
    current: &Value,
    target: &Value,
    before: &[Change],
    edit: &Edit,
) -> Result<()> {
    match edit.action {
        Action::Disable | Action::Enable => {
            let node = proposed
                .pointer_mut(&edit.path)
                .and_then(Value::as_object_mut)
                .filter(|o| {
                    o.contains_key("enabled")
                        || o.contains_key("streams")
                        || o.contains_key("data_stream")
                })
                .ok_or_else(|| {
                    invalid(format!(
                        "{} is not an input or stream of the proposed policy",
                        edit.path
                    ))
                })?;
            node.insert("enabled".into(), Value::Bool(edit.action == Action::Enable));
            Ok(())
        }
        Action::Set | Action::KeepPrevious | Action::UseDefault => {
            let (container_path, name) = split_var_path(&edit.path).ok_or_else(|| {
                invalid(format!(
                    "{} does not address a var (…/vars/<name>)",
                    edit.path
                ))
            })?;
            let value = match edit.action {
                Action::Set => edit.value.clone().ok_or_else(|| {
                    Error::new(ErrorKind::InvalidEdit, "a `set` edit needs a `value`").at("/value")
                })?,
                Action::KeepPrevious => {
                    previous_value(current, before, edit, container_path, &name)?
                }
                _ => default_for(proposed, target, container_path, &name)?,
            };
            let container = if container_path.is_empty() {
                Some(&mut *proposed)
            } else {
                proposed.pointer_mut(container_path)
            };
            let container = container.and_then(Value::as_object_mut).ok_or_else(|| {
                invalid(format!(
                    "{container_path} is not part of the proposed policy"
                ))
            })?;
            let vars = container
                .entry("vars")
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(vars) = vars else {
                return Err(invalid(format!("{container_path}/vars is not an object")));
            };
            let entry = vars
                .entry(name)
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(entry) = entry else {
                return Err(invalid(format!("{} is not a var entry", edit.path)));
            };
            if value.is_null() {
                entry.shift_remove("value");
            } else {
                entry.insert("value".into(), value);
            }
            Ok(())
        }
    }
}

fn previous_value(
    current: &Value,
    before: &[Change],
    edit: &Edit,
    container_path: &str,
    name: &str,
) -> Result<Value> {
    let var_path = format!(
        "{container_path}/vars/{}",
        name.replace('~', "~0").replace('/', "~1")
    );
    let from = match &edit.from {
        Some(f) => f.clone(),
        None => before
            .iter()
            .find(|c| {
                c.proposed_path.as_deref() == Some(var_path.as_str()) && c.current_path.is_some()
            })
            .and_then(|c| c.current_path.clone())
            .ok_or_else(|| {
                invalid(format!(
                    "{} has no previous value in the current policy",
                    edit.path
                ))
            })?,
    };
    let from = from.strip_suffix("/value").unwrap_or(&from).to_string();
    let entry = current.pointer(&from).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidEdit,
            format!("{from} is not part of the current policy"),
        )
        .at("/from")
    })?;
    Ok(entry.get("value").cloned().unwrap_or(Value::Null))
}

fn default_for(
    proposed: &Value,
    target: &Value,
    container_path: &str,
    name: &str,
) -> Result<Value> {
    let Value::Object(p) = proposed else {
        return Err(invalid("the proposed policy is not an object".into()));
    };
    let defs = VarDefs::new(target);
    let all = containers(p);
    let c = all
        .iter()
        .find(|c| c.pointer == container_path)
        .ok_or_else(|| {
            invalid(format!(
                "{container_path} is not part of the proposed policy"
            ))
        })?;
    let def = defs.get(c, name).ok_or_else(|| {
        invalid(format!(
            "the target package defines no var {name} in {}",
            c.label()
        ))
    })?;
    // `packageToPackagePolicyInputs`: multi vars with a falsy default start as [].
    Ok(var_default_value(def).unwrap_or(Value::Null))
}

#[cfg(test)]
mod edit_json_tests {
    use super::Edit;
    use serde_json::{json, Value};

    #[test]
    fn list_from_json_matches_serde() {
        let leaves = [
            json!(null),
            json!(true),
            json!(7),
            json!(-7),
            json!(1.5),
            json!(1e300),
            json!("/inputs/0/vars/x"),
            json!("set"),
            json!("keep_previous"),
            json!("use_default"),
            json!("disable"),
            json!("enable"),
            json!("bogus"),
            json!("quote\"and\nnewline é"),
            json!([]),
            json!(["x"]),
            json!({}),
            json!({"set": null}),
            json!({"enable": 1}),
            json!({"nope": null}),
            json!({"set": null, "x": 1}),
        ];
        let keys = ["path", "action", "value", "from", "extra"];
        let mut state: u64 = 0x5DEE_CE66_D1CE_B00C;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut cases: Vec<Value> = leaves.to_vec();
        for _ in 0..20_000 {
            let edit = if next(3) == 0 {
                Value::Array(
                    (0..next(6))
                        .map(|_| leaves[next(leaves.len())].clone())
                        .collect(),
                )
            } else {
                let mut m = serde_json::Map::new();
                for _ in 0..next(6) {
                    let k = keys[next(keys.len())];
                    // Mostly well-typed values, so later fields get checked too.
                    let v = match (k, next(3)) {
                        ("path" | "from", 0 | 1) => json!("/p"),
                        ("action", 0 | 1) => leaves[7 + next(6)].clone(),
                        _ => leaves[next(leaves.len())].clone(),
                    };
                    m.insert(k.to_string(), v);
                }
                Value::Object(m)
            };
            cases.push(Value::Array(vec![edit.clone()]));
            cases.push(Value::Array(vec![
                json!({"path": "/a"}),
                edit,
                leaves[next(leaves.len())].clone(),
            ]));
        }
        for case in cases {
            let want = serde_json::from_value::<Vec<Edit>>(case.clone())
                .map(|v| format!("{v:?}"))
                .map_err(|e| e.to_string());
            let got = Edit::list_from_json(&case).map(|v| format!("{v:?}"));
            assert_eq!(got, want, "{case}");
        }
    }
}
