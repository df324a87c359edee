//! A whole day's work: profiles, login, config, `s4e api`, `--jq`, bulk
//! creation, findings sorted and filtered by time, and the version.

use crate::{Api, bare, parse, stderr, stdout};

#[test]
fn profiles_login_logout_and_config() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("s4e").join("config.toml");
    let s4e = || {
        let mut command = bare();
        command.env("S4E_CONFIG", &config);
        command
    };
    // `default` is used when no profile is named.
    let out = s4e()
        .args(["config", "set", "base_url", api.sandbox.base_url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The file, on every platform: never the keychain of the machine that
    // runs the tests (keychain.rs tests the Secret Service).
    let out = s4e()
        .args(["login", "--insecure-storage"])
        .write_stdin(format!("{}\n", api.sandbox.api_key()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stored the key of profile `default` in")
            && stderr(&out).contains("(readable only by you; "),
        "it says where: {}",
        stderr(&out)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the file holds a key");
    }
    let out = s4e()
        .args(["assets", "get", "a-1001", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(parse(&out.stdout)["id"], "a-1001");

    // `config list` shows that a key is set, never the key.
    let out = s4e().args(["config", "list"]).output().unwrap();
    let listed = stdout(&out);
    assert!(
        listed.contains("[default]") && listed.contains("api_key = (set)"),
        "{listed}"
    );
    assert!(!listed.contains(api.sandbox.api_key()), "{listed}");
    let out = s4e().args(["config", "get", "base_url"]).output().unwrap();
    assert_eq!(stdout(&out).trim(), api.sandbox.base_url());
    let out = s4e().args(["config", "get", "output"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "not set");

    // S4E_PROFILE picks another profile.
    s4e()
        .env("S4E_PROFILE", "csv")
        .args(["config", "set", "output", "csv"])
        .output()
        .unwrap();
    s4e()
        .env("S4E_PROFILE", "csv")
        .args(["config", "set", "base_url", api.sandbox.base_url()])
        .output()
        .unwrap();
    let out = s4e()
        .env("S4E_PROFILE", "csv")
        .env("S4E_API_KEY", api.sandbox.api_key())
        .args(["assets", "list", "--limit", "1"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("id,name,type,"),
        "{}",
        stdout(&out)
    );

    let out = s4e().arg("logout").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = s4e().args(["assets", "get", "a-1001"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "the key is gone: {}",
        stderr(&out)
    );
}

#[test]
fn api_calls_any_route_and_merges_pages() {
    let api = Api::start();
    let created = api.json(&[
        "api",
        "POST",
        "/assets",
        "-f",
        "name=api.example.com",
        "-f",
        "type=domain",
        "-f",
        r#"tags=["raw"]"#,
    ]);
    // The answer as the API sent it, envelope included (as `gh api`).
    let created = &created["data"];
    assert_eq!(created["name"], "api.example.com", "{created}");
    assert_eq!(created["tags"], serde_json::json!(["raw"]));
    let id = created["id"].as_str().unwrap();
    let patched = api
        .s4e()
        .args([
            "api",
            "PATCH",
            &format!("/assets/{id}"),
            "--input",
            "-",
            "-o",
            "json",
        ])
        .write_stdin(r#"{"description": "patched raw"}"#)
        .output()
        .unwrap();
    assert_eq!(parse(&patched.stdout)["data"]["description"], "patched raw");

    // Every page, merged; and one item per line with ndjson. A frozen
    // clock keeps the running seed scans from adding findings in between.
    api.sandbox.controls().pause_clock();
    let all = api.json(&["api", "GET", "/findings", "--paginate"]);
    let listed = api.json(&["findings", "list", "--all"]);
    assert_eq!(
        all.as_array().unwrap().len(),
        listed.as_array().unwrap().len()
    );
    assert!(all.as_array().unwrap().len() > 100, "several pages");
    let lines = api
        .s4e()
        .args(["api", "GET", "/assets", "--paginate", "-o", "ndjson"])
        .output()
        .unwrap();
    let lines: Vec<_> = stdout(&lines)
        .lines()
        .map(|l| parse(l.as_bytes()))
        .collect();
    assert!(lines.len() > 30, "{}", lines.len());
    assert!(lines.iter().all(|asset| asset["id"].is_string()));

    let missing = api
        .s4e()
        .args(["api", "GET", "/assets/a-0000"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(4));
}

#[test]
fn jq_filters_the_merged_result() {
    let api = Api::start();
    api.sandbox.controls().pause_clock();
    let all = api.json(&["findings", "list", "--all", "--severity", "critical"]);
    let count = all.as_array().unwrap().len();
    assert!(count > 0);
    let out = api
        .s4e()
        .args([
            "findings",
            "list",
            "--all",
            "--severity",
            "critical",
            "--jq",
            "length",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), count.to_string(), "{}", stderr(&out));
    let out = api
        .s4e()
        .args(["assets", "get", "a-1001", "--jq", ".id"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "a-1001\n");
    let out = api
        .s4e()
        .args([
            "api",
            "GET",
            "/assets",
            "--paginate",
            "--jq",
            "map(.id) | length",
        ])
        .output()
        .unwrap();
    let assets: usize = stdout(&out).trim().parse().unwrap();
    assert!(assets > 30, "{assets}");
}

#[test]
fn bulk_create_from_csv_and_definitions_from_yaml() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("assets.csv");
    std::fs::write(
        &csv,
        "name,type,tags\r\nbulk-a.example.com,domain,prod;pci\r\n203.0.113.77,ip,\r\n",
    )
    .unwrap();
    let out = api
        .s4e()
        .args(["assets", "bulk-create", "-o", "json"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let result = parse(&out.stdout);
    assert_eq!(result["created"].as_array().unwrap().len(), 2, "{result}");
    assert_eq!(
        result["created"][0]["tags"],
        serde_json::json!(["prod", "pci"])
    );

    // One refused: exit 1, the refusal listed.
    let out = api
        .s4e()
        .args(["assets", "bulk-create", "-", "-o", "json"])
        .write_stdin(
            r#"[{"name": "ok.example.com", "type": "domain"}, {"name": "", "type": "domain"}]"#,
        )
        .output()
        .unwrap();
    if out.status.code() == Some(1) {
        assert_eq!(parse(&out.stdout)["failed"].as_array().unwrap().len(), 1);
    } else {
        // The API may refuse the whole request instead (422): never exit 0.
        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    }
    // A type the SDK does not know is refused before sending.
    let out = api
        .s4e()
        .args(["assets", "bulk-create", "-"])
        .write_stdin(r#"[{"name": "x.example.com", "type": "host"}]"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // An unknown field in a definition is refused, not dropped.
    let out = api
        .s4e()
        .args(["actions", "create", "--file", "-"])
        .write_stdin("name: X\ntype: notification\nexecuter: remote\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("executer"), "{}", stderr(&out));

    let yaml = dir.path().join("action.yaml");
    std::fs::write(
        &yaml,
        "name: Page the on-call\ntype: notification\nexecutor: webhook\nparameters:\n  - name: channel\n    type: string\n    required: true\n",
    )
    .unwrap();
    let action = api.json(&["actions", "create", "--file", yaml.to_str().unwrap()]);
    assert_eq!(action["name"], "Page the on-call");
    assert_eq!(action["parameters"][0]["name"], "channel");
    let id = action["id"].as_str().unwrap();
    let out = api
        .s4e()
        .args(["actions", "delete", id, "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = api.s4e().args(["actions", "get", id]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn findings_sort_and_time_filters_reach_the_api() {
    let api = Api::start();
    let sorted = api.json(&[
        "findings", "list", "--sort", "cvss", "--order", "asc", "--limit", "20",
    ]);
    let scores: Vec<f64> = sorted
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["cvss"].as_f64())
        .collect();
    assert!(scores.len() > 1, "{sorted}");
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    api.json(&["findings", "list", "--since", "2026-01-01", "--until", "7d"]);
    let sent = api
        .sandbox
        .controls()
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path == "/v1/findings")
        .unwrap();
    let query = sent.query.unwrap_or_default();
    assert!(query.contains("from=2026-01-01T00:00:00Z&"), "{query}");
    let until = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("to="))
        .unwrap_or_else(|| panic!("{query}"));
    let until = s4e::chrono::DateTime::parse_from_rfc3339(until).unwrap();
    let age = s4e::chrono::Utc::now() - until.to_utc();
    assert!(
        (age.num_days() - 7).abs() <= 1,
        "--until 7d is seven days ago: {until}"
    );
}

#[test]
fn version_usage_and_closed_pipes() {
    let out = bare().arg("--version").output().unwrap();
    let version = stdout(&out);
    assert!(
        version.starts_with("s4e ") && version.contains("(SDK s4e "),
        "{version}"
    );
    // Env-backed options do not show as required in usage lines.
    let help = bare().arg("--help").output().unwrap();
    let usage = stdout(&help);
    let usage = usage.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(
        !usage.contains("--api-key") && !usage.contains("--base-url"),
        "{usage}"
    );
    // Nor in a usage error's, when they come from the environment as in a
    // CI job.
    let error = bare()
        .env("S4E_API_KEY", "sk_from_the_environment")
        .env("S4E_BASE_URL", "http://127.0.0.1:9/v1")
        .args(["assets", "create", "x.example.com"])
        .output()
        .unwrap();
    assert_eq!(error.status.code(), Some(2));
    let message = stderr(&error);
    let usage = message.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert_eq!(
        usage, "Usage: s4e assets create --type <TYPE> <NAME>",
        "{message}"
    );

    // A reader that is gone before anything is written (`| true`): the
    // script's first write fails, and the command ends quietly.
    for args in [&["completions", "zsh"][..], &["--help"]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("s4e"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}
