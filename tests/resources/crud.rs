//! The cases every resource shares (get one, delete one, list without
//! filters), written once as a generic body per operation and listed once
//! per resource in the table below. Each resource × operation × client stays
//! its own test (`crud::<resource>::<operation>::{async_client,
//! blocking_client}`), and each failure names its case.
//!
//! What only one resource does (its filters, its create and update bodies,
//! its waits) stays in that resource's module.

use serde_json::{Value, json};
use wiremock::matchers::{header, query_param};
use wiremock::{Mock, MockBuilder, Request, ResponseTemplate};

use crate::support::{
    self, KEY, fixture, header_missing, json, no_body, no_query, on_both_clients, query_count,
};

/// A `verb` request to `path` carrying neither a query, a body nor a
/// content type.
fn bare_request(verb: &str, path: &str) -> MockBuilder {
    support::route(verb, path)
        .and(no_query)
        .and(no_body)
        .and(header_missing("content-type"))
}

/// One case on both clients: the server expects `$mock` once, the client
/// sends `client.$resource().$operation(..)` and `$check` gets what it
/// answered, bound to `$answer`; a failed call names its case.
macro_rules! case {
    ($name:ident, $mock:expr, $resource:ident.$operation:ident($($id:expr)?), |$answer:ident| $check:block) => {
        on_both_clients!($name, mocks(vec![$mock.expect(1)]), |client| {
            let $answer = send!(client.$resource().$operation($($id)?)).unwrap_or_else(|error| {
                panic!("{}: {}: {error}", stringify!($resource), stringify!($operation))
            });
            $check
        });
    };
}

/// `GET <item path>` answered with `$body`, and a client's `get(ID)` decoded
/// and checked by `$check`: the id is percent-encoded into one path segment,
/// the request carries the key and no idempotency key.
macro_rules! get_case {
    ($resource:ident, $body:expr, $check:path) => {
        case!(
            get_percent_encodes_the_id_and_decodes_it,
            bare_request("GET", ITEM_PATH)
                .and(header("authorization", format!("Bearer {KEY}").as_str()))
                .and(header_missing("idempotency-key"))
                .respond_with(json(200, $body)),
            $resource.get(ID),
            |item| {
                $check(&item);
            }
        );
    };
}

/// `DELETE <item path>` answered with 204 and no body: a client's
/// `delete(ID)` accepts it.
macro_rules! delete_case {
    ($resource:ident, delete) => {
        case!(
            delete_sends_no_body_and_accepts_204,
            bare_request("DELETE", ITEM_PATH).respond_with(ResponseTemplate::new(204)),
            $resource.delete(ID),
            |answer| {
                let () = answer;
            }
        );
    };
}

/// `GET <list path>` without a query string answered with the page `$body`
/// of `$items` items: a client's `list()` without filters sends no query.
macro_rules! list_without_filters_case {
    ($resource:ident, $body:expr, $items:expr) => {
        case!(
            list_without_filters_sends_no_query,
            bare_request("GET", LIST_PATH).respond_with(json(200, $body)),
            $resource.list(),
            |page| {
                let items = page.items.len();
                assert_eq!(
                    items,
                    $items,
                    "{}: the items of the page",
                    stringify!($resource)
                );
            }
        );
    };
}

/// `list()` narrowed by `$filters` sends each of the query parameters
/// `$query` once and nothing else, asks for JSON without a content type or
/// an idempotency key, and decodes the resource's page fixture, checked by
/// its `check_list`. Each row becomes the module `crud::list::<resource>`.
macro_rules! list_case {
    ($resource:ident [$($filter:tt)*] [$(($name:literal, $value:literal)),* $(,)?]) => {
        mod $resource {
            use super::*;

            on_both_clients!(
                list_sends_every_filter_once,
                mocks(vec![
                    support::route("GET", concat!("/v1/", stringify!($resource)))
                        $(.and(query_param($name, $value)))*
                        .and(query_count([$($name),*].len()))
                        .and(no_body)
                        .and(header("accept", "application/json"))
                        .and(header_missing("content-type"))
                        .and(header_missing("idempotency-key"))
                        .respond_with(json(
                            200,
                            fixture!(concat!(stringify!($resource), "/", stringify!($resource), "_page.json")),
                        ))
                        .expect(1)
                ]),
                |client| {
                    let page = send!(client.$resource().list() $($filter)*)
                        .unwrap_or_else(|error| panic!("{}: list: {error}", stringify!($resource)));
                    crate::$resource::check_list(&page);
                }
            );
        }
    };
}

mod list {
    use super::*;
    use s4e::SortOrder;
    use s4e::actions::ActionType;
    use s4e::assets::{AssetSortBy, AssetStatus, AssetType};
    use s4e::scans::{ScanStatus, ScanType};

