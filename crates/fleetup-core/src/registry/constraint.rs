//! Constraints as the package registry's semver library (Masterminds/semver v3.4.0) reads them.
//!
//! The library parses with four regular expressions (hyphen-range rewrite, segment validation,
//! comparator search, comparator split). This module reproduces what those expressions accept
//! and extract with hand-written scanners that look at each byte a bounded number of times, so a
//! hostile constraint costs linear time. The checks below each comparator follow the library's
//! comparison functions one to one, including their quirks (see `docs/VERSIONS.md`).

use std::borrow::Cow;
use std::fmt;

use super::version::{
    check_segments, compare_prerelease, is_ident, is_ws, scan_token, Spans, Version,
};
use crate::error::{Error, ErrorKind, Result};

/// A byte of a constraint's version segment: the library's class `[0-9|x|X|\*]`, which (by a
/// quirk of the pattern) also admits `|`.
fn is_cnum(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'|' | b'x' | b'X' | b'*')
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// A parsed constraint: OR groups of AND-ed comparators.
///
/// Build one with [`Constraint::parse`]; test versions with [`Constraint::check`] (or
/// [`Constraint::validate`] for the reasons). Its `Display` is the library's
/// `Constraints.String()`.
///
/// It owns its (range-rewritten) text once and its comparators refer to it by position, so a
/// parse makes two allocations whatever the number of comparators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    text: Box<str>,
    /// All comparators, group after group (see [`Comparator::last_in_group`]).
    comparators: Vec<Comparator>,
}

/// The comparison a comparator performs (the library's `constraintOps` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `` and `=`: equality, or a tilde range when the version has wildcards.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    /// `~` and `~>`.
    Tilde,
    Caret,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparator {
    /// The operator as written (`=<` stays `=<`), for `Display`.
    op: &'static str,
    kind: Kind,
    /// Where the version text as written (`v1.x.5+b` stays so) lies in the constraint's text.
    orig: (usize, usize),
    /// The version compared against, with wildcards replaced by 0 (build metadata plays no
    /// part in any comparison, so it is not kept).
    major: u64,
    minor: u64,
    patch: u64,
    /// Where its prerelease lies in the text (an empty span when there is none).
    pre: (usize, usize),
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
    /// Some comparator of this one's AND group carries a prerelease: the whole group then
    /// admits prerelease versions (the library's `containsPre`).
    group_has_pre: bool,
    /// The last comparator of its AND group (the next one starts a new OR branch).
    last_in_group: bool,
}

/// Why a comparator rejected a version (turned into the library's message on demand, so that
/// [`Constraint::check`] never formats text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fail {
    Prerelease,
    Equal,
    LessOrEqual,
    GreaterOrEqual,
    Less,
    Greater,
    NotSameMajor,
    NotSameMajorMinor,
    NotEqual,
    CaretMinorZeroMajor,
    CaretMinor,
    CaretPatch,
}

impl Fail {
    fn message(self, v: &Version, orig: &str) -> String {
        match self {
            Fail::Prerelease => format!(
                "{v} is a prerelease version and the constraint is only looking for release versions"
            ),
            Fail::Equal => format!("{v} is equal to {orig}"),
            Fail::LessOrEqual => format!("{v} is less than or equal to {orig}"),
            Fail::GreaterOrEqual => format!("{v} is greater than or equal to {orig}"),
            Fail::Less => format!("{v} is less than {orig}"),
            Fail::Greater => format!("{v} is greater than {orig}"),
            Fail::NotSameMajor => format!("{v} does not have same major version as {orig}"),
            Fail::NotSameMajorMinor => {
                format!("{v} does not have same major and minor version as {orig}")
            }
            Fail::NotEqual => format!("{v} is not equal to {orig}"),
            Fail::CaretMinorZeroMajor => format!(
                "{v} does not have same minor version as {orig}. Expected minor versions to match when constraint major version is 0"
            ),
            Fail::CaretMinor => format!("{v} does not have same minor version as {orig}"),
            Fail::CaretPatch => format!(
                "{v} does not equal {orig}. Expect version and constraint to equal when major and minor versions are 0"
            ),
        }
    }
}

type Outcome = std::result::Result<(), Fail>;

fn ok_if(cond: bool, fail: Fail) -> Outcome {
    if cond {
        Ok(())
    } else {
        Err(fail)
    }
}

