//! Documented input limits. Each is far above what real packages and policies need (the largest
//! corpus package, aws 1.28.0, loads to well under 2 MB of JSON) and low enough that hostile input
//! cannot exhaust memory or time. Exceeding one is the error `LIMIT_EXCEEDED`.

/// Largest JSON request or document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;

/// Deepest JSON nesting accepted (serde_json's recursion guard enforces this).
pub const MAX_JSON_DEPTH: usize = 128;
