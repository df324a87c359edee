//! `s4e gate`: both outcomes, SARIF validated against the official SARIF
//! 2.1.0 schema, JUnit parsed as XML.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

use crate::{Api, files_in, parse};

/// The OASIS schema (draft-04), from
/// https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json
fn assert_valid_sarif(path: &Path) -> Value {
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    // The validator does reject what the schema forbids.
    let wrong_level = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "s4e"}},
        "results": [{"message": {"text": "x"}, "level": "fatal"}]}]});
    assert!(!validator.is_valid(&wrong_level));
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.0.0", "runs": []})));
    let log = parse(&std::fs::read(path).unwrap());
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    log
}

/// (test cases, failure elements, the `tests` and `failures` attributes of
/// the suite) of a JUnit file, read with an XML parser.
fn junit_counts(path: &Path) -> (usize, usize, usize, usize) {
    let xml = std::fs::read_to_string(path).unwrap();
    let mut reader = Reader::from_str(&xml);
    let (mut cases, mut failures, mut tests_attr, mut failures_attr) = (0, 0, None, None);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                b"testsuite" => {
                    for attr in e.attributes() {
                        let attr = attr.unwrap();
                        let number = || -> usize {
                            std::str::from_utf8(&attr.value).unwrap().parse().unwrap()
                        };
                        match attr.key.as_ref() {
                            b"tests" => tests_attr = Some(number()),
                            b"failures" => failures_attr = Some(number()),
                            _ => {}
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (cases, failures, tests_attr.unwrap(), failures_attr.unwrap())
}

#[test]
fn fails_with_findings_at_or_above_the_threshold_and_writes_valid_reports() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("s4e.sarif");
    let junit = dir.path().join("junit.xml");
    let out = api
        .s4e()
        .args(["gate", "--fail-on", "high", "-o", "json", "--sarif"])
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = parse(&out.stdout);
    assert_eq!(summary["passed"], false);
    let total = summary["total"].as_u64().unwrap() as usize;
    let failing = summary["failing"].as_u64().unwrap() as usize;
    let failing_findings = summary["failing_findings"].as_array().unwrap();
    assert_eq!(failing_findings.len(), failing);
    assert!(failing > 0 && total > failing);
    for finding in failing_findings {
        assert!(["critical", "high"].contains(&finding["severity"].as_str().unwrap()));
        assert!(["open", "confirmed"].contains(&finding["status"].as_str().unwrap()));
    }
    let by_severity: u64 = summary["by_severity"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_severity as usize, total);

    let log = assert_valid_sarif(&sarif);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "s4e");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), total);
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, failing, "critical and high are errors");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let titles: std::collections::HashSet<_> = rules
        .iter()
        .map(|r| r["shortDescription"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), rules.len(), "one rule per kind of finding");

    assert_eq!(junit_counts(&junit), (total, failing, total, failing));
    assert_eq!(
        files_in(dir.path()),
        ["junit.xml", "s4e.sarif"],
        "no temporary file left"
    );
}

#[test]
fn passes_when_nothing_reaches_the_threshold() {
    let api = Api::start();
    // A new asset has no findings yet.
    let asset = api.json(&[
        "assets",
        "create",
        "gate-pass.example.com",
        "--type",
        "domain",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("s4e.sarif");
    let junit = dir.path().join("junit.xml");
    let out = api
        .s4e()
        .args([
            "gate",
            "--asset",
            "gate-pass.example.com",
            "--fail-on",
            "low",
            "-o",
            "table",
            "--sarif",
        ])
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("SEVERITY  FINDINGS  FAILS GATE\ncritical  0         yes\n"),
        "{table}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("gate passed"));
    let log = assert_valid_sarif(&sarif);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(junit_counts(&junit), (0, 0, 0, 0));
    assert_eq!(
        api.sandbox.controls().count("GET", "/v1/assets/*"),
        1,
        "the name was tried as an ID once, then searched"
    );
    assert!(asset["id"].is_string());
}

#[test]
fn scans_first_when_asked_and_gates_on_the_result() {
    let api = Api::start();
    let out = api
        .s4e()
        .args([
            "gate",
            "--asset",
            "a-1003",
            "--scan",
            "quick",
            "--interval",
            "0.05",
            "--fail-on",
            "critical",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let summary = parse(&out.stdout);
    let expected = if summary["passed"] == true { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected));
    assert_eq!(summary["assets"], serde_json::json!(["a-1003"]));
    assert_eq!(
        api.sandbox.controls().count("POST", "/v1/scans"),
        1,
        "one scan started"
    );
    let scans = api.json(&[
        "scans",
        "list",
        "--asset",
        "a-1003",
        "--status",
        "completed",
        "--all",
    ]);
    assert!(
        scans
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["scan_type"] == "quick")
    );
}
