//! The few JavaScript value semantics Kibana's policy code depends on (truthiness, `Number()`,
//! `String()`, `==` against null), applied to JSON values.
//!
//! An absent property is JavaScript's `undefined`; callers model it as `Option::None`, so `null`
//! and `undefined` stay distinct.

use serde_json::Value;

/// JavaScript truthiness (`!!v`). `None` is `undefined`.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// `v != null` in JavaScript: present and not `null`.
pub fn is_set(v: Option<&Value>) -> bool {
    !matches!(v, None | Some(Value::Null))
}

/// JavaScript `Number(v)` (NaN for what does not convert).
pub fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        // `Number([x])` is `Number(String([x]))`; objects are NaN.
        Value::Array(_) => string_to_number(&to_js_string(v)),
        Value::Object(_) => f64::NAN,
    }
}

fn is_js_whitespace(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// `Number(string)`: trimmed; empty is 0; decimal, `0x`/`0o`/`0b` integers and `Infinity`.
fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_whitespace);
    if t.is_empty() {
        return 0.0;
    }
    let radix = |p: &str, r: u32| -> f64 {
        if p.is_empty() || !p.chars().all(|c| c.is_digit(r)) {
            return f64::NAN;
        }
        p.chars().fold(0.0, |acc, c| {
            acc * f64::from(r) + f64::from(c.to_digit(r).unwrap_or(0))
        })
    };
    let lower = t.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") => return radix(t.get(2..).unwrap_or(""), 16),
        Some("0o") => return radix(t.get(2..).unwrap_or(""), 8),
        Some("0b") => return radix(t.get(2..).unwrap_or(""), 2),
        _ => {}
    }
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, t.get(1..).unwrap_or("")),
        Some(b'+') => (1.0, t.get(1..).unwrap_or("")),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    // JS decimal literal: digits, optional fraction, optional exponent; no other letters.
    let valid = {
        let b = body.as_bytes();
        let mut i = 0;
        let mut digits = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
                digits += 1;
            }
        }
        if digits > 0 && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return f64::NAN;
            }
        }
        digits > 0 && i == b.len()
    };
    if !valid {
        return f64::NAN;
    }
    body.parse::<f64>().map_or(f64::NAN, |f| sign * f)
}

/// `Number.isInteger(Number(v))`.
pub fn is_integer_like(v: &Value) -> bool {
    let n = to_number(v);
    n.is_finite() && n.fract() == 0.0
}

/// JavaScript `String(v)` for JSON values (arrays join with `,`, objects are `[object Object]`).
pub fn to_js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_string(n),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Null => String::new(),
                other => to_js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// `JSON.stringify(v)` for JSON values: compact, keys in order, numbers printed as JavaScript
/// prints them (`1.0` is `1`).
pub fn json_stringify(v: &Value) -> String {
    fn write(out: &mut String, v: &Value) {
        match v {
            Value::Number(n) => out.push_str(&number_to_string(n)),
            Value::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(out, x);
                }
                out.push(']');
            }
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap_or_default());
                    out.push(':');
                    write(out, x);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(&mut out, v);
    out
}

fn number_to_string(n: &serde_json::Number) -> String {
    // Integers JavaScript holds exactly print as they are; larger ones are the nearest double.
    const EXACT: u64 = 1 << 53;
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        return i.to_string();
    }
    if let Some(u) = n.as_u64().filter(|u| *u <= EXACT) {
        return u.to_string();
    }
    n.as_f64().map_or_else(|| "NaN".into(), number_to_js_string)
}

/// JavaScript's `Number.prototype.toString()` (ECMAScript `Number::toString` in base 10): the
/// shortest digits that read back as `f`, positional from 1e-7 to 1e21 and exponential
/// (`1e+21`, `1.5e-7`) outside; `-0` prints `0`.
pub fn number_to_js_string(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's `{:e}` writes the shortest round-trip digits as `d[.ddd]e<exp>`.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i64;
    // The decimal point sits after `n` digits.
    let n = exponent.parse::<i64>().unwrap_or(0) + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e >= 0 { "+" } else { "-" };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{sign}{}", e.abs())
        }
    };
    if f < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

/// Strict equality (`===`) between two JSON primitives; objects and arrays are never equal
/// (JavaScript compares them by reference).
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn number_conversion_matches_javascript() {
        assert_eq!(to_number(&json!("  7 ")), 7.0);
        assert!(to_number(&json!("1.5")).fract() != 0.0);
        assert!(to_number(&json!("abc")).is_nan());
        assert_eq!(to_number(&json!("")), 0.0);
        assert_eq!(to_number(&json!("0x1f")), 31.0);
        assert_eq!(to_number(&json!([12])), 12.0);
        assert!(to_number(&json!({})).is_nan());
        assert!(to_number(&json!("1e")).is_nan());
        assert_eq!(to_number(&json!("1e3")), 1000.0);
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        // Found by the agent template differential test (web/scripts/agent-parity.mjs).
        for (json_text, js) in [
            ("1.0", "1"),
            ("-0.0", "0"),
            ("0.1", "0.1"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("1.5e-7", "1.5e-7"),
            ("0.000001", "0.000001"),
            ("-2.5e-9", "-2.5e-9"),
            ("123456789012345678", "123456789012345680"),
            ("-9007199254740993", "-9007199254740992"),
            ("9007199254740992", "9007199254740992"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("123.456", "123.456"),
        ] {
            let v: Value = serde_json::from_str(json_text).unwrap();
            assert_eq!(to_js_string(&v), js, "{json_text}");
            assert_eq!(
                json_stringify(&json!([v])),
                format!("[{js}]"),
                "{json_text}"
            );
        }
    }

    #[test]
    fn strings_and_truthiness() {
        assert_eq!(to_js_string(&json!(["a", null, 1])), "a,,1");
        assert!(!truthy(Some(&json!(0))));
        assert!(truthy(Some(&json!([]))));
        assert!(!truthy(None));
    }
}
