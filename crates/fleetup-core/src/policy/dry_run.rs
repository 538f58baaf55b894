//! The per-policy item of Fleet's upgrade dry-run API (`_packagePoliciesGetUpgradeDryRunDiff`).

use serde_json::{Map, Value};

use super::merge::{update_package_inputs_prepared, BasePolicy};
use super::prepared::PreparedPackage;
use crate::error::{Error, ErrorKind, Result};
use crate::version::{compare, Options};

/// The field-level change list between `current` and `proposed` (see [`crate::plan::changes`]).
pub fn field_changes(current: &Value, proposed: &Value, package_info: &Value) -> Value {
    let changes = crate::plan::changes::field_changes(
        current,
        proposed,
        package_info,
        None,
        crate::plan::changes::ChangeOptions::default(),
    );
    serde_json::to_value(changes).unwrap_or(Value::Array(Vec::new()))
}

/// Refuses upgrading a policy to an older package version (`validateUpgradePackagePolicy`).
///
/// # Errors
/// `INVALID_POLICY` when the policy names no package, `INVALID_VERSION` for an unparseable
/// version, `UPGRADE_NOT_ALLOWED` when the target is older than the policy.
pub fn check_upgrade_allowed(policy: &Value, pkg: &Value) -> Result<()> {
    let id = policy
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("undefined");
    let package = policy.get("package");
    let Some(name) = package
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return Err(Error::new(
            ErrorKind::InvalidPolicy,
            format!("Package policy with id {id} has no named package"),
        )
        .at("/package_policy/package/name"));
    };
    let current = package
        .and_then(|p| p.get("version"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let target = pkg.get("version").and_then(Value::as_str).unwrap_or("");
    if compare(target, current, Options::default())? == std::cmp::Ordering::Less {
        return Err(Error::new(
            ErrorKind::UpgradeNotAllowed,
            format!(
                "Package policy {id}'s package version {current} of package {name} is newer than the installed package version. Please install the latest version of {name}."
            ),
        ));
    }
    Ok(())
}

/// One dry-run item: `{name, diff: [current, proposed], agent_diff, hasErrors, changes}`
/// (`agent_diff` is Kibana's: the agent inputs of the *current* policy, from its stored
/// compiled fields).
///
/// `experimental_data_stream_features` is the installation's list (Kibana writes it into both
/// sides of the diff). Agent templates are not compiled here (see [`upgrade_dry_run_with`]).
///
/// # Errors
/// See [`check_upgrade_allowed`]; `INVALID_POLICY` for a non-object policy.
pub fn upgrade_dry_run(
    policy: &Value,
    pkg: &Value,
    experimental_features: Option<&Value>,
) -> Result<Value> {
    upgrade_dry_run_with(policy, pkg, experimental_features, None)
}

/// Agent templates for a dry run: the target version's (compiles the proposed policy, as Kibana
/// does) and optionally the current version's (compiles the current policy for the agent
/// configuration diff; without them its stored `compiled_*` fields are used).
#[derive(Debug, Clone, Copy)]
pub struct DryRunAgent<'a> {
    /// The target version's templates.
    pub templates: &'a crate::agent::AgentTemplates,
    /// The current version's PackageInfo and templates.
    pub current: Option<(&'a Value, &'a crate::agent::AgentTemplates)>,
    /// Compilation options (agent version).
    pub options: crate::agent::CompileOptions<'a>,
}

/// [`upgrade_dry_run`] with the proposed policy compiled against the target's agent templates:
/// `compiled_input` / `compiled_stream` as Kibana sets them, and `agent_configuration` (the agent
/// configuration diff, see [`crate::agent::diff`]). A template that renders invalid YAML (e.g. a
/// yaml var duplicating a key) is an error of the proposed policy, as in Kibana's dry run; a
/// missing template or a Handlebars failure is fatal (`TEMPLATE_ERROR`).
///
/// # Errors
/// See [`upgrade_dry_run`]; `TEMPLATE_ERROR` as above.
pub fn upgrade_dry_run_with(
    policy: &Value,
    pkg: &Value,
    experimental_features: Option<&Value>,
    agent: Option<DryRunAgent<'_>>,
) -> Result<Value> {
    if !policy.is_object() {
        return Err(Error::new(
            ErrorKind::InvalidPolicy,
            "a package policy must be a JSON object",
        )
        .at("/package_policy"));
    }
    check_upgrade_allowed(policy, pkg)?;
    let prepared = PreparedPackage::cached(pkg);
    upgrade_dry_run_prepared(policy, &prepared, experimental_features, agent)
}

