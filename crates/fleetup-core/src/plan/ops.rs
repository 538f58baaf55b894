//! Plan operations of the JSON contract (`plan.*`). Documented in `docs/API.md`.

use serde_json::{json, Value};

use super::changes::{field_changes, summarize, ChangeOptions};
use super::eligibility::{
    collect_deprecations, deprecation_details, keep_policies_up_to_date, new_deprecations, Mode,
};
use super::policy_plan::{policies_of, FleetSummary, Installation, PlanContext, PlanOptions};
use crate::args::Args;
use crate::dispatch::Op;
use crate::error::{Error, ErrorKind, Result};

/// This module's operations.
pub const OPS: &[Op] = &[
    Op {
        name: "plan.changes",
        summary: "Field-level change list between a current and a proposed policy.",
        run: changes,
    },
    Op {
        name: "plan.policy",
        summary: "Dry run, change list and auto-upgrade decision for one policy.",
        run: policy,
    },
    Op {
        name: "plan.fleet",
        summary: "Plan many policies against one target package: per-policy decisions and totals.",
        run: fleet,
    },
    Op {
        name: "plan.resolve",
        summary: "Apply edits to a proposed upgrade, re-validate, return the policy and remaining conflicts.",
        run: resolve,
    },
    Op {
        name: "plan.keep_policies_up_to_date",
        summary: "A package's keep_policies_up_to_date setting: value, default, who may change it.",
        run: keep_up_to_date,
    },
    Op {
        name: "plan.deprecations",
        summary: "Deprecations a target version adds over the current one (Kibana's upgrade gate).",
        run: deprecations,
    },
];

fn changes(a: &Args<'_>) -> Result<Value> {
    let current = a.value("current")?;
    let proposed = a.value("proposed")?;
    let target = a.value("package_info")?;
    let previous = a.get("previous_package_info").filter(|v| !v.is_null());
    let options = ChangeOptions {
        include_unchanged: a.opt_bool("include_unchanged")?.unwrap_or(false),
    };
    let list = field_changes(current, proposed, target, previous, options);
    Ok(json!({"summary": summarize(&list), "changes": list}))
}

/// Builds a context from the common plan arguments.
fn context(a: &Args<'_>) -> Result<PlanContext> {
    let target = a.value("package_info")?;
    let mut ctx = PlanContext::new(target.clone()).map_err(|e| e.under("/package_info"))?;
    if let Some(prev) = a.get("previous_package_info").filter(|v| !v.is_null()) {
        ctx.add_previous(prev.clone());
    }
    if let Some(list) = a.get("previous_package_infos").filter(|v| !v.is_null()) {
        let Value::Array(list) = list else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "`previous_package_infos` must be an array",
            )
            .at("/previous_package_infos"));
        };
        for info in list {
            ctx.add_previous(info.clone());
        }
    }
    if let Some(changelog) = a.get("changelog").filter(|v| !v.is_null()) {
        ctx.set_changelog(changelog);
    }
    if let Some(inst) = a.get("installation").filter(|v| !v.is_null()) {
        ctx.set_installation(installation(inst, ctx.target_version())?);
    }
    if let Some(mode) = a.opt_str("mode")? {
        let mode = Mode::parse(mode).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown mode {mode:?}: use setup, install or agentless"),
            )
            .at("/mode")
        })?;
        ctx.set_mode(mode);
    }
    ctx.set_options(PlanOptions {
        include_unchanged: a.opt_bool("include_unchanged")?.unwrap_or(false),
        include_proposed: a.opt_bool("include_proposed")?.unwrap_or(false),
    });
    Ok(ctx)
}

/// Reads an Installation saved object (`epm-packages` attributes, or the object with `attributes`).
pub fn installation(doc: &Value, target_version: &str) -> Result<Installation> {
    let attrs = doc.get("attributes").unwrap_or(doc);
    if !attrs.is_object() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "`installation` must be an object",
        )
        .at("/installation"));
    }
    let keep = attrs
        .get("keep_policies_up_to_date")
        .and_then(Value::as_bool);
    let review = attrs
        .get("pending_upgrade_review")
        .filter(|r| r.get("target_version").and_then(Value::as_str) == Some(target_version));
    Ok(Installation {
        keep_policies_up_to_date: keep,
        review_action: review
            .and_then(|r| r.get("action"))
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn policy(a: &Args<'_>) -> Result<Value> {
    let ctx = context(a)?;
    let plan = ctx.plan(a.value("package_policy")?);
    serde_json::to_value(plan).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
}

fn fleet(a: &Args<'_>) -> Result<Value> {
    let ctx = context(a)?;
    let doc = a.value("policies")?;
    let mut summary = FleetSummary::default();
    let mut plans = Vec::new();
    for p in policies_of(doc) {
        let plan = ctx.plan(p);
        summary.add(&plan);
        plans.push(plan);
    }
    Ok(json!({
        "package": {"name": ctx.target_name(), "version": ctx.target_version()},
        "summary": summary,
        "policies": plans,
    }))
}

fn keep_up_to_date(a: &Args<'_>) -> Result<Value> {
    let name = a.str("package")?;
    let stored = match a.get("installation").filter(|v| !v.is_null()) {
        Some(inst) => inst
            .get("attributes")
            .unwrap_or(inst)
            .get("keep_policies_up_to_date")
            .and_then(Value::as_bool),
        None => None,
    };
    serde_json::to_value(keep_policies_up_to_date(name, stored))
        .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
}

fn deprecations(a: &Args<'_>) -> Result<Value> {
    let current = collect_deprecations(a.value("current_package_info")?);
    let target_info = a.value("package_info")?;
    let target = collect_deprecations(target_info);
    let new = new_deprecations(&current, &target);
    Ok(json!({
        "has_new_deprecations": !new.is_empty(),
        "new": new,
        "details": deprecation_details(target_info),
    }))
}

fn resolve(a: &Args<'_>) -> Result<Value> {
    let current = a.value("package_policy")?;
    let target = a.value("package_info")?;
    let previous = a.get("previous_package_info").filter(|v| !v.is_null());
    let edits: Vec<super::resolve::Edit> = match a.get("edits") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            Error::new(ErrorKind::InvalidArgument, format!("invalid `edits`: {e}")).at("/edits")
        })?,
    };
    let r = super::resolve::resolve(current, target, previous, &edits)?;
    let conflicts: Vec<_> = r.conflicts().cloned().collect();
    Ok(json!({
        "package_policy": r.policy,
        "has_errors": !r.errors.is_empty(),
        "errors": r.errors,
        "conflicts": conflicts,
        "summary": summarize(&r.changes),
        "changes": r.changes,
    }))
}
