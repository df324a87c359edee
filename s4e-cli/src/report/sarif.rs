//! SARIF 2.1.0 as GitHub code scanning accepts it: one run per file, named
//! by `automationDetails.id`; one rule per kind of finding (its title) with
//! the remediation as help; one result per finding, located at a relative
//! `s4e/assets/<id>` URI with the asset's name, type and URL beside it;
//! fingerprints that stay the same across runs; `baselineState` and
//! `suppressions` from the verdict. A run holds at most 25,000 results and
//! stays under 10 MB gzipped, the most severe results kept.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use s4e::findings::Severity;
use serde_json::{Value, json};

use super::verdict::{Judged, Verdict};
use super::{AssetRef, FINGERPRINT_KEY, rank};

/// What code scanning accepts in one upload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Results per run (GitHub shows the 5,000 most severe of them).
    pub(crate) max_results: usize,
    /// The gzip-compressed size of the file.
    pub(crate) max_gzip_bytes: u64,
}

/// GitHub's limits; its 10 MB is read as 10,000,000 bytes, the stricter.
pub(crate) const GITHUB: Limits = Limits {
    max_results: 25_000,
    max_gzip_bytes: 10_000_000,
};

/// Where the run comes from.
pub(crate) struct RunInfo<'a> {
    /// `--category`: code scanning keeps one analysis per category.
    pub(crate) category: &'a str,
    /// The API's base URL, for the assets' URLs.
    pub(crate) base_url: &'a str,
}

/// The written file and how many results were left out to fit.
pub(crate) struct Written {
    pub(crate) bytes: Vec<u8>,
    pub(crate) omitted: usize,
}

/// `critical`/`high` are errors, `medium` warnings, the rest notes.
pub(crate) fn level(severity: &Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        _ => "note",
    }
}

/// GitHub ranks code-scanning alerts by a rule's `security-severity`, a
/// CVSS-like score: the highest CVSS of the rule's findings, else one that
/// falls in the severity's band.
fn security_severity(severity: &Severity, cvss: Option<f64>) -> f64 {
    cvss.unwrap_or(match severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        _ => 0.0,
    })
}

/// The SARIF file of a verdict, trimmed to `limits`.
pub(crate) fn write(
    verdict: &Verdict,
    run: &RunInfo<'_>,
    limits: Limits,
) -> Result<Written, serde_json::Error> {
    let mut rules = rules(verdict);
    let mut results: Vec<(u8, Value)> = verdict
        .most_severe_first()
        .into_iter()
        .map(|judged| {
            (
                rank(&judged.finding.severity) + 1,
                result(verdict, judged, run),
            )
        })
        .collect();
    // Gone findings last: they are kept only when everything current fits.
    for gone in verdict.absent() {
        let rule_id = gone["ruleId"].as_str().unwrap_or_default();
        if let Some(rule) = verdict.baseline.as_ref().and_then(|b| b.rule(rule_id)) {
            rules
                .entry(rule_id.to_owned())
                .or_insert_with(|| rule.clone());
        }
        results.push((0, absent(gone)));
    }
    // Stable: equally severe results keep the verdict's order.
    results.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
    let results: Vec<Value> = results.into_iter().map(|(_, result)| result).collect();

    let total = results.len();
    let mut keep = total.min(limits.max_results);
    loop {
        let log = log(verdict, run, &rules, &results[..keep], total - keep);
        let bytes = serde_json::to_vec_pretty(&log)?;
        let compressed = gzip_len(&bytes);
        if compressed <= limits.max_gzip_bytes || keep == 0 {
            return Ok(Written {
                bytes,
                omitted: total - keep,
            });
        }
        // Shrink in proportion, with a margin, and by at least one result.
        let fits = keep as f64 * limits.max_gzip_bytes as f64 / compressed as f64 * 0.95;
        keep = (fits as usize).min(keep - 1);
    }
}

