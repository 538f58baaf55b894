//! Fuzzes agent template compilation (`agent.compile_template`): Handlebars text, var entries and
//! the YAML the template renders. Input: the template, then optionally a NUL byte and the vars as
//! JSON (`{name: {type?, value?}}`); without vars a fixed set of every var kind is used. Seeded
//! with the corpus templates (see `just fuzz`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let (template, vars) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], serde_json::from_slice::<Value>(&data[i + 1..]).ok()),
        None => (data, None),
    };
    let Ok(template) = std::str::from_utf8(template) else { return };
    let vars = vars.unwrap_or_else(|| {
        json!({
            "paths": {"value": ["/var/log/*.log", "a: b"]},
            "tags": {"value": ["forwarded", "x"]},
            "processors": {"type": "yaml", "value": "- add_tags:\n    tags: [a]\n"},
            "custom": {"type": "yaml", "value": "k: v\n"},
            "password": {"type": "password", "value": {"isSecretRef": true, "id": "s1"}},
            "period": {"value": 1.5},
            "enabled": {"value": false},
            "data_stream.dataset": {"value": "nginx.access"},
        })
    });
    let _ = fleetup_core::dispatch(
        "agent.compile_template",
        &json!({"template": template, "vars": vars, "agent_version": "9.3.0"}),
    );
});
