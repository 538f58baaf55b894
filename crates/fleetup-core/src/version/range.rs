//! [`Range`] and [`Comparator`]: node-semver's range grammar, desugaring and matching.
//!
//! The desugaring follows `classes/range.js` step by step (build stripping, hyphen ranges,
//! operator/tilde/caret trimming, caret, tilde, x-range and star replacement, `>=0.0.0` → any,
//! loose filtering, de-duplication), each step a linear scan from [`super::scan`] instead of a
//! regular expression, so odd inputs desugar exactly as node-semver desugars them.

use std::cmp::Ordering;
use std::fmt;

use super::scan::{
    collapse_ws, comparator_trim, js_plus_one, js_split_ws, js_trim, remove_first_star,
    strip_build, trim_lone, Text, XMatch,
};
use super::ver::{excerpt, Version};
use super::Options;
use crate::error::{Error, ErrorKind, Result};

/// Longest range accepted, in bytes after whitespace runs are collapsed (node-semver has no
/// limit). Real ranges are tens of bytes; the cap keeps parsing memory bounded (the scanner
/// indexes long texts) while 500,000-character whitespace and ReDoS probes still parse for real.
pub const MAX_RANGE_LENGTH: usize = 1 << 20;

fn check_length(collapsed: &str) -> Result<()> {
    if collapsed.len() > MAX_RANGE_LENGTH {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "range is {} bytes after whitespace is collapsed; the limit is {MAX_RANGE_LENGTH}",
                collapsed.len()
            ),
        ));
    }
    Ok(())
}

/// A primitive comparison operator (`=` and no operator are the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// Equal (written as no operator).
    Eq,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
}

impl Operator {
    /// The operator as node-semver prints it (`""` for equality).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "",
            Operator::Gt => ">",
            Operator::Gte => ">=",
            Operator::Lt => "<",
            Operator::Lte => "<=",
        }
    }

    fn from_gtlt(s: &str) -> Operator {
        match s {
            ">" => Operator::Gt,
            ">=" => Operator::Gte,
            "<" => Operator::Lt,
            "<=" => Operator::Lte,
            _ => Operator::Eq,
        }
    }

    fn is_greater(self) -> bool {
        matches!(self, Operator::Gt | Operator::Gte)
    }

    fn is_less(self) -> bool {
        matches!(self, Operator::Lt | Operator::Lte)
    }

    fn inclusive(self) -> bool {
        matches!(self, Operator::Gte | Operator::Lte)
    }
}

/// One primitive comparator such as `>=1.2.3`, or the "any version" comparator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Comparator {
    op: Operator,
    /// `None` is node-semver's `ANY`.
    version: Option<Version>,
    /// `operator + version`, or `""` for any (node-semver's `value`).
    value: String,
}

impl Comparator {
    /// Parses one comparator (`>=1.2.3`, `1.2.3`, or empty for any).
    ///
    /// # Errors
    /// `INVALID_RANGE` when it is not a comparator or its version is invalid; `LIMIT_EXCEEDED`
    /// when it is longer than [`MAX_RANGE_LENGTH`].
    pub fn parse(text: &str, options: Options) -> Result<Comparator> {
        let comp = collapse_ws(text);
        check_length(&comp)?;
        Self::parse_inner(&comp, options.loose)
    }

