//! Read-only views over Kibana's JSON shapes that the plan code needs: where each var lives in a
//! package policy, and the definition of each var in a package.
//!
//! Everything here borrows the caller's documents; nothing is copied or normalised in place.

use std::collections::HashMap;

use crate::fields::Fields;
use serde_json::{Map, Value};

use crate::args::push_pointer_token;

/// Where a var lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Package-level ("global") vars: `policy.vars`.
    Package,
    /// Input-level vars: `policy.inputs[i].vars`.
    Input,
    /// Stream-level vars: `policy.inputs[i].streams[j].vars`.
    Stream,
}

impl Scope {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Package => "package",
            Scope::Input => "input",
            Scope::Stream => "stream",
        }
    }
}

/// `input.name ?? input.type`: how Kibana matches inputs across versions.
pub fn effective_name(input: &Map<String, Value>) -> &str {
    match input.field("name") {
        Some(Value::String(n)) if !n.is_empty() => n,
        _ => str_field(input, "type").unwrap_or(""),
    }
}

/// A string field, if present and a string.
pub fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// `stream.data_stream.dataset`.
pub fn stream_dataset(stream: &Map<String, Value>) -> &str {
    stream
        .field("data_stream")
        .and_then(Value::as_object)
        .and_then(|ds| str_field(ds, "dataset"))
        .unwrap_or("")
}

/// A var's `enabled` flag as Kibana reads it (absent counts as enabled only where Kibana does).
pub fn is_enabled(obj: &Map<String, Value>) -> bool {
    obj.field("enabled")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// One container of vars in a package policy (the package itself, an input or a stream).
#[derive(Debug, Clone)]
pub struct Container<'a> {
    /// Its scope.
    pub scope: Scope,
    /// The policy template of the input (input and stream scope).
    pub policy_template: Option<&'a str>,
    /// The input's effective name (input and stream scope).
    pub input: Option<&'a str>,
    /// The input's `type` (input and stream scope).
    pub input_type: Option<&'a str>,
    /// The stream's dataset (stream scope).
    pub dataset: Option<&'a str>,
    /// JSON Pointer to the container object (`""` for the package).
    pub pointer: String,
    /// Whether it is enabled (a stream counts as enabled only if its input is too).
    pub enabled: bool,
    /// The container object itself.
    pub object: &'a Map<String, Value>,
    /// Its vars, if any.
    pub vars: Option<&'a Map<String, Value>>,
    /// Its position in [`containers`]' list.
    pub index: usize,
}

impl Container<'_> {
    /// JSON Pointer to var `name` in this container.
    pub fn var_pointer(&self, name: &str) -> String {
        let mut p = String::with_capacity(self.pointer.len() + name.len() + 6);
        p.push_str(&self.pointer);
        p.push_str("/vars/");
        push_pointer_token(&mut p, name);
        p
    }

    /// A var's `value` (absent and `null` both give `None`).
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.vars?
            .field(name)?
            .field("value")
            .filter(|v| !v.is_null())
    }

    /// A var's entry `type`.
    pub fn entry_type(&self, name: &str) -> Option<&str> {
        self.vars?.field(name)?.field("type")?.as_str()
    }

    /// A short human label: `input logfile`, `stream nginx.access (logfile)`, `package`.
    pub fn label(&self) -> String {
        match self.scope {
            Scope::Package => "package settings".to_string(),
            Scope::Input => format!("input {}", self.input.unwrap_or("?")),
            Scope::Stream => format!(
                "stream {} ({})",
                self.dataset.unwrap_or("?"),
                self.input.unwrap_or("?")
            ),
        }
    }
}

/// Identity of a container across versions: how Kibana matches inputs and streams. Borrows from
/// the policy, so building and hashing keys allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerKey<'a> {
    /// Scope.
    pub scope: Scope,
    /// Policy template (empty when absent).
    pub policy_template: &'a str,
    /// Effective input name (empty at package scope).
    pub input: &'a str,
    /// Dataset (empty unless stream scope).
    pub dataset: &'a str,
}

