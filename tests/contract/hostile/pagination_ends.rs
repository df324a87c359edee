//! Pagination pathologies at the byte level: the shared table
//! (`pathologies.rs`, which the axum server of `pagination_pathologies.rs`
//! plays too) served by the raw-bytes server, one connection per page. Each
//! ends with a typed error (or, for data that shifts while paged, without
//! one), on both clients, at concurrency 1 and 8, within a bound on
//! requests.

use crate::pathologies::{self, Kind, Outcome, Pathology};

use super::server::{Received, Reply, Server};

/// The page number a request asked for (1 when it did not say).
fn asked_page(request: &Received) -> u32 {
    request
        .query("page")
        .map_or(1, |page| page.parse().expect("a page number"))
}

/// One walk over a fresh raw-bytes server playing `pathology`.
fn play(pathology: Pathology, kind: Kind, k: usize) -> Outcome {
    let server = Server::start(move |request| {
        let body = serde_json::to_vec(&pathology.page(asked_page(request)));
        Reply::json(200, body.expect("JSON serializes"))
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (ids, error) = pathologies::walk(&runtime, &server.base_url(), pathology, kind, k);
    let requests = server.requests();
    Outcome {
        ids,
        error,
        requests: requests.len(),
        highest_page: requests.iter().map(asked_page).max().unwrap_or(0),
        max_in_flight: None,
    }
}

pathologies::one_test_per_pathology!("the raw-bytes server", play);
