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

pub mod compile;
pub mod diff;
pub mod inputs;
pub mod ops;
pub mod standalone;
pub mod template;

pub use compile::{compile_package_policy_inputs, AgentTemplates, CompileOptions};
pub use diff::{agent_diff, AgentChange, AgentDiff};
pub use inputs::{agent_inputs, AgentPolicyContext};
pub use template::{compile_template, MetaVariables};

use serde_json::Value;

use crate::error::Result;

/// A copy of `policy` with its inputs compiled against `pkg`'s agent templates.
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
