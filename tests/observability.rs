//! What a webhook route tells its operators: one `tracing` span per request with route, sender,
//! mode, event count, first event, status and rejection reason, one `info` line per request, the
//! default dead-letter line, and no secret anywhere (D15): credentials, the `access_token`
//! query parameter and Event Grid validation codes never reach a log line, a span field or a
//! `Debug` output. (The counters of feature `metrics`: `webhook-runtime/tests/metrics.rs`.)

pub mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};
use tower::ServiceExt;
use tracing_subscriber::fmt::MakeWriter;
use webhook_runtime::auth::Credentials;
use webhook_runtime::eventgrid::ValidationRequest;
use webhook_runtime::{CloudEvent, CloudEventsConfig, EventGridEvent, Outcome, webhook};

use common::credentials::basic;

const PASSWORD: &str = "pw-Zq81-basic-secret";
const TOKEN: &str = "tok-Lk55-bearer-secret";
const QUERY_TOKEN: &str = "qt-Xy77-query-secret";
const API_KEY: &str = "key-Mm42-api-secret";
const WRONG: &str = "wrong-Pp93-guess-secret";
const CODE: &str = "code-Vv19-validation-secret";

/// Everything the subscriber writes, in one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Runs `test` on a current-thread runtime with a TRACE subscriber writing into a buffer, and
/// returns what was written.
fn capture<F: Future<Output = ()>>(test: impl FnOnce() -> F) -> String {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || runtime.block_on(test()));
    captured.text()
}

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(event: CloudEvent<Value>) -> Outcome {
    match event.data().as_str() {
        Some("bad") => Outcome::reject("the order is not valid"),
        _ => Outcome::Ack,
    }
}

#[webhook(origins = ["*"], schema = cloudevents, sender = sap_event_mesh)]
async fn mesh(event: CloudEvent<Value>) -> Outcome {
    match event.data().as_str() {
        Some("bad") => Outcome::reject("poison message"),
        _ => Outcome::Ack,
    }
}

#[webhook(schema = eventgrid)]
async fn grid(_event: EventGridEvent<Value>) {}

fn credentials() -> Credentials {
    Credentials::new()
        .basic("user", PASSWORD)
        .bearer(TOKEN)
        .bearer(QUERY_TOKEN)
        .api_key("x-api-key", API_KEY)
        .unwrap()
}

fn app() -> Router {
    Router::new()
        .route(
            "/orders",
            orders::route_with(orders::config().with_credentials(credentials())),
        )
        .route("/mesh", mesh::route())
        .route(
            "/grid",
            grid::route_with(grid::config().with_credentials(credentials())),
        )
}

fn event(id: &str, data: &str) -> String {
    json!({"specversion": "1.0", "id": id, "source": "/s", "type": "order.created", "data": data})
        .to_string()
}

async fn send(request: Request<Body>) -> StatusCode {
    app().oneshot(request).await.unwrap().status()
}

