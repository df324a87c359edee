//! Output formats, the default format off a terminal, profiles, and no
//! progress bar or colour when not on a terminal.

use crate::{Api, parse, stderr};

#[test]
fn every_format_of_a_list() {
    let api = Api::start();
    // Running seed scans add findings as the clock moves: freeze it, so the
    // four runs list the same items.
    api.sandbox.controls().pause_clock();
    let args = [
        "findings",
        "list",
        "--severity",
        "critical,high",
        "--limit",
        "3",
    ];

    let json = api.json(&args);
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert!(["critical", "high"].contains(&item["severity"].as_str().unwrap()));
        // The API's field names: the asset's `name` and `type`.
        assert!(item["asset"]["name"].is_string(), "{item}");
    }

    let ndjson = api
        .s4e()
        .args(args)
        .args(["-o", "ndjson"])
        .output()
        .unwrap();
    let lines: Vec<_> = std::str::from_utf8(&ndjson.stdout)
        .unwrap()
        .lines()
        .map(|l| parse(l.as_bytes()))
        .collect();
    assert_eq!(lines, *items, "ndjson has the same items, one a line");

    let csv = api.s4e().args(args).args(["-o", "csv"]).output().unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let rows: Vec<_> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    // The JSON field names, in the order of the API's CSV export.
    assert_eq!(
        rows[0],
        "id,title,severity,cvss,status,asset,scan_id,discovered_at"
    );
    assert_eq!(rows.len(), 4);
    assert!(rows[1].starts_with(items[0]["id"].as_str().unwrap()));

    let table = api.s4e().args(args).args(["-o", "table"]).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    let lines: Vec<_> = table.lines().collect();
    assert!(
        lines[0].starts_with("ID ") && lines[0].contains("SEVERITY"),
        "{table}"
    );
    assert_eq!(lines.len(), 4);
    // Aligned: every row's severity starts in the header's column.
    let column = lines[0].find("SEVERITY").unwrap();
    for (line, item) in lines[1..].iter().zip(items) {
        assert!(
            line[column..].starts_with(item["severity"].as_str().unwrap()),
            "{table}"
        );
    }
    assert!(
        !table.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn json_is_the_default_off_a_terminal_and_one_item_is_an_object() {
    let api = Api::start();
    let out = api
        .s4e()
        .args(["assets", "get", "a-1001"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let asset = parse(&out.stdout);
    assert_eq!(asset["id"], "a-1001");
    assert!(
        asset["name"].is_string() && asset["type"].is_string(),
        "{asset}"
    );
    assert!(
        asset.get("domain").is_none(),
        "the API's names, not the SDK's"
    );
}

#[test]
fn all_streams_every_page_without_a_progress_bar_off_a_terminal() {
    let api = Api::start();
    let out = api
        .s4e()
        .args(["findings", "list", "--all", "-o", "ndjson"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let ids: Vec<String> = std::str::from_utf8(&out.stdout)
        .unwrap()
        .lines()
        .map(|l| parse(l.as_bytes())["id"].as_str().unwrap().to_owned())
        .collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each finding once");
    assert!(ids.len() > 100, "more than one page of 100: {}", ids.len());
    assert!(
        api.sandbox.controls().count("GET", "/v1/findings") >= 3,
        "several pages were fetched"
    );
    assert!(out.stderr.is_empty(), "no bar: {}", stderr(&out));

    // A scan wait prints its note, and no bar, when stderr is a pipe.
    let out = api
        .s4e()
        .args([
            "scans",
            "create",
            "a-1002",
            "--type",
            "quick",
            "--wait",
            "--interval",
            "0.05",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("started scan sc-"), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b') && !stderr.contains('%'),
        "{stderr:?}"
    );
    assert_eq!(parse(&out.stdout)["status"], "completed");

    // --quiet drops the notes too.
    let out = api
        .s4e()
        .args([
            "--quiet",
            "scans",
            "create",
            "a-1002",
            "--type",
            "quick",
            "--wait",
            "--interval",
            "0.05",
        ])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
}

#[test]
fn a_profile_supplies_the_base_url_and_the_format() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.ci]\nbase_url = \"{}\"\noutput = \"csv\"\n",
            api.sandbox.base_url()
        ),
    )
    .unwrap();
    let out = crate::bare()
        .env("S4E_API_KEY", api.sandbox.api_key())
        .env("S4E_CONFIG", &config)
        .args(["--profile", "ci", "assets", "list", "--limit", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("id,name,type,"), "{csv}");
    assert_eq!(csv.lines().count(), 3);

    let missing = crate::bare()
        .env("S4E_CONFIG", &config)
        .args(["--profile", "prod", "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no profile `prod` (profiles: ci)"));
}

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    use std::io::{BufRead, BufReader};
    let api = Api::start();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("s4e"))
        .env("S4E_BASE_URL", api.sandbox.base_url())
        .env("S4E_API_KEY", api.sandbox.api_key())
        .env("S4E_CONFIG", "/nonexistent")
        .args(["findings", "list", "--all", "-o", "ndjson"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone, as after `| head -1`.
    assert!(parse(first.as_bytes())["id"].is_string());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
