//! The schema compatibility table of seed 002 (protocol.md G1), one test per (input schema,
//! delivery schema) pair: which route serves the pairs Event Grid allows, and for the pairs it
//! does not allow, what the deliveries such a topic does make meet on the route kind a mistaken
//! setup would point at them. Driven through `tower::ServiceExt::oneshot` on routes built by
//! `#[webhook]`.

pub mod common;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use webhook_runtime::eventgrid::EVENT_GRID_ORIGINS;
use webhook_runtime::{CloudEvent, CustomInput, EventGridEvent, webhook};

use common::custom_input::{
    Message, SAMPLE_CODE, TOPIC, array, grid, notification, numbered, published, request, serve,
    validation,
};
use common::log::Log;
use common::oneshot::{Answer, send};

const CLOUDEVENTS: &str = "application/cloudevents+json; charset=utf-8";

type Messages = Log<Message>;

/// A custom input schema subscription's route (G2).
#[webhook(schema = eventgrid)]
async fn custom_input(message: CustomInput<Message>, State(log): State<Messages>) {
    log.push(message.into_data());
}

/// An Event Grid schema route whose data type is the publisher's.
#[webhook(schema = eventgrid)]
async fn grid_schema(event: EventGridEvent<Message>, State(log): State<Messages>) {
    log.push(event.into_data());
}

/// The CloudEvents route that Event Grid delivers to in the CloudEvents 1.0 schema.
#[webhook(schema = cloudevents, origins = EVENT_GRID_ORIGINS)]
async fn grid_cloudevents(event: CloudEvent<Message>, State(log): State<Messages>) {
    log.push(event.into_data());
}

impl Answer {
    /// The synchronous validation answer (protocol.md §3).
    #[track_caller]
    fn assert_validated(&self) {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_eq!(
            self.body,
            format!(r#"{{"validationResponse":"{SAMPLE_CODE}"}}"#)
        );
    }

    /// A delivery the handler accepted with `()` (204, D6).
    #[track_caller]
    fn assert_delivered(&self) {
        assert_eq!(self.status, StatusCode::NO_CONTENT, "body: {}", self.body);
    }

    /// A 400 whose reason contains `needle`: such a body is not what the route takes.
    #[track_caller]
    fn assert_refused(&self, needle: &str) {
        assert_eq!(self.status, StatusCode::BAD_REQUEST, "body: {}", self.body);
        assert!(
            self.body.contains(needle),
            "{:?} lacks {needle:?}",
            self.body
        );
    }
}

/// An Event Grid schema event as a custom schema topic maps Azure's example (G1: `eventType`
/// from `myEventTypeField`, `subject` and `dataVersion` from the defaults, `data` the object).
fn mapped_event() -> Value {
    json!({
        "id": "aa5b8e2a-1235-4032-be8f-5223395b9eae",
        "eventTime": "2018-11-07T23:59:14.7997564Z",
        "eventType": "Created",
        "dataVersion": "1.0",
        "metadataVersion": "1",
        "topic": TOPIC,
        "subject": "DefaultSubject",
        "data": published(),
    })
}

/// A structured CloudEvent whose data is `data`.
fn cloudevent(data: Value) -> String {
    json!({
        "specversion": "1.0",
        "id": "caee971c-3ca0-4254-8f99-1395b394588e",
        "source": TOPIC,
        "type": "Created",
        "subject": "DefaultSubject",
        "datacontenttype": "application/json",
        "data": data,
    })
    .to_string()
}

/// The handshake and one structured delivery of Event Grid in the CloudEvents 1.0 schema, to the
/// route that admits Event Grid's origins.
async fn assert_cloudevents_route_serves(data: Value) -> Message {
    let (app, log): (_, Messages) = serve(grid_cloudevents::route());
    let handshake = request(
        Method::OPTIONS,
        &[("webhook-request-origin", "eventgrid.azure.net")],
        Body::empty(),
    );
    let answer = send(&app, handshake).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.header("webhook-allowed-origin"),
        Some("eventgrid.azure.net")
    );
    let delivery = request(
        Method::POST,
        &[
            ("content-type", CLOUDEVENTS),
            ("webhook-request-origin", "eventgrid.azure.net"),
        ],
        cloudevent(data),
    );
    send(&app, delivery).await.assert_delivered();
    log.one()
}

