//! Integration packages: loading (directory, `.zip`, registry JSON), version decisions, changelogs.
//!
//! - [`load`]: read a package from a directory, a registry `.zip` or the registry's JSON;
//! - [`info`]: the PackageInfo model, built as Kibana's archive parser builds it;
//! - [`versions`]: Kibana's version decisions (prerelease, labels, update available, target
//!   choice, latest-package choice, breaking changes);
//! - [`ops`]: the JSON operations.
pub mod info;
pub mod load;
pub mod ops;
pub mod versions;

pub use load::{from_registry_json, load_agent_templates, load_changelog, load_path};
