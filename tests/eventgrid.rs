//! Azure Event Grid webhooks over HTTP (protocol.md §3, §5, D8–D10, D13, D20, D23): subscription
//! validation (synchronous and manual), deletion, notifications, the `aeg-*` headers, typed data,
//! batches and body limits, check order, and CloudEvents routes that Event Grid delivers to.
//! Driven through `tower::ServiceExt::oneshot` on routes built by `#[webhook]`.

pub mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::routing::MethodRouter;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde::Deserialize;
use serde_json::{Value, json};
use webhook_runtime::eventgrid::{
    DeletionNotice, EVENT_GRID_ORIGINS, EventGridHeaders, ValidationRequest,
};
use webhook_runtime::{CloudEvent, EventGridEvent, webhook};

use common::log::Log;
use common::oneshot::{Answer, send};

const PATH: &str = "/eventgrid";
const MIB: usize = 1024 * 1024;
/// What Event Grid sends as Content-Type (protocol.md §5).
const JSON: &str = "application/json; charset=utf-8";
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
const TOPIC: &str = "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct";

/// The sample validation event of seed 002, byte for byte.
const SAMPLE: &str = r#"[
  {
    "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
    "topic": "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    "subject": "",
    "data": {
      "validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
      "validationUrl": "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A"
    },
    "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
    "eventTime": "2022-10-28T04:23:35.1981776Z",
    "metadataVersion": "1",
    "dataVersion": "1"
  }
]"#;
const SAMPLE_CODE: &str = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6";
const SAMPLE_URL: &str = "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A";
const VALIDATION_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";
const DELETION_TYPE: &str = "Microsoft.EventGrid.SubscriptionDeletedEvent";
const SUBSCRIPTION_ID: &str = "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourceGroups/rg/providers/Microsoft.EventGrid/eventSubscriptions/myeventsub";

// ---------------------------------------------------------------------------------------------
// What handlers and hooks saw
// ---------------------------------------------------------------------------------------------

type Events<T = Value> = Log<EventGridEvent<T>>;

