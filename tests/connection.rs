//! Refusals made before the body is read to its end carry `Connection: close`: hyper does not
//! reuse a connection whose request body was left unread, and a client that sends its next
//! request on it sees the connection drop (the Azure SDK's publisher did, after a 403 for an
//! unexpected subscription). Refusals after the body was read keep the connection.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use webhook_runtime::auth::Credentials;
use webhook_runtime::{CloudEvent, EventGridEvent, webhook};

#[webhook(origins = ["*"], schema = cloudevents, body_limit = 64)]
async fn orders(_event: CloudEvent<Value>) {}

#[webhook(schema = eventgrid, subscriptions = ["orders"])]
async fn grid(_event: EventGridEvent<Value>) {}

fn app() -> Router {
    Router::new()
        .route("/orders", orders::route())
        .route(
            "/secured",
            orders::route_with(orders::config().with_credentials(Credentials::new().bearer("t"))),
        )
        .route("/grid", grid::route())
}

/// The status and the `Connection` header of the answer.
async fn answer(path: &str, headers: &[(&str, &str)], body: &str) -> (StatusCode, Option<String>) {
    let mut request = Request::post(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let connection = response
        .headers()
        .get("connection")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status(), connection)
}

const CE: (&str, &str) = ("content-type", "application/cloudevents+json");
const EVENT: &str = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1}"#;

#[tokio::test]
async fn d20_refusals_before_the_body_close_the_connection() {
    let close = Some("close".to_owned());
    assert_eq!(
        answer("/secured", &[CE], EVENT).await,
        (StatusCode::UNAUTHORIZED, close.clone())
    );
    assert_eq!(
        answer("/orders", &[("content-type", "text/plain")], "x").await,
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, close.clone())
    );
    let large = format!("{{\"pad\":\"{}\"}}", "x".repeat(100));
    assert_eq!(
        answer("/orders", &[CE], &large).await,
        (StatusCode::PAYLOAD_TOO_LARGE, close.clone())
    );
    assert_eq!(
        answer("/grid", &[("aeg-subscription-name", "other")], "[]").await,
        (StatusCode::FORBIDDEN, close.clone())
    );
    assert_eq!(
        answer(
            "/grid",
            &[
                ("aeg-subscription-name", "orders"),
                ("content-type", "text/xml")
            ],
            "<x/>"
        )
        .await,
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, close)
    );
}

#[tokio::test]
async fn d20_refusals_after_the_body_keep_the_connection() {
    assert_eq!(
        answer("/orders", &[CE], "{").await,
        (StatusCode::BAD_REQUEST, None)
    );
    assert_eq!(
        answer("/orders", &[CE], EVENT).await,
        (StatusCode::NO_CONTENT, None)
    );
    assert_eq!(
        answer("/grid", &[("aeg-subscription-name", "orders")], "[{}]").await,
        (StatusCode::BAD_REQUEST, None)
    );
}
