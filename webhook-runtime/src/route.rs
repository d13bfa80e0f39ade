//! The builder that assembles a webhook route around an ordinary handler.
//!
//! `#[webhook]` expands to a call of [`cloudevents()`]; the same function serves users who prefer
//! plain axum:
//!
//! ```
//! use axum::{Router, extract::State};
//! use webhook_runtime::{AllowedOrigins, CloudEvent, Config, route};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { order_id: String }
//!
//! let config = Config::new()
//!     .with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap())
//!     .with_rate(120);
//! let app: Router<()> = Router::new().route(
//!     "/hooks/orders",
//!     route::cloudevents(config, |event: CloudEvent<Order>, State(()): State<()>| async move {
//!         println!("order {}", event.data().order_id);
//!     }),
//! );
//! ```

use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use http_body::Body as _;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

use crate::__private::{Answer, IntoAnswer};
use crate::Rejection;
use crate::cloudevents::{self, CloudEvent, Mode};
use crate::config::{Config, DEFAULT_CLOUDEVENTS_BODY_LIMIT};
use crate::dedup::{self, Claim, Claims, Dedup};
use crate::eventgrid::{
    self, AEG_SUBSCRIPTION_NAME, DEFAULT_EVENTGRID_BODY_LIMIT, Delivery, EVENT_GRID_ORIGINS,
    EventGridEvent,
};
use crate::guard::{self, RateLimiter};
use crate::handshake::{self, CallbackOffer, HandshakeAnswer};
use crate::message::{self, Incoming};
use crate::no_content::{into_no_content, no_content};
use crate::outcome::{DeadLetter, EventRef, Outcome, Returned, Sender};

#[cfg(feature = "metrics")]
use crate::metrics::Counters;

/// Without feature `metrics` there is nothing to count.
#[cfg(not(feature = "metrics"))]
#[derive(Default)]
pub(crate) struct Counters {}

/// The keys of one request's counters, looked up once when the request comes in (nothing
/// without feature `metrics`).
#[cfg(feature = "metrics")]
pub(crate) type Counted = Arc<crate::metrics::RouteKeys>;
#[cfg(not(feature = "metrics"))]
#[derive(Clone, Copy)]
pub(crate) struct Counted;

/// The path a request was routed by (`""` outside a router).
fn matched_path(extensions: &http::Extensions) -> &str {
    extensions
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str)
}

/// What a handler's event parameter can be, and how a delivery's events become calls.
///
/// `CloudEvent<T>` and `EventGridEvent<T>` are called once per event, in order;
/// `Vec<CloudEvent<T>>` and `Vec<EventGridEvent<T>>` once with all of them.
pub trait EventParam: Sized + Send + 'static {
    /// The event type this parameter is made of.
    type Event: DeliveredEvent;
    /// The calls a delivery makes.
    type Calls: ExactSizeIterator<Item = Self> + Send;
    /// Splits a delivery's events into the arguments of successive calls.
    fn calls(events: Vec<Self::Event>) -> Self::Calls;
    /// How many events this argument holds.
    fn count(&self) -> usize;
}

/// What the route reads of an event before the handler gets it: the attributes that identify it
/// (for deduplication, logs and the dead-letter hook).
pub trait DeliveredEvent: Send + 'static {
    /// The event's `id`, if it has one.
    fn event_id(&self) -> Option<&str>;
    /// The CloudEvents `source` (none for Event Grid events and plain messages).
    fn event_source(&self) -> Option<&str>;
    /// The event's type.
    fn event_type_name(&self) -> Option<&str>;
}

impl<T: Send + 'static> DeliveredEvent for CloudEvent<T> {
    fn event_id(&self) -> Option<&str> {
        Some(self.id())
    }
    fn event_source(&self) -> Option<&str> {
        Some(self.source())
    }
    fn event_type_name(&self) -> Option<&str> {
        Some(self.ty())
    }
}

impl<T: Send + 'static> DeliveredEvent for EventGridEvent<T> {
    fn event_id(&self) -> Option<&str> {
        Some(self.id())
    }
    fn event_source(&self) -> Option<&str> {
        None
    }
    fn event_type_name(&self) -> Option<&str> {
        Some(self.event_type())
    }
}

impl<T: Send + 'static> DeliveredEvent for Incoming<T> {
    fn event_id(&self) -> Option<&str> {
        match self {
            Incoming::Event(event) => Some(event.id()),
            Incoming::Message(_) => None,
        }
    }
    fn event_source(&self) -> Option<&str> {
        match self {
            Incoming::Event(event) => Some(event.source()),
            Incoming::Message(_) => None,
        }
    }
    fn event_type_name(&self) -> Option<&str> {
        match self {
            Incoming::Event(event) => Some(event.ty()),
            Incoming::Message(_) => None,
        }
    }
}

/// Each event type is a parameter called once per event, and a `Vec` of it one called once per
/// delivery.
macro_rules! event_params {
    ($($event:ident),*) => {$(
        impl<T: Send + 'static> EventParam for $event<T> {
            type Event = $event<T>;
            type Calls = std::vec::IntoIter<$event<T>>;
            fn calls(events: Vec<$event<T>>) -> Self::Calls {
                events.into_iter()
            }
            fn count(&self) -> usize {
                1
            }
        }

        impl<T: Send + 'static> EventParam for Vec<$event<T>> {
            type Event = $event<T>;
            type Calls = std::option::IntoIter<Vec<$event<T>>>;
            fn calls(events: Vec<$event<T>>) -> Self::Calls {
                Some(events).into_iter()
            }
            fn count(&self) -> usize {
                self.len()
            }
        }
    )*};
}

