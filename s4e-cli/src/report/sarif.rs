//! SARIF 2.1.0 as GitHub code scanning reads it: one rule per kind of finding
//! (its title), one result per finding, the asset as the location.

use std::collections::BTreeMap;

use s4e::Finding;
use s4e::findings::Severity;
use serde_json::{Value, json};

use super::asset_label;

/// The most results GitHub code scanning accepts in one run (it shows the
/// 5,000 most severe).
pub(crate) const GITHUB_MAX_RESULTS: usize = 25_000;

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

struct Rule<'a> {
    title: &'a str,
    description: Option<&'a str>,
    help_uri: Option<&'a str>,
    worst: &'a Severity,
    score: f64,
}

/// The SARIF log of `findings`.
pub(crate) fn render(findings: &[Finding]) -> Value {
    let mut rules: BTreeMap<String, Rule<'_>> = BTreeMap::new();
    for finding in findings {
        let score = security_severity(&finding.severity, finding.cvss);
        let rule = rules.entry(rule_id(&finding.title)).or_insert(Rule {
            title: &finding.title,
            description: finding.description.as_deref(),
            help_uri: finding.references.first().map(String::as_str),
            worst: &finding.severity,
            score,
        });
        if super::rank(&finding.severity) > super::rank(rule.worst) {
            rule.worst = &finding.severity;
        }
        rule.score = rule.score.max(score);
    }
    let index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let rules_json: Vec<Value> = rules
        .iter()
        .map(|(id, rule)| {
            let title = if rule.title.is_empty() {
                id.as_str()
            } else {
                rule.title
            };
            let mut value = json!({
                "id": id,
                "name": title,
                "shortDescription": { "text": title },
                "fullDescription": { "text": rule.description.unwrap_or(title) },
                "defaultConfiguration": { "level": level(rule.worst) },
                "properties": {
                    "tags": ["security"],
                    "security-severity": format!("{:.1}", rule.score),
                },
            });
            if let Some(uri) = rule.help_uri {
                value["helpUri"] = json!(uri);
            }
            value
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let id = rule_id(&finding.title);
            let asset = asset_label(finding);
            let mut message = format!(
                "{} on {asset} ({} severity{}), S4E finding {}.",
                if finding.title.is_empty() {
                    "Finding"
                } else {
                    &finding.title
                },
                finding.severity,
                finding
                    .cvss
                    .map(|c| format!(", CVSS {c:.1}"))
                    .unwrap_or_default(),
                finding.id,
            );
            if let Some(fix) = &finding.remediation {
                message.push_str(" Remediation: ");
                message.push_str(fix);
            }
            let mut result = json!({
                "ruleId": id,
                "level": level(&finding.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": asset },
                        "region": { "startLine": 1 },
                    },
                    "logicalLocations": [{ "name": asset, "kind": "resource" }],
                }],
                "partialFingerprints": { "s4eFindingId/v1": finding.id.to_string() },
                "properties": {
                    "severity": finding.severity.as_str(),
                    "status": finding.status.as_ref().map(|s| s.as_str()),
                    "cvss": finding.cvss,
                },
            });
            // Every finding's rule was collected above.
            if let Some(rule_index) = index.get(id.as_str()) {
                result["ruleIndex"] = json!(rule_index);
            }
            result
        })
        .collect();
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
                    "rules": rules_json,
                }
            },
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::finding;

    #[test]
    fn rule_ids_are_stable_slugs() {
        assert_eq!(
            rule_id("SQL Injection (login form)"),
            "s4e/sql-injection-login-form"
        );
        assert_eq!(rule_id("  "), "s4e/finding");
    }

    #[test]
    fn one_rule_per_kind_one_result_per_finding() {
        let findings = [
            finding(json!({"id": "f-1", "title": "XSS", "severity": "medium",
                "asset": {"id": "a-1", "name": "shop.example.com", "type": "domain"}})),
            finding(
                json!({"id": "f-2", "title": "XSS", "severity": "critical", "cvss": 9.1,
                "asset": {"id": "a-2"}}),
            ),
            finding(json!({"id": "f-3", "title": "Old TLS", "severity": "low"})),
        ];
        let log = render(&findings);
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        let xss = rules.iter().find(|r| r["id"] == "s4e/xss").unwrap();
        assert_eq!(
            xss["defaultConfiguration"]["level"], "error",
            "the worst finding"
        );
        assert_eq!(xss["properties"]["security-severity"], "9.1");
        let results = run["results"].as_array().unwrap();
        let levels: Vec<_> = results
            .iter()
            .map(|r| r["level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["warning", "error", "note"]);
        let uri = |i: usize| {
            results[i]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone()
        };
        assert_eq!(uri(0), "shop.example.com");
        assert_eq!(uri(1), "a-2", "the ID when the name is not known");
        assert_eq!(results[1]["partialFingerprints"]["s4eFindingId/v1"], "f-2");
        for result in results {
            let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"]);
        }
    }
}
