//! The package registry's version constraints: Masterminds/semver v3.4.0, which the Elastic
//! package registry uses to match `conditions.kibana.version` (and `conditions.agent.version`)
//! against the Kibana version a client sends.
//!
//! Fleet itself decides everything else with node-semver ([`crate::version`]); the two engines
//! agree on the usual Kibana-style constraints (`^8.13.0 || ^9.0.0`, `>=7.9.0 <8.0.0`) for
//! release versions, and differ in these ways (each reproduced here, see `docs/VERSIONS.md`):
//!
//! - an empty constraint is **invalid** (node-semver reads it as `*`);
//! - AND may be written with a comma (`>= 1.2, < 3.0.0`); `!=`, `=<` and `=>` exist;
//! - prereleases: a comparator with a prerelease lets prereleases of *any* version through for
//!   its whole AND group (node-semver only for the same `major.minor.patch`), and upper bounds
//!   carry no `-0`;
//! - `~0.0.0` matches every version; `1.x.5` reads as `1.x`; `1.1-3` is a prerelease, not a
//!   range (hyphen ranges need spaces);
//! - [`Version::parse_coerce`] accepts `1.2`, `v1` and leading zeros; [`Version::parse_strict`]
//!   rejects `v1.2.3`; build metadata in a constraint is kept in its string form.
//!
//! The parser is hand-written and linear in the input (see [`constraint`]). [`satisfies`]
//! remembers up to 512 parsed constraints per thread; [`Constraint::check`] allocates nothing.
//!
//! # Example
//! ```
//! use fleetup_core::registry;
//! assert!(registry::satisfies("8.19.0", "^7.17.6 || ^8.3.0", false).unwrap());
//! assert!(!registry::satisfies("9.2.0-SNAPSHOT", "^8.13.0 || ^9.0.0", false).unwrap());
//! ```

mod cache;
pub mod constraint;
pub mod ops;
pub mod version;

pub use constraint::Constraint;
pub use version::Version;

use crate::error::Result;

/// Whether `version` (parsed with the coercing [`Version::parse_coerce`], as the registry parses
/// the Kibana version) satisfies `constraint`.
///
/// # Errors
/// `INVALID_CONSTRAINT` when the constraint does not parse (`LIMIT_EXCEEDED` when it is over
/// [`constraint::MAX_CONSTRAINT_BYTES`]), then `INVALID_VERSION` when the version does not.
///
/// # Example
/// ```
/// use fleetup_core::registry::satisfies;
/// assert!(satisfies("1.2.3", ">= 1.2, < 3.0.0", false).unwrap());
/// assert_eq!(satisfies("1.2.3", "", false).unwrap_err().code(), "INVALID_CONSTRAINT");
/// ```
pub fn satisfies(version: &str, constraint: &str, include_prerelease: bool) -> Result<bool> {
    // Short constraints (all real ones) come from the per-thread memo; long ones are checked
    // while they are parsed, without allocating.
    if constraint.len() > cache::MAX_LEN {
        return constraint::satisfies_streaming(version, constraint, include_prerelease);
    }
    // Parse the version first (cheap) but report a constraint error before a version error.
    let v = Version::parse_coerce(version);
    let answer = cache::with_parsed(constraint, |c| {
        v.as_ref().map(|v| c.check(v, include_prerelease))
    })?;
    answer.map_err(Clone::clone)
}
