//! `updatePackageInputs` (current Kibana generation): merge a stored package policy with the
//! defaults of the target package version, including `migrate_from` migrations, then validate.
//!
//! Kibana mutates shared JavaScript objects while merging; this works on owned values and
//! reproduces the observable result (order of inputs, streams and keys; `null` versus absent).
//! Migration sources are read from the policy as stored (before any merge step touched it).
//!
//! The stored inputs are copied once and merged in place; what the merge reads from the package
//! (policy templates, registry var definitions and streams) comes from a [`MergeIndex`] built
//! once per package.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::js::{is_set, strict_eq, to_js_string, truthy};
use super::package::{arr, effective_name, is_input_only_template, s, RegistryStream};
use super::prepared::PreparedPackage;
use super::validate::{validation_errors, ValidateOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::fields::{field, get, get_mut};

fn vars_of(v: &Value) -> Option<&Map<String, Value>> {
    field(v, "vars").and_then(Value::as_object)
}

/// An override's `vars` as a name → entry map (Kibana also accepts an array of `{name, ...}`).
fn override_vars(vars: &Value) -> Option<Cow<'_, Map<String, Value>>> {
    match vars {
        Value::Object(m) => Some(Cow::Borrowed(m)),
        Value::Array(a) => Some(Cow::Owned(
            a.iter()
                .filter_map(|e| Some((field(e, "name").map(to_js_string)?, e.clone())))
                .collect(),
        )),
        _ => None,
    }
}

/// `deepMergeVars(target, override, keepOriginalValue)`, in place on `target`.
///
/// An override entry without `value` stands for JavaScript's `value: undefined` (what
/// `varsReducer` produces for a definition without default), so it clears the old value unless
/// `keep` restores a non-null one.
pub fn deep_merge_vars(target: &mut Map<String, Value>, over: &Value, keep: bool) {
    merge_vars(target, field(over, "vars"), keep);
}

/// [`deep_merge_vars`] given the override's `vars`.
fn merge_vars(target: &mut Map<String, Value>, over_vars: Option<&Value>, keep: bool) {
    if !truthy(over_vars) {
        return;
    }
    let Some(ov) = over_vars.and_then(override_vars) else {
        return;
    };
    match get(target, "vars") {
        Some(Value::Object(_)) => {}
        // A truthy non-object is left alone.
        Some(v) if truthy(Some(v)) => return,
        _ => {
            // `target.vars = override.vars`: merging the override into its own copy changes
            // nothing but entries that are not objects, which become `{}`.
            let copy = ov
                .iter()
                .map(|(name, entry)| {
                    let entry = match entry {
                        Value::Object(_) => entry.clone(),
                        _ => Value::Object(Map::new()),
                    };
                    (name.clone(), entry)
                })
                .collect();
            set_key(target, "vars", Value::Object(copy));
            return;
        }
    }
    let Some(Value::Object(vars)) = get_mut(target, "vars") else {
        return;
    };
    // Stored vars usually come in the override's order: merge that common prefix walking both
    // maps together, look the rest up by name.
    let mut in_order = 0;
    for ((name, slot), (over_name, over_entry)) in vars.iter_mut().zip(ov.iter()) {
        if name != over_name {
            break;
        }
        merge_var_slot(slot, over_entry, keep);
        in_order += 1;
    }
    for (name, over_entry) in ov.iter().skip(in_order) {
        match get_mut(vars, name) {
            Some(slot) => merge_var_slot(slot, over_entry, keep),
            None => {
                vars.insert(name.clone(), new_var_entry(over_entry));
            }
        }
    }
}

/// One var of `deepMergeVars` whose name the stored vars have.
fn merge_var_slot(slot: &mut Value, over_entry: &Value, keep: bool) {
    match slot {
        Value::Object(stored) => merge_var_entry(stored, over_entry, keep),
        _ => *slot = new_var_entry(over_entry),
    }
}

/// One var of `deepMergeVars` when a stored entry exists, in place: Kibana rebuilds it as the
/// stored keys then the override's (`name` excepted), so an existing key keeps its position.
fn merge_var_entry(stored: &mut Map<String, Value>, over_entry: &Value, keep: bool) {
    let Value::Object(over) = over_entry else {
        return;
    };
    // The stored non-null value survives the override's.
    let restored = keep && is_set(get(stored, "value"));
    let mut over_has_value = false;
    for (k, v) in over {
        if k == "value" {
            over_has_value = true;
            if restored {
                continue;
            }
        } else if k == "name" {
            continue;
        }
        set_key_from(stored, k, v);
    }
    // `value: undefined` from the override: the key disappears from the JSON.
    if !restored && !over_has_value {
        remove_key(stored, "value");
    }
}

/// One var of `deepMergeVars` without a stored entry (or with a stored entry that is not an
/// object): the override's keys but `name`.
fn new_var_entry(over_entry: &Value) -> Value {
    let mut entry = match over_entry {
        Value::Object(o) => o.clone(),
        _ => Map::new(),
    };
    remove_key(&mut entry, "name");
    Value::Object(entry)
}

/// `removeStaleVars(target, expected)`, in place: keep only vars `expected` defines.
pub fn remove_stale_vars(target: &mut Map<String, Value>, expected: &Value) {
    drop_stale_vars(target, field(expected, "vars"));
}

