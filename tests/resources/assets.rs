//! Contract tests of the `assets` module (`docs/API.md` §4.1): every
//! operation on the async and the blocking client, and the tolerant decoding
//! of assets from fixtures.

use s4e::Asset;
use s4e::assets::{AssetStatus, AssetType, NewAsset};
use serde_json::json;
use wiremock::MockServer;
use wiremock::matchers::{body_json, header, header_exists};

use crate::support;

/// Helpers shared by the assets, scans and actions tests.
use crate::support::{
    MountExpecting, at, fixture, header_missing, json, no_body, no_query, on_both_clients,
};

fn asset_json(id: &str) -> serde_json::Value {
    json!({ "id": id, "name": format!("{id}.example.com"), "type": "domain", "status": "active" })
}

// ---------------------------------------------------------------- list

pub(crate) fn check_list(page: &s4e::Page<Asset>) {
    let ids: Vec<&str> = page.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a-1001", "a-1004"]);
    assert_eq!(page.items[1].domain, "shop-eu.example.com");
    assert_eq!(page.items[1].security_score, Some(64));
    assert_eq!(page.total, Some(42));
    assert_eq!(page.current_page, 2);
    assert_eq!(page.last_page, Some(21));
}

// ---------------------------------------------------------------- list_auto

/// An asset on a page `crud::list_auto` walks.
pub(crate) fn list_auto_item(id: &str) -> serde_json::Value {
    asset_json(id)
}

pub(crate) fn check_list_auto(assets: &[Asset]) {
    let ids: Vec<&str> = assets.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a-1", "a-2", "a-3"]);
}

// ---------------------------------------------------------------- get

pub(crate) fn check_detail(asset: &Asset) {
    assert_eq!(asset.id, "a-1001");
    assert_eq!(asset.domain, "shop.example.com");
    assert_eq!(asset.name(), "shop.example.com");
    assert_eq!(asset.asset_type, AssetType::Domain);
    assert_eq!(asset.status, Some(AssetStatus::Active));
    assert!(asset.verified);
    assert_eq!(asset.security_score, Some(72));
    assert_eq!(asset.risk_score(), Some(72));
    assert_eq!(asset.tags, ["prod", "pci"]);
    assert_eq!(asset.description.as_deref(), Some("Checkout front end"));
    assert_eq!(asset.last_scan, Some(at("2026-05-02T22:15:00Z")));
    assert_eq!(asset.created_at, Some(at("2026-01-10T08:00:00Z")));
    assert_eq!(asset.updated_at, Some(at("2026-05-03T10:07:00Z")));
    let metadata = asset.metadata.as_ref().expect("metadata on get");
    assert_eq!(
        metadata.registrar.as_deref(),
        Some("Example Registrar, Inc.")
    );
    assert_eq!(metadata.ip_addresses, ["203.0.113.10", "203.0.113.11"]);
    assert_eq!(metadata.technologies, ["nginx", "React"]);
    let summary = asset.finding_summary.expect("finding_summary on get");
    assert_eq!(
        (
            summary.critical,
            summary.high,
            summary.medium,
            summary.low,
            summary.info
        ),
        (1, 3, 7, 12, 40)
    );
}

// ---------------------------------------------------------------- create

