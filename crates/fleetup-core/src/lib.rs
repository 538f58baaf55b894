//! # fleetup-core
//!
//! Plans Elastic Fleet integration upgrades outside Kibana, exactly as Kibana performs them.
//!
//! ## Scope
//! - [`version`]: node-semver 7.8.5 versions and ranges (what Kibana Fleet uses);
//! - [`registry`]: the package registry's Masterminds-semver constraints (`conditions.kibana.version`);
//! - [`package`]: loading integration packages (directory, `.zip`, registry JSON) and version decisions;
//! - [`policy`]: the Kibana-identical package policy upgrade (merge, validation, dry run);
//! - [`agent`]: compiled agent configuration (Kibana's Handlebars templates), the agent
//!   configuration diff of an upgrade and standalone `elastic-agent.yml` inputs;
//! - [`plan`]: field-level change lists, conflict resolution, auto-upgrade eligibility and fleet-wide plans.
//!
//! Every capability is reachable through one JSON dispatcher ([`call`], [`dispatch`]), which the
//! CLI, the C ABI, the WebAssembly module and the Python and Go packages all share.
//!
//! # Example
//! ```
//! let response = fleetup_core::call(r#"{"op":"semver.compare","args":{"a":"1.2.3","b":"1.10.0"}}"#);
//! assert_eq!(response, r#"{"ok":-1}"#);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agent;
pub mod args;
pub mod dispatch;
pub mod error;
pub(crate) mod fields;
pub mod js;
pub(crate) mod json_text;
pub mod limits;
mod lines;

pub mod package;
pub mod plan;
pub mod policy;
pub mod registry;
pub mod version;
pub mod yaml;

pub use dispatch::{call, call_bytes, call_into, call_value, dispatch};
pub use error::{Error, ErrorKind, Result};

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The README's Rust example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
