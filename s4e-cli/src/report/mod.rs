//! CI reports of `s4e gate`: SARIF 2.1.0 for code scanning, JUnit XML for
//! test dashboards, Markdown for people; with the baseline and the ignore
//! file they are judged against. This module holds what every report says
//! the same way: a finding's rank, rule, fingerprint and asset.

pub(crate) mod baseline;
pub(crate) mod ignore;
pub(crate) mod junit;
pub(crate) mod sarif;
pub(crate) mod summary_md;
pub(crate) mod verdict;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use s4e::Finding;
use s4e::findings::Severity;

/// Severities ranked for the gate: info 0 to critical 4. A severity this
/// version does not know ranks as info (it cannot be placed).
pub(crate) fn rank(severity: &Severity) -> u8 {
    match severity {
        Severity::Critical => 4,
        Severity::High => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
        _ => 0,
    }
}

/// A stable rule ID from a finding's title: `s4e/sql-injection`.
pub(crate) fn rule_id(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "s4e/finding".to_owned()
    } else {
        format!("s4e/{slug}")
    }
}

/// The key of the gate's fingerprint in SARIF `partialFingerprints`.
pub(crate) const FINGERPRINT_KEY: &str = "s4eFinding/v1";

/// What makes two findings "the same" across runs: the kind of problem (the
/// rule) on the same asset (its ID, which survives a rename). Never a time,
/// an order or the finding's own ID: a new scan reports a problem it found
/// before under a new finding ID, and it is still the same alert.
pub(crate) fn fingerprint(rule_id: &str, asset_id: &str) -> String {
    format!("{rule_id}@{asset_id}")
}

/// The asset a finding is on, as the reports name it.
pub(crate) struct AssetRef<'a> {
    /// The asset's ID, or `unknown-asset` when the API left it out.
    pub(crate) id: &'a str,
    /// Its name (domain, IP, URL or CIDR), else its ID.
    pub(crate) name: &'a str,
    /// Its type (`domain`, `ip`, `url`, `network`), when known.
    pub(crate) kind: Option<&'a str>,
}

impl<'a> AssetRef<'a> {
    pub(crate) fn of(finding: &'a Finding) -> AssetRef<'a> {
        match &finding.asset {
            Some(asset) => AssetRef {
                id: asset.id.as_str(),
                name: asset.domain.as_deref().unwrap_or(asset.id.as_str()),
                kind: asset.asset_type.as_ref().map(|kind| kind.as_str()),
            },
            None => AssetRef {
                id: "unknown-asset",
                name: "unknown-asset",
                kind: None,
            },
        }
    }

    /// A relative, percent-encoded reference with no scheme, where code
    /// scanning expects a file path: `s4e/assets/a-1001`. (An absolute URI,
    /// such as a URL asset's own name, makes GitHub refuse the upload.)
    pub(crate) fn uri(&self) -> String {
        format!("s4e/assets/{}", encode(self.id))
    }

    /// The asset in the API: `<base URL>/assets/<id>`.
    pub(crate) fn url(&self, base_url: &str) -> String {
        format!(
            "{}/assets/{}",
            base_url.trim_end_matches('/'),
            encode(self.id)
        )
    }
}

/// Everything but RFC 3986's unreserved characters is percent-encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

#[cfg(test)]
pub(crate) fn finding(json: serde_json::Value) -> Finding {
    serde_json::from_value(json).expect("a finding")
}

/// The day the unit tests judge on.
#[cfg(test)]
pub(crate) fn today() -> s4e::chrono::NaiveDate {
    s4e::chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

/// A baseline holding these fingerprints.
#[cfg(test)]
pub(crate) fn baseline_of(fingerprints: &[&str]) -> baseline::Baseline {
    let results: Vec<serde_json::Value> = fingerprints
        .iter()
        .map(|f| serde_json::json!({"partialFingerprints": {FINGERPRINT_KEY: f}}))
        .collect();
    let log = serde_json::json!({"version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "s4e"}}, "results": results}]});
    baseline::Baseline::from_log(std::path::Path::new("main.sarif"), &log).unwrap()
}

/// The verdict at `--fail-on high` on [`today`], with an ignore file of
/// this text (none when empty).
#[cfg(test)]
pub(crate) fn judge(
    findings: Vec<Finding>,
    baseline: Option<baseline::Baseline>,
    ignore_file: &str,
) -> verdict::Verdict {
    let ignores = (!ignore_file.is_empty()).then(|| {
        ignore::IgnoreFile::parse(std::path::Path::new(".s4e-ignore.toml"), ignore_file).unwrap()
    });
    verdict::Verdict::judge(findings, Severity::High, baseline, ignores, today())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rule_ids_are_stable_slugs() {
        assert_eq!(
            rule_id("SQL Injection (login form)"),
            "s4e/sql-injection-login-form"
        );
        assert_eq!(rule_id("  "), "s4e/finding");
    }

    #[test]
    fn an_asset_uri_is_relative_and_percent_encoded() {
        let f = finding(json!({"id": "f-1", "severity": "low",
            "asset": {"id": "a/1 é:x", "name": "https://docs.example.com/checkout", "type": "url"}}));
        let asset = AssetRef::of(&f);
        assert_eq!(asset.uri(), "s4e/assets/a%2F1%20%C3%A9%3Ax");
        assert_eq!(asset.name, "https://docs.example.com/checkout");
        assert_eq!(asset.kind, Some("url"));
        assert_eq!(
            asset.url("http://127.0.0.1:9/v1/"),
            "http://127.0.0.1:9/v1/assets/a%2F1%20%C3%A9%3Ax"
        );
        let nameless = finding(json!({"id": "f-2", "severity": "low", "asset": {"id": "a-2"}}));
        assert_eq!(AssetRef::of(&nameless).name, "a-2");
        let orphan = finding(json!({"id": "f-3", "severity": "low"}));
        assert_eq!(AssetRef::of(&orphan).uri(), "s4e/assets/unknown-asset");
    }
}
