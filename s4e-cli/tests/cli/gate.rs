//! `s4e gate` end to end against the sandbox: both outcomes with the
//! expectation computed from the sandbox's data through the SDK (never from
//! the gate's own output); SARIF validated against the official SARIF 2.1.0
//! schema and against what GitHub code scanning accepts; baselines, ignore
//! files, JUnit read with an XML parser, and where the summary goes.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::Output;

use quick_xml::Reader;
use quick_xml::events::Event;
use s4e::findings::{Finding, FindingStatus, Severity};
use serde_json::Value;

use crate::{Api, files_in, parse, stderr, stdout};

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
    assert_github_accepts(&log);
    log
}

/// What GitHub code scanning requires beyond the schema: one run, with
/// `automationDetails`; every location a relative URI without a scheme,
/// percent-encoded; every rule with help; every result with a fingerprint.
fn assert_github_accepts(log: &Value) {
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run per file");
    let run = &runs[0];
    let id = run["automationDetails"]["id"].as_str().unwrap();
    assert!(id.ends_with('/') && id.len() > 1, "{id}");
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        for form in ["text", "markdown"] {
            let help = rule["help"][form].as_str().unwrap_or_default();
            assert!(
                !help.trim().is_empty(),
                "rule {} has no help {form}",
                rule["id"]
            );
        }
    }
    for result in run["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        let scheme = uri.split_once(':').map(|(s, _)| s);
        assert!(
            scheme.is_none() && !uri.starts_with('/'),
            "an absolute URI: {uri}"
        );
        assert!(
            uri.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~/%".contains(c)),
            "not percent-encoded: {uri}"
        );
        assert!(result["partialFingerprints"]["s4eFinding/v1"].is_string());
    }
}

/// `s4e gate` on the sandbox, outside GitHub Actions even when the tests
/// run there (the gate would append to the job's summary).
fn gate(api: &Api) -> assert_cmd::Command {
    let mut command = api.s4e();
    command.env_remove("GITHUB_STEP_SUMMARY").arg("gate");
    command
}

/// The SDK on the sandbox: the source of every expectation.
fn sdk(api: &Api) -> s4e::blocking::Client {
    s4e::blocking::Client::builder(api.sandbox.api_key())
        .base_url(api.sandbox.base_url())
        .build()
        .unwrap()
}

/// The SDK on a sandbox whose clock is stopped: its running scans would
/// otherwise add findings between the expectation and the gate's read.
fn settled(api: &Api) -> s4e::blocking::Client {
    api.sandbox.controls().pause_clock();
    sdk(api)
}

/// The findings the gate reads by default (open or confirmed), of one asset
/// or of all.
fn counted(sdk: &s4e::blocking::Client, asset: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for status in [FindingStatus::Open, FindingStatus::Confirmed] {
        let mut list = sdk.findings().list_auto().status(status).per_page(100);
        if let Some(asset) = asset {
            list = list.asset_id(asset);
        }
        for finding in list {
            findings.push(finding.unwrap());
        }
    }
    findings
}

fn at_or_above_high(finding: &Finding) -> bool {
    matches!(finding.severity, Severity::Critical | Severity::High)
}

fn ids<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> BTreeSet<String> {
    findings.into_iter().map(|f| f.id.to_string()).collect()
}

/// The asset's ID of a finding.
fn asset_of(finding: &Finding) -> String {
    finding.asset.as_ref().unwrap().id.to_string()
}

/// Two assets that each have open findings at or above high.
fn two_failing_assets(sdk: &s4e::blocking::Client) -> (String, String) {
    let mut assets: Vec<String> = counted(sdk, None)
        .iter()
        .filter(|f| at_or_above_high(f))
        .map(asset_of)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        assets.len() >= 2,
        "the seed has failing findings on many assets"
    );
    let second = assets.remove(1);
    (assets.remove(0), second)
}

