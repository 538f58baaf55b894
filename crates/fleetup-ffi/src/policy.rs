//! Typed package-policy functions (Kibana parity).

use serde_json::{Map, Value};

use crate::boundary::{boundary, check_out, json_arg, write_bytes};
use crate::bytes::fleetup_bytes;
use crate::error::fleetup_error;

/// Previews upgrading one package policy to a package version, as Fleet's dry-run API does.
///
/// Runs the `fleet.upgrade_dry_run` operation. The result is the JSON object
/// `{"name", "diff": [current, proposed], "hasErrors", "changes"}`: Kibana's shapes, plus
/// fleetup's field-level change list.
///
/// @param policy_json the package policy as Kibana stores it (UTF-8 JSON).
/// @param policy_len the number of bytes at `policy_json`.
/// @param package_json the target package's PackageInfo (UTF-8 JSON).
/// @param package_len the number of bytes at `package_json`.
/// @param out receives the result JSON; free it with `fleetup_bytes_free()`, never `free()`.
/// @return NULL on success; otherwise an error such as `INVALID_JSON` (path
///         `/package_policy/...` or `/package_info/...`), `INVALID_POLICY` or
///         `INVALID_PACKAGE`. Free it with `fleetup_error_free()`.
///
/// Thread-safe. Inputs are borrowed for the call only.
///
/// # Safety
/// Each input must point to its length in readable bytes (or be NULL with length 0);
/// `out` must be NULL or point to writable storage for one `fleetup_bytes`.
#[no_mangle]
pub unsafe extern "C" fn fleetup_upgrade_dry_run(
    policy_json: *const u8,
    policy_len: usize,
    package_json: *const u8,
    package_len: usize,
    out: *mut fleetup_bytes,
) -> *mut fleetup_error {
    boundary(|| {
        check_out(out, "out")?;
        // The argument names double as error paths, matching the JSON operation's `args`.
        // SAFETY: the caller's contract on both inputs.
        let policy = unsafe { json_arg(policy_json, policy_len, "package_policy") }?;
        let package = unsafe { json_arg(package_json, package_len, "package_info") }?;
        let mut args = Map::with_capacity(2);
        args.insert("package_policy".into(), policy);
        args.insert("package_info".into(), package);
        let result = fleetup_core::dispatch("fleet.upgrade_dry_run", &Value::Object(args))?;
        // SAFETY: `out` was checked above and is writable by contract.
        unsafe { write_bytes(out, result.to_string().into_bytes()) };
        Ok(())
    })
}