/// [`remove_stale_vars`] given the expected `vars`.
fn drop_stale_vars(target: &mut Map<String, Value>, expected_vars: Option<&Value>) {
    if !truthy(get(target, "vars")) {
        return;
    }
    if !truthy(expected_vars) {
        set_key(target, "vars", Value::Object(Map::new()));
        return;
    }
    let keep = expected_vars.and_then(override_vars).unwrap_or_default();
    if let Some(Value::Object(vars)) = get_mut(target, "vars") {
        // After a merge the stored names are usually exactly the expected ones, in order.
        let all_expected =
            vars.len() == keep.len() && vars.keys().zip(keep.keys()).all(|(a, b)| a == b);
        if !all_expected {
            vars.retain(|k, _| get(&keep, k).is_some());
        }
    }
}

/// `sanitizeMigratedVars`: bool vars left `null`/absent become `false`.
fn sanitize_migrated_vars(target: &mut Map<String, Value>) {
    if let Some(Value::Object(vars)) = get_mut(target, "vars") {
        for entry in vars.values_mut() {
            if let Value::Object(e) = entry {
                if get(e, "type").and_then(Value::as_str) == Some("bool")
                    && !is_set(get(e, "value"))
                {
                    set_key(e, "value", Value::Bool(false));
                }
            }
        }
    }
}

/// `getUpdatedGlobalVars` over the policy's `vars`: `None` when the package has no package-level
/// vars.
pub fn updated_global_vars(pkg: &Value, policy_vars: Option<&Value>) -> Option<Value> {
    let prepared = super::prepared::PreparedPackage::cached(pkg);
    global_vars_from(prepared.global_defaults(), policy_vars)
}

/// `getUpdatedGlobalVars` with the package's `{vars: varsReducer(pkg.vars)}` already built.
fn global_vars_from(defaults: Option<&Value>, policy_vars: Option<&Value>) -> Option<Value> {
    let default_vars = field(defaults?, "vars");
    let mut tmp = Map::new();
    if let Some(v) = policy_vars {
        tmp.insert("vars".into(), v.clone());
    }
    merge_vars(&mut tmp, default_vars, true);
    drop_stale_vars(&mut tmp, default_vars);
    tmp.remove("vars")
}

/// `m[key] = v`, allocating the key only when it is new (an existing key keeps its position).
fn set_key(m: &mut Map<String, Value>, key: &str, v: Value) {
    match get_mut(m, key) {
        Some(slot) => *slot = v,
        None => {
            m.insert(key.to_string(), v);
        }
    }
}

/// `m[key] = v.clone()`, without the copy when `m[key]` already holds the same string, boolean
/// or `null` (a var's `type` usually does). Other values are always copied: `==` on numbers and
/// objects can hold for JSON that prints differently (`0.0`/`-0.0`, key order).
fn set_key_from(m: &mut Map<String, Value>, key: &str, v: &Value) {
    match get_mut(m, key) {
        Some(slot) => {
            let same = match (&*slot, v) {
                (Value::String(a), Value::String(b)) => a == b,
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Null, Value::Null) => true,
                _ => false,
            };
            if !same {
                *slot = v.clone();
            }
        }
        None => {
            m.insert(key.to_string(), v.clone());
        }
    }
}

/// `delete m[key]`, hashing the key only when it is there.
fn remove_key(m: &mut Map<String, Value>, key: &str) {
    if get(m, key).is_some() {
        m.shift_remove(key);
    }
}

/// `m[key] = v`, or `delete m[key]` when `v` is JavaScript `undefined`.
fn set_or_remove(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    match v {
        Some(v) => set_key(m, key, v),
        None => remove_key(m, key),
    }
}

fn dataset(stream: &Value) -> Option<&Value> {
    field(stream, "data_stream").and_then(|d| field(d, "dataset"))
}

/// Whether two streams' `data_stream.dataset` are the same (both absent counts).
fn same_dataset(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => strict_eq(x, y),
        _ => false,
    }
}

/// What inputs are matched by: the effective name and the policy template.
#[derive(Debug, Clone, Copy)]
struct InputKey<'a> {
    name: Option<&'a str>,
    policy_template: Option<&'a Value>,
}

impl<'a> InputKey<'a> {
    fn of(input: &'a Value) -> Self {
        InputKey {
            name: effective_name(input),
            policy_template: field(input, "policy_template"),
        }
    }
}

/// The policy's inputs as stored, with their keys (read by migrations).
struct StoredInputs<'a> {
    inputs: &'a [Value],
    keys: Vec<InputKey<'a>>,
}

impl<'a> StoredInputs<'a> {
    fn new(inputs: &'a [Value]) -> Self {
        StoredInputs {
            inputs,
            keys: inputs.iter().map(InputKey::of).collect(),
        }
    }

    /// The stored input a migration reads from (see [`find_input_for_migration`]).
    fn find_for_migration(&self, id: &str, pt: Option<&str>) -> Option<&'a Value> {
        let inputs = self.inputs;
        find_input_for_migration(&self.keys, id, pt).and_then(|i| inputs.get(i))
    }
}

