//! Building PackageInfo JSON the way Kibana's archive parser (`parseAndVerifyArchive` in
//! `server/services/epm/archive/parse.ts`) builds it from a package's manifests.
//!
//! The rules reproduced here: which manifest keys are kept (and in which order), the mandatory
//! fields of the package, policy templates, inputs, streams, data streams and vars, the defaults
//! Kibana fills in (`multiple: true`, `template_path: stream.yml.hbs`, `dataset: <pkg>.<ds>`,
//! data stream `release: ga`, package `release` from the version), dotted-key expansion of data
//! stream manifests, the `elasticsearch` entries Kibana keeps, and the default ingest pipeline.
//! Values (var types included, even off-spec ones such as `boolean` or `keyword`) are copied
//! verbatim, as Kibana does.
//!
//! Deliberate differences from the newest Kibana, each because real published packages need it:
//! `owner`, `description` and `format_version` are optional (only `name`, `version` and `title`
//! are mandatory; packages published before 2022 have no `owner`); a stream needs an `input` but
//! not a `title` (the registry accepts such packages and Kibana's own test packages have them);
//! and the keys `deprecated` and `var_groups` are kept at package level.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};

/// Package-level keys Kibana keeps, in its order: the mandatory ones, then the optional ones.
const PACKAGE_KEYS: &[&str] = &[
    "name",
    "version",
    "title",
    "owner",
    "readme",
    "assets",
    "data_streams",
    "license",
    "type",
    "categories",
    "conditions",
    "screenshots",
    "icons",
    "policy_templates",
    "policy_templates_behavior",
    "release",
    "agent",
    "elasticsearch",
    "description",
    "format_version",
    "deprecated",
    "var_groups",
];
const REQUIRED_PACKAGE_KEYS: &[&str] = &["name", "version", "title"];

const POLICY_TEMPLATE_KEYS: &[&str] = &[
    "categories",
    "data_streams",
    "inputs",
    "readme",
    "multiple",
    "type",
    "required_vars",
    "vars",
    "input",
    "template_path",
    "name",
    "title",
    "description",
    "icons",
    "screenshots",
    "deployment_modes",
    "configuration_links",
    "fips_compatible",
    "dynamic_signal_types",
    "deprecated",
    "var_groups",
];

const INPUT_KEYS: &[&str] = &[
    "type",
    "title",
    "description",
    "template_path",
    "template_paths",
    "condition",
    "input_group",
    "required_vars",
    "vars",
    "deployment_modes",
    "hide_in_var_group_options",
    "deprecated",
    "migrate_from",
    "name",
];

const STREAM_KEYS: &[&str] = &[
    "input",
    "title",
    "description",
    "enabled",
    "required_vars",
    "vars",
    "template_path",
    "template_paths",
    "ingestion_method",
    "var_groups",
    "deprecated",
    "migrate_from",
];

const DATA_STREAM_KEYS: &[&str] = &[
    "type",
    "ilm_policy",
    "hidden",
    "dataset",
    "title",
    "release",
    "streams",
    "package",
    "path",
    "ingest_pipeline",
    "elasticsearch",
    "dataset_is_prefix",
    "routing_rules",
    "lifecycle",
    "agent",
];

const VAR_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "type",
    "required",
    "show_user",
    "multi",
    "options",
    "default",
    "os",
    "secret",
    "hide_in_deployment_modes",
    "full_width",
    "min_duration",
    "max_duration",
    "url_allowed_schemes",
    "deprecated",
    "migrate_from",
];

/// Where a document came from, so structural errors can name the file and line.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    /// File name relative to the package root (e.g. `data_stream/access/manifest.yml`), or a
    /// JSON Pointer prefix for JSON input.
    pub file: &'a str,
    /// The YAML text, when the document was YAML (used to find lines).
    pub text: Option<&'a str>,
    /// True when the document is JSON (errors then carry a pointer instead of a line).
    pub json_prefix: Option<&'a str>,
}

impl Source<'_> {
    /// An `INVALID_PACKAGE` error about the node at `pointer` of this document.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        let message = message.into();
        if let Some(prefix) = self.json_prefix {
            return Error::new(ErrorKind::InvalidPackage, message).at(format!("{prefix}{pointer}"));
        }
        let line = self
            .text
            .and_then(|t| crate::yaml::line_of(t, pointer).or_else(|| parent_line(t, pointer)));
        match line {
            Some(l) => Error::new(
                ErrorKind::InvalidPackage,
                format!("{}, line {l}: {message}", self.file),
            ),
            None => Error::new(
                ErrorKind::InvalidPackage,
                format!("{}: {message}", self.file),
            ),
        }
    }
}

