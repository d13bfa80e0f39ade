//! The testing kit's senders authenticating with tokens as the brokers do (issue 24): SAP Event
//! Mesh with OAuth2 client credentials (a token fetched from the subscription's token URL, reused,
//! fetched again before it expires) and Azure Event Grid with a Microsoft Entra ID bearer token,
//! against `#[webhook]` routes that verify the tokens (feature `jwt`, D24-D26).
//!
//! The tokens come from a real OAuth2 issuer on loopback (`common::issuer`, oauth2-mock-server);
//! when Node or the package is not available, a test prints `SKIPPED: <reason>` and passes. The
//! token endpoints that fail on purpose are small axum routes served by the test itself.

pub mod common;

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{MethodRouter, post};
use serde_json::{Value, json};
use webhook_runtime::auth::jwt::JwtPolicy;
use webhook_runtime::eventgrid::EVENT_GRID_ORIGINS;
use webhook_runtime::testing::{
    Authorization, ClientCredentials, Failure, HandshakeStatus, NextAction, SimulatedDelivery,
    SimulatedSender, Target, TokenError, TransportError,
};
use webhook_runtime::{CloudEvent, EventGridEvent, webhook};

use common::issuer::{CLIENT_ID, CLIENT_SECRET, Issuer, decode_unverified};
use common::log::Log;

const PATH: &str = "/hook";
/// The audience the routes accept; the issuer puts it in a token when asked with the `aud` form
/// field.
const AUDIENCE: &str = "api://webhook-kit-tests";
const MESH_ORIGIN: &str = "eventmesh.sap.example";

/// The ids handlers were called with, in order.
type Seen = Log<String>;

/// SAP Event Mesh's route: the handshake must carry credentials (D26).
#[webhook(origins = ["*"], schema = cloudevents, sender = sap_event_mesh)]
async fn eventmesh(event: CloudEvent, State(seen): State<Seen>) {
    seen.push(event.id().to_owned());
}

/// Event Grid, Event Grid schema.
#[webhook(schema = eventgrid, subscriptions = ["quickstart"])]
async fn eventgrid(event: EventGridEvent, State(seen): State<Seen>) {
    seen.push(event.id().to_owned());
}

/// Event Grid, CloudEvents schema: credentials on the handshake are checked when present (D26).
#[webhook(schema = cloudevents, origins = EVENT_GRID_ORIGINS, sender = eventgrid)]
async fn grid_cloudevents(event: CloudEvent, State(seen): State<Seen>) {
    seen.push(event.id().to_owned());
}

/// The issuer, or `None` after printing why the test is skipped.
fn issuer() -> Option<Issuer> {
    match Issuer::start() {
        Ok(issuer) => Some(issuer),
        Err(skip) => {
            eprintln!("SKIPPED: {}", skip.0);
            None
        }
    }
}

/// Tokens of `issuer` for [`AUDIENCE`].
fn policy(issuer: &Issuer) -> JwtPolicy {
    JwtPolicy::oidc(issuer.url(), AUDIENCE)
}

/// `route` at [`PATH`] as a router target, and the record of its handler's calls.
fn serve(route: MethodRouter<Seen>) -> (Target, Seen) {
    let seen = Seen::default();
    let router = Router::new().route(PATH, route).with_state(seen.clone());
    (Target::router(router, PATH), seen)
}

fn mesh_target(policy: JwtPolicy) -> (Target, Seen) {
    serve(eventmesh::route_with(
        eventmesh::config().with_jwt(policy.build().unwrap()),
    ))
}

/// Client credentials for the issuer's token URL, asking for a token for [`AUDIENCE`].
fn client_credentials(issuer: &Issuer) -> ClientCredentials {
    Authorization::client_credentials(&issuer.token_url(), CLIENT_ID, CLIENT_SECRET)
        .unwrap()
        .with_parameter("aud", AUDIENCE)
}

fn order(id: &str) -> Value {
    json!({
        "specversion": "1.0", "id": id, "source": "/orders", "type": "com.example.order.created",
        "data": {"order_id": format!("o-{id}"), "amount": 12.5}
    })
}

