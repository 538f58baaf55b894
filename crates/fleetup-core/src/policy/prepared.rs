//! A target PackageInfo prepared once and reused for every policy upgraded to it.
//!
//! Kibana re-derives the package's default inputs, normalised data streams and var definitions
//! on every call; here they are derived once per package ([`PreparedPackage::new`]) and shared,
//! read-only, by every merge, validation and change list against that package (across threads
//! too). Callers that upgrade many policies hold one (as `PlanContext` does); the `&Value` entry
//! points find theirs in a small per-thread cache ([`PreparedPackage::cached`]), so repeated calls
//! with the same PackageInfo pay for the preparation once.

use std::cell::RefCell;
use std::sync::Arc;

use serde_json::Value;

use super::defaults::package_to_package_policy_inputs;
use super::js::truthy;
use super::merge::MergeIndex;
use super::package::{arr, is_limited, normalized_data_streams, vars_from_defs};
use super::validate::ValidationIndex;
use crate::plan::changes::ChangeIndex;

/// A PackageInfo with everything the upgrade derives from it, computed once.
#[derive(Debug)]
pub struct PreparedPackage {
    pkg: Value,
    /// `packageToPackagePolicyInputs(pkg)`.
    defaults: Vec<Value>,
    /// `getNormalizedDataStreams(pkg)`.
    data_streams: Vec<Value>,
    /// What `updatePackageInputs` reads from the package.
    merge: MergeIndex,
    limited: bool,
    /// `{vars: varsReducer(pkg.vars)}` when the package has package-level vars.
    global_defaults: Option<Value>,
    validation: ValidationIndex,
    changes: ChangeIndex,
}

impl PreparedPackage {
    /// Prepares `pkg` (a PackageInfo document).
    pub fn new(pkg: Value) -> Self {
        let defaults = package_to_package_policy_inputs(&pkg, None);
        let data_streams = normalized_data_streams(&pkg).into_owned();
        let global_defaults = truthy(pkg.get("vars")).then(|| {
            Value::Object(
                [(
                    "vars".to_string(),
                    Value::Object(vars_from_defs(arr(&pkg, "vars"))),
                )]
                .into_iter()
                .collect(),
            )
        });
        let validation = ValidationIndex::new(&pkg, &data_streams);
        let merge = MergeIndex::new(&pkg, &data_streams);
        PreparedPackage {
            limited: is_limited(&pkg),
            changes: ChangeIndex::new(&pkg, None),
            defaults,
            data_streams,
            merge,
            global_defaults,
            validation,
            pkg,
        }
    }

    /// The prepared package for `pkg`, from this thread's cache when an identical document (same
    /// keys in the same order, same values) was prepared recently.
    ///
    /// Identity is checked by comparing the whole document, never by address, so a different
    /// document that happens to reuse memory can never be mistaken for a cached one; the check
    /// costs a fraction of what preparing costs.
    pub fn cached(pkg: &Value) -> Arc<PreparedPackage> {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(pos) = cache.iter().position(|p| same_json(&p.pkg, pkg)) {
                let hit = cache.remove(pos);
                cache.insert(0, Arc::clone(&hit));
                return hit;
            }
            let prepared = Arc::new(PreparedPackage::new(pkg.clone()));
            cache.insert(0, Arc::clone(&prepared));
            cache.truncate(CACHE_SIZE);
            prepared
        })
    }

    /// The PackageInfo document.
    pub fn package(&self) -> &Value {
        &self.pkg
    }

    /// `packageToPackagePolicyInputs(pkg)`.
    pub fn default_inputs(&self) -> &[Value] {
        &self.defaults
    }

    /// The change-list index of this package (no previous version).
    pub fn change_index(&self) -> &ChangeIndex {
        &self.changes
    }

    pub(crate) fn data_streams(&self) -> &[Value] {
        &self.data_streams
    }

    pub(crate) fn merge_index(&self) -> &MergeIndex {
        &self.merge
    }

    pub(crate) fn limited(&self) -> bool {
        self.limited
    }

    pub(crate) fn global_defaults(&self) -> Option<&Value> {
        self.global_defaults.as_ref()
    }

    pub(crate) fn validation(&self) -> &ValidationIndex {
        &self.validation
    }
}

/// Packages kept per thread: a plan or a JSON Lines stream targets one or a few packages.
const CACHE_SIZE: usize = 4;

thread_local! {
    static CACHE: RefCell<Vec<Arc<PreparedPackage>>> = const { RefCell::new(Vec::new()) };
}

/// Structural equality that also requires the same key order (cheaper than `==` on maps, which
/// hashes every key, and exact for a cache: a reordered document is simply a miss).
pub(crate) fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && same_json(va, vb))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(va, vb)| same_json(va, vb))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cache_tells_documents_apart() {
        let a = json!({"name": "p", "version": "1.0.0", "vars": [{"name": "x", "type": "text"}]});
        let b = json!({"name": "p", "version": "1.0.0", "vars": [{"name": "y", "type": "text"}]});
        let pa = PreparedPackage::cached(&a);
        let pb = PreparedPackage::cached(&b);
        assert_eq!(pa.package(), &a);
        assert_eq!(pb.package(), &b);
        assert!(Arc::ptr_eq(&pa, &PreparedPackage::cached(&a.clone())));
        assert!(!same_json(
            &json!({"a": 1, "b": 2}),
            &json!({"b": 2, "a": 1})
        ));
    }
}