/// The line of the nearest existing ancestor of `pointer` (a missing key is reported at its parent).
fn parent_line(text: &str, pointer: &str) -> Option<usize> {
    let mut p = pointer;
    while let Some(i) = p.rfind('/') {
        p = &p[..i];
        if let Some(l) = crate::yaml::line_of(text, p) {
            return Some(l);
        }
    }
    None
}

/// JavaScript truthiness, as Kibana's parser tests fields.
pub use crate::js::truthy;

/// `JSON.stringify` of a value, for messages.
fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        let mut cut = 200;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}…", &s[..cut])
    } else {
        s
    }
}

/// Items of a list-valued field as Kibana iterates it (`x && x.length > 0 && x.forEach`):
/// absent, null, empty, objects, numbers and booleans give nothing; a non-empty string is an error.
fn list_items<'v>(
    v: Option<&'v Value>,
    src: &Source<'_>,
    pointer: &str,
    what: &str,
) -> Result<&'v [Value]> {
    match v {
        Some(Value::Array(items)) => Ok(items),
        Some(Value::String(s)) if !s.is_empty() => {
            Err(src.error(pointer, format!("{what} must be a list, got a string")))
        }
        _ => Ok(&[]),
    }
}

fn copy_allowed(target: &mut Map<String, Value>, rest: &Map<String, Value>, allowed: &[&str]) {
    for (k, v) in rest {
        if allowed.contains(&k.as_str()) {
            target.insert(k.clone(), v.clone());
        }
    }
}

/// `parseAndVerifyVars`: each var needs a truthy `name` and `type`; known keys are kept.
pub fn parse_vars(
    vars: Option<&Value>,
    location: &str,
    src: &Source<'_>,
    pointer: &str,
) -> Result<Vec<Value>> {
    let items = list_items(vars, src, pointer, "vars")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, var) in items.iter().enumerate() {
        let here = format!("{pointer}/{i}");
        let obj = var.as_object();
        let name = obj.and_then(|o| o.get("name"));
        let ty = obj.and_then(|o| o.get("type"));
        let (Some(obj), true, true) = (obj, truthy(name), truthy(ty)) else {
            return Err(src.error(
                &here,
                format!(
                    "Invalid var definition for {location}: one of mandatory fields 'name' and 'type' missing in var: {}",
                    show(var)
                ),
            ));
        };
        let mut entry = Map::new();
        entry.insert("name".into(), name.cloned().unwrap_or(Value::Null));
        entry.insert("type".into(), ty.cloned().unwrap_or(Value::Null));
        for (k, v) in obj {
            if k != "name" && k != "type" && VAR_KEYS.contains(&k.as_str()) {
                entry.insert(k.clone(), v.clone());
            }
        }
        out.push(Value::Object(entry));
    }
    Ok(out)
}

/// `parseAndVerifyInputs`.
fn parse_inputs(
    inputs: &Value,
    location: &str,
    src: &Source<'_>,
    pointer: &str,
) -> Result<Vec<Value>> {
    let items = list_items(Some(inputs), src, pointer, "inputs")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, input) in items.iter().enumerate() {
        let here = format!("{pointer}/{i}");
        let obj = input.as_object();
        let title = obj.and_then(|o| o.get("title"));
        let (Some(obj), true, true) = (obj, truthy(obj.and_then(|o| o.get("type"))), truthy(title))
        else {
            return Err(src.error(
                &here,
                format!(
                    "Invalid top-level manifest: one of mandatory fields 'type', 'title' missing in input: {}",
                    show(input)
                ),
            ));
        };
        let vars = parse_vars(obj.get("vars"), location, src, &format!("{here}/vars"))?;
        let mut entry = Map::new();
        entry.insert("title".into(), title.cloned().unwrap_or(Value::Null));
        entry.insert("vars".into(), Value::Array(vars));
        for (k, v) in obj {
            if k != "title" && k != "vars" && INPUT_KEYS.contains(&k.as_str()) {
                entry.insert(k.clone(), v.clone());
            }
        }
        out.push(Value::Object(entry));
    }
    Ok(out)
}

