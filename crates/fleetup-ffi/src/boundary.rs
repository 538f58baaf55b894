//! The one way into the library: panic containment and argument checks shared by every export.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use fleetup_core::{ErrorKind, Result};

use crate::bytes::fleetup_bytes;
use crate::error::{err, fleetup_error};

/// Runs an export's body: `Ok` becomes NULL, `Err` a heap `fleetup_error`, and a panic
/// `FLEETUP_ERROR_CODE_INTERNAL` instead of unwinding into (and aborting) the host.
pub(crate) fn boundary(body: impl FnOnce() -> Result<()>) -> *mut fleetup_error {
    // The body only reads borrowed inputs and writes out-params after it has succeeded, so a
    // panic cannot leave caller-visible state half-updated: asserting unwind safety is sound.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(e)) => fleetup_error::boxed(&e),
        Err(payload) => fleetup_error::boxed(&err(
            ErrorKind::Internal,
            format!(
                "internal error (a bug in fleetup): {}",
                panic_text(&*payload)
            ),
        )),
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "panic"
    }
}

/// Borrows `(ptr, len)` as bytes. `(NULL, 0)` and `(any, 0)` are empty.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay valid and unmodified for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(err(
            ErrorKind::NullArgument,
            format!("`{name}` is NULL but its length is {len}"),
        )
        .at(format!("/{name}")));
    }
    if len > isize::MAX as usize {
        return Err(err(
            ErrorKind::InvalidArgument,
            format!("`{name}` has an impossible length {len}"),
        )
        .at(format!("/{name}")));
    }
    // SAFETY: non-NULL, length checked against isize::MAX, readability guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows `(ptr, len)` as UTF-8 text.
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn text_arg<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a str> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes_arg(ptr, len, name) }?;
    std::str::from_utf8(bytes).map_err(|e| {
        err(
            ErrorKind::InvalidUtf8,
            format!(
                "`{name}` is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
        .at(format!("/{name}"))
    })
}

/// Parses `(ptr, len)` as a JSON document under the core's limits.
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn json_arg(ptr: *const u8, len: usize, name: &str) -> Result<serde_json::Value> {
    // SAFETY: forwarded contract.
    let text = unsafe { text_arg(ptr, len, name) }?;
    fleetup_core::dispatch::parse_json(text).map_err(|e| e.under(&format!("/{name}")))
}

/// Checks that an out-parameter is present, before any work is done.
pub(crate) fn check_out<T>(out: *mut T, name: &str) -> Result<()> {
    if out.is_null() {
        Err(err(ErrorKind::NullArgument, format!("`{name}` is NULL")).at(format!("/{name}")))
    } else {
        Ok(())
    }
}

/// Writes `value` to a checked out-parameter without reading (or dropping) what was there:
/// C callers usually pass uninitialised storage.
///
/// # Safety
/// `out` must be non-NULL (see [`check_out`]), aligned and writable.
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) {
    // SAFETY: forwarded contract.
    unsafe { out.write(value) }
}

/// Writes owned bytes to a checked out-parameter.
///
/// # Safety
/// As [`write_out`].
pub(crate) unsafe fn write_bytes(out: *mut fleetup_bytes, data: Vec<u8>) {
    // SAFETY: forwarded contract.
    unsafe { write_out(out, fleetup_bytes::from_vec(data)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_and_message(err: *mut fleetup_error) -> (i32, String) {
        // SAFETY: `err` is a live error from `boundary`, freed once after reading.
        unsafe {
            let code = crate::error::fleetup_error_code(err);
            let msg = std::ffi::CStr::from_ptr(crate::error::fleetup_error_message(err))
                .to_string_lossy()
                .into_owned();
            crate::error::fleetup_error_free(err);
            (code, msg)
        }
    }

    #[test]
    #[allow(clippy::panic)]
    fn a_panic_becomes_an_internal_error() {
        let err = boundary(|| panic!("boom {}", 42));
        let (code, msg) = code_and_message(err);
        assert_eq!(code, ErrorKind::Internal.number());
        assert!(msg.contains("boom 42"), "{msg}");
        let err = boundary(|| std::panic::panic_any(7u8));
        assert_eq!(code_and_message(err).0, 100);
    }

    #[test]
    fn success_is_null_and_errors_keep_kind_and_path() {
        assert!(boundary(|| Ok(())).is_null());
        let err = boundary(|| Err(err(ErrorKind::InvalidRange, "bad").at("/range")));
        assert!(!err.is_null());
        // SAFETY: live error; path read before the free.
        let path = unsafe {
            std::ffi::CStr::from_ptr(crate::error::fleetup_error_path(err))
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(path, "/range");
        assert_eq!(code_and_message(err), (11, "bad".to_owned()));
    }

    #[test]
    fn zero_length_never_reads_the_pointer() {
        // A dangling, non-NULL pointer with length 0 is the empty input.
        let dangling = std::ptr::NonNull::<u8>::dangling().as_ptr();
        // SAFETY: length 0 means the pointer is not dereferenced.
        assert_eq!(unsafe { text_arg(dangling, 0, "x") }.ok(), Some(""));
        // SAFETY: NULL with a length is rejected before any read.
        let e = unsafe { bytes_arg(std::ptr::null(), 3, "x") }.err();
        assert_eq!(e.map(|e| e.kind()), Some(ErrorKind::NullArgument));
    }
}
