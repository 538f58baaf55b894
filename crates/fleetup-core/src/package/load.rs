//! Reading a package from a directory, a registry `.zip` or the registry's package-info JSON.
//!
//! All three give the same PackageInfo model ([`super::info`]). Reading is bounded: at most
//! [`MAX_ENTRIES`] files, [`MAX_FILE_BYTES`] per file read, [`MAX_READ_BYTES`] in all, archives
//! up to [`MAX_ARCHIVE_BYTES`] declaring at most [`MAX_EXPANDED_BYTES`] uncompressed.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::info::{self, DataStreamInput, PackageParts, Source};
use crate::error::{Error, ErrorKind, Result};

/// Most files a package (directory or archive) may hold.
pub const MAX_ENTRIES: usize = 50_000;
/// Largest single file read (a manifest, changelog, …); the YAML size cap.
pub const MAX_FILE_BYTES: usize = crate::yaml::MAX_BYTES;
/// Most bytes read from one package in all.
pub const MAX_READ_BYTES: usize = 128 * 1024 * 1024;
/// Largest `.zip` accepted.
pub const MAX_ARCHIVE_BYTES: u64 = 512 * 1024 * 1024;
/// Most uncompressed bytes an archive may declare (zip-bomb guard).
pub const MAX_EXPANDED_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Most YAML nodes all of a package's documents may hold together.
pub const MAX_PACKAGE_NODES: usize = 2_000_000;
/// Deepest directory nesting walked.
const MAX_DIR_DEPTH: usize = 32;

/// The files of a package, relative to its root (`/`-separated, in archive or walk order).
trait Tree {
    fn paths(&self) -> &[String];
    /// Reads a file as text (lossy UTF-8, as Kibana's `buffer.toString()`).
    fn read(&mut self, rel: &str) -> Result<String>;
    /// How the package is named in messages.
    fn label(&self) -> String;
    /// The package's shared read budget.
    fn budget(&mut self) -> &mut Budget;
    /// The archive's top-level directory (archives only).
    fn top(&self) -> Option<&str> {
        None
    }
}

struct Budget {
    used: usize,
    /// YAML nodes still allowed for this package (bounds memory across all its documents).
    nodes: usize,
}

impl Budget {
    fn take(&mut self, n: usize) -> Result<()> {
        self.used = self.used.saturating_add(n);
        if self.used > MAX_READ_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("package files add up to more than {MAX_READ_BYTES} bytes"),
            ));
        }
        Ok(())
    }
}

fn read_capped(reader: impl Read, rel: &str, what: ErrorKind) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::new(what, format!("cannot read {rel}: {e}")))?;
    if buf.len() > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!("{rel} is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    Ok(buf)
}

struct DirTree {
    root: PathBuf,
    paths: Vec<String>,
    budget: Budget,
}

impl DirTree {
    fn open(root: &Path) -> Result<Self> {
        let mut paths = Vec::new();
        walk(root, "", 0, &mut paths)?;
        Ok(DirTree {
            root: root.to_path_buf(),
            paths,
            budget: Budget {
                used: 0,
                nodes: MAX_PACKAGE_NODES,
            },
        })
    }
}

/// Lists files in lexical order per directory (the order `elastic-package` writes archives in).
/// Symbolic links are not followed, so a link cycle cannot hang the walk.
fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) -> Result<()> {
    if depth > MAX_DIR_DEPTH {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!("package directories nest deeper than {MAX_DIR_DEPTH} levels"),
        ));
    }
    let read = fs::read_dir(dir)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot list {}: {e}", dir.display())))?;
    let mut entries = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot list {}: {e}", dir.display()))
        })?;
        entries.push(entry);
        if entries.len() + out.len() > MAX_ENTRIES {
            return Err(too_many_entries());
        }
    }
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let Ok(name) = entry.file_name().into_string() else {
            continue; // not UTF-8: cannot be a package-spec file
        };
        let rel = format!("{prefix}{name}");
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&entry.path(), &format!("{rel}/"), depth + 1, out)?;
        } else if ft.is_file() {
            out.push(rel);
            if out.len() > MAX_ENTRIES {
                return Err(too_many_entries());
            }
        }
    }
    Ok(())
}

fn too_many_entries() -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!("package holds more than {MAX_ENTRIES} files"),
    )
}

