//! The quickstart's `/cloudevents` and `/eventgrid` routes written by hand with plain axum and
//! serde (no webhook runtime): the other side of `scripts/e2e.sh`'s comparison.
//!
//! ```text
//! cargo run --release --example hand_written   # serves 127.0.0.1:3001 (PORT overrides)
//! ```
//!
//! - `/cloudevents`: the OPTIONS handshake (origin `eventemitter.example.com` matched exactly,
//!   ASCII case-insensitively, after the D21 syntax check; rate min(requested, 120); 204 without
//!   an origin), then deliveries in structured, batch or binary mode (content mode from
//!   Content-Type, `ce-` headers percent-decoded), `specversion` 1.0, `id`, `source` and `type`
//!   non-empty, JSON data `{"order_id": string, "amount": number}`, 415 for what is not a
//!   CloudEvent, 1 MiB body limit, 204 once every event is printed.
//! - `/eventgrid`: Event Grid schema, `aeg-subscription-name` must be `quickstart`
//!   (case-insensitive, else 403), the validation answered with its code, a deletion with 200,
//!   a notification's events checked (`id`, `eventType`, `eventTime` non-empty; validation and
//!   deletion events refused, D23) with `BlobCreated` data, 2 MiB body limit, 204.
//!
//! Simpler than the quickstart where it does rare things: no `data_base64`, no extension
//! attribute checks, no RFC 3339 check of `time`/`eventTime`, no Event Grid validation sent as a
//! CloudEvent. Every event received prints one JSON line on stdout, byte for byte the
//! quickstart's; logs go to stderr (`RUST_LOG` filters, `info` by default).

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{options, post};
use percent_encoding::percent_decode;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

/// The one allowed origin of `/cloudevents`.
const ORIGIN: &[u8] = b"eventemitter.example.com";
/// The rate `/cloudevents` grants at most (requests per minute).
const RATE: u32 = 120;
/// The one Event Grid subscription `/eventgrid` accepts.
const SUBSCRIPTION: &[u8] = b"quickstart";
/// Body limits: 1 MiB for CloudEvents, 2 MiB for Event Grid (D9).
const CLOUDEVENTS_LIMIT: usize = 1024 * 1024;
const EVENTGRID_LIMIT: usize = 2 * 1024 * 1024;
const VALIDATION_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";
const DELETION_TYPE: &str = "Microsoft.EventGrid.SubscriptionDeletedEvent";

/// The data of an order event.
#[derive(Debug, Serialize, Deserialize)]
struct Order {
    order_id: String,
    amount: f64,
}

/// A blob-created notification: a subset of `Microsoft.Storage.BlobCreated`'s data.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlobCreated {
    api: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_length: Option<u64>,
}

/// One line of output, fields in this order (the quickstart's).
#[derive(Serialize)]
struct Line<'a, T> {
    endpoint: &'a str,
    id: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    data: &'a T,
}

/// Prints one JSON line per event on stdout.
fn print_event<T: Serialize>(line: Line<'_, T>) {
    match serde_json::to_string(&line) {
        Ok(line) => println!("{line}"),
        Err(error) => tracing::error!(%error, "event could not be printed"),
    }
}

/// A refusal: a status and a one-line reason.
struct Reject(StatusCode, &'static str);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        (self.0, format!("{}\n", self.1)).into_response()
    }
}

fn bad_request(reason: &'static str) -> Reject {
    Reject(StatusCode::BAD_REQUEST, reason)
}

/// `application/json`, `text/json` or `*/*+json`, parameters ignored.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("text/json")
        || (essence.contains('/')
            && essence.len() > 5
            && essence.as_bytes()[essence.len() - 5..].eq_ignore_ascii_case(b"+json"))
}

