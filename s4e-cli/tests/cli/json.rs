//! Every command that prints JSON, run with `-o json` and parsed: 100 %.
//! The commands are found by walking `--help`, so a new command that prints
//! JSON fails this test until it is run here.

use std::collections::BTreeSet;

use crate::{Api, bare, leaf_commands, parse, stderr};

/// Commands that print no JSON document, and why.
const NO_JSON: &[&str] = &[
    // A note on stderr; nothing on stdout.
    "assets delete",
    "actions delete",
    "playbooks delete",
    "webhooks delete",
    // Settings and keys, for people.
    "config get",
    "config set",
    "config list",
    "login",
    "logout",
    // A server until Ctrl-C, and a shell script.
    "sandbox",
    "completions",
];

/// Commands whose `-o json` output is parsed by their own tests in
/// `webhooks.rs`, which need a local receiver, a signal or a recorded
/// delivery: `trigger` (every event type, each line parsed), `listen` (one
/// JSON object per forwarded delivery) and `resend` (through `Api::json`).
const PARSED_IN_WEBHOOKS_TESTS: &[&str] =
    &["webhooks trigger", "webhooks listen", "webhooks resend"];

/// Runs `s4e ARGS -o json`, checks that it exited `code` and that standard
/// output is one JSON document, and returns it.
fn json_of(api: &Api, args: &[&str], code: i32, stdin: Option<&str>) -> serde_json::Value {
    let mut command = api.s4e();
    command.args(args).args(["-o", "json"]);
    if let Some(stdin) = stdin {
        command.write_stdin(stdin.to_owned());
    }
    let out = command.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "s4e {args:?}: {}",
        stderr(&out)
    );
    parse(&out.stdout)
}

fn text(value: &serde_json::Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .to_owned()
}

/// Runs commands and remembers which ran.
struct Runner<'a> {
    api: &'a Api,
    ran: BTreeSet<String>,
}

impl Runner<'_> {
    fn check(&mut self, args: &[&str], code: i32, stdin: Option<&str>) -> serde_json::Value {
        let value = json_of(self.api, args, code, stdin);
        let name = if args[0] == "gate" || args[0] == "api" {
            args[0].to_owned()
        } else {
            format!("{} {}", args[0], args[1])
        };
        self.ran.insert(name);
        value
    }
}

