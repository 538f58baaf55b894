//! node-semver 7.8.5 versions and ranges: what Kibana Fleet uses for every version decision.
//!
//! Typed API: [`Version`], [`Range`], [`Comparator`]. The free functions mirror node-semver's
//! (`valid`, `compare`, `satisfies`, `minVersion`, `maxSatisfying`, `gtr`/`ltr`, `intersects`)
//! with its exact semantics, including loose mode, `includePrerelease`, the prerelease
//! exclusion rule, canonical range strings and the 256-character / 2^53 − 1 limits.
//!
//! Why not the [`semver`] crate: it implements Cargo's requirement syntax (comma-AND, bare
//! version = caret, no `||`, no hyphen ranges, no loose syntax) and different prerelease
//! matching, so none of the range side can be delegated. Its `Version` is close but not equal
//! (see [`Version`]); [`Version::to_semver`] converts for callers that use it.
//!
//! Parsing is a hand-written linear scanner (module `scan`) that reproduces what node-semver's
//! regular expressions match, so no input can trigger backtracking blow-ups: 500,000-space
//! ranges parse in microseconds. Parsed ranges are cached per thread (bounded), as node-semver
//! caches them.
//!
//! # Example
//! ```
//! use fleetup_core::version::{satisfies, valid_range, Options};
//! let o = Options::default();
//! assert!(satisfies("9.1.0", "^8.13.0 || ^9.0.0", o));
//! assert!(!satisfies("9.1.0-SNAPSHOT", "^8.13.0 || ^9.0.0", o));
//! assert_eq!(valid_range("^8.13.0 || ^9.0.0", o).as_deref(), Some(">=8.13.0 <9.0.0-0||>=9.0.0 <10.0.0-0"));
//! ```

use std::cmp::Ordering;

pub mod cache;
pub mod ops;
mod range;
mod scan;
mod ver;

pub use range::{Comparator, Operator, Range, MAX_RANGE_LENGTH};
pub use ver::{Identifier, Version, MAX_LENGTH, MAX_SAFE_INTEGER};

use crate::error::{Error, ErrorKind, Result};
pub(crate) use ver::invalid_version;

/// node-semver's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Options {
    /// Accept loose syntax (`=1.2.3`, `01.2.3`, `1.2.3beta`); drop unparseable comparators in ranges.
    pub loose: bool,
    /// Let prerelease versions satisfy ranges without a same-tuple prerelease comparator.
    pub include_prerelease: bool,
}

impl Options {
    /// Loose parsing only.
    pub const LOOSE: Options = Options {
        loose: true,
        include_prerelease: false,
    };
}

fn version(v: &str, options: Options) -> Result<Version> {
    Version::parse(v, options)
}

/// `semver.parse`: the parsed version, or `None` when invalid.
pub fn parse(version: &str, options: Options) -> Option<Version> {
    Version::parse_loose(version, options.loose)
}

/// `semver.valid`: the normalised version string (`v1.2.3+b` → `1.2.3`), or `None` when invalid.
pub fn valid(version: &str, options: Options) -> Option<String> {
    parse(version, options).map(|v| v.to_string())
}

/// `semver.prerelease`: the prerelease identifiers, or `None` when there are none or the
/// version is invalid.
pub fn prerelease(version: &str, options: Options) -> Option<Vec<Identifier>> {
    parse(version, options)
        .map(|v| v.prerelease)
        .filter(|p| !p.is_empty())
}

/// Compares two versions by SemVer precedence (build metadata ignored).
///
/// # Errors
/// `INVALID_VERSION` when either is not a valid version.
pub fn compare(a: &str, b: &str, options: Options) -> Result<Ordering> {
    Ok(version(a, options)?.compare(&version(b, options)?))
}

/// `semver.compareBuild`: precedence, then build metadata.
///
/// # Errors
/// `INVALID_VERSION` when either is not a valid version.
pub fn compare_build(a: &str, b: &str, options: Options) -> Result<Ordering> {
    Ok(version(a, options)?.compare_build(&version(b, options)?))
}

/// `SemVer.compareMain`: major, minor and patch only.
///
/// # Errors
/// `INVALID_VERSION` when either is not a valid version.
pub fn compare_main(a: &str, b: &str, options: Options) -> Result<Ordering> {
    Ok(version(a, options)?.compare_main(&version(b, options)?))
}

/// `SemVer.comparePre`: prerelease identifiers only.
///
/// # Errors
/// `INVALID_VERSION` when either is not a valid version.
pub fn compare_pre(a: &str, b: &str, options: Options) -> Result<Ordering> {
    Ok(version(a, options)?.compare_pre(&version(b, options)?))
}

