//! The OPTIONS abuse-protection handshake over HTTP (protocol.md §2, D1–D5, D10, D21), driven through
//! `tower::ServiceExt::oneshot` on routes built by `#[webhook]`.

pub mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use axum::routing::MethodRouter;
use webhook_runtime::{AllowedOrigins, CloudEvent, Config, webhook};

use common::log::Log;
use common::oneshot::{Answer, send};

const PATH: &str = "/hooks/orders";
const ORIGIN: &str = "eventemitter.example.com";
const ALLOWED_ORIGIN: &str = "webhook-allowed-origin";
const ALLOWED_RATE: &str = "webhook-allowed-rate";

/// The ids of the events a handler was called with.
type Deliveries = Log<String>;

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn rated(event: CloudEvent, State(seen): State<Deliveries>) {
    seen.push(event.id().to_owned());
}

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn unrated(event: CloudEvent, State(seen): State<Deliveries>) {
    seen.push(event.id().to_owned());
}

#[webhook(origins = ["*.example.com"], schema = cloudevents)]
async fn subdomains(event: CloudEvent, State(seen): State<Deliveries>) {
    seen.push(event.id().to_owned());
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn anyone(event: CloudEvent, State(seen): State<Deliveries>) {
    seen.push(event.id().to_owned());
}

/// The router serving `route` at [`PATH`], and the record of the handler's calls.
fn serve(route: MethodRouter<Deliveries>) -> (Router, Deliveries) {
    let seen = Deliveries::default();
    (
        Router::new().route(PATH, route).with_state(seen.clone()),
        seen,
    )
}

/// A request with `headers` appended in order (so a name may repeat).
fn request(method: Method, headers: &[(&str, HeaderValue)], body: Body) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(PATH);
    for (name, value) in headers {
        builder = builder.header(*name, value.clone());
    }
    builder.body(body).unwrap()
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap()
}

/// An OPTIONS request with the given headers.
fn options(headers: &[(&str, &str)]) -> Request<Body> {
    let headers: Vec<_> = headers.iter().map(|(n, v)| (*n, value(v))).collect();
    request(Method::OPTIONS, &headers, Body::empty())
}

/// A handshake from `origin`, with a requested rate when given.
fn handshake(origin: &str, rate: Option<&str>) -> Request<Body> {
    let mut headers = vec![("WebHook-Request-Origin", origin)];
    headers.extend(rate.map(|r| ("WebHook-Request-Rate", r)));
    options(&headers)
}

/// D1: consent is 200, empty body, `Allow`, and both consent headers with these values.
fn assert_consent(answer: &Answer, origin: &str, rate: &str) {
    assert_eq!(answer.status, StatusCode::OK, "body: {}", answer.body);
    assert_eq!(answer.header(ALLOWED_ORIGIN), Some(origin));
    assert_eq!(answer.header(ALLOWED_RATE), Some(rate));
    assert_eq!(answer.header("allow"), Some("OPTIONS, POST"));
    assert_eq!(answer.body, "");
}

/// P12/D1: a refusal carries no consent header and a one-line plain-text reason.
fn assert_refused(answer: &Answer, status: StatusCode) {
    assert_eq!(answer.status, status, "body: {}", answer.body);
    assert_no_consent(answer);
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let reason = answer.body.trim_end_matches('\n');
    assert!(
        !reason.is_empty() && !reason.contains('\n'),
        "{:?}",
        answer.body
    );
}

fn assert_no_consent(answer: &Answer) {
    assert_eq!(answer.header(ALLOWED_ORIGIN), None);
    assert_eq!(answer.header(ALLOWED_RATE), None);
}