event_params!(CloudEvent, Incoming, EventGridEvent);

/// A type that can be the data of an event: any owned `serde::Deserialize` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the data of an event: it does not implement `serde::Deserialize`",
    label = "event data must implement `serde::de::DeserializeOwned`",
    note = "derive it with `#[derive(serde::Deserialize)]`, or use `serde_json::Value` or `bytes::Bytes`"
)]
pub trait EventData: DeserializeOwned + Send + 'static {}
impl<T: DeserializeOwned + Send + 'static> EventData for T {}

/// The parameters of a handler other than the event: axum extractors that read request parts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a webhook handler: it is not an axum extractor of request parts",
    label = "not a `FromRequestParts` extractor",
    note = "the body is the event; other parameters must implement `axum::extract::FromRequestParts` (State, HeaderMap, Extension, ...)"
)]
pub trait Extractors<S>: FromRequestParts<S> + Send + 'static {}
impl<S, X: FromRequestParts<S> + Send + 'static> Extractors<S> for X {}

/// What a webhook handler may return: anything axum can turn into a response.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a webhook handler: it does not implement `IntoResponse`",
    label = "must implement `axum::response::IntoResponse`",
    note = "return `()`, a `StatusCode`, `Result<(), E>` with `E: IntoResponse`, or any axum response"
)]
pub trait HandlerResponse: IntoResponse {}
impl<R: IntoResponse> HandlerResponse for R {}

/// An ordinary async function (or closure) that handles a webhook's events: its first parameter
/// is the event parameter ([`EventParam`]), the others (up to eight) are axum extractors of
/// request parts, and it returns anything `IntoResponse` (an [`Outcome`] included).
///
/// `X` is the tuple of the extractor types; it is inferred from the function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a webhook handler",
    label = "expected an async fn taking the event first, then axum `FromRequestParts` extractors",
    note = "e.g. `async fn orders(event: CloudEvent<Order>, State(db): State<Db>) -> Outcome`; the event parameter is `CloudEvent<T>`, `Incoming<T>`, `EventGridEvent<T>` or a `Vec` of one, and the return type must implement `IntoResponse`"
)]
pub trait WebhookHandler<E, X, S>: Clone + Send + Sync + 'static {
    /// What the handler returns.
    type Output: IntoResponse;
    /// The handler's future.
    type Future: Future<Output = Self::Output> + Send;
    /// Calls the handler with an event argument and the extracted parameters.
    fn call(&self, event: E, extractors: X) -> Self::Future;
}

