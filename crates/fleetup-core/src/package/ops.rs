//! Operations of this module in the JSON contract.
//!
//! | op | args | result |
//! |---|---|---|
//! | `package.load` | `path` (directory, `.zip`, or registry package-info `.json`) | PackageInfo |
//! | `package.changelog` | `path` | parsed `changelog.yml`, or `null` when the package has none |
//! | `package.agent_templates` | `path` | `{"<path in package>": "<template text>"}` for every agent `.hbs` template |
//! | `package.from_registry_json` | `info` (registry package-info object) | PackageInfo |
//! | `package.update_available` | `installed?`, `latest?`, `viewed?`, `policy_version?` | `{latest_version, update_available, is_viewing_old_package, policy_upgradeable?}` |
//! | `package.choose_target` | `versions`, `installed?`, `same_major?`, `range?`, `kibana_version?`, `subscription?`, `prerelease?`, `prerelease_rule?` | `{version, entry, rejected: [{version, code, reason}]}` |
//! | `package.latest` | `name?`, `registry?`, `bundled?`, `registry_error?`, `airgapped?`, `or_throw?` | `{package, source}` |
//! | `fleet.is_package_prerelease` | `version` | bool |
//! | `fleet.package_release_label` | `version` | `"ga"`, `"beta"`, `"rc"` or `"preview"` |
//! | `fleet.split_pkg_key` | `key` | `{pkgName, pkgVersion}` |
//! | `fleet.has_breaking_changes` | `changelog`, `from`, `to` | bool |
//! | `fleet.breaking_changes` | `changelog`, `from?`, `to`, `inclusive_from?` | entries, newest first |

use std::path::Path;

use serde_json::{json, Value};

use super::versions::{self, PrereleaseRule, TargetQuery};
use crate::args::Args;
use crate::dispatch::Op;
use crate::error::{Error, ErrorKind, Result};

/// This module's operations.
pub const OPS: &[Op] = &[
    Op {
        name: "package.load",
        summary: "Load a package directory or registry .zip into PackageInfo JSON (as Kibana's archive parser).",
        run: load,
    },
    Op {
        name: "package.changelog",
        summary: "A package's parsed changelog.yml (null when it has none).",
        run: changelog,
    },
    Op {
        name: "package.agent_templates",
        summary: "A package's Elastic Agent templates (.hbs), keyed by their path in the package.",
        run: agent_templates,
    },
    Op {
        name: "package.from_registry_json",
        summary: "Normalise the registry's package-info JSON into the same PackageInfo model.",
        run: from_registry_json,
    },
    Op {
        name: "package.update_available",
        summary: "Kibana's update-available rules: latestVersion, updateAvailable, isViewingOldPackage.",
        run: update_available,
    },
    Op {
        name: "package.choose_target",
        summary: "Pick the newest eligible version (prerelease, installed, major, range, Kibana, license) with reasons.",
        run: choose_target,
    },
    Op {
        name: "package.latest",
        summary: "Kibana's choice between the registry's latest package and the bundled one.",
        run: latest,
    },
    Op {
        name: "fleet.is_package_prerelease",
        summary: "isPackagePrerelease: starts with 0 or has a prerelease tag.",
        run: is_package_prerelease,
    },
    Op {
        name: "fleet.package_release_label",
        summary: "getPackageReleaseLabel: ga, beta, rc or preview.",
        run: package_release_label,
    },
    Op {
        name: "fleet.agentless_release_override",
        summary: "getAgentlessReleaseOverride: the agentless release label that replaces the package's, or null.",
        run: agentless_override,
    },
    Op {
        name: "fleet.resolve_effective_release",
        summary: "resolveEffectiveRelease: the release label a package card shows (agentless-aware).",
        run: effective_release,
    },
    Op {
        name: "fleet.split_pkg_key",
        summary: "splitPkgKey: `name-version` into {pkgName, pkgVersion}.",
        run: split_pkg_key,
    },
    Op {
        name: "fleet.has_breaking_changes",
        summary: "hasBreakingChanges: a breaking change in (from, to] of a changelog.",
        run: has_breaking_changes,
    },
    Op {
        name: "fleet.breaking_changes",
        summary: "The changelog entries with breaking changes between two versions, newest first.",
        run: breaking_changes,
    },
];

