//! The Kibana-identical package policy upgrade: defaults, merge, validation and dry run.
//!
//! Everything works on `serde_json::Value` in Kibana's JSON shapes (PackageInfo, package policy,
//! validation result), so unknown fields, `null` values and key order pass through untouched.
//! The behaviour is the current Kibana generation (`removeStaleVars`, package-level var merge,
//! effective input names, `migrate_from`); see `fleet-upgrade.md` §2–§4.
//!
//! - [`defaults`] — `packageToPackagePolicyInputs` / `packageToPackagePolicy`;
//! - [`merge`] — `updatePackageInputs`;
//! - [`validate`] — `validatePackagePolicy`, `validatePackagePolicyConfig`, `validationHasErrors`;
//! - [`dry_run`] — one item of the upgrade dry-run API;
//! - [`simplified`] — the simplified policy format.

pub mod defaults;
pub mod dry_run;
/// JavaScript value semantics, shared with the package loader (kept here under its old path).
pub use crate::js;
pub mod merge;
pub mod ops;
pub mod package;
pub mod prepared;
pub mod simplified;
pub mod validate;

pub use defaults::{package_to_package_policy, package_to_package_policy_inputs, NewPolicyOptions};
pub use dry_run::{
    field_changes, upgrade_dry_run, upgrade_dry_run_owned, upgrade_dry_run_prepared, DryRunItem,
};
pub use merge::update_package_inputs;
pub use prepared::PreparedPackage;
pub use validate::{
    validate_config, validate_package_policy, validation_has_errors, ValidateOptions,
};
