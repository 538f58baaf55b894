//! Upgrade plans: change lists, conflict resolution, auto-upgrade eligibility, fleet-wide plans.
pub mod changes;
pub mod eligibility;
pub mod index;
pub mod managed;
pub mod ops;
pub mod policy_plan;
pub mod resolve;