/// `parseAndVerifyPolicyTemplates`.
fn parse_policy_templates(manifest: &Map<String, Value>, src: &Source<'_>) -> Result<Vec<Value>> {
    let items = list_items(
        manifest.get("policy_templates"),
        src,
        "/policy_templates",
        "policy_templates",
    )?;
    let mut out = Vec::with_capacity(items.len());
    for (i, pt) in items.iter().enumerate() {
        let here = format!("/policy_templates/{i}");
        let obj = pt.as_object();
        let get = |k: &str| obj.and_then(|o| o.get(k));
        let (Some(obj), true, true, true) = (
            obj,
            truthy(get("name")),
            truthy(get("title")),
            truthy(get("description")),
        ) else {
            return Err(src.error(
                &here,
                format!(
                    "Invalid top-level manifest: one of mandatory fields 'name', 'title', 'description' is missing in policy template: {}",
                    show(pt)
                ),
            ));
        };
        let name = get("name").cloned().unwrap_or(Value::Null);
        let location = format!(
            "config template {}",
            name.as_str()
                .map_or_else(|| name.to_string(), str::to_string)
        );
        let inputs = match obj.get("inputs") {
            Some(v) if truthy(Some(v)) => {
                parse_inputs(v, &location, src, &format!("{here}/inputs"))?
            }
            _ => Vec::new(),
        };
        // `multiple` defaults to true; only an explicit boolean false turns it off.
        let multiple = !matches!(obj.get("multiple"), Some(Value::Bool(false)));
        let mut entry = Map::new();
        entry.insert("name".into(), name);
        entry.insert("title".into(), get("title").cloned().unwrap_or(Value::Null));
        entry.insert(
            "description".into(),
            get("description").cloned().unwrap_or(Value::Null),
        );
        entry.insert("multiple".into(), Value::Bool(multiple));
        // A template has either `input` (input package) or `inputs`.
        match obj.get("input") {
            Some(input) if truthy(Some(input)) => {
                entry.insert("input".into(), input.clone());
            }
            _ => {
                entry.insert("inputs".into(), Value::Array(inputs));
            }
        }
        for (k, v) in obj {
            let skip = matches!(
                k.as_str(),
                "name" | "title" | "description" | "inputs" | "input" | "multiple"
            );
            if !skip && POLICY_TEMPLATE_KEYS.contains(&k.as_str()) {
                entry.insert(k.clone(), v.clone());
            }
        }
        out.push(Value::Object(entry));
    }
    Ok(out)
}

/// `parseAndVerifyStreams`.
fn parse_streams(
    streams: Option<&Value>,
    ds_path: &str,
    src: &Source<'_>,
    pointer: &str,
) -> Result<Vec<Value>> {
    let items = list_items(streams, src, pointer, "streams")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, stream) in items.iter().enumerate() {
        let here = format!("{pointer}/{i}");
        let obj = stream.as_object();
        let input = obj.and_then(|o| o.get("input"));
        let title = obj.and_then(|o| o.get("title"));
        // Kibana's archive parser also demands a title; the registry does not, and Kibana's own
        // test packages (installed through the registry) have streams without one.
        let (Some(obj), true) = (obj, truthy(input)) else {
            return Err(src.error(
                &here,
                format!(
                    "Invalid manifest for data stream {ds_path}: stream is missing one or more fields of: input, title"
                ),
            ));
        };
        let vars = parse_vars(
            obj.get("vars"),
            &format!("data stream {ds_path}"),
            src,
            &format!("{here}/vars"),
        )?;
        let template_path = match obj.get("template_path") {
            Some(t) if truthy(Some(t)) => t.clone(),
            _ => Value::String("stream.yml.hbs".into()),
        };
        let mut entry = Map::new();
        entry.insert("input".into(), input.cloned().unwrap_or(Value::Null));
        if let Some(t) = title.filter(|t| !t.is_null()) {
            entry.insert("title".into(), t.clone());
        }
        entry.insert("template_path".into(), template_path);
        if !vars.is_empty() {
            entry.insert("vars".into(), Value::Array(vars));
        }
        for (k, v) in obj {
            let skip = matches!(k.as_str(), "input" | "title" | "vars" | "template_path");
            if !skip && STREAM_KEYS.contains(&k.as_str()) {
                entry.insert(k.clone(), v.clone());
            }
        }
        out.push(Value::Object(entry));
    }
    Ok(out)
}

