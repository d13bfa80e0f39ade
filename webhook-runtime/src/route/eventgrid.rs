//! The Event Grid endpoint: `POST` only (D23), where the runtime answers subscription
//! validations and deletions itself and hands the events of a notification to the handler, in
//! the Event Grid schema or the topic's custom input schema (G1), as the decoder reads them.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName, StatusCode, header};

use super::body::read_body;
use super::dispatch::{DeliveryContext, dispatch};
use super::handler::{EventParam, IntoHandlerAnswer};
use super::method::{DeliveryEndpoint, PostHandler};
use super::response_future::{RequestCounters, RouteCounters};
use crate::auth::private_if_access_token;
use crate::config::EventGridConfig;
use crate::eventgrid::{
    AEG_EVENT_TYPE, AEG_SUBSCRIPTION_NAME, DEFAULT_EVENTGRID_BODY_LIMIT, Delivery, validation,
};
use crate::guard;
use crate::outcome::Sender;
use crate::rejection::Rejection;
use crate::span::request_span;

/// The headers an Event Grid delivery is decided on, each of which must come at most once (400
/// otherwise, before any of them is read): `Content-Type` (415), `aeg-subscription-name` (403),
/// `aeg-event-type` (what the delivery is, D23) and `Host` (RFC 9112 §3.2).
static DELIVERY_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    AEG_SUBSCRIPTION_NAME,
    AEG_EVENT_TYPE,
    header::HOST,
];

/// Decodes an Event Grid delivery into events `Ev`: [`EventGridEvent`](crate::EventGridEvent)s or
/// [`CustomInput`](crate::CustomInput)s.
pub type GridDecoder<Ev> = fn(&HeaderMap, &[u8]) -> Result<Delivery<Ev>, Rejection>;

/// [`route::eventgrid()`](super::eventgrid()) with the decoder passed in (see
/// [`cloudevents_route`](super::cloudevents_route)).
pub(crate) fn eventgrid_route<S, E, X, F, Fut>(
    config: EventGridConfig,
    decoder: GridDecoder<E::Event>,
    handler: F,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam + 'static,
    X: 'static,
    Fut: 'static,
    EventGridEndpoint<E::Event, F>: DeliveryEndpoint<S, E, X, Fut>,
{
    let endpoint = Arc::new(EventGridEndpoint {
        body_limit: config.body_limit().unwrap_or(DEFAULT_EVENTGRID_BODY_LIMIT),
        counters: RouteCounters::default(),
        config,
        decoder,
        handler,
    });
    axum::routing::post(PostHandler::<_, E, X, Fut>(endpoint, PhantomData))
        .fallback(method_not_allowed)
}

impl<S, E, X, F, Fut> DeliveryEndpoint<S, E, X, Fut> for EventGridEndpoint<E::Event, F>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam,
    X: FromRequestParts<S> + Send + 'static,
    F: Fn(E, X) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoHandlerAnswer,
{
    fn observed_as(&self) -> (Sender, &RouteCounters) {
        (Sender::EventGrid, &self.counters)
    }

    fn deliver(
        self: Arc<Self>,
        parts: Parts,
        body: axum::body::Body,
        state: S,
        counted: RequestCounters,
    ) -> impl Future<Output = Response> + Send + 'static {
        EventGridEndpoint::deliver::<S, E, X, Fut>(self, parts, body, state, counted)
    }
}

/// An Event Grid route's settings and handler, for events `Ev`.
pub(crate) struct EventGridEndpoint<Ev, F> {
    config: EventGridConfig,
    body_limit: usize,
    counters: RouteCounters,
    decoder: GridDecoder<Ev>,
    handler: F,
}

impl<Ev, F> EventGridEndpoint<Ev, F> {
    /// An `async` block rather than an `async fn`, as in
    /// [`CloudEventsEndpoint::deliver`](super::cloudevents::CloudEventsEndpoint::deliver).
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future holds its arguments twice"
    )]
    fn deliver<S, E, X, Fut>(
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
            if let Err(rejection) = guard::authenticate(&self.config, &mut parts).await {
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
        counted: RequestCounters,
    ) -> Response
    where
        E: EventParam<Event = Ev>,
        X: FromRequestParts<S>,
        F: Fn(E, X) -> Fut,
        Fut: Future,
        Fut::Output: IntoHandlerAnswer,
    {
        if let Err(rejection) = crate::headers::refuse_repeated(&parts.headers, &DELIVERY_HEADERS) {
            return rejection.unread_body().into_response();
        }
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
                let lists_subscriptions = self.config.subscriptions().next().is_some();
                validation::answer(
                    self.config.validation(),
                    &request,
                    subscription,
                    lists_subscriptions,
                )
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
                let context = DeliveryContext {
                    dedup: self.config.dedup(),
                    dead_letter_hook: None,
                    max_events: self.config.max_events(),
                    sender: Sender::EventGrid,
                    counted,
                    body: &body,
                };
                // Boxed apart from the decoding's state (see `Observation::run`).
                Box::pin(dispatch(&context, &self.handler, events, parts, &state)).await
            }
        }
    }

    /// Media type (415) → size (413) → content (400), as D20 orders them.
    async fn decode(
        &self,
        headers: &HeaderMap,
        body: axum::body::Body,
    ) -> Result<(Bytes, Delivery<Ev>), Rejection> {
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

/// 405 for every method but `POST`, `OPTIONS` included (D23).
async fn method_not_allowed() -> Response {
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