fn span(text: &str, (s, e): (usize, usize)) -> &str {
    text.get(s..e).unwrap_or("")
}

/// One comparator with its text at hand.
struct Bound<'a> {
    c: &'a Comparator,
    pre: &'a str,
}

impl Bound<'_> {
    fn cmp(&self, v: &Version) -> std::cmp::Ordering {
        v.compare_parts(self.c.major, self.c.minor, self.c.patch, self.pre)
    }

    fn check(&self, v: &Version, include_pre: bool) -> Outcome {
        // Every comparison starts with the group-level prerelease gate.
        if !v.prerelease().is_empty() && !include_pre {
            return Err(Fail::Prerelease);
        }
        match self.c.kind {
            Kind::TildeOrEqual => {
                if self.c.dirty {
                    self.tilde(v)
                } else {
                    ok_if(self.cmp(v).is_eq(), Fail::NotEqual)
                }
            }
            Kind::NotEqual => self.not_equal(v),
            Kind::Greater => self.greater(v),
            Kind::Less => ok_if(self.cmp(v).is_lt(), Fail::GreaterOrEqual),
            Kind::GreaterEqual => ok_if(self.cmp(v).is_ge(), Fail::Less),
            Kind::LessEqual => self.less_equal(v),
            Kind::Tilde => self.tilde(v),
            Kind::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> Outcome {
        let c = self.c;
        if c.dirty {
            if c.major != v.major() {
                return Ok(());
            }
            if c.minor != v.minor() && !c.minor_dirty {
                return Ok(());
            } else if c.minor_dirty {
                return Err(Fail::Equal);
            } else if c.patch != v.patch() && !c.patch_dirty {
                return Ok(());
            } else if c.patch_dirty {
                if (!v.prerelease().is_empty() || !self.pre.is_empty())
                    && compare_prerelease(v.prerelease(), self.pre).is_ne()
                {
                    return Ok(());
                }
                return Err(Fail::Equal);
            }
        }
        ok_if(self.cmp(v).is_ne(), Fail::Equal)
    }

    fn greater(&self, v: &Version) -> Outcome {
        let c = self.c;
        if !c.dirty {
            return ok_if(self.cmp(v).is_gt(), Fail::LessOrEqual);
        }
        if v.major() > c.major {
            Ok(())
        } else if v.major() < c.major || c.minor_dirty {
            // `>11` needs 12 or more.
            Err(Fail::LessOrEqual)
        } else if c.patch_dirty {
            // `>11.1` needs 11.2 or more.
            ok_if(v.minor() > c.minor, Fail::LessOrEqual)
        } else {
            ok_if(self.cmp(v).is_gt(), Fail::LessOrEqual)
        }
    }

    fn less_equal(&self, v: &Version) -> Outcome {
        let c = self.c;
        if !c.dirty {
            return ok_if(self.cmp(v).is_le(), Fail::Greater);
        }
        if v.major() > c.major || (v.major() == c.major && v.minor() > c.minor && !c.minor_dirty) {
            return Err(Fail::Greater);
        }
        Ok(())
    }

    fn tilde(&self, v: &Version) -> Outcome {
        let c = self.c;
        if self.cmp(v).is_lt() {
            return Err(Fail::Less);
        }
        // `~0.0.0` (and `~*`) accept everything: the library special-cases them.
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !c.minor_dirty && !c.patch_dirty {
            return Ok(());
        }
        if v.major() != c.major {
            return Err(Fail::NotSameMajor);
        }
        ok_if(
            v.minor() == c.minor || c.minor_dirty,
            Fail::NotSameMajorMinor,
        )
    }

    fn caret(&self, v: &Version) -> Outcome {
        let c = self.c;
        if self.cmp(v).is_lt() {
            return Err(Fail::Less);
        }
        if c.major > 0 || c.minor_dirty {
            return ok_if(v.major() == c.major, Fail::NotSameMajor);
        }
        if v.major() > 0 {
            return Err(Fail::NotSameMajor);
        }
        if c.minor > 0 || c.patch_dirty {
            return ok_if(v.minor() == c.minor, Fail::CaretMinorZeroMajor);
        }
        if v.minor() > 0 {
            return Err(Fail::CaretMinor);
        }
        ok_if(c.patch == v.patch(), Fail::CaretPatch)
    }
}

fn improper(segment: &str) -> Error {
    Error::new(
        ErrorKind::InvalidConstraint,
        format!("improper constraint: {segment}"),
    )
}

fn parser_error() -> Error {
    Error::new(ErrorKind::InvalidConstraint, "constraint parser error")
}

/// The operator at `i`, longest first where one is a prefix of another. Taking the longest is
/// what the library's patterns amount to, since no version can start with an operator character.
fn scan_op(b: &[u8], i: usize) -> (&'static str, Kind, usize) {
    let two = (b.get(i).copied(), b.get(i + 1).copied());
    let (op, kind) = match two {
        (Some(b'!'), Some(b'=')) => ("!=", Kind::NotEqual),
        (Some(b'>'), Some(b'=')) => (">=", Kind::GreaterEqual),
        (Some(b'='), Some(b'>')) => ("=>", Kind::GreaterEqual),
        (Some(b'<'), Some(b'=')) => ("<=", Kind::LessEqual),
        (Some(b'='), Some(b'<')) => ("=<", Kind::LessEqual),
        (Some(b'~'), Some(b'>')) => ("~>", Kind::Tilde),
        (Some(b'='), _) => ("=", Kind::TildeOrEqual),
        (Some(b'>'), _) => (">", Kind::Greater),
        (Some(b'<'), _) => ("<", Kind::Less),
        (Some(b'~'), _) => ("~", Kind::Tilde),
        (Some(b'^'), _) => ("^", Kind::Caret),
        _ => ("", Kind::TildeOrEqual),
    };
    (op, kind, i + op.len())
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).copied().is_some_and(is_ws) {
        i += 1;
    }
    i
}

