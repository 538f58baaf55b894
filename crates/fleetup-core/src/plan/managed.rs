//! Kibana's automatic policy upgrades as pure plans (`spec/fleet-upgrade.md` §5.3–§5.5):
//! the Fleet setup step that schedules managed upgrades (with the deprecation review gate), the
//! task that upgrades a package's outdated policies, and agentless auto-upgrade.
//!
//! Nothing here touches a cluster. Each function takes what Kibana's services would read
//! (installations, package policies, registry versions, changelogs, and either dry-run results
//! supplied by the caller or PackageInfo documents to compute dry runs with the real engine) and
//! returns Kibana's result plus the actions Kibana would take, in order.

use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use super::eligibility::{
    collect_deprecations, deprecation_details, new_deprecations, AUTO_UPDATE_PACKAGES,
};
use crate::error::{Error, ErrorKind, Result};
use crate::package::versions::{choose_target, has_breaking_changes, PrereleaseRule, TargetQuery};
use crate::policy::dry_run::upgrade_dry_run;
use crate::version::{self, Options};

/// Saved-object type of installations.
pub const PACKAGES_SAVED_OBJECT_TYPE: &str = "epm-packages";
/// Task type the setup step schedules.
pub const UPGRADE_TASK_TYPE: &str = "fleet:setup:upgrade_managed_package_policies";

const OPTS: Options = Options {
    loose: false,
    include_prerelease: false,
};

/// node-semver's `compare`, with the message of the `TypeError` Kibana would throw.
fn cmp(a: &str, b: &str) -> Result<Ordering> {
    version::compare(a, b, OPTS).map_err(|_| {
        let bad = if version::valid(a, OPTS).is_none() {
            a
        } else {
            b
        };
        Error::new(ErrorKind::InvalidVersion, format!("Invalid Version: {bad}"))
    })
}

fn lt(a: &str, b: &str) -> Result<bool> {
    Ok(cmp(a, b)? == Ordering::Less)
}

fn gt(a: &str, b: &str) -> Result<bool> {
    Ok(cmp(a, b)? == Ordering::Greater)
}

fn major(v: &str) -> Result<u64> {
    version::parse(v, OPTS)
        .map(|p| p.major)
        .ok_or_else(|| Error::new(ErrorKind::InvalidVersion, format!("Invalid Version: {v}")))
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn policy_id(p: &Value) -> &str {
    s(p, "id").unwrap_or("")
}

/// `policy.package.version`, when the policy names a package (`undefined` otherwise).
fn policy_version(p: &Value) -> Option<&str> {
    p.get("package")
        .filter(|p| p.is_object())
        .map(|pkg| s(pkg, "version").unwrap_or(""))
}

/// Kibana's `shouldUpgradePolicies(packageInfo, installedPackage)` (older Fleet): the policy's
/// package version is below the installed one and `keepPoliciesUpToDate` is on.
///
/// # Errors
/// `INVALID_VERSION` where node-semver would throw.
pub fn should_upgrade_policies(
    policy_version: &str,
    installed_version: &str,
    keep_policies_up_to_date: bool,
) -> Result<bool> {
    let behind = lt(policy_version, installed_version)?;
    Ok(behind && keep_policies_up_to_date)
}

// ------------------------------------------------------------------ inputs

/// An installation as either the saved object `{id, attributes}` or its attributes alone.
#[derive(Debug, Clone, Copy)]
pub struct InstallationDoc<'a> {
    /// The saved-object id (Kibana uses the package name).
    pub so_id: &'a str,
    /// The attributes.
    pub attrs: &'a Value,
}

impl<'a> InstallationDoc<'a> {
    /// Reads either shape; `fallback_name` names the package when the attributes do not.
    pub fn new(doc: &'a Value, fallback_name: &'a str) -> Self {
        match doc.get("attributes").filter(|a| a.is_object()) {
            Some(attrs) => InstallationDoc {
                so_id: s(doc, "id")
                    .or_else(|| s(attrs, "name"))
                    .unwrap_or(fallback_name),
                attrs,
            },
            None => InstallationDoc {
                so_id: s(doc, "id")
                    .or_else(|| s(doc, "name"))
                    .unwrap_or(fallback_name),
                attrs: doc,
            },
        }
    }

