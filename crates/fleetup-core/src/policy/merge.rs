//! `updatePackageInputs` (current Kibana generation): merge a stored package policy with the
//! defaults of the target package version, including `migrate_from` migrations, then validate.
//!
//! Kibana mutates shared JavaScript objects while merging; this works on owned values and
//! reproduces the observable result (order of inputs, streams and keys; `null` versus absent).
//! Migration sources are read from the policy as stored (before any merge step touched it).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::js::{is_set, strict_eq, to_js_string, truthy};
use super::package::{
    arr, effective_name, is_input_only_template, registry_input_var_defs, s, RegistryStream,
};
use super::prepared::PreparedPackage;
use super::validate::{error_list, validate_prepared, validation_has_errors, ValidateOptions};
use crate::error::{Error, ErrorKind, Result};

fn vars_of(v: &Value) -> Option<&Map<String, Value>> {
    v.get("vars").and_then(Value::as_object)
}

/// Override vars as a name → entry map (Kibana also accepts an array of `{name, ...}`).
fn override_vars(v: &Value) -> Option<Cow<'_, Map<String, Value>>> {
    match v.get("vars")? {
        Value::Object(m) => Some(Cow::Borrowed(m)),
        Value::Array(a) => Some(Cow::Owned(
            a.iter()
                .filter_map(|e| Some((e.get("name").map(to_js_string)?, e.clone())))
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
    if !truthy(over.get("vars")) {
        return;
    }
    let Some(ov) = override_vars(over) else {
        return;
    };
    if !truthy(target.get("vars")) {
        target.insert("vars".into(), Value::Object(ov.clone().into_owned()));
    }
    let Some(Value::Object(vars)) = target.get_mut("vars") else {
        return;
    };
    for (name, oentry) in ov.iter() {
        // The stored entry is rebuilt in place: its keys first, then the override's.
        let (mut merged, original_value) = match vars.get_mut(name) {
            Some(Value::Object(o)) => {
                let o = std::mem::take(o);
                let value = o.get("value").filter(|v| !v.is_null()).cloned();
                (o, value)
            }
            _ => (Map::new(), None),
        };
        if let Value::Object(o) = oentry {
            for (k, v) in o {
                if k != "name" {
                    set_key(&mut merged, k, v.clone());
                }
            }
            // `value: undefined` from the override: the key keeps its place when the stored
            // value is restored below, otherwise it disappears from the JSON.
            let restored = keep && original_value.is_some();
            if !o.contains_key("value") && !restored {
                merged.shift_remove("value");
            }
        }
        if keep {
            if let Some(v) = original_value {
                set_key(&mut merged, "value", v);
            }
        }
        set_key(vars, name, Value::Object(merged));
    }
}

/// `removeStaleVars(target, expected)`, in place: keep only vars `expected` defines.
pub fn remove_stale_vars(target: &mut Map<String, Value>, expected: &Value) {
    if !truthy(target.get("vars")) {
        return;
    }
    if !truthy(expected.get("vars")) {
        target.insert("vars".into(), Value::Object(Map::new()));
        return;
    }
    let keep = override_vars(expected).unwrap_or_default();
    if let Some(Value::Object(vars)) = target.get_mut("vars") {
        vars.retain(|k, _| keep.contains_key(k));
    }
}

/// `sanitizeMigratedVars`: bool vars left `null`/absent become `false`.
fn sanitize_migrated_vars(target: &mut Map<String, Value>) {
    if let Some(Value::Object(vars)) = target.get_mut("vars") {
        for entry in vars.values_mut() {
            if let Value::Object(e) = entry {
                if e.get("type").and_then(Value::as_str) == Some("bool") && !is_set(e.get("value"))
                {
                    e.insert("value".into(), Value::Bool(false));
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
    let defaults = defaults?;
    let mut tmp = Map::new();
    if let Some(v) = policy_vars {
        tmp.insert("vars".into(), v.clone());
    }
    deep_merge_vars(&mut tmp, defaults, true);
    remove_stale_vars(&mut tmp, defaults);
    tmp.remove("vars")
}

/// `m[key] = v`, allocating the key only when it is new (an existing key keeps its position).
fn set_key(m: &mut Map<String, Value>, key: &str, v: Value) {
    match m.get_mut(key) {
        Some(slot) => *slot = v,
        None => {
            m.insert(key.to_string(), v);
        }
    }
}

fn set_or_remove(m: &mut Map<String, Value>, key: &str, v: Option<&Value>) {
    match v {
        Some(v) => set_key(m, key, v.clone()),
        None => {
            m.shift_remove(key);
        }
    }
}

fn dataset(stream: &Value) -> Option<&Value> {
    stream.get("data_stream").and_then(|d| d.get("dataset"))
}

fn same_dataset(a: &Value, b: &Value) -> bool {
    match (dataset(a), dataset(b)) {
        (None, None) => true,
        (Some(x), Some(y)) => strict_eq(x, y),
        _ => false,
    }
}

/// `findInputForMigration`: same policy template first, else one without a policy template.
fn find_input_for_migration(inputs: &[Value], id: &str, pt: Option<&str>) -> Option<usize> {
    let matches = |i: &Value| effective_name(i) == Some(id);
    match pt.filter(|p| !p.is_empty()) {
        Some(p) => inputs
            .iter()
            .position(|i| matches(i) && s(i, "policy_template") == Some(p))
            .or_else(|| {
                inputs
                    .iter()
                    .position(|i| matches(i) && !truthy(i.get("policy_template")))
            }),
        None => inputs.iter().position(matches),
    }
}

/// The var-level `migrate_from` as `(name, scope, stream)`.
fn var_migrate_from(def: &Value) -> Option<(Option<String>, Option<String>, Option<String>)> {
    match def.get("migrate_from")? {
        Value::String(n) if !n.is_empty() => Some((Some(n.clone()), None, None)),
        Value::Object(o) => Some((
            o.get("name").filter(|v| truthy(Some(v))).map(to_js_string),
            o.get("scope").and_then(Value::as_str).map(str::to_string),
            o.get("stream")
                .filter(|v| truthy(Some(v)))
                .map(to_js_string),
        )),
        _ => None,
    }
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

/// `{...new, vars: oldVars}` merged with `new`'s definitions, stale vars dropped.
fn merge_old_vars_into(update: &Value, old_vars: Option<Value>) -> Map<String, Value> {
    let mut tmp = update.as_object().cloned().unwrap_or_default();
    set_or_remove(&mut tmp, "vars", old_vars.as_ref());
    deep_merge_vars(&mut tmp, update, true);
    remove_stale_vars(&mut tmp, update);
    sanitize_migrated_vars(&mut tmp);
    tmp
}

/// `applyInputLevelMigration`: returns the stored input migrated from.
fn apply_input_level_migration(
    update: &mut Map<String, Value>,
    base_inputs: &[Value],
    inputs: &mut Vec<Value>,
    var_defs: &[Value],
) -> Option<Value> {
    let mf = update.get("migrate_from")?;
    if truthy(update.get("deprecated")) {
        return None;
    }
    let mf = to_js_string(mf);
    let pt = update
        .get("policy_template")
        .and_then(Value::as_str)
        .map(str::to_string);
    let src = base_inputs
        .get(find_input_for_migration(base_inputs, &mf, pt.as_deref())?)?
        .clone();
    if let Some(i) = find_input_for_migration(inputs, &mf, pt.as_deref()) {
        inputs.remove(i);
    }
    let mut old_vars = vars_of(&src).cloned().unwrap_or_default();
    alias_renamed(&mut old_vars, var_defs);
    let upd = Value::Object(update.clone());
    let merged = merge_old_vars_into(&upd, Some(Value::Object(old_vars)));
    set_or_remove(update, "vars", merged.get("vars"));
    set_or_remove(update, "enabled", src.get("enabled"));
    Some(src)
}

/// `migrateStreamVars`.
fn migrate_stream_vars(
    new_stream: &Value,
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
    let mut tmp = new_stream.as_object().cloned().unwrap_or_default();
    tmp.insert("vars".into(), Value::Object(combined));
    deep_merge_vars(&mut tmp, new_stream, true);
    remove_stale_vars(&mut tmp, new_stream);
    if let Some(os) = old_stream {
        set_or_remove(&mut tmp, "enabled", os.get("enabled"));
    }
    sanitize_migrated_vars(&mut tmp);
    Value::Object(tmp)
}

fn registry_stream_defs<'a>(
    registry_streams: &[RegistryStream<'a>],
    stream: &Value,
) -> &'a [Value] {
    registry_streams
        .iter()
        .find(|rs| match (rs.dataset, dataset(stream)) {
            (Some(a), Some(b)) => strict_eq(a, b),
            _ => false,
        })
        .map_or(&[][..], |rs| arr(rs.stream, "vars"))
}

/// `applyStreamLevelMigration` for a new input without a stored counterpart.
fn apply_stream_level_migration(
    update: &mut Map<String, Value>,
    src: Option<&Value>,
    base_inputs: &[Value],
    registry_streams: &[RegistryStream<'_>],
) {
    if !truthy(update.get("streams")) || truthy(update.get("deprecated")) {
        return;
    }
    let pt = update
        .get("policy_template")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut counters: Vec<(String, usize)> = Vec::new();
    let mut occurred = false;
    let mut old_for_streams: Option<Value> = None;
    let streams = match update.get_mut("streams") {
        Some(Value::Array(a)) => std::mem::take(a),
        _ => Vec::new(),
    };
    let mut out = Vec::with_capacity(streams.len());
    for (idx, ns) in streams.iter().enumerate() {
        let mut old_stream: Option<Value> = None;
        let mut old_input_vars: Option<Value> = None;
        if let Some(src) = src.filter(|s| !arr(s, "streams").is_empty()) {
            old_stream = arr(src, "streams").get(idx).cloned();
            old_input_vars = src.get("vars").cloned();
        } else if truthy(ns.get("migrate_from")) {
            let mf = ns.get("migrate_from").map(to_js_string).unwrap_or_default();
            let counter = match counters.iter_mut().find(|(k, _)| *k == mf) {
                Some((_, c)) => {
                    *c += 1;
                    *c - 1
                }
                None => {
                    counters.push((mf.clone(), 1));
                    0
                }
            };
            let old_input = find_input_for_migration(base_inputs, &mf, pt.as_deref())
                .and_then(|i| base_inputs.get(i));
            old_stream = old_input
                .and_then(|oi| arr(oi, "streams").get(counter))
                .cloned();
            if old_stream.is_some() {
                occurred = true;
                if old_for_streams.is_none() {
                    old_for_streams = old_input.cloned();
                }
            }
            old_input_vars = old_input.and_then(|oi| oi.get("vars")).cloned();
        }
        if old_stream.is_none() && !truthy(old_input_vars.as_ref()) {
            out.push(ns.clone());
            continue;
        }
        out.push(migrate_stream_vars(
            ns,
            old_stream.as_ref(),
            old_input_vars.as_ref(),
            registry_stream_defs(registry_streams, ns),
        ));
    }
    update.insert("streams".into(), Value::Array(out));
    if occurred && !update.contains_key("migrate_from") {
        if let Some(old) = &old_for_streams {
            if is_set(old.get("enabled")) {
                set_or_remove(update, "enabled", old.get("enabled"));
            }
            let upd = Value::Object(update.clone());
            let merged = merge_old_vars_into(&upd, old.get("vars").cloned());
            set_or_remove(update, "vars", merged.get("vars"));
        }
    }
}

/// `applyVarScopeMigration` on a matched stored input, in place.
fn apply_var_scope_migration(
    original: &mut Map<String, Value>,
    input_defs: &[Value],
    registry_streams: &[RegistryStream<'_>],
) {
    let has_scope = |defs: &[Value], want: &str| {
        // Cheap pre-check: only definitions with an object `migrate_from` can carry a scope.
        defs.iter().any(|d| {
            matches!(d.get("migrate_from"), Some(Value::Object(_)))
                && matches!(var_migrate_from(d), Some((_, Some(scope), _)) if scope == want)
        })
    };
    // Most packages declare no scope migration; only then are the streams copied and read.
    let streams: Vec<Value> = match original.get("streams") {
        Some(Value::Array(a)) if has_scope(input_defs, "stream") => a.clone(),
        _ => Vec::new(),
    };
    if !streams.is_empty() {
        for def in input_defs {
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
            let Some(old_entry) = svars.get(&key).filter(|e| is_set(e.get("value"))) else {
                continue;
            };
            if !truthy(original.get("vars")) {
                original.insert("vars".into(), Value::Object(Map::new()));
            }
            if let Some(Value::Object(vars)) = original.get_mut("vars") {
                if vars.get(name).is_some_and(|e| is_set(e.get("value"))) {
                    continue;
                }
                vars.insert(name.to_string(), old_entry.clone());
            }
        }
    }
    if !registry_streams
        .iter()
        .any(|rs| has_scope(arr(rs.stream, "vars"), "input"))
    {
        return;
    }
    let Some(input_vars) = original
        .get("vars")
        .filter(|v| truthy(Some(v)))
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let Some(Value::Array(streams)) = original.get_mut("streams") else {
        return;
    };
    for rs in registry_streams {
        let Some(ds) = rs.dataset.filter(|d| truthy(Some(d))) else {
            continue;
        };
        if !truthy(rs.stream.get("vars")) {
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
            let Some(old_entry) = input_vars.get(&key).filter(|e| is_set(e.get("value"))) else {
                continue;
            };
            let Some(sm) = stream.as_object_mut() else {
                continue;
            };
            if !truthy(sm.get("vars")) {
                sm.insert("vars".into(), Value::Object(Map::new()));
            }
            if let Some(Value::Object(vars)) = sm.get_mut("vars") {
                if vars.get(name).is_some_and(|e| is_set(e.get("value"))) {
                    continue;
                }
                vars.insert(name.to_string(), old_entry.clone());
            }
        }
    }
}

/// Finds the stored input an update merges into.
fn find_original(inputs: &[Value], update: &Value) -> Option<usize> {
    let name = effective_name(update);
    let same = |i: &Value| effective_name(i) == name;
    match update.get("policy_template").filter(|p| truthy(Some(p))) {
        Some(pt) => inputs
            .iter()
            .position(|i| same(i) && i.get("policy_template").is_some_and(|p| strict_eq(p, pt)))
            .or_else(|| {
                inputs
                    .iter()
                    .position(|i| same(i) && !truthy(i.get("policy_template")))
            }),
        None => inputs.iter().position(same),
    }
}

/// Step A: keep stored inputs whose policy template still exists and still holds the input.
fn still_exists(pkg: &Value, input: &Value) -> bool {
    let Some(pt_name) = input.get("policy_template").filter(|p| truthy(Some(p))) else {
        return true;
    };
    let Some(pt) = arr(pkg, "policy_templates")
        .iter()
        .find(|t| t.get("name").is_some_and(|n| strict_eq(n, pt_name)))
    else {
        return false;
    };
    if is_input_only_template(pt) {
        return match (pt.get("input"), input.get("type")) {
            (Some(a), Some(b)) => strict_eq(a, b),
            _ => false,
        };
    }
    let name = effective_name(input);
    arr(pt, "inputs").iter().any(|i| effective_name(i) == name)
}

/// Merges one stored input (matched to `update`) in place.
fn merge_matched_input(
    original: &mut Map<String, Value>,
    update: &Value,
    pkg: &Value,
    base_inputs: &[Value],
    input_defs: &[Value],
    registry_streams: &[RegistryStream<'_>],
    limited: bool,
) {
    if !limited && !original.contains_key("enabled") {
        if let Some(e) = update.get("enabled") {
            original.insert("enabled".into(), e.clone());
        }
    }
    for key in ["keep_enabled", "policy_template"] {
        if !original.contains_key(key) {
            if let Some(v) = update.get(key) {
                original.insert(key.into(), v.clone());
            }
        }
    }
    // Package-owned fields follow the package (cleared when the package drops them).
    set_or_remove(original, "deprecated", update.get("deprecated"));
    set_or_remove(original, "migrate_from", update.get("migrate_from"));
    // The stored values only matter for a partial migration (a new stream with `migrate_from`).
    let may_migrate = arr(update, "streams")
        .iter()
        .any(|st| truthy(st.get("migrate_from")));
    let stored_vars = if may_migrate {
        original
            .get("vars")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    } else {
        Map::new()
    };
    apply_var_scope_migration(original, input_defs, registry_streams);
    if truthy(update.get("vars")) || truthy(original.get("vars")) {
        deep_merge_vars(original, update, true);
        remove_stale_vars(original, update);
    }
    let pt = update
        .get("policy_template")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(Value::Array(ustreams)) = update.get("streams") {
        // Taken out and put back below, so the key keeps its position.
        let mut streams: Vec<Value> = match original.get_mut("streams") {
            Some(Value::Array(a)) => std::mem::take(a),
            _ => Vec::new(),
        };
        let is_input_pkg =
            s(pkg, "type") == Some("input") && ustreams.len() == 1 && streams.len() == 1;
        let mut counters: Vec<(String, usize)> = Vec::new();
        let mut migrated_from: Option<Value> = None;
        for stream in ustreams {
            let pos = streams.iter().position(|s| same_dataset(s, stream));
            let (mut os, index) = match pos {
                Some(p) => (std::mem::take(&mut streams[p]), Some(p)),
                None if is_input_pkg => {
                    // Input packages: the dataset is user-chosen, so match positionally.
                    let mut m = ustreams
                        .first()
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    let first = streams.first().cloned().unwrap_or(Value::Null);
                    set_or_remove(&mut m, "id", first.get("id"));
                    set_or_remove(&mut m, "vars", first.get("vars"));
                    (Value::Object(m), None)
                }
                None => {
                    let mut pushed = false;
                    if truthy(stream.get("migrate_from")) {
                        let mf = stream
                            .get("migrate_from")
                            .map(to_js_string)
                            .unwrap_or_default();
                        let counter = match counters.iter_mut().find(|(k, _)| *k == mf) {
                            Some((_, c)) => {
                                *c += 1;
                                *c - 1
                            }
                            None => {
                                counters.push((mf.clone(), 1));
                                0
                            }
                        };
                        let old_input = find_input_for_migration(base_inputs, &mf, pt.as_deref())
                            .and_then(|i| base_inputs.get(i));
                        if let Some(old_stream) =
                            old_input.and_then(|oi| arr(oi, "streams").get(counter))
                        {
                            streams.push(migrate_stream_vars(
                                stream,
                                Some(old_stream),
                                old_input.and_then(|oi| oi.get("vars")),
                                registry_stream_defs(registry_streams, stream),
                            ));
                            if migrated_from.is_none() {
                                migrated_from = old_input.cloned();
                            }
                            pushed = true;
                        }
                    }
                    if !pushed {
                        streams.push(stream.clone());
                    }
                    continue;
                }
            };
            let mut merge_vars = false;
            if let Some(om) = os.as_object_mut() {
                if !om.contains_key("enabled") {
                    if let Some(e) = stream.get("enabled") {
                        om.insert("enabled".into(), e.clone());
                    }
                }
                set_or_remove(om, "migrate_from", stream.get("migrate_from"));
                merge_vars = truthy(stream.get("vars")) || truthy(om.get("vars"));
                if merge_vars {
                    deep_merge_vars(om, stream, true);
                    remove_stale_vars(om, stream);
                }
            }
            match index {
                Some(p) => streams[p] = os,
                // The positional input-package stream replaces the stored one only when its
                // vars were merged (Kibana writes it back in that branch alone).
                None if merge_vars => {
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
                set_or_remove(original, "enabled", old.get("enabled"));
            }
            if let (Some(Value::Object(vars)), Some(old_vars)) =
                (original.get_mut("vars"), vars_of(&old))
            {
                for (name, entry) in vars.iter_mut() {
                    let stored = stored_vars.get(name).and_then(|e| e.get("value"));
                    let stored_non_empty =
                        is_set(stored) && stored != Some(&Value::String(String::new()));
                    if stored_non_empty {
                        continue;
                    }
                    if let (Some(ov), Value::Object(e)) = (
                        old_vars
                            .get(name)
                            .and_then(|o| o.get("value"))
                            .filter(|v| !v.is_null()),
                        entry,
                    ) {
                        e.insert("value".into(), ov.clone());
                    }
                }
            }
        }
        original.insert("streams".into(), Value::Array(streams));
    }
    let ustreams = arr(update, "streams");
    match original.get_mut("streams") {
        Some(Value::Array(list)) => list.retain(|s| ustreams.iter().any(|u| same_dataset(u, s))),
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
    let pkg = prepared.package();
    let base_inputs: &[Value] = match base.stored.get("inputs") {
        Some(Value::Array(a)) => a,
        _ => &[],
    };
    let limited = prepared.limited();
    let data_streams = prepared.data_streams();
    let registry_streams_of = |input: &str| -> Vec<RegistryStream<'_>> {
        prepared
            .streams_for_input(input)
            .iter()
            .map(|&(d, i)| {
                let ds = &data_streams[d];
                RegistryStream {
                    dataset: ds.get("dataset"),
                    stream: &arr(ds, "streams")[i],
                }
            })
            .collect()
    };
    let mut inputs: Vec<Value> = base_inputs
        .iter()
        .filter(|i| still_exists(pkg, i))
        .cloned()
        .collect();

    for update in updates {
        let name = effective_name(update).unwrap_or("").to_string();
        let pt = update.get("policy_template").and_then(Value::as_str);
        let registry_streams = {
            let by_name = registry_streams_of(&name);
            match (by_name.is_empty(), s(update, "type")) {
                (true, Some(t)) if t != name => registry_streams_of(t),
                _ => by_name,
            }
        };
        let input_defs = registry_input_var_defs(pkg, &name, pt);
        match find_original(&inputs, update) {
            None => {
                if s(pkg, "name") == Some("synthetics") {
                    continue;
                }
                let mut upd = update.as_object().cloned().unwrap_or_default();
                let src =
                    apply_input_level_migration(&mut upd, base_inputs, &mut inputs, input_defs);
                apply_stream_level_migration(
                    &mut upd,
                    src.as_ref(),
                    base_inputs,
                    &registry_streams,
                );
                if limited {
                    upd.insert("enabled".into(), Value::Bool(false));
                }
                inputs.push(Value::Object(upd));
            }
            Some(idx) => {
                let mut original = match std::mem::take(&mut inputs[idx]) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                merge_matched_input(
                    &mut original,
                    update,
                    pkg,
                    base_inputs,
                    input_defs,
                    &registry_streams,
                    limited,
                );
                inputs[idx] = Value::Object(original);
            }
        }
    }

    // `{...base, inputs, vars}`: every stored field in place, without copying the old inputs.
    let mut result = base_fields(base, Some(inputs));
    let global = global_vars_from(prepared.global_defaults(), base.stored.get("vars"));
    set_or_remove(&mut result, "vars", global.as_ref());
    let mut result = Value::Object(result);

    let validation = validate_prepared(&result, prepared.validation(), &ValidateOptions::default());
    if validation_has_errors(&validation) {
        let errs = error_list(&validation);
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
    }
    Ok(result)
}

/// The base's fields in order (omitted keys dropped, `package` replaced), with `inputs` set to
/// `inputs` when given.
fn base_fields(base: &BasePolicy<'_>, inputs: Option<Vec<Value>>) -> Map<String, Value> {
    let mut out = Map::with_capacity(base.stored.len() + 1);
    let mut inputs = inputs;
    for (k, v) in base.stored {
        if base.omit.contains(&k.as_str()) {
            continue;
        }
        let value = match k.as_str() {
            "inputs" if inputs.is_some() => Value::Array(inputs.take().unwrap_or_default()),
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
            set_or_remove(im, "enabled", old.get("enabled"));
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
                set_or_remove(sm, "enabled", os.get("enabled"));
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
