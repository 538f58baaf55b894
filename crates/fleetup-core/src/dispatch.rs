//! The JSON operation contract: one dispatcher behind every surface.
//!
//! A request is `{"op": "<name>", "args": {…}}`; the response is exactly one of `{"ok": <result>}`
//! or `{"error": {"code", "message", "path?"}}`. Each domain module contributes a table of
//! [`Op`]s; this module only routes. See `docs/API.md` for every operation.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::args::Args;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::MAX_DOCUMENT_BYTES;

/// One operation of the contract.
pub struct Op {
    /// The fixed operation name, e.g. `semver.satisfies`.
    pub name: &'static str,
    /// One line for `fleetup call --list` and the docs.
    pub summary: &'static str,
    /// The implementation.
    pub run: fn(&Args<'_>) -> Result<Value>,
}

const META_OPS: &[Op] = &[
    Op {
        name: "meta.ops",
        summary: "List every operation with a one-line summary.",
        run: list_ops,
    },
    Op {
        name: "meta.version",
        summary: "The fleetup version and ABI version.",
        run: meta_version,
    },
    Op {
        name: "meta.error_codes",
        summary: "Every stable error code with its number.",
        run: error_codes,
    },
];

fn tables() -> [&'static [Op]; 7] {
    [
        META_OPS,
        crate::version::ops::OPS,
        crate::registry::ops::OPS,
        crate::package::ops::OPS,
        crate::policy::ops::OPS,
        crate::plan::ops::OPS,
        AGENT_OPS,
    ]
}

/// The agent configuration operations, when this build has them.
#[cfg(feature = "agent-templates")]
const AGENT_OPS: &[Op] = crate::agent::ops::OPS;
#[cfg(not(feature = "agent-templates"))]
const AGENT_OPS: &[Op] = &[];

fn index() -> &'static HashMap<&'static str, &'static Op> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Op>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for table in tables() {
            for op in table {
                let previous = map.insert(op.name, op);
                debug_assert!(previous.is_none(), "operation {} registered twice", op.name);
            }
        }
        map
    })
}

/// Every operation, in registration order.
pub fn operations() -> impl Iterator<Item = &'static Op> {
    tables().into_iter().flatten()
}

/// Runs operation `op` on `args`.
///
/// # Errors
/// `UNKNOWN_OP` for an unknown name, `INVALID_ARGUMENT` when `args` is not an object, and
/// whatever the operation itself reports.
///
/// # Example
/// ```
/// let ok = fleetup_core::dispatch("semver.valid", &serde_json::json!({"version": " v1.2.3 "}));
/// assert_eq!(ok.unwrap(), "1.2.3");
/// ```
pub fn dispatch(op: &str, args: &Value) -> Result<Value> {
    let Some(entry) = index().get(op) else {
        return Err(
            Error::new(ErrorKind::UnknownOp, format!("unknown operation `{op}`")).at("/op"),
        );
    };
    (entry.run)(&Args::new(args)?)
}

/// Runs a request given as a parsed JSON value and returns the response envelope.
pub fn call_value(request: &Value) -> Value {
    let mut envelope = serde_json::Map::with_capacity(1);
    match run_request(request) {
        Ok(v) => envelope.insert("ok".into(), v),
        Err(e) => envelope.insert("error".into(), e.to_json()),
    };
    Value::Object(envelope)
}

/// Runs a request given as JSON text and returns the response envelope as JSON text.
///
/// Never panics on any input: malformed requests become `INVALID_JSON`, oversized ones
/// `LIMIT_EXCEEDED`.
///
/// # Example
/// ```
/// let out = fleetup_core::call(r#"{"op":"semver.satisfies","args":{"version":"9.1.0","range":"^8.13.0 || ^9.0.0"}}"#);
/// assert_eq!(out, r#"{"ok":true}"#);
/// ```
pub fn call(request: &str) -> String {
    let mut out = String::with_capacity(64);
    call_into(request, &mut out);
    out
}

/// Like [`call`], appending the response to `out` (lets hot loops reuse one buffer).
pub fn call_into(request: &str, out: &mut String) {
    if let Some(result) = crate::lines::try_cached_dry_run(request) {
        match result {
            Ok(crate::lines::Answer::DryRun(item)) => {
                write_response(out, |buf| write_ok(buf, |buf| item.write_json(buf)));
            }
            Ok(crate::lines::Answer::Value(v)) => write_envelope(Ok(v), out),
            Err(e) => write_response(out, |buf| write_error(buf, &e)),
        }
        return;
    }
    let result = parse_request(request).and_then(|req| run_request(&req));
    write_envelope(result, out);
}