/// `findInputForMigration`: same policy template first, else one without a policy template.
fn find_input_for_migration(keys: &[InputKey<'_>], id: &str, pt: Option<&str>) -> Option<usize> {
    let matches = |k: &InputKey<'_>| k.name == Some(id);
    match pt.filter(|p| !p.is_empty()) {
        Some(p) => keys
            .iter()
            .position(|k| matches(k) && k.policy_template.and_then(Value::as_str) == Some(p))
            .or_else(|| {
                keys.iter()
                    .position(|k| matches(k) && !truthy(k.policy_template))
            }),
        None => keys.iter().position(matches),
    }
}

/// The `migrate_from` counters of one input: the how-manieth stream migrating from `key` this
/// is (0 for the first).
fn next_occurrence(counters: &mut Vec<(String, usize)>, key: String) -> usize {
    match counters.iter_mut().find(|(k, _)| *k == key) {
        Some((_, c)) => {
            *c += 1;
            *c - 1
        }
        None => {
            counters.push((key, 1));
            0
        }
    }
}

/// The var-level `migrate_from` as `(name, scope, stream)`.
fn var_migrate_from(def: &Value) -> Option<(Option<String>, Option<String>, Option<String>)> {
    match field(def, "migrate_from")? {
        Value::String(n) if !n.is_empty() => Some((Some(n.clone()), None, None)),
        Value::Object(o) => Some((
            get(o, "name").filter(|v| truthy(Some(v))).map(to_js_string),
            get(o, "scope").and_then(Value::as_str).map(str::to_string),
            get(o, "stream")
                .filter(|v| truthy(Some(v)))
                .map(to_js_string),
        )),
        _ => None,
    }
}

/// Whether some definition migrates its value from another scope (`migrate_from.scope`).
fn has_scope_migration(defs: &[Value], scope: &str) -> bool {
    defs.iter().any(|d| {
        matches!(field(d, "migrate_from"), Some(Value::Object(_)))
            && matches!(var_migrate_from(d), Some((_, Some(s), _)) if s == scope)
    })
}

/// Aliases renamed vars (`newName ← oldName`) in `vars` when the new name is not present.
fn alias_renamed(vars: &mut Map<String, Value>, defs: &[Value]) {
    for def in defs {
        let (Some(new_name), Some((Some(old_name), _, _))) =
            (s(def, "name"), var_migrate_from(def))
        else {
            continue;
        };
        if is_set(vars.get(&old_name)) && !vars.contains_key(new_name) {
            if let Some(v) = vars.get(&old_name).cloned() {
                vars.insert(new_name.to_string(), v);
            }
        }
    }
}

/// The `vars` of `{...new, vars: oldVars}` merged with `new`'s definitions, stale vars dropped
/// (nothing else of that object is read).
fn merged_old_vars(new_vars: Option<&Value>, old_vars: Option<Value>) -> Option<Value> {
    let mut tmp = Map::new();
    if let Some(v) = old_vars {
        tmp.insert("vars".into(), v);
    }
    merge_vars(&mut tmp, new_vars, true);
    drop_stale_vars(&mut tmp, new_vars);
    sanitize_migrated_vars(&mut tmp);
    tmp.remove("vars")
}

/// `applyInputLevelMigration` on a new input: returns the stored input migrated from (which is
/// dropped from `inputs`).
fn apply_input_level_migration<'a>(
    update: &mut Map<String, Value>,
    stored: &StoredInputs<'a>,
    inputs: &mut Vec<Value>,
    keys: &mut Vec<InputKey<'_>>,
    var_defs: &[Value],
) -> Option<&'a Value> {
    let mf = get(update, "migrate_from")?;
    if truthy(get(update, "deprecated")) {
        return None;
    }
    let mf = to_js_string(mf);
    let pt = get(update, "policy_template").and_then(Value::as_str);
    let src = stored.find_for_migration(&mf, pt)?;
    if let Some(i) = find_input_for_migration(keys, &mf, pt) {
        inputs.remove(i);
        keys.remove(i);
    }
    let mut old_vars = vars_of(src).cloned().unwrap_or_default();
    alias_renamed(&mut old_vars, var_defs);
    let vars = merged_old_vars(get(update, "vars"), Some(Value::Object(old_vars)));
    set_or_remove(update, "vars", vars);
    set_or_remove(update, "enabled", field(src, "enabled").cloned());
    Some(src)
}

/// `migrateStreamVars`.
fn migrate_stream_vars(
    new_stream: Value,
    old_stream: Option<&Value>,
    old_input_vars: Option<&Value>,
    var_defs: &[Value],
) -> Value {
    let mut combined = old_input_vars
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(ov) = old_stream.and_then(vars_of) {
        for (k, v) in ov {
            combined.insert(k.clone(), v.clone());
        }
    }
    alias_renamed(&mut combined, var_defs);
    let mut merged = match new_stream {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let new_vars = merged.insert("vars".into(), Value::Object(combined));
    merge_vars(&mut merged, new_vars.as_ref(), true);
    drop_stale_vars(&mut merged, new_vars.as_ref());
    if let Some(os) = old_stream {
        set_or_remove(&mut merged, "enabled", field(os, "enabled").cloned());
    }
    sanitize_migrated_vars(&mut merged);
    Value::Object(merged)
}

/// The registry streams of one input (`getRegistryStreamWithDataStreamForInputType`), resolved
/// only when a migration reads them.
#[derive(Debug, Clone, Copy)]
struct RegistryStreams<'p> {
    data_streams: &'p [Value],
    /// (data stream, stream) positions in `data_streams`.
    positions: &'p [(usize, usize)],
    /// Some stream var migrates its value from the input (`migrate_from.scope: input`).
    migrates_from_input: bool,
}

impl<'p> RegistryStreams<'p> {
    fn iter(self) -> impl Iterator<Item = RegistryStream<'p>> {
        self.positions.iter().map(move |&(d, i)| {
            let ds = &self.data_streams[d];
            RegistryStream {
                dataset: field(ds, "dataset"),
                stream: &arr(ds, "streams")[i],
            }
        })
    }

    /// The var definitions of the registry stream with `stream`'s dataset.
    fn defs_for(self, stream: &Value) -> &'p [Value] {
        let wanted = dataset(stream);
        self.iter()
            .find(|rs| matches!((rs.dataset, wanted), (Some(a), Some(b)) if strict_eq(a, b)))
            .map_or(&[][..], |rs| arr(rs.stream, "vars"))
    }
}

