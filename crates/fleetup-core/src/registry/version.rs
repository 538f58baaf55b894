//! Versions as the package registry's semver library (Masterminds/semver v3.4.0) reads them.
//!
//! Two parsers exist there and both are reproduced: `NewVersion` (the coercing one the registry
//! applies to the `kibana.version` query parameter) and `StrictNewVersion` (applied to package
//! versions). Error messages are the library's own wording, so they can be compared with what the
//! registry logs.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// A version in the registry's flavour: `major.minor.patch`, an optional prerelease and optional
/// build metadata.
///
/// Differences from node-semver's versions (see `docs/VERSIONS.md`):
/// - numbers are unsigned 64-bit (node-semver caps at 2^53−1);
/// - a prerelease identifier made of digits that does not fit in 64 bits is compared as text;
/// - [`Version::parse_coerce`] accepts `v1.2`, `1`, `01.2.3`, which node-semver's strict parser
///   rejects, while [`Version::parse_strict`] rejects even `v1.2.3`, which node-semver accepts.
///
/// Equality of this type (`==`) is structural (build metadata included); ordering by precedence,
/// which ignores build metadata, is [`Version::compare`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    build: String,
}

/// Go's `\s`: ASCII space, tab, newline, form feed and carriage return (not vertical tab).
pub(crate) fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

/// A character of a prerelease or build identifier: `[0-9A-Za-z-]`.
pub(crate) fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// The spans of one version-shaped token, found by the deterministic automaton behind the
/// library's version pattern `v?N(.N)?(.N)?(-ID(.ID)*)?(+ID(.ID)*)?`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Spans {
    /// Start of the token (the `v`, if any).
    pub start: usize,
    /// End of the token (exclusive).
    pub end: usize,
    pub major: (usize, usize),
    pub minor: Option<(usize, usize)>,
    pub patch: Option<(usize, usize)>,
    /// The prerelease without its `-`.
    pub pre: Option<(usize, usize)>,
    /// The build metadata without its `+`.
    pub build: Option<(usize, usize)>,
}

impl Spans {
    /// The prerelease text, or "" when there is none.
    pub fn pre_str<'a>(&self, text: &'a str) -> &'a str {
        self.pre.and_then(|(s, e)| text.get(s..e)).unwrap_or("")
    }
}

/// Scans the longest version-shaped token at `start` whose number segments consist of bytes
/// accepted by `num`. Returns `None` when the scan stops in a non-accepting state (for example
/// after a trailing `.` or `-`); the caller decides what may follow the token.
///
/// The pattern is deterministic (each byte has at most one continuation), so the longest munch is
/// the only candidate a backtracking matcher could accept whenever the byte after the token is
/// not itself a token byte.
pub(crate) fn scan_token(b: &[u8], start: usize, num: fn(u8) -> bool) -> Option<Spans> {
    let at = |i: usize| b.get(i).copied();
    let mut i = start;
    if at(i) == Some(b'v') {
        i += 1;
    }
    fn run(b: &[u8], mut i: usize, pred: fn(u8) -> bool) -> usize {
        while b.get(i).copied().is_some_and(pred) {
            i += 1;
        }
        i
    }
    let major_start = i;
    i = run(b, i, num);
    if i == major_start {
        return None;
    }
    let mut spans = Spans {
        start,
        major: (major_start, i),
        ..Spans::default()
    };
    // Up to two `.N` segments.
    for slot in 0..2 {
        if at(i) != Some(b'.') {
            break;
        }
        let s = i + 1;
        let e = run(b, s, num);
        if e == s {
            return None; // a dot that starts no segment
        }
        if slot == 0 {
            spans.minor = Some((s, e));
        } else {
            spans.patch = Some((s, e));
        }
        i = e;
    }
    // Dot-separated identifier lists after `-` and `+`.
    let idents = |mut i: usize| -> Option<usize> {
        loop {
            let s = i;
            i = run(b, i, is_ident);
            if i == s {
                return None;
            }
            if at(i) == Some(b'.') {
                i += 1;
            } else {
                return Some(i);
            }
        }
    };
    if at(i) == Some(b'-') {
        let e = idents(i + 1)?;
        spans.pre = Some((i + 1, e));
        i = e;
    }
    if at(i) == Some(b'+') {
        let e = idents(i + 1)?;
        spans.build = Some((i + 1, e));
        i = e;
    }
    spans.end = i;
    Some(spans)
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidVersion, reason)
}