/// [`upgrade_dry_run`] against a [`PreparedPackage`], for many policies and one package.
///
/// # Errors
/// As [`upgrade_dry_run`].
pub fn upgrade_dry_run_prepared(
    policy: &Value,
    prepared: &PreparedPackage,
    experimental_features: Option<&Value>,
    agent: Option<DryRunAgent<'_>>,
) -> Result<Value> {
    let Value::Object(policy_map) = policy else {
        return Err(not_an_object());
    };
    check_upgrade_allowed(policy, prepared.package())?;
    dry_run_item(policy_map.clone(), prepared, experimental_features, agent)
        .map(DryRunItem::into_value)
}

/// [`upgrade_dry_run_prepared`] on a policy the caller no longer needs (it becomes `diff[0]`
/// without a copy), returning the item unserialised: what a caller that writes the answer as
/// JSON text wants (see [`DryRunItem`]).
///
/// # Errors
/// As [`upgrade_dry_run`].
pub fn upgrade_dry_run_owned(
    policy: Value,
    prepared: &PreparedPackage,
    experimental_features: Option<&Value>,
    agent: Option<DryRunAgent<'_>>,
) -> Result<DryRunItem> {
    check_upgrade_allowed(&policy, prepared.package())?;
    let Value::Object(policy_map) = policy else {
        return Err(not_an_object());
    };
    dry_run_item(policy_map, prepared, experimental_features, agent)
}

fn not_an_object() -> Error {
    Error::new(
        ErrorKind::InvalidPolicy,
        "a package policy must be a JSON object",
    )
    .at("/package_policy")
}

/// One dry-run item before it becomes JSON. The change list stays typed: written straight as
/// text ([`DryRunItem::write_json`]) it costs a fraction of first building it as a `Value` tree
/// (one map, one hash per key and one allocation per node for each of hundreds of records).
#[derive(Debug, Clone)]
pub struct DryRunItem {
    /// The policy as stored (`diff[0]`).
    pub current: Value,
    /// The upgraded policy, with `errors` when it fails validation (`diff[1]`).
    pub proposed: Value,
    /// Kibana's `agent_diff`: the agent inputs of the current policy.
    pub agent_diff: Vec<Value>,
    /// The field-level change list.
    pub changes: Vec<crate::plan::changes::Change>,
    /// The agent configuration diff, when agent templates were given.
    pub agent_configuration: Option<Value>,
}

impl DryRunItem {
    /// `name` of the item: the proposed policy's.
    fn name(&self) -> &Value {
        self.proposed.get("name").unwrap_or(&Value::Null)
    }

    /// `hasErrors`: whether the proposed policy carries validation errors.
    pub fn has_errors(&self) -> bool {
        self.proposed.get("errors").is_some()
    }

    /// The item as a JSON value (the document [`Self::write_json`] writes as text).
    pub fn into_value(self) -> Value {
        let name = self.name().clone();
        let has_errors = self.has_errors();
        let changes = serde_json::to_value(self.changes).unwrap_or(Value::Array(Vec::new()));
        let mut out = Map::with_capacity(6);
        out.insert("name".into(), name);
        out.insert(
            "diff".into(),
            Value::Array(vec![self.current, self.proposed]),
        );
        out.insert(
            "agent_diff".into(),
            Value::Array(vec![Value::Array(self.agent_diff)]),
        );
        out.insert("hasErrors".into(), Value::Bool(has_errors));
        out.insert("changes".into(), changes);
        if let Some(a) = self.agent_configuration {
            out.insert("agent_configuration".into(), a);
        }
        Value::Object(out)
    }

    /// Appends the item as JSON text: the document [`Self::into_value`] gives, written without
    /// building it (see `crate::json_text`); the JSON Lines path uses it.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use crate::json_text::{write_value, ObjectWriter};
        let mut o = ObjectWriter::new(out);
        o.value("name", self.name());
        let diff = o.key("diff");
        diff.push(b'[');
        write_value(diff, &self.current);
        diff.push(b',');
        write_value(diff, &self.proposed);
        diff.push(b']');
        let agent_diff = o.key("agent_diff");
        agent_diff.extend_from_slice(b"[[");
        for (i, input) in self.agent_diff.iter().enumerate() {
            if i > 0 {
                agent_diff.push(b',');
            }
            write_value(agent_diff, input);
        }
        agent_diff.extend_from_slice(b"]]");
        o.bool("hasErrors", self.has_errors());
        let changes = o.key("changes");
        changes.push(b'[');
        for (i, change) in self.changes.iter().enumerate() {
            if i > 0 {
                changes.push(b',');
            }
            change.write_json(changes);
        }
        changes.push(b']');
        if let Some(a) = &self.agent_configuration {
            o.value("agent_configuration", a);
        }
        o.end();
    }
}

