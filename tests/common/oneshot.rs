//! A request sent to a router in process (`tower::ServiceExt::oneshot`, no socket) and its answer
//! read whole. A test file adds the checks of its own subject as further `impl Answer` blocks.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::PATIENCE;

/// An answer of the router: status, headers and the body as text.
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The header fields.
    pub headers: HeaderMap,
    /// The body (UTF-8: every answer under test is text or JSON).
    pub body: String,
}

impl Answer {
    /// The value of a header, as text (fails if it is not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// Sends `request` through a clone of `app` and reads the whole answer; fails, rather than
/// hangs, if there is none within [`PATIENCE`].
pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = tokio::time::timeout(PATIENCE, app.clone().oneshot(request))
        .await
        .expect("no answer in time")
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}
