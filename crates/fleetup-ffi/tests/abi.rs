//! Calls the `extern "C"` functions from Rust: the shared vectors, the error table and every
//! boundary rule (NULL pointers, zero lengths, invalid UTF-8, option bits, threads).

use std::ffi::CStr;
use std::path::PathBuf;
use std::ptr;

use fleetup::*;
use serde_json::{json, Value};

/// What a C caller sees from one call: Ok(bytes) or Err((code, message, path)).
type Outcome<T> = Result<T, (i32, String, Option<String>)>;

/// Reads and frees an error pointer.
fn take_error(err: *mut fleetup_error) -> Outcome<()> {
    if err.is_null() {
        return Ok(());
    }
    // SAFETY: `err` is a live error from the library; it is freed once, after reading.
    unsafe {
        let code = fleetup_error_code(err);
        let message = CStr::from_ptr(fleetup_error_message(err))
            .to_string_lossy()
            .into_owned();
        let path_ptr = fleetup_error_path(err);
        let path =
            (!path_ptr.is_null()).then(|| CStr::from_ptr(path_ptr).to_string_lossy().into_owned());
        fleetup_error_free(err);
        Err((code, message, path))
    }
}

/// Copies and frees library-owned bytes.
fn take_bytes(bytes: fleetup_bytes) -> Vec<u8> {
    // SAFETY: the library wrote `bytes`; it is read within `len` and freed once.
    unsafe {
        let copy = if bytes.len == 0 {
            Vec::new()
        } else {
            std::slice::from_raw_parts(bytes.ptr, bytes.len).to_vec()
        };
        fleetup_bytes_free(bytes);
        copy
    }
}

fn call(request: &[u8]) -> Value {
    let mut out = fleetup_bytes {
        ptr: ptr::null_mut(),
        len: 0,
    };
    // SAFETY: `request` is a live slice and `out` a writable local.
    let err = unsafe { fleetup_call(request.as_ptr(), request.len(), &mut out) };
    take_error(err).expect("fleetup_call fails only on boundary errors");
    serde_json::from_slice(&take_bytes(out)).expect("the response is JSON")
}

fn compare(a: &str, b: &str, options: u32) -> Outcome<i32> {
    let mut out = 99;
    // SAFETY: live slices and a writable local.
    let err = unsafe {
        fleetup_version_compare(a.as_ptr(), a.len(), b.as_ptr(), b.len(), options, &mut out)
    };
    take_error(err).map(|()| out)
}

fn satisfies(v: &str, r: &str, options: u32) -> Outcome<bool> {
    let mut out = false;
    // SAFETY: live slices and a writable local.
    let err = unsafe {
        fleetup_version_satisfies(v.as_ptr(), v.len(), r.as_ptr(), r.len(), options, &mut out)
    };
    take_error(err).map(|()| out)
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn suites() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files found");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable vector file");
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (
                name,
                serde_json::from_str(&text).expect("vector file is JSON"),
            )
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn request_bytes(case: &Value) -> Vec<u8> {
    if let Some(h) = case["request_hex"].as_str() {
        hex(h)
    } else if let Some(r) = case["request"].as_str() {
        r.as_bytes().to_vec()
    } else {
        json!({"op": case["op"], "args": case["args"]})
            .to_string()
            .into_bytes()
    }
}

/// Checks a response envelope against a case; returns a failure description.
fn check_envelope(case: &Value, response: &Value) -> Option<String> {
    let expected = if let Some(e) = case.get("expect") {
        json!({"ok": e})
    } else if let Some(code) = case.get("error") {
        let mut err = json!({"code": code});
        if let Some(p) = case.get("path") {
            err["path"] = p.clone();
        }
        json!({"error": err})
    } else if let Some(r) = case.get("response") {
        r.clone()
    } else {
        return Some("case has no expect/error/response".into());
    };
    let matches = match (expected.get("ok"), expected.get("error")) {
        (Some(ok), _) => response.get("ok").is_some_and(|got| json_eq(got, ok)),
        (_, Some(err)) => {
            let got = &response["error"];
            got["code"] == err["code"] && (err.get("path").is_none() || got["path"] == err["path"])
        }
        _ => false,
    };
    (!matches).then(|| format!("expected {expected}, got {response}"))
}

/// JSON equality with numbers compared by value (1 == 1.0).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn option_bits(args: &Value) -> u32 {
    let o = &args["options"];
    let mut bits = 0;
    if o["loose"].as_bool() == Some(true) {
        bits |= FLEETUP_OPTION_LOOSE;
    }
    if o["include_prerelease"].as_bool() == Some(true) {
        bits |= FLEETUP_OPTION_INCLUDE_PRERELEASE;
    }
    bits
}

