pub mod call;
pub mod package;
pub mod plan;
pub mod registry;
pub mod semver;
pub mod standalone;
