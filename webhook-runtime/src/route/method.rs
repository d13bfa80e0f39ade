//! The axum handler a route hands to its `MethodRouter` for `POST` (the deliveries of either
//! endpoint), and what the route's handlers share. The `OPTIONS` handler of a CloudEvents
//! route is in `cloudevents.rs`, beside the endpoint it answers for.
//!
//! They are types of their own rather than closures: axum boxes a closure handler's future and
//! then boxes the service's future again, where a handler whose future is a named type
//! ([`ResponseFuture`]) is boxed by axum once. axum clones a handler for each request and calls
//! the clone by value, so the futures take the clone's `Arc` rather than cloning it again.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::Request;
use axum::handler::Handler;
use axum::response::Response;
use http::request::Parts;

use super::response_future::{RequestCounters, RequestTelemetry, ResponseFuture, RouteCounters};
use crate::outcome::Sender;

/// The marker type of the route's axum handlers (axum's [`Handler`] takes one to tell its
/// implementations apart).
pub(super) struct WebhookRoute;

/// The argument, extractor and future types of a route's handler, which its axum handler names
/// for its bounds; as the output of a `fn` they leave it `Send` and `Sync` whatever they are.
pub(super) type Signature<E, X, Fut> = PhantomData<fn() -> (E, X, Fut)>;

/// The `POST` handler of a route, for either endpoint ([`DeliveryEndpoint`]).
pub(super) struct PostHandler<Ep, E, X, Fut>(pub(super) Arc<Ep>, pub(super) Signature<E, X, Fut>);

impl<Ep, E, X, Fut> Clone for PostHandler<Ep, E, X, Fut> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0), PhantomData)
    }
}

impl<S, Ep, E, X, Fut> Handler<WebhookRoute, S> for PostHandler<Ep, E, X, Fut>
where
    S: Send + 'static,
    Ep: DeliveryEndpoint<S, E, X, Fut>,
    E: 'static,
    X: 'static,
    Fut: 'static,
{
    type Future = ResponseFuture;

    fn call(self, request: Request, state: S) -> ResponseFuture {
        let telemetry = RequestTelemetry::new(self.0.observed_as(), &request);
        let (parts, body) = request.into_parts();
        let counted = telemetry.counted();
        telemetry.run(self.0.deliver(parts, body, state, counted))
    }
}

/// An endpoint that takes deliveries: a CloudEvents one or an Event Grid one.
pub(crate) trait DeliveryEndpoint<S, E, X, Fut>: Send + Sync + 'static {
    /// Whom the endpoint expects deliveries from, and what counts its requests.
    fn observed_as(&self) -> (Sender, &RouteCounters);

    /// The answer to one `POST`.
    fn deliver(
        self: Arc<Self>,
        parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: RequestCounters,
    ) -> impl Future<Output = Response> + Send + 'static;
}
