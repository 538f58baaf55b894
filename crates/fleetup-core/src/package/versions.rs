//! Kibana Fleet's version decisions on packages (spec §6): prerelease and release labels,
//! package keys, "update available", choosing a target version among registry entries, choosing
//! between the registry's and the bundled package, and breaking changes from `changelog.yml`.
//!
//! Every comparison goes through [`crate::version`] (node-semver, default options), so an invalid
//! version where Kibana would throw is the error `INVALID_VERSION`.

use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::version::{self, Options};

const OPTS: Options = Options {
    loose: false,
    include_prerelease: false,
};

fn cmp(a: &str, b: &str) -> Result<Ordering> {
    version::compare(a, b, OPTS)
}

fn lt(a: &str, b: &str) -> Result<bool> {
    Ok(cmp(a, b)? == Ordering::Less)
}

fn gt(a: &str, b: &str) -> Result<bool> {
    Ok(cmp(a, b)? == Ordering::Greater)
}

/// `isPackagePrerelease`: starts with `0` or contains `-`.
pub fn is_package_prerelease(version: &str) -> bool {
    version.starts_with('0') || version.contains('-')
}

/// `getPackageReleaseLabel`: `preview`, `rc`, `beta` or `ga`.
pub fn package_release_label(version: &str) -> &'static str {
    if version.starts_with('0') || version.contains("-preview") {
        "preview"
    } else if version.contains("-rc") {
        "rc"
    } else if version.contains('-') {
        "beta"
    } else {
        "ga"
    }
}

/// `splitPkgKey`: `name-version` split at the first `-`; a key without `-` is a bare name.
///
/// # Errors
/// `INVALID_ARGUMENT` when the name is empty, `INVALID_VERSION` when the version is not valid.
pub fn split_pkg_key(key: &str) -> Result<(String, String)> {
    let Some(dash) = key.find('-') else {
        return Ok((key.to_string(), String::new()));
    };
    let (name, rest) = (&key[..dash], &key[dash + 1..]);
    if name.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "Package key parsing failed: package name was empty",
        )
        .at("/key"));
    }
    if version::valid(rest, OPTS).is_none() {
        return Err(Error::new(
            ErrorKind::InvalidVersion,
            "Package key parsing failed: package version was not a valid semver",
        )
        .at("/key"));
    }
    Ok((name.to_string(), rest.to_string()))
}

/// EPR's `IsPrerelease`: major below 1 or a prerelease tag. Invalid versions count as prerelease.
fn registry_prerelease(v: &str) -> bool {
    match version::valid(v, OPTS) {
        Some(n) => n.contains('-') || n.split('.').next() == Some("0"),
        None => true,
    }
}

fn major(v: &str) -> Option<String> {
    version::valid(v, OPTS).and_then(|n| n.split('.').next().map(str::to_string))
}

fn has_breaking_change(entry: &Value) -> bool {
    entry
        .get("changes")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.get("type").and_then(Value::as_str) == Some("breaking-change"))
        })
}

fn entry_version(entry: &Value) -> Option<&str> {
    entry
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| version::valid(v, OPTS).is_some())
}

