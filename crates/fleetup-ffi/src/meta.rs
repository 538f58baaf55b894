//! Versioning: the ABI version constant and the library version string.

use std::ffi::c_char;

/// The ABI version this header describes.
///
/// Additive changes (new functions, new error codes, new option bits) keep it; any removed or
/// changed signature, struct layout or error number bumps it. Bindings compare it with
/// `fleetup_abi_version()` at load time and refuse to run on a mismatch.
pub const FLEETUP_ABI_VERSION: u32 = 1;

/// The ABI version of the loaded library (compare with `FLEETUP_ABI_VERSION`).
///
/// @return the library's ABI version.
///
/// Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn fleetup_abi_version() -> u32 {
    FLEETUP_ABI_VERSION
}

// NUL-terminated at compile time so no allocation or check happens at run time.
static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library version, e.g. `"0.1.0"`.
///
/// @return a static NUL-terminated string owned by the library; never free it.
///
/// Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn fleetup_version() -> *const c_char {
    VERSION.as_ptr().cast()
}
