//! Bearer JWTs (D24–D26) against a real token issuer on loopback (`common::issuer`: npm
//! `oauth2-mock-server`, with OIDC discovery, a JWKS and a client-credentials token endpoint):
//! what a route accepts, what it answers when it refuses (401, 403, 503 with `Retry-After`), how
//! its key cache behaves when the issuer rotates keys, is flooded with forged `kid`s or is down,
//! the Entra ID and SAP presets, and the handshake's policy per sender. Driven through
//! `tower::ServiceExt::oneshot` on routes built by `#[webhook]` + `route_with`.
//!
//! Each test starts its own issuer; where Node cannot be installed it prints `SKIPPED: <why>`.

pub mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::routing::MethodRouter;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use webhook_runtime::auth::HandshakeAuth;
use webhook_runtime::auth::jwt::{
    BearerClaims, EVENT_GRID_APP_ID, EVENT_GRID_APP_ID_US_GOVERNMENT, EVENT_GRID_ROLE, EntraCloud,
    JwtClaims, JwtPolicy, JwtVerifier, KeySource,
};
use webhook_runtime::{CloudEvent, CloudEventsConfig, EventGridEvent, Sender, webhook};

use common::issuer::Issuer;
use common::log::Log;
use common::oneshot::{Answer, send};

const PATH: &str = "/hooks/orders";
const ORIGIN: &str = "eventemitter.example.com";
const AUDIENCE: &str = "api://orders-webhook";
const TENANT: &str = "6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c";

/// The callers the handlers saw (`BearerClaims`' `caller`, else `-`), in call order.
type Calls = Log<String>;

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, sender = sap_event_mesh)]
async fn mesh(event: CloudEvent, claims: BearerClaims, State(calls): State<Calls>) {
    let BearerClaims(JwtClaims { caller, .. }) = claims;
    calls.push(format!(
        "{}:{}",
        event.id(),
        caller.as_deref().unwrap_or("-")
    ));
}

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, sender = eventgrid)]
async fn grid_cloudevents(event: CloudEvent, State(calls): State<Calls>) {
    calls.push(event.id().to_owned());
}

#[webhook(schema = eventgrid)]
async fn grid(event: EventGridEvent<Value>, claims: BearerClaims, State(calls): State<Calls>) {
    calls.push(format!(
        "{}:{}",
        event.id(),
        claims.0.caller.as_deref().unwrap_or("-")
    ));
}

/// The issuer, or `None` (after printing why) where it cannot run.
fn issuer() -> Option<Issuer> {
    match Issuer::start() {
        Ok(issuer) => Some(issuer),
        Err(skip) => {
            eprintln!("SKIPPED: {}", skip.0);
            None
        }
    }
}

/// The router serving `route` at [`PATH`], and the record of the handler's calls.
fn serve(route: MethodRouter<Calls>) -> (Router, Calls) {
    let calls = Calls::default();
    (
        Router::new().route(PATH, route).with_state(calls.clone()),
        calls,
    )
}

/// An Event Mesh route accepting the issuer's tokens for [`AUDIENCE`] under `policy`'s changes.
fn mesh_route(issuer: &Issuer, policy: impl FnOnce(JwtPolicy) -> JwtPolicy) -> (Router, Calls) {
    let verifier = policy(JwtPolicy::oidc(issuer.url(), AUDIENCE))
        .build()
        .unwrap();
    serve(mesh::route_with(mesh::config().with_jwt(verifier)))
}

/// Claims for [`AUDIENCE`] with `more` merged in.
fn claims(more: Value) -> Value {
    let mut all = json!({ "aud": AUDIENCE, "azp": "event-mesh-client" });
    if let (Some(all), Some(more)) = (all.as_object_mut(), more.as_object()) {
        all.extend(more.clone());
    }
    all
}

/// A structured CloudEvents delivery of event `id` with `Authorization: Bearer <token>`.
fn delivery(id: &str, token: Option<&str>) -> Request<Body> {
    delivery_to(PATH, id, token)
}

fn delivery_to(uri: &str, id: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("content-type", "application/cloudevents+json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let event = json!({
        "specversion": "1.0", "id": id, "source": "/orders", "type": "com.example.order.created",
        "data": { "order_id": id },
    });
    request.body(Body::from(event.to_string())).unwrap()
}

