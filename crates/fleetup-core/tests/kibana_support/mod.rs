//! Shared pieces of the Kibana conformance harnesses: locating `../shared`, a JMESPath subset
//! that keeps `undefined` (missing) apart from `null`, and the Jest matchers the cases use.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

/// `../shared/conformance/kibana` relative to the workspace root, if present.
pub fn kibana_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/kibana");
    root.is_dir().then_some(root)
}

/// Loads a case file, or prints why the suite is skipped.
pub fn load_cases(file: &str) -> Option<Vec<Value>> {
    let Some(dir) = kibana_dir() else {
        println!("SKIPPED: ../shared/conformance/kibana is absent (it is present in CI)");
        return None;
    };
    let text = std::fs::read_to_string(dir.join(file)).expect("read case file");
    let v: Value = serde_json::from_str(&text).expect("case file is JSON");
    Some(v.as_array().cloned().expect("case file is an array"))
}

// ---------------------------------------------------------------- JMESPath subset

#[derive(Debug, Clone)]
enum Tok {
    Ident(String),
    Raw(String),
    Num(i64),
    Dot,
    LBracket,
    RBracket,
    Filter,
    Pipe,
    LParen,
    RParen,
    At,
    Eq,
    Ne,
    And,
    Or,
    Not,
}

fn lex(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        match c[i] {
            ' ' => i += 1,
            '.' => {
                out.push(Tok::Dot);
                i += 1
            }
            '[' if c.get(i + 1) == Some(&'?') => {
                out.push(Tok::Filter);
                i += 2
            }
            '[' => {
                out.push(Tok::LBracket);
                i += 1
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            '@' => {
                out.push(Tok::At);
                i += 1
            }
            '|' if c.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2
            }
            '|' => {
                out.push(Tok::Pipe);
                i += 1
            }
            '&' => {
                out.push(Tok::And);
                i += 2
            }
            '=' => {
                out.push(Tok::Eq);
                i += 2
            }
            '!' if c.get(i + 1) == Some(&'=') => {
                out.push(Tok::Ne);
                i += 2
            }
            '!' => {
                out.push(Tok::Not);
                i += 1
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                while i < c.len() && c[i] != '\'' {
                    s.push(c[i]);
                    i += 1;
                }
                i += 1;
                out.push(Tok::Raw(s));
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < c.len() && c[i] != '"' {
                    s.push(c[i]);
                    i += 1;
                }
                i += 1;
                out.push(Tok::Ident(s));
            }
            d if d.is_ascii_digit() || d == '-' => {
                let mut s = String::from(d);
                i += 1;
                while i < c.len() && c[i].is_ascii_digit() {
                    s.push(c[i]);
                    i += 1;
                }
                out.push(Tok::Num(s.parse().expect("number")));
            }
            _ => {
                let mut s = String::new();
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    s.push(c[i]);
                    i += 1;
                }
                assert!(!s.is_empty(), "unexpected character in {src:?} at {i}");
                out.push(Tok::Ident(s));
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Node {
    Current,
    Field(String),
    Index(i64),
    Filter(Box<Node>),
    Sub(Box<Node>, Box<Node>),
    Pipe(Box<Node>, Box<Node>),
    Length(Box<Node>),
    Literal(Value),
    Cmp(bool, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn pipe(&mut self) -> Node {
        let mut left = self.or();
        while matches!(self.peek(), Some(Tok::Pipe)) {
            self.pos += 1;
            let right = self.or();
            left = Node::Pipe(Box::new(left), Box::new(right));
        }
        left
    }
    fn or(&mut self) -> Node {
        let mut left = self.and();
        while matches!(self.peek(), Some(Tok::Or)) {
            self.pos += 1;
            left = Node::Or(Box::new(left), Box::new(self.and()));
        }
        left
    }
    fn and(&mut self) -> Node {
        let mut left = self.cmp();
        while matches!(self.peek(), Some(Tok::And)) {
            self.pos += 1;
            left = Node::And(Box::new(left), Box::new(self.cmp()));
        }
        left
    }
    fn cmp(&mut self) -> Node {
        if matches!(self.peek(), Some(Tok::Not)) {
            self.pos += 1;
            return Node::Not(Box::new(self.cmp()));
        }
        let left = self.chain();
        match self.peek() {
            Some(Tok::Eq) => {
                self.pos += 1;
                Node::Cmp(true, Box::new(left), Box::new(self.chain()))
            }
            Some(Tok::Ne) => {
                self.pos += 1;
                Node::Cmp(false, Box::new(left), Box::new(self.chain()))
            }
            _ => left,
        }
    }
    fn chain(&mut self) -> Node {
        let mut node = match self.next() {
            Some(Tok::At) => Node::Current,
            Some(Tok::Raw(s)) => Node::Literal(Value::String(s)),
            Some(Tok::Ident(f)) if f == "length" && matches!(self.peek(), Some(Tok::LParen)) => {
                self.pos += 1;
                let inner = self.pipe();
                assert!(matches!(self.next(), Some(Tok::RParen)));
                Node::Length(Box::new(inner))
            }
            Some(Tok::Ident(f)) => Node::Field(f),
            Some(Tok::LBracket) => {
                let Some(Tok::Num(n)) = self.next() else {
                    panic!("index expected")
                };
                assert!(matches!(self.next(), Some(Tok::RBracket)));
                Node::Sub(Box::new(Node::Current), Box::new(Node::Index(n)))
            }
            Some(Tok::Filter) => {
                let cond = self.pipe();
                assert!(matches!(self.next(), Some(Tok::RBracket)));
                Node::Sub(
                    Box::new(Node::Current),
                    Box::new(Node::Filter(Box::new(cond))),
                )
            }
            t => panic!("unexpected token {t:?}"),
        };
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    self.pos += 1;
                    let Some(Tok::Ident(f)) = self.next() else {
                        panic!("field expected")
                    };
                    node = Node::Sub(Box::new(node), Box::new(Node::Field(f)));
                }
                Some(Tok::LBracket) => {
                    self.pos += 1;
                    let Some(Tok::Num(n)) = self.next() else {
                        panic!("index expected")
                    };
                    assert!(matches!(self.next(), Some(Tok::RBracket)));
                    node = Node::Sub(Box::new(node), Box::new(Node::Index(n)));
                }
                Some(Tok::Filter) => {
                    self.pos += 1;
                    let cond = self.pipe();
                    assert!(matches!(self.next(), Some(Tok::RBracket)));
                    node = Node::Sub(Box::new(node), Box::new(Node::Filter(Box::new(cond))));
                }
                _ => return node,
            }
        }
    }
}

