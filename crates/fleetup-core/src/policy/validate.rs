//! Kibana's `validatePackagePolicy`, `validatePackagePolicyConfig` and `validationHasErrors`,
//! reproduced rule for rule (messages, JavaScript truthiness, `null` versus absent).

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::js::{is_integer_like, strict_eq, to_js_string, truthy};
use super::package::{
    arr, effective_name, has_integrations, has_no_policy_templates, input_key,
    is_input_only_template, s,
};
use crate::fields::field;

/// `validatePackagePolicyConfig(entry, def, name, yaml, packageType, requiredByVarGroup)`.
///
/// `entry` is the policy's var entry (`{type?, value?}`) or `None` when absent; `var_def` the
/// registry definition or `None`. Returns `Value::Null` or an array of messages.
pub fn validate_config(
    entry: Option<&Value>,
    var_def: Option<&Value>,
    var_name: &str,
    package_type: Option<&str>,
    required_by_var_group: bool,
) -> Value {
    let rule = var_def.map(VarRule::new);
    validate_rule(
        entry,
        rule.as_ref(),
        var_name,
        package_type,
        required_by_var_group,
    )
}

/// The `type` of a var definition, as far as validation distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VarType {
    Yaml,
    Text,
    Bool,
    Integer,
    Duration,
    Select,
    Url,
    Other,
}

/// A `min_duration`/`max_duration` bound, parsed once.
#[derive(Debug, Clone)]
struct Bound {
    parsed: Duration,
    /// `String(bound)`, for the message.
    text: String,
}

impl Bound {
    fn of(def: &Value, key: &str) -> Option<Bound> {
        let bound = def.get(key)?;
        Some(Bound {
            parsed: parse_duration(bound),
            text: to_js_string(bound),
        })
    }
}

/// A var definition with everything `validatePackagePolicyConfig` reads from it extracted once,
/// so validating a value does no map lookups on the definition.
#[derive(Debug, Clone)]
pub(crate) struct VarRule {
    ty: VarType,
    label: String,
    required: bool,
    secret: bool,
    multi: bool,
    min_duration: Option<Bound>,
    max_duration: Option<Bound>,
    /// The `value` of every select option that has one.
    options: Vec<Value>,
    url_schemes: Vec<Value>,
}

impl VarRule {
    pub(crate) fn new(def: &Value) -> Self {
        let ty = match s(def, "type") {
            Some("yaml") => VarType::Yaml,
            Some("text") => VarType::Text,
            Some("bool") => VarType::Bool,
            Some("integer") => VarType::Integer,
            Some("duration") => VarType::Duration,
            Some("select") => VarType::Select,
            Some("url") => VarType::Url,
            _ => VarType::Other,
        };
        let label = match def.get("title") {
            Some(t) if truthy(Some(t)) => to_js_string(t),
            _ => def
                .get("name")
                .map(to_js_string)
                .unwrap_or_else(|| "undefined".into()),
        };
        VarRule {
            ty,
            label,
            required: truthy(def.get("required")),
            secret: def.get("secret") == Some(&Value::Bool(true)),
            multi: truthy(def.get("multi")),
            min_duration: Bound::of(def, "min_duration"),
            max_duration: Bound::of(def, "max_duration"),
            options: arr(def, "options")
                .iter()
                .filter_map(|o| o.get("value").cloned())
                .collect(),
            url_schemes: arr(def, "url_allowed_schemes").to_vec(),
        }
    }
}

/// [`validate_config`] on a compiled definition.
fn validate_rule(
    entry: Option<&Value>,
    rule: Option<&VarRule>,
    var_name: &str,
    package_type: Option<&str>,
    required_by_var_group: bool,
) -> Value {
    let Some(def) = rule else {
        return Value::Null;
    };
    let value: Option<&Value> = entry.and_then(|e| field(e, "value"));
    // `parsed` is `value`, trimmed when a string; `None` is JavaScript `undefined`.
    // Borrowed unless trimming or YAML parsing produces a new value.
    let mut parsed: Option<Cow<'_, Value>> = value.map(|v| match v {
        Value::String(s) if trim_js(s).len() != s.len() => {
            Cow::Owned(Value::String(trim_js(s).to_string()))
        }
        other => Cow::Borrowed(other),
    });
    let ty = def.ty;
    let label = || def.label.clone();
    let required = def.required || required_by_var_group;
    let mut errors: Vec<String> = Vec::new();

    if required
        && (parsed.is_none()
            || (ty == VarType::Yaml && parsed.as_deref() == Some(&Value::String(String::new()))))
    {
        errors.push(format!("{} is required", label()));
    }

    if def.secret
        && truthy(parsed.as_deref())
        && parsed.as_deref().and_then(|p| p.get("isSecretRef")) == Some(&Value::Bool(true))
    {
        let p = parsed.as_deref().unwrap_or(&Value::Null);
        let id = p.get("id");
        let ids = p.get("ids");
        let ids_len = ids.and_then(Value::as_array).map(Vec::len);
        let ids_empty = !truthy(ids) || ids_len == Some(0);
        let msg = if !truthy(id) && ids_empty {
            Some("Secret reference is invalid, id or ids must be provided")
        } else if truthy(id) && truthy(ids) {
            Some("Secret reference is invalid, id or ids cannot both be provided")
        } else if truthy(id) && !matches!(id, Some(Value::String(_))) {
            Some("Secret reference is invalid, id must be a string")
        } else if truthy(ids)
            && !ids
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().all(Value::is_string))
        {
            Some("Secret reference is invalid, ids must be an array of strings")
        } else {
            None
        };
        return match msg {
            Some(m) => {
                errors.push(m.into());
                Value::Array(errors.into_iter().map(Value::String).collect())
            }
            None => Value::Null,
        };
    }

    if ty == VarType::Yaml {
        // js-yaml coerces its input with String(); `undefined` becomes the text "undefined".
        let text: Cow<'_, str> = match value {
            Some(Value::String(s)) => Cow::Borrowed(s),
            Some(v) => Cow::Owned(to_js_string(v)),
            None => Cow::Borrowed("undefined"),
        };
        // Below, a YAML var's parsed value is only read for multi vars and the input-package
        // dataset var; otherwise only whether it parses matters, which is cached by text.
        let needs_value =
            def.multi || (var_name == super::package::DATASET_VAR && package_type == Some("input"));
        if needs_value {
            match crate::yaml::parse(&text) {
                Ok(v) => parsed = Some(Cow::Owned(v)),
                Err(_) => errors.push("Invalid YAML format".into()),
            }
        } else if !yaml_parses(&text) {
            errors.push("Invalid YAML format".into());
        }
    }

    if def.multi {
        if truthy(parsed.as_deref()) && !matches!(parsed.as_deref(), Some(Value::Array(_))) {
            errors.push(format!("Invalid format for {}: expected array", label()));
            return to_result(errors);
        }
        if let (true, Some(Value::Array(items))) = (required, parsed.as_deref()) {
            let has_empty = ty == VarType::Text
                && items
                    .iter()
                    .any(|i| matches!(i, Value::String(s) if trim_js(s).is_empty()));
            if has_empty || items.is_empty() {
                errors.push(format!("{} is required", label()));
            }
        }
        if let Some(Value::Array(items)) = parsed.as_deref() {
            if ty == VarType::Text && items.iter().any(starts_with_yaml_special_value) {
                errors.push(QUOTE_MSG.into());
            }
            if ty == VarType::Integer && items.iter().any(|i| !is_integer_like(i)) {
                errors.push("Invalid integer".into());
            }
        }
        return to_result(errors);
    }

    let p = parsed.as_deref();
    let is_array = matches!(p, Some(Value::Array(_)));
    if ty == VarType::Text && truthy(p) && !is_array {
        if let Some(v) = p {
            if starts_with_yaml_special_value(v) {
                errors.push(QUOTE_MSG.into());
            }
        }
    }
    if ty == VarType::Bool && truthy(p) {
        let ok = match p {
            Some(Value::Bool(_)) => true,
            Some(v) => {
                let text = to_js_string(v);
                text == "true" || text == "false"
            }
            None => false,
        };
        if !ok {
            errors.push("Boolean values must be either true or false".into());
        }
    }
    if ty == VarType::Integer && truthy(p) && !is_array && !p.is_some_and(is_integer_like) {
        errors.push("Invalid integer".into());
    }
    if ty == VarType::Duration && !is_array {
        if let Some(v) = p {
            let d = parse_duration(v);
            if !d.errors.is_empty() {
                errors.extend(d.errors);
            } else {
                check_bound(def.min_duration.as_ref(), true, d.value_ns, &mut errors);
                check_bound(def.max_duration.as_ref(), false, d.value_ns, &mut errors);
            }
        }
    }
    if ty == VarType::Select {
        if let Some(v) = p {
            if !def.options.iter().any(|ov| strict_eq(ov, v)) {
                errors.push("Invalid value for select type".into());
            }
        }
    }
    if ty == VarType::Url {
        if let Some(v) = p {
            if v.as_str() != Some("") {
                check_url(&def.url_schemes, v, &mut errors);
            }
        }
    }
    if var_name == super::package::DATASET_VAR && package_type == Some("input") {
        if let Some(v) = p {
            let ds = match v.get("dataset") {
                Some(d) if truthy(Some(d)) => d,
                _ => v,
            };
            if let Some(e) = dataset_error(&to_js_string(ds)) {
                errors.push(e);
            }
        }
    }
    to_result(errors)
}