/// Requests that carry every kind of secret, accepted and refused.
async fn secret_bearing_requests() {
    let ce = "application/cloudevents+json";
    let handshake = Request::options("/orders")
        .header("authorization", basic("user", PASSWORD))
        .header("webhook-request-origin", "eventemitter.example.com")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(handshake).await, StatusCode::OK);
    let bearer = Request::post("/orders")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", ce)
        .body(Body::from(event("e-1", "ok")))
        .unwrap();
    assert_eq!(send(bearer).await, StatusCode::NO_CONTENT);
    let query = Request::post(format!("/orders?access_token={QUERY_TOKEN}&x=1"))
        .header("content-type", ce)
        .body(Body::from(event("e-2", "ok")))
        .unwrap();
    assert_eq!(send(query).await, StatusCode::NO_CONTENT);
    let api_key = Request::post("/orders")
        .header("x-api-key", API_KEY)
        .header("content-type", ce)
        .body(Body::from(event("e-3", "bad")))
        .unwrap();
    assert_eq!(send(api_key).await, StatusCode::BAD_REQUEST);
    for authorization in [basic("user", WRONG), format!("Bearer {WRONG}")] {
        let refused = Request::post("/orders")
            .header("authorization", authorization)
            .header("content-type", ce)
            .body(Body::from(event("e-4", "ok")))
            .unwrap();
        assert_eq!(send(refused).await, StatusCode::UNAUTHORIZED);
    }
    let refused = Request::post(format!("/orders?access_token={WRONG}"))
        .header("content-type", ce)
        .body(Body::from(event("e-5", "ok")))
        .unwrap();
    assert_eq!(send(refused).await, StatusCode::UNAUTHORIZED);
    let validation = json!([{
        "id": "v-1", "topic": "/t", "subject": "", "eventTime": "2026-11-24T10:00:00Z",
        "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent", "dataVersion": "2",
        "data": {"validationCode": CODE,
                 "validationUrl": format!("https://rp.eventgrid.azure.net/validate?code={CODE}")}
    }]);
    let validation = Request::post(format!("/grid?access_token={QUERY_TOKEN}"))
        .header("aeg-event-type", "SubscriptionValidation")
        .header("content-type", "application/json")
        .body(Body::from(validation.to_string()))
        .unwrap();
    assert_eq!(send(validation).await, StatusCode::OK);
}

#[test]
fn d15_no_secret_in_any_log_line_or_span_field() {
    let log = capture(secret_bearing_requests);
    for secret in [PASSWORD, TOKEN, QUERY_TOKEN, API_KEY, WRONG, CODE] {
        assert!(!log.contains(secret), "`{secret}` was logged:\n{log}");
    }
    let basic_blob = base64::engine::general_purpose::STANDARD.encode(format!("user:{PASSWORD}"));
    assert!(
        !log.contains(&basic_blob),
        "the Basic credentials were logged"
    );
    assert!(
        !log.contains("access_token"),
        "the query was logged:\n{log}"
    );
    // The log is not empty: every request has its line (the check above can fail).
    assert_eq!(
        log.matches("webhook request answered").count(),
        8,
        "one line per request:\n{log}"
    );
}

#[test]
fn d15_debug_output_hides_secrets() {
    let config = CloudEventsConfig::new().with_credentials(credentials());
    let request: ValidationRequest = serde_json::from_value(json!({
        "validationCode": CODE,
        "validationUrl": format!("https://rp.eventgrid.azure.net/validate?code={CODE}"),
    }))
    .unwrap();
    let debug = format!("{config:?} {:?} {request:?}", credentials());
    for secret in [PASSWORD, TOKEN, QUERY_TOKEN, API_KEY, CODE] {
        assert!(!debug.contains(secret), "`{secret}` in Debug: {debug}");
    }
    assert!(debug.contains("ValidationRequest"), "{debug}");
}

/// The line of the request whose span has `field`.
fn line_with<'a>(log: &'a str, field: &str) -> &'a str {
    log.lines()
        .find(|line| line.contains("webhook request answered") && line.contains(field))
        .unwrap_or_else(|| panic!("no answered line with {field}:\n{log}"))
}

#[test]
fn span_has_route_sender_mode_events_first_event_and_status() {
    let log = capture(|| async {
        let batch = format!("[{},{}]", event("b-1", "ok"), event("b-2", "ok"));
        let request = Request::post("/orders")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/cloudevents-batch+json")
            .body(Body::from(batch))
            .unwrap();
        assert_eq!(send(request).await, StatusCode::NO_CONTENT);
    });
    let line = line_with(&log, "first_id=");
    for field in [
        "route=\"/orders\"",
        "sender=\"cloudevents\"",
        "mode=\"batch\"",
        "events=2",
        "first_id=\"b-1\"",
        "first_type=\"order.created\"",
        "status=204",
    ] {
        assert!(line.contains(field), "{field} missing in: {line}");
    }
    assert!(line.contains(" INFO "), "answered at info: {line}");
}

