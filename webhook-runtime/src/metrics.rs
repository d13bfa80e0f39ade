//! Counters through the [`metrics`] facade (feature `metrics`).
//!
//! | counter | labels | counts |
//! |---|---|---|
//! | `webhook_deliveries_total` | `route`, `sender`, `status` | POST requests answered |
//! | `webhook_events_total` | `route`, `sender` | events decoded and handed to the handler's calls |
//! | `webhook_handshakes_total` | `route`, `result` (`granted`, `refused`) | OPTIONS handshakes |
//! | `webhook_rejections_total` | `route`, `reason` | requests the runtime refused, by reason |
//! | `webhook_handler_failures_total` | `route`, `sender` | handler answers that were not 2xx, and panics |
//!
//! `reason` is one of `unauthenticated` (401), `forbidden` (403), `method` (405), `timeout`
//! (408), `too_large` (413), `unsupported_media_type` (415), `rate_limited` (429), `malformed`
//! (400), `unavailable` (503), `other`.

use axum::extract::MatchedPath;
use axum::response::Response;
use http::request::Parts;
use http::{Method, StatusCode};

use crate::outcome::Sender;

/// Marks a response the runtime made itself to refuse a request.
#[derive(Clone, Copy)]
pub(crate) struct Refused;

/// The route and method of the request a span belongs to, kept for the counters at its end.
#[derive(Clone)]
pub(crate) struct RequestLabels {
    pub(crate) route: String,
    pub(crate) sender: Sender,
    pub(crate) method: Method,
}

fn route(parts: &Parts) -> String {
    parts
        .extensions
        .get::<MatchedPath>()
        .map_or_else(String::new, |p| p.as_str().to_owned())
}

pub(crate) fn events(parts: &Parts, sender: Sender, count: usize) {
    metrics::counter!("webhook_events_total", "route" => route(parts), "sender" => sender.as_str())
        .increment(count as u64);
}

pub(crate) fn handler_failure(parts: &Parts, sender: Sender) {
    metrics::counter!(
        "webhook_handler_failures_total",
        "route" => route(parts),
        "sender" => sender.as_str()
    )
    .increment(1);
}

fn reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "malformed",
        401 => "unauthenticated",
        403 => "forbidden",
        405 => "method",
        408 => "timeout",
        413 => "too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        _ => "other",
    }
}

/// Counts a request at its answer.
pub(crate) fn answered(labels: &RequestLabels, response: &Response) {
    let status = response.status();
    let route = labels.route.clone();
    if labels.method == Method::OPTIONS {
        if status == StatusCode::OK {
            metrics::counter!("webhook_handshakes_total", "route" => route.clone(), "result" => "granted")
                .increment(1);
        } else if status.is_client_error() {
            metrics::counter!("webhook_handshakes_total", "route" => route.clone(), "result" => "refused")
                .increment(1);
        }
    } else {
        metrics::counter!(
            "webhook_deliveries_total",
            "route" => route.clone(),
            "sender" => labels.sender.as_str(),
            "status" => status.as_str().to_owned()
        )
        .increment(1);
    }
    if response.extensions().get::<Refused>().is_some() {
        metrics::counter!("webhook_rejections_total", "route" => route, "reason" => reason(status))
            .increment(1);
    } else if status.is_server_error() && labels.method != Method::OPTIONS {
        // A handler that panicked (its 500 is made by the runtime, not by the handler).
        if !response.status().is_success() && response.extensions().get::<Panicked>().is_some() {
            metrics::counter!(
                "webhook_handler_failures_total",
                "route" => labels.route.clone(),
                "sender" => labels.sender.as_str()
            )
            .increment(1);
        }
    }
}

/// Marks the 500 answered for a panic.
#[derive(Clone, Copy)]
pub(crate) struct Panicked;