    /// The package name.
    pub fn name(&self) -> &'a str {
        s(self.attrs, "name").unwrap_or("")
    }

    /// The installed version.
    pub fn version(&self) -> &'a str {
        s(self.attrs, "version").unwrap_or("")
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.attrs.get(key)
    }
}

/// Where dry-run results come from.
#[derive(Debug, Clone, Copy, Default)]
pub struct DryRunSource<'a> {
    /// Caller-supplied results by package policy id.
    pub by_id: Option<&'a Map<String, Value>>,
    /// One caller-supplied result for every policy.
    pub all: Option<&'a Value>,
    /// PackageInfo documents (any versions); the one at the target version runs the real engine.
    pub package_infos: &'a [Value],
}

impl DryRunSource<'_> {
    /// The dry-run item for upgrading `policy` to `target` (`getUpgradeDryRunDiff`). Engine
    /// errors become `{hasErrors: true, body: {message}}`, as Kibana's dry run reports them.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when no source covers this policy.
    pub fn run(&self, policy: &Value, name: &str, target: &str) -> Result<Value> {
        let id = policy_id(policy);
        if let Some(r) = self.by_id.and_then(|m| m.get(id)) {
            return Ok(r.clone());
        }
        if let Some(r) = self.all {
            return Ok(r.clone());
        }
        match find_info(self.package_infos, name, target) {
            Some(info) => Ok(match upgrade_dry_run(policy, info, None) {
                Ok(item) => item,
                Err(e) => json!({"hasErrors": true, "body": {"message": e.message()}}),
            }),
            None => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "no dry-run result for package policy {id:?}: give `dry_run_results`, `dry_run_result` or a `package_infos` entry for {name} {target}"
                ),
            )
            .at("/dry_run_results")),
        }
    }
}

/// The PackageInfo for `name` at `version` among `infos` (a document without a name matches any).
pub fn find_info<'a>(infos: &'a [Value], name: &str, version: &str) -> Option<&'a Value> {
    infos.iter().find(|i| {
        s(i, "version") == Some(version) && s(i, "name").is_none_or(|n| n.is_empty() || n == name)
    })
}

/// How the deprecation check (`hasNewDeprecations`) is answered.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeprecationSource<'a> {
    /// A fixed answer (what a mocked check returns).
    pub fixed: Option<bool>,
    /// PackageInfo documents to compare.
    pub package_infos: &'a [Value],
}

impl DeprecationSource<'_> {
    /// `Some(new keys)`, or `None` when a PackageInfo is missing (Kibana's `getPackageInfo`
    /// would fail). A fixed `true` answers `["(given)"]`.
    fn check(&self, name: &str, from: &str, to: &str) -> Option<Vec<String>> {
        if let Some(b) = self.fixed {
            return Some(if b {
                vec!["(given)".into()]
            } else {
                Vec::new()
            });
        }
        let cur = find_info(self.package_infos, name, from)?;
        let tgt = find_info(self.package_infos, name, to)?;
        Some(new_deprecations(
            &collect_deprecations(cur),
            &collect_deprecations(tgt),
        ))
    }
}

// ------------------------------------------------------------------ managed upgrades (§5.3)

/// What [`upgrade_managed_package_policies`] and [`setup_upgrade_managed_package_policies`]
/// report.
#[derive(Debug, Default)]
pub struct ManagedPlan {
    /// Kibana's `UpgradeManagedPackagePoliciesResult[]`.
    pub results: Vec<Value>,
    /// Every service call, in order.
    pub actions: Vec<Value>,
    /// Saved-object updates of installations (`{type, id, attributes}`).
    pub installation_updates: Vec<Value>,
    /// Tasks scheduled (`ensureScheduled` arguments).
    pub scheduled: Vec<Value>,
}

