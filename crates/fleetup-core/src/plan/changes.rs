//! The field-level change list: what an upgrade does to one policy, var by var.
//!
//! Input: the current policy, the proposed policy (Kibana's `updatePackageInputs` output, with its
//! `errors` when it came from a dry run), the target PackageInfo and, when known, the current one.
//! Output: one [`Change`] per observable difference, conflicts first. Every Kibana validation error
//! is covered by a `conflict` record, so a UI built on this list never hides a blocker.

use std::collections::{HashMap, HashSet};

use crate::fields::Fields;
use crate::json_text::{write_map, ObjectWriter};
use serde::Serialize;
use serde_json::{Map, Value};

use super::index::{
    containers, is_secret, shown, str_field, Container, ContainerDefs, ContainerKey, Scope, VarDefs,
};

/// How much a change matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks the upgrade: Kibana's validation fails until it is resolved.
    Conflict,
    /// Does not block, but the user should look (a set value is dropped, a default moved on…).
    Attention,
    /// For the record.
    Info,
}

impl Severity {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Conflict => "conflict",
            Severity::Attention => "attention",
            Severity::Info => "info",
        }
    }
}

/// What kind of change, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// A new input appears.
    InputAdded,
    /// An input of the policy is dropped.
    InputRemoved,
    /// A new stream appears.
    StreamAdded,
    /// A stream of the policy is dropped.
    StreamRemoved,
    /// A stream's dataset moved to another input type (e.g. `logfile` → `filestream`).
    InputTypeChanged,
    /// An input's or stream's `enabled` differs between current and proposed.
    EnabledChanged,
    /// A new var with a default value.
    VarAdded,
    /// A new var that is required and has no value.
    VarAddedRequired,
    /// A var the user never changed is dropped.
    VarRemoved,
    /// A var the user had set is dropped, and its value with it.
    VarRemovedUserValue,
    /// The user's value is carried over (it differs from the new default).
    ValueKept,
    /// The value is carried over although the package default changed.
    ValueKeptDefaultChanged,
    /// The value changes (e.g. an empty value takes the new default).
    ValueReset,
    /// The var's type changes.
    TypeChanged,
    /// The var switches between single and multiple values.
    MultiChanged,
    /// The var becomes required or optional.
    RequiredChanged,
    /// The var becomes a secret.
    NowSecret,
    /// A var of the same name moved between package, input and stream scope.
    VarMoved,
    /// A removed and an added var in the same place look like one renamed var.
    LikelyRename,
    /// The target version deprecates this package, input, stream or var.
    Deprecated,
    /// A Kibana validation error not tied to one var change (name, namespace, required-var groups…).
    ValidationError,
    /// Nothing changes (only listed when asked for, to show every field).
    Unchanged,
}

impl ChangeKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::InputAdded => "input_added",
            ChangeKind::InputRemoved => "input_removed",
            ChangeKind::StreamAdded => "stream_added",
            ChangeKind::StreamRemoved => "stream_removed",
            ChangeKind::InputTypeChanged => "input_type_changed",
            ChangeKind::EnabledChanged => "enabled_changed",
            ChangeKind::VarAdded => "var_added",
            ChangeKind::VarAddedRequired => "var_added_required",
            ChangeKind::VarRemoved => "var_removed",
            ChangeKind::VarRemovedUserValue => "var_removed_user_value",
            ChangeKind::ValueKept => "value_kept",
            ChangeKind::ValueKeptDefaultChanged => "value_kept_default_changed",
            ChangeKind::ValueReset => "value_reset",
            ChangeKind::TypeChanged => "type_changed",
            ChangeKind::MultiChanged => "multi_changed",
            ChangeKind::RequiredChanged => "required_changed",
            ChangeKind::NowSecret => "now_secret",
            ChangeKind::VarMoved => "var_moved",
            ChangeKind::LikelyRename => "likely_rename",
            ChangeKind::Deprecated => "deprecated",
            ChangeKind::ValidationError => "validation_error",
            ChangeKind::Unchanged => "unchanged",
        }
    }
}

/// One change. Values are already masked when the var holds a secret.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Stable kind code.
    pub kind: ChangeKind,
    /// Conflict, attention or info.
    pub severity: Severity,
    /// Package, input or stream.
    pub scope: &'static str,
    /// The input's policy template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_template: Option<String>,
    /// The input's effective name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The stream's dataset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// The var's name, for var-level changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub var: Option<String>,
    /// JSON Pointer into the current policy (absent for added things).
    pub current_path: Option<String>,
    /// JSON Pointer into the proposed policy (absent for removed things).
    pub proposed_path: Option<String>,
    /// The current value (masked for secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_value: Option<Value>,
    /// The proposed value (masked for secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_value: Option<Value>,
    /// The var's title from the target (or current) package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The var's type in the target (or current) package.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub var_type: Option<String>,
    /// Whether the var holds a secret (its values are masked).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    /// One human sentence.
    pub message: String,
    /// Kibana's validation error key(s) this record covers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kibana_errors: Vec<KibanaError>,
    /// Kind-specific facts (`old_type`/`new_type`, `renamed_from`, `old_default`/`new_default`, …).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