fn ids<T>(events: &[EventGridEvent<T>]) -> Vec<String> {
    events.iter().map(|e| e.id().to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Blob {
    url: String,
    size: u64,
}

#[webhook(schema = eventgrid)]
async fn values(event: EventGridEvent<Value>, State(log): State<Events>) {
    log.push(event);
}

#[webhook(schema = eventgrid, subscriptions = ["quickstart"])]
async fn quickstart(event: EventGridEvent<Value>, State(log): State<Events>) {
    log.push(event);
}

/// Answers the status named by the data's `status` member, 204 without one.
#[webhook(schema = eventgrid)]
async fn answering(event: EventGridEvent<Value>, State(log): State<Events>) -> StatusCode {
    let status = event.data()["status"].as_u64();
    log.push(event);
    status.map_or(StatusCode::NO_CONTENT, |s| {
        StatusCode::from_u16(s as u16).unwrap()
    })
}

#[webhook(schema = eventgrid)]
async fn whole(events: Vec<EventGridEvent<Value>>, State(log): State<Log<Vec<EventGridEvent>>>) {
    log.push(events);
}

#[webhook(schema = eventgrid, body_limit = 1024)]
async fn small(event: EventGridEvent<Value>, State(log): State<Events>) {
    log.push(event);
}

#[webhook(schema = cloudevents, origins = EVENT_GRID_ORIGINS)]
async fn grid_cloudevents(event: CloudEvent<Value>, State(log): State<Log<String>>) {
    log.push(event.id().to_owned());
}

#[webhook(schema = cloudevents, origins = ["eventemitter.example.com"])]
async fn other_cloudevents(event: CloudEvent<Value>, State(log): State<Log<String>>) {
    log.push(event.id().to_owned());
}

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

/// The router serving `route` at [`PATH`], and the state the handler records into.
fn serve<S: Clone + Default + Send + Sync + 'static>(route: MethodRouter<S>) -> (Router, S) {
    let state = S::default();
    (
        Router::new().route(PATH, route).with_state(state.clone()),
        state,
    )
}

impl Answer {
    /// A refusal by the runtime: `status`, plain text, one line that contains `needle`, and
    /// never a validation response.
    #[track_caller]
    fn assert_rejected(&self, status: StatusCode, needle: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert!(status.is_client_error());
        assert_eq!(self.header("content-type"), Some(TEXT_PLAIN));
        let line = self
            .body
            .strip_suffix('\n')
            .unwrap_or_else(|| panic!("the reason should end with a newline: {:?}", self.body));
        assert!(!line.is_empty(), "the reason should not be empty");
        assert!(!line.contains('\n'), "one line expected: {:?}", self.body);
        assert!(
            line.contains(needle),
            "{:?} should contain {needle:?}",
            self.body
        );
        assert!(!self.body.contains("validationResponse"), "{}", self.body);
    }

    /// The synchronous validation answer (protocol.md §3), byte for byte.
    #[track_caller]
    fn assert_validated(&self, code: &str) {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(self.headers.get_all("content-type").iter().count(), 1);
        assert_eq!(self.body, format!(r#"{{"validationResponse":"{code}"}}"#));
        assert_eq!(
            self.header("content-length"),
            Some(self.body.len().to_string().as_str())
        );
    }

    /// A delivery the handler accepted with `()` (204, D6).
    #[track_caller]
    fn assert_delivered(&self) {
        assert_eq!(self.status, StatusCode::NO_CONTENT, "body: {}", self.body);
        assert_eq!(self.body, "");
    }
}

/// A request with `headers` in order.
fn request(method: Method, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(PATH);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

/// An Event Grid POST: JSON Content-Type, then `aeg-event-type` and `aeg-subscription-name`
/// when given.
fn grid(kind: Option<&str>, subscription: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut headers = vec![("content-type", JSON)];
    headers.extend(kind.map(|k| ("aeg-event-type", k)));
    headers.extend(subscription.map(|s| ("aeg-subscription-name", s)));
    request(Method::POST, &headers, body)
}

fn notification(body: impl Into<Body>) -> Request<Body> {
    grid(Some("Notification"), None, body)
}

fn validation(subscription: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    grid(Some("SubscriptionValidation"), subscription, body)
}

fn deletion(subscription: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    grid(Some("SubscriptionDeletion"), subscription, body)
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

/// A complete Event Grid event (every field of protocol.md §5).
fn grid_event(id: &str, data: Value) -> Value {
    json!({
        "id": id,
        "topic": TOPIC,
        "subject": "/blobServices/default/containers/c/blobs/a.txt",
        "eventType": "Microsoft.Storage.BlobCreated",
        "eventTime": "2024-01-01T00:00:00Z",
        "data": data,
        "dataVersion": "1",
        "metadataVersion": "1",
    })
}

/// [`grid_event`] with `fields` overriding and extending it.
fn grid_event_with(id: &str, fields: Value) -> Value {
    let mut event = grid_event(id, json!({}));
    let map = event.as_object_mut().unwrap();
    map.extend(fields.as_object().unwrap().clone());
    event
}

/// A validation event whose data is `data`.
fn validation_event(data: Value) -> Value {
    grid_event_with(
        "v-1",
        json!({ "subject": "", "eventType": VALIDATION_TYPE, "data": data }),
    )
}

fn deletion_event() -> Value {
    grid_event_with(
        "d-1",
        json!({
            "subject": "",
            "eventType": DELETION_TYPE,
            "data": { "eventSubscriptionId": SUBSCRIPTION_ID },
        }),
    )
}

fn array(events: &[Value]) -> String {
    Value::Array(events.to_vec()).to_string()
}

/// `count` plain events `e-00000`, `e-00001`, … (short topic) with `pad` bytes of filler in
/// their data.
fn numbered(count: usize, pad: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let data = json!({ "seq": i, "pad": "y".repeat(pad) });
            grid_event_with(&format!("e-{i:05}"), json!({ "topic": "/t", "data": data }))
        })
        .collect()
}

fn numbered_ids(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("e-{i:05}")).collect()
}

/// A JSON array padded with whitespace before its `]` to exactly `total` bytes.
fn pad_to(array: String, total: usize) -> String {
    let body = array.strip_suffix(']').expect("a JSON array");
    assert!(body.len() < total, "{} bytes already", array.len());
    let padded = format!("{body}{}]", " ".repeat(total - body.len() - 1));
    assert_eq!(padded.len(), total);
    padded
}

/// An array of exactly `total` bytes: Event Grid's largest event (1 MB of data) followed by as
/// many ~150-byte events as fit. Returns the body and its number of events.
fn sized_array(total: usize) -> (String, usize) {
    let mut events = vec![grid_event("big", json!({ "pad": "x".repeat(1_000_000) }))];
    let mut len = array(&events).len();
    loop {
        let next = grid_event(
            &format!("e-{:05}", events.len()),
            json!({ "pad": "y".repeat(150) }),
        );
        let next_len = next.to_string().len() + 1;
        if len + next_len >= total {
            break;
        }
        len += next_len;
        events.push(next);
    }
    (pad_to(array(&events), total), events.len())
}

// ---------------------------------------------------------------------------------------------
// Subscription validation (protocol.md §3)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn validation_seed_sample_is_answered_byte_exact() {
    let (app, log): (_, Events) = serve(values::route());
    let answer = send(&app, validation(Some("MYEVENTSUB"), SAMPLE)).await;
    answer.assert_validated(SAMPLE_CODE);
    assert_eq!(
        answer.body,
        r#"{"validationResponse":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}"#
    );
    log.assert_empty();
}

#[tokio::test]
async fn d23_validation_event_without_header_is_a_notification_and_400() {
    let (app, log): (_, Events) = serve(values::route());
    for kind in [None, Some("Notification")] {
        let answer = send(&app, grid(kind, None, SAMPLE)).await;
        answer.assert_rejected(StatusCode::BAD_REQUEST, "event 0:");
        assert!(!answer.body.contains(SAMPLE_CODE), "{}", answer.body);
    }
    log.assert_empty();
}

#[tokio::test]
async fn validation_header_with_a_non_validation_event_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    let body = array(&[grid_event("e-1", json!({ "validationCode": "abc" }))]);
    send(&app, validation(None, body))
        .await
        .assert_rejected(StatusCode::BAD_REQUEST, VALIDATION_TYPE);
    log.assert_empty();
}

/// The validation event's other fields are not kept, but they are still checked as a
/// notification's are: a field of the wrong JSON type is 400, and the code is not echoed.
#[tokio::test]
async fn validation_event_with_a_field_of_the_wrong_type_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    for (field, value) in [
        ("id", json!(5)),
        ("topic", json!(["t"])),
        ("subject", json!({})),
        ("eventTime", json!(true)),
        ("dataVersion", json!(1)),
        ("metadataVersion", json!(1)),
        ("eventType", json!(7)),
    ] {
        let mut event = validation_event(json!({ "validationCode": "abc" }));
        event[field] = value;
        let answer = send(&app, validation(None, array(&[event]))).await;
        answer.assert_rejected(StatusCode::BAD_REQUEST, "");
        assert!(!answer.body.contains("abc"), "{field}: {}", answer.body);
    }
    log.assert_empty();
}