/// Whether `version` satisfies `range`. Never fails: invalid input gives `false`.
pub fn satisfies(version: &str, range: &str, options: Options) -> bool {
    // Parse the version first: it is cheaper and often decides alone.
    let Some(v) = Version::parse_loose(version, options.loose) else {
        return false;
    };
    cache::range(range, options).is_ok_and(|r| r.test(&v))
}

/// `semver.coerce(text)` with default options: the first run of up to three dot-separated
/// numbers (at most 16 digits each) not touching other digits, as `major.minor.patch` with
/// missing parts `0`; `None` when there is none or a part overflows.
///
/// # Example
/// ```
/// assert_eq!(fleetup_core::version::coerce("v9.3.1-SNAPSHOT").as_deref(), Some("9.3.1"));
/// assert_eq!(fleetup_core::version::coerce("agent 8").as_deref(), Some("8.0.0"));
/// ```
pub fn coerce(text: &str) -> Option<String> {
    if text.len() > MAX_LENGTH {
        return None;
    }
    let b = text.as_bytes();
    let digits_at = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // Greedy parts of 1-16 digits, as the regex `(\d{1,16})(?:\.(\d{1,16}))?{0,2}` then
        // `(?:$|[^\d])` reads them, backtracking to fewer parts when the boundary fails.
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        loop {
            let n = digits_at(j).min(16);
            parts.push((j, n));
            let end = j + n;
            if parts.len() == 3 || end >= b.len() || b[end] != b'.' || digits_at(end + 1) == 0 {
                break;
            }
            j = end + 1;
        }
        while let Some(&(start, n)) = parts.last() {
            let end = start + n;
            if end >= b.len() || !b[end].is_ascii_digit() {
                let num = |k: usize| {
                    parts
                        .get(k)
                        .map_or(Some(0), |&(s, n)| text[s..s + n].parse::<u64>().ok())
                };
                let (major, minor, patch) = (num(0)?, num(1)?, num(2)?);
                // node-semver rejects parts above Number.MAX_SAFE_INTEGER.
                if [major, minor, patch]
                    .iter()
                    .any(|&p| p > 9_007_199_254_740_991)
                {
                    return None;
                }
                return Some(format!("{major}.{minor}.{patch}"));
            }
            parts.pop();
        }
        i += 1;
    }
    None
}

/// `semver.validRange`: the canonical range string (`*` for any), or `None` when invalid.
pub fn valid_range(range: &str, options: Options) -> Option<String> {
    let r = cache::range(range, options).ok()?;
    let s = r.to_string();
    Some(if s.is_empty() { "*".to_string() } else { s })
}

/// `semver.minVersion`: the lowest version that satisfies `range`, or `None` when none does.
///
/// # Errors
/// `INVALID_RANGE` when the range is invalid, or in the corner cases where node-semver itself
/// throws while searching (see [`min_version_of`]); `LIMIT_EXCEEDED` over [`MAX_RANGE_LENGTH`].
pub fn min_version(range: &str, options: Options) -> Result<Option<Version>> {
    let r = cache::range(range, options)?;
    min_version_of(&r)
}

/// [`min_version`] on a parsed range.
///
/// # Errors
/// Where node-semver throws: it clones each comparator's version by re-parsing its text
/// strictly (a loose-only form such as the prerelease `09007199254740993` fails), and it tests
/// its candidate with the range's options, which re-parses the candidate when those options
/// are not the defaults (a patch pushed past 2^53 − 1 by `>` then fails).
pub fn min_version_of(r: &Range) -> Result<Option<Version>> {
    for candidate in [Version::new(0, 0, 0), zero_pre()] {
        if r.test(&candidate) {
            return Ok(Some(candidate));
        }
    }
    let mut min: Option<Version> = None;
    for set in r.sets() {
        let mut set_min: Option<Version> = None;
        for c in set {
            let Some(v) = c.version() else { continue };
            let text = v.to_string();
            let mut v = Version::parse_loose(&text, false).ok_or_else(|| {
                Error::new(ErrorKind::InvalidRange, format!("Invalid Version: {text}"))
            })?;
            match c.operator() {
                Operator::Gt => {
                    if v.prerelease.is_empty() {
                        v.patch += 1;
                    } else {
                        v.prerelease.push(Identifier::Numeric(0));
                    }
                }
                Operator::Eq | Operator::Gte => {}
                Operator::Lt | Operator::Lte => continue,
            }
            if set_min
                .as_ref()
                .is_none_or(|m| v.compare(m) == Ordering::Greater)
            {
                set_min = Some(v);
            }
        }
        if let Some(s) = set_min {
            if min
                .as_ref()
                .is_none_or(|m| m.compare(&s) == Ordering::Greater)
            {
                min = Some(s);
            }
        }
    }
    let Some(m) = min else { return Ok(None) };
    if r.options() != Options::default() && m.patch > MAX_SAFE_INTEGER {
        return Err(Error::new(
            ErrorKind::InvalidRange,
            format!("Invalid patch version: {m}"),
        ));
    }
    Ok(r.test(&m).then_some(m))
}