impl Tree for DirTree {
    fn paths(&self) -> &[String] {
        &self.paths
    }
    fn read(&mut self, rel: &str) -> Result<String> {
        let path = self.root.join(rel);
        let file = fs::File::open(&path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        // Refuse oversized files before reading them; `read_capped` still guards a growing file.
        if file
            .metadata()
            .is_ok_and(|m| m.len() > MAX_FILE_BYTES as u64)
        {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("{rel} is larger than {MAX_FILE_BYTES} bytes"),
            ));
        }
        let buf = read_capped(file, rel, ErrorKind::Io)?;
        self.budget.take(buf.len())?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    fn label(&self) -> String {
        self.root.display().to_string()
    }
    fn budget(&mut self) -> &mut Budget {
        &mut self.budget
    }
}

struct ZipTree {
    archive: zip::ZipArchive<fs::File>,
    label: String,
    top: String,
    paths: Vec<String>,
    budget: Budget,
}

fn archive_error(msg: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::InvalidArchive, msg.to_string())
}

/// Whether an entry name could escape the extraction root or is otherwise not a plain
/// relative path.
fn unsafe_entry_name(name: &str) -> bool {
    name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.split('/').any(|seg| seg == "..")
        || name
            .split('/')
            .next()
            .is_some_and(|first| first.contains(':'))
}

impl ZipTree {
    fn open(path: &Path) -> Result<Self> {
        let file = fs::File::open(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot open {}: {e}", path.display()),
            )
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_ARCHIVE_BYTES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("archive is {size} bytes; the limit is {MAX_ARCHIVE_BYTES} bytes"),
            ));
        }
        let mut archive = zip::ZipArchive::new(file).map_err(|e| {
            archive_error(format!(
                "{} is not a valid zip archive ({e}); give a package directory, a registry .zip or a registry .json",
                path.display()
            ))
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "archive holds {} entries; the limit is {MAX_ENTRIES}",
                    archive.len()
                ),
            ));
        }
        let mut paths = Vec::new();
        let mut expanded: u64 = 0;
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| archive_error(format!("corrupt archive entry #{i}: {e}")))?;
            let name = entry.name().to_string();
            if unsafe_entry_name(&name) {
                return Err(archive_error(format!(
                    "archive entry `{name}` has an unsafe path (absolute or with `..`)"
                )));
            }
            expanded = expanded.saturating_add(entry.size());
            if expanded > MAX_EXPANDED_BYTES {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!("archive expands to more than {MAX_EXPANDED_BYTES} bytes"),
                ));
            }
            if !entry.is_dir() && !name.ends_with('/') {
                paths.push(name);
            }
        }
        // Kibana: the first entry names the top-level directory and every entry must be under it.
        let top = paths
            .first()
            .map(|p| p.split('/').next().unwrap_or_default().to_string())
            .unwrap_or_default();
        if let Some(bad) = paths.iter().find(|p| !p.starts_with(&top)) {
            return Err(archive_error(format!(
                "Package contains more than one top-level directory; top-level directory found: {top}; filePath: {bad}"
            )));
        }
        let prefix = format!("{top}/");
        let rel: Vec<String> = paths
            .iter()
            .filter_map(|p| p.strip_prefix(&prefix).map(str::to_string))
            .collect();
        Ok(ZipTree {
            archive,
            label: path.display().to_string(),
            top,
            paths: rel,
            budget: Budget {
                used: 0,
                nodes: MAX_PACKAGE_NODES,
            },
        })
    }
}

impl Tree for ZipTree {
    fn paths(&self) -> &[String] {
        &self.paths
    }
    fn read(&mut self, rel: &str) -> Result<String> {
        let full = format!("{}/{rel}", self.top);
        let entry = self
            .archive
            .by_name(&full)
            .map_err(|e| archive_error(format!("cannot read archive entry {full}: {e}")))?;
        let buf = read_capped(entry, rel, ErrorKind::InvalidArchive)?;
        self.budget.take(buf.len())?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    fn label(&self) -> String {
        self.label.clone()
    }
    fn budget(&mut self) -> &mut Budget {
        &mut self.budget
    }
    fn top(&self) -> Option<&str> {
        Some(&self.top)
    }
}

/// Loads a package from a directory, a `.zip` archive or a registry package-info `.json` file
/// and returns its PackageInfo JSON.
///
/// # Errors
/// `PACKAGE_NOT_FOUND` when the path does not exist or holds no `manifest.yml`;
/// `INVALID_PACKAGE` (file and line) for structural problems; `INVALID_YAML` for unparsable
/// manifests; `INVALID_ARCHIVE` for corrupt or unsafe archives; `LIMIT_EXCEEDED` past a limit;
/// `IO_ERROR` when reading fails.
pub fn load_path(path: &Path) -> Result<Value> {
    if path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return load_registry_json_file(path);
    }
    let mut tree = open_tree(path)?;
    build(tree.as_mut(), path)
}

