//! Azure Event Grid deliveries (Event Grid schema) through an axum `Router`, in process
//! (protocol.md §3, §5, §8 D18–D19, D23).
//!
//! ```text
//! cargo bench --bench eventgrid
//! ```
//!
//! Every request is built anew each iteration and sent with `tower::ServiceExt::oneshot` on a
//! current-thread tokio runtime, with the headers Event Grid sends (`aeg-event-type`,
//! `aeg-subscription-name`, …, Content-Type `application/json; charset=utf-8`). Scenarios
//! (criterion groups):
//!
//! - `eventgrid_validation`: `aeg-event-type: SubscriptionValidation` and the validation event
//!   array (one `Microsoft.EventGrid.SubscriptionValidationEvent`), answered 200
//!   `{"validationResponse":"<code>"}`;
//! - `eventgrid_array_100_per_event` and `eventgrid_array_100_whole`: a notification of 100
//!   events with ~1 KiB of typed data each (130 901 bytes), handled by an `EventGridEvent<T>`
//!   and by a `Vec<EventGridEvent<T>>` parameter;
//! - `eventgrid_array_5000_per_event` and `eventgrid_array_5000_whole`: a notification of 5000
//!   small events (Event Grid's largest batch), 1 145 001 bytes in all: under the Event Grid
//!   route's 2 MiB default limit (D9).
//!
//! Contenders in each group:
//!
//! - `ours`: the route of `#[webhook(schema = eventgrid)]`;
//! - `hand_written`: a careful hand-written axum handler doing the same work: `aeg-event-type`,
//!   JSON Content-Type, serde into a struct with the Event Grid fields, required fields present
//!   and `id`, `eventType`, `eventTime` non-empty, the validation answered with its code,
//!   validation and deletion events inside a notification refused (D23), the application code
//!   per event (or once), 200/204. Unlike `ours`, it keeps `eventTime` as a string (`ours`
//!   parses it as RFC 3339);
//! - `noop`: a route that only reads the body and answers 204 (D19's limit);
//! - `lean`, in `eventgrid_validation`: the least a route can do there, short of what `ours`
//!   and `hand_written` check (see `lean_validation`): how near D19's limit any route on axum
//!   comes;
//! - `serde_floor`: `serde_json::from_slice` of the body into the hand-written events, no HTTP.
//!
//! There is no Event Grid SDK contender. Before timing, every contender answers one request
//! (checked: 2xx, every event handled, the validation code echoed) and the allocations of one
//! request (server side: the request is built before counting) are printed. The counting
//! allocator stays installed while criterion times, adding roughly 15–20 ns per allocation to
//! every contender. Criterion's estimates land in `target/criterion/eventgrid_*/`.

mod common;

use std::hint::black_box;

use axum::body::Bytes;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use common::{Delivery, Order, Reject, Scenario, bad_request, bench_scenarios, handle, noop};
use criterion::criterion_main;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use webhook_runtime::{EventGridEvent, webhook};

/// Events in the small array scenario.
const ARRAY_SMALL: usize = 100;
/// Events in the large array scenario: Event Grid's largest batch (protocol.md §5).
const ARRAY_LARGE: usize = 5000;
/// Event Grid's validation and deletion event types (protocol.md §3).
const VALIDATION_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";
const DELETION_TYPE: &str = "Microsoft.EventGrid.SubscriptionDeletedEvent";
/// The validation code of the validation scenario.
const VALIDATION_CODE: &str = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6";

// ---------------------------------------------------------------------------------------------
// ours

/// One event per call.
#[webhook(schema = eventgrid)]
async fn ours_per_event(event: EventGridEvent<Order>) {
    handle(1, &event);
}

/// The whole array in one call.
#[webhook(schema = eventgrid)]
async fn ours_whole(events: Vec<EventGridEvent<Order>>) {
    handle(events.len(), &events);
}

// ---------------------------------------------------------------------------------------------
// hand_written

/// An Event Grid event as the hand-written route (and the serde floor) parses it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "the application reads the event through `black_box`"
)]
struct HandEvent<T> {
    id: String,
    topic: Option<String>,
    subject: String,
    event_type: String,
    event_time: String,
    data_version: String,
    metadata_version: Option<String>,
    data: T,
}

impl<T> HandEvent<T> {
    /// The required fields that must not be empty are not (`subject` and `dataVersion` may be).
    fn check(&self) -> Result<(), Reject> {
        if self.id.is_empty() || self.event_type.is_empty() || self.event_time.is_empty() {
            return Err(bad_request("a required field is empty"));
        }
        Ok(())
    }
}

/// The data of a subscription validation event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "the URL is for a manual validation, not done here"
)]
struct ValidationData {
    validation_code: String,
    validation_url: Option<String>,
}

/// The synchronous validation answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidationAnswer {
    validation_response: String,
}

fn is_json(content_type: &[u8]) -> bool {
    let Ok(content_type) = std::str::from_utf8(content_type) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
}