impl ManagedPlan {
    /// Records the saved-object update of an installation's `pending_upgrade_review`.
    fn update_review(&mut self, so_id: &str, review: Value) {
        let update = json!({
            "type": PACKAGES_SAVED_OBJECT_TYPE,
            "id": so_id,
            "attributes": {"pending_upgrade_review": review},
        });
        self.actions
            .push(json!({"action": "update_installation", "update": update}));
        self.installation_updates.push(update);
    }

    /// As JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "results": self.results,
            "actions": self.actions,
            "installation_updates": self.installation_updates,
            "scheduled": self.scheduled,
        })
    }
}

/// Options of the upgrade task body.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskInputs<'a> {
    /// Dry-run results or PackageInfo documents.
    pub dry_run: DryRunSource<'a>,
    /// Errors the `upgrade` call throws, by package policy id (default: it succeeds).
    pub upgrade_errors: Option<&'a Map<String, Value>>,
}

/// Kibana's `upgradeManagedPackagePolicies(pkgName)` task body: for every policy of the package
/// on an older version, dry run; on conflicts record the errors and skip, else upgrade with
/// `{force: true}`; when any policy was processed, clear a pending upgrade review.
///
/// `policies` is what Fleet's policy finder yields (the package's policies); policies on the
/// installed version are left out, as its query does.
///
/// # Errors
/// `INVALID_VERSION` where node-semver throws (the task fails); `INVALID_ARGUMENT` when no
/// dry-run source covers a policy.
pub fn upgrade_managed_package_policies(
    pkg_name: &str,
    installation: Option<InstallationDoc<'_>>,
    policies: &[Value],
    inputs: &TaskInputs<'_>,
    plan: &mut ManagedPlan,
) -> Result<()> {
    plan.actions
        .push(json!({"action": "get_installation", "pkgName": pkg_name}));
    let Some(inst) = installation else {
        return Ok(());
    };
    let target = inst.version();
    let name = if inst.name().is_empty() {
        pkg_name
    } else {
        inst.name()
    };
    let mut processed = 0usize;
    for policy in policies {
        let Some(pv) = policy_version(policy) else {
            continue;
        };
        if pv == target || !lt(pv, target)? {
            continue;
        }
        let id = policy_id(policy);
        plan.actions.push(json!({
            "action": "dry_run", "packagePolicyId": id, "pkgVersion": target,
        }));
        let dry = inputs.dry_run.run(policy, name, target)?;
        let diff = dry.get("diff").cloned();
        let mut result = Map::new();
        result.insert("packagePolicyId".into(), Value::from(id));
        if let Some(d) = diff.clone() {
            result.insert("diff".into(), d);
        }
        if crate::policy::js::truthy(dry.get("hasErrors")) {
            // `dry.diff ? dry.diff[1].errors : [dry.body?.message]`
            let errors = match &diff {
                Some(d) if crate::policy::js::truthy(Some(d)) => {
                    d.get(1).and_then(|p| p.get("errors")).cloned()
                }
                _ => Some(Value::Array(vec![dry
                    .get("body")
                    .and_then(|b| b.get("message"))
                    .cloned()
                    .unwrap_or(Value::Null)])),
            };
            if let Some(e) = errors {
                result.insert("errors".into(), e);
            }
        } else {
            plan.actions.push(json!({
                "action": "upgrade",
                "packagePolicyId": id,
                "options": {"force": true},
                "packagePolicy": policy,
                "pkgVersion": target,
            }));
            let error = inputs.upgrade_errors.and_then(|m| m.get(id));
            let errors = error.map_or_else(Vec::new, |e| vec![e.clone()]);
            result.insert("errors".into(), Value::Array(errors));
        }
        plan.results.push(Value::Object(result));
        processed += 1;
    }
    // Kibana counts every processed policy, conflicting ones included.
    if processed > 0 && crate::policy::js::truthy(inst.get("pending_upgrade_review")) {
        plan.update_review(inst.so_id, Value::Null);
    }
    Ok(())
}