/// A `.json` file holding the registry's package info.
fn load_registry_json_file(path: &Path) -> Result<Value> {
    let file = fs::File::open(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let buf = read_capped(file, &path.display().to_string(), ErrorKind::Io)?;
    let text = String::from_utf8(buf).map_err(|e| {
        Error::new(
            ErrorKind::InvalidUtf8,
            format!("{} is not UTF-8: {e}", path.display()),
        )
    })?;
    let info = crate::dispatch::parse_json(&text)?;
    from_registry_json(&info)
}

/// Loads a package's `changelog.yml` (directory or `.zip`), or `None` when it has none.
///
/// # Errors
/// As [`load_path`]; an unparsable changelog is `INVALID_YAML`.
pub fn load_changelog(path: &Path) -> Result<Option<Value>> {
    let mut tree = open_tree(path)?;
    if !tree.paths().iter().any(|p| p == "changelog.yml") {
        return Ok(None);
    }
    let text = tree.read("changelog.yml")?;
    crate::yaml::parse_named(&text, "changelog.yml").map(Some)
}

/// A package's Elastic Agent templates (`agent/input/*.hbs`, `data_stream/<ds>/agent/stream/*.hbs`),
/// keyed by their path inside the package, in archive order. Fleet compiles these into agent
/// policies; a dry run needs the target version's.
///
/// # Errors
/// As [`load_path`] (without the manifest checks); `LIMIT_EXCEEDED` past the read budget.
pub fn load_agent_templates(path: &Path) -> Result<serde_json::Map<String, Value>> {
    let mut tree = open_tree(path)?;
    let wanted: Vec<String> = tree
        .paths()
        .iter()
        .filter(|p| is_agent_template(p))
        .cloned()
        .collect();
    let mut out = serde_json::Map::new();
    for rel in wanted {
        let text = tree.read(&rel)?;
        out.insert(rel, Value::String(text));
    }
    Ok(out)
}

fn is_agent_template(rel: &str) -> bool {
    if !rel.ends_with(".hbs") {
        return false;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    matches!(
        parts.as_slice(),
        ["agent", _, ..] | ["data_stream", _, "agent", _, ..]
    )
}

fn open_tree(path: &Path) -> Result<Box<dyn Tree>> {
    let meta = fs::metadata(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::PackageNotFound
        } else {
            ErrorKind::Io
        };
        Error::new(kind, format!("no package at {}: {e}", path.display()))
    })?;
    if meta.is_dir() {
        Ok(Box::new(DirTree::open(path)?))
    } else {
        Ok(Box::new(ZipTree::open(path)?))
    }
}

/// An archive's top-level folder must be `<name>-<version>` (checked, as Kibana does, right after
/// the manifest's mandatory fields and before anything else).
fn check_top_level(manifest: &Value, tree: &dyn Tree, path: &Path) -> Result<()> {
    let Some(zip_top) = tree.top() else {
        return Ok(());
    };
    let (Some(name), Some(version), Some(_)) = (
        manifest.get("name"),
        manifest.get("version"),
        manifest.get("title"),
    ) else {
        return Ok(()); // the missing field is reported first, by the manifest checks
    };
    let (name, version) = (info::js_string(name), info::js_string(version));
    if zip_top != format!("{name}-{version}") {
        return Err(archive_error(format!(
            "{}: Name {name} and version {version} do not match top-level directory {zip_top}",
            path.display()
        )));
    }
    Ok(())
}

fn parse_yaml_file(tree: &mut dyn Tree, rel: &str) -> Result<(String, Value)> {
    let text = tree.read(rel)?;
    let value = crate::yaml::parse_budgeted(&text, rel, &mut tree.budget().nodes)?;
    Ok((text, value))
}