#[test]
fn every_command_that_prints_json_prints_parseable_json() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let mut r = Runner {
        api: &api,
        ran: BTreeSet::new(),
    };

    // Assets.
    r.check(&["assets", "list"], 0, None);
    let asset = text(
        &r.check(
            &["assets", "create", "json.example.com", "--type", "domain"],
            0,
            None,
        ),
        "id",
    );
    r.check(&["assets", "get", &asset], 0, None);
    r.check(&["assets", "update", &asset, "--tag", "x"], 0, None);
    r.check(&["assets", "verify", &asset], 0, None);
    let bulk = r.check(
        &["assets", "bulk-create", "-"],
        0,
        Some(r#"[{"name": "bulk1.example.com", "type": "domain", "tags": ["a"]}]"#),
    );
    assert_eq!(bulk["created"][0]["name"], "bulk1.example.com", "{bulk}");

    // Scans.
    r.check(&["scans", "list"], 0, None);
    let scan = text(
        &r.check(&["scans", "create", "a-1001", "--type", "quick"], 0, None),
        "id",
    );
    r.check(&["scans", "get", &scan], 0, None);
    r.check(&["scans", "status", &scan], 0, None);
    r.check(&["scans", "wait", &scan, "--interval", "0.05"], 0, None);
    api.sandbox.controls().set_scan_speed(0.0);
    let queued = text(
        &r.check(&["scans", "create", "a-1001", "--type", "full"], 0, None),
        "id",
    );
    r.check(&["scans", "cancel", &queued], 0, None);
    api.sandbox.controls().set_scan_speed(5_000.0);

    // Findings.
    let finding = text(
        &r.check(&["findings", "list", "--limit", "1"], 0, None)[0],
        "id",
    );
    r.check(&["findings", "get", &finding], 0, None);
    r.check(&["findings", "update", &finding, "--note", "seen"], 0, None);
    let export = r.check(&["findings", "export", "--severity", "low"], 0, None);
    assert!(!export.as_array().unwrap().is_empty(), "{export}");

    // Actions.
    r.check(&["actions", "list"], 0, None);
    r.check(&["actions", "get", "act-block-ip"], 0, None);
    let definition = dir.path().join("notify.yaml");
    std::fs::write(
        &definition,
        "name: Notify the SOC\ntype: notification\nexecutor: remote\n",
    )
    .unwrap();
    let created = r.check(
        &["actions", "create", "--file", definition.to_str().unwrap()],
        0,
        None,
    );
    let action = text(&created, "id");
    r.check(
        &["actions", "update", &action, "--file", "-"],
        0,
        Some(r#"{"description": "from the CLI"}"#),
    );
    r.check(
        &["actions", "validate", "-"],
        0,
        Some(r#"{"name": "Block IP", "type": "remediation", "executor": "remote"}"#),
    );
    let execution = text(
        &r.check(
            &[
                "actions",
                "trigger",
                "act-block-ip",
                "--param",
                "ip=203.0.113.9",
                "--sandbox",
            ],
            0,
            None,
        ),
        "execution_id",
    );
    r.check(
        &["actions", "execution-status", "act-block-ip", &execution],
        0,
        None,
    );
    r.check(
        &[
            "actions",
            "wait",
            "act-block-ip",
            &execution,
            "--interval",
            "0.05",
        ],
        0,
        None,
    );

    // Playbooks.
    r.check(&["playbooks", "list"], 0, None);
    r.check(&["playbooks", "get", "pb-tls-expiry"], 0, None);
    let playbook = text(
        &r.check(
            &["playbooks", "create", "--file", "-"],
            0,
            Some(
                r#"{"name": "From the CLI", "version": "1.0.0", "trigger": {"event": "finding.new"},
                   "steps": [{"id": "notify", "type": "action", "action_ref": "act-block-ip"}]}"#,
            ),
        ),
        "id",
    );
    r.check(
        &["playbooks", "update", &playbook, "--file", "-"],
        0,
        Some("version: 1.1.0\n"),
    );
    let run = text(
        &r.check(
            &[
                "playbooks",
                "run",
                "pb-tls-expiry",
                "--asset",
                "a-1001",
                "--dry-run",
            ],
            0,
            None,
        ),
        "run_id",
    );
    r.check(&["playbooks", "run-status", "pb-tls-expiry", &run], 0, None);
    let waited = json_of(
        &api,
        &[
            "playbooks",
            "wait",
            "pb-tls-expiry",
            &run,
            "--interval",
            "0.05",
        ],
        // A dry run may end either way; the exit code follows it.
        0,
        None,
    );
    r.ran.insert("playbooks wait".to_owned());
    assert_eq!(waited["status"], "completed", "{waited}");

    // Webhooks.
    r.check(&["webhooks", "list"], 0, None);
    let webhook = text(
        &r.check(
            &[
                "webhooks",
                "create",
                "JSON",
                "https://hooks.example.com/json",
                "--event",
                "finding.new",
            ],
            0,
            None,
        ),
        "id",
    );
    r.check(&["webhooks", "get", &webhook], 0, None);
    r.check(&["webhooks", "update", &webhook, "--inactive"], 0, None);
    r.check(&["webhooks", "test", &webhook], 0, None);
    let body =
        r#"{"id":"evt-1","event":"finding.new","timestamp":"2026-05-03T10:07:00Z","data":{}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signature = s4e::webhooks::sign(body.as_bytes(), "whsec_json", now);
    let out = bare()
        .env("S4E_WEBHOOK_SECRET", "whsec_json")
        .args([
            "webhooks",
            "verify",
            "--signature",
            &signature,
            "-",
            "-o",
            "json",
        ])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    parse(&out.stdout);
    r.ran.insert("webhooks verify".to_owned());

    // The gate (exit 1: the seed has critical findings) and raw calls.
    r.check(&["gate", "--fail-on", "critical"], 1, None);
    r.check(&["api", "GET", "/assets/a-1001"], 0, None);
    let all = r.check(
        &[
            "api",
            "GET",
            "/findings",
            "-f",
            "severity=low",
            "--paginate",
        ],
        0,
        None,
    );
    assert!(all.as_array().unwrap().len() > 1, "{all}");

    let expected: BTreeSet<String> = leaf_commands()
        .into_iter()
        .filter(|command| !NO_JSON.contains(&command.as_str()))
        .filter(|command| !PARSED_IN_WEBHOOKS_TESTS.contains(&command.as_str()))
        .collect();
    assert!(
        expected.len() > 30,
        "the walk found the commands: {expected:?}"
    );
    let missing: Vec<_> = expected.difference(&r.ran).collect();
    assert!(
        missing.is_empty(),
        "commands not run with -o json: {missing:?}"
    );
}
