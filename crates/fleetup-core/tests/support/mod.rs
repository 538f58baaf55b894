//! Pieces every corpus test shares.

// Each test crate that includes this module uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared` beside the project (the reference material), or `None` with a note when a fresh
/// clone has none.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared is absent (a fresh clone has no reference material)");
        None
    }
}

/// The names of a directory's entries, sorted (corpus package names).
pub fn entry_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The version directories of one corpus package, in semver order.
pub fn versions_in_order(package_dir: &Path) -> Vec<String> {
    let mut versions = entry_names(package_dir);
    versions.sort_by(|a, b| {
        fleetup_core::version::compare(a, b, Default::default())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    versions
}