/// An escaped `eventType` (`\u002E` for `.`) is the same type: the validation is answered.
#[tokio::test]
async fn validation_event_type_with_escapes_is_answered() {
    let (app, log): (_, Events) = serve(values::route());
    let event = validation_event(json!({ "validationCode": "abc" })).to_string();
    let escaped = event.replace(VALIDATION_TYPE, &VALIDATION_TYPE.replace('.', "\\u002E"));
    assert_ne!(event, escaped);
    send(&app, validation(None, format!("[{escaped}]")))
        .await
        .assert_validated("abc");
    log.assert_empty();
}

#[tokio::test]
async fn validation_header_with_two_events_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    let event = validation_event(json!({ "validationCode": "abc" }));
    for body in [
        array(&[event.clone(), event.clone()]),
        array(&[event.clone(), grid_event("e-1", json!({}))]),
    ] {
        let answer = send(&app, validation(None, body)).await;
        answer.assert_rejected(StatusCode::BAD_REQUEST, "exactly one event");
        assert!(!answer.body.contains("abc"), "{}", answer.body);
    }
    log.assert_empty();
}

#[tokio::test]
async fn validation_header_with_an_empty_array_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    send(&app, validation(None, "[]"))
        .await
        .assert_rejected(StatusCode::BAD_REQUEST, "exactly one event");
    log.assert_empty();
}

#[tokio::test]
async fn validation_data_without_validation_code_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    for data in [
        json!({ "validationUrl": SAMPLE_URL }),
        json!({}),
        json!({ "validationCode": 42 }),
        json!(null),
    ] {
        let body = array(&[validation_event(data)]);
        send(&app, validation(None, body))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "validation");
    }
    let mut no_data = validation_event(json!({}));
    no_data.as_object_mut().unwrap().remove("data");
    send(&app, validation(None, array(&[no_data])))
        .await
        .assert_rejected(StatusCode::BAD_REQUEST, "data");
    log.assert_empty();
}

// ---------------------------------------------------------------------------------------------
// Expected subscriptions (aeg-subscription-name)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn subscriptions_match_the_upper_cased_name_event_grid_sends() {
    let (app, log): (_, Events) = serve(quickstart::route());
    send(&app, validation(Some("QUICKSTART"), SAMPLE))
        .await
        .assert_validated(SAMPLE_CODE);
    log.assert_empty();
    let delivery = grid(
        Some("Notification"),
        Some("QUICKSTART"),
        array(&[grid_event("e-1", json!({}))]),
    );
    send(&app, delivery).await.assert_delivered();
    assert_eq!(ids(&log.all()), ["e-1"]);
}

#[tokio::test]
async fn subscriptions_refuse_other_or_missing_names_with_403() {
    let (app, log): (_, Events) = serve(quickstart::route());
    let events = array(&[grid_event("e-1", json!({}))]);
    for name in [
        Some("ORDERS"),
        Some("QUICKSTART-2"),
        Some("QUICK"),
        Some(""),
        None,
    ] {
        let answer = send(&app, validation(name, SAMPLE)).await;
        answer.assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
        assert!(!answer.body.contains(SAMPLE_CODE), "{}", answer.body);
        send(&app, grid(Some("Notification"), name, events.clone()))
            .await
            .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
        send(&app, grid(None, name, events.clone()))
            .await
            .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
    }
    log.assert_empty();
}

#[tokio::test]
async fn without_subscriptions_any_name_is_accepted() {
    let (app, log): (_, Events) = serve(values::route());
    for (i, name) in [Some("ANY-SUBSCRIPTION"), Some("QUICKSTART"), None]
        .into_iter()
        .enumerate()
    {
        send(&app, validation(name, SAMPLE))
            .await
            .assert_validated(SAMPLE_CODE);
        let events = array(&[grid_event(&format!("e-{i}"), json!({}))]);
        send(&app, grid(Some("Notification"), name, events))
            .await
            .assert_delivered();
    }
    assert_eq!(ids(&log.all()), ["e-0", "e-1", "e-2"]);
}

#[tokio::test]
async fn d10_subscriptions_from_vars_replace_the_attribute_list() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let config = quickstart::config()
        .with_vars("GRID", vars(&[("GRID_SUBSCRIPTIONS", "orders-2, billing")]))
        .unwrap();
    let (app, log): (_, Events) = serve(quickstart::route_with(config));
    for name in ["ORDERS-2", "billing"] {
        send(&app, validation(Some(name), SAMPLE))
            .await
            .assert_validated(SAMPLE_CODE);
    }
    send(&app, validation(Some("QUICKSTART"), SAMPLE))
        .await
        .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
    let events = array(&[grid_event("e-1", json!({}))]);
    send(&app, grid(None, Some("BILLING"), events.clone()))
        .await
        .assert_delivered();
    send(&app, grid(None, Some("QUICKSTART"), events))
        .await
        .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
    assert_eq!(ids(&log.all()), ["e-1"]);

    // Without the variable the attribute's list stands.
    let untouched = quickstart::config().with_vars("GRID", vars(&[])).unwrap();
    let (app, _): (_, Events) = serve(quickstart::route_with(untouched));
    send(&app, validation(Some("QUICKSTART"), SAMPLE))
        .await
        .assert_validated(SAMPLE_CODE);
    send(&app, validation(Some("ORDERS-2"), SAMPLE))
        .await
        .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");

    // A value that is no subscription name is refused, naming the variable.
    let error = quickstart::config()
        .with_vars("GRID", vars(&[("GRID_SUBSCRIPTIONS", "bad name!")]))
        .unwrap_err();
    assert_eq!(error.variable(), "GRID_SUBSCRIPTIONS");
}

