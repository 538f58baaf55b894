//! node-semver 7.8.5 versions and ranges: what Kibana Fleet uses for every version decision.
//!
//! PLACEHOLDER FACADE: the signatures below are the module's public API that other modules and
//! the bindings call. The bodies are a temporary stand-in (strict SemVer via the `semver` crate)
//! until the node-semver implementation replaces them.

use std::cmp::Ordering;

use crate::error::{Error, ErrorKind, Result};

pub mod ops;

/// node-semver's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Accept loose syntax (`=1.2.3`, `01.2.3`, `1.2.3beta`); drop unparseable comparators in ranges.
    pub loose: bool,
    /// Let prerelease versions satisfy ranges without a same-tuple prerelease comparator.
    pub include_prerelease: bool,
}

fn parse(v: &str) -> Result<semver::Version> {
    let t = v.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    semver::Version::parse(t)
        .map_err(|_| Error::new(ErrorKind::InvalidVersion, format!("Invalid Version: {v}")))
}

/// Compares two versions by SemVer precedence (build metadata ignored).
///
/// # Errors
/// `INVALID_VERSION` when either is not a valid version.
pub fn compare(a: &str, b: &str, _options: Options) -> Result<Ordering> {
    Ok(parse(a)?.cmp_precedence(&parse(b)?))
}

/// Whether `version` satisfies `range`. Never fails: invalid input gives `false`.
pub fn satisfies(version: &str, range: &str, _options: Options) -> bool {
    let Ok(v) = parse(version) else { return false };
    range.split("||").any(|set| {
        semver::VersionReq::parse(&set.split_whitespace().collect::<Vec<_>>().join(", "))
            .is_ok_and(|r| r.matches(&v))
    })
}

/// The normalised version string, or `None` when invalid.
pub fn valid(version: &str, _options: Options) -> Option<String> {
    parse(version).ok().map(|v| {
        let mut v = v;
        v.build = semver::BuildMetadata::EMPTY;
        v.to_string()
    })
}
