//! The JSON text path of `fleet.upgrade_dry_run` when many requests carry the same PackageInfo
//! (`fleetup call` over JSON Lines, the C ABI and WebAssembly `call`).
//!
//! Each such request repeats the whole target PackageInfo (≈ 10 KB for nginx, ≈ 100 KB for aws)
//! next to a policy a tenth of its size, so parsing and preparing the package would dominate
//! every line. Instead, the raw bytes of `args.package_info` are kept per thread with the
//! [`PreparedPackage`] built from them: when a request carries byte-identical package text at
//! that place, only the rest of the request is parsed (with the package text replaced by
//! `null`), and the dry run runs against the prepared package.
//!
//! Why this is exact: the cached text was parsed successfully before, at the same place (`args`
//! of a request, two levels deep, so under the same nesting limit), and a JSON value's extent is
//! fixed by its own bytes. If the rest of the request parses, the whole request parses to the
//! same document with the cached package in place. Anything unusual (escaped or duplicate `args`
//! / `package_info` keys, a rest that does not parse, another operation) takes the ordinary path,
//! which produces the response, errors included, exactly as before.

use std::cell::RefCell;
use std::sync::Arc;

use serde_json::Value;

use crate::args::Args;
use crate::error::Result;
use crate::limits::MAX_DOCUMENT_BYTES;
use crate::policy::dry_run::DryRunItem;
use crate::policy::prepared::PreparedPackage;

const OP: &str = "fleet.upgrade_dry_run";

/// Package texts kept per thread.
const CACHE_SIZE: usize = 4;

/// Smaller package texts are parsed every time (the saving would not pay for the bookkeeping).
const MIN_PACKAGE_BYTES: usize = 512;

struct Entry {
    raw: Box<str>,
    prepared: Arc<PreparedPackage>,
}

thread_local! {
    static CACHE: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// The answer of this path: a dry-run item, written straight as JSON text, or (on first sight of
/// a package, or a policy the item path does not take) the ordinary path's value.
pub(crate) enum Answer {
    DryRun(Box<DryRunItem>),
    Value(Value),
}

/// The response to `request` when it is a dry run this path handles; `None` sends the request
/// down the ordinary path.
pub(crate) fn try_cached_dry_run(request: &str) -> Option<Result<Answer>> {
    if request.len() > MAX_DOCUMENT_BYTES || !request.contains(OP) {
        return None;
    }
    let span = package_span(request)?;
    if span.hit.is_none() {
        return Some(first_sight(request, span.start, span.end).map(Answer::Value));
    }
    let prepared = span.hit?;
    // The request with the package text replaced by `null`.
    let mut rest = String::with_capacity(request.len() - (span.end - span.start) + 4);
    rest.push_str(request.get(..span.start)?);
    rest.push_str("null");
    rest.push_str(request.get(span.end..)?);
    let mut req: Value = serde_json::from_str(&rest).ok()?;
    if req.get("op").and_then(Value::as_str) != Some(OP) {
        return None;
    }
    let args = req.get_mut("args")?;
    if args.get("package_info") != Some(&Value::Null) {
        return None;
    }
    // The policy is moved out of the request (it becomes `diff[0]`) when it is an object; any
    // other value takes the borrowed path, which reports it exactly as the ordinary path does.
    let policy = match args.get_mut("package_policy") {
        Some(p @ Value::Object(_)) => Some(p.take()),
        _ => None,
    };
    let args = Args::new(args).ok()?;
    Some(match policy {
        Some(policy) => crate::policy::ops::dry_run_prepared_owned(&args, policy, &prepared)
            .map(|item| Answer::DryRun(Box::new(item))),
        None => crate::policy::ops::dry_run_prepared(&args, &prepared).map(Answer::Value),
    })
}

/// A request whose package text is not cached: answered as the ordinary path answers it, and
/// its package text remembered when it is a well-formed dry run.
fn first_sight(request: &str, start: usize, end: usize) -> Result<Value> {
    let req = crate::dispatch::parse_json(request)?;
    let pkg = req
        .get("args")
        .and_then(|a| a.get("package_info"))
        .filter(|p| p.is_object());
    if let (Some(pkg), Some(raw)) = (pkg, request.get(start..end)) {
        if req.get("op").and_then(Value::as_str) == Some(OP) && raw.len() >= MIN_PACKAGE_BYTES {
            let prepared = PreparedPackage::cached(pkg);
            CACHE.with(|c| {
                let mut c = c.borrow_mut();
                c.insert(
                    0,
                    Entry {
                        raw: raw.into(),
                        prepared,
                    },
                );
                c.truncate(CACHE_SIZE);
            });
        }
    }
    crate::dispatch::run_request(&req)
}

/// Where `args.package_info`'s value lies in the request text, and its prepared package when
/// the text is cached.
struct Span {
    start: usize,
    end: usize,
    hit: Option<Arc<PreparedPackage>>,
}

/// Finds the single `args.package_info` of a request object. `None` when the request is not
/// shaped so (or is ambiguous: duplicate or escaped keys).
fn package_span(text: &str) -> Option<Span> {
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
    };
    let mut found: Option<Span> = None;
    let mut seen_args = false;
    s.ws();
    s.expect(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        return None;
    }
    loop {
        let key = s.key()?;
        if key == b"args" {
            if seen_args {
                return None;
            }
            seen_args = true;
            s.expect(b'{')?;
            s.ws();
            if s.peek()? != b'}' {
                loop {
                    let key = s.key()?;
                    if key == b"package_info" {
                        if found.is_some() {
                            return None;
                        }
                        found = Some(s.package_value(text)?);
                    } else {
                        s.skip_value()?;
                    }
                    s.ws();
                    match s.next()? {
                        b',' => s.ws(),
                        b'}' => break,
                        _ => return None,
                    }
                }
            } else {
                s.i += 1;
            }
        } else {
            s.skip_value()?;
        }
        s.ws();
        match s.next()? {
            b',' => s.ws(),
            b'}' => break,
            _ => return None,
        }
    }
    s.ws();
    if s.i != s.b.len() {
        return None;
    }
    found
}

