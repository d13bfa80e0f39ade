//! Authentication over HTTP (protocol.md §7, D1, D2, D15, D20): HTTP Basic, Bearer tokens and the
//! `access_token` query parameter, API-key headers, a custom `Authenticate`, credentials from
//! configuration values, and where authentication sits among the other checks. Driven through
//! `tower::ServiceExt::oneshot` on routes built by `#[webhook]` + `route_with`.

pub mod common;

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use axum::routing::MethodRouter;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use webhook_runtime::auth::{AuthVerdict, Authenticate, Credentials};
use webhook_runtime::{CloudEvent, CloudEventsConfig, Config, EventGridEvent, webhook};

use common::credentials::basic;
use common::log::Log;
use common::oneshot::{Answer, send};

const PATH: &str = "/hooks/orders";
const ORIGIN: &str = "eventemitter.example.com";
const STRUCTURED: &str = "application/cloudevents+json";
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
const USER: &str = "eventmesh-user";
const PASSWORD: &str = "s3cret-Passw0rd";

// ---------------------------------------------------------------------------------------------
// Handlers and routes
// ---------------------------------------------------------------------------------------------

/// The ids of the events handlers were called with, in call order.
type Calls = Log<String>;

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn orders(event: CloudEvent, State(calls): State<Calls>) {
    calls.push(event.id().to_owned());
}

#[webhook(schema = eventgrid, subscriptions = ["orders-sub"])]
async fn grid(event: EventGridEvent<Value>, State(calls): State<Calls>) {
    calls.push(event.id().to_owned());
}

/// The router serving `route` at [`PATH`], and the record of the handler's calls.
fn serve(route: MethodRouter<Calls>) -> (Router, Calls) {
    let calls = Calls::default();
    (
        Router::new().route(PATH, route).with_state(calls.clone()),
        calls,
    )
}

/// The CloudEvents route with the attribute's settings and `config` applied on top of them.
fn orders_with(config: impl FnOnce(Config) -> Config) -> (Router, Calls) {
    serve(orders::route_with(config(orders::config())))
}

/// The CloudEvents route accepting `credentials`.
fn protected(credentials: Credentials) -> (Router, Calls) {
    orders_with(|config| config.with_credentials(credentials))
}

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

impl Answer {
    /// The names of the `WebHook-*` headers of the answer.
    fn webhook_headers(&self) -> Vec<&str> {
        self.headers
            .keys()
            .map(|name| name.as_str())
            .filter(|name| name.starts_with("webhook-"))
            .collect()
    }

    /// What is wrong with this answer as a refusal for missing or invalid credentials: 401, a
    /// one-line plain-text reason, no challenge (CloudEvents §3: no challenge-based schemes),
    /// no `WebHook-*` header (D1), nothing cacheable as private data.
    fn unauthorized_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.status != StatusCode::UNAUTHORIZED {
            problems.push(format!("status {} instead of 401", self.status));
        }
        if self.header("content-type") != Some(TEXT_PLAIN) {
            problems.push(format!("content-type {:?}", self.header("content-type")));
        }
        let reason = self.body.strip_suffix('\n').unwrap_or(&self.body);
        if reason.trim().is_empty() || reason.contains('\n') {
            problems.push(format!("reason {:?} is not one line of text", self.body));
        }
        if self.headers.contains_key("www-authenticate") {
            problems.push("a WWW-Authenticate challenge".to_owned());
        }
        if !self.webhook_headers().is_empty() {
            problems.push(format!("WebHook-* headers {:?}", self.webhook_headers()));
        }
        if self.headers.contains_key("cache-control") {
            problems.push("Cache-Control on a refusal".to_owned());
        }
        problems
    }

    #[track_caller]
    fn assert_unauthorized(&self) {
        let problems = self.unauthorized_problems();
        assert!(
            problems.is_empty(),
            "{problems:?}: {} {:?} {}",
            self.status,
            self.headers,
            self.body
        );
    }

    /// D1 consent for [`ORIGIN`] with the attribute's rate.
    #[track_caller]
    fn assert_consent(&self) {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        assert_eq!(self.header("webhook-allowed-origin"), Some(ORIGIN));
        assert_eq!(self.header("webhook-allowed-rate"), Some("120"));
    }
}

/// A request to `uri` with `headers` appended in order (so a name may repeat).
fn request(
    method: Method,
    uri: &str,
    headers: &[(&str, HeaderValue)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, value.clone());
    }
    builder.body(body.into()).unwrap()
}

fn values<'a>(headers: &[(&'a str, &str)]) -> Vec<(&'a str, HeaderValue)> {
    headers
        .iter()
        .map(|(name, value)| (*name, HeaderValue::from_str(value).unwrap()))
        .collect()
}

