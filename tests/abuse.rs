//! An abuse suite: one table of hostile or broken requests sent through
//! `tower::ServiceExt::oneshot` to one application (a CloudEvents route with HTTP Basic, an origin
//! allow-list, origin and rate enforcement; an Event Grid route with subscriptions; a route that
//! takes plain messages), then a few requests that only a real socket can express, over
//! loopback. Every mismatch is collected and reported at once; no hostile request may reach a
//! handler. Labels (D1, D3, D20, ...) refer to `SPEC.md`.

pub mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::request::Builder;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;
use webhook_runtime::auth::Credentials;
use webhook_runtime::{CloudEvent, EventGridEvent, Incoming, webhook};

use common::body::{Then, broken_off};
use common::credentials::basic;
use common::loopback::Loopback;
use common::raw_http::{Response, statuses};

const CE: &str = "/ce";
const GRID: &str = "/grid";
const PLAIN: &str = "/plain";
const USER: &str = "mesh";
const PASSWORD: &str = "correct-horse";
const TRUSTED: &str = "trusted.example.com";
const SUBSCRIPTION: &str = "orders-sub";
const STRUCTURED: &str = "application/cloudevents+json";
const BATCH: &str = "application/cloudevents-batch+json";
const JSON: &str = "application/json";
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
const MIB: usize = 1024 * 1024;
/// The CloudEvents route's body limit (2 MiB, so that 20,000 tiny events fit).
const CE_LIMIT: usize = 2 * MIB;
/// The Event Grid route's default body limit (D9).
const GRID_LIMIT: usize = 2 * MIB;
/// JSON nesting far beyond serde_json's recursion limit (128).
const DEEP: usize = 10_000;
/// A guard against hangs, not an assertion on timing.
const PATIENCE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------------------------

/// Every handler call, as `route:id`. Hostile rows use ids starting with `evil`, the control
/// rows ids starting with `ok`.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn record(&self, route: &str, id: &str) {
        self.0.lock().unwrap().push(format!("{route}:{id}"));
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

#[derive(Debug, Deserialize)]
struct Order {
    order_id: String,
}

#[webhook(
    origins = ["trusted.example.com", "*.partner.example"],
    schema = cloudevents,
    rate = 100000,
    body_limit = 2097152
)]
async fn cloudevents(event: CloudEvent<Value>, State(seen): State<Seen>) {
    seen.record("ce", event.id());
}

#[webhook(schema = eventgrid, subscriptions = ["orders-sub"])]
async fn grid(event: EventGridEvent<Value>, State(seen): State<Seen>) {
    seen.record("grid", event.id());
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn plain(incoming: Incoming<Order>, State(seen): State<Seen>) {
    match incoming {
        Incoming::Event(event) => seen.record("plain", event.id()),
        Incoming::Message(message) => seen.record("plain", &message.into_data().order_id),
    }
}

fn app() -> (Router, Seen) {
    let seen = Seen::default();
    let config = cloudevents::config()
        .with_credentials(Credentials::new().basic(USER, PASSWORD))
        .with_origin_enforcement()
        .with_rate_enforcement()
        .with_body_timeout(Duration::from_millis(300));
    let app = Router::new()
        .route(CE, cloudevents::route_with(config))
        .route(GRID, grid::route())
        .route(PLAIN, plain::route())
        .with_state(seen.clone());
    (app, seen)
}

// ---------------------------------------------------------------------------------------------
// Building requests
// ---------------------------------------------------------------------------------------------

fn at(method: &str, path: &str) -> Builder {
    Request::builder().method(method).uri(path)
}

/// A header value of arbitrary bytes (obs-text included; CR, LF and NUL cannot be built).
fn obs(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).unwrap()
}

trait Build: Sized {
    /// Sets `name` to `value`, replacing what was there.
    fn set(self, name: &'static str, value: HeaderValue) -> Self;
    /// The right Basic credentials.
    fn authorized(self) -> Self;
    /// The right credentials and an allowed `WebHook-Request-Origin`.
    fn trusted(self) -> Self;
    /// The required attributes of a binary-mode event (`evil` id) and a JSON Content-Type.
    fn binary(self) -> Self;
    fn body_as(self, content_type: &str, body: impl Into<Body>) -> Request<Body>;
    fn empty(self) -> Request<Body>;
}

impl Build for Builder {
    fn set(mut self, name: &'static str, value: HeaderValue) -> Self {
        self.headers_mut().unwrap().insert(name, value);
        self
    }

    fn authorized(self) -> Self {
        self.header("authorization", basic(USER, PASSWORD))
    }

    fn trusted(self) -> Self {
        self.authorized().header("webhook-request-origin", TRUSTED)
    }

    fn binary(self) -> Self {
        self.header("content-type", JSON)
            .header("ce-specversion", "1.0")
            .header("ce-id", "evil-binary")
            .header("ce-source", "/orders")
            .header("ce-type", "com.example.order.created")
    }

    fn body_as(self, content_type: &str, body: impl Into<Body>) -> Request<Body> {
        self.header("content-type", content_type)
            .body(body.into())
            .unwrap()
    }