/// What the merge reads from the package about one input of the update.
struct PackageInput<'p> {
    /// The registry input's var definitions.
    var_defs: &'p [Value],
    /// Some input var migrates its value from a stream (`migrate_from.scope: stream`).
    migrates_from_streams: bool,
    registry_streams: RegistryStreams<'p>,
}

/// A policy template as the merge reads it.
#[derive(Debug)]
struct TemplateEntry {
    /// `name`, compared with `===`.
    name: Option<Value>,
    /// `input` of an input-only template (whose stored input is matched by `type`).
    input_only: Option<Value>,
    /// The template's inputs (none for an input-only template).
    inputs: Vec<TemplateInput>,
}

#[derive(Debug)]
struct TemplateInput {
    /// The effective name.
    name: Option<String>,
    var_defs: Vec<Value>,
    /// Some var migrates its value from a stream (`migrate_from.scope: stream`).
    migrates_from_streams: bool,
}

/// The registry streams with one `input`.
#[derive(Debug, Default)]
struct InputStreams {
    /// (data stream, stream) positions in the normalised data streams.
    positions: Vec<(usize, usize)>,
    migrates_from_input: bool,
}

/// What `updatePackageInputs` reads from the target package, indexed once per package (see
/// [`PreparedPackage`]).
#[derive(Debug, Default)]
pub(crate) struct MergeIndex {
    templates: Vec<TemplateEntry>,
    /// By `input`, in order of first appearance (packages have a handful of inputs: a linear
    /// search is cheaper than hashing the name).
    streams_by_input: Vec<(String, InputStreams)>,
    /// `type: input`.
    input_package: bool,
    /// Kibana adds no new inputs to synthetics policies.
    synthetics: bool,
}

impl MergeIndex {
    /// Indexes `pkg`, whose normalised data streams are `data_streams`.
    pub(crate) fn new(pkg: &Value, data_streams: &[Value]) -> Self {
        let templates = arr(pkg, "policy_templates")
            .iter()
            .map(|pt| TemplateEntry {
                name: field(pt, "name").cloned(),
                input_only: field(pt, "input").cloned(),
                // Input-only templates carry their vars on the stream, not on the input.
                inputs: if is_input_only_template(pt) {
                    Vec::new()
                } else {
                    arr(pt, "inputs")
                        .iter()
                        .map(|input| {
                            let defs = arr(input, "vars");
                            TemplateInput {
                                name: effective_name(input).map(str::to_string),
                                var_defs: defs.to_vec(),
                                migrates_from_streams: has_scope_migration(defs, "stream"),
                            }
                        })
                        .collect()
                },
            })
            .collect();
        let mut streams_by_input: Vec<(String, InputStreams)> = Vec::new();
        for (d, ds) in data_streams.iter().enumerate() {
            for (i, st) in arr(ds, "streams").iter().enumerate() {
                let Some(input) = s(st, "input") else {
                    continue;
                };
                let pos = match streams_by_input.iter().position(|(k, _)| k == input) {
                    Some(pos) => pos,
                    None => {
                        streams_by_input.push((input.to_string(), InputStreams::default()));
                        streams_by_input.len() - 1
                    }
                };
                let entry = &mut streams_by_input[pos].1;
                entry.positions.push((d, i));
                entry.migrates_from_input |= has_scope_migration(arr(st, "vars"), "input");
            }
        }
        MergeIndex {
            templates,
            streams_by_input,
            input_package: s(pkg, "type") == Some("input"),
            synthetics: s(pkg, "name") == Some("synthetics"),
        }
    }

    /// Step A: a stored input is kept when its policy template still exists and still holds
    /// the input.
    fn keeps(&self, input: &Value, key: &InputKey<'_>) -> bool {
        let Some(pt_name) = key.policy_template.filter(|p| truthy(Some(p))) else {
            return true;
        };
        let Some(pt) = self
            .templates
            .iter()
            .find(|t| t.name.as_ref().is_some_and(|n| strict_eq(n, pt_name)))
        else {
            return false;
        };
        match &pt.input_only {
            Some(input_type) => field(input, "type").is_some_and(|t| strict_eq(input_type, t)),
            None => pt.inputs.iter().any(|i| i.name.as_deref() == key.name),
        }
    }

    /// The package's side of the update input named `name` (of `type` `ty`) in policy template
    /// `pt`: the registry input's var definitions (from template `pt`, else from any template
    /// that has the input) and the registry streams with input `name` (else `ty`).
    fn input<'p>(
        &'p self,
        data_streams: &'p [Value],
        name: &str,
        pt: Option<&str>,
        ty: Option<&str>,
    ) -> PackageInput<'p> {
        let find_in =
            |t: &'p TemplateEntry| t.inputs.iter().find(|i| i.name.as_deref() == Some(name));
        let registry_input = pt
            .and_then(|p| {
                self.templates
                    .iter()
                    .find(|t| t.name.as_ref().and_then(Value::as_str) == Some(p))
            })
            .and_then(find_in)
            .or_else(|| self.templates.iter().find_map(find_in));
        let streams_of = |input: &str| self.streams_by_input.iter().find(|(k, _)| k == input);
        let streams = streams_of(name)
            .or_else(|| ty.filter(|t| *t != name).and_then(streams_of))
            .map(|(_, streams)| streams);
        PackageInput {
            var_defs: registry_input.map_or(&[][..], |i| &i.var_defs),
            migrates_from_streams: registry_input.is_some_and(|i| i.migrates_from_streams),
            registry_streams: RegistryStreams {
                data_streams,
                positions: streams.map_or(&[][..], |s| &s.positions),
                migrates_from_input: streams.is_some_and(|s| s.migrates_from_input),
            },
        }
    }
}

