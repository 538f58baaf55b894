//! Typed access to a request's `args` object, with errors that point at the offending argument.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};

/// The `args` object of a request. Every accessor reports problems as `INVALID_ARGUMENT` with a
/// JSON Pointer into `args` (e.g. `/version`).
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    map: &'a Map<String, Value>,
}

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

impl<'a> Args<'a> {
    /// Wraps an `args` value; `null` counts as `{}`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when `args` is neither an object nor null.
    pub fn new(args: &'a Value) -> Result<Self> {
        match args {
            Value::Object(map) => Ok(Args { map }),
            Value::Null => Ok(Args {
                map: EMPTY.get_or_init(Map::new),
            }),
            _ => Err(Error::new(ErrorKind::InvalidArgument, "`args` must be an object").at("")),
        }
    }

    /// The raw value of `name`, if present (an explicit `null` counts as present).
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    /// The raw value of a required argument (present and not null).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when it is missing or null.
    pub fn value(&self, name: &str) -> Result<&'a Value> {
        match self.map.get(name) {
            Some(Value::Null) | None => Err(missing(name)),
            Some(v) => Ok(v),
        }
    }

    /// A required string argument.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when it is missing or not a string.
    pub fn str(&self, name: &str) -> Result<&'a str> {
        match self.value(name)? {
            Value::String(s) => Ok(s),
            other => Err(wrong_type(name, "a string", other)),
        }
    }

    /// An optional string argument (absent or null gives `None`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when present with another type.
    pub fn opt_str(&self, name: &str) -> Result<Option<&'a str>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(name, "a string", other)),
        }
    }

    /// An optional boolean argument (absent or null gives `None`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when present with another type.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(name, "a boolean", other)),
        }
    }

    /// A required array argument.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when it is missing or not an array.
    pub fn array(&self, name: &str) -> Result<&'a Vec<Value>> {
        match self.value(name)? {
            Value::Array(a) => Ok(a),
            other => Err(wrong_type(name, "an array", other)),
        }
    }

    /// A required object argument.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when it is missing or not an object.
    pub fn object(&self, name: &str) -> Result<&'a Map<String, Value>> {
        match self.value(name)? {
            Value::Object(o) => Ok(o),
            other => Err(wrong_type(name, "an object", other)),
        }
    }

    /// A required object argument as the JSON value itself (for functions taking `&Value`).
    ///
    /// # Errors
    /// As [`Args::object`].
    pub fn object_value(&self, name: &str) -> Result<&'a Value> {
        let v = self.value(name)?;
        if v.is_object() {
            Ok(v)
        } else {
            Err(wrong_type(name, "an object", v))
        }
    }
}

/// The JSON Pointer of a top-level argument (`/name`, escaped per RFC 6901).
pub fn pointer(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 1);
    out.push('/');
    push_pointer_token(&mut out, name);
    out
}

/// Appends one RFC 6901 reference token (`~` → `~0`, `/` → `~1`).
pub fn push_pointer_token(out: &mut String, token: &str) {
    // Most tokens need no escaping: copied whole rather than character by character.
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

fn missing(name: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("missing required argument `{name}`"),
    )
    .at(pointer(name))
}

/// The JSON type name of a value, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "argument `{name}` must be {expected}, got {}",
            type_name(got)
        ),
    )
    .at(pointer(name))
}
