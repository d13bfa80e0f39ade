//! The same power without the macro: the quickstart's `/cloudevents` route written with
//! `route::cloudevents` around an ordinary handler answers every request exactly as the
//! `#[webhook]` version does, and the extractors (`CloudEvent<T>`, `CloudEventBatch<T>`,
//! `Incoming<T>`, `EventGridEvents<T>`) decode as the routes do in plain axum handlers.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::routing::post;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;
use webhook_runtime::extract::{CloudEventBatch, EventGridEvents};
use webhook_runtime::{AllowedOrigins, CloudEvent, Config, Incoming, Outcome, route, webhook};

/// The quickstart's order data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Order {
    order_id: String,
    amount: f64,
}

/// What a handler saw: (id, order id).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, String)>>>);

impl Seen {
    fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// The macro version, as in the quickstart.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn with_macro(event: CloudEvent<Order>, State(seen): State<Seen>) {
    seen.0
        .lock()
        .unwrap()
        .push((event.id().to_owned(), event.data().order_id.clone()));
}

/// The same handler, an ordinary function.
async fn ordinary(event: CloudEvent<Order>, State(seen): State<Seen>, _headers: HeaderMap) {
    seen.0
        .lock()
        .unwrap()
        .push((event.id().to_owned(), event.data().order_id.clone()));
}

fn macro_app(seen: &Seen) -> Router {
    Router::new()
        .route("/cloudevents", with_macro::route())
        .with_state(seen.clone())
}

fn builder_app(seen: &Seen) -> Router {
    let config = Config::new()
        .with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap())
        .with_rate(120);
    Router::new()
        .route("/cloudevents", route::cloudevents(config, ordinary))
        .with_state(seen.clone())
}

/// An answer, with the headers that matter to a sender.
#[derive(Debug, PartialEq)]
struct Answer {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: String,
}

async fn answer(app: Router, request: Request<Body>) -> Answer {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = [
        "allow",
        "webhook-allowed-origin",
        "webhook-allowed-rate",
        "content-type",
        "retry-after",
        "cache-control",
    ]
    .iter()
    .filter_map(|name| {
        response
            .headers()
            .get(*name)
            .map(|v| (name.to_string(), v.to_str().unwrap().to_owned()))
    })
    .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn order(id: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "/shop", "type": "order.created",
           "data": {"order_id": format!("o-{id}"), "amount": 9.5}})
}

/// A request each time (bodies are consumed): method, path, headers, body.
type Case = (&'static str, Method, Vec<(&'static str, String)>, Vec<u8>);

