//! Fuzzes the node-semver parsers and operations: no input may panic, hang or blow up memory,
//! and a few invariants must hold.
#![no_main]

use fleetup_core::version::{self, Options, Range, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte picks the options; the rest is split into a version and a range at the first
    // NUL, so the fuzzer can steer both.
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let o = Options {
        loose: flags & 1 != 0,
        include_prerelease: flags & 2 != 0,
    };
    let text = String::from_utf8_lossy(rest);
    let (a, b) = text.split_once('\0').unwrap_or((&text, &text));

    let parsed = Version::parse(a, o);
    if let Ok(v) = &parsed {
        // A normalised version parses again to itself.
        let s = v.to_string();
        assert_eq!(version::valid(&s, o).as_deref(), Some(s.as_str()));
    }
    if let Ok(r) = Range::parse(b, o) {
        if let Ok(v) = &parsed {
            assert_eq!(r.test(v), version::satisfies(a, b, o));
        }
        if let Ok(Some(m)) = version::min_version_of(&r) {
            assert!(r.test(&m), "min_version {m} does not satisfy {b:?}");
        }
        let _ = r.intersects(&r, o);
        let _ = r.to_string();
    }
    let _ = version::gtr(a, b, o);
    let _ = version::ltr(a, b, o);
    let _ = version::compare_build(a, b, o);
    let _ = version::max_satisfying([a, b], b, o);
    let _ = version::Comparator::parse(a, o);
    let _ = fleetup_core::call(&String::from_utf8_lossy(data));
});