/// Options of the setup step.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetupInputs<'a> {
    /// The deprecation check.
    pub deprecations: DeprecationSource<'a>,
    /// `created_at` of a written review (ISO 8601).
    pub now: &'a str,
    /// Also run the scheduled task bodies (a preview of what setup leads to).
    pub run_tasks: Option<TaskInputs<'a>>,
}

/// Kibana's `setupUpgradeManagedPackagePolicies`: for every installed package with
/// `keep_policies_up_to_date`, find a policy on an older version; unless the package is
/// stack-aligned, apply the user-review gate (`checkUserReview`, which may write
/// `pending_upgrade_review`); then schedule the upgrade task.
///
/// # Errors
/// `INVALID_VERSION` where node-semver throws.
pub fn setup_upgrade_managed_package_policies(
    installations: &[Value],
    policies: &[Value],
    inputs: &SetupInputs<'_>,
    plan: &mut ManagedPlan,
) -> Result<()> {
    for doc in installations {
        let inst = InstallationDoc::new(doc, "");
        // The `getInstallations` filter.
        if s(inst.attrs, "install_status") != Some("installed")
            || inst.get("keep_policies_up_to_date") != Some(&Value::Bool(true))
        {
            continue;
        }
        let (name, target) = (inst.name(), inst.version());
        let mut old_version: Option<&str> = None;
        let mut found = false;
        for p in policies {
            let pkg_name = p.get("package").and_then(|x| s(x, "name"));
            if pkg_name.is_some_and(|n| n != name) {
                continue;
            }
            let Some(pv) = policy_version(p) else {
                continue;
            };
            if pv != target && lt(pv, target)? {
                found = true;
                old_version = Some(pv).filter(|v| !v.is_empty());
                break;
            }
        }
        if !found {
            continue;
        }
        if !AUTO_UPDATE_PACKAGES.contains(&name)
            && !check_user_review(&inst, old_version, inputs, plan)
        {
            continue;
        }
        let task = json!({
            "id": format!("{UPGRADE_TASK_TYPE}:{name}"),
            "scope": ["fleet"],
            "params": {"packageName": name},
            "taskType": UPGRADE_TASK_TYPE,
            "runAt": "now + 3s",
            "state": {},
        });
        plan.actions
            .push(json!({"action": "schedule_task", "task": task}));
        plan.scheduled.push(task);
        if let Some(task_inputs) = &inputs.run_tasks {
            let own: Vec<Value> = policies
                .iter()
                .filter(|p| {
                    p.get("package")
                        .and_then(|x| s(x, "name"))
                        .is_none_or(|n| n == name)
                })
                .cloned()
                .collect();
            upgrade_managed_package_policies(name, Some(inst), &own, task_inputs, plan)?;
        }
    }
    Ok(())
}

/// Kibana's `checkUserReview`: whether the upgrade may proceed.
fn check_user_review(
    inst: &InstallationDoc<'_>,
    old_version: Option<&str>,
    inputs: &SetupInputs<'_>,
    plan: &mut ManagedPlan,
) -> bool {
    let target = inst.version();
    if let Some(review) = inst
        .get("pending_upgrade_review")
        .filter(|r| s(r, "target_version") == Some(target))
    {
        let ok = s(review, "action") == Some("accepted");
        plan.actions.push(json!({
            "action": "check_user_review",
            "package": inst.name(),
            "review_action": review.get("action").cloned().unwrap_or(Value::Null),
            "proceed": ok,
        }));
        return ok;
    }
    let Some(from) = old_version else {
        return true;
    };
    let name = inst.name();
    let Some(new) = inputs.deprecations.check(name, from, target) else {
        // Kibana logs the failed lookup and proceeds.
        plan.actions.push(json!({
            "action": "has_new_deprecations",
            "package": name, "from": from, "to": target,
            "result": null,
            "warning": format!("Failed to check deprecations for {name}, proceeding with upgrade: package info for {from} or {target} not given"),
        }));
        return true;
    };
    plan.actions.push(json!({
        "action": "has_new_deprecations",
        "package": name, "from": from, "to": target,
        "result": !new.is_empty(), "new": new,
    }));
    if new.is_empty() {
        return true;
    }
    let mut review = Map::new();
    review.insert("target_version".into(), Value::from(target));
    review.insert("reason".into(), Value::from("deprecated"));
    review.insert("created_at".into(), Value::from(inputs.now));
    if let Some(d) =
        find_info(inputs.deprecations.package_infos, name, target).and_then(deprecation_details)
    {
        review.insert("deprecation_details".into(), d);
    }
    plan.update_review(inst.so_id, Value::Object(review));
    false
}

