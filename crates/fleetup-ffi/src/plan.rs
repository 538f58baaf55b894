//! Typed access to the upgrade-plan operations.

use fleetup_core::{ErrorKind, Result};
use serde_json::Value;

use crate::boundary::{boundary, check_out, json_arg, write_bytes};
use crate::bytes::fleetup_bytes;
use crate::error::{err, fleetup_error};

/// Splits a plan request into its operation name and arguments, accepting only `plan.*` ops.
fn plan_request(request: &Value) -> Result<(&str, &Value)> {
    let Value::Object(req) = request else {
        return Err(err(
            ErrorKind::InvalidArgument,
            "a plan request must be a JSON object {\"op\": \"plan.…\", \"args\": {…}}",
        )
        .at(""));
    };
    let op = match req.get("op") {
        Some(Value::String(op)) => op.as_str(),
        _ => {
            return Err(err(
                ErrorKind::InvalidArgument,
                "a plan request needs `op`, a string naming a `plan.` operation",
            )
            .at("/op"))
        }
    };
    if !op.starts_with("plan.") {
        return Err(err(
            ErrorKind::InvalidArgument,
            format!("`{op}` is not a plan operation (expected a name starting with `plan.`)"),
        )
        .at("/op"));
    }
    Ok((op, req.get("args").unwrap_or(&Value::Null)))
}

/// Runs one upgrade-plan operation and writes its result (not an envelope).
///
/// The request is `{"op": "plan.<name>", "args": {…}}`, like `fleetup_call()`, but only
/// `plan.*` operations are accepted and failures come back as a `fleetup_error` instead of an
/// error envelope, so C callers handle one error channel.
///
/// @param request_json the request (UTF-8 JSON).
/// @param request_len the number of bytes at `request_json`.
/// @param out receives the operation's result JSON; free it with `fleetup_bytes_free()`.
/// @return NULL on success; otherwise an error (`INVALID_JSON`, `INVALID_ARGUMENT` for a
///         non-`plan.` op, `UNKNOWN_OP`, or the operation's own error). Free it with
///         `fleetup_error_free()`.
///
/// Thread-safe. Inputs are borrowed for the call only.
///
/// # Safety
/// `request_json` must point to `request_len` readable bytes (or be NULL with length 0);
/// `out` must be NULL or point to writable storage for one `fleetup_bytes`.
#[no_mangle]
pub unsafe extern "C" fn fleetup_plan(
    request_json: *const u8,
    request_len: usize,
    out: *mut fleetup_bytes,
) -> *mut fleetup_error {
    boundary(|| {
        check_out(out, "out")?;
        // SAFETY: the caller's contract on the request.
        let request = unsafe { json_arg(request_json, request_len, "request") }?;
        let (op, args) = plan_request(&request)?;
        let result = fleetup_core::dispatch(op, args)?;
        // SAFETY: `out` was checked above and is writable by contract.
        unsafe { write_bytes(out, result.to_string().into_bytes()) };
        Ok(())
    })
}