/// `applyStreamLevelMigration` for a new input without a stored counterpart.
fn apply_stream_level_migration(
    update: &mut Map<String, Value>,
    src: Option<&Value>,
    stored: &StoredInputs<'_>,
    registry_streams: RegistryStreams<'_>,
) {
    if !truthy(get(update, "streams")) || truthy(get(update, "deprecated")) {
        return;
    }
    let streams = match get_mut(update, "streams") {
        Some(Value::Array(a)) => std::mem::take(a),
        _ => Vec::new(),
    };
    let pt = get(update, "policy_template").and_then(Value::as_str);
    let src_streams = src.map(|s| arr(s, "streams")).filter(|l| !l.is_empty());
    let mut counters: Vec<(String, usize)> = Vec::new();
    let mut occurred = false;
    let mut old_for_streams: Option<&Value> = None;
    let mut out = Vec::with_capacity(streams.len());
    for (idx, ns) in streams.into_iter().enumerate() {
        let (old_stream, old_input_vars) = if let (Some(src), Some(list)) = (src, src_streams) {
            (list.get(idx), field(src, "vars"))
        } else if let Some(mf) = field(&ns, "migrate_from").filter(|v| truthy(Some(v))) {
            let mf = to_js_string(mf);
            let counter = next_occurrence(&mut counters, mf.clone());
            let old_input = stored.find_for_migration(&mf, pt);
            let old_stream = old_input.and_then(|oi| arr(oi, "streams").get(counter));
            if old_stream.is_some() {
                occurred = true;
                old_for_streams = old_for_streams.or(old_input);
            }
            (old_stream, old_input.and_then(|oi| field(oi, "vars")))
        } else {
            (None, None)
        };
        if old_stream.is_none() && !truthy(old_input_vars) {
            out.push(ns);
            continue;
        }
        let defs = registry_streams.defs_for(&ns);
        out.push(migrate_stream_vars(ns, old_stream, old_input_vars, defs));
    }
    set_key(update, "streams", Value::Array(out));
    if occurred && get(update, "migrate_from").is_none() {
        if let Some(old) = old_for_streams {
            if is_set(field(old, "enabled")) {
                set_or_remove(update, "enabled", field(old, "enabled").cloned());
            }
            let vars = merged_old_vars(get(update, "vars"), field(old, "vars").cloned());
            set_or_remove(update, "vars", vars);
        }
    }
}

/// `applyVarScopeMigration` on a matched stored input, in place.
fn apply_var_scope_migration(original: &mut Map<String, Value>, package: &PackageInput<'_>) {
    // Most packages declare no scope migration; only then are the streams copied and read.
    let streams: Vec<Value> = match get(original, "streams") {
        Some(Value::Array(a)) if package.migrates_from_streams => a.clone(),
        _ => Vec::new(),
    };
    if !streams.is_empty() {
        for def in package.var_defs {
            let Some((mf_name, Some(scope), mf_stream)) = var_migrate_from(def) else {
                continue;
            };
            if scope != "stream" {
                continue;
            }
            let Some(name) = s(def, "name") else { continue };
            let source = match &mf_stream {
                Some(st) => streams.iter().find(|s| {
                    dataset(s).and_then(Value::as_str).is_some_and(|d| {
                        !d.is_empty() && (d == st || d.ends_with(&format!(".{st}")))
                    })
                }),
                None if streams.len() == 1 => streams.first(),
                None => None,
            };
            let Some(svars) = source.and_then(vars_of) else {
                continue;
            };
            let key = mf_name.clone().unwrap_or_else(|| name.to_string());
            let Some(old_entry) = svars.get(&key).filter(|e| is_set(field(e, "value"))) else {
                continue;
            };
            if !truthy(get(original, "vars")) {
                set_key(original, "vars", Value::Object(Map::new()));
            }
            if let Some(Value::Object(vars)) = get_mut(original, "vars") {
                if vars.get(name).is_some_and(|e| is_set(field(e, "value"))) {
                    continue;
                }
                vars.insert(name.to_string(), old_entry.clone());
            }
        }
    }
    if !package.registry_streams.migrates_from_input {
        return;
    }
    let Some(input_vars) = get(original, "vars")
        .filter(|v| truthy(Some(v)))
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let Some(Value::Array(streams)) = get_mut(original, "streams") else {
        return;
    };
    for rs in package.registry_streams.iter() {
        let Some(ds) = rs.dataset.filter(|d| truthy(Some(d))) else {
            continue;
        };
        if !truthy(field(rs.stream, "vars")) {
            continue;
        }
        let Some(stream) = streams
            .iter_mut()
            .find(|s| dataset(s).is_some_and(|d| strict_eq(d, ds)))
        else {
            continue;
        };
        for def in arr(rs.stream, "vars") {
            let Some((mf_name, Some(scope), _)) = var_migrate_from(def) else {
                continue;
            };
            if scope != "input" {
                continue;
            }
            let Some(name) = s(def, "name") else { continue };
            let key = mf_name.clone().unwrap_or_else(|| name.to_string());
            let Some(old_entry) = input_vars.get(&key).filter(|e| is_set(field(e, "value"))) else {
                continue;
            };
            let Some(sm) = stream.as_object_mut() else {
                continue;
            };
            if !truthy(get(sm, "vars")) {
                set_key(sm, "vars", Value::Object(Map::new()));
            }
            if let Some(Value::Object(vars)) = get_mut(sm, "vars") {
                if vars.get(name).is_some_and(|e| is_set(field(e, "value"))) {
                    continue;
                }
                vars.insert(name.to_string(), old_entry.clone());
            }
        }
    }
}