/// An OPTIONS handshake from [`ORIGIN`], with the token if any.
fn handshake(authorization: Option<&str>) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::OPTIONS)
        .uri(PATH)
        .header("webhook-request-origin", ORIGIN);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.body(Body::empty()).unwrap()
}

/// An Event Grid notification of one event `id`, with the token.
fn grid_delivery(id: &str, token: &str) -> Request<Body> {
    let event = json!([{
        "id": id, "topic": "/subscriptions/x/resourceGroups/y", "subject": "orders/1",
        "eventType": "Orders.Created", "eventTime": "2026-12-06T10:00:00Z",
        "data": {}, "dataVersion": "1"
    }]);
    Request::builder()
        .method(Method::POST)
        .uri(PATH)
        .header("content-type", "application/json")
        .header("aeg-event-type", "Notification")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(event.to_string()))
        .unwrap()
}

#[track_caller]
fn assert_status(answer: &Answer, status: StatusCode, what: &str) {
    assert_eq!(answer.status, status, "{what}: {:?}", answer.body);
    if !status.is_success() {
        assert_eq!(
            answer.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{what}"
        );
        assert!(
            !answer.headers.contains_key("www-authenticate"),
            "{what}: no challenge (D25)"
        );
    }
}

/// A token whose header is `header` and payload `payload`, with `signature` (base64url).
fn forged(header: Value, payload: Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------------------------------------
// Valid tokens, and the registered claims
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d24_a_valid_token_passes_the_handshake_and_a_delivery() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p);
    let token = issuer.token(claims(json!({})));
    let consent = send(&app, handshake(Some(&format!("Bearer {token}")))).await;
    assert_status(&consent, StatusCode::OK, "handshake with a valid token");
    assert_eq!(consent.header("webhook-allowed-origin"), Some(ORIGIN));
    let accepted = send(&app, delivery("e-1", Some(&token))).await;
    assert_status(
        &accepted,
        StatusCode::NO_CONTENT,
        "delivery with a valid token",
    );
    // The handler saw the verified caller (BearerClaims).
    assert_eq!(calls.all(), ["e-1:event-mesh-client"]);
    // The same token again: remembered, still accepted.
    let again = send(&app, delivery("e-2", Some(&token))).await;
    assert_status(&again, StatusCode::NO_CONTENT, "the same token again");
}

#[tokio::test]
async fn d24_the_token_in_the_access_token_query_parameter() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p);
    let token = issuer.token(claims(json!({})));
    let uri = format!("{PATH}?access_token={token}");
    let accepted = send(&app, delivery_to(&uri, "q-1", None)).await;
    assert_status(&accepted, StatusCode::NO_CONTENT, "token as access_token");
    assert_eq!(accepted.header("cache-control"), Some("private"), "D15");
    assert_eq!(calls.all(), ["q-1:event-mesh-client"]);
}

#[tokio::test]
async fn d25_no_or_malformed_token_is_401() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p);
    for (what, token) in [
        ("no token", None),
        ("not a JWT", Some("opaque-token")),
        ("three parts, none JSON", Some("a.b.c")),
    ] {
        let answer = send(&app, delivery("x", token)).await;
        assert_status(&answer, StatusCode::UNAUTHORIZED, what);
    }
    let refused = send(&app, handshake(None)).await;
    assert_status(
        &refused,
        StatusCode::UNAUTHORIZED,
        "handshake without a token (D26)",
    );
    calls.assert_empty();
}

#[tokio::test]
async fn d24_expired_and_not_yet_valid_tokens_are_401() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p);
    let expired = issuer.token(claims(json!({ "exp": now() - 600 })));
    let answer = send(&app, delivery("x", Some(&expired))).await;
    assert_status(&answer, StatusCode::UNAUTHORIZED, "expired");
    assert!(answer.body.contains("expired"), "{}", answer.body);
    let early = issuer.token(claims(json!({ "nbf": now() + 600 })));
    let answer = send(&app, delivery("x", Some(&early))).await;
    assert_status(&answer, StatusCode::UNAUTHORIZED, "not yet valid");
    assert!(answer.body.contains("nbf"), "{}", answer.body);
    // Within the leeway (60 s) both pass.
    let just_expired = issuer.token(claims(json!({ "exp": now() - 5 })));
    let answer = send(&app, delivery("l-1", Some(&just_expired))).await;
    assert_status(&answer, StatusCode::NO_CONTENT, "expired within the leeway");
    assert_eq!(calls.len(), 1);
}