const INVALID_SEMVER: &str = "invalid semantic version";

/// Parses an unsigned decimal number as Go's `strconv.ParseUint(s, 10, 64)` does: ASCII digits
/// only (leading zeros allowed, no sign), at most `u64::MAX`.
pub(crate) fn parse_u64(s: &str) -> std::result::Result<u64, &'static str> {
    if s.is_empty() {
        return Err(SYNTAX);
    }
    let mut n: u64 = 0;
    let mut overflow = false;
    for c in s.bytes() {
        if !c.is_ascii_digit() {
            return Err(SYNTAX);
        }
        // Go reports a non-digit anywhere as a syntax error even after an overflow.
        match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
        {
            Some(m) => n = m,
            None => overflow = true,
        }
    }
    if overflow {
        Err(RANGE)
    } else {
        Ok(n)
    }
}

const SYNTAX: &str = "invalid syntax";
const RANGE: &str = "value out of range";

fn strconv_error(s: &str, why: &str) -> String {
    format!("strconv.ParseUint: parsing {s:?}: {why}")
}

fn is_all_digits(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_digit())
}

/// The library's `validatePrerelease`: dot-separated, non-empty identifiers of `[0-9A-Za-z-]`,
/// numeric ones without leading zeros.
fn validate_prerelease(p: &str) -> std::result::Result<(), &'static str> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err("invalid prerelease string");
        } else if is_all_digits(part) {
            if part.len() > 1 && part.starts_with('0') {
                return Err("version segment starts with 0");
            }
        } else if !part.bytes().all(is_ident) {
            return Err("invalid prerelease string");
        }
    }
    Ok(())
}

/// The library's `validateMetadata`: dot-separated, non-empty identifiers of `[0-9A-Za-z-]`.
fn validate_metadata(m: &str) -> std::result::Result<(), &'static str> {
    if m.split('.')
        .all(|p| !p.is_empty() && p.bytes().all(is_ident))
    {
        Ok(())
    } else {
        Err("invalid metadata string")
    }
}

/// `NewVersion`'s number and prerelease checks on already-scanned segments, giving the numbers.
/// Segments must be non-empty digit strings to pass; the library would fail to re-parse anything
/// else. Allocates nothing on success.
pub(crate) fn check_segments(
    major: &str,
    minor: Option<&str>,
    patch: Option<&str>,
    pre: &str,
    build: &str,
) -> Result<(u64, u64, u64)> {
    let num = |s: &str| -> Result<u64> {
        parse_u64(s).map_err(|why| {
            if why == SYNTAX {
                invalid(INVALID_SEMVER)
            } else {
                invalid(format!(
                    "error parsing version segment: {}",
                    strconv_error(s, why)
                ))
            }
        })
    };
    let major = num(major)?;
    let minor = minor.map(num).transpose()?.unwrap_or(0);
    let patch = patch.map(num).transpose()?.unwrap_or(0);
    if !pre.is_empty() {
        validate_prerelease(pre).map_err(invalid)?;
    }
    if !build.is_empty() {
        validate_metadata(build).map_err(invalid)?;
    }
    Ok((major, minor, patch))
}

/// Builds a version from already-scanned segments (see [`check_segments`]).
pub(crate) fn from_segments(
    major: &str,
    minor: Option<&str>,
    patch: Option<&str>,
    pre: &str,
    build: &str,
) -> Result<Version> {
    let (major, minor, patch) = check_segments(major, minor, patch, pre, build)?;
    Ok(Version {
        major,
        minor,
        patch,
        pre: pre.to_owned(),
        build: build.to_owned(),
    })
}

