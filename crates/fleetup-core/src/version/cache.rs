//! A small per-thread cache of parsed ranges, like node-semver's LRU of parsed range sets.
//!
//! Fleet evaluates the same handful of `conditions.kibana.version` ranges over and over, so
//! `satisfies(version, range)` with string arguments mostly costs a hash lookup. The cache is
//! bounded: when it reaches [`CAPACITY`] entries for one option combination it is cleared (simpler
//! than LRU bookkeeping, and the working set is tiny). Per thread, so there is no locking.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::range::Range;
use super::Options;
use crate::error::Result;

/// Most ranges kept per option combination (node-semver keeps 1000 in all).
pub const CAPACITY: usize = 512;

/// Longest range text cached (longer ones are parsed every time). With [`CAPACITY`] this bounds
/// the cache to a few megabytes per thread even for hostile input; real ranges are ~20 bytes.
const MAX_KEY_LEN: usize = 256;

/// FxHash-style multiplicative hasher: keys are short strings and the map is bounded, so a
/// fast non-keyed hash is enough (a collision flood costs at most [`CAPACITY`] comparisons).
#[derive(Default)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

type Map = HashMap<Box<str>, Rc<Range>, BuildHasherDefault<FastHasher>>;

thread_local! {
    static CACHE: RefCell<[Map; 4]> = RefCell::new(Default::default());
}

fn slot(options: Options) -> usize {
    usize::from(options.loose) | (usize::from(options.include_prerelease) << 1)
}

/// The parsed range for `text`, from the cache when possible.
///
/// # Errors
/// `INVALID_RANGE` as [`Range::parse`] (invalid ranges are not cached).
pub fn range(text: &str, options: Options) -> Result<Rc<Range>> {
    if text.len() > MAX_KEY_LEN {
        return Range::parse(text, options).map(Rc::new);
    }
    let i = slot(options);
    let hit = CACHE.with(|c| c.borrow().get(i).and_then(|m| m.get(text).cloned()));
    if let Some(r) = hit {
        return Ok(r);
    }
    // Parse outside the borrow: parsing may itself use the cache (intersects).
    let parsed = Rc::new(Range::parse(text, options)?);
    CACHE.with(|c| {
        if let Some(m) = c.borrow_mut().get_mut(i) {
            if m.len() >= CAPACITY {
                m.clear();
            }
            m.insert(text.into(), Rc::clone(&parsed));
        }
    });
    Ok(parsed)
}
