//! YAML documents as JSON values, the way js-yaml 4 (Kibana's parser) reads them.
//!
//! The document is built from `yaml-rust2`'s event stream (never its recursive loader), so every
//! limit is enforced while parsing:
//!
//! - plain scalars resolve with js-yaml 4's default schema: YAML 1.2 core (`null`/`~`/empty,
//!   `true`/`false` only, ints incl. `0x`/`0o`/`0b`, floats incl. `.inf`/`.nan`; as js-yaml 4.3,
//!   no `_` separators and no out-of-range numbers, which stay strings)
//!   plus timestamps (as the ISO string `JSON.stringify` gives a `Date`) and `<<` merge keys;
//! - quoted and block scalars stay strings; `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`,
//!   `!!map`, `!!seq`, `!!timestamp` and the non-specific `!` are honoured, any other tag is an error;
//! - numbers are JavaScript numbers: integral values become JSON integers, `.inf`/`.nan` become
//!   `null` (what `JSON.stringify` writes);
//! - duplicate mapping keys are an error (keys brought in by `<<` may be overridden), and keys
//!   that look like array indices come first in ascending order, as in a JavaScript object;
//! - anchors and aliases are expanded under a node budget ([`MAX_NODES`]), so a "billion laughs"
//!   document fails fast with `LIMIT_EXCEEDED` instead of exhausting memory;
//! - documents over [`MAX_BYTES`] or nested deeper than [`MAX_DEPTH`] are `LIMIT_EXCEEDED`;
//! - more than one document in a stream is an error (js-yaml's `load`).
//!
//! Errors carry the line and column (1-based) of the offending node.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Error, ErrorKind, Result};

/// Largest YAML document accepted, in bytes (real manifests are well under 1 MB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Deepest nesting of sequences and mappings accepted. Kept below the JSON depth limit so that any
/// loaded document, embedded a few levels deep in a PackageInfo, is still a valid request document.
pub const MAX_DEPTH: usize = 100;

/// Most nodes one document may expand to, aliases included (the alias-expansion guard). Real
/// manifests have a few thousand; this bounds a document's memory to some tens of megabytes.
pub const MAX_NODES: usize = 1_000_000;

/// Parses one YAML document (an empty document is `null`).
///
/// # Errors
/// `INVALID_YAML` with the parser's message, line and column; `LIMIT_EXCEEDED` for documents
/// over [`MAX_BYTES`], deeper than [`MAX_DEPTH`] or expanding to more than [`MAX_NODES`] nodes.
///
/// # Example
/// ```
/// let v = fleetup_core::yaml::parse("a: 0x10\nb: '1'\nc: yes\nd: .inf\n").unwrap();
/// assert_eq!(v, serde_json::json!({"a": 16, "b": "1", "c": "yes", "d": null}));
/// ```
pub fn parse(text: &str) -> Result<Value> {
    Builder::new(None, MAX_NODES)
        .run_all(text)
        .map(|(v, _, _)| v)
}

/// Like [`parse_named`], drawing the document's nodes from a shared `budget` (so several
/// documents of one package are bounded together). The budget shrinks by the nodes used.
///
/// # Errors
/// As [`parse`]; `LIMIT_EXCEEDED` when the budget runs out.
pub fn parse_budgeted(text: &str, source: &str, budget: &mut usize) -> Result<Value> {
    match Builder::new(None, (*budget).min(MAX_NODES)).run_all(text) {
        Ok((v, _, used)) => {
            *budget = budget.saturating_sub(used);
            Ok(v)
        }
        Err(e) => Err(prefix_error(e, source)),
    }
}

/// Like [`parse`], naming the document (`source`, e.g. a file path) in error messages.
///
/// # Errors
/// As [`parse`].
pub fn parse_named(text: &str, source: &str) -> Result<Value> {
    parse(text).map_err(|e| prefix_error(e, source))
}

