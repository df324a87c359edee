//! Snapshots of every `--help` (trycmd): `s4e`, each group and each command.
//! `TRYCMD=overwrite` rewrites them, and then the test fails, so a blessing
//! is always a reviewed diff, never a silent pass.

use std::collections::BTreeSet;

use crate::{commands_of, leaf_commands};

const SNAPSHOTS: &str = "tests/cli/help";

/// The snapshot file of `s4e WORDS --help`.
fn snapshot_name(words: &str) -> String {
    if words.is_empty() {
        "s4e.trycmd".to_owned()
    } else {
        format!("s4e-{}.trycmd", words.replace(' ', "-"))
    }
}

#[test]
fn every_help_matches_its_snapshot() {
    let mut expected: BTreeSet<String> = leaf_commands();
    expected.insert(String::new());
    for group in commands_of(&[]) {
        expected.insert(group);
    }
    let expected: BTreeSet<String> = expected.iter().map(|w| snapshot_name(w)).collect();
    let present: BTreeSet<String> = std::fs::read_dir(SNAPSHOTS)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<_> = expected.difference(&present).collect();
    let stale: Vec<_> = present.difference(&expected).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "help snapshots missing: {missing:?}; for no command: {stale:?}"
    );

    trycmd::TestCases::new()
        .register_bin("s4e", assert_cmd::cargo::cargo_bin!("s4e"))
        .env("COLUMNS", "100")
        .env("S4E_CONFIG", "/nonexistent/s4e-test-config.toml")
        .case(format!("{SNAPSHOTS}/*.trycmd"))
        .run();
    let blessing =
        std::env::var_os("TRYCMD").is_some_and(|mode| mode == "overwrite" || mode == "dump");
    assert!(
        !blessing,
        "TRYCMD rewrote the help snapshots: review `git diff {SNAPSHOTS}` and run again without it"
    );
}