/// `parseAndVerifyArchive` over a file tree.
fn build(tree: &mut dyn Tree, path: &Path) -> Result<Value> {
    if !tree.paths().iter().any(|p| p == "manifest.yml") {
        return Err(Error::new(
            ErrorKind::PackageNotFound,
            format!("{} holds no manifest.yml", tree.label()),
        ));
    }
    let (text, manifest) = parse_yaml_file(tree, "manifest.yml")?;
    let src = Source {
        file: "manifest.yml",
        text: Some(&text),
        json_prefix: None,
    };
    check_top_level(&manifest, tree, path)?;
    let name = manifest.get("name").cloned().unwrap_or(Value::Null);

    // Data stream folders, in first-seen order. Kibana matches the prefix `data_stream` without a
    // trailing slash; that quirk is kept.
    let mut ds_names: Vec<String> = Vec::new();
    for p in tree.paths() {
        if let Some(rest) = p.strip_prefix("data_stream") {
            if let Some(first) = rest.split('/').find(|s| !s.is_empty()) {
                if !ds_names.iter().any(|d| d == first) {
                    ds_names.push(first.to_string());
                }
            }
        }
    }
    let mut data_streams = Vec::with_capacity(ds_names.len());
    for ds in &ds_names {
        let base = format!("data_stream/{ds}");
        let manifest_rel = format!("{base}/manifest.yml");
        if !tree.paths().contains(&manifest_rel) {
            return Err(Error::new(
                ErrorKind::InvalidPackage,
                format!("No manifest.yml file found for data stream '{ds}'"),
            ));
        }
        let (ds_text, ds_manifest) = parse_yaml_file(tree, &manifest_rel)?;
        let optional = |tree: &mut dyn Tree, file: &str| -> Result<Option<Value>> {
            let rel = format!("{base}/{file}");
            if tree.paths().contains(&rel) {
                parse_yaml_file(tree, &rel).map(|(_, v)| Some(v))
            } else {
                Ok(None)
            }
        };
        let routing_rules = optional(tree, "routing_rules.yml")?;
        let lifecycle = optional(tree, "lifecycle.yml")?;
        let pipeline_dir = format!("{base}/elasticsearch/ingest_pipeline");
        let default_ingest_pipeline = tree.paths().iter().any(|p| {
            p.starts_with(&pipeline_dir)
                && (p.ends_with("default.yml") || p.ends_with("default.json"))
        });
        data_streams.push(info::parse_data_stream(
            &name,
            DataStreamInput {
                path: ds,
                manifest: &ds_manifest,
                source: Source {
                    file: &manifest_rel,
                    text: Some(&ds_text),
                    json_prefix: None,
                },
                routing_rules,
                lifecycle,
                default_ingest_pipeline,
            },
        )?);
    }
    let has_readme = tree.paths().iter().any(|p| p == "docs/README.md");
    let asset_tags = if tree.paths().iter().any(|p| p == "kibana/tags.yml") {
        Some(parse_yaml_file(tree, "kibana/tags.yml")?.1)
    } else {
        None
    };
    info::package_info(
        &manifest,
        &src,
        PackageParts {
            data_streams,
            has_readme,
            asset_tags,
        },
    )
}

/// Builds PackageInfo from the package registry's package-info JSON
/// (`GET /package/<name>/<version>/`), normalised to the same model as [`load_path`].
///
/// # Errors
/// `INVALID_PACKAGE` with a JSON Pointer under `/info` for structural problems.
pub fn from_registry_json(info_json: &Value) -> Result<Value> {
    let src = Source {
        file: "info",
        text: None,
        json_prefix: Some("/info"),
    };
    let Value::Object(obj) = info_json else {
        return Err(src.error("", "the package info must be a JSON object"));
    };
    let name = obj.get("name").cloned().unwrap_or(Value::Null);
    let mut data_streams = Vec::new();
    if let Some(Value::Array(items)) = obj.get("data_streams") {
        for (i, ds) in items.iter().enumerate() {
            let prefix = format!("/info/data_streams/{i}");
            let ds_src = Source {
                file: "info",
                text: None,
                json_prefix: Some(&prefix),
            };
            let path = match (ds.get("path"), ds.get("dataset")) {
                (Some(Value::String(p)), _) => p.clone(),
                (_, Some(Value::String(d))) => {
                    let pkg_prefix = format!("{}.", info::js_string(&name));
                    d.strip_prefix(&pkg_prefix).unwrap_or(d).to_string()
                }
                _ => return Err(ds_src.error("/path", "a data stream needs `path` or `dataset`")),
            };
            let default_ingest_pipeline = info::truthy(ds.get("ingest_pipeline"));
            data_streams.push(info::parse_data_stream(
                &name,
                DataStreamInput {
                    path: &path,
                    manifest: ds,
                    source: ds_src,
                    routing_rules: ds.get("routing_rules").cloned(),
                    lifecycle: ds.get("lifecycle").cloned(),
                    default_ingest_pipeline,
                },
            )?);
        }
    }
    info::package_info(
        info_json,
        &src,
        PackageParts {
            data_streams,
            has_readme: false,
            asset_tags: obj.get("asset_tags").cloned(),
        },
    )
}