#[tokio::test]
async fn d24_wrong_audience_or_issuer_is_401() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p);
    for (what, more, word) in [
        (
            "wrong audience",
            json!({ "aud": "api://another-app" }),
            "aud",
        ),
        ("no audience", json!({ "aud": null }), "aud"),
        (
            "wrong issuer",
            json!({ "iss": "https://evil.example.com" }),
            "iss",
        ),
    ] {
        let token = issuer.token(claims(more));
        let answer = send(&app, delivery("x", Some(&token))).await;
        assert_status(&answer, StatusCode::UNAUTHORIZED, what);
        assert!(answer.body.contains(word), "{what}: {}", answer.body);
    }
    calls.assert_empty();
}

#[tokio::test]
async fn d24_alg_none_and_hmac_with_the_public_key_are_refused() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p);
    // Warm the key cache with a valid token, so the refusals are not for want of keys.
    let valid = issuer.token(claims(json!({})));
    assert_status(
        &send(&app, delivery("ok", Some(&valid))).await,
        StatusCode::NO_CONTENT,
        "valid",
    );
    let payload = json!({
        "iss": issuer.url(), "aud": AUDIENCE, "exp": now() + 600, "iat": now()
    });
    let none = forged(
        json!({ "alg": "none", "typ": "JWT", "kid": issuer.kid() }),
        payload,
        "",
    );
    let answer = send(&app, delivery("none", Some(&none))).await;
    assert_status(&answer, StatusCode::UNAUTHORIZED, "alg none");
    let hmac = issuer.hs256_with_public_key(claims(json!({})));
    let answer = send(&app, delivery("hmac", Some(&hmac))).await;
    assert_status(
        &answer,
        StatusCode::UNAUTHORIZED,
        "HS256 keyed with the public key",
    );
    assert!(answer.body.contains("algorithm"), "{}", answer.body);
    // A valid token's signature on another payload.
    let signature = valid.rsplit('.').next().unwrap();
    let tampered = forged(
        json!({ "alg": "RS256", "typ": "JWT", "kid": issuer.kid() }),
        json!({ "iss": issuer.url(), "aud": AUDIENCE, "exp": now() + 600, "azp": "intruder" }),
        signature,
    );
    let answer = send(&app, delivery("tampered", Some(&tampered))).await;
    assert_status(&answer, StatusCode::UNAUTHORIZED, "tampered payload");
    assert_eq!(calls.all(), ["ok:event-mesh-client"]);
}