impl Change {
    /// Appends this record as JSON text: what its `Serialize` writes, written faster (see
    /// `crate::json_text`).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = ObjectWriter::new(out);
        o.str("kind", self.kind.as_str());
        o.str("severity", self.severity.as_str());
        o.str("scope", self.scope);
        for (key, v) in [
            ("policy_template", &self.policy_template),
            ("input", &self.input),
            ("dataset", &self.dataset),
            ("var", &self.var),
        ] {
            if let Some(v) = v {
                o.str(key, v);
            }
        }
        for (key, v) in [
            ("current_path", &self.current_path),
            ("proposed_path", &self.proposed_path),
        ] {
            match v {
                Some(v) => o.str(key, v),
                None => o.key(key).extend_from_slice(b"null"),
            }
        }
        for (key, v) in [
            ("old_value", &self.old_value),
            ("new_value", &self.new_value),
        ] {
            if let Some(v) = v {
                o.value(key, v);
            }
        }
        for (key, v) in [("title", &self.title), ("type", &self.var_type)] {
            if let Some(v) = v {
                o.str(key, v);
            }
        }
        if self.secret {
            o.bool("secret", true);
        }
        o.str("message", &self.message);
        if !self.kibana_errors.is_empty() {
            let list = o.key("kibana_errors");
            list.push(b'[');
            for (i, e) in self.kibana_errors.iter().enumerate() {
                if i > 0 {
                    list.push(b',');
                }
                let mut eo = ObjectWriter::new(list);
                eo.str("key", &e.key);
                eo.str("message", &e.message);
                eo.end();
            }
            list.push(b']');
        }
        if !self.details.is_empty() {
            write_map(o.key("details"), &self.details);
        }
        o.end();
    }
}

/// One entry of the proposed policy's `errors` (Kibana's flattened validation result).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KibanaError {
    /// The flattened key, e.g. `inputs.logfile.streams.nginx.access.vars.paths`.
    pub key: String,
    /// Kibana's message (a JSON-encoded array of strings).
    pub message: String,
}

/// Options for [`field_changes`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ChangeOptions {
    /// Also list vars that do not change (kind `unchanged`), to show every field.
    pub include_unchanged: bool,
}

/// The var definitions of the target (and, when known, the current) package version, indexed once
/// and reused for every policy upgraded between the two.
#[derive(Debug, Clone)]
pub struct ChangeIndex {
    new_defs: VarDefs,
    old_defs: Option<VarDefs>,
    has_integrations: bool,
}

impl ChangeIndex {
    /// Indexes `target` and, when given, the `previous` package version.
    pub fn new(target: &Value, previous: Option<&Value>) -> Self {
        ChangeIndex {
            new_defs: VarDefs::new(target),
            old_defs: previous.map(VarDefs::new),
            has_integrations: target
                .field("policy_templates")
                .and_then(Value::as_array)
                .is_some_and(|t| t.len() > 1),
        }
    }

    /// The change list of one policy upgrade. See the module docs.
    pub fn changes(
        &self,
        current: &Value,
        proposed: &Value,
        options: ChangeOptions,
    ) -> Vec<Change> {
        changes_with(self, current, proposed, options)
    }
}

/// Computes the change list of one policy upgrade. See the module docs. (Planning many policies
/// against one package? Build a [`ChangeIndex`] once instead.)
pub fn field_changes(
    current: &Value,
    proposed: &Value,
    target: &Value,
    previous: Option<&Value>,
    options: ChangeOptions,
) -> Vec<Change> {
    ChangeIndex::new(target, previous).changes(current, proposed, options)
}

