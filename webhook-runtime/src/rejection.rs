//! The answer the runtime gives when it refuses a request before the handler runs.

use std::borrow::Cow;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// A refusal: a 4xx status and a one-line, plain-text reason naming the rule or attribute.
///
/// Every request the runtime turns away gets one of these; the handler is not called.
///
/// ```
/// use webhook_runtime::Rejection;
/// use axum::response::IntoResponse;
///
/// let rejection = Rejection::bad_request("missing required attribute `id`");
/// assert_eq!(rejection.status(), 400);
/// let response = rejection.into_response();
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: StatusCode,
    reason: Cow<'static, str>,
    retry_after: Option<u64>,
    /// The request's body was not read to its end: the connection cannot carry another request.
    unread_body: bool,
}

impl Rejection {
    /// A rejection with any status and reason.
    pub fn new(status: StatusCode, reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            reason: reason.into(),
            retry_after: None,
            unread_body: false,
        }
    }

    /// Adds `Retry-After: <seconds>` to the answer (429 and 503 carry it, W11).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Marks a refusal made before the request's body was read to its end: the answer carries
    /// `Connection: close`, so a client does not send its next request on a connection the
    /// server closes (hyper does not reuse a connection whose body was left unread).
    pub(crate) fn unread_body(mut self) -> Self {
        self.unread_body = true;
        self
    }

    /// The `Retry-After` seconds, if any.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// 400: the request is malformed; retrying the same request cannot help.
    pub fn bad_request(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    /// 403: the sender is not allowed (an origin outside the allow-list).
    pub fn forbidden(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, reason)
    }

    /// 413: the body is larger than the route's limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than this endpoint's limit of {limit} bytes"),
        )
    }

    /// 415: the body is not in a format this route understands (W12).
    pub fn unsupported_media_type(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, reason)
    }

    /// The status code of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The one-line reason sent as the body.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Prefixes the reason with the position of the offending event in a batch.
    pub(crate) fn in_event(self, index: usize) -> Self {
        Self {
            reason: format!("event {index}: {}", self.reason).into(),
            ..self
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.reason)
    }
}

impl std::error::Error for Rejection {}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.status == StatusCode::NO_CONTENT {
            // Not a refusal: an event acknowledged without being handled (see `extract`).
            return crate::no_content::no_content();
        }
        // The request's span (see `route`) carries the reason to its log line.
        crate::span::request_span().record("reason", &*self.reason);
        let mut body = self.reason.into_owned();
        body.push('\n');
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        #[cfg(feature = "metrics")]
        response.extensions_mut().insert(crate::metrics::Refused);
        if self.unread_body {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