/// The dry run proper, on the stored policy's fields (already checked by
/// [`check_upgrade_allowed`]).
fn dry_run_item(
    mut current: Map<String, Value>,
    prepared: &PreparedPackage,
    experimental_features: Option<&Value>,
    agent: Option<DryRunAgent<'_>>,
) -> Result<DryRunItem> {
    let pkg = prepared.package();
    let features = experimental_features
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    if let Some(Value::Object(p)) = current.get_mut("package") {
        p.insert("experimental_data_stream_features".into(), features);
    }
    let mut package = current.get("package").cloned().unwrap_or(Value::Null);
    if let Value::Object(p) = &mut package {
        match pkg.get("version") {
            Some(v) => p.insert("version".into(), v.clone()),
            None => p.shift_remove("version"),
        };
    }
    // `{...omit(policy, 'id', 'spaceIds'), package: {...package, version}}`, built while merging
    // so the stored policy is not copied twice.
    let base = BasePolicy {
        stored: &current,
        omit: &["id", "spaceIds"],
        package: Some(package),
    };
    let mut proposed =
        update_package_inputs_prepared(&base, prepared, Some(prepared.default_inputs()), true)?;
    if let Value::Object(m) = &mut proposed {
        match pkg.get("elasticsearch") {
            Some(es) => m.insert("elasticsearch".into(), es.clone()),
            None => m.shift_remove("elasticsearch"),
        };
    }
    let current = Value::Object(current);
    #[cfg(feature = "agent-templates")]
    let agent_configuration = match agent {
        Some(agent) => compile_for_dry_run(&current, &mut proposed, pkg, agent)?,
        None => None,
    };
    #[cfg(not(feature = "agent-templates"))]
    let agent_configuration: Option<Value> = match agent {
        Some(_) => {
            return Err(Error::new(
                ErrorKind::TemplateError,
                "this build of fleetup compiles no agent templates",
            ))
        }
        None => None,
    };
    let agent_diff = crate::agent::agent_inputs(
        &current,
        Some(pkg),
        crate::agent::AgentPolicyContext::default(),
    );
    let changes = prepared.change_index().changes(
        &current,
        &proposed,
        crate::plan::changes::ChangeOptions::default(),
    );
    Ok(DryRunItem {
        current,
        proposed,
        agent_diff,
        changes,
        agent_configuration,
    })
}

/// Compiles the proposed policy of a dry run (in place) and returns the agent configuration
/// diff; a template that renders invalid YAML becomes an entry of the proposed `errors`.
#[cfg(feature = "agent-templates")]
fn compile_for_dry_run(
    current: &Value,
    proposed: &mut Value,
    pkg: &Value,
    agent: DryRunAgent<'_>,
) -> Result<Option<Value>> {
    let mut agent_configuration = None;
    let inputs = crate::policy::package::arr(proposed, "inputs");
    match crate::agent::compile_package_policy_inputs(
        pkg,
        proposed.get("vars"),
        inputs,
        agent.templates,
        agent.options,
    ) {
        Ok(compiled) => {
            if let Value::Object(m) = proposed {
                m.insert("inputs".into(), Value::Array(compiled));
            }
            let current_side = match agent.current {
                Some((old_pkg, old_templates)) => (current, Some(old_pkg), Some(old_templates)),
                None => (current, None, None),
            };
            let diff = crate::agent::ops::agent_config_diff(
                current_side,
                (&*proposed, pkg, None),
                agent.options,
                crate::agent::AgentPolicyContext::default(),
            )?;
            agent_configuration = Some(
                serde_json::to_value(diff)
                    .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?,
            );
        }
        Err(e) if e.kind() == ErrorKind::PackagePolicyValidation => {
            if let Value::Object(m) = proposed {
                let mut error = Map::new();
                error.insert("message".into(), Value::String(e.message().to_string()));
                match m.get_mut("errors") {
                    Some(Value::Array(list)) => list.push(Value::Object(error)),
                    _ => {
                        m.insert("errors".into(), Value::Array(vec![Value::Object(error)]));
                    }
                }
            }
        }
        Err(e) => return Err(e),
    }
    Ok(agent_configuration)
}