/// The one event of a validation or deletion delivery, of the expected type.
fn single<T: DeserializeOwned>(body: &[u8], event_type: &str) -> Result<HandEvent<T>, Reject> {
    let mut events: Vec<HandEvent<T>> =
        serde_json::from_slice(body).map_err(|_| bad_request("malformed event array"))?;
    match events.pop() {
        Some(event) if events.is_empty() && event.event_type == event_type => {
            event.check()?;
            Ok(event)
        }
        _ => Err(bad_request(
            "expected exactly one event of the header's kind",
        )),
    }
}

/// The hand-written Event Grid route: the kind of delivery, the media type, decoding, checks,
/// then the answer to a validation or deletion, or the application code per event
/// (`WHOLE = false`) or once (`WHOLE = true`).
async fn hand_deliver<const WHOLE: bool>(
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Reject> {
    if headers
        .get(CONTENT_TYPE)
        .is_some_and(|ct| !is_json(ct.as_bytes()))
    {
        return Err(Reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not a JSON array",
        ));
    }
    // No header is a notification (D23: the Azure SDK's publisher sends none).
    let kind = headers
        .get("aeg-event-type")
        .map_or(&b"Notification"[..], |v| v.as_bytes());
    if kind.eq_ignore_ascii_case(b"SubscriptionValidation") {
        let event = single::<ValidationData>(&body, VALIDATION_TYPE)?;
        let answer = ValidationAnswer {
            validation_response: event.data.validation_code,
        };
        return Ok((StatusCode::OK, Json(answer)).into_response());
    }
    if kind.eq_ignore_ascii_case(b"SubscriptionDeletion") {
        single::<IgnoredAny>(&body, DELETION_TYPE)?;
        return Ok(StatusCode::OK.into_response());
    }
    if !kind.eq_ignore_ascii_case(b"Notification") {
        return Err(bad_request("unknown aeg-event-type"));
    }
    let events: Vec<HandEvent<Order>> =
        serde_json::from_slice(&body).map_err(|_| bad_request("malformed event array"))?;
    for event in &events {
        event.check()?;
        if event.event_type == VALIDATION_TYPE || event.event_type == DELETION_TYPE {
            return Err(bad_request(
                "validation or deletion event in a notification",
            ));
        }
    }
    if WHOLE {
        handle(events.len(), &events);
    } else {
        for event in &events {
            handle(1, event);
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The least a validation route can do, to show how near D19's limit a route on axum can come
/// (not a fair contender: it does less than `ours` and `hand_written`). It takes the request
/// whole (the `HeaderMap` extractor would clone the map), finds `aeg-event-type` and checks
/// `Content-Type` in one pass over the headers, decodes the array as the floor does, and writes
/// the answer without a serializer, refusing a code that would need escaping. It has no panic
/// guard, no span, no check of the subscription name and no `Content-Length` check before the
/// body.
async fn lean_validation(request: axum::extract::Request) -> Result<Response, Reject> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| Reject(StatusCode::PAYLOAD_TOO_LARGE, "body too large"))?;
    let mut kind = None;
    for (name, value) in &parts.headers {
        if name.as_str() == "aeg-event-type" {
            kind = Some(value.as_bytes());
        } else if *name == CONTENT_TYPE && !is_json(value.as_bytes()) {
            return Err(Reject(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not a JSON array",
            ));
        }
    }
    if kind != Some(b"SubscriptionValidation") {
        return Err(bad_request("not a subscription validation"));
    }
    let event = single::<ValidationData>(&body, VALIDATION_TYPE)?;
    let code = event.data.validation_code;
    if !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(bad_request("a validation code to escape"));
    }
    let mut answer = Vec::with_capacity(code.len() + 26);
    answer.extend_from_slice(br#"{"validationResponse":""#);
    answer.extend_from_slice(code.as_bytes());
    answer.extend_from_slice(br#""}"#);
    Ok((
        [(
            CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        answer,
    )
        .into_response())
}

fn hand_router<const WHOLE: bool>() -> Router {
    Router::new().route("/hook", post(hand_deliver::<WHOLE>))
}

// ---------------------------------------------------------------------------------------------
// noop

fn noop_router() -> Router {
    Router::new().route("/hook", post(noop))
}

// ---------------------------------------------------------------------------------------------
// requests

/// A POST as Event Grid sends it, with `aeg-event-type: kind`; the body fits the route's default
/// limit.
fn delivery(kind: &'static str, body: Vec<u8>, events: usize) -> Delivery {
    assert!(
        body.len() < webhook_runtime::eventgrid::DEFAULT_EVENTGRID_BODY_LIMIT,
        "the body must fit the default limit"
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    for (name, value) in [
        ("aeg-event-type", kind),
        ("aeg-subscription-name", "ORDERS-BENCH"),
        ("aeg-delivery-count", "0"),
        ("aeg-metadata-version", "1"),
        ("aeg-data-version", "1.0"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Delivery::post(headers, body, events)
}

/// The data of event `i`: ~1 KiB of JSON with a 900-byte note (`large`), else ~75 bytes.
fn order(i: usize, large: bool) -> Order {
    let note_len = if large { 900 } else { 0 };
    let mut note = String::with_capacity(note_len + 80);
    while note.len() < note_len {
        note.push_str("Leave the parcel at the back door, next to the blue bin; ring twice. ");
    }
    note.truncate(note_len);
    Order {
        order_id: format!("o-{i:06}"),
        customer: if large { "c-0042 Jane Doe" } else { "c-42" }.to_owned(),
        amount: 1234.5 + i as f64,
        quantity: 3,
        note,
    }
}

/// An Event Grid event, as Event Grid serializes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<D> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'static str>,
    subject: String,
    event_type: &'static str,
    event_time: &'static str,
    data: D,
    data_version: &'static str,
    metadata_version: &'static str,
}

/// The validation event of seed 002, with its code.
fn validation_delivery() -> Delivery {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        validation_code: &'static str,
        validation_url: &'static str,
    }
    let event = Envelope {
        id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66".to_owned(),
        topic: Some("/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"),
        subject: String::new(),
        event_type: VALIDATION_TYPE,
        event_time: "2022-10-28T04:23:35.1981776Z",
        data: Data {
            validation_code: VALIDATION_CODE,
            validation_url: "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A",
        },
        data_version: "1",
        metadata_version: "1",
    };
    let body = serde_json::to_vec(&[event]).expect("json");
    let mut delivery = delivery("SubscriptionValidation", body, 0);
    delivery.answer = Some(format!(r#"{{"validationResponse":"{VALIDATION_CODE}"}}"#));
    delivery
}

/// A notification of `count` order events: with a full topic and ~1 KiB of data each
/// (`large = true`, ~1.3 KB an event), or without a topic and ~75 bytes of data each (~220 bytes
/// an event), so that Event Grid's largest batch (5000) is about 1 MiB.
fn notification_delivery(count: usize, large: bool) -> Delivery {
    let events: Vec<Envelope<Order>> = (0..count)
        .map(|i| Envelope {
            id: if large {
                format!("9aeb0fdf-c01e-0131-0922-{i:012}")
            } else {
                format!("e-{i:04}")
            },
            topic: large.then_some(
                "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourceGroups/rg/providers/Microsoft.EventGrid/topics/orders",
            ),
            subject: if large {
                format!("orders/{i:06}")
            } else {
                format!("o/{i:04}")
            },
            event_type: if large {
                "Example.Orders.Created"
            } else {
                "Orders.Created"
            },
            event_time: "2024-05-01T12:00:00Z",
            data: order(i, large),
            data_version: "1.0",
            metadata_version: "1",
        })
        .collect();
    let body = serde_json::to_vec(&events).expect("json");
    delivery("Notification", body, count)
}

// ---------------------------------------------------------------------------------------------
// the scenarios

fn floor_validation(body: &[u8]) {
    let events: Vec<HandEvent<ValidationData>> = serde_json::from_slice(body).expect("floor");
    black_box(events);
}

fn floor_notification(body: &[u8]) {
    let events: Vec<HandEvent<Order>> = serde_json::from_slice(body).expect("floor");
    black_box(events);
}

fn per_event_routes() -> Vec<(&'static str, Router)> {
    vec![
        (
            "ours",
            Router::new().route("/hook", ours_per_event::route()),
        ),
        ("hand_written", hand_router::<false>()),
        ("noop", noop_router()),
    ]
}

fn whole_routes() -> Vec<(&'static str, Router)> {
    vec![
        ("ours", Router::new().route("/hook", ours_whole::route())),
        ("hand_written", hand_router::<true>()),
        ("noop", noop_router()),
    ]
}

fn scenarios() -> Vec<Scenario> {
    let array = |name, count, large, routes| Scenario {
        name,
        delivery: notification_delivery(count, large),
        routes,
        floor: Some(floor_notification as fn(&[u8])),
    };
    vec![
        Scenario {
            name: "eventgrid_validation",
            delivery: validation_delivery(),
            routes: {
                let mut routes = per_event_routes();
                routes.push(("lean", Router::new().route("/hook", post(lean_validation))));
                routes
            },
            floor: Some(floor_validation),
        },
        array(
            "eventgrid_array_100_per_event",
            ARRAY_SMALL,
            true,
            per_event_routes(),
        ),
        array(
            "eventgrid_array_100_whole",
            ARRAY_SMALL,
            true,
            whole_routes(),
        ),
        array(
            "eventgrid_array_5000_per_event",
            ARRAY_LARGE,
            false,
            per_event_routes(),
        ),
        array(
            "eventgrid_array_5000_whole",
            ARRAY_LARGE,
            false,
            whole_routes(),
        ),
    ]
}

/// The benchmarks, with the shared criterion settings.
fn benches() {
    bench_scenarios(&mut common::criterion(), &scenarios());
}

criterion_main!(benches);
