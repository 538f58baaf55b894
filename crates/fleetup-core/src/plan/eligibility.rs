//! Auto-upgrade eligibility: which packages keep their policies up to date, and what Kibana would
//! do with one outdated policy (`spec/fleet-upgrade.md` §5, §6).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::index::str_field;

/// Packages Fleet installs and updates to `latest` during setup ("stack-aligned"; exempt from the
/// deprecation gate).
pub const AUTO_UPDATE_PACKAGES: &[&str] = &[
    "endpoint",
    "apm",
    "synthetics",
    "cloud_security_posture",
    "cloud_asset_inventory",
];

/// Packages whose policies are always kept up to date; users cannot opt out.
pub const AUTO_UPGRADE_POLICIES_PACKAGES: &[&str] = &[
    "apm",
    "synthetics",
    "cloud_security_posture",
    "cloud_asset_inventory",
];

/// Fleet's own packages.
pub const FLEET_PACKAGES: &[&str] = &["system", "elastic_agent", "fleet_server"];

/// Packages whose settings page shows the "Keep integration policies up to date automatically"
/// switch (the union of the three lists above, in Kibana's order).
pub fn keep_policies_up_to_date_packages() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in AUTO_UPGRADE_POLICIES_PACKAGES
        .iter()
        .chain(FLEET_PACKAGES)
        .chain(AUTO_UPDATE_PACKAGES)
    {
        if !out.contains(name) {
            out.push(name);
        }
    }
    out
}

/// The `keep_policies_up_to_date` setting of a package as Kibana presents it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeepUpToDate {
    /// The effective value (`installation.keep_policies_up_to_date ?? false`, or the default).
    pub value: bool,
    /// What a new installation gets: `true` for the always-upgraded packages, else unset (= false).
    pub default: bool,
    /// Whether the settings page shows the switch.
    pub switch_shown: bool,
    /// Whether users may change it in the UI (shown and not locked on).
    pub user_configurable: bool,
    /// One sentence saying why.
    pub reason: String,
}

/// The `keep_policies_up_to_date` setting for package `name`, given the installation's stored
/// value when there is one.
pub fn keep_policies_up_to_date(name: &str, stored: Option<bool>) -> KeepUpToDate {
    let locked = AUTO_UPGRADE_POLICIES_PACKAGES.contains(&name);
    let shown = keep_policies_up_to_date_packages().contains(&name);
    let default = locked;
    let value = stored.unwrap_or(default);
    let reason = if locked {
        format!("{name} policies are always kept up to date by Fleet; the switch is shown but cannot be turned off.")
    } else if shown {
        format!("{name} shows the \"Keep integration policies up to date automatically\" switch; it is off unless a user with integration settings privileges turns it on.")
    } else {
        format!("{name} has no switch in the UI; only the packages API (keepPoliciesUpToDate) can turn automatic policy upgrades on.")
    };
    KeepUpToDate {
        value,
        default,
        switch_shown: shown,
        user_configurable: shown && !locked,
        reason,
    }
}

/// The deprecations a package declares, keyed the way Kibana's `collectDeprecations` keys them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Deprecations {
    /// Whether the package itself is deprecated.
    pub package: bool,
    /// `<policy_template>` keys.
    pub policy_templates: BTreeSet<String>,
    /// `<policy_template>/<input type>` keys.
    pub inputs: BTreeSet<String>,
    /// `<dataset>/<stream input>` keys.
    pub streams: BTreeSet<String>,
    /// `pkg/<var>`, `<pt>/<input>/<var>`, `<pt>/<var>`, `<dataset>/<input>/<var>` keys.
    pub vars: BTreeSet<String>,
}

fn deprecated(obj: &Map<String, Value>) -> bool {
    obj.get("deprecated").is_some_and(|d| !d.is_null())
}