/// The media type of a request, without parameters ("" when absent or not text).
fn essence(headers: &HeaderMap) -> &str {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// /cloudevents

/// D21: a host name (letters, digits, `-`, `.`), an optional `:port`, at most 253 bytes.
fn is_host_origin(value: &[u8]) -> bool {
    if value.is_empty() || value.len() > 253 {
        return false;
    }
    let (host, port) = match value.iter().position(|&b| b == b':') {
        Some(i) => (&value[..i], Some(&value[i + 1..])),
        None => (value, None),
    };
    port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit))
        && !host.is_empty()
        && host
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The handshake (D1–D4, D21): origin checked and matched, rate = min(requested, 120).
async fn handshake(headers: HeaderMap) -> Response {
    let allow = (ALLOW, HeaderValue::from_static("OPTIONS, POST"));
    let mut origins = headers.get_all("webhook-request-origin").iter();
    let Some(origin) = origins.next() else {
        return (StatusCode::NO_CONTENT, [allow]).into_response();
    };
    if origins.next().is_some() {
        return bad_request("several WebHook-Request-Origin headers").into_response();
    }
    if !is_host_origin(origin.as_bytes()) || !origin.as_bytes().eq_ignore_ascii_case(ORIGIN) {
        return Reject(StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let rate = match headers.get("webhook-request-rate") {
        None => RATE,
        Some(value) => {
            let bytes = value.as_bytes();
            let parsed = (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit))
                .then(|| value.to_str().ok()?.parse::<u32>().ok())
                .flatten()
                .filter(|rate| *rate > 0);
            match parsed {
                Some(rate) => rate.min(RATE),
                None => return bad_request("invalid WebHook-Request-Rate").into_response(),
            }
        }
    };
    (
        StatusCode::OK,
        [
            allow,
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

/// A structured CloudEvent (unknown attributes are ignored).
#[derive(Deserialize)]
struct CloudEvent<T> {
    specversion: String,
    id: String,
    source: String,
    #[serde(rename = "type")]
    ty: String,
    datacontenttype: Option<String>,
    data: T,
}

impl<T> CloudEvent<T> {
    fn check(&self) -> Result<(), Reject> {
        if self.specversion != "1.0" {
            return Err(bad_request("specversion must be 1.0"));
        }
        if self.id.is_empty() || self.source.is_empty() || self.ty.is_empty() {
            return Err(bad_request("id, source and type must not be empty"));
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

fn required(value: Option<String>, header: &'static str) -> Result<String, Reject> {
    value.ok_or_else(|| bad_request(header))
}

/// A binary-mode event: attributes from `ce-` headers, data from the body.
fn binary<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<CloudEvent<T>, Reject> {
    if headers.contains_key("ce-datacontenttype") {
        return Err(bad_request(
            "ce-datacontenttype is not allowed in binary mode",
        ));
    }
    let event = CloudEvent {
        specversion: required(
            ce_header(headers, "ce-specversion")?,
            "missing ce-specversion",
        )?,
        id: required(ce_header(headers, "ce-id")?, "missing ce-id")?,
        source: required(ce_header(headers, "ce-source")?, "missing ce-source")?,
        ty: required(ce_header(headers, "ce-type")?, "missing ce-type")?,
        datacontenttype: headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        data: serde_json::from_slice(body).map_err(|_| bad_request("invalid data"))?,
    };
    event.check()?;
    Ok(event)
}

/// A delivery: content mode, decoding, checks (the whole batch before the first event is
/// handled), then one line per event.
async fn cloudevents(headers: HeaderMap, body: Bytes) -> Result<StatusCode, Reject> {
    let essence = essence(&headers);
    let is = |prefix: &str| {
        essence.len() >= prefix.len() && essence[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    let events: Vec<CloudEvent<Order>> = if is("application/cloudevents-batch") {
        let events: Vec<CloudEvent<Order>> =
            serde_json::from_slice(&body).map_err(|_| bad_request("malformed batch"))?;
        for event in &events {
            event.check()?;
        }
        events
    } else if is("application/cloudevents") {
        let event: CloudEvent<Order> =
            serde_json::from_slice(&body).map_err(|_| bad_request("malformed event"))?;
        event.check()?;
        vec![event]
    } else if headers.contains_key("ce-specversion") {
        vec![binary(&headers, &body)?]
    } else {
        return Err(Reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not a CloudEvent",
        ));
    };
    for event in &events {
        tracing::info!(id = event.id, order = %event.data.order_id, "order received");
        print_event(Line {
            endpoint: "/cloudevents",
            id: &event.id,
            ty: &event.ty,
            data: &event.data,
        });
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// /eventgrid

/// An Event Grid event (protocol.md §5).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GridEvent<T> {
    id: String,
    #[expect(dead_code, reason = "parsed for completeness, not printed")]
    topic: Option<String>,
    #[expect(dead_code, reason = "parsed for completeness, not printed")]
    subject: String,
    event_type: String,
    event_time: String,
    #[expect(dead_code, reason = "parsed for completeness, not printed")]
    data_version: String,
    data: T,
}

impl<T> GridEvent<T> {
    fn check(&self) -> Result<(), Reject> {
        if self.id.is_empty() || self.event_type.is_empty() || self.event_time.is_empty() {
            return Err(bad_request("id, eventType and eventTime must not be empty"));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValidationData {
    validation_code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidationAnswer {
    validation_response: String,
}

/// The one event of a validation or deletion delivery, of the expected type.
fn single<T: DeserializeOwned>(body: &[u8], event_type: &str) -> Result<GridEvent<T>, Reject> {
    let mut events: Vec<GridEvent<T>> =
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

async fn eventgrid(headers: HeaderMap, body: Bytes) -> Result<Response, Reject> {
    let subscription = headers.get("aeg-subscription-name");
    if !subscription.is_some_and(|s| s.as_bytes().eq_ignore_ascii_case(SUBSCRIPTION)) {
        return Err(Reject(StatusCode::FORBIDDEN, "unexpected subscription"));
    }
    if headers
        .get(CONTENT_TYPE)
        .is_some_and(|ct| !ct.to_str().is_ok_and(is_json))
    {
        return Err(Reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "an Event Grid delivery is a JSON array",
        ));
    }
    // No header is a notification (D23).
    let kind = headers
        .get("aeg-event-type")
        .map_or(&b"Notification"[..], |v| v.as_bytes());
    if kind.eq_ignore_ascii_case(b"SubscriptionValidation") {
        let event = single::<ValidationData>(&body, VALIDATION_TYPE)?;
        tracing::info!("subscription validation answered");
        let answer = ValidationAnswer {
            validation_response: event.data.validation_code,
        };
        return Ok((StatusCode::OK, axum::Json(answer)).into_response());
    }
    if kind.eq_ignore_ascii_case(b"SubscriptionDeletion") {
        single::<IgnoredAny>(&body, DELETION_TYPE)?;
        return Ok(StatusCode::OK.into_response());
    }
    if !kind.eq_ignore_ascii_case(b"Notification") {
        return Err(bad_request("unknown aeg-event-type"));
    }
    let events: Vec<GridEvent<BlobCreated>> =
        serde_json::from_slice(&body).map_err(|_| bad_request("malformed event array"))?;
    for event in &events {
        event.check()?;
        if event.event_type == VALIDATION_TYPE || event.event_type == DELETION_TYPE {
            return Err(bad_request(
                "a validation or deletion event inside a notification",
            ));
        }
    }
    for event in &events {
        tracing::info!(id = event.id, url = %event.data.url, "blob event received");
        print_event(Line {
            endpoint: "/eventgrid",
            id: &event.id,
            ty: &event.event_type,
            data: &event.data,
        });
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------------

/// The application: the two routes, each with its body limit (413 beyond it).
fn app() -> Router {
    Router::new()
        .route(
            "/cloudevents",
            options(handshake)
                .post(cloudevents)
                .layer(DefaultBodyLimit::max(CLOUDEVENTS_LIMIT)),
        )
        .route(
            "/eventgrid",
            post(eventgrid).layer(DefaultBodyLimit::max(EVENTGRID_LIMIT)),
        )
}

/// Resolves on SIGINT or SIGTERM; the handlers are installed before the server listens, so a
/// signal sent as soon as the `listening on` line is out already shuts down gracefully.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "PORT must be a port number",
            )
        })?,
        Err(_) => 3001,
    };
    let shutdown = shutdown_signal()?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    eprintln!("hand_written listening on http://{address}");
    axum::serve(listener, app())
        .with_graceful_shutdown(shutdown)
        .await
}
