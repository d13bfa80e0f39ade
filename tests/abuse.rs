//! An abuse suite: hostile or broken requests sent through `tower::ServiceExt::oneshot` to one
//! application (a CloudEvents route with HTTP Basic, an origin allow-list, origin and rate
//! enforcement; an Event Grid route with subscriptions; a route that takes plain messages), then
//! a few requests that only a real socket can express, over loopback. Every row of the tables is
//! a test of its own, named after the rule it checks (`cargo test --test abuse d21_` runs the
//! D21 rows); no hostile request may reach a handler. Labels (D1, D3, D20, ...) refer to
//! `docs/protocol.md`; rows whose group cites no rule are named after their subject (`json_`,
//! `body_`, `grid_`, `plain_`, `loopback_`), and `control_` rows show that the routes work, so that the
//! refusals are for the stated reasons.

pub mod common;

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

use common::PATIENCE;
use common::body::{Then, broken_off};
use common::credentials::basic;
use common::log::Log;
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

// ---------------------------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------------------------

/// Every handler call, as `route:id`. Hostile rows use ids starting with `evil`, the control
/// rows ids starting with `ok` (or, for the tiny events of a batch, digits only).
type Seen = Log<String>;

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
    seen.push(format!("ce:{}", event.id()));
}

#[webhook(schema = eventgrid, subscriptions = ["orders-sub"])]
async fn grid(event: EventGridEvent<Value>, State(seen): State<Seen>) {
    seen.push(format!("grid:{}", event.id()));
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn plain(incoming: Incoming<Order>, State(seen): State<Seen>) {
    match incoming {
        Incoming::Event(event) => seen.push(format!("plain:{}", event.id())),
        Incoming::Message(message) => {
            seen.push(format!("plain:{}", message.into_data().order_id));
        }
    }
}

/// The application under test, fresh for each row (so that a row is checked alone, and the rate
/// count starts from zero), and the record of its handler calls.
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

/// A delivery of the valid event from the allowed origin with this `Authorization` value (raw
/// bytes).
fn post_with_authorization(value: &[u8]) -> Request<Body> {
    at("POST", CE)
        .header("authorization", obs(value))
        .header("webhook-request-origin", TRUSTED)
        .body_as(STRUCTURED, valid_event())
}

/// A delivery of the valid event with the right credentials and the origin header `name` set to
/// `origin` (raw bytes).
fn delivery_with(name: &'static str, origin: &[u8]) -> Request<Body> {
    at("POST", CE)
        .authorized()
        .set(name, obs(origin))
        .body_as(STRUCTURED, valid_event())
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

/// The valid structured event that hostile rows send where only their framing or headers are
/// wrong, or that they break.
fn valid_event() -> String {
    event("evil-valid")
}

/// A tiny valid structured event (about 68 bytes with its comma in a batch).
fn tiny(id: usize) -> String {
    format!(r#"{{"specversion":"1.0","id":"{id}","source":"s","type":"t","data":0}}"#)
}

fn tiny_batch(count: usize) -> String {
    let events: Vec<String> = (0..count).map(tiny).collect();
    format!("[{}]", events.join(","))
}

/// A hostile value of `len` bytes, made of one letter (so that [`check`] finds how much of it a
/// refusal quotes).
fn long(len: usize) -> String {
    "Q".repeat(len)
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
// The table: one test a row
// ---------------------------------------------------------------------------------------------

/// Expands each row into a `#[tokio::test]` of that name, which sends the row's request (a
/// block) to a fresh [`app`] and [`check`]s the answer: `name => status { request }` for a
/// hostile request, `name => status, calls = N { request }` for a control request that must make
/// N handler calls. Also [`STATUSES`], the expected status of every row, for the checks on the
/// table as a whole.
macro_rules! rows {
    ($($name:ident => $status:literal $(, calls = $calls:literal)? $request:block)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                check(stringify!($name), $request, $status, rows!(@calls $($calls)?)).await;
            }
        )*

        /// The expected status of every row, in order.
        const STATUSES: &[u16] = &[$($status),*];
    };
    (@calls) => { 0 };
    (@calls $calls:literal) => { $calls };
}

rows! {
    // --- Controls: the routes work, so the refusals below are for the stated reasons.
    control_handshake_from_the_allowed_origin_is_200 => 200 { handshake_from(TRUSTED.as_bytes()) }
    control_handshake_from_a_partner_subdomain_is_200 => 200 {
        handshake_from(b"a.b.partner.example")
    }
    control_structured_delivery_is_204 => 204, calls = 1 {
        post_ce().body_as(STRUCTURED, event("ok-structured"))
    }
    control_v1_0_sender_with_origin_from_a_partner_is_204 => 204, calls = 1 {
        at("POST", CE)
            .authorized()
            .header("origin", "events.partner.example")
            .body_as(STRUCTURED, event("ok-origin"))
    }
    control_binary_delivery_is_204 => 204, calls = 1 {
        post_ce()
            .binary()
            .set("ce-id", obs(b"ok-binary"))
            .body(r#"{"order_id":"ok-binary"}"#.into())
            .unwrap()
    }
    control_batch_of_two_is_204 => 204, calls = 2 {
        post_ce().body_as(BATCH, format!("[{},{}]", event("ok-b1"), event("ok-b2")))
    }
    control_empty_batch_is_204 => 204 { post_ce().body_as(BATCH, "[]") }
    control_event_grid_validation_is_200 => 200 {
        validation(Some("ORDERS-SUB")).body_as(JSON, array(&[validation_event()]))
    }
    control_event_grid_notification_is_204 => 204, calls = 1 {
        notification().body_as(JSON, array(&[order_event("ok-grid")]))
    }
    control_plain_message_is_204 => 204, calls = 1 {
        at("POST", PLAIN).body_as(JSON, r#"{"order_id":"ok-plain"}"#)
    }

    // --- Credentials (D1: 401 before anything else, on OPTIONS as on POST).
    d1_options_without_credentials_is_401 => 401 {
        at("OPTIONS", CE)
            .header("webhook-request-origin", TRUSTED)
            .empty()
    }
    d1_options_with_a_wrong_password_is_401 => 401 {
        at("OPTIONS", CE)
            .header("authorization", basic(USER, "correct-horsE"))
            .header("webhook-request-origin", TRUSTED)
            .empty()
    }
    d1_options_from_a_bad_origin_with_bad_credentials_is_401_not_403 => 401 {
        at("OPTIONS", CE)
            .header("authorization", basic("admin", "admin"))
            .header("webhook-request-origin", "trusted.example.com.attacker.tld")
            .empty()
    }
    d1_d2_options_without_origin_nor_credentials_is_401 => 401 { at("OPTIONS", CE).empty() }
    d1_options_with_an_invalid_rate_and_no_credentials_is_401 => 401 {
        at("OPTIONS", CE)
            .header("webhook-request-origin", TRUSTED)
            .header("webhook-request-rate", "-1")
            .empty()
    }
    d1_post_without_credentials_is_401 => 401 {
        at("POST", CE)
            .header("webhook-request-origin", TRUSTED)
            .body_as(STRUCTURED, valid_event())
    }
    d1_post_with_a_wrong_user_is_401 => 401 {
        post_with_authorization(basic("mesh2", PASSWORD).as_bytes())
    }
    d1_post_with_malformed_base64_is_401 => 401 {
        post_with_authorization(b"Basic bWVzaDpjb3JyZWN0LWhvcnNl!")
    }
    d1_post_with_a_basic_value_without_colon_is_401 => 401 {
        let no_colon = STANDARD.encode(format!("{USER}{PASSWORD}"));
        post_with_authorization(format!("Basic {no_colon}").as_bytes())
    }
    d1_post_with_the_pair_as_a_bearer_token_is_401 => 401 {
        let encoded = basic(USER, PASSWORD).trim_start_matches("Basic ").to_owned();
        post_with_authorization(format!("Bearer {encoded}").as_bytes())
    }
    d1_post_with_the_right_authorization_twice_is_401 => 401 {
        at("POST", CE)
            .authorized()
            .trusted()
            .body_as(STRUCTURED, valid_event())
    }
    d1_post_with_obs_text_in_authorization_is_401 => 401 {
        post_with_authorization(b"Basic bWVzaDpjb3JyZWN0LWhvcnNl\xff")
    }
    d1_post_with_the_password_as_access_token_is_401 => 401 {
        at("POST", &format!("{CE}?access_token={PASSWORD}"))
            .header("webhook-request-origin", TRUSTED)
            .body_as(STRUCTURED, valid_event())
    }

    // --- Origins on the handshake (D3, D21): never a prefix or suffix match, never echoed.
    d3_handshake_from_trusted_example_com_attacker_tld_is_403 => 403 {
        handshake_from(b"trusted.example.com.attacker.tld")
    }
    d3_handshake_from_xtrusted_example_com_is_403 => 403 { handshake_from(b"xtrusted.example.com") }
    d3_handshake_from_a_subdomain_of_an_exact_entry_is_403 => 403 {
        handshake_from(b"a.trusted.example.com")
    }
    d3_handshake_from_the_wildcards_own_domain_is_403 => 403 { handshake_from(b"partner.example") }
    d3_handshake_from_xpartner_example_is_403 => 403 { handshake_from(b"xpartner.example") }
    d3_handshake_from_an_empty_label_under_the_wildcard_is_403 => 403 {
        handshake_from(b"a..partner.example")
    }
    d3_handshake_from_a_leading_dot_under_the_wildcard_is_403 => 403 {
        handshake_from(b".partner.example")
    }
    d3_handshake_from_a_partner_example_attacker_tld_is_403 => 403 {
        handshake_from(b"a.partner.example.attacker.tld")
    }
    d21_handshake_from_a_url_is_403 => 403 { handshake_from(b"https://trusted.example.com") }
    d21_handshake_from_a_url_with_a_path_is_403 => 403 {
        handshake_from(b"https://trusted.example.com/hooks")
    }
    d3_handshake_from_a_name_with_a_trailing_dot_is_403 => 403 {
        handshake_from(b"trusted.example.com.")
    }
    d21_handshake_from_a_name_with_a_bad_port_is_403 => 403 {
        handshake_from(b"trusted.example.com:443x")
    }
    d21_handshake_from_a_name_with_a_userinfo_is_403 => 403 {
        handshake_from(b"user@trusted.example.com")
    }
    d21_handshake_from_obs_text_after_the_name_is_403 => 403 {
        handshake_from(b"trusted.example.com\xff")
    }
    d21_handshake_from_a_utf8_look_alike_is_403 => 403 {
        handshake_from("trust\u{0435}d.example.com".as_bytes())
    }
    d21_handshake_from_a_name_with_a_tab_is_403 => 403 { handshake_from(b"trusted.example.com\tx") }
    d21_handshake_from_a_name_with_a_space_is_403 => 403 { handshake_from(b"a b.partner.example") }
    d21_handshake_from_an_overlong_name_under_the_wildcard_is_403 => 403 {
        handshake_from(format!("{}.partner.example", "a".repeat(250)).as_bytes())
    }
    d21_handshake_with_two_webhook_request_origin_is_400 => 400 {
        at("OPTIONS", CE)
            .authorized()
            .header("webhook-request-origin", TRUSTED)
            .header("webhook-request-origin", TRUSTED)
            .empty()
    }
    d21_handshake_with_webhook_request_rate_0_is_400 => 400 {
        at("OPTIONS", CE)
            .authorized()
            .header("webhook-request-origin", TRUSTED)
            .header("webhook-request-rate", "0")
            .empty()
    }
    d21_handshake_with_webhook_request_rate_over_2_32_minus_1_is_400 => 400 {
        at("OPTIONS", CE)
            .authorized()
            .header("webhook-request-origin", TRUSTED)
            .header("webhook-request-rate", "4294967296")
            .empty()
    }

    // --- Origins on deliveries (W4/P5 enforcement).
    w4_p5_delivery_without_any_origin_is_403 => 403 {
        at("POST", CE)
            .authorized()
            .body_as(STRUCTURED, valid_event())
    }
    w4_p5_delivery_from_trusted_example_com_attacker_tld_is_403 => 403 {
        delivery_with("webhook-request-origin", b"trusted.example.com.attacker.tld")
    }
    w4_p5_delivery_from_xtrusted_example_com_is_403 => 403 {
        delivery_with("webhook-request-origin", b"xtrusted.example.com")
    }
    w4_p5_delivery_from_partner_example_is_403 => 403 {
        delivery_with("webhook-request-origin", b"partner.example")
    }
    w4_p5_delivery_with_a_url_shaped_origin_is_403 => 403 {
        delivery_with("origin", b"https://trusted.example.com")
    }
    w4_p5_delivery_with_origin_null_is_403 => 403 { delivery_with("origin", b"null") }
    w4_p5_delivery_with_obs_text_in_the_origin_is_403 => 403 {
        delivery_with("webhook-request-origin", b"trusted.example.com\x80")
    }

    // --- Methods (D20: 405 first).
    d20_get_is_405 => 405 { at("GET", CE).empty() }
    d20_put_is_405 => 405 { at("PUT", CE).trusted().body_as(STRUCTURED, valid_event()) }
    d20_delete_is_405 => 405 { at("DELETE", CE).trusted().empty() }
    d20_patch_is_405 => 405 { at("PATCH", CE).trusted().body_as(STRUCTURED, valid_event()) }
    d20_head_is_405 => 405 { at("HEAD", CE).empty() }
    d20_trace_is_405 => 405 { at("TRACE", CE).empty() }
    d20_get_on_the_event_grid_route_is_405 => 405 { at("GET", GRID).empty() }
    d23_options_on_the_event_grid_route_is_405 => 405 {
        at("OPTIONS", GRID)
            .header("webhook-request-origin", "eventgrid.azure.net")
            .empty()
    }
    d20_delete_on_the_plain_route_is_405 => 405 { at("DELETE", PLAIN).empty() }
    d20_post_to_a_path_with_a_trailing_slash_is_404 => 404 {
        at("POST", "/ce/")
            .trusted()
            .body_as(STRUCTURED, valid_event())
    }

    // --- Media types (W12, D7, D22).
    d7_text_plain_without_ce_specversion_is_415 => 415 {
        post_ce().body_as("text/plain", valid_event())
    }
    d7_application_json_on_a_cloudevents_only_route_is_415 => 415 {
        post_ce().body_as(JSON, valid_event())
    }
    d7_no_content_type_and_no_ce_specversion_is_415 => 415 {
        post_ce().body(valid_event().into()).unwrap()
    }
    w12_structured_xml_is_415 => 415 {
        post_ce().body_as("application/cloudevents+xml", valid_event())
    }
    w12_batch_in_protobuf_is_415 => 415 {
        post_ce().body_as("application/cloudevents-batch+protobuf", "[]")
    }
    d7_content_type_with_obs_text_is_415 => 415 {
        post_ce()
            .header("content-type", obs(b"application/cloudevents+json\xff"))
            .body(valid_event().into())
            .unwrap()
    }
    d22_binary_mode_with_text_plain_data_for_a_json_handler_is_415 => 415 {
        post_ce()
            .binary()
            .set("content-type", obs(b"text/plain"))
            .body("hello".into())
            .unwrap()
    }

    // --- ce- headers (H8-H11, D22).
    d22_ce_subject_percent_c0_a0_is_400 => 400 { binary_with("ce-subject", b"%C0%A0") }
    h8_h11_ce_source_with_raw_0xff_bytes_is_400 => 400 { binary_with("ce-source", b"/\xff\xfe") }
    h8_h11_ce_id_with_a_raw_0x80_byte_is_400 => 400 { binary_with("ce-id", b"id-\x80") }
    h8_h11_ce_type_with_an_overlong_encoding_is_400 => 400 { binary_with("ce-type", b"%E0%80%AF") }
    h8_h11_ce_myext_with_an_encoded_surrogate_is_400 => 400 {
        binary_with("ce-myext", b"%ED%A0%80")
    }
    h8_h11_ce_id_with_a_dangling_quote_escape_is_400 => 400 { binary_with("ce-id", b"\"a\\\"") }
    c1_ce_specversion_0_3_is_400 => 400 { binary_with("ce-specversion", b"0.3") }
    c1_ce_specversion_2_0_is_400 => 400 { binary_with("ce-specversion", b"2.0") }
    c1_empty_ce_id_is_400 => 400 { binary_with("ce-id", b"") }
    c1_ce_time_that_is_not_rfc_3339_is_400 => 400 { binary_with("ce-time", b"yesterday") }
    h11_ce_datacontenttype_present_is_400 => 400 {
        binary_with("ce-datacontenttype", b"application/json")
    }
    d22_ce_data_header_is_400 => 400 { binary_with("ce-data", b"x") }
    d22_ce_header_without_a_name_is_400 => 400 { binary_with("ce-", b"x") }
    d22_ce_my_ext_header_is_400 => 400 { binary_with("ce-my_ext", b"x") }
    d22_duplicate_ce_id_is_400 => 400 {
        post_ce()
            .binary()
            .header("ce-id", "evil-second")
            .body("{}".into())
            .unwrap()
    }
    d22_duplicate_ce_specversion_is_400 => 400 {
        post_ce()
            .binary()
            .header("ce-specversion", "1.0")
            .body("{}".into())
            .unwrap()
    }
    d22_duplicate_extension_header_is_400 => 400 {
        post_ce()
            .binary()
            .header("ce-myext", "a")
            .header("ce-myext", "b")
            .body("{}".into())
            .unwrap()
    }
    d7_ce_specversion_without_ce_id_is_400 => 400 {
        post_ce()
            .header("content-type", JSON)
            .header("ce-specversion", "1.0")
            .header("ce-source", "/orders")
            .header("ce-type", "t")
            .body("{}".into())
            .unwrap()
    }
    h8_h11_binary_mode_with_malformed_json_data_is_400 => 400 {
        post_ce().binary().body("{\"a\":".into()).unwrap()
    }

    // --- Malformed JSON at every level.
    json_empty_structured_body_is_400 => 400 { post_ce().body_as(STRUCTURED, "") }
    json_structured_body_an_open_brace_is_400 => 400 { post_ce().body_as(STRUCTURED, "{") }
    json_structured_body_not_json_is_400 => 400 { post_ce().body_as(STRUCTURED, "id=1&type=x") }
    json_structured_body_null_is_400 => 400 { post_ce().body_as(STRUCTURED, "null") }
    json_structured_body_a_string_is_400 => 400 { post_ce().body_as(STRUCTURED, "\"event\"") }
    json_structured_body_an_array_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(STRUCTURED, format!("[{valid}]"))
    }
    c1_attribute_of_the_wrong_type_is_400 => 400 {
        post_ce().body_as(
            STRUCTURED,
            event_with("evil", json!({ "id": 5 })).to_string(),
        )
    }
    c1_j3_required_attribute_null_is_400 => 400 {
        post_ce().body_as(
            STRUCTURED,
            event_with("evil", json!({ "source": null })).to_string(),
        )
    }
    json_extension_with_an_object_value_is_400 => 400 {
        post_ce().body_as(
            STRUCTURED,
            event_with("evil", json!({ "myext": { "a": 1 } })).to_string(),
        )
    }
    json_extension_with_a_fractional_number_is_400 => 400 {
        post_ce().body_as(
            STRUCTURED,
            event_with("evil", json!({ "myext": 1.5 })).to_string(),
        )
    }
    json_extension_with_a_number_out_of_f64_range_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(
            STRUCTURED,
            valid.replacen("\"id\"", "\"myext\":1e400,\"id\"", 1),
        )
    }
    json_duplicate_attribute_keys_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(
            STRUCTURED,
            valid.replacen("\"id\"", "\"id\":\"evil-2\",\"id\"", 1),
        )
    }
    json_lone_surrogate_escape_in_id_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(STRUCTURED, valid.replacen("evil-valid", "evil\\ud800", 1))
    }
    json_raw_0xff_byte_inside_a_json_string_is_400 => 400 {
        post_ce().body_as(STRUCTURED, {
            let mut body = valid_event().into_bytes();
            let at = body.iter().position(|&b| b == b'v').unwrap();
            body[at] = 0xff;
            body
        })
    }
    json_raw_control_character_inside_a_json_string_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(STRUCTURED, valid.replacen("evil-valid", "evil\u{1}", 1))
    }
    json_malformed_json_inside_data_is_400 => 400 {
        post_ce().body_as(STRUCTURED, event_with_data("evil", r#"{"order_id": }"#))
    }
    d22_data_and_data_base64_together_is_400 => 400 {
        post_ce().body_as(
            STRUCTURED,
            event_with("evil", json!({ "data_base64": "AAAA" })).to_string(),
        )
    }
    j5_j10_data_base64_that_is_not_base64_is_400 => 400 {
        post_ce().body_as(STRUCTURED, {
            let mut event = event_with("evil", json!({ "data_base64": "!!!" }));
            event.as_object_mut().unwrap().remove("data");
            event.to_string()
        })
    }
    j5_data_base64_without_padding_is_400 => 400 {
        post_ce().body_as(STRUCTURED, {
            let mut event = event_with(
                "evil-unpadded",
                json!({ "datacontenttype": JSON, "data_base64": "e30" }),
            );
            event.as_object_mut().unwrap().remove("data");
            event.to_string()
        })
    }
    j5_data_base64_with_padding_but_nonzero_unused_bits_is_400 => 400 {
        post_ce().body_as(STRUCTURED, {
            let mut event = event_with(
                "evil-bits",
                json!({ "datacontenttype": JSON, "data_base64": "e31=" }),
            );
            event.as_object_mut().unwrap().remove("data");
            event.to_string()
        })
    }
    control_padded_data_base64_is_204 => 204, calls = 1 {
        post_ce().body_as(STRUCTURED, {
            let mut event = event_with(
                "ok-padded",
                json!({ "datacontenttype": JSON, "data_base64": STANDARD.encode(r#"{"n":1}"#) }),
            );
            event.as_object_mut().unwrap().remove("data");
            event.to_string()
        })
    }
    json_truncated_structured_event_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(STRUCTURED, valid[..valid.len() / 2].to_owned())
    }
    json_trailing_garbage_after_the_event_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(STRUCTURED, format!("{valid} garbage"))
    }
    json_a_second_json_document_after_the_event_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(STRUCTURED, format!("{valid}{valid}"))
    }
    json_10k_nested_arrays_as_the_event_is_400 => 400 {
        post_ce().body_as(STRUCTURED, deep_array(DEEP))
    }
    json_10k_nested_objects_as_the_event_is_400 => 400 {
        post_ce().body_as(STRUCTURED, deep_object(DEEP))
    }
    json_10k_nested_arrays_inside_data_is_400 => 400 {
        post_ce().body_as(STRUCTURED, event_with_data("evil", &deep_array(DEEP)))
    }
    json_10k_nested_objects_inside_an_extension_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(
            STRUCTURED,
            valid.replacen(
                "\"id\"",
                &format!("\"myext\":{},\"id\"", deep_object(DEEP)),
                1,
            ),
        )
    }
    json_10k_nested_arrays_as_binary_data_is_400 => 400 {
        post_ce().binary().body(deep_array(DEEP).into()).unwrap()
    }
    d8_batch_that_is_an_object_is_400 => 400 { post_ce().body_as(BATCH, valid_event()) }
    d8_batch_with_an_event_missing_attributes_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(
            BATCH,
            format!(r#"[{valid},{{"specversion":"1.0","id":"evil-2"}}]"#),
        )
    }
    d8_batch_with_a_number_as_an_element_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(BATCH, format!("[{valid},1]"))
    }
    d8_batch_with_a_trailing_comma_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(BATCH, format!("[{valid},]"))
    }
    d8_truncated_batch_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(BATCH, format!("[{valid},{valid}"))
    }
    c10_batch_mixing_spec_versions_is_400 => 400 {
        post_ce().body_as(
            BATCH,
            array(&[
                event_with("evil-1", json!({})),
                event_with("evil-2", json!({ "specversion": "0.3" })),
            ]),
        )
    }
    d8_batch_with_malformed_data_in_its_second_event_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(
            BATCH,
            format!("[{valid},{}]", event_with_data("evil-2", "[1,2,")),
        )
    }
    d8_10k_nested_arrays_as_a_batch_is_400 => 400 { post_ce().body_as(BATCH, deep_array(DEEP)) }
    d8_10k_nested_arrays_inside_a_batch_elements_data_is_400 => 400 {
        let valid = valid_event();
        post_ce().body_as(
            BATCH,
            format!("[{valid},{}]", event_with_data("evil-2", &deep_array(DEEP))),
        )
    }

    // --- Bodies that break off (the route's body timeout is 300 ms).
    body_that_fails_half_way_is_400 => 400 {
        post_ce().body_as(
            STRUCTURED,
            broken_off(r#"{"specversion":"1.0","#, Then::Fail),
        )
    }
    body_that_stalls_half_way_is_408 => 408 {
        post_ce().body_as(
            STRUCTURED,
            broken_off(r#"{"specversion":"1.0","#, Then::Stall),
        )
    }

    // --- Sizes (D9).
    d9_structured_body_one_byte_over_the_limit_is_413 => 413 {
        post_ce().body_as(STRUCTURED, padded_event(CE_LIMIT + 1))
    }
    d9_declared_content_length_over_the_limit_with_a_small_body_is_413 => 413 {
        post_ce()
            .header("content-length", (CE_LIMIT + 1).to_string())
            .body_as(STRUCTURED, valid_event())
    }
    d9_declared_content_length_of_u64_max_is_413 => 413 {
        post_ce()
            .header("content-length", u64::MAX.to_string())
            .body_as(STRUCTURED, valid_event())
    }
    d9_binary_body_over_the_limit_is_413 => 413 {
        post_ce()
            .binary()
            .body(format!("\"{}\"", "x".repeat(CE_LIMIT)).into())
            .unwrap()
    }
    d9_batch_of_40000_tiny_events_over_the_limit_is_413 => 413 {
        post_ce().body_as(BATCH, tiny_batch(40_000))
    }
    d9_event_grid_array_over_its_limit_is_413 => 413 {
        notification().body_as(
            JSON,
            array(&[grid_event(
                "evil-big",
                "Orders.Created",
                json!({ "pad": "x".repeat(GRID_LIMIT) }),
            )]),
        )
    }
    d9_plain_message_over_the_default_limit_is_413 => 413 {
        at("POST", PLAIN).body_as(
            JSON,
            format!(r#"{{"order_id":"evil","pad":"{}"}}"#, "x".repeat(MIB)),
        )
    }

    // --- Event Grid spoofing (protocol.md §3, D23).
    d23_validation_event_inside_a_notification_is_400 => 400 {
        notification().body_as(JSON, array(&[validation_event()]))
    }
    d23_validation_event_without_aeg_event_type_is_400 => 400 {
        grid_post(None, Some(SUBSCRIPTION)).body_as(JSON, array(&[validation_event()]))
    }
    d23_validation_event_among_notifications_is_400 => 400 {
        notification().body_as(JSON, array(&[order_event("evil-1"), validation_event()]))
    }
    d23_deletion_event_inside_a_notification_is_400 => 400 {
        notification().body_as(
            JSON,
            array(&[grid_event(
                "evil-deleted",
                DELETION_TYPE,
                json!({ "eventSubscriptionId": "/subscriptions/x" }),
            )]),
        )
    }
    grid_validation_for_an_unknown_subscription_is_403 => 403 {
        validation(Some("attacker-sub")).body_as(JSON, array(&[validation_event()]))
    }
    grid_validation_without_aeg_subscription_name_is_403 => 403 {
        validation(None).body_as(JSON, array(&[validation_event()]))
    }
    grid_validation_for_a_look_alike_subscription_is_403 => 403 {
        validation(Some("orders-sub.attacker")).body_as(JSON, array(&[validation_event()]))
    }
    grid_validation_for_a_subscription_with_a_prefix_is_403 => 403 {
        validation(Some("xorders-sub")).body_as(JSON, array(&[validation_event()]))
    }
    grid_notification_for_an_unknown_subscription_is_403 => 403 {
        grid_post(Some("Notification"), Some("attacker-sub"))
            .body_as(JSON, array(&[order_event("evil-n")]))
    }
    grid_validation_array_with_two_events_is_400 => 400 {
        validation(Some(SUBSCRIPTION))
            .body_as(JSON, array(&[validation_event(), validation_event()]))
    }
    grid_validation_with_a_numeric_validation_code_is_400 => 400 {
        validation(Some(SUBSCRIPTION)).body_as(
            JSON,
            array(&[grid_event(
                "evil-validation",
                VALIDATION_TYPE,
                json!({ "validationCode": 12345 }),
            )]),
        )
    }
    grid_validation_header_on_an_ordinary_event_is_400 => 400 {
        validation(Some(SUBSCRIPTION)).body_as(JSON, array(&[order_event("evil-v")]))
    }
    grid_body_that_is_an_object_is_400 => 400 {
        notification().body_as(JSON, order_event("evil-o").to_string())
    }
    grid_event_missing_event_type_is_400 => 400 {
        notification().body_as(JSON, {
            let mut event = order_event("evil-missing");
            event.as_object_mut().unwrap().remove("eventType");
            array(&[event])
        })
    }
    grid_body_as_text_plain_is_415 => 415 {
        notification().body_as("text/plain", array(&[order_event("evil-t")]))
    }
    grid_truncated_array_is_400 => 400 {
        notification().body_as(JSON, format!("[{}", order_event("evil-tr")))
    }
    grid_10k_nested_arrays_is_400 => 400 { notification().body_as(JSON, deep_array(DEEP)) }
    grid_10k_nested_objects_inside_data_is_400 => 400 {
        notification().body_as(
            JSON,
            array(&[order_event("evil-deep")]).replacen(
                r#"{"order_id":"evil-deep"}"#,
                &deep_object(DEEP),
                1,
            ),
        )
    }
    grid_validation_as_a_cloudevent_on_a_route_event_grid_may_not_use_is_403 => 403 {
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
        )
    }

    // --- The plain route.
    plain_message_with_malformed_json_is_400 => 400 {
        at("POST", PLAIN).body_as(JSON, r#"{"order_id":"#)
    }
    plain_message_of_the_wrong_shape_is_400 => 400 {
        at("POST", PLAIN).body_as(JSON, r#"{"order":"evil"}"#)
    }
    plain_message_as_text_plain_for_a_json_type_is_415 => 415 {
        at("POST", PLAIN).body_as("text/plain", r#"{"order_id":"evil"}"#)
    }
    plain_message_with_10k_nested_arrays_is_400 => 400 {
        at("POST", PLAIN).body_as(JSON, deep_array(DEEP))
    }
    plain_message_with_trailing_garbage_is_400 => 400 {
        at("POST", PLAIN).body_as(JSON, r#"{"order_id":"evil"} x"#)
    }
    plain_structured_content_type_on_a_non_event_body_is_400 => 400 {
        at("POST", PLAIN).body_as(STRUCTURED, r#"{"order_id":"evil"}"#)
    }
    plain_cloudevent_with_a_bad_ce_header_is_400 => 400 {
        at("POST", PLAIN)
            .binary()
            .set("ce-source", obs(b"\xff"))
            .body(r#"{"order_id":"evil"}"#.into())
            .unwrap()
    }

    // --- One reading of every header a decision depends on (D20: a repeated one is 400, after
    // the credentials and before anything is decided from it; D22 for the `ce-` headers, D23
    // for the `aeg-` headers).
    d20_two_content_type_headers_structured_then_text_plain_is_400 => 400 {
        post_ce()
            .header("content-type", STRUCTURED)
            .body_as("text/plain", valid_event())
    }
    d20_two_content_type_headers_text_plain_then_structured_is_400 => 400 {
        post_ce()
            .header("content-type", "text/plain")
            .body_as(STRUCTURED, valid_event())
    }
    d20_two_content_type_headers_in_binary_mode_is_400 => 400 {
        post_ce()
            .binary()
            .header("content-type", "text/plain")
            .body("{}".into())
            .unwrap()
    }
    d20_two_content_type_headers_on_the_plain_route_is_400 => 400 {
        at("POST", PLAIN)
            .header("content-type", JSON)
            .body_as("text/plain", r#"{"order_id":"evil-ct"}"#)
    }
    d20_two_content_type_headers_without_credentials_is_401 => 401 {
        at("POST", CE)
            .header("webhook-request-origin", TRUSTED)
            .header("content-type", STRUCTURED)
            .body_as("text/plain", valid_event())
    }
    d20_two_webhook_request_origin_headers_on_a_delivery_allowed_first_is_400 => 400 {
        post_ce()
            .header("webhook-request-origin", "evil.example")
            .body_as(STRUCTURED, valid_event())
    }
    d20_two_webhook_request_origin_headers_on_a_delivery_allowed_last_is_400 => 400 {
        at("POST", CE)
            .authorized()
            .header("webhook-request-origin", "evil.example")
            .header("webhook-request-origin", TRUSTED)
            .body_as(STRUCTURED, valid_event())
    }
    d20_two_origin_headers_on_a_delivery_is_400 => 400 {
        at("POST", CE)
            .authorized()
            .header("origin", "events.partner.example")
            .header("origin", "evil.example")
            .body_as(STRUCTURED, valid_event())
    }
    d20_two_host_headers_on_a_delivery_is_400 => 400 {
        post_ce()
            .header("host", "a.example")
            .header("host", "b.example")
            .body_as(STRUCTURED, valid_event())
    }
    d1_handshake_with_two_host_headers_is_400 => 400 {
        at("OPTIONS", CE)
            .authorized()
            .header("host", "a.example")
            .header("host", "b.example")
            .header("webhook-request-origin", TRUSTED)
            .empty()
    }
    d22_two_ce_type_headers_the_first_a_validation_is_400 => 400 {
        post_ce()
            .binary()
            .set("ce-type", obs(VALIDATION_TYPE.as_bytes()))
            .header("ce-type", "com.example.order.created")
            .body(r#"{"validationCode":"evil-code"}"#.into())
            .unwrap()
    }
    d23_two_aeg_event_type_headers_notification_first_is_400 => 400 {
        notification()
            .header("aeg-event-type", "SubscriptionValidation")
            .body_as(JSON, array(&[order_event("evil-aeg")]))
    }
    d23_two_aeg_event_type_headers_validation_first_is_400 => 400 {
        validation(Some(SUBSCRIPTION))
            .header("aeg-event-type", "Notification")
            .body_as(JSON, array(&[validation_event()]))
    }
    d23_two_aeg_subscription_name_headers_expected_first_is_400 => 400 {
        validation(Some(SUBSCRIPTION))
            .header("aeg-subscription-name", "evil")
            .body_as(JSON, array(&[validation_event()]))
    }
    d23_two_aeg_subscription_name_headers_expected_last_is_400 => 400 {
        validation(Some("evil"))
            .header("aeg-subscription-name", SUBSCRIPTION)
            .body_as(JSON, array(&[validation_event()]))
    }
    d23_two_content_type_headers_on_the_event_grid_route_is_400 => 400 {
        notification()
            .header("content-type", JSON)
            .body_as("text/plain", array(&[order_event("evil-grid-ct")]))
    }

    // --- Bounded echoes: a refusal quotes at most the first 64 bytes of any value the request
    // sent (`check` holds every row's refusal to that, and to 512 bytes in all).
    bounded_echo_of_a_500_kb_specversion_quotes_64_bytes => 400 {
        post_ce().body_as(
            STRUCTURED,
            event_with("evil", json!({ "specversion": long(500_000) })).to_string(),
        )
    }
    bounded_echo_of_a_1_mib_extension_name_quotes_64_bytes => 400 {
        post_ce().body_as(STRUCTURED, {
            let mut event = event_with("evil", json!({}));
            event.as_object_mut().unwrap().insert(long(MIB), json!("x"));
            event.to_string()
        })
    }
    bounded_echo_of_a_900_kb_duplicate_extension_name_quotes_64_bytes => 400 {
        let name = long(900_000).to_ascii_lowercase();
        let valid = valid_event();
        post_ce().body_as(
            STRUCTURED,
            valid.replacen("\"id\"", &format!("\"{name}\":1,\"{name}\":2,\"id\""), 1),
        )
    }
    bounded_echo_of_a_390_kb_ce_specversion_header_quotes_64_bytes => 400 {
        binary_with("ce-specversion", long(390_000).as_bytes())
    }
    bounded_echo_of_a_390_kb_content_type_quotes_64_bytes => 415 {
        post_ce().body_as(
            &format!("application/cloudevents+{}", long(390_000)),
            valid_event(),
        )
    }
    bounded_echo_of_a_390_kb_binary_content_type_quotes_64_bytes => 415 {
        post_ce()
            .binary()
            .set("content-type", obs(format!("text/{}", long(390_000)).as_bytes()))
            .body("{}".into())
            .unwrap()
    }
    bounded_echo_of_a_2_mib_string_as_event_grid_validation_data_quotes_64_bytes => 400 {
        validation(Some(SUBSCRIPTION)).body_as(
            JSON,
            array(&[grid_event(
                "evil-validation",
                VALIDATION_TYPE,
                // A JSON string holding JSON (as Event Grid sends it to some destinations):
                // here a string where the validation object belongs, which serde quotes.
                json!(format!("\"{}\"", long(GRID_LIMIT - 4096))),
            )]),
        )
    }
    bounded_echo_of_a_500_kb_event_type_on_a_validation_quotes_64_bytes => 400 {
        validation(Some(SUBSCRIPTION)).body_as(
            JSON,
            array(&[grid_event("evil-type", &long(500_000), json!({}))]),
        )
    }
    bounded_echo_of_a_500_kb_string_as_a_plain_message_quotes_64_bytes => 400 {
        at("POST", PLAIN).body_as(JSON, json!(long(500_000)).to_string())
    }

    // --- Events per delivery: at most 5,000 (Event Grid's own largest batch) by default, however
    // small the events; beyond that the whole delivery is refused before any call.
    control_batch_of_5000_tiny_events_is_204 => 204, calls = 5_000 {
        post_ce().body_as(BATCH, tiny_batch(5_000))
    }
    d8_batch_of_5001_tiny_events_is_413 => 413 { post_ce().body_as(BATCH, tiny_batch(5_001)) }
    // 20,000 tiny events (about 1.3 MB of the 2 MiB body limit) fit the body, not the cap.
    d8_batch_of_20000_tiny_events_within_the_body_limit_is_413 => 413 {
        let huge = tiny_batch(20_000);
        assert!(huge.len() < CE_LIMIT && huge.len() > MIB, "{}", huge.len());
        post_ce().body_as(BATCH, huge)
    }
    control_event_grid_array_of_5000_events_is_204 => 204, calls = 5_000 {
        notification().body_as(JSON, array(&vec![order_event("ok-grid"); 5_000]))
    }
    d8_event_grid_array_of_5001_events_within_the_body_limit_is_413 => 413 {
        let events = array(&vec![order_event("e"); 5_001]);
        assert!(events.len() < GRID_LIMIT, "{}", events.len());
        notification().body_as(JSON, events)
    }
}

/// The values of the request's origin headers, which a refusal must never reflect.
fn origins_of(request: &Request<Body>) -> Vec<Vec<u8>> {
    ["webhook-request-origin", "origin"]
        .into_iter()
        .flat_map(|name| request.headers().get_all(name))
        .map(|v| v.as_bytes().to_vec())
        .collect()
}

/// Sends one row's request to a fresh [`app`] and fails, naming every problem at once, unless
/// the answer has the `expect`ed status and the request made exactly `calls` handler calls, all
/// of them a control request's: so no hostile request reaches a handler. A refusal carries no
/// consent header, does not reflect the request's origin, and (for a 401) no challenge; a 4xx
/// other than 404 carries a plain-text reason that is not a validation response.
async fn check(name: &str, request: Request<Body>, expect: u16, calls: usize) {
    let expect = StatusCode::from_u16(expect).unwrap();
    let (app, seen) = app();
    let method = request.method().clone();
    let origins = origins_of(&request);
    let response = tokio::time::timeout(PATIENCE, app.oneshot(request))
        .await
        .unwrap_or_else(|_| panic!("{name}: no answer"))
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&body);
    let made = seen.len();
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
    if !status.is_success() {
        // Bounded echoes: a reason is at most 512 bytes and its line end (plus an ellipsis), and
        // quotes at most 64 bytes of what the request sent (no reason has a longer run of one
        // byte of its own).
        if body.len() > 512 + "…\n".len() {
            problems.push(format!("a reason of {} bytes", body.len()));
        }
        let longest = body
            .chunk_by(|a, b| a == b)
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        if longest > 64 {
            problems.push(format!("the reason quotes {longest} bytes of one value"));
        }
    }
    if status == StatusCode::UNAUTHORIZED && headers.contains_key("www-authenticate") {
        problems.push("a WWW-Authenticate challenge".to_owned());
    }
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    // No hostile request reached a handler: every call is a control request's.
    let all = seen.all();
    assert_eq!(all.len(), calls);
    let stray: Vec<&String> = all
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
}

/// The table covers the threat model broadly: at least 45 rows, at least 45 of them hostile.
#[test]
fn abuse_table_has_at_least_45_hostile_rows() {
    let count = STATUSES.len();
    assert!(count >= 45, "the table has {count} rows");
    let hostile = STATUSES
        .iter()
        .filter(|&&status| !StatusCode::from_u16(status).unwrap().is_success())
        .count();
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

/// Expands each row into a `#[tokio::test]` of that name, which serves a fresh [`app`] on
/// loopback, writes the row's raw request (a block) on a connection of its own and checks
/// [`over_loopback`] what the server did: `name => Wire(status) { raw }`, or
/// `name => Wire(status), half_close { raw }` to close the sending half after writing and read
/// until the server closes.
macro_rules! wire {
    ($($name:ident => $wire:ident($status:literal) $(, $half_close:ident)? $raw:block)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let half_close = wire!(@half_close $($half_close)?);
                over_loopback(stringify!($name), $raw, half_close, Wire::$wire($status)).await;
            }
        )*
    };
    (@half_close) => { false };
    (@half_close half_close) => { true };
}

wire! {
    // hyper parses at most 100 header fields.
    d9_loopback_200_header_fields_of_1_kib_is_431 => Hyper(431) {
        let many_fields: String = (0..200)
            .map(|i| format!("X-Padding-{i}: {}\r\n", "p".repeat(1024)))
            .collect();
        raw_structured("evil-fields", &many_fields)
    }
    // hyper buffers at most 8 KiB + 400 KiB of request head.
    d9_loopback_one_header_field_of_512_kib_is_431 => Hyper(431) {
        let huge_field = format!("X-Padding: {}\r\n", "p".repeat(512 * 1024));
        raw_structured("evil-field", &huge_field)
    }
    loopback_body_shorter_than_its_content_length_then_closed_is_400 => Runtime(400), half_close {
        let body = event("evil-short");
        raw_ce(
            format!(
                "Content-Type: {STRUCTURED}\r\nContent-Length: {}\r\n",
                body.len() + 100
            ),
            body.as_bytes(),
        )
    }
    loopback_chunk_size_that_is_not_hex_is_400 => Runtime(400), half_close {
        raw_ce(
            format!("Content-Type: {STRUCTURED}\r\nTransfer-Encoding: chunked\r\n"),
            b"zz\r\n{}\r\n0\r\n\r\n",
        )
    }
    loopback_content_length_that_is_not_a_number_is_400 => Hyper(400) {
        raw_ce(
            format!("Content-Type: {STRUCTURED}\r\nContent-Length: abc\r\n"),
            b"{}",
        )
    }
    loopback_two_different_content_length_headers_is_400 => Hyper(400) {
        raw_ce(
            format!("Content-Type: {STRUCTURED}\r\nContent-Length: 2\r\nContent-Length: 3\r\n"),
            b"{}",
        )
    }
    loopback_folded_header_line_is_400 => Hyper(400) {
        raw_structured("evil-fold", "X-Folded: a\r\n b\r\n")
    }
    loopback_header_name_with_a_space_is_400 => Hyper(400) {
        raw_structured("evil-space", "Bad Header: x\r\n")
    }
    loopback_ce_source_with_raw_0xff_bytes_on_the_wire_is_400 => Runtime(400) {
        raw_ce(
            b"Content-Type: application/json\r\nce-specversion: 1.0\r\nce-id: evil-ff\r\n\
              ce-type: t\r\nce-source: \xff\xfe\r\nContent-Length: 2\r\n",
            b"{}",
        )
    }
    loopback_request_line_that_is_not_http_is_400 => Hyper(400) { b"GARBAGE\r\n\r\n".to_vec() }
    // hyper does not refuse a second `Host`: the route does (RFC 9112 §3.2), before it reads
    // anything else of the request.
    loopback_two_host_headers_is_400 => Runtime(400) {
        raw_structured("evil-two-hosts", "Host: evil.example\r\n")
    }
    // hyper refuses a `Content-Length` above u64::MAX − 2 itself, with 431 and before the route
    // sees the request: D9's 413 cannot be given to it (README, "Making an endpoint safe to
    // expose").
    d9_loopback_content_length_of_u64_max_is_hyper_431 => Hyper(431) {
        raw_ce(
            format!("Content-Type: {STRUCTURED}\r\nContent-Length: {}\r\n", u64::MAX),
            b"{}",
        )
    }
    // Just below hyper's bound the route sees it, and answers 413 from the declared length.
    d9_loopback_content_length_of_u64_max_minus_2_is_413 => Runtime(413) {
        raw_ce(
            format!("Content-Type: {STRUCTURED}\r\nContent-Length: {}\r\n", u64::MAX - 2),
            b"{}",
        )
    }
}

/// A request without `Host` is served: hyper does not refuse it, and the runtime does not either,
/// as it decides nothing from `Host` and requests made in process (`tower::ServiceExt::oneshot`)
/// or over HTTP/2 (`:authority`) carry none; a second `Host` is refused (see the rows above).
/// README, "Making an endpoint safe to expose".
#[tokio::test]
async fn loopback_request_without_host_is_served() {
    let (app, seen) = app();
    let server = Loopback::start(app).await;
    let body = event("ok-no-host");
    let raw = format!(
        "POST {CE} HTTP/1.1\r\nConnection: close\r\nAuthorization: {}\r\n\
         WebHook-Request-Origin: {TRUSTED}\r\nContent-Type: {STRUCTURED}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        basic(USER, PASSWORD),
        body.len()
    );
    let answer = tokio::time::timeout(PATIENCE, server.send(raw.into_bytes()))
        .await
        .expect("hung");
    server.stop().await;
    assert_eq!(answer.unwrap().status, 204);
    assert_eq!(seen.all(), ["ce:ok-no-host"]);
}

/// Writes `raw` to a fresh [`app`] served on loopback and fails unless the server did what was
/// `expected`, then still answered 204 to a valid request on a new connection, whose handler
/// call is the only one.
async fn over_loopback(name: &str, raw: Vec<u8>, half_close: bool, expected: Wire) {
    let (app, seen) = app();
    let server = Loopback::start(app).await;
    let mut mismatches = Vec::new();
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
    // After it, the server still serves a new connection.
    let control = server
        .send(raw_structured(&format!("ok-after-{}", seen.len()), ""))
        .await;
    if !matches!(&control, Ok(answer) if answer.status == 204) {
        mismatches.push(format!("after {name}: the next request got {control:?}"));
    }
    server.stop().await;
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    let calls = seen.all();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        calls.iter().all(|call| call.starts_with("ce:ok-after-")),
        "a broken request reached the handler: {calls:?}"
    );
}