fn changes_with(
    index: &ChangeIndex,
    current: &Value,
    proposed: &Value,
    options: ChangeOptions,
) -> Vec<Change> {
    let empty = Map::new();
    let cur = current.as_object().unwrap_or(&empty);
    let prop = proposed.as_object().unwrap_or(&empty);
    let has_integrations = index.has_integrations;

    let cur_containers = containers(cur);
    let prop_containers = containers(prop);
    let cur_by_key: HashMap<ContainerKey<'_>, &Container<'_>> =
        cur_containers.iter().map(|c| (c.key(), c)).collect();
    let prop_by_key: HashMap<ContainerKey<'_>, &Container<'_>> =
        prop_containers.iter().map(|c| (c.key(), c)).collect();

    let mut b = Builder {
        out: Vec::new(),
        new_defs: &index.new_defs,
        old_defs: index.old_defs.as_ref(),
        new_of: prop_containers
            .iter()
            .map(|p| index.new_defs.of(p))
            .collect(),
        old_of: match &index.old_defs {
            Some(d) => cur_containers.iter().map(|c| d.of(c)).collect(),
            None => Vec::new(),
        },
        include_unchanged: options.include_unchanged,
    };

    // Streams whose dataset exists on both sides but under different inputs: an input type swap.
    let mut swapped: HashSet<ContainerKey<'_>> = HashSet::new();
    for p in prop_containers.iter().filter(|c| c.scope == Scope::Stream) {
        if cur_by_key.contains_key(&p.key()) {
            continue;
        }
        if let Some(c) = cur_containers.iter().find(|c| {
            c.scope == Scope::Stream
                && c.dataset == p.dataset
                && !prop_by_key.contains_key(&c.key())
        }) {
            swapped.insert(c.key());
            swapped.insert(p.key());
            b.input_type_changed(c, p);
        }
    }

    // Vars removed from one container and added in another, by name: scope moves.
    let removed = collect_vars(&cur_containers, &prop_by_key);
    let added = collect_vars(&prop_containers, &cur_by_key);
    let mut moved: HashSet<(ContainerKey<'_>, &str)> = HashSet::new();
    let mut renamed: HashSet<(ContainerKey<'_>, &str)> = HashSet::new();
    // One var can move to several places at once (an input var that becomes a var of each of its
    // streams), so every matching destination gets a record.
    for (ck, cname, c) in &removed {
        for (pk, pname, p) in &added {
            if pname == cname
                && pk.scope != ck.scope
                && related(c, p)
                && !moved.contains(&(*pk, *pname))
            {
                moved.insert((*ck, *cname));
                moved.insert((*pk, *cname));
                b.var_moved(c, p, cname);
            }
        }
    }
    for (ck, cname, c) in &removed {
        if moved.contains(&(*ck, *cname)) {
            continue;
        }
        let candidate = added
            .iter()
            .filter(|(pk, pname, _)| {
                pk == ck && !moved.contains(&(*pk, *pname)) && !renamed.contains(&(*pk, *pname))
            })
            .filter_map(|(pk, pname, p)| similar_names(cname, pname).map(|s| (s, pk, pname, p)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, pk, pname, p)) = candidate {
            renamed.insert((*ck, *cname));
            renamed.insert((*pk, *pname));
            b.likely_rename(c, p, cname, pname);
        }
    }

    // Containers on both sides, in proposed order; then the removed ones.
    for p in &prop_containers {
        let key = p.key();
        match cur_by_key.get(&key) {
            Some(c) => {
                b.container_changes(c, p);
                b.var_changes(c, p, &moved, &renamed);
            }
            None if swapped.contains(&key) => b.new_vars_of_swapped_stream(p),
            None => {
                b.added_container(p);
                b.var_changes_added_container(p);
            }
        }
        b.deprecations(p, cur_by_key.get(&key).copied());
    }
    for c in &cur_containers {
        let key = c.key();
        if !prop_by_key.contains_key(&key) && !swapped.contains(&key) {
            b.removed_container(c);
        }
    }

    let mut changes = b.out;
    attach_kibana_errors(&mut changes, prop, &prop_containers, has_integrations);
    // Conflicts first, then attention, then info; stable within a severity (document order).
    changes.sort_by_key(|c| c.severity);
    changes
}

/// (container key, var name, container) for vars present on this side but not in the matching
/// container on the other side.
fn collect_vars<'c, 'a>(
    side: &'c [Container<'a>],
    other: &HashMap<ContainerKey<'_>, &Container<'_>>,
) -> Vec<(ContainerKey<'a>, &'a str, &'c Container<'a>)> {
    let mut out = Vec::new();
    for c in side {
        let Some(vars) = c.vars else { continue };
        let key = c.key();
        let other_vars = other.get(&key).and_then(|o| o.vars);
        for name in vars.keys() {
            if other_vars.is_some_and(|o| o.contains_key(name)) {
                continue;
            }
            out.push((key, name.as_str(), c));
        }
    }
    out
}

/// Containers between which a var can move: package ↔ anything, an input ↔ its own streams.
fn related(a: &Container<'_>, b: &Container<'_>) -> bool {
    if a.scope == Scope::Package || b.scope == Scope::Package {
        return true;
    }
    a.policy_template == b.policy_template && a.input == b.input
}

/// A similarity score in (0, 1] when two var names look like one renamed var.
fn similar_names(a: &str, b: &str) -> Option<f64> {
    if a == b {
        return None;
    }
    let norm = |s: &str| s.to_ascii_lowercase().replace(['.', '-'], "_");
    let (a, b) = (norm(a), norm(b));
    // One name inside the other on a word boundary: `status_path` → `server_status_path`.
    let contains = |long: &str, short: &str| {
        long.len() > short.len()
            && (long.ends_with(&format!("_{short}")) || long.starts_with(&format!("{short}_")))
    };
    if contains(&a, &b) || contains(&b, &a) {
        return Some(0.8);
    }
    let dist = levenshtein(&a, &b);
    let longest = a.chars().count().max(b.chars().count()).max(1);
    let score = 1.0 - dist as f64 / longest as f64;
    (score >= 0.75).then_some(score)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

struct Builder<'d> {
    out: Vec<Change>,
    new_defs: &'d VarDefs,
    old_defs: Option<&'d VarDefs>,
    /// The target's definitions of each proposed container (by `Container::index`).
    new_of: Vec<ContainerDefs<'d>>,
    /// The previous version's definitions of each current container, when it is known.
    old_of: Vec<ContainerDefs<'d>>,
    include_unchanged: bool,
}

fn base(kind: ChangeKind, severity: Severity, c: &Container<'_>) -> Change {
    Change {
        kind,
        severity,
        scope: c.scope.as_str(),
        policy_template: c.policy_template.map(str::to_string),
        input: c.input.map(str::to_string),
        dataset: c.dataset.map(str::to_string),
        var: None,
        current_path: None,
        proposed_path: None,
        old_value: None,
        new_value: None,
        title: None,
        var_type: None,
        secret: false,
        message: String::new(),
        kibana_errors: Vec::new(),
        details: Map::new(),
    }
}

/// A value as messages show it: strings quoted, anything else as JSON, cut after 60 characters;
/// `no value` for absent or null.
struct Shown<'v> {
    value: Option<&'v Value>,
    secret: bool,
}

impl Shown<'_> {
    /// Appends the shown value to `out` (the hot messages are built by appending, which costs a
    /// fraction of `format!`).
    fn push_to(&self, out: &mut String) {
        match self.value {
            None | Some(Value::Null) => out.push_str("no value"),
            Some(_) if self.secret => out.push_str("(secret)"),
            Some(Value::String(s)) => {
                out.push('"');
                push_truncated(out, s, 60);
                out.push('"');
            }
            Some(other) => {
                let mut text = Vec::new();
                crate::json_text::write_value(&mut text, other);
                push_truncated(out, &String::from_utf8_lossy(&text), 60);
            }
        }
    }
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.push_to(&mut text);
        f.write_str(&text)
    }
}

/// Appends `s` cut after `max` characters (marked `…` when cut).
fn push_truncated(out: &mut String, s: &str, max: usize) {
    // No more bytes than `max` means no more characters either.
    let cut = if s.len() <= max {
        None
    } else {
        s.char_indices().nth(max).map(|(i, _)| i)
    };
    match cut {
        Some(i) => {
            out.push_str(&s[..i]);
            out.push('…');
        }
        None => out.push_str(s),
    }
}

/// `s` cut after `max` characters (marked `…` when cut).
fn truncate(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4) + 3);
    push_truncated(&mut out, s, max);
    out
}

/// A var's label in messages: `Title (name)`, or the name alone when it has no other title.
struct Label<'c>(&'c Change);

impl Label<'_> {
    fn push_to(&self, out: &mut String) {
        let name = self.0.var.as_deref().unwrap_or("?");
        match &self.0.title {
            Some(t) if t != name => {
                out.push_str(t);
                out.push_str(" (");
                out.push_str(name);
                out.push(')');
            }
            _ => out.push_str(name),
        }
    }
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.push_to(&mut text);
        f.write_str(&text)
    }
}

