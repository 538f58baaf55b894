//! The plan for one policy and for a whole fleet: dry run, change list, decision.
//!
//! A [`PlanContext`] is built once per target package (it indexes the package, the changelog and
//! the deprecations) and is then shared, read-only, by every policy planned against it — across
//! threads too.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::changes::{summarize, Change, ChangeIndex, ChangeOptions, Severity};
use super::eligibility::{
    collect_deprecations, decide, new_deprecations, Decision, Deprecations, Facts, Mode, Reason,
};
use crate::error::{Error, ErrorKind, Result};
use crate::policy::merge::{update_package_inputs_prepared, BasePolicy};
use crate::policy::prepared::PreparedPackage;
use crate::version::{self, Options};

/// What a plan needs besides the policies: the target package and what is known around it.
#[derive(Debug)]
pub struct PlanContext {
    /// The target with its defaults, indexes and validation rules, shared by every policy.
    prepared: PreparedPackage,
    target_name: String,
    target_version: String,
    target_major: Option<u64>,
    target_prerelease: bool,
    target_deprecations: Deprecations,
    /// Known earlier versions of the package, by version (for defaults, requiredness, deprecations).
    previous: HashMap<String, Previous>,
    /// `(version, has a breaking change)` from the target's changelog.
    changelog: Vec<(String, bool)>,
    installation: Installation,
    mode: Mode,
    options: PlanOptions,
    /// Agent templates, when the plan should include the agent configuration diff.
    #[cfg(feature = "agent-templates")]
    agent: Option<AgentSides>,
}

/// The target's agent templates and those of known earlier versions (with their PackageInfo).
#[cfg(feature = "agent-templates")]
#[derive(Debug, Default)]
struct AgentSides {
    target: crate::agent::AgentTemplates,
    previous: HashMap<String, (Value, crate::agent::AgentTemplates)>,
}

/// A known earlier version of the package, indexed.
#[derive(Debug)]
struct Previous {
    deprecations: Deprecations,
    index: ChangeIndex,
}

/// The installed package's saved-object fields that matter here.
#[derive(Debug, Clone, Default)]
pub struct Installation {
    /// `keep_policies_up_to_date` as stored (None = never set).
    pub keep_policies_up_to_date: Option<bool>,
    /// `pending_upgrade_review.action` when its `target_version` is the target.
    pub review_action: Option<String>,
}

/// Output options.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// List unchanged vars too.
    pub include_unchanged: bool,
    /// Include the proposed policy in each policy plan.
    pub include_proposed: bool,
}

/// The plan for one policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyPlan {
    /// The policy id (absent for unsaved policies).
    pub id: Option<String>,
    /// The policy name.
    pub name: Option<String>,
    /// `policy.package.version`.
    pub from_version: Option<String>,
    /// The target version.
    pub to_version: String,
    /// What happens to it.
    pub decision: Decision,
    /// Why, in codes and words.
    pub reasons: Vec<Reason>,
    /// Kibana's `hasErrors` for the dry run.
    pub has_errors: bool,
    /// Counts by severity and kind.
    pub summary: Value,
    /// The change list, conflicts first.
    pub changes: Vec<Change>,
    /// The proposed policy, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Value>,
    /// Set when the policy could not be planned at all (invalid document, no package…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// What the agents run before and after (`agent.diff`'s result, or `{error}`), when the
    /// context has agent templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_configuration: Option<Value>,
}

