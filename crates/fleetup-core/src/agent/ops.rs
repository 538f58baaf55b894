//! Agent configuration operations of the JSON contract. Documented in `docs/API.md`.
//!
//! Agent templates are passed as `agent_templates`: an object from each template's path in the
//! package to its text, as `package.agent_templates` returns it.

use serde_json::{json, Map, Value};

use super::compile::{compile_package_policy_inputs, AgentTemplates, CompileOptions};
use super::inputs::{agent_inputs, AgentPolicyContext};
use super::template::{compile_template, MetaVariables};
pub(crate) use super::templates_arg;
use crate::args::{type_name, Args};
use crate::dispatch::Op;
use crate::error::{Error, ErrorKind, Result};

/// This module's operations.
pub const OPS: &[Op] = &[
    Op {
        name: "agent.compile_template",
        summary: "Compile one agent template with var entries, as Kibana's compileTemplate.",
        run: compile_template_op,
    },
    Op {
        name: "fleet.compile_package_policy_inputs",
        summary:
            "compiled_input / compiled_stream for a policy's inputs (_compilePackagePolicyInputs).",
        run: compile_inputs_op,
    },
    Op {
        name: "fleet.stored_package_policy_to_agent_inputs",
        summary: "The agent policy inputs of a package policy (storedPackagePolicyToAgentInputs).",
        run: agent_inputs_op,
    },
    Op {
        name: "agent.diff",
        summary:
            "What the agent runs before and after an upgrade: structured changes and a YAML diff.",
        run: diff_op,
    },
    Op {
        name: "agent.standalone_inputs",
        summary: "The inputs: section of a standalone elastic-agent.yml for a package policy.",
        run: standalone_inputs_op,
    },
    Op {
        name: "agent.standalone_upgrade",
        summary: "Carry a hand-edited standalone configuration to a new package version.",
        run: standalone_upgrade_op,
    },
];

fn required_templates<'a>(args: &Args<'a>, name: &str) -> Result<&'a AgentTemplates> {
    templates_arg(args, name)?.ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("missing argument `{name}`"),
        )
        .at(crate::args::pointer(name))
    })
}

fn compile_options<'a>(args: &Args<'a>) -> Result<CompileOptions<'a>> {
    Ok(CompileOptions {
        agent_version: args.opt_str("agent_version")?,
        serverless: args.opt_bool("serverless")?.unwrap_or(false),
    })
}

fn context<'a>(args: &Args<'a>) -> Result<AgentPolicyContext<'a>> {
    Ok(AgentPolicyContext {
        output_id: args.opt_str("output_id")?,
        namespace: args.opt_str("namespace")?,
    })
}

/// `agent.compile_template` — args: `template` (text), `vars?` (`{name: {type?, value?}}`),
/// `package?`, `input?`, `stream?` (meta variables), `agent_version?`. Result: the compiled value.
fn compile_template_op(args: &Args<'_>) -> Result<Value> {
    let template = args.str("template")?;
    let empty = Map::new();
    let vars = match args.get("vars") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "argument `vars` must be an object, got {}",
                    type_name(other)
                ),
            )
            .at("/vars"))
        }
    };
    let meta = MetaVariables {
        package: args.get("package"),
        input: args.get("input"),
        stream: args.get("stream"),
        agent_version: args.opt_str("agent_version")?,
    };
    compile_template(vars, &meta, template)
}

/// `fleet.compile_package_policy_inputs` — args: `package_info`, `agent_templates`, and either
/// `package_policy` or `inputs` (+ `vars?`, the package-level vars); `agent_version?`,
/// `serverless?`. Result: the inputs with `compiled_input` / `compiled_stream`.
fn compile_inputs_op(args: &Args<'_>) -> Result<Value> {
    let pkg = args.object_value("package_info")?;
    let templates = required_templates(args, "agent_templates")?;
    let (inputs, vars) = match args.get("package_policy") {
        Some(p) if !p.is_null() => (p.get("inputs"), p.get("vars")),
        _ => (Some(args.value("inputs")?), args.get("vars")),
    };
    let inputs = match inputs {
        Some(Value::Array(a)) => a.as_slice(),
        None | Some(Value::Null) => &[],
        Some(other) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("`inputs` must be an array, got {}", type_name(other)),
            )
            .at("/inputs"))
        }
    };
    compile_package_policy_inputs(pkg, vars, inputs, templates, compile_options(args)?)
        .map(Value::Array)
}

/// `fleet.stored_package_policy_to_agent_inputs` — args: `package_policy` (with compiled inputs
/// and streams), `package_info?`, `output_id?`, `namespace?`. Result: the agent inputs.
fn agent_inputs_op(args: &Args<'_>) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    let pkg = args.get("package_info").filter(|p| p.is_object());
    Ok(Value::Array(agent_inputs(policy, pkg, context(args)?)))
}

