//! The builders that assemble a webhook route around an ordinary handler.
//!
//! `#[webhook]` expands to a call of these builders; the same functions serve users who prefer
//! plain axum:
//!
//! ```
//! use axum::{Router, extract::State};
//! use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, route};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { order_id: String }
//!
//! let config = CloudEventsConfig::new()
//!     .with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap())
//!     .with_rate(120);
//! let app: Router<()> = Router::new().route(
//!     "/hooks/orders",
//!     route::cloudevents(config, |event: CloudEvent<Order>, State(()): State<()>| async move {
//!         println!("order {}", event.data().order_id);
//!     }),
//! );
//! ```

// A request takes this path through the modules below: `method` hands axum one handler per
// method; the endpoint (`cloudevents` or `eventgrid`) admits it (credentials, origin, rate),
// reads its body (`body`) and decodes it; `dispatch` calls the handler for its events and maps
// the answer for the sender; `response_future` wraps all of it in the request's span, its
// counters and a guard that turns a panic into 500.

mod body;
mod cloudevents;
mod dispatch;
mod eventgrid;
pub(crate) mod handler;
mod method;
mod response_future;

use axum::extract::{FromRequestParts, MatchedPath};
use axum::routing::MethodRouter;
use serde::de::DeserializeOwned;

use crate::cloudevents::CloudEvent;
use crate::config::{CloudEventsConfig, EventGridConfig};
use crate::eventgrid::{CustomInput, EventGridEvent};
use crate::message::Incoming;

pub(crate) use self::cloudevents::{Decoding, cloudevents_route};
pub(crate) use self::eventgrid::{GridDecoder, eventgrid_route};
pub use self::handler::{DeliveredEvent, EventParam, WebhookHandler};

