//! Operations of this module in the JSON contract (Kibana-parity `fleet.*` policy operations).

use serde_json::Value;

use super::defaults::{
    package_to_package_policy, package_to_package_policy_inputs, NewPolicyOptions,
};
use super::dry_run::upgrade_dry_run;
use super::merge::update_package_inputs;
use super::prepared::PreparedPackage;
use super::simplified::{from_simplified, to_simplified};
use super::validate::{
    validate_config, validate_package_policy, validation_has_errors, ValidateOptions,
};
use crate::args::{type_name, Args};
use crate::dispatch::Op;
use crate::error::{Error, ErrorKind, Result};

/// This module's operations.
pub const OPS: &[Op] = &[
    Op {
        name: "fleet.validate_package_policy",
        summary:
            "Validate a package policy against its PackageInfo (Kibana's validatePackagePolicy).",
        run: validate_policy_op,
    },
    Op {
        name: "fleet.validate_package_policy_config",
        summary: "Validate one var entry against its definition (validatePackagePolicyConfig).",
        run: validate_config_op,
    },
    Op {
        name: "fleet.validation_has_errors",
        summary: "Whether a validation result holds errors (validationHasErrors).",
        run: has_errors_op,
    },
    Op {
        name: "fleet.package_to_package_policy_inputs",
        summary: "Default policy inputs of a package version (packageToPackagePolicyInputs).",
        run: defaults_inputs_op,
    },
    Op {
        name: "fleet.package_to_package_policy",
        summary: "A new package policy with the package's defaults (packageToPackagePolicy).",
        run: new_policy_op,
    },
    Op {
        name: "fleet.update_package_inputs",
        summary:
            "Upgrade a package policy's inputs and vars to a package version (updatePackageInputs).",
        run: update_inputs_op,
    },
    Op {
        name: "fleet.upgrade_dry_run",
        summary: "One item of Fleet's upgrade dry run: {name, diff, hasErrors, changes}.",
        run: dry_run_op,
    },
    Op {
        name: "fleet.parse_duration",
        summary: "Parse a Fleet duration var value (parseDuration): {isValid, valueNs, errors}.",
        run: parse_duration_op,
    },
    Op {
        name: "fleet.to_simplified_policy",
        summary: "Convert a package policy to Fleet's simplified format.",
        run: to_simplified_op,
    },
    Op {
        name: "fleet.from_simplified_policy",
        summary: "Build a full package policy from the simplified format and its PackageInfo.",
        run: from_simplified_op,
    },
];

fn string_list(args: &Args<'_>, name: &str) -> Result<Vec<String>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("`{name}` must hold strings"),
                    )
                    .at(format!("{}/{i}", crate::args::pointer(name)))
                })
            })
            .collect(),
        Some(other) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "argument `{name}` must be an array, got {}",
                type_name(other)
            ),
        )
        .at(crate::args::pointer(name))),
    }
}

/// `fleet.validate_package_policy` — args: `package_policy` (object), `package_info` (object),
/// `allowed_namespace_prefixes?` (string array). Result: Kibana's validation result object.
fn validate_policy_op(args: &Args<'_>) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    let pkg = args.object_value("package_info")?;
    let opts = ValidateOptions {
        allowed_namespace_prefixes: string_list(args, "allowed_namespace_prefixes")?,
    };
    Ok(validate_package_policy(policy, pkg, &opts))
}

/// `fleet.validate_package_policy_config` — args: `var` (the policy's entry `{type?, value?}`;
/// absent means undefined), `var_def` (registry definition; absent means undefined),
/// `var_name`, `package_type?`, `required_by_var_group?`. Result: `null` or an array of messages.
fn validate_config_op(args: &Args<'_>) -> Result<Value> {
    let entry = args.get("var");
    let def = args.get("var_def").filter(|d| !d.is_null());
    let name = args.str("var_name")?;
    let package_type = args.opt_str("package_type")?;
    let by_group = args.opt_bool("required_by_var_group")?.unwrap_or(false);
    Ok(validate_config(entry, def, name, package_type, by_group))
}

