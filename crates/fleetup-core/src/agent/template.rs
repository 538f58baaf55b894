//! One agent template compiled the way Kibana's `compileTemplate` does it.
//!
//! The pipeline, step by step as Kibana runs it:
//! 1. the policy's var entries (`{type, value}`) become template variables: dotted names nest
//!    (`data_stream.dataset` → `{data_stream: {dataset}}`), `yaml` vars become a quoted placeholder
//!    (`"##name##"`) whose parsed value is put back after step 4, secret references become
//!    `$co.elastic.secret{<id>}`, and `_meta` carries the package/input/stream meta variables;
//! 2. Handlebars renders the template with HTML escaping off and Kibana's helpers (`contains`,
//!    `escape_string`, `escape_multiline_string`, `to_json`, `url_encode`, `semverSatisfies`);
//! 3. placeholders that start a line are replaced by the YAML dump of their value (root-level
//!    merge of a `yaml` var into the document);
//! 4. the text is loaded as YAML (js-yaml semantics), top-level keys that became `null` from a
//!    blank string var are set back to `''`, and remaining placeholders anywhere are replaced by
//!    their parsed values.
//!
//! Handlebars itself is the `handlebars` crate. Where its semantics differ from handlebars.js,
//! the differences are closed here: values print with JavaScript's `String()` (arrays join with
//! `,`, `1.0` prints `1`), and `if`/`unless` use handlebars.js truthiness (`{}` is true).
//!
//! `web/test/agent_parity.test.mjs` compares this pipeline with handlebars.js + js-yaml over every
//! corpus template (docs/API.md, "Parity"; known divergences are listed there).

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::js;

/// Meta variables a template sees under `_meta` (Kibana's `getMetaVariables`).
#[derive(Debug, Clone, Default)]
pub struct MetaVariables<'a> {
    /// `package.name`, `package.title`, `package.version` of the package being compiled.
    pub package: Option<&'a Value>,
    /// The input being compiled (its `id`).
    pub input: Option<&'a Value>,
    /// The stream being compiled (its `id`, `data_stream.dataset`, `data_stream.type`).
    pub stream: Option<&'a Value>,
    /// The agent version templates may test with `semverSatisfies`; `None` for a parent policy.
    pub agent_version: Option<&'a str>,
}

impl MetaVariables<'_> {
    fn to_value(&self) -> Value {
        let field = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).cloned();
        let str_or_empty = |v: Option<Value>| match v {
            Some(v) if js::truthy(Some(&v)) => v,
            _ => Value::String(String::new()),
        };
        let mut package = Map::new();
        for k in ["name", "title", "version"] {
            if let Some(v) = field(self.package, k) {
                package.insert(k.into(), v);
            }
        }
        let data_stream = self.stream.and_then(|s| s.get("data_stream"));
        let mut ds = Map::new();
        ds.insert(
            "dataset".into(),
            str_or_empty(field(data_stream, "dataset")),
        );
        ds.insert("type".into(), str_or_empty(field(data_stream, "type")));
        let mut stream = Map::new();
        stream.insert("id".into(), str_or_empty(field(self.stream, "id")));
        stream.insert("data_stream".into(), Value::Object(ds));
        let mut input = Map::new();
        input.insert("id".into(), str_or_empty(field(self.input, "id")));
        let mut agent = Map::new();
        if let Some(v) = self.agent_version {
            agent.insert("version".into(), Value::String(v.into()));
        }
        let mut meta = Map::new();
        meta.insert("package".into(), Value::Object(package));
        meta.insert("stream".into(), Value::Object(stream));
        meta.insert("input".into(), Value::Object(input));
        meta.insert("agent".into(), Value::Object(agent));
        Value::Object(meta)
    }
}

