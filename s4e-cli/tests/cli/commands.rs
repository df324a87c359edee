//! Every command at least once, against the sandbox.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::{Api, bare, files_in, parse, stderr, stdout};

fn id(value: &serde_json::Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .to_owned()
}

#[test]
fn assets() {
    let api = Api::start();
    let created = api.json(&[
        "assets",
        "create",
        "cli.example.com",
        "--type",
        "domain",
        "--tag",
        "prod",
    ]);
    assert_eq!(created["name"], "cli.example.com");
    assert_eq!(created["tags"], serde_json::json!(["prod"]));
    let asset = id(&created, "id");
    assert_eq!(api.json(&["assets", "get", &asset])["id"], asset.as_str());
    let listed = api.json(&[
        "assets",
        "list",
        "--search",
        "cli.example.com",
        "--type",
        "domain",
    ]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == asset.as_str())
    );
    let updated = api.json(&[
        "assets",
        "update",
        &asset,
        "--tag",
        "pci",
        "--description",
        "from the CLI",
    ]);
    assert_eq!(updated["description"], "from the CLI");
    assert_eq!(updated["tags"], serde_json::json!(["pci"]));
    let verified = api.json(&["assets", "verify", &asset]);
    assert_eq!(verified["id"], asset.as_str());
    // Off a terminal, a delete needs --yes.
    let refused = api
        .s4e()
        .args(["assets", "delete", &asset])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("pass --yes"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(api.json(&["assets", "get", &asset])["id"], asset.as_str());
    let out = api
        .s4e()
        .args(["assets", "delete", &asset, "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), format!("deleted asset {asset}\n"));
    let gone = api.s4e().args(["assets", "get", &asset]).output().unwrap();
    assert_eq!(gone.status.code(), Some(4));
}

#[test]
fn scans() {
    let api = Api::start();
    let scan = api.json(&["scans", "create", "a-1001", "--type", "quick"]);
    let scan_id = id(&scan, "id");
    assert_eq!(scan["asset_id"], "a-1001");
    let done = api.json(&["scans", "wait", &scan_id, "--interval", "0.05"]);
    assert_eq!(done["status"], "completed");
    assert_eq!(
        api.json(&["scans", "get", &scan_id])["completed_at"],
        done["completed_at"]
    );
    let status = api.json(&["scans", "status", &scan_id]);
    assert_eq!(
        (status["scan_id"].as_str(), status["progress"].as_u64()),
        (Some(scan_id.as_str()), Some(100))
    );
    let listed = api.json(&["scans", "list", "--asset", "a-1001", "--limit", "100"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == scan_id.as_str())
    );

    // A frozen clock keeps the next scan queued, so it can be cancelled.
    api.sandbox.controls().set_scan_speed(0.0);
    let queued = id(
        &api.json(&["scans", "create", "a-1001", "--type", "full"]),
        "id",
    );
    let cancelled = api.json(&["scans", "cancel", &queued]);
    assert_eq!(cancelled["status"], "cancelled");
}

#[test]
fn findings_list_get_update_and_export() {
    let api = Api::start();
    let page = api.json(&[
        "findings",
        "list",
        "--status",
        "open",
        "--severity",
        "critical",
        "--limit",
        "2",
    ]);
    let finding = id(&page[0], "id");
    assert_eq!(
        api.json(&["findings", "get", &finding])["id"],
        finding.as_str()
    );
    let updated = api.json(&[
        "findings", "update", &finding, "--status", "resolved", "--note", "patched",
    ]);
    assert_eq!(updated["status"], "resolved");

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("critical.csv");
    let out = api
        .s4e()
        .args([
            "findings",
            "export",
            "-o",
            "csv",
            "--severity",
            "critical",
            "--out",
        ])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("id,title,severity,"), "{text}");
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty(), "the seed has critical findings: {text}");
    assert!(rows.iter().all(|l| l.contains(",critical,")), "{text}");
    assert_eq!(files_in(dir.path()), ["critical.csv"]);
    // The same columns as `findings list -o csv`.
    let listed = api
        .s4e()
        .args(["findings", "list", "--severity", "critical", "-o", "csv"])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(listed.lines().next(), text.lines().next(), "{listed}");

    let out = api
        .s4e()
        .args([
            "findings",
            "export",
            "--format",
            "json",
            "--severity",
            "low",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let exported = parse(&out.stdout);
    assert!(!exported.as_array().unwrap().is_empty(), "{exported}");

    // A failed export leaves no file, not even a partial one.
    api.sandbox.controls().inject(
        s4e_sandbox::Fault::status(500)
            .times(10)
            .on("POST", "/findings/export"),
    );
    let broken = dir.path().join("broken.csv");
    let out = api
        .s4e()
        .env("S4E_RETRIES", "0")
        .args(["findings", "export", "-o", "csv", "--out"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(files_in(dir.path()), ["critical.csv"]);
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_an_export_leaves_no_file() {
    let api = Api::start();
    api.sandbox.controls().inject(
        s4e_sandbox::Fault::delay(std::time::Duration::from_secs(30))
            .on("POST", "/findings/export"),
    );
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("all.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("s4e"))
        .env("S4E_BASE_URL", api.sandbox.base_url())
        .env("S4E_API_KEY", api.sandbox.api_key())
        .env("S4E_CONFIG", "/nonexistent")
        .args(["findings", "export", "-o", "json", "--out"])
        .arg(&target)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the temporary file: the export is under way.
    let started = std::time::Instant::now();
    while files_in(dir.path()).is_empty() {
        assert!(started.elapsed().as_secs() < 20, "the export never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        files_in(dir.path()),
        Vec::<String>::new(),
        "no partial file"
    );
}

#[test]
fn actions() {
    let api = Api::start();
    let listed = api.json(&["actions", "list", "--all"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "act-block-ip")
    );
    let action = api.json(&["actions", "get", "act-block-ip"]);
    assert_eq!(action["type"], "remediation");

    let dir = tempfile::tempdir().unwrap();
    let definition = dir.path().join("action.json");
    std::fs::write(
        &definition,
        r#"{"name": "Block IP", "type": "remediation", "executor": "remote"}"#,
    )
    .unwrap();
    let report = api
        .s4e()
        .args(["actions", "validate", "-o", "json"])
        .arg(&definition)
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(0), "{}", stdout(&report));
    assert_eq!(parse(&report.stdout)["valid"], true);
    let invalid = api
        .s4e()
        .args(["actions", "validate", "-", "-o", "json"])
        .write_stdin(r#"{"type": 7}"#)
        .output()
        .unwrap();
    assert_eq!(
        invalid.status.code(),
        Some(1),
        "valid: false is a negative outcome"
    );
    assert_eq!(parse(&invalid.stdout)["valid"], false);

    let execution = api.json(&[
        "actions",
        "trigger",
        "act-block-ip",
        "--param",
        "ip=203.0.113.9",
        "--sandbox",
        "--wait",
        "--interval",
        "0.05",
    ]);
    assert_eq!(execution["sandbox"], true);
    assert_eq!(execution["status"], "completed");
    let execution_id = id(&execution, "execution_id");
    let again = api.json(&["actions", "execution-status", "act-block-ip", &execution_id]);
    assert_eq!(again["execution_id"], execution_id.as_str());
    let waited = api.json(&["actions", "wait", "act-block-ip", &execution_id]);
    assert_eq!(waited["status"], "completed");
    let trigger = api
        .sandbox
        .controls()
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/v1/actions/act-block-ip/trigger")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(trigger.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["parameters"]["ip"], "203.0.113.9");
}

#[test]
fn playbooks() {
    let api = Api::start();
    let listed = api.json(&["playbooks", "list"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "pb-tls-expiry")
    );
    assert!(api.json(&["playbooks", "get", "pb-tls-expiry"])["steps"].is_array());
    let run = api.json(&[
        "playbooks",
        "run",
        "pb-tls-expiry",
        "--asset",
        "a-1001",
        "--dry-run",
    ]);
    assert_eq!(run["dry_run"], true);
    let run_id = id(&run, "run_id");
    assert_eq!(
        api.json(&["playbooks", "run-status", "pb-tls-expiry", &run_id])["run_id"],
        run_id.as_str()
    );
    // The exit code follows the run's outcome.
    let waited = api
        .s4e()
        .args([
            "playbooks",
            "wait",
            "pb-tls-expiry",
            &run_id,
            "--interval",
            "0.05",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let done = parse(&waited.stdout);
    let expected = match done["status"].as_str() {
        Some("completed") => 0,
        Some("failed") => 1,
        other => panic!("not a final status: {other:?}"),
    };
    assert_eq!(waited.status.code(), Some(expected), "{done}");
    // By the asset's name.
    let name = api.json(&["assets", "get", "a-1001"])["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_name = api
        .s4e()
        .args([
            "playbooks",
            "run",
            "pb-tls-expiry",
            "--asset",
            &name,
            "--dry-run",
            "--wait",
            "--interval",
            "0.05",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let by_name = parse(&by_name.stdout);
    assert!(by_name["finished_at"].is_string(), "{by_name}");
    assert_eq!(by_name["target_asset_id"], "a-1001");
}

#[test]
fn webhooks() {
    let api = Api::start();
    let created = api
        .s4e()
        .env("S4E_WEBHOOK_SECRET", "whsec_from_env")
        .args([
            "webhooks",
            "create",
            "CLI",
            "https://hooks.example.com/s4e",
            "--event",
            "finding.new,scan.completed",
            "--header",
            "X-Team=soc",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", stderr(&created));
    let created = parse(&created.stdout);
    assert_eq!(
        created["events"],
        serde_json::json!(["finding.new", "scan.completed"])
    );
    assert!(created.get("secret").is_none(), "the secret is never shown");
    let webhook = id(&created, "id");
    let sent = api
        .sandbox
        .controls()
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/v1/webhooks")
        .unwrap();
    assert!(
        sent.body.unwrap().contains("whsec_from_env"),
        "the secret was sent"
    );

    assert_eq!(api.json(&["webhooks", "get", &webhook])["name"], "CLI");
    assert!(
        api.json(&["webhooks", "list"])
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["id"] == webhook.as_str())
    );
    assert_eq!(
        api.json(&["webhooks", "update", &webhook, "--inactive"])["active"],
        false
    );
    let test = api.json(&["webhooks", "test", &webhook]);
    assert!(test["delivered"].is_boolean(), "{test}");
    let out = api
        .s4e()
        .args(["webhooks", "delete", &webhook])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        api.s4e()
            .args(["webhooks", "get", &webhook])
            .output()
            .unwrap()
            .status
            .code(),
        Some(4)
    );
}

#[test]
fn completions_and_help() {
    let out = bare().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(
        script.contains("_s4e()") && script.contains("findings"),
        "a bash completion for s4e"
    );
    let mut checked = 0;
    for group in [
        "assets",
        "scans",
        "findings",
        "actions",
        "playbooks",
        "webhooks",
        "gate",
        "sandbox",
        "completions",
    ] {
        let help = bare().args([group, "--help"]).output().unwrap();
        assert!(help.status.success());
        let help = String::from_utf8(help.stdout).unwrap();
        assert!(help.contains("Example"), "{group} --help has an example");
        // Each subcommand the group's help lists has one too.
        let subcommands = crate::commands_of(&[group]);
        for subcommand in subcommands {
            let help = bare()
                .args([group, &subcommand, "--help"])
                .output()
                .unwrap();
            assert!(
                stdout(&help).contains("Example"),
                "{group} {subcommand} --help has an example"
            );
            checked += 1;
        }
    }
    // assets 7, scans 6, findings 4, actions 9, playbooks 8, webhooks 10.
    assert_eq!(
        checked, 44,
        "every subcommand was found in its group's help"
    );
}

#[test]
fn sandbox_serves_until_stopped() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("s4e"))
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    lines.next().unwrap().unwrap();
    let exports = lines.next().unwrap().unwrap();
    let base_url = exports
        .split_whitespace()
        .find_map(|word| word.strip_prefix("S4E_BASE_URL="))
        .unwrap()
        .to_owned();
    let key = exports
        .split_whitespace()
        .find_map(|word| word.strip_prefix("S4E_API_KEY="))
        .unwrap()
        .to_owned();
    let out = bare()
        .env("S4E_BASE_URL", &base_url)
        .env("S4E_API_KEY", &key)
        .args(["assets", "get", "a-1001", "-o", "json"])
        .output()
        .unwrap();
    stop(&mut child);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(parse(&out.stdout)["id"], "a-1001");
}

/// Ctrl-C is how a sandbox ends: exit 0.
#[cfg(unix)]
fn stop(child: &mut std::process::Child) {
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[cfg(not(unix))]
fn stop(child: &mut std::process::Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}