/// `package.load` — args `path` (string): a package directory (integrations-repository layout),
/// a `.zip` as the registry serves it (top folder `<name>-<version>/`), or a `.json` file with the
/// registry's package info. Result: PackageInfo.
/// Errors: `PACKAGE_NOT_FOUND`, `INVALID_PACKAGE`, `INVALID_YAML`, `INVALID_ARCHIVE`,
/// `LIMIT_EXCEEDED`, `IO_ERROR`.
fn load(args: &Args<'_>) -> Result<Value> {
    let path = args.str("path")?;
    super::load_path(Path::new(path))
}

/// `package.changelog` — args `path`. Result: the parsed `changelog.yml` or `null`.
fn changelog(args: &Args<'_>) -> Result<Value> {
    let path = args.str("path")?;
    Ok(super::load_changelog(Path::new(path))?.unwrap_or(Value::Null))
}

/// `package.agent_templates` — args `path` (directory or `.zip`). Result: an object from each
/// agent template's path inside the package (`agent/input/…`, `data_stream/<ds>/agent/stream/…`)
/// to its text, in archive order.
fn agent_templates(args: &Args<'_>) -> Result<Value> {
    let path = args.str("path")?;
    super::load_agent_templates(Path::new(path)).map(Value::Object)
}

/// `package.from_registry_json` — args `info` (object). Result: PackageInfo. Errors point under
/// `/info`.
fn from_registry_json(args: &Args<'_>) -> Result<Value> {
    let info = args.value("info")?;
    super::from_registry_json(info)
}

fn opt_version<'a>(args: &Args<'a>, name: &str) -> Result<Option<&'a str>> {
    args.opt_str(name)
}

/// `package.update_available` — args `installed?`, `latest?` (the registry's latest compatible
/// version), `viewed?` (the version being looked at), `policy_version?`. Result
/// `{latest_version, update_available, is_viewing_old_package, policy_upgradeable?}`.
fn update_available(args: &Args<'_>) -> Result<Value> {
    let u = versions::update_available(
        opt_version(args, "installed")?,
        opt_version(args, "latest")?,
        opt_version(args, "viewed")?,
        opt_version(args, "policy_version")?,
    )?;
    Ok(versions::update_info_json(&u))
}

/// `package.choose_target` — args `versions` (array of version strings or registry entries with
/// `version`, `conditions`, `license`), `installed?`, `same_major?` (false), `range?`,
/// `kibana_version?`, `subscription?` (`basic`), `prerelease?` (false), `prerelease_rule?`
/// (`"registry"`: major 0 or a prerelease tag, as the registry's search; `"semver"`: a prerelease
/// tag only, as Kibana's `pickRegistryTarget`). Result `{version, entry,
/// rejected: [{version, code, reason}]}` with `version`/`entry` null when nothing is eligible.
fn choose_target(args: &Args<'_>) -> Result<Value> {
    let entries = args.array("versions")?;
    let q = TargetQuery {
        installed: args.opt_str("installed")?,
        same_major: args.opt_bool("same_major")?.unwrap_or(false),
        range: args.opt_str("range")?,
        kibana_version: args.opt_str("kibana_version")?,
        subscription: args.opt_str("subscription")?,
        prerelease: args.opt_bool("prerelease")?.unwrap_or(false),
        prerelease_rule: match args.opt_str("prerelease_rule")? {
            None | Some("registry") => PrereleaseRule::Registry,
            Some("semver") => PrereleaseRule::Semver,
            Some(other) => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "`prerelease_rule` must be \"registry\" or \"semver\", got \"{other}\""
                    ),
                )
                .at("/prerelease_rule"))
            }
        },
    };
    let c = versions::choose_target(entries, &q)?;
    Ok(json!({
        "version": c.version,
        "entry": c.entry.unwrap_or(Value::Null),
        "rejected": c.rejected,
    }))
}

