//! The CloudEvents endpoint: the `OPTIONS` abuse-protection handshake (D1) and `POST`
//! deliveries in structured, binary and batch mode, or plain messages where the route takes
//! them (D7), admitted and decoded in the order of D20.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Request};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName, StatusCode, header};
use serde::de::DeserializeOwned;

use super::body::read_body;
use super::dispatch::{DeliveryContext, dispatch};
use super::handler::{EventParam, IntoHandlerAnswer};
use super::method::{DeliveryEndpoint, PostHandler, WebhookRoute};
use super::response_future::{RequestCounters, RequestTelemetry, ResponseFuture, RouteCounters};
use crate::auth::private_if_access_token;
use crate::cloudevents::{self, CloudEvent, Mode};
use crate::config::{CloudEventsConfig, DEFAULT_CLOUDEVENTS_BODY_LIMIT};
use crate::eventgrid::validation;
use crate::guard;
use crate::handshake::{self, CallbackOffer, HandshakeAnswer};
use crate::headers::refuse_repeated;
use crate::message::{self, Incoming};
use crate::outcome::Sender;
use crate::rate::RateLimiter;
use crate::rejection::Rejection;
use crate::span::request_span;

/// The headers a CloudEvents delivery is decided on that are not `ce-` headers (which the binary
/// decoder refuses when repeated, D22), each of which must come at most once (400 otherwise):
/// `Content-Type` (the mode, D7, and the data content type, H8) and `Host` (RFC 9112 §3.2).
static DELIVERY_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::HOST];

/// [`DELIVERY_HEADERS`] and, on a route that enforces origins, the origin headers (W4/P5).
static DELIVERY_HEADERS_AND_ORIGINS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::HOST,
    handshake::WEBHOOK_REQUEST_ORIGIN,
    header::ORIGIN,
];

/// A CloudEvents route's settings and handler, shared by its `OPTIONS` and `POST` handlers.
pub(crate) struct CloudEventsEndpoint<Ev, F> {
    pub(super) config: CloudEventsConfig,
    handshake: handshake::Responder,
    pub(super) sender: Sender,
    pub(super) counters: RouteCounters,
    body_limit: usize,
    limiter: Option<RateLimiter>,
    decoding: Decoding<Ev>,
    pub(super) handler: F,
}

/// How a CloudEvents route decodes a delivery into its events `Ev`: whether it takes plain
/// (non-CloudEvents) messages, and the decoder (the macro names it at the data type).
pub struct Decoding<Ev> {
    plain: bool,
    decode: DecodeFn<Ev>,
}

/// Decodes a body in a given mode (`None`: a plain message) into a delivery of `Ev`.
type DecodeFn<Ev> =
    fn(Option<Mode>, &HeaderMap, &[u8]) -> Result<cloudevents::CloudEventsDelivery<Ev>, Rejection>;

impl<T: DeserializeOwned> Decoding<CloudEvent<T>> {
    /// CloudEvents only: anything else is 415 (D7).
    pub fn cloudevents() -> Self {
        Self {
            plain: false,
            decode: |mode, headers, body| match mode {
                Some(mode) => cloudevents::decode_delivery(mode, headers, body),
                None => Err(Rejection::unsupported_media_type("not a CloudEvent")),
            },
        }
    }
}

impl<T: DeserializeOwned> Decoding<Incoming<T>> {
    /// CloudEvents and plain messages.
    pub fn incoming() -> Self {
        Self {
            plain: true,
            decode: message::decode_incoming::<T>,
        }
    }
}

/// [`route::cloudevents()`](super::cloudevents()) with the decoder passed in, so that the data
/// type's `Deserialize` bound is checked where the decoder is named (the macro names it at the user's type).
pub(crate) fn cloudevents_route<S, E, X, F, Fut>(
    config: CloudEventsConfig,
    decoding: Decoding<E::Event>,
    handler: F,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam + 'static,
    X: 'static,
    Fut: 'static,
    CloudEventsEndpoint<E::Event, F>: DeliveryEndpoint<S, E, X, Fut>,
{
    let endpoint = Arc::new(CloudEventsEndpoint::new(config, decoding, handler));
    on(MethodFilter::OPTIONS, OptionsHandler(Arc::clone(&endpoint)))
        .post(PostHandler::<_, E, X, Fut>(endpoint, PhantomData))
        .fallback(method_not_allowed)
}

impl<S, E, X, F, Fut> DeliveryEndpoint<S, E, X, Fut> for CloudEventsEndpoint<E::Event, F>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam,
    X: FromRequestParts<S> + Send + 'static,
    F: Fn(E, X) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoHandlerAnswer,
{
    fn observed_as(&self) -> (Sender, &RouteCounters) {
        (self.sender, &self.counters)
    }

    fn deliver(
        self: Arc<Self>,
        parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: RequestCounters,
    ) -> impl Future<Output = Response> + Send + 'static {
        CloudEventsEndpoint::deliver::<S, E, X, Fut>(self, parts, body, state, counted)
    }
}