/// The objects in the list `obj[key]` (nothing when it is absent or not a list).
fn objects<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    obj.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// Kibana's `collectDeprecations(pkg)`.
pub fn collect_deprecations(pkg: &Value) -> Deprecations {
    let mut d = Deprecations::default();
    let Some(pkg) = pkg.as_object() else { return d };
    d.package = deprecated(pkg);
    for v in objects(pkg, "vars").filter(|v| deprecated(v)) {
        d.vars
            .insert(format!("pkg/{}", str_field(v, "name").unwrap_or("")));
    }
    for pt in objects(pkg, "policy_templates") {
        let pt_name = str_field(pt, "name").unwrap_or("");
        if deprecated(pt) {
            d.policy_templates.insert(pt_name.to_string());
        }
        for input in objects(pt, "inputs") {
            let ty = str_field(input, "type").unwrap_or("");
            if deprecated(input) {
                d.inputs.insert(format!("{pt_name}/{ty}"));
            }
            for v in objects(input, "vars").filter(|v| deprecated(v)) {
                d.vars.insert(format!(
                    "{pt_name}/{ty}/{}",
                    str_field(v, "name").unwrap_or("")
                ));
            }
        }
        for v in objects(pt, "vars").filter(|v| deprecated(v)) {
            d.vars
                .insert(format!("{pt_name}/{}", str_field(v, "name").unwrap_or("")));
        }
    }
    for ds in objects(pkg, "data_streams") {
        let dataset = str_field(ds, "dataset").unwrap_or("");
        for s in objects(ds, "streams") {
            let input = str_field(s, "input").unwrap_or("");
            if deprecated(s) {
                d.streams.insert(format!("{dataset}/{input}"));
            }
            for v in objects(s, "vars").filter(|v| deprecated(v)) {
                d.vars.insert(format!(
                    "{dataset}/{input}/{}",
                    str_field(v, "name").unwrap_or("")
                ));
            }
        }
    }
    d
}

/// Kibana's `hasNewDeprecations(current, target)`: the target deprecates something the current
/// version did not. Returns the new keys (empty when there are none).
pub fn new_deprecations(current: &Deprecations, target: &Deprecations) -> Vec<String> {
    let mut out = Vec::new();
    if target.package && !current.package {
        out.push("package".to_string());
    }
    for (cur, tgt) in [
        (&current.policy_templates, &target.policy_templates),
        (&current.inputs, &target.inputs),
        (&current.streams, &target.streams),
        (&current.vars, &target.vars),
    ] {
        out.extend(tgt.difference(cur).cloned());
    }
    out
}

/// Kibana's `getDeprecationDetails(pkg)`: the first deprecation object found.
pub fn deprecation_details(pkg: &Value) -> Option<Value> {
    let pkg = pkg.as_object()?;
    if let Some(d) = pkg.get("deprecated").filter(|d| !d.is_null()) {
        return Some(d.clone());
    }
    for pt in objects(pkg, "policy_templates") {
        if let Some(d) = pt.get("deprecated").filter(|d| !d.is_null()) {
            return Some(d.clone());
        }
        for input in objects(pt, "inputs") {
            if let Some(d) = input.get("deprecated").filter(|d| !d.is_null()) {
                return Some(d.clone());
            }
        }
    }
    for ds in objects(pkg, "data_streams") {
        for s in objects(ds, "streams") {
            if let Some(d) = s.get("deprecated").filter(|d| !d.is_null()) {
                return Some(d.clone());
            }
        }
    }
    None
}

/// What happens to one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Kibana upgrades it on its own (keep-up-to-date is on and nothing blocks).
    UpgradeAutomatically,
    /// Nothing blocks, but automatic upgrades are off: a user must click "Upgrade".
    UpgradeAvailable,
    /// The dry run has conflicts: a user must review and fix fields first.
    NeedsReview,
    /// The target adds deprecations; the upgrade waits for a user to accept them.
    BlockedByDeprecations,
    /// The changelog lists breaking changes that must be acknowledged (or, for agentless, that
    /// stop the automatic upgrade).
    BlockedByBreakingChanges,
    /// The policy is already on the target version.
    AlreadyCurrent,
    /// The policy is on a newer version than the target; Kibana refuses to downgrade.
    NewerThanTarget,
}