/// `hasBreakingChanges(changelog, from, to)`: some entry with a valid version in `(from, to]` lists
/// a `breaking-change`. Entries with invalid or missing versions are ignored; a changelog that is
/// not a list has none.
///
/// # Errors
/// `INVALID_VERSION` when `from` or `to` is not a valid version and an entry has to be compared
/// with it.
pub fn has_breaking_changes(changelog: &Value, from: &str, to: &str) -> Result<bool> {
    let Some(entries) = changelog.as_array() else {
        return Ok(false);
    };
    // Evaluated in Kibana's order, so an invalid `from`/`to` fails only where `semver.gt` would
    // have thrown.
    for e in entries {
        let Some(v) = entry_version(e) else { continue };
        let above = cmp(v, from).map_err(|e| e.at("/from"))? == Ordering::Greater;
        if above
            && cmp(v, to).map_err(|e| e.at("/to"))? != Ordering::Greater
            && has_breaking_change(e)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The changelog entries with breaking changes between `from` and `to` (upper bound inclusive;
/// lower bound exclusive unless `inclusive_from`, which is what Kibana's upgrade callout uses;
/// no lower bound when `from` is `None`). Each entry keeps only its breaking changes; newest first.
///
/// # Errors
/// `INVALID_VERSION` when `from` or `to` is not a valid version.
pub fn breaking_changes(
    changelog: &Value,
    from: Option<&str>,
    to: &str,
    inclusive_from: bool,
) -> Result<Vec<Value>> {
    if let Some(f) = from {
        check_version(f, "/from")?;
    }
    check_version(to, "/to")?;
    let Some(entries) = changelog.as_array() else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(String, Value)> = Vec::new();
    for e in entries {
        let Some(v) = entry_version(e) else { continue };
        let above_from = match from {
            None => true,
            Some(f) => match cmp(v, f)? {
                Ordering::Greater => true,
                Ordering::Equal => inclusive_from,
                Ordering::Less => false,
            },
        };
        if !above_from || gt(v, to)? || !has_breaking_change(e) {
            continue;
        }
        let mut entry = e.as_object().cloned().unwrap_or_default();
        if let Some(Value::Array(changes)) = entry.get_mut("changes") {
            changes.retain(|c| c.get("type").and_then(Value::as_str) == Some("breaking-change"));
        }
        out.push((v.to_string(), Value::Object(entry)));
    }
    // Stable sort, newest first (changelogs are usually already in that order).
    out.sort_by(|(a, _), (b, _)| cmp(b, a).unwrap_or(Ordering::Equal));
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

fn check_version(v: &str, path: &str) -> Result<()> {
    if version::valid(v, OPTS).is_none() {
        return Err(
            Error::new(ErrorKind::InvalidVersion, format!("Invalid Version: {v}")).at(path),
        );
    }
    Ok(())
}

/// What [`update_available`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateInfo {
    /// Kibana's `latestVersion`: the registry's latest when it is at least the resolved version,
    /// else the resolved version (viewed, else installed, else latest).
    pub latest_version: Option<String>,
    /// `installedVersion && semver.lt(installedVersion, latestVersion)`.
    pub update_available: bool,
    /// `semver.lt(viewedVersion, latestVersion)`.
    pub is_viewing_old_package: bool,
    /// `semver.lt(policyVersion, installedVersion)` when a policy version was given.
    pub policy_upgradeable: Option<bool>,
}

/// Kibana's "update available" rules (§6.1).
///
/// # Errors
/// `INVALID_VERSION` when a given version is invalid (Kibana's `semver.lt` throws).
pub fn update_available<'a>(
    installed: Option<&'a str>,
    latest: Option<&'a str>,
    viewed: Option<&'a str>,
    policy_version: Option<&'a str>,
) -> Result<UpdateInfo> {
    // Kibana tests these with JavaScript truthiness: an empty string is "no version".
    let some = |v: Option<&'a str>| v.filter(|s| !s.is_empty());
    let (installed, latest, viewed, policy_version) = (
        some(installed),
        some(latest),
        some(viewed),
        some(policy_version),
    );
    for (v, p) in [
        (installed, "/installed"),
        (latest, "/latest"),
        (viewed, "/viewed"),
        (policy_version, "/policy_version"),
    ] {
        if let Some(v) = v {
            check_version(v, p)?;
        }
    }
    let resolved = viewed.or(installed).or(latest);
    let latest_version = match (latest, resolved) {
        (Some(l), Some(r)) => Some(if cmp(l, r)? != Ordering::Less { l } else { r }),
        (l, r) => l.or(r),
    };
    let update_available = match (installed, latest_version) {
        (Some(i), Some(l)) => lt(i, l)?,
        _ => false,
    };
    let is_viewing_old_package = match (resolved, latest_version) {
        (Some(v), Some(l)) => lt(v, l)?,
        _ => false,
    };
    let policy_upgradeable = match (policy_version, installed) {
        (Some(p), Some(i)) => Some(lt(p, i)?),
        (Some(_), None) => Some(false),
        _ => None,
    };
    Ok(UpdateInfo {
        latest_version: latest_version.map(str::to_string),
        update_available,
        is_viewing_old_package,
        policy_upgradeable,
    })
}

/// Constraints for [`choose_target`].
#[derive(Debug, Clone, Default)]
pub struct TargetQuery<'a> {
    /// The installed version: candidates must be newer.
    pub installed: Option<&'a str>,
    /// Stay within the installed major (the agentless auto-upgrade rule).
    pub same_major: bool,
    /// A node-semver range the target must satisfy.
    pub range: Option<&'a str>,
    /// The Kibana version (`-SNAPSHOT` and other suffixes are stripped, as Kibana does).
    pub kibana_version: Option<&'a str>,
    /// The license level (`basic`, `gold`, `platinum`, `enterprise`, `trial`).
    pub subscription: Option<&'a str>,
    /// Whether prerelease packages are allowed ("Display beta integrations").
    pub prerelease: bool,
    /// What counts as a prerelease when they are not allowed.
    pub prerelease_rule: PrereleaseRule,
}

/// What counts as a prerelease version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrereleaseRule {
    /// The registry's `/search` rule: major 0 or a prerelease tag.
    #[default]
    Registry,
    /// node-semver's `prerelease()`: a prerelease tag only (Kibana's `pickRegistryTarget`).
    Semver,
}