macro_rules! webhook_handlers {
    ($($x:ident),*) => {
        #[allow(non_snake_case, reason = "the extractor values are named by their types")]
        impl<F, Fut, E, S, $($x,)*> WebhookHandler<E, ($($x,)*), S> for F
        where
            F: Fn(E, $($x,)*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send,
            Fut::Output: IntoResponse,
            $($x: FromRequestParts<S> + Send + 'static,)*
        {
            type Output = Fut::Output;
            type Future = Fut;
            fn call(&self, event: E, ($($x,)*): ($($x,)*)) -> Fut {
                self(event, $($x,)*)
            }
        }
    };
}

webhook_handlers!();
webhook_handlers!(X1);
webhook_handlers!(X1, X2);
webhook_handlers!(X1, X2, X3);
webhook_handlers!(X1, X2, X3, X4);
webhook_handlers!(X1, X2, X3, X4, X5);
webhook_handlers!(X1, X2, X3, X4, X5, X6);
webhook_handlers!(X1, X2, X3, X4, X5, X6, X7);
webhook_handlers!(X1, X2, X3, X4, X5, X6, X7, X8);

pub(crate) struct Endpoint<Ev, F> {
    config: Config,
    handshake: handshake::Responder,
    sender: Sender,
    counters: Counters,
    body_limit: usize,
    limiter: Option<RateLimiter>,
    decoding: Decoding<Ev>,
    handler: F,
}

/// How a CloudEvents route decodes a delivery into its events `Ev`: whether it takes plain
/// (non-CloudEvents) messages, and the decoder (the macro names it at the data type).
pub struct Decoding<Ev> {
    plain: bool,
    decode: DecodeFn<Ev>,
}

/// Decodes a body in a given mode (`None`: a plain message) into a delivery of `Ev`.
type DecodeFn<Ev> =
    fn(Option<Mode>, &HeaderMap, &[u8]) -> Result<cloudevents::Delivery<Ev>, Rejection>;

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

/// Builds the route of a CloudEvents webhook: `OPTIONS` answers the abuse-protection handshake,
/// `POST` decodes deliveries and calls `handler`, other methods get 405.
///
/// `handler` is an ordinary handler (see [`WebhookHandler`]): the event parameter first (see
/// [`EventParam`]), then axum extractors of request parts; it may return anything
/// `IntoResponse`, an [`Outcome`] included. An empty 200 (what `()` produces) is sent as 204
/// (D6); the first answer that is not 2xx stops a per-event batch and answers for it (D8). The
/// configuration adds authentication, limits, the sender's outcome mapping and deduplication.
pub fn cloudevents<S, E, T, X, H>(config: Config, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = CloudEvent<T>>,
    T: EventData,
    X: Extractors<S>,
    H: WebhookHandler<E, X, S>,
{
    cloudevents_with_decoder(config, Decoding::cloudevents(), move |event, x| {
        handler.call(event, x)
    })
}

/// [`cloudevents()`] for a route that also takes plain messages (the handler takes
/// [`Incoming<T>`]): a body that is not a CloudEvent is typed as a whole (D7, SAP Event Mesh).
pub fn cloudevents_or_plain<S, E, T, X, H>(config: Config, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = Incoming<T>>,
    T: EventData,
    X: Extractors<S>,
    H: WebhookHandler<E, X, S>,
{
    cloudevents_with_decoder(config, Decoding::incoming(), move |event, x| {
        handler.call(event, x)
    })
}

/// [`cloudevents()`] with the decoder passed in, so that the data type's `Deserialize` bound is
/// checked where the decoder is named (the macro names it at the user's type).
pub(crate) fn cloudevents_with_decoder<S, E, X, F, Fut>(
    config: Config,
    decoding: Decoding<E::Event>,
    handler: F,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam + 'static,
    X: 'static,
    Fut: 'static,
    Endpoint<E::Event, F>: Delivering<S, E, X, Fut>,
{
    let endpoint = Arc::new(Endpoint {
        sender: config.sender().unwrap_or_default(),
        body_limit: config
            .body_limit()
            .unwrap_or(DEFAULT_CLOUDEVENTS_BODY_LIMIT),
        limiter: config
            .rate()
            .filter(|_| config.enforces_rate())
            .map(|rate| RateLimiter::per_minute(rate.get())),
        handshake: handshake::Responder::new(config.rate()),
        counters: Counters::default(),
        config,
        decoding,
        handler,
    });
    on(MethodFilter::OPTIONS, Handshake(Arc::clone(&endpoint)))
        .post(Deliver::<_, E, X, Fut>(endpoint, PhantomData))
        .fallback(method_not_allowed)
}

/// The marker type of this module's axum handlers (axum's [`Handler`] takes one to tell its
/// implementations apart).
struct Routed;

/// The `OPTIONS` handler of a CloudEvents route.
///
/// The route's handlers are types of their own rather than closures: axum boxes a closure
/// handler's future and then boxes the service's future again, where a handler whose future is
/// a named type ([`Observed`]) is boxed by axum once. axum clones a handler for each request and
/// calls the clone by value, so the futures take the clone's `Arc` rather than cloning it again.
struct Handshake<Ev, F>(Arc<Endpoint<Ev, F>>);

impl<Ev, F> Clone for Handshake<Ev, F> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<S, Ev, F> Handler<Routed, S> for Handshake<Ev, F>
where
    Endpoint<Ev, F>: Send + Sync + 'static,
{
    type Future = Observed;

    fn call(self, request: Request, _state: S) -> Observed {
        let observation = Observation::new((self.0.sender, &self.0.counters), &request);
        // The request is taken apart here and the endpoint's futures own what they use: an
        // async block around them would hold the request a second time.
        let (parts, _body) = request.into_parts();
        // Without an authenticator to await, a handshake is answered at once: when no span is
        // entered for it, it needs no future of its own (nor the box the future would take).
        if observation.span.is_none() && self.0.config.authenticator().is_none() {
            let endpoint = &self.0;
            return observation.answer_now(|| {
                let authenticated = guard::authenticate_by_credentials(&endpoint.config, &parts);
                endpoint.answer_handshake(authenticated, &parts)
            });
        }
        observation.run(self.0.options(parts))
    }
}

/// The argument, extractor and future types of a route's handler, which its axum handler names
/// for its bounds; as the output of a `fn` they leave it `Send` and `Sync` whatever they are.
type Signature<E, X, Fut> = PhantomData<fn() -> (E, X, Fut)>;

/// The `POST` handler of a route (see [`Handshake`]), for either endpoint ([`Delivering`]).
struct Deliver<Ep, E, X, Fut>(Arc<Ep>, Signature<E, X, Fut>);

impl<Ep, E, X, Fut> Clone for Deliver<Ep, E, X, Fut> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0), PhantomData)
    }
}

impl<S, Ep, E, X, Fut> Handler<Routed, S> for Deliver<Ep, E, X, Fut>
where
    S: Send + 'static,
    Ep: Delivering<S, E, X, Fut>,
    E: 'static,
    X: 'static,
    Fut: 'static,
{
    type Future = Observed;

    fn call(self, request: Request, state: S) -> Observed {
        let observation = Observation::new(self.0.observed_as(), &request);
        let (parts, body) = request.into_parts();
        let counted = observation.counted();
        observation.run(self.0.deliver(parts, body, state, counted))
    }
}

/// An endpoint that takes deliveries: a CloudEvents one or an Event Grid one.
pub(crate) trait Delivering<S, E, X, Fut>: Send + Sync + 'static {
    /// Whom the endpoint expects deliveries from, and what counts its requests.
    fn observed_as(&self) -> (Sender, &Counters);

    /// The answer to one `POST`.
    fn deliver(
        self: Arc<Self>,
        parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: Counted,
    ) -> impl Future<Output = Response> + Send + 'static;
}

impl<S, E, X, F, Fut> Delivering<S, E, X, Fut> for Endpoint<E::Event, F>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam,
    X: FromRequestParts<S> + Send + 'static,
    F: Fn(E, X) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoAnswer,
{
    fn observed_as(&self) -> (Sender, &Counters) {
        (self.sender, &self.counters)
    }

    fn deliver(
        self: Arc<Self>,
        parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: Counted,
    ) -> impl Future<Output = Response> + Send + 'static {
        Endpoint::deliver::<S, E, X, Fut>(self, parts, body, state, counted)
    }
}

/// Decodes an Event Grid delivery.
pub type GridDecoder<T> = fn(&HeaderMap, &[u8]) -> Result<Delivery<T>, Rejection>;

