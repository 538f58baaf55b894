//! The generic JSON entry point: every operation of the contract.

use crate::boundary::{boundary, bytes_arg, check_out, write_bytes};
use crate::bytes::fleetup_bytes;
use crate::error::fleetup_error;

/// Runs one JSON request `{"op": "<name>", "args": {…}}` and writes the JSON response.
///
/// The response is exactly one of `{"ok": <result>}` or
/// `{"error": {"code", "message", "path"?}}`, as in the fleetup operation contract. Problems
/// with the request itself (invalid UTF-8, invalid JSON, unknown op, bad arguments) are
/// reported **inside the response**, so this function fails only on boundary errors.
///
/// @param request the request bytes (UTF-8 JSON); `(NULL, 0)` is an empty request.
/// @param request_len the number of bytes at `request`.
/// @param out receives the response; free it with `fleetup_bytes_free()`, never `free()`.
/// @return NULL on success; otherwise an error (NULL `out`, NULL `request` with a non-zero
///         length, or an internal error) to release with `fleetup_error_free()`.
///
/// Thread-safe: may be called from many threads at once. `request` is only borrowed for the call.
///
/// # Safety
/// `request` must point to `request_len` readable bytes (or be NULL with length 0);
/// `out` must be NULL or point to writable storage for one `fleetup_bytes`.
#[no_mangle]
pub unsafe extern "C" fn fleetup_call(
    request: *const u8,
    request_len: usize,
    out: *mut fleetup_bytes,
) -> *mut fleetup_error {
    boundary(|| {
        check_out(out, "out")?;
        // SAFETY: the caller's contract on `request`.
        let request = unsafe { bytes_arg(request, request_len, "request") }?;
        let response = fleetup_core::call_bytes(request);
        // SAFETY: `out` was checked above and is writable by contract.
        unsafe { write_bytes(out, response) };
        Ok(())
    })
}