/// Kibana's license ordering (`LICENSE_TYPE`).
fn license_rank(l: &str) -> Option<u8> {
    Some(match l {
        "basic" => 10,
        "standard" => 20,
        "gold" => 30,
        "platinum" => 40,
        "enterprise" => 50,
        "trial" => 60,
        _ => return None,
    })
}

/// `conditions.kibana.version`, in the registry's nested form or the manifest's dotted form.
pub fn kibana_condition(entry: &Value) -> Option<&str> {
    let c = entry.get("conditions")?;
    c.get("kibana")
        .and_then(|k| k.get("version"))
        .or_else(|| c.get("kibana.version"))
        .and_then(Value::as_str)
}

/// `conditions.elastic.subscription`, else the deprecated `license`, else `basic`.
pub fn required_subscription(entry: &Value) -> &str {
    let c = entry.get("conditions");
    c.and_then(|c| c.get("elastic"))
        .and_then(|e| e.get("subscription"))
        .or_else(|| c.and_then(|c| c.get("elastic.subscription")))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| {
            entry
                .get("license")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .unwrap_or("basic")
}

/// Whether `kibana` satisfies a registry constraint. Uses the registry module's Masterminds
/// semantics through the dispatcher when available, else node-semver's.
fn kibana_satisfies(kibana: &str, constraint: &str) -> Result<bool> {
    match crate::dispatch::dispatch(
        "registry.satisfies",
        &json!({"version": kibana, "constraint": constraint}),
    ) {
        Ok(Value::Bool(b)) => Ok(b),
        Err(e) if e.kind() == ErrorKind::UnknownOp => {
            Ok(version::satisfies(kibana, constraint, OPTS))
        }
        Err(e) => Err(e),
        Ok(_) => Ok(false),
    }
}

fn reject(code: &str, reason: String) -> (String, String) {
    (code.to_string(), reason)
}

/// The version chosen by [`choose_target`], with a reason for every version not chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetChoice {
    /// The chosen version, if any is eligible.
    pub version: Option<String>,
    /// The chosen entry as given (a string or a registry object).
    pub entry: Option<Value>,
    /// `{version, code, reason}` for every other entry, in input order.
    pub rejected: Vec<Value>,
}

/// Picks the newest eligible version among registry entries (strings or objects with
/// `version`, `conditions`, `license`): valid, not a prerelease unless allowed, newer than the
/// installed version, in the installed major when asked, inside `range`, compatible with the
/// Kibana version (`conditions.kibana.version`) and the license (`conditions.elastic.subscription`).
/// This combines the registry's `/search` filtering with Kibana's `pickRegistryTarget`.
///
/// Rejection codes: `INVALID_VERSION`, `PRERELEASE`, `NOT_NEWER`, `OTHER_MAJOR`, `OUT_OF_RANGE`,
/// `KIBANA_INCOMPATIBLE`, `LICENSE_REQUIRED`, `NOT_NEWEST`.
///
/// # Errors
/// `INVALID_VERSION` for an invalid installed version; `INVALID_ARGUMENT` for an entry that is
/// neither a string nor an object with a string `version`; `INVALID_CONSTRAINT` for an invalid
/// Kibana constraint.
pub fn choose_target(entries: &[Value], q: &TargetQuery<'_>) -> Result<TargetChoice> {
    if let Some(i) = q.installed {
        check_version(i, "/installed")?;
    }
    let kibana = q
        .kibana_version
        .map(|k| k.split('-').next().unwrap_or(k).to_string());
    let license = q.subscription.unwrap_or("basic");
    let installed_major = q.installed.and_then(major);
    let mut verdicts: Vec<(String, Option<(String, String)>)> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let v = match entry {
            Value::String(s) => s.clone(),
            Value::Object(o) => match o.get("version") {
                Some(Value::String(s)) => s.clone(),
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "a version entry needs a string `version`",
                    )
                    .at(format!("/versions/{i}")))
                }
            },
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "a version entry must be a string or an object with `version`",
                )
                .at(format!("/versions/{i}")))
            }
        };
        let verdict = judge(
            entry,
            &v,
            q,
            kibana.as_deref(),
            license,
            installed_major.as_deref(),
        )?;
        verdicts.push((v, verdict));
    }
    // The newest eligible version wins (input order breaks ties).
    let mut best: Option<usize> = None;
    for (i, (v, verdict)) in verdicts.iter().enumerate() {
        if verdict.is_some() {
            continue;
        }
        best = match best {
            Some(b) if cmp(v, &verdicts[b].0)? != Ordering::Greater => Some(b),
            _ => Some(i),
        };
    }
    let chosen = best.map(|b| verdicts[b].0.clone());
    let mut rejected = Vec::new();
    for (i, (v, verdict)) in verdicts.into_iter().enumerate() {
        if Some(i) == best {
            continue;
        }
        let (code, reason) = verdict.unwrap_or_else(|| {
            reject(
                "NOT_NEWEST",
                format!(
                    "eligible, but {} is newer",
                    chosen.as_deref().unwrap_or_default()
                ),
            )
        });
        rejected.push(json!({"version": v, "code": code, "reason": reason}));
    }
    Ok(TargetChoice {
        version: chosen,
        entry: best.and_then(|b| entries.get(b).cloned()),
        rejected,
    })
}