/// Builds the route of an Azure Event Grid webhook (Event Grid schema): `POST` answers
/// subscription validations itself (200 with `{"validationResponse": …}`, or the manual hook of
/// [`Config::on_manual_validation`]), acknowledges deletions (200), and calls `handler` for the
/// events of a notification. Every other method, `OPTIONS` included, gets 405 (D23).
///
/// ```
/// use axum::Router;
/// use webhook_runtime::{Config, EventGridEvent, route};
///
/// let config = Config::new().with_subscriptions(["orders"]);
/// let app: Router = Router::new().route(
///     "/eventgrid",
///     route::eventgrid(config, |event: EventGridEvent<serde_json::Value>, (): ()| async move {
///         println!("{} {}", event.event_type(), event.data());
///     }),
/// );
/// ```
pub fn eventgrid<S, E, T, X, H>(config: Config, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = EventGridEvent<T>>,
    T: EventData,
    X: Extractors<S>,
    H: WebhookHandler<E, X, S>,
{
    eventgrid_with_decoder(config, eventgrid::decode::<T>, move |event, x| {
        handler.call(event, x)
    })
}

/// [`eventgrid()`] with the decoder passed in (see [`cloudevents_with_decoder`]).
pub(crate) fn eventgrid_with_decoder<S, E, T, X, F, Fut>(
    config: Config,
    decoder: GridDecoder<T>,
    handler: F,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: 'static,
    X: 'static,
    Fut: 'static,
    GridEndpoint<T, F>: Delivering<S, E, X, Fut>,
{
    if config.sender().is_some_and(|s| s != Sender::EventGrid) {
        tracing::warn!(
            sender = %config.sender().unwrap_or_default(),
            "an Event Grid schema route serves Azure Event Grid only: the configured sender is ignored"
        );
    }
    let endpoint = Arc::new(GridEndpoint {
        body_limit: config.body_limit().unwrap_or(DEFAULT_EVENTGRID_BODY_LIMIT),
        counters: Counters::default(),
        config,
        decoder,
        handler,
    });
    axum::routing::post(Deliver::<_, E, X, Fut>(endpoint, PhantomData))
        .fallback(method_not_allowed_eventgrid)
}

impl<S, E, T, X, F, Fut> Delivering<S, E, X, Fut> for GridEndpoint<T, F>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = EventGridEvent<T>>,
    T: Send + 'static,
    X: FromRequestParts<S> + Send + 'static,
    F: Fn(E, X) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoAnswer,
{
    fn observed_as(&self) -> (Sender, &Counters) {
        (Sender::EventGrid, &self.counters)
    }

    fn deliver(
        self: Arc<Self>,
        parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: Counted,
    ) -> impl Future<Output = Response> + Send + 'static {
        GridEndpoint::deliver::<S, E, X, Fut>(self, parts, body, state, counted)
    }
}

pub(crate) struct GridEndpoint<T, F> {
    config: Config,
    body_limit: usize,
    counters: Counters,
    decoder: GridDecoder<T>,
    handler: F,
}

impl<T, F> GridEndpoint<T, F> {
    /// An `async` block rather than an `async fn`, as in [`Endpoint::deliver`].
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future holds its arguments twice"
    )]
    fn deliver<S, E, X, Fut>(
        self: Arc<Self>,
        mut parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: Counted,
    ) -> impl Future<Output = Response>
    where
        E: EventParam<Event = EventGridEvent<T>>,
        X: FromRequestParts<S>,
        F: Fn(E, X) -> Fut,
        Fut: Future,
        Fut::Output: IntoAnswer,
    {
        async move {
            if let Err(rejection) = guard::authenticate(&self.config, &parts).await {
                return rejection.unread_body().into_response();
            }
            let response = self
                .deliver_authenticated(&mut parts, body, state, counted)
                .await;
            private_if_access_token(response, &parts)
        }
    }

    async fn deliver_authenticated<S, E, X, Fut>(
        &self,
        parts: &mut Parts,
        body: axum::body::Body,
        state: S,
        counted: Counted,
    ) -> Response
    where
        E: EventParam<Event = EventGridEvent<T>>,
        X: FromRequestParts<S>,
        F: Fn(E, X) -> Fut,
        Fut: Future,
        Fut::Output: IntoAnswer,
    {
        let subscription = crate::headers::first(&parts.headers, &AEG_SUBSCRIPTION_NAME);
        if !self
            .config
            .accepts_subscription(subscription.map(|v| v.as_bytes()))
        {
            return Rejection::forbidden(
                "aeg-subscription-name is not a subscription this endpoint expects",
            )
            .unread_body()
            .into_response();
        }
        let (body, delivery) = match self.decode(&parts.headers, body).await {
            Ok(decoded) => decoded,
            Err(rejection) => return rejection.into_response(),
        };
        let subscription = subscription.and_then(|v| v.to_str().ok());
        let span = request_span();
        match delivery {
            Delivery::Validation(request) => {
                span.record("mode", "validation");
                self.validate(&request, subscription)
            }
            Delivery::Deletion(notice) => {
                span.record("mode", "deletion");
                if let Some(hook) = self.config.deletion_hook() {
                    hook(&notice, subscription);
                }
                StatusCode::OK.into_response()
            }
            Delivery::Notification(events) => {
                span.record("mode", "array");
                let exchange = Exchange {
                    config: &self.config,
                    sender: Sender::EventGrid,
                    counted,
                    body: &body,
                };
                // Boxed apart from the decoding's state (see `Observation::run`).
                Box::pin(dispatch(&exchange, &self.handler, events, parts, &state)).await
            }
        }
    }

    /// Answers a subscription validation: by the runtime's own GET (feature `validation-get`),
    /// by the application's hook (an empty 200), or synchronously with the code.
    fn validate(
        &self,
        request: &eventgrid::ValidationRequest,
        subscription: Option<&str>,
    ) -> Response {
        if let Some(hook) = self.config.manual_validation_hook() {
            hook(&crate::config::ManualValidation {
                subscription_name: subscription,
                request,
            });
        }
        #[cfg(feature = "validation-get")]
        if let Some(client) = self.config.validation_get() {
            // SPEC §3: GET only for an expected subscription, so the list must exist.
            if self.config.subscriptions().next().is_none() {
                tracing::error!(
                    "validation by GET is configured without `subscriptions`: refusing"
                );
                return Rejection::forbidden(
                    "this endpoint validates by GET only for listed subscriptions, and lists none",
                )
                .into_response();
            }
            let url = request
                .validation_url
                .as_deref()
                .and_then(eventgrid::event_grid_validation_url);
            let Some(url) = url else {
                tracing::warn!(
                    "validation event refused: its validationUrl is not https on an Event Grid host"
                );
                return Rejection::bad_request(
                    "validationUrl is not an https URL on an Event Grid host",
                )
                .into_response();
            };
            let (body, sent) = eventgrid::SentSignal::new();
            let client = client.clone();
            tokio::spawn(async move {
                if sent.await.is_ok() {
                    client.get(url).await;
                }
            });
            return (StatusCode::OK, axum::body::Body::new(body)).into_response();
        }
        if self.config.manual_validation_hook().is_some() {
            StatusCode::OK.into_response()
        } else {
            request.respond()
        }
    }

    /// Media type (415) → size (413) → content (400), as D20 orders them.
    async fn decode(
        &self,
        headers: &HeaderMap,
        body: axum::body::Body,
    ) -> Result<(Bytes, Delivery<T>), Rejection> {
        if let Some(content_type) = headers.get(header::CONTENT_TYPE)
            && !content_type
                .to_str()
                .is_ok_and(crate::data::is_json_media_type)
        {
            return Err(Rejection::unsupported_media_type(
                "an Event Grid delivery is a JSON array: send Content-Type application/json",
            )
            .unread_body());
        }
        let body = read_body(headers, body, self.body_limit, self.config.body_timeout())
            .await
            .map_err(Rejection::unread_body)?;
        let delivery = (self.decoder)(headers, &body)?;
        Ok((body, delivery))
    }
}

