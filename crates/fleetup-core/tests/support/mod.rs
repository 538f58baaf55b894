//! Pieces every corpus test shares.

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