/// The `OPTIONS` handler of a CloudEvents route: the abuse-protection handshake.
struct OptionsHandler<Ev, F>(Arc<CloudEventsEndpoint<Ev, F>>);

impl<Ev, F> Clone for OptionsHandler<Ev, F> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<S, Ev, F> Handler<WebhookRoute, S> for OptionsHandler<Ev, F>
where
    CloudEventsEndpoint<Ev, F>: Send + Sync + 'static,
{
    type Future = ResponseFuture;

    fn call(self, request: Request, _state: S) -> ResponseFuture {
        let telemetry = RequestTelemetry::new((self.0.sender, &self.0.counters), &request);
        // The request is taken apart here and the endpoint's futures own what they use: an
        // async block around them would hold the request a second time.
        let (parts, _body) = request.into_parts();
        telemetry.run(self.0.options(parts))
    }
}

/// 405 for every method but `OPTIONS` and `POST`.
async fn method_not_allowed() -> Response {
    let mut response = Rejection::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: a webhook takes POST deliveries and OPTIONS handshakes",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, handshake::ALLOW);
    response
}

impl<Ev, F> CloudEventsEndpoint<Ev, F> {
    pub(super) fn new(config: CloudEventsConfig, decoding: Decoding<Ev>, handler: F) -> Self {
        Self {
            sender: config.sender().unwrap_or_default(),
            body_limit: config
                .body_limit()
                .unwrap_or(DEFAULT_CLOUDEVENTS_BODY_LIMIT),
            limiter: config
                .rate()
                .filter(|_| config.enforces_rate())
                .map(|rate| RateLimiter::per_minute(rate.get())),
            handshake: handshake::Responder::new(config.rate()),
            counters: RouteCounters::default(),
            config,
            decoding,
            handler,
        }
    }

    /// D1: credentials (401, as the route's `HandshakeAuth` asks, D26) → the handshake's own
    /// checks → consent.
    pub(super) async fn options(self: Arc<Self>, mut parts: Parts) -> Response {
        request_span().record("mode", "handshake");
        if let Err(rejection) = guard::authenticate_handshake(&self.config, &mut parts).await {
            return rejection.into_response();
        }
        if let Err(rejection) = refuse_repeated(&parts.headers, std::slice::from_ref(&header::HOST))
        {
            return rejection.into_response();
        }
        private_if_access_token(self.handshake(&parts.headers), &parts)
    }

    fn handshake(&self, headers: &HeaderMap) -> Response {
        let answer = match self.handshake.evaluate(self.config.origins(), headers) {
            Ok(answer) => answer,
            Err(rejection) => return rejection.into_response(),
        };
        if let HandshakeAnswer::Consent {
            callback: Some(callback),
            ..
        } = &answer
            && let Some(hook) = self.config.callback_hook()
            && let (Ok(callback), Some(Ok(origin))) = (
                callback.to_str(),
                crate::headers::first(headers, &handshake::WEBHOOK_REQUEST_ORIGIN)
                    .map(|o| o.to_str()),
            )
        {
            hook(&CallbackOffer { origin, callback });
        }
        self.handshake.respond(answer)
    }

