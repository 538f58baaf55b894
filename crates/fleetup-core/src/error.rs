//! The one error type every surface reports.
//!
//! Bindings map [`ErrorKind::code`] (a stable string) or [`ErrorKind::number`] (a stable integer,
//! the C ABI's `FLEETUP_ERROR_CODE_*`); they never parse messages. Numbers are grouped in ranges:
//! 1–9 request and boundary, 10–19 versions, 20–29 packages, 30–39 policies, 40–49 plans,
//! 100 internal. A number, once given out, is never reused or renumbered.

use std::fmt;

/// What went wrong, as a stable code.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A required pointer was NULL (C ABI only).
    NullArgument,
    /// Text was not valid UTF-8.
    InvalidUtf8,
    /// A request or document was not valid JSON.
    InvalidJson,
    /// The request named an operation that does not exist.
    UnknownOp,
    /// An argument was missing or had the wrong type.
    InvalidArgument,
    /// An input exceeded a documented size, depth or count limit.
    LimitExceeded,
    /// A version string is not a valid version.
    InvalidVersion,
    /// A range string is not a valid node-semver range.
    InvalidRange,
    /// A constraint is not valid for the package registry's semver flavour.
    InvalidConstraint,
    /// A package path does not exist or holds no manifest.
    PackageNotFound,
    /// A package's manifest or files are structurally invalid.
    InvalidPackage,
    /// A YAML document could not be parsed (or exceeded the alias-expansion guard).
    InvalidYaml,
    /// A `.zip` archive is corrupt, unsafe (path traversal) or a decompression bomb.
    InvalidArchive,
    /// Reading a file failed.
    Io,
    /// An upgraded package policy failed validation (Kibana's `PackagePolicyValidationError`).
    PackagePolicyValidation,
    /// A package policy document has the wrong shape.
    InvalidPolicy,
    /// The requested upgrade is not allowed (e.g. the target is older than the policy).
    UpgradeNotAllowed,
    /// An agent template failed to compile.
    TemplateError,
    /// A conflict-resolution edit could not be applied.
    InvalidEdit,
    /// A bug: a panic was caught at a boundary.
    Internal,
}

impl ErrorKind {
    /// Every kind, in number order. Bindings check their tables against this list.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::NullArgument,
        ErrorKind::InvalidUtf8,
        ErrorKind::InvalidJson,
        ErrorKind::UnknownOp,
        ErrorKind::InvalidArgument,
        ErrorKind::LimitExceeded,
        ErrorKind::InvalidVersion,
        ErrorKind::InvalidRange,
        ErrorKind::InvalidConstraint,
        ErrorKind::PackageNotFound,
        ErrorKind::InvalidPackage,
        ErrorKind::InvalidYaml,
        ErrorKind::InvalidArchive,
        ErrorKind::Io,
        ErrorKind::PackagePolicyValidation,
        ErrorKind::InvalidPolicy,
        ErrorKind::UpgradeNotAllowed,
        ErrorKind::TemplateError,
        ErrorKind::InvalidEdit,
        ErrorKind::Internal,
    ];

    /// The stable string code, e.g. `"INVALID_VERSION"`.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::NullArgument => "NULL_ARGUMENT",
            ErrorKind::InvalidUtf8 => "INVALID_UTF8",
            ErrorKind::InvalidJson => "INVALID_JSON",
            ErrorKind::UnknownOp => "UNKNOWN_OP",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorKind::InvalidVersion => "INVALID_VERSION",
            ErrorKind::InvalidRange => "INVALID_RANGE",
            ErrorKind::InvalidConstraint => "INVALID_CONSTRAINT",
            ErrorKind::PackageNotFound => "PACKAGE_NOT_FOUND",
            ErrorKind::InvalidPackage => "INVALID_PACKAGE",
            ErrorKind::InvalidYaml => "INVALID_YAML",
            ErrorKind::InvalidArchive => "INVALID_ARCHIVE",
            ErrorKind::Io => "IO_ERROR",
            ErrorKind::PackagePolicyValidation => "PACKAGE_POLICY_VALIDATION",
            ErrorKind::InvalidPolicy => "INVALID_POLICY",
            ErrorKind::UpgradeNotAllowed => "UPGRADE_NOT_ALLOWED",
            ErrorKind::TemplateError => "TEMPLATE_ERROR",
            ErrorKind::InvalidEdit => "INVALID_EDIT",
            ErrorKind::Internal => "INTERNAL",
        }
    }

    /// The stable number, e.g. `10` for `INVALID_VERSION` (the C ABI's error code).
    pub const fn number(self) -> i32 {
        match self {
            ErrorKind::NullArgument => 1,
            ErrorKind::InvalidUtf8 => 2,
            ErrorKind::InvalidJson => 3,
            ErrorKind::UnknownOp => 4,
            ErrorKind::InvalidArgument => 5,
            ErrorKind::LimitExceeded => 6,
            ErrorKind::InvalidVersion => 10,
            ErrorKind::InvalidRange => 11,
            ErrorKind::InvalidConstraint => 12,
            ErrorKind::PackageNotFound => 20,
            ErrorKind::InvalidPackage => 21,
            ErrorKind::InvalidYaml => 22,
            ErrorKind::InvalidArchive => 23,
            ErrorKind::Io => 24,
            ErrorKind::PackagePolicyValidation => 30,
            ErrorKind::InvalidPolicy => 31,
            ErrorKind::UpgradeNotAllowed => 32,
            ErrorKind::TemplateError => 33,
            ErrorKind::InvalidEdit => 40,
            ErrorKind::Internal => 100,
        }
    }

    /// The kind for a string code, if there is one.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.iter().copied().find(|k| k.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An error with a stable [`ErrorKind`], a human sentence and, where it applies, a JSON Pointer
/// (RFC 6901) to the offending part of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    path: Option<String>,
}

impl Error {
    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            path: None,
        }
    }

    /// The same error, pointing at `path` (a JSON Pointer such as `/args/version`).
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Prefixes the path with `prefix` (used when an error from a nested document is reported
    /// relative to the request's arguments).
    #[must_use]
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = Some(match self.path.take() {
            Some(p) => format!("{prefix}{p}"),
            None => prefix.to_string(),
        });
        self
    }

    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable string code (`self.kind().code()`).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON Pointer to the offending input, where it applies.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The error object of the JSON contract: `{code, message, path?}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut obj = serde_json::Map::new();
        obj.insert("code".into(), self.code().into());
        obj.insert("message".into(), self.message.clone().into());
        if let Some(p) = &self.path {
            obj.insert("path".into(), p.clone().into());
        }
        serde_json::Value::Object(obj)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) if !p.is_empty() => write!(f, "{}: {} (at {})", self.code(), self.message, p),
            _ => write!(f, "{}: {}", self.code(), self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results carrying [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_numbers_are_unique_and_round_trip() {
        let mut codes = std::collections::HashSet::new();
        let mut numbers = std::collections::HashSet::new();
        for k in ErrorKind::ALL {
            assert!(codes.insert(k.code()), "duplicate code {}", k.code());
            assert!(
                numbers.insert(k.number()),
                "duplicate number {}",
                k.number()
            );
            assert_eq!(ErrorKind::from_code(k.code()), Some(*k));
        }
        let nums: Vec<i32> = ErrorKind::ALL.iter().map(|k| k.number()).collect();
        let mut sorted = nums.clone();
        sorted.sort_unstable();
        assert_eq!(nums, sorted, "ALL must stay in number order");
    }
}
