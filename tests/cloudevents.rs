//! CloudEvents deliveries over HTTP (protocol.md §4, D6–D9, D13, D20, D22): structured, binary and
//! batch mode, attribute and data rules, body limits, check order and handler answers, driven
//! through `tower::ServiceExt::oneshot` on routes built by `#[webhook]`.

pub mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::routing::MethodRouter;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};
use webhook_runtime::{CloudEvent, ExtensionValue, webhook};

use common::log::Log;
use common::oneshot::{Answer, send};

const PATH: &str = "/hooks/orders";
const STRUCTURED: &str = "application/cloudevents+json";
const BATCH: &str = "application/cloudevents-batch+json";
const MIB: usize = 1024 * 1024;

type Events<T> = Log<CloudEvent<T>>;

fn ids<T>(events: &[CloudEvent<T>]) -> Vec<&str> {
    events.iter().map(CloudEvent::id).collect()
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Order {
    order_id: String,
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn values(event: CloudEvent<Value>, State(log): State<Events<Value>>) {
    log.push(event);
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn orders(event: CloudEvent<Order>, State(log): State<Events<Order>>) {
    log.push(event);
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn raw(event: CloudEvent<Bytes>, State(log): State<Events<Bytes>>) {
    log.push(event);
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn text(event: CloudEvent<String>, State(log): State<Events<String>>) {
    log.push(event);
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn maybe(event: CloudEvent<Option<Order>>, State(log): State<Events<Option<Order>>>) {
    log.push(event);
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn whole_batch(
    events: Vec<CloudEvent<Value>>,
    State(log): State<Log<Vec<CloudEvent<Value>>>>,
) {
    log.push(events);
}

/// Answers the status named by the data's `status` member, 204 without one.
#[webhook(origins = ["*"], schema = cloudevents)]
async fn answering(event: CloudEvent<Value>, State(log): State<Events<Value>>) -> StatusCode {
    let status = event.data()["status"].as_u64();
    log.push(event);
    status.map_or(StatusCode::NO_CONTENT, |s| {
        StatusCode::from_u16(s as u16).unwrap()
    })
}

#[webhook(origins = ["*"], schema = cloudevents, body_limit = 256)]
async fn small(event: CloudEvent<Value>, State(log): State<Events<Value>>) {
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

/// A request with `headers` appended in order (so a name may repeat).
fn request(method: Method, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(PATH);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

fn post(headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    request(Method::POST, headers, body)
}

fn structured(body: impl Into<Body>) -> Request<Body> {
    post(&[("content-type", STRUCTURED)], body)
}

fn batch(events: &[String]) -> Request<Body> {
    post(
        &[("content-type", BATCH)],
        format!("[{}]", events.join(",")),
    )
}

/// The required attributes of a binary-mode event.
const CE_HEADERS: [(&str, &str); 4] = [
    ("ce-specversion", "1.0"),
    ("ce-id", "A-1"),
    ("ce-source", "/orders"),
    ("ce-type", "com.example.order.created"),
];

/// A binary-mode event: the required `ce-` headers, then `extra`.
fn binary(extra: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let headers: Vec<_> = CE_HEADERS.iter().chain(extra).copied().collect();
    post(&headers, body)
}

fn base_event() -> serde_json::Map<String, Value> {
    let Value::Object(map) = json!({
        "specversion": "1.0",
        "id": "A-1",
        "source": "/orders",
        "type": "com.example.order.created",
    }) else {
        unreachable!()
    };
    map
}

/// A structured event: the required attributes overridden and extended by `fields`.
fn event(fields: Value) -> String {
    let mut map = base_event();
    map.extend(fields.as_object().unwrap().clone());
    Value::Object(map).to_string()
}

/// A structured event without the attribute `name`.
fn event_without(name: &str) -> String {
    let mut map = base_event();
    map.remove(name);
    Value::Object(map).to_string()
}

/// A valid structured event padded with trailing whitespace to exactly `len` bytes.
fn padded(len: usize) -> String {
    let mut body = event(json!({"data": {"n": 1}}));
    assert!(body.len() <= len);
    body.push_str(&" ".repeat(len - body.len()));
    body
}

/// 2xx without content, as `()` handlers answer (D6).
fn assert_accepted(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
}

/// A rejection: `status`, a one-line plain-text reason containing `needle`.
fn assert_rejected(answer: &Answer, status: StatusCode, needle: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(status.is_client_error());
    assert_eq!(
        answer
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap()),
        Some("text/plain; charset=utf-8")
    );
    let reason = answer.body.strip_suffix('\n').unwrap_or(&answer.body);
    assert!(
        !reason.is_empty() && !reason.contains('\n'),
        "{:?}",
        answer.body
    );
    assert!(
        reason.contains(needle),
        "reason {reason:?} does not contain {needle:?}"
    );
}

/// Sends `request` to a fresh `values` route; it must be rejected and the handler not called.
async fn assert_values_rejects(request: Request<Body>, status: StatusCode, needle: &str) {
    let (app, log) = serve(values::route());
    assert_rejected(&send(&app, request).await, status, needle);
    assert!(log.is_empty(), "the handler was called");
}

/// Sends `request` to a fresh `values` route; it must be accepted, and the event is returned.
async fn values_accepts(request: Request<Body>) -> CloudEvent<Value> {
    let (app, log) = serve(values::route());
    assert_accepted(&send(&app, request).await);
    log.one()
}

// ---- H4 mode detection --------------------------------------------------------------------

#[tokio::test]
async fn h4_structured_media_type_is_case_insensitive_and_ignores_parameters() {
    for content_type in [
        "application/cloudevents+json",
        "Application/CloudEvents+JSON",
        "application/cloudevents+json; charset=utf-8",
        "APPLICATION/CLOUDEVENTS+JSON ; charset=UTF-8",
    ] {
        let body = event(json!({"data": {"n": 1}}));
        let seen = values_accepts(post(&[("content-type", content_type)], body)).await;
        assert_eq!(seen.data(), &json!({"n": 1}), "{content_type}");
    }
}

#[tokio::test]
async fn h4_batch_media_type_is_detected_before_structured() {
    for content_type in [
        "application/cloudevents-batch+json",
        "Application/CloudEvents-Batch+JSON; charset=utf-8",
    ] {
        let (app, log) = serve(values::route());
        let body = format!(
            "[{},{}]",
            event(json!({"id": "A-1", "data": 1})),
            event(json!({"id": "A-2", "data": 2}))
        );
        assert_accepted(&send(&app, post(&[("content-type", content_type)], body)).await);
        assert_eq!(ids(&log.all()), ["A-1", "A-2"], "{content_type}");
    }
}

#[tokio::test]
async fn h4_other_media_type_with_ce_specversion_is_binary() {
    // The body looks like a structured event, but in binary mode it is only the data.
    let body = event(json!({"id": "body-id"}));
    let seen = values_accepts(binary(&[("content-type", "application/json")], body)).await;
    assert_eq!(seen.id(), "A-1");
    assert_eq!(seen.data()["id"], "body-id");
}

#[tokio::test]
async fn h14_structured_body_is_authoritative_over_ce_headers() {
    let body = event(json!({"id": "body-id", "data": {}}));
    let headers = [
        ("content-type", STRUCTURED),
        ("ce-id", "header-id"),
        ("ce-type", "header.type"),
        ("ce-tenant", "header"),
    ];
    let seen = values_accepts(post(&headers, body)).await;
    assert_eq!(seen.id(), "body-id");
    assert_eq!(seen.ty(), "com.example.order.created");
    assert_eq!(seen.extension("tenant"), None);
}

// ---- Binary mode (H8–H11) -----------------------------------------------------------------

#[tokio::test]
async fn h8_h11_binary_content_type_is_the_datacontenttype() {
    let (app, log) = serve(orders::route());
    let content_type = "application/vnd.order+json; charset=utf-8";
    let request = binary(&[("content-type", content_type)], r#"{"order_id":"o-1"}"#);
    assert_accepted(&send(&app, request).await);
    let seen = log.one();
    assert_eq!(seen.datacontenttype(), Some(content_type));
    assert_eq!(seen.data().order_id, "o-1");
}

#[tokio::test]
async fn h8_h11_binary_ce_datacontenttype_header_is_400() {
    let request = binary(
        &[
            ("content-type", "application/json"),
            ("ce-datacontenttype", "application/json"),
        ],
        "{}",
    );
    assert_values_rejects(request, StatusCode::BAD_REQUEST, "ce-datacontenttype").await;
}

#[tokio::test]
async fn h8_h11_binary_header_names_are_case_insensitive() {
    let headers = [
        ("CE-SpecVersion", "1.0"),
        ("Ce-Id", "A-9"),
        ("CE-SOURCE", "/orders"),
        ("ce-Type", "t"),
        ("CE-Tenant", "acme"),
        ("content-type", "application/json"),
    ];
    let seen = values_accepts(post(&headers, "{}")).await;
    assert_eq!(seen.id(), "A-9");
    assert_eq!(
        seen.extension("tenant"),
        Some(&ExtensionValue::from("acme"))
    );
}

/// The `subject` a binary-mode event arrives with when `ce-subject` is `raw`.
async fn binary_subject(raw: &str) -> String {
    let request = binary(
        &[("content-type", "application/json"), ("ce-subject", raw)],
        "{}",
    );
    values_accepts(request).await.subject().unwrap().to_owned()
}

#[tokio::test]
async fn h8_h11_quoted_string_is_unquoted() {
    assert_eq!(
        binary_subject(r#""a \"quoted\" subject""#).await,
        r#"a "quoted" subject"#
    );
    assert_eq!(binary_subject(r#""a, b""#).await, "a, b");
}

#[tokio::test]
async fn h8_h11_quoted_string_is_unquoted_then_percent_decoded() {
    assert_eq!(binary_subject(r#""%22x%22 y""#).await, r#""x" y"#);
}

#[tokio::test]
async fn h8_h11_percent_decoding_happens_exactly_once() {
    assert_eq!(binary_subject("caf%C3%A9").await, "café");
    assert_eq!(binary_subject("%2541").await, "%41");
}

#[tokio::test]
async fn h8_h11_lower_case_hex_is_accepted() {
    assert_eq!(binary_subject("%e2%82%ac%20caf%c3%a9").await, "€ café");
}

#[tokio::test]
async fn h8_h11_needless_encoding_is_accepted() {
    assert_eq!(binary_subject("%41%42c%2Fd").await, "ABc/d");
}

#[tokio::test]
async fn h8_h11_raw_percent_without_two_hex_digits_is_kept() {
    for raw in ["100%", "%zz", "50%-off", "%4"] {
        let request = binary(
            &[("content-type", "application/json"), ("ce-myext", raw)],
            "{}",
        );
        let seen = values_accepts(request).await;
        assert_eq!(seen.extension("myext"), Some(&ExtensionValue::from(raw)));
    }
}

#[tokio::test]
async fn h8_h11_decoded_value_that_is_not_utf8_is_400() {
    let request = binary(
        &[
            ("content-type", "application/json"),
            ("ce-subject", "%C0%A0"),
        ],
        "{}",
    );
    assert_values_rejects(request, StatusCode::BAD_REQUEST, "ce-subject").await;
}

#[tokio::test]
async fn h8_h11_binary_without_content_type_data_is_json() {
    let (app, log) = serve(orders::route());
    assert_accepted(&send(&app, binary(&[], r#"{"order_id":"o-1"}"#)).await);
    let seen = log.one();
    assert_eq!(seen.data().order_id, "o-1");
    assert_eq!(seen.datacontenttype(), None);
}

#[tokio::test]
async fn h8_h11_binary_extension_header_is_kept() {
    let request = binary(
        &[
            ("content-type", "application/json"),
            ("ce-traceparent", "00-ab-cd-01"),
        ],
        "{}",
    );
    let seen = values_accepts(request).await;
    assert_eq!(
        seen.extension("traceparent"),
        Some(&ExtensionValue::from("00-ab-cd-01"))
    );
}

// ---- Batch mode (D8, C10) -----------------------------------------------------------------

#[tokio::test]
async fn d8_empty_batch_is_204_without_calls() {
    let (app, log) = serve(values::route());
    assert_accepted(&send(&app, batch(&[])).await);
    assert!(log.is_empty());
}

#[tokio::test]
async fn d8_per_event_handler_is_called_in_order() {
    let (app, log) = serve(values::route());
    let events: Vec<_> = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|id| event(json!({"id": id, "data": {"id": id}})))
        .collect();
    assert_accepted(&send(&app, batch(&events)).await);
    let seen = log.all();
    assert_eq!(ids(&seen), ["A-1", "A-2", "A-3"]);
    assert_eq!(seen[2].data(), &json!({"id": "A-3"}));
}

#[tokio::test]
async fn d8_one_bad_event_rejects_the_batch_naming_its_index() {
    let good = event(json!({"data": {}}));
    let without_id = event_without("id");
    let request = batch(&[good.clone(), without_id, good.clone()]);
    assert_values_rejects(request, StatusCode::BAD_REQUEST, "event 1").await;
    let not_an_object = batch(&[good.clone(), good, "5".to_owned()]);
    assert_values_rejects(not_an_object, StatusCode::BAD_REQUEST, "event 2").await;
}

#[tokio::test]
async fn d8_first_failing_answer_stops_the_batch_and_answers_for_it() {
    let (app, log) = serve(answering::route());
    let events = [
        event(json!({"id": "A-1", "data": {}})),
        event(json!({"id": "A-2", "data": {"status": 503}})),
        event(json!({"id": "A-3", "data": {}})),
    ];
    let answer = send(&app, batch(&events)).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ids(&log.all()), ["A-1", "A-2"]);
}

#[tokio::test]
async fn d8_vec_handler_is_called_once_with_the_whole_batch() {
    let (app, log) = serve(whole_batch::route());
    let events: Vec<_> = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|id| event(json!({"id": id, "data": null})))
        .collect();
    assert_accepted(&send(&app, batch(&events)).await);
    assert_eq!(ids(&log.one()), ["A-1", "A-2", "A-3"]);
}

#[tokio::test]
async fn d8_batch_body_that_is_not_an_array_is_400() {
    let request = post(&[("content-type", BATCH)], event(json!({"data": {}})));
    assert_values_rejects(request, StatusCode::BAD_REQUEST, "").await;
}

#[tokio::test]
async fn c10_batch_event_with_another_specversion_is_400() {
    let events = [
        event(json!({"data": {}})),
        event(json!({"specversion": "0.3", "data": {}})),
    ];
    assert_values_rejects(batch(&events), StatusCode::BAD_REQUEST, "event 1").await;
}

// ---- Required attributes (C1), D7 ---------------------------------------------------------

const REQUIRED: [&str; 4] = ["id", "source", "specversion", "type"];

#[tokio::test]
async fn c1_missing_required_attribute_is_400_naming_it() {
    for name in REQUIRED {
        let needle = format!("`{name}`");
        let request = structured(event_without(name));
        assert_values_rejects(request, StatusCode::BAD_REQUEST, &needle).await;
    }
}

#[tokio::test]
async fn c1_j3_null_required_attribute_is_400_naming_it() {
    for name in REQUIRED {
        let body = event(json!({ name: null, "data": {} }));
        let needle = format!("`{name}`");
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, &needle).await;
    }
}

#[tokio::test]
async fn c1_empty_required_attribute_is_400_naming_it() {
    for name in REQUIRED {
        let body = event(json!({ name: "", "data": {} }));
        let needle = format!("`{name}`");
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, &needle).await;
    }
}

#[tokio::test]
async fn c1_required_attribute_that_is_not_a_string_is_400_naming_it() {
    for name in REQUIRED {
        let body = event(json!({ name: 5, "data": {} }));
        let needle = format!("`{name}`");
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, &needle).await;
    }
}

#[tokio::test]
async fn c1_specversion_must_be_1_0() {
    let body = event(json!({"specversion": "0.3", "data": {}}));
    assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "specversion").await;
}

#[tokio::test]
async fn c1_source_must_be_a_uri_reference() {
    let body = event(json!({"source": "not a uri", "data": {}}));
    assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "`source`").await;
    let seen = values_accepts(structured(event(
        json!({"source": "https://example.com/orders?x=1#f", "data": {}}),
    )))
    .await;
    assert_eq!(seen.source(), "https://example.com/orders?x=1#f");
}

#[tokio::test]
async fn d7_ce_specversion_without_a_required_header_is_400_naming_it() {
    for missing in ["ce-id", "ce-source", "ce-type"] {
        let mut headers: Vec<_> = CE_HEADERS
            .iter()
            .copied()
            .filter(|(name, _)| *name != missing)
            .collect();
        headers.push(("content-type", "application/json"));
        let needle = format!("`{missing}`");
        assert_values_rejects(post(&headers, "{}"), StatusCode::BAD_REQUEST, &needle).await;
        // Present but empty is no better.
        headers.push((missing, ""));
        assert_values_rejects(post(&headers, "{}"), StatusCode::BAD_REQUEST, &needle).await;
    }
}

#[tokio::test]
async fn d7_not_a_cloudevent_is_415() {
    let body = event(json!({"data": {}}));
    for content_type in [Some("application/json"), Some("text/plain"), None] {
        let headers: Vec<_> = content_type
            .map(|ct| ("content-type", ct))
            .into_iter()
            .collect();
        assert_values_rejects(
            post(&headers, body.clone()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "CloudEvent",
        )
        .await;
    }
}

// ---- Optional attributes, J3 --------------------------------------------------------------

#[tokio::test]
async fn c1_optional_dataschema_must_be_an_absolute_uri() {
    for bad in ["/schemas/order", "schemas/order", "1http://x", ""] {
        let body = event(json!({"dataschema": bad, "data": {}}));
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "`dataschema`").await;
    }
    for good in ["https://example.com/schemas/order", "urn:example:order"] {
        let body = event(json!({"dataschema": good, "data": {}}));
        assert_eq!(
            values_accepts(structured(body)).await.dataschema(),
            Some(good)
        );
    }
}

#[tokio::test]
async fn c1_optional_subject_must_not_be_empty() {
    let body = event(json!({"subject": "", "data": {}}));
    assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "`subject`").await;
    let body = event(json!({"subject": "order/42", "data": {}}));
    assert_eq!(
        values_accepts(structured(body)).await.subject(),
        Some("order/42")
    );
}

#[tokio::test]
async fn c1_optional_time_must_be_rfc_3339() {
    for bad in [
        "yesterday",
        "2024-01-02",
        "2024-01-02T03:04:05",
        "2024-13-02T03:04:05Z",
    ] {
        let body = event(json!({"time": bad, "data": {}}));
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "`time`").await;
        let request = binary(
            &[("content-type", "application/json"), ("ce-time", bad)],
            "{}",
        );
        assert_values_rejects(request, StatusCode::BAD_REQUEST, "`ce-time`").await;
    }
    let body = event(json!({"time": "2024-01-02T03:04:05.123+02:00", "data": {}}));
    let time = values_accepts(structured(body)).await.time().unwrap();
    assert_eq!(time.unix_timestamp(), 1_704_157_445);
    assert_eq!(time.millisecond(), 123);
    assert_eq!(time.offset().whole_hours(), 2);
}

#[tokio::test]
async fn j3_null_optional_attributes_and_extensions_are_absent() {
    let body = event(json!({
        "datacontenttype": null,
        "dataschema": null,
        "subject": null,
        "time": null,
        "myext": null,
        "data": {"n": 1},
    }));
    let seen = values_accepts(structured(body)).await;
    assert_eq!(seen.datacontenttype(), None);
    assert_eq!(seen.dataschema(), None);
    assert_eq!(seen.subject(), None);
    assert_eq!(seen.time(), None);
    assert!(seen.extensions().is_empty(), "{:?}", seen.extensions());
    assert_eq!(seen.data(), &json!({"n": 1}));
}

// ---- Extensions ---------------------------------------------------------------------------

#[tokio::test]
async fn extensions_unknown_well_formed_are_kept_with_their_types() {
    let body = event(json!({
        "tenant": "acme",
        "flag": true,
        "count": 42,
        "min": -2_147_483_648_i64,
        "max": 2_147_483_647,
        "ext2": "",
        "data": {},
    }));
    let seen = values_accepts(structured(body)).await;
    assert_eq!(
        seen.extension("tenant"),
        Some(&ExtensionValue::from("acme"))
    );
    assert_eq!(seen.extension("flag"), Some(&ExtensionValue::Boolean(true)));
    assert_eq!(seen.extension("count"), Some(&ExtensionValue::Integer(42)));
    assert_eq!(
        seen.extension("min"),
        Some(&ExtensionValue::Integer(i32::MIN))
    );
    assert_eq!(
        seen.extension("max"),
        Some(&ExtensionValue::Integer(i32::MAX))
    );
    assert_eq!(seen.extension("ext2"), Some(&ExtensionValue::from("")));
    assert_eq!(seen.extensions().len(), 6);
}

#[tokio::test]
async fn extensions_malformed_names_are_400() {
    for name in ["my_ext", "myExt", "my-ext", ""] {
        let mut map = base_event();
        map.insert(name.to_owned(), json!("x"));
        map.insert("data".to_owned(), json!({}));
        let body = Value::Object(map).to_string();
        let needle = format!("`{name}`");
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, &needle).await;
    }
}

#[tokio::test]
async fn extensions_values_outside_the_type_system_are_400() {
    for value in [
        json!({"a": 1}),
        json!([1]),
        json!(1.5),
        json!(2_147_483_648_i64),
        json!(-2_147_483_649_i64),
        json!(18_446_744_073_709_551_615_u64),
    ] {
        let body = event(json!({"myext": value, "data": {}}));
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "`myext`").await;
    }
}

#[tokio::test]
async fn d22_binary_malformed_ce_header_names_are_400() {
    for name in ["ce-my_ext", "ce-", "ce-data", "ce-my.ext"] {
        let request = binary(&[("content-type", "application/json"), (name, "x")], "{}");
        assert_values_rejects(request, StatusCode::BAD_REQUEST, name).await;
    }
}

#[tokio::test]
async fn d22_binary_repeated_ce_header_is_400() {
    for name in ["ce-myext", "ce-id"] {
        let request = binary(
            &[
                ("content-type", "application/json"),
                (name, "x"),
                ("ce-myext", "y"),
            ],
            "{}",
        );
        assert_values_rejects(request, StatusCode::BAD_REQUEST, name).await;
    }
}

// ---- Data (J5–J10, D13, D22) --------------------------------------------------------------

#[tokio::test]
async fn j5_j10_data_base64_decodes_to_raw_bytes() {
    let (app, log) = serve(raw::route());
    let body = event(json!({
        "datacontenttype": "application/octet-stream",
        "data_base64": "AP8QgA==",
    }));
    assert_accepted(&send(&app, structured(body)).await);
    assert_eq!(&log.one().data()[..], [0x00, 0xff, 0x10, 0x80]);
}

#[tokio::test]
async fn j5_j10_data_base64_with_a_json_content_type_is_json() {
    let (app, log) = serve(orders::route());
    let body = event(json!({
        "datacontenttype": "application/json",
        "data_base64": "eyJvcmRlcl9pZCI6Im8tMSJ9",
    }));
    assert_accepted(&send(&app, structured(body)).await);
    assert_eq!(log.one().data().order_id, "o-1");
}

/// Sends `request` to a fresh `orders` route; it must be rejected and the handler not called.
async fn assert_orders_rejects(request: Request<Body>, status: StatusCode, needle: &str) {
    let (app, log) = serve(orders::route());
    assert_rejected(&send(&app, request).await, status, needle);
    assert!(log.is_empty(), "the handler was called");
}

#[tokio::test]
async fn j5_j10_data_base64_with_a_non_json_content_type_is_not_json() {
    let body = event(json!({
        "datacontenttype": "application/octet-stream",
        "data_base64": "eyJvcmRlcl9pZCI6Im8tMSJ9",
    }));
    assert_orders_rejects(structured(body), StatusCode::UNSUPPORTED_MEDIA_TYPE, "").await;
}

#[tokio::test]
async fn j5_j10_data_base64_without_a_content_type_is_not_assumed_json() {
    let body = event(json!({"data_base64": "eyJvcmRlcl9pZCI6Im8tMSJ9"}));
    assert_orders_rejects(structured(body), StatusCode::UNSUPPORTED_MEDIA_TYPE, "").await;
}

#[tokio::test]
async fn j5_j10_invalid_base64_is_400() {
    let body = event(json!({"data_base64": "not base64!"}));
    assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "data_base64").await;
}

#[tokio::test]
async fn d13_json_string_data_is_not_parsed_twice() {
    let fields = json!({
        "datacontenttype": "application/json",
        "data": "{\"order_id\":\"o-1\"}",
    });
    let (app, log) = serve(text::route());
    assert_accepted(&send(&app, structured(event(fields.clone()))).await);
    assert_eq!(log.one().data(), r#"{"order_id":"o-1"}"#);

    let seen = values_accepts(structured(event(fields.clone()))).await;
    assert_eq!(seen.data(), &json!("{\"order_id\":\"o-1\"}"));

    assert_orders_rejects(structured(event(fields)), StatusCode::BAD_REQUEST, "data").await;
}

#[tokio::test]
async fn j5_j10_data_without_datacontenttype_is_json() {
    let (app, log) = serve(orders::route());
    let body = event(json!({"data": {"order_id": "o-1"}}));
    assert_accepted(&send(&app, structured(body)).await);
    let seen = log.one();
    assert_eq!(seen.data().order_id, "o-1");
    assert_eq!(seen.datacontenttype(), None);
}

#[tokio::test]
async fn d22_data_and_data_base64_together_is_400() {
    for data in [json!({"order_id": "o-1"}), Value::Null] {
        let body = event(json!({"data": data, "data_base64": "eyJvcmRlcl9pZCI6Im8tMSJ9"}));
        assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "data_base64").await;
    }
}

#[tokio::test]
async fn d22_null_data_base64_is_absent() {
    let body = event(json!({"data": {"n": 1}, "data_base64": null}));
    assert_eq!(
        values_accepts(structured(body)).await.data(),
        &json!({"n": 1})
    );

    let (app, log) = serve(maybe::route());
    let body = event(json!({"data_base64": null}));
    assert_accepted(&send(&app, structured(body)).await);
    assert_eq!(log.one().data(), &None);
}

#[tokio::test]
async fn j5_j10_data_null_is_an_explicit_null() {
    let seen = values_accepts(structured(event(json!({"data": null})))).await;
    assert_eq!(seen.data(), &Value::Null);
    // Absent data is not null: a `Value` handler requires data (D22).
    let body = event(json!({}));
    assert_values_rejects(structured(body), StatusCode::BAD_REQUEST, "no data").await;
}

#[tokio::test]
async fn d13_option_is_none_without_data() {
    let requests = [
        structured(event(json!({}))),
        binary(&[("content-type", "application/json")], ""),
        binary(&[], ""),
    ];
    for request in requests {
        let (app, log) = serve(maybe::route());
        assert_accepted(&send(&app, request).await);
        assert_eq!(log.one().data(), &None);
    }
    let (app, log) = serve(maybe::route());
    let body = event(json!({"data": {"order_id": "o-1"}}));
    assert_accepted(&send(&app, structured(body)).await);
    assert_eq!(log.one().into_data().unwrap().order_id, "o-1");
}

#[tokio::test]
async fn d22_required_data_missing_is_400() {
    let requests = [
        structured(event(json!({}))),
        binary(&[("content-type", "application/json")], ""),
    ];
    for request in requests {
        assert_orders_rejects(request, StatusCode::BAD_REQUEST, "no data").await;
    }
}

#[tokio::test]
async fn d22_non_json_datacontenttype_for_a_json_type_is_415() {
    let xml = json!({"datacontenttype": "application/xml", "data": "<order/>"});
    assert_orders_rejects(
        structured(event(xml.clone())),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "application/xml",
    )
    .await;
    assert_values_rejects(
        structured(event(xml)),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "application/xml",
    )
    .await;
    let plain = binary(&[("content-type", "text/plain")], "hello");
    assert_orders_rejects(plain, StatusCode::UNSUPPORTED_MEDIA_TYPE, "text/plain").await;
}

#[tokio::test]
async fn d22_json_media_types_are_json() {
    for content_type in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "text/json",
        "application/vnd.order+json",
    ] {
        let (app, log) = serve(orders::route());
        let body = event(json!({"datacontenttype": content_type, "data": {"order_id": "o-1"}}));
        assert_accepted(&send(&app, structured(body)).await);
        assert_eq!(log.one().data().order_id, "o-1", "{content_type}");
    }
}

#[tokio::test]
async fn d13_value_takes_the_data_as_is() {
    let data = json!({"a": [1, 2.5, {"b": null}], "c": "x"});
    let seen = values_accepts(structured(event(json!({"data": data.clone()})))).await;
    assert_eq!(seen.data(), &data);
}

#[tokio::test]
async fn d13_bytes_get_the_raw_data() {
    let cases: [(Request<Body>, &[u8]); 3] = [
        // The JSON text of `data`, exactly as sent.
        (
            structured(
                r#"{"specversion":"1.0","id":"A-1","source":"/s","type":"t","data":{"a": 1,  "b":2}}"#,
            ),
            br#"{"a": 1,  "b":2}"#,
        ),
        // A binary body, not UTF-8.
        (
            binary(
                &[("content-type", "application/octet-stream")],
                &[0x00, 0xff, 0x01][..],
            ),
            &[0x00, 0xff, 0x01],
        ),
        // A binary JSON body without Content-Type.
        (binary(&[], r#"{"a": 1}"#), br#"{"a": 1}"#),
    ];
    for (request, expected) in cases {
        let (app, log) = serve(raw::route());
        assert_accepted(&send(&app, request).await);
        assert_eq!(&log.one().data()[..], expected);
    }
}

#[tokio::test]
async fn d13_string_gets_the_text_of_non_json_data() {
    let cases = [
        structured(event(
            json!({"datacontenttype": "text/plain", "data": "h\u{e9}llo \"x\""}),
        )),
        binary(&[("content-type", "text/plain")], "h\u{e9}llo \"x\""),
    ];
    for request in cases {
        let (app, log) = serve(text::route());
        assert_accepted(&send(&app, request).await);
        assert_eq!(log.one().data(), "h\u{e9}llo \"x\"");
    }
}

#[tokio::test]
async fn c11_event_of_64_kib_is_accepted() {
    let payload = "x".repeat(64 * 1024);
    let body = event(json!({"data": {"payload": payload}}));
    assert!(body.len() > 64 * 1024);
    let seen = values_accepts(structured(body)).await;
    assert_eq!(
        seen.data()["payload"].as_str().map(str::len),
        Some(64 * 1024)
    );
}

// ---- Body limits (D9) ---------------------------------------------------------------------

/// A request whose `Content-Length` declares `len` (whatever the body really holds).
fn declaring(len: usize, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    let len = len.to_string();
    post(
        &[("content-type", content_type), ("content-length", &len)],
        body,
    )
}

#[tokio::test]
async fn d9_default_body_limit_is_1_mib() {
    let at_limit = padded(MIB);
    values_accepts(structured(at_limit.clone())).await;
    values_accepts(declaring(MIB, STRUCTURED, at_limit)).await;

    let over = padded(MIB + 1);
    assert_values_rejects(structured(over.clone()), StatusCode::PAYLOAD_TOO_LARGE, "").await;
    let request = declaring(MIB + 1, STRUCTURED, over);
    assert_values_rejects(request, StatusCode::PAYLOAD_TOO_LARGE, "").await;
}

#[tokio::test]
async fn d9_body_limit_attribute_argument() {
    let (app, log) = serve(small::route());
    assert_accepted(&send(&app, structured(padded(256))).await);
    assert_eq!(log.all().len(), 1);

    let (app, log) = serve(small::route());
    let answer = send(&app, structured(padded(257))).await;
    assert_rejected(&answer, StatusCode::PAYLOAD_TOO_LARGE, "256");
    assert!(log.is_empty());
}

#[tokio::test]
async fn d9_body_limit_from_config() {
    let configs = [
        values::config().with_body_limit(300),
        values::config()
            .with_vars("ORDERS", |name| {
                (name == "ORDERS_BODY_LIMIT").then(|| "300".to_owned())
            })
            .unwrap(),
    ];
    for config in configs {
        let (app, log) = serve(values::route_with(config.clone()));
        assert_accepted(&send(&app, structured(padded(300))).await);
        assert_eq!(log.all().len(), 1);

        let (app, log) = serve(values::route_with(config));
        let answer = send(&app, structured(padded(301))).await;
        assert_rejected(&answer, StatusCode::PAYLOAD_TOO_LARGE, "300");
        assert!(log.is_empty());
    }
}

#[tokio::test]
async fn d9_413_is_decided_from_content_length_before_reading() {
    // The body itself is a small valid event: only the declared length can refuse it.
    let body = event(json!({"data": {}}));
    let request = declaring(2 * MIB, STRUCTURED, body.clone());
    assert_values_rejects(request, StatusCode::PAYLOAD_TOO_LARGE, "").await;

    let (app, log) = serve(small::route());
    let answer = send(&app, declaring(257, STRUCTURED, body)).await;
    assert_rejected(&answer, StatusCode::PAYLOAD_TOO_LARGE, "256");
    assert!(log.is_empty());
}

// ---- Check order (D20) --------------------------------------------------------------------

#[tokio::test]
async fn d20_method_is_checked_before_media_type_and_content() {
    let garbage = "x".repeat(2 * MIB);
    for method in [Method::PUT, Method::GET, Method::DELETE] {
        let request = request(method, &[("content-type", "text/plain")], garbage.clone());
        assert_values_rejects(request, StatusCode::METHOD_NOT_ALLOWED, "").await;
    }
}

#[tokio::test]
async fn d20_media_type_is_checked_before_size() {
    let oversized = "x".repeat(2 * MIB);
    let request = post(&[("content-type", "text/plain")], oversized.clone());
    assert_values_rejects(request, StatusCode::UNSUPPORTED_MEDIA_TYPE, "").await;
    let request = declaring(2 * MIB, "text/plain", oversized);
    assert_values_rejects(request, StatusCode::UNSUPPORTED_MEDIA_TYPE, "").await;
}

#[tokio::test]
async fn d20_size_is_checked_before_content() {
    let oversized = "x".repeat(2 * MIB);
    assert_values_rejects(
        structured(oversized.clone()),
        StatusCode::PAYLOAD_TOO_LARGE,
        "",
    )
    .await;
    let request = declaring(2 * MIB, STRUCTURED, oversized);
    assert_values_rejects(request, StatusCode::PAYLOAD_TOO_LARGE, "").await;
    // Within the limit, the same garbage is a content error.
    assert_values_rejects(structured("x".repeat(100)), StatusCode::BAD_REQUEST, "JSON").await;
}

// ---- Handler answers (D6) and extractors --------------------------------------------------

/// A valid event for handlers that ignore their data.
fn any_event() -> Request<Body> {
    structured(event(json!({"data": {}})))
}

#[tokio::test]
async fn d6_unit_return_is_204() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn unit(event: CloudEvent<Value>, State(log): State<Events<Value>>) {
        log.push(event);
    }
    let (app, log) = serve(unit::route());
    let answer = send(&app, any_event()).await;
    assert_accepted(&answer);
    assert_eq!(answer.body, "");
    assert_eq!(log.all().len(), 1);
}

/// W8: a 204 carries no header at all, whether the handler returns nothing or an empty 200
/// that is sent as 204 (D6). RFC 9110 §8.6 forbids `Content-Length` on a 204, and axum would
/// add `Content-Length: 0` to an empty body of exact size.
#[tokio::test]
async fn w8_a_204_has_no_content_length() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn unit(event: CloudEvent<Value>, State(log): State<Events<Value>>) {
        log.push(event);
    }
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn empty_ok(event: CloudEvent<Value>, State(log): State<Events<Value>>) -> StatusCode {
        log.push(event);
        StatusCode::OK
    }
    for route in [unit::route(), empty_ok::route()] {
        let (app, log) = serve(route);
        let answer = send(&app, any_event()).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT);
        assert!(answer.headers.is_empty(), "{:?}", answer.headers);
        assert_eq!(answer.body, "");
        assert_eq!(log.all().len(), 1);
    }
}

#[tokio::test]
async fn d6_d8_unit_return_is_204_after_every_event_of_a_batch() {
    // Written `-> ()`: the macro knows the answer without a response, as with no return type.
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn unit(event: CloudEvent<Value>, State(log): State<Events<Value>>) -> () {
        log.push(event);
    }
    let (app, log) = serve(unit::route());
    let events: Vec<String> = ["A", "B", "C"]
        .iter()
        .map(|id| event(json!({"id": id, "data": {}})))
        .collect();
    let answer = send(&app, batch(&events)).await;
    assert_accepted(&answer);
    assert_eq!(answer.body, "");
    assert!(
        answer
            .headers
            .get("content-length")
            .is_none_or(|v| v == "0")
    );
    assert_eq!(ids(&log.all()), ["A", "B", "C"]);
}

#[tokio::test]
async fn d6_ok_unit_is_204() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn ok_unit(
        event: CloudEvent<Value>,
        State(log): State<Events<Value>>,
    ) -> Result<(), StatusCode> {
        log.push(event);
        Ok(())
    }
    let (app, log) = serve(ok_unit::route());
    let answer = send(&app, any_event()).await;
    assert_accepted(&answer);
    assert_eq!(answer.body, "");
    assert_eq!(log.all().len(), 1);
}

#[tokio::test]
async fn d6_empty_200_is_204() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn empty_ok(_event: CloudEvent<Value>) -> StatusCode {
        StatusCode::OK
    }
    let (app, ()) = serve(empty_ok::route());
    assert_accepted(&send(&app, any_event()).await);
}

