//! The testing kit (`webhook_runtime::testing`, cargo feature `testing`): every handshake verdict
//! (D17, seed 000) and every delivery next-action per sender (protocol.md §6), in process, against
//! `#[webhook]` routes shaped like the quickstart's (`Completed`, acknowledged deliveries) and
//! deliberately broken hand-written axum routes (one per failure reason).

pub mod common;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, options, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};
use webhook_runtime::auth::Credentials;
use webhook_runtime::eventgrid::EVENT_GRID_ORIGINS;
use webhook_runtime::testing::{
    Authorization, Failure, HandshakeStatus, NextAction, SimulatedDelivery, SimulatedSender,
    Subscription, Target, Violation,
};
use webhook_runtime::{CloudEvent, EventGridEvent, Incoming, webhook};

use common::PATIENCE;
use common::log::Log;
use common::process::ORIGIN;
use common::receiver::{consent, requested_origin};

const PATH: &str = "/hook";
/// A time limit short enough to produce the timeout verdict quickly (not a timing assertion).
const SHORT: Duration = Duration::from_millis(200);

// ---------------------------------------------------------------------------------------------
// Routes like the quickstart's
// ---------------------------------------------------------------------------------------------

/// The data of an order event (the quickstart's).
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // read by serde only
struct Order {
    order_id: String,
    amount: f64,
}

/// The ids (or bodies) handlers were called with, in order.
type Seen = Log<String>;

/// The quickstart's `/cloudevents`.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn cloudevents(event: CloudEvent<Order>, State(seen): State<Seen>) {
    seen.push(event.id().to_owned());
}

/// The quickstart's `/eventgrid`.
#[webhook(schema = eventgrid, subscriptions = ["quickstart"])]
async fn eventgrid(event: EventGridEvent, State(seen): State<Seen>) {
    seen.push(event.id().to_owned());
}

/// The quickstart's `/eventmesh` (credentials added at run time), also taking plain messages.
#[webhook(origins = ["*"], schema = cloudevents, plain = true)]
async fn eventmesh(incoming: Incoming<Order>, State(seen): State<Seen>) {
    match incoming {
        Incoming::Event(event) => seen.push(event.id().to_owned()),
        Incoming::Message(message) => seen.push(format!("plain {}", message.data().order_id)),
    }
}

/// A CloudEvents route that Event Grid (CloudEvents schema) delivers to.
#[webhook(schema = cloudevents, origins = EVENT_GRID_ORIGINS)]
async fn grid_cloudevents(event: CloudEvent, State(seen): State<Seen>) {
    seen.push(event.id().to_owned());
}

/// `route` at [`PATH`], as a router target, and the record of its handler's calls.
fn serve(route: MethodRouter<Seen>) -> (Target, Seen) {
    let seen = Seen::default();
    let router = Router::new().route(PATH, route).with_state(seen.clone());
    (Target::router(router, PATH), seen)
}

/// A hand-written (deliberately broken) route at [`PATH`].
fn broken(route: MethodRouter) -> Target {
    Target::router(Router::new().route(PATH, route), PATH)
}

fn eventmesh_route() -> MethodRouter<Seen> {
    eventmesh::route_with(
        eventmesh::config().with_credentials(Credentials::new().basic("quickstart", "quickstart")),
    )
}

fn order(id: &str) -> Value {
    json!({
        "specversion": "1.0", "id": id, "source": "/orders", "type": "com.example.order.created",
        "data": {"order_id": format!("o-{id}"), "amount": 12.5}
    })
}

fn blob(id: &str) -> Value {
    json!({
        "id": id, "topic": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
        "subject": "/blobServices/default/containers/c/blobs/a.txt",
        "eventType": "Microsoft.Storage.BlobCreated", "eventTime": "2024-05-01T10:00:00Z",
        "dataVersion": "1", "metadataVersion": "1",
        "data": {"api": "PutBlob", "url": "https://acct.blob.core.windows.net/c/a.txt"}
    })
}