/// Finds the stored input an update merges into.
fn find_original(keys: &[InputKey<'_>], update: &InputKey<'_>) -> Option<usize> {
    let same = |k: &InputKey<'_>| k.name == update.name;
    match update.policy_template.filter(|p| truthy(Some(p))) {
        Some(pt) => keys
            .iter()
            .position(|k| same(k) && k.policy_template.is_some_and(|p| strict_eq(p, pt)))
            .or_else(|| {
                keys.iter()
                    .position(|k| same(k) && !truthy(k.policy_template))
            }),
        None => keys.iter().position(same),
    }
}

/// Merges one stored input (matched to `update`) in place.
fn merge_matched_input(
    original: &mut Map<String, Value>,
    update: &Value,
    package: &PackageInput<'_>,
    stored: &StoredInputs<'_>,
    limited: bool,
    input_package: bool,
) {
    if !limited && get(original, "enabled").is_none() {
        if let Some(e) = field(update, "enabled") {
            original.insert("enabled".into(), e.clone());
        }
    }
    for key in ["keep_enabled", "policy_template"] {
        if get(original, key).is_none() {
            if let Some(v) = field(update, key) {
                original.insert(key.into(), v.clone());
            }
        }
    }
    // Package-owned fields follow the package (cleared when the package drops them).
    set_or_remove(original, "deprecated", field(update, "deprecated").cloned());
    set_or_remove(
        original,
        "migrate_from",
        field(update, "migrate_from").cloned(),
    );
    let ustreams = arr(update, "streams");
    // The stored values only matter for a partial migration (a new stream with `migrate_from`).
    let may_migrate = ustreams.iter().any(|st| truthy(field(st, "migrate_from")));
    let stored_vars = if may_migrate {
        get(original, "vars")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    } else {
        Map::new()
    };
    apply_var_scope_migration(original, package);
    let update_vars = field(update, "vars");
    if truthy(update_vars) || truthy(get(original, "vars")) {
        merge_vars(original, update_vars, true);
        drop_stale_vars(original, update_vars);
    }
    let pt = s(update, "policy_template");
    if let Some(Value::Array(ustreams)) = field(update, "streams") {
        // Taken out and put back below, so the key keeps its position.
        let mut streams: Vec<Value> = match get_mut(original, "streams") {
            Some(Value::Array(a)) => std::mem::take(a),
            _ => Vec::new(),
        };
        let is_input_pkg = input_package && ustreams.len() == 1 && streams.len() == 1;
        let mut counters: Vec<(String, usize)> = Vec::new();
        let mut migrated_from: Option<&Value> = None;
        for stream in ustreams {
            let wanted = dataset(stream);
            let pos = streams
                .iter()
                .position(|s| same_dataset(dataset(s), wanted));
            let (mut os, index) = match pos {
                Some(p) => (std::mem::take(&mut streams[p]), Some(p)),
                None if is_input_pkg => {
                    // Input packages: the dataset is user-chosen, so match positionally.
                    let mut m = stream.as_object().cloned().unwrap_or_default();
                    let first = streams.first();
                    set_or_remove(&mut m, "id", first.and_then(|f| field(f, "id")).cloned());
                    set_or_remove(
                        &mut m,
                        "vars",
                        first.and_then(|f| field(f, "vars")).cloned(),
                    );
                    (Value::Object(m), None)
                }
                None => {
                    let migrated = field(stream, "migrate_from")
                        .filter(|mf| truthy(Some(mf)))
                        .and_then(|mf| {
                            let mf = to_js_string(mf);
                            let counter = next_occurrence(&mut counters, mf.clone());
                            let old_input = stored.find_for_migration(&mf, pt)?;
                            let old_stream = arr(old_input, "streams").get(counter)?;
                            Some((old_input, old_stream))
                        });
                    match migrated {
                        Some((old_input, old_stream)) => {
                            streams.push(migrate_stream_vars(
                                stream.clone(),
                                Some(old_stream),
                                field(old_input, "vars"),
                                package.registry_streams.defs_for(stream),
                            ));
                            migrated_from = migrated_from.or(Some(old_input));
                        }
                        None => streams.push(stream.clone()),
                    }
                    continue;
                }
            };
            let mut merged_vars = false;
            if let Value::Object(om) = &mut os {
                if get(om, "enabled").is_none() {
                    if let Some(e) = field(stream, "enabled") {
                        om.insert("enabled".into(), e.clone());
                    }
                }
                set_or_remove(om, "migrate_from", field(stream, "migrate_from").cloned());
                let stream_vars = field(stream, "vars");
                merged_vars = truthy(stream_vars) || truthy(get(om, "vars"));
                if merged_vars {
                    merge_vars(om, stream_vars, true);
                    drop_stale_vars(om, stream_vars);
                }
            }
            match index {
                Some(p) => streams[p] = os,
                // The positional input-package stream replaces the stored one only when its
                // vars were merged (Kibana writes it back in that branch alone).
                None if merged_vars => {
                    if let Some(first) = streams.first_mut() {
                        *first = os;
                    }
                }
                None => {}
            }
        }
        if let Some(old) = migrated_from {
            // Partial migration: some streams came from another stored input; carry its
            // enabled state and fill this input's unset vars from it.
            if !limited {
                set_or_remove(original, "enabled", field(old, "enabled").cloned());
            }
            if let (Some(Value::Object(vars)), Some(old_vars)) =
                (get_mut(original, "vars"), vars_of(old))
            {
                for (name, entry) in vars.iter_mut() {
                    let stored = get(&stored_vars, name).and_then(|e| field(e, "value"));
                    let stored_non_empty =
                        is_set(stored) && stored != Some(&Value::String(String::new()));
                    if stored_non_empty {
                        continue;
                    }
                    if let (Some(ov), Value::Object(e)) = (
                        get(old_vars, name)
                            .and_then(|o| field(o, "value"))
                            .filter(|v| !v.is_null()),
                        entry,
                    ) {
                        set_key(e, "value", ov.clone());
                    }
                }
            }
        }
        set_key(original, "streams", Value::Array(streams));
    }
    match get_mut(original, "streams") {
        Some(Value::Array(list)) => {
            list.retain(|s| {
                let d = dataset(s);
                ustreams.iter().any(|u| same_dataset(dataset(u), d))
            });
        }
        _ => {
            original.insert("streams".into(), Value::Array(Vec::new()));
        }
    }
}

/// The policy an upgrade starts from: a stored policy with some top-level keys left out and,
/// optionally, its `package` replaced (the dry run's `{...omit(policy, 'id'), package}`).
#[derive(Debug, Clone)]
pub struct BasePolicy<'a> {
    /// The stored policy's fields.
    pub stored: &'a Map<String, Value>,
    /// Top-level keys that are not part of the base.
    pub omit: &'a [&'a str],
    /// Replacement for `package`, in its position.
    pub package: Option<Value>,
}