/// The typed function's outcome for a semver case, as an envelope, or None for other ops.
fn typed_envelope(case: &Value) -> Option<Value> {
    let args = &case["args"];
    let bits = option_bits(args);
    let envelope = |r: Outcome<Value>| match r {
        Ok(v) => json!({"ok": v}),
        Err((code, message, path)) => {
            let name = fleetup_error_codes::ALL
                .iter()
                .find(|(c, _)| c.number() == code)
                .map_or("?", |(_, n)| *n);
            json!({"error": {"code": name, "message": message, "path": path}})
        }
    };
    match case["op"].as_str()? {
        "semver.compare" => {
            let (a, b) = (args["a"].as_str()?, args["b"].as_str()?);
            Some(envelope(compare(a, b, bits).map(Value::from)))
        }
        "semver.satisfies" => {
            let (v, r) = (args["version"].as_str()?, args["range"].as_str()?);
            Some(envelope(satisfies(v, r, bits).map(Value::from)))
        }
        _ => None,
    }
}

#[test]
fn vectors_through_the_generic_call() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, suite) in suites() {
        for case in suite["cases"].as_array().expect("cases array") {
            count += 1;
            let response = call(&request_bytes(case));
            if let Some(why) = check_envelope(case, &response) {
                failures.push(format!("{file}: {}: {why}", case["name"]));
            }
        }
    }
    assert!(count > 50, "only {count} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn semver_vectors_through_the_typed_functions() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, suite) in suites() {
        for case in suite["cases"].as_array().expect("cases array") {
            // Typed calls have no "missing argument" notion; those cases are generic-only.
            let Some(response) = typed_envelope(case) else {
                continue;
            };
            count += 1;
            if let Some(why) = check_envelope(case, &response) {
                failures.push(format!("{file}: {}: {why}", case["name"]));
            }
        }
    }
    assert!(count > 40, "only {count} typed cases ran");
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn error_table_matches_vectors_core_and_header() {
    let errors = suites()
        .into_iter()
        .find(|(f, _)| f == "errors.json")
        .expect("errors.json")
        .1;
    let from_vectors: Vec<(String, i64)> = errors["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap_or("").to_owned(),
                c["number"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let from_c: Vec<(String, i64)> = fleetup_error_codes::ALL
        .iter()
        .map(|(c, n)| ((*n).to_owned(), i64::from(c.number())))
        .collect();
    let from_core: Vec<(String, i64)> = fleetup_core::ErrorKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), i64::from(k.number())))
        .collect();
    assert_eq!(from_c, from_core, "C enum vs ErrorKind");
    assert_eq!(from_vectors, from_core, "errors.json vs ErrorKind");
    for (c, name) in fleetup_error_codes::ALL {
        assert_eq!(format!("{c:?}"), format!("FLEETUP_ERROR_CODE_{name}"));
    }
    let header = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/fleetup.h"),
    )
    .expect("checked-in header");
    for (code, number) in &from_core {
        let line = format!("FLEETUP_ERROR_CODE_{code} = {number},");
        assert!(header.contains(&line), "header lacks `{line}`");
    }
    let enum_lines = header
        .lines()
        .filter(|l| l.trim_start().starts_with("FLEETUP_ERROR_CODE_") && l.contains(" = "))
        .count();
    assert_eq!(
        enum_lines,
        from_core.len(),
        "the header has codes the core lacks"
    );
}

#[test]
fn versions() {
    assert_eq!(fleetup_abi_version(), FLEETUP_ABI_VERSION);
    // SAFETY: a static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(fleetup_version()) };
    assert_eq!(v.to_str(), Ok(env!("CARGO_PKG_VERSION")));
}