    fn parse_inner(comp: &str, loose: bool) -> Result<Comparator> {
        if comp.is_empty() {
            return Ok(Comparator::any());
        }
        let t = Text::new(comp);
        let g = t.gtlt(0);
        let c = t.opt_space(g);
        match t.plain_until(c, loose, |e| e == t.b.len()) {
            Some(_) => {}
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidRange,
                    format!("Invalid comparator: {}", excerpt(comp)),
                ))
            }
        }
        let op = Operator::from_gtlt(comp.get(..g).unwrap_or_default());
        let text = comp.get(c..).unwrap_or_default();
        let version = Version::parse_loose(text, loose).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidRange,
                format!("Invalid Version in range: {}", excerpt(text)),
            )
        })?;
        Ok(Comparator::new(op, version))
    }

    /// A comparator from parts.
    pub fn new(op: Operator, version: Version) -> Comparator {
        let value = format!("{}{}", op.as_str(), version);
        Comparator {
            op,
            version: Some(version),
            value,
        }
    }

    /// The comparator that matches any version.
    pub fn any() -> Comparator {
        Comparator {
            op: Operator::Eq,
            version: None,
            value: String::new(),
        }
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.op
    }

    /// The version, or `None` for the any comparator.
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// Whether this is the any comparator.
    pub fn is_any(&self) -> bool {
        self.version.is_none()
    }

    fn is_null_set(&self) -> bool {
        self.value == "<0.0.0-0"
    }

    /// Whether `v` satisfies this single comparator (no prerelease rule at this level).
    pub fn test(&self, v: &Version) -> bool {
        let Some(own) = &self.version else {
            return true;
        };
        let ord = v.compare(own);
        match self.op {
            Operator::Eq => ord == Ordering::Equal,
            Operator::Gt => ord == Ordering::Greater,
            Operator::Gte => ord != Ordering::Less,
            Operator::Lt => ord == Ordering::Less,
            Operator::Lte => ord != Ordering::Greater,
        }
    }

    /// `Comparator.intersects`: whether some version satisfies both comparators.
    ///
    /// # Errors
    /// Only if re-parsing a comparator's own canonical text fails (not expected).
    pub fn intersects(&self, other: &Comparator, options: Options) -> Result<bool> {
        if self.op == Operator::Eq {
            if self.value.is_empty() {
                return Ok(true);
            }
            let r = Range::parse(&other.value, options)?;
            return Ok(r.test_str(&self.value));
        }
        if other.op == Operator::Eq {
            let Some(v) = &other.version else {
                return Ok(true);
            };
            let r = Range::parse(&self.value, options)?;
            return Ok(r.test(v));
        }
        if options.include_prerelease && (self.is_null_set() || other.is_null_set()) {
            return Ok(false);
        }
        if !options.include_prerelease
            && (self.value.starts_with("<0.0.0") || other.value.starts_with("<0.0.0"))
        {
            return Ok(false);
        }
        if self.op.is_greater() && other.op.is_greater() {
            return Ok(true);
        }
        if self.op.is_less() && other.op.is_less() {
            return Ok(true);
        }
        let (Some(a), Some(b)) = (&self.version, &other.version) else {
            return Ok(true);
        };
        if a.to_string() == b.to_string() && self.op.inclusive() && other.op.inclusive() {
            return Ok(true);
        }
        let ord = a.compare(b);
        if ord == Ordering::Less && self.op.is_greater() && other.op.is_less() {
            return Ok(true);
        }
        if ord == Ordering::Greater && self.op.is_less() && other.op.is_greater() {
            return Ok(true);
        }
        Ok(false)
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// A parsed node-semver range: an OR of AND-sets of comparators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    sets: Vec<Vec<Comparator>>,
    options: Options,
}

impl Range {
    /// `new Range(text, options)`.
    ///
    /// # Errors
    /// `INVALID_RANGE` when the range is invalid (in loose mode: when every `||` alternative is);
    /// `LIMIT_EXCEEDED` when it is longer than [`MAX_RANGE_LENGTH`].
    pub fn parse(text: &str, options: Options) -> Result<Range> {
        let raw = collapse_ws(text);
        check_length(&raw)?;
        let mut sets = Vec::new();
        for part in raw.split("||") {
            let set = parse_set(part.trim_matches(' '), options)?;
            if !set.is_empty() {
                sets.push(set);
            }
        }
        if sets.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidRange,
                format!("Invalid SemVer Range: {}", excerpt(&raw)),
            ));
        }
        if sets.len() > 1 {
            let first = sets[0].clone();
            sets.retain(|c| !c.first().is_some_and(Comparator::is_null_set));
            if sets.is_empty() {
                sets = vec![first];
            } else if sets.len() > 1 {
                if let Some(any) = sets
                    .iter()
                    .find(|c| c.len() == 1 && c.first().is_some_and(Comparator::is_any))
                {
                    sets = vec![any.clone()];
                }
            }
        }
        Ok(Range { sets, options })
    }

    /// The comparator sets (OR of ANDs).
    pub fn sets(&self) -> &[Vec<Comparator>] {
        &self.sets
    }

    /// The options the range was parsed with.
    pub fn options(&self) -> Options {
        self.options
    }

    /// `Range.test`: whether `v` satisfies the range (with the prerelease exclusion rule unless
    /// `include_prerelease`).
    pub fn test(&self, v: &Version) -> bool {
        self.sets
            .iter()
            .any(|set| test_set(set, v, self.options.include_prerelease))
    }

    /// `Range.test` on a version string, parsed with the range's options (invalid → false).
    pub fn test_str(&self, v: &str) -> bool {
        Version::parse_loose(v, self.options.loose).is_some_and(|v| self.test(&v))
    }

    /// `Range.intersects`: whether some version satisfies both ranges.
    ///
    /// # Errors
    /// Only if re-parsing a comparator's own canonical text fails (not expected).
    pub fn intersects(&self, other: &Range, options: Options) -> Result<bool> {
        for mine in &self.sets {
            if !is_satisfiable(mine, options)? {
                continue;
            }
            for theirs in &other.sets {
                if !is_satisfiable(theirs, options)? {
                    continue;
                }
                let mut all = true;
                'outer: for a in mine {
                    for b in theirs {
                        if !a.intersects(b, options)? {
                            all = false;
                            break 'outer;
                        }
                    }
                }
                if all {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// `Range.range`: comparators joined by a space, sets by `||` (empty for any).
impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, set) in self.sets.iter().enumerate() {
            if i > 0 {
                f.write_str("||")?;
            }
            for (k, c) in set.iter().enumerate() {
                if k > 0 {
                    f.write_str(" ")?;
                }
                f.write_str(&c.value)?;
            }
        }
        Ok(())
    }
}