/// Compiles one agent template with a policy's var entries (`{name: {type?, value?}}`), as
/// Kibana's `compileTemplate` does.
///
/// # Errors
/// `TEMPLATE_ERROR` ("Error while compiling agent template: …") when Handlebars fails or a var
/// name is unsafe; `PACKAGE_POLICY_VALIDATION` when the rendered text is not valid YAML (a
/// duplicated key gets Kibana's "Duplicated key … found in agent policy yaml" message).
pub fn compile_template(
    vars: &Map<String, Value>,
    meta: &MetaVariables<'_>,
    template: &str,
) -> Result<Value> {
    let (mut context, yaml_values) = build_template_variables(vars)?;
    context.insert("_meta".into(), meta.to_value());
    let context = Value::Object(context);
    let rendered = render(template, &context)?;
    let rendered = replace_root_level_yaml_variables(&yaml_values, rendered);
    let loaded = crate::yaml::parse(&rendered).map_err(|e| yaml_error(&e, &rendered))?;
    let patched = patch_blank_strings(loaded, &context)?;
    Ok(replace_variables_in_yaml(&yaml_values, patched))
}

/// Placeholder → parsed value of each `yaml` var (`null` for an empty one).
type YamlValues = Vec<(String, Value)>;

/// Kibana's `buildTemplateVariables`.
fn build_template_variables(vars: &Map<String, Value>) -> Result<(Map<String, Value>, YamlValues)> {
    let mut out = Map::new();
    let mut yaml_values = YamlValues::new();
    for (key, entry) in vars {
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        if last.is_empty() || !is_valid_key(last) {
            return Err(invalid_key(last));
        }
        let mut target = &mut out;
        for part in parts {
            if !is_valid_key(part) {
                return Err(invalid_key(part));
            }
            let slot = target.entry(part.to_string()).or_insert(Value::Null);
            if !js::truthy(Some(slot)) {
                *slot = Value::Object(Map::new());
            }
            target = match slot {
                Value::Object(m) => m,
                // JavaScript cannot add a property to a primitive in strict mode.
                other => {
                    return Err(compile_error(format!(
                        "Cannot create property '{last}' on {} '{}'",
                        js_type_of(other),
                        js::to_js_string(other)
                    )))
                }
            };
        }
        let entry = match entry {
            Value::Object(entry) => entry,
            Value::Null => {
                return Err(compile_error(
                    "Cannot read properties of null (reading 'type')".into(),
                ))
            }
            // A number, string, boolean or list has no `type` or `value`: the var is undefined.
            _ => {
                target.shift_remove(last);
                continue;
            }
        };
        let value = entry.get("value");
        if entry.get("type").and_then(Value::as_str) == Some("yaml") {
            let placeholder = format!("##{key}##");
            if js::truthy(value) {
                target.insert(last.into(), Value::String(format!("\"{placeholder}\"")));
                let text = value.map(js::to_js_string).unwrap_or_default();
                // A yaml var too big to expand keeps its LIMIT_EXCEEDED code.
                let parsed = crate::yaml::parse(&text).map_err(|e| {
                    let kind = match e.kind() {
                        ErrorKind::LimitExceeded => ErrorKind::LimitExceeded,
                        _ => ErrorKind::TemplateError,
                    };
                    Error::new(kind, format!("YAMLException: {}", e.message()))
                })?;
                yaml_values.push((placeholder, parsed));
            } else {
                target.insert(last.into(), Value::Null);
                yaml_values.push((placeholder, Value::Null));
            }
        } else if let Some(secret) = value.and_then(secret_reference) {
            target.insert(last.into(), secret?);
        } else if let Some(v) = value {
            target.insert(last.into(), v.clone());
        } else {
            // `varPart[last] = undefined` keeps (or creates) the key with no value.
            target.shift_remove(last);
        }
    }
    Ok((out, yaml_values))
}