/// Walks the comparators of one OR segment as the library's pattern
/// `^\s*OP\s*CV\s*((\s+|,\s*)OP\s*CV\s*)*$` reads them, calling `each` for every comparator.
/// Returns false when the segment does not match the pattern. For a segment that matches, the
/// library's comparator search (`OP\s*CV`, unanchored) finds exactly these comparators.
fn walk_segment(
    b: &[u8],
    mut each: impl FnMut(&'static str, Kind, &Spans) -> Result<()>,
) -> Result<bool> {
    let mut i = skip_ws(b, 0);
    loop {
        let (op, kind, after_op) = scan_op(b, i);
        let start = skip_ws(b, after_op);
        let Some(spans) = scan_token(b, start, is_cnum) else {
            return Ok(false);
        };
        // A comparator must be followed by whitespace, a comma or the end.
        if b.get(spans.end).is_some_and(|&c| !is_ws(c) && c != b',') {
            return Ok(false);
        }
        each(op, kind, &spans)?;
        let after = skip_ws(b, spans.end);
        if after == b.len() {
            return Ok(true);
        }
        if b.get(after) == Some(&b',') {
            i = skip_ws(b, after + 1);
        } else if after > spans.end {
            i = after;
        } else {
            return Ok(false);
        }
    }
}

/// Parses an already range-rewritten constraint, handing each comparator (with its group flags
/// set) to `each`, in order. Every OR segment is validated before any of its comparators is
/// built, as the library does, so an improper segment is reported even when an earlier
/// comparator of it would not build. Allocates nothing.
fn parse_into(text: &str, mut each: impl FnMut(Comparator)) -> Result<()> {
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    loop {
        // Go's strings.Split(c, "||"): non-overlapping, left to right.
        let end = if i >= b.len() {
            b.len()
        } else if b.get(i..i + 2) == Some(b"||") {
            i
        } else {
            i += 1;
            continue;
        };
        let seg = text.get(start..end).unwrap_or("");
        let sb = seg.as_bytes();
        let (mut count, mut has_pre) = (0, false);
        let valid = walk_segment(sb, |_, _, spans| {
            count += 1;
            has_pre |= spans.pre.is_some();
            Ok(())
        })?;
        if !valid {
            return Err(improper(seg));
        }
        let mut k = 0;
        walk_segment(sb, |op, kind, spans| {
            let mut c = build_comparator(seg, start, op, kind, spans)?;
            k += 1;
            c.group_has_pre = has_pre;
            c.last_in_group = k == count;
            each(c);
            Ok(())
        })?;
        if end == b.len() {
            return Ok(());
        }
        i = end + 2;
        start = i;
    }
}

/// `satisfies` without building a [`Constraint`]: the constraint is parsed in full (its errors
/// come first, as in the registry, which parses constraints when it loads a package) while the
/// version is checked on the way.
pub(crate) fn satisfies_streaming(
    version: &str,
    constraint: &str,
    include_prerelease: bool,
) -> Result<bool> {
    check_length(constraint)?;
    let v = Version::parse_coerce(version);
    let text = rewrite_range(constraint);
    let (mut any, mut group_ok) = (false, true);
    parse_into(&text, |c| {
        if let Ok(v) = &v {
            if group_ok && !any {
                let bound = Bound {
                    c: &c,
                    pre: span(&text, c.pre),
                };
                group_ok = bound
                    .check(v, include_prerelease || c.group_has_pre)
                    .is_ok();
            }
            if c.last_in_group {
                any |= group_ok;
                group_ok = true;
            }
        }
    })?;
    v.map(|_| any)
}

/// The library's `parseConstraint` for one comparator whose spans (relative to `seg`, which
/// starts at `base` in the constraint's text) are known.
fn build_comparator(
    seg: &str,
    base: usize,
    op: &'static str,
    kind: Kind,
    spans: &Spans,
) -> Result<Comparator> {
    let get = |r: (usize, usize)| span(seg, r);
    let major = get(spans.major);
    let minor = spans.minor.map(get);
    let patch = spans.patch.map(get);
    let pre = spans.pre_str(seg);
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    // Wildcards turn the version into `M.0.0`-style bounds and drop the build metadata.
    let numbers = if is_x(major) {
        dirty = true;
        check_segments("0", None, None, pre, "")
    } else if minor.is_none_or(is_x) {
        dirty = true;
        minor_dirty = true;
        check_segments(major, None, None, pre, "")
    } else if patch.is_none_or(is_x) {
        dirty = true;
        patch_dirty = true;
        check_segments(major, minor, None, pre, "")
    } else {
        let build = spans.build.map(get).unwrap_or("");
        check_segments(major, minor, patch, pre, build)
    };
    let (major, minor, patch) = numbers.map_err(|_| parser_error())?;
    let pre = spans.pre.map_or((0, 0), |(s, e)| (base + s, base + e));
    Ok(Comparator {
        op,
        kind,
        orig: (base + spans.start, base + spans.end),
        major,
        minor,
        patch,
        pre,
        dirty,
        minor_dirty,
        patch_dirty,
        group_has_pre: false,
        last_in_group: false,
    })
}

/// Longest constraint accepted, in bytes. The library itself has no limit (v3.5.0, which the
/// registry now uses, stops at 512 bytes); this one only bounds memory, since a parsed
/// comparator takes far more room than its two shortest possible input bytes. Real constraints
/// are under 100 bytes.
pub const MAX_CONSTRAINT_BYTES: usize = 64 * 1024;

fn check_length(text: &str) -> Result<()> {
    if text.len() > MAX_CONSTRAINT_BYTES {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "constraint is {} bytes; the limit is {MAX_CONSTRAINT_BYTES} bytes",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// One match of the library's hyphen-range pattern `\s*(CV)\s+-\s+(CV)\s*`.
#[derive(Debug, Clone, Copy)]
struct RangeMatch {
    start: usize,
    end: usize,
    from: (usize, usize),
    to: (usize, usize),
}

/// States of the deterministic automaton for a constraint version `v?N(.N)?(.N)?(-P)?(+B)?`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum St {
    Start = 0,
    V,
    Major,
    Dot1,
    Minor,
    Dot2,
    Patch,
    PreStart,
    Pre,
    BuildStart,
    Build,
}
const NSTATES: usize = 11;
const ALL_STATES: [St; NSTATES] = [
    St::Start,
    St::V,
    St::Major,
    St::Dot1,
    St::Minor,
    St::Dot2,
    St::Patch,
    St::PreStart,
    St::Pre,
    St::BuildStart,
    St::Build,
];

fn step(s: St, c: u8) -> Option<St> {
    use St::*;
    let n = is_cnum(c);
    let id = is_ident(c);
    match s {
        Start if c == b'v' => Some(V),
        Start | V if n => Some(Major),
        Major | Minor | Patch if n => Some(s),
        Major if c == b'.' => Some(Dot1),
        Minor if c == b'.' => Some(Dot2),
        Dot1 if n => Some(Minor),
        Dot2 if n => Some(Patch),
        Major | Minor | Patch if c == b'-' => Some(PreStart),
        Major | Minor | Patch | Pre if c == b'+' => Some(BuildStart),
        PreStart | Pre if id => Some(Pre),
        Pre if c == b'.' => Some(PreStart),
        BuildStart | Build if id => Some(Build),
        Build if c == b'.' => Some(BuildStart),
        _ => None,
    }
}

fn accepting(s: St) -> bool {
    matches!(s, St::Major | St::Minor | St::Patch | St::Pre | St::Build)
}

/// The greedy (leftmost-first) extent of the second version of a hyphen range at `k`.
fn greedy_cv(b: &[u8], k: usize) -> Option<usize> {
    let at = |i: usize| b.get(i).copied();
    let mut i = k;
    if at(i) == Some(b'v') && at(i + 1).is_some_and(is_cnum) {
        i += 1;
    }
    if !at(i).is_some_and(is_cnum) {
        return None;
    }
    while at(i).is_some_and(is_cnum) {
        i += 1;
    }
    for _ in 0..2 {
        if at(i) == Some(b'.') && at(i + 1).is_some_and(is_cnum) {
            i += 1;
            while at(i).is_some_and(is_cnum) {
                i += 1;
            }
        }
    }
    for sigil in [b'-', b'+'] {
        if at(i) == Some(sigil) && at(i + 1).is_some_and(is_ident) {
            i += 1;
            loop {
                while at(i).is_some_and(is_ident) {
                    i += 1;
                }
                if at(i) == Some(b'.') && at(i + 1).is_some_and(is_ident) {
                    i += 1;
                } else {
                    break;
                }
            }
        }
    }
    Some(i)
}

/// The leftmost hyphen-range match at or after `p`, as Go's leftmost-first regexp search finds
/// it. The first version must end where whitespace starts, so each token's end is the only place
/// a match can continue from; the leftmost start of a first version ending there is tracked with
/// one minimum start position per automaton state (a Pike-VM over a DFA), which keeps this
/// linear.
fn find_range(b: &[u8], p: usize) -> Option<RangeMatch> {
    let mut best: [Option<usize>; NSTATES] = [None; NSTATES];
    let mut i = p;
    while i < b.len() {
        let c = b.get(i).copied()?;
        if is_ws(c) {
            let first = ALL_STATES
                .iter()
                .filter(|s| accepting(**s))
                .filter_map(|s| best[*s as usize])
                .min();
            if let Some(s1) = first {
                if let Some(m) = follow(b, p, s1, i) {
                    return Some(m);
                }
            }
            best = [None; NSTATES];
        } else {
            let mut next: [Option<usize>; NSTATES] = [None; NSTATES];
            let mut push = |st: St, start: usize| {
                let slot = &mut next[st as usize];
                if slot.is_none_or(|s| start < s) {
                    *slot = Some(start);
                }
            };
            for st in ALL_STATES {
                if let Some(start) = best[st as usize] {
                    if let Some(n) = step(st, c) {
                        push(n, start);
                    }
                }
            }
            if let Some(n) = step(St::Start, c) {
                push(n, i);
            }
            best = next;
        }
        i += 1;
    }
    None
}

/// Completes a hyphen-range match whose first version is `[s1, a)`; `a` is whitespace.
fn follow(b: &[u8], p: usize, s1: usize, a: usize) -> Option<RangeMatch> {
    let dash = skip_ws(b, a);
    if b.get(dash) != Some(&b'-') {
        return None;
    }
    let k = skip_ws(b, dash + 1);
    if k == dash + 1 {
        return None;
    }
    let to_end = greedy_cv(b, k)?;
    // The leading `\s*` reaches back over whitespace before the first version, but not before p.
    let mut start = s1;
    while start > p && b.get(start - 1).copied().is_some_and(is_ws) {
        start -= 1;
    }
    Some(RangeMatch {
        start,
        end: skip_ws(b, to_end),
        from: (s1, a),
        to: (k, to_end),
    })
}

/// Work allowed for replaying the library's replace-first-occurrence rewrite literally.
const REWRITE_BUDGET: usize = 1 << 22;

/// The library's `rewriteRange`: every `A - B` becomes `>= A, <= B `.
///
/// The library replaces the first occurrence of each match's text in the string rewritten so far,
/// which is usually the match itself. Replaying that costs (matches × length), so past a budget
/// the matches are replaced in place instead; the two can only differ for constraints that hold a
/// stray ` - ` and are invalid either way (then only the quoted segment in the message may
/// differ).
fn rewrite_range(c: &str) -> Cow<'_, str> {
    rewrite_range_within(c, REWRITE_BUDGET)
}

fn rewrite_range_within(c: &str, budget: usize) -> Cow<'_, str> {
    let b = c.as_bytes();
    if !b.windows(2).any(|w| is_ws(w[0]) && w[1] == b'-') {
        return Cow::Borrowed(c);
    }
    let mut matches = Vec::new();
    let mut p = 0;
    while let Some(m) = find_range(b, p) {
        matches.push(m);
        p = m.end;
    }
    if matches.is_empty() {
        return Cow::Borrowed(c);
    }
    let text = |(s, e): (usize, usize)| c.get(s..e).unwrap_or("");
    let replacement = |m: &RangeMatch| format!(">= {}, <= {} ", text(m.from), text(m.to));
    if c.len().saturating_mul(matches.len()) <= budget {
        let mut out = c.to_owned();
        for m in &matches {
            let found = text((m.start, m.end));
            if let Some(pos) = out.find(found) {
                out.replace_range(pos..pos + found.len(), &replacement(m));
            }
        }
        Cow::Owned(out)
    } else {
        let mut out = String::with_capacity(c.len() + 8 * matches.len());
        let mut last = 0;
        for m in &matches {
            out.push_str(text((last, m.start)));
            out.push_str(&replacement(m));
            last = m.end;
        }
        out.push_str(text((last, c.len())));
        Cow::Owned(out)
    }
}

