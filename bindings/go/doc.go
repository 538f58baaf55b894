// Package fleetup plans Elastic Fleet integration-policy upgrades exactly as Kibana does.
//
// It binds libfleetup, the C ABI of fleetup's Rust core, and links the static library
// (target/release/libfleetup.a, built by `just ffi`), so programs need no shared library at
// run time.
//
// The typed functions cover the hot paths: [Compare] and [Satisfies] (node-semver 7.8.5
// semantics, as Kibana Fleet uses), [DryRun] (Fleet's upgrade dry run for one package policy)
// and [Plan] (upgrade-plan operations). [Call] reaches every operation of the JSON contract.
//
// Errors are *[Error] values carrying a stable [Code], a message and a JSON Pointer path; test
// them with errors.Is against the Err* sentinels, e.g. errors.Is(err, fleetup.ErrInvalidVersion).
//
// Every function is safe to call from many goroutines at once: the library keeps no mutable
// global state and reports errors through return values, never through thread-local state.
// Inputs are passed to C without copying and are not retained after a call returns.
//
// Loading the package checks that the library's ABI version equals [ABIVersion] and panics,
// naming both values, if it does not (a mismatched library cannot be used safely).
package fleetup