/// `$co.elastic.secret{<id>}` for a secret reference (`{isSecretRef: true, id}` or `{…, ids}`):
/// `None` when `value` is not one; an error when its `ids` is set but is not a list.
fn secret_reference(value: &Value) -> Option<Result<Value>> {
    let obj = value.as_object()?;
    if !js::truthy(obj.get("isSecretRef")) {
        return None;
    }
    let compiled = |id: Option<&Value>| {
        Value::String(format!(
            "$co.elastic.secret{{{}}}",
            id.map_or_else(|| "undefined".to_string(), js::to_js_string)
        ))
    };
    Some(match obj.get("ids") {
        Some(Value::Array(ids)) => Ok(Value::Array(ids.iter().map(Some).map(compiled).collect())),
        ids if js::truthy(ids) => Err(compile_error(
            "recordEntry.value.ids.map is not a function".into(),
        )),
        _ => Ok(compiled(obj.get("id"))),
    })
}

fn is_valid_key(key: &str) -> bool {
    !matches!(key, "__proto__" | "constructor" | "prototype")
}

fn invalid_key(key: &str) -> Error {
    Error::new(
        ErrorKind::TemplateError,
        format!("Error while compiling agent template: Invalid key {key}"),
    )
}

pub(super) fn compile_error(message: String) -> Error {
    Error::new(
        ErrorKind::TemplateError,
        format!("Error while compiling agent template: {message}"),
    )
}

fn js_type_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        _ => "object",
    }
}

/// Kibana's message for YAML the template produced. For a duplicated key Kibana names the key
/// by reading the rendered text from where js-yaml reports the key (its start) up to the next
/// `:`, so a quoted key keeps its quotes and `a : 1` gives `a `.
fn yaml_error(e: &Error, text: &str) -> Error {
    let message = e.message();
    let text = match message
        .strip_prefix("duplicated mapping key `")
        .and_then(|rest| rest.rsplit_once("` (line "))
    {
        Some((key, at)) => {
            let key = key_text_at(text, at).unwrap_or_else(|| key.to_string());
            format!(
                "YAMLException: Duplicated key \"{key}\" found in agent policy yaml, please check your yaml variables."
            )
        }
        None => message.to_string(),
    };
    Error::new(ErrorKind::PackagePolicyValidation, text)
}

/// The text from `<line>, column <column>)` (1-based, as the YAML reader reports positions; a
/// line ends at `\n`, `\r\n` or `\r`) up to the next `:` or the end of `text`.
fn key_text_at(text: &str, at: &str) -> Option<String> {
    let (line, column) = at.strip_suffix(')')?.split_once(", column ")?;
    let (line, column): (usize, usize) = (line.parse().ok()?, column.parse().ok()?);
    let mut chars = text.char_indices().peekable();
    let mut current = 1;
    while current < line {
        let (_, c) = chars.next()?;
        if c == '\n' || (c == '\r' && chars.peek().map(|(_, n)| *n) != Some('\n')) {
            current += 1;
        }
    }
    let start = chars.nth(column.checked_sub(1)?)?.0;
    let rest = &text[start..];
    Some(rest[..rest.find(':').unwrap_or(rest.len())].to_string())
}

/// Kibana's `replaceRootLevelYamlVariables`: a placeholder at the start of a line (after `\n`,
/// `\r`, U+2028 or U+2029, as a JavaScript multiline `^`) becomes the YAML dump of its value
/// (nothing for an empty value).
fn replace_root_level_yaml_variables(yaml_values: &YamlValues, text: String) -> String {
    if yaml_values.is_empty() || text.is_empty() {
        return text;
    }
    let mut text = text;
    for (placeholder, value) in yaml_values {
        let quoted = format!("\"{placeholder}\"");
        if !text.contains(&quoted) {
            continue;
        }
        let replacement = if js::truthy(Some(value)) {
            crate::yaml::dump(value)
        } else {
            String::new()
        };
        let mut out = String::with_capacity(text.len() + replacement.len());
        let mut line_start = true;
        let mut rest = text.as_str();
        while !rest.is_empty() {
            if line_start && rest.starts_with(&quoted) {
                out.push_str(&replacement);
                rest = &rest[quoted.len()..];
                line_start = false;
                continue;
            }
            let ch = rest.chars().next().unwrap_or('\n');
            out.push(ch);
            // JavaScript's `^` with the `m` flag: after any line terminator.
            line_start = matches!(ch, '\n' | '\r' | '\u{2028}' | '\u{2029}');
            rest = &rest[ch.len_utf8()..];
        }
        text = out;
    }
    text
}

