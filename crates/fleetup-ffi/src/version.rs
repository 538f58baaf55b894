//! Typed version functions (node-semver semantics): the hot paths, with scalar arguments only.

use std::cmp::Ordering;

use fleetup_core::version::{self, Options};
use fleetup_core::{ErrorKind, Result};

use crate::boundary::{boundary, check_out, text_arg, write_out};
use crate::error::{err, fleetup_error};

/// Option bit: node-semver's `loose` (accept `=1.2.3`, `01.2.3`, `1.2.3beta`, …).
pub const FLEETUP_OPTION_LOOSE: u32 = 1;
/// Option bit: node-semver's `includePrerelease` (prereleases may satisfy any range).
pub const FLEETUP_OPTION_INCLUDE_PRERELEASE: u32 = 2;

const KNOWN_OPTIONS: u32 = FLEETUP_OPTION_LOOSE | FLEETUP_OPTION_INCLUDE_PRERELEASE;

/// Decodes the option bitmask. Unknown bits are rejected rather than ignored, so a caller
/// built against a newer header fails loudly on an older library.
fn options(bits: u32) -> Result<Options> {
    if bits & !KNOWN_OPTIONS != 0 {
        return Err(err(
            ErrorKind::InvalidArgument,
            format!("unknown option bits 0x{:x}", bits & !KNOWN_OPTIONS),
        )
        .at("/options"));
    }
    Ok(Options {
        loose: bits & FLEETUP_OPTION_LOOSE != 0,
        include_prerelease: bits & FLEETUP_OPTION_INCLUDE_PRERELEASE != 0,
    })
}

/// Compares two versions by node-semver precedence (build metadata ignored).
///
/// @param a the first version (UTF-8, not NUL-terminated), e.g. `"1.2.3"`.
/// @param a_len the number of bytes at `a`.
/// @param b the second version.
/// @param b_len the number of bytes at `b`.
/// @param options a bitmask of `FLEETUP_OPTION_*` (0 for none).
/// @param out receives -1, 0 or 1 (a < b, a == b, a > b).
/// @return NULL on success; otherwise `FLEETUP_ERROR_CODE_INVALID_VERSION` (path `/a` or `/b`),
///         `INVALID_UTF8`, `NULL_ARGUMENT` or `INVALID_ARGUMENT` (unknown option bits).
///         Free it with `fleetup_error_free()`.
///
/// Thread-safe. Inputs are borrowed for the call only.
///
/// # Safety
/// `a`/`b` must point to `a_len`/`b_len` readable bytes (or be NULL with length 0);
/// `out` must be NULL or point to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn fleetup_version_compare(
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
    options: u32,
    out: *mut i32,
) -> *mut fleetup_error {
    boundary(|| {
        check_out(out, "out")?;
        // SAFETY: the caller's contract on `a` and `b`.
        let (a, b) = unsafe { (text_arg(a, a_len, "a")?, text_arg(b, b_len, "b")?) };
        let opts = self::options(options)?;
        let ordering = match version::compare(a, b, opts) {
            Ok(Ordering::Less) => -1,
            Ok(Ordering::Equal) => 0,
            Ok(Ordering::Greater) => 1,
            // Only on failure: find which argument is invalid, so the hot path parses once.
            Err(e) => {
                let path = if version::valid(a, opts).is_none() {
                    "/a"
                } else {
                    "/b"
                };
                return Err(e.at(path));
            }
        };
        // SAFETY: `out` was checked above and is writable by contract.
        unsafe { write_out(out, ordering) };
        Ok(())
    })
}

/// Whether `version` satisfies the node-semver `range` (e.g. `"^8.13.0 || ^9.0.0"`).
///
/// Follows node-semver exactly, including the prerelease rule: a prerelease version matches
/// only a comparator set that names a prerelease of the same major.minor.patch, unless
/// `FLEETUP_OPTION_INCLUDE_PRERELEASE` is set. An invalid version or range is not an error:
/// the answer is `false`, as in node-semver.
///
/// @param version the version (UTF-8, not NUL-terminated).
/// @param version_len the number of bytes at `version`.
/// @param range the range (UTF-8, not NUL-terminated).
/// @param range_len the number of bytes at `range`.
/// @param options a bitmask of `FLEETUP_OPTION_*` (0 for none).
/// @param out receives the answer.
/// @return NULL on success; otherwise `INVALID_UTF8`, `NULL_ARGUMENT` or `INVALID_ARGUMENT`.
///         Free it with `fleetup_error_free()`.
///
/// Thread-safe. Inputs are borrowed for the call only.
///
/// # Safety
/// `version`/`range` must point to `version_len`/`range_len` readable bytes (or be NULL with
/// length 0); `out` must be NULL or point to a writable `bool`.
#[no_mangle]
pub unsafe extern "C" fn fleetup_version_satisfies(
    version: *const u8,
    version_len: usize,
    range: *const u8,
    range_len: usize,
    options: u32,
    out: *mut bool,
) -> *mut fleetup_error {
    boundary(|| {
        check_out(out, "out")?;
        // SAFETY: the caller's contract on `version` and `range`.
        let (v, r) = unsafe {
            (
                text_arg(version, version_len, "version")?,
                text_arg(range, range_len, "range")?,
            )
        };
        let answer = version::satisfies(v, r, self::options(options)?);
        // SAFETY: `out` was checked above and is writable by contract.
        unsafe { write_out(out, answer) };
        Ok(())
    })
}
