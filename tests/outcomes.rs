//! Handler outcomes mapped per sender (protocol.md §6, D6, D8): `Outcome::{Ack, Retry, Reject}` returned
//! alone or inside `Result`, on CloudEvents routes serving each sender and on an Event Grid
//! route, over HTTP through `tower::ServiceExt::oneshot`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;
use webhook_runtime::outcome::DEFAULT_RETRY_AFTER;
use webhook_runtime::{CloudEvent, EventGridEvent, Outcome, Sender, webhook};

/// The data of every test event: which outcome the handler returns.
#[derive(Deserialize)]
struct Verdict {
    outcome: String,
}

fn outcome_of(verdict: &Verdict) -> Outcome {
    match verdict.outcome.as_str() {
        "ack" => Outcome::Ack,
        "retry" => Outcome::retry(),
        "retry_later" => Outcome::retry_after(Duration::from_millis(90_500)),
        "reject" => Outcome::reject("amount must be positive"),
        other => panic!("unknown outcome {other}"),
    }
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn generic(event: CloudEvent<Verdict>) -> Outcome {
    outcome_of(event.data())
}

#[webhook(origins = ["*"], schema = cloudevents, sender = eventgrid)]
async fn grid_cloudevents(event: CloudEvent<Verdict>) -> Outcome {
    outcome_of(event.data())
}

#[webhook(origins = ["*"], schema = cloudevents, sender = sap_event_mesh)]
async fn event_mesh(event: CloudEvent<Verdict>) -> Outcome {
    outcome_of(event.data())
}

#[webhook(schema = eventgrid)]
async fn grid(event: EventGridEvent<Verdict>) -> Outcome {
    outcome_of(event.data())
}

/// A dead letter as the hook saw it: index, id, source, type, reason, content type, body.
type Letter = (
    usize,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
);

#[derive(Clone, Default)]
struct Letters(Arc<Mutex<Vec<Letter>>>);

impl Letters {
    fn all(&self) -> Vec<Letter> {
        self.0.lock().unwrap().clone()
    }
}

fn app(letters: &Letters) -> Router {
    let hook = letters.clone();
    Router::new()
        .route("/generic", generic::route())
        .route("/grid-ce", grid_cloudevents::route())
        .route(
            "/mesh",
            event_mesh::route_with(event_mesh::config().on_dead_letter(move |letter| {
                hook.0.lock().unwrap().push((
                    letter.event.index,
                    letter.event.id.map(str::to_owned),
                    letter.event.source.map(str::to_owned),
                    letter.event.event_type.map(str::to_owned),
                    letter.reason.to_owned(),
                    letter.content_type.map(str::to_owned),
                    String::from_utf8_lossy(letter.body).into_owned(),
                ))
            })),
        )
        .route("/grid", grid::route())
}

fn cloudevent(id: &str, outcome: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "/orders", "type": "order.created",
           "data": {"outcome": outcome}})
}

fn gridevent(id: &str, outcome: &str) -> Value {
    json!({"id": id, "subject": "orders", "eventType": "order.created",
           "eventTime": "2026-11-24T10:00:00Z", "dataVersion": "1", "data": {"outcome": outcome}})
}

struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
    body: String,
}