/// `fleet.validation_has_errors` — args: `validation_results`. Result: bool.
fn has_errors_op(args: &Args<'_>) -> Result<Value> {
    let v = args.get("validation_results").unwrap_or(&Value::Null);
    Ok(Value::Bool(validation_has_errors(v)))
}

/// `fleet.package_to_package_policy_inputs` — args: `package_info`, `integration_to_enable?`.
/// Result: the inputs array.
fn defaults_inputs_op(args: &Args<'_>) -> Result<Value> {
    let pkg = args.object_value("package_info")?;
    let only = args.opt_str("integration_to_enable")?;
    Ok(Value::Array(package_to_package_policy_inputs(pkg, only)))
}

/// `fleet.package_to_package_policy` — args: `package_info`, `agent_policy_ids?`, `namespace?`,
/// `name?`, `description?`, `integration_to_enable?`. Result: a new package policy.
fn new_policy_op(args: &Args<'_>) -> Result<Value> {
    let pkg = args.object_value("package_info")?;
    let opts = NewPolicyOptions {
        agent_policy_ids: string_list(args, "agent_policy_ids")?,
        namespace: args.opt_str("namespace")?,
        name: args.opt_str("name")?,
        description: args.opt_str("description")?,
        integration_to_enable: args.opt_str("integration_to_enable")?,
    };
    Ok(package_to_package_policy(pkg, &opts))
}

/// `fleet.update_package_inputs` — args: `package_policy`, `package_info`, `inputs_override?`
/// (default: the package's default inputs), `dry_run?` (false), `enforce_frozen?` (false: also
/// apply the save-time `enforceFrozenInputs` rules against `package_policy`), `force?` (false),
/// `agent_templates?` (compile the result's inputs as Kibana's upgrade does), `agent_version?`.
/// Result: the upgraded policy (with `errors` under `dry_run`); error `PACKAGE_POLICY_VALIDATION`
/// otherwise, or for a modified frozen var.
fn update_inputs_op(args: &Args<'_>) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    let pkg = args.object_value("package_info")?;
    let dry_run = args.opt_bool("dry_run")?.unwrap_or(false);
    let prepared;
    let overrides: &[Value] = match args.get("inputs_override") {
        None | Some(Value::Null) => {
            prepared = PreparedPackage::cached(pkg);
            prepared.default_inputs()
        }
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "argument `inputs_override` must be an array, got {}",
                    type_name(other)
                ),
            )
            .at("/inputs_override"))
        }
    };
    let mut out =
        update_package_inputs(policy, pkg, Some(overrides), dry_run).map_err(|e| {
            match e.kind() {
                ErrorKind::InvalidPolicy => e.under("/package_policy"),
                _ => e,
            }
        })?;
    #[cfg(feature = "agent-templates")]
    if let Some(templates) = crate::agent::templates_arg(args, "agent_templates")? {
        let opts = crate::agent::CompileOptions {
            agent_version: args.opt_str("agent_version")?,
            serverless: false,
        };
        out = crate::agent::compile_policy(&out, pkg, templates, opts)?;
    }
    #[cfg(not(feature = "agent-templates"))]
    crate::agent::templates_arg(args, "agent_templates")?;
    if args.opt_bool("enforce_frozen")?.unwrap_or(false) {
        let force = args.opt_bool("force")?.unwrap_or(false);
        let old_inputs = policy
            .get("inputs")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        if let Some(Value::Array(inputs)) = out.get_mut("inputs") {
            super::merge::enforce_frozen_inputs(old_inputs, inputs, force)?;
        }
    }
    Ok(out)
}

