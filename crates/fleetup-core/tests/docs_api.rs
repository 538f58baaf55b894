//! `docs/API.md` documents every operation the dispatcher serves.

#[test]
fn every_operation_is_documented() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/API.md");
    let doc = std::fs::read_to_string(&path).expect("docs/API.md exists");
    let missing: Vec<&str> = fleetup_core::dispatch::operations()
        .map(|op| op.name)
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented operations in docs/API.md: {missing:?}"
    );
}
