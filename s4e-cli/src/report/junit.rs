//! JUnit XML: one `testsuite` per asset, one test case per finding, failed
//! when it fails the gate, skipped when an ignore entry suppresses it.
//! `classname` is `s4e.<asset id>` with no other dot, so dashboards that
//! split class names on dots do not cut a domain name into packages.

use std::collections::BTreeMap;
use std::time::Duration;

use s4e::assets::Asset;

use super::AssetRef;
use super::verdict::{BaselineState, Judged, Verdict};

/// Escapes text for an XML attribute or element, dropping the characters
/// XML 1.0 cannot carry (control characters other than tab and newlines).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `s4e.<asset id>`, the ID's dots and other punctuation as `_`.
fn classname(asset_id: &str) -> String {
    let id: String = asset_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("s4e.{id}")
}

struct Suite<'a> {
    id: String,
    name: String,
    kind: Option<String>,
    cases: Vec<&'a Judged>,
}

/// The JUnit report. `assets` (the `--asset`s) get a suite even without
/// findings; `elapsed` is the gate's run time.
pub(crate) fn render(verdict: &Verdict, assets: &[Asset], elapsed: Duration) -> String {
    let mut order: Vec<String> = Vec::new();
    let mut suites: BTreeMap<String, Suite<'_>> = BTreeMap::new();
    for asset in assets {
        let id = asset.id.to_string();
        order.push(id.clone());
        suites.insert(
            id.clone(),
            Suite {
                id,
                name: asset.domain.clone(),
                kind: Some(asset.asset_type.to_string()),
                cases: Vec::new(),
            },
        );
    }
    for judged in &verdict.findings {
        let asset = AssetRef::of(&judged.finding);
        let suite = suites.entry(asset.id.to_owned()).or_insert_with(|| {
            order.push(asset.id.to_owned());
            Suite {
                id: asset.id.to_owned(),
                name: asset.name.to_owned(),
                kind: asset.kind.map(str::to_owned),
                cases: Vec::new(),
            }
        });
        suite.cases.push(judged);
    }
    let threshold = verdict.threshold.as_str();
    let failures = verdict.failing().count();
    let skipped = verdict.suppressed().count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"s4e gate (fail on {})\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\">\n",
        escape(threshold),
        verdict.findings.len(),
        elapsed.as_secs_f64(),
    ));
    for id in &order {
        let suite = &suites[id];
        let failures = suite.cases.iter().filter(|j| j.fails).count();
        let skipped = suite
            .cases
            .iter()
            .filter(|j| j.suppressed_by.is_some())
            .count();
        xml.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0.000\">\n",
            escape(&suite.name),
            suite.cases.len(),
        ));
        xml.push_str("    <properties>\n");
        xml.push_str(&format!(
            "      <property name=\"asset.id\" value=\"{}\"/>\n",
            escape(&suite.id)
        ));
        if let Some(kind) = &suite.kind {
            xml.push_str(&format!(
                "      <property name=\"asset.type\" value=\"{}\"/>\n",
                escape(kind)
            ));
        }
        xml.push_str(&format!(
            "      <property name=\"fail-on\" value=\"{}\"/>\n",
            escape(threshold)
        ));
        xml.push_str("    </properties>\n");
        for judged in &suite.cases {
            xml.push_str(&case(verdict, judged, &suite.id, &suite.name));
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

fn case(verdict: &Verdict, judged: &Judged, asset_id: &str, asset_name: &str) -> String {
    let finding = &judged.finding;
    let mut xml = format!(
        "    <testcase classname=\"{}\" name=\"{}: {}\" time=\"0.000\">",
        escape(&classname(asset_id)),
        escape(finding.id.as_str()),
        escape(&finding.title)
    );
    if judged.fails {
        let body = [
            Some(format!("{} on {asset_name}", finding.title)),
            finding.cvss.map(|c| format!("CVSS {c:.1}")),
            finding.description.clone(),
            finding
                .remediation
                .as_ref()
                .map(|r| format!("Remediation: {r}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
        let new = if judged.state == Some(BaselineState::New) {
            "new "
        } else {
            ""
        };
        xml.push_str(&format!(
            "\n      <failure message=\"{new}{} finding at or above {}\" type=\"{}\">{}</failure>\n    ",
            escape(finding.severity.as_str()),
            escape(verdict.threshold.as_str()),
            escape(finding.severity.as_str()),
            escape(&body)
        ));
    } else if let Some(entry) = verdict.entry(judged) {
        xml.push_str(&format!(
            "\n      <skipped message=\"{}\"/>\n    ",
            escape(&format!(
                "suppressed by {} until {}: {}",
                entry.describe(),
                entry.expires,
                entry.reason
            ))
        ));
    } else if judged.at_or_above && judged.state == Some(BaselineState::Unchanged) {
        xml.push_str(
            "\n      <system-out>At or above the threshold, and in the baseline: it does not fail the gate.</system-out>\n    ",
        );
    }
    xml.push_str("</testcase>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{finding, judge};
    use serde_json::json;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}d\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;d\n"
        );
    }

    #[test]
    fn one_suite_per_asset_failures_and_skips() {
        let findings = vec![
            finding(
                json!({"id": "f-1", "title": "<script> XSS", "severity": "high",
                "asset": {"id": "a.1", "name": "shop.example.com", "type": "domain"}}),
            ),
            finding(json!({"id": "f-2", "title": "Old TLS", "severity": "low",
                "asset": {"id": "a-2", "name": "api.example.com"}})),
            finding(json!({"id": "f-3", "title": "SQLi", "severity": "critical",
                "asset": {"id": "a.1", "name": "shop.example.com"}})),
        ];
        let verdict = judge(
            findings,
            None,
            "[[ignore]]\nfinding = \"f-3\"\nreason = \"WAF\"\nexpires = 2027-01-31\n",
        );
        let xml = render(&verdict, &[], Duration::from_millis(1500));
        assert!(xml.contains(
            "<testsuites name=\"s4e gate (fail on high)\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.500\">"
        ), "{xml}");
        assert!(xml.contains(
            "<testsuite name=\"shop.example.com\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"0.000\">"
        ));
        assert!(xml.contains("<testsuite name=\"api.example.com\" tests=\"1\" failures=\"0\""));
        assert!(xml.contains("classname=\"s4e.a_1\" name=\"f-1: &lt;script&gt; XSS\""));
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.contains("<skipped message=\"suppressed by [[ignore]] entry 1 (finding f-3) until 2027-01-31: WAF\"/>"));
        assert!(xml.contains(
            "<testcase classname=\"s4e.a-2\" name=\"f-2: Old TLS\" time=\"0.000\"></testcase>"
        ));
    }
}