// ---------------------------------------------------------------------------------------------
// Manual validation and deletion
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn manual_validation_answers_200_empty_and_hands_over_the_url() {
    let hook: Log<(Option<String>, ValidationRequest)> = Log::default();
    let deletions: Log<DeletionNotice> = Log::default();
    let config = quickstart::config()
        .on_manual_validation({
            let hook = hook.clone();
            move |m| hook.push((m.subscription_name.map(str::to_owned), m.request.clone()))
        })
        .on_deletion({
            let deletions = deletions.clone();
            move |notice, _| deletions.push(notice.clone())
        });
    let (app, log): (_, Events) = serve(quickstart::route_with(config));

    let answer = send(&app, validation(Some("QUICKSTART"), SAMPLE)).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "not 202, not 204: {}",
        answer.body
    );
    assert_eq!(answer.body, "");
    assert_eq!(
        hook.all(),
        [(
            Some("QUICKSTART".to_owned()),
            ValidationRequest {
                validation_code: SAMPLE_CODE.to_owned(),
                validation_url: Some(SAMPLE_URL.to_owned()),
            },
        )]
    );

    // An unexpected subscription is refused before the hook hears of it.
    send(&app, validation(Some("INTRUDER"), SAMPLE))
        .await
        .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
    assert_eq!(hook.len(), 1);
    log.assert_empty();
    deletions.assert_empty();
}

#[tokio::test]
async fn d23_deletion_is_answered_200_and_given_to_the_hook() {
    let hook: Log<(DeletionNotice, Option<String>)> = Log::default();
    let config = values::config().on_deletion({
        let hook = hook.clone();
        move |notice, name| hook.push((notice.clone(), name.map(str::to_owned)))
    });
    let (app, log): (_, Events) = serve(values::route_with(config));
    let answer = send(
        &app,
        deletion(Some("MYEVENTSUB"), array(&[deletion_event()])),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body, "");
    assert_eq!(
        hook.all(),
        [(
            DeletionNotice {
                event_subscription_id: Some(SUBSCRIPTION_ID.to_owned()),
            },
            Some("MYEVENTSUB".to_owned()),
        )]
    );
    log.assert_empty();

    // Acknowledged without a hook too.
    let (app, log): (_, Events) = serve(values::route());
    let answer = send(&app, deletion(None, array(&[deletion_event()]))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    log.assert_empty();
}

#[tokio::test]
async fn d23_deletion_header_with_another_event_is_400() {
    let hook: Log<DeletionNotice> = Log::default();
    let config = values::config().on_deletion({
        let hook = hook.clone();
        move |notice, _| hook.push(notice.clone())
    });
    let (app, log): (_, Events) = serve(values::route_with(config));
    for body in [
        array(&[grid_event("e-1", json!({}))]),
        array(&[deletion_event(), deletion_event()]),
        "[]".to_owned(),
    ] {
        send(&app, deletion(None, body))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "SubscriptionDeletion");
    }
    hook.assert_empty();
    log.assert_empty();
}

#[tokio::test]
async fn d23_deletion_event_inside_a_notification_is_400() {
    let hook: Log<DeletionNotice> = Log::default();
    let config = values::config().on_deletion({
        let hook = hook.clone();
        move |notice, _| hook.push(notice.clone())
    });
    let (app, log): (_, Events) = serve(values::route_with(config));
    let body = array(&[grid_event("e-0", json!({})), deletion_event()]);
    for kind in [Some("Notification"), None] {
        send(&app, grid(kind, None, body.clone()))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "event 1:");
    }
    hook.assert_empty();
    log.assert_empty();
}

// ---------------------------------------------------------------------------------------------
// Notifications (protocol.md §5)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d23_notification_with_or_without_aeg_event_type_delivers() {
    let (app, log): (_, Events) = serve(values::route());
    send(&app, notification(array(&numbered(2, 10))))
        .await
        .assert_delivered();
    send(
        &app,
        grid(None, None, array(&[grid_event("x-1", json!({}))])),
    )
    .await
    .assert_delivered();
    assert_eq!(ids(&log.all()), ["e-00000", "e-00001", "x-1"]);
}

#[tokio::test]
async fn d8_per_event_handler_runs_in_order_and_the_first_failure_answers() {
    let (app, log): (_, Events) = serve(answering::route());
    let body = array(&[
        grid_event("e-0", json!({})),
        grid_event("e-1", json!({ "status": 503 })),
        grid_event("e-2", json!({})),
    ]);
    let answer = send(&app, notification(body)).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ids(&log.all()), ["e-0", "e-1"], "e-2 must not run");

    let (app, log): (_, Events) = serve(answering::route());
    let body = array(&[
        grid_event("e-0", json!({})),
        grid_event("e-1", json!({ "status": 202 })),
        grid_event("e-2", json!({})),
    ]);
    send(&app, notification(body)).await.assert_delivered();
    assert_eq!(ids(&log.all()), ["e-0", "e-1", "e-2"]);
}

#[tokio::test]
async fn d8_whole_array_handler_is_called_once() {
    let (app, log): (_, Log<Vec<EventGridEvent>>) = serve(whole::route());
    send(&app, notification(array(&numbered(3, 10))))
        .await
        .assert_delivered();
    let calls = log.all();
    assert_eq!(calls.len(), 1);
    assert_eq!(ids(&calls[0]), numbered_ids(3));
    assert_eq!(calls[0][2].data()["seq"], 2);
}

