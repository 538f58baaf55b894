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
    parse_f64(body).map_or(f64::NAN, |f| sign * f)
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
    // |f| = 0.DIGITS × 10^n: the decimal point sits after `n` digits.
    let (digits, n) = shortest_digits(f);
    let (k, n) = (digits.len() as i64, i64::from(n));
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

/// What `f.to_string()` prints for a finite `f` (shortest round-trip digits, never an
/// exponent). Built from serde_json's shortest digits: using them instead of `core::fmt`'s
/// float printer keeps a second float-formatting engine (~10 KB gzipped) out of the
/// WebAssembly build. `display_matches_core_fmt` checks the two agree.
pub(crate) fn display_f64(f: f64) -> String {
    let (digits, point) = shortest_digits(f);
    let mut out = String::with_capacity(digits.len() + 24);
    if f.is_sign_negative() {
        out.push('-');
    }
    if digits.is_empty() {
        out.push('0');
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if (point as usize) < digits.len() {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    }
    out
}

/// What `format!("{f:e}")` prints for a finite, non-zero `f` (shortest digits), with
/// JavaScript's `e+` for positive exponents when `js_plus` is set.
pub(crate) fn exp_f64(f: f64, js_plus: bool) -> String {
    let (digits, point) = shortest_digits(f);
    let (first, rest) = digits.split_at(digits.len().min(1));
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let dot = if rest.is_empty() { "" } else { "." };
    let e = point - 1;
    let plus = if js_plus && e >= 0 { "+" } else { "" };
    format!("{sign}{first}{dot}{rest}e{plus}{e}")
}

/// The shortest round-trip digits of |f| (no leading or trailing zeros; empty for zero) and the
/// decimal point's position: |f| = 0.DIGITS × 10^point, as `core::fmt` chooses them.
fn shortest_digits(f: f64) -> (String, i32) {
    let text = serde_json::Number::from_f64(f.abs()).map_or_else(String::new, |n| n.to_string());
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().unwrap_or(0)),
        None => (text.as_str(), 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = [int, frac].concat();
    let lead = all.len() - all.trim_start_matches('0').len();
    let mut digits = all[lead..].trim_end_matches('0').to_string();
    let mut point = int.len() as i32 - lead as i32 + exp;
    // When |f| lies exactly halfway between two shortest candidates, serde_json takes the lower
    // one and core::fmt the upper one.
    if !digits.is_empty() && halfway_above(f.abs(), &digits, point) && round_up(&mut digits) {
        point += 1;
    }
    (digits, point)
}

/// Whether `f` (finite, positive) is exactly `0.DIGITS5 × 10^point`.
fn halfway_above(f: f64, digits: &str, point: i32) -> bool {
    // f = m × 2^q with m odd.
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut q) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return false;
    }
    q += m.trailing_zeros() as i32;
    m >>= m.trailing_zeros();
    // The candidate is n × 10^x with n = DIGITS5 (at most 18 digits).
    let Ok(n) = format!("{digits}5").parse::<u128>() else {
        return false;
    };
    let x = point - digits.len() as i32 - 1;
    // Compare m × 2^q with n × 10^x in integers; a product too big for u128 is never a tie
    // (a tie needs m = n × 5^-x or n = m × 2^q, both small).
    let scale = |mut v: u128, base: u128, times: i32| -> Option<u128> {
        for _ in 0..times {
            v = v.checked_mul(base)?;
        }
        Some(v)
    };
    let (left, right) = (
        scale(u128::from(m), 2, q).and_then(|v| scale(v, 10, -x)),
        scale(n, 2, -q).and_then(|v| scale(v, 10, x)),
    );
    matches!((left, right), (Some(l), Some(r)) if l == r)
}

/// Adds one unit in the last place to a digit string; true when it gains a digit (`99` → `1`).
/// Trailing zeros the carry leaves are dropped.
fn round_up(digits: &mut String) -> bool {
    let mut bytes = std::mem::take(digits).into_bytes();
    while let Some(last) = bytes.pop() {
        if last != b'9' {
            bytes.push(last + 1);
            *digits = String::from_utf8(bytes).unwrap_or_default();
            return false;
        }
    }
    *digits = "1".into();
    true
}