fn cases() -> Vec<Case> {
    let ce = || ("content-type", "application/cloudevents+json".to_owned());
    let origin = |o: &str| ("webhook-request-origin", o.to_owned());
    vec![
        ("handshake", Method::OPTIONS, vec![origin("eventemitter.example.com"), ("webhook-request-rate", "300".into())], vec![]),
        ("handshake, other case", Method::OPTIONS, vec![origin("EventEmitter.Example.com")], vec![]),
        ("refused origin", Method::OPTIONS, vec![origin("evil.example.net")], vec![]),
        ("no origin", Method::OPTIONS, vec![], vec![]),
        ("bad rate", Method::OPTIONS, vec![origin("eventemitter.example.com"), ("webhook-request-rate", "0".into())], vec![]),
        ("structured", Method::POST, vec![ce()], order("1").to_string().into_bytes()),
        ("binary", Method::POST, vec![
            ("ce-specversion", "1.0".into()), ("ce-id", "2".into()), ("ce-source", "/shop".into()),
            ("ce-type", "order.created".into()), ("content-type", "application/json".into())],
            br#"{"order_id":"o-2","amount":1}"#.to_vec()),
        ("batch", Method::POST, vec![("content-type", "application/cloudevents-batch+json".into())],
            json!([order("3"), order("4")]).to_string().into_bytes()),
        ("malformed", Method::POST, vec![ce()], b"{\"specversion\":".to_vec()),
        ("missing id", Method::POST, vec![ce()],
            json!({"specversion": "1.0", "source": "/s", "type": "t", "data": {}}).to_string().into_bytes()),
        ("wrong data", Method::POST, vec![ce()],
            json!({"specversion": "1.0", "id": "5", "source": "/s", "type": "t", "data": {"order_id": 1}}).to_string().into_bytes()),
        ("not a CloudEvent", Method::POST, vec![("content-type", "text/plain".into())], b"hello".to_vec()),
        ("too large", Method::POST, vec![ce()], vec![b' '; 1024 * 1024 + 1]),
        ("GET", Method::GET, vec![], vec![]),
        ("access_token answer is private", Method::POST, vec![ce()], order("6").to_string().into_bytes()),
    ]
}

fn request((name, method, headers, body): Case) -> Request<Body> {
    let path = if name.starts_with("access_token") {
        "/cloudevents?access_token=t"
    } else {
        "/cloudevents"
    };
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn builder_route_answers_exactly_as_the_macro_route() {
    let (seen_macro, seen_builder) = (Seen::default(), Seen::default());
    for (case, again) in cases().into_iter().zip(cases()) {
        let name = case.0;
        let by_macro = answer(macro_app(&seen_macro), request(case)).await;
        let by_builder = answer(builder_app(&seen_builder), request(again)).await;
        assert_eq!(by_macro, by_builder, "{name}");
        assert_eq!(
            seen_macro.take(),
            seen_builder.take(),
            "{name}: handler calls"
        );
    }
}

#[tokio::test]
async fn builder_route_is_not_trivially_equal() {
    // The comparison above can fail: a route with another origin answers differently.
    let config = Config::new().with_origins(AllowedOrigins::parse(["other.example.com"]).unwrap());
    let other = Router::new()
        .route("/cloudevents", route::cloudevents(config, ordinary))
        .with_state(Seen::default());
    let case = cases().remove(0);
    let by_macro = answer(macro_app(&Seen::default()), request(cases().remove(0))).await;
    let by_other = answer(other, request(case)).await;
    assert_ne!(by_macro, by_other);
}

// ---------------------------------------------------------------------------------------------
// Extractors in plain axum handlers.

async fn one(State(seen): State<Seen>, event: CloudEvent<Order>) -> Outcome {
    seen.0
        .lock()
        .unwrap()
        .push((event.id().to_owned(), event.data().order_id.clone()));
    Outcome::Ack
}

async fn many(State(seen): State<Seen>, CloudEventBatch(events): CloudEventBatch<Order>) {
    for event in events {
        seen.0
            .lock()
            .unwrap()
            .push((event.id().to_owned(), event.data().order_id.clone()));
    }
}

async fn incoming(State(seen): State<Seen>, incoming: Incoming<Order>) {
    let id = match &incoming {
        Incoming::Event(event) => event.id().to_owned(),
        Incoming::Message(_) => "plain".to_owned(),
    };
    seen.0
        .lock()
        .unwrap()
        .push((id, incoming.data().order_id.clone()));
}

async fn grid(State(seen): State<Seen>, EventGridEvents(events): EventGridEvents<Order>) {
    for event in events {
        seen.0
            .lock()
            .unwrap()
            .push((event.id().to_owned(), event.data().order_id.clone()));
    }
}

fn extractor_app(seen: &Seen) -> Router {
    Router::new()
        .route("/one", post(one))
        .route("/many", post(many))
        .route("/incoming", post(incoming))
        .route("/grid", post(grid))
        .with_state(seen.clone())
}

async fn post_to(app: Router, path: &str, content_type: &str, body: String) -> Answer {
    let request = Request::post(path)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    answer(app, request).await
}

#[tokio::test]
async fn extractors_decode_as_the_routes_do() {
    let seen = Seen::default();
    let app = extractor_app(&seen);
    let ce = "application/cloudevents+json";
    let batch = "application/cloudevents-batch+json";
    let ok = post_to(app.clone(), "/one", ce, order("1").to_string()).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(seen.take(), [("1".to_owned(), "o-1".to_owned())]);
    // The same refusals as the route, with the same reasons.
    let seen_route = Seen::default();
    for (content_type, body) in [
        (ce, "{\"specversion\":".to_owned()),
        (ce, json!({"specversion": "1.0", "source": "/s", "type": "t"}).to_string()),
        ("text/plain", "hello".to_owned()),
        (ce, json!({"specversion": "1.0", "id": "5", "source": "/s", "type": "t", "data": {"order_id": 1}}).to_string()),
    ] {
        let by_extractor = post_to(app.clone(), "/one", content_type, body.clone()).await;
        let by_route = post_to(builder_app(&seen_route), "/cloudevents", content_type, body).await;
        assert_eq!(by_extractor.status, by_route.status);
        assert_eq!(by_extractor.body, by_route.body);
    }
    assert!(seen.take().is_empty(), "the handler never saw a bad event");
    // A batch to a single-event extractor is refused; the batch extractor takes it.
    let two = json!([order("2"), order("3")]).to_string();
    assert_eq!(
        post_to(app.clone(), "/one", batch, two.clone())
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_to(app.clone(), "/many", batch, two).await.status,
        StatusCode::OK,
        "plain axum answers `()` with 200; only the routes apply D6"
    );
    assert_eq!(seen.take().len(), 2);
    // One bad event rejects the whole batch (D8).
    let bad = json!([order("4"), {"specversion": "1.0", "id": "5"}]).to_string();
    let answer = post_to(app.clone(), "/many", batch, bad).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.starts_with("event 1"), "{}", answer.body);
    assert!(seen.take().is_empty());
    // Plain messages.
    let plain = post_to(
        app.clone(),
        "/incoming",
        "application/json",
        json!({"order_id": "o-p", "amount": 1}).to_string(),
    )
    .await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(seen.take(), [("plain".to_owned(), "o-p".to_owned())]);
}

#[tokio::test]
async fn event_grid_extractor_answers_validation_and_hands_notifications() {
    let seen = Seen::default();
    let app = extractor_app(&seen);
    let validation = json!([{
        "id": "v", "subject": "", "eventTime": "2026-11-24T10:00:00Z", "dataVersion": "2",
        "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
        "data": {"validationCode": "abc-123"}
    }]);
    let request = Request::post("/grid")
        .header("aeg-event-type", "SubscriptionValidation")
        .header("content-type", "application/json")
        .body(Body::from(validation.to_string()))
        .unwrap();
    let answer = answer(app.clone(), request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, r#"{"validationResponse":"abc-123"}"#);
    assert!(seen.take().is_empty());
    let events = json!([{"id": "g1", "subject": "s", "eventType": "order.created",
        "eventTime": "2026-11-24T10:00:00Z", "dataVersion": "1",
        "data": {"order_id": "o-g", "amount": 2}}]);
    let notified = post_to(app.clone(), "/grid", "application/json", events.to_string()).await;
    assert_eq!(notified.status, StatusCode::OK);
    assert_eq!(seen.take(), [("g1".to_owned(), "o-g".to_owned())]);
    let refused = post_to(app, "/grid", "text/xml", "<x/>".to_owned()).await;
    assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