/// `package.latest` — args `name?`, `registry?` (the registry search hits, newest first),
/// `bundled?` (the bundled package object), `registry_error?` (string: the registry call failed),
/// `airgapped?`, `or_throw?`. Result `{package, source}` with `source` `registry`, `bundled` or
/// `none`. With `or_throw` and nothing found: `PACKAGE_NOT_FOUND`.
fn latest(args: &Args<'_>) -> Result<Value> {
    let registry = match args.get("registry") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(a.as_slice()),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "argument `registry` must be an array",
            )
            .at("/registry"))
        }
    };
    let c = versions::latest_package(
        args.opt_str("name")?.unwrap_or("package"),
        registry,
        args.get("bundled"),
        args.opt_str("registry_error")?.is_some(),
        args.opt_bool("airgapped")?.unwrap_or(false),
        args.opt_bool("or_throw")?.unwrap_or(false),
    )?;
    Ok(json!({"package": c.package, "source": c.source}))
}

/// `fleet.is_package_prerelease` — args `version`. Result bool.
fn is_package_prerelease(args: &Args<'_>) -> Result<Value> {
    Ok(versions::is_package_prerelease(args.str("version")?).into())
}

/// `fleet.package_release_label` — args `version`. Result `ga`, `beta`, `rc` or `preview`.
fn package_release_label(args: &Args<'_>) -> Result<Value> {
    Ok(versions::package_release_label(args.str("version")?).into())
}

/// `fleet.split_pkg_key` — args `key`. Result `{pkgName, pkgVersion}`; `INVALID_ARGUMENT` for an
/// empty name, `INVALID_VERSION` for an invalid version.
fn split_pkg_key(args: &Args<'_>) -> Result<Value> {
    let (name, version) = versions::split_pkg_key(args.str("key")?)?;
    Ok(json!({"pkgName": name, "pkgVersion": version}))
}

/// The changelog argument: parsed JSON, or `changelog.yml` text.
fn changelog_arg(args: &Args<'_>) -> Result<Value> {
    match args.value("changelog")? {
        Value::String(text) => {
            crate::yaml::parse_named(text, "changelog.yml").map_err(|e| e.under("/changelog"))
        }
        other => Ok(other.clone()),
    }
}

/// `fleet.has_breaking_changes` — args `changelog` (parsed changelog.yml, or its text), `from`,
/// `to`. Result bool: an entry with a valid version in (from, to] has a `breaking-change`.
fn has_breaking_changes(args: &Args<'_>) -> Result<Value> {
    let changelog = changelog_arg(args)?;
    Ok(versions::has_breaking_changes(&changelog, args.str("from")?, args.str("to")?)?.into())
}

/// `fleet.breaking_changes` — args `changelog`, `from?`, `to`, `inclusive_from?` (false; true is
/// the upgrade callout's [installed, latest] window). Result: the entries (only their breaking
/// changes kept), newest first.
fn breaking_changes(args: &Args<'_>) -> Result<Value> {
    let changelog = changelog_arg(args)?;
    let entries = versions::breaking_changes(
        &changelog,
        args.opt_str("from")?,
        args.str("to")?,
        args.opt_bool("inclusive_from")?.unwrap_or(false),
    )?;
    Ok(Value::Array(entries))
}

/// Package, integration, agentless context, version override.
type ReleaseArgs<'a> = (Option<&'a Value>, Option<&'a str>, bool, Option<&'a str>);

/// Arguments shared by the agentless release operations: `package_info?`,
/// `integration_to_enable?`, `options?` `{isAgentlessContext?, version?}`.
fn release_args<'a>(a: &Args<'a>) -> Result<ReleaseArgs<'a>> {
    let pkg = a.get("package_info").filter(|v| !v.is_null());
    let integration = a.opt_str("integration_to_enable")?;
    let options = a.get("options").filter(|v| !v.is_null());
    let context = options
        .and_then(|o| o.get("isAgentlessContext"))
        .is_some_and(|v| crate::policy::js::truthy(Some(v)));
    let version = options
        .and_then(|o| o.get("version"))
        .and_then(Value::as_str);
    Ok((pkg, integration, context, version))
}

fn agentless_override(a: &Args<'_>) -> Result<Value> {
    let (pkg, integration, context, _) = release_args(a)?;
    Ok(
        versions::agentless_release_override(pkg, integration, context)
            .map_or(Value::Null, Value::String),
    )
}

fn effective_release(a: &Args<'_>) -> Result<Value> {
    let (pkg, integration, context, version) = release_args(a)?;
    Ok(Value::String(versions::resolve_effective_release(
        pkg,
        integration,
        context,
        version,
    )))
}