/// `updatePackageInputs(base, packageInfo, inputsUpdated, dryRun)`.
///
/// `inputs_updated` is normally [`super::defaults::package_to_package_policy_inputs`] of the
/// target package. With `dry_run`, validation errors are attached as `errors`; otherwise they
/// are the error `PACKAGE_POLICY_VALIDATION` with Kibana's message.
///
/// # Errors
/// `INVALID_POLICY` when `base` is not an object; `PACKAGE_POLICY_VALIDATION` as above.
pub fn update_package_inputs(
    base: &Value,
    pkg: &Value,
    inputs_updated: Option<&[Value]>,
    dry_run: bool,
) -> Result<Value> {
    let Value::Object(stored) = base else {
        return Err(Error::new(
            ErrorKind::InvalidPolicy,
            "a package policy must be a JSON object",
        ));
    };
    let Some(updates) = inputs_updated else {
        return Ok(base.clone());
    };
    let base = BasePolicy {
        stored,
        omit: &[],
        package: None,
    };
    update_package_inputs_from(&base, pkg, Some(updates), dry_run)
}

/// [`update_package_inputs`] on a [`BasePolicy`].
///
/// # Errors
/// `PACKAGE_POLICY_VALIDATION` when not a dry run and the result fails validation.
pub fn update_package_inputs_from(
    base: &BasePolicy<'_>,
    pkg: &Value,
    inputs_updated: Option<&[Value]>,
    dry_run: bool,
) -> Result<Value> {
    let Some(updates) = inputs_updated else {
        return Ok(Value::Object(base_fields(base, None)));
    };
    let prepared = super::prepared::PreparedPackage::cached(pkg);
    update_package_inputs_prepared(base, &prepared, Some(updates), dry_run)
}

/// [`update_package_inputs_from`] against a [`PreparedPackage`] (the package's indexes are
/// built once, not per policy).
///
/// # Errors
/// `PACKAGE_POLICY_VALIDATION` when not a dry run and the result fails validation.
pub fn update_package_inputs_prepared(
    base: &BasePolicy<'_>,
    prepared: &PreparedPackage,
    inputs_updated: Option<&[Value]>,
    dry_run: bool,
) -> Result<Value> {
    let Some(updates) = inputs_updated else {
        return Ok(Value::Object(base_fields(base, None)));
    };
    let index = prepared.merge_index();
    let stored = StoredInputs::new(match get(base.stored, "inputs") {
        Some(Value::Array(a)) => a,
        _ => &[],
    });
    let limited = prepared.limited();
    // The merged inputs, with the keys they are matched by.
    let mut inputs: Vec<Value> = Vec::with_capacity(stored.inputs.len() + updates.len());
    let mut keys: Vec<InputKey<'_>> = Vec::with_capacity(inputs.capacity());
    for (input, key) in stored.inputs.iter().zip(&stored.keys) {
        if index.keeps(input, key) {
            inputs.push(input.clone());
            keys.push(*key);
        }
    }

    for update in updates {
        let key = InputKey::of(update);
        let package = index.input(
            prepared.data_streams(),
            key.name.unwrap_or(""),
            s(update, "policy_template"),
            s(update, "type"),
        );
        match find_original(&keys, &key) {
            None => {
                if index.synthetics {
                    continue;
                }
                let mut upd = update.as_object().cloned().unwrap_or_default();
                let src = apply_input_level_migration(
                    &mut upd,
                    &stored,
                    &mut inputs,
                    &mut keys,
                    package.var_defs,
                );
                apply_stream_level_migration(&mut upd, src, &stored, package.registry_streams);
                if limited {
                    set_key(&mut upd, "enabled", Value::Bool(false));
                }
                inputs.push(Value::Object(upd));
                keys.push(key);
            }
            Some(idx) => {
                let mut original = match std::mem::take(&mut inputs[idx]) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                merge_matched_input(
                    &mut original,
                    update,
                    &package,
                    &stored,
                    limited,
                    index.input_package,
                );
                inputs[idx] = Value::Object(original);
                // The merge gave the stored input the update's policy template if it had none.
                if keys[idx].policy_template.is_none() {
                    keys[idx].policy_template = key.policy_template;
                }
            }
        }
    }

    // `{...base, inputs, vars}`: every stored field in place, without copying the old inputs.
    let vars = global_vars_from(prepared.global_defaults(), get(base.stored, "vars"));
    let mut result = Value::Object(base_fields(base, Some((inputs, vars))));

    // Kibana checks `validationHasErrors` first; it holds whenever the error list is not empty.
    let errs = validation_errors(&result, prepared.validation(), &ValidateOptions::default());
    if !errs.is_empty() {
        if dry_run {
            if let Value::Object(m) = &mut result {
                m.insert("errors".into(), Value::Array(errs));
            }
        } else {
            let lines: Vec<String> = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.get("key").and_then(Value::as_str).unwrap_or(""),
                        e.get("message").and_then(Value::as_str).unwrap_or("")
                    )
                })
                .collect();
            return Err(Error::new(
                ErrorKind::PackagePolicyValidation,
                format!("Package policy is invalid: {}", lines.join("\n")),
            ));
        }
    }
    Ok(result)
}