/// Builds the route of a CloudEvents webhook: `OPTIONS` answers the abuse-protection handshake,
/// `POST` decodes deliveries and calls `handler`, other methods get 405.
///
/// `handler` is an ordinary handler (see [`WebhookHandler`]): the event parameter first (see
/// [`EventParam`]), then axum extractors of request parts; it may return anything
/// `IntoResponse`, an [`Outcome`](crate::Outcome) included. An empty 200 (what `()` produces) is
/// sent as 204 (D6); the first answer that is not 2xx stops a per-event batch and answers for it
/// (D8). The configuration adds authentication, limits, the sender's outcome mapping and
/// deduplication.
///
/// ```
/// use axum::{Router, body::Body, http::{Request, StatusCode}};
/// use tower::ServiceExt;
/// use webhook_runtime::{AllowedOrigins, CloudEvent, CloudEventsConfig, Outcome, route};
///
/// async fn orders(event: CloudEvent<i64>) -> Outcome {
///     if *event.data() < 0 { Outcome::reject("negative amount") } else { Outcome::Ack }
/// }
///
/// let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap());
/// let app: Router = Router::new().route("/orders", route::cloudevents(config, orders));
/// let post = |amount: i64| {
///     let body = format!(r#"{{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{amount}}}"#);
///     Request::post("/orders").header("content-type", "application/cloudevents+json").body(Body::from(body)).unwrap()
/// };
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// assert_eq!(app.clone().oneshot(post(5)).await.unwrap().status(), StatusCode::NO_CONTENT);
/// assert_eq!(app.oneshot(post(-5)).await.unwrap().status(), StatusCode::BAD_REQUEST);
/// # });
/// ```
pub fn cloudevents<S, E, T, X, H>(config: CloudEventsConfig, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = CloudEvent<T>>,
    T: DeserializeOwned + Send + 'static,
    X: FromRequestParts<S> + Send + 'static,
    H: WebhookHandler<E, X, S>,
{
    cloudevents_route(config, Decoding::cloudevents(), move |event, x| {
        handler.call(event, x)
    })
}

/// [`cloudevents()`] for a route that also takes plain messages (the handler takes
/// [`Incoming<T>`]): a body that is not a CloudEvent is typed as a whole (D7, SAP Event Mesh).
///
/// ```
/// use axum::{Router, body::Body, http::{Request, StatusCode}};
/// use tower::ServiceExt;
/// use webhook_runtime::{AllowedOrigins, CloudEventsConfig, Incoming, route};
///
/// #[derive(serde::Deserialize)]
/// struct Order { order_id: String }
///
/// let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["*"]).unwrap());
/// let app: Router = Router::new().route(
///     "/orders",
///     route::cloudevents_or_plain(config, |incoming: Incoming<Order>| async move {
///         assert_eq!(incoming.data().order_id, "o-1");
///     }),
/// );
/// // A queue fed by a publisher that does not use CloudEvents: the body is the data.
/// let request = Request::post("/orders")
///     .header("content-type", "application/json")
///     .body(Body::from(r#"{"order_id":"o-1"}"#))
///     .unwrap();
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// assert_eq!(app.oneshot(request).await.unwrap().status(), StatusCode::NO_CONTENT);
/// # });
/// ```
pub fn cloudevents_or_plain<S, E, T, X, H>(config: CloudEventsConfig, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = Incoming<T>>,
    T: DeserializeOwned + Send + 'static,
    X: FromRequestParts<S> + Send + 'static,
    H: WebhookHandler<E, X, S>,
{
    cloudevents_route(config, Decoding::incoming(), move |event, x| {
        handler.call(event, x)
    })
}

/// Builds the route of an Azure Event Grid webhook (Event Grid schema): `POST` answers
/// subscription validations itself (200 with `{"validationResponse": …}`, or the manual hook of
/// [`EventGridConfig::on_manual_validation`]), acknowledges deletions (200), and calls `handler` for the
/// events of a notification. Every other method, `OPTIONS` included, gets 405 (D23).
///
/// ```
/// use axum::Router;
/// use webhook_runtime::{EventGridConfig, EventGridEvent, route};
///
/// let config = EventGridConfig::new().with_subscriptions(["orders"]);
/// let app: Router = Router::new().route(
///     "/eventgrid",
///     route::eventgrid(config, |event: EventGridEvent<serde_json::Value>, (): ()| async move {
///         println!("{} {}", event.event_type(), event.data());
///     }),
/// );
/// ```
pub fn eventgrid<S, E, T, X, H>(config: EventGridConfig, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = EventGridEvent<T>>,
    T: DeserializeOwned + Send + 'static,
    X: FromRequestParts<S> + Send + 'static,
    H: WebhookHandler<E, X, S>,
{
    eventgrid_route(config, crate::eventgrid::decode::<T>, move |event, x| {
        handler.call(event, x)
    })
}

/// [`eventgrid()`] for a subscription whose delivery schema is the topic's custom input schema
/// (protocol.md G1): the handler takes [`CustomInput<T>`] (or a `Vec` of them), the publisher's
/// own objects. Validations and deletions, which still come in the Event Grid schema, are
/// answered as on every Event Grid route; batches, outcomes and limits are the same (G2).
///
/// ```
/// use axum::Router;
/// use webhook_runtime::{CustomInput, EventGridConfig, route};
///
/// let config = EventGridConfig::new().with_subscriptions(["eventsub2"]);
/// let app: Router = Router::new().route(
///     "/messages",
///     route::eventgrid_custom_input(config, |message: CustomInput<serde_json::Value>, (): ()| async move {
///         println!("{}", message.data()["resource"]);
///     }),
/// );
/// ```
pub fn eventgrid_custom_input<S, E, T, X, H>(config: EventGridConfig, handler: H) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    E: EventParam<Event = CustomInput<T>>,
    T: DeserializeOwned + Send + 'static,
    X: FromRequestParts<S> + Send + 'static,
    H: WebhookHandler<E, X, S>,
{
    eventgrid_route(
        config,
        crate::eventgrid::decode_custom_input::<T>,
        move |event, x| handler.call(event, x),
    )
}

/// The path a request was routed by (`""` outside a router).
fn matched_path(extensions: &http::Extensions) -> &str {
    extensions
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::extract::Request;
    use bytes::Bytes;

    use super::cloudevents::{CloudEventsEndpoint, Decoding};
    use super::dispatch::{DeliveryContext, dispatch};
    use super::response_future::RequestTelemetry;
    use crate::cloudevents::CloudEvent;
    use crate::config::CloudEventsConfig;

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

    /// A delivery's future, the handler calls included, is boxed once (`RequestTelemetry::run`)
    /// per delivery, so its size is paid on every delivery: the budgets keep it within the block
    /// sizes that glibc's allocator serves from its per-thread cache, for a handler like this
    /// one whose future holds only its event. They fail if a future again holds the request's
    /// parts twice, or keeps a moved argument or an answer across an await.
    const DELIVERY_BUDGET: usize = 1032;
    const CALLS_BUDGET: usize = 640;

    #[test]
    fn request_futures_fit_their_budgets() {
        let endpoint = Arc::new(CloudEventsEndpoint::new(
            CloudEventsConfig::new(),
            Decoding::<CloudEvent<Order>>::cloudevents(),
            // What `#[webhook]` generates for a handler without a return type.
            |event, x| crate::__private::handled(handler::<CloudEvent<Order>>(event, x)),
        ));
        let request = Request::new(axum::body::Body::empty());
        let counted =
            || RequestTelemetry::new((endpoint.sender, &endpoint.counters), &request).counted();
        let context_counted = counted();
        let delivery_counted = counted();
        let (mut parts, body) = request.into_parts();
        let bytes = Bytes::new();
        let context = DeliveryContext {
            dedup: None,
            dead_letter_hook: None,
            max_events: crate::config::DEFAULT_MAX_EVENTS,
            sender: endpoint.sender,
            counted: context_counted,
            body: &bytes,
        };
        let calls = dispatch::<(), CloudEvent<Order>, (), _, _>(
            &context,
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
