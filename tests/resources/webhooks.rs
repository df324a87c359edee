//! Contract tests of the `webhooks` module (`docs/API.md` §4.6): the exact
//! request of every operation and the decoded answer, on the async and the
//! blocking client; and the verification of signed deliveries (§5.1) against
//! known-answer vectors computed outside this SDK.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use s4e::webhooks::{
    self, DEFAULT_TOLERANCE, EventData, EventType, SIGNATURE_HEADER, SignatureError, TestDelivery,
    Webhook,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{
    self, at, json, no_body, on_both_clients, query_is, serve, serve_blocking, verify_blocking,
};

const WEBHOOK: &str = include_str!("fixtures/webhooks/webhook.json");
const WEBHOOK_BARE_UNKNOWN: &str = include_str!("fixtures/webhooks/webhook_bare_unknown.json");
const WEBHOOKS_PAGE: &str = include_str!("fixtures/webhooks/webhooks_page.json");
const TEST_DELIVERY: &str = include_str!("fixtures/webhooks/test_delivery.json");

/// An id with a `/` and a space: each must stay inside one path segment.
const ODD_ID: &str = "wh/0 01";
const ODD_ID_IN_PATH: &str = "wh%2F0%2001";

fn headers() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("X-Env".to_owned(), "prod".to_owned()),
        ("X-Team".to_owned(), "soc".to_owned()),
    ])
}

// ---- list -----------------------------------------------------------------

fn list_mock() -> Mock {
    support::route("GET", "/v1/webhooks")
        .and(query_is("page=2&per_page=2"))
        .and(no_body)
        .respond_with(json(200, WEBHOOKS_PAGE))
        .expect(1)
}

fn check_list(page: &s4e::Page<Webhook>) {
    // `total_count` for `total`; `total_pages` computed.
    assert_eq!(
        (page.total, page.current_page, page.last_page),
        (Some(12), 2, Some(6))
    );
    assert_eq!(page.items[0].id, "wh-001");
    assert!(page.items[0].active);
    assert_eq!(
        page.items[1].events,
        [EventType::ScanFailed, EventType::WebhookTest]
    );
    assert!(!page.items[1].active);
}

on_both_clients!(
    list_sends_only_the_page_parameters,
    mocks(vec![list_mock()]),
    |client| {
        let page = send!(client.webhooks().list().page(2).per_page(2)).expect("list succeeds");
        check_list(&page);
    }
);

// ---- list_auto ------------------------------------------------------------

fn list_auto_mocks() -> Vec<Mock> {
    let first = json!({
        "data": [{ "id": "wh-1", "url": "https://a" }, { "id": "wh-2", "url": "https://b" }],
        "meta": { "total": 3, "page": 1, "per_page": 2 }
    });
    // The last page without `meta`: short, so it ends the list.
    let second = json!({ "data": [{ "id": "wh-3", "url": "https://c" }] });
    vec![
        support::route("GET", "/v1/webhooks")
            .and(query_is("page=1&per_page=2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(first))
            .expect(1),
        support::route("GET", "/v1/webhooks")
            .and(query_is("page=2&per_page=2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(second))
            .expect(1),
    ]
}

on_both_clients!(
    list_auto_walks_every_page,
    mocks(list_auto_mocks()),
    |client| {
        let all: Vec<Webhook> =
            collect!(client.webhooks().list_auto().per_page(2)).expect("every page");
        let ids: Vec<&str> = all.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, ["wh-1", "wh-2", "wh-3"]);
    }
);

// ---- get ------------------------------------------------------------------

pub(crate) fn check_webhook(webhook: &Webhook) {
    assert_eq!(webhook.id, "wh-001");
    assert_eq!(webhook.name, "SOC pipeline");
    assert_eq!(webhook.url, "https://hooks.example.com/s4e");
    assert_eq!(
        webhook.events,
        [
            EventType::FindingNew,
            EventType::ScanCompleted,
            EventType::PlaybookFailed
        ]
    );
    assert!(!webhook.active);
    assert_eq!(webhook.headers, headers());
    assert_eq!(webhook.created_at, Some(at("2026-04-01T08:00:00Z")));
    assert_eq!(webhook.updated_at, Some(at("2026-05-03T10:07:00Z")));
}

#[test]
fn a_bare_webhook_with_a_numeric_id_and_an_unknown_event_decodes() {
    let webhook: Webhook = serde_json::from_str(WEBHOOK_BARE_UNKNOWN).expect("decodes");
    assert_eq!(webhook.id, "7");
    assert_eq!(
        webhook.events,
        [
            EventType::Other("scan.paused".into()),
            EventType::AssetVerified
        ]
    );
    // Left out: active by default, no headers, no times.
    assert!(webhook.active);
    assert!(webhook.headers.is_empty());
    assert_eq!((webhook.created_at, webhook.updated_at), (None, None));
}

// ---- create ---------------------------------------------------------------

fn create_mock() -> Mock {
    support::route("POST", "/v1/webhooks")
        .and(query_is(""))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "name": "SOC pipeline",
            "url": "https://hooks.example.com/s4e",
            "events": ["finding.new", "scan.completed", "playbook.failed"],
            "secret": "whsec_5f1c0ffee",
            "headers": { "X-Env": "prod", "X-Team": "soc" },
            "active": false
        })))
        .respond_with(json(201, WEBHOOK))
        .expect(1)
}

