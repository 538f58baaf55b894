//! [`Version`]: node-semver's `SemVer` class (parse, precedence, formatting).

use std::cmp::Ordering;
use std::fmt;

use super::scan::{is_js_space, js_trim, Text};
use super::Options;
use crate::error::{Error, ErrorKind, Result};

/// node-semver's `MAX_LENGTH`: longer version strings are invalid.
pub const MAX_LENGTH: usize = 256;
/// JavaScript's `Number.MAX_SAFE_INTEGER` (2^53 − 1): the largest valid version component.
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// One prerelease or build identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// An all-digit prerelease identifier below 2^53 − 1 (node-semver turns these into numbers).
    Numeric(u64),
    /// Any other identifier (including all-digit ones too big for a JavaScript number).
    Text(Box<str>),
}

impl Identifier {
    /// node-semver's `numeric.test(id)`: all digits (numbers always are).
    fn is_numeric(&self) -> bool {
        match self {
            Identifier::Numeric(_) => true,
            Identifier::Text(s) => !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()),
        }
    }

    /// The value JavaScript's `+id` gives (rounded for huge digit strings).
    fn as_f64(&self) -> f64 {
        match self {
            // Exact: numeric identifiers are below 2^53.
            Identifier::Numeric(n) => *n as f64,
            Identifier::Text(s) => crate::js::parse_f64(s).unwrap_or(f64::NAN),
        }
    }

    fn text_bytes(&self) -> Option<&[u8]> {
        match self {
            Identifier::Numeric(_) => None,
            Identifier::Text(s) => Some(s.as_bytes()),
        }
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identifier::Numeric(n) => write!(f, "{n}"),
            Identifier::Text(s) => f.write_str(s),
        }
    }
}

/// `compareIdentifiers`: numerics compare as JavaScript numbers (so digit strings above 2^53
/// compare by their rounded value), numerics sort before text, text compares by code unit.
pub(crate) fn compare_identifiers(a: &Identifier, b: &Identifier) -> Ordering {
    if let (Identifier::Numeric(x), Identifier::Numeric(y)) = (a, b) {
        return x.cmp(y);
    }
    let (an, bn) = (a.is_numeric(), b.is_numeric());
    if an && bn {
        return a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(Ordering::Equal);
    }
    match (an, bn) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        // Both text here; identifiers are ASCII, so bytes order as UTF-16 code units do.
        _ => a.text_bytes().cmp(&b.text_bytes()),
    }
}

/// Walks two identifier lists the way `comparePre`/`compareBuild` do: identical entries are
/// skipped, the first differing pair decides (even when `compareIdentifiers` calls it a tie),
/// and a list that runs out first is lower.
fn compare_lists(a: &[Identifier], b: &[Identifier]) -> Ordering {
    let mut i = 0;
    loop {
        match (a.get(i), b.get(i)) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(x), Some(y)) if x == y => i += 1,
            (Some(x), Some(y)) => return compare_identifiers(x, y),
        }
    }
}

/// A version with node-semver 7.8.5 semantics.
///
/// The [`semver`] crate's `Version` cannot stand in for this type: it has no loose syntax
/// (`=1.2.3`, `01.2.3`, `1.2.3beta`), accepts components above 2^53 − 1 that node-semver rejects,
/// and compares huge numeric prerelease identifiers exactly where node-semver compares their
/// rounded JavaScript values. [`Version::to_semver`] converts for interoperability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    /// Major component (≤ 2^53 − 1 when parsed).
    pub major: u64,
    /// Minor component.
    pub minor: u64,
    /// Patch component.
    pub patch: u64,
    /// Prerelease identifiers (empty when none).
    pub prerelease: Vec<Identifier>,
    /// Build identifiers, always text (empty when none). Ignored by precedence.
    pub build: Vec<Box<str>>,
}

impl Version {
    /// `new SemVer(text, options)`: parses a version (trimmed; a leading `v` is allowed; loose
    /// mode also allows `=`, inner whitespace, leading zeros and a prerelease without a hyphen).
    ///
    /// # Errors
    /// `INVALID_VERSION` when the text is longer than 256 UTF-16 code units, does not match the
    /// grammar, or has a component above 2^53 − 1.
    pub fn parse(text: &str, options: Options) -> Result<Version> {
        Self::parse_loose(text, options.loose).ok_or_else(|| invalid_version(text))
    }

    pub(crate) fn parse_loose(text: &str, loose: bool) -> Option<Version> {
        if let Some(v) = Self::parse_plain(text.as_bytes(), loose) {
            return Some(v);
        }
        Self::parse_general(text, loose)
    }

    /// Fast path for the overwhelmingly common `[v]MAJOR.MINOR.PATCH` (no whitespace, no
    /// prerelease, no build, no leading zeros, at most 15 digits a component): the answer is the
    /// same as the general path's, without its scanning. `None` means "use the general path".
    fn parse_plain(b: &[u8], loose: bool) -> Option<Version> {
        let mut i = usize::from(!loose && b.first() == Some(&b'v'));
        let mut parts = [0u64; 3];
        for (k, part) in parts.iter_mut().enumerate() {
            let start = i;
            let mut n = 0u64;
            while let Some(&c) = b.get(i) {
                if !c.is_ascii_digit() {
                    break;
                }
                n = n * 10 + u64::from(c - b'0');
                i += 1;
                if i - start > 15 {
                    return None;
                }
            }
            let len = i - start;
            if len == 0 || (len > 1 && b.get(start) == Some(&b'0')) {
                return None;
            }
            *part = n;
            if k < 2 {
                if b.get(i) != Some(&b'.') {
                    return None;
                }
                i += 1;
            }
        }
        (i == b.len()).then(|| Version::new(parts[0], parts[1], parts[2]))
    }