    /// An `async` block rather than an `async fn`: an `async fn` copies its arguments into
    /// locals of its future, which would hold the request's parts twice.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future holds its arguments twice"
    )]
    pub(super) fn deliver<S, E, X, Fut>(
        self: Arc<Self>,
        mut parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: RequestCounters,
    ) -> impl Future<Output = Response>
    where
        E: EventParam<Event = Ev>,
        X: FromRequestParts<S>,
        F: Fn(E, X) -> Fut,
        Fut: Future,
        Fut::Output: IntoHandlerAnswer,
    {
        async move {
            if let Err(rejection) = self.admit(&mut parts).await {
                return rejection.unread_body().into_response();
            }
            let response = match self.decode(&parts.headers, body).await {
                Ok((body, cloudevents::CloudEventsDelivery::Events(events))) => {
                    let context = DeliveryContext {
                        dedup: self.config.dedup(),
                        dead_letter_hook: self.config.dead_letter_hook(),
                        max_events: self.config.max_events(),
                        sender: self.sender,
                        counted,
                        body: &body,
                    };
                    // Not boxed apart (see `Observation::run`).
                    dispatch(&context, &self.handler, events, &mut parts, &state).await
                }
                Ok((_, cloudevents::CloudEventsDelivery::EventGridValidation(request))) => {
                    request_span().record("mode", "validation");
                    validation::answer_cloudevent(self.config.origins(), &request)
                }
                Err(rejection) => rejection.into_response(),
            };
            private_if_access_token(response, &parts)
        }
    }

    /// D20 before the body: credentials (401) → a repeated header that a later check reads
    /// (400) → origin enforcement (403) → rate (429).
    async fn admit(&self, parts: &mut Parts) -> Result<(), Rejection> {
        guard::authenticate(&self.config, parts).await?;
        if self.config.enforces_origins() {
            refuse_repeated(&parts.headers, &DELIVERY_HEADERS_AND_ORIGINS)?;
            guard::check_origin(&self.config, &parts.headers)?;
        } else {
            refuse_repeated(&parts.headers, &DELIVERY_HEADERS)?;
        }
        if let Some(limiter) = &self.limiter {
            #[cfg(feature = "redis")]
            if let Some(shared) = self.config.shared_rate() {
                // Boxed: the Redis round trip's future is large and most routes have none.
                return Box::pin(admit_shared(shared, limiter, &self.config, parts)).await;
            }
            limiter.admit()?;
        }
        Ok(())
    }

    /// Media type (415) → size (413) → content (400), as D20 orders them.
    async fn decode(
        &self,
        headers: &HeaderMap,
        body: axum::body::Body,
    ) -> Result<(Bytes, cloudevents::CloudEventsDelivery<Ev>), Rejection> {
        let mode = if self.decoding.plain {
            Mode::detect_or_plain(headers)
        } else {
            Mode::detect(headers).map(Some)
        }
        .map_err(Rejection::unread_body)?;
        request_span().record(
            "mode",
            match mode {
                Some(Mode::Structured) => "structured",
                Some(Mode::Binary) => "binary",
                Some(Mode::Batch) => "batch",
                None => "plain",
            },
        );
        let body = read_body(headers, body, self.body_limit, self.config.body_timeout())
            .await
            .map_err(Rejection::unread_body)?;
        let delivery = (self.decoding.decode)(mode, headers, &body)?;
        Ok((body, delivery))
    }
}

/// The rate shared through Redis, per route (its matched path) and sender origin (when origins
/// are enforced); the
/// per-process `fallback` decides while Redis cannot (`rate.rs` says why).
#[cfg(feature = "redis")]
async fn admit_shared(
    shared: &crate::rate::RedisRate,
    fallback: &RateLimiter,
    config: &CloudEventsConfig,
    parts: &Parts,
) -> Result<(), Rejection> {
    let Some(rate) = config.rate() else {
        return Ok(());
    };
    let route = parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .map_or(parts.uri.path(), |path| path.as_str());
    // Per origin only where origins are enforced (then it is an allowed one): otherwise a sender
    // could pick a new origin per request to escape its grant, and fill Redis with keys.
    let origin = if config.enforces_origins() {
        crate::headers::first(&parts.headers, &handshake::WEBHOOK_REQUEST_ORIGIN)
            .or_else(|| parts.headers.get(header::ORIGIN))
            .and_then(|origin| origin.to_str().ok())
            .unwrap_or("*")
    } else {
        "*"
    };
    match shared.admit(&format!("{route}:{origin}"), rate.get()).await {
        Ok(None) => Ok(()),
        Ok(Some(wait)) => Err(crate::rate::too_many(wait)),
        Err(error) => {
            tracing::warn!(%error, "the shared rate is unavailable: this replica's own limit decides");
            fallback.admit()
        }
    }
}