/// Whether `text` is a YAML document js-yaml loads. Customised policies repeat the same few
/// YAML values across thousands of policies, so answers are kept per thread by text.
fn yaml_parses(text: &str) -> bool {
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<Box<str>, bool>> =
            std::cell::RefCell::new(HashMap::new());
    }
    /// Entries kept before the cache starts over (bounds memory on streams of distinct values).
    const MAX_ENTRIES: usize = 4096;
    /// Longer texts are parsed every time rather than kept.
    const MAX_TEXT: usize = 4096;
    if text.len() > MAX_TEXT {
        return crate::yaml::parse(text).is_ok();
    }
    if let Some(ok) = SEEN.with(|m| m.borrow().get(text).copied()) {
        return ok;
    }
    let ok = crate::yaml::parse(text).is_ok();
    SEEN.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(text.into(), ok);
    });
    ok
}

fn starts_with_yaml_special_value(v: &Value) -> bool {
    match v {
        Value::String(s) => starts_with_yaml_special(s),
        other => starts_with_yaml_special(&to_js_string(other)),
    }
}

const QUOTE_MSG: &str =
    "Strings starting with special YAML characters like * or & need to be enclosed in double quotes.";

fn to_result(errors: Vec<String>) -> Value {
    if errors.is_empty() {
        Value::Null
    } else {
        Value::Array(errors.into_iter().map(Value::String).collect())
    }
}

fn starts_with_yaml_special(s: &str) -> bool {
    s.starts_with('*') || s.starts_with('&')
}

/// `String.prototype.trim`: JavaScript white space and line terminators.
fn trim_js(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

fn check_bound(bound: Option<&Bound>, is_min: bool, value_ns: f64, errors: &mut Vec<String>) {
    let Some(bound) = bound else { return };
    let key = if is_min {
        "min_duration"
    } else {
        "max_duration"
    };
    if !bound.parsed.errors.is_empty() {
        errors.push(format!("Invalid {key} specification"));
    } else if is_min && value_ns < bound.parsed.value_ns {
        errors.push(format!(
            "Duration is below the minimum allowed value of {}",
            bound.text
        ));
    } else if !is_min && value_ns > bound.parsed.value_ns {
        errors.push(format!(
            "Duration is above the maximum allowed value of {}",
            bound.text
        ));
    }
}

/// The result of Kibana's `parseDuration`.
#[derive(Debug, Clone, PartialEq)]
pub struct Duration {
    /// Total nanoseconds of every matched component.
    pub value_ns: f64,
    /// Error messages; empty when valid.
    pub errors: Vec<String>,
}

/// Kibana's `parseDuration`: components `(\d+)(ms|s|m|h)`, whole string required.
pub fn parse_duration(v: &Value) -> Duration {
    let text = match v {
        Value::String(s) if !trim_js(s).is_empty() => s.as_str(),
        _ => {
            return Duration {
                value_ns: 0.0,
                errors: vec!["Duration cannot be empty".into()],
            }
        }
    };
    let bytes = text.as_bytes();
    let mut total = 0.0;
    let mut matched_len = 0usize;
    let mut matches = 0usize;
    let mut contiguous = true;
    let mut last_end = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        let rest = &bytes[j..];
        let (unit_len, factor) = if rest.starts_with(b"ms") {
            (2, 1e6)
        } else if rest.starts_with(b"s") {
            (1, 1e9)
        } else if rest.starts_with(b"m") {
            (1, 6e10)
        } else if rest.starts_with(b"h") {
            (1, 3.6e12)
        } else {
            i += 1;
            continue;
        };
        let digits: f64 = text
            .get(start..j)
            .and_then(crate::js::parse_f64)
            .unwrap_or(f64::NAN);
        total += digits * factor;
        if start != last_end {
            contiguous = false;
        }
        matched_len += j + unit_len - start;
        last_end = j + unit_len;
        matches += 1;
        i = last_end;
    }
    if matches == 0 {
        return Duration {
            value_ns: 0.0,
            errors: vec!["Invalid duration format. Expected format like \"1h30m45s\"".into()],
        };
    }
    let mut errors = Vec::new();
    if !(contiguous && matched_len == bytes.len()) {
        errors.push("Duration contains invalid characters".into());
    }
    Duration {
        value_ns: total,
        errors,
    }
}

/// `new URL(value)` (WHATWG) acceptance plus Fleet's `url_allowed_schemes` check.
fn check_url(schemes: &[Value], v: &Value, errors: &mut Vec<String>) {
    let text = to_js_string(v);
    if !whatwg_url_parses(&text) {
        errors.push("Invalid URL format".into());
        return;
    }
    if !schemes.is_empty() {
        let Value::String(raw) = v else {
            // `parsedValue.split` throws for non-strings, which Kibana reports as a format error.
            errors.push("Invalid URL format".into());
            return;
        };
        // `whatwg_url_parses` accepted it, so everything before the first `:` is ASCII (the
        // scheme plus stripped C0 controls, spaces, tabs and newlines): ASCII lowercasing is
        // JavaScript's `toLowerCase` here.
        let scheme = raw.split(':').next().unwrap_or("").to_ascii_lowercase();
        if !schemes.iter().any(|s| s.as_str() == Some(scheme.as_str())) {
            let allowed: Vec<String> = schemes.iter().map(to_js_string).collect();
            errors.push(format!(
                "URL scheme \"{scheme}\" is not allowed. Allowed schemes: {}",
                allowed.join(", ")
            ));
        }
    }
}