impl Constraint {
    /// Parses a constraint exactly as the library's `NewConstraint` does.
    ///
    /// Syntax: comparators `=`, `!=`, `>`, `<`, `>=` (also `=>`), `<=` (also `=<`), `~` (also
    /// `~>`), `^` and none; versions with wildcards `x`, `X`, `*` (`1.x.5` reads as `1.x`);
    /// AND by whitespace or a comma; OR by `||`; hyphen ranges `A - B` (spaces required).
    /// An empty constraint is invalid.
    ///
    /// # Errors
    /// `INVALID_CONSTRAINT` with the library's message: `improper constraint: <segment>` or
    /// `constraint parser error` (a version part that is not a number, such as `1x`, or one
    /// above 2^64−1, or a prerelease with a leading zero). `LIMIT_EXCEEDED` for a constraint
    /// over [`MAX_CONSTRAINT_BYTES`].
    ///
    /// # Example
    /// ```
    /// use fleetup_core::registry::Constraint;
    /// let c = Constraint::parse(">= 1.2, < 3.0.0 || 1.2.3 - 2.3.4").unwrap();
    /// assert_eq!(c.to_string(), ">=1.2 <3.0.0 || >=1.2.3 <=2.3.4");
    /// assert!(Constraint::parse("").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Constraint> {
        check_length(text)?;
        let text: Box<str> = rewrite_range(text).into();
        let mut comparators = Vec::with_capacity(4);
        parse_into(&text, |c| comparators.push(c))?;
        Ok(Constraint { text, comparators })
    }

    fn bound<'a>(&'a self, c: &'a Comparator) -> Bound<'a> {
        Bound {
            c,
            pre: span(&self.text, c.pre),
        }
    }

    /// Whether `v` satisfies the constraint (the library's `Constraints.Check`).
    ///
    /// A prerelease version is considered only by AND groups that mention a prerelease
    /// themselves, or by all groups when `include_prerelease` is set (the library's
    /// `IncludePrerelease`). Unlike node-semver, there is no same-`major.minor.patch` condition.
    ///
    /// # Example
    /// ```
    /// use fleetup_core::registry::{Constraint, Version};
    /// let c = Constraint::parse(">1.2.3-alpha.3").unwrap();
    /// assert!(c.check(&Version::parse_coerce("3.4.5-alpha.9").unwrap(), false));
    /// ```
    pub fn check(&self, v: &Version, include_prerelease: bool) -> bool {
        let mut group_ok = true;
        for c in &self.comparators {
            if group_ok {
                let include = include_prerelease || c.group_has_pre;
                group_ok = self.bound(c).check(v, include).is_ok();
            }
            if c.last_in_group {
                if group_ok {
                    return true;
                }
                group_ok = true;
            }
        }
        false
    }

    /// Like [`Constraint::check`], with the library's reasons when `v` does not satisfy the
    /// constraint (`Constraints.Validate`): every failing comparator of every group, the
    /// prerelease reason only once.
    ///
    /// # Example
    /// ```
    /// use fleetup_core::registry::{Constraint, Version};
    /// let c = Constraint::parse("^8.0.0").unwrap();
    /// let (ok, why) = c.validate(&Version::parse_coerce("7.17.0").unwrap(), false);
    /// assert!(!ok);
    /// assert_eq!(why, ["7.17.0 is less than 8.0.0"]);
    /// ```
    pub fn validate(&self, v: &Version, include_prerelease: bool) -> (bool, Vec<String>) {
        let mut reasons = Vec::new();
        let mut said_prerelease = false;
        let mut group_ok = true;
        for c in &self.comparators {
            let include = include_prerelease || c.group_has_pre;
            if !include && !v.prerelease().is_empty() {
                if !said_prerelease {
                    reasons.push(Fail::Prerelease.message(v, ""));
                    said_prerelease = true;
                }
                group_ok = false;
            } else if let Err(fail) = self.bound(c).check(v, include) {
                reasons.push(fail.message(v, span(&self.text, c.orig)));
                group_ok = false;
            }
            if c.last_in_group {
                if group_ok {
                    return (true, Vec::new());
                }
                group_ok = true;
            }
        }
        (false, reasons)
    }

    /// The OR groups, each as its AND-ed comparators in `Display` form.
    pub fn groups(&self) -> Vec<Vec<String>> {
        let mut groups = vec![Vec::new()];
        for c in &self.comparators {
            if let Some(g) = groups.last_mut() {
                g.push(format!("{}{}", c.op, span(&self.text, c.orig)));
            }
            if c.last_in_group {
                groups.push(Vec::new());
            }
        }
        groups.pop();
        groups
    }
}

