//! Hardening of the delivery path (protocol.md §6, W4/P5, W11, D7, D20): origin and rate enforcement,
//! panicking handlers, bodies that never finish, plain (non-CloudEvents) messages, and the
//! quickstart's SAP Event Mesh route with HTTP Basic over loopback.

pub mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::routing::MethodRouter;
use serde::Deserialize;
use serde_json::{Value, json};
use webhook_runtime::{CloudEvent, Config, Incoming, webhook};

use common::PATIENCE;
use common::body::{Then, broken_off};
use common::credentials::basic;
use common::log::Log;
use common::loopback::Loopback;
use common::oneshot::{Answer, send};
use common::process::{Quickstart, order_line};
use common::raw_http::{request as raw, statuses};

const PATH: &str = "/hooks/orders";
const ORIGIN: &str = "eventemitter.example.com";
const STRUCTURED: &str = "application/cloudevents+json";
const BATCH: &str = "application/cloudevents-batch+json";
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

type Ids = Log<String>;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Order {
    order_id: String,
}

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 2)]
async fn orders(event: CloudEvent, State(ids): State<Ids>) {
    ids.push(event.id().to_owned());
}

/// Panics on events whose id starts with `panic`.
#[webhook(origins = ["*"], schema = cloudevents)]
async fn fragile(event: CloudEvent, State(ids): State<Ids>) {
    assert!(
        !event.id().starts_with("panic"),
        "a bug in the handler ({})",
        event.id()
    );
    ids.push(event.id().to_owned());
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn mesh(incoming: Incoming<Order>, State(log): State<Log<Incoming<Order>>>) {
    log.push(incoming);
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn mesh_values(incoming: Incoming<Value>, State(log): State<Log<Incoming<Value>>>) {
    log.push(incoming);
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn strict(event: CloudEvent<Order>, State(log): State<Log<CloudEvent<Order>>>) {
    log.push(event);
}

/// The router serving `route` at [`PATH`], and the state the handler records into.
fn serve<S: Clone + Default + Send + Sync + 'static>(route: MethodRouter<S>) -> (Router, S) {
    let state = S::default();
    (
        Router::new().route(PATH, route).with_state(state.clone()),
        state,
    )
}

/// The `orders` route with `config` applied on top of the attribute's settings.
fn orders_with(config: impl FnOnce(Config) -> Config) -> (Router, Ids) {
    serve(orders::route_with(config(orders::config())))
}

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

impl Answer {
    /// A refusal or failure answered by the runtime: `status`, one line of plain text.
    #[track_caller]
    fn assert_plain(&self, status: StatusCode) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some(TEXT_PLAIN));
        let reason = self.body.strip_suffix('\n').unwrap_or(&self.body);
        assert!(
            !reason.trim().is_empty() && !reason.contains('\n'),
            "one line of text: {:?}",
            self.body
        );
    }

    #[track_caller]
    fn assert_delivered(&self) {
        assert_eq!(self.status, StatusCode::NO_CONTENT, "body: {}", self.body);
    }
}