    list_case!(actions [.action_type(ActionType::Remediation).search("block ip").page(1).per_page(20)]
        [("type", "remediation"), ("search", "block ip"), ("page", "1"), ("per_page", "20")]);
    list_case!(assets [.asset_type(AssetType::Domain).status(AssetStatus::Active).tag("prod").search("shop & co/eu")
            .sort_by(AssetSortBy::RiskScore).sort_order(SortOrder::Asc).page(2).per_page(2)]
        [("type", "domain"), ("status", "active"), ("tag", "prod"), ("search", "shop & co/eu"),
            ("sort_by", "risk_score"), ("sort_order", "asc"), ("page", "2"), ("per_page", "2")]);
    list_case!(scans [.status(ScanStatus::Completed).asset_id("a-1001").scan_type(ScanType::ApiDiscovery)
            .from(support::at("2026-05-01T00:00:00Z")).to(support::at("2026-05-03T10:07:00Z")).page(3).per_page(5)]
        [("status", "completed"), ("asset_id", "a-1001"), ("scan_type", "api_discovery"),
            ("from", "2026-05-01T00:00:00Z"), ("to", "2026-05-03T10:07:00Z"), ("page", "3"), ("per_page", "5")]);
}

/// The two pages a `list_auto()` narrowed by the query `filters` walks at
/// two items a page: each asked for once with exactly
/// `<filters>&page=N&per_page=2` and answered with its `items`.
fn two_pages(path: &'static str, filters: &str, pages: [Value; 2]) -> Vec<Mock> {
    pages
        .into_iter()
        .zip(1..)
        .map(|(items, number)| {
            let query = format!("{filters}&page={number}&per_page=2");
            support::route("GET", path)
                .and(move |request: &Request| request.url.query() == Some(query.as_str()))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(support::page(items, number, 2, 3)),
                )
                .expect(1)
        })
        .collect()
}

/// `list_auto()` narrowed by `$filters` (sent as the query `$query`) walks
/// two pages holding the items `$ids` (made by the resource's
/// `list_auto_item`) and yields them in order, checked by its
/// `check_list_auto`.
macro_rules! list_auto_case {
    ($resource:ident: $item:ty, $query:literal [$($filter:tt)*] [$first:literal, $second:literal, $third:literal]) => {
        mod $resource {
            use super::*;
            use crate::$resource::{check_list_auto, list_auto_item};

            on_both_clients!(
                list_auto_walks_every_page_with_the_filters,
                mocks(two_pages(
                    concat!("/v1/", stringify!($resource)),
                    $query,
                    [json!([list_auto_item($first), list_auto_item($second)]), json!([list_auto_item($third)])],
                )),
                |client| {
                    let all: Vec<$item> = collect!(client.$resource().list_auto() $($filter)* .per_page(2))
                        .unwrap_or_else(|error| panic!("{}: list_auto: {error}", stringify!($resource)));
                    check_list_auto(&all);
                }
            );
        }
    };
}

/// One row per resource whose walk takes filters: its name, its item type,
/// the query its filters make, the filters, the ids on its two pages. Each
/// row becomes the module `crud::list_auto::<resource>`.
mod list_auto {
    use super::*;

    list_auto_case!(actions: s4e::actions::Action, "type=notification" [.action_type(s4e::actions::ActionType::Notification)] ["act-1", "act-2", "act-3"]);
    list_auto_case!(assets: s4e::Asset, "type=ip&tag=prod" [.tag("prod").asset_type(s4e::assets::AssetType::Ip)] ["a-1", "a-2", "a-3"]);
    list_auto_case!(scans: s4e::scans::Scan, "status=running" [.status(s4e::scans::ScanStatus::Running)] ["sc-1", "sc-2", "sc-3"]);
    list_auto_case!(playbooks: s4e::playbooks::Playbook, "tag=prod" [.tag("prod")] ["pb-1", "pb-2", "pb-3"]);
}

// ---------------------------------------------------------------- the table

/// Every resource's page fixture (`<resource>/<resource>_page.json`) holds
/// two items.
const PAGE_ITEMS: usize = 2;

/// One row per resource: its name (its list path `/v1/<resource>` and its
/// accessor on both clients), an id as a caller gives it `=>` that id as it
/// must stand in the path, the fixture `get` answers with and the check of
/// its decoding, and `delete` where the resource has one. Each row becomes
/// the module `crud::<resource>`.
macro_rules! crud_table {
    ($($resource:ident: $id:literal => $id_in_path:literal, $item:literal, $check:path $(, $delete:ident)?;)*) => {
        $(
            mod $resource {
                use super::*;

                const ID: &str = $id;
                const LIST_PATH: &str = concat!("/v1/", stringify!($resource));
                const ITEM_PATH: &str = concat!("/v1/", stringify!($resource), "/", $id_in_path);

                list_without_filters_case!(
                    $resource,
                    fixture!(concat!(stringify!($resource), "/", stringify!($resource), "_page.json")),
                    PAGE_ITEMS
                );
                get_case!($resource, fixture!($item), $check);
                $(delete_case!($resource, $delete);)?
            }
        )*
    };
}

crud_table! {
    actions:   "act/block-ip"  => "act%2Fblock-ip",    "actions/action.json",            crate::actions::check_action,    delete;
    assets:    "a/1001"        => "a%2F1001",          "assets/asset_detail.json",       crate::assets::check_detail,     delete;
    scans:     "sc/44021"      => "sc%2F44021",        "scans/scan.json",                crate::scans::check_full_scan;
    playbooks: "pb/tls expiry" => "pb%2Ftls%20expiry", "playbooks/playbook_detail.json", crate::playbooks::check_detail,  delete;
    webhooks:  "wh/0 01"       => "wh%2F0%2001",       "webhooks/webhook.json",          crate::webhooks::check_webhook,  delete;
}