#[test]
fn null_pointers_are_errors_not_crashes() {
    let null_arg = ErrorCodeIs(fleetup_error_codes::FLEETUP_ERROR_CODE_NULL_ARGUMENT as i32);
    // NULL out-parameters.
    // SAFETY: every pointer is NULL or live; the library must reject the NULLs.
    unsafe {
        null_arg.check(fleetup_call(b"{}".as_ptr(), 2, ptr::null_mut()), "/out");
        null_arg.check(
            fleetup_version_compare(b"1".as_ptr(), 1, b"1".as_ptr(), 1, 0, ptr::null_mut()),
            "/out",
        );
        null_arg.check(
            fleetup_version_satisfies(ptr::null(), 0, ptr::null(), 0, 0, ptr::null_mut()),
            "/out",
        );
        null_arg.check(
            fleetup_upgrade_dry_run(ptr::null(), 0, ptr::null(), 0, ptr::null_mut()),
            "/out",
        );
        null_arg.check(fleetup_plan(ptr::null(), 0, ptr::null_mut()), "/out");
    }
    // NULL data with a non-zero length.
    let mut out = fleetup_bytes {
        ptr: ptr::null_mut(),
        len: 0,
    };
    let mut ord = 7;
    // SAFETY: as above.
    unsafe {
        null_arg.check(fleetup_call(ptr::null(), 5, &mut out), "/request");
        null_arg.check(
            fleetup_version_compare(ptr::null(), 3, b"1".as_ptr(), 1, 0, &mut ord),
            "/a",
        );
        null_arg.check(
            fleetup_version_compare(b"1.0.0".as_ptr(), 5, ptr::null(), 1, 0, &mut ord),
            "/b",
        );
        null_arg.check(
            fleetup_upgrade_dry_run(b"{}".as_ptr(), 2, ptr::null(), 9, &mut out),
            "/package_info",
        );
    }
    assert_eq!(ord, 7, "out-params stay untouched on failure");
    assert!(out.ptr.is_null());
    // Accessors and frees accept NULL.
    // SAFETY: NULL is documented as accepted.
    unsafe {
        assert_eq!(fleetup_error_code(ptr::null()), 0);
        assert_eq!(
            CStr::from_ptr(fleetup_error_message(ptr::null())).to_bytes(),
            b""
        );
        assert!(fleetup_error_path(ptr::null()).is_null());
        fleetup_error_free(ptr::null_mut());
        fleetup_bytes_free(fleetup_bytes {
            ptr: ptr::null_mut(),
            len: 0,
        });
    }
}

struct ErrorCodeIs(i32);

impl ErrorCodeIs {
    fn check(&self, err: *mut fleetup_error, path: &str) {
        match take_error(err) {
            Ok(()) => panic!("expected error {} at {path}, got success", self.0),
            Err((code, message, p)) => {
                assert_eq!(code, self.0, "{message}");
                assert_eq!(p.as_deref(), Some(path), "{message}");
                assert!(!message.is_empty());
            }
        }
    }
}

#[test]
fn zero_lengths_are_empty_inputs() {
    // (NULL, 0) and (dangling, 0) are the empty string: "" is not a version, but is the ANY range.
    assert_eq!(compare("", "1.0.0", 0).map_err(|e| e.0), Err(10));
    let mut out = false;
    // SAFETY: zero lengths never read the pointers.
    let err =
        unsafe { fleetup_version_satisfies(b"1.0.0".as_ptr(), 5, ptr::null(), 0, 0, &mut out) };
    assert!(take_error(err).is_ok());
    assert!(out, "an empty range matches every release");
    // An empty request is not JSON, reported inside the envelope.
    let mut bytes = fleetup_bytes {
        ptr: ptr::null_mut(),
        len: 0,
    };
    // SAFETY: as above.
    let err = unsafe { fleetup_call(ptr::null(), 0, &mut bytes) };
    assert!(take_error(err).is_ok());
    let response: Value = serde_json::from_slice(&take_bytes(bytes)).expect("JSON");
    assert_eq!(response["error"]["code"], "INVALID_JSON");
}

#[test]
fn invalid_utf8_in_typed_arguments() {
    let bad = b"1.2.\xff";
    let mut ord = 0;
    // SAFETY: live slices and a writable local.
    let err = unsafe {
        fleetup_version_compare(bad.as_ptr(), bad.len(), b"1.0.0".as_ptr(), 5, 0, &mut ord)
    };
    let (code, message, path) = take_error(err).expect_err("invalid UTF-8");
    assert_eq!(code, 2);
    assert_eq!(path.as_deref(), Some("/a"));
    assert!(message.contains("offset 4"), "{message}");
    let mut yes = true;
    // SAFETY: as above.
    let err = unsafe {
        fleetup_version_satisfies(b"1.0.0".as_ptr(), 5, bad.as_ptr(), bad.len(), 0, &mut yes)
    };
    assert_eq!(
        take_error(err).map_err(|e| (e.0, e.2)),
        Err((2, Some("/range".into())))
    );
    assert!(yes, "untouched on failure");
}

#[test]
fn unknown_option_bits_are_rejected() {
    assert_eq!(
        compare("1.0.0", "1.0.0", 4).map_err(|e| (e.0, e.2)),
        Err((5, Some("/options".into())))
    );
    assert_eq!(
        satisfies("1.0.0", "*", 0x8000_0000).map_err(|e| e.0),
        Err(5)
    );
    assert_eq!(satisfies("1.0.0", "*", 3), Ok(true));
}

#[test]
fn interior_nul_in_input_is_kept_in_the_message() {
    let (code, message, _) = compare("1.0\0.0", "1.0.0", 0).expect_err("not a version");
    assert_eq!(code, 10);
    assert!(message.contains('\u{FFFD}'), "{message}");
}

