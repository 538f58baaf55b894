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
    Op {
        name: "fleet.should_upgrade_policies",
        summary: "Kibana's shouldUpgradePolicies: policy version below the installed one and keepPoliciesUpToDate on.",
        run: should_upgrade_policies,
    },
    Op {
        name: "plan.managed_upgrades",
        summary: "What Fleet setup and its managed-policy upgrade task would do: results, actions, installation updates.",
        run: managed_upgrades,
    },
    Op {
        name: "plan.agentless_auto_upgrade",
        summary: "What Kibana's agentless auto-upgrade would do per package: status, reason and actions.",
        run: agentless_auto_upgrade,
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
    agent_templates(a, &mut ctx)?;
    Ok(ctx)
}

/// `agent_templates` (the target's) and `previous_agent_templates` (`{"<version>": templates}`,
/// for versions given in `previous_package_info(s)`): each plan then carries
/// `agent_configuration`.
fn agent_templates(a: &Args<'_>, ctx: &mut PlanContext) -> Result<()> {
    let Some(target) = crate::agent::templates_arg(a, "agent_templates")? else {
        return Ok(());
    };
    #[cfg(feature = "agent-templates")]
    {
        ctx.set_agent_templates(target.clone());
        let previous: Vec<&Value> = a
            .get("previous_package_info")
            .into_iter()
            .chain(
                a.get("previous_package_infos")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .filter(|v| v.is_object())
            .collect();
        if let Some(by_version) = a.get("previous_agent_templates").filter(|v| !v.is_null()) {
            let Value::Object(by_version) = by_version else {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "`previous_agent_templates` must map versions to agent templates",
                )
                .at("/previous_agent_templates"));
            };
            for (version, templates) in by_version {
                let Value::Object(templates) = templates else {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "agent templates must be an object of template texts",
                    )
                    .at(format!("/previous_agent_templates/{version}")));
                };
                if let Some(info) = previous
                    .iter()
                    .find(|p| p.get("version").and_then(Value::as_str) == Some(version))
                {
                    ctx.add_previous_agent_templates((*info).clone(), templates.clone());
                }
            }
        }
    }
    #[cfg(not(feature = "agent-templates"))]
    let _ = (target, ctx);
    Ok(())
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
    if !(doc.is_array() || doc.is_object()) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "`policies` must be a list of policies or a Fleet API response ({item} or {items})",
        )
        .at("/policies"));
    }
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
        Some(v) => super::resolve::Edit::list_from_json(v).map_err(|e| {
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

// ---------------------------------------------------------------- automatic upgrades (managed.rs)

/// An optional argument that must be an object when present.
fn opt_object<'a>(a: &Args<'a>, name: &str) -> Result<Option<&'a serde_json::Map<String, Value>>> {
    match a.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("`{name}` must be an object"),
        )
        .at(crate::args::pointer(name))),
    }
}

/// An optional argument that must be an array when present (absent: empty).
fn opt_array<'a>(a: &Args<'a>, name: &str) -> Result<&'a [Value]> {
    match a.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(v)) => Ok(v),
        Some(_) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("`{name}` must be an array"),
        )
        .at(crate::args::pointer(name))),
    }
}

fn dry_run_source<'a>(a: &Args<'a>) -> Result<super::managed::DryRunSource<'a>> {
    Ok(super::managed::DryRunSource {
        by_id: opt_object(a, "dry_run_results")?,
        all: a.get("dry_run_result").filter(|v| !v.is_null()),
        package_infos: opt_array(a, "package_infos")?,
    })
}

fn deprecation_source<'a>(a: &Args<'a>) -> Result<super::managed::DeprecationSource<'a>> {
    Ok(super::managed::DeprecationSource {
        fixed: a.opt_bool("has_new_deprecations")?,
        package_infos: opt_array(a, "package_infos")?,
    })
}

fn should_upgrade_policies(a: &Args<'_>) -> Result<Value> {
    let info = a.value("package_info")?;
    let installed = a.value("installed_package")?;
    let version_of = |v: &Value, arg: &str| -> Result<String> {
        v.get("version")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("`{arg}.version` must be a string"),
                )
                .at(format!("/{arg}/version"))
            })
    };
    let keep = crate::policy::js::truthy(info.get("keepPoliciesUpToDate"));
    let r = super::managed::should_upgrade_policies(
        &version_of(info, "package_info")?,
        &version_of(installed, "installed_package")?,
        keep,
    )?;
    Ok(Value::Bool(r))
}