fn is_satisfiable(comparators: &[Comparator], options: Options) -> Result<bool> {
    // Same pairing order as node-semver: the last comparator against all earlier ones, then
    // the next-to-last, and so on.
    let mut remaining: Vec<&Comparator> = comparators.iter().collect();
    let mut test = remaining.pop();
    let mut result = true;
    while result && !remaining.is_empty() {
        if let Some(t) = test {
            for other in &remaining {
                if !t.intersects(other, options)? {
                    result = false;
                    break;
                }
            }
        }
        test = remaining.pop();
    }
    Ok(result)
}

fn test_set(set: &[Comparator], v: &Version, include_prerelease: bool) -> bool {
    if !set.iter().all(|c| c.test(v)) {
        return false;
    }
    if v.prerelease.is_empty() || include_prerelease {
        return true;
    }
    // A prerelease only matches when some comparator names a prerelease of the same tuple.
    set.iter().any(|c| {
        c.version.as_ref().is_some_and(|a| {
            !a.prerelease.is_empty()
                && a.major == v.major
                && a.minor == v.minor
                && a.patch == v.patch
        })
    })
}

/// `parseRange` for one `||` alternative (already trimmed). Empty result: every comparator
/// was dropped (loose mode).
fn parse_set(set: &str, options: Options) -> Result<Vec<Comparator>> {
    let loose = options.loose;
    let s = strip_build(set);
    let s = hyphen_replace(&s, options).unwrap_or(s);
    let s = comparator_trim(&s);
    let s = trim_lone(&s, true);
    let s = trim_lone(&s, false);

    let parts: Vec<String> = s.split(' ').map(|c| parse_comparator(c, options)).collect();
    let joined = parts.join(" ");
    let mut list: Vec<&str> = js_split_ws(&joined)
        .into_iter()
        .map(|c| replace_gte0(c, options))
        .collect();
    if loose {
        list.retain(|c| matches_comparator_loose(c));
    }
    let comps = list
        .into_iter()
        .map(|c| Comparator::parse_inner(c, loose))
        .collect::<Result<Vec<_>>>()?;

    let mut out: Vec<Comparator> = Vec::with_capacity(comps.len());
    for c in comps {
        if c.is_null_set() {
            return Ok(vec![c]);
        }
        if let Some(slot) = out.iter_mut().find(|o| o.value == c.value) {
            *slot = c;
        } else {
            out.push(c);
        }
    }
    if out.len() > 1 {
        out.retain(|c| !c.value.is_empty());
    }
    Ok(out)
}

/// `COMPARATORLOOSE`: `^GTLT\s*LOOSEPLAIN$|^$`.
fn matches_comparator_loose(c: &str) -> bool {
    if c.is_empty() {
        return true;
    }
    let t = Text::new(c);
    let start = t.opt_space(t.gtlt(0));
    t.plain_until(start, true, |e| e == t.b.len()).is_some()
}