impl Version {
    /// Builds a version from its parts (no validation; `pre`/`build` without `-`/`+`).
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, build: &str) -> Version {
        Version {
            major,
            minor,
            patch,
            pre: pre.to_owned(),
            build: build.to_owned(),
        }
    }

    /// The library's `NewVersion` with its defaults (`CoerceNewVersion = true`): what the registry
    /// applies to the Kibana version a client sends.
    ///
    /// Accepts a leading `v`, a missing minor or patch (`1.2` → `1.2.0`, `1` → `1.0.0`), leading
    /// zeros in the numbers (`01.02.03` → `1.2.3`) and a prerelease after a partial version
    /// (`1.2-beta` → `1.2.0-beta`). Surrounding whitespace is **not** accepted.
    ///
    /// # Errors
    /// `INVALID_VERSION` with the library's message: `invalid semantic version`,
    /// `version segment starts with 0` (a numeric prerelease identifier such as `01`), or
    /// `error parsing version segment: …` (a number above 2^64−1).
    ///
    /// # Example
    /// ```
    /// use fleetup_core::registry::Version;
    /// assert_eq!(Version::parse_coerce("v1.2").unwrap().to_string(), "1.2.0");
    /// assert!(Version::parse_coerce("1.2.3.4").is_err());
    /// ```
    pub fn parse_coerce(text: &str) -> Result<Version> {
        if let Some(v) = plain_release(text) {
            return Ok(v);
        }
        let b = text.as_bytes();
        let spans = match scan_token(b, 0, |c| c.is_ascii_digit()) {
            Some(s) if s.end == b.len() => s,
            _ => return Err(invalid(INVALID_SEMVER)),
        };
        let get = |(s, e): (usize, usize)| text.get(s..e).unwrap_or("");
        from_segments(
            get(spans.major),
            spans.minor.map(get),
            spans.patch.map(get),
            spans.pre.map(get).unwrap_or(""),
            spans.build.map(get).unwrap_or(""),
        )
    }

    /// The library's `StrictNewVersion`: exactly `MAJOR.MINOR.PATCH[-PRE][+BUILD]` as SemVer 2.0
    /// defines it, with no `v` and no leading zeros. The registry applies it to package versions.
    ///
    /// # Errors
    /// `INVALID_VERSION` with the library's message (`version string empty`,
    /// `invalid semantic version`, `invalid characters in version`,
    /// `version segment starts with 0`, `invalid prerelease string`, `invalid metadata string`,
    /// or a `strconv.ParseUint` message for an empty or too large number).
    ///
    /// # Example
    /// ```
    /// use fleetup_core::registry::Version;
    /// assert!(Version::parse_strict("1.2.3-rc.1").is_ok());
    /// assert_eq!(
    ///     Version::parse_strict("v1.2.3").unwrap_err().message(),
    ///     "invalid characters in version"
    /// );
    /// ```
    pub fn parse_strict(text: &str) -> Result<Version> {
        if text.is_empty() {
            return Err(invalid("version string empty"));
        }
        // Go's strings.SplitN(v, ".", 3): the third part keeps any further dots.
        let mut it = text.splitn(3, '.');
        let (Some(p0), Some(p1), Some(rest)) = (it.next(), it.next(), it.next()) else {
            return Err(invalid(INVALID_SEMVER));
        };
        let (rest, build) = match rest.split_once('+') {
            Some((r, m)) => {
                validate_metadata(m).map_err(invalid)?;
                (r, m)
            }
            None => (rest, ""),
        };
        let (p2, pre) = match rest.split_once('-') {
            Some((r, p)) => {
                validate_prerelease(p).map_err(invalid)?;
                (r, p)
            }
            None => (rest, ""),
        };
        for part in [p0, p1, p2] {
            if !is_all_digits(part) {
                return Err(invalid("invalid characters in version"));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(invalid("version segment starts with 0"));
            }
        }
        let num = |s: &str| parse_u64(s).map_err(|why| invalid(strconv_error(s, why)));
        Ok(Version {
            major: num(p0)?,
            minor: num(p1)?,
            patch: num(p2)?,
            pre: pre.to_owned(),
            build: build.to_owned(),
        })
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The prerelease without its `-`, or "" when there is none.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata without its `+`, or "" when there is none.
    pub fn build(&self) -> &str {
        &self.build
    }

    /// Precedence order as the library's `Version.Compare` defines it: numbers first, then a
    /// version without prerelease above one with, then prerelease identifiers one by one (numeric
    /// below alphanumeric, numbers by value, text by bytes, fewer identifiers first). Build
    /// metadata is ignored.
    ///
    /// # Example
    /// ```
    /// use fleetup_core::registry::Version;
    /// use std::cmp::Ordering;
    /// let a = Version::parse_coerce("1.6.0-preview9").unwrap();
    /// let b = Version::parse_coerce("1.6.0-preview10").unwrap();
    /// assert_eq!(a.compare(&b), Ordering::Greater); // identifiers compare as text
    /// ```
    pub fn compare(&self, other: &Version) -> Ordering {
        self.compare_parts(other.major, other.minor, other.patch, &other.pre)
    }

    /// [`Version::compare`] against a version given by its parts (build metadata is ignored).
    pub(crate) fn compare_parts(&self, major: u64, minor: u64, patch: u64, pre: &str) -> Ordering {
        self.major
            .cmp(&major)
            .then(self.minor.cmp(&minor))
            .then(self.patch.cmp(&patch))
            .then_with(|| match (self.pre.is_empty(), pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, pre),
            })
    }
}