#[tokio::test]
async fn every_event_field_is_exposed() {
    let (app, log): (_, Events) = serve(values::route());
    let full = json!({
        "id": "9c4a8f2e",
        "topic": TOPIC,
        "subject": "/blobServices/default/containers/c/blobs/a.txt",
        "eventType": "Microsoft.Storage.BlobCreated",
        "eventTime": "2024-02-29T23:59:59.5+02:00",
        "data": { "url": "https://acct.blob.core.windows.net/c/a.txt" },
        "dataVersion": "",
        "metadataVersion": "1",
    });
    let mut minimal = full.clone();
    let map = minimal.as_object_mut().unwrap();
    map.remove("topic");
    map.remove("metadataVersion");
    map.insert("id".into(), json!("minimal"));
    map.insert("eventTime".into(), json!("2022-10-28T04:23:35.1981776Z"));
    send(&app, notification(array(&[full, minimal])))
        .await
        .assert_delivered();

    let events = log.all();
    assert_eq!(events.len(), 2);
    let event = &events[0];
    assert_eq!(event.id(), "9c4a8f2e");
    assert_eq!(event.topic(), Some(TOPIC));
    assert_eq!(
        event.subject(),
        "/blobServices/default/containers/c/blobs/a.txt"
    );
    assert_eq!(event.event_type(), "Microsoft.Storage.BlobCreated");
    let time = event.event_time();
    assert_eq!(time.unix_timestamp(), 1_709_243_999);
    assert_eq!(time.nanosecond(), 500_000_000);
    assert_eq!(time.offset().whole_hours(), 2);
    assert_eq!(event.data_version(), "");
    assert_eq!(event.metadata_version(), Some("1"));
    assert_eq!(
        event.data(),
        &json!({ "url": "https://acct.blob.core.windows.net/c/a.txt" })
    );

    let event = &events[1];
    assert_eq!(event.id(), "minimal");
    assert_eq!(event.topic(), None);
    assert_eq!(event.metadata_version(), None);
    let time = event.event_time();
    assert_eq!(time.unix_timestamp(), 1_666_931_015);
    assert_eq!(time.nanosecond(), 198_177_600);
    assert!(time.offset().is_utc());
}

#[tokio::test]
async fn d23_empty_subject_is_accepted() {
    let (app, log): (_, Events) = serve(values::route());
    let event = grid_event_with("e-1", json!({ "subject": "" }));
    send(&app, notification(array(&[event])))
        .await
        .assert_delivered();
    let events = log.all();
    assert_eq!(ids(&events), ["e-1"]);
    assert_eq!(events[0].subject(), "");
}

#[tokio::test]
async fn d8_missing_required_field_is_400_naming_field_and_index() {
    let (app, log): (_, Events) = serve(values::route());
    for field in [
        "id",
        "subject",
        "eventType",
        "eventTime",
        "data",
        "dataVersion",
    ] {
        let mut events = numbered(3, 10);
        events[2].as_object_mut().unwrap().remove(field);
        let answer = send(&app, notification(array(&events))).await;
        answer.assert_rejected(StatusCode::BAD_REQUEST, &format!("`{field}`"));
        assert!(
            answer.body.starts_with("event 2:"),
            "{field}: {}",
            answer.body
        );
    }
    log.assert_empty();
}

#[tokio::test]
async fn bad_event_time_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    for time in [
        "yesterday",
        "2024-02-30T00:00:00Z",
        "2024-01-01 00:00:00",
        "2024-01-01T00:00:00",
        "",
    ] {
        let events = [grid_event_with("e-0", json!({ "eventTime": time }))];
        let answer = send(&app, notification(array(&events))).await;
        answer.assert_rejected(StatusCode::BAD_REQUEST, "event 0:");
        assert!(
            answer.body.contains("eventTime"),
            "{time:?}: {}",
            answer.body
        );
    }
    let events = [grid_event_with(
        "e-0",
        json!({ "eventTime": 1_704_067_200 }),
    )];
    send(&app, notification(array(&events)))
        .await
        .assert_rejected(StatusCode::BAD_REQUEST, "event 0:");
    log.assert_empty();
}

#[tokio::test]
async fn malformed_json_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    let good = grid_event("e-0", json!({ "a": [1, { "b": true }] })).to_string();
    let cut = &good[..good.len() / 2];
    for body in [
        String::new(),
        "[".to_owned(),
        "[{".to_owned(),
        format!("[{good},"),
        format!("[{cut}"),
        format!("[{good},]"),
        format!("[{}]", good.replace(r#""id":"e-0","#, r#""id":"e-0",,"#)),
        format!("[{}]", good.replace("[1,", "[1,,")),
        format!("[{}]", good.replace("true", "tru")),
        format!("[{}]", good.replace("}]", "]]")),
        format!("[{good}] trailing"),
        format!("[{good}][]"),
    ] {
        send(&app, notification(body.clone()))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "");
    }
    log.assert_empty();
}

#[tokio::test]
async fn body_that_is_not_an_array_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    for body in [
        grid_event("e-0", json!({})).to_string(),
        "{}".to_owned(),
        "null".to_owned(),
        "\"[]\"".to_owned(),
        "42".to_owned(),
    ] {
        send(&app, notification(body))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "array");
    }
    // An array of something other than events.
    send(&app, notification("[1, 2]"))
        .await
        .assert_rejected(StatusCode::BAD_REQUEST, "event 0:");
    log.assert_empty();
}

#[tokio::test]
async fn unknown_aeg_event_type_is_400() {
    let (app, log): (_, Events) = serve(values::route());
    for kind in [
        "Notifications",
        "SubscriptionValidationEvent",
        "Validation",
        "Deletion",
        "",
    ] {
        let body = array(&[grid_event("e-0", json!({}))]);
        send(&app, grid(Some(kind), None, body))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "aeg-event-type");
    }
    log.assert_empty();
}

