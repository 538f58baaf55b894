//! node-semver operations on realistic input: every `conditions.kibana.version` range of the
//! corpus packages (`../shared/corpus/packages/*/*/manifest.yml`) against Kibana releases
//! 7.9.0–9.2.x, which is what Fleet evaluates when it filters packages for a stack.
//!
//! `cargo bench -p fleetup-core --bench semver`. Without `../shared`, a built-in sample of the
//! same ranges is used (and said so).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fleetup_core::version::{self, Options, Range, Version};

/// Ranges as the corpus writes them, for machines without `../shared`.
const FALLBACK_RANGES: &[&str] = &[
    "^7.16.0 || ^8.0.0",
    "^7.14.0",
    "^8.0.0",
    "^7.13.0",
    "^8.2.1",
    "^7.15.0",
    "^7.14.0 || ^8.0.0",
    "^7.9.0",
    "^8.13.0 || ^9.0.0",
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/packages")
}

/// The `conditions.kibana.version` value of a manifest (both the dotted and nested forms).
fn kibana_range(manifest: &str) -> Option<String> {
    let mut in_kibana = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let value = if let Some(v) = t.strip_prefix("kibana.version:") {
            Some(v)
        } else if in_kibana {
            t.strip_prefix("version:")
        } else {
            None
        };
        if let Some(v) = value {
            return Some(v.trim().trim_matches(|c| c == '"' || c == '\'').to_string());
        }
        in_kibana = t == "kibana:";
    }
    None
}

fn corpus_ranges() -> Vec<String> {
    let dir = corpus_dir();
    let mut out = Vec::new();
    let packages = std::fs::read_dir(&dir).into_iter().flatten().flatten();
    for package in packages {
        for release in std::fs::read_dir(package.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let manifest = release.path().join("manifest.yml");
            if let Some(r) = std::fs::read_to_string(&manifest)
                .ok()
                .as_deref()
                .and_then(kibana_range)
            {
                out.push(r);
            }
        }
    }
    if out.is_empty() {
        println!(
            "note: {} not found; using {} built-in ranges",
            Path::new(&dir).display(),
            FALLBACK_RANGES.len()
        );
        out = FALLBACK_RANGES.iter().map(|s| s.to_string()).collect();
    } else {
        println!("{} ranges from {}", out.len(), dir.display());
    }
    out
}

/// Kibana releases 7.9.0–9.2.x (patch levels as shipped, roughly).
fn kibana_versions() -> Vec<String> {
    let mut out = Vec::new();
    for minor in 9..=17 {
        for patch in 0..=3 {
            out.push(format!("7.{minor}.{patch}"));
        }
    }
    for minor in 0..=19 {
        for patch in 0..=3 {
            out.push(format!("8.{minor}.{patch}"));
        }
    }
    for minor in 0..=2 {
        for patch in 0..=3 {
            out.push(format!("9.{minor}.{patch}"));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let ranges = corpus_ranges();
    let versions = kibana_versions();
    // Every (version, range) pair once per iteration.
    let pairs: Vec<(&str, &str)> = versions
        .iter()
        .flat_map(|v| ranges.iter().map(move |r| (v.as_str(), r.as_str())))
        .collect();
    let o = Options::default();
    let n = pairs.len() as u64;

    let mut g = c.benchmark_group("semver");
    g.throughput(Throughput::Elements(n));
    g.bench_function("satisfies_str", |b| {
        b.iter(|| {
            let mut hits = 0u32;
            for &(v, r) in &pairs {
                hits += u32::from(version::satisfies(black_box(v), black_box(r), o));
            }
            hits
        })
    });

    let parsed: Vec<(Version, Range)> = pairs
        .iter()
        .filter_map(|&(v, r)| Some((Version::parse(v, o).ok()?, Range::parse(r, o).ok()?)))
        .collect();
    g.bench_function("satisfies_parsed", |b| {
        b.iter(|| {
            let mut hits = 0u32;
            for (v, r) in &parsed {
                hits += u32::from(black_box(r).test(black_box(v)));
            }
            hits
        })
    });

    g.throughput(Throughput::Elements(versions.len() as u64));
    g.bench_function("parse_version", |b| {
        b.iter(|| {
            let mut majors = 0u64;
            for v in &versions {
                majors += Version::parse(black_box(v), o).map_or(0, |v| v.major);
            }
            majors
        })
    });
    g.bench_function("compare_str", |b| {
        b.iter(|| {
            let mut less = 0u32;
            for w in versions.windows(2) {
                less += u32::from(
                    version::compare(black_box(&w[0]), black_box(&w[1]), o)
                        .is_ok_and(|c| c.is_lt()),
                );
            }
            less
        })
    });

    g.throughput(Throughput::Elements(ranges.len() as u64));
    g.bench_function("parse_range_uncached", |b| {
        b.iter(|| {
            let mut sets = 0usize;
            for r in &ranges {
                sets += Range::parse(black_box(r), o).map_or(0, |r| r.sets().len());
            }
            sets
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