async fn method_not_allowed_eventgrid() -> Response {
    let mut response = Rejection::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed: an Event Grid webhook takes POST only",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, http::HeaderValue::from_static("POST"));
    response
}

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

impl<Ev, F> Endpoint<Ev, F> {
    /// D1: credentials (401) → the handshake's own checks → consent.
    async fn options(self: Arc<Self>, parts: Parts) -> Response {
        let authenticated = guard::authenticate(&self.config, &parts).await;
        self.answer_handshake(authenticated, &parts)
    }

    /// The answer to an `OPTIONS` request, once it is authenticated (or refused).
    fn answer_handshake(
        &self,
        authenticated: Result<Option<crate::auth::Authenticated>, Rejection>,
        parts: &Parts,
    ) -> Response {
        request_span().record("mode", "handshake");
        if let Err(rejection) = authenticated {
            return rejection.into_response();
        }
        private_if_access_token(self.handshake(&parts.headers), parts)
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
    fn deliver<S, E, X, Fut>(
        self: Arc<Self>,
        mut parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: Counted,
    ) -> impl Future<Output = Response>
    where
        E: EventParam<Event = Ev>,
        X: FromRequestParts<S>,
        F: Fn(E, X) -> Fut,
        Fut: Future,
        Fut::Output: IntoAnswer,
    {
        async move {
            if let Err(rejection) = self.admit(&parts).await {
                return rejection.unread_body().into_response();
            }
            let response = match self.decode(&parts.headers, body).await {
                Ok((body, cloudevents::Delivery::Events(events))) => {
                    let exchange = Exchange {
                        config: &self.config,
                        sender: self.sender,
                        counted,
                        body: &body,
                    };
                    // Not boxed apart (see `Observation::run`).
                    dispatch(&exchange, &self.handler, events, &mut parts, &state).await
                }
                Ok((_, cloudevents::Delivery::EventGridValidation(request))) => {
                    self.validate(&request)
                }
                Err(rejection) => rejection.into_response(),
            };
            private_if_access_token(response, &parts)
        }
    }

    /// An Event Grid validation event sent as a CloudEvent: only a route that admits Event Grid
    /// as a sender answers it.
    fn validate(&self, request: &eventgrid::ValidationRequest) -> Response {
        request_span().record("mode", "validation");
        let origins = self.config.origins();
        if EVENT_GRID_ORIGINS
            .iter()
            .any(|o| origins.grant(o.as_bytes()).is_some())
        {
            request.respond()
        } else {
            Rejection::forbidden(
                "an Event Grid validation event, but Event Grid is not an allowed origin of this endpoint",
            )
            .into_response()
        }
    }

    /// D20 before the body: credentials (401) → origin enforcement (403) → rate (429).
    async fn admit(&self, parts: &Parts) -> Result<(), Rejection> {
        guard::authenticate(&self.config, parts).await?;
        if self.config.enforces_origins() {
            guard::check_origin(&self.config, &parts.headers)?;
        }
        if let Some(limiter) = &self.limiter {
            limiter.admit()?;
        }
        Ok(())
    }

    /// Media type (415) → size (413) → content (400), as D20 orders them.
    async fn decode(
        &self,
        headers: &HeaderMap,
        body: axum::body::Body,
    ) -> Result<(Bytes, cloudevents::Delivery<Ev>), Rejection> {
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

/// What a delivery's handler calls need besides the events: the route's settings, its sender,
/// and the body the events came in (for the dead-letter hook).
struct Exchange<'a> {
    config: &'a Config,
    sender: Sender,
    #[cfg_attr(not(feature = "metrics"), expect(dead_code))]
    counted: Counted,
    body: &'a Bytes,
}

/// Who an event is, kept for the dead-letter hook after the event itself went to the handler.
struct EventLabel {
    index: usize,
    id: Option<String>,
    source: Option<String>,
    event_type: Option<String>,
}

impl EventLabel {
    fn of(index: usize, event: &impl DeliveredEvent) -> Self {
        Self {
            index,
            id: event.event_id().map(str::to_owned),
            source: event.event_source().map(str::to_owned),
            event_type: event.event_type_name().map(str::to_owned),
        }
    }

    fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            index: self.index,
            id: self.id.as_deref(),
            source: self.source.as_deref(),
            event_type: self.event_type.as_deref(),
        }
    }
}

