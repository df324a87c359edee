//! The controls over HTTP, under `/__sandbox/` (a prefix the SDK never uses).
//! No key is needed; every answer is `{"data": ...}` or the error envelope.
//!
//! | Method, path | Body or query | Does |
//! |---|---|---|
//! | `GET /__sandbox` | | base URL, keys, this list |
//! | `GET /__sandbox/requests` | q: `method`, `path` | the request log |
//! | `DELETE /__sandbox/requests` | | empties it |
//! | `GET /__sandbox/requests/count` | q: `method`, `path` | `{"count": n}` |
//! | `GET /__sandbox/faults` | | pending faults |
//! | `POST /__sandbox/faults` | `{"kind", "status"?, "delay_ms"?, "times"?, "method"?, "path"?}` | injects one |
//! | `DELETE /__sandbox/faults` | | clears them |
//! | `GET /__sandbox/settings` | | `scan_speed`, `latency_ms`, `rate_limit`, `endpoint_limits` (`scan_create`, `findings_export`) |
//! | `PATCH /__sandbox/settings` | any of those, or `documented_limits: true` | changes them (a limit of `null` lifts it) |
//! | `GET /__sandbox/clock` | | `now`, `paused` |
//! | `POST /__sandbox/clock/advance` | `{"seconds": n}` | moves the clock forward |
//! | `POST /__sandbox/clock/pause`, `/resume` | | stops or restarts real time |
//! | `GET /__sandbox/deliveries` | | webhook deliveries |
//! | `POST /__sandbox/deliveries/{id}/redeliver` | | sends a recorded delivery again, signed anew |
//! | `POST /__sandbox/reset` | | back to the seed data and start settings |

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::api::check::{Check, Object, json_object};
use crate::api::envelope::{data, ok};
use crate::api::error::{ApiError, ApiResult};
use crate::api::query::Query;
use crate::controls::{Controls, Fault, FaultKind, LimitedEndpoint, path_matches};
use crate::state::{Shared, ts};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(index))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/requests/count", get(count))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/settings", get(settings).patch(update_settings))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route("/clock/pause", post(pause))
        .route("/clock/resume", post(resume))
        .route("/deliveries", get(deliveries))
        .route("/deliveries/{id}/redeliver", post(redeliver))
        .route("/reset", post(reset))
}

fn controls(shared: Arc<Shared>) -> Controls {
    Controls { shared }
}

async fn index(State(sh): State<Arc<Shared>>) -> ApiResult {
    Ok(ok(json!({
        "api_key": sh.config.api_key,
        "read_only_key": sh.config.read_only_key,
        "seed": sh.config.seed,
        "routes": [
            "GET|DELETE /__sandbox/requests", "GET /__sandbox/requests/count",
            "GET|POST|DELETE /__sandbox/faults", "GET|PATCH /__sandbox/settings",
            "GET /__sandbox/clock", "POST /__sandbox/clock/advance",
            "POST /__sandbox/clock/pause", "POST /__sandbox/clock/resume",
            "GET /__sandbox/deliveries", "POST /__sandbox/deliveries/{id}/redeliver",
            "POST /__sandbox/reset",
        ],
    })))
}

fn log_filter(raw: Option<&str>) -> (Option<String>, Option<String>) {
    let q = Query::parse(raw);
    (
        q.get("method").map(str::to_string),
        q.get("path").map(str::to_string),
    )
}

async fn requests(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let (method, path) = log_filter(raw.as_deref());
    let records: Vec<Value> = controls(sh)
        .requests()
        .into_iter()
        .filter(|r| {
            method
                .as_deref()
                .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
        })
        .filter(|r| path.as_deref().is_none_or(|p| path_matches(p, &r.path)))
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect();
    Ok(ok(json!(records)))
}

async fn clear_requests(State(sh): State<Arc<Shared>>) -> ApiResult {
    controls(sh).clear_requests();
    Ok(ok(json!({ "cleared": true })))
}

