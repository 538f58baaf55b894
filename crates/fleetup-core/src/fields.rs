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

/// `obj[key]` (`None` when `v` is not an object or has no such key), cheap on small objects.
pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => get(m, key),
        _ => None,
    }
}

/// `m.get(key)`, cheap on small objects.
pub fn get<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if m.len() <= SCAN_MAX {
        m.iter().find(|(k, _)| same_key(k, key)).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

/// `m.get_mut(key)`, cheap on small objects.
pub fn get_mut<'a>(m: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    if m.len() <= SCAN_MAX {
        m.iter_mut().find(|(k, _)| same_key(k, key)).map(|(_, v)| v)
    } else {
        m.get_mut(key)
    }
}

/// `a == b`, telling most different keys apart by length and first byte before comparing them
/// in full (a call to `memcmp`).
fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// [`field`] / [`get`] as a method, for lookups chained on values and maps.
pub trait Fields {
    /// The value of `key`, like `get` but cheaper on small objects.
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Fields for Map<String, Value> {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        get(self, key)
    }
}

impl Fields for Value {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        field(self, key)
    }
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
        if let Some(v) = get_mut(&mut m, "value") {
            *v = json!(1);
        }
        assert_eq!(m.get("value"), Some(&json!(1)));
        assert_eq!(field(&small, "type"), Some(&json!("text")));
    }
}