/// The IDs of `failing_findings` in the gate's `-o json` report.
fn failing_ids(summary: &Value) -> BTreeSet<String> {
    summary["failing_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

/// Finding ID → (baselineState, fingerprint) of a SARIF log's results.
fn results_by_finding(log: &Value) -> BTreeMap<String, (Value, String)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["baselineState"] != "absent")
        .map(|r| {
            (
                r["properties"]["findingId"].as_str().unwrap().to_owned(),
                (
                    r["baselineState"].clone(),
                    r["partialFingerprints"]["s4eFinding/v1"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                ),
            )
        })
        .collect()
}

/// The suites of a JUnit file: (name, tests attribute, failures attribute,
/// test case classnames, failure count), and whether every suite, case and
/// the root carry `time`.
struct Junit {
    suites: Vec<(String, usize, usize, Vec<String>, usize)>,
    root: (usize, usize),
    every_time: bool,
}

fn read_junit(path: &Path) -> Junit {
    let xml = std::fs::read_to_string(path).unwrap();
    let mut reader = Reader::from_str(&xml);
    let mut junit = Junit {
        suites: Vec::new(),
        root: (0, 0),
        every_time: true,
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attrs: BTreeMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().unwrap().into_owned(),
                        )
                    })
                    .collect();
                let number = |key: &str| attrs[key].parse::<usize>().unwrap();
                match e.name().as_ref() {
                    b"testsuites" => {
                        junit.root = (number("tests"), number("failures"));
                        junit.every_time &= attrs.contains_key("time");
                    }
                    b"testsuite" => {
                        junit.every_time &= attrs.contains_key("time");
                        junit.suites.push((
                            attrs["name"].clone(),
                            number("tests"),
                            number("failures"),
                            Vec::new(),
                            0,
                        ));
                    }
                    b"testcase" => {
                        junit.every_time &= attrs.contains_key("time");
                        let suite = junit.suites.last_mut().unwrap();
                        suite.3.push(attrs["classname"].clone());
                    }
                    b"failure" => junit.suites.last_mut().unwrap().4 += 1,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    junit
}

/// The process's umask, for the mode a new file gets.
#[cfg(target_os = "linux")]
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[test]
fn fails_with_findings_at_or_above_the_threshold_and_writes_valid_reports() {
    let api = Api::start();
    let sdk = settled(&api);
    let counted = counted(&sdk, None);
    let expected_failing = ids(counted.iter().filter(|f| at_or_above_high(f)));
    assert!(!expected_failing.is_empty() && expected_failing.len() < counted.len());

    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("s4e.sarif");
    let junit = dir.path().join("junit.xml");
    let out = gate(&api)
        .args(["--fail-on", "high", "-o", "json", "--sarif"])
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let summary = parse(&out.stdout);
    assert_eq!(summary["passed"], false);
    assert_eq!(summary["total"], counted.len());
    let failing = failing_ids(&summary);
    assert_eq!(failing, expected_failing);
    assert!(
        stderr(&out).contains("SEVERITY  FINDINGS  FAILS GATE\ncritical"),
        "the summary table goes to stderr with -o json too: {}",
        stderr(&out)
    );

    let log = assert_valid_sarif(&sarif);
    let run = &log["runs"][0];
    assert_eq!(
        run["automationDetails"]["id"], "s4e/",
        "the default category"
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), counted.len());
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(
        errors,
        expected_failing.len(),
        "critical and high are errors"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let titles: HashSet<_> = rules
        .iter()
        .map(|r| r["shortDescription"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), rules.len(), "one rule per kind of finding");
    // The asset's name, type and URL beside the relative URI; a URL asset's
    // name (an absolute https: URI) never stands where the path goes.
    let by_id: BTreeMap<String, &Finding> = counted.iter().map(|f| (f.id.to_string(), f)).collect();
    let mut url_assets = 0;
    for result in results {
        let finding = by_id[result["properties"]["findingId"].as_str().unwrap()];
        let asset = finding.asset.as_ref().unwrap();
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            format!("s4e/assets/{}", asset.id)
        );
        let logical = &location["logicalLocations"][0];
        assert_eq!(logical["name"].as_str(), asset.domain.as_deref());
        assert_eq!(
            logical["properties"]["assetType"].as_str(),
            asset.asset_type.as_ref().map(|t| t.as_str())
        );
        assert_eq!(
            result["properties"]["asset"]["url"],
            format!("{}/assets/{}", api.sandbox.base_url(), asset.id)
        );
        url_assets += usize::from(asset.asset_type == Some(s4e::AssetType::Url));
    }
    assert!(url_assets > 0, "the seed has findings on URL assets");

    // JUnit: one suite per asset, classname s4e.<asset id>, times.
    let report = read_junit(&junit);
    assert_eq!(report.root, (counted.len(), expected_failing.len()));
    assert!(report.every_time, "time on the root, every suite and case");
    let assets: BTreeSet<String> = counted.iter().map(asset_of).collect();
    assert_eq!(report.suites.len(), assets.len());
    for (name, tests, failures, classnames, failure_elements) in &report.suites {
        assert_eq!(classnames.len(), *tests);
        assert_eq!(*failure_elements, *failures);
        let classname = &classnames[0];
        assert!(classnames.iter().all(|c| c == classname), "{name}");
        let id = classname.strip_prefix("s4e.").unwrap();
        assert!(!id.contains('.') && assets.contains(id), "{classname}");
        let on_asset: Vec<&Finding> = counted.iter().filter(|f| asset_of(f) == id).collect();
        assert_eq!(*tests, on_asset.len());
        assert_eq!(
            *failures,
            on_asset.iter().filter(|f| at_or_above_high(f)).count()
        );
        assert_eq!(
            Some(name.as_str()),
            on_asset[0].asset.as_ref().unwrap().domain.as_deref()
        );
    }
    assert_eq!(
        files_in(dir.path()),
        ["junit.xml", "s4e.sarif"],
        "no temporary file left"
    );
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sarif).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode,
            0o666 & !umask(),
            "the umask's mode, not a private 0600"
        );
    }
}