fn managed_upgrades(a: &Args<'_>) -> Result<Value> {
    use super::managed::{
        now_iso, setup_upgrade_managed_package_policies, upgrade_managed_package_policies,
        InstallationDoc, ManagedPlan, SetupInputs, TaskInputs,
    };
    let policies = opt_array(a, "package_policies")?;
    let task = TaskInputs {
        dry_run: dry_run_source(a)?,
        upgrade_errors: opt_object(a, "upgrade_errors")?,
    };
    let mut plan = ManagedPlan::default();
    if let Some(list) = a.get("installations").filter(|v| !v.is_null()) {
        let Value::Array(list) = list else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "`installations` must be an array",
            )
            .at("/installations"));
        };
        let now = match a.opt_str("now")? {
            Some(n) => n.to_string(),
            None => now_iso()?,
        };
        let inputs = SetupInputs {
            deprecations: deprecation_source(a)?,
            now: &now,
            run_tasks: a.opt_bool("run_tasks")?.unwrap_or(false).then_some(task),
        };
        setup_upgrade_managed_package_policies(list, policies, &inputs, &mut plan)?;
    } else {
        let name = a.opt_str("package")?.unwrap_or("");
        let inst = a
            .get("installation")
            .filter(|v| !v.is_null())
            .map(|doc| {
                if doc.is_object() {
                    Ok(InstallationDoc::new(doc, name))
                } else {
                    Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "`installation` must be an object or null",
                    )
                    .at("/installation"))
                }
            })
            .transpose()?;
        upgrade_managed_package_policies(name, inst, policies, &task, &mut plan)?;
    }
    Ok(plan.to_json())
}

/// A changelog argument: parsed JSON under `name`, or YAML text under `<name>_yaml`.
fn changelog_arg(a: &Args<'_>, name: &str, yaml_name: &str) -> Result<Option<Value>> {
    if let Some(v) = a.get(name).filter(|v| !v.is_null()) {
        return Ok(Some(v.clone()));
    }
    match a.opt_str(yaml_name)? {
        // Kibana treats empty text and an unparseable file as unavailable.
        Some(text) if !text.is_empty() => Ok(crate::yaml::parse(text).ok()),
        _ => Ok(None),
    }
}

fn agentless_auto_upgrade(a: &Args<'_>) -> Result<Value> {
    use super::managed::{agentless_auto_upgrade as run, AgentlessInputs, InstallationDoc};
    let config = a.object("config")?;
    let dry_run = crate::policy::js::truthy(config.get("dryRun"));
    let packages = match config.get("packages") {
        Some(Value::Array(p)) => p,
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "`config.packages` must be an array of {name, versionRange}",
            )
            .at("/config/packages"))
        }
    };
    let installations: Vec<&Value> = match a.get("installations").filter(|v| !v.is_null()) {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "`installations` must be an array",
            )
            .at("/installations"))
        }
        None => a
            .get("installation")
            .filter(|v| v.is_object())
            .into_iter()
            .collect(),
    };
    let registry_changelog = changelog_arg(a, "changelog", "changelog_yaml")?;
    let stored_changelog = changelog_arg(a, "stored_changelog", "stored_changelog_asset")?;
    let failed: Vec<String> = opt_array(a, "bulk_upgrade_results")?
        .iter()
        .filter(|r| r.get("success") == Some(&Value::Bool(false)))
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    let all_policies = opt_array(a, "package_policies")?;
    let registry = opt_array(a, "registry_versions")?;
    let dry_run_from = dry_run_source(a)?;
    let package_infos = opt_array(a, "package_infos")?;
    let deprecations = super::managed::DeprecationSource {
        // Without package infos Kibana's check has nothing new to find.
        fixed: a
            .opt_bool("has_new_deprecations")?
            .or_else(|| package_infos.is_empty().then_some(false)),
        package_infos,
    };
    let install_error = a.opt_str("install_error")?;
    let mut results = Vec::with_capacity(packages.len());
    let mut actions = Vec::new();
    for (i, pkg) in packages.iter().enumerate() {
        let (Some(name), Some(range)) = (
            pkg.get("name").and_then(Value::as_str),
            pkg.get("versionRange").and_then(Value::as_str),
        ) else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "each configured package needs a string `name` and `versionRange`",
            )
            .at(format!("/config/packages/{i}")));
        };
        // Inputs that name a package apply to that package only; unnamed ones apply to all.
        let named = |v: &Value, pointer: &str| {
            v.pointer(pointer)
                .and_then(Value::as_str)
                .is_none_or(|n| n == name)
        };
        let installation = installations
            .iter()
            .map(|d| InstallationDoc::new(d, name))
            .find(|d| d.name().is_empty() || d.name() == name);
        let policies: Vec<Value> = all_policies
            .iter()
            .filter(|p| named(p, "/package/name"))
            .cloned()
            .collect();
        let versions: Vec<Value> = registry
            .iter()
            .filter(|v| named(v, "/name"))
            .cloned()
            .collect();
        let inputs = AgentlessInputs {
            installation,
            policies: &policies,
            registry_versions: &versions,
            registry_changelog: registry_changelog.as_ref(),
            stored_changelog: stored_changelog.as_ref(),
            dry_run: dry_run_from,
            deprecations,
            install_error,
            failed_upgrades: &failed,
        };
        results.push(run(name, range, dry_run, &inputs, &mut actions));
    }
    Ok(json!({"results": results, "actions": actions}))
}
