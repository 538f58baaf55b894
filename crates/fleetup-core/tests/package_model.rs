//! The PackageInfo model on a synthetic package that exercises every rule of Kibana's archive
//! parser: key selection and order, defaults, dotted-key expansion, the `elasticsearch` entries,
//! the default ingest pipeline, routing rules, lifecycle, tags and the readme. Needs nothing from
//! `../shared`.

use std::fs;
use std::path::Path;

use serde_json::{json, Value};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const MANIFEST: &str = r#"format_version: 2.7.0
name: demo
title: Demo
version: 0.9.0
description: Demo package
type: integration
source:
  license: Elastic-2.0
owner:
  github: elastic/demo
conditions:
  kibana.version: "^8.10.0"
  elastic.subscription: basic
elasticsearch:
  privileges.cluster: [monitor]
  unknown: dropped
vars:
  - name: api_key
    type: password
    secret: true
    required: true
    ui_hint: dropped
policy_templates:
  - name: main
    title: Main
    description: Main template
    multiple: false
    data_streams: [logs]
    unknown_key: dropped
    inputs:
      - type: logfile
        title: Logs
        description: Collect logs
        extra: dropped
      - type: httpjson
        title: API
        vars:
          - name: url
            type: url
            default: https://example.com
            url_allowed_schemes: [https]
  - name: second
    title: Second
    description: Second template
    multiple: "false"
"#;

const DS_MANIFEST: &str = r#"title: Demo logs
type: logs
elasticsearch.index_template.mappings:
  dynamic: false
  properties.message.type: text
elasticsearch:
  source_mode: synthetic
  index_template:
    settings:
      index.codec: best_compression
ilm_policy: demo-policy
unknown_top: dropped
streams:
  - input: logfile
    title: Log files
    description: Log files
    enabled: false
    vars:
      - name: paths
        type: text
        multi: true
        default: ["/var/log/demo.log"]
  - input: httpjson
    title: API
    template_path: api.yml.hbs
"#;

#[test]
fn synthetic_package_builds_kibanas_model() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "manifest.yml", MANIFEST);
    write(dir, "data_stream/logs/manifest.yml", DS_MANIFEST);
    write(
        dir,
        "data_stream/logs/elasticsearch/ingest_pipeline/default.yml",
        "processors: []\n",
    );
    write(
        dir,
        "data_stream/logs/routing_rules.yml",
        "- source_dataset: demo.logs\n  rules: []\n",
    );
    write(
        dir,
        "data_stream/logs/lifecycle.yml",
        "data_retention: 7d\n",
    );
    write(
        dir,
        "data_stream/metrics/manifest.yml",
        "title: Demo metrics\ntype: metrics\ndataset: demo.custom\nrelease: beta\n",
    );
    write(dir, "docs/README.md", "# Demo\n");
    write(
        dir,
        "kibana/tags.yml",
        "- text: Demo\n  asset_types: [dashboard]\n",
    );
    write(dir, "changelog.yml", "- version: 0.9.0\n  changes: []\n");

    let info = fleetup_core::dispatch("package.load", &json!({"path": dir})).unwrap();
    let expected = json!({
        "name": "demo",
        "version": "0.9.0",
        "title": "Demo",
        "owner": {"github": "elastic/demo"},
        "type": "integration",
        "conditions": {"kibana.version": "^8.10.0", "elastic.subscription": "basic"},
        "policy_templates": [
            {
                "name": "main", "title": "Main", "description": "Main template", "multiple": false,
                "inputs": [
                    {"title": "Logs", "vars": [], "type": "logfile", "description": "Collect logs"},
                    {"title": "API", "vars": [{"name": "url", "type": "url",
                        "default": "https://example.com", "url_allowed_schemes": ["https"]}],
                     "type": "httpjson"}
                ],
                "data_streams": ["logs"]
            },
            {"name": "second", "title": "Second", "description": "Second template",
             "multiple": true, "inputs": []}
        ],
        "elasticsearch": {"privileges": {"cluster": ["monitor"]}},
        "description": "Demo package",
        "format_version": "2.7.0",
        "data_streams": [
            {
                "title": "Demo logs", "release": "ga", "type": "logs", "package": "demo",
                "dataset": "demo.logs", "path": "logs",
                "elasticsearch": {
                    "ingest_pipeline.name": "default",
                    "source_mode": "synthetic",
                    // Only the values of these entries are expanded, not their dotted keys.
                    "index_template.mappings": {"dynamic": false, "properties.message.type": "text"},
                    "index_template.settings": {"index.codec": "best_compression"}
                },
                "routing_rules": [{"source_dataset": "demo.logs", "rules": []}],
                "lifecycle": {"data_retention": "7d"},
                "ingest_pipeline": "default",
                "streams": [
                    {"input": "logfile", "title": "Log files", "template_path": "stream.yml.hbs",
                     "vars": [{"name": "paths", "type": "text", "multi": true, "default": ["/var/log/demo.log"]}],
                     "description": "Log files", "enabled": false},
                    {"input": "httpjson", "title": "API", "template_path": "api.yml.hbs"}
                ],
                "ilm_policy": "demo-policy"
            },
            {
                "title": "Demo metrics", "release": "beta", "type": "metrics", "package": "demo",
                "dataset": "demo.custom", "path": "metrics", "elasticsearch": {}
            }
        ],
        "readme": "/package/demo/0.9.0/docs/README.md",
        "release": "beta",
        "vars": [{"name": "api_key", "type": "password", "secret": true, "required": true}],
        "asset_tags": [{"text": "Demo", "asset_types": ["dashboard"]}]
    });
    // Same keys in the same order, same values.
    assert_eq!(
        serde_json::to_string_pretty(&info).unwrap(),
        serde_json::to_string_pretty(&expected).unwrap()
    );

    // The registry's JSON for the same package normalises to the same model (top-level keys the
    // registry already has, such as `readme` and `data_streams`, keep the picked order).
    let again =
        fleetup_core::dispatch("package.from_registry_json", &json!({"info": info.clone()}))
            .unwrap();
    assert_eq!(again, info);
    assert_eq!(
        serde_json::to_string(&again["data_streams"]).unwrap(),
        serde_json::to_string(&info["data_streams"]).unwrap()
    );

    let changelog = fleetup_core::dispatch("package.changelog", &json!({"path": dir})).unwrap();
    assert_eq!(changelog, json!([{"version": "0.9.0", "changes": []}]));
}