impl Exchange<'_> {
    /// The answer for the sender: an [`Outcome`] mapped for it (a rejection the sender would
    /// redeliver forever goes to the dead-letter hook), anything else as the handler made it,
    /// an empty 200 as 204 (D6).
    fn answer(&self, response: Response, headers: &HeaderMap, events: &[EventLabel]) -> Response {
        let Some(Returned(outcome)) = response.extensions().get::<Returned>() else {
            return no_content_for_empty_ok(response);
        };
        if let Outcome::Reject { reason } = outcome {
            request_span().record("reason", &**reason);
            if self.sender == Sender::SapEventMesh {
                let content_type = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                for event in events {
                    let letter = DeadLetter {
                        reason,
                        event: event.as_ref(),
                        content_type,
                        body: self.body,
                    };
                    match self.config.dead_letter_hook() {
                        Some(hook) => hook(&letter),
                        None => crate::outcome::log_dead_letter(&letter),
                    }
                }
            }
        }
        outcome.response_for(self.sender)
    }
}

/// Calls the handler for each argument the events make (D8): extractors run before each call,
/// the first answer that is not 2xx answers for the delivery. With deduplication, events
/// handled before are left out (and acknowledged), and each call's events are recorded as handled
/// when it succeeds or released when it fails.
async fn dispatch<S, E, X, F, Fut>(
    exchange: &Exchange<'_>,
    handler: &F,
    events: Vec<E::Event>,
    parts: &mut Parts,
    state: &S,
) -> Response
where
    E: EventParam,
    X: FromRequestParts<S>,
    F: Fn(E, X) -> Fut,
    Fut: Future,
    Fut::Output: IntoAnswer,
{
    record_events(&events);
    #[cfg(feature = "metrics")]
    exchange.counted.events(events.len());
    // Only a sender that redelivers every refusal needs the rejected events named afterwards.
    let mut labels: Vec<EventLabel> = if exchange.sender == Sender::SapEventMesh {
        events
            .iter()
            .enumerate()
            .map(|(i, e)| EventLabel::of(i, e))
            .collect()
    } else {
        Vec::new()
    };
    let (events, mut claims) = match exchange.config.dedup() {
        None => (events, None),
        Some(dedup) => {
            let delivered = events.len();
            let route = matched_path(&parts.extensions);
            // Boxed: its state stays out of the future of every delivery without dedup.
            match Box::pin(claim_events(
                dedup,
                route,
                exchange.sender,
                events,
                &mut labels,
            ))
            .await
            {
                Ok((events, claims)) if events.is_empty() && delivered > 0 => {
                    drop(claims);
                    return Outcome::Ack.response_for(exchange.sender);
                }
                Ok((events, claims)) => (events, Some(claims)),
                Err(response) => return response,
            }
        }
    };
    let mut settled = 0;
    let mut calls = E::calls(events);
    if calls.len() == 0 {
        return no_content();
    }
    loop {
        // Extractors first: an argument taken before an await would be held in this future
        // beside the handler's own future, which holds it too.
        let extracted = match X::from_request_parts(parts, state).await {
            Ok(extracted) => extracted,
            Err(rejection) => return rejection.into_response(),
        };
        // The argument's binding ends before the await: a binding still in scope keeps its
        // space in this future even after the value moved into the handler's.
        let (count, call) = match calls.next() {
            Some(argument) => (argument.count(), handler(argument, extracted)),
            None => return no_content(),
        };
        // A handler without a return type answers nothing to map (`None`: handled, 204).
        let response = match call.await.into_answer() {
            Answer::Handled => None,
            Answer::Response(response) => {
                let labels = labels.get(settled..settled + count).unwrap_or_default();
                Some(exchange.answer(response, &parts.headers, labels))
            }
        };
        let handled = response.as_ref().is_none_or(|r| r.status().is_success());
        if let Some(claims) = &mut claims
            && let Err(error) = Box::pin(claims.settle(count, handled)).await
        {
            // The events were handled (or not) all the same; a lost record only means a
            // redelivery may be handled again.
            tracing::warn!(%error, "deduplication record not updated");
        }
        if !handled {
            #[cfg(feature = "metrics")]
            exchange.counted.handler_failure();
        }
        // The last call's answer answers for the delivery, as does the first failure; the
        // others are dropped at once rather than kept in this future across the next call.
        if !handled || calls.len() == 0 {
            return response.unwrap_or_else(no_content);
        }
        settled += count;
    }
}

