//! The error channel: an opaque `fleetup_error` returned by every fallible function.

use std::ffi::{c_char, CString};

use fleetup_core::{Error, ErrorKind};

/// Every error code the library reports, with its stable number.
///
/// The numbers are `fleetup_core::ErrorKind::number()`; they are never renumbered or reused,
/// and new codes are only added. Ranges: 1–9 request and boundary, 10–19 versions,
/// 20–29 packages, 30–39 policies, 40–49 plans, 100 internal.
///
/// The type is named in the plural because `fleetup_error_code` is the accessor function.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum fleetup_error_codes {
    /// A required pointer was NULL (or NULL with a non-zero length).
    FLEETUP_ERROR_CODE_NULL_ARGUMENT = 1,
    /// Text was not valid UTF-8.
    FLEETUP_ERROR_CODE_INVALID_UTF8 = 2,
    /// A request or document was not valid JSON.
    FLEETUP_ERROR_CODE_INVALID_JSON = 3,
    /// The request named an operation that does not exist.
    FLEETUP_ERROR_CODE_UNKNOWN_OP = 4,
    /// An argument was missing, had the wrong type, or an option bit is unknown.
    FLEETUP_ERROR_CODE_INVALID_ARGUMENT = 5,
    /// An input exceeded a documented size, depth or count limit.
    FLEETUP_ERROR_CODE_LIMIT_EXCEEDED = 6,
    /// A version string is not a valid version.
    FLEETUP_ERROR_CODE_INVALID_VERSION = 10,
    /// A range string is not a valid node-semver range.
    FLEETUP_ERROR_CODE_INVALID_RANGE = 11,
    /// A constraint is not valid for the package registry's semver flavour.
    FLEETUP_ERROR_CODE_INVALID_CONSTRAINT = 12,
    /// A package path does not exist or holds no manifest.
    FLEETUP_ERROR_CODE_PACKAGE_NOT_FOUND = 20,
    /// A package's manifest or files are structurally invalid.
    FLEETUP_ERROR_CODE_INVALID_PACKAGE = 21,
    /// A YAML document could not be parsed.
    FLEETUP_ERROR_CODE_INVALID_YAML = 22,
    /// A `.zip` archive is corrupt or unsafe.
    FLEETUP_ERROR_CODE_INVALID_ARCHIVE = 23,
    /// Reading a file failed.
    FLEETUP_ERROR_CODE_IO_ERROR = 24,
    /// An upgraded package policy failed validation.
    FLEETUP_ERROR_CODE_PACKAGE_POLICY_VALIDATION = 30,
    /// A package policy document has the wrong shape.
    FLEETUP_ERROR_CODE_INVALID_POLICY = 31,
    /// The requested upgrade is not allowed.
    FLEETUP_ERROR_CODE_UPGRADE_NOT_ALLOWED = 32,
    /// An agent template failed to compile.
    FLEETUP_ERROR_CODE_TEMPLATE_ERROR = 33,
    /// A conflict-resolution edit could not be applied.
    FLEETUP_ERROR_CODE_INVALID_EDIT = 40,
    /// A bug: a panic was caught at the boundary. Please report it.
    FLEETUP_ERROR_CODE_INTERNAL = 100,
}

impl fleetup_error_codes {
    /// Every code in number order, paired with the core's string code (tests check both tables).
    pub const ALL: &'static [(fleetup_error_codes, &'static str)] = &[
        (Self::FLEETUP_ERROR_CODE_NULL_ARGUMENT, "NULL_ARGUMENT"),
        (Self::FLEETUP_ERROR_CODE_INVALID_UTF8, "INVALID_UTF8"),
        (Self::FLEETUP_ERROR_CODE_INVALID_JSON, "INVALID_JSON"),
        (Self::FLEETUP_ERROR_CODE_UNKNOWN_OP, "UNKNOWN_OP"),
        (
            Self::FLEETUP_ERROR_CODE_INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
        ),
        (Self::FLEETUP_ERROR_CODE_LIMIT_EXCEEDED, "LIMIT_EXCEEDED"),
        (Self::FLEETUP_ERROR_CODE_INVALID_VERSION, "INVALID_VERSION"),
        (Self::FLEETUP_ERROR_CODE_INVALID_RANGE, "INVALID_RANGE"),
        (
            Self::FLEETUP_ERROR_CODE_INVALID_CONSTRAINT,
            "INVALID_CONSTRAINT",
        ),
        (
            Self::FLEETUP_ERROR_CODE_PACKAGE_NOT_FOUND,
            "PACKAGE_NOT_FOUND",
        ),
        (Self::FLEETUP_ERROR_CODE_INVALID_PACKAGE, "INVALID_PACKAGE"),
        (Self::FLEETUP_ERROR_CODE_INVALID_YAML, "INVALID_YAML"),
        (Self::FLEETUP_ERROR_CODE_INVALID_ARCHIVE, "INVALID_ARCHIVE"),
        (Self::FLEETUP_ERROR_CODE_IO_ERROR, "IO_ERROR"),
        (
            Self::FLEETUP_ERROR_CODE_PACKAGE_POLICY_VALIDATION,
            "PACKAGE_POLICY_VALIDATION",
        ),
        (Self::FLEETUP_ERROR_CODE_INVALID_POLICY, "INVALID_POLICY"),
        (
            Self::FLEETUP_ERROR_CODE_UPGRADE_NOT_ALLOWED,
            "UPGRADE_NOT_ALLOWED",
        ),
        (Self::FLEETUP_ERROR_CODE_TEMPLATE_ERROR, "TEMPLATE_ERROR"),
        (Self::FLEETUP_ERROR_CODE_INVALID_EDIT, "INVALID_EDIT"),
        (Self::FLEETUP_ERROR_CODE_INTERNAL, "INTERNAL"),
    ];

    /// The stable number (`ErrorKind::number()`).
    pub const fn number(self) -> i32 {
        self as i32
    }
}