fn blob(id: &str) -> Value {
    json!({
        "id": id, "topic": "/subscriptions/x", "subject": "/blobServices/default/containers/c/blobs/a.txt",
        "eventType": "Microsoft.Storage.BlobCreated", "eventTime": "2024-05-01T10:00:00Z",
        "dataVersion": "1", "metadataVersion": "1",
        "data": {"api": "PutBlob", "url": "https://acct.blob.core.windows.net/c/a.txt"}
    })
}

/// The bearer token a request carried.
fn sent_token(headers: &HeaderMap) -> String {
    let value = headers["authorization"].to_str().unwrap();
    value.strip_prefix("Bearer ").unwrap().to_owned()
}

fn token_failure(status: &HandshakeStatus) -> &TokenError {
    match status.failure() {
        Some(Failure::Token(error)) => error,
        _ => panic!("expected a token failure, got {status}"),
    }
}

// ---------------------------------------------------------------------------------------------
// SAP Event Mesh: OAuth2 client credentials
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sap_client_credentials_token_completes_the_handshake_and_a_delivery() {
    let Some(issuer) = issuer() else { return };
    let (target, seen) = mesh_target(policy(&issuer));
    let before = issuer.token_fetches();
    let sender =
        SimulatedSender::event_mesh(MESH_ORIGIN).with_authorization(client_credentials(&issuer));

    let handshake = sender.handshake(&target).await;
    assert_eq!(
        handshake.status(),
        &HandshakeStatus::Completed,
        "{:?}",
        handshake.exchange()
    );
    let request = &handshake.exchange().request;
    let token = sent_token(&request.headers);
    let (_, claims) = decode_unverified(&token);
    assert_eq!(
        claims["aud"], AUDIENCE,
        "the aud form parameter reached the issuer"
    );
    assert_eq!(claims["iss"], issuer.url());

    for (id, delivery) in [
        ("K-1", SimulatedDelivery::structured(order("K-1"))),
        ("K-2", SimulatedDelivery::binary(order("K-2"))),
    ] {
        let report = sender.deliver(&target, &delivery).await;
        assert_eq!(report.next(), &NextAction::Acknowledged, "{id}");
        assert_eq!(sent_token(&report.exchange().request.headers), token);
    }
    assert_eq!(seen.all(), ["K-1", "K-2"]);
    assert_eq!(
        issuer.token_fetches() - before,
        1,
        "one token serves the handshake and the deliveries"
    );

    // Neither the token nor the client secret shows in what a test prints.
    let shown = format!("{request} {request:?} {sender:?} {handshake:?}");
    assert!(
        shown.contains("authorization: Bearer <redacted>"),
        "{shown}"
    );
    for secret in [token.as_str(), CLIENT_SECRET] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }

    // Without credentials the route refuses the handshake (D26: required for Event Mesh).
    let bare = SimulatedSender::event_mesh(MESH_ORIGIN)
        .handshake(&target)
        .await;
    assert_eq!(
        bare.status().failure(),
        Some(&Failure::NoConsent {
            status: StatusCode::UNAUTHORIZED
        })
    );
}