/// `s.parse::<f64>()` (Rust's grammar: sign, `inf`/`infinity`/`nan` in any case, digits with an
/// optional `.` and exponent; correctly rounded), through serde_json's correctly rounded parser
/// so that builds carry one decimal-to-float engine instead of two (core's brings a 20 KB
/// table). Correct rounding makes the value unique, so the two agree (`parse_matches_core`).
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let signed = |v: f64| if negative { -v } else { v };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(signed(f64::NAN));
    }
    let digits_end = |t: &str| {
        t.bytes()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(t.len())
    };
    let (int, rest) = body.split_at(digits_end(body));
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(r) => r.split_at(digits_end(r)),
        None => ("", rest),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let exp = match rest.as_bytes().first() {
        None => "0",
        Some(b'e' | b'E') => {
            let e = &rest[1..];
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            if unsigned.is_empty() || digits_end(unsigned) != unsigned.len() {
                return None;
            }
            e
        }
        Some(_) => return None,
    };
    // As JSON: no `+`, no leading zeros, no bare `.`; the exponent keeps serde_json on its float
    // path (so `-0` stays negative zero).
    let int = int.trim_start_matches('0');
    let json = format!(
        "{}{}{}{}e{exp}",
        if negative { "-" } else { "" },
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "" } else { "." },
        frac
    );
    match serde_json::from_str::<Value>(&json) {
        Ok(Value::Number(n)) => n.as_f64(),
        // The text is valid JSON, so the only failure is a magnitude past f64::MAX.
        _ => Some(signed(f64::INFINITY)),
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

    /// A fixed-seed xorshift, so failures reproduce.
    /// ECMAScript `Number::toString` written over `core::fmt`'s shortest `{:e}` digits.
    fn js_reference(f: f64) -> String {
        if f == 0.0 {
            return "0".into();
        }
        let scientific = format!("{:e}", f.abs());
        let (mantissa, exponent) = scientific.split_once('e').unwrap();
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        let k = digits.len() as i64;
        let n = exponent.parse::<i64>().unwrap() + 1;
        let body = if k <= n && n <= 21 {
            format!("{digits}{}", "0".repeat((n - k) as usize))
        } else if 0 < n && n <= 21 {
            format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
        } else if -6 < n && n <= 0 {
            format!("0.{}{digits}", "0".repeat((-n) as usize))
        } else {
            let e = n - 1;
            let rest = if k > 1 {
                format!(".{}", &digits[1..])
            } else {
                String::new()
            };
            format!(
                "{}{rest}e{}{}",
                &digits[..1],
                if e >= 0 { "+" } else { "-" },
                e.abs()
            )
        };
        if f < 0.0 {
            format!("-{body}")
        } else {
            body
        }
    }

    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn display_matches_core_fmt() {
        let mut specials = vec![
            0.0,
            -0.0,
            0.1,
            -0.1,
            1.5,
            1e21,
            -1e21,
            1e22,
            1.5e21,
            1e-7,
            1e-6,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            9007199254740993.0,
            123456.789,
            0.3,
            2.5e-308,
        ];
        for e in -330..=310 {
            specials.push(10f64.powi(e));
            specials.push(1.5 * 10f64.powi(e));
            specials.push(-(7.0 / 3.0) * 10f64.powi(e));
        }
        let mut state = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..400_000 {
            specials.push(f64::from_bits(xorshift(&mut state)));
            // Short decimals, the common case in policies.
            specials.push((xorshift(&mut state) % 10_000_000) as f64 / 1000.0);
        }
        for f in specials.into_iter().filter(|f| f.is_finite()) {
            let n = serde_json::Number::from_f64(f).unwrap();
            let want = match n.as_i64().filter(|i| i.unsigned_abs() <= 1 << 53) {
                Some(i) => i.to_string(),
                None => js_reference(f),
            };
            assert_eq!(number_to_string(&n), want, "{f:e}");
        }
    }

    #[test]
    fn plain_form_matches_core_fmt() {
        let mut state = 0x0DDB_1A5E_5BAD_5EED;
        for _ in 0..300_000 {
            let f = f64::from_bits(xorshift(&mut state));
            if f.is_finite() {
                assert_eq!(display_f64(f), f.to_string());
            }
        }
        for f in [0.0, -0.0, 1e21, 1.8446744073709552e19, -1e300, 5e-324] {
            assert_eq!(display_f64(f), f.to_string());
        }
    }

    #[test]
    fn exponent_form_matches_core_fmt() {
        let mut state = 0x1234_5678_9ABC_DEF1;
        for _ in 0..300_000 {
            let f = f64::from_bits(xorshift(&mut state));
            if f.is_finite() && f != 0.0 {
                assert_eq!(exp_f64(f, false), format!("{f:e}"));
            }
        }
        assert_eq!(exp_f64(1e21, true), "1e+21");
        assert_eq!(exp_f64(1.2345e-7, true), "1.2345e-7");
    }

    #[test]
    fn parse_matches_core() {
        let same = |s: &str| {
            let want = s.parse::<f64>().ok();
            let got = parse_f64(s);
            match (want, got) {
                (Some(a), Some(b)) if a.is_nan() => {
                    assert!(
                        b.is_nan() && a.is_sign_negative() == b.is_sign_negative(),
                        "{s:?}"
                    )
                }
                (a, b) => assert_eq!(
                    a.map(f64::to_bits),
                    b.map(f64::to_bits),
                    "{s:?}: {a:?} vs {b:?}"
                ),
            }
        };
        for s in [
            "",
            "+",
            "-",
            ".",
            "+.",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "1.",
            ".5",
            "-.5",
            "+5",
            "-0",
            "0",
            "00",
            "007",
            "-007.50",
            "1e5",
            "1E+05",
            "1e-5",
            "1e400",
            "-1e400",
            "1e-400",
            "-1e-400",
            "0e99999999999999999999",
            "1e99999999999999999999",
            "1e-99999999999999999",
            "inf",
            "-inf",
            "+Infinity",
            "INF",
            "NaN",
            "-nan",
            "nan1",
            "infin",
            "1_000",
            " 1",
            "1 ",
            "0x10",
            "1.2.3",
            "1e5.5",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "9007199254740993",
            "123456789012345678901234567890",
            "0.1",
            "3.",
            "١",
        ] {
            same(s);
        }
        let mut state = 0x2545_F491_4F6C_DD1D;
        for _ in 0..200_000 {
            let f = f64::from_bits(xorshift(&mut state));
            same(&format!("{f:e}"));
            same(&f.to_string());
            same(&format!("{f:.3e}"));
        }
        // Random strings over the grammar's alphabet.
        let alphabet = b"0123456789.eE+-";
        for _ in 0..300_000 {
            let len = (xorshift(&mut state) % 12) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(xorshift(&mut state) % alphabet.len() as u64) as usize] as char)
                .collect();
            same(&s);
        }
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
