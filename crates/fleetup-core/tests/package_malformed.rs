//! Malformed and hostile packages: each gives a clear error with a stable code, quickly.
//! These tests build their inputs themselves and need nothing from `../shared`.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

const GOOD_MANIFEST: &str = "format_version: 1.0.0\nname: demo\ntitle: Demo\nversion: 1.0.0\n\
description: A demo\ntype: integration\nowner:\n  github: elastic/demo\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// Loads `path`, requires failure within `limit`, and returns the error.
fn load_err(path: &Path, limit: Duration) -> fleetup_core::Error {
    let start = Instant::now();
    let r = fleetup_core::dispatch("package.load", &json!({"path": path}));
    let took = start.elapsed();
    assert!(took < limit, "{} took {took:?}", path.display());
    r.expect_err("a malformed package must not load")
}

fn quick(path: &Path) -> fleetup_core::Error {
    load_err(path, Duration::from_secs(10))
}

fn zip_of(dest: &Path, entries: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(fs::File::create(dest).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn missing_manifest_or_path() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "docs/README.md", "# nothing");
    let e = quick(tmp.path());
    assert_eq!(e.code(), "PACKAGE_NOT_FOUND", "{e}");
    assert!(e.message().contains("manifest.yml"), "{e}");
    let e = quick(&tmp.path().join("does-not-exist"));
    assert_eq!(e.code(), "PACKAGE_NOT_FOUND", "{e}");
    let e = fleetup_core::dispatch("package.load", &json!({})).unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert_eq!(e.path(), Some("/path"));
}

#[test]
fn invalid_yaml_names_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "manifest.yml",
        "name: demo\ntitle: [unclosed\nversion: 1.0.0\n",
    );
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_YAML", "{e}");
    assert!(e.message().starts_with("manifest.yml"), "{e}");
    assert!(e.message().contains("line"), "{e}");

    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "manifest.yml", GOOD_MANIFEST);
    write(
        tmp.path(),
        "data_stream/logs/manifest.yml",
        "title: Logs\ntype: logs\ntitle: again\n",
    );
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_YAML", "{e}");
    assert!(
        e.message().contains("data_stream/logs/manifest.yml") && e.message().contains("line 3"),
        "{e}"
    );
}

#[test]
fn wrong_structure_is_invalid_package_with_file_and_line() {
    // Missing mandatory fields.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "manifest.yml", "name: demo\nversion: 1.0.0\n");
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_PACKAGE", "{e}");
    assert!(e.message().contains("title"), "{e}");

    // Not a mapping.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "manifest.yml", "- just\n- a list\n");
    assert_eq!(quick(tmp.path()).code(), "INVALID_PACKAGE");

    // A stream var without a type, reported at its line.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "manifest.yml", GOOD_MANIFEST);
    write(
        tmp.path(),
        "data_stream/logs/manifest.yml",
        "title: Logs\ntype: logs\nstreams:\n  - input: logfile\n    title: Log\n    vars:\n      - name: paths\n        type: text\n      - name: tags\n        multi: true\n",
    );
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_PACKAGE", "{e}");
    assert!(
        e.message()
            .contains("data_stream/logs/manifest.yml, line 9"),
        "{e}"
    );
    assert!(e.message().contains("'name' and 'type'"), "{e}");

    // A policy template input without a title.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "manifest.yml",
        &format!("{GOOD_MANIFEST}policy_templates:\n  - name: t\n    title: T\n    description: d\n    inputs:\n      - type: logfile\n"),
    );
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_PACKAGE", "{e}");
    assert!(e.message().contains("manifest.yml, line 14"), "{e}");

    // A data stream folder without a manifest.
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "manifest.yml", GOOD_MANIFEST);
    write(
        tmp.path(),
        "data_stream/logs/fields/base.yml",
        "- name: x\n",
    );
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_PACKAGE", "{e}");
    assert!(e.message().contains("'logs'"), "{e}");

    // No release and a version that is not semver.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "manifest.yml",
        "name: demo\ntitle: Demo\nversion: one\n",
    );
    let e = quick(tmp.path());
    assert_eq!(e.code(), "INVALID_PACKAGE", "{e}");
    assert!(e.message().contains("Invalid Version"), "{e}");

    // Off-spec var types load verbatim, as Kibana does.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "manifest.yml",
        &format!("{GOOD_MANIFEST}vars:\n  - name: a\n    type: boolean\n  - name: b\n    type: keyword\n"),
    );
    let info = fleetup_core::dispatch("package.load", &json!({"path": tmp.path()})).unwrap();
    assert_eq!(info["vars"][0]["type"], "boolean");
    assert_eq!(info["vars"][1]["type"], "keyword");
}