fn jtruthy(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        _ => true,
    }
}

/// Evaluates `node`; the flag marks filter results, over which later field accesses project.
fn eval(node: &Node, cur: &Option<Value>) -> (Option<Value>, bool) {
    match node {
        Node::Current => (cur.clone(), false),
        Node::Literal(v) => (Some(v.clone()), false),
        Node::Field(f) => (cur.as_ref().and_then(|c| c.get(f)).cloned(), false),
        Node::Index(i) => {
            let r = cur.as_ref().and_then(Value::as_array).and_then(|a| {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                usize::try_from(idx).ok().and_then(|u| a.get(u)).cloned()
            });
            (r, false)
        }
        Node::Filter(cond) => {
            let Some(Value::Array(a)) = cur else {
                return (None, false);
            };
            let kept = a
                .iter()
                .filter(|e| jtruthy(&eval(cond, &Some((*e).clone())).0))
                .cloned()
                .collect();
            (Some(Value::Array(kept)), true)
        }
        Node::Sub(l, r) => {
            let (lv, projected) = eval(l, cur);
            if projected {
                let Some(Value::Array(items)) = lv else {
                    return (None, false);
                };
                let out: Vec<Value> = items
                    .iter()
                    .filter_map(|e| eval(r, &Some(e.clone())).0)
                    .filter(|v| !v.is_null())
                    .collect();
                (Some(Value::Array(out)), true)
            } else {
                eval(r, &lv)
            }
        }
        Node::Pipe(l, r) => {
            let (lv, _) = eval(l, cur);
            eval(r, &lv)
        }
        Node::Length(inner) => {
            let (v, _) = eval(inner, cur);
            let n = match v {
                Some(Value::Array(a)) => a.len(),
                Some(Value::Object(o)) => o.len(),
                Some(Value::String(s)) => s.chars().count(),
                other => panic!("length() of {other:?}"),
            };
            (Some(Value::from(n)), false)
        }
        Node::Cmp(eq, l, r) => {
            let a = eval(l, cur).0.unwrap_or(Value::Null);
            let b = eval(r, cur).0.unwrap_or(Value::Null);
            (Some(Value::Bool((a == b) == *eq)), false)
        }
        Node::And(l, r) => {
            let a = eval(l, cur).0;
            if !jtruthy(&a) {
                return (a, false);
            }
            (eval(r, cur).0, false)
        }
        Node::Or(l, r) => {
            let a = eval(l, cur).0;
            if jtruthy(&a) {
                return (a, false);
            }
            (eval(r, cur).0, false)
        }
        Node::Not(inner) => (Some(Value::Bool(!jtruthy(&eval(inner, cur).0))), false),
    }
}

/// Evaluates `path` on `subject`; `None` is JavaScript `undefined` (a missing key or index).
pub fn search(path: &str, subject: &Value) -> Option<Value> {
    let mut p = Parser {
        toks: lex(path),
        pos: 0,
    };
    let node = p.pipe();
    assert!(p.pos == p.toks.len(), "trailing tokens in {path:?}");
    eval(&node, &Some(subject.clone())).0
}