#[tokio::test]
async fn delivery_extractor_receives_the_aeg_headers() {
    #[webhook(schema = eventgrid)]
    async fn with_delivery(
        event: EventGridEvent<Value>,
        delivery: EventGridHeaders,
        State(log): State<Log<(String, EventGridHeaders)>>,
    ) {
        log.push((event.id().to_owned(), delivery));
    }

    let (app, log): (_, Log<(String, EventGridHeaders)>) = serve(with_delivery::route());
    let headers = [
        ("content-type", JSON),
        ("aeg-event-type", "Notification"),
        ("aeg-subscription-name", "QUICKSTART"),
        ("aeg-delivery-count", "3"),
        ("aeg-metadata-version", "1"),
        ("aeg-data-version", "2.0"),
        (
            "aeg-output-event-id",
            "6f3a1c2e-0000-4000-8000-000000000001",
        ),
    ];
    let body = array(&numbered(2, 10));
    send(&app, request(Method::POST, &headers, body))
        .await
        .assert_delivered();
    let calls = log.all();
    assert_eq!(
        calls.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["e-00000", "e-00001"]
    );
    for (_, delivery) in &calls {
        assert_eq!(delivery.event_type.as_deref(), Some("Notification"));
        assert_eq!(delivery.subscription_name.as_deref(), Some("QUICKSTART"));
        assert_eq!(delivery.delivery_count, Some(3));
        assert_eq!(delivery.metadata_version.as_deref(), Some("1"));
        assert_eq!(delivery.data_version.as_deref(), Some("2.0"));
        assert_eq!(
            delivery.output_event_id.as_deref(),
            Some("6f3a1c2e-0000-4000-8000-000000000001")
        );
    }

    // Without the headers every field is absent.
    let (app, log): (_, Log<(String, EventGridHeaders)>) = serve(with_delivery::route());
    send(&app, grid(None, None, array(&numbered(1, 10))))
        .await
        .assert_delivered();
    assert_eq!(log.all()[0].1, EventGridHeaders::default());
}

// ---------------------------------------------------------------------------------------------
// Typed data (D13)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d13_option_data_is_none_for_null() {
    #[webhook(schema = eventgrid)]
    async fn maybe(event: EventGridEvent<Option<Blob>>, State(log): State<Events<Option<Blob>>>) {
        log.push(event);
    }

    let (app, log): (_, Events<Option<Blob>>) = serve(maybe::route());
    let body = array(&[
        grid_event("e-0", json!(null)),
        grid_event("e-1", json!({ "url": "https://a/b", "size": 7 })),
    ]);
    send(&app, notification(body)).await.assert_delivered();
    let data: Vec<_> = log
        .all()
        .into_iter()
        .map(EventGridEvent::into_data)
        .collect();
    assert_eq!(
        data,
        [
            None,
            Some(Blob {
                url: "https://a/b".into(),
                size: 7
            })
        ]
    );
}

#[tokio::test]
async fn d13_value_data_is_given_as_is() {
    let (app, log): (_, Events) = serve(values::route());
    let data = [
        json!({ "nested": { "list": [1, "two", null, 3.5] } }),
        json!([1, 2, 3]),
        json!("text"),
        json!(7),
        json!(false),
        json!(null),
    ];
    let events: Vec<_> = data
        .iter()
        .enumerate()
        .map(|(i, d)| grid_event(&format!("e-{i}"), d.clone()))
        .collect();
    send(&app, notification(array(&events)))
        .await
        .assert_delivered();
    let seen: Vec<_> = log
        .all()
        .into_iter()
        .map(EventGridEvent::into_data)
        .collect();
    assert_eq!(seen, data);
}

#[tokio::test]
async fn d13_bytes_data_is_the_raw_json_text() {
    #[webhook(schema = eventgrid)]
    async fn raw(event: EventGridEvent<Bytes>, State(log): State<Events<Bytes>>) {
        log.push(event);
    }

    let (app, log): (_, Events<Bytes>) = serve(raw::route());
    let texts = [
        r#"{ "a" : [1, 2],  "b":"x\u00e9" }"#,
        r#""hello""#,
        "42",
        "null",
    ];
    let events: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let placeholder = grid_event(&format!("e-{i}"), json!("@DATA@")).to_string();
            placeholder.replace(r#""@DATA@""#, text)
        })
        .collect();
    let body = format!("[{}]", events.join(","));
    send(&app, notification(body)).await.assert_delivered();
    let seen: Vec<_> = log
        .all()
        .into_iter()
        .map(EventGridEvent::into_data)
        .collect();
    assert_eq!(
        seen,
        texts.map(|t| Bytes::from_static(t.as_bytes())).to_vec()
    );
}

#[tokio::test]
async fn d8_typed_data_mismatch_is_400() {
    #[webhook(schema = eventgrid)]
    async fn blobs(event: EventGridEvent<Blob>, State(log): State<Events<Blob>>) {
        log.push(event);
    }

    let (app, log): (_, Events<Blob>) = serve(blobs::route());
    let good = grid_event("e-0", json!({ "url": "https://a/b", "size": 7 }));
    for bad in [
        json!({ "url": 5, "size": 7 }),
        json!({ "url": "https://a/b" }),
        json!("not an object"),
        json!(null),
    ] {
        let body = array(&[good.clone(), grid_event("e-1", bad)]);
        send(&app, notification(body))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, "event 1:");
    }
    log.assert_empty();
    send(&app, notification(array(&[good])))
        .await
        .assert_delivered();
    assert_eq!(log.all()[0].data().size, 7);
}

// ---------------------------------------------------------------------------------------------
// Batches and body limits (D8, D9, D20)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d8_batches_of_1_100_and_5000_are_delivered_in_order() {
    for count in [1, 100, 5000] {
        let (app, log): (_, Events) = serve(values::route());
        let body = array(&numbered(count, 10));
        if count == 5000 {
            assert!(
                (MIB * 9 / 10..MIB * 3 / 2).contains(&body.len()),
                "about 1 MiB: {}",
                body.len()
            );
        }
        send(&app, notification(body)).await.assert_delivered();
        let events = log.all();
        assert_eq!(ids(&events), numbered_ids(count));
        assert_eq!(events[count - 1].data()["seq"], count - 1);
    }
}