/// `@kbn/std` `merge`: plain objects merge deeply (base keys first), anything else is replaced.
fn deep_merge(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => deep_merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// `expandDottedObject`: `{"a.b": 1}` becomes `{"a": {"b": 1}}`; non-objects are returned as is.
pub fn expand_dotted(v: &Value) -> Value {
    let Value::Object(map) = v else {
        return v.clone();
    };
    let mut acc = Map::new();
    for (k, val) in map {
        let mut nested = val.clone();
        for part in k.rsplit('.') {
            let mut m = Map::new();
            m.insert(part.to_string(), nested);
            nested = Value::Object(m);
        }
        if let Value::Object(n) = nested {
            deep_merge(&mut acc, n);
        }
    }
    Value::Object(acc)
}

/// `expandDottedEntries`: expands the dotted keys of every value of an object.
fn expand_dotted_entries(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, val)| (k.clone(), expand_dotted(val)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn index_template_entries(expanded: &Value, out: &mut Map<String, Value>, keys: &[&str]) {
    let template = expanded.get("index_template");
    for key in keys {
        if let Some(v) = template.and_then(|t| t.get(*key)) {
            if truthy(Some(v)) {
                out.insert(format!("index_template.{key}"), expand_dotted_entries(v));
            }
        }
    }
}

/// `parseDataStreamElasticsearchEntry`.
fn data_stream_elasticsearch(elasticsearch: Option<&Value>, ingest_pipeline: bool) -> Value {
    let expanded = elasticsearch.map(expand_dotted).unwrap_or(Value::Null);
    let mut out = Map::new();
    if ingest_pipeline {
        out.insert("ingest_pipeline.name".into(), "default".into());
    }
    let field = |k: &str| expanded.get(k).filter(|v| truthy(Some(v))).cloned();
    if let Some(v) = field("privileges") {
        out.insert("privileges".into(), v);
    }
    if let Some(v) = field("source_mode") {
        out.insert("source_mode".into(), v);
    }
    index_template_entries(
        &expanded,
        &mut out,
        &["mappings", "settings", "data_stream"],
    );
    for key in ["index_mode", "dynamic_dataset", "dynamic_namespace"] {
        if let Some(v) = field(key) {
            out.insert(key.into(), v);
        }
    }
    Value::Object(out)
}

/// `parseTopLevelElasticsearchEntry`.
fn top_level_elasticsearch(elasticsearch: &Value) -> Value {
    let expanded = expand_dotted(elasticsearch);
    let mut out = Map::new();
    if let Some(v) = expanded.get("privileges").filter(|v| truthy(Some(v))) {
        out.insert("privileges".into(), v.clone());
    }
    index_template_entries(&expanded, &mut out, &["mappings", "settings"]);
    Value::Object(out)
}

/// One data stream's inputs to [`parse_data_stream`].
pub struct DataStreamInput<'a> {
    /// The folder name under `data_stream/`.
    pub path: &'a str,
    /// The parsed `manifest.yml`.
    pub manifest: &'a Value,
    /// Where the manifest came from.
    pub source: Source<'a>,
    /// Parsed `routing_rules.yml`, if present.
    pub routing_rules: Option<Value>,
    /// Parsed `lifecycle.yml`, if present.
    pub lifecycle: Option<Value>,
    /// Whether `elasticsearch/ingest_pipeline/default.{yml,json}` exists.
    pub default_ingest_pipeline: bool,
}

/// The data stream entry of `parseAndVerifyDataStreams`.
///
/// # Errors
/// `INVALID_PACKAGE` when `title` or `type` is missing, or a stream or var is malformed.
pub fn parse_data_stream(pkg_name: &Value, ds: DataStreamInput<'_>) -> Result<Value> {
    let src = &ds.source;
    let expanded = expand_dotted(ds.manifest);
    let Value::Object(m) = &expanded else {
        return Err(src.error(
            "",
            format!(
                "Invalid manifest for data stream '{}': one or more fields missing of 'title', 'type'",
                ds.path
            ),
        ));
    };
    let title = m.get("title");
    let ty = m.get("type");
    if !(truthy(title) && truthy(ty)) {
        return Err(src.error(
            "",
            format!(
                "Invalid manifest for data stream '{}': one or more fields missing of 'title', 'type'",
                ds.path
            ),
        ));
    }
    let streams = parse_streams(m.get("streams"), ds.path, src, "/streams")?;
    let release = match m.get("release") {
        // A destructuring default applies only to `undefined`.
        None => Value::String("ga".into()),
        Some(v) => v.clone(),
    };
    let dataset = match m.get("dataset") {
        Some(d) if truthy(Some(d)) => d.clone(),
        _ => Value::String(format!("{}.{}", js_string(pkg_name), ds.path)),
    };
    let mut out = Map::new();
    out.insert("title".into(), title.cloned().unwrap_or(Value::Null));
    out.insert("release".into(), release);
    out.insert("type".into(), ty.cloned().unwrap_or(Value::Null));
    out.insert("package".into(), pkg_name.clone());
    out.insert("dataset".into(), dataset);
    out.insert("path".into(), Value::String(ds.path.to_string()));
    out.insert(
        "elasticsearch".into(),
        data_stream_elasticsearch(m.get("elasticsearch"), ds.default_ingest_pipeline),
    );
    if let Some(r) = ds.routing_rules.filter(|r| truthy(Some(r))) {
        out.insert("routing_rules".into(), r);
    }
    if let Some(l) = ds.lifecycle.filter(|l| truthy(Some(l))) {
        out.insert("lifecycle".into(), l);
    }
    if ds.default_ingest_pipeline {
        out.insert("ingest_pipeline".into(), "default".into());
    }
    if !streams.is_empty() {
        out.insert("streams".into(), Value::Array(streams));
    }
    let mut rest = m.clone();
    for k in [
        "title",
        "release",
        "type",
        "dataset",
        "streams",
        "elasticsearch",
    ] {
        rest.remove(k);
    }
    copy_allowed(&mut out, &rest, DATA_STREAM_KEYS);
    Ok(Value::Object(out))
}

/// `String(value)` for the few places Kibana interpolates a value into a string.
pub fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Everything besides the top-level manifest that goes into a PackageInfo.
pub struct PackageParts {
    /// Data stream entries, already built with [`parse_data_stream`], in archive order.
    pub data_streams: Vec<Value>,
    /// Whether `docs/README.md` exists.
    pub has_readme: bool,
    /// Parsed `kibana/tags.yml`, if present.
    pub asset_tags: Option<Value>,
}

/// The checks and picks of `parseAndVerifyArchive` on the top-level manifest.
///
/// # Errors
/// `INVALID_PACKAGE` (with file and line) when the manifest is not a mapping, lacks `name`,
/// `version` or `title`, has malformed policy templates, inputs or vars, or has no `release` and
/// an invalid `version`.
pub fn package_info(manifest: &Value, src: &Source<'_>, parts: PackageParts) -> Result<Value> {
    let Value::Object(m) = manifest else {
        return Err(src.error("", "the package manifest must be a YAML mapping"));
    };
    if let Some(missing) = REQUIRED_PACKAGE_KEYS.iter().find(|k| !m.contains_key(**k)) {
        return Err(src.error(
            "",
            format!(
                "Invalid top-level package manifest (package name: {}): one or more fields missing of {} (`{missing}` is missing).",
                m.get("name").map_or_else(|| "undefined".to_string(), js_string),
                REQUIRED_PACKAGE_KEYS.join(", ")
            ),
        ));
    }
    let mut out = Map::new();
    for key in PACKAGE_KEYS {
        if let Some(v) = m.get(*key) {
            out.insert((*key).to_string(), v.clone());
        }
    }
    if let Some(es) = out.get_mut("elasticsearch") {
        if truthy(Some(es)) {
            *es = top_level_elasticsearch(es);
        }
    }
    let name = out.get("name").cloned().unwrap_or(Value::Null);
    let version = out.get("version").cloned().unwrap_or(Value::Null);
    if !parts.data_streams.is_empty() {
        out.insert("data_streams".into(), Value::Array(parts.data_streams));
    }
    out.insert(
        "policy_templates".into(),
        Value::Array(parse_policy_templates(m, src)?),
    );
    if parts.has_readme {
        out.insert(
            "readme".into(),
            Value::String(format!(
                "/package/{}/{}/docs/README.md",
                js_string(&name),
                js_string(&version)
            )),
        );
    }
    if !truthy(out.get("release")) {
        out.insert("release".into(), default_release(&version, src)?.into());
    }
    if truthy(m.get("vars")) {
        let vars = parse_vars(m.get("vars"), "manifest.yml", src, "/vars")?;
        out.insert("vars".into(), Value::Array(vars));
    }
    if let Some(tags) = parts.asset_tags {
        if tags.as_array().is_some_and(|t| !t.is_empty()) {
            out.insert("asset_tags".into(), tags);
        }
    }
    Ok(Value::Object(out))
}

/// `semverPrerelease(version) || semverMajor(version) < 1 ? 'beta' : 'ga'`.
fn default_release(version: &Value, src: &Source<'_>) -> Result<&'static str> {
    let Value::String(v) = version else {
        return Err(src.error(
            "/version",
            format!(
                "Invalid version. Must be a string. Got {}",
                crate::args::type_name(version)
            ),
        ));
    };
    let opts = crate::version::Options::default();
    let Some(normal) = crate::version::valid(v, opts) else {
        return Err(src.error("/version", format!("Invalid Version: {v}")));
    };
    let prerelease = normal.contains('-');
    let major_is_zero = normal.split('.').next().is_some_and(|m| m == "0");
    Ok(if prerelease || major_is_zero {
        "beta"
    } else {
        "ga"
    })
}