fn replace_gte0(c: &str, options: Options) -> &str {
    let gte0 = if options.include_prerelease {
        ">=0.0.0-0"
    } else {
        ">=0.0.0"
    };
    if c == gte0 {
        ""
    } else {
        c
    }
}

/// node-semver's `isX`: missing, empty, `x`, `X` or `*`.
fn is_x(id: Option<&str>) -> bool {
    matches!(id, None | Some("" | "x" | "X" | "*"))
}

/// The captured parts of an x-range match.
struct Parts<'a> {
    major: Option<&'a str>,
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    pre: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn of(t: &Text<'a>, m: &XMatch) -> Parts<'a> {
        Parts {
            major: m.parts[0].map(|p| t.span(p)),
            minor: m.parts[1].map(|p| t.span(p)),
            patch: m.parts[2].map(|p| t.span(p)),
            pre: m.pre.map(|p| t.span(p)).filter(|p| !p.is_empty()),
        }
    }
}

/// An anchored `XRANGEPLAIN` match of the whole text from `start`.
fn xrange_full<'a>(t: &Text<'a>, start: usize, loose: bool) -> Option<Parts<'a>> {
    let m = t.xrange_until(start, loose, |e| e == t.b.len())?;
    Some(Parts::of(t, &m))
}

fn parse_comparator(comp: &str, options: Options) -> String {
    let c = map_tokens(js_trim(comp), |t| replace_caret(t, options));
    let c = map_tokens(js_trim(&c), |t| replace_tilde(t, options));
    let c = map_tokens(&c, |t| replace_xrange(t, options));
    remove_first_star(js_trim(&c))
}

/// `s.split(/\s+/).map(f).join(' ')`.
fn map_tokens(s: &str, f: impl Fn(&str) -> String) -> String {
    js_split_ws(s)
        .into_iter()
        .map(f)
        .collect::<Vec<_>>()
        .join(" ")
}

fn replace_caret(comp: &str, options: Options) -> String {
    let t = Text::new(comp);
    if t.b.first() != Some(&b'^') {
        return comp.to_string();
    }
    let Some(p) = xrange_full(&t, 1, options.loose) else {
        return comp.to_string();
    };
    let z = if options.include_prerelease { "-0" } else { "" };
    let big = p.major.unwrap_or_default();
    let mid = p.minor.unwrap_or_default();
    let low = p.patch.unwrap_or_default();
    if is_x(p.major) {
        String::new()
    } else if is_x(p.minor) {
        format!(">={big}.0.0{z} <{}.0.0-0", js_plus_one(big))
    } else if is_x(p.patch) {
        if big == "0" {
            format!(">={big}.{mid}.0{z} <{big}.{}.0-0", js_plus_one(mid))
        } else {
            format!(">={big}.{mid}.0{z} <{}.0.0-0", js_plus_one(big))
        }
    } else {
        let lower = match p.pre {
            Some(pr) => format!(">={big}.{mid}.{low}-{pr}"),
            None => format!(">={big}.{mid}.{low}"),
        };
        let upper = if big == "0" {
            if mid == "0" {
                format!("<{big}.{mid}.{}-0", js_plus_one(low))
            } else {
                format!("<{big}.{}.0-0", js_plus_one(mid))
            }
        } else {
            format!("<{}.0.0-0", js_plus_one(big))
        };
        format!("{lower} {upper}")
    }
}

fn replace_tilde(comp: &str, options: Options) -> String {
    let t = Text::new(comp);
    if t.b.first() != Some(&b'~') {
        return comp.to_string();
    }
    let start = if t.b.get(1) == Some(&b'>') { 2 } else { 1 };
    let Some(p) = xrange_full(&t, start, options.loose) else {
        return comp.to_string();
    };
    let z = if options.include_prerelease { "-0" } else { "" };
    let big = p.major.unwrap_or_default();
    let mid = p.minor.unwrap_or_default();
    let low = p.patch.unwrap_or_default();
    if is_x(p.major) {
        String::new()
    } else if is_x(p.minor) {
        format!(">={big}.0.0{z} <{}.0.0-0", js_plus_one(big))
    } else if is_x(p.patch) {
        format!(">={big}.{mid}.0{z} <{big}.{}.0-0", js_plus_one(mid))
    } else if let Some(pr) = p.pre {
        format!(">={big}.{mid}.{low}-{pr} <{big}.{}.0-0", js_plus_one(mid))
    } else {
        format!(">={big}.{mid}.{low} <{big}.{}.0-0", js_plus_one(mid))
    }
}