impl fmt::Display for Constraint {
    /// The library's `Constraints.String()`: comparators joined by a space, groups by ` || `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for c in &self.comparators {
            f.write_str(sep)?;
            f.write_str(c.op)?;
            f.write_str(span(&self.text, c.orig))?;
            sep = if c.last_in_group { " || " } else { " " };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(c: &str) -> String {
        match Constraint::parse(c) {
            Ok(c) => c.to_string(),
            Err(e) => format!("ERR {}", e.message()),
        }
    }

    #[test]
    fn rewrite_follows_the_pattern_quirks() {
        assert_eq!(norm("1.2.3 - 2.3.4"), ">=1.2.3 <=2.3.4");
        // `|` is a version byte, so the first version swallows `1||2`.
        assert_eq!(norm("1||2 - 3"), ">=1 || 2 <=3");
        assert_eq!(norm("1 - 2||3"), ">=1 <=2 || 3");
        // A range may start inside a token; the leftovers then make the segment improper.
        assert_eq!(
            norm("1.2.3.4 - 5"),
            "ERR improper constraint: 1.>= 2.3.4, <= 5 "
        );
        // The first occurrence of the matched text is replaced, even an earlier one.
        assert_eq!(
            norm("1 - 2- 3 || 2 - 3"),
            "ERR improper constraint: >= 1, <=>= 2, <= 3  "
        );
        assert_eq!(norm("1.1-3"), "1.1-3");
        assert_eq!(norm(">=1 - 2"), "ERR improper constraint: >=>= 1, <= 2 ");
    }

