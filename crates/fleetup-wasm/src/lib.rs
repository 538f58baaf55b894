//! # fleetup-wasm
//!
//! WebAssembly bindings of [`fleetup_core`] for browsers and Node, generated with wasm-bindgen.
//!
//! Two layers, both over the one JSON dispatcher of the core:
//!
//! - the contract: [`call`] takes a request object `{op, args}` and returns the response envelope
//!   (`{ok}` or `{error}`) as a plain object; [`call_json`] is the same on JSON text; [`invoke`]
//!   returns the result or throws;
//! - typed functions for the common jobs ([`satisfies`], [`compare`], [`dry_run`],
//!   [`plan_policy`], [`resolve`], [`validate`], [`parse_yaml`]), which throw a JS `Error` whose
//!   `code` (stable string), `number` and `path` (JSON Pointer, where it applies) come from the
//!   core's error.
//!
//! Values cross the boundary as plain JS objects: documents as JSON text parsed on the other side
//! (fastest for Fleet-sized documents), scalars directly as JS primitives. Either way results are exactly the JSON the CLI prints.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fleetup_core::{Error, ErrorKind};
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;

mod types;

#[wasm_bindgen]
extern "C" {
    /// A request `{op, args}`.
    #[wasm_bindgen(typescript_type = "FleetupRequest")]
    pub type JsRequest;
    /// A response envelope `{ok}` or `{error}`.
    #[wasm_bindgen(typescript_type = "FleetupResponse")]
    pub type JsResponse;
    /// node-semver options.
    #[wasm_bindgen(typescript_type = "SemverOptions")]
    pub type JsSemverOptions;
    /// A package policy (Fleet's saved-object shape).
    #[wasm_bindgen(typescript_type = "PackagePolicy")]
    pub type JsPackagePolicy;
    /// A PackageInfo (Fleet's EPM shape).
    #[wasm_bindgen(typescript_type = "PackageInfo")]
    pub type JsPackageInfo;
    /// The dry-run result.
    #[wasm_bindgen(typescript_type = "DryRunResult")]
    pub type JsDryRun;
    /// Arguments of `plan.policy`.
    #[wasm_bindgen(typescript_type = "PlanPolicyArgs")]
    pub type JsPlanArgs;
    /// The result of `plan.policy`.
    #[wasm_bindgen(typescript_type = "PolicyPlan")]
    pub type JsPlan;
    /// Arguments of `plan.resolve`.
    #[wasm_bindgen(typescript_type = "ResolveArgs")]
    pub type JsResolveArgs;
    /// The result of `plan.resolve`.
    #[wasm_bindgen(typescript_type = "Resolution")]
    pub type JsResolution;
    /// Kibana's validation result.
    #[wasm_bindgen(typescript_type = "ValidationResult")]
    pub type JsValidation;
    /// Any JSON value.
    #[wasm_bindgen(typescript_type = "JsonValue")]
    pub type JsJson;
}

/// Converts a result to a plain JS value.
///
/// Documents go through JSON text (`serde_json` → `JSON.parse`): on Fleet-sized documents
/// (a 100 KB PackageInfo, a change list of hundreds of records) that is about three times
/// faster than building the object graph call by call across the boundary, and gives exactly
/// the JSON the other surfaces print.
fn to_js(value: &Value) -> Result<JsValue, JsValue> {
    match value {
        // Scalars are cheaper to hand over directly.
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => small_to_js(value),
        _ => {
            let text = serde_json::to_string(value).map_err(|e| internal(&e.to_string()))?;
            js_sys::JSON::parse(&text).map_err(|_| internal("the result is not valid JSON"))
        }
    }
}

/// A scalar as the JS value it is: as serde-wasm-bindgen's JSON-compatible mode did (integers
/// outside JavaScript's safe range are refused rather than rounded), without linking a second
/// serde data format (and core's float printer, which its error messages need).
fn small_to_js(value: &Value) -> Result<JsValue, JsValue> {
    const MAX_SAFE: u64 = (1 << 53) - 1;
    let unsafe_number = |n: &dyn std::fmt::Display| {
        internal(&format!(
            // The wording serde-wasm-bindgen gave (its errors printed as JS `Error`s).
            "cannot convert the result: Error: {n} can't be represented as a JavaScript number"
        ))
    };
    Ok(match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::String(s) => JsValue::from_str(s),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if u > MAX_SAFE {
                    return Err(unsafe_number(&u));
                }
                JsValue::from_f64(u as f64)
            } else if let Some(i) = n.as_i64() {
                if i.unsigned_abs() > MAX_SAFE {
                    return Err(unsafe_number(&i));
                }
                JsValue::from_f64(i as f64)
            } else {
                JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        // Only scalars come here; anything else goes through JSON text.
        Value::Array(_) | Value::Object(_) => return to_js(value),
    })
}

