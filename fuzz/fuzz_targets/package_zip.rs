//! Fuzzes `.zip` package loading: corrupt archives, traversal names, bombs and odd layouts must
//! give an error with a stable code, never a panic, a hang or unbounded memory.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("fleetup-fuzz-{}.zip", std::process::id()));
    let Ok(mut f) = std::fs::File::create(&path) else { return };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    let _ = fleetup_core::dispatch("package.load", &json!({ "path": path.to_string_lossy() }));
});
