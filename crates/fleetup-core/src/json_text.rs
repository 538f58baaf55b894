//! Writing JSON text quickly, byte for byte as `serde_json` writes it.
//!
//! A dry run's answer is mostly strings: two copies of the policy and a change list of sentences.
//! `serde_json` examines every byte of every string through a lookup table; here eight bytes are
//! checked at a time and clean runs are copied whole, which makes writing the answer several
//! times cheaper. The output is identical to `serde_json::to_writer` (compact form; the tests
//! compare them), so either may write any document.

use serde_json::Value;

/// Appends `v` as compact JSON text.
pub fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // Numbers are rare and their formatting (ryu, itoa) is serde_json's own.
        Value::Number(n) => {
            if serde_json::to_writer(&mut *out, n).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_map(out, map),
    }
}

/// Appends `map` as a compact JSON object.
pub fn write_map(out: &mut Vec<u8>, map: &serde_json::Map<String, Value>) {
    out.push(b'{');
    for (i, (k, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, k);
        out.push(b':');
        write_value(out, item);
    }
    out.push(b'}');
}

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    // `bytes[start..i]` is examined and needs no escaping, but is not written yet.
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while there are eight and nothing in them needs escaping.
        while let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if needs_escape(u64::from_le_bytes(word)) {
                break;
            }
            i += 8;
        }
        // Then byte by byte to the end of the word that stopped it (or of the string).
        let end = (i + 8).min(bytes.len());
        while i < end {
            let b = bytes[i];
            if ESCAPED[usize::from(b)] {
                out.extend_from_slice(&bytes[start..i]);
                write_escape(out, b);
                start = i + 1;
            }
            i += 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The bytes JSON strings escape: control characters, `"` and `\`.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Whether any byte of `w` is a control character, `"` or `\`.
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte below n (n ≤ 0x80) borrows into its high bit; bytes ≥ 0x80 are masked by `!w`.
    let below = |n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    below(0x20) | zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\')))
        != 0
}

fn write_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// A JSON object being written: `{`, then `"key":value` pairs separated by commas, then `}`.
pub struct ObjectWriter<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    /// Starts an object (its `{` is written with the first key, or by [`Self::end`]).
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        ObjectWriter { out, first: true }
    }

    /// Writes `"key":` and returns the buffer for the value. Keys are the writer's own field
    /// names, which need no escaping, so they are copied as they are.
    pub fn key(&mut self, key: &'static str) -> &mut Vec<u8> {
        debug_assert!(!key.bytes().any(|b| ESCAPED[usize::from(b)]));
        self.out
            .extend_from_slice(if self.first { b"{\"" } else { b",\"" });
        self.first = false;
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// A string member.
    pub fn str(&mut self, key: &'static str, v: &str) {
        write_str(self.key(key), v);
    }

    /// A JSON value member.
    pub fn value(&mut self, key: &'static str, v: &Value) {
        write_value(self.key(key), v);
    }

    /// A boolean member.
    pub fn bool(&mut self, key: &'static str, v: bool) {
        let text: &[u8] = if v { b"true" } else { b"false" };
        self.key(key).extend_from_slice(text);
    }

    /// Closes the object.
    pub fn end(self) {
        if self.first {
            self.out.push(b'{');
        }
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn same_as_serde(v: &Value) {
        let mut ours = Vec::new();
        write_value(&mut ours, v);
        assert_eq!(
            String::from_utf8(ours).expect("utf-8"),
            serde_json::to_string(v).expect("serde_json")
        );
    }

    #[test]
    fn writes_what_serde_json_writes() {
        same_as_serde(&json!({
            "s": "plain", "q": "a \"quoted\" \\ path\n\ttab\r\u{8}\u{c}\u{1}\u{1f}\u{7f}",
            "long": "0123456789abcdef0123456789\"abcdef0123456789abcdef\u{0}",
            "u": "élan — 日本 🙂", "n": [0, -1, 1.5, 1e300, 12345678901234567890u64, -0.0],
            "e": {}, "a": [], "b": [true, false, null], "nested": {"x": [{"y": "z"}]}
        }));
    }

    proptest! {
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in "\\PC*|[\\x00-\\x7f]{0,40}") {
            same_as_serde(&Value::String(s));
        }

        #[test]
        fn any_bytes_as_text(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let s = String::from_utf8_lossy(&bytes).into_owned();
            same_as_serde(&json!({ s.clone(): [s] }));
        }
    }
}
