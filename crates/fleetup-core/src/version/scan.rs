//! Linear-time recognisers for the token grammar of node-semver's `internal/re.js`.
//!
//! node-semver desugars ranges with a chain of regular-expression replacements. Matching it
//! exactly means reproducing what each expression matches, including its leftmost-greedy choices
//! and the repetition caps of its "safe" variants (`\d{1,256}`, `[a-zA-Z0-9-]{1,250}`, one
//! whitespace character where the source says `\s*`). Every recogniser here is greedy and never
//! backtracks: in this grammar a token is always followed by a delimiter that no token accepts,
//! so the greedy choice is the only one that can succeed. Run lengths are precomputed per text,
//! which keeps the global (scanning) replacements linear even on 500,000-character inputs.

/// Longest numeric run a "safe" `\d+` accepts.
const MAX_DIGITS: usize = 256;
/// Longest run a "safe" `[a-zA-Z0-9-]+` accepts.
const MAX_IDENT: usize = 250;

/// JavaScript's `\s` / `String.prototype.trim` whitespace set (differs from Rust's: it includes
/// U+FEFF and excludes U+0085).
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `String.prototype.trim`.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `s.trim().replace(/\s+/g, ' ')`: every whitespace run becomes one ASCII space.
pub(crate) fn collapse_ws(s: &str) -> String {
    let t = js_trim(s);
    let mut out = String::with_capacity(t.len());
    let mut in_space = false;
    for c in t.chars() {
        if is_js_space(c) {
            if !in_space {
                out.push(' ');
                in_space = true;
            }
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// `s.split(/\s+/)` for text whose only whitespace is ASCII space: keeps the leading and trailing
/// empty pieces JavaScript produces.
pub(crate) fn js_split_ws(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            out.push(&s[start..i]);
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// JavaScript's `String(+digits + 1)` for a decimal digit string: exact below 2^53, rounded
/// above, exponent form from 1e21 on. The result only has to be right enough to be rejected
/// the same way later (too big, or not a number at all).
pub(crate) fn js_plus_one(digits: &str) -> String {
    let v: f64 = crate::js::parse_f64(digits).unwrap_or(f64::INFINITY) + 1.0;
    if !v.is_finite() {
        return "Infinity".to_string();
    }
    if v < 1e21 {
        // Integral and below 2^70: exact in i128.
        (v as i128).to_string()
    } else {
        crate::js::exp_f64(v, true)
    }
}

fn is_digit(c: u8) -> bool {
    c.is_ascii_digit()
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

fn is_letter_or_dash(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'-'
}

/// A byte range `(start, end)` of a [`Text`].
pub(crate) type Span = (usize, usize);

/// A text being matched, with optional precomputed run ends for long inputs.
pub(crate) struct Text<'a> {
    /// The bytes (whitespace is ASCII space only after [`collapse_ws`]).
    pub b: &'a [u8],
    digit_end: Option<Vec<usize>>,
    class_end: Option<Vec<usize>>,
}

/// Above this length, run ends are precomputed so scans stay linear.
const INDEX_THRESHOLD: usize = 512;

impl<'a> Text<'a> {
    /// A text; indexes it when it is long.
    pub fn new(s: &'a str) -> Self {
        let b = s.as_bytes();
        if b.len() <= INDEX_THRESHOLD {
            return Text {
                b,
                digit_end: None,
                class_end: None,
            };
        }
        let n = b.len();
        let mut digit_end = vec![n; n + 1];
        let mut class_end = vec![n; n + 1];
        for i in (0..n).rev() {
            digit_end[i] = if is_digit(b[i]) { digit_end[i + 1] } else { i };
            class_end[i] = if matches!(b[i], b'v' | b'=' | b' ') {
                class_end[i + 1]
            } else {
                i
            };
        }
        Text {
            b,
            digit_end: Some(digit_end),
            class_end: Some(class_end),
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn is(&self, i: usize, c: u8) -> bool {
        self.at(i) == Some(c)
    }

    /// End of the digit run starting at `i`.
    fn digit_end(&self, i: usize) -> usize {
        if let Some(Some(e)) = self.digit_end.as_ref().map(|v| v.get(i)) {
            return *e;
        }
        let mut j = i;
        while self.at(j).is_some_and(is_digit) {
            j += 1;
        }
        j
    }

    /// End of the `[v=\s]*` run starting at `i`.
    pub fn class_end(&self, i: usize) -> usize {
        if let Some(Some(e)) = self.class_end.as_ref().map(|v| v.get(i)) {
            return *e;
        }
        let mut j = i;
        while matches!(self.at(j), Some(b'v' | b'=' | b' ')) {
            j += 1;
        }
        j
    }

    /// `0|[1-9]\d{0,256}`
    fn ni(&self, i: usize) -> Option<usize> {
        match self.at(i)? {
            b'0' => Some(i + 1),
            b'1'..=b'9' => Some(self.digit_end(i).min(i + 1 + MAX_DIGITS)),
            _ => None,
        }
    }

    /// `\d{1,256}`
    fn nil(&self, i: usize) -> Option<usize> {
        let e = self.digit_end(i);
        (e > i).then(|| e.min(i + MAX_DIGITS))
    }

    /// A numeric identifier, strict or loose.
    fn num(&self, i: usize, loose: bool) -> Option<usize> {
        if loose {
            self.nil(i)
        } else {
            self.ni(i)
        }
    }

    /// `\d{0,256}[a-zA-Z-][a-zA-Z0-9-]{0,250}`
    fn nni(&self, i: usize) -> Option<usize> {
        let d = self.digit_end(i);
        if d - i > MAX_DIGITS || !self.at(d).is_some_and(is_letter_or_dash) {
            return None;
        }
        let mut j = d + 1;
        let cap = j + MAX_IDENT;
        while j < cap && self.at(j).is_some_and(is_ident) {
            j += 1;
        }
        Some(j)
    }

    /// A prerelease identifier: `NNI|NI` (strict) or `NNI|NIL` (loose).
    fn pre_ident(&self, i: usize, loose: bool) -> Option<usize> {
        self.nni(i).or_else(|| self.num(i, loose))
    }

    /// `PRERELEASE` / `PRERELEASELOOSE`: returns (end, start of the captured identifiers).
    pub fn prerelease(&self, i: usize, loose: bool) -> Option<(usize, usize)> {
        let mut starts: [Option<usize>; 2] = [None, None];
        if self.is(i, b'-') {
            starts[0] = Some(i + 1);
        }
        if loose {
            // `-?`: first with the hyphen, then (backtracking) without it.
            starts[1] = Some(i);
        }
        for s in starts.into_iter().flatten() {
            if let Some(mut j) = self.pre_ident(s, loose) {
                while self.is(j, b'.') {
                    match self.pre_ident(j + 1, loose) {
                        Some(k) => j = k,
                        None => break,
                    }
                }
                return Some((j, s));
            }
        }
        None
    }

    /// `[a-zA-Z0-9-]{1,250}`
    fn build_ident(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while j < i + MAX_IDENT && self.at(j).is_some_and(is_ident) {
            j += 1;
        }
        (j > i).then_some(j)
    }

    /// `BUILD`: `\+ident(\.ident)*`; returns the end.
    pub fn build(&self, i: usize) -> Option<usize> {
        if !self.is(i, b'+') {
            return None;
        }
        let mut j = self.build_ident(i + 1)?;
        while self.is(j, b'.') {
            match self.build_ident(j + 1) {
                Some(k) => j = k,
                None => break,
            }
        }
        Some(j)
    }

    /// `GTLT`: `(<|>)?=?`; returns the end.
    pub fn gtlt(&self, i: usize) -> usize {
        let mut j = i;
        if matches!(self.at(j), Some(b'<' | b'>')) {
            j += 1;
        }
        if self.is(j, b'=') {
            j += 1;
        }
        j
    }

    /// `\s{0,1}`
    pub fn opt_space(&self, i: usize) -> usize {
        if self.is(i, b' ') {
            i + 1
        } else {
            i
        }
    }

    /// Three numeric identifiers separated by dots; returns the end and the three spans.
    fn main_version(&self, i: usize, loose: bool) -> Option<(usize, [(usize, usize); 3])> {
        let a = self.num(i, loose)?;
        if !self.is(a, b'.') {
            return None;
        }
        let b = self.num(a + 1, loose)?;
        if !self.is(b, b'.') {
            return None;
        }
        let c = self.num(b + 1, loose)?;
        Some((c, [(i, a), (a + 1, b), (b + 1, c)]))
    }

    /// Optional prerelease then optional build after the patch: (end, prerelease, build).
    fn tail(&self, i: usize, loose: bool) -> (usize, Option<Span>, Option<Span>) {
        let mut end = i;
        let mut pre = None;
        if let Some((e, s)) = self.prerelease(end, loose) {
            pre = Some((s, e));
            end = e;
        }
        let mut build = None;
        if let Some(e) = self.build(end) {
            build = Some((end + 1, e));
            end = e;
        }
        (end, pre, build)
    }

    /// The patch lengths a backtracking regex tries, greedy first. Only loose mode can give
    /// digits back: its prerelease needs no hyphen, so `1.2.34.5` is patch `3`, prerelease `4.5`.
    fn patch_splits(&self, (s, e): (usize, usize), loose: bool) -> impl Iterator<Item = usize> {
        let shorter = loose && self.b.get(s).is_some_and(|c| is_digit(*c));
        let low = if shorter { s + 1 } else { e };
        (low..=e).rev()
    }

    /// `FULLPLAIN` (strict) or `LOOSEPLAIN` (loose) as a prefix match at `i` (greedy).
    pub fn plain(&self, i: usize, loose: bool) -> Option<PlainMatch> {
        self.plain_until(i, loose, |_| true)
    }

    /// Like [`Self::plain`], but the match must end where `accept` allows (anchored use),
    /// backtracking as the regular expression would.
    pub fn plain_until(
        &self,
        i: usize,
        loose: bool,
        accept: impl Fn(usize) -> bool,
    ) -> Option<PlainMatch> {
        let start = if loose {
            self.class_end(i)
        } else if self.is(i, b'v') {
            i + 1
        } else {
            i
        };
        let (_, main) = self.main_version(start, loose)?;
        for p_end in self.patch_splits(main[2], loose) {
            let (end, pre, build) = self.tail(p_end, loose);
            if accept(end) {
                let mut main = main;
                main[2].1 = p_end;
                return Some(PlainMatch {
                    end,
                    main,
                    pre,
                    build,
                });
            }
        }
        None
    }

    /// `XRANGEIDENTIFIER(LOOSE)`: a numeric identifier, `x`, `X` or `*`.
    fn xri(&self, i: usize, loose: bool) -> Option<usize> {
        match self.at(i)? {
            b'x' | b'X' | b'*' => Some(i + 1),
            _ => self.num(i, loose),
        }
    }

    /// `XRANGEPLAIN(LOOSE)` as a prefix match at `i` (greedy).
    pub fn xrange_plain(&self, i: usize, loose: bool) -> Option<XMatch> {
        self.xrange_until(i, loose, |_| true)
    }

    /// Like [`Self::xrange_plain`], but the match must end where `accept` allows (anchored use),
    /// backtracking as the regular expression would.
    pub fn xrange_until(
        &self,
        i: usize,
        loose: bool,
        accept: impl Fn(usize) -> bool,
    ) -> Option<XMatch> {
        let s = self.class_end(i);
        let m_end = self.xri(s, loose)?;
        let mut out = XMatch {
            start: i,
            end: m_end,
            parts: [Some((s, m_end)), None, None],
            pre: None,
        };
        let minor = if self.is(m_end, b'.') {
            self.xri(m_end + 1, loose).map(|e| (m_end + 1, e))
        } else {
            None
        };
        let Some((n_start, n_end)) = minor else {
            return accept(out.end).then_some(out);
        };
        let patch = if self.is(n_end, b'.') {
            self.xri(n_end + 1, loose).map(|e| (n_end + 1, e))
        } else {
            None
        };
        let Some((p_start, p_end)) = patch else {
            // Without a patch the optional groups end after the minor, or (backtracking)
            // after the major.
            out.parts[1] = Some((n_start, n_end));
            out.end = n_end;
            if accept(n_end) {
                return Some(out);
            }
            out.parts[1] = None;
            out.end = m_end;
            return accept(m_end).then_some(out);
        };
        for e in self.patch_splits((p_start, p_end), loose) {
            let (end, pre, _) = self.tail(e, loose);
            if accept(end) {
                out.parts[1] = Some((n_start, n_end));
                out.parts[2] = Some((p_start, e));
                out.pre = pre;
                out.end = end;
                return Some(out);
            }
        }
        // Dropping the optional groups leaves a `.` that no caller accepts; try anyway.
        if accept(n_end) {
            out.parts[1] = Some((n_start, n_end));
            out.end = n_end;
            return Some(out);
        }
        accept(m_end).then_some(out)
    }

    /// The text of a span.
    pub fn span(&self, (s, e): (usize, usize)) -> &'a str {
        std::str::from_utf8(self.b.get(s..e).unwrap_or_default()).unwrap_or_default()
    }
}

/// What `FULLPLAIN` / `LOOSEPLAIN` matched.
pub(crate) struct PlainMatch {
    pub end: usize,
    pub main: [(usize, usize); 3],
    pub pre: Option<(usize, usize)>,
    pub build: Option<(usize, usize)>,
}

/// What `XRANGEPLAIN` matched: the whole span, up to three parts and the prerelease.
#[derive(Clone, Copy)]
pub(crate) struct XMatch {
    pub start: usize,
    pub end: usize,
    pub parts: [Option<(usize, usize)>; 3],
    pub pre: Option<(usize, usize)>,
}

/// `BUILDSTRIPRE`: removes every `+ident(.ident)*` (unbounded identifiers, global).
pub(crate) fn strip_build(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'+' && b.get(i + 1).is_some_and(|c| is_ident(*c)) {
            let mut j = i + 1;
            loop {
                while b.get(j).is_some_and(|c| is_ident(*c)) {
                    j += 1;
                }
                if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(|c| is_ident(*c)) {
                    j += 1;
                } else {
                    break;
                }
            }
            out.push_str(&s[last..i]);
            last = j;
            i = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// `(\s*)(~>?|\^)\s+` → `$1~` / `$1^` (global): joins a lone tilde or caret to what follows.
pub(crate) fn trim_lone(s: &str, tilde: bool) -> String {
    let b = s.as_bytes();
    let op = if tilde { b'~' } else { b'^' };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        let lead = usize::from(b[i] == b' ' && b.get(i + 1) == Some(&op));
        let o = i + lead;
        if b.get(o) != Some(&op) {
            i += 1;
            continue;
        }
        let mut j = o + 1;
        if tilde && b.get(j) == Some(&b'>') && b.get(j + 1) == Some(&b' ') {
            j += 2;
        } else if b.get(j) == Some(&b' ') {
            j += 1;
        } else {
            i += 1;
            continue;
        }
        out.push_str(&s[last..o]);
        out.push(op as char);
        last = j;
        i = j;
    }
    out.push_str(&s[last..]);
    out
}

/// `COMPARATORTRIM` (global): `(\s*)GTLT\s*(LOOSEPLAIN|XRANGEPLAIN)` → `$1$2$3`, i.e. removes
/// the space between an operator and its version.
pub(crate) fn comparator_trim(s: &str) -> String {
    let t = Text::new(s);
    let b = t.b;
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut i = 0;
    while i <= b.len() {
        let a = t.opt_space(i);
        let g = t.gtlt(a);
        let c = t.opt_space(g);
        let end = t
            .plain(c, true)
            .map(|m| m.end)
            .or_else(|| t.xrange_plain(c, false).map(|m| m.end));
        match end {
            Some(e) => {
                if c > g {
                    // Drop the one space between the operator and the version.
                    out.push_str(&s[last..g]);
                    last = c;
                }
                // An empty match advances by one, as JavaScript's replace does.
                i = if e > i { e } else { i + 1 };
            }
            None => i += 1,
        }
    }
    out.push_str(s.get(last..).unwrap_or_default());
    out
}

/// `STAR` (first match only): `(<|>)?=?\s*\*` → removed.
pub(crate) fn remove_first_star(s: &str) -> String {
    let b = s.as_bytes();
    for i in 0..b.len() {
        // Greedy choices in order; the first that reaches a `*` wins.
        let j0 = i + usize::from(matches!(b[i], b'<' | b'>'));
        for j in [j0, i] {
            let k0 = j + usize::from(b.get(j) == Some(&b'='));
            for k in [k0, j] {
                let l0 = k + usize::from(b.get(k) == Some(&b' '));
                for l in [l0, k] {
                    if b.get(l) == Some(&b'*') {
                        let mut out = String::with_capacity(s.len());
                        out.push_str(&s[..i]);
                        out.push_str(&s[l + 1..]);
                        return out;
                    }
                }
            }
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(collapse_ws("  a \t\u{a0} b  "), "a b");
        assert_eq!(js_split_ws(""), vec![""]);
        assert_eq!(js_split_ws(" a  b "), vec!["", "a", "b", ""]);
        assert_eq!(js_plus_one("9007199254740991"), "9007199254740992");
        assert_eq!(js_plus_one("999999999999999999999"), "1e+21");
        assert_eq!(strip_build("1.2.3+a.b c+ d+x"), "1.2.3 c+ d");
        assert_eq!(trim_lone("~> 1 ~ 2 ^ 3", true), "~1 ~2 ^ 3");
        assert_eq!(trim_lone("~> 1 ~ 2 ^ 3", false), "~> 1 ~ 2 ^3");
        assert_eq!(comparator_trim(">= 1.2.3 < 2"), ">=1.2.3 <2");
        assert_eq!(remove_first_star(">=*"), "");
        assert_eq!(remove_first_star("=<*"), "=");
    }
}
