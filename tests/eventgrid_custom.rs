//! Event Grid subscriptions that deliver the topic's custom input schema over HTTP (protocol.md
//! G1, G2, with D8, D9, D20, D23): validation and deletion in the Event Grid schema, the
//! publisher's own objects handed to `CustomInput<T>` handlers (per object and whole array),
//! malformed objects, limits and outcomes. `eventgrid_custom_table.rs` takes the schema
//! compatibility table row by row. Driven through `tower::ServiceExt::oneshot` on routes built by
//! `#[webhook]`.

pub mod common;

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use webhook_runtime::dedup::{Dedup, MemoryStore};
use webhook_runtime::eventgrid::{DeletionNotice, EventGridHeaders};
use webhook_runtime::{CustomInput, Outcome, webhook};

use common::custom_input::{
    JSON, Message, SAMPLE, SAMPLE_CODE, TOPIC, array, grid, notification, numbered, published,
    request, resources, serve, validation,
};
use common::log::Log;
use common::oneshot::{Answer, send};

const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

type Messages = Log<Message>;

#[webhook(schema = eventgrid)]
async fn messages(message: CustomInput<Message>, State(log): State<Messages>) {
    log.push(message.into_data());
}

#[webhook(schema = eventgrid, subscriptions = ["eventsub2"])]
async fn subscribed(message: CustomInput<Message>, State(log): State<Messages>) {
    log.push(message.into_data());
}

#[webhook(schema = eventgrid)]
async fn whole(messages: Vec<CustomInput<Message>>, State(log): State<Log<Vec<Message>>>) {
    log.push(messages.into_iter().map(CustomInput::into_data).collect());
}

/// Answers the status named by the object's `status` member, 204 without one.
#[webhook(schema = eventgrid)]
async fn answering(message: CustomInput<Value>, State(log): State<Log<Value>>) -> StatusCode {
    let status = message.data()["status"].as_u64();
    log.push(message.into_data());
    status.map_or(StatusCode::NO_CONTENT, |s| {
        StatusCode::from_u16(s as u16).unwrap()
    })
}

/// Answers the `Outcome` named by the object's `outcome` member.
#[webhook(schema = eventgrid)]
async fn deciding(message: CustomInput<Value>) -> Outcome {
    match message.data()["outcome"].as_str() {
        Some("retry") => Outcome::retry(),
        Some("reject") => Outcome::reject("not an order"),
        _ => Outcome::Ack,
    }
}

#[webhook(schema = eventgrid, body_limit = 1024)]
async fn small(message: CustomInput<Value>, State(log): State<Log<Value>>) {
    log.push(message.into_data());
}

#[webhook(schema = eventgrid)]
async fn with_headers(
    message: CustomInput<Message>,
    delivery: EventGridHeaders,
    State(log): State<Log<(Message, EventGridHeaders)>>,
) {
    log.push((message.into_data(), delivery));
}

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

impl Answer {
    /// A refusal by the runtime: `status`, one line of plain text that contains `needle`, and
    /// never a validation response.
    #[track_caller]
    fn assert_rejected(&self, status: StatusCode, needle: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some(TEXT_PLAIN));
        assert!(
            self.body.contains(needle),
            "{:?} lacks {needle:?}",
            self.body
        );
        assert_eq!(self.body.lines().count(), 1, "{:?}", self.body);
        assert!(!self.body.contains("validationResponse"), "{}", self.body);
    }

    /// The synchronous validation answer (protocol.md §3).
    #[track_caller]
    fn assert_validated(&self, code: &str) {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(self.body, format!(r#"{{"validationResponse":"{code}"}}"#));
    }

    /// A delivery the handler accepted with `()` (204, D6).
    #[track_caller]
    fn assert_delivered(&self) {
        assert_eq!(self.status, StatusCode::NO_CONTENT, "body: {}", self.body);
        assert_eq!(self.body, "");
    }
}

/// The deletion event, in the Event Grid schema whatever the delivery schema (G1).
fn deletion_event() -> Value {
    json!({
        "id": "d-1",
        "topic": TOPIC,
        "subject": "",
        "eventType": "Microsoft.EventGrid.SubscriptionDeletedEvent",
        "eventTime": "2024-01-01T00:00:00Z",
        "data": { "eventSubscriptionId": format!("{TOPIC}/eventSubscriptions/eventsub2") },
        "dataVersion": "1",
        "metadataVersion": "1",
    })
}

// ---------------------------------------------------------------------------------------------
// Validation and deletion: the Event Grid schema events (G1, G2)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn g1_g2_validation_is_answered_as_on_every_event_grid_route() {
    let (app, log): (_, Messages) = serve(messages::route());
    send(&app, validation(Some("EVENTSUB2")))
        .await
        .assert_validated(SAMPLE_CODE);
    log.assert_empty();
}