/// Every var container of a package policy, in document order.
pub fn containers(policy: &Map<String, Value>) -> Vec<Container<'_>> {
    let mut out = Vec::new();
    out.push(Container {
        scope: Scope::Package,
        policy_template: None,
        input: None,
        input_type: None,
        dataset: None,
        pointer: String::new(),
        enabled: true,
        object: policy,
        vars: policy.field("vars").and_then(Value::as_object),
        index: 0,
    });
    let Some(inputs) = policy.field("inputs").and_then(Value::as_array) else {
        return out;
    };
    for (i, input) in inputs.iter().enumerate() {
        let Some(input) = input.as_object() else {
            continue;
        };
        let input_pointer = format!("/inputs/{i}");
        let input_enabled = is_enabled(input);
        let name = effective_name(input);
        let pt = str_field(input, "policy_template");
        let ty = str_field(input, "type");
        out.push(Container {
            scope: Scope::Input,
            policy_template: pt,
            input: Some(name),
            input_type: ty,
            dataset: None,
            pointer: input_pointer.clone(),
            enabled: input_enabled,
            object: input,
            vars: input.field("vars").and_then(Value::as_object),
            index: out.len(),
        });
        let Some(streams) = input.field("streams").and_then(Value::as_array) else {
            continue;
        };
        for (j, stream) in streams.iter().enumerate() {
            let Some(stream) = stream.as_object() else {
                continue;
            };
            out.push(Container {
                scope: Scope::Stream,
                policy_template: pt,
                input: Some(name),
                input_type: ty,
                dataset: Some(stream_dataset(stream)),
                pointer: format!("{input_pointer}/streams/{j}"),
                enabled: input_enabled && is_enabled(stream),
                object: stream,
                vars: stream.field("vars").and_then(Value::as_object),
                index: out.len(),
            });
        }
    }
    out
}

impl<'a> Container<'a> {
    /// This container's identity for matching across versions.
    pub fn key(&self) -> ContainerKey<'a> {
        ContainerKey {
            scope: self.scope,
            policy_template: self.policy_template.unwrap_or(""),
            input: self.input.unwrap_or(""),
            dataset: self.dataset.unwrap_or(""),
        }
    }
}

type Defs = HashMap<String, Map<String, Value>>;

/// The var definitions of one package version, by container. Owns copies of the definitions so
/// that it can be built once per package and shared by every policy planned against it.
#[derive(Debug, Default, Clone)]
pub struct VarDefs {
    package: Defs,
    /// policy template → input name or type → var name → definition.
    input: HashMap<String, HashMap<String, Defs>>,
    /// dataset → stream input → var name → definition.
    stream: HashMap<String, HashMap<String, Defs>>,
    /// dataset → stream input → the stream definition itself.
    stream_defs: HashMap<String, HashMap<String, Map<String, Value>>>,
    /// policy template → input → the input definition itself.
    input_defs: HashMap<String, HashMap<String, Map<String, Value>>>,
    /// Input packages: the stream vars of each policy template, by its `input`.
    input_package_stream: HashMap<String, Defs>,
    is_input_package: bool,
}

fn var_map(list: Option<&Value>) -> Defs {
    let mut out = HashMap::new();
    if let Some(Value::Array(vars)) = list {
        for v in vars {
            if let Some(obj) = v.as_object() {
                if let Some(name) = str_field(obj, "name") {
                    out.insert(name.to_string(), obj.clone());
                }
            }
        }
    }
    out
}