/// A conservative WHATWG URL check: a scheme (`ALPHA *(ALPHA / DIGIT / + / - / .)`) then `:`;
/// special schemes need a valid host and port.
fn whatwg_url_parses(input: &str) -> bool {
    // The URL parser strips leading/trailing C0 controls and spaces, and tabs/newlines anywhere.
    let cleaned: String = input
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let Some(colon) = cleaned.find(':') else {
        return false;
    };
    let (scheme, rest) = cleaned.split_at(colon);
    let rest = rest.get(1..).unwrap_or("");
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return false;
    }
    let scheme = scheme.to_ascii_lowercase();
    let special = matches!(
        scheme.as_str(),
        "http" | "https" | "ws" | "wss" | "ftp" | "file"
    );
    if !special {
        // Non-special schemes accept almost anything; an authority, if given, must be sane.
        return match rest.strip_prefix("//") {
            Some(after) => authority_ok(after, false),
            None => true,
        };
    }
    if scheme == "file" {
        return true;
    }
    let after = rest.trim_start_matches(['/', '\\']);
    authority_ok(after, true)
}

fn authority_ok(after: &str, special: bool) -> bool {
    let end = after
        .find(|c: char| c == '/' || c == '?' || c == '#' || (special && c == '\\'))
        .unwrap_or(after.len());
    let authority = after.get(..end).unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(stripped) = host_port.strip_prefix('[') {
        match stripped.split_once(']') {
            Some((h, rest)) => {
                if h.is_empty()
                    || !h
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
                {
                    return false;
                }
                (h, rest.strip_prefix(':'))
            }
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if special && host.is_empty() {
        return false;
    }
    if host.chars().any(|c| {
        matches!(
            c,
            '\0' | '\t'
                | '\n'
                | '\r'
                | ' '
                | '#'
                | '/'
                | ':'
                | '<'
                | '>'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '^'
                | '|'
        ) || (special && (c == '%' || c.is_control()))
    }) && !host_port.starts_with('[')
    {
        return false;
    }
    match port {
        Some(p) if !p.is_empty() => {
            p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= 65535)
        }
        _ => true,
    }
}

/// `name === name.toLowerCase()`: true when no character changes under lowercasing. Checking
/// char by char gives the same answer as lowercasing the string (a changed character always
/// changes the string; final sigma only picks between two lowercase forms of a changed `Σ`).
fn is_lowercase(name: &str) -> bool {
    !name.chars().any(changes_when_lowercased)
}

/// Whether `char::to_lowercase` changes `c`, from [`CHANGES_WHEN_LOWERCASED`].
fn changes_when_lowercased(c: char) -> bool {
    let c = c as u32;
    let i = CHANGES_WHEN_LOWERCASED.partition_point(|&(first, _, _)| first <= c);
    let Some(&(first, count, stride)) = i.checked_sub(1).map(|i| &CHANGES_WHEN_LOWERCASED[i])
    else {
        return false;
    };
    let offset = c - first;
    offset % u32::from(stride) == 0 && offset / u32::from(stride) < u32::from(count)
}

/// The characters `char::to_lowercase` changes (Unicode's Changes_When_Lowercased, in the
/// pinned toolchain's Unicode version) as disjoint runs `(first, count, stride)`: 1 KB here
/// instead of core's case-mapping tables (~5 KB gzipped of the `.wasm`).
/// `lowercase_runs_match_core` checks every char against `char::to_lowercase`.
const CHANGES_WHEN_LOWERCASED: &[(u32, u16, u8)] = &[
    (0x41, 26, 1),
    (0xc0, 23, 1),
    (0xd8, 7, 1),
    (0x100, 28, 2),
    (0x139, 8, 2),
    (0x14a, 24, 2),
    (0x179, 3, 2),
    (0x181, 2, 1),
    (0x184, 2, 2),
    (0x187, 2, 2),
    (0x18a, 2, 1),
    (0x18e, 4, 1),
    (0x193, 2, 1),
    (0x196, 3, 1),
    (0x19c, 2, 1),
    (0x19f, 2, 1),
    (0x1a2, 3, 2),
    (0x1a7, 2, 2),
    (0x1ac, 2, 2),
    (0x1af, 2, 2),
    (0x1b2, 2, 1),
    (0x1b5, 2, 2),
    (0x1b8, 1, 1),
    (0x1bc, 1, 1),
    (0x1c4, 2, 1),
    (0x1c7, 2, 1),
    (0x1ca, 2, 1),
    (0x1cd, 8, 2),
    (0x1de, 9, 2),
    (0x1f1, 2, 1),
    (0x1f4, 2, 2),
    (0x1f7, 2, 1),
    (0x1fa, 29, 2),
    (0x23a, 2, 1),
    (0x23d, 2, 1),
    (0x241, 2, 2),
    (0x244, 3, 1),
    (0x248, 4, 2),
    (0x370, 2, 2),
    (0x376, 1, 1),
    (0x37f, 1, 1),
    (0x386, 2, 2),
    (0x389, 2, 1),
    (0x38c, 2, 2),
    (0x38f, 2, 2),
    (0x392, 16, 1),
    (0x3a3, 9, 1),
    (0x3cf, 1, 1),
    (0x3d8, 12, 2),
    (0x3f4, 1, 1),
    (0x3f7, 2, 2),
    (0x3fa, 1, 1),
    (0x3fd, 51, 1),
    (0x460, 17, 2),
    (0x48a, 28, 2),
    (0x4c1, 7, 2),
    (0x4d0, 48, 2),
    (0x531, 38, 1),
    (0x10a0, 38, 1),
    (0x10c7, 1, 1),
    (0x10cd, 1, 1),
    (0x13a0, 86, 1),
    (0x1c89, 1, 1),
    (0x1c90, 43, 1),
    (0x1cbd, 3, 1),
    (0x1e00, 75, 2),
    (0x1e9e, 49, 2),
    (0x1f08, 8, 1),
    (0x1f18, 6, 1),
    (0x1f28, 8, 1),
    (0x1f38, 8, 1),
    (0x1f48, 6, 1),
    (0x1f59, 4, 2),
    (0x1f68, 8, 1),
    (0x1f88, 8, 1),
    (0x1f98, 8, 1),
    (0x1fa8, 8, 1),
    (0x1fb8, 5, 1),
    (0x1fc8, 5, 1),
    (0x1fd8, 4, 1),
    (0x1fe8, 5, 1),
    (0x1ff8, 5, 1),
    (0x2126, 1, 1),
    (0x212a, 2, 1),
    (0x2132, 1, 1),
    (0x2160, 16, 1),
    (0x2183, 1, 1),
    (0x24b6, 26, 1),
    (0x2c00, 48, 1),
    (0x2c60, 2, 2),
    (0x2c63, 2, 1),
    (0x2c67, 4, 2),
    (0x2c6e, 3, 1),
    (0x2c72, 1, 1),
    (0x2c75, 1, 1),
    (0x2c7e, 3, 1),
    (0x2c82, 49, 2),
    (0x2ceb, 2, 2),
    (0x2cf2, 1, 1),
    (0xa640, 23, 2),
    (0xa680, 14, 2),
    (0xa722, 7, 2),
    (0xa732, 31, 2),
    (0xa779, 3, 2),
    (0xa77e, 5, 2),
    (0xa78b, 2, 2),
    (0xa790, 2, 2),
    (0xa796, 11, 2),
    (0xa7ab, 4, 1),
    (0xa7b0, 5, 1),
    (0xa7b6, 8, 2),
    (0xa7c5, 3, 1),
    (0xa7c9, 2, 2),
    (0xa7cc, 9, 2),
    (0xa7f5, 1, 1),
    (0xff21, 26, 1),
    (0x10400, 40, 1),
    (0x104b0, 36, 1),
    (0x10570, 11, 1),
    (0x1057c, 15, 1),
    (0x1058c, 7, 1),
    (0x10594, 2, 1),
    (0x10c80, 51, 1),
    (0x10d50, 22, 1),
    (0x118a0, 32, 1),
    (0x16e40, 32, 1),
    (0x16ea0, 25, 1),
    (0x1e900, 34, 1),
];

/// `isValidNamespace`/`isValidDataset`'s shared entity rules (`allowBlank` false).
fn entity_error(name: &str, kind: &str) -> Option<String> {
    if trim_js(name).is_empty() {
        Some(format!("{kind} is required"))
    } else if !is_lowercase(name) {
        Some(format!("{kind} must be lowercase"))
    } else if name.chars().any(|c| {
        matches!(
            c,
            '*' | '\\' | '/' | '?' | '"' | '<' | '>' | '|' | ',' | '#' | ':' | '-'
        ) || c.is_whitespace()
    }) {
        Some(format!("{kind} contains invalid characters"))
    } else if name.len() > 100 {
        Some(format!("{kind} cannot be more than 100 bytes"))
    } else {
        None
    }
}

fn dataset_error(name: &str) -> Option<String> {
    entity_error(name, "Dataset").or_else(|| {
        (name.starts_with('_') || name.starts_with('.'))
            .then(|| "Dataset cannot start with an underscore or dot".to_string())
    })
}

/// `isValidNamespace(ns, allowBlank = true, prefixes)`.
pub fn namespace_error(ns: &str, prefixes: &[String]) -> Option<String> {
    if trim_js(ns).is_empty() {
        return None;
    }
    if let Some(e) = entity_error(ns, "Namespace") {
        return Some(e);
    }
    if !prefixes.is_empty() && !prefixes.iter().any(|p| trim_js(ns).starts_with(p.as_str())) {
        return Some(if prefixes.len() == 1 {
            // One prefix: `join` is that prefix.
            format!("Namespace should start with {}", prefixes.join(", "))
        } else {
            format!(
                "Namespace should start with one of these prefixes: {}",
                prefixes.join(", ")
            )
        });
    }
    None
}

/// The regex `/^(logs)|(metrics)|(traces)|(synthetics)|(profiling)-(.*)$/` with its precedence
/// quirk: a `logs` prefix, or `metrics`/`traces`/`synthetics` anywhere, or `profiling-` anywhere
/// before the end.
fn datastream_permission_ok(p: &str) -> bool {
    p.starts_with("logs")
        || p.contains("metrics")
        || p.contains("traces")
        || p.contains("synthetics")
        || p.contains("profiling-")
}

fn var_groups_controlled(groups: &[Value]) -> impl Iterator<Item = &str> {
    groups
        .iter()
        .flat_map(|g| arr(g, "options"))
        .flat_map(|o| arr(o, "vars"))
        .filter_map(Value::as_str)
}

fn selected_option<'a>(group: &'a Value, selections: Option<&Value>) -> Option<&'a Value> {
    let gname = group.get("name").map(to_js_string)?;
    let sel = selections.and_then(|s| s.get(&gname))?;
    if !truthy(Some(sel)) {
        return None;
    }
    arr(group, "options")
        .iter()
        .find(|o| o.get("name").is_some_and(|n| strict_eq(n, sel)))
}