/// One var on each side of an upgrade, with its definitions and values looked up once.
#[derive(Clone, Copy)]
struct VarFacts<'v> {
    name: &'v str,
    cur: Option<&'v Container<'v>>,
    prop: Option<&'v Container<'v>>,
    new_def: Option<&'v Map<String, Value>>,
    old_def: Option<&'v Map<String, Value>>,
    old_value: Option<&'v Value>,
    new_value: Option<&'v Value>,
    secret: bool,
}

fn def_bool(def: Option<&Map<String, Value>>, key: &str) -> bool {
    def.and_then(|d| d.get(key))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The value a var gets from `packageToPackagePolicyInputs` (`[]` for a multi var without a
/// default), when it gets one; borrowed, since it is only compared and shown.
fn default_value(def: Option<&Map<String, Value>>) -> Option<&Value> {
    static EMPTY_LIST: Value = Value::Array(Vec::new());
    let def = def?;
    let default = def.field("default");
    if !crate::js::truthy(default) && crate::js::truthy(def.field("multi")) {
        return Some(&EMPTY_LIST);
    }
    default.filter(|v| !v.is_null())
}

impl<'d> Builder<'d> {
    /// The target's definition of var `name` in proposed container `p`.
    fn new_def(&self, p: &Container<'_>, name: &str) -> Option<&'d Map<String, Value>> {
        self.new_of.get(p.index)?.get(name)
    }

    /// The previous version's definition of var `name` in current container `c`.
    fn old_def(&self, c: &Container<'_>, name: &str) -> Option<&'d Map<String, Value>> {
        self.old_of.get(c.index)?.get(name)
    }

    /// The facts of var `name` in `cur` (current side) and `prop` (proposed side).
    fn facts<'v>(
        &self,
        cur: Option<&'v Container<'v>>,
        prop: Option<&'v Container<'v>>,
        name: &'v str,
    ) -> VarFacts<'v>
    where
        'd: 'v,
    {
        let new_def = prop.and_then(|p| self.new_def(p, name));
        let old_def = cur.and_then(|cc| self.old_def(cc, name));
        let old_value = cur.and_then(|cc| cc.value(name));
        let new_value = prop.and_then(|p| p.value(name));
        VarFacts {
            name,
            cur,
            prop,
            new_def,
            old_def,
            old_value,
            new_value,
            secret: is_secret(new_def, new_value) || is_secret(old_def, old_value),
        }
    }

    /// A var-level record of `kind` in container `c`, from the var's facts.
    fn var_change(
        &self,
        kind: ChangeKind,
        severity: Severity,
        c: &Container<'_>,
        f: &VarFacts<'_>,
    ) -> Change {
        let secret = f.secret;
        let def = f.new_def.or(f.old_def);
        let mut ch = base(kind, severity, c);
        ch.var = Some(f.name.to_string());
        ch.current_path = f.cur.map(|cc| cc.var_pointer(f.name));
        ch.proposed_path = f.prop.map(|p| p.var_pointer(f.name));
        ch.old_value = f
            .cur
            .map(|_| f.old_value.map_or(Value::Null, |v| shown(v, secret)));
        ch.new_value = f
            .prop
            .map(|_| f.new_value.map_or(Value::Null, |v| shown(v, secret)));
        ch.title = def.and_then(|d| str_field(d, "title")).map(str::to_string);
        ch.var_type = def
            .and_then(|d| str_field(d, "type"))
            .or_else(|| f.prop.and_then(|p| p.entry_type(f.name)))
            .or_else(|| f.cur.and_then(|cc| cc.entry_type(f.name)))
            .map(str::to_string);
        ch.secret = secret;
        ch
    }

    /// [`Shown`] for a record: masked when the record's var holds a secret.
    fn shown<'v>(ch: &Change, value: Option<&'v Value>) -> Shown<'v> {
        Shown {
            value,
            secret: ch.secret,
        }
    }

    fn input_type_changed(&mut self, c: &Container<'_>, p: &Container<'_>) {
        let mut ch = base(ChangeKind::InputTypeChanged, Severity::Attention, p);
        ch.current_path = Some(c.pointer.clone());
        ch.proposed_path = Some(p.pointer.clone());
        ch.details
            .insert("old_input".into(), c.input.unwrap_or("").into());
        ch.details
            .insert("new_input".into(), p.input.unwrap_or("").into());
        let carried = c.vars.map_or(0, |v| v.len());
        ch.message = format!(
            "Stream {} moves from input {} to input {}; its {} setting(s) are not carried over and take the new defaults.",
            p.dataset.unwrap_or("?"),
            c.input.unwrap_or("?"),
            p.input.unwrap_or("?"),
            carried
        );
        self.out.push(ch);
    }

    fn var_moved(&mut self, c: &Container<'_>, p: &Container<'_>, name: &str) {
        let mut ch = self.var_change(
            ChangeKind::VarMoved,
            Severity::Info,
            p,
            &self.facts(Some(c), Some(p), name),
        );
        ch.details
            .insert("old_scope".into(), c.scope.as_str().into());
        ch.details
            .insert("new_scope".into(), p.scope.as_str().into());
        let old = c.value(name);
        let new = p.value(name);
        let lost = old.is_some() && old != new;
        if lost {
            ch.severity = Severity::Attention;
        }
        ch.message = format!(
            "{} moves from {} to {}{}",
            Label(&ch),
            c.label(),
            p.label(),
            if lost {
                format!(
                    "; the value {} is not carried over (new value: {}).",
                    Self::shown(&ch, old),
                    Self::shown(&ch, new)
                )
            } else {
                "; the value is unchanged.".to_string()
            }
        );
        self.out.push(ch);
    }

    fn likely_rename(
        &mut self,
        c: &Container<'_>,
        p: &Container<'_>,
        old_name: &str,
        new_name: &str,
    ) {
        let mut ch = self.var_change(
            ChangeKind::LikelyRename,
            Severity::Info,
            p,
            &self.facts(None, Some(p), new_name),
        );
        let old_def = self.old_def(c, old_name);
        let old_value = c.value(old_name);
        ch.current_path = Some(c.var_pointer(old_name));
        ch.old_value = Some(old_value.map_or(Value::Null, |v| {
            shown(v, ch.secret || is_secret(old_def, Some(v)))
        }));
        ch.details.insert("renamed_from".into(), old_name.into());
        let new_value = p.value(new_name);
        let lost = old_value.is_some() && old_value != new_value;
        if lost {
            ch.severity = Severity::Attention;
        }
        ch.message = format!(
            "{} looks like the new name of {}{}",
            Label(&ch),
            old_name,
            if lost {
                format!(
                    "; the value {} is not carried over (new value: {}).",
                    Self::shown(&ch, old_value),
                    Self::shown(&ch, new_value)
                )
            } else {
                "; the value is the same.".to_string()
            }
        );
        self.out.push(ch);
    }

    fn container_changes(&mut self, c: &Container<'_>, p: &Container<'_>) {
        if c.scope == Scope::Package {
            return;
        }
        let was = c.object.field("enabled").and_then(Value::as_bool);
        let now = p.object.field("enabled").and_then(Value::as_bool);
        if was != now {
            let mut ch = base(ChangeKind::EnabledChanged, Severity::Attention, p);
            ch.current_path = Some(format!("{}/enabled", c.pointer));
            ch.proposed_path = Some(format!("{}/enabled", p.pointer));
            ch.old_value = Some(was.map_or(Value::Null, Value::Bool));
            ch.new_value = Some(now.map_or(Value::Null, Value::Bool));
            ch.message = format!(
                "{} becomes {}.",
                capitalise(&p.label()),
                if now == Some(true) {
                    "enabled"
                } else {
                    "disabled"
                }
            );
            self.out.push(ch);
        }
    }

    fn added_container(&mut self, p: &Container<'_>) {
        let kind = match p.scope {
            Scope::Package => return,
            Scope::Input => ChangeKind::InputAdded,
            Scope::Stream => ChangeKind::StreamAdded,
        };
        let mut ch = base(kind, Severity::Info, p);
        ch.proposed_path = Some(p.pointer.clone());
        let enabled = is_enabled_here(p);
        ch.new_value = None;
        ch.details.insert("enabled".into(), enabled.into());
        ch.message = format!(
            "New {} is added, {}.",
            p.label(),
            if enabled { "enabled" } else { "disabled" }
        );
        self.out.push(ch);
    }

    fn removed_container(&mut self, c: &Container<'_>) {
        let kind = match c.scope {
            Scope::Package => return,
            Scope::Input => ChangeKind::InputRemoved,
            Scope::Stream => ChangeKind::StreamRemoved,
        };
        let enabled = is_enabled_here(c);
        let mut ch = base(
            kind,
            if enabled {
                Severity::Attention
            } else {
                Severity::Info
            },
            c,
        );
        ch.current_path = Some(c.pointer.clone());
        ch.details.insert("enabled".into(), enabled.into());
        let n = c.vars.map_or(0, |v| v.len());
        let dropped = match n {
            0 => String::new(),
            1 => "; its 1 setting is dropped".to_string(),
            n => format!("; its {n} settings are dropped"),
        };
        ch.message = format!(
            "{} is removed by the new version{}{dropped}.",
            capitalise(&c.label()),
            if enabled { " and stops collecting" } else { "" },
        );
        self.out.push(ch);
    }

    fn deprecations(&mut self, p: &Container<'_>, c: Option<&Container<'_>>) {
        let was_deprecated =
            |def: Option<&Map<String, Value>>| def.is_some_and(|d| d.contains_key("deprecated"));
        if let Some(def) = self.new_defs.container_def(p) {
            if let Some(dep) = def.field("deprecated") {
                let before = c.and_then(|cc| self.old_defs.and_then(|d| d.container_def(cc)));
                if !was_deprecated(before) || self.old_defs.is_none() {
                    let mut ch = base(ChangeKind::Deprecated, Severity::Attention, p);
                    ch.proposed_path = Some(p.pointer.clone());
                    ch.details.insert("deprecated".into(), dep.clone());
                    ch.message = format!(
                        "{} is deprecated{}.",
                        capitalise(&p.label()),
                        deprecation_note(dep)
                    );
                    self.out.push(ch);
                }
            }
        }
        let Some(vars) = p.vars else { return };
        for name in vars.keys() {
            let Some(def) = self.new_def(p, name) else {
                continue;
            };
            let Some(dep) = def.field("deprecated") else {
                continue;
            };
            let before = c.and_then(|cc| self.old_def(cc, name));
            if was_deprecated(before) {
                continue;
            }
            let mut ch = self.var_change(
                ChangeKind::Deprecated,
                Severity::Attention,
                p,
                &self.facts(c, Some(p), name),
            );
            ch.details.insert("deprecated".into(), dep.clone());
            ch.message = format!("{} is deprecated{}.", Label(&ch), deprecation_note(dep));
            self.out.push(ch);
        }
    }

    fn var_changes_added_container(&mut self, p: &Container<'_>) {
        let Some(vars) = p.vars else { return };
        for name in vars.keys() {
            self.var_added(p, name);
        }
    }

    fn new_vars_of_swapped_stream(&mut self, p: &Container<'_>) {
        self.var_changes_added_container(p);
    }

    fn var_added(&mut self, p: &Container<'_>, name: &str) {
        let def = self.new_def(p, name);
        let value = p.value(name);
        let required = def_bool(def, "required");
        let missing = match value {
            None => true,
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::String(s)) => s.trim().is_empty(),
            _ => false,
        };
        let (kind, severity) = if required && missing {
            (
                ChangeKind::VarAddedRequired,
                if is_enabled_here(p) {
                    Severity::Attention
                } else {
                    Severity::Info
                },
            )
        } else {
            (ChangeKind::VarAdded, Severity::Info)
        };
        let mut ch = self.var_change(kind, severity, p, &self.facts(None, Some(p), name));
        ch.message = if kind == ChangeKind::VarAddedRequired {
            format!(
                "New required setting {} in {} has no default: a value must be provided{}.",
                Label(&ch),
                p.label(),
                if is_enabled_here(p) {
                    ""
                } else {
                    " before it can be enabled"
                }
            )
        } else {
            format!(
                "New setting {} in {} takes its default {}.",
                Label(&ch),
                p.label(),
                Self::shown(&ch, value)
            )
        };
        self.out.push(ch);
    }

    fn var_changes(
        &mut self,
        c: &Container<'_>,
        p: &Container<'_>,
        moved: &HashSet<(ContainerKey<'_>, &str)>,
        renamed: &HashSet<(ContainerKey<'_>, &str)>,
    ) {
        let key = p.key();
        let empty = Map::new();
        let cur_vars = c.vars.unwrap_or(&empty);
        let prop_vars = p.vars.unwrap_or(&empty);
        for name in prop_vars.keys() {
            let tagged =
                moved.contains(&(key, name.as_str())) || renamed.contains(&(key, name.as_str()));
            if !cur_vars.contains_key(name) {
                if !tagged {
                    self.var_added(p, name);
                }
                continue;
            }
            self.matched_var(c, p, name);
        }
        for name in cur_vars.keys() {
            if prop_vars.contains_key(name) {
                continue;
            }
            let ckey = c.key();
            if moved.contains(&(ckey, name.as_str())) || renamed.contains(&(ckey, name.as_str())) {
                continue;
            }
            self.var_removed(c, name);
        }
    }

    fn var_removed(&mut self, c: &Container<'_>, name: &str) {
        let old_def = self.old_def(c, name);
        let value = c.value(name);
        // Without the old package we cannot tell a default from a choice: any value counts as set.
        let user_set = match (value, self.old_defs) {
            (None, _) => false,
            (Some(v), Some(_)) => default_value(old_def) != Some(v),
            (Some(_), None) => true,
        };
        let (kind, severity) = if user_set {
            (ChangeKind::VarRemovedUserValue, Severity::Attention)
        } else {
            (ChangeKind::VarRemoved, Severity::Info)
        };
        let mut ch = self.var_change(kind, severity, c, &self.facts(Some(c), None, name));
        ch.message = if user_set {
            format!(
                "Setting {} is removed from {} by the new version; your value {} will be dropped.",
                Label(&ch),
                c.label(),
                Self::shown(&ch, value)
            )
        } else {
            format!(
                "Setting {} is removed from {} by the new version.",
                Label(&ch),
                c.label()
            )
        };
        self.out.push(ch);
    }

    fn matched_var(&mut self, c: &Container<'_>, p: &Container<'_>, name: &str) {
        let f = self.facts(Some(c), Some(p), name);
        let (new_def, old_def, old_value, new_value) =
            (f.new_def, f.old_def, f.old_value, f.new_value);
        let mut any = false;

        let old_type = c
            .entry_type(name)
            .or_else(|| old_def.and_then(|d| str_field(d, "type")));
        let new_type = p
            .entry_type(name)
            .or_else(|| new_def.and_then(|d| str_field(d, "type")));
        if old_type.is_some() && new_type.is_some() && old_type != new_type {
            let mut ch = self.var_change(ChangeKind::TypeChanged, Severity::Attention, p, &f);
            ch.details
                .insert("old_type".into(), old_type.unwrap_or("").into());
            ch.details
                .insert("new_type".into(), new_type.unwrap_or("").into());
            ch.message = format!(
                "{} changes type from {} to {}; the value {} is kept and must be valid as {}.",
                Label(&ch),
                old_type.unwrap_or("?"),
                new_type.unwrap_or("?"),
                Self::shown(&ch, old_value),
                new_type.unwrap_or("?")
            );
            self.out.push(ch);
            any = true;
        }
        if let (Some(od), Some(nd)) = (old_def, new_def) {
            let (om, nm) = (def_bool(Some(od), "multi"), def_bool(Some(nd), "multi"));
            if om != nm {
                let mut ch = self.var_change(ChangeKind::MultiChanged, Severity::Attention, p, &f);
                ch.details.insert("old_multi".into(), om.into());
                ch.details.insert("new_multi".into(), nm.into());
                ch.message = format!(
                    "{} now takes {}; the value {} is kept as it is.",
                    Label(&ch),
                    if nm {
                        "a list of values"
                    } else {
                        "a single value"
                    },
                    Self::shown(&ch, old_value)
                );
                self.out.push(ch);
                any = true;
            }
            let (or, nr) = (
                def_bool(Some(od), "required"),
                def_bool(Some(nd), "required"),
            );
            if or != nr {
                let sev = if nr && old_value.is_none() {
                    Severity::Attention
                } else {
                    Severity::Info
                };
                let mut ch = self.var_change(ChangeKind::RequiredChanged, sev, p, &f);
                ch.details.insert("old_required".into(), or.into());
                ch.details.insert("new_required".into(), nr.into());
                ch.message = format!(
                    "{} becomes {}.",
                    Label(&ch),
                    if nr { "required" } else { "optional" }
                );
                self.out.push(ch);
                any = true;
            }
            // Fleet stores `secret: true` vars in its secrets store: that flag, not the password type.
            let (os, ns) = (def_bool(Some(od), "secret"), def_bool(Some(nd), "secret"));
            if !os && ns {
                let mut ch = self.var_change(ChangeKind::NowSecret, Severity::Info, p, &f);
                ch.message = format!(
                    "{} becomes a secret: Fleet moves its value into a secret when the policy is saved.",
                    Label(&ch)
                );
                self.out.push(ch);
                any = true;
            }
        }
        if old_value != new_value {
            let mut ch = self.var_change(ChangeKind::ValueReset, Severity::Attention, p, &f);
            if old_value.is_none() {
                ch.severity = Severity::Info;
            }
            ch.message = format!(
                "{} changes from {} to {}.",
                Label(&ch),
                Self::shown(&ch, old_value),
                Self::shown(&ch, new_value)
            );
            self.out.push(ch);
            return;
        }
        let old_default = default_value(old_def);
        let new_default = default_value(new_def);
        if self.old_defs.is_some()
            && old_def.is_some()
            && new_def.is_some()
            && old_default != new_default
            && old_value.is_some()
        {
            let on_old_default = old_value == old_default;
            let mut ch = self.var_change(
                ChangeKind::ValueKeptDefaultChanged,
                if on_old_default {
                    Severity::Attention
                } else {
                    Severity::Info
                },
                p,
                &f,
            );
            let secret = ch.secret;
            ch.details.insert(
                "old_default".into(),
                old_default
                    .as_ref()
                    .map_or(Value::Null, |v| shown(v, secret)),
            );
            ch.details.insert(
                "new_default".into(),
                new_default
                    .as_ref()
                    .map_or(Value::Null, |v| shown(v, secret)),
            );
            ch.message = if on_old_default {
                format!(
                    "{} keeps the old default {}; the new version's default is {}.",
                    Label(&ch),
                    Self::shown(&ch, old_value),
                    Self::shown(&ch, new_default)
                )
            } else {
                format!(
                    "{} keeps your value {}; the default changed to {}.",
                    Label(&ch),
                    Self::shown(&ch, old_value),
                    Self::shown(&ch, new_default)
                )
            };
            self.out.push(ch);
            return;
        }
        if old_value.is_some() && new_def.is_some() && new_default != old_value {
            let mut ch = self.var_change(ChangeKind::ValueKept, Severity::Info, p, &f);
            // The most frequent record by far: its message is appended piece by piece.
            let mut message = String::with_capacity(128);
            Label(&ch).push_to(&mut message);
            message.push_str(" keeps your value ");
            Self::shown(&ch, old_value).push_to(&mut message);
            message.push_str(" (default: ");
            Self::shown(&ch, new_default).push_to(&mut message);
            message.push_str(").");
            ch.message = message;
            self.out.push(ch);
            return;
        }
        if !any && self.include_unchanged {
            let mut ch = self.var_change(ChangeKind::Unchanged, Severity::Info, p, &f);
            ch.message = format!("{} is unchanged.", Label(&ch));
            self.out.push(ch);
        }
    }
}

fn is_enabled_here(c: &Container<'_>) -> bool {
    c.enabled
}

/// Upper-cases the first letter of a container label. Labels always start with `package`,
/// `input` or `stream`, so ASCII case mapping is exact here and keeps core's Unicode
/// upper-case table (~5 KB gzipped) out of the WebAssembly build.
fn capitalise(label: &str) -> String {
    let mut out = label.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

fn deprecation_note(dep: &Value) -> String {
    let mut note = String::new();
    if let Some(since) = dep.field("since").and_then(Value::as_str) {
        note.push_str(&format!(" since {since}"));
    }
    if let Some(desc) = dep.field("description").and_then(Value::as_str) {
        note.push_str(&format!(": {}", truncate(desc, 200)));
    }
    note
}

/// Kibana's flattened validation key of a var (`buildInputKey` + `getFlattenedObject`).
pub fn kibana_var_key(c: &Container<'_>, name: &str, has_integrations: bool) -> String {
    let mut key = var_key_prefix(c, has_integrations);
    key.push_str(name);
    key
}

/// The flattened key of a container's vars, up to the var name (`inputs.logfile.vars.`).
fn var_key_prefix(c: &Container<'_>, has_integrations: bool) -> String {
    match c.scope {
        Scope::Package => "vars.".to_string(),
        Scope::Input => format!("{}.vars.", input_key_prefix(c, has_integrations)),
        Scope::Stream => format!(
            "{}.streams.{}.vars.",
            input_key_prefix(c, has_integrations),
            c.dataset.unwrap_or("")
        ),
    }
}

/// The var a flattened validation key names: the first container, in document order, whose var
/// key it is.
fn var_of_key<'c>(
    key: &str,
    containers: &'c [Container<'_>],
    has_integrations: bool,
) -> Option<(usize, &'c str)> {
    containers.iter().enumerate().find_map(|(ci, c)| {
        let vars = c.vars?;
        let name = key.strip_prefix(var_key_prefix(c, has_integrations).as_str())?;
        vars.get_key_value(name).map(|(k, _)| (ci, k.as_str()))
    })
}

fn input_key_prefix(c: &Container<'_>, has_integrations: bool) -> String {
    let name = c.input.unwrap_or("");
    match (has_integrations, c.policy_template) {
        (true, Some(pt)) => format!("inputs.{pt}-{name}"),
        (true, None) => format!("inputs.undefined-{name}"),
        (false, _) => format!("inputs.{name}"),
    }
}

/// Marks the records that Kibana's `errors` describe as conflicts, and adds a record for every
/// error no change explains (a var that did not change but is invalid, a required-var group, the
/// name…), so that every Kibana error is covered by a `conflict` record.
fn attach_kibana_errors(
    changes: &mut Vec<Change>,
    proposed: &Map<String, Value>,
    prop_containers: &[Container<'_>],
    has_integrations: bool,
) {
    let Some(Value::Array(errors)) = proposed.field("errors") else {
        return;
    };
    for err in errors {
        let key = err
            .field("key")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let message = match err.field("message") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let kerr = KibanaError {
            key: key.clone(),
            message: message.clone(),
        };
        // Find the var this key names.
        // Errors are few; resolving each against the containers is cheaper than indexing every
        // var's key up front.
        let target = var_of_key(&key, prop_containers, has_integrations)
            .map(|(ci, name)| (ci, name.to_string()));
        let human = human_messages(&message);
        if let Some((ci, name)) = &target {
            let c = &prop_containers[*ci];
            let path = c.var_pointer(name);
            if let Some(ch) = changes.iter_mut().find(|ch| {
                ch.proposed_path.as_deref() == Some(path.as_str())
                    && ch.kind != ChangeKind::Deprecated
            }) {
                ch.severity = Severity::Conflict;
                ch.kibana_errors.push(kerr);
                ch.message = format!("{} Kibana reports: {}", ch.message, human);
                continue;
            }
            let mut ch = base(ChangeKind::ValidationError, Severity::Conflict, c);
            ch.var = Some(name.clone());
            ch.proposed_path = Some(path);
            ch.message = format!("Setting {name} in {} is invalid: {human}", c.label());
            ch.kibana_errors.push(kerr);
            changes.push(ch);
            continue;
        }
        // Not a var: a required-var group, the name, the namespace…
        let container = prop_containers
            .iter()
            .filter(|c| c.scope != Scope::Package)
            .find(|c| {
                let prefix = match c.scope {
                    Scope::Input => input_key_prefix(c, has_integrations),
                    _ => format!(
                        "{}.streams.{}",
                        input_key_prefix(c, has_integrations),
                        c.dataset.unwrap_or("")
                    ),
                };
                key.starts_with(&format!("{prefix}.required_vars."))
            });
        let mut ch = match container {
            Some(c) => {
                let mut ch = base(ChangeKind::ValidationError, Severity::Conflict, c);
                ch.proposed_path = Some(c.pointer.clone());
                ch.message = format!(
                    "{} needs one of its required setting groups filled in: {human}",
                    capitalise(&c.label())
                );
                ch
            }
            None => {
                let mut ch = base(
                    ChangeKind::ValidationError,
                    Severity::Conflict,
                    &prop_containers[0],
                );
                let field = key.split('.').next().unwrap_or("");
                ch.proposed_path = Some(format!(
                    "/{}",
                    key.replace('~', "~0").replace('/', "~1").replace('.', "/")
                ));
                ch.message = format!(
                    "{} is invalid: {human}",
                    if field.is_empty() {
                        "The policy"
                    } else {
                        field
                    }
                );
                ch
            }
        };
        ch.kibana_errors.push(kerr);
        changes.push(ch);
    }
}

/// Kibana's message is a JSON-encoded array of strings (`["X is required"]`); show it as prose.
fn human_messages(message: &str) -> String {
    match serde_json::from_str::<Value>(message) {
        Ok(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .field("name")
                    .and_then(Value::as_str)
                    .map(|n| format!("{n} is required"))
                    .unwrap_or_else(|| i.to_string()),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => message.to_string(),
    }
}

/// Counts by severity and kind, for summaries.
pub fn summarize(changes: &[Change]) -> Value {
    let mut by_kind: Map<String, Value> = Map::new();
    let (mut conflicts, mut attention, mut info) = (0u64, 0u64, 0u64);
    for c in changes {
        match c.severity {
            Severity::Conflict => conflicts += 1,
            Severity::Attention => attention += 1,
            Severity::Info => info += 1,
        }
        let n = by_kind
            .get(c.kind.as_str())
            .and_then(Value::as_u64)
            .unwrap_or(0);
        by_kind.insert(c.kind.as_str().to_string(), (n + 1).into());
    }
    serde_json::json!({"conflicts": conflicts, "attention": attention, "info": info, "by_kind": by_kind})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `Change::write_json` is a hand-written twin of the derived `Serialize`: the two must write
    /// the same bytes, with every optional field present and with none.
    #[test]
    fn write_json_matches_serialize() {
        let mut details = Map::new();
        details.insert("old_type".into(), json!("text"));
        details.insert("note".into(), json!("a \"quoted\"\nline"));
        let full = Change {
            kind: ChangeKind::TypeChanged,
            severity: Severity::Conflict,
            scope: "stream",
            policy_template: Some("nginx".into()),
            input: Some("logfile".into()),
            dataset: Some("nginx.access".into()),
            var: Some("paths".into()),
            current_path: Some("/inputs/0/streams/0/vars/paths".into()),
            proposed_path: Some("/inputs/0/streams/0/vars/pa~1ths".into()),
            old_value: Some(json!(["/var/log/*.log", 1.5, null])),
            new_value: Some(json!({"isSecretRef": true, "id": "x"})),
            title: Some("Paths — ✓".into()),
            var_type: Some("text".into()),
            secret: true,
            message: "Paths changes \u{1}\ttype.".into(),
            kibana_errors: vec![KibanaError {
                key: "inputs.logfile.vars.paths".into(),
                message: "[\"Paths is required\"]".into(),
            }],
            details,
        };
        let bare = Change {
            policy_template: None,
            input: None,
            dataset: None,
            var: None,
            current_path: None,
            proposed_path: None,
            old_value: None,
            new_value: None,
            title: None,
            var_type: None,
            secret: false,
            kibana_errors: Vec::new(),
            details: Map::new(),
            ..full.clone()
        };
        for change in [full, bare] {
            let mut ours = Vec::new();
            change.write_json(&mut ours);
            assert_eq!(
                String::from_utf8(ours).expect("utf-8"),
                serde_json::to_string(&change).expect("serialise")
            );
        }
    }

    #[test]
    fn values_are_cut_after_sixty_characters() {
        let long = "é".repeat(61);
        let shown = |v: &Value| {
            Shown {
                value: Some(v),
                secret: false,
            }
            .to_string()
        };
        assert_eq!(
            shown(&json!("é".repeat(60))),
            format!("\"{}\"", "é".repeat(60))
        );
        assert_eq!(shown(&json!(long)), format!("\"{}…\"", "é".repeat(60)));
        assert_eq!(shown(&json!([1, 2])), "[1,2]");
        assert_eq!(
            Shown {
                value: None,
                secret: true
            }
            .to_string(),
            "no value"
        );
        assert_eq!(
            Shown {
                value: Some(&json!("pw")),
                secret: true
            }
            .to_string(),
            "(secret)"
        );
        assert_eq!(truncate("abc", 2), "ab…");
    }
}
