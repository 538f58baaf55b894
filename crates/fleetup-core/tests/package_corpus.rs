//! Every package version of the shared corpus and of Kibana's test packages loads through
//! `package.load`; its counts match counts taken independently from the raw YAML (with
//! `yaml-rust2`'s own loader, not fleetup's), and loading it as a registry-style `.zip` gives the
//! identical PackageInfo.

mod support;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use support::shared;

use serde_json::{json, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Every `<root>/<package>/<version>` folder.
fn package_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(pkgs) = fs::read_dir(root) else {
        return out;
    };
    for pkg in pkgs.flatten() {
        if let Ok(versions) = fs::read_dir(pkg.path()) {
            for v in versions.flatten() {
                if v.path().is_dir() {
                    out.push(v.path());
                }
            }
        }
    }
    out.sort();
    out
}

fn call(op: &str, args: Value) -> Result<Value, fleetup_core::Error> {
    fleetup_core::dispatch(op, &args)
}

/// Counts taken from the raw YAML, independent of the loader.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    policy_templates: usize,
    inputs: usize,
    data_streams: usize,
    streams: usize,
    vars: usize,
}

fn raw_yaml(path: &Path) -> Yaml {
    let text = fs::read_to_string(path).unwrap();
    YamlLoader::load_from_str(&text)
        .unwrap()
        .into_iter()
        .next()
        .unwrap_or(Yaml::Null)
}

fn seq_len(y: &Yaml) -> usize {
    y.as_vec().map_or(0, Vec::len)
}

fn raw_counts(dir: &Path) -> Counts {
    let m = raw_yaml(&dir.join("manifest.yml"));
    let mut c = Counts {
        vars: seq_len(&m["vars"]),
        ..Counts::default()
    };
    if let Some(pts) = m["policy_templates"].as_vec() {
        c.policy_templates = pts.len();
        for pt in pts {
            c.vars += seq_len(&pt["vars"]);
            if let Some(inputs) = pt["inputs"].as_vec() {
                c.inputs += inputs.len();
                c.vars += inputs.iter().map(|i| seq_len(&i["vars"])).sum::<usize>();
            }
        }
    }
    if let Ok(dss) = fs::read_dir(dir.join("data_stream")) {
        for ds in dss.flatten() {
            c.data_streams += 1;
            let dm = raw_yaml(&ds.path().join("manifest.yml"));
            if let Some(streams) = dm["streams"].as_vec() {
                c.streams += streams.len();
                c.vars += streams.iter().map(|s| seq_len(&s["vars"])).sum::<usize>();
            }
        }
    }
    c
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn info_counts(info: &Value) -> Counts {
    let mut c = Counts {
        vars: len(&info["vars"]),
        ..Counts::default()
    };
    for pt in info["policy_templates"].as_array().into_iter().flatten() {
        c.policy_templates += 1;
        c.vars += len(&pt["vars"]);
        for input in pt["inputs"].as_array().into_iter().flatten() {
            c.inputs += 1;
            c.vars += len(&input["vars"]);
        }
    }
    for ds in info["data_streams"].as_array().into_iter().flatten() {
        c.data_streams += 1;
        for s in ds["streams"].as_array().into_iter().flatten() {
            c.streams += 1;
            c.vars += len(&s["vars"]);
        }
    }
    c
}

/// Files under `dir`, relative, in lexical walk order.
fn files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for e in entries {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            files(&e.path(), &format!("{name}/"), out);
        } else {
            out.push((name, e.path()));
        }
    }
}