fn option_has_var(option: &Value, name: &str) -> bool {
    arr(option, "vars").iter().any(|v| v.as_str() == Some(name))
}

/// `shouldValidateVar`.
fn should_validate_var(name: &str, groups: &[Value], selections: Option<&Value>) -> bool {
    if groups.is_empty() || !var_groups_controlled(groups).any(|v| v == name) {
        return true;
    }
    groups
        .iter()
        .any(|g| selected_option(g, selections).is_some_and(|o| option_has_var(o, name)))
}

/// `isVarRequiredByVarGroup`.
fn required_by_var_group(name: &str, groups: &[Value], selections: Option<&Value>) -> bool {
    groups.iter().any(|g| {
        truthy(g.get("required"))
            && selected_option(g, selections).is_some_and(|o| option_has_var(o, name))
    })
}

/// `validatePackageRequiredVars`: `None` when satisfied or not applicable.
fn validate_required_vars(holder: &Value, required: Option<&Value>) -> Option<Value> {
    let required = required.filter(|r| truthy(Some(r)))?;
    if !truthy(holder.get("vars")) || !truthy(holder.get("enabled")) {
        return None;
    }
    let groups = required.as_object()?;
    let mut evaluated = Map::new();
    let mut met = false;
    for (group, constraints) in groups {
        let constraints: &[Value] = constraints.as_array().map_or(&[], Vec::as_slice);
        let mut remaining: Vec<&Value> = constraints.iter().collect();
        for c in constraints {
            let cname = c.get("name").map(to_js_string).unwrap_or_default();
            let Some(var) = holder.get("vars").and_then(|v| v.get(&cname)) else {
                continue;
            };
            if !truthy(Some(var)) {
                continue;
            }
            let cval = c.get("value");
            let vval = var.get("value");
            let ok = (!truthy(cval) && truthy(vval))
                || (truthy(cval)
                    && truthy(vval)
                    && cval.zip(vval).is_some_and(|(a, b)| strict_eq(a, b)));
            if ok {
                remaining.retain(|r| r.get("name").map(to_js_string).unwrap_or_default() != cname);
            }
        }
        if remaining.is_empty() {
            met = true;
        }
        evaluated.insert(
            group.clone(),
            Value::Array(
                remaining
                    .iter()
                    .map(|r| {
                        let mut m = Map::new();
                        m.insert("name".into(), r.get("name").cloned().unwrap_or(Value::Null));
                        m.insert("invalid".into(), Value::Bool(true));
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
    }
    (!met).then_some(Value::Object(evaluated))
}

/// Compiled var definitions by name, in definition order (lodash `keyBy`: a later duplicate
/// replaces the earlier one in its position).
#[derive(Debug, Clone, Default)]
pub(crate) struct VarRules(Vec<(String, VarRule)>);

impl VarRules {
    fn new(defs: &[Value]) -> Self {
        let mut out: Vec<(String, VarRule)> = Vec::with_capacity(defs.len());
        for d in defs {
            // lodash stringifies non-string keys.
            let k: Cow<'_, str> = match d.get("name") {
                Some(Value::String(n)) => Cow::Borrowed(n),
                Some(other) => Cow::Owned(to_js_string(other)),
                None => Cow::Borrowed("undefined"),
            };
            let rule = VarRule::new(d);
            match out.iter_mut().find(|(x, _)| *x == k) {
                Some(slot) => slot.1 = rule,
                None => out.push((k.into_owned(), rule)),
            }
        }
        VarRules(out)
    }
    fn get(&self, name: &str) -> Option<&VarRule> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// What validation reads from a registry stream.
#[derive(Debug, Clone, Default)]
struct StreamRules {
    vars: VarRules,
    var_groups: Vec<Value>,
    required_vars: Option<Value>,
}

/// Everything `validatePackagePolicy` derives from the package, compiled once per package
/// (see [`super::prepared::PreparedPackage`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct ValidationIndex {
    has_integrations: bool,
    /// No policy template, or none with inputs: only package-level vars are validated.
    no_inputs: bool,
    package_type: Option<String>,
    package_vars: VarRules,
    package_var_groups: Vec<Value>,
    /// `buildInputKey` → the input's var rules and `required_vars` (inputs with vars only).
    inputs: HashMap<String, (VarRules, Option<Value>)>,
    /// `<dataset>-<input>` → the registry stream.
    streams: HashMap<String, StreamRules>,
}

impl ValidationIndex {
    /// Indexes `pkg`, whose normalised data streams are `data_streams`.
    pub(crate) fn new(pkg: &Value, data_streams: &[Value]) -> Self {
        let hi = has_integrations(pkg);
        let templates = arr(pkg, "policy_templates");
        let mut inputs = HashMap::new();
        for pt in templates {
            // Input-only templates normalise to one input without vars: nothing to index.
            if is_input_only_template(pt) {
                continue;
            }
            for input in arr(pt, "inputs") {
                let Some(name) = effective_name(input) else {
                    continue;
                };
                if !arr(input, "vars").is_empty() {
                    let key = input_key(name, s(pt, "name"), hi).into_owned();
                    inputs.insert(
                        key,
                        (
                            VarRules::new(arr(input, "vars")),
                            input.get("required_vars").cloned(),
                        ),
                    );
                }
            }
        }
        let mut streams = HashMap::new();
        for ds in data_streams {
            let dataset = ds
                .get("dataset")
                .map_or_else(|| "undefined".into(), to_js_string);
            for st in arr(ds, "streams") {
                let input = st
                    .get("input")
                    .map_or_else(|| "undefined".into(), to_js_string);
                streams.insert(
                    format!("{dataset}-{input}"),
                    StreamRules {
                        vars: VarRules::new(arr(st, "vars")),
                        var_groups: arr(st, "var_groups").to_vec(),
                        required_vars: st.get("required_vars").cloned(),
                    },
                );
            }
        }
        ValidationIndex {
            has_integrations: hi,
            no_inputs: templates.is_empty() || has_no_policy_templates(pkg),
            package_type: s(pkg, "type").map(str::to_string),
            package_vars: VarRules::new(arr(pkg, "vars")),
            package_var_groups: arr(pkg, "var_groups").to_vec(),
            inputs,
            streams,
        }
    }
}

/// Options of [`validate_package_policy`].
#[derive(Debug, Default, Clone)]
pub struct ValidateOptions {
    /// The space's allowed namespace prefixes (empty: any).
    pub allowed_namespace_prefixes: Vec<String>,
}

/// `validatePackagePolicy(policy, packageInfo, yaml)`: the validation result object.
pub fn validate_package_policy(policy: &Value, pkg: &Value, opts: &ValidateOptions) -> Value {
    let prepared = super::prepared::PreparedPackage::cached(pkg);
    validate_prepared(policy, prepared.validation(), opts)
}

/// [`validate_package_policy`] against a package's compiled [`ValidationIndex`].
pub(crate) fn validate_prepared(
    policy: &Value,
    index: &ValidationIndex,
    opts: &ValidateOptions,
) -> Value {
    let mut tree = ResultTree::default();
    validate_into(policy, index, opts, &mut tree);
    tree.finish()
}

/// `error_list(&validate_prepared(policy, index, opts))`, without building the result object:
/// what the merge needs (see `updatePackageInputs`).
pub(crate) fn validation_errors(
    policy: &Value,
    index: &ValidationIndex,
    opts: &ValidateOptions,
) -> Vec<Value> {
    let mut errors = ErrorList::default();
    validate_into(policy, index, opts, &mut errors);
    errors.finish()
}

/// Receives `validatePackagePolicy`'s results, in the order Kibana computes them. A result is
/// `null` or an array of messages; `required_vars` results are objects.
trait ResultSink<'p> {
    /// `name`, `description`, `namespace` or `additional_datastreams_permissions`.
    fn top(&mut self, key: &'static str, result: Value);
    fn package_var(&mut self, name: &'p str, result: Value);
    /// Starts the result of the input with `buildInputKey` `key`.
    fn begin_input(&mut self, key: Cow<'p, str>);
    fn input_var(&mut self, name: &'p str, result: Value);
    fn input_required_vars(&mut self, result: Value);
    /// Starts the result of the current input's stream with dataset `dataset`.
    fn begin_stream(&mut self, dataset: Cow<'p, str>);
    fn stream_var(&mut self, name: &str, result: Value);
    fn stream_required_vars(&mut self, result: Value);
    fn end_stream(&mut self);
    /// Ends the current input; Kibana records its result only when `recorded` (the input has
    /// vars or streams), replacing an earlier input's with the same key in its position.
    fn end_input(&mut self, recorded: bool);
}

/// `validatePackagePolicy`'s walk over the policy, reporting to `sink`.
fn validate_into<'p>(
    policy: &'p Value,
    index: &ValidationIndex,
    opts: &ValidateOptions,
    sink: &mut impl ResultSink<'p>,
) {
    let name_blank = match field(policy, "name") {
        None => true,
        Some(Value::String(n)) => trim_js(n).is_empty(),
        Some(other) => trim_js(&to_js_string(other)).is_empty(),
    };
    sink.top(
        "name",
        if name_blank {
            Value::Array(vec![Value::String("Name is required".into())])
        } else {
            Value::Null
        },
    );
    sink.top("description", Value::Null);
    let ns = match field(policy, "namespace") {
        Some(n) if truthy(Some(n)) => {
            namespace_error(&to_js_string(n), &opts.allowed_namespace_prefixes)
                .map_or(Value::Null, |e| Value::Array(vec![Value::String(e)]))
        }
        _ => Value::Null,
    };
    sink.top("namespace", ns);
    let mut adp = Value::Null;
    if let Some(Value::Array(perms)) = field(policy, "additional_datastreams_permissions") {
        let bad: Vec<Value> = perms
            .iter()
            .map(to_js_string)
            .filter(|p| !datastream_permission_ok(p))
            .map(|p| {
                Value::String(format!(
                    "{p} is not valid, should match /^(logs)|(metrics)|(traces)|(synthetics)|(profiling)-(.*)$/"
                ))
            })
            .collect();
        if !bad.is_empty() {
            adp = Value::Array(bad);
        }
    }
    sink.top("additional_datastreams_permissions", adp);

    // Package-level vars: iterate the policy's entries, not the definitions.
    let groups = &index.package_var_groups[..];
    let selections = field(policy, "var_group_selections");
    if let Some(Value::Object(pvars)) = field(policy, "vars") {
        for (name, entry) in pvars {
            let r = if !should_validate_var(name, groups, selections) {
                Value::Null
            } else {
                validate_rule(
                    Some(entry),
                    index.package_vars.get(name),
                    name,
                    None,
                    required_by_var_group(name, groups, selections),
                )
            };
            sink.package_var(name, r);
        }
    }

    if index.no_inputs {
        return;
    }

    let package_type = index.package_type.as_deref();
    let empty_stream = StreamRules::default();
    let mut skey = String::new();
    for input in arr(policy, "inputs") {
        if !truthy(field(input, "vars")) && !truthy(field(input, "streams")) {
            continue;
        }
        let eff = effective_name(input).unwrap_or("undefined");
        let key = input_key(eff, s(input, "policy_template"), index.has_integrations);
        let enabled = truthy(field(input, "enabled"));
        let ivars = match field(input, "vars") {
            Some(Value::Object(ivars)) if !ivars.is_empty() => Some(ivars),
            _ => None,
        };
        let defs = ivars.and_then(|_| index.inputs.get(key.as_ref()));
        sink.begin_input(key);
        if let Some(ivars) = ivars {
            for (name, entry) in ivars {
                let v = if enabled {
                    validate_rule(
                        Some(entry),
                        defs.and_then(|d| d.0.get(name)),
                        name,
                        None,
                        false,
                    )
                } else {
                    Value::Null
                };
                sink.input_var(name, v);
            }
            if enabled {
                if let Some(rv) = validate_required_vars(input, defs.and_then(|d| d.1.as_ref())) {
                    sink.input_required_vars(rv);
                }
            }
        }
        let streams = arr(input, "streams");
        for stream in streams {
            let dataset: Cow<'p, str> =
                match field(stream, "data_stream").and_then(|d| field(d, "dataset")) {
                    Some(Value::String(d)) => Cow::Borrowed(d),
                    Some(other) => Cow::Owned(to_js_string(other)),
                    None => Cow::Borrowed("undefined"),
                };
            skey.clear();
            skey.push_str(&dataset);
            skey.push('-');
            skey.push_str(eff);
            let rules = index.streams.get(&skey).unwrap_or(&empty_stream);
            sink.begin_stream(dataset);
            let sgroups = &rules.var_groups[..];
            let ssel = field(stream, "var_group_selections");
            let s_enabled = truthy(field(stream, "enabled"));
            let svars = field(stream, "vars");
            let mut stored_vars = VarCursor::new(svars);
            for (name, rule) in &rules.vars.0 {
                let name: &str = name;
                let v = if !should_validate_var(name, sgroups, ssel) {
                    Value::Null
                } else if enabled && s_enabled {
                    validate_rule(
                        stored_vars.get(name),
                        Some(rule),
                        name,
                        package_type,
                        required_by_var_group(name, sgroups, ssel),
                    )
                } else {
                    Value::Null
                };
                sink.stream_var(name, v);
            }
            if truthy(svars) && s_enabled {
                if let Some(rv) = validate_required_vars(stream, rules.required_vars.as_ref()) {
                    sink.stream_required_vars(rv);
                }
            }
            sink.end_stream();
        }
        sink.end_input(ivars.is_some() || !streams.is_empty());
    }
}

/// Looks entries of a policy's `vars` up by name, trying the entry after the last one found
/// first: a stream's vars usually follow the order of the package's definitions.
struct VarCursor<'a> {
    vars: Option<&'a Value>,
    next: Option<serde_json::map::Iter<'a>>,
}

impl<'a> VarCursor<'a> {
    fn new(vars: Option<&'a Value>) -> Self {
        VarCursor {
            vars,
            next: vars.and_then(Value::as_object).map(|m| m.iter()),
        }
    }

    /// `vars[name]`.
    fn get(&mut self, name: &str) -> Option<&'a Value> {
        if let Some(next) = &mut self.next {
            let mut probe = next.clone();
            if let Some((_, v)) = probe.next().filter(|(k, _)| *k == name) {
                *next = probe;
                return Some(v);
            }
        }
        self.vars.and_then(|v| field(v, name))
    }
}

/// The result object of `validatePackagePolicy`.
#[derive(Default)]
struct ResultTree {
    top: Map<String, Value>,
    package_vars: Map<String, Value>,
    inputs: Map<String, Value>,
    input: InputResult,
    stream: StreamResult,
}

/// The parts of one input's result, assembled in Kibana's key order when it ends.
#[derive(Default)]
struct InputResult {
    key: String,
    vars: Option<Map<String, Value>>,
    required_vars: Option<Value>,
    streams: Option<Map<String, Value>>,
}

#[derive(Default)]
struct StreamResult {
    dataset: String,
    vars: Option<Map<String, Value>>,
    required_vars: Option<Value>,
}

impl ResultTree {
    fn finish(mut self) -> Value {
        self.top.insert("inputs".into(), Value::Object(self.inputs));
        self.top
            .insert("vars".into(), Value::Object(self.package_vars));
        Value::Object(self.top)
    }
}

impl<'p> ResultSink<'p> for ResultTree {
    fn top(&mut self, key: &'static str, result: Value) {
        self.top.insert(key.into(), result);
    }
    fn package_var(&mut self, name: &'p str, result: Value) {
        self.package_vars.insert(name.into(), result);
    }
    fn begin_input(&mut self, key: Cow<'p, str>) {
        self.input = InputResult {
            key: key.into_owned(),
            ..InputResult::default()
        };
    }
    fn input_var(&mut self, name: &'p str, result: Value) {
        let vars = self.input.vars.get_or_insert_with(Map::new);
        vars.insert(name.into(), result);
    }
    fn input_required_vars(&mut self, result: Value) {
        self.input.required_vars = Some(result);
    }
    fn begin_stream(&mut self, dataset: Cow<'p, str>) {
        self.stream = StreamResult {
            dataset: dataset.into_owned(),
            ..StreamResult::default()
        };
    }
    fn stream_var(&mut self, name: &str, result: Value) {
        let vars = self.stream.vars.get_or_insert_with(Map::new);
        vars.insert(name.into(), result);
    }
    fn stream_required_vars(&mut self, result: Value) {
        self.stream.required_vars = Some(result);
    }
    fn end_stream(&mut self) {
        let stream = std::mem::take(&mut self.stream);
        let mut one = Map::new();
        if let Some(vars) = stream.vars {
            one.insert("vars".into(), Value::Object(vars));
        }
        if let Some(rv) = stream.required_vars {
            one.insert("required_vars".into(), rv);
        }
        let streams = self.input.streams.get_or_insert_with(Map::new);
        streams.insert(stream.dataset, Value::Object(one));
    }
    fn end_input(&mut self, recorded: bool) {
        let input = std::mem::take(&mut self.input);
        if !recorded {
            return;
        }
        let mut r = Map::new();
        if let Some(vars) = input.vars {
            r.insert("vars".into(), Value::Object(vars));
        }
        if let Some(rv) = input.required_vars {
            r.insert("required_vars".into(), rv);
        }
        if let Some(streams) = input.streams {
            r.insert("streams".into(), Value::Object(streams));
        }
        self.inputs.insert(input.key, Value::Object(r));
    }
}

/// Only the `[{key, message}]` list of [`error_list`], in its order: the top-level results,
/// the inputs', then the package vars'.
#[derive(Default)]
struct ErrorList<'p> {
    top: Vec<Value>,
    package_vars: Vec<Value>,
    inputs: ErrorGroups<'p>,
    input_key: Cow<'p, str>,
    /// The current input's own errors (vars, then `required_vars`).
    input_errors: Vec<Value>,
    /// The current input's streams.
    streams: ErrorGroups<'p>,
    dataset: Cow<'p, str>,
    stream_errors: Vec<Value>,
}

impl ErrorList<'_> {
    fn finish(mut self) -> Vec<Value> {
        let mut out = self.top;
        self.inputs.drain_into(&mut out);
        out.extend(self.package_vars);
        out
    }
}

/// The errors of a result object keyed by input key (or by dataset within an input), in the
/// object's order: inserting a key again replaces the earlier result in its position, so an
/// entry sits where its key first occurred and holds the last occurrence's errors.
#[derive(Default)]
struct ErrorGroups<'p> {
    /// Every key recorded, in order, repeats included.
    keys: Vec<Cow<'p, str>>,
    /// `(position in keys of the key's first occurrence, errors)` of the keys whose last result
    /// has errors.
    errors: Vec<(usize, Vec<Value>)>,
}

impl<'p> ErrorGroups<'p> {
    fn record(&mut self, key: Cow<'p, str>, errors: Vec<Value>) {
        // Only keys with errors are searched: most results have none.
        let keys = &self.keys;
        let existing = self
            .errors
            .iter()
            .position(|(first, _)| keys[*first] == key);
        match existing {
            Some(i) if errors.is_empty() => {
                self.errors.remove(i);
            }
            Some(i) => self.errors[i].1 = errors,
            None if errors.is_empty() => {}
            None => {
                let first = keys.iter().position(|k| *k == key).unwrap_or(keys.len());
                self.errors.push((first, errors));
            }
        }
        self.keys.push(key);
    }

    /// Appends the errors in the object's order to `out`, and starts over.
    fn drain_into(&mut self, out: &mut Vec<Value>) {
        self.errors.sort_by_key(|&(first, _)| first);
        for (_, errors) in self.errors.drain(..) {
            out.extend(errors);
        }
        self.keys.clear();
    }
}

/// Appends to `out` the error of every truthy leaf of `result` (found at `path`), as
/// [`error_list`] does.
fn push_errors(path: &dyn Fn() -> String, result: &Value, out: &mut Vec<Value>) {
    match result {
        Value::Object(m) => {
            for (k, child) in m {
                push_errors(&|| format!("{}.{k}", path()), child, out);
            }
        }
        v if truthy(Some(v)) => out.push(error_entry(path(), v)),
        _ => {}
    }
}

impl<'p> ResultSink<'p> for ErrorList<'p> {
    fn top(&mut self, key: &'static str, result: Value) {
        push_errors(&|| key.to_string(), &result, &mut self.top);
    }
    fn package_var(&mut self, name: &'p str, result: Value) {
        push_errors(&|| format!("vars.{name}"), &result, &mut self.package_vars);
    }
    fn begin_input(&mut self, key: Cow<'p, str>) {
        self.input_key = key;
    }
    fn input_var(&mut self, name: &'p str, result: Value) {
        let key = &self.input_key;
        push_errors(
            &|| format!("inputs.{key}.vars.{name}"),
            &result,
            &mut self.input_errors,
        );
    }
    fn input_required_vars(&mut self, result: Value) {
        let key = &self.input_key;
        push_errors(
            &|| format!("inputs.{key}.required_vars"),
            &result,
            &mut self.input_errors,
        );
    }
    fn begin_stream(&mut self, dataset: Cow<'p, str>) {
        self.dataset = dataset;
    }
    fn stream_var(&mut self, name: &str, result: Value) {
        let (key, dataset) = (&self.input_key, &self.dataset);
        push_errors(
            &|| format!("inputs.{key}.streams.{dataset}.vars.{name}"),
            &result,
            &mut self.stream_errors,
        );
    }
    fn stream_required_vars(&mut self, result: Value) {
        let (key, dataset) = (&self.input_key, &self.dataset);
        push_errors(
            &|| format!("inputs.{key}.streams.{dataset}.required_vars"),
            &result,
            &mut self.stream_errors,
        );
    }
    fn end_stream(&mut self) {
        let errors = std::mem::take(&mut self.stream_errors);
        let dataset = std::mem::take(&mut self.dataset);
        self.streams.record(dataset, errors);
    }
    fn end_input(&mut self, recorded: bool) {
        let mut errors = std::mem::take(&mut self.input_errors);
        self.streams.drain_into(&mut errors);
        let key = std::mem::take(&mut self.input_key);
        if recorded {
            self.inputs.record(key, errors);
        }
    }
}