#[test]
fn passes_when_nothing_reaches_the_threshold_with_the_summary_on_stderr() {
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
    // stdout is a pipe here, as in CI: without -o it gets nothing.
    let out = gate(&api)
        .args([
            "--asset",
            "gate-pass.example.com",
            "--fail-on",
            "low",
            "--sarif",
        ])
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("SEVERITY  FINDINGS  FAILS GATE\ncritical  0         yes (0)\n"),
        "{err}"
    );
    assert!(err.contains("low       0         yes (0, --fail-on)\ninfo      0         no\n"));
    assert!(err.contains("gate passed: no finding at or above low (0 checked)"));
    let log = assert_valid_sarif(&sarif);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    let report = read_junit(&junit);
    assert_eq!(report.root, (0, 0));
    assert_eq!(report.suites.len(), 1, "the named asset has a suite, empty");
    assert_eq!(report.suites[0].0, "gate-pass.example.com");
    assert_eq!(
        api.sandbox.controls().count("GET", "/v1/assets/*"),
        1,
        "the name was tried as an ID once, then searched"
    );
    assert!(asset["id"].is_string());

    // --quiet: nothing on stderr, the exit code still says it.
    let quiet = gate(&api)
        .args(["--asset", "gate-pass.example.com", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(code(&quiet), 0);
    assert!(quiet.stderr.is_empty() && quiet.stdout.is_empty());
}

#[test]
fn scans_first_when_asked_and_gates_on_the_result() {
    let api = Api::start();
    let sdk = sdk(&api);
    let asset = api.json(&[
        "assets",
        "create",
        "gate-scan.example.com",
        "--type",
        "domain",
    ]);
    let asset_id = asset["id"].as_str().unwrap();
    assert!(
        counted(&sdk, Some(asset_id)).is_empty(),
        "a new asset has no findings"
    );
    let out = gate(&api)
        .args([
            "--asset",
            asset_id,
            "--scan",
            "quick",
            "--interval",
            "0.05",
            "--fail-on",
            "low",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        api.sandbox.controls().count("POST", "/v1/scans"),
        1,
        "one scan started"
    );
    // What that scan found, read independently of the gate.
    let found = counted(&sdk, Some(asset_id));
    let expected_failing = ids(found.iter().filter(|f| f.severity != Severity::Info));
    assert!(!expected_failing.is_empty(), "a quick scan finds something");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let summary = parse(&out.stdout);
    assert_eq!(summary["assets"], serde_json::json!([asset_id]));
    assert_eq!(summary["total"], found.len());
    let failing = failing_ids(&summary);
    assert_eq!(failing, expected_failing);
}

#[test]
fn a_scan_that_does_not_complete_never_passes() {
    let api = Api::start();
    let sdk = sdk(&api);
    let asset = api.json(&[
        "assets",
        "create",
        "gate-cancelled.example.com",
        "--type",
        "domain",
    ]);
    let asset_id = asset["id"].as_str().unwrap().to_owned();
    // The scan stays queued until the test cancels it: nothing found, so only
    // the scan's outcome can fail the gate.
    api.sandbox.controls().set_scan_speed(0.0);
    let mut gate_run = gate(&api);
    gate_run
        .args([
            "--asset",
            &asset_id,
            "--scan",
            "quick",
            "--interval",
            "0.05",
            "--fail-on",
            "critical",
        ])
        .timeout(std::time::Duration::from_secs(60));
    let waiting = std::thread::spawn(move || gate_run.output().unwrap());
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let scan = loop {
        assert!(
            !waiting.is_finished(),
            "the gate exited before starting a scan"
        );
        assert!(
            std::time::Instant::now() < give_up,
            "the gate started no scan in 30 s"
        );
        let started = sdk
            .scans()
            .list()
            .asset_id(asset_id.as_str())
            .send()
            .unwrap();
        if let Some(scan) = started.items.into_iter().next() {
            break scan;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    sdk.scans().cancel(scan.id.as_str()).send().unwrap();
    let out = waiting.join().unwrap();
    assert!(
        counted(&sdk, Some(&asset_id)).is_empty(),
        "the cancelled scan found nothing"
    );
    assert_eq!(
        code(&out),
        1,
        "a cancelled scan fails the gate: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("cancelled"),
        "the gate says why: {}",
        stderr(&out)
    );
}

#[test]
fn an_error_is_never_a_pass() {
    let api = Api::start();
    let nothing = gate(&api)
        .args(["--asset", "no-such-asset.example.com"])
        .output()
        .unwrap();
    assert_eq!(code(&nothing), 4, "an asset filter naming nothing");
    assert!(stderr(&nothing).contains("no asset with the ID or name `no-such-asset.example.com`"));

    api.sandbox.controls().inject(
        s4e_sandbox::Fault::status(500)
            .on("GET", "/v1/findings")
            .times(20),
    );
    let dir = tempfile::tempdir().unwrap();
    let failed = gate(&api)
        .env("S4E_RETRIES", "0")
        .args(["--sarif"])
        .arg(dir.path().join("never.sarif"))
        .output()
        .unwrap();
    assert_eq!(code(&failed), 5, "an API failure: {}", stderr(&failed));
    assert!(
        files_in(dir.path()).is_empty(),
        "no report from a failed read"
    );
}

#[test]
fn fingerprints_are_the_same_across_runs_and_the_category_names_the_run() {
    let api = Api::start();
    let sdk = settled(&api);
    let (asset, _) = two_failing_assets(&sdk);
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = gate(&api)
            .args(["--asset", &asset, "--category", "s4e-prod", "--sarif"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert_valid_sarif(&path)
    };
    let first = run("first.sarif");
    // Another read, with the findings in a different state elsewhere.
    let other = counted(&sdk, None)
        .into_iter()
        .find(|f| asset_of(f) != asset)
        .unwrap();
    sdk.findings()
        .update(other.id.clone())
        .status(FindingStatus::Resolved)
        .send()
        .unwrap();
    let second = run("second.sarif");
    assert_eq!(first["runs"][0]["automationDetails"]["id"], "s4e-prod/");
    let (first, second) = (results_by_finding(&first), results_by_finding(&second));
    assert_eq!(first.len(), counted(&sdk, Some(&asset)).len());
    assert!(!first.is_empty());
    assert_eq!(first, second, "the same fingerprint for the same finding");
    // The fingerprint is the kind of problem on the asset: no time, no
    // order, no per-scan finding ID.
    for (id, (_, fingerprint)) in &first {
        assert!(fingerprint.starts_with("s4e/"), "{fingerprint}");
        assert!(fingerprint.ends_with(&format!("@{asset}")), "{fingerprint}");
        assert!(!fingerprint.contains(id.as_str()), "{fingerprint}");
    }
}

#[test]
fn a_baseline_fails_only_on_new_findings_and_lists_the_gone_ones() {
    let api = Api::start();
    let sdk = settled(&api);
    let (a, b) = two_failing_assets(&sdk);
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("main.sarif");
    let out = gate(&api)
        .args(["--asset", &a, "--sarif"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));

    // The same findings against their own baseline: all unchanged, a pass.
    let again = dir.path().join("again.sarif");
    let out = gate(&api)
        .args(["--asset", &a, "--baseline"])
        .arg(&baseline)
        .arg("--sarif")
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "nothing new: {}", stderr(&out));
    let states: BTreeSet<String> = results_by_finding(&assert_valid_sarif(&again))
        .into_values()
        .map(|(state, _)| state.as_str().unwrap_or("none").to_owned())
        .collect();
    assert_eq!(states, BTreeSet::from(["unchanged".to_owned()]));
    assert!(stderr(&out).contains("gate passed: no new finding at or above high"));

    // One of A's problems is fixed (the only finding of its kind on A), and
    // B's findings are not in the baseline.
    let on_a = counted(&sdk, Some(&a));
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &on_a {
        *kinds.entry(finding.title.as_str()).or_default() += 1;
    }
    let fixed = on_a
        .iter()
        .find(|f| kinds[f.title.as_str()] == 1)
        .expect("a kind of problem found once on the asset")
        .clone();
    sdk.findings()
        .update(fixed.id.clone())
        .status(FindingStatus::Resolved)
        .send()
        .unwrap();
    let on_b = counted(&sdk, Some(&b));
    let expected_new = ids(&on_b);
    let expected_failing = ids(on_b.iter().filter(|f| at_or_above_high(f)));

    let pr = dir.path().join("pr.sarif");
    let summary_md = dir.path().join("summary.md");
    let out = gate(&api)
        .args(["--asset", &a, "--asset", &b, "-o", "json", "--baseline"])
        .arg(&baseline)
        .arg("--sarif")
        .arg(&pr)
        .arg("--summary-md")
        .arg(&summary_md)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let summary = parse(&out.stdout);
    let failing = failing_ids(&summary);
    assert_eq!(failing, expected_failing, "only B's findings are new");
    assert_eq!(summary["baseline"]["new"], expected_new.len());
    assert_eq!(summary["baseline"]["unchanged"], on_a.len() - 1);
    assert_eq!(summary["baseline"]["absent"], 1);

    let log = assert_valid_sarif(&pr);
    for (id, (state, _)) in results_by_finding(&log) {
        let expected = if expected_new.contains(&id) {
            "new"
        } else {
            "unchanged"
        };
        assert_eq!(state, expected, "{id}");
    }
    let absent: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["baselineState"] == "absent")
        .collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(
        absent[0]["properties"]["findingId"],
        fixed.id.as_str(),
        "the fixed finding is listed as gone"
    );
    let md = std::fs::read_to_string(&summary_md).unwrap();
    assert!(
        md.contains(&format!(
            "{} new, {} unchanged, 1 gone (absent)",
            expected_new.len(),
            on_a.len() - 1
        )),
        "{md}"
    );
    assert!(stderr(&out).contains(&format!(
        "{} new, {} unchanged, 1 gone",
        expected_new.len(),
        on_a.len() - 1
    )));

    // A file that is not an s4e SARIF log is a usage error, before any request.
    std::fs::write(
        dir.path().join("other.sarif"),
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "trivy"}}}]}"#,
    )
    .unwrap();
    api.sandbox.controls().clear_requests();
    let out = gate(&api)
        .args(["--baseline"])
        .arg(dir.path().join("other.sarif"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("written by `s4e gate --sarif`"));
    assert!(api.sandbox.controls().requests().is_empty());
}

