//! Every exit code of the table in `s4e --help`, each case at least once:
//! never a false success.

use s4e_sandbox::Fault;

use crate::{Api, bare, parse, stderr, stdout};

/// Runs `s4e ARGS` against `api` and returns its output.
fn run(api: &Api, args: &[&str]) -> std::process::Output {
    api.s4e().args(args).output().unwrap()
}

/// Runs a wait (`ARGS --interval 0.05 -o json`) and checks its exit code,
/// the final status it printed, and the message naming a negative outcome.
fn check_wait(api: &Api, args: &[&str], code: i32, status: &str) {
    let out = api
        .s4e()
        .args(args)
        .args(["--interval", "0.05", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    assert_eq!(
        parse(&out.stdout)["status"],
        status,
        "{args:?}: the final state is printed"
    );
    if code == 1 {
        assert!(
            stderr(&out).contains(&format!("ended {status}\n")),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_job_that_ends_failed_or_cancelled_exits_1() {
    let api = Api::start();
    let seed_scan = |status: &str| {
        let scans = api.json(&["scans", "list", "--status", status, "--limit", "1"]);
        scans[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("the seed has a {status} scan"))
            .to_owned()
    };
    let (failed, cancelled) = (seed_scan("failed"), seed_scan("cancelled"));
    let fail = ["--param", "sandbox_outcome=failed"];
    let trigger = [
        "actions",
        "trigger",
        "act-block-ip",
        "--param",
        "ip=203.0.113.9",
        "--sandbox",
        "--wait",
    ];
    let run = [
        "playbooks",
        "run",
        "pb-tls-expiry",
        "--asset",
        "a-1001",
        "--wait",
    ];
    let scan = ["scans", "create", "a-1001", "--type", "quick", "--wait"];
    // `s4e scans create X --wait && deploy` does not deploy.
    let cases: [(Vec<&str>, i32, &str); 8] = [
        (vec!["scans", "wait", &failed], 1, "failed"),
        (vec!["scans", "wait", &cancelled], 1, "cancelled"),
        (
            [&scan[..], &["--option", "sandbox_outcome=failed"]].concat(),
            1,
            "failed",
        ),
        ([&trigger[..], &fail].concat(), 1, "failed"),
        ([&run[..], &fail].concat(), 1, "failed"),
        // The same jobs succeeding exit 0.
        (scan.to_vec(), 0, "completed"),
        (trigger.to_vec(), 0, "completed"),
        ([&run[..], &["--dry-run"]].concat(), 0, "completed"),
    ];
    for (args, code, status) in &cases {
        check_wait(&api, args, *code, status);
    }
}

#[test]
fn a_wait_that_times_out_names_the_job_even_with_quiet_and_exits_5() {
    let api = Api::start();
    // A frozen clock: the scan never finishes.
    api.sandbox.controls().set_scan_speed(0.0);
    let out = run(
        &api,
        &[
            "--quiet",
            "scans",
            "create",
            "a-1001",
            "--type",
            "full",
            "--wait",
            "--interval",
            "0.05",
            "--wait-timeout",
            "0.5",
        ],
    );
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    let scan = err
        .split_whitespace()
        .find(|word| word.starts_with("sc-"))
        .unwrap_or_else(|| panic!("the scan is named: {err}"));
    assert_eq!(
        err,
        format!(
            "error: scan {scan} is still running after 500 ms; follow it with: s4e scans wait {scan}\n"
        )
    );
    assert!(out.stdout.is_empty(), "no false result on stdout");
}

#[test]
fn a_name_or_id_that_names_nothing_exits_4() {
    let api = Api::start();
    for args in [
        &["findings", "list", "--asset", "shop.nowhere.example"][..],
        &["findings", "list", "--asset", "a-9999"],
        &[
            "findings",
            "export",
            "-o",
            "csv",
            "--asset",
            "shop.nowhere.example",
        ],
        &["findings", "list", "--scan", "sc-99999"],
        &["scans", "list", "--asset", "shop.nowhere.example"],
        &["scans", "create", "shop.nowhere.example", "--type", "quick"],
        &[
            "playbooks",
            "run",
            "pb-tls-expiry",
            "--asset",
            "shop.nowhere.example",
        ],
    ] {
        let out = run(&api, args);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}: no header, no empty list");
        assert!(
            stderr(&out).starts_with("error: no "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        api.sandbox.controls().count("POST", "/v1/scans"),
        0,
        "no scan was started for an unknown asset"
    );
    // An asset by name lists the same findings as by ID.
    let name = api.json(&["assets", "get", "a-1002"])["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_id = api.json(&["findings", "list", "--asset", "a-1002", "--all"]);
    let by_name = api.json(&["findings", "list", "--asset", &name, "--all"]);
    assert_eq!(by_id, by_name);
}

#[test]
fn enum_flags_are_checked_before_any_request() {
    let api = Api::start();
    for (args, possible) in [
        (
            &["findings", "list", "--severity", "urgent"][..],
            "critical, high, medium, low, info",
        ),
        (
            &["findings", "list", "--severity", "high,urgent"],
            "critical, high",
        ),
        (
            &["findings", "list", "--status", "closed"],
            "open, confirmed",
        ),
        (
            &["findings", "list", "--sort", "age"],
            "severity, cvss, discovered_at, title",
        ),
        (&["findings", "list", "--order", "up"], "asc, desc"),
        (&["scans", "list", "--status", "done"], "queued, running"),
        (
            &["scans", "create", "a-1001", "--type", "deep"],
            "full, quick",
        ),
        (&["assets", "list", "--type", "host"], "domain, ip"),
        (&["assets", "list", "--status", "gone"], "active"),
        (&["actions", "list", "--type", "email"], "notification"),
        (
            &["gate", "--fail-on", "severe"],
            "critical, high, medium, low, info",
        ),
        (&["gate", "--status", "open,closed"], "open, confirmed"),
        (
            &["gate", "--scan", "deep", "--asset", "a-1001"],
            "full, quick",
        ),
        (
            &["-o", "yaml", "assets", "list"],
            "table, json, ndjson, csv",
        ),
    ] {
        let out = run(&api, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("[possible values: ") && stderr(&out).contains(possible),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(
        api.sandbox.controls().requests().is_empty(),
        "nothing was sent"
    );
    // Completions offer the values.
    let script = bare().args(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(script.stdout).unwrap();
    assert!(
        script.contains("critical high medium low info"),
        "the bash completion lists the severities"
    );
}

#[test]
fn usage_errors_of_the_new_commands_exit_2() {
    let api = Api::start();
    for (args, message) in [
        (&["actions", "delete", "act-block-ip"][..], "pass --yes"),
        (&["playbooks", "delete", "pb-tls-expiry"], "pass --yes"),
        (&["findings", "list", "--jq", ".["], "--jq"),
        (&["findings", "list", "--since", "yesterday"], "RFC 3339"),
        (&["api", "GET", "findings"], "starts with `/`"),
        (
            &["api", "GET", "/findings", "--input", "-"],
            "sends no body",
        ),
    ] {
        let out = run(&api, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(
        api.sandbox
            .controls()
            .count("DELETE", "/v1/actions/act-block-ip"),
        0
    );
}

#[test]
fn a_failed_list_leaves_no_header() {
    let api = Api::start();
    api.sandbox
        .controls()
        .inject(Fault::status(503).times(1).on("GET", "/findings"));
    let out = api.once(&["findings", "list", "-o", "csv"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        out.stdout.is_empty(),
        "no CSV header before the first page: {}",
        stdout(&out)
    );
}

#[test]
fn errors_name_the_url_and_the_likely_fix() {
    let api = Api::start();
    let base = api.sandbox.base_url().to_owned();
    let https = base.replacen("http://", "https://", 1);
    let out = bare()
        .env("S4E_API_KEY", api.sandbox.api_key())
        .env("S4E_RETRIES", "0")
        .args(["--base-url", &https, "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains(&format!("could not connect to {https}"))
            && stderr(&out).contains(&format!("try {base}")),
        "{}",
        stderr(&out)
    );

    let without_version = base.trim_end_matches("/v1").to_owned();
    let out = bare()
        .env("S4E_API_KEY", api.sandbox.api_key())
        .args(["--base-url", &without_version, "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains(&format!("did you mean {without_version}/v1?")),
        "{}",
        stderr(&out)
    );

    api.sandbox
        .controls()
        .inject(Fault::html_error(502).times(1).on("GET", "/assets"));
    let out = api.once(&["assets", "list"]);
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    assert!(
        err.contains("an HTML page, titled \"502 Bad Gateway\""),
        "{err}"
    );
    assert!(!err.contains("<html"), "the page is not dumped: {err}");

    let out = bare()
        .env("S4E_API_KEY", "sk_x")
        .args(["--base-url", "http://192.0.2.1/v1", "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--allow-http"), "{}", stderr(&out));
}

#[test]
fn the_environment_is_read_as_the_sdk_reads_it() {
    let api = Api::start();
    // Decimals, as the SDK takes them; a bad value names the variable.
    for (name, value, code) in [
        ("S4E_TIMEOUT", "2.5", 0),
        ("S4E_TIMEOUT", "soon", 2),
        ("S4E_RETRIES", "1", 0),
        ("S4E_RETRIES", "-1", 2),
    ] {
        let out = api
            .s4e()
            .env(name, value)
            .args(["assets", "get", "a-1001"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{name}={value}: {}",
            stderr(&out)
        );
        if code == 2 {
            assert!(stderr(&out).contains(name), "{}", stderr(&out));
        }
    }
    // A proxy that does not answer: the call goes there, not to the API.
    let before = api.sandbox.controls().requests().len();
    let out = api
        .s4e()
        .env("S4E_PROXY", "http://127.0.0.1:9")
        .env("S4E_RETRIES", "0")
        .args(["assets", "get", "a-1001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(
        api.sandbox.controls().requests().len(),
        before,
        "the call went to the proxy"
    );
}