#[tokio::test]
async fn d9_default_limit_accepts_1_9_mib_and_exactly_2_mib() {
    for total in [MIB * 19 / 10, 2 * MIB] {
        let (app, log): (_, Events) = serve(values::route());
        let (body, count) = sized_array(total);
        send(&app, notification(body)).await.assert_delivered();
        let events = log.all();
        assert_eq!(events.len(), count);
        assert_eq!(events[0].id(), "big");
        assert_eq!(events[0].data()["pad"].as_str().unwrap().len(), 1_000_000);
    }
}

#[tokio::test]
async fn d9_over_2_mib_is_413() {
    let (app, log): (_, Events) = serve(values::route());
    let (body, _) = sized_array(2 * MIB + 1);
    // Streamed without a declared length, and declared.
    send(&app, notification(body.clone()))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "2097152");
    let length = body.len().to_string();
    let headers = [("content-type", JSON), ("content-length", length.as_str())];
    send(&app, request(Method::POST, &headers, body))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "2097152");
    log.assert_empty();
}

#[tokio::test]
async fn d9_body_limit_attribute_and_config_change_the_limit() {
    let one = array(&[grid_event("e-0", json!({}))]);
    let (app, log): (_, Events) = serve(small::route());
    send(&app, notification(pad_to(one.clone(), 1024)))
        .await
        .assert_delivered();
    send(&app, notification(pad_to(one.clone(), 1025)))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "1024");
    assert_eq!(log.len(), 1);

    // Raised at run time above the default…
    let (app, log): (_, Events) = serve(values::route_with(
        values::config().with_body_limit(3 * MIB),
    ));
    let (body, count) = sized_array(2 * MIB + 1);
    send(&app, notification(body)).await.assert_delivered();
    assert_eq!(log.len(), count);
    let (body, _) = sized_array(3 * MIB + 1);
    send(&app, notification(body))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "3145728");

    // …and lowered, also overriding the attribute.
    let (app, log): (_, Events) = serve(small::route_with(small::config().with_body_limit(512)));
    send(&app, notification(pad_to(one.clone(), 512)))
        .await
        .assert_delivered();
    send(&app, notification(pad_to(one, 513)))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "512");
    assert_eq!(log.len(), 1);
}

/// A small, valid one-event body that records whether it was read.
fn probe_body(polled: &Arc<AtomicBool>) -> Body {
    let polled = Arc::clone(polled);
    let body = Full::new(Bytes::from(array(&[grid_event("e-0", json!({}))])));
    Body::new(body.map_frame(move |frame| {
        polled.store(true, Ordering::SeqCst);
        frame
    }))
}

#[tokio::test]
async fn d20_413_is_decided_from_content_length_before_reading() {
    let (app, log): (_, Events) = serve(values::route());
    let polled = Arc::new(AtomicBool::new(false));
    let length = (2 * MIB + 1).to_string();
    let headers = [("content-type", JSON), ("content-length", length.as_str())];
    send(&app, request(Method::POST, &headers, probe_body(&polled)))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "2097152");
    assert!(!polled.load(Ordering::SeqCst), "the body must not be read");
    log.assert_empty();

    // The probe works: the same body without the declared length is read and delivered.
    send(&app, notification(probe_body(&polled)))
        .await
        .assert_delivered();
    assert!(polled.load(Ordering::SeqCst));
    assert_eq!(ids(&log.all()), ["e-0"]);
}

// ---------------------------------------------------------------------------------------------
// Methods, media type and check order (D20, D23)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d23_options_get_and_put_on_an_eventgrid_route_are_405() {
    let (app, log): (_, Events) = serve(values::route());
    let handshake = [("webhook-request-origin", "eventgrid.azure.net")];
    for (method, headers) in [
        (Method::OPTIONS, &handshake[..]),
        (Method::OPTIONS, &[][..]),
        (Method::GET, &[][..]),
        (Method::PUT, &[("content-type", JSON)][..]),
    ] {
        let answer = send(&app, request(method.clone(), headers, SAMPLE)).await;
        answer.assert_rejected(StatusCode::METHOD_NOT_ALLOWED, "POST");
        assert_eq!(answer.header("allow"), Some("POST"), "{method}");
        assert_eq!(answer.header("webhook-allowed-origin"), None);
        assert!(!answer.body.contains(SAMPLE_CODE));
    }
    log.assert_empty();
}

#[tokio::test]
async fn d20_non_json_content_type_is_415() {
    let (app, log): (_, Events) = serve(values::route());
    for content_type in [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/xml",
        "application/x-www-form-urlencoded",
    ] {
        let headers = [
            ("content-type", content_type),
            ("aeg-event-type", "SubscriptionValidation"),
        ];
        send(&app, request(Method::POST, &headers, SAMPLE))
            .await
            .assert_rejected(StatusCode::UNSUPPORTED_MEDIA_TYPE, "application/json");
    }
    log.assert_empty();
}

#[tokio::test]
async fn d20_missing_or_any_json_content_type_is_accepted() {
    let (app, log): (_, Events) = serve(values::route());
    let body = || array(&[grid_event("e-0", json!({}))]);
    send(&app, request(Method::POST, &[], body()))
        .await
        .assert_delivered();
    for content_type in ["application/json", "APPLICATION/JSON", JSON] {
        send(
            &app,
            request(Method::POST, &[("content-type", content_type)], body()),
        )
        .await
        .assert_delivered();
    }
    assert_eq!(log.len(), 4);
    let headers = [("aeg-event-type", "SubscriptionValidation")];
    send(&app, request(Method::POST, &headers, SAMPLE))
        .await
        .assert_validated(SAMPLE_CODE);
}

