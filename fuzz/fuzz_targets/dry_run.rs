//! Fuzzes policy JSON through `fleet.upgrade_dry_run` and `plan.policy` against a real package
//! (nginx 1.6.0 from the corpus when `../shared` is beside the project, else the bundled
//! example), compiling its agent templates too. Seed the corpus with real policies (see
//! `just fuzz`).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn package() -> &'static Value {
    static PKG: OnceLock<Value> = OnceLock::new();
    PKG.get_or_init(|| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let corpus = here.join("../../shared/corpus/packages/nginx/1.6.0");
        let path = if corpus.is_dir() { corpus } else { here.join("../examples/packages/acme_web-2.0.0") };
        fleetup_core::dispatch("package.load", &json!({ "path": path.to_string_lossy() }))
            .expect("the fuzz package loads")
    })
}

/// The same package's agent templates, so the dry run also compiles them.
fn templates() -> &'static Value {
    static TEMPLATES: OnceLock<Value> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let corpus = here.join("../../shared/corpus/packages/nginx/1.6.0");
        let path = if corpus.is_dir() { corpus } else { here.join("../examples/packages/acme_web-2.0.0") };
        fleetup_core::dispatch("package.agent_templates", &json!({ "path": path.to_string_lossy() }))
            .expect("the fuzz package's templates load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = serde_json::from_slice::<Value>(data) else { return };
    let before = policy.clone();
    let _ = fleetup_core::dispatch(
        "fleet.upgrade_dry_run",
        &json!({ "package_policy": policy, "package_info": package(), "agent_templates": templates() }),
    );
    let _ = fleetup_core::dispatch(
        "plan.policy",
        &json!({ "package_policy": policy, "package_info": package() }),
    );
    assert_eq!(policy, before, "no operation mutates its input");
});