#[tokio::test]
async fn d6_handler_body_keeps_200_and_body() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn with_body(event: CloudEvent<Value>) -> (StatusCode, String) {
        (StatusCode::OK, format!("got {}", event.id()))
    }
    let (app, ()) = serve(with_body::route());
    let answer = send(&app, any_event()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "got A-1");
}

#[tokio::test]
async fn d6_err_service_unavailable_is_503() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn unavailable(
        event: CloudEvent<Value>,
        State(log): State<Events<Value>>,
    ) -> Result<(), StatusCode> {
        log.push(event);
        Err(StatusCode::SERVICE_UNAVAILABLE)
    }
    let (app, log) = serve(unavailable::route());
    let answer = send(&app, any_event()).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(log.all().len(), 1);
}

#[tokio::test]
async fn d6_handler_chosen_status_passes_through() {
    for status in [
        StatusCode::BAD_REQUEST,
        StatusCode::GONE,
        StatusCode::UNPROCESSABLE_ENTITY,
        StatusCode::TOO_MANY_REQUESTS,
        StatusCode::ACCEPTED,
        StatusCode::CREATED,
    ] {
        let (app, log) = serve(answering::route());
        let body = event(json!({"data": {"status": status.as_u16()}}));
        let answer = send(&app, structured(body)).await;
        assert_eq!(answer.status, status);
        assert_eq!(log.all().len(), 1);
    }
}