#[test]
fn dry_run_and_plan_report_bad_json_with_paths() {
    let mut out = fleetup_bytes {
        ptr: ptr::null_mut(),
        len: 0,
    };
    let policy = br#"{"name": "nginx-1"#;
    // SAFETY: live slices and a writable local.
    let err = unsafe {
        fleetup_upgrade_dry_run(policy.as_ptr(), policy.len(), b"{}".as_ptr(), 2, &mut out)
    };
    assert_eq!(
        take_error(err).map_err(|e| (e.0, e.2)),
        Err((3, Some("/package_policy".into())))
    );
    let package = b"{\"a\":\xfe}";
    // SAFETY: as above.
    let err = unsafe {
        fleetup_upgrade_dry_run(b"{}".as_ptr(), 2, package.as_ptr(), package.len(), &mut out)
    };
    assert_eq!(
        take_error(err).map_err(|e| (e.0, e.2)),
        Err((2, Some("/package_info".into())))
    );
    for (request, code, path) in [
        (&br#"{"op":"semver.valid","args":{}}"#[..], 5, Some("/op")),
        (&b"[1]"[..], 5, Some("")),
        (&b"{"[..], 3, Some("/request")),
        (&br#"{"op":"plan.no_such_plan"}"#[..], 4, Some("/op")),
    ] {
        // SAFETY: as above.
        let err = unsafe { fleetup_plan(request.as_ptr(), request.len(), &mut out) };
        assert_eq!(
            take_error(err).map_err(|e| (e.0, e.2)),
            Err((code, path.map(String::from))),
            "{}",
            String::from_utf8_lossy(request)
        );
    }
    assert!(out.ptr.is_null(), "out stays untouched on failure");
}

#[test]
fn many_threads_call_at_once() {
    let handles: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..500u32 {
                    let v = format!("1.{t}.{i}");
                    assert_eq!(satisfies(&v, "^1.0.0", 0), Ok(true));
                    assert_eq!(
                        compare(&v, "1.0.0", 0).map_err(|e| e.0),
                        Ok(i32::from(t > 0 || i > 0))
                    );
                    let r = call(format!(r#"{{"op":"nope.{i}"}}"#).as_bytes());
                    assert_eq!(r["error"]["code"], "UNKNOWN_OP");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("no thread panicked");
    }
}

#[test]
fn plan_runs_a_plan_operation() {
    // Identical current and proposed policies have no field-level changes.
    let policy =
        json!({"name": "web-1", "package": {"name": "acme_web", "version": "1.4.0"}, "inputs": []});
    let request = json!({"op": "plan.changes", "args": {
        "current": policy, "proposed": policy,
        "package_info": {"name": "acme_web", "version": "1.4.0"}
    }})
    .to_string();
    let mut out = fleetup_bytes {
        ptr: ptr::null_mut(),
        len: 0,
    };
    // SAFETY: a live slice and a writable local.
    let err = unsafe { fleetup_plan(request.as_ptr(), request.len(), &mut out) };
    take_error(err).expect("plan.changes succeeds");
    let result: Value =
        serde_json::from_slice(&take_bytes(out)).expect("JSON result, not an envelope");
    assert_eq!(result["changes"], json!([]), "{result}");
    assert!(result.get("ok").is_none());
}

/// The bundled example (examples/): two policies of acme_web 1.4.0 and the 2.0.0 package.
fn example_inputs() -> (Vec<Value>, Value) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let policies: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("policies.json")).expect("examples/policies.json"),
    )
    .expect("JSON");
    let package = root.join("packages/acme_web-2.0.0");
    let loaded = call(
        json!({"op": "package.load", "args": {"path": package}})
            .to_string()
            .as_bytes(),
    );
    let info = loaded["ok"].clone();
    assert!(info.is_object(), "package.load failed: {loaded}");
    (policies["items"].as_array().expect("items").clone(), info)
}

#[test]
fn dry_run_matches_the_generic_operation() {
    let (policies, info) = example_inputs();
    assert!(!policies.is_empty());
    let info_text = info.to_string();
    for policy in policies {
        let policy_text = policy.to_string();
        let mut out = fleetup_bytes {
            ptr: ptr::null_mut(),
            len: 0,
        };
        // SAFETY: live slices and a writable local.
        let err = unsafe {
            fleetup_upgrade_dry_run(
                policy_text.as_ptr(),
                policy_text.len(),
                info_text.as_ptr(),
                info_text.len(),
                &mut out,
            )
        };
        take_error(err).expect("dry run succeeds");
        let typed: Value = serde_json::from_slice(&take_bytes(out)).expect("JSON");
        let generic = call(
            json!({"op": "fleet.upgrade_dry_run", "args": {"package_policy": policy, "package_info": info}})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(typed, generic["ok"]);
        assert_eq!(typed["name"], policy["name"]);
        assert_eq!(typed["diff"].as_array().map(Vec::len), Some(2));
        assert!(typed["hasErrors"].is_boolean());
    }
}