impl Decision {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::UpgradeAutomatically => "upgrade_automatically",
            Decision::UpgradeAvailable => "upgrade_available",
            Decision::NeedsReview => "needs_review",
            Decision::BlockedByDeprecations => "blocked_by_deprecations",
            Decision::BlockedByBreakingChanges => "blocked_by_breaking_changes",
            Decision::AlreadyCurrent => "already_current",
            Decision::NewerThanTarget => "newer_than_target",
        }
    }

    /// Every decision, in report order (most urgent first).
    pub const ALL: &'static [Decision] = &[
        Decision::NeedsReview,
        Decision::BlockedByDeprecations,
        Decision::BlockedByBreakingChanges,
        Decision::UpgradeAvailable,
        Decision::UpgradeAutomatically,
        Decision::AlreadyCurrent,
        Decision::NewerThanTarget,
    ];
}

/// One reason behind a decision, as a stable code and a sentence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reason {
    /// Stable code, e.g. `conflicts`, `keep_policies_up_to_date_off`.
    pub code: &'static str,
    /// One human sentence.
    pub message: String,
}

/// Which Kibana path would upgrade the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The Fleet setup task (§5.3): dry run first, conflicting policies skipped, deprecation gate.
    #[default]
    Setup,
    /// The upgrade that runs at the end of a package install (§5.2): no gate, no dry run.
    Install,
    /// Agentless auto-upgrade (§5.5): GA only, same major, no breaking changes, no new deprecations.
    Agentless,
}

impl Mode {
    /// Parses the wire name (`setup`, `install`, `agentless`).
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "setup" => Some(Mode::Setup),
            "install" => Some(Mode::Install),
            "agentless" => Some(Mode::Agentless),
            _ => None,
        }
    }
}

/// Everything the decision depends on, already computed.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// The package name.
    pub package: &'a str,
    /// `policy.package.version` compared with the target: Less, Equal or Greater.
    pub policy_vs_target: std::cmp::Ordering,
    /// The policy's version and the target version, for messages.
    pub policy_version: &'a str,
    /// The target version.
    pub target_version: &'a str,
    /// Whether the policy's major differs from the target's (agentless rule).
    pub major_change: bool,
    /// Whether the target is a prerelease (agentless rule).
    pub target_prerelease: bool,
    /// The dry run's conflicts (Kibana's `errors` of the proposed policy).
    pub conflicts: usize,
    /// The installation's `keep_policies_up_to_date` as stored (None = never set).
    pub keep_policies_up_to_date: Option<bool>,
    /// The deprecation keys new in the target (empty when none or unknown).
    pub new_deprecations: &'a [String],
    /// The user's answer to a pending upgrade review for this target (`accepted`, `declined`, `pending`).
    pub review_action: Option<&'a str>,
    /// The changelog's breaking-change versions in the range that applies.
    pub breaking_versions: &'a [String],
    /// The path that would upgrade it.
    pub mode: Mode,
}