/// A structured-mode event with this id.
fn event(id: &str) -> String {
    json!({
        "specversion": "1.0",
        "id": id,
        "source": "/orders",
        "type": "com.example.order.created",
        "data": { "order_id": id },
    })
    .to_string()
}

/// A structured delivery of event `id` to `uri`, with `headers` after the Content-Type.
fn delivery(uri: &str, id: &str, headers: &[(&str, HeaderValue)]) -> Request<Body> {
    let mut all = values(&[("content-type", STRUCTURED)]);
    all.extend_from_slice(headers);
    request(Method::POST, uri, &all, event(id))
}

/// An OPTIONS handshake to `uri` from [`ORIGIN`], with `headers` after it.
fn handshake(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut all = vec![("webhook-request-origin", ORIGIN)];
    all.extend_from_slice(headers);
    request(Method::OPTIONS, uri, &values(&all), Body::empty())
}

// ---------------------------------------------------------------------------------------------
// Tables of credentials
// ---------------------------------------------------------------------------------------------

/// One delivery of a table: its headers and query, and the status it must get.
struct Case {
    name: &'static str,
    uri: String,
    headers: Vec<(&'static str, HeaderValue)>,
    expect: StatusCode,
}

fn case(name: &'static str, headers: &[(&'static str, &str)], expect: StatusCode) -> Case {
    Case {
        name,
        uri: PATH.to_owned(),
        headers: values(headers),
        expect,
    }
}

/// A case sending `Authorization: <value>`.
fn authorization(name: &'static str, value: &str, expect: StatusCode) -> Case {
    case(name, &[("authorization", value)], expect)
}

impl Case {
    /// The same case with `query` appended to the path.
    fn query(mut self, query: &str) -> Self {
        self.uri = format!("{PATH}?{query}");
        self
    }
}