/// The 1-based line where the node at JSON Pointer `pointer` starts, if the document parses and
/// holds such a node. Used to report structural problems found after parsing; it re-reads the
/// text, so the normal path pays nothing for line tracking.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    Builder::new(Some(pointer), MAX_NODES)
        .run_all(text)
        .ok()
        .and_then(|(_, line, _)| line)
}

fn prefix_error(e: Error, source: &str) -> Error {
    let kind = e.kind();
    let msg = format!("{source}: {}", e.message());
    match e.path() {
        Some(p) => Error::new(kind, msg).at(p),
        None => Error::new(kind, msg),
    }
}

fn error_at(kind: ErrorKind, message: impl std::fmt::Display, mark: &Marker) -> Error {
    Error::new(
        kind,
        format!(
            "{message} (line {}, column {})",
            mark.line(),
            mark.col() + 1
        ),
    )
}

/// A mapping key waiting for its value.
enum PendingKey {
    None,
    /// The key and where it starts (a duplicated key is reported there, as js-yaml does).
    Key(String, Marker),
    /// A plain `<<`: the value is merged into the mapping.
    Merge,
}

enum Container {
    Seq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        pending: PendingKey,
        /// Keys that came from a merge and may still be overridden.
        overridable: HashSet<String>,
    },
}

struct Frame {
    container: Container,
    anchor: usize,
    /// Nodes in this subtree so far (itself included).
    nodes: usize,
    mark: Marker,
    /// JSON Pointer of this node (only while locating a line).
    pointer: String,
}

struct Builder<'p> {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    total_nodes: usize,
    root: Option<Value>,
    documents: usize,
    /// When locating: the pointer sought, and the line once found.
    want: Option<&'p str>,
    found: Option<usize>,
    max_nodes: usize,
}

impl<'p> Builder<'p> {
    fn new(want: Option<&'p str>, max_nodes: usize) -> Self {
        Builder {
            max_nodes,
            stack: Vec::new(),
            anchors: HashMap::new(),
            total_nodes: 0,
            root: None,
            documents: 0,
            want,
            found: None,
        }
    }

