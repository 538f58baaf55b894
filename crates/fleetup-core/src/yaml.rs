//! YAML 1.2 documents as JSON values, the way js-yaml (Kibana's parser) reads them.
//!
//! PLACEHOLDER: a minimal conversion over `yaml-rust2`'s loader. The package-loading work replaces
//! it with an event-based builder that bounds alias expansion and reports lines; keep the signature.

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::error::{Error, ErrorKind, Result};

/// Parses one YAML document (an empty document is `null`).
///
/// # Errors
/// `INVALID_YAML` with the parser's message and position.
pub fn parse(text: &str) -> Result<Value> {
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| Error::new(ErrorKind::InvalidYaml, e.to_string()))?;
    Ok(docs.first().map(to_json).unwrap_or(Value::Null))
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        Yaml::Real(r) => r.clone(),
                        _ => "null".to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}