    fn empty(self) -> Request<Body> {
        self.body(Body::empty()).unwrap()
    }
}

/// An authorized POST to the CloudEvents route from the allowed origin.
fn post_ce() -> Builder {
    at("POST", CE).trusted()
}

/// A handshake on the CloudEvents route, with the right credentials, from `origin` (raw bytes).
fn handshake_from(origin: &[u8]) -> Request<Body> {
    at("OPTIONS", CE)
        .authorized()
        .header("webhook-request-origin", obs(origin))
        .empty()
}

/// An authorized binary-mode delivery with the `ce-` header `name` set to the raw `value`.
fn binary_with(name: &'static str, value: &[u8]) -> Request<Body> {
    post_ce()
        .binary()
        .set(name, obs(value))
        .body("{}".into())
        .unwrap()
}

/// A structured event with this id, extended and overridden by `fields`.
fn event_with(id: &str, fields: Value) -> Value {
    let mut event = json!({
        "specversion": "1.0",
        "id": id,
        "source": "/orders",
        "type": "com.example.order.created",
        "data": { "order_id": id },
    });
    event
        .as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    event
}

fn event(id: &str) -> String {
    event_with(id, json!({})).to_string()
}

/// A tiny valid structured event (about 68 bytes with its comma in a batch).
fn tiny(id: usize) -> String {
    format!(r#"{{"specversion":"1.0","id":"{id}","source":"s","type":"t","data":0}}"#)
}

fn tiny_batch(count: usize) -> String {
    let events: Vec<String> = (0..count).map(tiny).collect();
    format!("[{}]", events.join(","))
}

/// `[[[...]]]` nested `depth` times.
fn deep_array(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `{"a":{"a":...}}` nested `depth` times.
fn deep_object(depth: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

/// A structured event whose `data` is `data` (JSON text, inserted as is).
fn event_with_data(id: &str, data: &str) -> String {
    format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"/orders","type":"com.example.order.created","data":{data}}}"#
    )
}

/// A valid structured event followed by padding, `total` bytes long.
fn padded_event(total: usize) -> String {
    let event = event("evil-big");
    format!("{event}{}", " ".repeat(total - event.len()))
}

const VALIDATION_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";
const DELETION_TYPE: &str = "Microsoft.EventGrid.SubscriptionDeletedEvent";

fn grid_event(id: &str, event_type: &str, data: Value) -> Value {
    json!({
        "id": id,
        "topic": "/subscriptions/x/resourceGroups/rg",
        "subject": "orders/1",
        "eventType": event_type,
        "eventTime": "2025-01-01T00:00:00Z",
        "data": data,
        "dataVersion": "1",
        "metadataVersion": "1",
    })
}

fn validation_event() -> Value {
    grid_event(
        "evil-validation",
        VALIDATION_TYPE,
        json!({ "validationCode": "evil-code", "validationUrl": "https://rp.eventgrid.azure.net:553/x" }),
    )
}

fn order_event(id: &str) -> Value {
    grid_event(id, "Orders.Created", json!({ "order_id": id }))
}

/// An Event Grid POST with `aeg-event-type` and `aeg-subscription-name` when given.
fn grid_post(kind: Option<&str>, subscription: Option<&str>) -> Builder {
    let mut builder = at("POST", GRID);
    if let Some(kind) = kind {
        builder = builder.header("aeg-event-type", kind);
    }
    if let Some(subscription) = subscription {
        builder = builder.header("aeg-subscription-name", subscription);
    }
    builder
}

fn notification() -> Builder {
    grid_post(Some("Notification"), Some(SUBSCRIPTION))
}

fn validation(subscription: Option<&str>) -> Builder {
    grid_post(Some("SubscriptionValidation"), subscription)
}

fn array(events: &[Value]) -> String {
    Value::Array(events.to_vec()).to_string()
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

struct Row {
    name: String,
    request: Request<Body>,
    expect: StatusCode,
    /// Handler calls this row must make: none for every hostile row.
    calls: usize,
}

fn row(name: impl Into<String>, request: Request<Body>, expect: u16) -> Row {
    Row {
        name: name.into(),
        request,
        expect: StatusCode::from_u16(expect).unwrap(),
        calls: 0,
    }
}

impl Row {
    /// A control row: a request that must succeed and make `calls` handler calls.
    fn control(mut self, calls: usize) -> Self {
        self.calls = calls;
        self
    }
}

/// Every row, in the order they are sent.
fn table() -> Vec<Row> {
    let right = basic(USER, PASSWORD);
    let encoded = right.trim_start_matches("Basic ").to_owned();
    let valid = event("evil-valid");
    let mut rows = vec![
        // --- Controls: the routes work, so the refusals below are for the stated reasons.
        row(
            "control: handshake from the allowed origin",
            handshake_from(TRUSTED.as_bytes()),
            200,
        ),
        row(
            "control: handshake from a partner subdomain",
            handshake_from(b"a.b.partner.example"),
            200,
        ),
        row(
            "control: structured delivery",
            post_ce().body_as(STRUCTURED, event("ok-structured")),
            204,
        )
        .control(1),
        row(
            "control: v1.0 sender with Origin from a partner",
            at("POST", CE)
                .authorized()
                .header("origin", "events.partner.example")
                .body_as(STRUCTURED, event("ok-origin")),
            204,
        )
        .control(1),
        row(
            "control: binary delivery",
            post_ce()
                .binary()
                .set("ce-id", obs(b"ok-binary"))
                .body(r#"{"order_id":"ok-binary"}"#.into())
                .unwrap(),
            204,
        )
        .control(1),
        row(
            "control: batch of two",
            post_ce().body_as(BATCH, format!("[{},{}]", event("ok-b1"), event("ok-b2"))),
            204,
        )
        .control(2),
        row("control: empty batch", post_ce().body_as(BATCH, "[]"), 204),
        row(
            "control: Event Grid validation",
            validation(Some("ORDERS-SUB")).body_as(JSON, array(&[validation_event()])),
            200,
        ),
        row(
            "control: Event Grid notification",
            notification().body_as(JSON, array(&[order_event("ok-grid")])),
            204,
        )
        .control(1),
        row(
            "control: plain message",
            at("POST", PLAIN).body_as(JSON, r#"{"order_id":"ok-plain"}"#),
            204,
        )
        .control(1),
        // --- Credentials (D1: 401 before anything else, on OPTIONS as on POST).
        row(
            "OPTIONS without credentials",
            at("OPTIONS", CE)
                .header("webhook-request-origin", TRUSTED)
                .empty(),
            401,
        ),
        row(
            "OPTIONS with a wrong password",
            at("OPTIONS", CE)
                .header("authorization", basic(USER, "correct-horsE"))
                .header("webhook-request-origin", TRUSTED)
                .empty(),
            401,
        ),
        row(
            "OPTIONS from a bad origin with bad credentials (D1: 401, not 403)",
            at("OPTIONS", CE)
                .header("authorization", basic("admin", "admin"))
                .header("webhook-request-origin", "trusted.example.com.attacker.tld")
                .empty(),
            401,
        ),
        row(
            "OPTIONS without WebHook-Request-Origin nor credentials (D2: still 401)",
            at("OPTIONS", CE).empty(),
            401,
        ),
        row(
            "OPTIONS with an invalid rate and no credentials",
            at("OPTIONS", CE)
                .header("webhook-request-origin", TRUSTED)
                .header("webhook-request-rate", "-1")
                .empty(),
            401,
        ),
        row(
            "POST without credentials",
            at("POST", CE)
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with a wrong user",
            at("POST", CE)
                .header("authorization", basic("mesh2", PASSWORD))
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with malformed base64",
            at("POST", CE)
                .header("authorization", "Basic bWVzaDpjb3JyZWN0LWhvcnNl!")
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with a Basic value without colon",
            at("POST", CE)
                .header(
                    "authorization",
                    format!("Basic {}", STANDARD.encode(format!("{USER}{PASSWORD}"))),
                )
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with the pair as a Bearer token",
            at("POST", CE)
                .header("authorization", format!("Bearer {encoded}"))
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with the right Authorization twice",
            at("POST", CE)
                .authorized()
                .trusted()
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with obs-text in Authorization",
            at("POST", CE)
                .header("authorization", obs(b"Basic bWVzaDpjb3JyZWN0LWhvcnNl\xff"))
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        row(
            "POST with the password as access_token",
            at("POST", &format!("{CE}?access_token={PASSWORD}"))
                .header("webhook-request-origin", TRUSTED)
                .body_as(STRUCTURED, valid.clone()),
            401,
        ),
        // --- Origins on the handshake (D3, D21): never a prefix or suffix match, never echoed.
        row(
            "handshake from trusted.example.com.attacker.tld",
            handshake_from(b"trusted.example.com.attacker.tld"),
            403,
        ),
        row(
            "handshake from xtrusted.example.com",
            handshake_from(b"xtrusted.example.com"),
            403,
        ),
        row(
            "handshake from a subdomain of an exact entry",
            handshake_from(b"a.trusted.example.com"),
            403,
        ),
        row(
            "handshake from partner.example (the wildcard's own domain)",
            handshake_from(b"partner.example"),
            403,
        ),
        row(
            "handshake from xpartner.example",
            handshake_from(b"xpartner.example"),
            403,
        ),
        row(
            "handshake from a..partner.example",
            handshake_from(b"a..partner.example"),
            403,
        ),
        row(
            "handshake from .partner.example",
            handshake_from(b".partner.example"),
            403,
        ),
        row(
            "handshake from a.partner.example.attacker.tld",
            handshake_from(b"a.partner.example.attacker.tld"),
            403,
        ),
        row(
            "handshake from a URL",
            handshake_from(b"https://trusted.example.com"),
            403,
        ),
        row(
            "handshake from a URL with a path",
            handshake_from(b"https://trusted.example.com/hooks"),
            403,
        ),
        row(
            "handshake from a name with a trailing dot",
            handshake_from(b"trusted.example.com."),
            403,
        ),
        row(
            "handshake from a name with a bad port",
            handshake_from(b"trusted.example.com:443x"),
            403,
        ),
        row(
            "handshake from a name with a userinfo",
            handshake_from(b"user@trusted.example.com"),
            403,
        ),
        row(
            "handshake from obs-text after the name",
            handshake_from(b"trusted.example.com\xff"),
            403,
        ),
        row(
            "handshake from a UTF-8 look-alike (Cyrillic e)",
            handshake_from("trust\u{0435}d.example.com".as_bytes()),
            403,
        ),
        row(
            "handshake from a name with a tab",
            handshake_from(b"trusted.example.com\tx"),
            403,
        ),
        row(
            "handshake from a name with a space",
            handshake_from(b"a b.partner.example"),
            403,
        ),
        row(
            "handshake from an overlong name under the wildcard",
            handshake_from(format!("{}.partner.example", "a".repeat(250)).as_bytes()),
            403,
        ),
        row(
            "handshake with two WebHook-Request-Origin (D21)",
            at("OPTIONS", CE)
                .authorized()
                .header("webhook-request-origin", TRUSTED)
                .header("webhook-request-origin", TRUSTED)
                .empty(),
            400,
        ),
        row(
            "handshake with WebHook-Request-Rate 0",
            at("OPTIONS", CE)
                .authorized()
                .header("webhook-request-origin", TRUSTED)
                .header("webhook-request-rate", "0")
                .empty(),
            400,
        ),
        row(
            "handshake with WebHook-Request-Rate over 2^32-1",
            at("OPTIONS", CE)
                .authorized()
                .header("webhook-request-origin", TRUSTED)
                .header("webhook-request-rate", "4294967296")
                .empty(),
            400,
        ),
        // --- Origins on deliveries (W4/P5 enforcement).
        row(
            "delivery without any origin",
            at("POST", CE)
                .authorized()
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        row(
            "delivery from trusted.example.com.attacker.tld",
            at("POST", CE)
                .authorized()
                .header("webhook-request-origin", "trusted.example.com.attacker.tld")
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        row(
            "delivery from xtrusted.example.com",
            at("POST", CE)
                .authorized()
                .header("webhook-request-origin", "xtrusted.example.com")
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        row(
            "delivery from partner.example",
            at("POST", CE)
                .authorized()
                .header("webhook-request-origin", "partner.example")
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        row(
            "delivery with a URL-shaped Origin",
            at("POST", CE)
                .authorized()
                .header("origin", "https://trusted.example.com")
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        row(
            "delivery with Origin: null",
            at("POST", CE)
                .authorized()
                .header("origin", "null")
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        row(
            "delivery with obs-text in the origin",
            at("POST", CE)
                .authorized()
                .header("webhook-request-origin", obs(b"trusted.example.com\x80"))
                .body_as(STRUCTURED, valid.clone()),
            403,
        ),
        // --- Methods (D20: 405 first).
        row("GET", at("GET", CE).empty(), 405),
        row(
            "PUT",
            at("PUT", CE).trusted().body_as(STRUCTURED, valid.clone()),
            405,
        ),
        row("DELETE", at("DELETE", CE).trusted().empty(), 405),
        row(
            "PATCH",
            at("PATCH", CE).trusted().body_as(STRUCTURED, valid.clone()),
            405,
        ),
        row("HEAD", at("HEAD", CE).empty(), 405),
        row("TRACE", at("TRACE", CE).empty(), 405),
        row("GET on the Event Grid route", at("GET", GRID).empty(), 405),
        row(
            "OPTIONS on the Event Grid route (D23)",
            at("OPTIONS", GRID)
                .header("webhook-request-origin", "eventgrid.azure.net")
                .empty(),
            405,
        ),
        row(
            "DELETE on the plain route",
            at("DELETE", PLAIN).empty(),
            405,
        ),
        row(
            "POST to a path with a trailing slash",
            at("POST", "/ce/")
                .trusted()
                .body_as(STRUCTURED, valid.clone()),
            404,
        ),
        // --- Media types (W12, D7, D22).
        row(
            "text/plain without ce-specversion",
            post_ce().body_as("text/plain", valid.clone()),
            415,
        ),
        row(
            "application/json on a CloudEvents-only route",
            post_ce().body_as(JSON, valid.clone()),
            415,
        ),
        row(
            "no Content-Type and no ce-specversion",
            post_ce().body(valid.clone().into()).unwrap(),
            415,
        ),
        row(
            "structured XML",
            post_ce().body_as("application/cloudevents+xml", valid.clone()),
            415,
        ),
        row(
            "batch in protobuf",
            post_ce().body_as("application/cloudevents-batch+protobuf", "[]"),
            415,
        ),
        row(
            "Content-Type with obs-text",
            post_ce()
                .header("content-type", obs(b"application/cloudevents+json\xff"))
                .body(valid.clone().into())
                .unwrap(),
            415,
        ),
        row(
            "binary mode with text/plain data for a JSON handler (D22)",
            post_ce()
                .binary()
                .set("content-type", obs(b"text/plain"))
                .body("hello".into())
                .unwrap(),
            415,
        ),
        // --- ce- headers (H8-H11, D22).
        row(
            "ce-subject %C0%A0 (D22)",
            binary_with("ce-subject", b"%C0%A0"),
            400,
        ),
        row(
            "ce-source with raw 0xFF bytes",
            binary_with("ce-source", b"/\xff\xfe"),
            400,
        ),
        row(
            "ce-id with a raw 0x80 byte",
            binary_with("ce-id", b"id-\x80"),
            400,
        ),
        row(
            "ce-type with an overlong encoding",
            binary_with("ce-type", b"%E0%80%AF"),
            400,
        ),
        row(
            "ce-myext with an encoded surrogate",
            binary_with("ce-myext", b"%ED%A0%80"),
            400,
        ),
        row(
            "ce-id with a dangling quote escape",
            binary_with("ce-id", b"\"a\\\""),
            400,
        ),
        row(
            "ce-specversion 0.3",
            binary_with("ce-specversion", b"0.3"),
            400,
        ),
        row(
            "ce-specversion 2.0",
            binary_with("ce-specversion", b"2.0"),
            400,
        ),
        row("empty ce-id", binary_with("ce-id", b""), 400),
        row(
            "ce-time that is not RFC 3339",
            binary_with("ce-time", b"yesterday"),
            400,
        ),
        row(
            "ce-datacontenttype present (H11)",
            binary_with("ce-datacontenttype", b"application/json"),
            400,
        ),
        row("ce-data header (D22)", binary_with("ce-data", b"x"), 400),
        row(
            "ce- header without a name (D22)",
            binary_with("ce-", b"x"),
            400,
        ),
        row(
            "ce-my_ext header (D22)",
            binary_with("ce-my_ext", b"x"),
            400,
        ),
        row(
            "duplicate ce-id (D22)",
            post_ce()
                .binary()
                .header("ce-id", "evil-second")
                .body("{}".into())
                .unwrap(),
            400,
        ),
        row(
            "duplicate ce-specversion",
            post_ce()
                .binary()
                .header("ce-specversion", "1.0")
                .body("{}".into())
                .unwrap(),
            400,
        ),
        row(
            "duplicate extension header",
            post_ce()
                .binary()
                .header("ce-myext", "a")
                .header("ce-myext", "b")
                .body("{}".into())
                .unwrap(),
            400,
        ),
        row(
            "ce-specversion without ce-id (D7)",
            post_ce()
                .header("content-type", JSON)
                .header("ce-specversion", "1.0")
                .header("ce-source", "/orders")
                .header("ce-type", "t")
                .body("{}".into())
                .unwrap(),
            400,
        ),
        row(
            "binary mode with malformed JSON data",
            post_ce().binary().body("{\"a\":".into()).unwrap(),
            400,
        ),
        // --- Malformed JSON at every level.
        row(
            "empty structured body",
            post_ce().body_as(STRUCTURED, ""),
            400,
        ),
        row(
            "structured body `{`",
            post_ce().body_as(STRUCTURED, "{"),
            400,
        ),
        row(
            "structured body not JSON",
            post_ce().body_as(STRUCTURED, "id=1&type=x"),
            400,
        ),
        row(
            "structured body null",
            post_ce().body_as(STRUCTURED, "null"),
            400,
        ),
        row(
            "structured body a string",
            post_ce().body_as(STRUCTURED, "\"event\""),
            400,
        ),
        row(
            "structured body an array",
            post_ce().body_as(STRUCTURED, format!("[{valid}]")),
            400,
        ),
        row(
            "attribute of the wrong type (id: 5)",
            post_ce().body_as(
                STRUCTURED,
                event_with("evil", json!({ "id": 5 })).to_string(),
            ),
            400,
        ),
        row(
            "required attribute null",
            post_ce().body_as(
                STRUCTURED,
                event_with("evil", json!({ "source": null })).to_string(),
            ),
            400,
        ),
        row(
            "extension with an object value",
            post_ce().body_as(
                STRUCTURED,
                event_with("evil", json!({ "myext": { "a": 1 } })).to_string(),
            ),
            400,
        ),
        row(
            "extension with a fractional number",
            post_ce().body_as(
                STRUCTURED,
                event_with("evil", json!({ "myext": 1.5 })).to_string(),
            ),
            400,
        ),
        row(
            "extension with a number out of f64 range",
            post_ce().body_as(
                STRUCTURED,
                valid.replacen("\"id\"", "\"myext\":1e400,\"id\"", 1),
            ),
            400,
        ),
        row(
            "duplicate attribute keys",
            post_ce().body_as(
                STRUCTURED,
                valid.replacen("\"id\"", "\"id\":\"evil-2\",\"id\"", 1),
            ),
            400,
        ),
        row(
            "lone surrogate escape in id",
            post_ce().body_as(STRUCTURED, valid.replacen("evil-valid", "evil\\ud800", 1)),
            400,
        ),
        row(
            "raw 0xFF byte inside a JSON string",
            post_ce().body_as(STRUCTURED, {
                let mut body = valid.clone().into_bytes();
                let at = body.iter().position(|&b| b == b'v').unwrap();
                body[at] = 0xff;
                body
            }),
            400,
        ),
        row(
            "raw control character inside a JSON string",
            post_ce().body_as(STRUCTURED, valid.replacen("evil-valid", "evil\u{1}", 1)),
            400,
        ),
        row(
            "malformed JSON inside data",
            post_ce().body_as(STRUCTURED, event_with_data("evil", r#"{"order_id": }"#)),
            400,
        ),
        row(
            "data and data_base64 together (D22)",
            post_ce().body_as(
                STRUCTURED,
                event_with("evil", json!({ "data_base64": "AAAA" })).to_string(),
            ),
            400,
        ),
        row(
            "data_base64 that is not base64",
            post_ce().body_as(STRUCTURED, {
                let mut event = event_with("evil", json!({ "data_base64": "!!!" }));
                event.as_object_mut().unwrap().remove("data");
                event.to_string()
            }),
            400,
        ),
        row(
            "truncated structured event",
            post_ce().body_as(STRUCTURED, valid[..valid.len() / 2].to_owned()),
            400,
        ),
        row(
            "trailing garbage after the event",
            post_ce().body_as(STRUCTURED, format!("{valid} garbage")),
            400,
        ),
        row(
            "a second JSON document after the event",
            post_ce().body_as(STRUCTURED, format!("{valid}{valid}")),
            400,
        ),
        row(
            "10k nested arrays as the event",
            post_ce().body_as(STRUCTURED, deep_array(DEEP)),
            400,
        ),
        row(
            "10k nested objects as the event",
            post_ce().body_as(STRUCTURED, deep_object(DEEP)),
            400,
        ),
        row(
            "10k nested arrays inside data",
            post_ce().body_as(STRUCTURED, event_with_data("evil", &deep_array(DEEP))),
            400,
        ),
        row(
            "10k nested objects inside an extension",
            post_ce().body_as(
                STRUCTURED,
                valid.replacen(
                    "\"id\"",
                    &format!("\"myext\":{},\"id\"", deep_object(DEEP)),
                    1,
                ),
            ),
            400,
        ),
        row(
            "10k nested arrays as binary data",
            post_ce().binary().body(deep_array(DEEP).into()).unwrap(),
            400,
        ),
        row(
            "batch that is an object",
            post_ce().body_as(BATCH, valid.clone()),
            400,
        ),
        row(
            "batch with an event missing attributes (D8)",
            post_ce().body_as(
                BATCH,
                format!(r#"[{valid},{{"specversion":"1.0","id":"evil-2"}}]"#),
            ),
            400,
        ),
        row(
            "batch with a number as an element",
            post_ce().body_as(BATCH, format!("[{valid},1]")),
            400,
        ),
        row(
            "batch with a trailing comma",
            post_ce().body_as(BATCH, format!("[{valid},]")),
            400,
        ),
        row(
            "truncated batch",
            post_ce().body_as(BATCH, format!("[{valid},{valid}")),
            400,
        ),
        row(
            "batch mixing spec versions (C10)",
            post_ce().body_as(
                BATCH,
                array(&[
                    event_with("evil-1", json!({})),
                    event_with("evil-2", json!({ "specversion": "0.3" })),
                ]),
            ),
            400,
        ),
        row(
            "batch with malformed data in its second event",
            post_ce().body_as(
                BATCH,
                format!("[{valid},{}]", event_with_data("evil-2", "[1,2,")),
            ),
            400,
        ),
        row(
            "10k nested arrays as a batch",
            post_ce().body_as(BATCH, deep_array(DEEP)),
            400,
        ),
        row(
            "10k nested arrays inside a batch element's data",
            post_ce().body_as(
                BATCH,
                format!("[{valid},{}]", event_with_data("evil-2", &deep_array(DEEP))),
            ),
            400,
        ),
        // --- Bodies that break off (the route's body timeout is 300 ms).
        row(
            "body that fails half way",
            post_ce().body_as(
                STRUCTURED,
                broken_off(r#"{"specversion":"1.0","#, Then::Fail),
            ),
            400,
        ),
        row(
            "body that stalls half way",
            post_ce().body_as(
                STRUCTURED,
                broken_off(r#"{"specversion":"1.0","#, Then::Stall),
            ),
            408,
        ),
        // --- Sizes (D9).
        row(
            "structured body one byte over the limit",
            post_ce().body_as(STRUCTURED, padded_event(CE_LIMIT + 1)),
            413,
        ),
        row(
            "declared Content-Length over the limit, small body",
            post_ce()
                .header("content-length", (CE_LIMIT + 1).to_string())
                .body_as(STRUCTURED, valid.clone()),
            413,
        ),
        row(
            "declared Content-Length of u64::MAX",
            post_ce()
                .header("content-length", u64::MAX.to_string())
                .body_as(STRUCTURED, valid.clone()),
            413,
        ),
        row(
            "binary body over the limit",
            post_ce()
                .binary()
                .body(format!("\"{}\"", "x".repeat(CE_LIMIT)).into())
                .unwrap(),
            413,
        ),
        row(
            "batch of 40,000 tiny events over the limit",
            post_ce().body_as(BATCH, tiny_batch(40_000)),
            413,
        ),
        row(
            "Event Grid array over its limit",
            notification().body_as(
                JSON,
                array(&[grid_event(
                    "evil-big",
                    "Orders.Created",
                    json!({ "pad": "x".repeat(GRID_LIMIT) }),
                )]),
            ),
            413,
        ),
        row(
            "plain message over the default limit",
            at("POST", PLAIN).body_as(
                JSON,
                format!(r#"{{"order_id":"evil","pad":"{}"}}"#, "x".repeat(MIB)),
            ),
            413,
        ),
        // --- Event Grid spoofing (SPEC §3, D23).
        row(
            "validation event inside a notification (D23)",
            notification().body_as(JSON, array(&[validation_event()])),
            400,
        ),
        row(
            "validation event without aeg-event-type (D23)",
            grid_post(None, Some(SUBSCRIPTION)).body_as(JSON, array(&[validation_event()])),
            400,
        ),
        row(
            "validation event among notifications",
            notification().body_as(JSON, array(&[order_event("evil-1"), validation_event()])),
            400,
        ),
        row(
            "deletion event inside a notification (D23)",
            notification().body_as(
                JSON,
                array(&[grid_event(
                    "evil-deleted",
                    DELETION_TYPE,
                    json!({ "eventSubscriptionId": "/subscriptions/x" }),
                )]),
            ),
            400,
        ),
        row(
            "validation for an unknown subscription",
            validation(Some("attacker-sub")).body_as(JSON, array(&[validation_event()])),
            403,
        ),
        row(
            "validation without aeg-subscription-name",
            validation(None).body_as(JSON, array(&[validation_event()])),
            403,
        ),
        row(
            "validation for a look-alike subscription",
            validation(Some("orders-sub.attacker")).body_as(JSON, array(&[validation_event()])),
            403,
        ),
        row(
            "validation for a subscription with a prefix",
            validation(Some("xorders-sub")).body_as(JSON, array(&[validation_event()])),
            403,
        ),
        row(
            "notification for an unknown subscription",
            grid_post(Some("Notification"), Some("attacker-sub"))
                .body_as(JSON, array(&[order_event("evil-n")])),
            403,
        ),
        row(
            "validation array with two events",
            validation(Some(SUBSCRIPTION))
                .body_as(JSON, array(&[validation_event(), validation_event()])),
            400,
        ),
        row(
            "validation with a numeric validationCode",
            validation(Some(SUBSCRIPTION)).body_as(
                JSON,
                array(&[grid_event(
                    "evil-validation",
                    VALIDATION_TYPE,
                    json!({ "validationCode": 12345 }),
                )]),
            ),
            400,
        ),
        row(
            "validation header on an ordinary event",
            validation(Some(SUBSCRIPTION)).body_as(JSON, array(&[order_event("evil-v")])),
            400,
        ),
        row(
            "Event Grid body that is an object",
            notification().body_as(JSON, order_event("evil-o").to_string()),
            400,
        ),
        row(
            "Event Grid event missing eventType",
            notification().body_as(JSON, {
                let mut event = order_event("evil-missing");
                event.as_object_mut().unwrap().remove("eventType");
                array(&[event])
            }),
            400,
        ),
        row(
            "Event Grid body as text/plain",
            notification().body_as("text/plain", array(&[order_event("evil-t")])),
            415,
        ),
        row(
            "Event Grid truncated array",
            notification().body_as(JSON, format!("[{}", order_event("evil-tr"))),
            400,
        ),
        row(
            "Event Grid 10k nested arrays",
            notification().body_as(JSON, deep_array(DEEP)),
            400,
        ),
        row(
            "Event Grid 10k nested objects inside data",
            notification().body_as(
                JSON,
                array(&[order_event("evil-deep")]).replacen(
                    r#"{"order_id":"evil-deep"}"#,
                    &deep_object(DEEP),
                    1,
                ),
            ),
            400,
        ),
        row(
            "Event Grid validation as a CloudEvent on a route Event Grid may not use",
            post_ce().body_as(
                STRUCTURED,
                event_with(
                    "evil-ce-validation",
                    json!({
                        "type": VALIDATION_TYPE,
                        "data": { "validationCode": "evil-code" },
                    }),
                )
                .to_string(),
            ),
            403,
        ),
        // --- The plain route.
        row(
            "plain message with malformed JSON",
            at("POST", PLAIN).body_as(JSON, r#"{"order_id":"#),
            400,
        ),
        row(
            "plain message of the wrong shape",
            at("POST", PLAIN).body_as(JSON, r#"{"order":"evil"}"#),
            400,
        ),
        row(
            "plain message as text/plain for a JSON type",
            at("POST", PLAIN).body_as("text/plain", r#"{"order_id":"evil"}"#),
            415,
        ),
        row(
            "plain message with 10k nested arrays",
            at("POST", PLAIN).body_as(JSON, deep_array(DEEP)),
            400,
        ),
        row(
            "plain message with trailing garbage",
            at("POST", PLAIN).body_as(JSON, r#"{"order_id":"evil"} x"#),
            400,
        ),
        row(
            "structured CloudEvents Content-Type on a non-event body",
            at("POST", PLAIN).body_as(STRUCTURED, r#"{"order_id":"evil"}"#),
            400,
        ),
        row(
            "plain route: CloudEvent with a bad ce- header",
            at("POST", PLAIN)
                .binary()
                .set("ce-source", obs(b"\xff"))
                .body(r#"{"order_id":"evil"}"#.into())
                .unwrap(),
            400,
        ),
    ];
    // A huge batch within the limit: 20,000 tiny events (about 1.3 MB of the 2 MiB) are
    // accepted, and the handler is called once per event.
    let huge = tiny_batch(20_000);
    assert!(huge.len() < CE_LIMIT && huge.len() > MIB, "{}", huge.len());
    rows.push(
        row(
            "control: batch of 20,000 tiny events within the limit",
            post_ce().body_as(BATCH, huge),
            204,
        )
        .control(20_000),
    );
    rows
}

/// The values of the request's origin headers, which a refusal must never reflect.
fn origins_of(request: &Request<Body>) -> Vec<Vec<u8>> {
    ["webhook-request-origin", "origin"]
        .into_iter()
        .flat_map(|name| request.headers().get_all(name))
        .map(|v| v.as_bytes().to_vec())
        .collect()
}

/// Sends one row; returns what is wrong with the answer.
async fn check(app: &Router, seen: &Seen, row: Row) -> Vec<String> {
    let Row {
        name,
        request,
        expect,
        calls,
    } = row;
    let method = request.method().clone();
    let origins = origins_of(&request);
    let before = seen.len();
    let response = tokio::time::timeout(PATIENCE, app.clone().oneshot(request))
        .await
        .unwrap_or_else(|_| panic!("{name}: no answer"))
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&body);
    let made = seen.len() - before;
    let mut problems = Vec::new();
    if status != expect {
        problems.push(format!("expected {expect}, got {status}: {text:?}"));
    }
    if made != calls {
        problems.push(format!("{made} handler calls, expected {calls}"));
    }
    if status != StatusCode::OK {
        for consent in ["webhook-allowed-origin", "webhook-allowed-rate"] {
            if headers.contains_key(consent) {
                problems.push(format!("{consent} on a {status}"));
            }
        }
    }
    if status.is_client_error() && status != StatusCode::NOT_FOUND {
        if headers.get("content-type").is_none_or(|v| v != TEXT_PLAIN) {
            problems.push(format!("content-type {:?}", headers.get("content-type")));
        }
        if method != Method::HEAD && text.trim().is_empty() {
            problems.push("no reason in the body".to_owned());
        }
        if text.contains("validationResponse") {
            problems.push("a validation response in a refusal".to_owned());
        }
    }
    if !status.is_success() {
        let reflected = origins.iter().filter(|o| !o.is_empty()).any(|origin| {
            body.windows(origin.len()).any(|w| w == origin.as_slice())
                || headers.values().any(|v| v.as_bytes() == origin.as_slice())
        });
        if reflected {
            problems.push("the request's origin is reflected in the refusal".to_owned());
        }
    }
    if status == StatusCode::UNAUTHORIZED && headers.contains_key("www-authenticate") {
        problems.push("a WWW-Authenticate challenge".to_owned());
    }
    problems
        .into_iter()
        .map(|problem| format!("{name}: {problem}"))
        .collect()
}

#[tokio::test]
async fn abuse_table_every_hostile_request_is_refused_before_any_handler() {
    let (app, seen) = app();
    let rows = table();
    let count = rows.len();
    assert!(count >= 45, "the table has {count} rows");
    let expected_calls: usize = rows.iter().map(|row| row.calls).sum();
    let hostile = rows.iter().filter(|row| !row.expect.is_success()).count();
    let mut mismatches = Vec::new();
    for row in rows {
        mismatches.extend(check(&app, &seen, row).await);
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches over {count} rows:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // No hostile row reached a handler: every call is a control row's.
    let calls = seen.all();
    assert_eq!(calls.len(), expected_calls);
    let stray: Vec<&String> = calls
        .iter()
        .filter(|call| {
            let id = call.split_once(':').map_or("", |(_, id)| id);
            !(id.starts_with("ok") || id.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    assert!(
        stray.is_empty(),
        "hostile requests reached a handler: {stray:?}"
    );
    assert!(hostile >= 45, "{hostile} hostile rows");
}

// ---------------------------------------------------------------------------------------------
// Over loopback: what only a real socket can express
// ---------------------------------------------------------------------------------------------

/// A raw request on [`CE`] with the right credentials and origin, the given extra header lines
/// (raw bytes, each line ending in CRLF) and body, and no framing header unless `extra` has one.
fn raw_ce(extra: impl AsRef<[u8]>, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "POST {CE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: {}\r\nWebHook-Request-Origin: {TRUSTED}\r\n",
        basic(USER, PASSWORD)
    )
    .into_bytes();
    raw.extend_from_slice(extra.as_ref());
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    raw
}

/// [`raw_ce`] of a structured event framed by its `Content-Length`.
fn raw_structured(id: &str, extra: &str) -> Vec<u8> {
    let body = event(id);
    raw_ce(
        format!(
            "Content-Type: {STRUCTURED}\r\nContent-Length: {}\r\n{extra}",
            body.len()
        ),
        body.as_bytes(),
    )
}

/// What the server did with a raw request on a connection of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    /// hyper answered by itself: this status and an empty body.
    Hyper(u16),
    /// The route answered: this status and a plain-text reason.
    Runtime(u16),
    /// The connection closed without an answer.
    Closed,
    /// Anything else (several answers, or an answer of another shape).
    Other,
}

impl Wire {
    fn of(answer: &Response) -> Self {
        match (answer.body.is_empty(), answer.header("content-type")) {
            (true, None) => Wire::Hyper(answer.status),
            (false, Some(TEXT_PLAIN)) => Wire::Runtime(answer.status),
            _ => Wire::Other,
        }
    }

    /// From everything read until the server closed the connection.
    fn of_raw(raw: &[u8]) -> Self {
        let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
        match statuses(raw)[..] {
            [] => Wire::Closed,
            [status] if text.contains("content-length: 0\r\n") => Wire::Hyper(status),
            [status] if text.contains(&format!("content-type: {TEXT_PLAIN}\r\n")) => {
                Wire::Runtime(status)
            }
            _ => Wire::Other,
        }
    }
}

#[tokio::test]
async fn abuse_over_loopback_the_server_refuses_and_keeps_serving() {
    let (app, seen) = app();
    let server = Loopback::start(app).await;
    let many_fields: String = (0..200)
        .map(|i| format!("X-Padding-{i}: {}\r\n", "p".repeat(1024)))
        .collect();
    let huge_field = format!("X-Padding: {}\r\n", "p".repeat(512 * 1024));
    let short_body = {
        let body = event("evil-short");
        raw_ce(
            format!(
                "Content-Type: {STRUCTURED}\r\nContent-Length: {}\r\n",
                body.len() + 100
            ),
            body.as_bytes(),
        )
    };
    // (name, raw request, half-close after writing, what the server did)
    let rows: Vec<(&str, Vec<u8>, bool, Wire)> = vec![
        (
            // hyper parses at most 100 header fields.
            "200 header fields of 1 KiB (D9)",
            raw_structured("evil-fields", &many_fields),
            false,
            Wire::Hyper(431),
        ),
        (
            // hyper buffers at most 8 KiB + 400 KiB of request head.
            "one header field of 512 KiB (D9)",
            raw_structured("evil-field", &huge_field),
            false,
            Wire::Hyper(431),
        ),
        (
            "body shorter than its Content-Length, then the client closes",
            short_body,
            true,
            Wire::Runtime(400),
        ),
        (
            "chunked body with a chunk size that is not hex",
            raw_ce(
                format!("Content-Type: {STRUCTURED}\r\nTransfer-Encoding: chunked\r\n"),
                b"zz\r\n{}\r\n0\r\n\r\n",
            ),
            true,
            Wire::Runtime(400),
        ),
        (
            "Content-Length that is not a number",
            raw_ce(
                format!("Content-Type: {STRUCTURED}\r\nContent-Length: abc\r\n"),
                b"{}",
            ),
            false,
            Wire::Hyper(400),
        ),
        (
            "two different Content-Length headers",
            raw_ce(
                format!("Content-Type: {STRUCTURED}\r\nContent-Length: 2\r\nContent-Length: 3\r\n"),
                b"{}",
            ),
            false,
            Wire::Hyper(400),
        ),
        (
            "header line folded (obs-fold)",
            raw_structured("evil-fold", "X-Folded: a\r\n b\r\n"),
            false,
            Wire::Hyper(400),
        ),
        (
            "header name with a space",
            raw_structured("evil-space", "Bad Header: x\r\n"),
            false,
            Wire::Hyper(400),
        ),
        (
            "ce-source with raw 0xFF bytes on the wire",
            raw_ce(
                b"Content-Type: application/json\r\nce-specversion: 1.0\r\nce-id: evil-ff\r\n\
                  ce-type: t\r\nce-source: \xff\xfe\r\nContent-Length: 2\r\n",
                b"{}",
            ),
            false,
            Wire::Runtime(400),
        ),
        (
            "request line that is not HTTP",
            b"GARBAGE\r\n\r\n".to_vec(),
            false,
            Wire::Hyper(400),
        ),
    ];
    let mut mismatches = Vec::new();
    for (name, raw, half_close, expected) in rows {
        let outcome = tokio::time::timeout(PATIENCE, async {
            if half_close {
                Wire::of_raw(
                    &server
                        .send_until_closed(raw, true)
                        .await
                        .unwrap_or_default(),
                )
            } else {
                server
                    .send(raw)
                    .await
                    .map_or(Wire::Closed, |a| Wire::of(&a))
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{name}: hung"));
        if outcome != expected {
            mismatches.push(format!("{name}: expected {expected:?}, got {outcome:?}"));
        }
        // After each, the server still serves a new connection.
        let control = server
            .send(raw_structured(&format!("ok-after-{}", seen.len()), ""))
            .await;
        if !matches!(&control, Ok(answer) if answer.status == 204) {
            mismatches.push(format!("after {name}: the next request got {control:?}"));
        }
    }
    server.stop().await;
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    let calls = seen.all();
    assert_eq!(calls.len(), 10, "{calls:?}");
    assert!(
        calls.iter().all(|call| call.starts_with("ce:ok-after-")),
        "a broken request reached the handler: {calls:?}"
    );
}