/// Records the number of events and the first event on the request's span.
fn record_events(events: &[impl DeliveredEvent]) {
    // Without a span, recording on `Span::none()` would still cost its calls.
    if !traced() {
        return;
    }
    let span = request_span();
    span.record("events", events.len());
    if let Some(first) = events.first() {
        if let Some(id) = first.event_id() {
            span.record("first_id", id);
        }
        if let Some(ty) = first.event_type_name() {
            span.record("first_type", ty);
        }
    }
}

/// Claims every event of a delivery in the dedup store: events handled before are left out, an
/// event in flight elsewhere answers "retry later" for the delivery, a failing store 503.
async fn claim_events<Ev: DeliveredEvent>(
    dedup: &Dedup,
    route: &str,
    sender: Sender,
    events: Vec<Ev>,
    labels: &mut Vec<EventLabel>,
) -> Result<(Vec<Ev>, Claims), Response> {
    let mut claims = Claims::new(dedup);
    let mut kept = Vec::with_capacity(events.len());
    let mut keep = Vec::with_capacity(labels.len());
    for event in events {
        let Some(key) = dedup::key(route, event.event_source(), event.event_id()) else {
            claims.hold(None);
            kept.push(event);
            keep.push(true);
            continue;
        };
        match dedup.store.claim(&key, dedup.lease).await {
            Ok(Claim::Claimed) => {
                claims.hold(Some(key));
                kept.push(event);
                keep.push(true);
            }
            Ok(Claim::Done) => {
                tracing::debug!(
                    id = event.event_id(),
                    "a redelivery of an event handled before: acknowledged again"
                );
                keep.push(false);
            }
            Ok(Claim::InFlight) => {
                request_span().record("reason", "the same event is being handled");
                return Err(Outcome::retry_after(Duration::from_secs(1)).response_for(sender));
            }
            Err(error) => {
                tracing::error!(%error, "deduplication store failed: delivery refused for now");
                return Err(Rejection::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the deduplication store is unavailable: deliver again later",
                )
                .with_retry_after(5)
                .into_response());
            }
        }
    }
    if !labels.is_empty() {
        let mut keep = keep.into_iter();
        labels.retain(|_| keep.next().unwrap_or(true));
    }
    Ok((kept, claims))
}

/// Reads the body up to `limit` bytes: 413 beyond it, decided from `Content-Length` before
/// reading when one is declared.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: axum::body::Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, Rejection> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Rejection::payload_too_large(limit));
    }
    // The timer is only set when the body is not all there at once (the usual case for a small
    // body): reading the clock and arming a timer per request costs more than the first poll.
    // It is boxed, as only a body still arriving needs one; and it is polled in the same
    // `poll_fn` as the body, so that no result is held in this future across an await.
    let mut collect = std::pin::pin!(Limited::new(body, limit).collect());
    let mut timer: Option<Pin<Box<tokio::time::Sleep>>> = None;
    let collected = std::future::poll_fn(|cx| {
        if let Poll::Ready(collected) = collect.as_mut().poll(cx) {
            return Poll::Ready(Some(collected));
        }
        let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
    .ok_or_else(|| {
        Rejection::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("the body did not arrive within {} s", timeout.as_secs_f32()),
        )
    })?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Rejection::payload_too_large(limit))
        }
        Err(_) => Err(Rejection::bad_request(
            "the request body could not be read to its end",
        )),
    }
}

/// D15: a 2xx answer to a request that carried an `access_token` query parameter is
/// `Cache-Control: private`.
fn private_if_access_token(mut response: Response, parts: &Parts) -> Response {
    if response.status().is_success() && crate::auth::has_access_token(parts.uri.query()) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            http::HeaderValue::from_static("private"),
        );
    }
    response
}

/// What is observed of one request: its span (route, sender, mode, events, first event,
/// status, reason) and, with feature `metrics`, the labels of its counters. The span holds no
/// header, query or body value: credentials, `access_token` and validation codes never reach it
/// (D15).
struct Observation {
    span: tracing::Span,
    /// The keys of the request's counters, and whether it is a handshake.
    #[cfg(feature = "metrics")]
    counted: (Counted, bool),
}