fn judge(
    entry: &Value,
    v: &str,
    q: &TargetQuery<'_>,
    kibana: Option<&str>,
    license: &str,
    installed_major: Option<&str>,
) -> Result<Option<(String, String)>> {
    if version::valid(v, OPTS).is_none() {
        return Ok(Some(reject(
            "INVALID_VERSION",
            format!("`{v}` is not a valid semver version"),
        )));
    }
    let is_prerelease = match q.prerelease_rule {
        PrereleaseRule::Registry => registry_prerelease(v),
        PrereleaseRule::Semver => version::valid(v, OPTS).is_some_and(|n| n.contains('-')),
    };
    if !q.prerelease && is_prerelease {
        let what = match q.prerelease_rule {
            PrereleaseRule::Registry => "a prerelease (major 0 or a prerelease tag)",
            PrereleaseRule::Semver => "a prerelease (prerelease tag)",
        };
        return Ok(Some(reject(
            "PRERELEASE",
            format!("{what} and prerelease versions are not allowed"),
        )));
    }
    if let Some(i) = q.installed {
        if !gt(v, i)? {
            return Ok(Some(reject(
                "NOT_NEWER",
                format!("not newer than the installed version {i}"),
            )));
        }
        if q.same_major && major(v).as_deref() != installed_major {
            return Ok(Some(reject(
                "OTHER_MAJOR",
                format!("changes the major version of the installed {i}"),
            )));
        }
    }
    if let Some(r) = q.range {
        if !version::satisfies(v, r, OPTS) {
            return Ok(Some(reject(
                "OUT_OF_RANGE",
                format!("outside the range {r}"),
            )));
        }
    }
    if let (Some(k), Some(c)) = (kibana, kibana_condition(entry)) {
        if !kibana_satisfies(k, c)? {
            return Ok(Some(reject(
                "KIBANA_INCOMPATIBLE",
                format!("requires Kibana {c}; this is Kibana {k}"),
            )));
        }
    }
    if entry.is_object() {
        let needed = required_subscription(entry);
        let ok = match (license_rank(license), license_rank(needed)) {
            (Some(have), Some(need)) => have >= need,
            _ => false,
        };
        if !ok {
            return Ok(Some(reject(
                "LICENSE_REQUIRED",
                format!("Installation requires {needed} license; the license is {license}"),
            )));
        }
    }
    Ok(None)
}

/// Where the package chosen by [`latest_package`] came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestChoice {
    /// The chosen package object (`null` when none).
    pub package: Value,
    /// `registry`, `bundled` or `none`.
    pub source: &'static str,
}

