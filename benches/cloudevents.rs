//! CloudEvents deliveries through an axum `Router`, in process (protocol.md §8, D18–D19).
//!
//! ```text
//! cargo bench --bench cloudevents
//! ```
//!
//! Every request is built anew each iteration and sent with `tower::ServiceExt::oneshot` on a
//! current-thread tokio runtime. Scenarios (criterion groups): `options` (the handshake),
//! `structured` (one event with ~1 KiB of typed data), `binary` (the same event in `ce-`
//! headers), `batch_per_event` and `batch_whole` (100 such events, handled by a
//! `CloudEvent<T>` and by a `Vec<CloudEvent<T>>` parameter). Contenders in each group:
//!
//! - `ours`: the route of `#[webhook(origins = [...], schema = cloudevents, rate = 120)]`;
//! - `hand_written`: a careful hand-written axum handler making the same checks;
//! - `sdk`: the `cloudevents-sdk` axum extractor, then `serde_json` of its data into the same
//!   type (for a batch, D18: `serde_json::from_slice::<Vec<cloudevents::Event>>` then per-event
//!   conversion); not in `options`;
//! - `noop`: a route that only reads the body and answers 204 (D19's limit);
//! - `lean`, in `options` and `binary`: the least a route can do there, short of what `ours`
//!   and `hand_written` check (see `lean_options`, `lean_binary`): how near D19's limit any
//!   route on axum comes;
//! - `serde_floor`: `serde_json::from_slice` of the body into the typed event(s), no HTTP.
//!
//! Before timing, every contender answers one request (checked: 2xx, every event handled) and
//! the allocations of one request (server side: the request is built before counting) are
//! printed. The counting allocator stays installed while criterion times, adding roughly
//! 15–20 ns per allocation to every contender. Results and their reading: `BENCHMARKS.md`.

mod common;

use std::hint::black_box;

use axum::Router;
use axum::body::Bytes;
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on, options, post};
use common::{
    Delivery, Envelope, Order, Reject, Scenario, bad_request, bench_scenarios, envelope, handle,
    noop,
};
use criterion::criterion_main;
use percent_encoding::percent_decode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use webhook_runtime::{CloudEvent, webhook};

/// Events in the batch scenarios.
const BATCH_SIZE: usize = 100;

// ---------------------------------------------------------------------------------------------
// ours

/// One event per call.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn ours_per_event(event: CloudEvent<Order>) {
    handle(1, &event);
}

/// The whole delivery in one call.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn ours_whole(events: Vec<CloudEvent<Order>>) {
    handle(events.len(), &events);
}

// ---------------------------------------------------------------------------------------------
// hand_written

/// The one allowed origin of the hand-written route.
const HAND_ORIGIN: &[u8] = b"eventemitter.example.com";
/// The rate the hand-written route grants at most.
const HAND_RATE: u32 = 120;

/// A structured event as the hand-written route (and the serde floor) parses it.
#[derive(Debug, Deserialize)]
#[expect(
    dead_code,
    reason = "the application reads the event through `black_box`"
)]
struct HandEvent<T> {
    specversion: String,
    id: String,
    source: String,
    #[serde(rename = "type")]
    ty: String,
    datacontenttype: Option<String>,
    subject: Option<String>,
    time: Option<String>,
    data: T,
}

