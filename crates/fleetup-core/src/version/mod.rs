//! node-semver 7.8.5 versions and ranges: what Kibana Fleet uses for every version decision.
pub mod ops;