#[test]
fn fifty_megabyte_manifest_is_refused_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from(GOOD_MANIFEST);
    text.push_str("description: \"");
    text.push_str(&"x".repeat(50 * 1024 * 1024));
    text.push_str("\"\n");
    write(tmp.path(), "manifest.yml", &text);
    let e = quick(tmp.path());
    assert_eq!(e.code(), "LIMIT_EXCEEDED", "{e}");
}

#[test]
fn billion_laughs_and_deep_nesting_are_refused_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from(GOOD_MANIFEST);
    text.push_str("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
        ));
    }
    write(tmp.path(), "manifest.yml", &text);
    let e = quick(tmp.path());
    assert_eq!(e.code(), "LIMIT_EXCEEDED", "{e}");
    assert!(e.message().contains("alias"), "{e}");

    let tmp = tempfile::tempdir().unwrap();
    let deep = format!(
        "{GOOD_MANIFEST}deep: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    write(tmp.path(), "manifest.yml", &deep);
    assert_eq!(quick(tmp.path()).code(), "LIMIT_EXCEEDED");
    let deep_block: String = (0..300)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "manifest.yml",
        &format!("{GOOD_MANIFEST}{deep_block}"),
    );
    assert_eq!(quick(tmp.path()).code(), "LIMIT_EXCEEDED");
}

#[test]
fn zip_bomb_is_refused_fast() {
    let tmp = tempfile::tempdir().unwrap();
    // 24 MB of one byte compresses to a few tens of KB; the reader stops at the size cap.
    let mut bomb = GOOD_MANIFEST.as_bytes().to_vec();
    bomb.extend(std::iter::repeat_n(b'#', 24 * 1024 * 1024));
    let path = tmp.path().join("demo-1.0.0.zip");
    zip_of(&path, &[("demo-1.0.0/manifest.yml", &bomb)]);
    assert!(fs::metadata(&path).unwrap().len() < 1024 * 1024);
    let e = quick(&path);
    assert_eq!(e.code(), "LIMIT_EXCEEDED", "{e}");
}

#[test]
fn unsafe_or_corrupt_archives() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in [
        "demo-1.0.0/../../etc/passwd",
        "/etc/demo-1.0.0/manifest.yml",
        "demo-1.0.0\\..\\x",
    ] {
        let path = tmp.path().join("bad.zip");
        zip_of(
            &path,
            &[
                ("demo-1.0.0/manifest.yml", GOOD_MANIFEST.as_bytes()),
                (bad, b"x"),
            ],
        );
        let e = quick(&path);
        assert_eq!(e.code(), "INVALID_ARCHIVE", "{bad}: {e}");
    }
    // Not a zip at all.
    let path = tmp.path().join("garbage.zip");
    fs::write(&path, b"PK\x03\x04 definitely not a zip").unwrap();
    assert_eq!(quick(&path).code(), "INVALID_ARCHIVE");
    // Two top-level folders.
    let path = tmp.path().join("two.zip");
    zip_of(
        &path,
        &[
            ("demo-1.0.0/manifest.yml", GOOD_MANIFEST.as_bytes()),
            ("other/file.txt", b"x"),
        ],
    );
    let e = quick(&path);
    assert_eq!(e.code(), "INVALID_ARCHIVE", "{e}");
    // Top-level folder not `<name>-<version>`.
    let path = tmp.path().join("mismatch.zip");
    zip_of(
        &path,
        &[("demo-2.0.0/manifest.yml", GOOD_MANIFEST.as_bytes())],
    );
    let e = quick(&path);
    assert_eq!(e.code(), "INVALID_ARCHIVE", "{e}");
    assert!(e.message().contains("do not match"), "{e}");
    // A well-formed archive loads.
    let path = tmp.path().join("demo-1.0.0.zip");
    zip_of(
        &path,
        &[
            ("demo-1.0.0/manifest.yml", GOOD_MANIFEST.as_bytes()),
            ("demo-1.0.0/docs/README.md", b"# Demo"),
        ],
    );
    let info = fleetup_core::dispatch("package.load", &json!({"path": path})).unwrap();
    assert_eq!(info["readme"], "/package/demo/1.0.0/docs/README.md");
    assert_eq!(info["release"], "ga");
}