    /// Parses `text`: the value, the line found (locating mode) and the nodes used.
    fn run_all(mut self, text: &str) -> Result<(Value, Option<usize>, usize)> {
        if text.len() > MAX_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "YAML document is {} bytes; the limit is {MAX_BYTES} bytes",
                    text.len()
                ),
            ));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let source = text;
        let total_chars = text.chars().count();
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = parser.next_token().map_err(|e| {
                // The scanner has its own flow-nesting guard; report it as the limit it is.
                let kind = if e.info().contains("recursion limit") {
                    ErrorKind::LimitExceeded
                } else {
                    ErrorKind::InvalidYaml
                };
                error_at(kind, format!("invalid YAML: {}", e.info()), e.marker())
            })?;
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(error_at(
                            ErrorKind::InvalidYaml,
                            "expected a single document in the stream, but found more documents",
                            &mark,
                        ));
                    }
                    self.anchors.clear();
                }
                Event::Alias(id) => {
                    let Some(nodes) = self.anchors.get(&id).map(|(_, n)| *n) else {
                        return Err(error_at(
                            ErrorKind::InvalidYaml,
                            "unidentified alias",
                            &mark,
                        ));
                    };
                    self.charge(nodes, &mark)?;
                    let value = self
                        .anchors
                        .get(&id)
                        .map_or(Value::Null, |(v, _)| v.clone());
                    self.note_node(&mark);
                    self.complete(value, 0, nodes, &mark)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.charge(1, &mark)?;
                    self.note_node(&mark);
                    let is_merge_key =
                        style == TScalarStyle::Plain && tag.is_none() && text == "<<";
                    let text = fix_empty_block(text, style, source, total_chars, &mark);
                    let value = resolve_scalar(text, style, tag.as_ref(), &mark)?;
                    if is_merge_key && self.expecting_key() {
                        if let Some(Frame {
                            container: Container::Map { pending, .. },
                            ..
                        }) = self.stack.last_mut()
                        {
                            *pending = PendingKey::Merge;
                        }
                        if let Some(f) = self.stack.last_mut() {
                            f.nodes += 1;
                        }
                        continue;
                    }
                    self.complete(value, anchor, 1, &mark)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    check_container_tag(tag.as_ref(), "seq", &mark)?;
                    self.open(Container::Seq(Vec::new()), anchor, mark)?;
                }
                Event::MappingStart(anchor, tag) => {
                    check_container_tag(tag.as_ref(), "map", &mark)?;
                    self.open(
                        Container::Map {
                            map: Map::new(),
                            pending: PendingKey::None,
                            overridable: HashSet::new(),
                        },
                        anchor,
                        mark,
                    )?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        return Err(error_at(
                            ErrorKind::InvalidYaml,
                            "unbalanced collection end",
                            &mark,
                        ));
                    };
                    let value = match frame.container {
                        Container::Seq(items) => Value::Array(items),
                        Container::Map { map, .. } => Value::Object(js_key_order(map)),
                    };
                    self.complete(value, frame.anchor, frame.nodes, &frame.mark)?;
                }
            }
            if self.want.is_some() && self.found.is_some() {
                return Ok((Value::Null, self.found, self.total_nodes));
            }
        }
        Ok((
            self.root.unwrap_or(Value::Null),
            self.found,
            self.total_nodes,
        ))
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                container: Container::Map {
                    pending: PendingKey::None,
                    ..
                },
                ..
            })
        )
    }

    fn charge(&mut self, nodes: usize, mark: &Marker) -> Result<()> {
        self.total_nodes = self.total_nodes.saturating_add(nodes);
        if self.total_nodes > self.max_nodes {
            return Err(error_at(
                ErrorKind::LimitExceeded,
                format!(
                    "YAML expands to more than {} nodes (alias expansion and size guard)",
                    self.max_nodes
                ),
                mark,
            ));
        }
        Ok(())
    }

    /// The pointer a new node gets in the current container (locating mode only).
    fn child_pointer(&self) -> Option<String> {
        self.want?;
        let Some(parent) = self.stack.last() else {
            return Some(String::new());
        };
        let mut p = parent.pointer.clone();
        p.push('/');
        match &parent.container {
            Container::Seq(items) => p.push_str(&items.len().to_string()),
            Container::Map { pending, .. } => match pending {
                PendingKey::Key(k, _) => crate::args::push_pointer_token(&mut p, k),
                // A key itself, or a merge source: not addressable.
                PendingKey::None | PendingKey::Merge => return None,
            },
        }
        Some(p)
    }

    fn note_node(&mut self, mark: &Marker) {
        if let (Some(want), Some(p)) = (self.want, self.child_pointer()) {
            if p == want && self.found.is_none() {
                self.found = Some(mark.line());
            }
        }
    }

    fn open(&mut self, container: Container, anchor: usize, mark: Marker) -> Result<()> {
        self.charge(1, &mark)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(error_at(
                ErrorKind::LimitExceeded,
                format!("YAML nesting is deeper than {MAX_DEPTH} levels"),
                &mark,
            ));
        }
        self.note_node(&mark);
        let pointer = self.child_pointer().unwrap_or_default();
        self.stack.push(Frame {
            container,
            anchor,
            nodes: 1,
            mark,
            pointer,
        });
        Ok(())
    }

    /// A finished node: remember its anchor, then hand it to its parent.
    fn complete(&mut self, value: Value, anchor: usize, nodes: usize, mark: &Marker) -> Result<()> {
        if anchor > 0 {
            // The stored copy counts against the budget too, so nested anchors cannot multiply memory.
            self.charge(nodes, mark)?;
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        parent.nodes = parent.nodes.saturating_add(nodes);
        match &mut parent.container {
            Container::Seq(items) => items.push(value),
            Container::Map {
                map,
                pending,
                overridable,
            } => match std::mem::replace(pending, PendingKey::None) {
                PendingKey::None => {
                    *pending = PendingKey::Key(key_string(&value, mark)?, *mark);
                }
                PendingKey::Key(key, key_mark) => {
                    if map.contains_key(&key) && !overridable.contains(&key) {
                        return Err(error_at(
                            ErrorKind::InvalidYaml,
                            format!("duplicated mapping key `{key}`"),
                            &key_mark,
                        ));
                    }
                    overridable.remove(&key);
                    map.insert(key, value);
                }
                PendingKey::Merge => merge_into(map, overridable, value, mark)?,
            },
        }
        Ok(())
    }
}