// ------------------------------------------------------------------ agentless (§5.5)

/// Inputs of [`agentless_auto_upgrade`] for one package.
#[derive(Debug, Clone, Copy, Default)]
pub struct AgentlessInputs<'a> {
    /// The installation (`None`: not installed).
    pub installation: Option<InstallationDoc<'a>>,
    /// The package's policies in all spaces.
    pub policies: &'a [Value],
    /// What the registry's `fetchList({package, all: true, prerelease: false})` returns.
    pub registry_versions: &'a [Value],
    /// The target's `changelog.yml` from the registry (parsed); `None`: unavailable.
    pub registry_changelog: Option<&'a Value>,
    /// The installed package's stored `changelog.yml` (parsed); `None`: unavailable.
    pub stored_changelog: Option<&'a Value>,
    /// Dry runs.
    pub dry_run: DryRunSource<'a>,
    /// The deprecation check.
    pub deprecations: DeprecationSource<'a>,
    /// The error message `installPackage` returns, if it fails.
    pub install_error: Option<&'a str>,
    /// Ids `bulkUpgrade` reports as failed.
    pub failed_upgrades: &'a [String],
}

/// Kibana's `autoUpgradePackage` for one configured package: `{name, status, reason?,
/// installedVersion?, targetVersion?, packagePolicyIds?}`, appending its actions.
pub fn agentless_auto_upgrade(
    name: &str,
    version_range: &str,
    dry_run: bool,
    inputs: &AgentlessInputs<'_>,
    actions: &mut Vec<Value>,
) -> Value {
    // Kibana turns a thrown error into `failed` with the error's message.
    auto_upgrade_package(name, version_range, dry_run, inputs, actions)
        .unwrap_or_else(|e| json!({"name": name, "status": "failed", "reason": e.message()}))
}

fn skipped(name: &str, reason: impl Into<String>, extra: Option<&Map<String, Value>>) -> Value {
    let mut out = extra.cloned().unwrap_or_default();
    out.insert("name".into(), Value::from(name));
    out.insert("status".into(), Value::from("skipped"));
    out.insert("reason".into(), Value::from(reason.into()));
    Value::Object(out)
}

fn with_status(base: &Map<String, Value>, status: &str, reason: Option<String>) -> Value {
    let mut out = base.clone();
    out.insert("status".into(), Value::from(status));
    if let Some(r) = reason {
        out.insert("reason".into(), Value::from(r));
    }
    Value::Object(out)
}

/// Kibana's `pickRegistryTarget(installed, versions, range)`: the newest valid GA version above
/// the installed one, in its major, satisfying `range`.
///
/// # Errors
/// `INVALID_VERSION` when `installed` is not valid.
pub fn pick_registry_target(
    installed: &str,
    versions: &[Value],
    range: &str,
) -> Result<Option<String>> {
    major(installed)?;
    let list: Vec<Value> = versions
        .iter()
        .filter_map(|v| match v {
            Value::String(_) => Some(v.clone()),
            other => other.get("version").filter(|x| x.is_string()).cloned(),
        })
        .collect();
    let q = TargetQuery {
        installed: Some(installed),
        same_major: true,
        range: Some(range),
        prerelease: false,
        prerelease_rule: PrereleaseRule::Semver,
        ..TargetQuery::default()
    };
    Ok(choose_target(&list, &q)?.version)
}

