//! Operations of this module in the JSON contract (`semver.*`).

use std::cmp::Ordering;

use serde_json::{json, Value};

use super::{Identifier, Options, Version};
use crate::args::{pointer, Args};
use crate::dispatch::Op;
use crate::error::{Error, ErrorKind, Result};

/// This module's operations.
pub const OPS: &[Op] = &[
    Op {
        name: "semver.valid",
        summary: "Normalise a version (`v1.2.3` → `1.2.3`), or null when invalid.",
        run: op_valid,
    },
    Op {
        name: "semver.parse",
        summary: "Split a version into major, minor, patch, prerelease and build, or null.",
        run: op_parse,
    },
    Op {
        name: "semver.compare",
        summary: "Compare two versions by precedence: -1, 0 or 1.",
        run: op_compare,
    },
    Op {
        name: "semver.compare_build",
        summary: "Compare two versions, breaking ties with build metadata.",
        run: op_compare_build,
    },
    Op {
        name: "semver.compare_main",
        summary: "Compare major.minor.patch only.",
        run: op_compare_main,
    },
    Op {
        name: "semver.compare_pre",
        summary: "Compare prerelease identifiers only.",
        run: op_compare_pre,
    },
    Op {
        name: "semver.prerelease",
        summary: "The prerelease identifiers of a version, or null.",
        run: op_prerelease,
    },
    Op {
        name: "semver.satisfies",
        summary: "Whether a version satisfies a node-semver range (false for invalid input).",
        run: op_satisfies,
    },
    Op {
        name: "semver.valid_range",
        summary: "The canonical form of a range (`*` for any), or null when invalid.",
        run: op_valid_range,
    },
    Op {
        name: "semver.min_version",
        summary: "The lowest version that satisfies a range, or null.",
        run: op_min_version,
    },
    Op {
        name: "semver.max_satisfying",
        summary: "The highest of a list of versions that satisfies a range, or null.",
        run: op_max_satisfying,
    },
    Op {
        name: "semver.gtr",
        summary: "Whether a version is above every version a range allows.",
        run: op_gtr,
    },
    Op {
        name: "semver.ltr",
        summary: "Whether a version is below every version a range allows.",
        run: op_ltr,
    },
    Op {
        name: "semver.intersects",
        summary: "Whether two ranges have a version in common.",
        run: op_intersects,
    },
];

/// JavaScript truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `options`: `{"loose", "include_prerelease"}` (also `includePrerelease`), read with
/// JavaScript truthiness as node-semver does; a bare truthy non-object means loose.
pub fn options(args: &Args<'_>) -> Result<Options> {
    let Some(v) = args.get("options") else {
        return Ok(Options::default());
    };
    Ok(match v {
        Value::Object(o) => {
            let flag = |k: &str| o.get(k).is_some_and(truthy);
            Options {
                loose: flag("loose"),
                include_prerelease: flag("include_prerelease") || flag("includePrerelease"),
            }
        }
        // An array is an object to JavaScript: it has neither flag.
        Value::Array(_) => Options::default(),
        other if truthy(other) => Options::LOOSE,
        _ => Options::default(),
    })
}

fn ord(o: Ordering) -> Value {
    json!(o as i8)
}

/// A JSON value for an identifier: numbers stay numbers (they are below 2^53).
pub fn identifier_json(id: &Identifier) -> Value {
    match id {
        Identifier::Numeric(n) => json!(n),
        Identifier::Text(s) => json!(s.as_ref()),
    }
}

/// `{major, minor, patch, prerelease, build}`.
pub fn version_json(v: &Version) -> Value {
    json!({
        "major": v.major,
        "minor": v.minor,
        "patch": v.patch,
        "prerelease": v.prerelease.iter().map(identifier_json).collect::<Vec<_>>(),
        "build": v.build.iter().map(|b| b.as_ref()).collect::<Vec<_>>(),
    })
}

