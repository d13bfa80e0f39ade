//! The `204 No Content` answer, without a header map.
//!
//! axum gives every response whose body's size is exact a `Content-Length` (in its route
//! future, after the handler). On a 204 that header is wrong (RFC 9110 §8.6: a server must not
//! send `Content-Length` in a 204; hyper leaves it out of what it writes) and costly on the
//! most common answer of all: the answer has no other header, so adding it allocates the header
//! map only to free it again. The body of [`no_content`] ends at once but does not state its
//! size, so axum leaves the headers alone.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use http_body::{Body, Frame, SizeHint};

/// A 204 with no header and an empty body.
pub(crate) fn no_content() -> Response {
    let mut response = Response::new(axum::body::Body::new(Empty));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// [`no_content`] in place of `response`'s status and body, keeping its headers but a
/// `Content-Length` (D6: an empty 200 is sent as 204).
pub(crate) fn into_no_content(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.status = StatusCode::NO_CONTENT;
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::new(Empty))
}

/// An empty body whose size hint is left open (see the module's documentation). A zero-sized
/// type: boxing it into axum's `Body` allocates nothing.
struct Empty;

impl Body for Empty {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        true
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// W8: a 204 with an empty body, no header at all, and a size axum does not take as exact
    /// (so it adds no `Content-Length`).
    #[tokio::test]
    async fn w8_no_content_is_an_empty_204_without_headers() {
        let response = no_content();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(response.headers().is_empty());
        assert!(response.body().is_end_stream());
        assert_eq!(response.body().size_hint().exact(), None);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(body.is_empty());
    }

    /// D6: the headers stay, but a `Content-Length`.
    #[tokio::test]
    async fn d6_into_no_content_keeps_the_headers_but_content_length() {
        let mut response = Response::new(axum::body::Body::empty());
        response
            .headers_mut()
            .insert("x-kept", http::HeaderValue::from_static("1"));
        response.headers_mut().insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from_static("0"),
        );
        let response = into_no_content(response);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(response.headers().len(), 1);
        assert_eq!(response.headers()["x-kept"], "1");
        assert_eq!(response.body().size_hint().exact(), None);
    }
}
