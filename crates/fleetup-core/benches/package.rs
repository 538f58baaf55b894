//! Package-loading benchmarks (filled in below).
fn main() {}