/// The rules the results use, and the results pointing at them.
fn indexed(rules: &BTreeMap<String, Value>, results: &[Value]) -> (Vec<Value>, Vec<Value>) {
    let used: BTreeSet<&str> = results
        .iter()
        .filter_map(|result| result["ruleId"].as_str())
        .collect();
    let kept: Vec<(&String, &Value)> = rules
        .iter()
        .filter(|(id, _)| used.contains(id.as_str()))
        .collect();
    let index: BTreeMap<&str, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let results = results
        .iter()
        .map(|result| {
            let mut result = result.clone();
            if let Some(i) = result["ruleId"].as_str().and_then(|id| index.get(id)) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    (
        kept.into_iter().map(|(_, rule)| rule.clone()).collect(),
        results,
    )
}

fn log(
    verdict: &Verdict,
    run: &RunInfo<'_>,
    rules: &BTreeMap<String, Value>,
    results: &[Value],
    omitted: usize,
) -> Value {
    let (rules, results) = indexed(rules, results);
    let mut notifications = Vec::new();
    if omitted > 0 {
        notifications.push(json!({
            "level": "warning",
            "descriptor": { "id": "s4e/results-omitted" },
            "message": { "text": format!(
                "{omitted} of {} results were left out, the least severe first, to stay \
                 within GitHub code scanning's limits ({} results, {} bytes gzipped per upload).",
                results.len() + omitted, GITHUB.max_results, GITHUB.max_gzip_bytes
            ) },
        }));
    }
    let configuration: Vec<Value> = verdict
        .expired()
        .iter()
        .map(|expired| {
            json!({
                "level": "warning",
                "descriptor": { "id": "s4e/ignore-expired" },
                "message": { "text": format!(
                    "{} expired on {}; it no longer suppresses ({} matching findings).",
                    expired.entry.describe(), expired.entry.expires, expired.would_match
                ) },
            })
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": true });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    if !configuration.is_empty() {
        invocation["toolConfigurationNotifications"] = json!(configuration);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "s4e",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/s4e-io/s4e-rust",
                    "rules": rules,
                }
            },
            // Everything up to the last `/` is code scanning's category.
            "automationDetails": { "id": format!("{}/", run.category) },
            "invocations": [invocation],
            "results": results,
        }]
    })
}

/// What a rule is told by the first finding of its kind, and the worst.
struct RuleFacts<'a> {
    title: &'a str,
    description: Option<&'a str>,
    remediation: Option<&'a str>,
    references: &'a [String],
    worst: &'a Severity,
    score: f64,
}

fn rules(verdict: &Verdict) -> BTreeMap<String, Value> {
    let mut facts: BTreeMap<&str, RuleFacts<'_>> = BTreeMap::new();
    for judged in &verdict.findings {
        let finding = &judged.finding;
        let score = security_severity(&finding.severity, finding.cvss);
        let rule = facts.entry(&judged.rule_id).or_insert(RuleFacts {
            title: &finding.title,
            description: finding.description.as_deref(),
            remediation: finding.remediation.as_deref(),
            references: &finding.references,
            worst: &finding.severity,
            score,
        });
        if rank(&finding.severity) > rank(rule.worst) {
            rule.worst = &finding.severity;
        }
        rule.score = rule.score.max(score);
        rule.remediation = rule.remediation.or(finding.remediation.as_deref());
        rule.description = rule.description.or(finding.description.as_deref());
    }
    facts
        .into_iter()
        .map(|(id, rule)| {
            let title = if rule.title.is_empty() {
                id
            } else {
                rule.title
            };
            let mut value = json!({
                "id": id,
                "name": title,
                "shortDescription": { "text": title },
                "fullDescription": { "text": rule.description.unwrap_or(title) },
                "help": help(&rule),
                "defaultConfiguration": { "level": level(rule.worst) },
                "properties": {
                    "tags": ["security"],
                    "security-severity": format!("{:.1}", rule.score),
                },
            });
            if let Some(uri) = rule.references.first() {
                value["helpUri"] = json!(uri);
            }
            (id.to_owned(), value)
        })
        .collect()
}

