//! Fleet's simplified package policy format (`?format=simplified`): inputs keyed by
//! `<policy_template>-<input>`, streams keyed by dataset, vars as plain values.

use serde_json::{Map, Value};

use super::defaults::{package_to_package_policy, NewPolicyOptions};
use super::js::truthy;
use super::package::{effective_name, s, DATASET_VAR};
use crate::error::{Error, ErrorKind, Result};

/// `generateInputId`: `<policy_template>-<effective name>`, or the name alone.
pub fn simplified_input_id(input: &Value) -> String {
    let name = effective_name(input).unwrap_or("undefined");
    match s(input, "policy_template").filter(|p| !p.is_empty()) {
        Some(pt) => format!("{pt}-{name}"),
        None => name.to_string(),
    }
}

/// `{name: entry.value}`; the input-package dataset var unwraps `value.dataset`. Entries whose
/// value is absent are left out (JavaScript drops `undefined` from JSON).
fn format_vars(vars: &Value) -> Value {
    let mut out = Map::new();
    if let Value::Object(m) = vars {
        for (k, entry) in m {
            let value = entry.get("value");
            let value = match value.and_then(|v| v.get("dataset")) {
                Some(d) if k == DATASET_VAR && truthy(Some(d)) => Some(d),
                _ => value,
            };
            if let Some(v) = value {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// `packagePolicyToSimplifiedPackagePolicy`: every other field is carried unchanged.
///
/// # Errors
/// `INVALID_POLICY` when the policy is not an object or `inputs` is not an array.
pub fn to_simplified(policy: &Value) -> Result<Value> {
    let Value::Object(pm) = policy else {
        return Err(Error::new(
            ErrorKind::InvalidPolicy,
            "a package policy must be a JSON object",
        ));
    };
    let mut out = pm.clone();
    if let Some(vars) = pm.get("vars").filter(|v| truthy(Some(v))) {
        out.insert("vars".into(), format_vars(vars));
    }
    let inputs = match pm.get("inputs") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => {
            return Err(
                Error::new(ErrorKind::InvalidPolicy, "`inputs` must be an array").at("/inputs"),
            );
        }
    };
    let mut sinputs = Map::new();
    for input in inputs {
        let mut si = Map::new();
        if let Some(e) = input.get("enabled") {
            si.insert("enabled".into(), e.clone());
        }
        if let Some(v) = input.get("vars").filter(|v| truthy(Some(v))) {
            si.insert("vars".into(), format_vars(v));
        }
        let mut streams = Map::new();
        if let Some(Value::Array(list)) = input.get("streams") {
            for st in list {
                let Some(ds) = st.get("data_stream").and_then(|d| d.get("dataset")) else {
                    continue;
                };
                let mut ss = Map::new();
                if let Some(e) = st.get("enabled") {
                    ss.insert("enabled".into(), e.clone());
                }
                if let Some(v) = st.get("vars").filter(|v| truthy(Some(v))) {
                    ss.insert("vars".into(), format_vars(v));
                }
                if let Some(c) = st.get("condition").filter(|c| !c.is_null()) {
                    ss.insert("condition".into(), c.clone());
                }
                streams.insert(super::js::to_js_string(ds), Value::Object(ss));
            }
        }
        si.insert("streams".into(), Value::Object(streams));
        if let Some(c) = input.get("condition").filter(|c| !c.is_null()) {
            si.insert("condition".into(), c.clone());
        }
        sinputs.insert(simplified_input_id(input), Value::Object(si));
    }
    out.insert("inputs".into(), Value::Object(sinputs));
    Ok(Value::Object(out))
}

fn not_found(msg: String, path: String) -> Error {
    Error::new(ErrorKind::PackagePolicyValidation, msg).at(path)
}

/// `assignVariables`: set `.value` of existing entries; unknown names are errors.
fn assign_vars(
    given: Option<&Value>,
    target: Option<&mut Value>,
    ctx: &str,
    path: &str,
) -> Result<()> {
    let Some(Value::Object(given)) = given else {
        return Ok(());
    };
    let mut target = target;
    for (k, v) in given {
        let entry = target
            .as_deref_mut()
            .and_then(Value::as_object_mut)
            .and_then(|m| m.get_mut(k))
            .and_then(Value::as_object_mut);
        match entry {
            Some(e) => {
                e.insert("value".into(), v.clone());
            }
            None => {
                let mut p = String::from(path);
                p.push('/');
                crate::args::push_pointer_token(&mut p, k);
                return Err(not_found(format!("Variable {ctx}:{k} not found"), p));
            }
        }
    }
    Ok(())
}

/// `simplifiedPackagePolicytoNewPackagePolicy`: package defaults, then the given values.
/// An omitted `enabled` means enabled.
///
/// # Errors
/// `PACKAGE_POLICY_VALIDATION` for unknown inputs (`Input not found: …`), streams or vars.
pub fn from_simplified(data: &Value, pkg: &Value) -> Result<Value> {
    let ids: Vec<String> = match data.get("policy_ids") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => data
            .get("policy_id")
            .and_then(Value::as_str)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
    };
    let opts = NewPolicyOptions {
        agent_policy_ids: ids,
        namespace: s(data, "namespace"),
        name: s(data, "name"),
        description: s(data, "description"),
        integration_to_enable: None,
    };
    let mut policy = package_to_package_policy(pkg, &opts);
    let Value::Object(pm) = &mut policy else {
        return Err(Error::new(
            ErrorKind::Internal,
            "package policy is not an object",
        ));
    };
    for key in [
        "output_id",
        "supports_agentless",
        "additional_datastreams_permissions",
        "global_data_tags",
        "var_group_selections",
        "condition",
    ] {
        if let Some(v) = data.get(key) {
            pm.insert(key.into(), v.clone());
        }
    }
    if let Some(pkg_override) = data.get("package").and_then(Value::as_object) {
        if let Some(Value::Object(p)) = pm.get_mut("package") {
            for (k, v) in pkg_override {
                if !p.contains_key(k) {
                    p.insert(k.clone(), v.clone());
                }
            }
        }
    }
    assign_vars(
        data.get("vars"),
        pm.get_mut("vars"),
        "",
        "/simplified_policy/vars",
    )?;
    let Some(Value::Array(inputs)) = pm.get_mut("inputs") else {
        return Ok(policy);
    };
    if let Some(Value::Object(given)) = data.get("inputs") {
        for (input_id, val) in given {
            let mut ipath = String::from("/simplified_policy/inputs/");
            crate::args::push_pointer_token(&mut ipath, input_id);
            let Some(input) = inputs
                .iter_mut()
                .find(|i| simplified_input_id(i) == *input_id)
            else {
                return Err(not_found(format!("Input not found: {input_id}"), ipath));
            };
            let Some(im) = input.as_object_mut() else {
                continue;
            };
            im.insert(
                "enabled".into(),
                Value::Bool(val.get("enabled") != Some(&Value::Bool(false))),
            );
            assign_vars(
                val.get("vars"),
                im.get_mut("vars"),
                input_id,
                &format!("{ipath}/vars"),
            )?;
            if let Some(c) = val.get("condition") {
                im.insert("condition".into(), c.clone());
            }
            if let Some(Value::Object(sgiven)) = val.get("streams") {
                let Some(Value::Array(streams)) = im.get_mut("streams") else {
                    if let Some((sid, _)) = sgiven.iter().next() {
                        return Err(not_found(
                            format!("Stream not found {input_id}: {sid}"),
                            ipath,
                        ));
                    }
                    continue;
                };
                for (sid, sval) in sgiven {
                    let mut spath = format!("{ipath}/streams/");
                    crate::args::push_pointer_token(&mut spath, sid);
                    let Some(stream) = streams.iter_mut().find(|st| {
                        st.get("data_stream")
                            .and_then(|d| d.get("dataset"))
                            .and_then(Value::as_str)
                            == Some(sid)
                    }) else {
                        return Err(not_found(
                            format!("Stream not found {input_id}: {sid}"),
                            spath,
                        ));
                    };
                    let Some(sm) = stream.as_object_mut() else {
                        continue;
                    };
                    sm.insert(
                        "enabled".into(),
                        Value::Bool(sval.get("enabled") != Some(&Value::Bool(false))),
                    );
                    assign_vars(
                        sval.get("vars"),
                        sm.get_mut("vars"),
                        &format!("{input_id} {sid}"),
                        &format!("{spath}/vars"),
                    )?;
                    if let Some(c) = sval.get("condition") {
                        sm.insert("condition".into(), c.clone());
                    }
                    // `syncDataStreamTypeFromVar`.
                    let ty = sm
                        .get("vars")
                        .and_then(|v| v.get("data_stream.type"))
                        .and_then(|e| e.get("value"))
                        .filter(|v| truthy(Some(v)))
                        .cloned();
                    if let (Some(t), Some(Value::Object(ds))) = (ty, sm.get_mut("data_stream")) {
                        ds.insert("type".into(), t);
                    }
                }
            }
        }
    }
    Ok(policy)
}
