//! The future every request of a route is answered through: it runs the request inside its
//! tracing span, answers 500 for a panic instead of dropping the connection (the sender then
//! retries), logs one line with the answer's status and, with feature `metrics`, counts it.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
#[cfg(feature = "metrics")]
use std::sync::Arc;
use std::task::Poll;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

use super::matched_path;
use crate::outcome::Sender;
use crate::span::traced;

#[cfg(feature = "metrics")]
pub(crate) use crate::metrics::RouteCounters;

/// Without feature `metrics` there is nothing to count.
#[cfg(not(feature = "metrics"))]
#[derive(Default)]
pub(crate) struct RouteCounters {}

/// The keys of one request's counters, looked up once when the request comes in (nothing
/// without feature `metrics`).
#[cfg(feature = "metrics")]
pub(crate) type RequestCounters = Arc<crate::metrics::RouteKeys>;
#[cfg(not(feature = "metrics"))]
#[derive(Clone, Copy)]
pub(crate) struct RequestCounters;

/// What is recorded of one request: its span (route, sender, mode, events, first event,
/// status, reason) and, with feature `metrics`, the labels of its counters. The span holds no
/// header, query or body value: credentials, `access_token` and validation codes never reach it
/// (D15).
pub(super) struct RequestTelemetry {
    pub(super) span: tracing::Span,
    /// The keys of the request's counters, and whether it is a handshake.
    #[cfg(feature = "metrics")]
    counted: (RequestCounters, bool),
}

impl RequestTelemetry {
    #[cfg_attr(not(feature = "metrics"), expect(unused_variables))]
    pub(super) fn new((sender, counters): (Sender, &RouteCounters), request: &Request) -> Self {
        // The route is looked up only for a span that is recorded or for the metrics' labels.
        let route = || matched_path(request.extensions());
        // No span at all when no subscriber takes `info`: `info_span!` would still make a
        // disabled span that (with `tracing`'s `log` feature, which axum's default features
        // turn on) consults the `log` crate at each enter, exit, record and drop.
        let span = if traced() {
            tracing::info_span!(
                "webhook",
                route = route(),
                sender = sender.as_str(),
                mode = tracing::field::Empty,
                events = tracing::field::Empty,
                first_id = tracing::field::Empty,
                first_type = tracing::field::Empty,
                status = tracing::field::Empty,
                reason = tracing::field::Empty,
            )
        } else {
            tracing::Span::none()
        };
        Self {
            span,
            #[cfg(feature = "metrics")]
            counted: (
                counters.keys(route(), sender),
                request.method() == http::Method::OPTIONS,
            ),
        }
    }

    /// The keys of the request's counters, for its delivery's calls.
    pub(super) fn counted(&self) -> RequestCounters {
        #[cfg(feature = "metrics")]
        {
            Arc::clone(&self.counted.0)
        }
        #[cfg(not(feature = "metrics"))]
        RequestCounters
    }

    /// Runs the request inside its span, answers 500 for a panic instead of dropping the
    /// connection, and logs one `info` line with the answer's status.
    ///
    /// The request's future is boxed here: a box keeps the future where it is while axum moves
    /// the returned [`ResponseFuture`]. On a CloudEvents route the handler's calls run inside
    /// this same box rather than in a box of their own, which would cost every delivery an
    /// allocation and a copy of their state. Event Grid routes keep the calls boxed apart: their
    /// deliveries are arrays, where one box more is nothing.
    pub(super) fn run(
        self,
        request: impl Future<Output = Response> + Send + 'static,
    ) -> ResponseFuture {
        ResponseFuture {
            request: Box::pin(request),
            telemetry: self,
        }
    }
}

/// A request's future as the route's handlers give it to axum: the request, boxed, polled
/// inside its span with panics caught ([`RequestTelemetry::run`]).
pub(super) struct ResponseFuture {
    request: Pin<Box<dyn Future<Output = Response> + Send>>,
    telemetry: RequestTelemetry,
}

impl Future for ResponseFuture {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Response> {
        let this = &mut *self;
        let span = &this.telemetry.span;
        let request = &mut this.request;
        let mut poll = || std::panic::catch_unwind(AssertUnwindSafe(|| request.as_mut().poll(cx)));
        // Entering a span that does not exist would still cost its calls.
        let polled = if span.is_none() {
            poll()
        } else {
            let _entered = span.enter();
            poll()
        };
        let response = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(response)) => response,
            Err(panic) => span.in_scope(|| handler_panicked(panic)),
        };
        if !span.is_disabled() {
            span.record("status", response.status().as_u16());
            span.in_scope(|| tracing::info!("webhook request answered"));
        }
        #[cfg(feature = "metrics")]
        {
            let (keys, handshake) = &this.telemetry.counted;
            keys.answered(*handshake, &response);
        }
        Poll::Ready(response)
    }
}

/// A panicking handler answers 500 (the sender retries) instead of dropping the connection.
fn handler_panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "webhook handler panicked");
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the handler failed: the delivery can be retried\n",
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    #[cfg(feature = "metrics")]
    response.extensions_mut().insert(crate::metrics::Panicked);
    response
}
