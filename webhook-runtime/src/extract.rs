//! The events as axum extractors, for handlers written without `#[webhook]`.
//!
//! [`CloudEvent<T>`], [`Incoming<T>`], [`CloudEventBatch<T>`] and [`EventGridEvents<T>`]
//! implement [`FromRequest`]: put one last in any axum handler's parameters. They decode and
//! check exactly as the routes do (a repeated `Content-Type`, `Host` or, for Event Grid,
//! `aeg-event-type` 400 → media type 415 → size 413 → content 400, D20) and reject
//! with a plain-text [`Rejection`]. The body limit is axum's (`DefaultBodyLimit`, 2 MB unless
//! set); the handshake, validation, authentication, outcomes and deduplication are the route
//! builders' job ([`crate::route`]).
//!
//! ```
//! use axum::{Router, routing::post};
//! use webhook_runtime::CloudEvent;
//! use webhook_runtime::extract::CloudEventBatch;
//!
//! #[derive(serde::Deserialize)]
//! struct Order { order_id: String }
//!
//! async fn one(event: CloudEvent<Order>) {
//!     println!("{} {}", event.id(), event.data().order_id);
//! }
//!
//! async fn many(CloudEventBatch(events): CloudEventBatch<Order>) {
//!     println!("{} events", events.len());
//! }
//!
//! let app: Router = Router::new().route("/one", post(one)).route("/many", post(many));
//! ```

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::cloudevents::{self, CloudEvent, Mode};
use crate::eventgrid::{self, EventGridDelivery, EventGridEvent};
use crate::headers::refuse_repeated;
use crate::message::{self, Incoming};
use crate::rejection::Rejection;

/// The headers a CloudEvents extractor decides on (besides the `ce-` headers, which the binary
/// decoder refuses when repeated), each of which must come at most once.
static CLOUDEVENTS_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::HOST];

/// The headers the Event Grid extractor decides on, each of which must come at most once.
static EVENTGRID_HEADERS: [HeaderName; 3] = [
    header::CONTENT_TYPE,
    eventgrid::AEG_EVENT_TYPE,
    header::HOST,
];

/// Every event of a CloudEvents delivery, whatever its mode (structured and binary give one,
/// a batch all of its events, all checked before the handler runs, D8).
///
/// ```
/// use axum::{body::Body, extract::FromRequest, http::Request};
/// use webhook_runtime::extract::CloudEventBatch;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let request = Request::post("/orders")
///     .header("content-type", "application/cloudevents-batch+json")
///     .body(Body::from(r#"[{"specversion":"1.0","id":"1","source":"/s","type":"t","data":5}]"#))
///     .unwrap();
/// let CloudEventBatch(events) = CloudEventBatch::<u32>::from_request(request, &()).await.unwrap();
/// assert_eq!(*events[0].data(), 5);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CloudEventBatch<T = serde_json::Value>(pub Vec<CloudEvent<T>>);

/// The events of an Azure Event Grid notification (Event Grid schema).
///
/// A subscription validation is answered by the extractor itself (its rejection is the 200 with
/// `{"validationResponse": …}`), as is a subscription deletion (200), so the handler only sees
/// notifications.
///
/// ```
/// use axum::{body::Body, extract::FromRequest, http::Request};
/// use webhook_runtime::extract::EventGridEvents;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let body = r#"[{"id":"1","subject":"s","eventType":"t","eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":5}]"#;
/// let request = Request::post("/grid").header("content-type", "application/json").body(Body::from(body)).unwrap();
/// let EventGridEvents(events) = EventGridEvents::<u32>::from_request(request, &()).await.unwrap();
/// assert_eq!(*events[0].data(), 5);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventGridEvents<T = serde_json::Value>(pub Vec<EventGridEvent<T>>);

/// The headers and the body, read within axum's body limit (413 beyond it).
async fn read<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<(HeaderMap, Bytes), Rejection> {
    let (mut parts, body) = request.into_parts();
    let headers = std::mem::take(&mut parts.headers);
    let body = Bytes::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Rejection::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the body is larger than this endpoint's limit",
                )
            } else {
                Rejection::bad_request("the request body could not be read to its end")
            }
        })?;
    Ok((headers, body))
}

/// One event from a delivery that must hold exactly one.
fn single<Ev>(events: Vec<Ev>, mode: Mode) -> Result<Ev, Rejection> {
    if mode == Mode::Batch {
        return Err(Rejection::bad_request(
            "a batch of events, but this endpoint takes one event per request",
        ));
    }
    events.into_iter().next().ok_or_else(|| {
        // A derived event-type enum skipped it: acknowledged (an empty 204), not handled.
        Rejection::new(StatusCode::NO_CONTENT, "skipped")
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CloudEvent<T> {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        refuse_repeated(request.headers(), &CLOUDEVENTS_HEADERS)?;
        let mode = Mode::detect(request.headers())?;
        let (headers, body) = read(request, state).await?;
        single(cloudevents::decode(mode, &headers, &body)?, mode)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CloudEventBatch<T> {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        refuse_repeated(request.headers(), &CLOUDEVENTS_HEADERS)?;
        let mode = Mode::detect(request.headers())?;
        let (headers, body) = read(request, state).await?;
        cloudevents::decode(mode, &headers, &body).map(CloudEventBatch)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Incoming<T> {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        refuse_repeated(request.headers(), &CLOUDEVENTS_HEADERS)?;
        let mode = Mode::detect_or_plain(request.headers())?;
        let (headers, body) = read(request, state).await?;
        match message::decode_incoming(mode, &headers, &body)? {
            cloudevents::CloudEventsDelivery::Events(events) => {
                single(events, mode.unwrap_or(Mode::Structured))
            }
            cloudevents::CloudEventsDelivery::EventGridValidation(_) => {
                Err(Rejection::bad_request(
                    "an Event Grid validation event: use the webhook route to answer it",
                ))
            }
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for EventGridEvents<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        refuse_repeated(request.headers(), &EVENTGRID_HEADERS)
            .map_err(IntoResponse::into_response)?;
        if let Some(content_type) = request.headers().get(http::header::CONTENT_TYPE)
            && !content_type
                .to_str()
                .is_ok_and(crate::data::is_json_media_type)
        {
            return Err(Rejection::unsupported_media_type(
                "an Event Grid delivery is a JSON array: send Content-Type application/json",
            )
            .into_response());
        }
        let (headers, body) = read(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match eventgrid::decode(&headers, &body).map_err(IntoResponse::into_response)? {
            EventGridDelivery::Notification(events) => Ok(EventGridEvents(events)),
            EventGridDelivery::Validation(validation) => Err(validation.respond()),
            EventGridDelivery::Deletion(_) => Err(StatusCode::OK.into_response()),
        }
    }
}
