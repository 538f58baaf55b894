//! The package registry's constraint semantics (Masterminds semver v3), used for
//! `conditions.kibana.version`.
pub mod ops;
