pub mod call;
pub mod registry;
pub mod semver;