/// Kibana's `_fetchFindLatestPackage`: the registry's first search hit, unless the bundled package
/// is at least as new, the registry has none, the registry failed, or Kibana is air-gapped.
///
/// # Errors
/// `PACKAGE_NOT_FOUND` when nothing is found and `or_throw` is set (`fetchFindLatestPackageOrThrow`);
/// none otherwise (an invalid version falls back to the bundled package, as Kibana's catch does).
pub fn latest_package(
    name: &str,
    registry: Option<&[Value]>,
    bundled: Option<&Value>,
    registry_failed: bool,
    airgapped: bool,
    or_throw: bool,
) -> Result<LatestChoice> {
    let bundled = bundled.filter(|b| !b.is_null());
    let pick = |package: &Value, source| LatestChoice {
        package: package.clone(),
        source,
    };
    let from_registry = if airgapped || registry_failed {
        None
    } else {
        registry.and_then(|r| r.first())
    };
    let choice = match (from_registry, bundled) {
        (Some(r), Some(b)) => {
            let rv = r.get("version").and_then(Value::as_str).unwrap_or_default();
            let bv = b.get("version").and_then(Value::as_str).unwrap_or_default();
            // `semverGte` throwing (an invalid version) lands in Kibana's catch, which falls back
            // to the bundled package.
            match cmp(bv, rv) {
                Ok(Ordering::Less) => Some(pick(r, "registry")),
                _ => Some(pick(b, "bundled")),
            }
        }
        (Some(r), None) => Some(pick(r, "registry")),
        (None, Some(b)) => Some(pick(b, "bundled")),
        (None, None) => None,
    };
    match choice {
        Some(c) => Ok(c),
        None if or_throw => Err(Error::new(
            ErrorKind::PackageNotFound,
            if registry_failed {
                format!("[{name}] package not found: the registry could not be reached and no bundled package exists")
            } else {
                format!("[{name}] package not found in registry")
            },
        )),
        None => Ok(LatestChoice {
            package: Value::Null,
            source: "none",
        }),
    }
}

/// [`UpdateInfo`] as JSON.
pub fn update_info_json(u: &UpdateInfo) -> Value {
    let mut m = Map::new();
    m.insert(
        "latest_version".into(),
        u.latest_version.clone().map_or(Value::Null, Value::String),
    );
    m.insert("update_available".into(), u.update_available.into());
    m.insert(
        "is_viewing_old_package".into(),
        u.is_viewing_old_package.into(),
    );
    if let Some(p) = u.policy_upgradeable {
        m.insert("policy_upgradeable".into(), p.into());
    }
    Value::Object(m)
}

// ---- Agentless release labels (`agentless_policy_helper.ts`, `package_prerelease.ts`) ----

/// Agentless deployments that were GA before the `release` field existed: (package, policy
/// template, since version). An absent `release` on these counts as GA.
const AGENTLESS_GA_BEFORE_RELEASE_FIELD: &[(&str, &str, &str)] =
    &[("cloud_security_posture", "cspm", "1.13.0")];

fn deployment_mode<'a>(pt: &'a Value, mode: &str) -> Option<&'a Value> {
    pt.get("deployment_modes")?.get(mode)
}

fn mode_enabled(pt: &Value, mode: &str) -> Option<bool> {
    deployment_mode(pt, mode)?.get("enabled")?.as_bool()
}

/// `isOnlyAgentlessPolicyTemplate`: agentless enabled and the default mode absent or disabled.
fn only_agentless_template(pt: &Value) -> bool {
    pt.get("deployment_modes").is_some()
        && mode_enabled(pt, "agentless") == Some(true)
        && (deployment_mode(pt, "default").is_none() || mode_enabled(pt, "default") == Some(false))
}

