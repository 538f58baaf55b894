//! The Kibana-identical package policy upgrade: defaults, merge, validation and dry run.
pub mod ops;