async fn count(State(sh): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> ApiResult {
    let (method, path) = log_filter(raw.as_deref());
    let n = controls(sh)
        .requests()
        .iter()
        .filter(|r| {
            method
                .as_deref()
                .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
        })
        .filter(|r| path.as_deref().is_none_or(|p| path_matches(p, &r.path)))
        .count();
    Ok(ok(json!({ "count": n })))
}

async fn faults(State(sh): State<Arc<Shared>>) -> ApiResult {
    let list: Vec<Value> = controls(sh).faults().iter().map(Fault::to_json).collect();
    Ok(ok(json!(list)))
}

const KINDS: &str = "status, html, drop_before_headers, drop_after_headers, truncated_body, delay";

async fn add_fault(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let kind = check.req_string(&obj, "kind");
    let status = check.opt_int(&obj, "status", 100, 599).map(|s| s as u16);
    let delay_ms = check
        .opt_int(&obj, "delay_ms", 0, 3_600_000)
        .map(|d| d as u64);
    let times = check
        .opt_int(&obj, "times", 1, 1_000_000)
        .map_or(1, |t| t as u32);
    let method = check.opt_string(&obj, "method");
    let path = check.opt_string(&obj, "path");
    check.finish()?;
    let kind = match kind.as_deref() {
        Some("status") => FaultKind::Status(status.unwrap_or(503)),
        Some("html") => FaultKind::HtmlError(status.unwrap_or(502)),
        Some("drop_before_headers") => FaultKind::DropBeforeHeaders,
        Some("drop_after_headers") => FaultKind::DropAfterHeaders,
        Some("truncated_body") => FaultKind::TruncatedBody,
        Some("delay") => FaultKind::Delay(Duration::from_millis(delay_ms.unwrap_or(30_000))),
        other => {
            return Err(ApiError::invalid(
                "kind",
                format!(
                    "unknown value `{}`; expected one of {KINDS}",
                    other.unwrap_or_default()
                ),
            ));
        }
    };
    let mut fault = Fault::new(kind).times(times);
    if let Some(m) = method {
        fault = fault.method(m);
    }
    if let Some(p) = path {
        fault = fault.path(p);
    }
    let view = fault.to_json();
    controls(sh).inject(fault);
    Ok(data(StatusCode::CREATED, view))
}

async fn clear_faults(State(sh): State<Arc<Shared>>) -> ApiResult {
    controls(sh).clear_faults();
    Ok(ok(json!({ "cleared": true })))
}

fn settings_view(c: &Controls) -> Value {
    json!({
        "scan_speed": c.scan_speed(),
        "latency_ms": c.latency().as_millis() as u64,
        "rate_limit": c.rate_limit(),
        "endpoint_limits": LimitedEndpoint::ALL
            .into_iter()
            .map(|e| (e.name().to_string(), json!(c.endpoint_limit(e))))
            .collect::<serde_json::Map<_, _>>(),
    })
}

async fn settings(State(sh): State<Arc<Shared>>) -> ApiResult {
    Ok(ok(settings_view(&controls(sh))))
}

async fn update_settings(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let speed = check.opt_number(&obj, "scan_speed");
    if speed.is_some_and(|s| !(0.0..=1e6).contains(&s)) {
        check.fail("scan_speed", "must be between 0 and 1000000");
    }
    let latency = check.opt_int(&obj, "latency_ms", 0, 600_000);
    // A limit of `null` lifts it, so null is read before the integer check.
    let limit = |check: &mut Check, obj: &Object, name: &str| match obj.get(name) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => check
            .opt_int(obj, name, 1, 1_000_000_000)
            .map(|n| Some(n as u32)),
    };
    let rate = limit(&mut check, &obj, "rate_limit");
    let endpoint_limits = match check.opt_object(&obj, "endpoint_limits") {
        Some(given) => check.nested("endpoint_limits", |c| {
            for name in given.keys() {
                if !LimitedEndpoint::ALL.iter().any(|e| e.name() == name) {
                    c.fail(
                        name,
                        "is not a limited endpoint (scan_create, findings_export)",
                    );
                }
            }
            LimitedEndpoint::ALL
                .into_iter()
                .filter_map(|e| limit(c, &given, e.name()).map(|l| (e, l)))
                .collect::<Vec<_>>()
        }),
        None => Vec::new(),
    };
    let documented = check.opt_bool(&obj, "documented_limits").unwrap_or(false);
    check.finish()?;
    let c = controls(sh);
    if let Some(s) = speed {
        c.set_scan_speed(s);
    }
    if let Some(ms) = latency {
        c.set_latency(Duration::from_millis(ms as u64));
    }
    if documented {
        c.use_documented_limits();
    }
    if let Some(r) = rate {
        c.set_rate_limit(r);
    }
    for (e, l) in endpoint_limits {
        c.set_endpoint_limit(e, l);
    }
    Ok(ok(settings_view(&c)))
}

fn clock_view(c: &Controls) -> Value {
    json!({ "now": ts(c.now()), "paused": c.is_clock_paused() })
}

async fn clock(State(sh): State<Arc<Shared>>) -> ApiResult {
    Ok(ok(clock_view(&controls(sh))))
}

async fn advance(State(sh): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut check = Check::default();
    let seconds = check.opt_number(&obj, "seconds");
    if obj.get("seconds").is_none_or(Value::is_null) {
        check.fail("seconds", "is required");
    }
    if seconds.is_some_and(|s| !(0.0..=1e9).contains(&s)) {
        check.fail("seconds", "must be between 0 and 1000000000");
    }
    check.finish()?;
    let c = controls(sh);
    c.advance(Duration::from_secs_f64(seconds.unwrap_or_default()));
    Ok(ok(clock_view(&c)))
}

async fn pause(State(sh): State<Arc<Shared>>) -> ApiResult {
    let c = controls(sh);
    c.pause_clock();
    Ok(ok(clock_view(&c)))
}

async fn resume(State(sh): State<Arc<Shared>>) -> ApiResult {
    let c = controls(sh);
    c.resume_clock();
    Ok(ok(clock_view(&c)))
}

async fn deliveries(State(sh): State<Arc<Shared>>) -> ApiResult {
    let list: Vec<Value> = controls(sh)
        .deliveries()
        .into_iter()
        .map(|d| serde_json::to_value(d).unwrap_or_default())
        .collect();
    Ok(ok(json!(list)))
}

async fn redeliver(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let record = controls(sh)
        .redeliver(&id)
        .await
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(ok(serde_json::to_value(record).unwrap_or_default()))
}

async fn reset(State(sh): State<Arc<Shared>>) -> ApiResult {
    controls(sh).reset();
    Ok(ok(json!({ "reset": true })))
}