/// A block scalar with no content is `""` unless its header says "keep" (`|+`, `>+`).
/// `yaml-rust2` yields a line break for such a scalar at the very end of the stream (its mark is
/// then on the indicator); js-yaml and the YAML spec give an empty string. Elsewhere it is right.
fn fix_empty_block(
    text: String,
    style: TScalarStyle,
    source: &str,
    total_chars: usize,
    mark: &Marker,
) -> String {
    if !matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
        || text.is_empty()
        || !text.bytes().all(|b| b == b'\n')
    {
        return text;
    }
    let remaining = total_chars.saturating_sub(mark.index());
    if remaining > 4096 {
        return text; // not at the end of the stream
    }
    let mut tail: Vec<char> = source.chars().rev().take(remaining).collect();
    tail.reverse();
    if !matches!(tail.first(), Some('|' | '>')) {
        return text;
    }
    let keep = tail
        .iter()
        .skip(1)
        .take_while(|c| !matches!(c, '\n' | '#'))
        .any(|c| *c == '+');
    if keep {
        text
    } else {
        String::new()
    }
}

fn merge_into(
    map: &mut Map<String, Value>,
    overridable: &mut HashSet<String>,
    source: Value,
    mark: &Marker,
) -> Result<()> {
    let unacceptable = || {
        error_at(
            ErrorKind::InvalidYaml,
            "cannot merge mappings; the provided source object is unacceptable",
            mark,
        )
    };
    let mut merge_one = |src: Map<String, Value>| {
        for (k, v) in src {
            if !map.contains_key(&k) {
                overridable.insert(k.clone());
                map.insert(k, v);
            }
        }
    };
    match source {
        Value::Object(src) => merge_one(src),
        Value::Array(items) => {
            if items.len() > 100 {
                return Err(error_at(
                    ErrorKind::InvalidYaml,
                    "abnormal merge sequence size",
                    mark,
                ));
            }
            for item in items {
                match item {
                    Value::Object(src) => merge_one(src),
                    _ => return Err(unacceptable()),
                }
            }
        }
        _ => return Err(unacceptable()),
    }
    Ok(())
}

/// A JavaScript object lists array-index keys first, ascending, then the rest in insertion order.
fn js_key_order(map: Map<String, Value>) -> Map<String, Value> {
    if !map.keys().any(|k| array_index(k).is_some()) {
        return map;
    }
    let mut indexed: Vec<(u32, String, Value)> = Vec::new();
    let mut rest: Vec<(String, Value)> = Vec::new();
    for (k, v) in map {
        match array_index(&k) {
            Some(i) => indexed.push((i, k, v)),
            None => rest.push((k, v)),
        }
    }
    indexed.sort_by_key(|(i, _, _)| *i);
    let mut out = Map::new();
    for (_, k, v) in indexed {
        out.insert(k, v);
    }
    for (k, v) in rest {
        out.insert(k, v);
    }
    out
}

fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|i| *i < u32::MAX)
}

/// `String(value)` of a key, as js-yaml does for non-string keys.
fn key_string(v: &Value, mark: &Marker) -> Result<String> {
    if let Value::Array(items) = v {
        if items.iter().any(Value::is_array) {
            return Err(error_at(
                ErrorKind::InvalidYaml,
                "nested arrays are not supported inside keys",
                mark,
            ));
        }
    }
    Ok(plain_key_string(v))
}

