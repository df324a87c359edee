//! Compile-time behaviour of `#[endpoint]`: `ui/pass/*.rs` must build and run;
//! every other `ui/<category>/<case>.rs` must fail with exactly its `.stderr`.
//! `TRYBUILD=overwrite cargo test -p s4e-tests --test ui` regenerates them.

use std::path::Path;

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut categories: Vec<String> = std::fs::read_dir(&root)
        .expect("tests/ui exists")
        .map(|entry| entry.expect("readable tests/ui entry"))
        .filter(|entry| entry.path().is_dir() && entry.file_name() != "pass")
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    categories.sort();
    assert!(
        !categories.is_empty(),
        "no compile-fail category in {root:?}"
    );
    for category in categories {
        cases.compile_fail(format!("ui/{category}/*.rs"));
    }
}