/// The remediation, as text and as Markdown (GitHub shows the Markdown).
fn help(rule: &RuleFacts<'_>) -> Value {
    let remediation = rule
        .remediation
        .unwrap_or("S4E gave no remediation for this finding; see its description.");
    let mut text = format!("Remediation: {remediation}");
    let mut markdown = format!("**Remediation:** {}", escape_markdown(remediation));
    if let Some(description) = rule.description {
        text = format!("{description}\n\n{text}");
        markdown = format!("{}\n\n{markdown}", escape_markdown(description));
    }
    if !rule.references.is_empty() {
        text.push_str("\n\nReferences:");
        markdown.push_str("\n\n**References**\n");
        for reference in rule.references {
            text.push_str(&format!("\n- {reference}"));
            markdown.push_str(&format!("\n- <{}>", reference.replace('>', "%3E")));
        }
    }
    json!({ "text": text, "markdown": markdown })
}

/// Markdown's special characters as literals, so a finding's text cannot
/// turn into links or HTML in GitHub's view.
pub(crate) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Without `[` and `]` there is no link, so `(` and `)` stay as they are.
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn result(verdict: &Verdict, judged: &Judged, run: &RunInfo<'_>) -> Value {
    let finding = &judged.finding;
    let asset = AssetRef::of(finding);
    let url = asset.url(run.base_url);
    let title = if finding.title.is_empty() {
        "Finding"
    } else {
        &finding.title
    };
    let message = format!(
        "{title} on {} ({} severity{}), S4E finding {}.",
        asset.name,
        finding.severity,
        finding
            .cvss
            .map(|c| format!(", CVSS {c:.1}"))
            .unwrap_or_default(),
        finding.id,
    );
    let mut result = json!({
        "ruleId": judged.rule_id,
        "level": level(&finding.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": asset.uri() },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "name": asset.name,
                "fullyQualifiedName": asset.uri(),
                "kind": "resource",
                "properties": {
                    "assetId": asset.id,
                    "assetType": asset.kind,
                    "assetUrl": url,
                },
            }],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: judged.fingerprint },
        "properties": {
            "findingId": finding.id.as_str(),
            "severity": finding.severity.as_str(),
            "status": finding.status.as_ref().map(|s| s.as_str()),
            "cvss": finding.cvss,
            "scanId": finding.scan_id.as_ref().map(|id| id.as_str()),
            "asset": { "id": asset.id, "name": asset.name, "type": asset.kind, "url": url },
            "failsGate": judged.fails,
        },
    });
    if let Some(state) = judged.state {
        result["baselineState"] = json!(state.as_str());
    }
    if let Some(entry) = verdict.entry(judged) {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": entry.reason,
            "properties": {
                "ignoreFile": verdict.ignores.as_ref().map(|file| file.path.display().to_string()),
                "entry": entry.number,
                "expires": entry.expires.to_string(),
            },
        }]);
    }
    result
}

/// A baseline result that is gone. Code scanning reads every result as an
/// alert, so it is also marked as SARIF's `pass` (no problem now).
fn absent(gone: &Value) -> Value {
    let mut result = gone.clone();
    if let Some(fields) = result.as_object_mut() {
        fields.remove("ruleIndex");
        fields.remove("suppressions");
        fields.insert("baselineState".into(), json!("absent"));
        fields.insert("kind".into(), json!("pass"));
        fields.insert("level".into(), json!("none"));
    }
    if result["properties"].is_object() {
        result["properties"]["failsGate"] = json!(false);
    }
    result
}

