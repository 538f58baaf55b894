//! A bounded per-thread memo of parsed constraints.
//!
//! The registry parses a package's `kibana.version` once, when it loads the package, and then
//! checks every request against the parsed value. Callers of [`super::satisfies`] pass the same
//! few constraint strings again and again, so remembering the parsed form turns most calls into a
//! hash lookup plus a check. Per thread, so no locking; cleared whole when full, so memory stays
//! bounded without eviction bookkeeping.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::Constraint;
use crate::error::Result;

/// Most constraints remembered per thread.
pub const CAPACITY: usize = 512;

/// Longest constraint worth remembering; longer ones are parsed on every call.
pub const MAX_LEN: usize = 256;

/// FNV-1a: keys are short and the table is bounded, so a keyless hash is enough (a deliberate
/// collision flood costs at most [`CAPACITY`] key comparisons per lookup). Measured faster here
/// than a word-at-a-time variant.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Memo = HashMap<Box<str>, Rc<Constraint>, BuildHasherDefault<Fnv>>;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Runs `f` on the parsed form of `text` (at most [`MAX_LEN`] bytes), parsing and remembering it
/// first when it is not remembered yet.
///
/// # Errors
/// As [`Constraint::parse`]; failures are not remembered.
pub fn with_parsed<R>(text: &str, f: impl FnOnce(&Constraint) -> R) -> Result<R> {
    // A hit runs `f` inside the borrow: no reference count to touch. A miss hands `f` back.
    let f = match MEMO.with(|m| match m.borrow().get(text) {
        Some(c) => Ok(f(c)),
        None => Err(f),
    }) {
        Ok(r) => return Ok(r),
        Err(f) => f,
    };
    Ok(f(&*parsed(text)?))
}

/// The parsed form of `text`, remembered when it parses and is short enough.
///
/// # Errors
/// As [`Constraint::parse`]; failures are not remembered.
pub fn parsed(text: &str) -> Result<Rc<Constraint>> {
    if text.len() > MAX_LEN {
        return Constraint::parse(text).map(Rc::new);
    }
    if let Some(hit) = MEMO.with(|m| m.borrow().get(text).cloned()) {
        return Ok(hit);
    }
    let parsed = Rc::new(Constraint::parse(text)?);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= CAPACITY {
            m.clear();
        }
        m.insert(text.into(), Rc::clone(&parsed));
    });
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_transparent() {
        for i in 0..CAPACITY * 3 {
            let text = format!("^{i}.0.0");
            let c = parsed(&text).unwrap();
            assert_eq!(c.to_string(), text);
        }
        assert!(MEMO.with(|m| m.borrow().len()) <= CAPACITY);
        assert!(parsed("").is_err());
        let long = format!("{} || 1", ">=1 ".repeat(100));
        assert_eq!(
            parsed(&long).unwrap().to_string(),
            Constraint::parse(&long).unwrap().to_string()
        );
    }
}