/// The validation code of an Event Grid validation POST.
fn validation_code(body: &Bytes) -> String {
    let events: Value = serde_json::from_slice(body).unwrap();
    events[0]["data"]["validationCode"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn failure(status: &HandshakeStatus) -> &Failure {
    status
        .failure()
        .unwrap_or_else(|| panic!("expected Failed, got {status}"))
}

async fn guarded<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen within {PATIENCE:?}"))
}

// ---------------------------------------------------------------------------------------------
// OPTIONS handshake: Completed
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn p11_cloudevents_handshake_completes_against_the_quickstart_route() {
    let (target, _) = serve(cloudevents::route());
    let sender = SimulatedSender::cloudevents(ORIGIN)
        .with_rate(300)
        .with_callback("https://eventemitter.example.com/confirm?id=1");
    let report = sender.handshake(&target).await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
    assert!(report.is_completed());
    assert!(report.violations().is_empty(), "{:?}", report.violations());
    let sent = &report.exchange().request;
    assert_eq!(sent.method, "OPTIONS");
    assert_eq!(sent.headers["webhook-request-origin"], ORIGIN);
    assert_eq!(sent.headers["webhook-request-rate"], "300");
    assert_eq!(
        sent.headers["webhook-request-callback"],
        "https://eventemitter.example.com/confirm?id=1"
    );
    let answer = report.exchange().answer.as_ref().unwrap();
    assert_eq!(answer.header("webhook-allowed-rate"), Some("120"));
}

#[tokio::test]
async fn p14_mixed_case_origin_echoed_byte_for_byte_completes() {
    let (target, _) = serve(cloudevents::route());
    let report = SimulatedSender::cloudevents("EventEmitter.Example.COM")
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
}

#[tokio::test]
async fn p14_wildcard_consent_completes() {
    let target = broken(options(|| async { consent("*") }));
    let report = SimulatedSender::cloudevents("anyone.example.org")
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
}

#[tokio::test]
async fn p12_consent_is_the_header_not_the_status() {
    // A 403 that nevertheless carries consent: the sender goes by the header alone.
    let target = broken(options(|headers: HeaderMap| async move {
        let mut answer = consent(&requested_origin(&headers));
        *answer.status_mut() = StatusCode::FORBIDDEN;
        answer
    }));
    let report = SimulatedSender::cloudevents(ORIGIN)
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
}

#[tokio::test]
async fn p15_p13_consent_without_rate_or_allow_completes_with_violations() {
    let target = broken(options(|headers: HeaderMap| async move {
        [("webhook-allowed-origin", requested_origin(&headers))]
    }));
    let report = SimulatedSender::cloudevents(ORIGIN)
        .with_rate(60)
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
    assert_eq!(
        report.violations(),
        [Violation::MissingAllowedRate, Violation::AllowWithoutPost]
    );
}

// ---------------------------------------------------------------------------------------------
// OPTIONS handshake: Failed, one broken endpoint per reason
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn p12_no_consent_header_fails_whatever_the_status() {
    for status in [StatusCode::OK, StatusCode::NO_CONTENT] {
        let target = broken(options(move || async move {
            (status, [("allow", "OPTIONS, POST")])
        }));
        let report = SimulatedSender::cloudevents(ORIGIN)
            .handshake(&target)
            .await;
        assert_eq!(
            failure(report.status()),
            &Failure::NoConsent { status },
            "{status}"
        );
    }
}

#[tokio::test]
async fn p14_echo_of_another_origin_fails() {
    let target = broken(options(|| async { consent("other.example.com") }));
    let report = SimulatedSender::cloudevents(ORIGIN)
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::OriginMismatch {
            requested: ORIGIN.to_owned(),
            allowed: "other.example.com".to_owned(),
        }
    );
}

#[tokio::test]
async fn p14_lower_cased_echo_of_a_mixed_case_origin_fails() {
    let target = broken(options(|headers: HeaderMap| async move {
        consent(&requested_origin(&headers).to_ascii_lowercase())
    }));
    let report = SimulatedSender::cloudevents("EventEmitter.Example.com")
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::OriginMismatch {
            requested: "EventEmitter.Example.com".to_owned(),
            allowed: "eventemitter.example.com".to_owned(),
        }
    );
}

#[tokio::test]
async fn d1_origin_not_allowed_fails_without_consent() {
    let (target, _) = serve(cloudevents::route());
    let report = SimulatedSender::cloudevents("eventemitter.example.com.attacker.tld")
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::NoConsent {
            status: StatusCode::FORBIDDEN
        }
    );
}