fn delivery(id: &str) -> Request<Body> {
    let body =
        format!(r#"{{"specversion":"1.0","id":"{id}","source":"/orders","type":"t","data":{{}}}}"#);
    request(
        Method::POST,
        &[("content-type", value("application/cloudevents+json"))],
        Body::from(body),
    )
}

#[tokio::test]
async fn p3_options_and_post_share_the_delivery_url() {
    let (app, seen) = serve(rated::route());
    let answer = send(&app, handshake(ORIGIN, None)).await;
    assert_consent(&answer, ORIGIN, "120");
    assert!(seen.all().is_empty(), "the handshake called the handler");
    let answer = send(&app, delivery("A-1")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    assert_eq!(seen.all(), ["A-1"]);
}

#[tokio::test]
async fn p4_d2_options_without_origin_is_not_a_handshake() {
    let (app, seen) = serve(rated::route());
    let answer = send(&app, options(&[("WebHook-Request-Rate", "60")])).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.header("allow"), Some("OPTIONS, POST"));
    let webhook_headers: Vec<_> = answer
        .headers
        .keys()
        .filter(|name| name.as_str().starts_with("webhook-"))
        .collect();
    assert!(webhook_headers.is_empty(), "{webhook_headers:?}");
    assert_eq!(answer.body, "");
    assert!(seen.all().is_empty());
}

#[tokio::test]
async fn d1_consent_is_200_with_empty_body_allow_and_consent_headers() {
    let (app, seen) = serve(rated::route());
    let answer = send(&app, handshake(ORIGIN, Some("300"))).await;
    assert_consent(&answer, ORIGIN, "120");
    assert!(seen.all().is_empty());
}

#[tokio::test]
async fn p14_allowed_origin_echoes_request_bytes() {
    let (app, _) = serve(rated::route());
    let answer = send(&app, handshake("EventEmitter.Example.COM", None)).await;
    assert_consent(&answer, "EventEmitter.Example.COM", "120");
}

#[tokio::test]
async fn p12_refusal_is_403_without_consent_headers() {
    let (app, seen) = serve(rated::route());
    let answer = send(&app, handshake("other.example.org", Some("60"))).await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
    assert!(seen.all().is_empty());
}

#[tokio::test]
async fn p13_allow_lists_post_on_every_handshake_answer() {
    let (app, _) = serve(rated::route());
    for request in [handshake(ORIGIN, None), options(&[])] {
        let answer = send(&app, request).await;
        let allow = answer.header("allow").expect("an Allow header");
        assert!(
            allow.split(',').any(|m| m.trim() == "POST"),
            "Allow: {allow}"
        );
    }
}

#[tokio::test]
async fn p15_d4_configured_and_requested_rate_grants_the_minimum() {
    for (requested, granted) in [("300", "120"), ("60", "60"), ("120", "120")] {
        let (app, _) = serve(rated::route());
        let answer = send(&app, handshake(ORIGIN, Some(requested))).await;
        assert_consent(&answer, ORIGIN, granted);
    }
}

#[tokio::test]
async fn d4_only_configured_rate_grants_it() {
    let (app, _) = serve(rated::route());
    let answer = send(&app, handshake(ORIGIN, None)).await;
    assert_consent(&answer, ORIGIN, "120");
}

#[tokio::test]
async fn d4_only_requested_rate_grants_star() {
    let (app, _) = serve(unrated::route());
    let answer = send(&app, handshake(ORIGIN, Some("60"))).await;
    assert_consent(&answer, ORIGIN, "*");
}

#[tokio::test]
async fn d4_no_rate_at_all_grants_star() {
    for route in [unrated::route(), subdomains::route(), anyone::route()] {
        let (app, _) = serve(route);
        let answer = send(&app, handshake(ORIGIN, None)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.header(ALLOWED_RATE), Some("*"));
    }
}

#[tokio::test]
async fn d21_largest_requested_rate_is_accepted() {
    let (app, _) = serve(rated::route());
    let answer = send(&app, handshake(ORIGIN, Some("4294967295"))).await;
    assert_consent(&answer, ORIGIN, "120");
    let (app, _) = serve(unrated::route());
    let answer = send(&app, handshake(ORIGIN, Some("4294967295"))).await;
    assert_consent(&answer, ORIGIN, "*");
}

#[tokio::test]
async fn d3_exact_match_is_ascii_case_insensitive() {
    for origin in [
        "eventemitter.example.com",
        "EVENTEMITTER.EXAMPLE.COM",
        "eventEmitter.example.Com",
    ] {
        let (app, _) = serve(unrated::route());
        let answer = send(&app, handshake(origin, None)).await;
        assert_consent(&answer, origin, "*");
    }
}

#[tokio::test]
async fn d3_prefix_or_suffix_of_an_allowed_name_is_refused() {
    for origin in [
        "eventemitter.example.com.attacker.tld",
        "eventemitter.example.co",
        "xeventemitter.example.com",
        "a.eventemitter.example.com",
        "eventemitter.example.com.",
        "eventemitter.example.com:443",
    ] {
        let (app, _) = serve(unrated::route());
        let answer = send(&app, handshake(origin, None)).await;
        assert_refused(&answer, StatusCode::FORBIDDEN);
        assert!(!answer.body.contains(origin), "reflected: {}", answer.body);
    }
}

#[tokio::test]
async fn d3_wildcard_matches_one_or_more_whole_labels() {
    for origin in ["a.example.com", "a.b.example.com", "Deep.Sub.EXAMPLE.com"] {
        let (app, _) = serve(subdomains::route());
        let answer = send(&app, handshake(origin, None)).await;
        assert_consent(&answer, origin, "*");
    }
}

#[tokio::test]
async fn d3_wildcard_refuses_apex_partial_labels_and_suffix_tricks() {
    for origin in [
        "example.com",
        "xexample.com",
        ".example.com",
        "a..example.com",
        "example.com.attacker.tld",
        "a.example.com.attacker.tld",
    ] {
        let (app, _) = serve(subdomains::route());
        let answer = send(&app, handshake(origin, None)).await;
        assert_refused(&answer, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn d3_star_answers_a_literal_star() {
    for origin in ["eventemitter.example.com", "Other.Example.ORG"] {
        let (app, _) = serve(anyone::route());
        let answer = send(&app, handshake(origin, Some("10"))).await;
        assert_consent(&answer, "*", "*");
    }
}

#[tokio::test]
async fn d21_non_host_origin_is_refused_without_echo_even_under_a_wildcard() {
    let raw: [&[u8]; 8] = [
        b"https://a.example.com",
        b"a.example.com/path",
        b"user@a.example.com",
        b"a b.example.com",
        b"a.example.com x",
        b"a.example.com\tx",
        "\u{e9}.example.com".as_bytes(),
        b"a.example.com:port",
    ];
    for bytes in raw {
        let origin = HeaderValue::from_bytes(bytes).unwrap();
        for route in [subdomains::route(), unrated::route()] {
            let (app, _) = serve(route);
            let headers = [("WebHook-Request-Origin", origin.clone())];
            let answer = send(&app, request(Method::OPTIONS, &headers, Body::empty())).await;
            assert_refused(&answer, StatusCode::FORBIDDEN);
            let echoed = answer
                .headers
                .values()
                .any(|v| v.as_bytes() == origin.as_bytes());
            assert!(!echoed, "{origin:?} was reflected in {:?}", answer.headers);
        }
    }
}

#[tokio::test]
async fn d21_exact_list_refuses_url_of_allowed_host() {
    let (app, _) = serve(unrated::route());
    let answer = send(&app, handshake("https://eventemitter.example.com", None)).await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn d21_origin_of_at_most_253_bytes() {
    let longest = format!("{}example.com", "a.".repeat(121));
    assert_eq!(longest.len(), 253);
    let (app, _) = serve(subdomains::route());
    let answer = send(&app, handshake(&longest, None)).await;
    assert_consent(&answer, &longest, "*");

    let overlong = format!("{}example.com", "a.".repeat(122));
    let (app, _) = serve(subdomains::route());
    let answer = send(&app, handshake(&overlong, None)).await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn d21_origin_with_port_is_a_host_name() {
    let config = Config::new().with_origins(AllowedOrigins::parse(["a.example.com:8443"]).unwrap());
    let (app, _) = serve(unrated::route_with(config));
    let answer = send(&app, handshake("A.example.com:8443", None)).await;
    assert_consent(&answer, "A.example.com:8443", "*");
    let answer = send(&app, handshake("a.example.com:9443", None)).await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn d21_star_consents_to_a_url_origin_with_star() {
    let (app, _) = serve(anyone::route());
    let answer = send(&app, handshake("https://sender.example.com/hooks", None)).await;
    assert_consent(&answer, "*", "*");
}

#[tokio::test]
async fn d21_star_refuses_origin_that_is_not_visible_ascii() {
    for origin in ["a b", "", "sender .example.com"] {
        let (app, _) = serve(anyone::route());
        let answer = send(&app, handshake(origin, None)).await;
        assert_refused(&answer, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn d21_several_origin_headers_are_400() {
    for route in [unrated::route(), anyone::route()] {
        let (app, _) = serve(route);
        let answer = send(
            &app,
            options(&[
                ("WebHook-Request-Origin", ORIGIN),
                ("WebHook-Request-Origin", ORIGIN),
            ]),
        )
        .await;
        assert_refused(&answer, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn d21_invalid_request_rate_is_400_without_consent() {
    for rate in ["0", "-1", "1.5", "abc", "4294967296", "", "+5", "6 0"] {
        let (app, _) = serve(rated::route());
        let answer = send(&app, handshake(ORIGIN, Some(rate))).await;
        assert_refused(&answer, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn d1_origin_is_checked_before_rate() {
    let (app, _) = serve(rated::route());
    let answer = send(&app, handshake("attacker.example.org", Some("abc"))).await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn p6_callback_still_gets_synchronous_consent() {
    let (app, seen) = serve(rated::route());
    let answer = send(
        &app,
        options(&[
            ("WebHook-Request-Origin", ORIGIN),
            (
                "WebHook-Request-Callback",
                "https://a.example.com/grant?x=1",
            ),
        ]),
    )
    .await;
    assert_consent(&answer, ORIGIN, "120");
    assert!(seen.all().is_empty());
}

/// The offers a `Config::on_callback` hook received, as (origin, callback).
type Offers = Arc<Mutex<Vec<(String, String)>>>;

fn recording_config(offers: &Offers) -> Config {
    let offers = Arc::clone(offers);
    rated::config().on_callback(move |offer| {
        let entry = (offer.origin.to_owned(), offer.callback.to_owned());
        offers.lock().unwrap().push(entry);
    })
}

#[tokio::test]
async fn d5_on_callback_hook_receives_origin_and_url() {
    let offers = Offers::default();
    let (app, _) = serve(rated::route_with(recording_config(&offers)));
    let answer = send(
        &app,
        options(&[
            ("WebHook-Request-Origin", "EventEmitter.example.com"),
            (
                "WebHook-Request-Callback",
                "https://a.example.com/grant?x=1",
            ),
        ]),
    )
    .await;
    assert_consent(&answer, "EventEmitter.example.com", "120");
    assert_eq!(
        *offers.lock().unwrap(),
        [(
            "EventEmitter.example.com".to_owned(),
            "https://a.example.com/grant?x=1".to_owned()
        )]
    );
}

/// protocol.md §6: a panic in the application's code is a 500, never a dropped connection; a
/// handshake's `on_callback` hook runs while the answer is made, outside any future.
#[tokio::test]
async fn d5_panicking_callback_hook_answers_500() {
    let config = rated::config().on_callback(|_| panic!("callback hook failed"));
    let (app, _) = serve(rated::route_with(config));
    let answer = send(
        &app,
        options(&[
            ("WebHook-Request-Origin", ORIGIN),
            ("WebHook-Request-Callback", "https://a.example.com/grant"),
        ]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.headers.get("webhook-allowed-origin").is_none());
    // The route keeps answering.
    assert_consent(&send(&app, handshake(ORIGIN, None)).await, ORIGIN, "120");
}

#[tokio::test]
async fn d5_refused_handshake_offers_no_callback() {
    let offers = Offers::default();
    let (app, _) = serve(rated::route_with(recording_config(&offers)));
    let answer = send(
        &app,
        options(&[
            ("WebHook-Request-Origin", "attacker.example.org"),
            ("WebHook-Request-Callback", "https://attacker.example.org/"),
        ]),
    )
    .await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
    assert!(offers.lock().unwrap().is_empty());
}

#[tokio::test]
async fn d5_callback_url_is_never_fetched() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let callback = format!("http://{}/grant", listener.local_addr().unwrap());
    let offers = Offers::default();
    let (app, _) = serve(rated::route_with(recording_config(&offers)));
    let answer = send(
        &app,
        options(&[
            ("WebHook-Request-Origin", ORIGIN),
            ("WebHook-Request-Callback", &callback),
        ]),
    )
    .await;
    assert_consent(&answer, ORIGIN, "120");
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the callback URL was contacted: {other:?}"),
    }
    assert_eq!(offers.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn d20_other_methods_are_405_with_reason_and_allow() {
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
        let (app, seen) = serve(rated::route());
        let headers = [
            ("WebHook-Request-Origin", value(ORIGIN)),
            ("content-type", value("application/cloudevents+json")),
        ];
        let body = r#"{"specversion":"1.0","id":"A-1","source":"/orders","type":"t"}"#;
        let answer = send(&app, request(method.clone(), &headers, Body::from(body))).await;
        assert_refused(&answer, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(answer.header("allow"), Some("OPTIONS, POST"), "{method}");
        assert!(seen.all().is_empty(), "{method} called the handler");
    }
}

/// A `with_vars` lookup over fixed pairs.
fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[tokio::test]
async fn d10_route_with_attribute_config_behaves_as_route() {
    let config = rated::config();
    assert_eq!(config.rate().map(|r| r.get()), Some(120));
    let (app, _) = serve(rated::route_with(config));
    let answer = send(&app, handshake(ORIGIN, Some("300"))).await;
    assert_consent(&answer, ORIGIN, "120");
}

#[tokio::test]
async fn d10_with_vars_overrides_origins() {
    let config = rated::config()
        .with_vars(
            "ORDERS",
            vars(&[("ORDERS_ORIGINS", "b.example.org, *.example.net")]),
        )
        .unwrap();
    let (app, _) = serve(rated::route_with(config));
    let answer = send(&app, handshake(ORIGIN, None)).await;
    assert_refused(&answer, StatusCode::FORBIDDEN);
    let answer = send(&app, handshake("B.example.org", None)).await;
    assert_consent(&answer, "B.example.org", "120");
    let answer = send(&app, handshake("x.example.net", None)).await;
    assert_consent(&answer, "x.example.net", "120");
}

#[tokio::test]
async fn d10_with_vars_overrides_rate() {
    let config = rated::config()
        .with_vars("ORDERS", vars(&[("ORDERS_RATE", "30")]))
        .unwrap();
    let (app, _) = serve(rated::route_with(config));
    let answer = send(&app, handshake(ORIGIN, Some("60"))).await;
    assert_consent(&answer, ORIGIN, "30");

    let config = rated::config()
        .with_vars("ORDERS", vars(&[("ORDERS_RATE", "*")]))
        .unwrap();
    let (app, _) = serve(rated::route_with(config));
    let answer = send(&app, handshake(ORIGIN, Some("60"))).await;
    assert_consent(&answer, ORIGIN, "*");
}

#[tokio::test]
async fn d10_with_vars_without_variables_keeps_the_literals() {
    let config = rated::config()
        .with_vars("ORDERS", vars(&[("OTHER_RATE", "1")]))
        .unwrap();
    let (app, _) = serve(rated::route_with(config));
    let answer = send(&app, handshake(ORIGIN, None)).await;
    assert_consent(&answer, ORIGIN, "120");
}

#[tokio::test]
async fn d10_invalid_variable_is_an_error_naming_it() {
    let error = rated::config()
        .with_vars(
            "ORDERS",
            vars(&[("ORDERS_ORIGINS", "https://a.example.com")]),
        )
        .unwrap_err();
    assert_eq!(error.variable(), "ORDERS_ORIGINS");
    let error = rated::config()
        .with_vars("ORDERS", vars(&[("ORDERS_RATE", "-5")]))
        .unwrap_err();
    assert_eq!(error.variable(), "ORDERS_RATE");
}