/// A container definition without its (separately indexed) vars.
fn without_vars(obj: &Map<String, Value>) -> Map<String, Value> {
    obj.iter()
        .filter(|(k, _)| k.as_str() != "vars")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl VarDefs {
    /// Indexes a PackageInfo document.
    pub fn new(pkg: &Value) -> Self {
        let mut defs = VarDefs::default();
        let Some(pkg) = pkg.as_object() else {
            return defs;
        };
        defs.package = var_map(pkg.field("vars"));
        defs.is_input_package = str_field(pkg, "type") == Some("input");
        if let Some(Value::Array(templates)) = pkg.field("policy_templates") {
            for pt in templates.iter().filter_map(Value::as_object) {
                let pt_name = str_field(pt, "name").unwrap_or("").to_string();
                if let Some(input_type) = str_field(pt, "input") {
                    // Input packages: the template's vars belong to its single synthetic stream.
                    defs.input_package_stream
                        .insert(input_type.to_string(), var_map(pt.field("vars")));
                    continue;
                }
                if let Some(Value::Array(inputs)) = pt.field("inputs") {
                    for input in inputs.iter().filter_map(Value::as_object) {
                        let name = effective_name(input).to_string();
                        defs.input
                            .entry(pt_name.clone())
                            .or_default()
                            .insert(name.clone(), var_map(input.field("vars")));
                        defs.input_defs
                            .entry(pt_name.clone())
                            .or_default()
                            .insert(name, without_vars(input));
                    }
                }
            }
        }
        if let Some(Value::Array(streams)) = pkg.field("data_streams") {
            for ds in streams.iter().filter_map(Value::as_object) {
                let dataset = str_field(ds, "dataset").unwrap_or("").to_string();
                if let Some(Value::Array(ss)) = ds.field("streams") {
                    for s in ss.iter().filter_map(Value::as_object) {
                        let input = str_field(s, "input").unwrap_or("").to_string();
                        defs.stream
                            .entry(dataset.clone())
                            .or_default()
                            .insert(input.clone(), var_map(s.field("vars")));
                        defs.stream_defs
                            .entry(dataset.clone())
                            .or_default()
                            .insert(input, without_vars(s));
                    }
                }
            }
        }
        defs
    }

    /// The definition of var `name` in `container`, if the package defines it there.
    pub fn get(&self, container: &Container<'_>, name: &str) -> Option<&Map<String, Value>> {
        self.of(container).get(name)
    }

    /// The var definitions of `container`, resolved once for all its vars.
    pub fn of(&self, container: &Container<'_>) -> ContainerDefs<'_> {
        let pt = container.policy_template.unwrap_or("");
        let input = container.input.unwrap_or("");
        match container.scope {
            Scope::Package => ContainerDefs {
                own: Some(&self.package),
                fallback: None,
            },
            Scope::Input => ContainerDefs {
                own: self.input.get(pt).and_then(|m| m.get(input)),
                fallback: None,
            },
            Scope::Stream => ContainerDefs {
                own: self
                    .stream
                    .get(container.dataset.unwrap_or(""))
                    .and_then(|m| m.get(input)),
                fallback: self
                    .is_input_package
                    .then(|| self.input_package_stream.get(input))
                    .flatten(),
            },
        }
    }

    /// The input or stream definition itself (for `deprecated` and the like), without its vars.
    pub fn container_def(&self, container: &Container<'_>) -> Option<&Map<String, Value>> {
        let input = container.input.unwrap_or("");
        match container.scope {
            Scope::Package => None,
            Scope::Input => self
                .input_defs
                .get(container.policy_template.unwrap_or(""))?
                .get(input),
            Scope::Stream => self
                .stream_defs
                .get(container.dataset.unwrap_or(""))?
                .get(input),
        }
    }
}

/// The var definitions of one container (see [`VarDefs::of`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct ContainerDefs<'d> {
    own: Option<&'d Defs>,
    /// Input packages: the template's vars, for a stream whose data stream does not define it.
    fallback: Option<&'d Defs>,
}

impl<'d> ContainerDefs<'d> {
    /// The definition of var `name`.
    pub fn get(&self, name: &str) -> Option<&'d Map<String, Value>> {
        self.own
            .and_then(|d| d.get(name))
            .or_else(|| self.fallback.and_then(|d| d.get(name)))
    }
}

/// Whether a var holds a secret: a password or `secret: true` var, or a secret reference value.
pub fn is_secret(def: Option<&Map<String, Value>>, value: Option<&Value>) -> bool {
    let by_def = def.is_some_and(|d| {
        d.field("secret").and_then(Value::as_bool) == Some(true)
            || str_field(d, "type") == Some("password")
    });
    by_def || value.is_some_and(is_secret_ref)
}

/// `{isSecretRef: true, …}`.
pub fn is_secret_ref(v: &Value) -> bool {
    v.field("isSecretRef").and_then(Value::as_bool) == Some(true)
}

/// What replaces a secret value in every human-facing output.
pub const MASK: &str = "********";

/// A value as it may be shown: secrets masked (element-wise for lists), references named as such.
pub fn shown(value: &Value, secret: bool) -> Value {
    if !secret {
        return value.clone();
    }
    match value {
        Value::Null => Value::Null,
        v if is_secret_ref(v) => Value::String("[secret reference]".into()),
        Value::Array(items) => Value::Array(items.iter().map(|i| shown(i, true)).collect()),
        _ => Value::String(MASK.into()),
    }
}
