//! JUnit XML: one test case per finding, failed when it is at or above the
//! gate's threshold.

use s4e::Finding;

use super::{asset_label, rank};

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

/// The JUnit report; `threshold` is the rank at which a finding fails.
pub(crate) fn render(findings: &[Finding], threshold: u8, threshold_name: &str) -> String {
    let failures = findings
        .iter()
        .filter(|f| rank(&f.severity) >= threshold)
        .count();
    let tests = findings.len();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"s4e gate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    xml.push_str(&format!(
        "  <testsuite name=\"s4e gate (fail on {})\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        escape(threshold_name)
    ));
    for finding in findings {
        let asset = asset_label(finding);
        xml.push_str(&format!(
            "    <testcase classname=\"s4e.{}\" name=\"{}: {}\">",
            escape(&asset),
            escape(finding.id.as_str()),
            escape(&finding.title)
        ));
        if rank(&finding.severity) >= threshold {
            let body = [
                Some(format!("{} on {asset}", finding.title)),
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
            xml.push_str(&format!(
                "\n      <failure message=\"{} finding at or above {}\" type=\"{}\">{}</failure>\n    ",
                escape(finding.severity.as_str()),
                escape(threshold_name),
                escape(finding.severity.as_str()),
                escape(&body)
            ));
        }
        xml.push_str("</testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::finding;
    use serde_json::json;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}d\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;d\n"
        );
    }

    #[test]
    fn a_failure_only_at_or_above_the_threshold() {
        let findings = [
            finding(json!({"id": "f-1", "title": "<script> XSS", "severity": "high"})),
            finding(json!({"id": "f-2", "title": "Old TLS", "severity": "low"})),
        ];
        let xml = render(&findings, 3, "high");
        assert!(xml.contains("tests=\"2\" failures=\"1\""));
        assert!(xml.contains("name=\"f-1: &lt;script&gt; XSS\""));
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.contains(
            "<testcase classname=\"s4e.unknown-asset\" name=\"f-2: Old TLS\"></testcase>"
        ));
    }
}