/// A JS primitive as JSON, as serde-wasm-bindgen read it into a `serde_json::Value`: safe
/// integers as integers, other numbers as floats (NaN and infinities as `null`), BigInts
/// inside i64/u64, and an error naming anything else (symbols, functions).
fn primitive_from_js(value: &JsValue) -> Result<Value, String> {
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if value.is_bigint() {
        return i64::try_from(value.clone())
            .map(Value::from)
            .or_else(|v| u64::try_from(v).map(Value::from))
            .map_err(|_| {
                "Error: Couldn't deserialize i64 or u64 from a BigInt outside i64::MIN..u64::MAX bounds"
                    .to_string()
            });
    }
    if let Some(f) = value.as_f64() {
        return Ok(if js_sys::Number::is_safe_integer(value) {
            Value::from(f as i64)
        } else {
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        });
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    Err(format!(
        "Error: invalid type: {value:?}, expected any valid JSON value"
    ))
}

fn internal(message: &str) -> JsValue {
    js_error(&Error::new(ErrorKind::Internal, message))
}

/// Reads a JS value as JSON; `undefined` counts as `null`. `path` locates it in the request.
///
/// Objects and arrays go through `JSON.stringify` and the core's size- and depth-limited JSON
/// reader (fast for large documents, and the same limits as every other surface); other values
/// by [`primitive_from_js`], which rejects what JSON cannot hold (functions, symbols, big BigInts).
fn from_js(value: JsValue, path: &str) -> Result<Value, Error> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    if value.is_object() && !value.is_function() {
        let text = js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    "not a JSON-compatible value (a cycle, a BigInt or a throwing toJSON)",
                )
                .at(path)
            })?;
        return fleetup_core::dispatch::parse_json(&text).map_err(|e| e.under(path));
    }
    primitive_from_js(&value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("not a JSON-compatible value: {e}"),
        )
        .at(path)
    })
}

/// The JS `Error` for a core error: `message` is the core's sentence, and `code`, `number` and
/// (when known) `path` are set as own properties so callers never parse messages.
fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(e.message());
    err.set_name("FleetupError");
    let obj: &JsValue = err.as_ref();
    // Reflect::set only fails on frozen or proxied targets, which a fresh Error is not.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &e.code().into());
    let _ = js_sys::Reflect::set(obj, &"number".into(), &e.kind().number().into());
    if let Some(p) = e.path() {
        let _ = js_sys::Reflect::set(obj, &"path".into(), &p.into());
    }
    err.into()
}

/// Runs one operation and converts both ways, throwing on error.
fn run(op: &str, args: Value) -> Result<JsValue, JsValue> {
    match fleetup_core::dispatch(op, &args) {
        Ok(v) => to_js(&v),
        Err(e) => Err(js_error(&e)),
    }
}

/// Builds an `args` object from named JS values (skipping `undefined` ones).
fn args(pairs: Vec<(&str, JsValue)>) -> Result<Value, JsValue> {
    let mut map = Map::new();
    for (name, value) in pairs {
        if value.is_undefined() {
            continue;
        }
        let v = from_js(value, &format!("/{name}")).map_err(|e| js_error(&e))?;
        map.insert(name.to_string(), v);
    }
    Ok(Value::Object(map))
}

/// Runs a request object `{op, args}` and returns the response envelope: `{ok: result}` or
/// `{error: {code, message, path?}}`. Never throws for bad input.
#[wasm_bindgen]
pub fn call(request: JsRequest) -> Result<JsResponse, JsValue> {
    let envelope = match from_js(request.into(), "") {
        Ok(req) => fleetup_core::call_value(&req),
        Err(e) => json!({ "error": e.to_json() }),
    };
    to_js(&envelope).map(Into::into)
}

/// A string argument. The glue wasm-bindgen generates for `&str` parameters trusts the caller
/// and reads whatever it is given as a string (a boolean corrupts the heap), so every string
/// crosses as a `JsValue` and is checked here.
fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        js_error(
            &Error::new(
                ErrorKind::InvalidArgument,
                format!("`{name}` must be a string"),
            )
            .at(format!("/{name}")),
        )
    })
}

/// Runs a request given as JSON text and returns the response envelope as JSON text (the same
/// bytes `fleetup call` prints). A non-string request gets an `INVALID_ARGUMENT` envelope.
#[wasm_bindgen(js_name = callJson)]
pub fn call_json(#[wasm_bindgen(unchecked_param_type = "string")] request: JsValue) -> String {
    match request.as_string() {
        Some(text) => fleetup_core::call(&text),
        None => json!({"error": Error::new(ErrorKind::InvalidArgument, "the request must be JSON text (a string)").at("").to_json()}).to_string(),
    }
}

/// Runs a request given as bytes (a `Uint8Array`, which must hold UTF-8) and returns the
/// response envelope as UTF-8 bytes; invalid UTF-8 gets an `INVALID_UTF8` envelope, as in C.
#[wasm_bindgen(js_name = callBytes)]
pub fn call_bytes(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] request: JsValue,
) -> js_sys::Uint8Array {
    // Checked here rather than by a `&[u8]` parameter, whose glue trusts the caller's type.
    let out = match request.dyn_into::<js_sys::Uint8Array>() {
        Ok(bytes) => fleetup_core::call_bytes(&bytes.to_vec()),
        Err(_) => json!({"error": Error::new(ErrorKind::InvalidArgument, "the request must be a Uint8Array").at("").to_json()})
            .to_string()
            .into_bytes(),
    };
    js_sys::Uint8Array::from(out.as_slice())
}