/// A POST with `headers` in order.
fn post(headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(Method::POST).uri(PATH);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

/// A structured event with this id and order.
fn event(id: &str) -> String {
    json!({
        "specversion": "1.0",
        "id": id,
        "source": "/orders",
        "type": "com.example.order.created",
        "data": { "order_id": format!("order-{id}") },
    })
    .to_string()
}

/// A structured delivery of event `id` with `headers` after the Content-Type.
fn delivery(id: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut all = vec![("content-type", STRUCTURED)];
    all.extend_from_slice(headers);
    post(&all, event(id))
}

fn handshake(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(PATH)
        .header("webhook-request-origin", origin)
        .body(Body::empty())
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// W4/P5: origin enforcement
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn w4_p5_origin_enforcement_takes_either_origin_header() {
    let (app, ids) = orders_with(Config::with_origin_enforcement);
    let cases = [
        ("webhook-request-origin", ORIGIN, true),
        ("origin", ORIGIN, true),
        ("webhook-request-origin", "EventEmitter.Example.COM", true),
        ("webhook-request-origin", "attacker.example.org", false),
        ("origin", "attacker.example.org", false),
        (
            "webhook-request-origin",
            "eventemitter.example.com.attacker.tld",
            false,
        ),
        ("origin", "https://eventemitter.example.com", false),
    ];
    let mut accepted = Vec::new();
    for (i, (name, origin, passes)) in cases.into_iter().enumerate() {
        let id = format!("o-{i}");
        let answer = send(&app, delivery(&id, &[(name, origin)])).await;
        if passes {
            answer.assert_delivered();
            accepted.push(id);
        } else {
            answer.assert_plain(StatusCode::FORBIDDEN);
        }
    }
    send(&app, delivery("none", &[]))
        .await
        .assert_plain(StatusCode::FORBIDDEN);
    assert_eq!(ids.all(), accepted);

    // The handshake is not affected: consent for the allowed origin, 403 for another, and an
    // OPTIONS without origin is still no handshake (D2).
    let consent = send(&app, handshake(ORIGIN)).await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
    assert_eq!(consent.header("webhook-allowed-origin"), Some(ORIGIN));
    assert_eq!(consent.header("webhook-allowed-rate"), Some("2"));
    let refused = send(&app, handshake("attacker.example.org")).await;
    refused.assert_plain(StatusCode::FORBIDDEN);
    let options = Request::builder()
        .method(Method::OPTIONS)
        .uri(PATH)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, options).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn w4_without_origin_enforcement_deliveries_need_no_origin() {
    let (app, ids) = orders_with(|config| config);
    send(&app, delivery("none", &[])).await.assert_delivered();
    send(
        &app,
        delivery("other", &[("origin", "attacker.example.org")]),
    )
    .await
    .assert_delivered();
    assert_eq!(ids.all(), ["none", "other"]);
}

// ---------------------------------------------------------------------------------------------
// W11: rate enforcement
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn w11_third_delivery_in_a_row_is_429_with_retry_after() {
    let (app, ids) = orders_with(Config::with_rate_enforcement);
    send(&app, delivery("r-1", &[])).await.assert_delivered();
    send(&app, delivery("r-2", &[])).await.assert_delivered();
    let refused = send(&app, delivery("r-3", &[])).await;
    refused.assert_plain(StatusCode::TOO_MANY_REQUESTS);
    let retry = refused
        .header("retry-after")
        .expect("W11: 429 carries Retry-After");
    assert!(
        retry.bytes().all(|b| b.is_ascii_digit()) && retry.parse::<u64>().is_ok_and(|s| s > 0),
        "Retry-After must be a positive number of seconds: {retry:?}"
    );
    assert_eq!(ids.all(), ["r-1", "r-2"], "the handler ran exactly twice");
    // The handshake still answers, with the rate that is enforced.
    let consent = send(&app, handshake(ORIGIN)).await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
    assert_eq!(consent.header("webhook-allowed-rate"), Some("2"));
}

#[tokio::test]
async fn w11_without_rate_enforcement_there_is_no_429() {
    let (app, ids) = orders_with(|config| config);
    for i in 0..6 {
        send(&app, delivery(&format!("r-{i}"), &[]))
            .await
            .assert_delivered();
    }
    assert_eq!(ids.all().len(), 6);
}

// ---------------------------------------------------------------------------------------------
// A panicking handler (protocol.md §6: a panic becomes a 5xx, never a dropped connection)
// ---------------------------------------------------------------------------------------------

/// D8: a route takes at most `with_max_events` events in one delivery; a batch with more is
/// refused whole with 413 before the handler sees any of it.
#[tokio::test]
async fn d8_a_batch_over_the_routes_event_cap_is_413_and_reaches_no_handler() {
    let (app, ids) = orders_with(|config| config.with_max_events(2));
    let batch = |ids: &[&str]| {
        let events: Vec<String> = ids.iter().map(|id| event(id)).collect();
        post(
            &[("content-type", BATCH)],
            format!("[{}]", events.join(",")),
        )
    };
    let answer = send(&app, batch(&["c1", "c2", "c3"])).await;
    answer.assert_plain(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.body.contains("3 events"), "{}", answer.body);
    assert_eq!(ids.len(), 0);
    send(&app, batch(&["c4", "c5"])).await.assert_delivered();
    assert_eq!(ids.all(), ["c4", "c5"]);
}

#[tokio::test]
async fn panicking_handler_answers_500_in_plain_text() {
    let (app, ids) = serve(fragile::route());
    send(&app, delivery("panic-1", &[]))
        .await
        .assert_plain(StatusCode::INTERNAL_SERVER_ERROR);
    send(&app, delivery("after", &[])).await.assert_delivered();
    assert_eq!(ids.all(), ["after"]);
}

/// A raw structured POST of event `id` to [`PATH`], keeping the connection open unless `close`.
fn raw_delivery(id: &str, close: bool) -> Vec<u8> {
    let body = event(id);
    let connection = if close { "close" } else { "keep-alive" };
    format!(
        "POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}\r\n\
         Content-Type: {STRUCTURED}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn panicking_handler_over_loopback_the_server_keeps_serving() {
    let (app, ids) = serve(fragile::route());
    let server = Loopback::start(app).await;
    tokio::time::timeout(PATIENCE, async {
        // On its own connection: a 500 with the reason, not a dropped connection.
        let answer = server.send(raw_delivery("panic-1", true)).await.unwrap();
        assert_eq!(answer.status, 500, "{answer:?}");
        assert_eq!(answer.header("content-type"), Some(TEXT_PLAIN));
        assert!(!answer.body.is_empty(), "{answer:?}");
        // The next connection is served.
        let answer = server.send(raw_delivery("next", true)).await.unwrap();
        assert_eq!(answer.status, 204, "{answer:?}");
        // On one keep-alive connection, the request after the panic is served too.
        let mut pipelined = raw_delivery("panic-2", false);
        pipelined.extend(raw_delivery("same-connection", true));
        let answers = server.send_until_closed(pipelined, false).await.unwrap();
        assert_eq!(
            statuses(&answers),
            [500, 204],
            "{}",
            String::from_utf8_lossy(&answers)
        );
    })
    .await
    .expect("the loopback exchanges hung");
    server.stop().await;
    assert_eq!(ids.all(), ["next", "same-connection"]);
}

// ---------------------------------------------------------------------------------------------
// A body that never finishes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn body_that_never_finishes_is_408_after_the_body_timeout() {
    let (app, ids) = orders_with(|config| config.with_body_timeout(Duration::from_millis(200)));
    let request = post(
        &[("content-type", STRUCTURED)],
        broken_off(r#"{"specversion":"1.0","id":"#, Then::Stall),
    );
    send(&app, request)
        .await
        .assert_plain(StatusCode::REQUEST_TIMEOUT);
    assert!(ids.all().is_empty());
    // The same body ending in an error instead is 400 (a truncated body).
    let request = post(
        &[("content-type", STRUCTURED)],
        broken_off(r#"{"specversion":"1.0","id":"#, Then::Fail),
    );
    send(&app, request)
        .await
        .assert_plain(StatusCode::BAD_REQUEST);
    assert!(ids.all().is_empty());
}

// ---------------------------------------------------------------------------------------------
// D7: plain messages
// ---------------------------------------------------------------------------------------------

/// The body timer covers the whole body from the first poll that finds it incomplete: a body
/// finished within it is delivered, one still arriving when it ends is 408.
#[tokio::test]
async fn slow_body_is_delivered_within_the_body_timeout_and_408_past_it() {
    let first = r#"{"specversion":"1.0","id":"slow","#;
    let rest = r#""source":"/orders","type":"com.example.order.created","data":{}}"#;
    let (app, ids) = orders_with(|config| config.with_body_timeout(Duration::from_secs(5)));
    let request = post(
        &[("content-type", STRUCTURED)],
        broken_off(first, Then::After(Duration::from_millis(50), rest)),
    );
    send(&app, request).await.assert_delivered();
    assert_eq!(ids.all(), ["slow"]);

    let (app, ids) = orders_with(|config| config.with_body_timeout(Duration::from_millis(100)));
    let request = post(
        &[("content-type", STRUCTURED)],
        broken_off(first, Then::After(Duration::from_millis(400), rest)),
    );
    send(&app, request)
        .await
        .assert_plain(StatusCode::REQUEST_TIMEOUT);
    assert!(ids.all().is_empty());
}

fn order(id: &str) -> Order {
    Order {
        order_id: id.to_owned(),
    }
}

#[tokio::test]
async fn d7_plain_json_message_reaches_the_handler_typed() {
    let (app, log) = serve(mesh::route());
    let body = r#"{"order_id":"plain-1","note":"SAP Event Mesh queue"}"#;
    send(&app, post(&[("content-type", "application/json")], body))
        .await
        .assert_delivered();
    match log.all().as_slice() {
        [Incoming::Message(message)] => {
            assert_eq!(message.data(), &order("plain-1"));
            assert_eq!(message.content_type(), Some("application/json"));
        }
        other => panic!("expected one plain message, got {other:?}"),
    }
}

#[tokio::test]
async fn d7_plain_route_types_cloudevents_as_events() {
    let (app, log) = serve(mesh::route());
    send(&app, delivery("s-1", &[])).await.assert_delivered();
    let binary = post(
        &[
            ("content-type", "application/json"),
            ("ce-specversion", "1.0"),
            ("ce-id", "b-1"),
            ("ce-source", "/orders"),
            ("ce-type", "com.example.order.created"),
        ],
        r#"{"order_id":"order-b-1"}"#,
    );
    send(&app, binary).await.assert_delivered();
    let batch = format!("[{},{},{}]", event("a-1"), event("a-2"), event("a-3"));
    send(&app, post(&[("content-type", BATCH)], batch))
        .await
        .assert_delivered();
    let seen: Vec<(String, Order)> = log
        .all()
        .into_iter()
        .map(|incoming| match incoming {
            Incoming::Event(event) => (event.id().to_owned(), event.into_data()),
            Incoming::Message(message) => panic!("a CloudEvent typed as a message: {message:?}"),
        })
        .collect();
    let expected: Vec<(String, Order)> = ["s-1", "b-1", "a-1", "a-2", "a-3"]
        .into_iter()
        .map(|id| (id.to_owned(), order(&format!("order-{id}"))))
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn d7_plain_route_refuses_what_it_cannot_type() {
    let (app, log) = serve(mesh::route());
    let body = r#"{"order_id":"plain-1"}"#;
    for content_type in ["text/plain", "application/xml", "application/octet-stream"] {
        send(&app, post(&[("content-type", content_type)], body))
            .await
            .assert_plain(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    send(
        &app,
        post(&[("content-type", "application/json")], r#"{"order_id":"#),
    )
    .await
    .assert_plain(StatusCode::BAD_REQUEST);
    send(
        &app,
        post(&[("content-type", "application/json")], r#"{"id":7}"#),
    )
    .await
    .assert_plain(StatusCode::BAD_REQUEST);
    assert!(log.all().is_empty(), "{:?}", log.all());
}

#[tokio::test]
async fn d7_plain_message_with_json_suffix_and_value_data() {
    let (app, log) = serve(mesh_values::route());
    let body = r#"{"anything":[1,2,3]}"#;
    send(
        &app,
        post(&[("content-type", "application/vnd.sap+json")], body),
    )
    .await
    .assert_delivered();
    match log.all().as_slice() {
        [Incoming::Message(message)] => {
            assert_eq!(message.data(), &json!({ "anything": [1, 2, 3] }));
        }
        other => panic!("expected one plain message, got {other:?}"),
    }
}

#[tokio::test]
async fn d7_without_plain_the_same_json_body_is_415() {
    let (app, log) = serve(strict::route());
    let body = r#"{"order_id":"plain-1"}"#;
    for headers in [
        &[("content-type", "application/json")][..],
        &[("content-type", "application/json; charset=utf-8")][..],
        &[][..],
    ] {
        send(&app, post(headers, body))
            .await
            .assert_plain(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    assert!(log.all().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The quickstart's `/eventmesh` over loopback
// ---------------------------------------------------------------------------------------------

const MESH: &str = "/eventmesh";
const ORDER_TYPE: &str = "com.example.order.created";

/// A structured order event for `/eventmesh`.
fn mesh_event(id: &str) -> String {
    json!({
        "specversion": "1.0",
        "id": id,
        "source": "/sap/eventmesh",
        "type": ORDER_TYPE,
        "data": { "order_id": format!("order-{id}"), "amount": 12.5 },
    })
    .to_string()
}

/// The line the quickstart prints for [`mesh_event`] `id`.
fn mesh_line(id: &str) -> String {
    order_line(id, ORDER_TYPE, &format!("order-{id}"), "12.5").replacen(
        r#""endpoint":"/cloudevents""#,
        r#""endpoint":"/eventmesh""#,
        1,
    )
}

/// A handshake on `/eventmesh` and a delivery of `id`, both with this `Authorization`.
fn mesh_exchanges(authorization: Option<&str>, id: &str) -> [Vec<u8>; 2] {
    let mut handshake = vec![("WebHook-Request-Origin", "sap.eventmesh.example")];
    let mut delivery = vec![("Content-Type", STRUCTURED)];
    if let Some(authorization) = authorization {
        handshake.push(("Authorization", authorization));
        delivery.push(("Authorization", authorization));
    }
    [
        raw("OPTIONS", MESH, &handshake, b""),
        raw("POST", MESH, &delivery, mesh_event(id).as_bytes()),
    ]
}

/// Runs the quickstart with `env` and checks that `accepted` Basic credentials work on the
/// handshake and on a delivery (whose line is printed) while each of `refused` (and none) is
/// 401 on both; returns the quickstart's stderr.
fn eventmesh_scenario(
    env: &[(&str, Option<&str>)],
    accepted: (&str, &str),
    refused: &[(&str, &str)],
) -> String {
    let server = Quickstart::start_with_env(env);
    let mut refusals: Vec<Option<String>> = vec![None];
    refusals.extend(refused.iter().map(|(u, p)| Some(basic(u, p))));
    for (i, authorization) in refusals.iter().enumerate() {
        for request in mesh_exchanges(authorization.as_deref(), &format!("refused-{i}")) {
            let answer = server.send(request);
            assert_eq!(answer.status, 401, "{authorization:?}: {answer:?}");
            assert!(!answer.has_header("WWW-Authenticate"), "{answer:?}");
            assert!(!answer.has_header("WebHook-Allowed-Origin"), "{answer:?}");
        }
    }
    let authorization = basic(accepted.0, accepted.1);
    let [handshake, delivery] = mesh_exchanges(Some(&authorization), "m-1");
    let consent = server.send(handshake);
    assert_eq!(consent.status, 200, "{consent:?}");
    assert_eq!(
        consent.header("WebHook-Allowed-Origin"),
        Some("*"),
        "{consent:?}"
    );
    let delivered = server.send(delivery);
    assert_eq!(delivered.status, 204, "{delivered:?}");
    let stopped = server.stop();
    assert_eq!(stopped.stdout, [mesh_line("m-1")], "{stopped:?}");
    stopped.stderr
}

#[tokio::test]
async fn quickstart_eventmesh_takes_the_default_basic_credentials() {
    let stderr = tokio::task::spawn_blocking(|| {
        eventmesh_scenario(
            &[("EVENTMESH_USER", None), ("EVENTMESH_PASSWORD", None)],
            ("quickstart", "quickstart"),
            &[("quickstart", "wrong"), ("other", "quickstart")],
        )
    })
    .await
    .unwrap();
    assert!(
        stderr.contains("EVENTMESH_USER / EVENTMESH_PASSWORD not set"),
        "the default credentials come with a warning: {stderr}"
    );
}

#[tokio::test]
async fn quickstart_eventmesh_takes_credentials_from_the_environment() {
    let stderr = tokio::task::spawn_blocking(|| {
        eventmesh_scenario(
            &[
                ("EVENTMESH_USER", Some("mesh-user")),
                ("EVENTMESH_PASSWORD", Some("mesh-Secret-42")),
            ],
            ("mesh-user", "mesh-Secret-42"),
            &[
                ("quickstart", "quickstart"),
                ("mesh-user", "quickstart"),
                ("mesh-user", "mesh-Secret-4"),
            ],
        )
    })
    .await
    .unwrap();
    assert!(!stderr.contains("not set"), "{stderr}");
    let encoded = basic("mesh-user", "mesh-Secret-42");
    for secret in ["mesh-Secret-42", encoded.trim_start_matches("Basic ")] {
        assert!(!stderr.contains(secret), "a secret was logged: {stderr}");
    }
}