#[tokio::test]
async fn g1_d23_g2_a_validation_event_without_its_header_is_400_and_not_echoed() {
    let (app, log): (_, Messages) = serve(messages::route());
    for kind in [None, Some("Notification")] {
        let answer = send(&app, grid(kind, None, SAMPLE)).await;
        answer.assert_rejected(StatusCode::BAD_REQUEST, "event 0:");
        assert!(!answer.body.contains(SAMPLE_CODE), "{}", answer.body);
    }
    log.assert_empty();
}

#[tokio::test]
async fn g1_d23_g2_deletion_is_answered_200_and_given_to_the_hook() {
    let hook: Log<(DeletionNotice, Option<String>)> = Log::default();
    let config = messages::config().on_deletion({
        let hook = hook.clone();
        move |notice, name| hook.push((notice.clone(), name.map(str::to_owned)))
    });
    let (app, log): (_, Messages) = serve(messages::route_with(config));
    let body = array(&[deletion_event()]);
    let answer = send(
        &app,
        grid(
            Some("SubscriptionDeletion"),
            Some("EVENTSUB2"),
            body.clone(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let (notice, name) = hook.one();
    assert!(
        notice
            .event_subscription_id
            .unwrap()
            .ends_with("/eventsub2")
    );
    assert_eq!(name.as_deref(), Some("EVENTSUB2"));
    // Inside a notification it is refused, and reaches neither the hook nor the handler.
    let mixed = array(&[published(), deletion_event()]);
    send(&app, notification(mixed))
        .await
        .assert_rejected(StatusCode::BAD_REQUEST, "event 1:");
    assert_eq!(hook.len(), 1);
    log.assert_empty();
}

#[tokio::test]
async fn g1_g2_subscriptions_refuse_other_names_with_403() {
    let (app, log): (_, Messages) = serve(subscribed::route());
    send(&app, validation(Some("EVENTSUB2")))
        .await
        .assert_validated(SAMPLE_CODE);
    for name in [Some("EVENTSUB1"), None] {
        send(&app, validation(name))
            .await
            .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
        send(
            &app,
            grid(Some("Notification"), name, array(&[published()])),
        )
        .await
        .assert_rejected(StatusCode::FORBIDDEN, "aeg-subscription-name");
    }
    log.assert_empty();
    send(
        &app,
        grid(
            Some("Notification"),
            Some("EVENTSUB2"),
            array(&[published()]),
        ),
    )
    .await
    .assert_delivered();
    assert_eq!(log.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Notifications: the publisher's objects (G1, D8, G2)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn g1_g2_one_published_object_reaches_the_handler_as_published() {
    let (app, log): (_, Messages) = serve(messages::route());
    send(&app, notification(array(&[published()])))
        .await
        .assert_delivered();
    assert_eq!(
        log.one(),
        Message {
            my_event_type_field: "Created".to_owned(),
            resource: "Users/example/Messages/1000".to_owned(),
            resource_data: Some(json!({ "someDataField1": "SomeDataFieldValue" })),
        }
    );
}

#[tokio::test]
async fn g1_d23_g2_without_aeg_event_type_a_post_is_a_notification() {
    let (app, log): (_, Messages) = serve(messages::route());
    send(&app, grid(None, None, array(&[numbered(0)])))
        .await
        .assert_delivered();
    assert_eq!(resources(&log.all()), ["Users/example/Messages/0"]);
}

#[tokio::test]
async fn g1_g2_a_body_that_is_one_object_is_a_delivery_of_that_object() {
    let (app, log): (_, Messages) = serve(messages::route());
    send(&app, notification(published().to_string()))
        .await
        .assert_delivered();
    assert_eq!(resources(&log.all()), ["Users/example/Messages/1000"]);
}

#[tokio::test]
async fn g1_d8_g2_several_objects_reach_the_handler_in_order() {
    let (app, log): (_, Messages) = serve(messages::route());
    let objects: Vec<Value> = (0..5).map(numbered).collect();
    send(&app, notification(array(&objects)))
        .await
        .assert_delivered();
    let expected: Vec<String> = (0..5)
        .map(|i| format!("Users/example/Messages/{i}"))
        .collect();
    assert_eq!(resources(&log.all()), expected);
}

#[tokio::test]
async fn g1_d8_g2_whole_array_handler_is_called_once() {
    let (app, log): (_, Log<Vec<Message>>) = serve(whole::route());
    let objects: Vec<Value> = (0..3).map(numbered).collect();
    send(&app, notification(array(&objects)))
        .await
        .assert_delivered();
    let calls = log.all();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].len(), 3);
    assert_eq!(calls[0][2].resource, "Users/example/Messages/2");
}

#[tokio::test]
async fn g1_d8_g2_an_empty_array_calls_nothing() {
    let (app, log): (_, Messages) = serve(messages::route());
    send(&app, notification("[]")).await.assert_delivered();
    log.assert_empty();
}

#[tokio::test]
async fn g1_d8_g2_the_first_failure_answers_for_the_delivery() {
    let (app, log): (_, Log<Value>) = serve(answering::route());
    let body = array(&[
        json!({ "n": 0 }),
        json!({ "n": 1, "status": 503 }),
        json!({ "n": 2 }),
    ]);
    let answer = send(&app, notification(body)).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    let seen: Vec<Value> = log.all().iter().map(|v| v["n"].clone()).collect();
    assert_eq!(seen, [json!(0), json!(1)], "the third must not run");
}

#[tokio::test]
async fn g1_g2_outcomes_are_answered_for_event_grid() {
    let (app, _): (_, ()) = serve(deciding::route());
    for (outcome, status) in [
        ("ack", StatusCode::OK),
        ("retry", StatusCode::SERVICE_UNAVAILABLE),
        ("reject", StatusCode::BAD_REQUEST),
    ] {
        let body = array(&[json!({ "outcome": outcome })]);
        let answer = send(&app, notification(body)).await;
        assert_eq!(answer.status, status, "{outcome}: {}", answer.body);
    }
}

#[tokio::test]
async fn g1_d8_g2_a_malformed_object_is_400_for_the_whole_delivery_and_no_call() {
    let (app, log): (_, Messages) = serve(messages::route());
    let missing_field = json!({ "myEventTypeField": "Created" });
    let wrong_type = json!({ "myEventTypeField": 7, "resource": "r" });
    for (body, needle) in [
        (array(&[numbered(0), missing_field]), "event 1:"),
        (array(&[numbered(0), numbered(1), wrong_type]), "event 2:"),
        (array(&[numbered(0), json!("text")]), "event 1:"),
        (format!("[{}, ", numbered(0)), "event 1:"),
        (format!("{} x", array(&[numbered(0)])), "trailing"),
        ("5".to_owned(), "JSON array"),
        ("\"text\"".to_owned(), "JSON array"),
        (String::new(), "JSON array"),
    ] {
        send(&app, notification(body.clone()))
            .await
            .assert_rejected(StatusCode::BAD_REQUEST, needle);
    }
    log.assert_empty();
}

#[tokio::test]
async fn g1_g2_the_aeg_headers_reach_the_extractor() {
    let (app, log): (_, Log<(Message, EventGridHeaders)>) = serve(with_headers::route());
    let headers = [
        ("content-type", JSON),
        ("aeg-event-type", "Notification"),
        ("aeg-subscription-name", "EVENTSUB2"),
        ("aeg-delivery-count", "2"),
        (
            "aeg-output-event-id",
            "aa5b8e2a-1235-4032-be8f-5223395b9eae",
        ),
    ];
    send(&app, request(Method::POST, &headers, array(&[published()])))
        .await
        .assert_delivered();
    let (message, delivery) = log.one();
    assert_eq!(message.resource, "Users/example/Messages/1000");
    assert_eq!(delivery.subscription_name.as_deref(), Some("EVENTSUB2"));
    assert_eq!(delivery.delivery_count, Some(2));
    assert_eq!(
        delivery.output_event_id.as_deref(),
        Some("aa5b8e2a-1235-4032-be8f-5223395b9eae")
    );
}

/// The objects carry no id the route knows of: with deduplication on, a redelivery is handed to
/// the handler again rather than taken for a duplicate of something else.
#[tokio::test]
async fn g1_d8_g2_deduplication_has_no_key_and_hands_every_delivery_over() {
    let dedup = Dedup::new(MemoryStore::new(100), Duration::from_secs(600));
    let (app, log): (_, Messages) =
        serve(messages::route_with(messages::config().with_dedup(dedup)));
    for _ in 0..2 {
        send(&app, notification(array(&[published()])))
            .await
            .assert_delivered();
    }
    assert_eq!(log.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Limits, media type and methods (D9, D20, D23, G2)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn g1_d9_g2_a_body_over_the_limit_is_413() {
    let (app, log): (_, Log<Value>) = serve(small::route());
    let body = |len: usize| {
        let object = json!({ "pad": "" }).to_string();
        let pad = "x".repeat(len - object.len() - 2);
        format!("[{}]", json!({ "pad": pad }))
    };
    assert_eq!(body(1024).len(), 1024);
    send(&app, notification(body(1024)))
        .await
        .assert_delivered();
    send(&app, notification(body(1025)))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "1024");
    assert_eq!(log.len(), 1);

    // The default limit, 2 MiB, as on every Event Grid route.
    let (app, log): (_, Messages) = serve(messages::route());
    let big = format!("[{}]", json!({ "pad": "x".repeat(2 * 1024 * 1024) }));
    send(&app, notification(big))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "2097152");
    log.assert_empty();
}

#[tokio::test]
async fn g1_d8_g2_more_objects_than_max_events_is_413_and_no_call() {
    let (app, log): (_, Messages) =
        serve(messages::route_with(messages::config().with_max_events(2)));
    let objects: Vec<Value> = (0..3).map(numbered).collect();
    send(&app, notification(array(&objects)))
        .await
        .assert_rejected(StatusCode::PAYLOAD_TOO_LARGE, "at most 2");
    log.assert_empty();
    send(&app, notification(array(&objects[..2])))
        .await
        .assert_delivered();
    assert_eq!(log.len(), 2);
}

#[tokio::test]
async fn g1_d20_d23_g2_other_media_types_are_415_and_options_405() {
    let (app, log): (_, Messages) = serve(messages::route());
    let headers = [
        ("content-type", "text/plain"),
        ("aeg-event-type", "Notification"),
    ];
    send(&app, request(Method::POST, &headers, array(&[published()])))
        .await
        .assert_rejected(StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON");
    let options = request(
        Method::OPTIONS,
        &[("webhook-request-origin", "eventgrid.azure.net")],
        Body::empty(),
    );
    send(&app, options)
        .await
        .assert_rejected(StatusCode::METHOD_NOT_ALLOWED, "POST");
    log.assert_empty();
}
