// Expansion snapshots: the code generated for a few canonical endpoints,
// pretty-printed and compared with `snapshots/<name>.rs`, so that a codegen
// change reads as a diff in review. `S4E_BLESS=1 cargo test -p s4e-macros`
// rewrites the files and fails every snapshot test it rewrote, so that a
// blessed run never passes for a check.

use std::fmt::Write as _;
use std::path::PathBuf;

fn check(name: &str, attr: &str, item: &str) {
    let tokens = crate::expand::endpoint(
        attr.parse().expect("attribute tokens"),
        item.parse().expect("item tokens"),
    );
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    let mut actual = format!("// Expansion of:\n// #[endpoint({attr})]\n");
    let indent = item
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    for line in item.lines().filter(|line| !line.trim().is_empty()) {
        let _ = writeln!(actual, "// {}", &line[indent..]);
    }
    actual.push('\n');
    actual.push_str(&prettyplease::unparse(&file));

    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "snapshots",
        &format!("{name}.rs"),
    ]
    .iter()
    .collect();
    if std::env::var_os("S4E_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        // A blessed run compared nothing: it must not pass as a check.
        panic!(
            "S4E_BLESS=1 wrote {}; review the diff, then run the tests without S4E_BLESS",
            path.display()
        );
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot at {}; create it with `S4E_BLESS=1 cargo test -p s4e-macros`",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "the expansion differs from {} (- snapshot, + now); if the change is intended, \
             run `S4E_BLESS=1 cargo test -p s4e-macros`\n\n{}",
            path.display(),
            diff(&expected, &actual)
        );
    }
}

/// A line diff (longest common subsequence), unchanged lines prefixed by two
/// spaces, kept only near a change.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        lines[k.saturating_sub(2)..(k + 3).min(lines.len())]
            .iter()
            .any(|(tag, _)| *tag != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (tag, line)) in lines.iter().enumerate() {
        if near_change(k) {
            let _ = writeln!(out, "{tag} {line}");
            skipped = false;
        } else if !skipped {
            out.push_str("  ...\n");
            skipped = true;
        }
    }
    out
}

#[test]
fn diff_shows_changed_lines_in_context() {
    let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
    let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
    assert_eq!(
        diff(old, new),
        "  ...\n  c\n  d\n- e\n+ E\n  f\n  g\n  h\n+ i\n"
    );
}

#[test]
fn get_by_id() {
    check(
        "get_by_id",
        r#"GET, "/findings/{id}", response = Finding"#,
        r#"
        /// Fetches one finding.
        #[derive(Debug, Clone)]
        pub struct GetFinding {
            pub id: FindingId,
        }
        "#,
    );
}

#[test]
fn paginated_list() {
    check(
        "paginated_list",
        r#"GET, "/findings", paginated, response = Finding"#,
        r#"
        #[derive(Debug, Default)]
        #[non_exhaustive]
        pub struct ListFindings {
            /// Only findings of these severities.
            pub severity: Option<Vec<Severity>>,
            pub status: Option<FindingStatus>,
            #[query(rename = "type")]
            pub kind: Option<String>,
            pub(crate) r#ref: Option<String>,
        }
        "#,
    );
}

#[test]
fn patch_with_body() {
    check(
        "patch_with_body",
        r#"PATCH, "/assets/{asset_id}/findings/{id}", response = Finding"#,
        r#"
        pub struct UpdateFinding {
            pub asset_id: AssetId,
            pub id: FindingId,
            pub status: Option<FindingStatus>,
            #[body(rename = "comment")]
            pub note: Option<String>,
            #[query]
            pub notify: bool,
        }
        "#,
    );
}

#[test]
fn post_idempotent_download() {
    check(
        "post_idempotent_download",
        r#"POST, "/findings/export", idempotent, download"#,
        r#"
        pub struct ExportFindings {
            pub format: ExportFormat,
            #[header("X-Trace")]
            pub trace: Option<String>,
            #[body(flatten)]
            pub extra: Option<serde_json::Value>,
        }
        "#,
    );
}

#[test]
fn delete_without_response() {
    check(
        "delete_without_response",
        r#"DELETE, "/assets/{id}""#,
        r#"
        pub struct DeleteAsset {
            pub id: AssetId,
        }
        "#,
    );
}

#[test]
fn sdk_mode() {
    check(
        "sdk_mode",
        r#"GET, "/assets", paginated, response = Asset, crate = crate"#,
        r#"
        pub struct ListAssets {
            /// Full-text search on the asset name.
            pub search: Option<String>,
            pub tags: Option<Vec<String>>,
        }
        "#,
    );
}

#[test]
fn unit_struct() {
    check(
        "unit_struct",
        r#"GET, "/webhooks", response = Vec<Webhook>"#,
        "pub struct ListWebhooks;",
    );
}

#[test]
fn fallback_on_error() {
    check(
        "fallback_on_error",
        r#"GET, "/findings/{finding_id}", response = Finding"#,
        r#"
        pub struct GetFinding {
            pub id: FindingId,
            #[body]
            pub status: Option<FindingStatus>,
        }
        "#,
    );
}
