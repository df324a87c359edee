//! Compile-time behaviour of `#[endpoint]`.
//!
//! Every `ui/<category>/<case>.rs` must fail to compile with exactly its
//! `.stderr`; `TRYBUILD=overwrite cargo test -p s4e-macros --test ui`
//! regenerates them. The endpoints that must compile (`ui/pass/`) are modules
//! of this binary instead of trybuild cases: built with the workspace, they
//! reuse its compiled dependencies, and with no passing case trybuild only
//! type-checks (`cargo check`, all cases in one batch) instead of building and
//! linking each case.

use std::path::Path;

#[path = "ui/pass/every-feature.rs"]
pub mod every_feature;
#[path = "ui/pass/lint-clean.rs"]
pub mod lint_clean;

#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
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
        cases.compile_fail(format!("tests/ui/{category}/*.rs"));
    }
}

/// The messages the README quotes are the ones the UI suite expects.
#[test]
fn readme_quotes_real_messages() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest.join("../README.md")).expect("README.md");
    let section = readme
        .split("\n## ")
        .find(|section| section.starts_with("Your own endpoints"))
        .expect("README section \"Your own endpoints\"");
    let quoted: Vec<&str> = section
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert!(quoted.len() >= 4, "{quoted:?}");
    let mut expected = String::new();
    let mut dirs = vec![manifest.join("tests/ui")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable tests/ui") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "stderr") {
                expected.push_str(&std::fs::read_to_string(&path).expect("readable .stderr"));
            }
        }
    }
    for line in quoted {
        assert!(
            expected.lines().any(|expected| expected == line),
            "the README quotes a message no UI case expects: {line}"
        );
    }
}
