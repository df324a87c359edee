//! The cases every resource shares (get one, delete one, list without
//! filters), written once as a generic body per operation and listed once
//! per resource in the table below. Each resource × operation × client stays
//! its own test (`crud::<resource>::<operation>::{async_client,
//! blocking_client}`), and each failure names its case.
//!
//! What only one resource does (its filters, its create and update bodies,
//! its waits) stays in that resource's module.

use wiremock::matchers::header;
use wiremock::{MockBuilder, ResponseTemplate};

use crate::support::{
    self, KEY, fixture, header_missing, json, no_body, no_query, on_both_clients,
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
