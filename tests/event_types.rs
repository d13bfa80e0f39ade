//! `#[derive(EventTypes)]` over HTTP: data keyed by event type, for both schemas, and each choice
//! for unlisted types (reject, skip, catch-all).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use webhook_runtime::{CloudEvent, EventGridEvent, EventTypes, webhook};

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Created {
    url: String,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Deleted {
    url: String,
}

#[derive(Debug, PartialEq, EventTypes)]
#[events(unknown = reject)]
enum Strict {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(Created),
    #[event("Microsoft.Storage.BlobDeleted")]
    Deleted(Deleted),
}

#[derive(Debug, PartialEq, EventTypes)]
#[events(unknown = skip)]
enum Lenient {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(Created),
    #[event("Microsoft.Storage.Ping")]
    Ping,
}

#[derive(Debug, PartialEq, EventTypes)]
enum CatchAll {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(Created),
    #[event(other)]
    Other(Value),
}

type Seen<T> = Arc<Mutex<Vec<T>>>;

async fn send(app: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.oneshot(request).await.expect("the router answers");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn grid(events: Value) -> Request<Body> {
    Request::post("/")
        .header("content-type", "application/json")
        .header("aeg-event-type", "Notification")
        .body(Body::from(events.to_string()))
        .expect("request")
}

fn grid_event(id: &str, ty: &str, data: Value) -> Value {
    json!({"id": id, "subject": "/blobs/a", "eventType": ty, "eventTime": "2024-05-01T10:00:00Z",
           "dataVersion": "1", "data": data})
}

fn cloudevents_batch(events: Value) -> Request<Body> {
    Request::post("/")
        .header("content-type", "application/cloudevents-batch+json")
        .body(Body::from(events.to_string()))
        .expect("request")
}

fn cloud_event(id: &str, ty: &str, data: Value) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "/storage", "type": ty, "data": data})
}

#[webhook(schema = eventgrid)]
async fn strict_grid(event: EventGridEvent<Strict>, State(seen): State<Seen<Strict>>) {
    seen.lock().unwrap().push(event.into_data());
}

#[webhook(schema = eventgrid)]
async fn lenient_grid(event: EventGridEvent<Lenient>, State(seen): State<Seen<Lenient>>) {
    seen.lock().unwrap().push(event.into_data());
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn catch_all_ce(event: CloudEvent<CatchAll>, State(seen): State<Seen<(String, CatchAll)>>) {
    let ty = event.ty().to_owned();
    seen.lock().unwrap().push((ty, event.into_data()));
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn lenient_ce(events: Vec<CloudEvent<Lenient>>, State(seen): State<Seen<Lenient>>) {
    seen.lock()
        .unwrap()
        .extend(events.into_iter().map(CloudEvent::into_data));
}

#[tokio::test]
async fn event_types_variant_follows_the_event_type() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/", strict_grid::route())
        .with_state(seen.clone());
    let events = json!([
        grid_event("1", "Microsoft.Storage.BlobCreated", json!({"url": "a"})),
        grid_event("2", "Microsoft.Storage.BlobDeleted", json!({"url": "b"})),
    ]);
    assert_eq!(send(app, grid(events)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            Strict::Created(Created { url: "a".into() }),
            Strict::Deleted(Deleted { url: "b".into() })
        ]
    );
}

#[tokio::test]
async fn event_types_reject_answers_400_naming_the_type_and_calls_nothing() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/", strict_grid::route())
        .with_state(seen.clone());
    let events = json!([
        grid_event("1", "Microsoft.Storage.BlobCreated", json!({"url": "a"})),
        grid_event(
            "2",
            "Microsoft.Storage.BlobTierChanged",
            json!({"url": "b"})
        ),
    ]);
    let (status, body) = send(app, grid(events)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.starts_with("event 1: unknown event type `Microsoft.Storage.BlobTierChanged`"),
        "{body}"
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn event_types_wrong_data_for_the_type_is_400() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/", strict_grid::route())
        .with_state(seen.clone());
    let events = json!([grid_event(
        "1",
        "Microsoft.Storage.BlobDeleted",
        json!({"nope": 1})
    )]);
    let (status, body) = send(app, grid(events)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("url"), "{body}");
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn event_types_skip_acknowledges_without_calling_the_handler() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/", lenient_grid::route())
        .with_state(seen.clone());
    let events = json!([
        grid_event("1", "Microsoft.Storage.BlobTierChanged", json!({})),
        grid_event("2", "Microsoft.Storage.BlobCreated", json!({"url": "a"})),
        grid_event("3", "Microsoft.Storage.Ping", json!(null)),
    ]);
    assert_eq!(
        send(app.clone(), grid(events)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [Lenient::Created(Created { url: "a".into() }), Lenient::Ping]
    );

    let only_unknown = json!([grid_event(
        "4",
        "Microsoft.Storage.BlobTierChanged",
        json!({})
    )]);
    assert_eq!(
        send(app, grid(only_unknown)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "a skipped event never reaches the handler"
    );
}

#[tokio::test]
async fn event_types_catch_all_receives_other_types_with_their_data() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/", catch_all_ce::route())
        .with_state(seen.clone());
    let events = json!([
        cloud_event("1", "Microsoft.Storage.BlobCreated", json!({"url": "a"})),
        cloud_event("2", "com.example.other", json!({"k": [1, 2]})),
    ]);
    assert_eq!(
        send(app, cloudevents_batch(events)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (
                "Microsoft.Storage.BlobCreated".to_owned(),
                CatchAll::Created(Created { url: "a".into() })
            ),
            (
                "com.example.other".to_owned(),
                CatchAll::Other(json!({"k": [1, 2]}))
            ),
        ]
    );
}

#[tokio::test]
async fn event_types_skip_in_a_cloudevents_batch_keeps_the_others() {
    let seen = Seen::default();
    let app = Router::new()
        .route("/", lenient_ce::route())
        .with_state(seen.clone());
    let events = json!([
        cloud_event("1", "com.example.unknown", json!({})),
        cloud_event("2", "Microsoft.Storage.BlobCreated", json!({"url": "a"})),
    ]);
    assert_eq!(
        send(app, cloudevents_batch(events)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [Lenient::Created(Created { url: "a".into() })]
    );
}

#[test]
fn event_types_lists_its_types() {
    assert_eq!(
        Strict::EVENT_TYPES,
        [
            "Microsoft.Storage.BlobCreated",
            "Microsoft.Storage.BlobDeleted"
        ]
    );
    assert_eq!(
        <CatchAll as EventTypes>::EVENT_TYPES,
        ["Microsoft.Storage.BlobCreated"]
    );
}