/// A forgiving tokenizer: it locates values in well-formed JSON and gives up on anything odd.
/// It validates nothing; the parser that follows it does.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// An object key and its `:`; `None` for keys with escapes (they could spell any name).
    fn key(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.i;
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' => return None,
                _ => {}
            }
        }
        let key = self.b.get(start..self.i - 1)?;
        self.ws();
        self.expect(b':')?;
        self.ws();
        Some(key)
    }

    fn skip_string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            match self.next()? {
                b'"' => return Some(()),
                b'\\' => {
                    self.next()?;
                }
                _ => {}
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => self.skip_string()?,
                        b'{' | b'[' => {
                            depth += 1;
                            self.i += 1;
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            self.i += 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        _ => self.i += 1,
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek()?,
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                ) {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// The package value at the cursor: matched against the cached texts first (a cached text
    /// is a complete JSON object, so a byte-identical prefix is exactly this value).
    fn package_value(&mut self, text: &str) -> Option<Span> {
        let start = self.i;
        let rest = text.get(start..)?;
        let hit = CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let pos = c.iter().position(|e| rest.starts_with(&*e.raw))?;
            let e = c.remove(pos);
            let found = (e.raw.len(), Arc::clone(&e.prepared));
            c.insert(0, e);
            Some(found)
        });
        if let Some((len, prepared)) = hit {
            self.i = start + len;
            return Some(Span {
                start,
                end: self.i,
                hit: Some(prepared),
            });
        }
        if self.peek()? != b'{' {
            return None;
        }
        self.skip_value()?;
        Some(Span {
            start,
            end: self.i,
            hit: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pkg: &str, policy: &str) -> String {
        format!(
            r#"{{"op":"fleet.upgrade_dry_run","args":{{"package_info":{pkg},"package_policy":{policy}}}}}"#
        )
    }

    #[test]
    fn spans_and_refusals() {
        let pkg = r#"{"name":"p","version":"1.1.0","x":"a\"}"}"#;
        let text = request(pkg, r#"{"a":[1,{"b":"}"}]}"#);
        let span = package_span(&text).expect("span");
        assert_eq!(&text[span.start..span.end], pkg);
        // Duplicate or escaped keys are left to the ordinary parser.
        assert!(package_span(r#"{"args":{"package_info":{},"package_info":{}}}"#).is_none());
        assert!(package_span(r#"{"args":{"package_info":{}},"args":{}}"#).is_none());
        assert!(package_span(r#"{"args":{"package\u005finfo":{}}}"#).is_none());
        assert!(package_span(r#"{"args":{"package_info":{}}} x"#).is_none());
    }

    #[test]
    fn cached_text_answers_like_the_ordinary_path() {
        let pkg = serde_json::json!({
            "name": "p", "version": "1.1.0", "type": "integration",
            "description": "x".repeat(600),
            "policy_templates": [{"name": "p", "inputs": [{"type": "logfile", "vars": [{"name": "paths", "type": "text", "multi": true, "required": true}]}]}],
            "data_streams": []
        })
        .to_string();
        let policy = r#"{"id":"a","name":"n","namespace":"default","package":{"name":"p","version":"1.0.0"},"inputs":[{"type":"logfile","enabled":true,"streams":[],"vars":{"paths":{"value":[],"type":"text"}}}]}"#;
        let plain = |text: &str| {
            let mut out = String::new();
            let r = crate::dispatch::parse_json(text)
                .and_then(|req| crate::dispatch::run_request(&req));
            match r {
                Ok(v) => out.push_str(&v.to_string()),
                Err(e) => out.push_str(&e.to_json().to_string()),
            }
            out
        };
        let cases = [
            request(&pkg, policy),
            request(&pkg, policy),
            request(&pkg, "[1]"),
            request(
                &pkg,
                r#"{"id":"a","package":{"name":"p","version":"2.0.0"}}"#,
            ),
            request(&pkg, "{bad json"),
        ];
        for text in &cases {
            let fast = match try_cached_dry_run(text) {
                Some(Ok(Answer::DryRun(item))) => {
                    let mut buf = Vec::new();
                    item.write_json(&mut buf);
                    String::from_utf8(buf).expect("utf-8")
                }
                Some(Ok(Answer::Value(v))) => v.to_string(),
                Some(Err(e)) => e.to_json().to_string(),
                None => plain(text),
            };
            assert_eq!(fast, plain(text), "{text}");
        }
    }
}