/// An error reported by a fleetup function.
///
/// Opaque. Read it with `fleetup_error_code()`, `fleetup_error_message()` and
/// `fleetup_error_path()`; release it with `fleetup_error_free()` (never `free()`).
/// Immutable: several threads may read one error at once, but it must not be freed while
/// another thread reads it.
pub struct fleetup_error {
    code: i32,
    message: CString,
    path: Option<CString>,
}

/// A C string from arbitrary text: interior NULs (possible when messages quote user input)
/// become U+FFFD so the message is never truncated silently or lost.
fn c_string(text: &str) -> CString {
    let cleaned = if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text.to_owned()
    };
    CString::new(cleaned).unwrap_or_default()
}

impl fleetup_error {
    /// A heap error for the caller, from a core error.
    pub(crate) fn boxed(err: &Error) -> *mut fleetup_error {
        Box::into_raw(Box::new(fleetup_error {
            code: err.kind().number(),
            message: c_string(err.message()),
            path: err.path().map(c_string),
        }))
    }

    /// The stable number of this error.
    pub fn code(&self) -> i32 {
        self.code
    }
}

/// Builds a core error of `kind` (a shorthand for the boundary checks).
pub(crate) fn err(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error::new(kind, message)
}

/// The error's stable code (one of `FLEETUP_ERROR_CODE_*`).
///
/// @param err an error returned by a fleetup function, or NULL.
/// @return the code; 0 (no code) when `err` is NULL.
///
/// # Safety
/// `err` must be NULL or a live error from this library.
#[no_mangle]
pub unsafe extern "C" fn fleetup_error_code(err: *const fleetup_error) -> i32 {
    // SAFETY: the caller guarantees `err` is NULL or live.
    match unsafe { err.as_ref() } {
        Some(e) => e.code,
        None => 0,
    }
}

/// The error's human-readable message (UTF-8, NUL-terminated, never NULL).
///
/// @param err an error returned by a fleetup function, or NULL.
/// @return a string borrowed from `err`, valid until `fleetup_error_free(err)`; "" when
///         `err` is NULL. Never free it.
///
/// # Safety
/// `err` must be NULL or a live error from this library.
#[no_mangle]
pub unsafe extern "C" fn fleetup_error_message(err: *const fleetup_error) -> *const c_char {
    // SAFETY: the caller guarantees `err` is NULL or live.
    match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// Where the error applies: a JSON Pointer (RFC 6901) into the request's arguments, such as
/// `/version`, or NULL when the error is not about one argument.
///
/// @param err an error returned by a fleetup function, or NULL.
/// @return a string borrowed from `err`, valid until `fleetup_error_free(err)`, or NULL.
///
/// # Safety
/// `err` must be NULL or a live error from this library.
#[no_mangle]
pub unsafe extern "C" fn fleetup_error_path(err: *const fleetup_error) -> *const c_char {
    // SAFETY: the caller guarantees `err` is NULL or live.
    match unsafe { err.as_ref() }.and_then(|e| e.path.as_ref()) {
        Some(p) => p.as_ptr(),
        None => std::ptr::null(),
    }
}

/// Releases an error. NULL is ignored.
///
/// @param err an error returned by a fleetup function, or NULL.
///
/// # Safety
/// `err` must be NULL or a live error from this library; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn fleetup_error_free(err: *mut fleetup_error) {
    if !err.is_null() {
        // SAFETY: `err` came from `Box::into_raw` in `fleetup_error::boxed` and is freed once.
        drop(unsafe { Box::from_raw(err) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_table_mirrors_core_kinds() {
        let c: Vec<(i32, &str)> = fleetup_error_codes::ALL
            .iter()
            .map(|(c, name)| (c.number(), *name))
            .collect();
        let core: Vec<(i32, &str)> = ErrorKind::ALL
            .iter()
            .map(|k| (k.number(), k.code()))
            .collect();
        assert_eq!(c, core);
    }

    #[test]
    fn interior_nul_is_replaced() {
        assert_eq!(c_string("a\0b").to_str().ok(), Some("a\u{FFFD}b"));
    }
}
