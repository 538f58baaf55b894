//! Every Kibana constraint that real packages declare (`conditions.kibana.version`, written as a
//! dotted key or nested, and the legacy `requirement.kibana.versions`) must parse in the
//! registry's flavour and, for every Kibana version from 7.9.0 to 9.2.x, give the same answer as
//! node-semver (what Fleet uses). Reads `../shared/corpus/packages/*/*/manifest.yml` and
//! `../shared/conformance/kibana/test_packages/**/manifest.yml`; skips with a message when
//! `../shared` is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fleetup_core::version::{self, Options};
use serde_json::{json, Value};

/// Divergences between the two engines that are documented (`docs/VERSIONS.md`) and therefore
/// expected here, as (constraint, version). None occur for the constraints real packages use.
const DOCUMENTED_DIVERGENCES: &[(&str, &str)] = &[];

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("corpus/packages").is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIPPED: {} not found; the package corpus lives in ../shared (present in CI)",
            dir.display()
        );
        None
    }
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && depth > 0 {
            manifests(&path, out, depth - 1);
        } else if path.file_name().is_some_and(|n| n == "manifest.yml") {
            out.push(path);
        }
    }
}

/// The Kibana constraint of a package manifest, in any of the forms packages use.
fn kibana_constraint(doc: &Value) -> Option<(&'static str, String)> {
    let cond = &doc["conditions"];
    let forms = [
        ("conditions[\"kibana.version\"]", &cond["kibana.version"]),
        ("conditions.kibana.version", &cond["kibana"]["version"]),
        (
            "requirement.kibana.versions",
            &doc["requirement"]["kibana"]["versions"],
        ),
    ];
    forms
        .into_iter()
        .find_map(|(form, v)| v.as_str().map(|s| (form, s.to_string())))
}

fn kibana_versions() -> Vec<String> {
    let mut out = Vec::new();
    let lines: [(u64, std::ops::RangeInclusive<u64>); 3] = [(7, 9..=17), (8, 0..=19), (9, 0..=2)];
    for (major, minors) in lines {
        for minor in minors {
            for patch in 0..=4 {
                out.push(format!("{major}.{minor}.{patch}"));
            }
            // Development builds of Kibana report SNAPSHOT versions.
            out.push(format!("{major}.{minor}.0-SNAPSHOT"));
        }
    }
    out
}

fn call(op: &str, args: Value) -> Value {
    let response: Value = serde_json::from_str(&fleetup_core::call(
        &json!({"op": op, "args": args}).to_string(),
    ))
    .unwrap();
    response
}

#[test]
fn package_kibana_constraints_parse_and_agree_with_node_semver() {
    let Some(shared) = shared() else { return };
    let mut files = Vec::new();
    manifests(&shared.join("corpus/packages"), &mut files, 2);
    manifests(
        &shared.join("conformance/kibana/test_packages"),
        &mut files,
        6,
    );
    assert!(files.len() > 75, "found only {} manifests", files.len());

    // constraint -> (form, first file)
    let mut constraints: BTreeMap<String, (&str, String)> = BTreeMap::new();
    let mut with_constraint = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let doc =
            fleetup_core::yaml::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Some((form, c)) = kibana_constraint(&doc) {
            with_constraint += 1;
            let rel = path
                .strip_prefix(&shared)
                .unwrap_or(path)
                .display()
                .to_string();
            constraints.entry(c).or_insert((form, rel));
        }
    }
    assert!(
        with_constraint >= 80,
        "only {with_constraint} manifests carry a Kibana constraint"
    );

    let versions = kibana_versions();
    let (mut checks, mut agree) = (0, 0);
    let mut divergences = Vec::new();
    for (constraint, (form, file)) in &constraints {
        let normal = call(
            "registry.valid_constraint",
            json!({"constraint": constraint}),
        );
        assert!(
            normal["ok"].is_string(),
            "{file} ({form}): {constraint:?} does not parse: {normal}"
        );
        println!(
            "{constraint:28} -> {:28} ({form}, e.g. {file})",
            normal["ok"]
        );
        for v in &versions {
            let got = call(
                "registry.satisfies",
                json!({"version": v, "constraint": constraint}),
            );
            let registry = got["ok"]
                .as_bool()
                .unwrap_or_else(|| panic!("{constraint:?} vs {v}: {got}"));
            let node = version::satisfies(v, constraint, Options::default());
            checks += 1;
            if registry == node {
                agree += 1;
            } else if !DOCUMENTED_DIVERGENCES.contains(&(constraint.as_str(), v.as_str())) {
                divergences.push(format!(
                    "{constraint:?} vs {v}: registry {registry}, node-semver {node}"
                ));
            }
        }
    }
    println!(
        "{with_constraint} manifests, {} distinct constraints, {} Kibana versions: {checks} checks, {agree} agree, {} undocumented divergences",
        constraints.len(),
        versions.len(),
        divergences.len()
    );
    for d in &divergences {
        println!("  DIVERGENCE {d}");
    }
    assert!(divergences.is_empty(), "{} divergences", divergences.len());
}

/// The documented divergences really are divergences (so the list above cannot go stale
/// silently) and the known cases from the conformance README hold.
#[test]
fn documented_differences_hold() {
    for (constraint, v) in DOCUMENTED_DIVERGENCES {
        let got = call(
            "registry.satisfies",
            json!({"version": v, "constraint": constraint}),
        );
        assert_ne!(
            got["ok"].as_bool(),
            Some(version::satisfies(v, constraint, Options::default()))
        );
    }
    let sat = |v: &str, c: &str| {
        call("registry.satisfies", json!({"version": v, "constraint": c}))["ok"].as_bool()
    };
    // Prerelease opt-in for the whole AND group, not only the same major.minor.patch.
    assert_eq!(sat("3.4.5-alpha.9", ">1.2.3-alpha.3"), Some(true));
    // A partial version is coerced; `*` then matches it.
    assert_eq!(sat("1.2", "*"), Some(true));
    // `~0.0.0` is "any".
    assert_eq!(sat("1.2.3", "~0.0.0"), Some(true));
    // Empty is invalid.
    assert_eq!(sat("1.2.3", ""), None);
}
