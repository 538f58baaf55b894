//! `fleetup plan` end to end: the bundled example's report, exit codes, the JSON forms, bad input,
//! and planted secrets that must never reach any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn plan(policies: &Path, extra: &[&str]) -> Output {
    let r = root();
    Command::new(env!("CARGO_BIN_EXE_fleetup"))
        .arg("plan")
        .arg(policies)
        .arg("--package")
        .arg(r.join("examples/packages/acme_web-2.0.0"))
        .arg("--from")
        .arg(r.join("examples/packages/acme_web-1.4.0"))
        .arg("--no-progress")
        .args(extra)
        .output()
        .expect("fleetup runs")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn bundled_example_reports_the_conflict_and_exits_1() {
    let out = plan(&root().join("examples/policies.json"), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("acme-web-prod"), "{stdout}");
    assert!(stdout.contains("needs review"), "{stdout}");
    assert!(stdout.contains("Tenant ID (tenant_id)"), "{stdout}");
    assert!(
        stdout.contains("/inputs/1/streams/0/vars/tenant_id"),
        "{stdout}"
    );
    assert!(
        stdout.contains("status_path"),
        "the rename is reported: {stdout}"
    );
    assert!(stdout.contains("Plan: 2 policies"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour when not writing to a terminal"
    );
}

#[test]
fn json_forms_carry_the_same_plan() {
    let policies = root().join("examples/policies.json");
    let out = plan(&policies, &["--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["package"]["version"], "2.0.0");
    assert_eq!(doc["summary"]["policies"], 2);
    assert_eq!(doc["summary"]["by_decision"]["needs_review"], 1);
    assert_eq!(doc["policies"][0]["decision"], "needs_review");
    assert_eq!(doc["policies"][0]["changes"][0]["severity"], "conflict");

    let out = plan(&policies, &["--jsonl"]);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "two policies and the summary");
    assert_eq!(lines[2]["summary"]["policies"], 2);
}

#[test]
fn bad_input_is_an_error_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("fleetup-plan-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"items\": [{\"id\": 1}, ").unwrap();
    let out = plan(&bad, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error["),
        "{}",
        text(&out.stderr)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_fleetup"))
        .args(["plan", "--package", "/nonexistent/package"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("PACKAGE_NOT_FOUND"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn planted_secrets_never_reach_any_output() {
    let planted = "PLANTED-S3CRET-cli-41f0";
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/policies.json")).unwrap(),
    )
    .unwrap();
    let mut items = doc["items"].as_array().unwrap().clone();
    for item in &mut items {
        item["inputs"][1]["vars"]["api_key"] =
            serde_json::json!({"type": "password", "value": planted});
    }
    let dir = std::env::temp_dir().join(format!("fleetup-plan-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policies.json");
    std::fs::write(&file, serde_json::json!({"items": items}).to_string()).unwrap();
    for flags in [
        &[][..],
        &["--detail", "--all-fields"],
        &["--json"],
        &["--jsonl", "--all-fields"],
    ] {
        let out = plan(&file, flags);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(planted), "secret leaked with {flags:?}");
        assert!(
            all.contains("api_key"),
            "the secret var is still reported with {flags:?}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