fn zero_pre() -> Version {
    Version {
        prerelease: vec![Identifier::Numeric(0)],
        ..Version::new(0, 0, 0)
    }
}

/// `semver.maxSatisfying`: the highest of `versions` that satisfies `range` (returned as
/// given, not normalised), or `None` when none does or the range is invalid. Invalid versions
/// are skipped.
pub fn max_satisfying<'a, I>(versions: I, range: &str, options: Options) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let r = cache::range(range, options).ok()?;
    let mut best: Option<(&'a str, Version)> = None;
    for text in versions {
        let Some(v) = Version::parse_loose(text, options.loose) else {
            continue;
        };
        if !r.test(&v) {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(_, b)| b.compare(&v) == Ordering::Less)
        {
            best = Some((text, v));
        }
    }
    best.map(|(t, _)| t)
}

/// Which side [`outside`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    High,
    Low,
}

/// `semver.gtr`: whether `version` is greater than every version `range` allows.
///
/// # Errors
/// `INVALID_VERSION` / `INVALID_RANGE` for invalid input.
pub fn gtr(version: &str, range: &str, options: Options) -> Result<bool> {
    outside(version, range, Side::High, options)
}

/// `semver.ltr`: whether `version` is lower than every version `range` allows.
///
/// # Errors
/// `INVALID_VERSION` / `INVALID_RANGE` for invalid input.
pub fn ltr(version: &str, range: &str, options: Options) -> Result<bool> {
    outside(version, range, Side::Low, options)
}

fn outside(version: &str, range: &str, side: Side, options: Options) -> Result<bool> {
    let v = Version::parse_loose(version, options.loose).ok_or_else(|| invalid_version(version))?;
    let r = cache::range(range, options)?;
    if r.test(&v) {
        return Ok(false);
    }
    // Written as for gtr; ltr flips every comparison.
    let (gt, lt) = match side {
        Side::High => (Ordering::Greater, Ordering::Less),
        Side::Low => (Ordering::Less, Ordering::Greater),
    };
    let (comp, ecomp) = match side {
        Side::High => (Operator::Gt, Operator::Gte),
        Side::Low => (Operator::Lt, Operator::Lte),
    };
    let zero = Comparator::new(Operator::Gte, Version::new(0, 0, 0));
    for set in r.sets() {
        let mut high: Option<&Comparator> = None;
        let mut low: Option<&Comparator> = None;
        for c in set {
            let c = if c.is_any() { &zero } else { c };
            let h = *high.get_or_insert(c);
            let l = *low.get_or_insert(c);
            let cv = c.version();
            if cmp_opt(cv, h.version()) == gt {
                high = Some(c);
            } else if cmp_opt(cv, l.version()) == lt {
                low = Some(c);
            }
        }
        let (Some(high), Some(low)) = (high, low) else {
            continue;
        };
        if high.operator() == comp || high.operator() == ecomp {
            return Ok(false);
        }
        let vs_low = cmp_opt(Some(&v), low.version());
        if (low.operator() == Operator::Eq || low.operator() == comp) && vs_low != gt {
            // ltefn: lte for gtr, gte for ltr.
            return Ok(false);
        } else if low.operator() == ecomp && vs_low == lt {
            return Ok(false);
        }
    }
    Ok(true)
}

fn cmp_opt(a: Option<&Version>, b: Option<&Version>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.compare(b),
        _ => Ordering::Equal,
    }
}

/// `semver.intersects`: whether some version satisfies both ranges.
///
/// # Errors
/// `INVALID_RANGE` when either range is invalid.
pub fn intersects(range1: &str, range2: &str, options: Options) -> Result<bool> {
    let a = cache::range(range1, options)?;
    let b = cache::range(range2, options)?;
    a.intersects(&b, options)
}