/// `fleet.upgrade_dry_run` — args: `package_policy` (stored policy), `package_info` (target),
/// `experimental_data_stream_features?`, `agent_templates?` (target's; compiles the proposed
/// policy), `current_package_info?` + `current_agent_templates?` (compile the current policy for
/// `agent_configuration`), `agent_version?`. Result: `{name, diff: [current, proposed],
/// agent_diff, hasErrors, changes, agent_configuration?}`; error `UPGRADE_NOT_ALLOWED` when the
/// target is older than the policy.
fn dry_run_op(args: &Args<'_>) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    let pkg = args.object_value("package_info")?;
    let features = args.get("experimental_data_stream_features");
    match dry_run_agent(args)? {
        None => upgrade_dry_run(policy, pkg, features),
        agent => super::dry_run::upgrade_dry_run_with(policy, pkg, features, agent),
    }
}

/// The dry run's agent template arguments, when `agent_templates` is given.
fn dry_run_agent<'a>(args: &Args<'a>) -> Result<Option<super::dry_run::DryRunAgent<'a>>> {
    let Some(templates) = crate::agent::templates_arg(args, "agent_templates")? else {
        return Ok(None);
    };
    let current = match (
        args.get("current_package_info").filter(|p| p.is_object()),
        crate::agent::templates_arg(args, "current_agent_templates")?,
    ) {
        (Some(p), Some(t)) => Some((p, t)),
        _ => None,
    };
    Ok(Some(super::dry_run::DryRunAgent {
        templates,
        current,
        options: crate::agent::CompileOptions {
            agent_version: args.opt_str("agent_version")?,
            serverless: false,
        },
    }))
}

/// `fleet.upgrade_dry_run` with `package_info` already resolved to a prepared package (see
/// `crate::lines`); the same checks in the same order as [`dry_run_op`].
pub(crate) fn dry_run_prepared(args: &Args<'_>, prepared: &PreparedPackage) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    super::dry_run::upgrade_dry_run_prepared(
        policy,
        prepared,
        args.get("experimental_data_stream_features"),
        dry_run_agent(args)?,
    )
}

/// [`dry_run_prepared`] on a policy (a JSON object) already taken out of `args`, which no longer
/// hold it; returns the item unserialised (see `crate::lines`).
pub(crate) fn dry_run_prepared_owned(
    args: &Args<'_>,
    policy: Value,
    prepared: &PreparedPackage,
) -> Result<super::dry_run::DryRunItem> {
    let features = args.get("experimental_data_stream_features");
    let agent = dry_run_agent(args)?;
    super::dry_run::upgrade_dry_run_owned(policy, prepared, features, agent)
}

/// `fleet.to_simplified_policy` — args: `package_policy`. Result: the simplified policy.
fn to_simplified_op(args: &Args<'_>) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    to_simplified(policy).map_err(|e| e.under("/package_policy"))
}

/// `fleet.from_simplified_policy` — args: `simplified_policy`, `package_info`. Result: the full
/// package policy (package defaults, then the given values); error `PACKAGE_POLICY_VALIDATION`
/// for unknown inputs, streams or vars.
fn from_simplified_op(args: &Args<'_>) -> Result<Value> {
    let simplified = args.object_value("simplified_policy")?;
    let pkg = args.object_value("package_info")?;
    from_simplified(simplified, pkg)
}

/// `fleet.parse_duration` — args: `input` (any JSON value). Result: `{isValid, valueNs, errors}`
/// as Kibana's `parseDuration` returns it.
fn parse_duration_op(args: &Args<'_>) -> Result<Value> {
    let d = super::validate::parse_duration(args.get("input").unwrap_or(&Value::Null));
    let mut out = serde_json::Map::new();
    out.insert("isValid".into(), Value::Bool(d.errors.is_empty()));
    out.insert(
        "valueNs".into(),
        serde_json::Number::from_f64(d.value_ns).map_or(Value::Null, Value::Number),
    );
    out.insert(
        "errors".into(),
        Value::Array(d.errors.into_iter().map(Value::String).collect()),
    );
    Ok(Value::Object(out))
}
