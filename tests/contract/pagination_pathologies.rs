//! Auto-pagination against servers whose pages make no sense, and against a
//! list that changes while it is walked: every walk ends, with the right
//! error, after a bounded number of requests, on both clients, one page at a
//! time and eight at once (issue "Hardening", section 1).
//!
//! The server is a small axum app (one per walk) that answers
//! `GET /v1/findings?page=` as the [`Pathology`] of the shared table
//! (`pathologies.rs`, which the raw-bytes server of
//! `hostile/pagination_ends.rs` plays too) and counts the requests, the
//! highest page asked for and the requests in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};

use crate::pathologies::{self, Kind, Outcome, Pathology};

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    highest_page: AtomicU32,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

struct Server {
    pathology: Pathology,
    counters: Counters,
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: u32,
}

async fn list(State(server): State<Arc<Server>>, Query(q): Query<PageQuery>) -> Response {
    let counters = &server.counters;
    counters.requests.fetch_add(1, Ordering::SeqCst);
    counters.highest_page.fetch_max(q.page, Ordering::SeqCst);
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::task::yield_now().await;
    counters.in_flight.fetch_sub(1, Ordering::SeqCst);
    Json(server.pathology.page(q.page)).into_response()
}

async fn serve(pathology: Pathology) -> (String, Arc<Server>) {
    let server = Arc::new(Server {
        pathology,
        counters: Counters::default(),
    });
    let app = Router::new()
        .route("/v1/findings", get(list))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1"), server)
}

/// One walk over a fresh axum server playing `pathology`, which runs on the
/// async walk's runtime.
fn play(pathology: Pathology, kind: Kind, k: usize) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (url, server) = runtime.block_on(serve(pathology));
    let (ids, error) = pathologies::walk(&runtime, &url, pathology, kind, k);
    let counters = &server.counters;
    Outcome {
        ids,
        error,
        requests: counters.requests.load(Ordering::SeqCst),
        highest_page: counters.highest_page.load(Ordering::SeqCst),
        max_in_flight: Some(counters.max_in_flight.load(Ordering::SeqCst)),
    }
}

pathologies::one_test_per_pathology!("an axum server", play);