fn auto_upgrade_package(
    name: &str,
    range: &str,
    dry_run: bool,
    inputs: &AgentlessInputs<'_>,
    actions: &mut Vec<Value>,
) -> Result<Value> {
    actions.push(json!({"action": "get_installation", "pkgName": name}));
    let Some(inst) = inputs
        .installation
        .filter(|i| s(i.attrs, "install_status") == Some("installed"))
    else {
        return Ok(skipped(name, "package is not installed", None));
    };
    let installed = inst.version();
    let mut extra = Map::new();
    extra.insert("installedVersion".into(), Value::from(installed));
    let agentless: Vec<&Value> = inputs
        .policies
        .iter()
        .filter(|p| p.get("supports_agentless") == Some(&Value::Bool(true)))
        .collect();
    if agentless.is_empty() {
        return Ok(skipped(name, "no agentless package policies", Some(&extra)));
    }
    if agentless.len() != inputs.policies.len() {
        return Ok(skipped(
            name,
            "package is also used by non-agentless package policies",
            Some(&extra),
        ));
    }
    let target = if s(inst.attrs, "install_source") != Some("registry") {
        installed.to_string()
    } else {
        actions.push(json!({
            "action": "registry_fetch_list",
            "query": {"package": name, "all": true, "prerelease": false},
        }));
        pick_registry_target(installed, inputs.registry_versions, range)?
            .unwrap_or_else(|| installed.to_string())
    };
    if !version::satisfies(&target, range, OPTS) {
        return Ok(skipped(
            name,
            format!("version {target} is outside range {range}"),
            Some(&extra),
        ));
    }
    let mut outdated: Vec<(&Value, &str)> = Vec::new();
    for p in &agentless {
        if let Some(pv) = policy_version(p) {
            if lt(pv, &target)? {
                outdated.push((p, pv));
            }
        }
    }
    let needs_install = gt(&target, installed)?;
    let mut base = Map::new();
    base.insert("name".into(), Value::from(name));
    base.insert("installedVersion".into(), Value::from(installed));
    base.insert("targetVersion".into(), Value::from(target.as_str()));
    base.insert(
        "packagePolicyIds".into(),
        outdated.iter().map(|(p, _)| policy_id(p)).collect(),
    );
    if !needs_install && outdated.is_empty() {
        return Ok(with_status(&base, "up_to_date", None));
    }
    let target_major = major(&target)?;
    let mut major_change = Vec::new();
    for (p, pv) in &outdated {
        if major(pv)? != target_major {
            major_change.push(policy_id(p));
        }
    }
    if !major_change.is_empty() {
        return Ok(skipped(
            name,
            format!("major version change for {}", major_change.join(", ")),
            Some(&base),
        ));
    }
    // The lowest version anything moves from.
    let mut from: Option<&str> = needs_install.then_some(installed);
    for (_, pv) in &outdated {
        from = match from {
            Some(f) if cmp(pv, f)? != Ordering::Less => Some(f),
            _ => Some(pv),
        };
    }
    let from = from.unwrap_or(installed);
    actions.push(json!({"action": "get_package_info", "pkgName": name, "pkgVersion": from}));
    actions.push(json!({"action": "get_package_info", "pkgName": name, "pkgVersion": target}));
    let new = match inputs.deprecations.check(name, from, &target) {
        Some(new) => new,
        None => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("package info for {name} {from} or {target} not given (`package_infos` or `has_new_deprecations`)"),
            ))
        }
    };
    if !new.is_empty() {
        return Ok(skipped(name, "new deprecations need review", Some(&base)));
    }
    let changelog = if target == installed {
        actions
            .push(json!({"action": "get_asset", "path": format!("{name}-{target}/changelog.yml")}));
        inputs.stored_changelog
    } else {
        actions.push(json!({"action": "registry_get_file", "path": format!("{name}/{target}/changelog.yml")}));
        inputs.registry_changelog
    };
    let Some(changelog) = changelog else {
        return Ok(skipped(name, "changelog unavailable", Some(&base)));
    };
    if has_breaking_changes(changelog, from, &target)? {
        return Ok(skipped(
            name,
            format!("changelog lists a breaking change between {from} and {target}"),
            Some(&base),
        ));
    }
    let mut conflicts = Vec::new();
    for (p, _) in &outdated {
        let id = policy_id(p);
        actions.push(json!({"action": "dry_run", "packagePolicyId": id, "pkgVersion": target}));
        let item = inputs.dry_run.run(p, name, &target)?;
        if crate::policy::js::truthy(item.get("hasErrors")) {
            conflicts.push(id);
        }
    }
    if !conflicts.is_empty() {
        return Ok(skipped(
            name,
            format!("upgrade conflicts in {}", conflicts.join(", ")),
            Some(&base),
        ));
    }
    if dry_run {
        return Ok(with_status(&base, "would_upgrade", None));
    }
    if needs_install {
        let space = s(inst.attrs, "installed_kibana_space_id").unwrap_or("default");
        actions.push(json!({
            "action": "install_package",
            "installSource": "registry",
            "pkgkey": format!("{name}-{target}"),
            "spaceId": space,
            "allowOutdatedVersion": true,
            "automaticInstall": true,
        }));
        if let Some(msg) = inputs.install_error {
            return Ok(with_status(
                &base,
                "failed",
                Some(format!("install failed: {msg}")),
            ));
        }
    }
    // A plan cannot observe policies the install itself upgraded, so every outdated policy is
    // still outdated here.
    let ids: Vec<&str> = outdated.iter().map(|(p, _)| policy_id(p)).collect();
    if !ids.is_empty() {
        actions.push(json!({
            "action": "bulk_upgrade",
            "ids": ids,
            "options": {"force": true},
            "pkgVersion": target,
        }));
    }
    // lodash `uniq`, in first-seen order; the set keeps it linear for many policies.
    let mut agent_policy_ids: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (p, _) in &outdated {
        for id in p
            .get("policy_ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if seen.insert(id) {
                agent_policy_ids.push(id);
            }
        }
    }
    if !agent_policy_ids.is_empty() {
        actions.push(json!({"action": "refresh_agentless_agent_policies", "agentPolicyIds": agent_policy_ids}));
    }
    let failed: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| inputs.failed_upgrades.iter().any(|f| f == id))
        .collect();
    if !failed.is_empty() {
        return Ok(with_status(
            &base,
            "failed",
            Some(format!("failed to upgrade {}", failed.join(", "))),
        ));
    }
    Ok(with_status(&base, "upgraded", None))
}

