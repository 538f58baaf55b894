//! # libfleetup: the C ABI of fleetup
//!
//! Plans Elastic Fleet integration-policy upgrades exactly as Kibana does, from any language
//! that can call C. The generated header `include/fleetup.h` is the reference; this crate is
//! the only place in fleetup with `unsafe` code.
//!
//! ## Conventions (see `crates/fleetup-ffi/README.md` and `docs/FFI.md`)
//! - **Inputs** are `(pointer, length)` pairs, borrowed for the duration of the call only.
//!   `(NULL, 0)` is the empty input. Text must be UTF-8 (no NUL terminator needed).
//! - **Errors**: every fallible function returns `fleetup_error *`. NULL means success and the
//!   out-parameters are written; non-NULL means failure, the out-parameters are untouched, and the
//!   caller reads [`fleetup_error_code`] / [`fleetup_error_message`] / [`fleetup_error_path`] and
//!   then calls [`fleetup_error_free`].
//! - **Owned output** is a [`fleetup_bytes`], released with [`fleetup_bytes_free`] (never `free()`).
//! - **Panics** are caught at every export and reported as `FLEETUP_ERROR_CODE_INTERNAL`.
//! - **Threads**: every function may be called from any thread, concurrently. The library has
//!   no mutable global state; one `fleetup_error` must not be freed while another thread reads it.
//!
//! # Example (from Rust, as the tests do)
//! ```
//! use fleetup::*;
//! let (a, b) = ("1.2.3", "1.10.0");
//! let mut ordering = 0i32;
//! let err = unsafe {
//!     fleetup_version_compare(a.as_ptr(), a.len(), b.as_ptr(), b.len(), 0, &mut ordering)
//! };
//! assert!(err.is_null());
//! assert_eq!(ordering, -1);
//! ```
#![warn(missing_docs)]
#![allow(non_camel_case_types)]
// Every export dereferences caller pointers; each documents its contract in `# Safety`.
#![allow(clippy::missing_safety_doc)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod boundary;
mod bytes;
mod call;
mod error;
mod meta;
mod plan;
mod policy;
mod version;

pub use bytes::{fleetup_bytes, fleetup_bytes_free};
pub use call::fleetup_call;
pub use error::{
    fleetup_error, fleetup_error_code, fleetup_error_codes, fleetup_error_free,
    fleetup_error_message, fleetup_error_path,
};
pub use meta::{fleetup_abi_version, fleetup_version, FLEETUP_ABI_VERSION};
pub use plan::fleetup_plan;
pub use policy::fleetup_upgrade_dry_run;
pub use version::{
    fleetup_version_compare, fleetup_version_satisfies, FLEETUP_OPTION_INCLUDE_PRERELEASE,
    FLEETUP_OPTION_LOOSE,
};