impl<T> HandEvent<T> {
    /// The required attributes are there, `specversion` is 1.0, the data is JSON.
    fn check(&self) -> Result<(), Reject> {
        if self.specversion != "1.0" {
            return Err(bad_request("unsupported specversion"));
        }
        if self.id.is_empty() || self.source.is_empty() || self.ty.is_empty() {
            return Err(bad_request("a required attribute is empty"));
        }
        if self
            .datacontenttype
            .as_deref()
            .is_some_and(|ct| !is_json(ct))
        {
            return Err(Reject(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "data is not JSON",
            ));
        }
        Ok(())
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
}

/// The hand-written handshake: exact origin match, rate = min(requested, 120).
async fn hand_options(headers: HeaderMap) -> Response {
    let Some(origin) = headers.get("webhook-request-origin") else {
        return (StatusCode::NO_CONTENT, [(ALLOW, "OPTIONS, POST")]).into_response();
    };
    if !origin.as_bytes().eq_ignore_ascii_case(HAND_ORIGIN) {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let rate = match headers.get("webhook-request-rate") {
        None => HAND_RATE,
        Some(value) => {
            let bytes = value.as_bytes();
            let parsed = (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit))
                .then(|| value.to_str().ok()?.parse::<u32>().ok())
                .flatten()
                .filter(|rate| *rate > 0);
            match parsed {
                Some(rate) => rate.min(HAND_RATE),
                None => return bad_request("invalid WebHook-Request-Rate").into_response(),
            }
        }
    };
    (
        StatusCode::OK,
        [
            (ALLOW, HeaderValue::from_static("OPTIONS, POST")),
            (
                HeaderName::from_static("webhook-allowed-origin"),
                origin.clone(),
            ),
            (
                HeaderName::from_static("webhook-allowed-rate"),
                HeaderValue::from(rate),
            ),
        ],
    )
        .into_response()
}

/// One `ce-` header, percent-decoded, UTF-8 checked.
fn ce_header(headers: &HeaderMap, name: &'static str) -> Result<Option<String>, Reject> {
    headers
        .get(name)
        .map(|value| {
            percent_decode(value.as_bytes())
                .decode_utf8()
                .map(|text| text.into_owned())
                .map_err(|_| bad_request("a ce- header is not UTF-8"))
        })
        .transpose()
}

fn required(value: Option<String>) -> Result<String, Reject> {
    value.ok_or_else(|| bad_request("a required attribute is missing"))
}

/// A binary-mode event: attributes from `ce-` headers, data from the body.
fn hand_binary<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HandEvent<T>, Reject> {
    let event = HandEvent {
        specversion: required(ce_header(headers, "ce-specversion")?)?,
        id: required(ce_header(headers, "ce-id")?)?,
        source: required(ce_header(headers, "ce-source")?)?,
        ty: required(ce_header(headers, "ce-type")?)?,
        datacontenttype: headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        subject: ce_header(headers, "ce-subject")?,
        time: ce_header(headers, "ce-time")?,
        data: serde_json::from_slice(body).map_err(|_| bad_request("invalid data"))?,
    };
    event.check()?;
    Ok(event)
}

/// The hand-written delivery route: content-mode detection, decoding, checks, then the
/// application code per event (`WHOLE = false`) or once (`WHOLE = true`).
async fn hand_deliver<const WHOLE: bool>(
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, Reject> {
    let essence = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim())
        .unwrap_or_default();
    let events: Vec<HandEvent<Order>> =
        if essence.eq_ignore_ascii_case("application/cloudevents-batch+json") {
            let events = serde_json::from_slice::<Vec<HandEvent<Order>>>(&body)
                .map_err(|_| bad_request("malformed batch"))?;
            for event in &events {
                event.check()?;
            }
            events
        } else if essence.eq_ignore_ascii_case("application/cloudevents+json") {
            let event = serde_json::from_slice::<HandEvent<Order>>(&body)
                .map_err(|_| bad_request("malformed event"))?;
            event.check()?;
            vec![event]
        } else if headers.contains_key("ce-specversion") {
            vec![hand_binary(&headers, &body)?]
        } else {
            return Err(Reject(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not a CloudEvent",
            ));
        };
    if WHOLE {
        handle(events.len(), &events);
    } else {
        for event in &events {
            handle(1, event);
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// lean: the least a route can do

/// An event as the lean binary route keeps it: the text attributes in one string.
struct LeanEvent {
    texts: String,
    ends: [usize; 4],
    time: Option<time::OffsetDateTime>,
    data: Order,
}

/// The least a binary-mode route can do, to show how near D19's limit a route on axum can come
/// (not a fair contender: it does less than `ours` and `hand_written`). It takes the request
/// whole (the `HeaderMap` extractor would clone the map), reads the six attributes of the
/// scenario in one pass over the headers, refuses rather than decodes a `%` or a non-ASCII
/// value, takes `Content-Type: application/json` exactly, parses `time`, copies the text into
/// one string and parses the data. It has no panic guard, no span, no extension attributes,
/// no `dataschema`, no media-type parameters and no `Content-Length` check before the body.
async fn lean_binary(request: axum::extract::Request) -> Result<StatusCode, Reject> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| Reject(StatusCode::PAYLOAD_TOO_LARGE, "body too large"))?;
    let mut attributes: [Option<&str>; 6] = [None; 6];
    let mut content_type = None;
    for (name, value) in &parts.headers {
        if let Some(attribute) = name.as_str().strip_prefix("ce-") {
            let slot = match attribute {
                "specversion" => 0,
                "id" => 1,
                "source" => 2,
                "type" => 3,
                "subject" => 4,
                "time" => 5,
                _ => continue,
            };
            let text = value
                .to_str()
                .map_err(|_| bad_request("a ce- header is not visible ASCII"))?;
            if text.bytes().fold(false, |escaped, b| escaped | (b == b'%')) {
                return Err(bad_request("a ce- header is percent-encoded"));
            }
            attributes[slot] = Some(text);
        } else if *name == CONTENT_TYPE {
            content_type = Some(value.as_bytes());
        }
    }
    let [Some("1.0"), Some(id), Some(source), Some(ty), subject, time] = attributes else {
        return Err(bad_request("a required attribute is missing"));
    };
    if id.is_empty() || source.is_empty() || ty.is_empty() {
        return Err(bad_request("a required attribute is empty"));
    }
    if !content_type.is_some_and(|c| c.eq_ignore_ascii_case(b"application/json")) {
        return Err(Reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "data is not JSON",
        ));
    }
    let time = time
        .map(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339))
        .transpose()
        .map_err(|_| bad_request("time is not RFC 3339"))?;
    let subject = subject.unwrap_or_default();
    let mut texts = String::with_capacity(id.len() + source.len() + ty.len() + subject.len());
    let mut ends = [0; 4];
    for (end, text) in ends.iter_mut().zip([id, source, ty, subject]) {
        texts.push_str(text);
        *end = texts.len();
    }
    let data = serde_json::from_slice(&body).map_err(|_| bad_request("invalid data"))?;
    let event = LeanEvent {
        texts,
        ends,
        time,
        data,
    };
    handle(1, &(&event.texts, &event.ends, &event.time, &event.data));
    Ok(StatusCode::NO_CONTENT)
}