fn templates(pkg: Option<&Value>) -> &[Value] {
    pkg.and_then(|p| p.get("policy_templates"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The named template, or the only one when none is named.
fn chosen_template<'a>(pkg: Option<&'a Value>, integration: Option<&str>) -> Option<&'a Value> {
    let all = templates(pkg);
    match integration {
        Some(name) => all
            .iter()
            .find(|t| t.get("name").and_then(Value::as_str) == Some(name)),
        None if all.len() == 1 => all.first(),
        None => None,
    }
}

/// `isOnlyAgentlessIntegration`.
fn only_agentless_integration(pkg: Option<&Value>, integration: Option<&str>) -> bool {
    let all = templates(pkg);
    if all.is_empty() {
        return false;
    }
    let named = integration.is_some_and(|name| {
        all.iter().any(|t| {
            t.get("name").and_then(Value::as_str) == Some(name) && only_agentless_template(t)
        })
    });
    named || all.iter().all(only_agentless_template)
}

/// `isDefaultAgentlessIntegration`: the template offers agentless as its default deployment
/// (`deployment_modes.agentless.is_default`, package-spec 3.x). Inferred from the spec field; the
/// helper's body was not readable.
fn default_agentless_integration(pkg: Option<&Value>, integration: Option<&str>) -> bool {
    chosen_template(pkg, integration).is_some_and(|t| {
        mode_enabled(t, "agentless") == Some(true)
            && deployment_mode(t, "agentless")
                .and_then(|a| a.get("is_default"))
                .and_then(Value::as_bool)
                == Some(true)
    })
}

/// `getAgentlessRelease`: the agentless deployment's release label, or `None` when agentless does
/// not apply to the integration.
fn agentless_release(pkg: Option<&Value>, integration: Option<&str>) -> Option<String> {
    let version = pkg
        .and_then(|p| p.get("version"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let all = templates(pkg);
    if all.len() == 1 && only_agentless_template(&all[0]) {
        // A single agentless-only template may not carry `release`: the package version decides.
        return Some(package_release_label(version).to_string());
    }
    let template = chosen_template(pkg, integration)?;
    if mode_enabled(template, "agentless") != Some(true) {
        return None;
    }
    let name = integration.or_else(|| template.get("name").and_then(Value::as_str));
    let release = deployment_mode(template, "agentless")
        .and_then(|a| a.get("release"))
        .and_then(Value::as_str);
    let pkg_name = pkg.and_then(|p| p.get("name")).and_then(Value::as_str);
    if release.is_none() {
        let ga_before = AGENTLESS_GA_BEFORE_RELEASE_FIELD
            .iter()
            .any(|(p, i, since)| {
                pkg_name == Some(*p)
                    && name == Some(*i)
                    && !version.is_empty()
                    && crate::version::compare(version, since, Default::default())
                        .is_ok_and(|o| o != std::cmp::Ordering::Less)
            });
        if ga_before {
            return Some("ga".to_string());
        }
        return Some("beta".to_string());
    }
    let release = release.unwrap_or("beta");
    // Unknown values fall to the least mature label.
    Some(
        if matches!(release.to_ascii_lowercase().as_str(), "beta" | "ga") {
            release.to_string()
        } else {
            "beta".to_string()
        },
    )
}

/// `getAgentlessReleaseOverride`: the agentless release when it should replace the package's
/// semver-derived label (agentless-only or agentless-by-default integrations, or an agentless
/// view), and only when it is not GA.
pub fn agentless_release_override(
    pkg: Option<&Value>,
    integration: Option<&str>,
    agentless_context: bool,
) -> Option<String> {
    if only_agentless_integration(pkg, integration)
        || default_agentless_integration(pkg, integration)
        || agentless_context
    {
        return agentless_release(pkg, integration).filter(|r| r != "ga");
    }
    None
}

/// `resolveEffectiveRelease`: the release label a package card shows.
pub fn resolve_effective_release(
    pkg: Option<&Value>,
    integration: Option<&str>,
    agentless_context: bool,
    version: Option<&str>,
) -> String {
    if pkg.is_none() && version.is_none() {
        return "ga".to_string();
    }
    if let Some(r) = agentless_release_override(pkg, integration, agentless_context) {
        return r;
    }
    let v = version
        .or_else(|| pkg.and_then(|p| p.get("version")).and_then(Value::as_str))
        .unwrap_or("");
    package_release_label(v).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_keys() {
        assert!(is_package_prerelease("0.1.0"));
        assert!(!is_package_prerelease("1.1.0"));
        assert_eq!(package_release_label("1.0.0-rc1"), "rc");
        assert_eq!(package_release_label("1.0.0-preview1"), "preview");
        assert_eq!(
            split_pkg_key("endpoint-0.13.0-alpha.1+abcd").unwrap(),
            ("endpoint".into(), "0.13.0-alpha.1+abcd".into())
        );
        assert_eq!(
            split_pkg_key("nginx").unwrap(),
            ("nginx".into(), String::new())
        );
        assert!(split_pkg_key("-0.0.1").is_err());
        assert!(split_pkg_key("a-b").is_err());
    }

    #[test]
    fn update_rules() {
        let u = update_available(Some("1.0.0"), Some("1.2.0"), None, Some("0.9.0")).unwrap();
        assert_eq!(u.latest_version.as_deref(), Some("1.2.0"));
        assert!(u.update_available && u.policy_upgradeable == Some(true));
        // latestVersion never goes below the viewed version.
        let u = update_available(Some("1.0.0"), Some("1.2.0"), Some("1.3.0"), None).unwrap();
        assert_eq!(u.latest_version.as_deref(), Some("1.3.0"));
        assert!(!u.is_viewing_old_package);
        assert!(update_available(Some("1.x"), Some("1.0.0"), None, None).is_err());
        let u = update_available(Some(""), Some("1.0.0"), None, None).unwrap();
        assert!(!u.update_available);
    }
}