    #[test]
    fn segments() {
        assert_eq!(norm(" >= 1.2 ,<3 "), ">=1.2 <3");
        assert_eq!(norm("=> 1 =<2 ~> 3 !=4"), "=>1 =<2 ~>3 !=4");
        assert_eq!(norm(""), "ERR improper constraint: ");
        assert_eq!(norm("1 ||"), "ERR improper constraint: ");
        assert_eq!(norm("1,,2"), "ERR improper constraint: 1,,2");
        assert_eq!(norm("1x"), "ERR constraint parser error");
        assert_eq!(norm("1|2"), "ERR constraint parser error");
        assert_eq!(norm("v1.2.3+foo"), "v1.2.3+foo");
        assert_eq!(norm("1.2.3\x0b"), "ERR improper constraint: 1.2.3\x0b");
    }

    #[test]
    fn checks() {
        let ok = |c: &str, v: &str, pre: bool| {
            Constraint::parse(c)
                .unwrap()
                .check(&Version::parse_coerce(v).unwrap(), pre)
        };
        assert!(ok("~0.0.0", "1.2.3", false));
        assert!(ok("1.x.5", "1.2.3", false));
        assert!(!ok("*", "1.2.3-beta", false));
        assert!(ok("*", "1.2.3-beta", true));
        assert!(ok(">1.2.3-alpha.3", "3.4.5-alpha.9", false));
        assert!(!ok(">=7.9.0 <8.0.0", "8.0.0-SNAPSHOT", false));
        assert!(ok(">=7.9.0 <8.0.0", "8.0.0-SNAPSHOT", true));
        assert!(!ok("!=4.1", "4.1.7", false));
        assert!(ok(">11.1", "11.2.0", false));
        assert!(!ok(">11.1", "11.1.9", false));
    }