#[tokio::test]
async fn create_sends_every_field() {
    let server = serve(vec![create_mock()]).await;
    let webhook = support::client(&server)
        .webhooks()
        .create(
            "SOC pipeline",
            "https://hooks.example.com/s4e",
            [
                EventType::FindingNew,
                EventType::ScanCompleted,
                EventType::PlaybookFailed,
            ],
        )
        .secret("whsec_5f1c0ffee")
        .headers(headers())
        .active(false)
        .await
        .expect("create succeeds");
    check_webhook(&webhook);
}

#[test]
fn create_blocking() {
    let server = serve_blocking(vec![create_mock()]);
    let webhook = support::blocking_client(&server.server)
        .webhooks()
        .create(
            "SOC pipeline",
            "https://hooks.example.com/s4e",
            ["finding.new", "scan.completed", "playbook.failed"],
        )
        .secret("whsec_5f1c0ffee".to_owned())
        .headers(headers())
        .active(false)
        .send()
        .expect("create succeeds");
    check_webhook(&webhook);
    verify_blocking(&server);
}

#[tokio::test]
async fn create_without_options_sends_only_the_required_fields() {
    let server = serve(vec![
        support::route("POST", "/v1/webhooks")
            .and(body_json(json!({
                "name": "n", "url": "http://127.0.0.1:9000/hook", "events": ["webhook.test"]
            })))
            .respond_with(json(201, WEBHOOK))
            .expect(1),
    ])
    .await;
    support::client(&server)
        .webhooks()
        .create("n", "http://127.0.0.1:9000/hook", [EventType::WebhookTest])
        .await
        .expect("create succeeds");
}

#[test]
fn the_secret_never_shows_in_a_request_debug() {
    let client = s4e::Client::builder("sk_test_debug")
        .build()
        .expect("a client");
    let create = client
        .webhooks()
        .create("n", "https://x", [EventType::ScanFailed])
        .secret("whsec_must_not_leak");
    let update = client
        .webhooks()
        .update("wh-1")
        .secret("whsec_must_not_leak_either");
    for printed in [format!("{create:?}"), format!("{update:?}")] {
        assert!(!printed.contains("whsec_must_not_leak"), "{printed}");
        assert!(printed.contains("WebhookSecret(***)"), "{printed}");
    }
}

// ---- update ---------------------------------------------------------------

fn update_mock() -> Mock {
    support::route("PATCH", format!("/v1/webhooks/{ODD_ID_IN_PATH}"))
        .and(query_is(""))
        .and(body_json(json!({
            "url": "https://hooks.example.com/v2",
            "events": ["finding.status_changed", "action.failed"],
            "secret": "whsec_rotated",
            "active": true
        })))
        .respond_with(json(200, WEBHOOK))
        .expect(1)
}

#[tokio::test]
async fn update_sends_only_the_fields_set() {
    let server = serve(vec![update_mock()]).await;
    let webhook = support::client(&server)
        .webhooks()
        .update(ODD_ID)
        .url("https://hooks.example.com/v2")
        .events([EventType::FindingStatusChanged, EventType::ActionFailed])
        .secret("whsec_rotated")
        .active(true)
        .await
        .expect("update succeeds");
    check_webhook(&webhook);
}

#[test]
fn update_blocking() {
    let server = serve_blocking(vec![update_mock()]);
    let webhook = support::blocking_client(&server.server)
        .webhooks()
        .update(ODD_ID)
        .url("https://hooks.example.com/v2")
        .events(["finding.status_changed", "action.failed"])
        .secret("whsec_rotated")
        .active(true)
        .send()
        .expect("update succeeds");
    check_webhook(&webhook);
    verify_blocking(&server);
}

