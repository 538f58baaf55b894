//! Shared helpers for human-facing output and exit codes.

use fleetup_core::Error;
use serde_json::Value;

/// Exit code for a usage or input error (clap itself uses 2 for usage errors).
pub const EXIT_ERROR: u8 = 2;
/// Exit code for a "no" answer from a predicate subcommand (like `test`/`grep`).
pub const EXIT_FALSE: u8 = 1;

/// Prints an error the way every subcommand does: `error[CODE]: message`.
pub fn print_error(e: &Error) {
    match e.path() {
        Some(p) if !p.is_empty() => eprintln!("error[{}]: {} (at {})", e.code(), e.message(), p),
        _ => eprintln!("error[{}]: {}", e.code(), e.message()),
    }
}

/// Runs one operation through the core dispatcher.
pub fn op(name: &str, args: Value) -> Result<Value, Error> {
    fleetup_core::dispatch(name, &args)
}