/// `agent.diff` — args: `current` and `proposed` policies, `package_info` (target),
/// `agent_templates?` (target; compiles `proposed`), `current_package_info?` +
/// `current_agent_templates?` (compile `current`; otherwise its stored compiled fields are used),
/// `agent_version?`, `output_id?`, `namespace?`. Result: `{before, after, changes, unified}`.
fn diff_op(args: &Args<'_>) -> Result<Value> {
    let current = args.object_value("current")?;
    let proposed = args.object_value("proposed")?;
    let pkg = args.object_value("package_info")?;
    let current_pkg = args.get("current_package_info").filter(|p| p.is_object());
    let opts = compile_options(args)?;
    let ctx = context(args)?;
    let diff = agent_config_diff(
        (
            current,
            current_pkg,
            templates_arg(args, "current_agent_templates")?,
        ),
        (proposed, pkg, templates_arg(args, "agent_templates")?),
        opts,
        ctx,
    )?;
    serde_json::to_value(diff).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
}

/// The agent configuration diff of an upgrade. Each side is `(policy, package, templates)`: with
/// templates the policy is compiled first, without them its stored compiled fields are used.
///
/// # Errors
/// Compilation errors.
pub fn agent_config_diff(
    current: (&Value, Option<&Value>, Option<&AgentTemplates>),
    proposed: (&Value, &Value, Option<&AgentTemplates>),
    opts: CompileOptions<'_>,
    ctx: AgentPolicyContext<'_>,
) -> Result<super::AgentDiff> {
    let before_policy = match (current.1, current.2) {
        (Some(pkg), Some(t)) => super::compile_policy(current.0, pkg, t, opts)?,
        _ => current.0.clone(),
    };
    let mut after_policy = match proposed.2 {
        Some(t) => super::compile_policy(proposed.0, proposed.1, t, opts)?,
        None => proposed.0.clone(),
    };
    // Fleet's dry run drops the id from the proposed policy; it is the same saved policy, so the
    // agent inputs keep the ids they are deployed with.
    if let (Value::Object(after), Some(id)) = (&mut after_policy, current.0.get("id")) {
        after.entry("id").or_insert_with(|| id.clone());
    }
    let before = agent_inputs(&before_policy, current.1.or(Some(proposed.1)), ctx);
    let after = agent_inputs(&after_policy, Some(proposed.1), ctx);
    let label = |p: &Value, pkg: Option<&Value>| {
        let name = p
            .pointer("/package/name")
            .and_then(Value::as_str)
            .unwrap_or("package");
        let version = p
            .pointer("/package/version")
            .and_then(Value::as_str)
            .or_else(|| pkg.and_then(|p| p.get("version")).and_then(Value::as_str))
            .unwrap_or("?");
        format!("{name} {version} (agent inputs)")
    };
    let labels = (
        label(current.0, current.1),
        label(proposed.0, Some(proposed.1)),
    );
    Ok(super::agent_diff(
        before,
        after,
        &[
            (current.0, current.1.or(Some(proposed.1))),
            (proposed.0, Some(proposed.1)),
        ],
        (&labels.0, &labels.1),
    ))
}

/// `agent.standalone_inputs` — args: `package_policy`, `package_info`, `agent_templates`,
/// `agent_version?`. Result: `{inputs, yaml}` (`yaml` is the `inputs:` section, secrets masked
/// only if `mask_secrets` is true — a standalone file needs the real values).
fn standalone_inputs_op(args: &Args<'_>) -> Result<Value> {
    let policy = args.object_value("package_policy")?;
    let pkg = args.object_value("package_info")?;
    let templates = required_templates(args, "agent_templates")?;
    let inputs = super::standalone::render(policy, pkg, templates, compile_options(args)?)?;
    let yaml = super::diff::inputs_yaml(&inputs);
    Ok(json!({"inputs": inputs, "yaml": yaml}))
}

/// `agent.standalone_upgrade` — args: `standalone` (the user's `elastic-agent.yml` as YAML text,
/// or as a parsed document), `package_policy` (the policy the file was made from, at the old
/// version), `current_package_info`, `current_agent_templates`, `package_info` (target),
/// `agent_templates` (target), `agent_version?`. Result: `{document, yaml, edits, errors?}`.
fn standalone_upgrade_op(args: &Args<'_>) -> Result<Value> {
    let document = match args.value("standalone")? {
        Value::String(text) => crate::yaml::parse(text).map_err(|e| e.under("/standalone"))?,
        other => other.clone(),
    };
    let policy = args.object_value("package_policy")?;
    let old_pkg = args.object_value("current_package_info")?;
    let old_templates = required_templates(args, "current_agent_templates")?;
    let pkg = args.object_value("package_info")?;
    let templates = required_templates(args, "agent_templates")?;
    let opts = compile_options(args)?;
    let base = super::standalone::render(policy, old_pkg, old_templates, opts)?;
    let item = crate::policy::dry_run::upgrade_dry_run(policy, pkg, None)?;
    let proposed = item.pointer("/diff/1").cloned().unwrap_or(Value::Null);
    let generated = super::standalone::render(&proposed, pkg, templates, opts)?;
    let name = crate::policy::package::s(pkg, "name").unwrap_or("");
    let result = super::standalone::upgrade(&document, name, &base, &generated)?;
    let mut out =
        serde_json::to_value(result).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
    if let (Value::Object(o), Some(errors)) = (&mut out, proposed.get("errors")) {
        o.insert("errors".into(), errors.clone());
    }
    Ok(out)
}