/// Runs a request given as bytes (which must be UTF-8) and returns the response bytes.
pub fn call_bytes(request: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(request) {
        Ok(text) => call(text).into_bytes(),
        Err(e) => {
            let mut out = String::new();
            let err = Error::new(
                ErrorKind::InvalidUtf8,
                format!(
                    "request is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            );
            write_envelope(Err(err), &mut out);
            out.into_bytes()
        }
    }
}

fn write_envelope(result: Result<Value>, out: &mut String) {
    write_response(out, |buf| match result {
        Ok(v) => write_ok(buf, |buf| crate::json_text::write_value(buf, &v)),
        Err(e) => write_error(buf, &e),
    });
}

/// `{"ok":…}` around what `body` writes.
fn write_ok(buf: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    buf.extend_from_slice(b"{\"ok\":");
    body(buf);
    buf.push(b'}');
}

fn write_error(buf: &mut Vec<u8>, e: &Error) {
    buf.extend_from_slice(b"{\"error\":");
    crate::json_text::write_value(buf, &e.to_json());
    buf.push(b'}');
}

/// Appends what `write` writes to `out`, straight into its buffer (no temporary string).
fn write_response(out: &mut String, write: impl FnOnce(&mut Vec<u8>)) {
    let mut buf = std::mem::take(out).into_bytes();
    write(&mut buf);
    // Only valid UTF-8 is ever written; the check keeps that an invariant rather than a hope.
    *out = String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// Parses JSON text under the document limits.
///
/// # Errors
/// `LIMIT_EXCEEDED` for documents over [`MAX_DOCUMENT_BYTES`] or nested too deeply,
/// `INVALID_JSON` otherwise.
pub fn parse_json(text: &str) -> Result<Value> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "document is {} bytes; the limit is {} bytes",
                text.len(),
                MAX_DOCUMENT_BYTES
            ),
        ));
    }
    serde_json::from_str(text).map_err(json_error)
}

/// Maps a serde_json error to the contract's codes.
pub fn json_error(e: serde_json::Error) -> Error {
    let msg = e.to_string();
    if msg.starts_with("recursion limit exceeded") {
        Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "JSON nesting is deeper than {} levels (line {}, column {})",
                crate::limits::MAX_JSON_DEPTH,
                e.line(),
                e.column()
            ),
        )
    } else {
        Error::new(ErrorKind::InvalidJson, format!("invalid JSON: {msg}"))
    }
}

fn parse_request(text: &str) -> Result<Value> {
    parse_json(text)
}

pub(crate) fn run_request(request: &Value) -> Result<Value> {
    let Value::Object(req) = request else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "a request must be a JSON object {\"op\", \"args\"}",
        )
        .at(""));
    };
    let op = match req.get("op") {
        Some(Value::String(op)) => op,
        Some(_) => {
            return Err(Error::new(ErrorKind::InvalidArgument, "`op` must be a string").at("/op"))
        }
        None => {
            return Err(Error::new(ErrorKind::InvalidArgument, "the request has no `op`").at("/op"))
        }
    };
    let null = Value::Null;
    dispatch(op, req.get("args").unwrap_or(&null))
}

fn list_ops(_: &Args<'_>) -> Result<Value> {
    Ok(Value::Array(
        operations()
            .map(|op| serde_json::json!({"name": op.name, "summary": op.summary}))
            .collect(),
    ))
}

fn meta_version(_: &Args<'_>) -> Result<Value> {
    Ok(serde_json::json!({"version": crate::VERSION}))
}

fn error_codes(_: &Args<'_>) -> Result<Value> {
    Ok(Value::Array(
        ErrorKind::ALL
            .iter()
            .map(|k| serde_json::json!({"code": k.code(), "number": k.number()}))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_errors() {
        assert!(call("{").contains("\"INVALID_JSON\""));
        assert!(call("[]").contains("\"INVALID_ARGUMENT\""));
        assert!(call(r#"{"op":"nope"}"#).contains("\"UNKNOWN_OP\""));
        assert!(call(r#"{"op":"meta.ops","args":5}"#).contains("\"INVALID_ARGUMENT\""));
        assert!(String::from_utf8(call_bytes(b"{\xff}"))
            .unwrap()
            .contains("\"INVALID_UTF8\""));
        let deep = "[".repeat(100_000);
        assert!(call(&deep).contains("\"LIMIT_EXCEEDED\""));
    }

    #[test]
    fn meta_ops_lists_every_operation_once() {
        let mut names = std::collections::HashSet::new();
        for op in operations() {
            assert!(names.insert(op.name), "{} registered twice", op.name);
        }
        assert!(call(r#"{"op":"meta.ops"}"#).starts_with("{\"ok\":["));
    }
}