#[tokio::test]
async fn unknown_event_names_round_trip_unchanged_through_an_update() {
    let decoded: Webhook = serde_json::from_str(WEBHOOK_BARE_UNKNOWN).expect("decodes");
    let server = serve(vec![
        support::route("PATCH", "/v1/webhooks/7")
            .and(body_json(
                json!({ "events": ["scan.paused", "asset.verified"] }),
            ))
            .respond_with(json(200, WEBHOOK_BARE_UNKNOWN))
            .expect(1),
    ])
    .await;
    let updated = support::client(&server)
        .webhooks()
        .update(&decoded.id)
        .events(decoded.events.clone())
        .await
        .expect("update succeeds");
    assert_eq!(updated, decoded);
}

// ---- test -----------------------------------------------------------------

fn test_mock() -> Mock {
    support::route("POST", format!("/v1/webhooks/{ODD_ID_IN_PATH}/test"))
        .and(query_is(""))
        .and(no_body)
        .respond_with(json(200, TEST_DELIVERY))
        .expect(1)
}

fn check_delivery(delivery: TestDelivery) {
    assert!(delivery.delivered);
    assert_eq!(delivery.status_code, Some(204));
}

on_both_clients!(
    test_posts_without_a_body_and_decodes_the_delivery,
    mocks(vec![test_mock()]),
    |client| {
        let delivery = send!(client.webhooks().test(ODD_ID)).expect("test succeeds");
        check_delivery(delivery);
    }
);

