pub mod call;
pub mod plan;
pub mod registry;
pub mod semver;