#[tokio::test]
async fn w6_redirect_to_the_handshake_fails() {
    let target = broken(options(|| async {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", "https://elsewhere.example.com/hook")],
        )
    }));
    let report = SimulatedSender::cloudevents(ORIGIN)
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::Redirected {
            status: StatusCode::TEMPORARY_REDIRECT,
            location: Some("https://elsewhere.example.com/hook".to_owned()),
        }
    );
}

#[tokio::test]
async fn d17_handshake_that_is_never_answered_fails_on_timeout() {
    let target = broken(options(std::future::pending::<()>)).with_timeout(SHORT);
    let report = SimulatedSender::cloudevents(ORIGIN)
        .handshake(&target)
        .await;
    assert_eq!(failure(report.status()), &Failure::Timeout(SHORT));
    assert!(report.exchange().answer.is_err());
}

#[tokio::test]
async fn d17_unreachable_endpoint_fails() {
    // A port that was just free: nothing listens there any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let target = Target::url(&format!("http://127.0.0.1:{port}{PATH}")).unwrap();
    let report = SimulatedSender::cloudevents(ORIGIN)
        .handshake(&target)
        .await;
    assert!(
        matches!(failure(report.status()), Failure::Unreachable(_)),
        "{}",
        report.status()
    );
}

// ---------------------------------------------------------------------------------------------
// SAP Event Mesh: Authorization on the handshake
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sap_handshake_sends_authorization_and_completes() {
    let (target, _) = serve(eventmesh_route());
    let sender = SimulatedSender::event_mesh("eventmesh.sap.example")
        .with_authorization(Authorization::basic("quickstart", "quickstart"));
    let report = sender.handshake(&target).await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
    let sent = &report.exchange().request;
    assert!(
        sent.headers["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );
    // Printing the request never shows the credentials.
    assert!(
        sent.to_string().contains("authorization: Basic <redacted>"),
        "{sent}"
    );
    assert!(!format!("{sent:?}").contains("cXVpY2tzdGFydDpxdWlja3N0YXJ0"));
}

#[tokio::test]
async fn sap_wrong_or_missing_credentials_fail_without_consent() {
    let (target, _) = serve(eventmesh_route());
    for sender in [
        SimulatedSender::event_mesh("eventmesh.sap.example")
            .with_authorization(Authorization::basic("quickstart", "wrong")),
        SimulatedSender::event_mesh("eventmesh.sap.example"),
    ] {
        let report = sender.handshake(&target).await;
        assert_eq!(
            failure(report.status()),
            &Failure::NoConsent {
                status: StatusCode::UNAUTHORIZED
            }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Subscription states (seed 000, D17)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed000_subscription_starts_not_initiated_then_completes() {
    let (target, seen) = serve(eventmesh_route());
    let subscription = Subscription::new(
        SimulatedSender::event_mesh("eventmesh.sap.example")
            .with_authorization(Authorization::basic("quickstart", "quickstart")),
    );
    assert_eq!(subscription.status(), HandshakeStatus::NotInitiated);
    let report = subscription
        .handshake(&target)
        .await
        .expect("a handshake ran");
    assert!(report.is_completed());
    assert_eq!(subscription.status(), HandshakeStatus::Completed);
    let delivered = subscription
        .deliver(&target, &SimulatedDelivery::structured(order("A-1")))
        .await
        .expect("a completed subscription delivers");
    assert_eq!(delivered.next(), &NextAction::Acknowledged);
    assert_eq!(seen.all(), ["A-1"]);
}

#[tokio::test]
async fn d17_requested_while_the_answer_is_awaited() {
    let (received_tx, mut received) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let target = broken(options(move |headers: HeaderMap| {
        let received_tx = received_tx.clone();
        let gate = Arc::clone(&gate);
        async move {
            let _ = received_tx.send(());
            gate.notified().await;
            consent(&requested_origin(&headers))
        }
    }));
    let subscription = Subscription::new(SimulatedSender::cloudevents(ORIGIN));
    let running = {
        let subscription = subscription.clone();
        tokio::spawn(async move { subscription.handshake(&target).await })
    };
    guarded("the handshake request", received.recv()).await;
    assert_eq!(subscription.status(), HandshakeStatus::Requested);
    release.notify_one();
    let report = guarded("the handshake's end", running)
        .await
        .unwrap()
        .expect("a handshake ran");
    assert!(report.is_completed());
    assert_eq!(subscription.status(), HandshakeStatus::Completed);
}

#[tokio::test]
async fn seed000_exempted_subscription_skips_the_handshake_and_delivers() {
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&handshakes);
    // An endpoint that cannot answer OPTIONS at all (what "Exempt Handshake" is for).
    let target = broken(
        options(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { StatusCode::METHOD_NOT_ALLOWED }
        })
        .post(|| async { StatusCode::NO_CONTENT }),
    );
    let subscription =
        Subscription::new(SimulatedSender::event_mesh("eventmesh.sap.example")).exempt_handshake();
    assert_eq!(subscription.status(), HandshakeStatus::Exempted);
    assert!(subscription.handshake(&target).await.is_none());
    assert_eq!(subscription.status(), HandshakeStatus::Exempted);
    let delivered = subscription
        .deliver(
            &target,
            &SimulatedDelivery::plain("application/json", r#"{"n":1}"#),
        )
        .await
        .expect("an exempted subscription delivers");
    assert_eq!(delivered.next(), &NextAction::Acknowledged);
    assert_eq!(handshakes.load(Ordering::SeqCst), 0, "no OPTIONS was sent");
}

#[tokio::test]
async fn seed000_failed_subscription_stays_paused() {
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&posts);
    let target = broken(options(|| async { StatusCode::OK }).post(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { StatusCode::NO_CONTENT }
    }));
    let subscription = Subscription::new(SimulatedSender::cloudevents(ORIGIN));
    let delivery = SimulatedDelivery::structured(order("A-1"));
    // Not initiated: nothing goes out either.
    assert_eq!(
        subscription.deliver(&target, &delivery).await.unwrap_err(),
        HandshakeStatus::NotInitiated
    );
    subscription.handshake(&target).await;
    let paused = subscription.deliver(&target, &delivery).await.unwrap_err();
    assert_eq!(
        failure(&paused),
        &Failure::NoConsent {
            status: StatusCode::OK
        }
    );
    assert_eq!(posts.load(Ordering::SeqCst), 0, "no delivery was sent");
}

// ---------------------------------------------------------------------------------------------
// Azure Event Grid, CloudEvents schema: the OPTIONS handshake from eventgrid.azure.net
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn eventgrid_cloudevents_handshake_offers_a_callback_and_completes() {
    let offers: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let record = Arc::clone(&offers);
    let config = grid_cloudevents::config().on_callback(move |offer| {
        record
            .lock()
            .unwrap()
            .push((offer.origin.to_owned(), offer.callback.to_owned()));
    });
    let (target, _) = serve(grid_cloudevents::route_with(config));
    let report = SimulatedSender::event_grid_cloudevents()
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
    let offers = offers.lock().unwrap().clone();
    assert_eq!(offers.len(), 1, "{offers:?}");
    assert_eq!(offers[0].0, "eventgrid.azure.net");
    assert!(
        offers[0].1.starts_with("https://") && offers[0].1.contains(".eventgrid.azure.net"),
        "{offers:?}"
    );
    // A sovereign cloud's origin completes too (the ready list admits it).
    let report = SimulatedSender::event_grid_cloudevents()
        .with_origin("eventgrid.azure.us")
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
}

#[tokio::test]
async fn eventgrid_cloudevents_hardcoded_public_origin_fails_on_sovereign_clouds() {
    // What protocol.md §3 says of Azure Functions' trigger: the answer always names the public cloud.
    let target = broken(options(|| async { consent("eventgrid.azure.net") }));
    let report = SimulatedSender::event_grid_cloudevents()
        .with_origin("eventgrid.azure.cn")
        .handshake(&target)
        .await;
    assert!(matches!(
        failure(report.status()),
        Failure::OriginMismatch { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Azure Event Grid, Event Grid schema: the validation event (protocol.md §3, seed 002)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn eventgrid_validation_completes_against_the_quickstart_route() {
    let (target, seen) = serve(eventgrid::route());
    let report = SimulatedSender::event_grid("quickstart")
        .handshake(&target)
        .await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
    let sent = &report.exchange().request;
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.headers["aeg-event-type"], "SubscriptionValidation");
    assert_eq!(sent.headers["aeg-subscription-name"], "QUICKSTART");
    let events: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        events[0]["eventType"],
        "Microsoft.EventGrid.SubscriptionValidationEvent"
    );
    assert!(events[0]["data"]["validationUrl"].is_string());
    assert!(seen.all().is_empty(), "the handler never sees a validation");
}

#[tokio::test]
async fn eventgrid_validation_of_an_unexpected_subscription_fails() {
    let (target, _) = serve(eventgrid::route());
    let report = SimulatedSender::event_grid("someone-else")
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::NotOk {
            status: StatusCode::FORBIDDEN
        }
    );
}

#[tokio::test]
async fn eventgrid_validation_answered_202_fails() {
    // The right code, but 202: Event Grid rejects it.
    let target = broken(post(|body: Bytes| async move {
        (
            StatusCode::ACCEPTED,
            axum::Json(json!({"validationResponse": validation_code(&body)})),
        )
    }));
    let report = SimulatedSender::event_grid("quickstart")
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::NotOk {
            status: StatusCode::ACCEPTED
        }
    );
    assert!(report.status().to_string().contains("202 instead of 200"));
}

#[tokio::test]
async fn eventgrid_validation_with_a_wrong_code_fails() {
    let target = broken(post(|| async {
        axum::Json(json!({"validationResponse": "not-the-code"}))
    }));
    let report = SimulatedSender::event_grid("quickstart")
        .with_validation_code("512d38b6-c7b8-40c8-89fe-f46f9e9622b6")
        .handshake(&target)
        .await;
    assert_eq!(
        failure(report.status()),
        &Failure::ValidationResponse {
            expected: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6".to_owned(),
            received: Some("not-the-code".to_owned()),
        }
    );
}

#[tokio::test]
async fn eventgrid_validation_without_a_code_fails() {
    // A hand-written 200 with no body, and the runtime's own manual-validation mode: both leave
    // the sender without a validationResponse.
    let manual = eventgrid::config().on_manual_validation(|_| {});
    let (manual, _) = serve(eventgrid::route_with(manual));
    for target in [broken(post(|| async { StatusCode::OK })), manual] {
        let report = SimulatedSender::event_grid("quickstart")
            .with_validation_code("c-1")
            .handshake(&target)
            .await;
        assert_eq!(
            failure(report.status()),
            &Failure::ValidationResponse {
                expected: "c-1".to_owned(),
                received: None,
            }
        );
    }
}

#[tokio::test]
async fn eventgrid_validation_never_answered_fails_on_timeout() {
    let target = broken(post(std::future::pending::<()>)).with_timeout(SHORT);
    let report = SimulatedSender::event_grid("quickstart")
        .handshake(&target)
        .await;
    assert_eq!(failure(report.status()), &Failure::Timeout(SHORT));
}

#[tokio::test]
async fn eventgrid_validation_redirected_fails() {
    let target = broken(post(|| async {
        (
            StatusCode::MOVED_PERMANENTLY,
            [("location", "https://elsewhere.example.com/")],
        )
    }));
    let report = SimulatedSender::event_grid("quickstart")
        .handshake(&target)
        .await;
    assert!(matches!(
        failure(report.status()),
        Failure::Redirected {
            status: StatusCode::MOVED_PERMANENTLY,
            ..
        }
    ));
}

// ---------------------------------------------------------------------------------------------
// Deliveries in each mode
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn h4_structured_binary_and_batch_deliveries_are_acknowledged() {
    let (target, seen) = serve(cloudevents::route());
    let sender = SimulatedSender::cloudevents(ORIGIN);
    for delivery in [
        SimulatedDelivery::structured(order("S-1")),
        SimulatedDelivery::binary(order("B-1")),
        SimulatedDelivery::batch([order("T-1"), order("T-2")]),
        SimulatedDelivery::batch([]),
    ] {
        let report = sender.deliver(&target, &delivery).await;
        assert_eq!(report.next(), &NextAction::Acknowledged, "{delivery:?}");
        assert_eq!(report.status(), Some(StatusCode::NO_CONTENT));
        assert!(report.violations().is_empty(), "{:?}", report.violations());
        assert_eq!(
            report.exchange().request.headers["webhook-request-origin"],
            ORIGIN,
            "W4: deliveries carry the origin"
        );
    }
    assert_eq!(seen.all(), ["S-1", "B-1", "T-1", "T-2"]);
}

#[tokio::test]
async fn eventgrid_array_delivery_is_acknowledged() {
    let (target, seen) = serve(eventgrid::route());
    let report = SimulatedSender::event_grid("quickstart")
        .deliver(
            &target,
            &SimulatedDelivery::event_grid([blob("e-1"), blob("e-2")]),
        )
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    let sent = &report.exchange().request.headers;
    assert_eq!(sent["aeg-event-type"], "Notification");
    assert_eq!(sent["aeg-subscription-name"], "QUICKSTART");
    assert_eq!(sent["aeg-delivery-count"], "0");
    assert_eq!(seen.all(), ["e-1", "e-2"]);
}

#[tokio::test]
async fn sap_plain_message_and_cloudevent_are_acknowledged() {
    let (target, seen) = serve(eventmesh_route());
    let sender = SimulatedSender::event_mesh("eventmesh.sap.example")
        .with_authorization(Authorization::basic("quickstart", "quickstart"));
    let plain = SimulatedDelivery::plain("application/json", r#"{"order_id":"p-1","amount":2}"#);
    for delivery in [plain, SimulatedDelivery::structured(order("A-1"))] {
        let report = sender.deliver(&target, &delivery).await;
        assert_eq!(report.next(), &NextAction::Acknowledged, "{delivery:?}");
    }
    assert_eq!(seen.all(), ["plain p-1", "A-1"]);
}

#[tokio::test]
async fn eventgrid_cloudevents_structured_delivery_is_acknowledged() {
    let (target, seen) = serve(grid_cloudevents::route());
    let report = SimulatedSender::event_grid_cloudevents()
        .deliver(&target, &SimulatedDelivery::structured(order("G-1")))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    assert_eq!(seen.all(), ["G-1"]);
}

#[tokio::test]
async fn d8_a_bad_event_in_a_batch_is_400_and_each_sender_acts_on_it() {
    // The real route answers 400 (one event lacks `amount`); what comes next depends on the
    // sender: CloudEvents and Event Grid give up, SAP Event Mesh redelivers (QoS 1).
    let (target, seen) = serve(eventmesh_route());
    let mut bad = order("X-2");
    bad["data"] = json!({"order_id": "o-2"});
    let batch = SimulatedDelivery::batch([order("X-1"), bad]);
    let basic = Authorization::basic("quickstart", "quickstart");
    for (sender, expected) in [
        (SimulatedSender::cloudevents(ORIGIN), NextAction::DeadLetter),
        (
            SimulatedSender::event_grid_cloudevents(),
            NextAction::DeadLetter,
        ),
        (
            SimulatedSender::event_mesh("eventmesh.sap.example"),
            NextAction::RetryLater { retry_after: None },
        ),
    ] {
        let report = sender
            .with_authorization(basic.clone())
            .deliver(&target, &batch)
            .await;
        assert_eq!(report.status(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(report.next(), &expected);
    }
    assert!(
        seen.all().is_empty(),
        "D8: the handler saw none of the batch"
    );
}

// ---------------------------------------------------------------------------------------------
// What each sender does next (protocol.md §6)
// ---------------------------------------------------------------------------------------------

/// A route answering the status named by the delivery's `x-answer` header, with the
/// `Retry-After` of `x-retry-after` and a body with a Content-Type for 200 and 201.
fn answering() -> Target {
    broken(post(|headers: HeaderMap| async move {
        let status: u16 = headers["x-answer"].to_str().unwrap().parse().unwrap();
        let status = StatusCode::from_u16(status).unwrap();
        let mut response = if status == StatusCode::OK || status == StatusCode::CREATED {
            (status, axum::Json(json!({"processed": true}))).into_response()
        } else {
            status.into_response()
        };
        if let Some(after) = headers.get("x-retry-after") {
            response.headers_mut().insert("retry-after", after.clone());
        }
        if status.is_redirection() {
            response.headers_mut().insert(
                "location",
                HeaderValue::from_static("https://elsewhere.example.com/"),
            );
        }
        response
    }))
}

async fn next_actions(sender: &SimulatedSender, statuses: &[u16]) -> Vec<(u16, NextAction)> {
    let target = answering();
    let mut actions = Vec::new();
    for &status in statuses {
        let delivery = SimulatedDelivery::structured(order("N-1"))
            .with_header("x-answer", &status.to_string());
        let report = sender.deliver(&target, &delivery).await;
        assert_eq!(report.status().map(|s| s.as_u16()), Some(status));
        // The pure table agrees with the delivery's verdict.
        let answer = report.exchange().answer.as_ref().unwrap();
        assert_eq!(
            &sender.next_action(answer.status, &answer.headers),
            report.next()
        );
        actions.push((status, report.next().clone()));
    }
    actions
}

fn expect(statuses: &[u16], action: NextAction) -> Vec<(u16, NextAction)> {
    statuses.iter().map(|&s| (s, action.clone())).collect()
}

const RETRY: NextAction = NextAction::RetryLater { retry_after: None };

#[tokio::test]
async fn w7_w12_cloudevents_sender_next_actions() {
    let sender = SimulatedSender::cloudevents(ORIGIN);
    let acknowledged = [200, 201, 202, 204];
    let given_up = [400, 401, 403, 404, 413, 415];
    let retried = [301, 302, 307, 308, 408, 500, 502, 503];
    assert_eq!(
        next_actions(&sender, &acknowledged).await,
        expect(&acknowledged, NextAction::Acknowledged)
    );
    assert_eq!(
        next_actions(&sender, &given_up).await,
        expect(&given_up, NextAction::DeadLetter)
    );
    assert_eq!(
        next_actions(&sender, &retried).await,
        expect(&retried, RETRY)
    );
    assert_eq!(
        next_actions(&sender, &[410]).await,
        expect(&[410], NextAction::Stop),
        "W10: a retired target"
    );
}

#[tokio::test]
async fn eventgrid_next_actions() {
    let acknowledged = [200, 201, 202, 203, 204];
    let given_up = [400, 401, 403, 413];
    let retried = [301, 307, 404, 408, 410, 415, 429, 500, 503];
    for sender in [
        SimulatedSender::event_grid("quickstart"),
        SimulatedSender::event_grid_cloudevents(),
    ] {
        assert_eq!(
            next_actions(&sender, &acknowledged).await,
            expect(&acknowledged, NextAction::Acknowledged),
            "{}",
            sender.name()
        );
        assert_eq!(
            next_actions(&sender, &given_up).await,
            expect(&given_up, NextAction::DeadLetter),
            "{}",
            sender.name()
        );
        assert_eq!(
            next_actions(&sender, &retried).await,
            expect(&retried, RETRY),
            "{}",
            sender.name()
        );
    }
}

#[tokio::test]
async fn sap_event_mesh_qos1_redelivers_every_non_2xx() {
    let sender = SimulatedSender::event_mesh("eventmesh.sap.example");
    let acknowledged = [200, 201, 202, 204];
    let redelivered = [301, 307, 400, 401, 403, 404, 410, 413, 415, 429, 500, 503];
    assert_eq!(
        next_actions(&sender, &acknowledged).await,
        expect(&acknowledged, NextAction::Acknowledged)
    );
    assert_eq!(
        next_actions(&sender, &redelivered).await,
        expect(&redelivered, RETRY)
    );
}

#[tokio::test]
async fn w11_429_without_retry_after_is_a_violation_for_the_cloudevents_sender() {
    let target = answering();
    let sender = SimulatedSender::cloudevents(ORIGIN);
    let without = SimulatedDelivery::structured(order("R-1")).with_header("x-answer", "429");
    let report = sender.deliver(&target, &without).await;
    assert_eq!(report.next(), &RETRY);
    assert_eq!(report.violations(), [Violation::RetryAfterMissing]);

    let with = without.clone().with_header("x-retry-after", "120");
    let report = sender.deliver(&target, &with).await;
    assert_eq!(
        report.next(),
        &NextAction::RetryLater {
            retry_after: Some("120".to_owned())
        }
    );
    assert!(report.violations().is_empty(), "{:?}", report.violations());

    // Event Grid and SAP Event Mesh retry a 429 without holding it against the endpoint.
    for sender in [
        SimulatedSender::event_grid("quickstart"),
        SimulatedSender::event_mesh("eventmesh.sap.example"),
    ] {
        let report = sender.deliver(&target, &without).await;
        assert_eq!(report.next(), &RETRY, "{}", sender.name());
        assert!(report.violations().is_empty(), "{}", sender.name());
    }
}

#[tokio::test]
async fn w6_redirect_answering_a_delivery_is_a_failure_and_a_violation() {
    let target = answering();
    let delivery = SimulatedDelivery::structured(order("R-1")).with_header("x-answer", "302");
    let report = SimulatedSender::cloudevents(ORIGIN)
        .deliver(&target, &delivery)
        .await;
    assert_eq!(report.next(), &RETRY);
    assert_eq!(
        report.violations(),
        [Violation::Redirect(StatusCode::FOUND)]
    );
}

#[tokio::test]
async fn w8_empty_200_and_w7_body_without_content_type_are_violations() {
    let empty = broken(post(|| async { StatusCode::OK }));
    let report = SimulatedSender::cloudevents(ORIGIN)
        .deliver(&empty, &SimulatedDelivery::structured(order("E-1")))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    assert_eq!(report.violations(), [Violation::EmptyOk]);

    let untyped = broken(post(|| async {
        Response::builder()
            .status(StatusCode::OK)
            .body(Body::from("done"))
            .unwrap()
    }));
    let report = SimulatedSender::cloudevents(ORIGIN)
        .deliver(&untyped, &SimulatedDelivery::structured(order("E-2")))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    assert_eq!(
        report.violations(),
        [Violation::BodyWithoutContentType(StatusCode::OK)]
    );
}

#[tokio::test]
async fn delivery_never_answered_is_retried_by_every_sender() {
    let target = broken(post(std::future::pending::<()>)).with_timeout(SHORT);
    for sender in [
        SimulatedSender::cloudevents(ORIGIN),
        SimulatedSender::event_grid("quickstart"),
        SimulatedSender::event_grid_cloudevents(),
        SimulatedSender::event_mesh("eventmesh.sap.example"),
    ] {
        let report = sender
            .deliver(&target, &SimulatedDelivery::structured(order("T-1")))
            .await;
        assert_eq!(report.next(), &RETRY, "{}", sender.name());
        assert_eq!(report.status(), None);
    }
}

// ---------------------------------------------------------------------------------------------
// URL targets: the same over loopback; redirects are never followed
// ---------------------------------------------------------------------------------------------

/// Serves `router` on a free loopback port for the rest of the test.
async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

#[tokio::test]
async fn url_target_plays_the_handshake_and_deliveries_over_loopback() {
    let seen = Seen::default();
    let router = Router::new()
        .route(PATH, cloudevents::route())
        .with_state(seen.clone());
    let base = listen(router).await;
    let target = Target::url(&format!("{base}{PATH}"))
        .unwrap()
        .with_timeout(PATIENCE);
    let sender = SimulatedSender::cloudevents(ORIGIN).with_rate(30);
    let report = sender.handshake(&target).await;
    assert_eq!(report.status(), &HandshakeStatus::Completed);
    assert_eq!(
        report
            .exchange()
            .answer
            .as_ref()
            .unwrap()
            .header("webhook-allowed-rate"),
        Some("30")
    );
    let report = sender
        .deliver(&target, &SimulatedDelivery::binary(order("U-1")))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    assert_eq!(seen.all(), ["U-1"]);
}

#[tokio::test]
async fn w6_url_target_never_follows_redirects() {
    let followed = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&followed);
    let router = Router::new()
        .route(
            PATH,
            options(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/elsewhere")]) })
                .post(|| async { (StatusCode::PERMANENT_REDIRECT, [("location", "/elsewhere")]) }),
        )
        .route(
            "/elsewhere",
            options(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { consent("*") }
            })
            .post(|| async { StatusCode::NO_CONTENT }),
        );
    let base = listen(router).await;
    let target = Target::url(&format!("{base}{PATH}"))
        .unwrap()
        .with_timeout(PATIENCE);
    let sender = SimulatedSender::cloudevents(ORIGIN);
    let report = sender.handshake(&target).await;
    assert!(matches!(
        failure(report.status()),
        Failure::Redirected {
            status: StatusCode::TEMPORARY_REDIRECT,
            ..
        }
    ));
    let report = sender
        .deliver(&target, &SimulatedDelivery::structured(order("R-1")))
        .await;
    assert_eq!(report.status(), Some(StatusCode::PERMANENT_REDIRECT));
    assert_eq!(report.next(), &RETRY);
    assert_eq!(
        followed.load(Ordering::SeqCst),
        0,
        "a redirect was followed"
    );
}