/// One entry of [`error_list`]: `{key, message}`, the message being the leaf's JSON.
fn error_entry(key: String, leaf: &Value) -> Value {
    let mut m = Map::with_capacity(2);
    m.insert("key".into(), Value::String(key));
    m.insert("message".into(), Value::String(leaf.to_string()));
    Value::Object(m)
}

/// `getFlattenedObject` from `@kbn/std`: nested objects joined with `.`; arrays, scalars and
/// `null` are leaves.
pub fn flatten(v: &Value) -> Vec<(String, &Value)> {
    fn walk<'a>(prefix: &str, v: &'a Value, out: &mut Vec<(String, &'a Value)>) {
        if let Value::Object(m) = v {
            for (k, child) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if child.is_object() {
                    walk(&key, child, out);
                } else {
                    out.push((key, child));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", v, &mut out);
    out
}

/// Visits every leaf of `getFlattenedObject(v)` with its path segments (no key strings built) and
/// whether any segment mentions `required_vars` (computed once per node).
fn walk_leaves<'a>(
    v: &'a Value,
    path: &mut Vec<&'a str>,
    mentions_rv: bool,
    f: &mut impl FnMut(&[&'a str], bool, &'a Value),
) {
    if let Value::Object(m) = v {
        for (k, child) in m {
            path.push(k);
            let rv = mentions_rv || k.contains("required_vars");
            if child.is_object() {
                walk_leaves(child, path, rv, f);
            } else {
                f(path, rv, child);
            }
            path.pop();
        }
    }
}

/// `countValidationErrors`: truthy leaves, with each `required_vars` group set counted once.
pub fn count_validation_errors(results: &Value) -> usize {
    let mut groups: Vec<String> = Vec::new();
    let mut other = 0;
    let mut path = Vec::new();
    walk_leaves(
        results,
        &mut path,
        false,
        &mut |segments, mentions_rv, value| {
            // The joined key is only needed when it can match the `required_vars` patterns.
            if mentions_rv {
                let key = segments.join(".");
                if key.starts_with("required_vars.") {
                    if !groups.iter().any(|g| g == "required_vars") {
                        groups.push("required_vars".into());
                    }
                    return;
                }
                if let Some(pos) = key.rfind(".required_vars.") {
                    // `^(.*)\.required_vars\..*$`: the greedy group ends at the last occurrence.
                    let g = key.get(..pos).unwrap_or("").to_string();
                    if !groups.contains(&g) {
                        groups.push(g);
                    }
                    return;
                }
            }
            if truthy(Some(value)) {
                other += 1;
            }
        },
    );
    other + groups.len()
}

/// `validationHasErrors`.
pub fn validation_has_errors(results: &Value) -> bool {
    count_validation_errors(results) > 0
}

/// The `[{key, message}]` list Fleet derives from a validation result (message is the JSON of
/// the truthy leaf).
pub fn error_list(results: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    // Keys are joined only for the (few) truthy leaves.
    walk_leaves(results, &mut path, false, &mut |segments, _, value| {
        if truthy(Some(value)) {
            out.push(error_entry(segments.join("."), value));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lowercase_runs_match_core() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let mut lower = c.to_lowercase();
            let unchanged = lower.next() == Some(c) && lower.next().is_none();
            assert_eq!(
                super::changes_when_lowercased(c),
                !unchanged,
                "{c:?} U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn is_lowercase_matches_string_lowercasing() {
        let every_char = (0..=0x10FFFF_u32).filter_map(char::from_u32);
        for c in every_char {
            for s in [
                c.to_string(),
                format!("a{c}"),
                format!("{c} b"),
                format!("x{c}{c}"),
            ] {
                assert_eq!(super::is_lowercase(&s), s == s.to_lowercase(), "{s:?}");
            }
        }
        for s in [
            "ΣΑΣ",
            "σας",
            "ας",
            "aΣ",
            "İ",
            "i\u{307}",
            "ǅ",
            "ǆ",
            "nginx.access",
            "",
        ] {
            assert_eq!(super::is_lowercase(s), s == s.to_lowercase(), "{s:?}");
        }
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        assert!(parse_duration(&json!("1h30m45s")).errors.is_empty());
        assert_eq!(parse_duration(&json!("1m30s")).value_ns, 90e9);
        assert_eq!(parse_duration(&json!("5ms")).value_ns, 5e6);
        assert_eq!(
            parse_duration(&json!("1h x")).errors,
            vec!["Duration contains invalid characters".to_string()]
        );
        assert_eq!(
            parse_duration(&Value::Null).errors,
            vec!["Duration cannot be empty".to_string()]
        );
        assert_eq!(parse_duration(&json!("10d")).errors.len(), 1);
    }

    #[test]
    fn urls() {
        assert!(whatwg_url_parses("https://foo:bar@example.com"));
        assert!(whatwg_url_parses("phony://example.com/path"));
        assert!(!whatwg_url_parses("not-a-valid-url"));
        assert!(!whatwg_url_parses("http://"));
        assert!(!whatwg_url_parses("http://a:99999"));
        assert!(whatwg_url_parses("http://[::1]:8080/x"));
        assert!(!whatwg_url_parses("null"));
    }
}

#[cfg(test)]
mod namespace_tests {
    use super::*;

    #[test]
    fn namespace_rules() {
        assert_eq!(namespace_error("", &[]), None);
        assert_eq!(
            namespace_error("Default", &[]).as_deref(),
            Some("Namespace must be lowercase")
        );
        assert_eq!(
            namespace_error("a-b", &[]).as_deref(),
            Some("Namespace contains invalid characters")
        );
        assert_eq!(
            namespace_error(&"a".repeat(101), &[]).as_deref(),
            Some("Namespace cannot be more than 100 bytes")
        );
        let one = vec!["team".to_string()];
        assert_eq!(
            namespace_error("ops", &one).as_deref(),
            Some("Namespace should start with team")
        );
        let two = vec!["team".to_string(), "ops".to_string()];
        assert_eq!(namespace_error("ops_x", &two), None);
        assert_eq!(
            namespace_error("x", &two).as_deref(),
            Some("Namespace should start with one of these prefixes: team, ops")
        );
    }

    #[test]
    fn error_only_pass_matches_the_result_object() {
        use serde_json::json;
        let pkg = json!({
            "name": "p", "version": "1.0.0",
            "vars": [{"name": "g", "type": "integer", "required": true}],
            "policy_templates": [
                {"name": "a", "inputs": [{"type": "logfile", "vars": [{"name": "host", "type": "text", "required": true}],
                                          "required_vars": {"grp": [{"name": "host"}, {"name": "port"}]}}]},
                {"name": "b", "inputs": [{"type": "logfile"}]}
            ],
            "data_streams": [
                {"dataset": "p.x", "streams": [{"input": "logfile", "vars": [{"name": "n", "type": "integer", "required": true}]}]},
                {"dataset": "p.y", "streams": [{"input": "logfile", "vars": [{"name": "n", "type": "bool"}]}]}
            ]
        });
        let data_streams = super::super::package::normalized_data_streams(&pkg).into_owned();
        let index = ValidationIndex::new(&pkg, &data_streams);
        let stream = |ds: &str, n: Value| json!({"enabled": true, "data_stream": {"dataset": ds}, "vars": {"n": {"value": n}}});
        let policies = [
            json!({"name": "", "namespace": "Bad", "vars": {"g": {"value": "x"}},
            "additional_datastreams_permissions": ["nope"],
            "inputs": [
                {"type": "logfile", "policy_template": "a", "enabled": true, "vars": {"host": {"value": "h"}, "port": {}},
                 "streams": [stream("p.x", json!("z")), stream("p.y", json!("q")), stream("p.x", json!(1))]},
                {"type": "logfile", "policy_template": "b", "enabled": true, "streams": [stream("p.y", json!(3))]},
                // Same key as the first input: replaces its result (and errors) in place.
                {"type": "logfile", "policy_template": "a", "enabled": true, "vars": {"host": {}},
                 "streams": [stream("p.x", json!("w"))]},
                {"type": "logfile", "policy_template": "b", "enabled": true, "vars": {}, "streams": []}
            ]}),
            json!({"name": "ok", "inputs": [
                {"type": "logfile", "policy_template": "a", "enabled": true, "streams": [stream("p.x", json!("z"))]},
                {"type": "logfile", "policy_template": "b", "enabled": true, "streams": [stream("p.x", json!("y"))]},
                {"type": "logfile", "policy_template": "a", "enabled": true, "streams": [stream("p.x", json!(2))]}
            ]}),
        ];
        let opts = ValidateOptions::default();
        for policy in &policies {
            let expected = error_list(&validate_prepared(policy, &index, &opts));
            assert!(!expected.is_empty());
            assert_eq!(validation_errors(policy, &index, &opts), expected);
        }
    }

    #[test]
    fn required_var_groups_count_once() {
        let v = serde_json::json!({"inputs": {"i": {"required_vars": {"g": [{"name": "a", "invalid": true}, {"name": "b", "invalid": true}]},
                                                    "vars": {"x": ["err"], "y": null}}}});
        assert_eq!(count_validation_errors(&v), 2);
        assert_eq!(
            count_validation_errors(&serde_json::json!({"vars": {"a": null}})),
            0
        );
    }
}