/// The least a handshake route can do: one pass over the headers for the origin and the rate,
/// a byte comparison with the one allowed origin, the rate's digits, and the consent's headers
/// (`Allow`, the two answers, and the `Content-Length` axum would otherwise add) in a map made
/// for four. It has no panic guard, no span, no check of the origin's syntax (D21), of a
/// repeated header or of the rate's range.
async fn lean_options(request: axum::extract::Request) -> Response {
    let mut origin = None;
    let mut rate = None;
    for (name, value) in request.headers() {
        match name.as_str() {
            "webhook-request-origin" => origin = Some(value),
            "webhook-request-rate" => rate = Some(value),
            _ => {}
        }
    }
    let Some(origin) = origin else {
        return (StatusCode::NO_CONTENT, [(ALLOW, "OPTIONS, POST")]).into_response();
    };
    if !origin.as_bytes().eq_ignore_ascii_case(HAND_ORIGIN) {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let rate = match rate {
        None => HAND_RATE,
        Some(value) => {
            let mut rate: u32 = 0;
            for &b in value.as_bytes() {
                if !b.is_ascii_digit() {
                    return bad_request("invalid WebHook-Request-Rate").into_response();
                }
                rate = rate.saturating_mul(10).saturating_add(u32::from(b - b'0'));
            }
            rate.min(HAND_RATE)
        }
    };
    let mut headers = HeaderMap::with_capacity(4);
    headers.insert(ALLOW, HeaderValue::from_static("OPTIONS, POST"));
    headers.insert(
        HeaderName::from_static("webhook-allowed-origin"),
        origin.clone(),
    );
    headers.insert(
        HeaderName::from_static("webhook-allowed-rate"),
        HeaderValue::from(rate),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    let mut response = Response::new(axum::body::Body::empty());
    *response.headers_mut() = headers;
    response
}

fn hand_router<const WHOLE: bool>() -> Router {
    Router::new().route("/hook", options(hand_options).post(hand_deliver::<WHOLE>))
}

// ---------------------------------------------------------------------------------------------
// sdk

/// What a user of `cloudevents-sdk` writes to get typed data out of an `Event`.
fn sdk_data(event: &mut cloudevents::Event) -> Result<Order, Reject> {
    let data = match event.take_data().2 {
        Some(cloudevents::Data::Json(value)) => serde_json::from_value(value),
        Some(cloudevents::Data::Binary(bytes)) => serde_json::from_slice(&bytes),
        Some(cloudevents::Data::String(text)) => serde_json::from_str(&text),
        None => return Err(bad_request("no data")),
    };
    data.map_err(|_| bad_request("invalid data"))
}

/// One event, through the SDK's axum extractor.
async fn sdk_single(mut event: cloudevents::Event) -> Result<StatusCode, Reject> {
    let data = sdk_data(&mut event)?;
    handle(1, &(event, data));
    Ok(StatusCode::NO_CONTENT)
}

/// A batch: the SDK has no batch decoder (D18).
async fn sdk_batch<const WHOLE: bool>(body: Bytes) -> Result<StatusCode, Reject> {
    let events: Vec<cloudevents::Event> =
        serde_json::from_slice(&body).map_err(|_| bad_request("malformed batch"))?;
    let typed = events
        .into_iter()
        .map(|mut event| sdk_data(&mut event).map(|data| (event, data)))
        .collect::<Result<Vec<_>, _>>()?;
    if WHOLE {
        handle(typed.len(), &typed);
    } else {
        for event in &typed {
            handle(1, event);
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// noop

fn noop_router() -> Router {
    Router::new().route(
        "/hook",
        on(MethodFilter::OPTIONS.or(MethodFilter::POST), noop),
    )
}

// ---------------------------------------------------------------------------------------------
// requests

/// A POST with the CloudEvents content type (or the data's, in binary mode) and `extra` headers.
fn delivery(
    content_type: &'static str,
    extra: &[(&'static str, &str)],
    body: Vec<u8>,
    events: usize,
) -> Delivery {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    for (name, value) in extra {
        headers.insert(*name, HeaderValue::from_str(value).expect("header value"));
    }
    Delivery::post(headers, body, events)
}

fn handshake_delivery() -> Delivery {
    let mut headers = HeaderMap::new();
    headers.insert(
        "webhook-request-origin",
        HeaderValue::from_static("eventemitter.example.com"),
    );
    headers.insert("webhook-request-rate", HeaderValue::from_static("300"));
    Delivery {
        method: Method::OPTIONS,
        headers,
        body: Bytes::new(),
        events: 0,
        answer: None,
    }
}

fn structured_delivery() -> Delivery {
    let body = serde_json::to_vec(&envelope(0)).expect("json");
    delivery("application/cloudevents+json", &[], body, 1)
}

fn binary_delivery() -> Delivery {
    let event = envelope(0);
    let body = serde_json::to_vec(&event.data).expect("json");
    delivery(
        "application/json",
        &[
            ("ce-specversion", event.specversion),
            ("ce-id", &event.id),
            ("ce-source", event.source),
            ("ce-type", event.ty),
            ("ce-subject", event.subject),
            ("ce-time", event.time),
        ],
        body,
        1,
    )
}

fn batch_delivery() -> Delivery {
    let events: Vec<Envelope<'_>> = (0..BATCH_SIZE).map(envelope).collect();
    let body = serde_json::to_vec(&events).expect("json");
    delivery("application/cloudevents-batch+json", &[], body, BATCH_SIZE)
}

// ---------------------------------------------------------------------------------------------
// the scenarios

fn floor_structured(body: &[u8]) {
    let event: HandEvent<Order> = serde_json::from_slice(body).expect("floor");
    black_box(event);
}

fn floor_binary(body: &[u8]) {
    let data: Order = serde_json::from_slice(body).expect("floor");
    black_box(data);
}

fn floor_batch(body: &[u8]) {
    let events: Vec<HandEvent<Order>> = serde_json::from_slice(body).expect("floor");
    black_box(events);
}

fn scenarios() -> Vec<Scenario> {
    let single = |name, delivery, floor| Scenario {
        name,
        delivery,
        routes: vec![
            (
                "ours",
                Router::new().route("/hook", ours_per_event::route()),
            ),
            ("hand_written", hand_router::<false>()),
            ("sdk", Router::new().route("/hook", post(sdk_single))),
            ("noop", noop_router()),
        ],
        floor: Some(floor),
    };
    vec![
        Scenario {
            name: "options",
            delivery: handshake_delivery(),
            routes: vec![
                (
                    "ours",
                    Router::new().route("/hook", ours_per_event::route()),
                ),
                ("hand_written", hand_router::<false>()),
                ("noop", noop_router()),
                ("lean", Router::new().route("/hook", options(lean_options))),
            ],
            floor: None,
        },
        single(
            "structured",
            structured_delivery(),
            floor_structured as fn(&[u8]),
        ),
        {
            let mut binary = single("binary", binary_delivery(), floor_binary);
            binary
                .routes
                .push(("lean", Router::new().route("/hook", post(lean_binary))));
            binary
        },
        Scenario {
            name: "batch_per_event",
            delivery: batch_delivery(),
            routes: vec![
                (
                    "ours",
                    Router::new().route("/hook", ours_per_event::route()),
                ),
                ("hand_written", hand_router::<false>()),
                (
                    "sdk",
                    Router::new().route("/hook", post(sdk_batch::<false>)),
                ),
                ("noop", noop_router()),
            ],
            floor: Some(floor_batch),
        },
        Scenario {
            name: "batch_whole",
            delivery: batch_delivery(),
            routes: vec![
                ("ours", Router::new().route("/hook", ours_whole::route())),
                ("hand_written", hand_router::<true>()),
                ("sdk", Router::new().route("/hook", post(sdk_batch::<true>))),
                ("noop", noop_router()),
            ],
            floor: Some(floor_batch),
        },
    ]
}

/// The benchmarks, with the shared criterion settings.
fn benches() {
    bench_scenarios(&mut common::criterion(), &scenarios());
}

criterion_main!(benches);
