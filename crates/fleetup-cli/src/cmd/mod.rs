pub mod call;
pub mod package;
pub mod registry;
pub mod semver;