#[tokio::test]
async fn d20_checks_run_in_order() {
    let (app, log): (_, Events) = serve(quickstart::route_with(
        quickstart::config().with_body_limit(64),
    ));
    // Malformed JSON and over the 64-byte limit.
    let big = "[".to_owned() + &" ".repeat(100);
    // Each step fixes the problem that answered the step before.
    let steps = [
        (
            Method::GET,
            "INTRUDER",
            "text/plain",
            big.as_str(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::POST,
            "INTRUDER",
            "text/plain",
            &big,
            StatusCode::FORBIDDEN,
        ),
        (
            Method::POST,
            "QUICKSTART",
            "text/plain",
            &big,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Method::POST,
            "QUICKSTART",
            JSON,
            &big,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Method::POST,
            "QUICKSTART",
            JSON,
            "[",
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (method, subscription, content_type, body, status) in steps {
        let length = body.len().to_string();
        let headers = [
            ("aeg-subscription-name", subscription),
            ("content-type", content_type),
            ("content-length", &length),
        ];
        send(&app, request(method, &headers, body.to_owned()))
            .await
            .assert_rejected(status, "");
    }
    log.assert_empty();
}

// ---------------------------------------------------------------------------------------------
// CloudEvents routes that Event Grid delivers to (protocol.md §1, §3)
// ---------------------------------------------------------------------------------------------

const CLOUDEVENTS: &str = "application/cloudevents+json; charset=utf-8";

/// A structured CloudEvent carrying Event Grid's validation, with `data` as given.
fn cloudevent_validation(data: Value) -> String {
    json!({
        "specversion": "1.0",
        "id": "b2a1c3d4-0000-4000-8000-000000000001",
        "source": "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t",
        "type": VALIDATION_TYPE,
        "time": "2024-01-01T00:00:00Z",
        "data": data,
    })
    .to_string()
}

fn validation_object() -> Value {
    json!({
        "validationCode": "abc",
        "validationUrl": "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/sub/validate?token=1",
    })
}

#[tokio::test]
async fn event_grid_origins_complete_the_handshake_on_every_cloud() {
    let (app, log): (_, Log<String>) = serve(grid_cloudevents::route());
    for origin in [
        "eventgrid.azure.net",
        "eventgrid.azure.us",
        "eventgrid.azure.cn",
        "eventgrid.azure.eaglex.ic.gov",
        "eventgrid.azure.microsoft.scloud",
    ] {
        let headers = [
            ("webhook-request-origin", origin),
            (
                "webhook-request-callback",
                "https://eventgrid.azure.net/callback",
            ),
        ];
        let answer = send(&app, request(Method::OPTIONS, &headers, Body::empty())).await;
        assert_eq!(answer.status, StatusCode::OK, "{origin}: {}", answer.body);
        assert_eq!(answer.header("webhook-allowed-origin"), Some(origin));
        assert!(answer.header("allow").unwrap().contains("POST"));
    }
    let headers = [("webhook-request-origin", "eventgrid.azure.net.evil.tld")];
    let answer = send(&app, request(Method::OPTIONS, &headers, Body::empty())).await;
    answer.assert_rejected(StatusCode::FORBIDDEN, "WebHook-Request-Origin");
    assert_eq!(answer.header("webhook-allowed-origin"), None);
    log.assert_empty();
}

#[tokio::test]
async fn cloudevents_route_answers_validation_with_string_data() {
    let (app, log): (_, Log<String>) = serve(grid_cloudevents::route());
    let body = cloudevent_validation(Value::String(validation_object().to_string()));
    send(
        &app,
        request(Method::POST, &[("content-type", CLOUDEVENTS)], body),
    )
    .await
    .assert_validated("abc");
    log.assert_empty();
}

#[tokio::test]
async fn cloudevents_route_answers_validation_with_object_data() {
    let (app, log): (_, Log<String>) = serve(grid_cloudevents::route());
    let body = cloudevent_validation(validation_object());
    send(
        &app,
        request(Method::POST, &[("content-type", CLOUDEVENTS)], body),
    )
    .await
    .assert_validated("abc");
    log.assert_empty();
}

/// Binary mode: `ce-type` names the validation, wherever it comes among the headers, and the
/// body is the validation's data.
#[tokio::test]
async fn cloudevents_route_answers_validation_in_binary_mode() {
    let (app, log): (_, Log<String>) = serve(grid_cloudevents::route());
    let attributes = [
        ("ce-specversion", "1.0"),
        ("ce-id", "b2a1c3d4-0000-4000-8000-000000000002"),
        ("ce-source", "/subscriptions/x/resourceGroups/rg"),
        ("ce-type", VALIDATION_TYPE),
    ];
    for at in 0..attributes.len() {
        let mut headers = attributes.to_vec();
        headers.rotate_left(at);
        headers.push(("content-type", "application/json"));
        send(
            &app,
            request(Method::POST, &headers, validation_object().to_string()),
        )
        .await
        .assert_validated("abc");
    }
    log.assert_empty();
}

#[tokio::test]
async fn cloudevents_route_without_event_grid_origin_refuses_validation_with_403() {
    let (app, log): (_, Log<String>) = serve(other_cloudevents::route());
    for data in [
        Value::String(validation_object().to_string()),
        validation_object(),
    ] {
        let body = cloudevent_validation(data);
        let answer = send(
            &app,
            request(Method::POST, &[("content-type", CLOUDEVENTS)], body),
        )
        .await;
        answer.assert_rejected(StatusCode::FORBIDDEN, "Event Grid");
        assert!(!answer.body.contains("abc"), "{}", answer.body);
    }
    log.assert_empty();
}