/// Event Grid schema in, Event Grid schema out: allowed; an Event Grid schema route.
#[tokio::test]
async fn g1_table_event_grid_to_event_grid_is_served_by_an_event_grid_route() {
    let (app, log): (_, Messages) = serve(grid_schema::route());
    send(&app, validation(None)).await.assert_validated();
    let mut event = mapped_event();
    event["eventType"] = json!("Contoso.Messages.Created");
    send(&app, notification(array(&[event])))
        .await
        .assert_delivered();
    assert_eq!(log.one().resource, "Users/example/Messages/1000");
}

/// Event Grid schema in, CloudEvents 1.0 out: allowed; a CloudEvents route admitting Event
/// Grid's origins (the `OPTIONS` handshake).
#[tokio::test]
async fn g1_table_event_grid_to_cloudevents_is_served_by_a_cloudevents_route() {
    let message = assert_cloudevents_route_serves(published()).await;
    assert_eq!(message.my_event_type_field, "Created");
}

/// Event Grid schema in, custom input schema out: not allowed, so no route serves it. The
/// topic's subscriptions deliver Event Grid events, which an Event Grid schema route serves and
/// a custom input schema route does not take for the publisher's objects.
#[tokio::test]
async fn g1_table_event_grid_to_custom_input_does_not_exist() {
    let (app, log): (_, Messages) = serve(custom_input::route());
    send(&app, notification(array(&[mapped_event()])))
        .await
        .assert_refused("event 0:");
    log.assert_empty();
    let (app, log): (_, Messages) = serve(grid_schema::route());
    send(&app, notification(array(&[mapped_event()])))
        .await
        .assert_delivered();
    assert_eq!(log.len(), 1);
}

/// CloudEvents 1.0 in, Event Grid schema out: not allowed. Such a topic delivers CloudEvents
/// only, which an Event Grid schema route refuses (400, not an array of Event Grid events).
#[tokio::test]
async fn g1_table_cloudevents_to_event_grid_does_not_exist() {
    let (app, log): (_, Messages) = serve(grid_schema::route());
    let delivery = request(
        Method::POST,
        &[("content-type", CLOUDEVENTS)],
        cloudevent(published()),
    );
    send(&app, delivery).await.assert_refused("array");
    log.assert_empty();
}

/// CloudEvents 1.0 in, CloudEvents 1.0 out: allowed; a CloudEvents route admitting Event Grid's
/// origins.
#[tokio::test]
async fn g1_table_cloudevents_to_cloudevents_is_served_by_a_cloudevents_route() {
    let message = assert_cloudevents_route_serves(numbered(7)).await;
    assert_eq!(message.resource, "Users/example/Messages/7");
}

/// CloudEvents 1.0 in, custom input schema out: not allowed. Such a topic delivers CloudEvents
/// only; a custom input schema route typed by the publisher's schema refuses one (400).
#[tokio::test]
async fn g1_table_cloudevents_to_custom_input_does_not_exist() {
    let (app, log): (_, Messages) = serve(custom_input::route());
    let delivery = request(
        Method::POST,
        &[("content-type", CLOUDEVENTS)],
        cloudevent(published()),
    );
    send(&app, delivery).await.assert_refused("event 0:");
    log.assert_empty();
}

/// Custom schema in, Event Grid schema out: allowed; an Event Grid schema route whose data type
/// is the publisher's, as Azure's example maps it.
#[tokio::test]
async fn g1_table_custom_to_event_grid_is_served_by_an_event_grid_route() {
    let (app, log): (_, Messages) = serve(grid_schema::route());
    send(&app, validation(None)).await.assert_validated();
    send(&app, notification(array(&[mapped_event()])))
        .await
        .assert_delivered();
    assert_eq!(log.one().resource, "Users/example/Messages/1000");
}

/// Custom schema in, CloudEvents 1.0 out: allowed; a CloudEvents route admitting Event Grid's
/// origins, its data typed as the publisher's object.
#[tokio::test]
async fn g1_table_custom_to_cloudevents_is_served_by_a_cloudevents_route() {
    let message = assert_cloudevents_route_serves(published()).await;
    assert_eq!(message.resource, "Users/example/Messages/1000");
}

/// Custom schema in, custom input schema out: allowed; an Event Grid route whose handler takes
/// `CustomInput<T>`: the validation event in the Event Grid schema, then the published objects.
#[tokio::test]
async fn g1_table_custom_to_custom_input_is_served_by_a_custom_input_route() {
    let (app, log): (_, Messages) = serve(custom_input::route());
    send(&app, validation(Some("EVENTSUB2")))
        .await
        .assert_validated();
    let delivery = grid(
        Some("Notification"),
        Some("EVENTSUB2"),
        array(&[published()]),
    );
    send(&app, delivery).await.assert_delivered();
    assert_eq!(log.one().resource, "Users/example/Messages/1000");
}
