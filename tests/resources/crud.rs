//! The cases every resource shares (get one, delete one, list without
//! filters), written once as a generic body per operation and listed once
//! per resource in the table below. Each resource × operation × client stays
//! its own test (`crud::<resource>::<operation>::{async_client,
//! blocking_client}`), and each failure names its case.
//!
//! What only one resource does (its filters, its create and update bodies,
//! its waits) stays in that resource's module.

use wiremock::matchers::header;

use crate::support::{
    self, KEY, fixture, header_missing, json, no_body, no_query, on_both_clients,
};

/// `GET <item path>` answered with `$body`, and a client's `get($id)` decoded
/// and checked by `$check`: the id is percent-encoded into one path segment,
/// the request carries the key and neither a body, a query, a content type
/// nor an idempotency key.
macro_rules! get_case {
    ($resource:ident, $body:expr, $check:path) => {
        on_both_clients!(
            get_percent_encodes_the_id_and_decodes_it,
            mocks(vec![
                support::route("GET", ITEM_PATH)
                    .and(no_query)
                    .and(no_body)
                    .and(header("authorization", format!("Bearer {KEY}").as_str()))
                    .and(header_missing("content-type"))
                    .and(header_missing("idempotency-key"))
                    .respond_with(json(200, $body))
                    .expect(1)
            ]),
            |client| {
                let item = send!(client.$resource().get(ID))
                    .unwrap_or_else(|error| panic!("{}: get: {error}", stringify!($resource)));
                $check(&item);
            }
        );
    };
}

/// `DELETE <item path>` answered with 204 and no body: a client's
/// `delete($id)` sends neither a body, a query nor a content type.
macro_rules! delete_case {
    ($resource:ident) => {
        on_both_clients!(
            delete_sends_no_body_and_accepts_204,
            mocks(vec![
                support::route("DELETE", ITEM_PATH)
                    .and(no_query)
                    .and(no_body)
                    .and(header_missing("content-type"))
                    .respond_with(wiremock::ResponseTemplate::new(204))
                    .expect(1)
            ]),
            |client| {
                let () = send!(client.$resource().delete(ID))
                    .unwrap_or_else(|error| panic!("{}: delete: {error}", stringify!($resource)));
            }
        );
    };
}

/// `GET <list path>` without a query string answered with the page `$body`
/// of `$items` items: a client's `list()` without filters sends no query.
macro_rules! list_without_filters_case {
    ($resource:ident, $body:expr, $items:expr) => {
        on_both_clients!(
            list_without_filters_sends_no_query,
            mocks(vec![
                support::route("GET", LIST_PATH)
                    .and(no_query)
                    .respond_with(json(200, $body))
                    .expect(1)
            ]),
            |client| {
                let page = send!(client.$resource().list())
                    .unwrap_or_else(|error| panic!("{}: list: {error}", stringify!($resource)));
                assert_eq!(
                    page.items.len(),
                    $items,
                    "{}: the items of the page",
                    stringify!($resource)
                );
            }
        );
    };
}

// ---------------------------------------------------------------- the table

mod actions {
    use super::*;

    const LIST_PATH: &str = "/v1/actions";
    const ID: &str = "act/block-ip";
    const ITEM_PATH: &str = "/v1/actions/act%2Fblock-ip";

    list_without_filters_case!(actions, fixture!("actions/actions_page.json"), 2);
    get_case!(
        actions,
        fixture!("actions/action.json"),
        crate::actions::check_action
    );
    delete_case!(actions);
}

mod assets {
    use super::*;

    const LIST_PATH: &str = "/v1/assets";
    const ID: &str = "a/1001";
    const ITEM_PATH: &str = "/v1/assets/a%2F1001";

    list_without_filters_case!(assets, fixture!("assets/assets_page.json"), 2);
    get_case!(
        assets,
        fixture!("assets/asset_detail.json"),
        crate::assets::check_detail
    );
    delete_case!(assets);
}

mod scans {
    use super::*;

    const LIST_PATH: &str = "/v1/scans";
    const ID: &str = "sc/44021";
    const ITEM_PATH: &str = "/v1/scans/sc%2F44021";

    list_without_filters_case!(scans, fixture!("scans/scans_page.json"), 2);
    get_case!(
        scans,
        fixture!("scans/scan.json"),
        crate::scans::check_full_scan
    );
}

mod playbooks {
    use super::*;

    const LIST_PATH: &str = "/v1/playbooks";
    const ID: &str = "pb/tls expiry";
    const ITEM_PATH: &str = "/v1/playbooks/pb%2Ftls%20expiry";

    list_without_filters_case!(playbooks, fixture!("playbooks/playbooks_page.json"), 2);
    get_case!(
        playbooks,
        fixture!("playbooks/playbook_detail.json"),
        crate::playbooks::check_detail
    );
    delete_case!(playbooks);
}

mod webhooks {
    use super::*;

    const LIST_PATH: &str = "/v1/webhooks";
    const ID: &str = "wh/0 01";
    const ITEM_PATH: &str = "/v1/webhooks/wh%2F0%2001";

    list_without_filters_case!(webhooks, fixture!("webhooks/webhooks_page.json"), 2);
    get_case!(
        webhooks,
        fixture!("webhooks/webhook.json"),
        crate::webhooks::check_webhook
    );
    delete_case!(webhooks);
}
