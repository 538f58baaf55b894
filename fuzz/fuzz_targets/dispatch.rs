//! Fuzzes the whole JSON dispatcher: any bytes are a request; the answer must be one JSON
//! envelope, `{"ok": …}` or `{"error": {"code", "message", …}}`, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let out = fleetup_core::call_bytes(data);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("the response is JSON");
    let obj = v.as_object().expect("the response is an object");
    assert_eq!(obj.len(), 1, "exactly one of ok / error");
    if let Some(e) = obj.get("error") {
        let code = e["code"].as_str().expect("an error has a code");
        assert!(fleetup_core::ErrorKind::from_code(code).is_some(), "unknown code {code}");
        assert!(e["message"].is_string());
    } else {
        assert!(obj.contains_key("ok"));
    }
});