/// `Object.entries(load(text))` rebuilt into an object, with `null` top-level values set back to
/// `''` where the template variable of that name was a blank string (and no `__proto__` key).
fn patch_blank_strings(loaded: Value, vars: &Value) -> Result<Value> {
    let entries: Vec<(String, Value)> = match loaded {
        Value::Object(m) => m.into_iter().collect(),
        Value::Array(a) => a
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Value::String(s) => s
            .encode_utf16()
            .collect::<Vec<_>>()
            .iter()
            .enumerate()
            .map(|(i, u)| {
                (
                    i.to_string(),
                    Value::String(String::from_utf16_lossy(&[*u])),
                )
            })
            .collect(),
        Value::Null => {
            return Err(Error::new(
                ErrorKind::PackagePolicyValidation,
                "Cannot convert undefined or null to object",
            ))
        }
        Value::Bool(_) | Value::Number(_) => Vec::new(),
    };
    let mut out = Map::new();
    for (key, value) in entries {
        // `acc['__proto__'] = value` sets the prototype of Kibana's result (or does nothing):
        // no such key is left in the stored policy.
        if key == "__proto__" {
            continue;
        }
        let blank = value.is_null()
            && vars
                .get(&key)
                .and_then(Value::as_str)
                .is_some_and(|s| s.trim().is_empty());
        out.insert(
            key,
            if blank {
                Value::String(String::new())
            } else {
                value
            },
        );
    }
    Ok(Value::Object(out))
}

/// Kibana's `replaceVariablesInYaml`: string values equal to a placeholder become its value.
///
/// Kibana looks the string up with JavaScript's `in` on a plain object, which also finds the
/// names of `Object.prototype`: with at least one `yaml` var, a string such as `toString` is
/// replaced by a function, which the stored (JSON) policy drops from a mapping and writes as
/// `null` in a list, and `__proto__` by `Object.prototype`, written `{}`.
fn replace_variables_in_yaml(yaml_values: &YamlValues, value: Value) -> Value {
    if yaml_values.is_empty() {
        return value;
    }
    /// What a string becomes: `None` when it stays, `Some(None)` for a function.
    fn lookup(yaml_values: &YamlValues, s: &str) -> Option<Option<Value>> {
        if let Some((_, v)) = yaml_values.iter().find(|(k, _)| k == s) {
            return Some(Some(v.clone()));
        }
        match s {
            "__proto__" => Some(Some(Value::Object(Map::new()))),
            _ if OBJECT_PROTOTYPE_FUNCTIONS.contains(&s) => Some(None),
            _ => None,
        }
    }
    fn walk(yaml_values: &YamlValues, value: &mut Value) {
        match value {
            Value::Object(m) => {
                let mut dropped = Vec::new();
                for (k, v) in m.iter_mut() {
                    match v {
                        Value::String(s) => match lookup(yaml_values, s) {
                            Some(Some(found)) => *v = found,
                            Some(None) => dropped.push(k.clone()),
                            None => {}
                        },
                        _ => walk(yaml_values, v),
                    }
                }
                for k in dropped {
                    m.shift_remove(&k);
                }
            }
            Value::Array(a) => {
                for v in a.iter_mut() {
                    match v {
                        Value::String(s) => {
                            if let Some(found) = lookup(yaml_values, s) {
                                *v = found.unwrap_or(Value::Null);
                            }
                        }
                        _ => walk(yaml_values, v),
                    }
                }
            }
            _ => {}
        }
    }
    let mut value = value;
    walk(yaml_values, &mut value);
    value
}

