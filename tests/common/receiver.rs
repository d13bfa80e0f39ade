//! Pieces of the hand-written receivers (axum routes written without `#[webhook]`) that the
//! sender-side tests (the probe example, the testing kit) run against, some deliberately broken.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// A handshake answer with consent for `origin`.
pub fn consent(origin: &str) -> Response {
    (
        StatusCode::OK,
        [
            ("allow", "OPTIONS, POST"),
            ("webhook-allowed-origin", origin),
            ("webhook-allowed-rate", "*"),
        ],
    )
        .into_response()
}

/// The `WebHook-Request-Origin` of a request, as sent.
pub fn requested_origin(headers: &HeaderMap) -> String {
    headers["webhook-request-origin"]
        .to_str()
        .unwrap()
        .to_owned()
}