impl PlanContext {
    /// Builds a context for upgrading to `target` (a PackageInfo).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when the target has no valid `name`/`version`.
    pub fn new(target: Value) -> Result<Self> {
        let name = target
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let ver = target
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if name.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the target package has no name",
            ));
        }
        let parsed = version::valid(&ver, Options::default()).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidVersion,
                format!("the target package version {ver:?} is not a valid version"),
            )
        })?;
        let target_major = parsed.split('.').next().and_then(|m| m.parse().ok());
        let changelog = changelog_entries(target.get("changelog"));
        Ok(PlanContext {
            target_deprecations: collect_deprecations(&target),
            target_prerelease: ver.starts_with('0') || ver.contains('-'),
            target_name: name,
            target_version: ver,
            target_major,
            prepared: PreparedPackage::new(target),
            previous: HashMap::new(),
            changelog,
            installation: Installation::default(),
            mode: Mode::default(),
            options: PlanOptions::default(),
            #[cfg(feature = "agent-templates")]
            agent: None,
        })
    }

    /// Adds a known earlier version of the package (improves change kinds and the deprecation gate).
    pub fn add_previous(&mut self, info: Value) {
        if let Some(v) = info
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            let previous = Previous {
                deprecations: collect_deprecations(&info),
                index: ChangeIndex::new(self.prepared.package(), Some(&info)),
            };
            self.previous.insert(v, previous);
        }
    }

    /// Adds the agent configuration diff to every plan: `templates` are the target's agent
    /// templates (as `package.agent_templates` returns them).
    #[cfg(feature = "agent-templates")]
    pub fn set_agent_templates(&mut self, templates: crate::agent::AgentTemplates) {
        self.agent.get_or_insert_with(AgentSides::default).target = templates;
    }

    /// The agent templates of an earlier version (`info` its PackageInfo), used to compile the
    /// current side of policies on that version (otherwise their stored compiled fields are used).
    #[cfg(feature = "agent-templates")]
    pub fn add_previous_agent_templates(
        &mut self,
        info: Value,
        templates: crate::agent::AgentTemplates,
    ) {
        if let Some(v) = info
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            self.agent
                .get_or_insert_with(AgentSides::default)
                .previous
                .insert(v, (info, templates));
        }
    }

    /// Sets the changelog (parsed `changelog.yml`) when the target package did not carry one.
    pub fn set_changelog(&mut self, changelog: &Value) {
        self.changelog = changelog_entries(Some(changelog));
    }

    /// Sets the installation facts.
    pub fn set_installation(&mut self, installation: Installation) {
        self.installation = installation;
    }

    /// Sets the upgrade path to emulate.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Sets output options.
    pub fn set_options(&mut self, options: PlanOptions) {
        self.options = options;
    }

    /// The target PackageInfo.
    pub fn target(&self) -> &Value {
        self.prepared.package()
    }

    /// The target package name.
    pub fn target_name(&self) -> &str {
        &self.target_name
    }

    /// The target version.
    pub fn target_version(&self) -> &str {
        &self.target_version
    }

    /// Plans one policy. Never fails: a policy that cannot be planned carries an `error`.
    pub fn plan(&self, policy: &Value) -> PolicyPlan {
        let id = policy.get("id").and_then(Value::as_str).map(str::to_string);
        let name = policy
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let from = policy
            .pointer("/package/version")
            .and_then(Value::as_str)
            .map(str::to_string);
        match self.try_plan(policy, from.as_deref()) {
            Ok(mut p) => {
                p.id = id;
                p.name = name;
                p
            }
            Err(e) => {
                let mut p = self.failed(e);
                p.id = id;
                p.name = name;
                p.from_version = from;
                p
            }
        }
    }

    /// The plan of a policy that could not be planned at all (e.g. its JSON does not parse).
    pub fn failed(&self, e: Error) -> PolicyPlan {
        PolicyPlan {
            id: None,
            name: None,
            from_version: None,
            to_version: self.target_version.clone(),
            decision: Decision::NeedsReview,
            reasons: vec![Reason {
                code: "cannot_plan",
                message: e.message().to_string(),
            }],
            has_errors: true,
            summary: summarize(&[]),
            changes: Vec::new(),
            proposed: None,
            error: Some(e.to_json()),
            agent_configuration: None,
        }
    }

    fn try_plan(&self, policy: &Value, from: Option<&str>) -> Result<PolicyPlan> {
        if !policy.is_object() {
            return Err(Error::new(
                ErrorKind::InvalidPolicy,
                "a package policy must be a JSON object",
            ));
        }
        let pkg_name = policy.pointer("/package/name").and_then(Value::as_str);
        if pkg_name.is_some_and(|n| n != self.target_name) {
            return Err(Error::new(
                ErrorKind::InvalidPolicy,
                format!(
                    "the policy belongs to package {}, not {}",
                    pkg_name.unwrap_or(""),
                    self.target_name
                ),
            ));
        }
        let from = from.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidPolicy,
                "the policy has no package.version",
            )
            .at("/package/version")
        })?;
        let ordering = version::compare(from, &self.target_version, Options::default())?;
        let previous = self.previous.get(from);
        let (proposed, conflicts, changes) = if ordering == Ordering::Greater {
            (None, 0, Vec::new())
        } else {
            let Value::Object(policy_map) = policy else {
                return Err(Error::new(
                    ErrorKind::InvalidPolicy,
                    "a package policy must be a JSON object",
                ));
            };
            let proposed = dry_run_proposed(policy_map, &self.prepared)?;
            let conflicts = proposed
                .get("errors")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let index = previous.map_or(self.prepared.change_index(), |p| &p.index);
            let changes = index.changes(
                policy,
                &proposed,
                ChangeOptions {
                    include_unchanged: self.options.include_unchanged,
                },
            );
            (Some(proposed), conflicts, changes)
        };
        let new_deps: Vec<String> = match previous {
            Some(p) => new_deprecations(&p.deprecations, &self.target_deprecations),
            None => Vec::new(),
        };
        let breaking: Vec<String> = self
            .changelog
            .iter()
            .filter(|(v, breaking)| {
                *breaking
                    && version::compare(v, from, Options::default()) == Ok(Ordering::Greater)
                    && version::compare(v, &self.target_version, Options::default())
                        != Ok(Ordering::Greater)
            })
            .map(|(v, _)| v.clone())
            .collect();
        let from_major: Option<u64> = from
            .split('.')
            .next()
            .and_then(|m| m.trim_start_matches('v').parse().ok());
        let facts = Facts {
            package: &self.target_name,
            policy_vs_target: ordering,
            policy_version: from,
            target_version: &self.target_version,
            major_change: from_major != self.target_major,
            target_prerelease: self.target_prerelease,
            conflicts,
            keep_policies_up_to_date: self.installation.keep_policies_up_to_date,
            new_deprecations: &new_deps,
            review_action: self.installation.review_action.as_deref(),
            breaking_versions: &breaking,
            mode: self.mode,
        };
        let (decision, reasons) = decide(&facts);
        #[cfg(feature = "agent-templates")]
        let agent_configuration = match (&self.agent, &proposed) {
            (Some(sides), Some(proposed)) => {
                Some(self.agent_configuration(sides, policy, from, proposed))
            }
            _ => None,
        };
        #[cfg(not(feature = "agent-templates"))]
        let agent_configuration = None;
        Ok(PolicyPlan {
            id: None,
            name: None,
            from_version: Some(from.to_string()),
            to_version: self.target_version.clone(),
            decision,
            reasons,
            has_errors: conflicts > 0,
            summary: summarize(&changes),
            changes,
            proposed: if self.options.include_proposed {
                proposed
            } else {
                None
            },
            error: None,
            agent_configuration,
        })
    }

    /// The agent configuration diff of one policy, or `{error: {code, message}}`.
    #[cfg(feature = "agent-templates")]
    fn agent_configuration(
        &self,
        sides: &AgentSides,
        policy: &Value,
        from: &str,
        proposed: &Value,
    ) -> Value {
        let current = sides.previous.get(from);
        let diff = crate::agent::ops::agent_config_diff(
            (policy, current.map(|c| &c.0), current.map(|c| &c.1)),
            (proposed, self.prepared.package(), Some(&sides.target)),
            crate::agent::CompileOptions::default(),
            crate::agent::AgentPolicyContext::default(),
        );
        match diff.and_then(|d| {
            serde_json::to_value(d).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
        }) {
            Ok(v) => v,
            Err(e) => serde_json::json!({ "error": e.to_json() }),
        }
    }
}