async fn post(app: Router, path: &str, content_type: &str, body: &Value) -> Answer {
    let request = Request::post(path)
        .header("content-type", content_type)
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        retry_after,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

async fn structured(path: &str, outcome: &str) -> (Answer, Letters) {
    let letters = Letters::default();
    let answer = post(
        app(&letters),
        path,
        "application/cloudevents+json",
        &cloudevent("e-1", outcome),
    )
    .await;
    (answer, letters)
}

#[tokio::test]
async fn s6_cloudevents_sender_ack_204_retry_503_reject_400() {
    let (ack, _) = structured("/generic", "ack").await;
    assert_eq!(ack.status, StatusCode::NO_CONTENT);
    assert_eq!(ack.body, "");
    let (retry, _) = structured("/generic", "retry").await;
    assert_eq!(retry.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        retry.retry_after.as_deref(),
        Some(DEFAULT_RETRY_AFTER.as_secs().to_string().as_str())
    );
    let (later, _) = structured("/generic", "retry_later").await;
    assert_eq!(later.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(later.retry_after.as_deref(), Some("91"), "rounded up");
    let (reject, _) = structured("/generic", "reject").await;
    assert_eq!(reject.status, StatusCode::BAD_REQUEST);
    assert_eq!(reject.body, "amount must be positive\n");
    assert_eq!(reject.retry_after, None);
}

#[tokio::test]
async fn s6_event_grid_sender_in_cloudevents_schema_ack_200_retry_503_reject_400() {
    let (ack, _) = structured("/grid-ce", "ack").await;
    assert_eq!(ack.status, StatusCode::OK);
    let (retry, _) = structured("/grid-ce", "retry").await;
    assert_eq!(retry.status, StatusCode::SERVICE_UNAVAILABLE);
    let (reject, letters) = structured("/grid-ce", "reject").await;
    assert_eq!(
        reject.status,
        StatusCode::BAD_REQUEST,
        "dead-lettered by Event Grid"
    );
    assert!(
        letters.all().is_empty(),
        "no dead-letter hook for Event Grid"
    );
}

#[tokio::test]
async fn s6_event_grid_schema_ack_200_retry_503_reject_400() {
    for (outcome, status) in [
        ("ack", StatusCode::OK),
        ("retry", StatusCode::SERVICE_UNAVAILABLE),
        ("reject", StatusCode::BAD_REQUEST),
    ] {
        let answer = post(
            app(&Letters::default()),
            "/grid",
            "application/json",
            &json!([gridevent("g-1", outcome)]),
        )
        .await;
        assert_eq!(answer.status, status, "{outcome}");
    }
}

#[tokio::test]
async fn s6_sap_event_mesh_ack_204_retry_503() {
    let (ack, letters) = structured("/mesh", "ack").await;
    assert_eq!(ack.status, StatusCode::NO_CONTENT);
    let (retry, _) = structured("/mesh", "retry").await;
    assert_eq!(retry.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry.retry_after.is_some());
    assert!(letters.all().is_empty());
}

#[tokio::test]
async fn s6_sap_event_mesh_reject_is_acknowledged_and_dead_lettered() {
    let (reject, letters) = structured("/mesh", "reject").await;
    assert!(
        reject.status.is_success(),
        "a 4xx would be redelivered until the message expires: {}",
        reject.status
    );
    let letters = letters.all();
    assert_eq!(letters.len(), 1);
    let (index, id, source, ty, reason, content_type, body) = &letters[0];
    assert_eq!(*index, 0);
    assert_eq!(id.as_deref(), Some("e-1"));
    assert_eq!(source.as_deref(), Some("/orders"));
    assert_eq!(ty.as_deref(), Some("order.created"));
    assert_eq!(reason, "amount must be positive");
    assert_eq!(
        content_type.as_deref(),
        Some("application/cloudevents+json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(body).unwrap(),
        cloudevent("e-1", "reject"),
        "the hook gets the delivery as received"
    );
}

#[tokio::test]
async fn s6_sap_event_mesh_batch_dead_letters_the_rejected_event_and_goes_on() {
    let letters = Letters::default();
    let batch = json!([
        cloudevent("b-0", "ack"),
        cloudevent("b-1", "reject"),
        cloudevent("b-2", "ack")
    ]);
    let answer = post(
        app(&letters),
        "/mesh",
        "application/cloudevents-batch+json",
        &batch,
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let letters = letters.all();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].0, 1, "index of the rejected event in the batch");
    assert_eq!(letters[0].1.as_deref(), Some("b-1"));
}

#[tokio::test]
async fn d8_a_retry_in_a_per_event_batch_answers_for_the_batch() {
    let batch = json!([
        cloudevent("b-0", "ack"),
        cloudevent("b-1", "retry"),
        cloudevent("b-2", "reject")
    ]);
    let answer = post(
        app(&Letters::default()),
        "/generic",
        "application/cloudevents-batch+json",
        &batch,
    )
    .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
}

// ---------------------------------------------------------------------------------------------
// Outcomes inside `Result`, and plain returns beside them.

#[webhook(origins = ["*"], schema = cloudevents, sender = sap_event_mesh)]
async fn fallible(event: CloudEvent<Verdict>) -> Result<Outcome, StatusCode> {
    match event.data().outcome.as_str() {
        "teapot" => Err(StatusCode::IM_A_TEAPOT),
        _ => Ok(outcome_of(event.data())),
    }
}

#[webhook(origins = ["*"], schema = cloudevents, sender = eventgrid)]
async fn outcome_as_error(event: CloudEvent<Verdict>) -> Result<(), Outcome> {
    match event.data().outcome.as_str() {
        "ack" => Ok(()),
        _ => Err(outcome_of(event.data())),
    }
}

#[webhook(origins = ["*"], schema = cloudevents, sender = sap_event_mesh)]
async fn plain_return(_event: CloudEvent<Verdict>) -> StatusCode {
    StatusCode::BAD_REQUEST
}

#[tokio::test]
async fn s6_outcome_inside_result_is_mapped_for_the_sender() {
    let app = Router::new()
        .route("/fallible", fallible::route())
        .route("/as-error", outcome_as_error::route())
        .route("/plain", plain_return::route());
    let ce = "application/cloudevents+json";
    let send = |path: &'static str, outcome: &'static str| {
        let app = app.clone();
        async move { post(app, path, ce, &cloudevent("r-1", outcome)).await }
    };
    // Ok(Outcome::Reject) on SAP Event Mesh: acknowledged.
    assert_eq!(
        send("/fallible", "reject").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send("/fallible", "retry").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // An Err that is not an outcome is the handler's own answer, as is.
    assert_eq!(
        send("/fallible", "teapot").await.status,
        StatusCode::IM_A_TEAPOT
    );
    // Ok(()) is D6's 204; Err(Outcome) mapped for Event Grid.
    assert_eq!(
        send("/as-error", "ack").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send("/as-error", "reject").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send("/as-error", "retry").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // A handler's own status is never remapped, even for SAP Event Mesh.
    assert_eq!(send("/plain", "ack").await.status, StatusCode::BAD_REQUEST);
}

#[test]
fn s6_outcome_outside_a_route_answers_as_for_cloudevents() {
    use axum::response::IntoResponse;
    assert_eq!(
        Outcome::Ack.into_response().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        Outcome::reject("no").into_response().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        Outcome::Ack.response_for(Sender::EventGrid).status(),
        StatusCode::OK
    );
    assert_eq!(
        Outcome::reject("no")
            .response_for(Sender::SapEventMesh)
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!("sap_event_mesh".parse::<Sender>(), Ok(Sender::SapEventMesh));
    assert!("sap".parse::<Sender>().is_err());
}

#[tokio::test]
async fn d10_sender_from_the_environment_changes_the_mapping() {
    let config = generic::config()
        .with_vars("HOOK", |name| {
            (name == "HOOK_SENDER").then(|| "sap_event_mesh".to_owned())
        })
        .unwrap();
    assert_eq!(config.sender(), Some(Sender::SapEventMesh));
    let app = Router::new().route("/generic", generic::route_with(config));
    let answer = post(
        app,
        "/generic",
        "application/cloudevents+json",
        &cloudevent("x", "reject"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let bad = generic::config().with_vars("HOOK", |name| {
        (name == "HOOK_SENDER").then(|| "kafka".to_owned())
    });
    assert_eq!(bad.unwrap_err().variable(), "HOOK_SENDER");
}
