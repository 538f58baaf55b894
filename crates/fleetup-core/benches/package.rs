//! Package-loading benchmarks: aws 1.28.0 (the largest corpus package: 35 data streams, 322 vars)
//! as a directory and as a registry-style `.zip`. Needs `../shared`; prints a note and measures
//! nothing without it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

fn aws_dir() -> Option<PathBuf> {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/packages/aws/1.28.0");
    p.is_dir().then_some(p)
}

fn add_dir(w: &mut zip::ZipWriter<fs::File>, dir: &Path, prefix: &str) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for e in entries {
        let name = format!("{prefix}/{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            add_dir(w, &e.path(), &name);
        } else {
            w.start_file(name, opts).unwrap();
            w.write_all(&fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

fn bench_load(c: &mut Criterion) {
    let Some(dir) = aws_dir() else {
        eprintln!("SKIPPED: ../shared is absent; no package to benchmark");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("aws-1.28.0.zip");
    let mut w = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    add_dir(&mut w, &dir, "aws-1.28.0");
    w.finish().unwrap();

    let dir_args = json!({"path": dir});
    let zip_args = json!({"path": zip_path});
    let mut group = c.benchmark_group("package.load aws 1.28.0");
    group.sample_size(30);
    group.bench_function("directory", |b| {
        b.iter(|| fleetup_core::dispatch("package.load", &dir_args).unwrap())
    });
    group.bench_function("zip", |b| {
        b.iter(|| fleetup_core::dispatch("package.load", &zip_args).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
