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
    if let Some(Value::Object(p)) = base.get_mut("package") {
        if let Some(v) = target.get("version") {
            p.insert("version".into(), v.clone());
        }
    }
    let defaults = package_to_package_policy_inputs(target, None);
    let mut proposed = update_package_inputs(&Value::Object(base), target, Some(&defaults), true)?;
    if let Value::Object(m) = &mut proposed {
        m.shift_remove("errors");
        m.shift_remove("missingVars");
    }
    // The change list of the unedited upgrade tells `keep_previous` where renamed vars came from.
    let before = {
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
    let results = validate_package_policy(&proposed, target, &ValidateOptions::default());
    let errors = if validation_has_errors(&results) {
        error_list(&results)
    } else {
        Vec::new()
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