#[test]
fn hostile_registry_json_and_requests() {
    for bad in [
        json!(null),
        json!([]),
        json!({"name": "x", "version": "1.0.0"}),
    ] {
        let e = fleetup_core::dispatch("package.from_registry_json", &json!({"info": bad}))
            .unwrap_err();
        assert!(
            matches!(e.code(), "INVALID_PACKAGE" | "INVALID_ARGUMENT"),
            "{e}"
        );
    }
    let e = fleetup_core::dispatch(
        "package.from_registry_json",
        &json!({"info": {"name": "x", "version": "1.0.0", "title": "X",
                         "data_streams": [{"type": "logs", "title": "L", "path": "l",
                                           "streams": [{"title": "no input"}]}]}}),
    )
    .unwrap_err();
    assert_eq!(e.code(), "INVALID_PACKAGE");
    assert_eq!(e.path(), Some("/info/data_streams/0/streams/0"));
}

/// Deterministic mutations of a valid manifest (bytes inserted, deleted and replaced with YAML's
/// significant characters): parsing and model building never panic and stay fast.
#[test]
fn mutated_manifests_never_panic() {
    let base = format!(
        "{GOOD_MANIFEST}vars: &v\n  - name: a\n    type: text\n    default: [1, {{x: y}}]\npolicy_templates:\n  - name: t\n    title: T\n    description: d\n    inputs:\n      - type: logfile\n        title: L\n        vars: *v\n    data_streams: [\"logs\"]\n"
    );
    let alphabet = b":-[]{},&*!|>'\"#?%@`\n \t0.e~<";
    let mut seed: u64 = 0x5eed_1234_abcd_0042;
    let mut next = || {
        // xorshift64*: reproducible without a dependency.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let start = Instant::now();
    let (mut ok, mut err) = (0, 0);
    for _ in 0..3000 {
        let mut bytes = base.as_bytes().to_vec();
        for _ in 0..(1 + next() % 4) {
            let at = (next() as usize) % bytes.len();
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 => bytes.insert(at, c),
                1 => {
                    bytes.remove(at);
                }
                _ => bytes[at] = c,
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        match fleetup_core::yaml::parse(&text) {
            Ok(v) => {
                ok += 1;
                // Whatever shape came out, the model builder answers without panicking.
                let _ = fleetup_core::dispatch("package.from_registry_json", &json!({"info": v}));
            }
            Err(e) => {
                err += 1;
                assert!(matches!(e.code(), "INVALID_YAML" | "LIMIT_EXCEEDED"), "{e}");
            }
        }
    }
    assert!(
        ok > 0 && err > 0,
        "mutations should both parse and fail ({ok}/{err})"
    );
    assert!(start.elapsed() < Duration::from_secs(60));
}

/// Many documents that are each within limits still share one node budget per package.
#[test]
fn package_wide_node_budget() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "manifest.yml", GOOD_MANIFEST);
    let big = format!("title: T\ntype: logs\nx: [{}]\n", "1,".repeat(800_000));
    for ds in ["a", "b", "c"] {
        write(tmp.path(), &format!("data_stream/{ds}/manifest.yml"), &big);
    }
    let e = load_err(tmp.path(), Duration::from_secs(60));
    assert_eq!(e.code(), "LIMIT_EXCEEDED", "{e}");
}