/// The current UTC time as ISO 8601 with milliseconds (JavaScript's `toISOString`).
///
/// # Errors
/// `INVALID_ARGUMENT` in WebAssembly without WASI, which has no clock (`SystemTime::now` would
/// abort the module): callers there pass `now` explicitly.
pub fn now_iso() -> crate::error::Result<String> {
    if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::InvalidArgument,
            "`now` is required here: this build (WebAssembly) has no clock",
        )
        .at("/now"));
    }
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, day) = civil_from_days(days as i64);
    Ok(format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        d.subsec_millis()
    ))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn pick_target_rules() {
        let v = |xs: &[&str]| xs.iter().map(|x| Value::from(*x)).collect::<Vec<_>>();
        let pick = |i, xs: &[&str], r| pick_registry_target(i, &v(xs), r).unwrap();
        assert_eq!(
            pick(
                "3.4.0",
                &["3.4.0", "3.4.1", "3.5.0", "3.6.0", "4.0.0"],
                ">=3.4.0 <3.6.0"
            ),
            Some("3.5.0".to_string())
        );
        assert_eq!(pick("3.4.0", &["4.0.0", "4.1.0"], ">=3.0.0"), None);
        assert_eq!(pick("3.4.0", &["3.3.0", "3.5.0-preview1"], "^3.0.0"), None);
        assert!(pick_registry_target("x", &[], "*").is_err());
    }

    #[test]
    fn should_upgrade() {
        assert!(should_upgrade_policies("1.0.0", "1.1.0", true).unwrap());
        assert!(!should_upgrade_policies("1.1.0", "1.1.0", true).unwrap());
        assert!(!should_upgrade_policies("1.0.0", "1.1.0", false).unwrap());
        assert!(should_upgrade_policies("", "1.1.0", true).is_err());
    }
}