/// The base's fields in order (omitted keys dropped, `package` replaced). With `merged`, the
/// merge's `(inputs, vars)` take the place of the stored ones (`vars: None` drops the key), so
/// neither stored value is copied.
fn base_fields(
    base: &BasePolicy<'_>,
    merged: Option<(Vec<Value>, Option<Value>)>,
) -> Map<String, Value> {
    let replace = merged.is_some();
    let (mut inputs, mut vars) = match merged {
        Some((inputs, vars)) => (Some(inputs), vars),
        None => (None, None),
    };
    let mut out = Map::with_capacity(base.stored.len() + 2);
    for (k, v) in base.stored {
        if base.omit.contains(&k.as_str()) {
            continue;
        }
        let value = match k.as_str() {
            "inputs" if replace => Value::Array(inputs.take().unwrap_or_default()),
            "vars" if replace => match vars.take() {
                Some(vars) => vars,
                None => continue,
            },
            "package" if base.package.is_some() => base.package.clone().unwrap_or(Value::Null),
            _ => v.clone(),
        };
        out.insert(k.clone(), value);
    }
    if let Some(p) = &base.package {
        if !out.contains_key("package") {
            out.insert("package".into(), p.clone());
        }
    }
    if let Some(list) = inputs {
        out.insert("inputs".into(), Value::Array(list));
    }
    if let Some(vars) = vars {
        out.insert("vars".into(), vars);
    }
    out
}

/// `_enforceFrozenVars(old, new, force)`: a frozen var keeps its stored entry (a changed value
/// or type is an error unless `force`), and a frozen var the new version dropped is re-added.
fn enforce_frozen_vars(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    force: bool,
) -> Result<Map<String, Value>> {
    let mut out = Map::with_capacity(new.len());
    for (k, v) in new {
        let frozen_old = old.get(k).filter(|o| truthy(o.get("frozen")));
        let value = match frozen_old {
            Some(o) if !force => {
                let same = o.get("value") == v.get("value") && o.get("type") == v.get("type");
                if !same {
                    return Err(Error::new(
                        ErrorKind::PackagePolicyValidation,
                        format!("{k} is a frozen variable and cannot be modified"),
                    ));
                }
                o.clone()
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), value);
    }
    for (k, v) in old {
        if !truthy(new.get(k)) && truthy(v.get("frozen")) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// `enforceFrozenInputs(oldInputs, newInputs, force)`, run when Kibana saves an upgraded policy:
/// `keep_enabled` inputs and streams keep their stored `enabled`, frozen vars keep their stored
/// entry (package-level vars are not checked).
///
/// # Errors
/// `PACKAGE_POLICY_VALIDATION` (`<key> is a frozen variable and cannot be modified`) when a frozen
/// var changed and `force` is false.
pub fn enforce_frozen_inputs(
    old_inputs: &[Value],
    new_inputs: &mut [Value],
    force: bool,
) -> Result<()> {
    for input in new_inputs.iter_mut() {
        let name = effective_name(input).map(str::to_string);
        let Some(old) = old_inputs
            .iter()
            .find(|o| effective_name(o).map(str::to_string) == name)
        else {
            continue;
        };
        let Some(im) = input.as_object_mut() else {
            continue;
        };
        if truthy(old.get("keep_enabled")) {
            set_or_remove(im, "enabled", old.get("enabled").cloned());
        }
        if let (Some(Value::Object(ov)), Some(Value::Object(nv))) =
            (old.get("vars"), im.get("vars"))
        {
            let merged = enforce_frozen_vars(ov, nv, force)?;
            im.insert("vars".into(), Value::Object(merged));
        }
        let Some(Value::Array(streams)) = im.get_mut("streams") else {
            continue;
        };
        for stream in streams.iter_mut() {
            // JavaScript compares `s.id === stream.id`: two missing ids are equal.
            let id = stream.get("id").cloned();
            let Some(os) = arr(old, "streams")
                .iter()
                .find(|s| s.get("id").cloned() == id)
            else {
                continue;
            };
            let Some(sm) = stream.as_object_mut() else {
                continue;
            };
            if truthy(os.get("keep_enabled")) {
                set_or_remove(sm, "enabled", os.get("enabled").cloned());
            }
            if let (Some(Value::Object(ov)), Some(Value::Object(nv))) =
                (os.get("vars"), sm.get("vars"))
            {
                let merged = enforce_frozen_vars(ov, nv, force)?;
                sm.insert("vars".into(), Value::Object(merged));
            }
        }
    }
    Ok(())
}
