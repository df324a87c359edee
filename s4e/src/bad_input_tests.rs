//! Property tests: arbitrary bytes and arbitrary JSON fed to every decoder the
//! network can reach give a value or a typed error, never a panic.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::http::decode::{ErrorContext, decode_json, decode_page, parse_error_body};
use crate::page::PageRequest;
use crate::wire::RawResponse;

/// Field names the models use, so arbitrary objects reach their decoders'
/// interesting paths instead of being ignored as unknown fields.
const KEYS: &[&str] = &[
    "data",
    "meta",
    "total",
    "total_count",
    "page",
    "per_page",
    "total_pages",
    "id",
    "scan_id",
    "name",
    "domain",
    "hostname",
    "type",
    "status",
    "severity",
    "cvss",
    "asset",
    "title",
    "risk_score",
    "security_score",
    "tags",
    "created_at",
    "discovered_at",
    "updated_at",
    "progress",
    "steps",
    "events",
    "error",
    "code",
    "message",
    "details",
    "retry_after",
    "field",
    "execution_id",
    "run_id",
    "parameters",
    "output",
    "valid",
    "errors",
    "warnings",
    "event",
    "timestamp",
    "created",
    "failed",
    "verified",
    "metadata",
    "finding_summary",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "[a-z_\\-0-9:T.Z]{0,24}".prop_map(Value::String),
        Just(Value::String("2026-05-03T10:07:00Z".into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn raw(body: &[u8]) -> RawResponse<'_> {
    RawResponse {
        status: 200,
        body,
        request_id: Some("req-prop"),
        page: Some(PageRequest::new(1, Some(20))),
    }
}

/// Every model a response can decode to, single and paged.
fn decode_everything(body: &[u8]) {
    macro_rules! each {
        ($($ty:ty),* $(,)?) => {$(
            let _ = decode_json::<$ty>(raw(body));
            let _ = decode_page::<$ty>(raw(body));
        )*};
    }
    each!(
        crate::Finding,
        crate::Asset,
        crate::resources::assets::BulkCreateResult,
        crate::Scan,
        crate::resources::scans::ScanProgress,
        crate::Action,
        crate::ActionExecution,
        crate::resources::actions::ValidationReport,
        crate::Playbook,
        crate::PlaybookRun,
        crate::Webhook,
        crate::resources::webhooks::TestDelivery,
        crate::Event,
        serde_json::Value,
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoders_survive_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&body);
    }

    #[test]
    fn decoders_survive_arbitrary_json(value in json()) {
        let body = serde_json::to_vec(&value).unwrap();
        decode_everything(&body);
        let enveloped = serde_json::to_vec(&serde_json::json!({"data": value})).unwrap();
        decode_everything(&enveloped);
    }

    #[test]
    fn error_bodies_always_give_an_api_error(
        status in 300u16..600,
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
            json().prop_map(|v| serde_json::to_vec(&serde_json::json!({"error": v})).unwrap()),
        ],
    ) {
        let error = parse_error_body(status, &body, ErrorContext::default());
        prop_assert_eq!(error.status(), status);
        prop_assert!(error.message().len() <= 1024);
    }

    #[test]
    fn signature_headers_never_panic(
        header in prop_oneof![
            ".{0,80}",
            prop::collection::vec(
                prop_oneof![
                    "t=[0-9]{0,12}",
                    "t=[^,]{0,8}",
                    "v1=[0-9a-f]{0,70}",
                    "v1=.{0,10}",
                    "v0=[0-9a-f]{64}",
                    "[a-z0-9=]{0,6}",
                ],
                0..5,
            )
            .prop_map(|parts| parts.join(",")),
        ],
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let _ = crate::resources::webhooks::verify(&body, &header, "whsec_prop");
    }
}
