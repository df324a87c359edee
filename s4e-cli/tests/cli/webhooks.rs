//! `s4e webhooks verify`: a delivery signed with the SDK's `sign` passes, a
//! tampered body or a wrong secret does not.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::{bare, parse};

const SECRET: &str = "whsec_cli_test";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_good_signature_prints_the_event() {
    let body = br#"{"id":"evt-1","event":"finding.new","timestamp":"2026-05-03T10:07:00Z","data":{"id":"f-1","severity":"high"}}"#;
    let header = s4e::webhooks::sign(body, SECRET, now());
    let out = bare()
        .env("S4E_WEBHOOK_SECRET", SECRET)
        .args([
            "webhooks",
            "verify",
            "--signature",
            &header,
            "-",
            "-o",
            "json",
        ])
        .write_stdin(body.to_vec())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let event = parse(&out.stdout);
    assert_eq!(event["event"], "finding.new");
    assert_eq!(event["data"]["id"], "f-1");
}

#[test]
fn a_tampered_body_or_a_wrong_secret_is_rejected() {
    let body = br#"{"id":"evt-2","event":"scan.completed","data":{"id":"sc-1"}}"#;
    let header = s4e::webhooks::sign(body, SECRET, now());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.json");
    std::fs::write(
        &file,
        br#"{"id":"evt-2","event":"scan.completed","data":{"id":"sc-2"}}"#,
    )
    .unwrap();
    let out = bare()
        .args([
            "webhooks",
            "verify",
            "--secret",
            SECRET,
            "--signature",
            &header,
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("delivery rejected: the signature does not match"),
        "{err}"
    );
    assert!(!err.contains(SECRET));

    let out = bare()
        .args([
            "webhooks",
            "verify",
            "--secret",
            "whsec_other",
            "--signature",
            &header,
            "-",
        ])
        .write_stdin(body.to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // A stale signature passes only with a wider tolerance.
    let old = s4e::webhooks::sign(body, SECRET, now() - 3_600);
    let verify = |tolerance: &str| {
        bare()
            .args([
                "webhooks",
                "verify",
                "--secret",
                SECRET,
                "--signature",
                &old,
                "--tolerance",
                tolerance,
            ])
            .write_stdin(body.to_vec())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(verify("300"), Some(1));
    assert_eq!(verify("7200"), Some(0));
}