// ---------------------------------------------------------------- Jest matchers

fn js_truthy(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        _ => true,
    }
}

/// Jest `toEqual` (undefined properties ignored) with `{"$stringContaining": s}` support.
pub fn deep_equal(actual: &Value, expected: &Value) -> bool {
    if let Some(sub) = expected.get("$stringContaining").and_then(Value::as_str) {
        return actual.as_str().is_some_and(|a| a.contains(sub));
    }
    if let Some(sub) = expected.get("$contains").and_then(Value::as_str) {
        return actual.as_str().is_some_and(|a| a.contains(sub));
    }
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            a.len() == e.len()
                && e.iter()
                    .all(|(k, ev)| a.get(k).is_some_and(|av| deep_equal(av, ev)))
        }
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(x, y)| deep_equal(x, y))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => actual == expected,
    }
}

/// Jest `toMatchObject`.
pub fn match_object(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| match_object(av, ev))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(x, y)| match_object(x, y))
        }
        _ => deep_equal(actual, expected),
    }
}

/// Checks one `{path, op, value?}` assertion; `Err` describes the failure.
pub fn check_assertion(subject: &Value, a: &Value) -> Result<(), String> {
    let path = a["path"].as_str().expect("assertion path");
    let op = a["op"].as_str().expect("assertion op");
    let expected = a.get("value");
    let got = search(path, subject);
    let ok = match op {
        "toBe" => got
            .as_ref()
            .zip(expected)
            .is_some_and(|(g, e)| deep_equal(g, e) && !g.is_object()),
        "toEqual" => got
            .as_ref()
            .zip(expected)
            .is_some_and(|(g, e)| deep_equal(g, e)),
        "toMatchObject" => got
            .as_ref()
            .zip(expected)
            .is_some_and(|(g, e)| match_object(g, e)),
        "toHaveLength" => {
            let len = match &got {
                Some(Value::Array(x)) => Some(x.len()),
                Some(Value::String(s)) => Some(s.chars().count()),
                _ => None,
            };
            len.map(Value::from) == expected.cloned()
        }
        "toContain" => match (&got, expected) {
            (Some(Value::String(g)), Some(Value::String(e))) => g.contains(e.as_str()),
            (Some(Value::Array(g)), Some(e)) => g.iter().any(|x| x == e),
            _ => false,
        },
        "toBeDefined" => got.is_some(),
        "toBeUndefined" => got.is_none(),
        "toBeNull" => got == Some(Value::Null),
        "not.toBeNull" => got != Some(Value::Null),
        "toBeTruthy" => js_truthy(&got),
        "toBeFalsy" => !js_truthy(&got),
        other => return Err(format!("unknown matcher {other}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{path} {op} {expected:?}: got {got:?}"))
    }
}

#[test]
fn jmespath_subset_keeps_undefined_apart_from_null() {
    let v = serde_json::json!({"inputs": [{"type": "a", "enabled": false, "x": null}, {"type": "b", "enabled": true}]});
    assert_eq!(
        search("inputs[?type=='b'] | [0].enabled", &v),
        Some(Value::Bool(true))
    );
    assert_eq!(search("inputs[0].x", &v), Some(Value::Null));
    assert_eq!(search("inputs[0].y", &v), None);
    assert_eq!(
        search("length(inputs[?!enabled])", &v),
        Some(Value::from(1))
    );
    assert_eq!(
        search("inputs[?type=='a' && !enabled] | [0].type", &v),
        Some(Value::from("a"))
    );
    assert_eq!(search("inputs[5]", &v), None);
}

#[test]
fn matchers_fail_on_wrong_values() {
    let v = serde_json::json!({"a": {"b": null}, "n": 1, "s": "hello"});
    let a = |path: &str, op: &str, value: Option<Value>| {
        let mut m = serde_json::json!({"path": path, "op": op});
        if let Some(x) = value {
            m["value"] = x;
        }
        check_assertion(&v, &m)
    };
    assert!(a("n", "toBe", Some(Value::from(1))).is_ok());
    assert!(a("n", "toBe", Some(Value::from(2))).is_err());
    assert!(
        a("a.b", "toBeUndefined", None).is_err(),
        "an explicit null is not undefined"
    );
    assert!(a("a.c", "toBeUndefined", None).is_ok());
    assert!(a("a.b", "toBeDefined", None).is_ok());
    assert!(a("a.b", "toBeNull", None).is_ok());
    assert!(a("s", "toContain", Some(Value::from("ell"))).is_ok());
    assert!(a("s", "toContain", Some(Value::from("xyz"))).is_err());
    assert!(a("a", "toEqual", Some(serde_json::json!({"b": 1}))).is_err());
}
