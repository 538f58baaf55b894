//! The bad-input catalogue (`tests/bad_inputs/catalogue.json`) through the core dispatcher and
//! through `fleetup call`: every hostile or broken request gets its stable error code, never a
//! panic. (The C, Python, Go and WASM runs of the same catalogue are still to come.)

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

/// Builds the request bytes of one catalogue entry (`request`, `request_hex` or `request_gen`).
fn request_bytes(case: &Value) -> Vec<u8> {
    if let Some(text) = case["request"].as_str() {
        return text.as_bytes().to_vec();
    }
    if let Some(hex) = case["request_hex"].as_str() {
        return (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
    }
    let g = &case["request_gen"];
    let unit = g["unit"].as_str().expect("unit");
    let count = g["count"].as_u64().expect("count") as usize;
    let mut out = String::with_capacity(unit.len() * count + 64);
    out.push_str(g["prefix"].as_str().expect("prefix"));
    for _ in 0..count {
        out.push_str(unit);
    }
    out.push_str(g["suffix"].as_str().expect("suffix"));
    out.into_bytes()
}

fn catalogue() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad_inputs/catalogue.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

#[test]
fn every_catalogue_entry_gets_its_error_code() {
    let cases = catalogue();
    assert!(
        cases.len() >= 60,
        "the catalogue has {} entries",
        cases.len()
    );
    let mut wrong = Vec::new();
    let mut slowest = (0.0f64, String::new());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let bytes = request_bytes(case);
        let start = Instant::now();
        let out = fleetup_core::call_bytes(&bytes);
        let secs = start.elapsed().as_secs_f64();
        if secs > slowest.0 {
            slowest = (secs, name.to_string());
        }
        let response: Value = serde_json::from_slice(&out).expect("the response is JSON");
        let got = response["error"]["code"].as_str().unwrap_or("(ok)");
        if got != case["error"] {
            wrong.push(format!("{name}: expected {}, got {got}", case["error"]));
        }
    }
    println!(
        "{} entries; slowest {:.3} s ({})",
        cases.len(),
        slowest.0,
        slowest.1
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn fleetup_call_answers_every_entry_in_order() {
    // JSON Lines: blank lines are not requests, so the blank entries are left out here.
    let cases: Vec<Value> = catalogue()
        .into_iter()
        .filter(|c| !request_bytes(c).iter().all(u8::is_ascii_whitespace))
        .collect();
    let mut input = Vec::new();
    for c in &cases {
        input.extend_from_slice(&request_bytes(c));
        input.push(b'\n');
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetup"))
        .arg("call")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("fleetup runs");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "fleetup call exits 0 once every line is answered"
    );
    let lines: Vec<&[u8]> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), cases.len(), "one response line per request");
    for (c, line) in cases.iter().zip(lines) {
        let response: Value = serde_json::from_slice(line).expect("a JSON response line");
        assert_eq!(response["error"]["code"], c["error"], "{}", c["name"]);
    }
}
