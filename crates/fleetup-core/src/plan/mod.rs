//! Upgrade plans: change lists, conflict resolution, auto-upgrade eligibility, fleet-wide plans.
pub mod ops;