#[test]
fn span_has_the_rejection_reason() {
    let log = capture(|| async {
        let request = Request::post("/orders")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "text/plain")
            .body(Body::from("hello"))
            .unwrap();
        assert_eq!(send(request).await, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let request = Request::options("/orders")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("webhook-request-origin", "evil.example.net")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(request).await, StatusCode::FORBIDDEN);
    });
    let line = line_with(&log, "status=415");
    assert!(line.contains("reason=\"not a CloudEvent"), "{line}");
    let line = line_with(&log, "status=403");
    assert!(line.contains("mode=\"handshake\""), "{line}");
    assert!(line.contains("reason="), "{line}");
    assert!(
        !line.contains("evil.example.net"),
        "a refused origin is never echoed: {line}"
    );
}

/// Bounded echoes: the span records at most the first 64 bytes of an accepted event's `id` and
/// `type` (marked `…`), and of a value a rejection reason quotes, so a 500 KB value is not a
/// 500 KB log line.
#[test]
fn bounded_echo_span_fields_and_reason_record_64_bytes_of_a_500_kb_value() {
    let long_id = "I".repeat(500_000);
    let long_type = "T".repeat(500_000);
    let log = capture(|| async {
        let accepted = json!({
            "specversion": "1.0", "id": long_id, "source": "/s", "type": long_type, "data": "ok",
        });
        let request = Request::post("/orders")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/cloudevents+json")
            .body(Body::from(accepted.to_string()))
            .unwrap();
        assert_eq!(send(request).await, StatusCode::NO_CONTENT);
        let refused = json!({
            "specversion": "S".repeat(500_000), "id": "r-1", "source": "/s", "type": "t",
        });
        let request = Request::post("/orders")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/cloudevents+json")
            .body(Body::from(refused.to_string()))
            .unwrap();
        assert_eq!(send(request).await, StatusCode::BAD_REQUEST);
    });
    let line = line_with(&log, "status=204");
    let id = format!("first_id=\"{}…\"", &long_id[..64]);
    let ty = format!("first_type=\"{}…\"", &long_type[..64]);
    assert!(
        line.contains(&id) && line.contains(&ty),
        "{}",
        &line[..line.len().min(600)]
    );
    let line = line_with(&log, "status=400");
    let reason = format!("unsupported specversion `{}…`", "S".repeat(64));
    assert!(line.contains(&reason), "{}", &line[..line.len().min(600)]);
    assert!(log.len() < 20_000, "{} bytes of log", log.len());
}

#[test]
fn span_has_the_outcome_reason_and_event_grid_validation_mode() {
    let log = capture(|| async {
        let request = Request::post("/orders")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/cloudevents+json")
            .body(Body::from(event("x-1", "bad")))
            .unwrap();
        assert_eq!(send(request).await, StatusCode::BAD_REQUEST);
        secret_bearing_requests().await;
    });
    let line = line_with(&log, "first_id=\"x-1\"");
    assert!(line.contains("reason=\"the order is not valid\""), "{line}");
    let line = line_with(&log, "mode=\"validation\"");
    assert!(line.contains("sender=\"eventgrid\""), "{line}");
    assert!(line.contains("status=200"), "{line}");
}

#[test]
fn s6_default_dead_letter_hook_logs_a_warning() {
    let log = capture(|| async {
        let request = Request::post("/mesh")
            .header("content-type", "application/cloudevents+json")
            .body(Body::from(event("p-1", "bad")))
            .unwrap();
        assert_eq!(send(request).await, StatusCode::NO_CONTENT);
    });
    let line = log
        .lines()
        .find(|line| line.contains("dead letter"))
        .unwrap_or_else(|| panic!("no dead-letter line:\n{log}"));
    assert!(line.contains(" WARN "), "{line}");
    assert!(line.contains("id=\"p-1\""), "{line}");
    assert!(line.contains("reason=\"poison message\""), "{line}");
}