fn plain_key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number_string(n),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Null => String::new(),
                Value::Object(_) => "[object Object]".into(),
                other => plain_key_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

fn js_number_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    match n.as_f64() {
        Some(f) => crate::js::display_f64(f),
        None => n.to_string(),
    }
}

fn yaml_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        return Some(tag.suffix.as_str());
    }
    // Verbatim form `!<tag:yaml.org,2002:str>`.
    tag.suffix.strip_prefix("tag:yaml.org,2002:")
}

fn tag_text(tag: &Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

fn check_container_tag(tag: Option<&Tag>, kind: &str, mark: &Marker) -> Result<()> {
    let Some(tag) = tag else { return Ok(()) };
    if tag.handle == "!" && tag.suffix.is_empty() {
        return Ok(());
    }
    match yaml_tag(tag) {
        Some(t) if t == kind => Ok(()),
        _ => Err(error_at(
            ErrorKind::InvalidYaml,
            format!("unknown or misplaced tag !<{}>", tag_text(tag)),
            mark,
        )),
    }
}

fn resolve_scalar(
    text: String,
    style: TScalarStyle,
    tag: Option<&Tag>,
    mark: &Marker,
) -> Result<Value> {
    let Some(tag) = tag else {
        return Ok(if style == TScalarStyle::Plain {
            resolve_plain(text)
        } else {
            Value::String(text)
        });
    };
    if tag.handle == "!" && tag.suffix.is_empty() {
        return Ok(Value::String(text));
    }
    let bad = |what: &str| {
        error_at(
            ErrorKind::InvalidYaml,
            format!("cannot resolve `{text}` as {what}"),
            mark,
        )
    };
    match yaml_tag(tag) {
        Some("str") => Ok(Value::String(text)),
        Some("null") => {
            // An explicit `!!null` needs `~`/`null`; only an empty *plain* scalar is null too.
            if (is_null(&text) && !text.is_empty())
                || (text.is_empty() && style == TScalarStyle::Plain)
            {
                Ok(Value::Null)
            } else {
                Err(bad("!!null"))
            }
        }
        Some("bool") => bool_of(&text).map(Value::Bool).ok_or_else(|| bad("!!bool")),
        Some("int") => int_of(&text).map(js_number).ok_or_else(|| bad("!!int")),
        Some("float") => float_of(&text)
            .or_else(|| int_of(&text))
            .map(js_number)
            .ok_or_else(|| bad("!!float")),
        Some("timestamp") => timestamp_of(&text)
            .map(Value::String)
            .ok_or_else(|| bad("!!timestamp")),
        _ => Err(error_at(
            ErrorKind::InvalidYaml,
            format!("unknown tag !<{}>", tag_text(tag)),
            mark,
        )),
    }
}

/// Implicit resolution of a plain scalar, in js-yaml 4's order: null, bool, int, float, timestamp.
fn resolve_plain(text: String) -> Value {
    if is_null(&text) {
        return Value::Null;
    }
    if let Some(b) = bool_of(&text) {
        return Value::Bool(b);
    }
    if let Some(n) = int_of(&text) {
        return js_number(n);
    }
    if let Some(f) = float_of(&text) {
        return js_number(f);
    }
    if let Some(ts) = timestamp_of(&text) {
        return Value::String(ts);
    }
    Value::String(text)
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn bool_of(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A JavaScript number as JSON: integral values as integers, non-finite as `null`.
fn js_number(f: f64) -> Value {
    if !f.is_finite() {
        return Value::Null;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e18 {
        // `as` is exact here: the value is integral and inside i64's range. -0 becomes 0, as
        // `JSON.stringify(-0)` does.
        return Value::from(f as i64);
    }
    if f.fract() == 0.0 && f > 0.0 && f < 1.8e19 {
        // Integral and inside u64's range: printed in full, as JavaScript does below 1e21.
        return Value::from(f as u64);
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn digits_value(digits: &str, radix: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    let mut acc: f64 = 0.0;
    for c in digits.chars() {
        acc = acc * f64::from(radix) + f64::from(c.to_digit(radix)?);
    }
    Some(acc)
}

/// js-yaml 4's `!!int` resolver and constructor (current 4.x: no `_` separators, finite only).
fn int_of(s: &str) -> Option<f64> {
    let (sign, body) = match s.as_bytes().first()? {
        b'-' => (-1.0, &s[1..]),
        b'+' => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if body == "0" {
        return Some(0.0);
    }
    for (prefix, radix) in [("0b", 2), ("0x", 16), ("0o", 8)] {
        if let Some(rest) = body.strip_prefix(prefix) {
            return digits_value(rest, radix)
                .filter(|v| v.is_finite())
                .map(|v| sign * v);
        }
    }
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // parseInt(…, 10), correctly rounded for long values.
    crate::js::parse_f64(body)
        .filter(|v| v.is_finite())
        .map(|v| sign * v)
}

/// js-yaml 4's `!!float` resolver and constructor: the pattern, and a finite value unless it is
/// `.inf`/`.nan`.
fn float_of(s: &str) -> Option<f64> {
    if !float_pattern(s) {
        return None;
    }
    // The pattern only admits ASCII, so ASCII lowercasing is the same as full Unicode's.
    let lower = s.to_ascii_lowercase();
    let (sign, body) = match lower.as_bytes().first()? {
        b'-' => (-1.0, &lower[1..]),
        b'+' => (1.0, &lower[1..]),
        _ => (1.0, lower.as_str()),
    };
    match body {
        ".inf" => Some(sign * f64::INFINITY),
        ".nan" => Some(f64::NAN),
        // parseFloat accepts a trailing or leading `.`; so does Rust's parser.
        _ => crate::js::parse_f64(body)
            .filter(|v| v.is_finite())
            .map(|v| sign * v),
    }
}

/// `^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`
fn float_pattern(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = match s.as_bytes().first() {
        Some(b'-' | b'+') => &s[1..],
        _ => s,
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    fn exponent(rest: &[u8]) -> bool {
        match rest.first() {
            None => true,
            Some(b'e' | b'E') => {
                let r = match rest.get(1) {
                    Some(b'-' | b'+') => &rest[2..],
                    _ => &rest[1..],
                };
                !r.is_empty() && r.iter().all(u8::is_ascii_digit)
            }
            _ => false,
        }
    }
    // `.5`-style (no sign allowed).
    if let Some(rest) = s.strip_prefix('.') {
        let r = rest.as_bytes();
        let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
        return n > 0 && exponent(&r[n..]);
    }
    let u = unsigned.as_bytes();
    let mut i = u.iter().take_while(|c| c.is_ascii_digit()).count();
    if i == 0 {
        return false;
    }
    if u.get(i) == Some(&b'.') {
        i += 1;
        i += u[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    }
    exponent(&u[i..])
}

/// js-yaml's timestamp type, rendered as `Date.prototype.toISOString` would.
fn timestamp_of(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let num = |r: &[u8]| -> Option<i64> {
        if r.is_empty() || !r.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(r).ok()?.parse().ok()
    };
    // Date only: exactly YYYY-MM-DD.
    if b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
        return Some(iso_string(y, m - 1, d, 0, 0, 0, 0));
    }
    // YYYY-M?M-D?D[Tt ]H?H:MM:SS(.frac)?([ \t]*(Z|[-+]H?H(:MM)?))?
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) || b.get(4) != Some(&b'-') {
        return None;
    }
    let mut i = 5;
    let take_digits = |i: &mut usize, min: usize, max: usize| -> Option<i64> {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i - start < min {
            return None;
        }
        num(&b[start..*i])
    };
    let year = num(&b[..4])?;
    let month = take_digits(&mut i, 1, 2)?;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let day = take_digits(&mut i, 1, 2)?;
    match b.get(i) {
        Some(b'T' | b't') => i += 1,
        Some(b' ' | b'\t') => {
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        }
        _ => return None,
    }
    let hour = take_digits(&mut i, 1, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let minute = take_digits(&mut i, 2, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let second = take_digits(&mut i, 2, 2)?;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let mut frac: String = String::from_utf8_lossy(&b[start..i])
            .chars()
            .take(3)
            .collect();
        while frac.len() < 3 {
            frac.push('0');
        }
        millis = frac.parse().ok()?;
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let mut offset_minutes = 0;
    match b.get(i) {
        None => {}
        Some(b'Z') => i += 1,
        Some(&c @ (b'+' | b'-')) => {
            i += 1;
            let h = take_digits(&mut i, 1, 2)?;
            let mut m = 0;
            if b.get(i) == Some(&b':') {
                i += 1;
                m = take_digits(&mut i, 2, 2)?;
            }
            offset_minutes = (h * 60 + m) * if c == b'-' { -1 } else { 1 };
        }
        _ => return None,
    }
    if i != b.len() {
        return None;
    }
    Some(iso_string(
        year,
        month - 1,
        day,
        hour,
        minute - offset_minutes,
        second,
        millis,
    ))
}

/// `new Date(Date.UTC(y, m0, d, h, min, s, ms)).toISOString()`, with JavaScript's overflow rules.
fn iso_string(y: i64, m0: i64, d: i64, h: i64, min: i64, s: i64, ms: i64) -> String {
    let y = y + m0.div_euclid(12);
    let m0 = m0.rem_euclid(12);
    let days = days_from_civil(y, m0 + 1, 1) + (d - 1);
    let total_ms = ((days * 24 + h) * 60 + min) * 60_000 + s * 1000 + ms;
    let day = total_ms.div_euclid(86_400_000);
    let rem = total_ms.rem_euclid(86_400_000);
    let (yy, mm, dd) = civil_from_days(day);
    let year = if (0..=9999).contains(&yy) {
        format!("{yy:04}")
    } else if yy < 0 {
        format!("-{:06}", -yy)
    } else {
        format!("+{yy:06}")
    };
    format!(
        "{year}-{mm:02}-{dd:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

// Howard Hinnant's civil-calendar algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

// ---- Writing ----

/// Writes a JSON value as a block-style YAML document, the way js-yaml's `dump` lays it out
/// (two-space indent, `- ` items, `key: value`, `[]`/`{}` for empty containers, literal blocks
/// for multi-line strings). Strings are quoted whenever plain text would read back as something
/// else, so `parse(&dump(v)) == v` for every value `parse` can produce.
///
/// # Example
/// ```
/// let v = serde_json::json!({"paths": ["/var/log/*.log"], "tags": [], "n": "1"});
/// assert_eq!(fleetup_core::yaml::dump(&v), "paths:\n  - /var/log/*.log\ntags: []\nn: '1'\n");
/// ```
pub fn dump(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => dump_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => dump_seq(&mut out, a, 0),
        scalar => {
            dump_scalar(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn dump_map(out: &mut String, map: &Map<String, Value>, level: usize) {
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        dump_string(out, k, level, true);
        out.push(':');
        dump_child(out, v, level);
    }
}

fn dump_seq(out: &mut String, items: &[Value], level: usize) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push(' ');
                dump_map(out, m, level + 2);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push(' ');
                dump_seq(out, a, level + 2);
            }
            scalar => {
                out.push(' ');
                dump_scalar(out, scalar, level + 2);
                out.push('\n');
            }
        }
    }
}

/// The value after `key:`: nested containers go on the next lines, scalars on the same line.
fn dump_child(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            dump_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            dump_seq(out, a, level + 2);
        }
        scalar => {
            out.push(' ');
            dump_scalar(out, scalar, level + 2);
            out.push('\n');
        }
    }
}

fn dump_scalar(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&js_number_string(n)),
        Value::String(s) => dump_string(out, s, level, false),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn dump_string(out: &mut String, s: &str, level: usize, is_key: bool) {
    if plain_safe(s, is_key) {
        out.push_str(s);
    } else if !is_key && literal_block_safe(s) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        out.push_str(match trailing {
            0 => "|-",
            1 => "|",
            _ => "|+",
        });
        for line in s.trim_end_matches('\n').split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(out, level);
                out.push_str(line);
            }
        }
        for _ in 1..trailing {
            out.push('\n');
        }
    } else if !s.chars().any(|c| c.is_control()) {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

/// Whether `s` can be written without quotes and read back as the same string.
fn plain_safe(s: &str, is_key: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let indicator = "-?:,[]{}#&*!|>'\"%@`".contains(first);
    let risky_start = indicator
        && !(matches!(first, '-' | '?' | ':')
            && s.chars().nth(1).is_some_and(|c| !c.is_whitespace()));
    !risky_start
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(|c| c.is_control() || c == '\u{feff}')
        && !(is_key && (s.contains(['[', ']', '{', '}', ','])))
        && !s.contains(['[', ']', '{', '}', ','])
        && resolve_plain(s.to_string()) == Value::String(s.to_string())
}

/// Multi-line text that a literal block (`|`) keeps exactly.
fn literal_block_safe(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{feff}')
        && s.trim_end_matches('\n')
            .split('\n')
            .all(|l| !l.ends_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn core_schema_scalars() {
        let v = parse(
            "a: 010\nb: 0o17\nc: 0b101\nd: -0x1F\ne: 1_000\nf: 1.5\ng: .5\nh: -.inf\ni: .NaN\n\
             j: 1e3\nk: True\nl: yes\nm: ~\nn:\no: '12'\np: \"true\"\nq: 2001-12-14\n\
             r: 2001-12-14t21:59:43.10-05:00\ns: 1.0\nt: +12\nu: 0x\nv: 1_\nw: -.5\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": 10, "b": 15, "c": 5, "d": -31, "e": "1_000", "f": 1.5, "g": 0.5, "h": null,
                   "i": null, "j": 1000, "k": true, "l": "yes", "m": null, "n": null, "o": "12",
                   "p": "true", "q": "2001-12-14T00:00:00.000Z", "r": "2001-12-15T02:59:43.100Z",
                   "s": 1, "t": 12, "u": "0x", "v": "1_", "w": "-.5"})
        );
    }

    #[test]
    fn tags_merge_and_keys() {
        let v = parse("a: !!str 12\nb: !!int '7'\nbase: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n2: two\n1: one\n").unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"1":"one","2":"two","a":"12","b":7,"base":{"x":1,"y":2},"c":{"x":1,"y":3}}"#
        );
        assert!(parse("a: !custom x\n").is_err());
    }

    #[test]
    fn duplicates_documents_and_limits() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidYaml);
        assert!(e.message().contains("line 3"), "{}", e.message());
        assert_eq!(
            parse("a: 1\n---\nb: 2\n").unwrap_err().kind(),
            ErrorKind::InvalidYaml
        );
        assert_eq!(parse("a: >\n").unwrap(), serde_json::json!({"a": ""}));
        assert_eq!(parse("a: |+\n\n").unwrap(), serde_json::json!({"a": "\n"}));
        let deep = "[".repeat(500) + &"]".repeat(500);
        assert_eq!(parse(&deep).unwrap_err().kind(), ErrorKind::LimitExceeded);
        let mut lol = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            lol.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert_eq!(parse(&lol).unwrap_err().kind(), ErrorKind::LimitExceeded);
        assert_eq!(parse("").unwrap(), Value::Null);
        assert!(parse("a: [1, 2").is_err());
    }

    #[test]
    fn locates_lines() {
        let text = "a:\n  b:\n    - x\n    - name: y\n      type: text\n";
        assert_eq!(line_of(text, "/a/b/1"), Some(4));
        assert_eq!(line_of(text, "/a/b/1/type"), Some(5));
        assert_eq!(line_of(text, "/nope"), None);
    }
}