impl Observation {
    #[cfg_attr(not(feature = "metrics"), expect(unused_variables))]
    fn new((sender, counters): (Sender, &Counters), request: &Request) -> Self {
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
    fn counted(&self) -> Counted {
        #[cfg(feature = "metrics")]
        {
            Arc::clone(&self.counted.0)
        }
        #[cfg(not(feature = "metrics"))]
        Counted
    }

    /// Runs the request inside its span, answers 500 for a panic instead of dropping the
    /// connection, and logs one `info` line with the answer's status.
    ///
    /// The request's future is boxed here, the only box of a request besides the one axum puts
    /// the returned [`Observed`] in: a box keeps the future where it is while axum moves what it
    /// was given. On a CloudEvents route the handler's calls run inside this box: a second box
    /// for them cost an allocation and a copy of their state per delivery (~320 instructions,
    /// ~40 ns of a ~2 µs structured delivery). The box stays within glibc's per-thread cache
    /// (blocks up to 1032 bytes) while the handler's future is small; a handler whose future is
    /// ~80 bytes larger than an event makes glibc consolidate its free lists first (~2% of a
    /// structured delivery), a cost small beside the work such a handler does. Event Grid routes
    /// keep the calls boxed apart: their deliveries are arrays, where one box is nothing.
    fn run(self, request: impl Future<Output = Response> + Send + 'static) -> Observed {
        Observed {
            request: Pending::Boxed(Box::pin(request)),
            observation: self,
        }
    }

    /// [`Observation::run`] for an answer made now, outside any span (the request is not
    /// traced): a panic in `answer` is answered 500 all the same.
    fn answer_now(self, answer: impl FnOnce() -> Response) -> Observed {
        let response =
            std::panic::catch_unwind(AssertUnwindSafe(answer)).unwrap_or_else(handler_panicked);
        Observed {
            request: Pending::Ready(Some(response)),
            observation: self,
        }
    }
}

/// A request's future as the route's handlers give it to axum: the request, boxed, polled
/// inside its span with panics caught ([`Observation::run`]), or its answer made already
/// ([`Observation::answer_now`]).
struct Observed {
    request: Pending,
    observation: Observation,
}

/// What an [`Observed`] is waiting for.
enum Pending {
    Boxed(Pin<Box<dyn Future<Output = Response> + Send>>),
    /// The answer, until it is taken.
    Ready(Option<Response>),
}

impl Future for Observed {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Response> {
        let this = &mut *self;
        let span = &this.observation.span;
        let response = match &mut this.request {
            // Made without a span: the span's part below does nothing for it.
            Pending::Ready(answer) => answer.take().expect("an answer is taken once"),
            Pending::Boxed(request) => {
                let mut poll =
                    || std::panic::catch_unwind(AssertUnwindSafe(|| request.as_mut().poll(cx)));
                let polled = if span.is_none() {
                    poll()
                } else {
                    let _entered = span.enter();
                    poll()
                };
                match polled {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(response)) => response,
                    Err(panic) => span.in_scope(|| handler_panicked(panic)),
                }
            }
        };
        if !span.is_disabled() {
            span.record("status", response.status().as_u16());
            span.in_scope(|| tracing::info!("webhook request answered"));
        }
        #[cfg(feature = "metrics")]
        {
            let (keys, handshake) = &this.observation.counted;
            keys.answered(*handshake, &response);
        }
        Poll::Ready(response)
    }
}

/// Whether requests are traced: a subscriber takes `info` events (the request's span and its
/// answer line are at `info`). Without one, the route neither makes a span nor looks for the
/// current one.
fn traced() -> bool {
    tracing::Level::INFO <= tracing::level_filters::LevelFilter::current()
}

/// The request's span, to record its fields on: the current span when requests are traced,
/// none otherwise (no span was made, so none is looked for).
pub(crate) fn request_span() -> tracing::Span {
    if traced() {
        tracing::Span::current()
    } else {
        tracing::Span::none()
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

/// D6: a 200 with an empty body (what `()` and `Ok(())` produce) becomes 204 (W8).
fn no_content_for_empty_ok(response: Response) -> Response {
    if response.status() == StatusCode::OK && response.body().size_hint().exact() == Some(0) {
        into_no_content(response)
    } else {
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like the benches' data (`benches/common`): four strings' worth of fields.
    #[derive(serde::Deserialize)]
    struct Order {
        _order_id: String,
        _customer: String,
        _amount: f64,
        _quantity: u32,
        _note: String,
    }

    async fn handler<Ev>(event: Ev, (): ()) {
        std::hint::black_box(&event);
    }

    /// A delivery's future, the handler calls included, is boxed once (`Observation::run`):
    /// the box must stay within glibc's per-thread cache (blocks up to 1032 bytes; a larger
    /// block makes malloc consolidate its free lists, 2–2.5% of a structured delivery's
    /// profile) for a handler like this one, whose future holds only its event. The budgets
    /// fail if a future again holds the request's parts twice (+224 bytes), or keeps a moved
    /// argument or an answer across an await.
    const DELIVERY_BUDGET: usize = 1032;
    const CALLS_BUDGET: usize = 640;

    #[test]
    fn request_futures_fit_their_budgets() {
        let endpoint = Arc::new(Endpoint {
            config: Config::new(),
            handshake: handshake::Responder::new(None),
            sender: Sender::default(),
            counters: Counters::default(),
            body_limit: DEFAULT_CLOUDEVENTS_BODY_LIMIT,
            limiter: None,
            decoding: Decoding::<CloudEvent<Order>>::cloudevents(),
            // What `#[webhook]` generates for a handler without a return type.
            handler: |event, x| crate::__private::handled(handler::<CloudEvent<Order>>(event, x)),
        });
        let request = Request::new(axum::body::Body::empty());
        let counted =
            || Observation::new((endpoint.sender, &endpoint.counters), &request).counted();
        let exchange_counted = counted();
        let delivery_counted = counted();
        let (mut parts, body) = request.into_parts();
        let bytes = Bytes::new();
        let exchange = Exchange {
            config: &endpoint.config,
            sender: endpoint.sender,
            counted: exchange_counted,
            body: &bytes,
        };
        let calls = dispatch::<(), CloudEvent<Order>, (), _, _>(
            &exchange,
            &endpoint.handler,
            Vec::new(),
            &mut parts,
            &(),
        );
        let calls_size = size_of_val(&calls);
        drop(calls);
        let delivery = Arc::clone(&endpoint).deliver::<(), CloudEvent<Order>, (), _>(
            parts,
            body,
            (),
            delivery_counted,
        );
        let delivery_size = size_of_val(&delivery);
        assert!(
            delivery_size <= DELIVERY_BUDGET && calls_size <= CALLS_BUDGET,
            "delivery {delivery_size} bytes (budget {DELIVERY_BUDGET}), \
             calls {calls_size} bytes (budget {CALLS_BUDGET})"
        );
    }
}