/// The proposed policy of Kibana's dry run: `updatePackageInputs(policy with the target version,
/// target, packageToPackagePolicyInputs(target), dryRun = true)`, built as `upgrade_dry_run`
/// builds it, with the target's defaults computed once per context.
fn dry_run_proposed(policy: &Map<String, Value>, prepared: &PreparedPackage) -> Result<Value> {
    let target = prepared.package();
    let mut package = policy.get("package").cloned().unwrap_or(Value::Null);
    if let Value::Object(p) = &mut package {
        match target.get("version") {
            Some(v) => p.insert("version".into(), v.clone()),
            None => p.shift_remove("version"),
        };
    }
    // `{...omit(policy, 'id', 'spaceIds'), package}`, assembled by the merge without a copy.
    let base = BasePolicy {
        stored: policy,
        omit: &["id", "spaceIds"],
        package: Some(package),
    };
    let mut proposed =
        update_package_inputs_prepared(&base, prepared, Some(prepared.default_inputs()), true)?;
    if let Value::Object(m) = &mut proposed {
        match target.get("elasticsearch") {
            Some(es) => m.insert("elasticsearch".into(), es.clone()),
            None => m.shift_remove("elasticsearch"),
        };
    }
    Ok(proposed)
}

fn changelog_entries(changelog: Option<&Value>) -> Vec<(String, bool)> {
    let Some(Value::Array(entries)) = changelog else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| {
            let v = e.get("version")?.as_str()?;
            version::valid(v, Options::default())?;
            let breaking = e.get("changes").and_then(Value::as_array).is_some_and(|c| {
                c.iter()
                    .any(|c| c.get("type").and_then(Value::as_str) == Some("breaking-change"))
            });
            Some((v.to_string(), breaking))
        })
        .collect()
}

