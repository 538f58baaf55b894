//! What Elastic Agent actually runs for a package policy: Kibana's agent template compilation
//! (`compiled_input` / `compiled_stream`), the agent policy inputs built from it, the agent
//! configuration diff of an upgrade, and standalone agent configuration.
//!
//! - [`template`]: one Handlebars template → YAML value (`compileTemplate`);
//! - [`compile`]: every input and stream of a policy (`_compilePackagePolicyInputs`);
//! - [`inputs`]: agent policy inputs of a package policy (`storedPackagePolicyToAgentInputs`);
//! - [`diff`]: before/after agent inputs as structured changes and a unified YAML diff;
//! - [`standalone`]: the `inputs:` section of a standalone `elastic-agent.yml`, and carrying a
//!   hand-edited one over to a new package version.

//!
//! Everything but [`inputs`] (which Kibana's dry run needs for its `agent_diff`) is behind the
//! `agent-templates` feature (on by default): the WebAssembly core module leaves it out and a
//! separate agent module carries it.

pub mod inputs;

#[cfg(feature = "agent-templates")]
pub mod compile;
#[cfg(feature = "agent-templates")]
pub mod diff;
#[cfg(feature = "agent-templates")]
pub mod ops;
#[cfg(feature = "agent-templates")]
pub mod standalone;
#[cfg(feature = "agent-templates")]
pub mod template;

#[cfg(feature = "agent-templates")]
pub use compile::compile_package_policy_inputs;
#[cfg(feature = "agent-templates")]
pub use diff::{agent_diff, AgentChange, AgentDiff};
pub use inputs::{agent_inputs, AgentPolicyContext};
#[cfg(feature = "agent-templates")]
pub use template::{compile_template, MetaVariables};

use serde_json::{Map, Value};

use crate::args::{type_name, Args};
use crate::error::{Error, ErrorKind, Result};

/// The agent templates of one package version, keyed by path.
pub type AgentTemplates = Map<String, Value>;

/// Options of a compilation.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompileOptions<'a> {
    /// The agent version templates see as `_meta.agent.version` (none for a parent policy).
    pub agent_version: Option<&'a str>,
    /// Whether index privileges on Serverless apply (drops `read_cross_cluster`).
    pub serverless: bool,
}

/// An `agent_templates`-style argument: an object of template texts.
///
/// # Errors
/// `INVALID_ARGUMENT` for anything else; `TEMPLATE_ERROR` when this build has no template engine.
pub fn templates_arg<'a>(args: &Args<'a>, name: &str) -> Result<Option<&'a AgentTemplates>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            if let Some((k, v)) = m.iter().find(|(_, v)| !v.is_string()) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("template `{k}` must be a string, got {}", type_name(v)),
                )
                .at(format!("{}/{}", crate::args::pointer(name), k)));
            }
            if cfg!(feature = "agent-templates") {
                Ok(Some(m))
            } else {
                Err(Error::new(
                    ErrorKind::TemplateError,
                    "this build of fleetup compiles no agent templates (in the browser, load the agent module)",
                )
                .at(crate::args::pointer(name)))
            }
        }
        Some(other) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "argument `{name}` must be an object of template texts, got {}",
                type_name(other)
            ),
        )
        .at(crate::args::pointer(name))),
    }
}

/// A copy of `policy` with its inputs compiled against `pkg`'s agent templates.
#[cfg(feature = "agent-templates")]
///
/// # Errors
/// See [`compile_package_policy_inputs`].
pub fn compile_policy(
    policy: &Value,
    pkg: &Value,
    templates: &AgentTemplates,
    opts: CompileOptions<'_>,
) -> Result<Value> {
    let inputs = crate::policy::package::arr(policy, "inputs");
    let compiled = compile_package_policy_inputs(pkg, policy.get("vars"), inputs, templates, opts)?;
    let mut out = policy.clone();
    if let Value::Object(m) = &mut out {
        m.insert("inputs".into(), Value::Array(compiled));
    }
    Ok(out)
}