fn op_valid(a: &Args<'_>) -> Result<Value> {
    Ok(json!(super::valid(a.str("version")?, options(a)?)))
}

fn op_parse(a: &Args<'_>) -> Result<Value> {
    Ok(super::parse(a.str("version")?, options(a)?)
        .map(|v| version_json(&v))
        .unwrap_or(Value::Null))
}

fn two(a: &Args<'_>, f: fn(&str, &str, Options) -> Result<Ordering>) -> Result<Value> {
    let (x, y, o) = (a.str("a")?, a.str("b")?, options(a)?);
    // Point at the argument that is invalid.
    if super::parse(x, o).is_none() {
        return Err(super::invalid_version(x).at(pointer("a")));
    }
    f(x, y, o).map(ord).map_err(|e| e.at(pointer("b")))
}

fn op_compare(a: &Args<'_>) -> Result<Value> {
    two(a, super::compare)
}

fn op_compare_build(a: &Args<'_>) -> Result<Value> {
    two(a, super::compare_build)
}

fn op_compare_main(a: &Args<'_>) -> Result<Value> {
    two(a, super::compare_main)
}

fn op_compare_pre(a: &Args<'_>) -> Result<Value> {
    two(a, super::compare_pre)
}

fn op_prerelease(a: &Args<'_>) -> Result<Value> {
    Ok(super::prerelease(a.str("version")?, options(a)?)
        .map(|p| Value::Array(p.iter().map(identifier_json).collect()))
        .unwrap_or(Value::Null))
}

fn op_satisfies(a: &Args<'_>) -> Result<Value> {
    // Never an error for bad input: a non-string version or range simply does not satisfy
    // (node-semver returns false for `satisfies(false, …)`). Missing arguments still are errors.
    let version = a.value("version")?;
    let range = a.value("range")?;
    let o = options(a)?;
    Ok(Value::Bool(match (version, range) {
        (Value::String(v), Value::String(r)) => super::satisfies(v, r, o),
        _ => false,
    }))
}

fn op_valid_range(a: &Args<'_>) -> Result<Value> {
    Ok(json!(super::valid_range(a.str("range")?, options(a)?)))
}

fn op_min_version(a: &Args<'_>) -> Result<Value> {
    let v = super::min_version(a.str("range")?, options(a)?).map_err(|e| e.at(pointer("range")))?;
    Ok(v.map(|v| json!(v.to_string())).unwrap_or(Value::Null))
}

fn op_max_satisfying(a: &Args<'_>) -> Result<Value> {
    let list = a.array("versions")?;
    let mut versions = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        match v {
            Value::String(s) => versions.push(s.as_str()),
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "`versions` must hold strings; item {i} is {}",
                        crate::args::type_name(other)
                    ),
                )
                .at(format!("/versions/{i}")))
            }
        }
    }
    let best = super::max_satisfying(versions, a.str("range")?, options(a)?);
    Ok(json!(best))
}

fn outside(a: &Args<'_>, f: fn(&str, &str, Options) -> Result<bool>) -> Result<Value> {
    let (v, r, o) = (a.str("version")?, a.str("range")?, options(a)?);
    f(v, r, o).map(Value::Bool).map_err(|e| {
        let at = if e.kind() == ErrorKind::InvalidVersion {
            "version"
        } else {
            "range"
        };
        e.at(pointer(at))
    })
}

fn op_gtr(a: &Args<'_>) -> Result<Value> {
    outside(a, super::gtr)
}

fn op_ltr(a: &Args<'_>) -> Result<Value> {
    outside(a, super::ltr)
}

fn op_intersects(a: &Args<'_>) -> Result<Value> {
    let (r1, r2, o) = (a.str("range1")?, a.str("range2")?, options(a)?);
    if let Err(e) = super::cache::range(r1, o) {
        return Err(e.at(pointer("range1")));
    }
    super::intersects(r1, r2, o)
        .map(Value::Bool)
        .map_err(|e| e.at(pointer("range2")))
}