/// Runs operation `op` on `args` and returns its result; throws a `FleetupError` (with `code`,
/// `number` and `path`) on failure.
#[wasm_bindgen]
pub fn invoke(
    #[wasm_bindgen(unchecked_param_type = "string")] op: JsValue,
    args: JsJson,
) -> Result<JsJson, JsValue> {
    let op = string_arg(&op, "op")?;
    let a = from_js(args.into(), "").map_err(|e| js_error(&e))?;
    run(&op, a).map(Into::into)
}

/// Builds `args` for a two-argument operation with optional `options`; the values go to the core
/// as they are, so its own rules for wrong types apply (e.g. `satisfies` answers false).
fn pair_args(
    names: [&str; 2],
    values: [JsValue; 2],
    options: Option<JsSemverOptions>,
) -> Result<Value, JsValue> {
    let [n1, n2] = names;
    let [v1, v2] = values;
    let options = options.map_or(JsValue::UNDEFINED, Into::into);
    args(vec![(n1, v1), (n2, v2), ("options", options)])
}

/// node-semver `satisfies(version, range, options)`: never throws; bad input answers false.
#[wasm_bindgen]
pub fn satisfies(
    #[wasm_bindgen(unchecked_param_type = "string")] version: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] range: JsValue,
    options: Option<JsSemverOptions>,
) -> Result<bool, JsValue> {
    // As node-semver: any bad input (missing, wrong type, bad options) is simply `false`.
    let Ok(a) = pair_args(["version", "range"], [version, range], options) else {
        return Ok(false);
    };
    Ok(matches!(
        fleetup_core::dispatch("semver.satisfies", &a),
        Ok(Value::Bool(true))
    ))
}

/// node-semver `compare(a, b, options)`: -1, 0 or 1; throws `INVALID_VERSION` for bad input.
#[wasm_bindgen]
pub fn compare(
    #[wasm_bindgen(unchecked_param_type = "string")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] b: JsValue,
    options: Option<JsSemverOptions>,
) -> Result<i32, JsValue> {
    let req = pair_args(["a", "b"], [a, b], options)?;
    match fleetup_core::dispatch("semver.compare", &req) {
        Ok(v) => Ok(v.as_i64().map_or(0, |n| n.signum() as i32)),
        Err(e) => Err(js_error(&e)),
    }
}

/// Fleet's upgrade dry run for one policy (`fleet.upgrade_dry_run`):
/// `{name, diff: [current, proposed], hasErrors, changes}`.
#[wasm_bindgen(js_name = dryRun)]
pub fn dry_run(
    package_policy: JsPackagePolicy,
    package_info: JsPackageInfo,
) -> Result<JsDryRun, JsValue> {
    let a = args(vec![
        ("package_policy", package_policy.into()),
        ("package_info", package_info.into()),
    ])?;
    run("fleet.upgrade_dry_run", a).map(Into::into)
}

/// The upgrade plan of one policy (`plan.policy`): decision, reasons, changes and summary.
#[wasm_bindgen(js_name = planPolicy)]
pub fn plan_policy(args: JsPlanArgs) -> Result<JsPlan, JsValue> {
    let a = from_js(args.into(), "").map_err(|e| js_error(&e))?;
    run("plan.policy", a).map(Into::into)
}

/// Applies conflict-resolution edits and re-validates (`plan.resolve`).
#[wasm_bindgen]
pub fn resolve(args: JsResolveArgs) -> Result<JsResolution, JsValue> {
    let a = from_js(args.into(), "").map_err(|e| js_error(&e))?;
    run("plan.resolve", a).map(Into::into)
}

/// Kibana's `validatePackagePolicy` (`fleet.validate_package_policy`).
#[wasm_bindgen]
pub fn validate(
    package_policy: JsPackagePolicy,
    package_info: JsPackageInfo,
) -> Result<JsValidation, JsValue> {
    let a = args(vec![
        ("package_policy", package_policy.into()),
        ("package_info", package_info.into()),
    ])?;
    run("fleet.validate_package_policy", a).map(Into::into)
}

/// Parses a YAML document as Kibana's js-yaml would; throws `INVALID_YAML` with the line and
/// column in the message. Used for live syntax checks of `yaml` vars.
#[wasm_bindgen(js_name = parseYaml)]
pub fn parse_yaml(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<JsJson, JsValue> {
    let text = string_arg(&text, "text")?;
    match fleetup_core::yaml::parse(&text) {
        Ok(v) => to_js(&v).map(Into::into),
        Err(e) => Err(js_error(&e)),
    }
}

/// The fleetup version of this build.
#[wasm_bindgen]
pub fn version() -> String {
    fleetup_core::VERSION.to_string()
}
