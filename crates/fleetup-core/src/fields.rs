//! Field lookup tuned for the small JSON objects a package policy is made of.
//!
//! serde_json's map (an `IndexMap`, for key order) hashes every key it looks up with SipHash.
//! A var entry has two or three keys and an input or stream a handful, and the upgrade engine
//! reads them thousands of times per policy: comparing the keys in order is several times
//! cheaper than hashing at these sizes, and gives the same answer (keys are unique). Larger
//! maps still use the hash index.

use serde_json::{Map, Value};

/// Maps up to this many keys are searched in order.
const SCAN_MAX: usize = 12;

/// Field lookup on JSON objects (and on values: `None` unless an object has the key).
pub trait Fields {
    /// The value of `key`, like `get` but cheaper on small objects.
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Fields for Map<String, Value> {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        if self.len() <= SCAN_MAX {
            self.iter().find_map(|(k, v)| (k == key).then_some(v))
        } else {
            self.get(key)
        }
    }
}

impl Fields for Value {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.field(key),
            _ => None,
        }
    }
}

/// Mutable field lookup, like `get_mut` but cheaper on small objects.
#[allow(dead_code)] // used by the merge once it moves to `Fields`
pub fn field_mut<'m>(m: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Value> {
    if m.len() <= SCAN_MAX {
        m.iter_mut().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        m.get_mut(key)
    }
}

/// Whether `m` has `key`, like `contains_key` but cheaper on small objects.
#[allow(dead_code)] // used by the merge once it moves to `Fields`
pub fn has_field(m: &Map<String, Value>, key: &str) -> bool {
    m.field(key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agrees_with_get_on_small_and_large_objects() {
        let small = json!({"type": "text", "value": null, "frozen": true});
        let large: Map<String, Value> = (0..40).map(|i| (format!("k{i}"), json!(i))).collect();
        for key in ["type", "value", "frozen", "absent", ""] {
            assert_eq!(small.field(key), small.get(key));
        }
        for i in 0..45 {
            let key = format!("k{i}");
            assert_eq!(large.field(&key), large.get(&key));
        }
        assert_eq!(json!([1, 2]).field("0"), None);
        let mut m = small.as_object().cloned().unwrap_or_default();
        if let Some(v) = field_mut(&mut m, "value") {
            *v = json!(1);
        }
        assert_eq!(m.get("value"), Some(&json!(1)));
        assert!(has_field(&m, "frozen") && !has_field(&m, "nope"));
    }
}