/// The function-valued properties of JavaScript's `Object.prototype`.
const OBJECT_PROTOTYPE_FUNCTIONS: &[&str] = &[
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

// ---- Handlebars ----

#[path = "engine.rs"]
mod engine;
use engine::render;

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn compile(template: &str, vars: Value) -> Result<Value> {
        let Value::Object(vars) = vars else {
            unreachable!()
        };
        compile_template(&vars, &MetaVariables::default(), template)
    }

    fn ok(template: &str, vars: Value) -> Value {
        compile(template, vars).unwrap_or_else(|e| panic!("{template}: {e}"))
    }

    #[test]
    fn values_print_as_handlebars_js_prints_them() {
        let v = ok(
            "a: {{list}}\nb: '{{float}}'\nc: '{{missing}}'\nd: '{{obj}}'\ne: '{{big}} {{small}}'\n",
            json!({"list": {"value": ["x", "y"]}, "float": {"value": 1.0}, "obj": {"value": {"k": 1}}, "big": {"value": 1e21}, "small": {"value": 1.5e-7}}),
        );
        assert_eq!(
            v,
            json!({"a": "x,y", "b": "1", "c": "", "d": "[object Object]", "e": "1e+21 1.5e-7"})
        );
    }

    #[test]
    fn if_and_unless_use_javascript_truthiness() {
        let t = "a: {{#if v}}yes{{else}}no{{/if}}\nb: {{#unless v}}yes{{else}}no{{/unless}}\n";
        for (value, truthy) in [
            (json!({}), true),
            (json!([]), false),
            (json!(0), false),
            (json!(""), false),
            (json!("false"), true),
            (json!([0]), true),
        ] {
            let out = ok(t, json!({"v": {"value": value}}));
            let (a, b) = if truthy { ("yes", "no") } else { ("no", "yes") };
            assert_eq!(out, json!({"a": a, "b": b}), "{value}");
        }
        assert_eq!(
            ok(
                "a: {{#if v includeZero=true}}yes{{/if}}\n",
                json!({"v": {"value": 0}})
            ),
            json!({"a": "yes"})
        );
    }

    #[test]
    fn contains_renders_its_block_and_never_its_else() {
        let t = "{{#contains \"forwarded\" tags}}f: true{{else}}g: true{{/contains}}\nx: 1\n";
        assert_eq!(
            ok(t, json!({"tags": {"value": ["a", "forwarded"]}})),
            json!({"f": true, "x": 1})
        );
        assert_eq!(ok(t, json!({"tags": {"value": ["a"]}})), json!({"x": 1}));
        assert_eq!(
            ok(t, json!({"tags": {"value": "is forwarded"}})),
            json!({"f": true, "x": 1})
        );
        assert_eq!(
            ok(
                "a: '{{contains \"b\" s}}'\n",
                json!({"s": {"value": "abc"}})
            ),
            json!({"a": "true"})
        );
    }

    #[test]
    fn escape_helpers_keep_hostile_text_a_string() {
        let hostile = "it's: \"quoted\" - [not] {a: list} # nor a comment &anchor *alias";
        let v = ok("a: {{escape_string s}}\n", json!({"s": {"value": hostile}}));
        assert_eq!(v["a"], json!(hostile));
        let v = ok(
            "a: '{{escape_multiline_string s}}'\n",
            json!({"s": {"value": hostile}}),
        );
        assert_eq!(v["a"], json!(hostile));
        // Falsy values print nothing; a number is not a string (JavaScript's str.replace fails).
        assert_eq!(
            ok("a: {{escape_string s}}\n", json!({"s": {"value": ""}})),
            json!({"a": null})
        );
        let e = compile("a: {{escape_string n}}\n", json!({"n": {"value": 5}})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TemplateError);
    }

    #[test]
    fn to_json_and_url_encode() {
        let v = ok(
            "a: {{to_json obj}}\nb: {{to_json s}}\nc: {{url_encode u}}\n",
            json!({"obj": {"value": {"k": [1.0, "x"]}}, "s": {"value": "{\"raw\": true}"}, "u": {"value": "a b&c/d!'()*~"}}),
        );
        assert_eq!(v["a"], json!({"k": [1, "x"]}));
        assert_eq!(v["b"], json!({"raw": true}));
        assert_eq!(v["c"], json!("a%20b%26c%2Fd%21%27%28%29%2A~"));
    }

    #[test]
    fn semver_satisfies_tests_the_coerced_agent_version() {
        let t = "a: {{#semverSatisfies _meta.agent.version \"^9.3.0\"}}new{{else}}old{{/semverSatisfies}}\n";
        let compile_for = |agent: Option<&str>| {
            let meta = MetaVariables {
                agent_version: agent,
                ..MetaVariables::default()
            };
            compile_template(&serde_json::Map::new(), &meta, t).unwrap()
        };
        assert_eq!(compile_for(Some("9.3.1-SNAPSHOT")), json!({"a": "new"}));
        assert_eq!(compile_for(Some("9.2.0")), json!({"a": "old"}));
        assert_eq!(compile_for(None), json!({"a": "old"}));
    }

    #[test]
    fn yaml_vars_merge_at_the_root_and_replace_nested_placeholders() {
        let t = "a: 1\n{{custom}}\nnested: {{ssl}}\n";
        let v = ok(
            t,
            json!({"custom": {"type": "yaml", "value": "b: 2\nc: [x]\n"}, "ssl": {"type": "yaml", "value": "verification_mode: none"}}),
        );
        assert_eq!(
            v,
            json!({"a": 1, "b": 2, "c": ["x"], "nested": {"verification_mode": "none"}})
        );
        let e = compile(t, json!({"custom": {"type": "yaml", "value": "a: 2"}})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PackagePolicyValidation);
        assert!(
            e.message()
                .contains("Duplicated key \"a\" found in agent policy yaml"),
            "{e}"
        );
    }

    #[test]
    fn dotted_names_nest_and_secret_references_compile() {
        let v = ok(
            "ds: {{data_stream.dataset}}\npw: {{password}}\n",
            json!({"data_stream.dataset": {"value": "nginx.access"}, "password": {"value": {"isSecretRef": true, "id": "abc"}}}),
        );
        assert_eq!(
            v,
            json!({"ds": "nginx.access", "pw": "$co.elastic.secret{abc}"})
        );
        let e = compile("a: 1\n", json!({"__proto__.x": {"value": 1}})).unwrap_err();
        assert_eq!(
            e.message(),
            "Error while compiling agent template: Invalid key __proto__"
        );
    }

    #[test]
    fn blank_string_vars_stay_blank_and_length_reads_like_javascript() {
        let v = ok(
            "host: {{host}}\n{{#if tags.length}}n: {{tags.length}}{{/if}}\n",
            json!({"host": {"value": " "}, "tags": {"value": ["a", "b"]}}),
        );
        assert_eq!(v, json!({"host": "", "n": 2}));
    }

    // The tests below each pin a difference found by the differential test against
    // handlebars.js + js-yaml (web/scripts/agent-parity.mjs).

    #[test]
    fn prototype_names_are_replaced_as_kibana_replaces_them() {
        // Kibana's `value in yamlValues` finds Object.prototype's names: a function (dropped
        // from a mapping, null in a list) or, for `__proto__`, Object.prototype (`{}`).
        let t = "a: {{t}}\nb: [{{t}}, x]\nc: {{p}}\nd: {{y}}\n";
        let vars =
            |y: Value| json!({"t": {"value": "toString"}, "p": {"value": "__proto__"}, "y": y});
        assert_eq!(
            ok(t, vars(json!({"type": "yaml", "value": "k: v"}))),
            json!({"b": [null, "x"], "c": {}, "d": {"k": "v"}})
        );
        // Without a yaml var Kibana skips the replacement altogether.
        assert_eq!(
            ok(t, vars(json!({"value": "y"}))),
            json!({"a": "toString", "b": ["toString", "x"], "c": "__proto__", "d": "y"})
        );
    }

    #[test]
    fn a_root_proto_key_is_not_kept() {
        let v = ok(
            "{{custom}}\na: 1\nn:\n  __proto__: 2\n",
            json!({"custom": {"type": "yaml", "value": "__proto__: {x: 1}\nb: 2\n"}}),
        );
        assert_eq!(v, json!({"b": 2, "a": 1, "n": {"__proto__": 2}}));
    }

    #[test]
    fn placeholders_start_a_line_after_any_javascript_line_terminator() {
        for sep in ["\r", "\r\n"] {
            let v = ok(
                "a: 1\n{{x}}{{custom}}\n",
                json!({"x": {"value": sep}, "custom": {"type": "yaml", "value": "k: v"}}),
            );
            assert_eq!(v, json!({"a": 1, "k": "v"}), "{sep:?}");
        }
        let v = ok(
            "a: 1\n{{x}}{{custom}}\n",
            json!({"x": {"value": "\u{2028}"}, "custom": {"type": "yaml", "value": "k: v"}}),
        );
        assert_eq!(v, json!({"a": 1, "\u{2028}k": "v"}));
    }

    #[test]
    fn duplicated_keys_are_named_as_written() {
        for (template, key) in [
            ("\"a\": 1\n\"a\": 2\n", "\"a\""),
            ("a : 1\na : 2\n", "a "),
            ("x: {a: 1, a: 2}\n", "a"),
            ("x:\r\n  a: 1\r\n  a: 2\r\n", "a"),
            ("x:\r  b: 1\r  b: 2\r", "b"),
        ] {
            let e = compile(template, json!({})).unwrap_err();
            assert_eq!(
                e.message(),
                format!("YAMLException: Duplicated key \"{key}\" found in agent policy yaml, please check your yaml variables."),
                "{template:?}"
            );
        }
    }

    #[test]
    fn var_entries_that_are_not_objects_are_undefined() {
        assert_eq!(
            ok(
                "a: '{{x}}{{y}}{{z}}'\n",
                json!({"x": 5, "y": "text", "z": [1]})
            ),
            json!({"a": ""})
        );
        let e = compile("a: 1\n", json!({"x": null})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TemplateError);
        assert!(
            e.message().contains("Cannot read properties of null"),
            "{e}"
        );
    }

    #[test]
    fn secret_references_read_like_javascript() {
        assert_eq!(
            ok(
                "a: '{{s}}'\n",
                json!({"s": {"value": {"isSecretRef": true}}})
            ),
            json!({"a": "$co.elastic.secret{undefined}"})
        );
        let e = compile(
            "a: 1\n",
            json!({"s": {"value": {"isSecretRef": true, "id": "x", "ids": "nope"}}}),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TemplateError);
    }

    #[test]
    fn helpers_called_without_an_argument_see_the_options_object() {
        for t in [
            "a: '{{escape_string}}'\n",
            "a: '{{escape_multiline_string}}'\n",
            "a: {{#escape_string}}x{{/escape_string}}\n",
        ] {
            let e = compile(t, json!({})).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::TemplateError, "{t}");
        }
        assert_eq!(
            ok("a: '{{url_encode}}'\nb: '{{url_encode x}}'\n", json!({})),
            json!({"a": "%5Bobject%20Object%5D", "b": "undefined"})
        );
    }

    #[test]
    fn template_errors_are_clear() {
        let e = compile("{{#if}}x{{/if}}", json!({})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TemplateError);
        let e = compile("a: {{#each x}}", json!({})).unwrap_err();
        assert!(
            e.message()
                .starts_with("Error while compiling agent template: "),
            "{e}"
        );
        let e = compile("a: {{nohelper x}}", json!({})).unwrap_err();
        assert!(e.message().contains("nohelper"), "{e}");
        let e = compile("", json!({})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PackagePolicyValidation);
    }
}
