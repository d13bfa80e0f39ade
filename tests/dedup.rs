//! Deduplication of redelivered events with the in-memory store (D8), over HTTP through
//! `tower::ServiceExt::oneshot`: keys (`source`, `id`) for CloudEvents and `id` for Event Grid,
//! failures not recorded, concurrent duplicates handled once, memory bounded.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tower::ServiceExt;
use webhook_runtime::dedup::{Dedup, MemoryStore};
use webhook_runtime::{CloudEvent, EventGridEvent, Incoming, Outcome, webhook};

/// What the handlers share: a call counter, and a gate a slow handler waits on.
#[derive(Clone, Default)]
struct Calls {
    count: Arc<AtomicUsize>,
    gate: Arc<Notify>,
    entered: Arc<Notify>,
}

impl Calls {
    fn get(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

/// Handles an event; data `"fail"` answers 500, `"retry"` an `Outcome::Retry`, `"slow"` waits
/// for the gate.
async fn handle(calls: &Calls, data: &Value) -> Result<Outcome, StatusCode> {
    calls.count.fetch_add(1, Ordering::SeqCst);
    match data.as_str() {
        Some("fail") => Err(StatusCode::INTERNAL_SERVER_ERROR),
        Some("retry") => Ok(Outcome::retry()),
        Some("slow") => {
            calls.entered.notify_one();
            calls.gate.notified().await;
            Ok(Outcome::Ack)
        }
        _ => Ok(Outcome::Ack),
    }
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn orders(
    event: CloudEvent<Value>,
    State(calls): State<Calls>,
) -> Result<Outcome, StatusCode> {
    handle(&calls, event.data()).await
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn whole(events: Vec<CloudEvent<Value>>, State(calls): State<Calls>) -> StatusCode {
    calls.count.fetch_add(events.len(), Ordering::SeqCst);
    StatusCode::NO_CONTENT
}

#[webhook(schema = eventgrid)]
async fn grid(
    event: EventGridEvent<Value>,
    State(calls): State<Calls>,
) -> Result<Outcome, StatusCode> {
    handle(&calls, event.data()).await
}

#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn mixed(
    incoming: Incoming<Value>,
    State(calls): State<Calls>,
) -> Result<Outcome, StatusCode> {
    handle(&calls, incoming.data()).await
}

fn dedup() -> Dedup {
    Dedup::new(MemoryStore::new(1000), Duration::from_secs(600))
}

fn app(calls: &Calls) -> Router {
    Router::new()
        .route(
            "/orders",
            orders::route_with(orders::config().with_dedup(dedup())),
        )
        .route(
            "/other",
            orders::route_with(orders::config().with_dedup(dedup())),
        )
        .route(
            "/whole",
            whole::route_with(whole::config().with_dedup(dedup())),
        )
        .route(
            "/grid",
            grid::route_with(grid::config().with_dedup(dedup())),
        )
        .route(
            "/mixed",
            mixed::route_with(mixed::config().with_dedup(dedup())),
        )
        .with_state(calls.clone())
}

fn event(source: &str, id: &str, data: &str) -> Value {
    json!({"specversion": "1.0", "id": id, "source": source, "type": "t", "data": data})
}

async fn send(app: &Router, path: &str, content_type: &str, body: &Value) -> StatusCode {
    let request = Request::post(path)
        .header("content-type", content_type)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.clone().oneshot(request).await.unwrap().status()
}

async fn structured(app: &Router, source: &str, id: &str, data: &str) -> StatusCode {
    send(
        app,
        "/orders",
        "application/cloudevents+json",
        &event(source, id, data),
    )
    .await
}

#[tokio::test]
async fn d8_redelivery_of_a_handled_cloudevent_is_acknowledged_without_the_handler() {
    let calls = Calls::default();
    let app = app(&calls);
    assert_eq!(
        structured(&app, "/s", "1", "ok").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        structured(&app, "/s", "1", "ok").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 1, "the redelivery did not call the handler");
    // Binary mode carries the same event: still a duplicate.
    let request = Request::post("/orders")
        .header("ce-specversion", "1.0")
        .header("ce-id", "1")
        .header("ce-source", "/s")
        .header("ce-type", "t")
        .header("content-type", "application/json")
        .body(Body::from("\"ok\""))
        .unwrap();
    assert_eq!(
        app.clone().oneshot(request).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn d8_key_is_source_and_id_within_the_route() {
    let calls = Calls::default();
    let app = app(&calls);
    structured(&app, "/s", "1", "ok").await;
    structured(&app, "/other-source", "1", "ok").await;
    structured(&app, "/s", "2", "ok").await;
    assert_eq!(
        calls.get(),
        3,
        "same id from another source, or another id: new events"
    );
    // Another route with its own store is not affected.
    send(
        &app,
        "/other",
        "application/cloudevents+json",
        &event("/s", "1", "ok"),
    )
    .await;
    assert_eq!(calls.get(), 4);
}

#[tokio::test]
async fn d8_a_failed_event_is_not_recorded_so_its_redelivery_runs_again() {
    let calls = Calls::default();
    let app = app(&calls);
    assert_eq!(
        structured(&app, "/s", "f", "fail").await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        structured(&app, "/s", "f", "fail").await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        structured(&app, "/s", "r", "retry").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        structured(&app, "/s", "r", "retry").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(calls.get(), 4, "every failed delivery ran the handler");
}

#[tokio::test]
async fn d8_concurrent_deliveries_of_one_event_call_the_handler_once() {
    let calls = Calls::default();
    let app = app(&calls);
    let first = tokio::spawn({
        let app = app.clone();
        async move { structured(&app, "/s", "slow-1", "slow").await }
    });
    calls.entered.notified().await;
    // While the first is being handled, a duplicate is told to come back later.
    let second = structured(&app, "/s", "slow-1", "slow").await;
    assert_eq!(second, StatusCode::SERVICE_UNAVAILABLE);
    calls.gate.notify_one();
    assert_eq!(first.await.unwrap(), StatusCode::NO_CONTENT);
    // Once done, the redelivery is acknowledged without a call.
    assert_eq!(
        structured(&app, "/s", "slow-1", "slow").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn d8_a_request_dropped_mid_handler_releases_its_claim() {
    let calls = Calls::default();
    let app = app(&calls);
    let first = tokio::spawn({
        let app = app.clone();
        async move { structured(&app, "/s", "gone", "slow").await }
    });
    calls.entered.notified().await;
    first.abort();
    let _ = first.await;
    // The sender's redelivery is handled (not refused as in flight).
    assert_eq!(
        structured(&app, "/s", "gone", "ok").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 2);
}

#[tokio::test]
async fn d8_batch_per_event_skips_handled_events_and_stops_at_a_failure() {
    let calls = Calls::default();
    let app = app(&calls);
    let batch = |events: Vec<Value>| Value::Array(events);
    let ct = "application/cloudevents-batch+json";
    let first = batch(vec![
        event("/s", "b0", "ok"),
        event("/s", "b1", "fail"),
        event("/s", "b2", "ok"),
    ]);
    assert_eq!(
        send(&app, "/orders", ct, &first).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(calls.get(), 2, "b0 handled, b1 failed, b2 not reached");
    // Redelivered with b1 fixed: b0 is skipped, b1 and b2 run.
    let again = batch(vec![
        event("/s", "b0", "ok"),
        event("/s", "b1", "ok"),
        event("/s", "b2", "ok"),
    ]);
    assert_eq!(
        send(&app, "/orders", ct, &again).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 4);
    assert_eq!(
        send(&app, "/orders", ct, &again).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 4, "all three handled: nothing runs");
}

#[tokio::test]
async fn d8_whole_batch_handler_gets_only_new_events() {
    let calls = Calls::default();
    let app = app(&calls);
    let ct = "application/cloudevents-batch+json";
    let batch = json!([event("/s", "w0", "a"), event("/s", "w1", "b")]);
    send(&app, "/whole", ct, &batch).await;
    assert_eq!(calls.get(), 2);
    let more = json!([event("/s", "w1", "b"), event("/s", "w2", "c")]);
    assert_eq!(
        send(&app, "/whole", ct, &more).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 3, "only w2 was new");
    assert_eq!(
        send(&app, "/whole", ct, &more).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(calls.get(), 3, "nothing new: not called");
}

#[tokio::test]
async fn d8_event_grid_events_are_keyed_by_id() {
    let calls = Calls::default();
    let app = app(&calls);
    let grid_event = |id: &str, topic: &str| {
        json!({"id": id, "topic": topic, "subject": "s", "eventType": "t",
               "eventTime": "2026-11-24T10:00:00Z", "dataVersion": "1", "data": "ok"})
    };
    let first = json!([grid_event("g1", "/a"), grid_event("g2", "/a")]);
    assert_eq!(
        send(&app, "/grid", "application/json", &first).await,
        StatusCode::OK
    );
    assert_eq!(calls.get(), 2);
    let again = json!([grid_event("g1", "/other-topic"), grid_event("g3", "/a")]);
    assert_eq!(
        send(&app, "/grid", "application/json", &again).await,
        StatusCode::OK
    );
    assert_eq!(calls.get(), 3, "g1 again (any topic) skipped, g3 new");
}

#[tokio::test]
async fn d8_plain_messages_have_no_id_and_are_always_handled() {
    let calls = Calls::default();
    let app = app(&calls);
    for _ in 0..2 {
        assert_eq!(
            send(&app, "/mixed", "application/json", &json!("ok")).await,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(calls.get(), 2);
}

/// Gates for [`leased`]: a handler whose data names a gate announces that it runs, then waits
/// for its gate.
#[derive(Clone, Default)]
struct Gates {
    calls: Arc<AtomicUsize>,
    gates: Arc<std::collections::HashMap<&'static str, (Notify, Notify)>>,
}

impl Gates {
    fn new(names: &[&'static str]) -> Self {
        let gates = names
            .iter()
            .map(|&name| (name, (Notify::new(), Notify::new())))
            .collect();
        Self {
            calls: Arc::default(),
            gates: Arc::new(gates),
        }
    }

    async fn entered(&self, name: &str) {
        self.gates[name].0.notified().await;
    }

    fn open(&self, name: &str) {
        self.gates[name].1.notify_one();
    }
}

/// Data `"fail…"` answers 500 (after its gate, if it has one); anything else 204.
#[webhook(origins = ["*"], schema = cloudevents)]
async fn leased(event: CloudEvent<Value>, State(gates): State<Gates>) -> StatusCode {
    gates.calls.fetch_add(1, Ordering::SeqCst);
    let data = event.data().as_str().unwrap_or_default();
    if let Some((entered, gate)) = gates.gates.get(data) {
        entered.notify_one();
        gate.notified().await;
    }
    if data.starts_with("fail") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

/// D8: a handler that outlasts its claim's lease and then fails does not release the key: a
/// redelivery holds it by then, and a release would let a third delivery run beside that one.
#[tokio::test]
async fn d8_a_failure_after_the_lease_leaves_a_redeliverys_claim_alone() {
    let lease = Duration::from_secs(1);
    let gates = Gates::new(&["fail-late", "slow"]);
    let app = Router::new()
        .route(
            "/leased",
            leased::route_with(leased::config().with_dedup(dedup().with_lease(lease))),
        )
        .with_state(gates.clone());
    let post = |data: &'static str| {
        let app = app.clone();
        async move {
            let body = event("/s", "leased-1", data);
            send(&app, "/leased", "application/cloudevents+json", &body).await
        }
    };

    // The first delivery is handled for longer than its lease ...
    let first = tokio::spawn(post("fail-late"));
    gates.entered("fail-late").await;
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    // ... so the sender's redelivery claims the key and is handled.
    let second = tokio::spawn(post("slow"));
    gates.entered("slow").await;
    // The first then fails.
    gates.open("fail-late");
    assert_eq!(first.await.unwrap(), StatusCode::INTERNAL_SERVER_ERROR);
    // The redelivery still holds the key: a third delivery is told to retry later.
    assert_eq!(
        post("ok").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "the lapsed claim's release removed the redelivery's claim"
    );
    gates.open("slow");
    assert_eq!(second.await.unwrap(), StatusCode::NO_CONTENT);
    assert_eq!(gates.calls.load(Ordering::SeqCst), 2);
    // Handled by the redelivery: acknowledged again, not run.
    assert_eq!(post("ok").await, StatusCode::NO_CONTENT);
    assert_eq!(gates.calls.load(Ordering::SeqCst), 2);
}
