//! Integration packages: loading (directory, `.zip`, registry JSON), version decisions, changelogs.
pub mod ops;