#[tokio::test]
async fn d25_a_missing_scope_is_403() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = mesh_route(&issuer, |p| p.require_scope("orders.deliver"));
    let without = issuer.token(claims(json!({ "scope": "orders.read" })));
    let answer = send(&app, delivery("x", Some(&without))).await;
    assert_status(&answer, StatusCode::FORBIDDEN, "scope missing");
    assert!(answer.body.contains("scope"), "{}", answer.body);
    // XSUAA's shape: an array; and OAuth2's: a space-separated string.
    let array = issuer.token(claims(
        json!({ "scope": ["uaa.resource", "orders.deliver"] }),
    ));
    let answer = send(&app, delivery("s-1", Some(&array))).await;
    assert_status(&answer, StatusCode::NO_CONTENT, "scope in an array");
    let string = issuer.token(claims(json!({ "scope": "orders.read orders.deliver" })));
    let answer = send(&app, delivery("s-2", Some(&string))).await;
    assert_status(&answer, StatusCode::NO_CONTENT, "scope in a string");
    assert_eq!(calls.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The key cache
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d24_a_rotated_key_is_fetched_once_then_accepted() {
    let Some(issuer) = issuer() else { return };
    let interval = Duration::from_millis(500);
    let (app, calls) = mesh_route(&issuer, |p| p.refresh_interval(interval));
    let before = issuer.token(claims(json!({})));
    assert_status(
        &send(&app, delivery("r-1", Some(&before))).await,
        StatusCode::NO_CONTENT,
        "before rotation",
    );
    let fetched = issuer.jwks_fetches();
    issuer.rotate();
    let after = issuer.token(claims(json!({})));
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    for id in ["r-2", "r-3", "r-4"] {
        let answer = send(&app, delivery(id, Some(&after))).await;
        assert_status(&answer, StatusCode::NO_CONTENT, "the new key's token");
    }
    assert_eq!(
        issuer.jwks_fetches(),
        fetched + 1,
        "the unknown kid fetched the key set once"
    );
    assert_eq!(calls.len(), 4);
}

#[tokio::test]
async fn d24_a_flood_of_forged_kids_fetches_once_per_interval() {
    let Some(issuer) = issuer() else { return };
    let interval = Duration::from_secs(1);
    let (app, calls) = mesh_route(&issuer, |p| p.refresh_interval(interval));
    let valid = issuer.token(claims(json!({})));
    assert_status(
        &send(&app, delivery("ok", Some(&valid))).await,
        StatusCode::NO_CONTENT,
        "valid",
    );
    let fetched = issuer.jwks_fetches();
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    let payload = json!({ "iss": issuer.url(), "aud": AUDIENCE, "exp": now() + 600 });
    for i in 0..50 {
        let token = forged(
            json!({ "alg": "RS256", "typ": "JWT", "kid": format!("forged-{i}") }),
            payload.clone(),
            "c2lnbmF0dXJl",
        );
        let answer = send(&app, delivery("forged", Some(&token))).await;
        assert_status(&answer, StatusCode::UNAUTHORIZED, "forged kid");
        assert!(answer.body.contains("kid"), "{}", answer.body);
    }
    assert_eq!(
        issuer.jwks_fetches(),
        fetched + 1,
        "fifty forged kids within one interval: one fetch"
    );
    assert_eq!(calls.len(), 1);
}

#[tokio::test]
async fn d25_key_server_down_cached_keys_serve_unknown_ones_get_503_then_recovery() {
    let Some(issuer) = issuer() else { return };
    let interval = Duration::from_millis(500);
    let (app, calls) = mesh_route(&issuer, |p| p.refresh_interval(interval));
    let first = issuer.token(claims(json!({ "jti": "1" })));
    assert_status(
        &send(&app, delivery("k-1", Some(&first))).await,
        StatusCode::NO_CONTENT,
        "keys fetched",
    );
    let cached_kid = issuer.token(claims(json!({ "jti": "2" })));
    issuer.rotate();
    let new_kid = issuer.token(claims(json!({ "jti": "3" })));
    issuer.stop_keys();
    tokio::time::sleep(interval + Duration::from_millis(100)).await;

    let answer = send(&app, delivery("k-2", Some(&cached_kid))).await;
    assert_status(&answer, StatusCode::NO_CONTENT, "down, key cached");
    let unavailable = send(&app, delivery("k-3", Some(&new_kid))).await;
    assert_status(
        &unavailable,
        StatusCode::SERVICE_UNAVAILABLE,
        "down, key not cached",
    );
    let retry_after: u64 = unavailable
        .header("retry-after")
        .expect("503 carries Retry-After")
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    // The handshake answers the same (a token whose keys cannot be had is not invalid).
    let handshake_answer = send(&app, handshake(Some(&format!("Bearer {new_kid}")))).await;
    assert_status(
        &handshake_answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "handshake, down",
    );

    issuer.start_keys();
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    let recovered = send(&app, delivery("k-3", Some(&new_kid))).await;
    assert_status(&recovered, StatusCode::NO_CONTENT, "after recovery");
    assert_eq!(
        calls.all(),
        [
            "k-1:event-mesh-client",
            "k-2:event-mesh-client",
            "k-3:event-mesh-client"
        ]
    );
}

#[tokio::test]
async fn d24_keys_by_discovery_and_by_jwks_url_agree() {
    let Some(issuer) = issuer() else { return };
    let token = issuer.token(claims(json!({})));
    for source in [
        KeySource::discovery(issuer.url()),
        KeySource::jwks_url(issuer.jwks_url()),
    ] {
        let (app, _) = mesh_route(&issuer, |p| p.keys(source.clone()));
        let answer = send(&app, delivery("d", Some(&token))).await;
        assert_status(&answer, StatusCode::NO_CONTENT, &format!("{source:?}"));
    }
    // A discovery document that names another issuer is not trusted: no keys, 503.
    let (app, _) = mesh_route(&issuer, |p| {
        p.keys(KeySource::discovery(format!("{}/other", issuer.url())))
    });
    let answer = send(&app, delivery("d", Some(&token))).await;
    assert_status(
        &answer,
        StatusCode::SERVICE_UNAVAILABLE,
        "discovery elsewhere",
    );
}

// ---------------------------------------------------------------------------------------------
// Presets: Entra ID for Event Grid, SAP XSUAA
// ---------------------------------------------------------------------------------------------

/// An Event Grid route with the Entra preset in `cloud`, keys from the issuer's JWKS (the
/// issuer's tokens carry Entra's issuer forms in `iss`).
fn entra_route(issuer: &Issuer, cloud: EntraCloud) -> (Router, Calls) {
    let verifier = JwtPolicy::entra_id_for_event_grid_in(cloud, TENANT, AUDIENCE)
        .keys(KeySource::jwks_url(issuer.jwks_url()))
        .build()
        .unwrap();
    serve(grid::route_with(grid::config().with_jwt(verifier)))
}

/// Entra-shaped claims: v1 (`appid`, `sts.windows.net`) or v2 (`azp`, `login.*/v2.0`).
fn entra(v1: bool, iss: String, app: &str, roles: Value) -> Value {
    let caller = if v1 { "appid" } else { "azp" };
    json!({
        "iss": iss, "aud": AUDIENCE, "tid": TENANT, "ver": if v1 { "1.0" } else { "2.0" },
        caller: app, "roles": roles, "oid": "a1b2c3d4"
    })
}

#[tokio::test]
async fn d24_entra_tokens_of_event_grid_in_both_forms_and_both_clouds() {
    let Some(issuer) = issuer() else { return };
    let role = json!([EVENT_GRID_ROLE]);
    let v1 = format!("https://sts.windows.net/{TENANT}/");
    let v2 = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let (app, calls) = entra_route(&issuer, EntraCloud::Public);
    for (id, claims) in [
        (
            "v1-public",
            entra(true, v1.clone(), EVENT_GRID_APP_ID, role.clone()),
        ),
        (
            "v2-public",
            entra(false, v2.clone(), EVENT_GRID_APP_ID, role.clone()),
        ),
        (
            "v2-gov-app",
            entra(
                false,
                v2.clone(),
                EVENT_GRID_APP_ID_US_GOVERNMENT,
                role.clone(),
            ),
        ),
    ] {
        let answer = send(&app, grid_delivery(id, &issuer.token(claims))).await;
        assert_status(&answer, StatusCode::NO_CONTENT, id);
    }
    assert_eq!(
        calls.all(),
        [
            format!("v1-public:{EVENT_GRID_APP_ID}"),
            format!("v2-public:{EVENT_GRID_APP_ID}"),
            format!("v2-gov-app:{EVENT_GRID_APP_ID_US_GOVERNMENT}"),
        ]
    );
    let (gov, gov_calls) = entra_route(&issuer, EntraCloud::UsGovernment);
    let gov_v2 = format!("https://login.microsoftonline.us/{TENANT}/v2.0");
    let token = issuer.token(entra(
        false,
        gov_v2.clone(),
        EVENT_GRID_APP_ID_US_GOVERNMENT,
        role.clone(),
    ));
    assert_status(
        &send(&gov, grid_delivery("gov", &token)).await,
        StatusCode::NO_CONTENT,
        "gov v2",
    );
    // The public cloud's route does not take the government cloud's issuer.
    let answer = send(&app, grid_delivery("x", &token)).await;
    assert_status(
        &answer,
        StatusCode::UNAUTHORIZED,
        "government issuer on a public route",
    );
    assert_eq!(gov_calls.len(), 1);
}

#[tokio::test]
async fn d25_an_entra_token_of_another_application_or_without_the_role_is_403() {
    let Some(issuer) = issuer() else { return };
    let (app, calls) = entra_route(&issuer, EntraCloud::Public);
    let v2 = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let other_app = issuer.token(entra(
        false,
        v2.clone(),
        "11111111-2222-3333-4444-555555555555",
        json!([EVENT_GRID_ROLE]),
    ));
    let answer = send(&app, grid_delivery("x", &other_app)).await;
    assert_status(&answer, StatusCode::FORBIDDEN, "another application");
    let no_role = issuer.token(entra(false, v2, EVENT_GRID_APP_ID, json!([])));
    let answer = send(&app, grid_delivery("x", &no_role)).await;
    assert_status(&answer, StatusCode::FORBIDDEN, "without the app role");
    assert!(answer.body.contains("role"), "{}", answer.body);
    let wrong_tenant = issuer.token(entra(
        true,
        "https://sts.windows.net/another-tenant/".to_owned(),
        EVENT_GRID_APP_ID,
        json!([EVENT_GRID_ROLE]),
    ));
    let answer = send(&app, grid_delivery("x", &wrong_tenant)).await;
    assert_status(&answer, StatusCode::UNAUTHORIZED, "another tenant's issuer");
    calls.assert_empty();
}

#[tokio::test]
async fn d24_xsuaa_tokens_for_event_mesh() {
    let Some(issuer) = issuer() else { return };
    // XSUAA's issuer is `<url>/oauth/token` and its keys `<url>/token_keys`; the issuer's JWKS
    // stands in for the latter.
    let url = "https://acme.authentication.eu10.hana.ondemand.com";
    let verifier = JwtPolicy::sap_xsuaa(url, "orders!t42")
        .require_scope("orders!t42.deliver")
        .keys(KeySource::jwks_url(issuer.jwks_url()))
        .build()
        .unwrap();
    let (app, calls) = serve(mesh::route_with(mesh::config().with_jwt(verifier)));
    let xsuaa = |scopes: Value| {
        issuer.token(json!({
            "iss": format!("{url}/oauth/token"), "aud": ["orders!t42", "uaa"],
            "cid": "sb-event-mesh", "zid": "zone-1", "scope": scopes,
        }))
    };
    let token = xsuaa(json!(["orders!t42.deliver", "uaa.resource"]));
    let consent = send(&app, handshake(Some(&format!("Bearer {token}")))).await;
    assert_status(&consent, StatusCode::OK, "handshake");
    let answer = send(&app, delivery("x-1", Some(&token))).await;
    assert_status(&answer, StatusCode::NO_CONTENT, "delivery");
    let without = xsuaa(json!(["uaa.resource"]));
    let answer = send(&app, delivery("x-2", Some(&without))).await;
    assert_status(&answer, StatusCode::FORBIDDEN, "without the scope");
    assert_eq!(calls.all(), ["x-1:sb-event-mesh"]);
}

// ---------------------------------------------------------------------------------------------
// The handshake's policy (D26)
// ---------------------------------------------------------------------------------------------

fn oidc(issuer: &Issuer) -> JwtVerifier {
    JwtPolicy::oidc(issuer.url(), AUDIENCE).build().unwrap()
}

#[tokio::test]
async fn d26_event_grid_checks_a_token_on_the_handshake_only_when_present() {
    let Some(issuer) = issuer() else { return };
    let config = grid_cloudevents::config().with_jwt(oidc(&issuer));
    assert_eq!(config.handshake_auth(), HandshakeAuth::CheckedWhenPresent);
    let (app, calls) = serve(grid_cloudevents::route_with(config));
    assert_status(
        &send(&app, handshake(None)).await,
        StatusCode::OK,
        "no token",
    );
    let token = issuer.token(claims(json!({})));
    let bearer = format!("Bearer {token}");
    assert_status(
        &send(&app, handshake(Some(&bearer))).await,
        StatusCode::OK,
        "valid",
    );
    let expired = format!(
        "Bearer {}",
        issuer.token(claims(json!({ "exp": now() - 600 })))
    );
    let answer = send(&app, handshake(Some(&expired))).await;
    assert_status(
        &answer,
        StatusCode::UNAUTHORIZED,
        "a present token that fails",
    );
    // Deliveries always need one.
    let answer = send(&app, delivery("g-0", None)).await;
    assert_status(
        &answer,
        StatusCode::UNAUTHORIZED,
        "delivery without a token",
    );
    let answer = send(&app, delivery("g-1", Some(&token))).await;
    assert_status(&answer, StatusCode::NO_CONTENT, "delivery with a token");
    assert_eq!(calls.all(), ["g-1"]);
}

#[tokio::test]
async fn d26_the_handshake_policy_is_explicit_per_route() {
    let Some(issuer) = issuer() else { return };
    let bad = Some("Bearer not-a-token");
    for (policy, none, bad_token) in [
        (
            HandshakeAuth::Required,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
        ),
        (
            HandshakeAuth::CheckedWhenPresent,
            StatusCode::OK,
            StatusCode::UNAUTHORIZED,
        ),
        (HandshakeAuth::NotChecked, StatusCode::OK, StatusCode::OK),
    ] {
        let config = mesh::config()
            .with_jwt(oidc(&issuer))
            .with_handshake_auth(policy);
        let (app, _) = serve(mesh::route_with(config));
        assert_status(
            &send(&app, handshake(None)).await,
            none,
            &format!("{policy:?}, none"),
        );
        assert_status(
            &send(&app, handshake(bad)).await,
            bad_token,
            &format!("{policy:?}, bad"),
        );
        let answer = send(&app, delivery("x", None)).await;
        assert_status(
            &answer,
            StatusCode::UNAUTHORIZED,
            &format!("{policy:?}, delivery"),
        );
    }
    // The defaults follow the sender.
    assert_eq!(mesh::config().handshake_auth(), HandshakeAuth::Required);
    assert_eq!(
        CloudEventsConfig::new().handshake_auth(),
        HandshakeAuth::Required
    );
    assert_eq!(
        CloudEventsConfig::new()
            .with_sender(Sender::EventGrid)
            .handshake_auth(),
        HandshakeAuth::CheckedWhenPresent
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration values (D10)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d10_a_token_policy_from_configuration_values() {
    let Some(issuer) = issuer() else { return };
    let vars = [
        ("MESH_OIDC_ISSUER", issuer.url().to_owned()),
        ("MESH_OIDC_AUDIENCE", format!("{AUDIENCE}, api://second")),
        ("MESH_OIDC_SCOPE", "orders.deliver".to_owned()),
        ("MESH_HANDSHAKE_AUTH", "when_present".to_owned()),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let config = mesh::config().with_vars("MESH", lookup).unwrap();
    assert_eq!(config.handshake_auth(), HandshakeAuth::CheckedWhenPresent);
    let (app, calls) = serve(mesh::route_with(config));
    let token = issuer.token(claims(
        json!({ "aud": "api://second", "scope": "orders.deliver" }),
    ));
    assert_status(
        &send(&app, delivery("v-1", Some(&token))).await,
        StatusCode::NO_CONTENT,
        "second audience",
    );
    let unscoped = issuer.token(claims(json!({})));
    assert_status(
        &send(&app, delivery("v-2", Some(&unscoped))).await,
        StatusCode::FORBIDDEN,
        "no scope",
    );
    assert_eq!(calls.len(), 1);

    let only_issuer = |name: &str| (name == "MESH_OIDC_ISSUER").then(|| issuer.url().to_owned());
    let error = mesh::config().with_vars("MESH", only_issuer).unwrap_err();
    assert_eq!(error.variable(), "MESH_OIDC_AUDIENCE");
    let plain_http = |name: &str| match name {
        "MESH_OIDC_ISSUER" => Some("http://issuer.example.com".to_owned()),
        "MESH_OIDC_AUDIENCE" => Some(AUDIENCE.to_owned()),
        _ => None,
    };
    let error = mesh::config().with_vars("MESH", plain_http).unwrap_err();
    assert!(error.to_string().contains("https"), "{error}");
}