/// Writes `dir` as a registry-style archive: every file under `<top>/`.
fn zip_dir(dir: &Path, top: &str, dest: &Path) {
    let mut list = Vec::new();
    files(dir, "", &mut list);
    let mut w = zip::ZipWriter::new(fs::File::create(dest).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (rel, path) in list {
        w.start_file(format!("{top}/{rel}"), opts).unwrap();
        w.write_all(&fs::read(path).unwrap()).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn every_package_version_loads_with_matching_counts_and_zip_parity() {
    let Some(shared) = shared() else { return };
    let mut dirs = package_dirs(&shared.join("corpus/packages"));
    dirs.extend(package_dirs(
        &shared.join("conformance/kibana/test_packages"),
    ));
    assert!(
        dirs.len() >= 90,
        "expected the whole corpus, found {}",
        dirs.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let (mut loaded, mut without_manifest) = (0, 0);
    let mut failures = Vec::new();
    for dir in &dirs {
        let label = dir.display().to_string();
        if !dir.join("manifest.yml").is_file() {
            // A transcribed fixture whose manifest could not be recovered: a clear, stable error.
            let e = call("package.load", json!({"path": label})).unwrap_err();
            assert_eq!(e.code(), "PACKAGE_NOT_FOUND", "{label}: {e}");
            without_manifest += 1;
            continue;
        }
        let info = match call("package.load", json!({"path": label})) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        loaded += 1;
        assert_eq!(
            info_counts(&info),
            raw_counts(dir),
            "{label}: counts differ from the raw YAML"
        );
        // Kibana's defaults are present on every data stream and stream.
        for ds in info["data_streams"].as_array().into_iter().flatten() {
            assert!(
                ds["dataset"].is_string() && ds["path"].is_string(),
                "{label}"
            );
            assert_eq!(ds["package"], info["name"], "{label}");
            for s in ds["streams"].as_array().into_iter().flatten() {
                assert!(s["template_path"].is_string(), "{label}");
            }
        }
        for pt in info["policy_templates"].as_array().into_iter().flatten() {
            assert!(pt["multiple"].is_boolean(), "{label}");
        }
        assert!(info["release"].is_string(), "{label}");

        let top = format!(
            "{}-{}",
            info["name"].as_str().unwrap(),
            info["version"].as_str().unwrap()
        );
        let zip_path = tmp.path().join(format!("{top}.zip"));
        zip_dir(dir, &top, &zip_path);
        let from_zip = call("package.load", json!({"path": zip_path}))
            .unwrap_or_else(|e| panic!("{label} as zip: {e}"));
        assert_eq!(
            serde_json::to_string(&from_zip).unwrap(),
            serde_json::to_string(&info).unwrap(),
            "{label}: directory and zip differ"
        );
    }
    assert!(
        failures.is_empty(),
        "packages failed to load:\n{}",
        failures.join("\n")
    );
    println!("{loaded} package versions loaded; {without_manifest} without manifest reported");
    assert!(loaded >= 90);
}

#[test]
fn known_package_shapes() {
    let Some(shared) = shared() else { return };
    let corpus = shared.join("corpus/packages");
    let load = |p: &str| call("package.load", json!({"path": corpus.join(p)})).unwrap();

    // Input package: the template keeps `input`, has no `inputs`, no data streams.
    let log = load("log/2.3.1");
    assert_eq!(log["type"], "input");
    let pt = &log["policy_templates"][0];
    assert_eq!(pt["input"], "logfile");
    assert!(pt.get("inputs").is_none());
    assert!(log.get("data_streams").is_none());

    // Integration: dataset defaults to `<pkg>.<ds>`, data stream release to `ga`,
    // package release derived from the version when absent.
    let nginx = load("nginx/1.6.0");
    let access = nginx["data_streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "access")
        .unwrap();
    assert_eq!(access["dataset"], "nginx.access");
    let endpoint_pre = load("endpoint/8.3.0-dev.2");
    assert!(endpoint_pre["release"].is_string());

    // Inputs are built as {title, vars, …rest}, vars always present.
    let input = &nginx["policy_templates"][0]["inputs"][0];
    let keys: Vec<&String> = input.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "title");
    assert_eq!(keys[1], "vars");

    // Agent templates, keyed by their path in the package.
    let t = call(
        "package.agent_templates",
        json!({"path": corpus.join("nginx/1.6.0")}),
    )
    .unwrap();
    let t = t.as_object().unwrap();
    assert!(
        t.contains_key("data_stream/access/agent/stream/stream.yml.hbs"),
        "{:?}",
        t.keys()
    );
    assert!(t
        .values()
        .all(|v| v.as_str().is_some_and(|s| !s.is_empty())));
    let hbs_on_disk = {
        let mut list = Vec::new();
        files(&corpus.join("nginx/1.6.0"), "", &mut list);
        list.iter().filter(|(rel, _)| rel.ends_with(".hbs")).count()
    };
    assert_eq!(t.len(), hbs_on_disk);

    // The changelog is available separately.
    let cl = call(
        "package.changelog",
        json!({"path": corpus.join("apm/8.6.0")}),
    )
    .unwrap();
    assert!(cl.as_array().is_some_and(|a| !a.is_empty()));
    let none = call(
        "package.changelog",
        json!({"path": corpus.join("apm/0.3.0")}),
    )
    .unwrap();
    assert!(none.is_null());
}

#[test]
fn registry_json_gives_the_same_model() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("corpus/packages/nginx/1.6.0");
    let info = call("package.load", json!({"path": dir})).unwrap();
    // A registry response is the expanded PackageInfo plus registry-only fields.
    let mut registry = info.clone();
    registry["download"] = json!("/epr/nginx/nginx-1.6.0.zip");
    registry["path"] = json!("/package/nginx/1.6.0");
    let again = call("package.from_registry_json", json!({"info": registry})).unwrap();
    assert_eq!(again, info);
    let e = call("package.from_registry_json", json!({"info": {"name": "x"}})).unwrap_err();
    assert_eq!(e.code(), "INVALID_PACKAGE");
    assert!(e.path().is_some_and(|p| p.starts_with("/info")));
}
