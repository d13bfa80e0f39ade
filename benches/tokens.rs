//! What bearer-token authentication costs per delivery (D24), in process through an axum
//! `Router`.
//!
//! ```text
//! cargo bench --bench tokens
//! ```
//!
//! One scenario (criterion group `structured`): the `structured` request of
//! `benches/cloudevents.rs` (one event with ~1 KiB of typed data) with
//! `Authorization: Bearer <token>`, sent to the route of
//! `#[webhook(origins = [...], schema = cloudevents, rate = 120)]`. Every contender gets the same
//! request; they differ only in how the route checks it:
//!
//! - `no_auth`: not at all (the route has no credentials and ignores the header);
//! - `bearer`: `Credentials::bearer` holding the token as a static secret, so a constant-time
//!   comparison of the same bytes the JWT routes hash;
//! - `jwt_repeated`: `with_jwt` of a verifier that verified the token on an earlier request and
//!   remembers it: its SHA-256 and a map lookup;
//! - `jwt_first_seen`: `with_jwt` of a verifier built with `.remember(0)`, which remembers
//!   nothing, so every delivery checks the signature and the claims as for a token never seen
//!   before. Only the memory's lookup miss and insertion are left out; signing a fresh token for
//!   every request instead would put an RSA signature per request into the set-up, which under
//!   callgrind takes far longer than the requests themselves.
//!
//! The token is RS256 (what Entra ID, XSUAA and SAP Cloud Identity sign with) with `iss`, `aud`,
//! `exp` an hour ahead, `nbf` and `iat`, signed with `jsonwebtoken::encode` by a 2048-bit RSA key
//! generated at start-up. The verifiers read its public key from a JWKS document
//! (`KeySource::jwks`): nothing goes to the network. The key comes from a seeded generator so
//! that every run does the same set-up work, which the instruction count per request (the
//! difference of two runs, `scripts/per_request.sh`) relies on to cancel it.
//!
//! Before timing, besides the checks every bench makes (2xx, the event handled, allocations
//! printed), each authenticating route must answer 401 to the token with a broken signature: its
//! 2xx comes from the token. Results and their reading: `BENCHMARKS.md`.

mod common;

use axum::Router;
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Delivery, Order, Scenario, bench_scenarios, envelope, handle};
use criterion::criterion_main;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rsa::PrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use tower::ServiceExt;
use webhook_runtime::auth::Credentials;
use webhook_runtime::auth::jwt::{JwtPolicy, KeySource};
use webhook_runtime::{CloudEvent, webhook};

const ISSUER: &str = "https://login.example.com/orders-tenant/v2.0";
const AUDIENCE: &str = "api://orders-webhook";
const KID: &str = "bench-key-1";

/// The route of `ours` in `benches/cloudevents.rs`.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn orders(event: CloudEvent<Order>) {
    handle(1, &event);
}

/// The claims an issuer puts in a token for this receiver.
#[derive(Serialize)]
struct Claims {
    iss: &'static str,
    aud: &'static str,
    exp: u64,
    nbf: u64,
    iat: u64,
}

/// A signed token and the JWKS document of the key that signed it.
struct Issued {
    token: String,
    jwks: String,
}

fn issue() -> Issued {
    let mut rng = StdRng::seed_from_u64(24);
    let key = PrivateKey::new(&mut rng, 2048).expect("RSA key");
    let der = key.to_pkcs1_der().expect("PKCS#1 DER");
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        iss: ISSUER,
        aud: AUDIENCE,
        exp: now + 3600,
        nbf: now,
        iat: now,
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.to_owned());
    let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_der(der.as_bytes()))
        .expect("signed token");
    let jwks = serde_json::json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": KID,
            "n": URL_SAFE_NO_PAD.encode(key.n_bytes()),
            "e": URL_SAFE_NO_PAD.encode(key.e_bytes()),
        }]
    })
    .to_string();
    Issued { token, jwks }
}

/// The token with one character of its signature changed.
fn forged(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    let mut signature = signature.as_bytes().to_vec();
    // Away from the end, whose last character carries padding bits.
    signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
    format!(
        "{signed}.{}",
        String::from_utf8(signature).expect("base64url")
    )
}

/// The structured event with `Authorization: Bearer <token>`.
fn delivery(token: &str) -> Delivery {
    let body = serde_json::to_vec(&envelope(0)).expect("json");
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/cloudevents+json"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).expect("header value"),
    );
    Delivery::post(headers, body, 1)
}

fn scenario(issued: &Issued) -> Scenario {
    let policy =
        || JwtPolicy::oidc(ISSUER, AUDIENCE).keys(KeySource::jwks(&issued.jwks).expect("JWKS"));
    let with = |config| Router::new().route("/hook", orders::route_with(config));
    Scenario {
        name: "structured",
        delivery: delivery(&issued.token),
        routes: vec![
            ("no_auth", Router::new().route("/hook", orders::route())),
            (
                "bearer",
                with(orders::config().with_credentials(Credentials::new().bearer(&issued.token))),
            ),
            (
                "jwt_repeated",
                with(orders::config().with_jwt(policy().build().expect("verifier"))),
            ),
            (
                "jwt_first_seen",
                with(orders::config().with_jwt(policy().remember(0).build().expect("verifier"))),
            ),
        ],
        floor: None,
    }
}

/// Every route that authenticates refuses a forged token.
fn check_refusals(scenario: &Scenario, forged: &str) {
    let runtime = common::runtime();
    let forged = delivery(forged);
    for (contender, router) in &scenario.routes {
        if *contender == "no_auth" {
            continue;
        }
        let response = runtime
            .block_on(router.clone().oneshot(forged.request()))
            .expect("infallible");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{}/{contender}: a forged token",
            scenario.name
        );
    }
}

/// The benchmark, with the shared criterion settings.
fn benches() {
    let issued = issue();
    let scenario = scenario(&issued);
    check_refusals(&scenario, &forged(&issued.token));
    bench_scenarios(&mut common::criterion(), &[scenario]);
}

criterion_main!(benches);
