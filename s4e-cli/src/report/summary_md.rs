//! The Markdown summary (`--summary-md`, and `$GITHUB_STEP_SUMMARY` in
//! GitHub Actions): counts by severity with the threshold marked, new versus
//! baseline, suppressed findings and expired ignore entries, and the top
//! findings linked to their asset.

use super::AssetRef;
use super::sarif::escape_markdown;
use super::verdict::Verdict;

/// How many findings the summary lists.
const TOP: usize = 10;

/// The summary; `base_url` is the API's, for the assets' links.
pub(crate) fn render(verdict: &Verdict, base_url: &str) -> String {
    let passed = verdict.passed();
    let mut md = format!(
        "### S4E gate: {}\n\n{}.\n\n",
        if passed { "passed" } else { "failed" },
        escape_markdown(&capitalised(&verdict.headline()))
    );
    let baseline = verdict.baseline.is_some();
    let ignores = verdict.ignores.is_some();
    md.push_str("| Severity | Findings |");
    if baseline {
        md.push_str(" New |");
    }
    if ignores {
        md.push_str(" Suppressed |");
    }
    md.push_str(" Fails the gate |\n|:--|--:|");
    if baseline {
        md.push_str("--:|");
    }
    if ignores {
        md.push_str("--:|");
    }
    md.push_str(":--|\n");
    for row in verdict.by_severity() {
        let marked = if row.severity == verdict.threshold {
            format!("**{}** (threshold)", row.severity)
        } else {
            row.severity.to_string()
        };
        md.push_str(&format!("| {marked} | {} |", row.findings));
        if baseline {
            md.push_str(&format!(" {} |", row.new));
        }
        if ignores {
            md.push_str(&format!(" {} |", row.suppressed));
        }
        let fails = match (row.counts, row.failing) {
            (false, _) => "no".to_owned(),
            (true, 0) => "yes (none)".to_owned(),
            (true, n) => format!("yes: **{n}**"),
        };
        md.push_str(&format!(" {fails} |\n"));
    }
    md.push('\n');

    if let Some(file) = &verdict.baseline {
        let absent = verdict.absent().len();
        md.push_str(&format!(
            "**Baseline** `{}`: {} new, {} unchanged, {absent} gone (absent).\n\n",
            code(&file.path.display().to_string()),
            verdict.count_state(super::verdict::BaselineState::New),
            verdict.count_state(super::verdict::BaselineState::Unchanged),
        ));
    }
    if let Some(file) = &verdict.ignores {
        md.push_str(&format!(
            "**Ignored** (`{}`): {} finding(s) suppressed.\n\n",
            code(&file.path.display().to_string()),
            verdict.suppressed().count()
        ));
    }
    let expired = verdict.expired();
    if !expired.is_empty() {
        md.push_str("**Expired ignore entries** (they no longer suppress):\n\n");
        for expired in expired {
            md.push_str(&format!(
                "- `{}`, expired {} ({} matching finding(s)): {}\n",
                code(&expired.entry.describe()),
                expired.entry.expires,
                expired.would_match,
                escape_markdown(&expired.entry.reason)
            ));
        }
        md.push('\n');
    }

    let top = verdict.most_severe_first();
    if !top.is_empty() {
        md.push_str(&format!(
            "#### Top findings ({} of {})\n\n| Severity | Finding | Asset |",
            top.len().min(TOP),
            top.len()
        ));
        if baseline {
            md.push_str(" Baseline |");
        }
        md.push_str(" Fails |\n|:--|:--|:--|");
        if baseline {
            md.push_str(":--|");
        }
        md.push_str(":--|\n");
        for judged in top.into_iter().take(TOP) {
            let finding = &judged.finding;
            let asset = AssetRef::of(finding);
            md.push_str(&format!(
                "| {} | {} (`{}`) | [{}]({}) |",
                finding.severity,
                escape_markdown(&finding.title),
                code(finding.id.as_str()),
                escape_markdown(asset.name),
                asset.url(base_url).replace(')', "%29"),
            ));
            if baseline {
                md.push_str(&format!(
                    " {} |",
                    judged.state.map_or("", |state| state.as_str())
                ));
            }
            let fails = if judged.fails {
                "yes"
            } else if judged.suppressed_by.is_some() {
                "suppressed"
            } else {
                "no"
            };
            md.push_str(&format!(" {fails} |\n"));
        }
        md.push('\n');
    }
    md
}

/// Text inside backticks: a backtick would end it, a pipe the table cell.
fn code(text: &str) -> String {
    text.replace('`', "'").replace('|', "\\|")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{baseline_of, finding, judge};
    use serde_json::json;

    #[test]
    fn counts_threshold_baseline_ignores_and_linked_top_findings() {
        let findings = vec![
            finding(
                json!({"id": "f-1", "title": "SQLi [login]", "severity": "critical",
                "asset": {"id": "a-1", "name": "shop.example.com"}}),
            ),
            finding(json!({"id": "f-2", "title": "XSS", "severity": "high",
                "asset": {"id": "a-1", "name": "shop.example.com"}})),
            finding(json!({"id": "f-3", "title": "Banner", "severity": "low",
                "asset": {"id": "a-2", "name": "api.example.com"}})),
        ];
        let verdict = judge(
            findings,
            Some(baseline_of(&["s4e/xss@a-1", "s4e/gone@a-1"])),
            "[[ignore]]\nfinding = \"f-3\"\nreason = \"noise\"\nexpires = 2027-01-31\n\
             [[ignore]]\nrule = \"s4e/sqli-login\"\nreason = \"later\"\nexpires = 2026-11-30\n",
        );
        let md = render(&verdict, "https://api.s4e.io/v1");
        assert!(md.starts_with("### S4E gate: failed\n\nGate failed: 1 new finding at or above high; 1 more in the baseline.\n\n"), "{md}");
        assert!(md.contains("| Severity | Findings | New | Suppressed | Fails the gate |\n"));
        assert!(md.contains("| critical | 1 | 1 | 0 | yes: **1** |\n"));
        assert!(md.contains("| **high** (threshold) | 1 | 0 | 0 | yes (none) |\n"));
        assert!(md.contains("| low | 1 | 1 | 1 | no |\n"));
        assert!(md.contains("**Baseline** `main.sarif`: 2 new, 1 unchanged, 1 gone (absent)."));
        assert!(md.contains("**Ignored** (`.s4e-ignore.toml`): 1 finding(s) suppressed."));
        assert!(md.contains("- `[[ignore]] entry 2 (rule s4e/sqli-login)`, expired 2026-11-30 (1 matching finding(s)): later\n"));
        assert!(md.contains(
            "| critical | SQLi \\[login\\] (`f-1`) | [shop.example.com](https://api.s4e.io/v1/assets/a-1) | new | yes |\n"
        ), "{md}");
        assert!(md.contains("| low | Banner (`f-3`) | [api.example.com](https://api.s4e.io/v1/assets/a-2) | new | suppressed |\n"));
    }
}