#[tokio::test]
async fn sap_a_token_about_to_expire_is_fetched_again() {
    let Some(issuer) = issuer() else { return };
    // No leeway: an expired token would be refused, so a delivery after the expiry is accepted
    // only if the sender fetched a new token.
    let (target, seen) = mesh_target(policy(&issuer).leeway(Duration::ZERO));
    let lifetime = 2;
    let sender = SimulatedSender::event_mesh(MESH_ORIGIN).with_authorization(
        client_credentials(&issuer).with_parameter("expires_in", &lifetime.to_string()),
    );
    let before = issuer.token_fetches();

    let first = sender
        .deliver(&target, &SimulatedDelivery::structured(order("E-1")))
        .await;
    assert_eq!(
        first.next(),
        &NextAction::Acknowledged,
        "{:?}",
        first.exchange()
    );
    let first_token = sent_token(&first.exchange().request.headers);
    let (_, claims) = decode_unverified(&first_token);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        lifetime
    );

    // Past the token's expiry by more than a whole second (expiry is checked in whole seconds):
    // the first token would now be refused.
    tokio::time::sleep(Duration::from_millis(lifetime * 1000 + 1500)).await;
    let second = sender
        .deliver(&target, &SimulatedDelivery::structured(order("E-2")))
        .await;
    assert_eq!(
        second.next(),
        &NextAction::Acknowledged,
        "{:?}",
        second.exchange()
    );
    assert_ne!(sent_token(&second.exchange().request.headers), first_token);
    assert_eq!(issuer.token_fetches() - before, 2);
    assert_eq!(seen.all(), ["E-1", "E-2"]);

    // The old token is indeed refused now, so the renewal was needed.
    let stale = SimulatedSender::event_mesh(MESH_ORIGIN)
        .with_authorization(Authorization::bearer(&first_token))
        .deliver(&target, &SimulatedDelivery::structured(order("E-3")))
        .await;
    assert_eq!(stale.status(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn sap_a_token_is_reused_then_renewed_before_it_expires() {
    let Some(issuer) = issuer() else { return };
    let (target, seen) = mesh_target(policy(&issuer));
    // Renewed once less than the renewal margin (here half the lifetime) is left.
    let lifetime = 6;
    let sender = SimulatedSender::event_mesh(MESH_ORIGIN).with_authorization(
        client_credentials(&issuer).with_parameter("expires_in", &lifetime.to_string()),
    );
    let before = issuer.token_fetches();
    let mut tokens = Vec::new();
    for id in ["R-1", "R-2"] {
        let report = sender
            .deliver(&target, &SimulatedDelivery::structured(order(id)))
            .await;
        assert_eq!(report.next(), &NextAction::Acknowledged, "{id}");
        tokens.push(sent_token(&report.exchange().request.headers));
    }
    assert_eq!(tokens[0], tokens[1], "a fresh token is reused");
    assert_eq!(issuer.token_fetches() - before, 1);

    tokio::time::sleep(Duration::from_millis(lifetime * 1000 / 2 + 500)).await;
    let report = sender
        .deliver(&target, &SimulatedDelivery::structured(order("R-3")))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    let renewed = sent_token(&report.exchange().request.headers);
    assert_ne!(renewed, tokens[0]);
    assert_eq!(issuer.token_fetches() - before, 2);
    let (_, claims) = decode_unverified(&tokens[0]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        claims["exp"].as_u64().unwrap() > now,
        "the first token had not expired yet when it was replaced"
    );
    assert_eq!(seen.all(), ["R-1", "R-2", "R-3"]);
}

/// Serves `router` on a free loopback port for the rest of the test.
async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// A token endpoint answering `status` with `body`, and the requests it got (headers, form).
async fn token_endpoint(status: StatusCode, body: Value) -> (String, Log<(HeaderMap, String)>) {
    let requests = Log::default();
    let seen = requests.clone();
    let router = Router::new().route(
        "/oauth/token",
        post(move |headers: HeaderMap, form: String| {
            seen.push((headers, form));
            let body = body.clone();
            async move { (status, axum::Json(body)) }
        }),
    );
    (format!("{}/oauth/token", listen(router).await), requests)
}

#[tokio::test]
async fn sap_a_failing_token_endpoint_is_a_clear_error_and_nothing_is_sent() {
    let (target, seen) = serve(eventmesh::route_with(
        eventmesh::config().with_credentials(webhook_runtime::auth::Credentials::new().bearer("x")),
    ));

    // A refusal: the OAuth2 error code is reported, and the request was the RFC 6749 one.
    let (url, requests) =
        token_endpoint(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"})).await;
    let credentials = Authorization::client_credentials(&url, "sb-orders!t42", "pa:ss")
        .unwrap()
        .with_scope("orders.deliver");
    let sender = SimulatedSender::event_mesh(MESH_ORIGIN).with_authorization(credentials);
    let report = sender.handshake(&target).await;
    let error = token_failure(report.status());
    assert!(
        matches!(error, TokenError::Refused { status, error: Some(code), .. }
            if *status == StatusCode::UNAUTHORIZED && code == "invalid_client"),
        "{error:?}"
    );
    assert_eq!(
        report.status().to_string(),
        format!(
            "Failed (no access token: token endpoint {url} answered 401 Unauthorized \
             (invalid_client) instead of an access token)"
        )
    );
    let [(headers, form)] = <[_; 1]>::try_from(requests.all()).unwrap();
    assert_eq!(form, "grant_type=client_credentials&scope=orders.deliver");
    assert_eq!(
        headers["authorization"],
        common::credentials::basic("sb-orders%21t42", "pa%3Ass")
    );
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    assert!(
        !report
            .exchange()
            .request
            .headers
            .contains_key("authorization")
    );
    assert!(!format!("{report:?}").contains("pa:ss"));

    // A 2xx without an access token: the delivery is not sent, and retried later.
    let (url, _) = token_endpoint(StatusCode::OK, json!({"token_type": "bearer"})).await;
    let sender = SimulatedSender::event_mesh(MESH_ORIGIN)
        .with_authorization(Authorization::client_credentials(&url, "a", "b").unwrap());
    let report = sender
        .deliver(&target, &SimulatedDelivery::structured(order("N-1")))
        .await;
    assert!(report.next().is_retry(), "{:?}", report.next());
    assert_eq!(report.status(), None);
    assert!(
        matches!(
            &report.exchange().answer,
            Err(TransportError::Token(TokenError::NoAccessToken { reason, .. }))
                if reason == "the answer has no access_token"
        ),
        "{:?}",
        report.exchange().answer
    );

    // Nothing listening at the token URL.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/oauth/token", closed.local_addr().unwrap());
    drop(closed);
    let sender = SimulatedSender::event_mesh(MESH_ORIGIN)
        .with_authorization(Authorization::client_credentials(&url, "a", "b").unwrap());
    let report = sender.handshake(&target).await;
    assert!(
        matches!(
            token_failure(report.status()),
            TokenError::Unreachable { .. }
        ),
        "{}",
        report.status()
    );
    assert!(
        seen.is_empty(),
        "a request without a token reached the route"
    );

    // A token URL that is neither https nor loopback http is refused before anything is sent.
    let refused = Authorization::client_credentials("http://uaa.example.com/oauth/token", "a", "b");
    assert!(
        matches!(refused, Err(TokenError::InvalidUrl { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn sap_a_wrong_token_url_on_the_issuer_fails_the_handshake() {
    let Some(issuer) = issuer() else { return };
    let (target, seen) = mesh_target(policy(&issuer));
    let url = format!("{}/no-such-token-endpoint", issuer.url());
    let sender = SimulatedSender::event_mesh(MESH_ORIGIN).with_authorization(
        Authorization::client_credentials(&url, CLIENT_ID, CLIENT_SECRET).unwrap(),
    );
    let report = sender.handshake(&target).await;
    let error = token_failure(report.status());
    assert!(
        matches!(error, TokenError::Refused { status, .. } if status.is_client_error()),
        "{error:?}"
    );
    assert!(error.to_string().contains(&url), "{error}");
    let report = sender
        .deliver(&target, &SimulatedDelivery::structured(order("W-1")))
        .await;
    assert!(report.next().is_retry());
    assert!(seen.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Azure Event Grid: the Entra ID bearer token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn eventgrid_bearer_token_goes_on_validation_handshake_and_deliveries() {
    let Some(issuer) = issuer() else { return };
    let token = issuer.token(json!({"aud": AUDIENCE}));
    let other_audience = issuer.token(json!({"aud": "api://someone-else"}));
    let verifier = policy(&issuer).build().unwrap();

    // Event Grid schema: the validation event and the notifications carry the token.
    let (target, seen) = serve(eventgrid::route_with(
        eventgrid::config().with_jwt(verifier.clone()),
    ));
    let sender =
        SimulatedSender::event_grid("quickstart").with_authorization(Authorization::bearer(&token));
    let validation = sender.handshake(&target).await;
    assert_eq!(validation.status(), &HandshakeStatus::Completed);
    assert_eq!(sent_token(&validation.exchange().request.headers), token);
    let report = sender
        .deliver(&target, &SimulatedDelivery::event_grid([blob("G-1")]))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    assert_eq!(sent_token(&report.exchange().request.headers), token);
    assert_eq!(seen.all(), ["G-1"]);
    // Without a token, or with one for another audience: 401, which Event Grid never retries.
    for sender in [
        SimulatedSender::event_grid("quickstart"),
        SimulatedSender::event_grid("quickstart")
            .with_authorization(Authorization::bearer(&other_audience)),
    ] {
        let validation = sender.handshake(&target).await;
        assert_eq!(
            validation.status().failure(),
            Some(&Failure::NotOk {
                status: StatusCode::UNAUTHORIZED
            })
        );
        let report = sender
            .deliver(&target, &SimulatedDelivery::event_grid([blob("G-2")]))
            .await;
        assert_eq!(report.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(report.next(), &NextAction::DeadLetter);
    }

    // CloudEvents schema: the OPTIONS handshake and the deliveries carry the token; a handshake
    // without one passes (checked when present, D26), one with a wrong token does not.
    let (target, seen) = serve(grid_cloudevents::route_with(
        grid_cloudevents::config().with_jwt(verifier),
    ));
    let sender =
        SimulatedSender::event_grid_cloudevents().with_authorization(Authorization::bearer(&token));
    let handshake = sender.handshake(&target).await;
    assert_eq!(handshake.status(), &HandshakeStatus::Completed);
    assert_eq!(sent_token(&handshake.exchange().request.headers), token);
    let report = sender
        .deliver(&target, &SimulatedDelivery::structured(order("C-1")))
        .await;
    assert_eq!(report.next(), &NextAction::Acknowledged);
    assert_eq!(seen.all(), ["C-1"]);
    let bare = SimulatedSender::event_grid_cloudevents()
        .handshake(&target)
        .await;
    assert_eq!(bare.status(), &HandshakeStatus::Completed);
    let wrong = SimulatedSender::event_grid_cloudevents()
        .with_authorization(Authorization::bearer(&other_audience))
        .handshake(&target)
        .await;
    assert_eq!(
        wrong.status().failure(),
        Some(&Failure::NoConsent {
            status: StatusCode::UNAUTHORIZED
        })
    );
}

#[tokio::test]
async fn d25_a_503_while_keys_cannot_be_fetched_is_retried_by_every_sender() {
    let Some(issuer) = issuer() else { return };
    let token = issuer.token(json!({"aud": AUDIENCE}));
    let verifier = policy(&issuer).build().unwrap();
    let (cloudevents, _) = serve(eventmesh::route_with(
        eventmesh::config().with_jwt(verifier.clone()),
    ));
    let (grid, _) = serve(eventgrid::route_with(
        eventgrid::config().with_jwt(verifier),
    ));
    // The keys were never fetched, and now cannot be: the route answers 503 with Retry-After.
    issuer.stop_keys();
    let bearer = Authorization::bearer(&token);
    for (sender, target, delivery) in [
        (
            SimulatedSender::cloudevents("eventemitter.example.com"),
            &cloudevents,
            SimulatedDelivery::structured(order("U-1")),
        ),
        (
            SimulatedSender::event_mesh(MESH_ORIGIN),
            &cloudevents,
            SimulatedDelivery::structured(order("U-1")),
        ),
        (
            SimulatedSender::event_grid_cloudevents(),
            &cloudevents,
            SimulatedDelivery::structured(order("U-1")),
        ),
        (
            SimulatedSender::event_grid("quickstart"),
            &grid,
            SimulatedDelivery::event_grid([blob("U-1")]),
        ),
    ] {
        let report = sender
            .with_authorization(bearer.clone())
            .deliver(target, &delivery)
            .await;
        assert_eq!(report.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        let answer = report.exchange().answer.as_ref().unwrap();
        let retry_after = answer.header("retry-after").map(str::to_owned);
        assert!(retry_after.is_some(), "{answer}");
        assert_eq!(
            report.next(),
            &NextAction::RetryLater { retry_after },
            "{answer}"
        );
    }
    issuer.start_keys();
}
