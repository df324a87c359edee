//! Exit codes and messages: usage 2, auth 3, not found 4, API/rate limit 5;
//! the key never printed.

use s4e_sandbox::Fault;

use crate::{Api, bare, stderr, stdout};

#[test]
fn usage_errors_exit_2() {
    let out = bare()
        .args(["findings", "list", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bare()
        .args(["-o", "yaml", "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: table, json, ndjson, csv]"),
        "{}",
        stderr(&out)
    );
    let out = bare()
        .args(["gate", "--fail-on", "urgent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bare()
        .args(["findings", "list", "--limit", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bare()
        .args(["findings", "list", "--all", "--limit", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--all and --limit conflict");
    // Event names come from the SDK's list, on every command that takes them.
    for args in [
        &[
            "webhooks",
            "create",
            "SOC",
            "https://hooks.example.com/s4e",
            "--event",
            "finding.new,finding.nwe",
        ][..],
        &["webhooks", "update", "wh-001", "--event", "scan.finished"][..],
        &[
            "webhooks",
            "listen",
            "--forward-to",
            "http://127.0.0.1:9/hook",
            "--events",
            "scan.finished",
        ][..],
    ] {
        let out = bare().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("scan.completed"),
            "{args:?} lists the possible values: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_rate_limit_redis_that_is_not_redis_is_a_usage_error_from_flag_variable_or_profile() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[profiles.default]\nrate_limit_redis = \"ftp://cache.example\"\n",
    )
    .unwrap();
    let runs = [
        api.s4e()
            .args([
                "assets",
                "list",
                "--rate-limit-redis",
                "ftp://cache.example",
            ])
            .output()
            .unwrap(),
        api.s4e()
            .env("S4E_RATE_LIMIT_REDIS", "ftp://cache.example")
            .args(["assets", "list"])
            .output()
            .unwrap(),
        api.s4e()
            .env("S4E_CONFIG", &config)
            .args(["assets", "list"])
            .output()
            .unwrap(),
    ];
    for (out, source) in runs.iter().zip(["flag", "variable", "profile"]) {
        assert_eq!(out.status.code(), Some(2), "{source}: {}", stderr(out));
        assert!(out.stdout.is_empty(), "{source}: nothing listed");
    }
    // Without it the same command lists the assets, so the refusal above is the store's.
    let out = api.s4e().args(["assets", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn authentication_exits_3_and_never_prints_the_key() {
    let api = Api::start();
    let secret = "sk_live_do_not_print_4242";
    let out = api
        .s4e()
        .env("S4E_API_KEY", secret)
        .args(["--verbose", "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("error: API key rejected (401). Check S4E_API_KEY."),
        "{err}"
    );
    assert!(err.contains("request id"), "{err}");
    // One line per attempt: method, path, status, time, request id.
    let attempt = err
        .lines()
        .find(|line| line.starts_with("GET /assets 401 "))
        .unwrap_or_else(|| panic!("--verbose shows the attempt: {err}"));
    assert!(attempt.contains(" ms request-id=req_"), "{attempt}");
    assert_eq!(
        err.lines().filter(|line| line.starts_with("GET ")).count(),
        1,
        "one line per attempt, no span lines: {err}"
    );
    assert!(!err.contains(secret) && !stdout(&out).contains(secret));

    let out = bare().args(["assets", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("no API key. Set S4E_API_KEY"));

    // --help shows that the variable exists, not its value.
    let help = bare()
        .env("S4E_API_KEY", secret)
        .arg("--help")
        .output()
        .unwrap();
    let help = stdout(&help);
    assert!(help.contains("S4E_API_KEY") && !help.contains(secret));
    assert!(help.contains("Exit codes:"), "{help}");
}

#[test]
fn not_found_exits_4() {
    let api = Api::start();
    let out = api
        .s4e()
        .args(["findings", "get", "f-does-not-exist"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).starts_with("error: not found (404)"),
        "{}",
        stderr(&out)
    );
    let out = api
        .s4e()
        .args(["gate", "--asset", "no-such.example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn api_errors_and_rate_limits_exit_5() {
    let api = Api::start();
    api.sandbox
        .controls()
        .inject(Fault::status(503).times(1).on("GET", "/assets"));
    let out = api.once(&["assets", "list"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("the API failed (503)"),
        "{}",
        stderr(&out)
    );

    api.sandbox
        .controls()
        .inject(Fault::status(429).times(1).on("GET", "/findings"));
    let out = api.once(&["findings", "list"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("rate limited (429)"),
        "{}",
        stderr(&out)
    );

    // Nothing listens there: a network error.
    let out = bare()
        .env("S4E_API_KEY", "sk_x")
        .env("S4E_RETRIES", "0")
        .args(["--base-url", "http://127.0.0.1:9/v1", "assets", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn verbose_numbers_the_retries() {
    let api = Api::start();
    api.sandbox
        .controls()
        .inject(Fault::status(503).times(1).on("GET", "/assets/a-1001"));
    let out = api
        .s4e()
        .env("S4E_RETRIES", "1")
        .args(["--verbose", "assets", "get", "a-1001", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "one line per attempt: {err}");
    assert!(lines[0].starts_with("GET /assets/{id} 503 "), "{err}");
    assert!(
        lines[1].starts_with("retry 1: GET /assets/{id} 200 "),
        "{err}"
    );
    assert!(
        lines.iter().all(|line| line.contains("request-id=req_")),
        "{err}"
    );
    assert!(!err.contains(api.sandbox.api_key()), "never the key");
}