    fn parse_general(text: &str, loose: bool) -> Option<Version> {
        // Byte length bounds UTF-16 length from above, so only long inputs need counting.
        if text.len() > MAX_LENGTH && text.encode_utf16().count() > MAX_LENGTH {
            return None;
        }
        let t = js_trim(text);
        let body = if loose {
            t.trim_start_matches(|c: char| c == 'v' || c == '=' || is_js_space(c))
        } else {
            // Strict mode's optional `v` is part of the `FULLPLAIN` grammar `plain` matches.
            t
        };
        let x = Text::new(body);
        let m = x.plain_until(0, loose, |e| e == x.b.len())?;
        let major = component(x.span(m.main[0]))?;
        let minor = component(x.span(m.main[1]))?;
        let patch = component(x.span(m.main[2]))?;
        let prerelease = m
            .pre
            .map(|p| x.span(p).split('.').map(prerelease_identifier).collect())
            .unwrap_or_default();
        let build = m
            .build
            .map(|p| x.span(p).split('.').map(Box::from).collect())
            .unwrap_or_default();
        Some(Version {
            major,
            minor,
            patch,
            prerelease,
            build,
        })
    }

    /// A version without prerelease or build.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            major,
            minor,
            patch,
            prerelease: Vec::new(),
            build: Vec::new(),
        }
    }

    /// `compareMain`: major, minor, patch only.
    pub fn compare_main(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }

    /// `comparePre`: prerelease only (no prerelease sorts above any prerelease).
    pub fn compare_pre(&self, other: &Version) -> Ordering {
        match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
            (true, true) => Ordering::Equal,
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            (false, false) => compare_lists(&self.prerelease, &other.prerelease),
        }
    }

    /// `compare`: SemVer precedence; build metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.compare_main(other)
            .then_with(|| self.compare_pre(other))
    }

    /// `compareBuild`: precedence, then build identifiers (no build sorts lowest).
    pub fn compare_build(&self, other: &Version) -> Ordering {
        self.compare(other).then_with(|| {
            let a: Vec<Identifier> = self
                .build
                .iter()
                .map(|b| Identifier::Text(b.clone()))
                .collect();
            let b: Vec<Identifier> = other
                .build
                .iter()
                .map(|b| Identifier::Text(b.clone()))
                .collect();
            compare_lists(&a, &b)
        })
    }

    /// Converts to the [`semver`] crate's type (for callers that use it). Fails when an
    /// identifier is not valid there (e.g. a loose-mode leading-zero build identifier is fine,
    /// but nothing else is lost).
    pub fn to_semver(&self) -> Option<semver::Version> {
        let mut v = semver::Version::new(self.major, self.minor, self.patch);
        if !self.prerelease.is_empty() {
            let pre: Vec<String> = self.prerelease.iter().map(|i| i.to_string()).collect();
            v.pre = semver::Prerelease::new(&pre.join(".")).ok()?;
        }
        if !self.build.is_empty() {
            v.build = semver::BuildMetadata::new(&self.build.join(".")).ok()?;
        }
        Some(v)
    }
}

/// `version` in node-semver: `major.minor.patch[-prerelease]` (no `v`, no build).
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.prerelease.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

/// `+digits` checked against `MAX_SAFE_INTEGER` (leading zeros allowed: loose mode).
fn component(digits: &str) -> Option<u64> {
    let d = digits.trim_start_matches('0');
    if d.len() > 16 {
        return None;
    }
    let n = if d.is_empty() {
        0
    } else {
        d.parse::<u64>().ok()?
    };
    (n <= MAX_SAFE_INTEGER).then_some(n)
}

/// node-semver numberifies an all-digit prerelease identifier when `0 <= n < MAX_SAFE_INTEGER`.
fn prerelease_identifier(id: &str) -> Identifier {
    if !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit()) {
        let d = id.trim_start_matches('0');
        if d.len() <= 16 {
            if let Ok(n) = if d.is_empty() {
                Ok(0)
            } else {
                d.parse::<u64>()
            } {
                if n < MAX_SAFE_INTEGER {
                    return Identifier::Numeric(n);
                }
            }
        }
    }
    Identifier::Text(id.into())
}

/// Shortens user input for messages (bounded, valid UTF-8).
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX).collect();
    format!("{head}… ({} characters)", s.chars().count())
}

pub(crate) fn invalid_version(text: &str) -> Error {
    let message = if text.encode_utf16().count() > MAX_LENGTH {
        format!(
            "Invalid Version: {} exceeds the {MAX_LENGTH}-character limit",
            excerpt(text)
        )
    } else {
        format!("Invalid Version: {}", excerpt(text))
    };
    Error::new(ErrorKind::InvalidVersion, message)
}