    #[test]
    fn streaming_agrees_with_parse_then_check() {
        let constraints = [
            "^7.14.0 || ^8.0.0",
            ">=7.9.0 <8.0.0",
            ">1.2.3-alpha.3",
            "1.2.3 - 2.3.4 || ~0.0.0",
            ">= 1.2, < 3.0.0 || !=1.2.3 =>1",
            "*",
            "1.x.5 || <2.0.0-0 >1",
            "",
            "1 || x1",
            "foo || 1x",
        ];
        let versions = [
            "1.2.3",
            "1.2",
            "8.0.0-SNAPSHOT",
            "3.4.5-alpha.9",
            "v7.10.1",
            "bad",
        ];
        for c in constraints {
            for v in versions {
                for pre in [false, true] {
                    let want = Constraint::parse(c)
                        .and_then(|parsed| Version::parse_coerce(v).map(|v| parsed.check(&v, pre)));
                    assert_eq!(satisfies_streaming(v, c, pre), want, "{c:?} {v:?} {pre}");
                    assert_eq!(
                        super::super::satisfies(v, c, pre),
                        want,
                        "{c:?} {v:?} {pre}"
                    );
                }
            }
        }
    }

    /// The in-place fallback used past the budget accepts exactly what the literal replay
    /// accepts, with the same normal form.
    #[test]
    fn in_place_rewrite_agrees_with_literal_replay() {
        const PIECES: &[&str] = &[
            "1", "2", "0", ".", "x", "|", "||", " - ", "-", " ", ",", ">=", "<", "~", "^", "v",
            "a", "+",
        ];
        let parse_with = |c: &str, budget: usize| -> std::result::Result<String, ()> {
            let text = rewrite_range_within(c, budget);
            let mut out = Vec::new();
            parse_into(&text, |k| {
                let or = if k.last_in_group { " ||" } else { "" };
                out.push(format!("{}{}{or}", k.op, span(&text, k.orig)));
            })
            .map(|()| out.join(" "))
            .map_err(|_| ())
        };
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut ranges = 0;
        for _ in 0..50_000 {
            let len = (next() % 16) as usize;
            let c: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            ranges += usize::from(c.contains(" - "));
            assert_eq!(parse_with(&c, usize::MAX), parse_with(&c, 0), "{c:?}");
        }
        assert!(ranges > 1000, "only {ranges} inputs had a range");
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Constraint>();
        assert_send_sync::<Version>();
    }

    #[test]
    fn length_limit() {
        let long = "1 ".repeat(MAX_CONSTRAINT_BYTES / 2 + 1);
        assert_eq!(
            Constraint::parse(&long).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(
            satisfies_streaming("1.0.0", &long, false)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
        let at_limit = "1 ".repeat(MAX_CONSTRAINT_BYTES / 2);
        assert!(Constraint::parse(&at_limit).is_ok());
    }

    #[test]
    fn long_inputs_stay_fast() {
        let many = "1 - 2 ".repeat(10_000);
        let started = std::time::Instant::now();
        assert!(Constraint::parse(&many).is_ok());
        let digits = "9".repeat(60_000) + " - 1";
        assert!(Constraint::parse(&digits).is_err());
        let weird = "1.".repeat(30_000) + " - 1";
        assert!(Constraint::parse(&weird).is_err());
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }
}