fn replace_xrange(comp: &str, options: Options) -> String {
    let comp = js_trim(comp);
    let t = Text::new(comp);
    let g = t.gtlt(0);
    let Some(p) = xrange_full(&t, t.opt_space(g), options.loose) else {
        return comp.to_string();
    };
    // Since 7.8.4 a number after an x (`1.x.5`, `x.1`) leaves the comparator invalid.
    if (is_x(p.major) && !is_x(p.minor)) || (is_x(p.minor) && p.patch.is_some() && !is_x(p.patch)) {
        return comp.to_string();
    }
    let xm = is_x(p.major);
    let xmin = xm || is_x(p.minor);
    let xp = xmin || is_x(p.patch);
    let mut gtlt = comp.get(..g).unwrap_or_default();
    if gtlt == "=" && xp {
        gtlt = "";
    }
    let pr = if options.include_prerelease { "-0" } else { "" };
    let big = p.major.unwrap_or_default();
    let mid = p.minor.unwrap_or_default();
    if xm {
        if gtlt == ">" || gtlt == "<" {
            "<0.0.0-0".to_string()
        } else {
            "*".to_string()
        }
    } else if !gtlt.is_empty() && xp {
        let mut major = big.to_string();
        let mut minor = if xmin {
            "0".to_string()
        } else {
            mid.to_string()
        };
        let mut op = gtlt;
        if op == ">" {
            op = ">=";
            if xmin {
                major = js_plus_one(big);
                minor = "0".to_string();
            } else {
                minor = js_plus_one(mid);
            }
        } else if op == "<=" {
            op = "<";
            if xmin {
                major = js_plus_one(big);
            } else {
                minor = js_plus_one(mid);
            }
        }
        let pr = if op == "<" { "-0" } else { pr };
        format!("{op}{major}.{minor}.0{pr}")
    } else if xmin {
        format!(">={big}.0.0{pr} <{}.0.0-0", js_plus_one(big))
    } else if xp {
        format!(">={big}.{mid}.0{pr} <{big}.{}.0-0", js_plus_one(mid))
    } else {
        comp.to_string()
    }
}

/// `HYPHENRANGE(LOOSE)` over the whole set; `None` when it does not match.
fn hyphen_replace(s: &str, options: Options) -> Option<String> {
    let t = Text::new(s);
    let loose = options.loose;
    // `^\s*(XRANGEPLAIN)\s+-\s+(XRANGEPLAIN)\s*$`, backtracking into the first part when
    // the rest does not match.
    let second = |at: usize| t.xrange_until(at, loose, |e| t.opt_space(e) == t.b.len());
    let a = t.xrange_until(t.opt_space(0), loose, |e| {
        t.b.get(e..e + 3) == Some(b" - ".as_slice()) && second(e + 3).is_some()
    })?;
    let b = second(a.end + 3)?;
    let from = t.span((a.start, a.end));
    let to = t.span((b.start, b.end));
    let f = Parts::of(&t, &a);
    let g = Parts::of(&t, &b);
    let z = if options.include_prerelease { "-0" } else { "" };
    let fm = f.major.unwrap_or_default();
    let fmin = f.minor.unwrap_or_default();
    let lower = if is_x(f.major) {
        String::new()
    } else if is_x(f.minor) {
        format!(">={fm}.0.0{z}")
    } else if is_x(f.patch) {
        format!(">={fm}.{fmin}.0{z}")
    } else if f.pre.is_some() {
        format!(">={from}")
    } else {
        format!(">={from}{z}")
    };
    let tm = g.major.unwrap_or_default();
    let tmin = g.minor.unwrap_or_default();
    let tp = g.patch.unwrap_or_default();
    let upper = if is_x(g.major) {
        String::new()
    } else if is_x(g.minor) {
        format!("<{}.0.0-0", js_plus_one(tm))
    } else if is_x(g.patch) {
        format!("<{tm}.{}.0-0", js_plus_one(tmin))
    } else if let Some(pr) = g.pre {
        format!("<={tm}.{tmin}.{tp}-{pr}")
    } else if options.include_prerelease {
        format!("<{tm}.{tmin}.{}-0", js_plus_one(tp))
    } else {
        format!("<={to}")
    };
    Some(format!("{lower} {upper}").trim_matches(' ').to_string())
}