#[test]
fn ignores_suppress_until_they_expire() {
    let api = Api::start();
    let sdk = settled(&api);
    let (asset, _) = two_failing_assets(&sdk);
    let on_asset = counted(&sdk, Some(&asset));
    let name = on_asset[0].asset.as_ref().unwrap().domain.clone().unwrap();
    // Every kind of problem at or above high on the asset, by rule ID (as
    // `s4e/<slug>` of the title; the SARIF of a first run names them).
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.sarif");
    gate(&api)
        .args(["--asset", &asset, "--sarif"])
        .arg(&first)
        .output()
        .unwrap();
    let log = assert_valid_sarif(&first);
    let mut failing_rules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let id = result["properties"]["findingId"].as_str().unwrap();
        let finding = on_asset.iter().find(|f| f.id.as_str() == id).unwrap();
        if at_or_above_high(finding) {
            failing_rules
                .entry(result["ruleId"].as_str().unwrap().to_owned())
                .or_default()
                .insert(id.to_owned());
        }
    }
    assert!(!failing_rules.is_empty());
    let ignore_file = |expired_rule: Option<&str>| {
        let mut text = String::new();
        for rule in failing_rules.keys() {
            let expires = if Some(rule.as_str()) == expired_rule {
                "2020-01-31"
            } else {
                "2099-12-31"
            };
            text.push_str(&format!(
                "[[ignore]]\nrule = \"{rule}\"\nasset = \"{name}\"\nreason = \"accepted: {rule}\"\nexpires = {expires}\n\n"
            ));
        }
        let path = dir.path().join("ignore.toml");
        std::fs::write(&path, text).unwrap();
        path
    };

    // Every failing kind ignored: a pass, the findings suppressed in SARIF.
    let sarif = dir.path().join("s4e.sarif");
    let step_summary = dir.path().join("step-summary.md");
    std::fs::write(&step_summary, "earlier step\n").unwrap();
    let out = gate(&api)
        .env("GITHUB_STEP_SUMMARY", &step_summary)
        .args(["--asset", &asset, "--ignore-file"])
        .arg(ignore_file(None))
        .arg("--sarif")
        .arg(&sarif)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = assert_valid_sarif(&sarif);
    let suppressed_ids: BTreeSet<String> = failing_rules.values().flatten().cloned().collect();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let id = result["properties"]["findingId"].as_str().unwrap();
        if suppressed_ids.contains(id) {
            let suppression = &result["suppressions"][0];
            assert_eq!(suppression["kind"], "external");
            assert_eq!(
                suppression["justification"],
                format!("accepted: {}", result["ruleId"].as_str().unwrap())
            );
        } else {
            assert!(result.get("suppressions").is_none(), "{id}");
        }
    }
    let appended = std::fs::read_to_string(&step_summary).unwrap();
    assert!(
        appended.starts_with("earlier step\n### S4E gate: passed\n"),
        "{appended}"
    );
    assert!(appended.contains(&format!("{} finding(s) suppressed", suppressed_ids.len())));

    // One entry past its date: it no longer suppresses, and the gate says so.
    let (expired_rule, expired_ids) = failing_rules.iter().next().unwrap();
    let out = gate(&api)
        .args(["--asset", &asset, "-o", "json", "--ignore-file"])
        .arg(ignore_file(Some(expired_rule)))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let failing = failing_ids(&parse(&out.stdout));
    assert_eq!(&failing, expired_ids);
    assert!(
        stderr(&out).contains(&format!(
            "warning: [[ignore]] entry 1 (rule {expired_rule} on {name}) expired on 2020-01-31; it no longer suppresses ({} matching finding(s))",
            expired_ids.len()
        )),
        "{}",
        stderr(&out)
    );

    // `.s4e-ignore.toml` in the working directory is read without a flag.
    let (_, ids_of_first) = failing_rules.iter().next().unwrap();
    let one = ids_of_first.iter().next().unwrap();
    std::fs::write(
        dir.path().join(".s4e-ignore.toml"),
        format!("[[ignore]]\nfinding = \"{one}\"\nreason = \"tracked in JIRA-1\"\nexpires = 2099-01-01\n"),
    )
    .unwrap();
    let out = gate(&api)
        .current_dir(dir.path())
        .args(["--asset", &asset, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let summary = parse(&out.stdout);
    assert_eq!(summary["suppressed"][0]["finding"], one.as_str());
    assert_eq!(summary["suppressed"][0]["reason"], "tracked in JIRA-1");
    assert_eq!(
        summary["failing"],
        counted(&sdk, Some(&asset))
            .iter()
            .filter(|f| at_or_above_high(f))
            .count()
            - 1
    );
}

#[test]
fn an_ignore_entry_without_reason_or_expiry_is_a_usage_error() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    for (entry, problem) in [
        (
            "[[ignore]]\nrule = \"s4e/xss\"\nexpires = 2099-01-01\n",
            "[[ignore]] entry 2 (rule s4e/xss) has no `reason`",
        ),
        (
            "[[ignore]]\nfinding = \"f-70001\"\nreason = \"x\"\n",
            "[[ignore]] entry 2 (finding f-70001) has no `expires` date",
        ),
    ] {
        let path = dir.path().join("ignore.toml");
        std::fs::write(
            &path,
            format!(
                "[[ignore]]\nfinding = \"f-1\"\nreason = \"ok\"\nexpires = 2099-01-01\n\n{entry}"
            ),
        )
        .unwrap();
        let out = gate(&api)
            .args(["--ignore-file"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains(problem), "{}", stderr(&out));
    }
    assert!(
        api.sandbox.controls().requests().is_empty(),
        "checked before any request"
    );
}
