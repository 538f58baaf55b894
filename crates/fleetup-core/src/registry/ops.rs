//! Operations of this module in the JSON contract (`registry.*`).

use serde_json::Value;

use super::{Constraint, Version};
use crate::args::{pointer, Args};
use crate::dispatch::Op;
use crate::error::{ErrorKind, Result};

/// This module's operations.
pub const OPS: &[Op] = &[
    Op {
        name: "registry.satisfies",
        summary: "Whether `version` satisfies `constraint` as the package registry (Masterminds semver v3) decides; `include_prerelease?`.",
        run: satisfies,
    },
    Op {
        name: "registry.validate",
        summary: "Like registry.satisfies, with the registry library's reasons: {ok, errors}.",
        run: validate,
    },
    Op {
        name: "registry.valid_constraint",
        summary: "The registry's normalised form of `constraint` (Constraints.String()), or null when invalid.",
        run: valid_constraint,
    },
    Op {
        name: "registry.valid_version",
        summary: "The registry's normalised `version` (coercing NewVersion, or StrictNewVersion with `strict`), or null.",
        run: valid_version,
    },
    Op {
        name: "registry.compare",
        summary: "Compare versions `a` and `b` (coercing parse) by the registry's precedence: -1, 0 or 1.",
        run: compare,
    },
];

fn constraint_arg(args: &Args<'_>) -> Result<Constraint> {
    Constraint::parse(args.str("constraint")?).map_err(|e| e.at(pointer("constraint")))
}

fn version_arg(args: &Args<'_>, name: &str) -> Result<Version> {
    Version::parse_coerce(args.str(name)?).map_err(|e| e.at(pointer(name)))
}

fn satisfies(args: &Args<'_>) -> Result<Value> {
    let include = args.opt_bool("include_prerelease")?.unwrap_or(false);
    let (version, constraint) = (args.str("version")?, args.str("constraint")?);
    match super::satisfies(version, constraint, include) {
        Ok(b) => Ok(Value::Bool(b)),
        Err(e) if e.kind() == ErrorKind::InvalidVersion => Err(e.at(pointer("version"))),
        Err(e) => Err(e.at(pointer("constraint"))),
    }
}

fn validate(args: &Args<'_>) -> Result<Value> {
    let include = args.opt_bool("include_prerelease")?.unwrap_or(false);
    let c = constraint_arg(args)?;
    let v = version_arg(args, "version")?;
    let (ok, errors) = c.validate(&v, include);
    Ok(serde_json::json!({"ok": ok, "errors": errors}))
}

fn valid_constraint(args: &Args<'_>) -> Result<Value> {
    match Constraint::parse(args.str("constraint")?) {
        Ok(c) => Ok(Value::String(c.to_string())),
        Err(e) if e.kind() == ErrorKind::InvalidConstraint => Ok(Value::Null),
        Err(e) => Err(e.at(pointer("constraint"))),
    }
}

fn valid_version(args: &Args<'_>) -> Result<Value> {
    let text = args.str("version")?;
    let parsed = if args.opt_bool("strict")?.unwrap_or(false) {
        Version::parse_strict(text)
    } else {
        Version::parse_coerce(text)
    };
    Ok(parsed.map_or(Value::Null, |v| Value::String(v.to_string())))
}

fn compare(args: &Args<'_>) -> Result<Value> {
    let a = version_arg(args, "a")?;
    let b = version_arg(args, "b")?;
    Ok(Value::from(a.compare(&b) as i8))
}

#[cfg(test)]
mod tests {
    use crate::call;

    #[test]
    fn envelope_shapes() {
        assert_eq!(
            call(
                r#"{"op":"registry.satisfies","args":{"version":"9.1.0","constraint":"^8.13.0 || ^9.0.0"}}"#
            ),
            r#"{"ok":true}"#
        );
        let bad = call(r#"{"op":"registry.satisfies","args":{"version":"9.1.0","constraint":""}}"#);
        assert!(bad.contains(r#""code":"INVALID_CONSTRAINT""#), "{bad}");
        assert!(bad.contains(r#""path":"/constraint""#), "{bad}");
        let bad = call(r#"{"op":"registry.satisfies","args":{"version":"x","constraint":"*"}}"#);
        assert!(bad.contains(r#""code":"INVALID_VERSION""#), "{bad}");
        assert!(bad.contains(r#""path":"/version""#), "{bad}");
        let bad = call(
            r#"{"op":"registry.satisfies","args":{"version":"1.0.0","constraint":"*","include_prerelease":1}}"#,
        );
        assert!(bad.contains(r#""code":"INVALID_ARGUMENT""#), "{bad}");
        assert_eq!(
            call(r#"{"op":"registry.valid_constraint","args":{"constraint":"1.2.3 - 2.3.4"}}"#),
            r#"{"ok":">=1.2.3 <=2.3.4"}"#
        );
        assert_eq!(
            call(r#"{"op":"registry.valid_constraint","args":{"constraint":" "}}"#),
            r#"{"ok":null}"#
        );
        assert_eq!(
            call(r#"{"op":"registry.valid_version","args":{"version":"v1.2","strict":true}}"#),
            r#"{"ok":null}"#
        );
        assert_eq!(
            call(r#"{"op":"registry.valid_version","args":{"version":"v1.2"}}"#),
            r#"{"ok":"1.2.0"}"#
        );
        assert_eq!(
            call(r#"{"op":"registry.compare","args":{"a":"1.2","b":"1.2.0+x"}}"#),
            r#"{"ok":0}"#
        );
        assert_eq!(
            call(
                r#"{"op":"registry.validate","args":{"version":"1.0.0-a","constraint":"^1.0.0"}}"#
            ),
            r#"{"ok":{"ok":false,"errors":["1.0.0-a is a prerelease version and the constraint is only looking for release versions"]}}"#
        );
    }
}
