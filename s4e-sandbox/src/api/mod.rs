//! The `/v1` API of API.md §4: routes, envelopes, errors, input checks and
//! pagination.

pub(crate) mod check;
pub(crate) mod envelope;
pub(crate) mod error;
pub(crate) mod page;
pub(crate) mod query;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::resources::{actions, assets, findings, playbooks, scans, webhooks};
use crate::state::Shared;

/// Every endpoint of API.md §4, relative to `/v1`.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/assets", get(assets::list).post(assets::create))
        .route("/assets/bulk", post(assets::bulk))
        .route(
            "/assets/{id}",
            get(assets::get)
                .patch(assets::update)
                .delete(assets::delete),
        )
        .route("/assets/{id}/verify", post(assets::verify))
        .route("/scans", get(scans::list).post(scans::create))
        .route("/scans/{id}", get(scans::get))
        .route("/scans/{id}/status", get(scans::status))
        .route("/scans/{id}/cancel", post(scans::cancel))
        .route("/findings", get(findings::list))
        .route("/findings/export", post(findings::export))
        .route("/findings/{id}", get(findings::get).patch(findings::update))
        .route("/actions", get(actions::list).post(actions::create))
        .route("/actions/validate", post(actions::validate))
        .route(
            "/actions/{id}",
            get(actions::get)
                .patch(actions::update)
                .delete(actions::delete),
        )
        .route("/actions/{id}/trigger", post(actions::trigger))
        .route(
            "/actions/{id}/executions/{execution_id}",
            get(actions::execution),
        )
        .route("/playbooks", get(playbooks::list).post(playbooks::create))
        .route(
            "/playbooks/{id}",
            get(playbooks::get)
                .patch(playbooks::update)
                .delete(playbooks::delete),
        )
        .route("/playbooks/{id}/run", post(playbooks::run))
        .route("/playbooks/{id}/runs/{run_id}", get(playbooks::run_status))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{id}",
            get(webhooks::get)
                .patch(webhooks::update)
                .delete(webhooks::delete),
        )
        .route("/webhooks/{id}/test", post(webhooks::test))
}
