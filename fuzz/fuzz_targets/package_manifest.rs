//! Fuzzes package loading from manifest text: YAML parsing (with its alias and size guards) and
//! the PackageInfo builder over whatever structure the YAML holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = fleetup_core::yaml::parse(text) else { return };
    // Registry JSON goes through the same model as an archive's manifest.
    let _ = fleetup_core::dispatch("package.from_registry_json", &json!({ "info": doc }));
});