/// Fast path for the common `MAJOR.MINOR.PATCH` made of digits only (what Kibana sends):
/// `None` sends anything else, including numbers too large for 64 bits, to the full parser.
fn plain_release(text: &str) -> Option<Version> {
    let mut nums = [0u64; 3];
    let mut slot = 0;
    let mut digits = 0;
    for c in text.bytes() {
        if c.is_ascii_digit() {
            let n = nums.get_mut(slot)?;
            *n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            digits += 1;
        } else if c == b'.' && digits > 0 && slot < 2 {
            slot += 1;
            digits = 0;
        } else {
            return None;
        }
    }
    if slot != 2 || digits == 0 {
        return None;
    }
    let [major, minor, patch] = nums;
    Some(Version {
        major,
        minor,
        patch,
        pre: String::new(),
        build: String::new(),
    })
}

/// The library's `comparePrerelease`, also used directly by `!=` on x-ranges (where one side may
/// be empty).
pub(crate) fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let mut sa = a.split('.');
    let mut sb = b.split('.');
    loop {
        match (sa.next(), sb.next()) {
            (None, None) => return Ordering::Equal,
            (x, y) => {
                let d = compare_pre_part(x.unwrap_or(""), y.unwrap_or(""));
                if d != Ordering::Equal {
                    return d;
                }
            }
        }
    }
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    // Identifiers are numeric only when they parse as a u64; longer digit strings compare as text.
    match (parse_u64(s).ok(), parse_u64(o).ok()) {
        (None, None) => {
            if s.as_bytes() > o.as_bytes() {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(si), Some(oi)) => {
            if si > oi {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

impl fmt::Display for Version {
    /// The library's `Version.String()`: no `v`, all three numbers, then `-pre` and `+build`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<Version>) -> String {
        match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("ERR {}", e.message()),
        }
    }

    #[test]
    fn coerce_and_strict() {
        assert_eq!(msg(Version::parse_coerce("01.02.03")), "1.2.3");
        assert_eq!(msg(Version::parse_coerce("1.2-beta.5")), "1.2.0-beta.5");
        assert_eq!(
            msg(Version::parse_coerce("18446744073709551616")),
            "ERR error parsing version segment: strconv.ParseUint: parsing \"18446744073709551616\": value out of range"
        );
        assert_eq!(
            msg(Version::parse_coerce(" 1.2.3")),
            "ERR invalid semantic version"
        );
        assert_eq!(
            msg(Version::parse_strict("1..3")),
            "ERR strconv.ParseUint: parsing \"\": invalid syntax"
        );
        assert_eq!(
            msg(Version::parse_strict("1.2.3+")),
            "ERR invalid metadata string"
        );
        assert_eq!(
            msg(Version::parse_strict("1.2.3-")),
            "ERR invalid prerelease string"
        );
        assert_eq!(msg(Version::parse_strict("")), "ERR version string empty");
    }

    #[test]
    fn prerelease_order() {
        let v = |s| Version::parse_coerce(s).unwrap();
        assert_eq!(
            v("1.0.0-beta.-3").compare(&v("1.0.0-beta.5")),
            Ordering::Greater
        );
        assert_eq!(v("1.0.0-a.1").compare(&v("1.0.0-a")), Ordering::Greater);
        assert_eq!(v("1.0.0+x").compare(&v("1.0.0+y")), Ordering::Equal);
        // A digit string beyond u64 is text, so it sorts above any number.
        assert_eq!(
            v("1.0.0-99999999999999999999").compare(&v("1.0.0-5")),
            Ordering::Greater
        );
    }
}