async fn mount_create(server: &MockServer) {
    support::route("POST", "/v1/assets")
        .and(no_query)
        .and(body_json(json!({
            "name": "shop.example.com",
            "type": "domain",
            "tags": ["prod", "pci"],
        })))
        .and(header("content-type", "application/json"))
        .and(header_exists("idempotency-key"))
        .respond_with(json(201, fixture!("assets/asset_created.json")))
        .mount_expecting(server, 1)
        .await;
    support::route("POST", "/v1/assets")
        .and(body_json(json!({ "name": "10.0.0.1", "type": "ip" })))
        .respond_with(json(201, fixture!("assets/asset_created.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_created(asset: &Asset) {
    assert_eq!(asset.id, "a-1003");
    assert_eq!(asset.status, Some(AssetStatus::PendingVerification));
    assert!(!asset.verified);
    assert_eq!(asset.security_score, None);
    assert_eq!(asset.last_scan, None);
}

on_both_clients!(
    create_sends_name_type_and_tags_only_when_set,
    mount(mount_create),
    |client| {
        let asset = send!(
            client
                .assets()
                .create("shop.example.com", AssetType::Domain)
                .tags(["prod", "pci"])
        )
        .expect("create succeeds");
        check_created(&asset);
        send!(client.assets().create("10.0.0.1", AssetType::Ip)).expect("create without tags");
    }
);

// ---------------------------------------------------------------- bulk_create

async fn mount_bulk_create(server: &MockServer) {
    support::route("POST", "/v1/assets/bulk")
        .and(no_query)
        .and(body_json(json!({
            "assets": [
                { "name": "a.example.com", "type": "domain" },
                { "name": "10.0.0.0/24", "type": "network", "tags": ["lab", "eu"] },
            ]
        })))
        .and(header("content-type", "application/json"))
        .respond_with(json(200, fixture!("assets/bulk_result.json")))
        .mount_expecting(server, 1)
        .await;
}

fn bulk_assets() -> Vec<NewAsset> {
    vec![
        NewAsset::new("a.example.com", AssetType::Domain),
        NewAsset::new("10.0.0.0/24", AssetType::Network).tags(["lab", "eu"]),
    ]
}

fn check_bulk(result: &s4e::assets::BulkCreateResult) {
    assert_eq!(result.created.len(), 1);
    assert_eq!(result.created[0].id, "a-3001");
    assert_eq!(result.failed.len(), 1);
    assert_eq!(result.failed[0].name, "10.0.0.0/24");
    assert_eq!(result.failed[0].error, "network already monitored");
}

on_both_clients!(
    bulk_create_sends_the_assets_array,
    mount(mount_bulk_create),
    |client| {
        let result =
            send!(client.assets().bulk_create(bulk_assets())).expect("bulk create succeeds");
        check_bulk(&result);
    }
);

// ---------------------------------------------------------------- update

async fn mount_update(server: &MockServer) {
    support::route("PATCH", "/v1/assets/a%2F1001")
        .and(no_query)
        .and(body_json(
            json!({ "tags": ["prod"], "description": "checkout" }),
        ))
        .and(header("content-type", "application/json"))
        .and(header_missing("idempotency-key"))
        .respond_with(json(200, fixture!("assets/asset_verified.json")))
        .mount_expecting(server, 1)
        .await;
    support::route("PATCH", "/v1/assets/a-7")
        .and(body_json(json!({ "description": "only this" })))
        .respond_with(json(200, fixture!("assets/asset_verified.json")))
        .mount_expecting(server, 1)
        .await;
}

fn check_updated(asset: &Asset) {
    assert_eq!(asset.id, "a/1001");
    assert_eq!(asset.tags, ["prod"]);
    assert_eq!(asset.description.as_deref(), Some("checkout"));
}

on_both_clients!(
    update_sends_only_the_fields_set,
    mount(mount_update),
    |client| {
        let asset = send!(
            client
                .assets()
                .update("a/1001")
                .tags(["prod"])
                .description("checkout")
        )
        .expect("update succeeds");
        check_updated(&asset);
        send!(client.assets().update("a-7").description("only this")).expect("second update");
    }
);

// ---------------------------------------------------------------- verify

async fn mount_verify(server: &MockServer) {
    support::route("POST", "/v1/assets/a%2F1001/verify")
        .and(no_query)
        .and(no_body)
        .and(header_missing("content-type"))
        .respond_with(json(200, fixture!("assets/asset_verified.json")))
        .mount_expecting(server, 1)
        .await;
}

#[tokio::test]
async fn verify_posts_without_a_body() {
    let server = support::server().await;
    mount_verify(&server).await;
    let asset = support::client(&server)
        .assets()
        .verify("a/1001")
        .await
        .expect("verify succeeds");
    assert!(asset.verified);
    assert_eq!(asset.id, "a/1001");
}

#[test]
fn verify_posts_without_a_body_blocking() {
    let bs = support::blocking_server();
    bs.runtime.block_on(mount_verify(&bs.server));
    let asset = support::blocking_client(&bs.server)
        .assets()
        .verify("a/1001")
        .send()
        .expect("verify succeeds");
    assert!(asset.verified);
}

#[tokio::test]
async fn verify_is_retried_after_a_server_error_as_it_is_idempotent() {
    let server = support::server().await;
    support::route("POST", "/v1/assets/a-1/verify")
        .respond_with(support::sequence([
            wiremock::ResponseTemplate::new(503),
            json(200, fixture!("assets/asset_verified.json")),
        ]))
        .mount_expecting(&server, 2)
        .await;
    let asset = support::client(&server)
        .assets()
        .verify("a-1")
        .await
        .expect("retried");
    assert!(asset.verified);
}

// ---------------------------------------------------------------- decoding

/// Answers `GET /v1/assets/{id}` with a fixture and decodes it.
async fn decode_get(body: &str) -> Asset {
    let server = support::server().await;
    support::route("GET", "/v1/assets/x")
        .respond_with(json(200, body))
        .mount_expecting(&server, 1)
        .await;
    support::client(&server)
        .assets()
        .get("x")
        .await
        .expect("decodes")
}

#[tokio::test]
async fn decodes_a_bare_object_with_hostname_security_score_and_a_numeric_id() {
    let asset = decode_get(fixture!("assets/asset_hostname_bare.json")).await;
    assert_eq!(asset.id, "1001");
    assert_eq!(asset.domain, "api.example.com");
    assert_eq!(asset.asset_type, AssetType::Url);
    assert_eq!(asset.status, Some(AssetStatus::Inactive));
    assert_eq!(asset.security_score, Some(18));
    assert_eq!(asset.last_scan, None);
    assert_eq!(asset.created_at, Some(at("2026-02-01T12:30:00Z")));
    assert_eq!(asset.metadata, None);
}

#[tokio::test]
async fn decodes_domain_spelling_and_ignores_a_sibling_status() {
    let asset = decode_get(fixture!("assets/asset_domain_spelling.json")).await;
    assert_eq!(asset.id, "a-1002");
    assert_eq!(asset.domain, "mail.example.com");
    assert_eq!(asset.security_score, Some(55));
    assert_eq!(asset.status, None);
    assert!(asset.tags.is_empty());
}

#[tokio::test]
async fn keeps_unknown_enum_values_and_ignores_unknown_fields() {
    let asset = decode_get(fixture!("assets/asset_unknown_values.json")).await;
    assert_eq!(asset.asset_type, AssetType::Other("container".into()));
    assert_eq!(asset.status, Some(AssetStatus::Other("archived".into())));
    assert_eq!(
        serde_json::to_value(&asset.asset_type).unwrap(),
        json!("container")
    );
    assert_eq!(
        serde_json::to_value(asset.status.as_ref().unwrap()).unwrap(),
        json!("archived")
    );
    assert_eq!(asset.asset_type.to_string(), "container");
    let metadata = asset.metadata.expect("metadata");
    assert_eq!(metadata.registrar, None);
    assert_eq!(metadata.technologies, ["docker"]);
    assert_eq!(asset.finding_summary.expect("summary").info, 2);
}

#[tokio::test]
async fn decodes_a_page_with_total_count_and_mixed_spellings() {
    let server = support::server().await;
    support::route("GET", "/v1/assets")
        .respond_with(json(200, fixture!("assets/assets_page_total_count.json")))
        .mount_expecting(&server, 1)
        .await;
    let page = support::client(&server)
        .assets()
        .list()
        .await
        .expect("decodes");
    assert_eq!(page.total, Some(45));
    assert_eq!(page.last_page, Some(3));
    assert_eq!(page.items[0].domain, "one.example.com");
    assert_eq!(page.items[1].domain, "10.0.0.0/24");
    assert_eq!(page.items[1].asset_type, AssetType::Network);
    assert_eq!(page.items[1].security_score, Some(3));
}

#[tokio::test]
async fn a_missing_required_field_is_a_decode_error_naming_it() {
    let server = support::server().await;
    support::route("GET", "/v1/assets/x")
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
            "data": { "id": "a-1", "type": "domain" }
        })))
        .mount_expecting(&server, 1)
        .await;
    let err = support::client(&server)
        .assets()
        .get("x")
        .await
        .expect_err("no name");
    match err {
        s4e::Error::Decode(decode) => assert!(decode.to_string().contains("name"), "{decode}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}
