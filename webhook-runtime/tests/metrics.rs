//! Counters of feature `metrics`, read back from the `metrics-util` debugging recorder:
//! deliveries, events, handshakes granted and refused, rejections by reason, handler failures.
//!
//! Its own test target with `required-features = ["metrics"]` (CI runs
//! `cargo test -p webhook-runtime --features metrics --test metrics`), so that the workspace's
//! other targets, the benchmarks among them, build the runtime without the feature.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use serde_json::Value;
use tower::ServiceExt;
use webhook_runtime::auth::Credentials;
use webhook_runtime::{AllowedOrigins, CloudEvent, Config, Outcome, route};

/// A counter read back: name, labels, value.
type Counter = (String, Vec<(String, String)>, u64);

/// Runs `test` with a debugging recorder installed for this thread; returns the counters.
fn counters(test: impl AsyncFnOnce()) -> Vec<Counter> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(test()));
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter_map(|(key, _, _, value)| match value {
            DebugValue::Counter(n) => {
                let key = key.key();
                let labels = key
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect();
                Some((key.name().to_owned(), labels, n))
            }
            _ => None,
        })
        .collect()
}

fn count(all: &[Counter], name: &str, label: (&str, &str)) -> u64 {
    all.iter()
        .filter(|(n, labels, _)| {
            n == name && labels.iter().any(|(k, v)| k == label.0 && v == label.1)
        })
        .map(|(_, _, n)| n)
        .sum()
}

async fn orders(event: CloudEvent<Value>) -> Outcome {
    match event.data().as_str() {
        Some("bad") => Outcome::reject("not valid"),
        _ => Outcome::Ack,
    }
}

fn app() -> Router {
    let config = Config::new()
        .with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap())
        .with_credentials(Credentials::new().bearer("secret-token"));
    Router::new().route("/orders", route::cloudevents(config, orders))
}

fn request(method: &str, headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut request = Request::builder().method(method).uri("/orders");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

const AUTH: (&str, &str) = ("authorization", "Bearer secret-token");
const CE: (&str, &str) = ("content-type", "application/cloudevents+json");

fn event(id: &str, data: &str) -> String {
    format!(r#"{{"specversion":"1.0","id":"{id}","source":"/s","type":"t","data":"{data}"}}"#)
}

#[test]
fn metrics_count_deliveries_events_handshakes_rejections_and_failures() {
    let all = counters(async || {
        let answers = [
            (
                request(
                    "OPTIONS",
                    &[AUTH, ("webhook-request-origin", "eventemitter.example.com")],
                    "",
                ),
                StatusCode::OK,
            ),
            (
                request(
                    "OPTIONS",
                    &[AUTH, ("webhook-request-origin", "evil.example.net")],
                    "",
                ),
                StatusCode::FORBIDDEN,
            ),
            (
                request("POST", &[AUTH, CE], &event("1", "ok")),
                StatusCode::NO_CONTENT,
            ),
            (
                request("POST", &[AUTH, CE], &event("2", "ok")),
                StatusCode::NO_CONTENT,
            ),
            (
                request("POST", &[AUTH, CE], &event("3", "bad")),
                StatusCode::BAD_REQUEST,
            ),
            (
                request("POST", &[CE], &event("4", "ok")),
                StatusCode::UNAUTHORIZED,
            ),
            (
                request("POST", &[AUTH, ("content-type", "text/plain")], "x"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (request("POST", &[AUTH, CE], "{"), StatusCode::BAD_REQUEST),
        ];
        for (request, expected) in answers {
            assert_eq!(app().oneshot(request).await.unwrap().status(), expected);
        }
    });
    assert_eq!(
        count(&all, "webhook_handshakes_total", ("result", "granted")),
        1
    );
    assert_eq!(
        count(&all, "webhook_handshakes_total", ("result", "refused")),
        1
    );
    assert_eq!(
        count(&all, "webhook_deliveries_total", ("route", "/orders")),
        6
    );
    assert_eq!(
        count(&all, "webhook_deliveries_total", ("status", "204")),
        2
    );
    assert_eq!(
        count(&all, "webhook_deliveries_total", ("status", "400")),
        2
    );
    assert_eq!(
        count(&all, "webhook_events_total", ("sender", "cloudevents")),
        3
    );
    assert_eq!(
        count(
            &all,
            "webhook_rejections_total",
            ("reason", "unauthenticated")
        ),
        1
    );
    assert_eq!(
        count(&all, "webhook_rejections_total", ("reason", "forbidden")),
        1
    );
    assert_eq!(
        count(
            &all,
            "webhook_rejections_total",
            ("reason", "unsupported_media_type")
        ),
        1
    );
    // The malformed body is the runtime's refusal; the handler's Reject is a handler failure.
    assert_eq!(
        count(&all, "webhook_rejections_total", ("reason", "malformed")),
        1
    );
    assert_eq!(
        count(&all, "webhook_handler_failures_total", ("route", "/orders")),
        1
    );
}

async fn statuses(event: CloudEvent<Value>) -> StatusCode {
    match event.data().as_str() {
        Some("multi") => StatusCode::MULTI_STATUS,
        Some("panic") => panic!("the handler panicked"),
        _ => StatusCode::NO_CONTENT,
    }
}

/// One route at two paths keeps its counters apart by path (the keys are made once per path),
/// and a status the runtime does not make ahead is counted too, as is a panic.
#[test]
fn metrics_label_each_path_of_a_route_and_any_status() {
    let all = counters(async || {
        let route = route::cloudevents(Config::new(), statuses);
        let app = Router::new()
            .route("/a", route.clone())
            .route("/b/{tenant}", route);
        let post = |uri: &str, data: &str| {
            Request::post(uri)
                .header(CE.0, CE.1)
                .body(Body::from(event("1", data)))
                .unwrap()
        };
        for (uri, data, expected) in [
            ("/a", "ok", StatusCode::NO_CONTENT),
            ("/b/t1", "multi", StatusCode::MULTI_STATUS),
            ("/a", "multi", StatusCode::MULTI_STATUS),
            ("/b/t2", "ok", StatusCode::NO_CONTENT),
            ("/a", "panic", StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let answer = app.clone().oneshot(post(uri, data)).await.unwrap();
            assert_eq!(answer.status(), expected, "{uri} {data}");
        }
    });
    let deliveries = |route: &str, status: &str| {
        all.iter()
            .filter(|(name, labels, _)| {
                name == "webhook_deliveries_total"
                    && labels.contains(&("route".into(), route.into()))
                    && labels.contains(&("status".into(), status.into()))
            })
            .map(|(_, _, n)| n)
            .sum::<u64>()
    };
    assert_eq!(deliveries("/a", "204"), 1);
    assert_eq!(deliveries("/a", "207"), 1);
    assert_eq!(deliveries("/a", "500"), 1);
    assert_eq!(deliveries("/b/{tenant}", "207"), 1);
    assert_eq!(deliveries("/b/{tenant}", "204"), 1);
    assert_eq!(count(&all, "webhook_events_total", ("route", "/a")), 3);
    assert_eq!(
        count(&all, "webhook_events_total", ("route", "/b/{tenant}")),
        2
    );
    assert_eq!(
        count(&all, "webhook_handler_failures_total", ("route", "/a")),
        1
    );
    assert_eq!(
        count(
            &all,
            "webhook_handler_failures_total",
            ("route", "/b/{tenant}")
        ),
        0
    );
}
