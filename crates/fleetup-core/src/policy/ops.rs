//! Operations of this module in the JSON contract.

use crate::dispatch::Op;

/// This module's operations.
pub const OPS: &[Op] = &[];