/// Sends each case as a delivery of its own event and fails once, listing every case whose
/// answer was wrong; the handler must have seen exactly the accepted cases, in order. A case
/// accepted through `access_token` must carry `Cache-Control: private` (D15) and no other may.
async fn run(app: &Router, calls: &Calls, cases: &[Case]) {
    let mut failures = Vec::new();
    let mut accepted = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let id = format!("case-{i}");
        let answer = send(app, delivery(&case.uri, &id, &case.headers)).await;
        if answer.status != case.expect {
            failures.push(format!(
                "{}: expected {}, got {} ({:?})",
                case.name, case.expect, answer.status, answer.body
            ));
        }
        if case.expect == StatusCode::UNAUTHORIZED {
            let problems = answer.unauthorized_problems();
            if !problems.is_empty() {
                failures.push(format!("{}: {problems:?}", case.name));
            }
        }
        if case.expect.is_success() {
            accepted.push(id);
            let by_query = case.uri.contains("access_token=");
            let private = answer.header("cache-control") == Some("private");
            if by_query != private {
                failures.push(format!(
                    "{}: Cache-Control {:?} (D15: private exactly when authenticated by access_token)",
                    case.name,
                    answer.header("cache-control")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        calls.all(),
        accepted,
        "the handler runs for accepted requests only"
    );
}

const OK: StatusCode = StatusCode::NO_CONTENT;
const DENIED: StatusCode = StatusCode::UNAUTHORIZED;

// ---------------------------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn basic_accepts_the_configured_pairs_only() {
    let (app, calls) = protected(
        Credentials::new()
            .basic(USER, PASSWORD)
            .basic("service", "pa:ss:word"),
    );
    let right = basic(USER, PASSWORD);
    let encoded = right.strip_prefix("Basic ").unwrap();
    let cases = [
        authorization("right pair", &right, OK),
        authorization("lower-case scheme", &format!("basic {encoded}"), OK),
        authorization("upper-case scheme", &format!("BASIC {encoded}"), OK),
        authorization(
            "second pair, password with colons",
            &basic("service", "pa:ss:word"),
            OK,
        ),
        authorization("wrong user", &basic("eventmesh-usr", PASSWORD), DENIED),
        authorization("wrong password", &basic(USER, "s3cret-Passw0rD"), DENIED),
        authorization("password prefix", &basic(USER, "s3cret"), DENIED),
        authorization(
            "password with a suffix",
            &basic(USER, "s3cret-Passw0rdX"),
            DENIED,
        ),
        authorization("empty password", &basic(USER, ""), DENIED),
        authorization(
            "user of one pair, password of the other",
            &basic(USER, "pa:ss:word"),
            DENIED,
        ),
        authorization("malformed base64", "Basic ZXZlbnRtZXNoLXVzZXI6!!!", DENIED),
        authorization(
            "no colon",
            &format!("Basic {}", STANDARD.encode(format!("{USER}{PASSWORD}"))),
            DENIED,
        ),
        authorization("scheme only", "Basic", DENIED),
        authorization(
            "no space after the scheme",
            &format!("Basic{encoded}"),
            DENIED,
        ),
        authorization(
            "the pair as a Bearer token",
            &format!("Bearer {encoded}"),
            DENIED,
        ),
        authorization(
            "unencoded pair",
            &format!("Basic {USER}:{PASSWORD}"),
            DENIED,
        ),
        authorization("empty", "", DENIED),
        case("no Authorization", &[], DENIED),
        case(
            "twice the right Authorization",
            &[("authorization", &right), ("authorization", &right)],
            DENIED,
        ),
        case("password as access_token", &[], DENIED).query(&format!("access_token={PASSWORD}")),
    ];
    run(&app, &calls, &cases).await;
}

#[tokio::test]
async fn bearer_accepts_each_token_of_a_rotation() {
    let (app, calls) = protected(Credentials::new().bearer("token-2025").bearer("token-2026"));
    let cases = [
        authorization("old token", "Bearer token-2025", OK),
        authorization("new token", "Bearer token-2026", OK),
        authorization("lower-case scheme", "bearer token-2026", OK),
        authorization("wrong token", "Bearer token-2027", DENIED),
        authorization("token prefix", "Bearer token-202", DENIED),
        authorization("token with a suffix", "Bearer token-20255", DENIED),
        authorization("case changed", "Bearer TOKEN-2025", DENIED),
        authorization(
            "two tokens in one header",
            "Bearer token-2025 token-2026",
            DENIED,
        ),
        authorization("scheme only", "Bearer", DENIED),
        authorization("no space after the scheme", "Bearertoken-2025", DENIED),
        authorization("other scheme", "Token token-2025", DENIED),
        authorization("token as Basic", "Basic token-2025", DENIED),
        authorization("token alone", "token-2025", DENIED),
        case(
            "twice the right Authorization",
            &[
                ("authorization", "Bearer token-2025"),
                ("authorization", "Bearer token-2025"),
            ],
            DENIED,
        ),
        case("no Authorization", &[], DENIED),
    ];
    run(&app, &calls, &cases).await;
}

#[tokio::test]
async fn d15_access_token_query_parameter_is_accepted_and_answered_private() {
    let (app, calls) = protected(Credentials::new().bearer("tok-1").bearer("a+b/c=d"));
    let cases = [
        case("access_token", &[], OK).query("access_token=tok-1"),
        case("among other parameters", &[], OK).query("x=1&access_token=tok-1&y=2"),
        case("percent-encoded", &[], OK).query("access_token=a%2Bb%2Fc%3Dd"),
        authorization("same token in the header", "Bearer tok-1", OK),
        case("wrong token", &[], DENIED).query("access_token=tok-2"),
        case("empty token", &[], DENIED).query("access_token="),
        case("parameter without value", &[], DENIED).query("access_token"),
        case("parameter twice", &[], DENIED).query("access_token=tok-1&access_token=tok-1"),
        case("other parameter name", &[], DENIED).query("access_tokens=tok-1"),
        case("name in upper case", &[], DENIED).query("ACCESS_TOKEN=tok-1"),
        case("'+' is a space, not a plus", &[], DENIED).query("access_token=a+b%2Fc%3Dd"),
    ];
    run(&app, &calls, &cases).await;

    // D15 on the handshake: private when the token came in the query, not otherwise.
    let by_query = send(&app, handshake(&format!("{PATH}?access_token=tok-1"), &[])).await;
    by_query.assert_consent();
    assert_eq!(by_query.header("cache-control"), Some("private"));
    let by_header = send(&app, handshake(PATH, &[("authorization", "Bearer tok-1")])).await;
    by_header.assert_consent();
    assert_eq!(by_header.header("cache-control"), None);
    let refused = send(&app, handshake(&format!("{PATH}?access_token=tok-9"), &[])).await;
    refused.assert_unauthorized();
}

/// D15: "a request that carried [an `access_token` query parameter] gets `Cache-Control:
/// private` on its 2xx answer". The runtime marks the answer only when the query token is what
/// authenticated the request: a request authenticated by its `Authorization` header that also
/// carries `access_token` in its URL, or one to a route without credentials, gets a 2xx without
/// `Cache-Control`.
#[tokio::test]
async fn d15_every_2xx_to_a_request_carrying_access_token_is_private() {
    let (app, calls) = protected(Credentials::new().bearer("tok-1"));
    let bearer = values(&[("authorization", "Bearer tok-1")]);
    for (i, query) in ["access_token=tok-1", "access_token=other"]
        .iter()
        .enumerate()
    {
        let answer = send(
            &app,
            delivery(&format!("{PATH}?{query}"), &format!("h-{i}"), &bearer),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::NO_CONTENT,
            "{query}: {}",
            answer.body
        );
        assert_eq!(answer.header("cache-control"), Some("private"), "{query}");
    }
    let (open, _) = orders_with(|config| config);
    let answer = send(
        &open,
        delivery(&format!("{PATH}?access_token=tok-1"), "open", &[]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    assert_eq!(
        answer.header("cache-control"),
        Some("private"),
        "open route"
    );
    assert_eq!(calls.all(), ["h-0", "h-1"]);
}

#[tokio::test]
async fn api_key_header_right_wrong_and_repeated() {
    let (app, calls) = protected(
        Credentials::new()
            .api_key("X-Api-Key", "key-1")
            .unwrap()
            .api_key("x-api-key", "key-2")
            .unwrap(),
    );
    let cases = [
        case("first key", &[("x-api-key", "key-1")], OK),
        case("second key", &[("X-API-KEY", "key-2")], OK),
        case("wrong key", &[("x-api-key", "key-3")], DENIED),
        case("key prefix", &[("x-api-key", "key-")], DENIED),
        case("empty key", &[("x-api-key", "")], DENIED),
        case(
            "header repeated with right keys",
            &[("x-api-key", "key-1"), ("x-api-key", "key-1")],
            DENIED,
        ),
        case(
            "header repeated, one right",
            &[("x-api-key", "key-1"), ("x-api-key", "key-3")],
            DENIED,
        ),
        case("key in another header", &[("x-api-token", "key-1")], DENIED),
        authorization("key as a Bearer token", "Bearer key-1", DENIED),
        case("no key", &[], DENIED),
    ];
    run(&app, &calls, &cases).await;
    let error = Credentials::new()
        .api_key("x api key", "key-secret")
        .unwrap_err();
    assert!(error.to_string().contains("x api key"), "{error}");
    assert!(!error.to_string().contains("key-secret"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Custom authentication
// ---------------------------------------------------------------------------------------------

/// Accepts requests that a gateway in front marked as verified; a mark of `forbidden` is a
/// caller that may not call (403), `down` a gateway that cannot say now (503).
struct Gateway;

impl Authenticate for Gateway {
    fn authenticate<'a>(
        &'a self,
        request: &'a Parts,
    ) -> Pin<Box<dyn Future<Output = AuthVerdict> + Send + 'a>> {
        Box::pin(async move {
            match request.headers.get("x-verified-by-gateway") {
                Some(mark) if mark == "forbidden" => AuthVerdict::Forbidden,
                Some(mark) if mark == "down" => AuthVerdict::Unavailable {
                    retry_after: std::time::Duration::from_secs(7),
                },
                mark => mark.is_some_and(|v| v == "yes").into(),
            }
        })
    }
}

/// D25: a custom check can answer 403 and 503 (with `Retry-After`) as well as 401, and the
/// handler is not called for any of them.
#[tokio::test]
async fn d25_custom_authenticator_answers_forbidden_and_unavailable() {
    let (app, calls) = orders_with(|config| config.with_authenticator(Gateway));
    let forbidden = send(
        &app,
        delivery(
            PATH,
            "f-1",
            &values(&[("x-verified-by-gateway", "forbidden")]),
        ),
    )
    .await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        forbidden.body
    );
    let down = send(
        &app,
        delivery(PATH, "d-1", &values(&[("x-verified-by-gateway", "down")])),
    )
    .await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        down.body
    );
    assert_eq!(down.header("retry-after"), Some("7"));
    calls.assert_empty();
}

#[tokio::test]
async fn custom_authenticator_alone() {
    let (app, calls) = orders_with(|config| config.with_authenticator(Gateway));
    let cases = [
        case("verified", &[("x-verified-by-gateway", "yes")], OK),
        case("not verified", &[("x-verified-by-gateway", "no")], DENIED),
        case("no mark", &[], DENIED),
        authorization("some Bearer token", "Bearer anything", DENIED),
    ];
    run(&app, &calls, &cases).await;
    let verified = send(&app, handshake(PATH, &[("x-verified-by-gateway", "yes")])).await;
    verified.assert_consent();
    send(&app, handshake(PATH, &[])).await.assert_unauthorized();
}

#[tokio::test]
async fn custom_authenticator_with_credentials_either_passes() {
    let (app, calls) = orders_with(|config| {
        config
            .with_credentials(Credentials::new().basic(USER, PASSWORD))
            .with_authenticator(Gateway)
    });
    let right = basic(USER, PASSWORD);
    let wrong = basic(USER, "wrong");
    let cases = [
        authorization("credentials only", &right, OK),
        case(
            "authenticator only",
            &[("x-verified-by-gateway", "yes")],
            OK,
        ),
        case(
            "wrong credentials, authenticator passes",
            &[("authorization", &wrong), ("x-verified-by-gateway", "yes")],
            OK,
        ),
        case(
            "right credentials, authenticator refuses",
            &[("authorization", &right), ("x-verified-by-gateway", "no")],
            OK,
        ),
        case(
            "both refuse",
            &[("authorization", &wrong), ("x-verified-by-gateway", "no")],
            DENIED,
        ),
        case("neither", &[], DENIED),
    ];
    run(&app, &calls, &cases).await;
}

// ---------------------------------------------------------------------------------------------
// Credentials from configuration values (D10)
// ---------------------------------------------------------------------------------------------

/// Configuration values: (variable, value) pairs.
type Vars<'a> = &'a [(&'a str, &'a str)];

fn lookup<'a>(vars: Vars<'a>) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[tokio::test]
async fn d10_with_vars_reads_basic_bearer_and_api_keys() {
    let vars = [
        ("ORDERS_BASIC", "mesh:pw-1, other:pw:2"),
        ("ORDERS_BEARER", "tok-a,tok-b"),
        ("ORDERS_API_KEY_HEADER", "X-Api-Key"),
        ("ORDERS_API_KEYS", " k-1 , k-2 "),
    ];
    let config = orders::config()
        .with_credentials(Credentials::new().basic("old", "old"))
        .with_vars("ORDERS", lookup(&vars))
        .unwrap();
    assert_eq!(
        format!("{:?}", config.credentials()),
        "Credentials { basic: 2, bearer: 2, api_keys: 2 }"
    );
    let (app, calls) = serve(orders::route_with(config));
    let cases = [
        authorization("first Basic pair", &basic("mesh", "pw-1"), OK),
        authorization(
            "second pair, split at the first colon",
            &basic("other", "pw:2"),
            OK,
        ),
        authorization("first token", "Bearer tok-a", OK),
        authorization("second token", "Bearer tok-b", OK),
        case("token as access_token", &[], OK).query("access_token=tok-b"),
        case("first key", &[("x-api-key", "k-1")], OK),
        case("second key, trimmed", &[("x-api-key", "k-2")], OK),
        authorization(
            "credentials replaced by the variables",
            &basic("old", "old"),
            DENIED,
        ),
        authorization("pair with a space", &basic("other", " pw:2"), DENIED),
        authorization("token list as one token", "Bearer tok-a,tok-b", DENIED),
        case("key with its spaces", &[("x-api-key", " k-1 ")], DENIED),
        case("nothing", &[], DENIED),
    ];
    run(&app, &calls, &cases).await;
}

#[tokio::test]
async fn d10_with_vars_bad_credentials_name_the_variable_and_not_the_secret() {
    // (variables, the variable the error names, a secret it must not show)
    let cases: [(Vars, &str, &str); 6] = [
        (
            &[("P_BASIC", "user-secret-without-colon")],
            "P_BASIC",
            "user-secret-without-colon",
        ),
        (
            &[("P_BASIC", "a:b,lonely-secret")],
            "P_BASIC",
            "lonely-secret",
        ),
        (
            &[("P_BEARER", "token-secret"), ("P_API_KEYS", "key-secret")],
            "P_API_KEY_HEADER",
            "key-secret",
        ),
        (
            &[
                ("P_API_KEY_HEADER", "x-api-key"),
                ("P_BASIC", "u:pw-secret"),
            ],
            "P_API_KEYS",
            "pw-secret",
        ),
        (
            &[
                ("P_API_KEY_HEADER", "bad header"),
                ("P_API_KEYS", "key-secret"),
            ],
            "P_API_KEY_HEADER",
            "key-secret",
        ),
        (
            &[("P_BASIC", "u:pw-secret"), ("P_ENFORCE_ORIGINS", "yes")],
            "P_ENFORCE_ORIGINS",
            "pw-secret",
        ),
    ];
    for (vars, variable, secret) in cases {
        let error = CloudEventsConfig::new()
            .with_vars("P", lookup(vars))
            .unwrap_err();
        assert_eq!(error.variable(), variable, "{vars:?}: {error}");
        let shown = format!("{error} {error:?}");
        assert!(
            shown.starts_with(&format!("{variable}: ")),
            "the message names the variable first: {shown}"
        );
        assert!(
            !shown.contains(secret),
            "{vars:?}: the message shows a value: {shown}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Where authentication runs: handshake (D1, D2) and delivery (D20)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn d1_d2_handshake_checks_credentials_first() {
    let (app, calls) = protected(Credentials::new().basic(USER, PASSWORD));
    let right = basic(USER, PASSWORD);
    let wrong = basic(USER, "wrong");
    let refused: [(&str, Vec<(&str, &str)>); 8] = [
        ("allowed origin", vec![("webhook-request-origin", ORIGIN)]),
        (
            "allowed origin, wrong password",
            vec![
                ("webhook-request-origin", ORIGIN),
                ("authorization", &wrong),
            ],
        ),
        (
            "D1 origin not allowed, wrong password",
            vec![
                ("webhook-request-origin", "attacker.example.org"),
                ("authorization", &wrong),
            ],
        ),
        (
            "D1 origin not allowed, no credentials",
            vec![(
                "webhook-request-origin",
                "eventemitter.example.com.attacker.tld",
            )],
        ),
        ("D2 no WebHook-Request-Origin", vec![]),
        (
            "D2 no WebHook-Request-Origin, wrong password",
            vec![("authorization", &wrong)],
        ),
        (
            "D21 invalid rate",
            vec![
                ("webhook-request-origin", ORIGIN),
                ("webhook-request-rate", "-5"),
            ],
        ),
        (
            "D21 two origins",
            vec![
                ("webhook-request-origin", ORIGIN),
                ("webhook-request-origin", ORIGIN),
            ],
        ),
    ];
    for (name, headers) in &refused {
        let answer = send(
            &app,
            request(Method::OPTIONS, PATH, &values(headers), Body::empty()),
        )
        .await;
        let problems = answer.unauthorized_problems();
        assert!(
            problems.is_empty(),
            "{name}: {problems:?} ({})",
            answer.body
        );
    }

    // With the credentials, the handshake's own checks answer.
    let granted = send(&app, handshake(PATH, &[("authorization", &right)])).await;
    granted.assert_consent();
    assert_eq!(granted.header("cache-control"), None);
    let authorized = |headers: &[(&'static str, &'static str)]| {
        let mut all = values(headers);
        all.push(("authorization", HeaderValue::from_str(&right).unwrap()));
        request(Method::OPTIONS, PATH, &all, Body::empty())
    };
    let other = send(
        &app,
        authorized(&[("webhook-request-origin", "attacker.example.org")]),
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
    assert!(other.webhook_headers().is_empty());
    let not_a_handshake = send(&app, authorized(&[])).await;
    assert_eq!(not_a_handshake.status, StatusCode::NO_CONTENT);
    assert_eq!(not_a_handshake.header("allow"), Some("OPTIONS, POST"));
    assert!(not_a_handshake.webhook_headers().is_empty());
    let bad_rate = send(
        &app,
        authorized(&[
            ("webhook-request-origin", ORIGIN),
            ("webhook-request-rate", "-5"),
        ]),
    )
    .await;
    assert_eq!(
        bad_rate.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_rate.body
    );
    assert!(calls.all().is_empty(), "a handshake calls no handler");
}

/// One step of an ordered scenario: a request and the status it must get.
struct Step {
    name: &'static str,
    request: Request<Body>,
    expect: StatusCode,
}

/// Runs the steps in order, failing at the first wrong answer.
async fn walk(app: &Router, steps: Vec<Step>) -> Vec<Answer> {
    let mut answers = Vec::new();
    for step in steps {
        let answer = send(app, step.request).await;
        assert_eq!(
            answer.status, step.expect,
            "{}: {} {:?}",
            step.name, answer.body, answer.headers
        );
        answers.push(answer);
    }
    answers
}

/// A POST of `body` with this Content-Type, and `Authorization` and `WebHook-Request-Origin`
/// when given.
fn post(
    content_type: &str,
    authorization: Option<&str>,
    origin: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut headers = vec![("content-type", content_type)];
    headers.extend(authorization.map(|a| ("authorization", a)));
    headers.extend(origin.map(|o| ("webhook-request-origin", o)));
    request(Method::POST, PATH, &values(&headers), body)
}

fn step(name: &'static str, request: Request<Body>, expect: StatusCode) -> Step {
    Step {
        name,
        request,
        expect,
    }
}

#[tokio::test]
async fn d20_method_then_credentials_then_origin_then_rate() {
    let (app, calls) = orders_with(|config| {
        config
            .with_credentials(Credentials::new().basic(USER, PASSWORD))
            .with_origin_enforcement()
            .with_rate(1)
            .with_rate_enforcement()
            .with_body_limit(1024)
    });
    let right = basic(USER, PASSWORD);
    let (right, wrong) = (Some(right.as_str()), Some("Basic AAAA"));
    let (allowed, other) = (Some(ORIGIN), Some("attacker.example.org"));
    let steps = vec![
        step(
            "PUT without credentials from a bad origin",
            request(
                Method::PUT,
                PATH,
                &values(&[("webhook-request-origin", "attacker.example.org")]),
                event("put"),
            ),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        step(
            "GET without credentials",
            request(Method::GET, PATH, &[], Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        step(
            "no credentials, bad origin, not a CloudEvent",
            post("text/plain", None, other, "x"),
            StatusCode::UNAUTHORIZED,
        ),
        step(
            "wrong credentials, allowed origin",
            post(STRUCTURED, wrong, allowed, event("s-2")),
            StatusCode::UNAUTHORIZED,
        ),
        step(
            "credentials, bad origin, not a CloudEvent",
            post("text/plain", right, other, "x"),
            StatusCode::FORBIDDEN,
        ),
        step(
            "credentials, no origin",
            post(STRUCTURED, right, None, event("s-4")),
            StatusCode::FORBIDDEN,
        ),
        step(
            "the one delivery the rate grants",
            post(STRUCTURED, right, allowed, event("granted")),
            StatusCode::NO_CONTENT,
        ),
        step(
            "rate used up, wrong credentials",
            post(STRUCTURED, wrong, allowed, event("s-5")),
            StatusCode::UNAUTHORIZED,
        ),
        step(
            "rate used up, bad origin",
            post(STRUCTURED, right, other, event("s-6")),
            StatusCode::FORBIDDEN,
        ),
        step(
            "rate used up, valid delivery",
            post(STRUCTURED, right, allowed, event("s-7")),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        step(
            "rate used up, not a CloudEvent",
            post("text/plain", right, allowed, "x"),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        step(
            "rate used up, too large",
            post(STRUCTURED, right, allowed, " ".repeat(4096) + &event("s-9")),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        step(
            "rate used up, malformed",
            post(STRUCTURED, right, allowed, "{"),
            StatusCode::TOO_MANY_REQUESTS,
        ),
    ];
    let answers = walk(&app, steps).await;
    for answer in &answers[..2] {
        assert_eq!(answer.header("allow"), Some("OPTIONS, POST"));
    }
    let retry = answers[9].header("retry-after").expect("W11: Retry-After");
    assert!(retry.parse::<u64>().is_ok_and(|s| s > 0), "{retry}");
    assert_eq!(calls.all(), ["granted"]);

    // 415 → 413 → 400 come after authentication, on a route without a rate limit.
    let (app, calls) = orders_with(|config| {
        config
            .with_credentials(Credentials::new().basic(USER, PASSWORD))
            .with_body_limit(1024)
    });
    let oversized = "{".repeat(4096);
    let declared_oversized = request(
        Method::POST,
        PATH,
        &values(&[
            ("content-type", STRUCTURED),
            ("authorization", right.unwrap()),
            ("content-length", "4096"),
        ]),
        "{",
    );
    let steps = vec![
        step(
            "not a CloudEvent, too large and malformed",
            post("text/plain", right, None, oversized.clone()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        step(
            "declared too large, malformed",
            declared_oversized,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        step(
            "too large without Content-Length, malformed",
            post(STRUCTURED, right, None, oversized),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        step(
            "malformed",
            post(STRUCTURED, right, None, "{"),
            StatusCode::BAD_REQUEST,
        ),
        step(
            "malformed without credentials",
            post(STRUCTURED, None, None, "{"),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    walk(&app, steps).await;
    assert!(calls.all().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Secrets stay out of Debug (protocol.md §7: never log them)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn debug_of_config_and_credentials_shows_no_secret() {
    let secrets = [
        "basic-user-Ux1",
        "basic-password-Px2",
        "bearer-token-Tx3",
        "api-key-value-Kx4",
        "env-user-Ux5",
        "env-password-Px6",
        "env-token-Tx7",
        "env-key-Kx8",
    ];
    let credentials = Credentials::new()
        .basic(secrets[0], secrets[1])
        .bearer(secrets[2])
        .api_key("x-api-key", secrets[3])
        .unwrap();
    let config = orders::config()
        .with_credentials(credentials.clone())
        .with_authenticator(Gateway);
    let pair = format!("{}:{}", secrets[4], secrets[5]);
    let from_vars = CloudEventsConfig::new()
        .with_vars(
            "P",
            lookup(&[
                ("P_BASIC", pair.as_str()),
                ("P_BEARER", secrets[6]),
                ("P_API_KEY_HEADER", "x-api-key"),
                ("P_API_KEYS", secrets[7]),
            ]),
        )
        .unwrap();
    let shown = [
        format!("{credentials:?}"),
        format!("{credentials:#?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", config.credentials()),
        format!("{from_vars:?}"),
        format!("{from_vars:#?}"),
    ];
    for text in &shown {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
    }
    assert_eq!(shown[0], "Credentials { basic: 1, bearer: 1, api_keys: 1 }");
    assert!(
        shown[2].contains("credentials: Credentials { basic: 1, bearer: 1, api_keys: 1 }"),
        "{}",
        shown[2]
    );
    assert!(shown[5].contains("api_keys: 1"), "{}", shown[5]);
}

// ---------------------------------------------------------------------------------------------
// Event Grid routes
// ---------------------------------------------------------------------------------------------

const VALIDATION_CODE: &str = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6";

/// An Event Grid POST of one event to `uri` for subscription `orders-sub`, with `headers`.
fn grid_post(uri: &str, kind: &str, event: Value, headers: &[(&str, &str)]) -> Request<Body> {
    let mut all = vec![
        ("content-type", "application/json; charset=utf-8"),
        ("aeg-event-type", kind),
        ("aeg-subscription-name", "ORDERS-SUB"),
    ];
    all.extend_from_slice(headers);
    request(Method::POST, uri, &values(&all), json!([event]).to_string())
}

fn grid_event(id: &str, event_type: &str, data: Value) -> Value {
    json!({
        "id": id,
        "topic": "/subscriptions/x/resourceGroups/rg",
        "subject": "",
        "eventType": event_type,
        "eventTime": "2025-01-01T00:00:00Z",
        "data": data,
        "dataVersion": "1",
        "metadataVersion": "1",
    })
}

fn validation(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let event = grid_event(
        "v-1",
        "Microsoft.EventGrid.SubscriptionValidationEvent",
        json!({ "validationCode": VALIDATION_CODE }),
    );
    grid_post(uri, "SubscriptionValidation", event, headers)
}

fn notification(uri: &str, id: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let event = grid_event(id, "Orders.Created", json!({ "order_id": id }));
    grid_post(uri, "Notification", event, headers)
}

#[tokio::test]
async fn event_grid_route_requires_the_credentials_too() {
    let config = grid::config().with_credentials(Credentials::new().bearer("grid-token"));
    let (app, calls) = serve(grid::route_with(config));
    let bearer = [("authorization", "Bearer grid-token")];

    // Refused: the validation code is never echoed, the handler never called.
    let refusals = [
        ("validation without credentials", validation(PATH, &[])),
        (
            "validation with a wrong token",
            validation(PATH, &[("authorization", "Bearer grid-tokem")]),
        ),
        (
            "validation with a wrong access_token",
            validation(&format!("{PATH}?access_token=nope"), &[]),
        ),
        (
            "notification without credentials",
            notification(PATH, "n-0", &[]),
        ),
        (
            "unknown subscription without credentials (401 before 403)",
            request(
                Method::POST,
                PATH,
                &values(&[
                    ("content-type", "application/json"),
                    ("aeg-event-type", "Notification"),
                    ("aeg-subscription-name", "someone-else"),
                ]),
                "[]",
            ),
        ),
    ];
    for (name, request) in refusals {
        let answer = send(&app, request).await;
        let problems = answer.unauthorized_problems();
        assert!(
            problems.is_empty(),
            "{name}: {problems:?} ({})",
            answer.body
        );
        assert!(!answer.body.contains(VALIDATION_CODE), "{name}");
    }
    for method in [Method::GET, Method::OPTIONS, Method::PUT] {
        let answer = send(&app, request(method.clone(), PATH, &[], Body::empty())).await;
        assert_eq!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}: 405 first"
        );
    }

    let validated = send(&app, validation(PATH, &bearer)).await;
    assert_eq!(validated.status, StatusCode::OK, "{}", validated.body);
    assert_eq!(
        validated.body,
        format!(r#"{{"validationResponse":"{VALIDATION_CODE}"}}"#)
    );
    assert_eq!(validated.header("cache-control"), None);
    let by_query = send(
        &app,
        validation(&format!("{PATH}?access_token=grid-token"), &[]),
    )
    .await;
    assert_eq!(by_query.status, StatusCode::OK, "{}", by_query.body);
    assert!(by_query.body.contains(VALIDATION_CODE));
    assert_eq!(by_query.header("cache-control"), Some("private"), "D15");

    let delivered = send(&app, notification(PATH, "n-1", &bearer)).await;
    assert_eq!(
        delivered.status,
        StatusCode::NO_CONTENT,
        "{}",
        delivered.body
    );
    assert_eq!(delivered.header("cache-control"), None);
    let delivered = send(
        &app,
        notification(&format!("{PATH}?access_token=grid-token"), "n-2", &[]),
    )
    .await;
    assert_eq!(
        delivered.status,
        StatusCode::NO_CONTENT,
        "{}",
        delivered.body
    );
    assert_eq!(delivered.header("cache-control"), Some("private"), "D15");
    let unknown = send(
        &app,
        request(
            Method::POST,
            PATH,
            &values(&[
                ("content-type", "application/json"),
                ("aeg-event-type", "Notification"),
                ("aeg-subscription-name", "someone-else"),
                ("authorization", "Bearer grid-token"),
            ]),
            "[]",
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN, "{}", unknown.body);
    assert_eq!(calls.all(), ["n-1", "n-2"]);
}
