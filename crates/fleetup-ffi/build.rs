//! Link settings for the shared library.
//!
//! On ELF targets the cdylib is marked `nodelete`: `dlclose()` then leaves it mapped. The core
//! keeps process-lifetime caches (the operation index) in statics; unmapping the library
//! would orphan them (valgrind reports them as definitely lost when Python unloads the
//! library at exit), and unloading Rust code that may own thread-local destructors is unsound
//! anyway. Writes nothing into the source tree.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd"
    ) {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