#[test]
fn an_undelivered_test_has_no_status_code() {
    let delivery: TestDelivery = serde_json::from_str(r#"{"delivered": false}"#).expect("decodes");
    assert!(!delivery.delivered);
    assert_eq!(delivery.status_code, None);
}

// ---- signature verification -------------------------------------------------

const FINDING_EVENT: &[u8] = include_bytes!("fixtures/webhooks/event_finding_new.json");
const UNKNOWN_EVENT: &[u8] = include_bytes!("fixtures/webhooks/event_unknown.json");
const SECRET: &str = "whsec_5f1c0ffee";
const OLD_SECRET: &str = "whsec_old_rotated";
/// 2026-05-03T10:07:00Z.
const SIGNED_AT: u64 = 1_777_802_820;

// Known answers, computed outside this SDK over the fixture files' bytes:
//
// $ cd tests/resources/fixtures/webhooks
// $ (printf '1777802820.'; cat event_finding_new.json) | openssl dgst -sha256 -hmac whsec_5f1c0ffee
// SHA2-256(stdin)= 572cfed5a562b796d2f8ebb55f63af095c0bc53d061c4af0575a469858cce0b4
// $ (printf '1777802820.'; cat event_finding_new.json) | openssl dgst -sha256 -hmac whsec_old_rotated
// SHA2-256(stdin)= 69aba2c14d6fe284d7b61f6b678868fd8f71903accb9f1f6c275d91e76a6bb51
// $ (printf '1777802820.'; cat event_unknown.json) | openssl dgst -sha256 -hmac whsec_5f1c0ffee
// SHA2-256(stdin)= cdcd7713e0938e0c9a361f3c86c9ce395334f44699aa194bab91e39d9c77f828
//
// Cross-checked with Python:
// $ python3 -c "import hmac,hashlib; b=open('event_finding_new.json','rb').read(); \
//     print(hmac.new(b'whsec_5f1c0ffee', b'1777802820.'+b, hashlib.sha256).hexdigest())"
// 572cfed5a562b796d2f8ebb55f63af095c0bc53d061c4af0575a469858cce0b4
const FINDING_SIG: &str = "572cfed5a562b796d2f8ebb55f63af095c0bc53d061c4af0575a469858cce0b4";
const FINDING_SIG_OLD_SECRET: &str =
    "69aba2c14d6fe284d7b61f6b678868fd8f71903accb9f1f6c275d91e76a6bb51";
const UNKNOWN_SIG: &str = "cdcd7713e0938e0c9a361f3c86c9ce395334f44699aa194bab91e39d9c77f828";

fn seconds(s: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(s)
}

/// One minute after signing: well inside the tolerance.
fn soon() -> SystemTime {
    seconds(SIGNED_AT + 60)
}

fn check(payload: &[u8], header: &str, secret: &str) -> Result<webhooks::Event, SignatureError> {
    webhooks::verify_at(payload, header, secret, DEFAULT_TOLERANCE, soon())
}

#[test]
fn the_header_name_and_default_tolerance_are_the_contract_s() {
    assert_eq!(SIGNATURE_HEADER, "S4E-Signature");
    assert_eq!(DEFAULT_TOLERANCE, Duration::from_secs(300));
}

#[test]
fn sign_matches_the_independently_computed_vectors() {
    assert_eq!(
        webhooks::sign(FINDING_EVENT, SECRET, SIGNED_AT),
        format!("t={SIGNED_AT},v1={FINDING_SIG}")
    );
    assert_eq!(
        webhooks::sign(FINDING_EVENT, OLD_SECRET, SIGNED_AT),
        format!("t={SIGNED_AT},v1={FINDING_SIG_OLD_SECRET}")
    );
    assert_eq!(
        webhooks::sign(UNKNOWN_EVENT, SECRET, SIGNED_AT),
        format!("t={SIGNED_AT},v1={UNKNOWN_SIG}")
    );
}

#[test]
fn a_known_answer_verifies_and_decodes_the_event() {
    let header = format!("t={SIGNED_AT},v1={FINDING_SIG}");
    let event = check(FINDING_EVENT, &header, SECRET).expect("an authentic delivery");
    assert_eq!(event.id, Some("evt-01HX3".into()));
    assert_eq!(event.event_type, EventType::FindingNew);
    assert_eq!(event.timestamp, Some(at("2026-05-03T10:07:00Z")));
    assert_eq!(event.data["scan_id"], json!("sc-44021"));
    let Ok(EventData::Finding(finding)) = event.payload() else {
        panic!("a finding event: {:?}", event.payload());
    };
    assert_eq!(finding.id, "f-91827");
    assert_eq!(finding.severity, s4e::Severity::High);
    assert_eq!(
        finding.asset.as_ref().map(|a| a.id.as_str()),
        Some("a-1001")
    );
}

#[test]
fn uppercase_hex_and_spaces_around_entries_are_accepted() {
    let header = format!(" t = {SIGNED_AT} , v1 = {} ", FINDING_SIG.to_uppercase());
    check(FINDING_EVENT, &header, SECRET).expect("the same signature");
}

#[test]
fn a_tampered_body_is_a_mismatch() {
    let header = format!("t={SIGNED_AT},v1={FINDING_SIG}");
    let mut tampered = FINDING_EVENT.to_vec();
    let at = tampered
        .windows(4)
        .position(|w| w == b"high")
        .expect("the severity");
    tampered[at..at + 4].copy_from_slice(b"info");
    assert_eq!(
        check(&tampered, &header, SECRET),
        Err(SignatureError::Mismatch)
    );
    // One byte more (a re-encoded body with a trailing newline) also fails.
    let mut longer = FINDING_EVENT.to_vec();
    longer.push(b'\n');
    assert_eq!(
        check(&longer, &header, SECRET),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_wrong_secret_is_a_mismatch() {
    let header = format!("t={SIGNED_AT},v1={FINDING_SIG}");
    assert_eq!(
        check(FINDING_EVENT, &header, "whsec_5f1c0ffeE"),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_changed_timestamp_is_a_mismatch() {
    // The timestamp is signed too: moving it to look fresh breaks the MAC.
    let header = format!("t={},v1={FINDING_SIG}", SIGNED_AT + 1);
    assert_eq!(
        check(FINDING_EVENT, &header, SECRET),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn an_empty_secret_is_refused() {
    let header = webhooks::sign(FINDING_EVENT, "", SIGNED_AT);
    assert_eq!(
        check(FINDING_EVENT, &header, ""),
        Err(SignatureError::EmptySecret)
    );
}

#[test]
fn a_stale_timestamp_is_refused_past_the_tolerance() {
    let header = format!("t={SIGNED_AT},v1={FINDING_SIG}");
    let verify_at =
        |now| webhooks::verify_at(FINDING_EVENT, &header, SECRET, DEFAULT_TOLERANCE, now);
    verify_at(seconds(SIGNED_AT + 300)).expect("exactly at the tolerance");
    assert_eq!(
        verify_at(seconds(SIGNED_AT + 301)),
        Err(SignatureError::StaleTimestamp {
            age: Duration::from_secs(301),
            tolerance: DEFAULT_TOLERANCE
        })
    );
    // A tolerance of one hour accepts it.
    webhooks::verify_at(
        FINDING_EVENT,
        &header,
        SECRET,
        Duration::from_secs(3_600),
        seconds(SIGNED_AT + 301),
    )
    .expect("within a longer tolerance");
}

#[test]
fn a_future_timestamp_is_refused_past_the_tolerance() {
    let header = format!("t={SIGNED_AT},v1={FINDING_SIG}");
    let verify_at =
        |now| webhooks::verify_at(FINDING_EVENT, &header, SECRET, DEFAULT_TOLERANCE, now);
    verify_at(seconds(SIGNED_AT - 300)).expect("exactly at the tolerance");
    assert_eq!(
        verify_at(seconds(SIGNED_AT - 301)),
        Err(SignatureError::FutureTimestamp {
            ahead: Duration::from_secs(301),
            tolerance: DEFAULT_TOLERANCE
        })
    );
}

#[test]
fn verify_uses_the_system_clock() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let fresh = webhooks::sign(FINDING_EVENT, SECRET, now);
    webhooks::verify(FINDING_EVENT, &fresh, SECRET).expect("signed just now");
    // The known-answer header is from 2026-05-03: stale or future today.
    let recorded = format!("t={SIGNED_AT},v1={FINDING_SIG}");
    let err = webhooks::verify(FINDING_EVENT, &recorded, SECRET).expect_err("not fresh");
    assert!(
        matches!(
            err,
            SignatureError::StaleTimestamp { .. } | SignatureError::FutureTimestamp { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn malformed_headers_are_told_apart() {
    let sig = FINDING_SIG;
    let cases: &[(&str, String)] = &[
        ("no t=", format!("v1={sig}")),
        ("non-numeric t", format!("t=yesterday,v1={sig}")),
        ("negative t", format!("t=-5,v1={sig}")),
        ("fractional t", format!("t=1777802820.5,v1={sig}")),
        ("empty t", format!("t=,v1={sig}")),
        ("two t", format!("t=1,t={SIGNED_AT},v1={sig}")),
        ("no v1", format!("t={SIGNED_AT}")),
        ("only another scheme", format!("t={SIGNED_AT},v0={sig}")),
        ("bad hex", format!("t={SIGNED_AT},v1={}", "zz".repeat(32))),
        ("short hex", format!("t={SIGNED_AT},v1={}", &sig[..62])),
        ("empty v1", format!("t={SIGNED_AT},v1=")),
        ("garbage", "Bearer abc.def".to_owned()),
        ("semicolons", format!("t={SIGNED_AT};v1={sig}")),
        ("commas only", ",,,".to_owned()),
    ];
    for (what, header) in cases {
        match check(FINDING_EVENT, header, SECRET) {
            Err(SignatureError::MalformedHeader { reason }) => assert!(!reason.is_empty()),
            other => panic!("{what} ({header:?}): expected MalformedHeader, got {other:?}"),
        }
    }
    for empty in ["", "   "] {
        assert_eq!(
            check(FINDING_EVENT, empty, SECRET),
            Err(SignatureError::MissingHeader)
        );
    }
}

#[test]
fn malformed_header_errors_name_the_problem() {
    let reason = |header: &str| match check(FINDING_EVENT, header, SECRET) {
        Err(e @ SignatureError::MalformedHeader { .. }) => e.to_string(),
        other => panic!("{header:?}: {other:?}"),
    };
    assert!(reason(&format!("v1={FINDING_SIG}")).contains("no `t=` timestamp"));
    assert!(reason(&format!("t={SIGNED_AT}")).contains("no `v1=` signature"));
    assert!(reason(&format!("t=x,v1={FINDING_SIG}")).contains("`t` is not a Unix time"));
    assert!(reason(&format!("t={SIGNED_AT},v1={}", "g".repeat(64))).contains("not hex"));
}

#[test]
fn any_matching_v1_is_accepted_while_a_secret_rotates() {
    // Signed with both the new and the old secret; the receiver knows only
    // one of them at a time.
    let header = format!("t={SIGNED_AT},v1={FINDING_SIG_OLD_SECRET},v1={FINDING_SIG}");
    check(FINDING_EVENT, &header, SECRET).expect("the second entry matches the new secret");
    check(FINDING_EVENT, &header, OLD_SECRET).expect("the first entry matches the old secret");
    assert_eq!(
        check(FINDING_EVENT, &header, "whsec_neither"),
        Err(SignatureError::Mismatch)
    );
    // Entries of other schemes in between are ignored.
    let header = format!("t={SIGNED_AT},v0=legacy,v1={FINDING_SIG_OLD_SECRET},v1={FINDING_SIG}");
    check(FINDING_EVENT, &header, SECRET).expect("v0 is ignored");
}

#[test]
fn an_unknown_event_keeps_its_name_and_raw_data() {
    let header = format!("t={SIGNED_AT},v1={UNKNOWN_SIG}");
    let event = check(UNKNOWN_EVENT, &header, SECRET).expect("an authentic delivery");
    assert_eq!(event.id, Some("evt-01HX9".into()));
    assert_eq!(event.event_type, EventType::Other("asset.archived".into()));
    assert_eq!(event.event_type.as_str(), "asset.archived");
    let raw =
        json!({ "asset_id": "a-1001", "reason": "decommissioned", "by": { "user": "alice" } });
    assert_eq!(event.data, raw);
    assert_eq!(
        event.payload().expect("always decodes"),
        EventData::Other(raw)
    );
    // Re-encoding the event keeps the unknown name.
    let encoded = serde_json::to_value(&event).expect("encodes");
    assert_eq!(encoded["event"], json!("asset.archived"));
}

#[test]
fn a_signed_body_that_is_not_an_event_is_an_invalid_payload() {
    for body in [
        &b"not json"[..],
        // No event name (an ID alone is not enough; the SIEM guide's
        // deliveries have a name and no ID, and are accepted).
        br#"{"id":"evt-1","data":{}}"#,
        b"[1,2]",
    ] {
        let header = webhooks::sign(body, SECRET, SIGNED_AT);
        match check(body, &header, SECRET) {
            Err(SignatureError::InvalidPayload { message }) => assert!(!message.is_empty()),
            other => panic!(
                "{:?}: expected InvalidPayload, got {other:?}",
                String::from_utf8_lossy(body)
            ),
        }
        // The signature alone is fine.
        webhooks::verify_signature(body, &header, SECRET, DEFAULT_TOLERANCE, soon())
            .expect("an authentic body");
    }
}

#[test]
fn each_known_event_family_decodes_to_its_model() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "scan.completed",
            json!({ "id": "sc-1", "asset_id": "a-1", "scan_type": "full", "status": "completed" }),
        ),
        (
            "finding.status_changed",
            json!({ "finding_id": "f-1", "old_status": "open", "new_status": "resolved" }),
        ),
        (
            "action.completed",
            json!({ "execution_id": "exec-1", "status": "completed" }),
        ),
        (
            "playbook.failed",
            json!({ "run_id": "run-1", "status": "failed" }),
        ),
        (
            "asset.created",
            json!({ "id": "a-1", "name": "example.com", "type": "domain" }),
        ),
        ("webhook.test", json!({ "message": "hello" })),
    ];
    for (name, data) in cases {
        let body = serde_json::to_vec(&json!({ "id": "evt-1", "event": name, "data": data }))
            .expect("encodes");
        let header = webhooks::sign(&body, SECRET, SIGNED_AT);
        let event = check(&body, &header, SECRET).expect("an authentic delivery");
        let payload = event.payload().unwrap_or_else(|e| panic!("{name}: {e}"));
        let ok = match (&payload, name) {
            (EventData::Scan(scan), "scan.completed") => scan.id == "sc-1",
            (EventData::FindingStatusChanged(change), "finding.status_changed") => {
                change.finding_id == "f-1"
                    && change.old_status == s4e::FindingStatus::Open
                    && change.new_status == s4e::FindingStatus::Resolved
                    && change.finding.is_none()
            }
            (EventData::Action(execution), "action.completed") => execution.id == "exec-1",
            (EventData::Playbook(run), "playbook.failed") => {
                run.status == Some(s4e::playbooks::RunStatus::Failed)
            }
            (EventData::Asset(asset), "asset.created") => asset.domain == "example.com",
            (EventData::Test(raw), "webhook.test") => *raw == data,
            _ => false,
        };
        assert!(ok, "{name}: {payload:?}");
        assert_eq!(event.data, data, "{name}: the raw data is kept");
    }
}

#[test]
fn a_known_event_with_unexpected_data_is_still_accepted() {
    let body = br#"{"id":"evt-2","event":"finding.new","timestamp":"2026-05-03T10:07:00Z","data":{"finding_ref":"f-1"}}"#;
    let header = webhooks::sign(body, SECRET, SIGNED_AT);
    let event = check(body, &header, SECRET).expect("the envelope is valid");
    assert_eq!(event.event_type, EventType::FindingNew);
    let err = event.payload().expect_err("not a finding");
    assert!(err.to_string().contains("missing field"), "{err}");
    assert_eq!(event.data, json!({ "finding_ref": "f-1" }));
}