fn gzip_len(bytes: &[u8]) -> u64 {
    struct Count(u64);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut encoder = flate2::write::GzEncoder::new(Count(0), flate2::Compression::default());
    // Writing to a counter cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().map_or(u64::MAX, |count| count.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::baseline::Baseline;
    use crate::report::{finding, judge};
    use std::path::Path;

    const RUN: RunInfo<'static> = RunInfo {
        category: "s4e",
        base_url: "https://api.s4e.io/v1",
    };

    fn render(verdict: &Verdict, limits: Limits) -> (Value, usize) {
        let written = write(verdict, &RUN, limits).unwrap();
        (
            serde_json::from_slice(&written.bytes).unwrap(),
            written.omitted,
        )
    }

    #[test]
    fn one_rule_per_kind_one_result_per_finding_at_a_relative_uri() {
        let findings = vec![
            finding(json!({"id": "f-1", "title": "XSS", "severity": "medium",
                "remediation": "Encode output.", "references": ["https://owasp.org/xss"],
                "asset": {"id": "a-1", "name": "https://shop.example.com/login", "type": "url"}})),
            finding(
                json!({"id": "f-2", "title": "XSS", "severity": "critical", "cvss": 9.1,
                "asset": {"id": "a-2"}}),
            ),
            finding(json!({"id": "f-3", "title": "Old TLS", "severity": "low"})),
        ];
        let verdict = judge(findings, None, "");
        let (log, omitted) = render(&verdict, GITHUB);
        assert_eq!(omitted, 0);
        let run = &log["runs"][0];
        assert_eq!(run["automationDetails"]["id"], "s4e/");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        let xss = rules.iter().find(|r| r["id"] == "s4e/xss").unwrap();
        assert_eq!(xss["defaultConfiguration"]["level"], "error", "the worst");
        assert_eq!(xss["properties"]["security-severity"], "9.1");
        assert_eq!(
            xss["help"]["text"],
            "Remediation: Encode output.\n\nReferences:\n- https://owasp.org/xss"
        );
        assert_eq!(
            xss["help"]["markdown"],
            "**Remediation:** Encode output.\n\n**References**\n\n- <https://owasp.org/xss>"
        );
        let tls = rules.iter().find(|r| r["id"] == "s4e/old-tls").unwrap();
        assert!(
            tls["help"]["text"]
                .as_str()
                .unwrap()
                .contains("no remediation")
        );
        let results = run["results"].as_array().unwrap();
        let ids: Vec<_> = results
            .iter()
            .map(|r| r["properties"]["findingId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["f-2", "f-1", "f-3"], "most severe first");
        let url_asset = &results[1]["locations"][0];
        assert_eq!(
            url_asset["physicalLocation"]["artifactLocation"]["uri"],
            "s4e/assets/a-1"
        );
        assert_eq!(
            url_asset["logicalLocations"][0]["name"],
            "https://shop.example.com/login"
        );
        assert_eq!(
            url_asset["logicalLocations"][0]["properties"]["assetType"],
            "url"
        );
        assert_eq!(
            results[1]["properties"]["asset"]["url"],
            "https://api.s4e.io/v1/assets/a-1"
        );
        assert_eq!(
            results[0]["partialFingerprints"][FINGERPRINT_KEY],
            "s4e/xss@a-2"
        );
        for result in results {
            assert!(
                result.get("baselineState").is_none(),
                "no baseline, no state"
            );
            let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"]);
        }
        assert!(
            run["invocations"][0]
                .get("toolExecutionNotifications")
                .is_none()
        );
    }

    #[test]
    fn baseline_states_suppressions_and_gone_results() {
        let findings = vec![
            finding(
                json!({"id": "f-1", "title": "XSS", "severity": "high", "asset": {"id": "a-1"}}),
            ),
            finding(
                json!({"id": "f-2", "title": "SQLi", "severity": "high", "asset": {"id": "a-1"}}),
            ),
        ];
        let baseline = Baseline::from_log(
            Path::new("main.sarif"),
            &json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "s4e",
                "rules": [{"id": "s4e/gone", "shortDescription": {"text": "Gone"}}]}}, "results": [
                {"ruleId": "s4e/xss", "ruleIndex": 3, "level": "error", "message": {"text": "XSS"},
                 "partialFingerprints": {FINGERPRINT_KEY: "s4e/xss@a-1"}},
                {"ruleId": "s4e/gone", "ruleIndex": 0, "level": "error", "message": {"text": "gone"},
                 "partialFingerprints": {FINGERPRINT_KEY: "s4e/gone@a-1"}},
            ]}]}),
        )
        .unwrap();
        let verdict = judge(
            findings,
            Some(baseline),
            "[[ignore]]\nfinding = \"f-2\"\nreason = \"WAF blocks it\"\nexpires = 2027-01-31\n\
             [[ignore]]\nrule = \"s4e/xss\"\nreason = \"old\"\nexpires = 2026-01-31\n",
        );
        let (log, _) = render(&verdict, GITHUB);
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        let states: Vec<_> = results
            .iter()
            .map(|r| r["baselineState"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["unchanged", "new", "absent"]);
        let suppressions = &results[1]["suppressions"];
        assert_eq!(suppressions[0]["kind"], "external");
        assert_eq!(suppressions[0]["justification"], "WAF blocks it");
        assert!(
            results[0].get("suppressions").is_none(),
            "the xss entry expired"
        );
        let gone = &results[2];
        assert_eq!(
            (gone["kind"].as_str(), gone["level"].as_str()),
            (Some("pass"), Some("none"))
        );
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(
            rules[gone["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "s4e/gone",
            "the baseline's rule comes along"
        );
        let notes = run["invocations"][0]["toolConfigurationNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0]["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("[[ignore]] entry 2 (rule s4e/xss) expired on 2026-01-31")
        );
    }

    #[test]
    fn the_most_severe_results_are_kept_within_the_limits() {
        let severities = ["low", "critical", "medium", "high", "info", "critical"];
        let findings: Vec<_> = (0..60)
            .map(|i| {
                finding(
                    json!({"id": format!("f-{i}"), "title": format!("Problem {i}"),
                "severity": severities[i % severities.len()],
                "description": format!("{i} {}", "x".repeat(i * 37 % 500)),
                "asset": {"id": format!("a-{}", i % 7)}}),
                )
            })
            .collect();
        let verdict = judge(findings, None, "");
        let (log, omitted) = render(
            &verdict,
            Limits {
                max_results: 25,
                max_gzip_bytes: u64::MAX,
            },
        );
        assert_eq!(omitted, 35);
        let run = &log["runs"][0];
        let kept = run["results"].as_array().unwrap();
        assert_eq!(kept.len(), 25);
        let kept_ranks: Vec<u8> = kept
            .iter()
            .map(|r| rank(&serde_json::from_value(r["properties"]["severity"].clone()).unwrap()))
            .collect();
        assert!(
            kept_ranks.iter().all(|&r| r >= 2),
            "20 critical/high, then medium: {kept_ranks:?}"
        );
        let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap();
        assert!(note.starts_with("35 of 60 results were left out"), "{note}");

        let full = write(&verdict, &RUN, GITHUB).unwrap();
        let cap = gzip_len(&full.bytes) / 2;
        let written = write(
            &verdict,
            &RUN,
            Limits {
                max_results: 25_000,
                max_gzip_bytes: cap,
            },
        )
        .unwrap();
        assert!(gzip_len(&written.bytes) <= cap);
        assert!(
            written.omitted > 0 && written.omitted < 60,
            "{}",
            written.omitted
        );
        let log: Value = serde_json::from_slice(&written.bytes).unwrap();
        let kept = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(kept.len() + written.omitted, 60);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(
            rules.len(),
            kept.len(),
            "the rules of left-out results are left out too"
        );
        assert_eq!(kept[0]["properties"]["severity"], "critical");
    }

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(
            escape_markdown("a [link](x) <b>|"),
            "a \\[link\\](x) \\<b\\>\\|"
        );
    }
}