#[tokio::test]
async fn d6_handler_error_body_passes_through() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn refusing(_event: CloudEvent<Value>) -> Result<(), (StatusCode, &'static str)> {
        Err((StatusCode::UNPROCESSABLE_ENTITY, "unknown order"))
    }
    let (app, ()) = serve(refusing::route());
    let answer = send(&app, any_event()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body, "unknown order");
}

#[tokio::test]
async fn extractors_state_and_header_map_beside_the_event() {
    #[webhook(origins = ["*"], schema = cloudevents)]
    async fn with_headers(
        headers: HeaderMap,
        event: CloudEvent<Value>,
        State(log): State<Log<(String, Option<String>)>>,
    ) {
        let delivery = headers
            .get("aeg-delivery-count")
            .map(|v| v.to_str().unwrap().to_owned());
        log.push((event.id().to_owned(), delivery));
    }
    let (app, log) = serve(with_headers::route());
    let headers = [("content-type", STRUCTURED), ("aeg-delivery-count", "3")];
    let request = post(&headers, event(json!({"data": {}})));
    assert_accepted(&send(&app, request).await);
    assert_eq!(log.one(), ("A-1".to_owned(), Some("3".to_owned())));
}

#[tokio::test]
async fn rejections_are_plain_text_one_line_4xx_and_never_call_the_handler() {
    let cases = [
        (structured("{"), StatusCode::BAD_REQUEST),
        (structured("[]"), StatusCode::BAD_REQUEST),
        (structured(event_without("type")), StatusCode::BAD_REQUEST),
        (post(&[], "{}"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            post(&[("content-type", "application/cloudevents+xml")], "<e/>"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (structured(padded(2 * MIB)), StatusCode::PAYLOAD_TOO_LARGE),
        (
            request(Method::GET, &[], Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    for (request, status) in cases {
        assert_values_rejects(request, status, "").await;
    }
}