/// Totals over many policy plans, updated as plans stream by.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FleetSummary {
    /// Policies planned.
    pub policies: u64,
    /// Policies by decision.
    pub by_decision: Map<String, Value>,
    /// Conflict records over all policies.
    pub conflicts: u64,
    /// Attention records over all policies.
    pub attention: u64,
    /// Info records over all policies.
    pub info: u64,
    /// Policies that could not be planned.
    pub errors: u64,
}

impl FleetSummary {
    /// Adds one policy plan.
    pub fn add(&mut self, p: &PolicyPlan) {
        self.policies += 1;
        let key = p.decision.as_str();
        let n = self
            .by_decision
            .get(key)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        self.by_decision.insert(key.to_string(), (n + 1).into());
        for c in &p.changes {
            match c.severity {
                Severity::Conflict => self.conflicts += 1,
                Severity::Attention => self.attention += 1,
                Severity::Info => self.info += 1,
            }
        }
        if p.error.is_some() {
            self.errors += 1;
        }
    }

    /// Merges another summary (from another worker) into this one.
    pub fn merge(&mut self, other: &FleetSummary) {
        self.policies += other.policies;
        self.conflicts += other.conflicts;
        self.attention += other.attention;
        self.info += other.info;
        self.errors += other.errors;
        for (k, v) in &other.by_decision {
            let n = self.by_decision.get(k).and_then(Value::as_u64).unwrap_or(0);
            self.by_decision
                .insert(k.clone(), (n + v.as_u64().unwrap_or(0)).into());
        }
    }

    /// How many policies got `decision`.
    pub fn count(&self, decision: Decision) -> u64 {
        self.by_decision
            .get(decision.as_str())
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }
}

/// The policies of a Fleet API response: a single `{item}`, a list `{items: […]}`, a bare array,
/// or one policy object.
pub fn policies_of(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => {
            if let Some(Value::Array(items)) = o.get("items") {
                items.iter().collect()
            } else if let Some(item) = o.get("item") {
                vec![item]
            } else {
                vec![doc]
            }
        }
        _ => vec![doc],
    }
}