#[test]
fn release_defaults_follow_the_version() {
    for (version, release) in [("1.2.3", "ga"), ("0.1.0", "beta"), ("2.0.0-rc1", "beta")] {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "manifest.yml",
            &format!("name: p\ntitle: P\nversion: {version}\n"),
        );
        let info = fleetup_core::dispatch("package.load", &json!({"path": tmp.path()})).unwrap();
        assert_eq!(info["release"], release, "{version}");
        assert_eq!(info["policy_templates"], json!([]));
        assert!(info.get("data_streams").is_none());
    }
    // An explicit release is kept as written.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "manifest.yml",
        "name: p\ntitle: P\nversion: 0.1.0\nrelease: experimental\n",
    );
    let info = fleetup_core::dispatch("package.load", &json!({"path": tmp.path()})).unwrap();
    assert_eq!(info["release"], "experimental");
}

#[test]
fn registry_json_file_loads_through_package_load() {
    let tmp = tempfile::tempdir().unwrap();
    let registry = json!({
        "name": "p", "title": "P", "version": "1.0.0", "download": "/epr/p/p-1.0.0.zip",
        "conditions": {"kibana": {"version": "^8.0.0"}},
        "data_streams": [{"type": "logs", "dataset": "p.access", "title": "Access", "release": "ga",
                          "package": "p", "path": "access",
                          "streams": [{"input": "logfile", "title": "L", "template_path": "stream.yml.hbs",
                                       "enabled": true}]}]
    });
    let file = tmp.path().join("p.json");
    fs::write(&file, registry.to_string()).unwrap();
    let info = fleetup_core::dispatch("package.load", &json!({"path": file})).unwrap();
    assert!(info.get("download").is_none());
    assert_eq!(info["data_streams"][0]["dataset"], "p.access");
    assert_eq!(info["data_streams"][0]["elasticsearch"], json!({}));
    assert_eq!(info["release"], "ga");
    let e = |v: Value| {
        let f = tmp.path().join("bad.json");
        fs::write(&f, v.to_string()).unwrap();
        fleetup_core::dispatch("package.load", &json!({"path": f})).unwrap_err()
    };
    assert_eq!(e(json!([1, 2])).code(), "INVALID_PACKAGE");
    let f = tmp.path().join("broken.json");
    fs::write(&f, "{").unwrap();
    let err = fleetup_core::dispatch("package.load", &json!({"path": f})).unwrap_err();
    assert_eq!(err.code(), "INVALID_JSON");
}