/// Decides what Kibana does with one policy, with every reason in codes and words.
pub fn decide(f: &Facts<'_>) -> (Decision, Vec<Reason>) {
    use std::cmp::Ordering::*;
    let mut reasons = Vec::new();
    match f.policy_vs_target {
        Equal => {
            reasons.push(Reason {
                code: "already_current",
                message: format!("The policy is already on {}.", f.target_version),
            });
            return (Decision::AlreadyCurrent, reasons);
        }
        Greater => {
            reasons.push(Reason {
                code: "newer_than_target",
                message: format!(
                    "The policy is on {}, newer than the target {}; Kibana never downgrades a policy.",
                    f.policy_version, f.target_version
                ),
            });
            return (Decision::NewerThanTarget, reasons);
        }
        Less => {}
    }
    if f.conflicts > 0 {
        reasons.push(Reason {
            code: "conflicts",
            message: format!(
                "The upgrade to {} has {} field conflict(s); Kibana leaves the policy on {} until they are fixed.",
                f.target_version, f.conflicts, f.policy_version
            ),
        });
    }
    let stack_aligned = AUTO_UPDATE_PACKAGES.contains(&f.package);
    let deprecation_gate = match f.mode {
        Mode::Setup => !stack_aligned,
        Mode::Agentless => true,
        Mode::Install => false,
    };
    if deprecation_gate && !f.new_deprecations.is_empty() && f.review_action != Some("accepted") {
        reasons.push(Reason {
            code: "new_deprecations",
            message: format!(
                "{} deprecates {} that {} did not ({}); upgrades wait until a user accepts the review.",
                f.target_version,
                plural(f.new_deprecations.len(), "feature", "features"),
                f.policy_version,
                f.new_deprecations.join(", ")
            ),
        });
    }
    if !f.breaking_versions.is_empty() {
        reasons.push(Reason {
            code: "breaking_changes",
            message: format!(
                "The changelog lists breaking changes in {}; {}.",
                f.breaking_versions.join(", "),
                if f.mode == Mode::Agentless {
                    "agentless auto-upgrade skips the package"
                } else {
                    "the Fleet UI requires acknowledging them before upgrading"
                }
            ),
        });
    }
    if f.mode == Mode::Agentless {
        if f.major_change {
            reasons.push(Reason {
                code: "major_version_change",
                message: format!(
                    "{} → {} changes the major version.",
                    f.policy_version, f.target_version
                ),
            });
        }
        if f.target_prerelease {
            reasons.push(Reason {
                code: "prerelease_target",
                message: format!("{} is a prerelease.", f.target_version),
            });
        }
    }
    let keep = keep_policies_up_to_date(f.package, f.keep_policies_up_to_date);
    let automatic = f.mode == Mode::Agentless || keep.value;
    if !automatic {
        reasons.push(Reason {
            code: "keep_policies_up_to_date_off",
            message: format!(
                "Automatic policy upgrades are off for {}: a user must upgrade it.",
                f.package
            ),
        });
    }
    let has = |code: &str| reasons.iter().any(|r| r.code == code);
    // The order of the checks follows the Kibana path that would run (see `Mode`).
    let decision = match f.mode {
        Mode::Agentless if has("major_version_change") || has("prerelease_target") => {
            Decision::BlockedByBreakingChanges
        }
        Mode::Agentless if has("new_deprecations") => Decision::BlockedByDeprecations,
        Mode::Agentless if has("breaking_changes") => Decision::BlockedByBreakingChanges,
        Mode::Setup if automatic && has("new_deprecations") => Decision::BlockedByDeprecations,
        _ if has("conflicts") => Decision::NeedsReview,
        // Upgrading by hand, the Fleet UI asks the user to acknowledge breaking changes first.
        _ if !automatic && has("breaking_changes") => Decision::BlockedByBreakingChanges,
        _ if automatic => {
            reasons.push(Reason {
                code: "clean_upgrade",
                message: format!(
                    "The dry run to {} is clean; Kibana upgrades the policy automatically.",
                    f.target_version
                ),
            });
            Decision::UpgradeAutomatically
        }
        _ => Decision::UpgradeAvailable,
    };
    (decision, reasons)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_lists_match_kibana() {
        assert_eq!(
            keep_policies_up_to_date_packages(),
            vec![
                "apm",
                "synthetics",
                "cloud_security_posture",
                "cloud_asset_inventory",
                "system",
                "elastic_agent",
                "fleet_server",
                "endpoint"
            ]
        );
        let apm = keep_policies_up_to_date("apm", None);
        assert!(apm.value && apm.default && apm.switch_shown && !apm.user_configurable);
        let system = keep_policies_up_to_date("system", None);
        assert!(!system.value && system.switch_shown && system.user_configurable);
        let nginx = keep_policies_up_to_date("nginx", Some(true));
        assert!(nginx.value && !nginx.switch_shown);
    }

    #[test]
    fn new_deprecations_are_the_difference() {
        let cur = collect_deprecations(
            &serde_json::json!({"vars": [{"name": "a", "deprecated": {"since": "1.0.0"}}]}),
        );
        let tgt = collect_deprecations(&serde_json::json!({
            "deprecated": {"description": "gone"},
            "vars": [{"name": "a", "deprecated": {}}, {"name": "b", "deprecated": {}}]
        }));
        assert_eq!(
            new_deprecations(&cur, &tgt),
            vec!["package".to_string(), "pkg/b".to_string()]
        );
    }
}