/// D24/D15: bearer JWTs, accepted and refused (expired, another audience, a missing scope, keys
/// that cannot be fetched), leave no token, no part of one and no claim value in the log, the
/// key cache's warning about the unreachable key server included. Against a real issuer
/// (`common::issuer`); prints `SKIPPED` where Node cannot run it.
#[test]
fn d24_no_token_or_claim_value_in_any_log_line() {
    use webhook_runtime::auth::jwt::JwtPolicy;

    let issuer = match common::issuer::Issuer::start() {
        Ok(issuer) => issuer,
        Err(skip) => return eprintln!("SKIPPED: {}", skip.0),
    };
    const AUDIENCE: &str = "aud-Hh23-claim-secret";
    const SUBJECT: &str = "sub-Qq11-claim-secret";
    const CALLER: &str = "azp-Ww47-claim-secret";
    let claims = |more: Value| {
        let mut claims = json!({ "aud": AUDIENCE, "sub": SUBJECT, "azp": CALLER });
        claims
            .as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        claims
    };
    let valid = issuer.token(claims(json!({ "scope": "orders.deliver" })));
    let expired = issuer.token(claims(json!({ "scope": "orders.deliver", "exp": 1 })));
    let unscoped = issuer.token(claims(json!({})));
    let other_audience = issuer.token(json!({ "aud": "another", "sub": SUBJECT }));
    let verifier = JwtPolicy::oidc(issuer.url(), AUDIENCE)
        .require_scope("orders.deliver")
        .refresh_interval(std::time::Duration::ZERO)
        .build()
        .unwrap();
    let app = Router::new().route(
        "/mesh",
        mesh::route_with(mesh::config().with_jwt(verifier.clone())),
    );
    // The keys are fetched before the issuer rotates, so the next token's kid is unknown.
    let verified = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(verifier.verify(&valid));
    assert!(verified.is_ok());
    issuer.rotate();
    let unknown_key = issuer.token(claims(json!({ "scope": "orders.deliver" })));
    let tokens = [&valid, &expired, &unscoped, &other_audience, &unknown_key];
    let log = capture(|| async {
        let ce = "application/cloudevents+json";
        let post = |token: &str, query: bool| {
            let uri = if query {
                format!("/mesh?access_token={token}")
            } else {
                "/mesh".to_owned()
            };
            let mut request = Request::post(uri).header("content-type", ce);
            if !query {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            request.body(Body::from(event("t-1", "ok"))).unwrap()
        };
        let status = |request: Request<Body>| {
            let app = app.clone();
            async move { app.oneshot(request).await.unwrap().status() }
        };
        assert_eq!(status(post(&valid, false)).await, StatusCode::NO_CONTENT);
        assert_eq!(status(post(&valid, true)).await, StatusCode::NO_CONTENT);
        assert_eq!(
            status(post(&expired, false)).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(post(&other_audience, true)).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status(post(&unscoped, false)).await, StatusCode::FORBIDDEN);
        issuer.stop_keys();
        let down = status(post(&unknown_key, false)).await;
        assert_eq!(down, StatusCode::SERVICE_UNAVAILABLE);
    });
    for token in tokens {
        for part in token.split('.') {
            assert!(!log.contains(part), "a part of a token was logged:\n{log}");
        }
    }
    for value in [AUDIENCE, SUBJECT, CALLER, "orders.deliver"] {
        assert!(!log.contains(value), "`{value}` was logged:\n{log}");
    }
    assert_eq!(
        log.matches("webhook request answered").count(),
        6,
        "one line per request:\n{log}"
    );
    assert!(
        log.contains("key set could not be fetched"),
        "the key server's outage is logged:\n{log}"
    );
}
