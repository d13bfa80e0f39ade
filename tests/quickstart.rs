//! End-to-end tests of the quickstart example (`cargo run --example quickstart`): the real binary
//! is started as a child process on a free loopback port and driven with raw HTTP/1.1, so what
//! hyper and axum do on the wire (framing, header limits) is part of what is tested.
//!
//! Labels (P14, D9, ...) are defined in `docs/protocol.md`.

pub mod common;

use common::credentials::basic;
use common::issuer::Issuer;
use common::process::{ORIGIN, Quickstart, order_line, post_structured};
use common::raw_http::{Response, request};
use serde_json::json;

const TYPE: &str = "com.example.order.created";

/// A structured-mode order event.
fn structured_event(id: &str, order_id: &str, amount: &str) -> String {
    format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"https://eventemitter.example.com/orders","type":"{TYPE}","datacontenttype":"application/json","data":{{"order_id":"{order_id}","amount":{amount}}}}}"#
    )
}

fn handshake(origin: &str, rate: Option<&str>) -> Vec<u8> {
    let mut headers = vec![("WebHook-Request-Origin", origin)];
    if let Some(rate) = rate {
        headers.push(("WebHook-Request-Rate", rate));
    }
    request("OPTIONS", "/cloudevents", &headers, b"")
}

#[test]
fn p14_d1_d4_handshake_over_loopback_grants_min_of_120_and_requested_rate() {
    let server = Quickstart::start();
    for (requested, granted) in [(Some("300"), "120"), (Some("60"), "60"), (None, "120")] {
        let answer = server.send(handshake(ORIGIN, requested));
        assert_eq!(
            answer.status, 200,
            "D1 consent is 200 ({requested:?}): {answer:?}"
        );
        assert_eq!(
            answer.header("WebHook-Allowed-Origin"),
            Some(ORIGIN),
            "P14 the requested origin, byte for byte: {answer:?}"
        );
        assert_eq!(
            answer.header("WebHook-Allowed-Rate"),
            Some(granted),
            "D4 min(120, {requested:?}): {answer:?}"
        );
        assert_eq!(
            answer.header("Allow"),
            Some("OPTIONS, POST"),
            "P13: {answer:?}"
        );
        assert!(answer.body.is_empty(), "D1 empty body: {answer:?}");
    }
    // D3: matching is ASCII case-insensitive and the answer echoes the request's own bytes.
    let answer = server.send(handshake("EventEmitter.Example.COM", Some("500")));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.header("WebHook-Allowed-Origin"),
        Some("EventEmitter.Example.COM")
    );
    assert_eq!(answer.header("WebHook-Allowed-Rate"), Some("120"));
    let stopped = server.stop();
    assert!(
        stopped.stdout.is_empty(),
        "a handshake is no event: {stopped:?}"
    );
}

#[test]
fn p12_d1_refused_origin_is_403_without_consent_headers() {
    let server = Quickstart::start();
    for origin in [
        "eventemitter.example.com.attacker.tld",
        "attacker.example.org",
        "xeventemitter.example.com",
    ] {
        let answer = server.send(handshake(origin, Some("60")));
        assert_eq!(answer.status, 403, "D1 refused origin {origin}: {answer:?}");
        assert!(
            !answer.has_header("WebHook-Allowed-Origin"),
            "P12 no consent for {origin}: {answer:?}"
        );
        assert!(
            !answer.has_header("WebHook-Allowed-Rate"),
            "P12 no rate for {origin}: {answer:?}"
        );
        assert!(
            !answer.text().contains(origin),
            "D3 a refused origin is never echoed: {answer:?}"
        );
    }
    let stopped = server.stop();
    assert!(stopped.stdout.is_empty(), "{stopped:?}");
}

#[test]
fn h14_d6_structured_delivery_prints_its_json_line() {
    let server = Quickstart::start();
    let body = structured_event("s-1", "order-1", "12.5");
    let answer = server.send(post_structured(body.as_bytes()));
    assert_eq!(answer.status, 204, "D6 `()` is answered 204: {answer:?}");
    let stopped = server.stop();
    assert_eq!(
        stopped.stdout,
        [order_line("s-1", TYPE, "order-1", "12.5")],
        "stderr:\n{}",
        stopped.stderr
    );
}

#[test]
fn h8_binary_delivery_prints_its_json_line() {
    let server = Quickstart::start();
    let answer = server.send(request(
        "POST",
        "/cloudevents",
        &[
            ("Content-Type", "application/json"),
            ("ce-specversion", "1.0"),
            ("ce-id", "b-1"),
            ("ce-source", "https://eventemitter.example.com/orders"),
            ("ce-type", TYPE),
            ("ce-time", "2025-01-02T03:04:05Z"),
            ("WebHook-Request-Origin", ORIGIN),
        ],
        br#"{"order_id":"order-2","amount":99.75}"#,
    ));
    assert_eq!(answer.status, 204, "{answer:?}");
    let stopped = server.stop();
    assert_eq!(
        stopped.stdout,
        [order_line("b-1", TYPE, "order-2", "99.75")],
        "stderr:\n{}",
        stopped.stderr
    );
}

#[test]
fn d8_batch_of_three_prints_three_lines_in_order() {
    let server = Quickstart::start();
    let body = format!(
        "[{},{},{}]",
        structured_event("batch-1", "order-a", "1.5"),
        structured_event("batch-2", "order-b", "2.25"),
        structured_event("batch-3", "order-c", "3.125"),
    );
    let answer = server.send(request(
        "POST",
        "/cloudevents",
        &[
            ("Content-Type", "application/cloudevents-batch+json"),
            ("WebHook-Request-Origin", ORIGIN),
        ],
        body.as_bytes(),
    ));
    assert_eq!(answer.status, 204, "{answer:?}");
    let stopped = server.stop();
    assert_eq!(
        stopped.stdout,
        [
            order_line("batch-1", TYPE, "order-a", "1.5"),
            order_line("batch-2", TYPE, "order-b", "2.25"),
            order_line("batch-3", TYPE, "order-c", "3.125"),
        ],
        "stderr:\n{}",
        stopped.stderr
    );
}

/// A structured event whose body is `size` bytes long (padding in `order_id`).
fn event_of_size(id: &str, size: usize) -> Vec<u8> {
    let empty = structured_event(id, "", "1.5");
    let padding = "x".repeat(size - empty.len());
    let body = structured_event(id, &padding, "1.5").into_bytes();
    assert_eq!(body.len(), size);
    body
}

const MIB: usize = 1024 * 1024;

#[test]
fn c11_d9_event_of_64_kib_is_accepted() {
    let server = Quickstart::start();
    let answer = server.send(post_structured(&event_of_size("big-ok", 64 * 1024)));
    assert_eq!(answer.status, 204, "{answer:?}");
    let stopped = server.stop();
    assert_eq!(stopped.stdout.len(), 1, "{stopped:?}");
    assert!(stopped.stdout[0].contains(r#""id":"big-ok""#));
}

#[test]
fn d9_d20_body_over_1_mib_is_413_from_content_length() {
    let server = Quickstart::start();
    let answer = server.send(post_structured(&event_of_size("too-big", MIB + 1)));
    assert_eq!(answer.status, 413, "{answer:?}");
    assert!(
        answer.text().contains("1048576"),
        "the reason names the limit: {answer:?}"
    );
    let stopped = server.stop();
    assert!(stopped.stdout.is_empty(), "the handler ran: {stopped:?}");
}

#[test]
fn d9_chunked_body_over_1_mib_is_413() {
    let server = Quickstart::start();
    let event = event_of_size("too-big-chunked", MIB + 1);
    let mut raw = b"POST /cloudevents HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
        Content-Type: application/cloudevents+json\r\n\
        WebHook-Request-Origin: eventemitter.example.com\r\n\
        Transfer-Encoding: chunked\r\n\r\n"
        .to_vec();
    for chunk in event.chunks(64 * 1024) {
        raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        raw.extend_from_slice(chunk);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let answer = server.send(raw);
    assert_eq!(answer.status, 413, "{answer:?}");
    let stopped = server.stop();
    assert!(stopped.stdout.is_empty(), "the handler ran: {stopped:?}");
}

// D9: header limits are hyper's. hyper 1.x (as axum::serve and webhook_runtime::serve run it) reads the request head into a
// buffer of at most 8 KiB + 400 KiB (417,792 bytes) and parses at most 100 header fields; beyond
// either it answers `431 Request Header Fields Too Large` with `connection: close` and an empty
// body, then closes the connection. A 200 KiB header section is therefore refused when it is
// made of more than 100 fields, and served when it is one 200 KiB field.

/// A handshake carrying extra header fields.
fn handshake_with(extra: &[(String, String)]) -> Vec<u8> {
    let mut headers = vec![
        ("WebHook-Request-Origin", ORIGIN),
        ("WebHook-Request-Rate", "60"),
    ];
    headers.extend(extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    request("OPTIONS", "/cloudevents", &headers, b"")
}

fn assert_431(answer: &Response) {
    assert_eq!(answer.status, 431, "{answer:?}");
    assert_eq!(answer.header("connection"), Some("close"), "{answer:?}");
    assert!(answer.body.is_empty(), "{answer:?}");
    assert!(!answer.has_header("WebHook-Allowed-Origin"), "{answer:?}");
}

#[test]
fn d9_header_section_of_200_fields_of_1_kib_is_431() {
    let server = Quickstart::start();
    let extra: Vec<_> = (0..200)
        .map(|i| (format!("X-Padding-{i}"), "p".repeat(1024)))
        .collect();
    assert_431(&server.send(handshake_with(&extra)));
    // The server goes on serving other connections.
    assert_eq!(server.send(handshake(ORIGIN, None)).status, 200);
}

#[test]
fn d9_header_section_of_512_kib_is_431() {
    let server = Quickstart::start();
    let extra = [("X-Padding".to_owned(), "p".repeat(512 * 1024))];
    assert_431(&server.send(handshake_with(&extra)));
    assert_eq!(server.send(handshake(ORIGIN, None)).status, 200);
}

#[test]
fn d9_one_header_field_of_200_kib_is_within_hyper_limits() {
    let server = Quickstart::start();
    let extra = [("X-Padding".to_owned(), "p".repeat(200 * 1024))];
    let answer = server.send(handshake_with(&extra));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("WebHook-Allowed-Origin"), Some(ORIGIN));
    assert_eq!(answer.header("WebHook-Allowed-Rate"), Some("60"));
}

#[test]
fn one_info_line_per_request_on_stderr_and_rust_log_filters() {
    let server = Quickstart::start_with_env(&[("RUST_LOG", None)]);
    let handshake = server.send(request(
        "OPTIONS",
        "/cloudevents",
        &[("WebHook-Request-Origin", "eventemitter.example.com")],
        b"",
    ));
    assert_eq!(handshake.status, 200);
    let body = structured_event("log-1", "order-1", "1.5");
    assert_eq!(server.send(post_structured(body.as_bytes())).status, 204);
    let refused = server.send(request(
        "POST",
        "/cloudevents",
        &[("Content-Type", "text/plain")],
        b"hello",
    ));
    assert_eq!(refused.status, 415);
    let stopped = server.stop();
    let lines: Vec<&str> = stopped
        .stderr
        .lines()
        .filter(|line| line.contains("webhook request answered"))
        .collect();
    assert_eq!(lines.len(), 3, "one line per request:\n{}", stopped.stderr);
    assert!(
        lines
            .iter()
            .all(|l| l.contains(" INFO ") && l.contains("route=\"/cloudevents\""))
    );
    assert!(lines[0].contains("mode=\"handshake\"") && lines[0].contains("status=200"));
    assert!(lines[1].contains("first_id=\"log-1\"") && lines[1].contains("status=204"));
    assert!(lines[2].contains("status=415") && lines[2].contains("reason=\"not a CloudEvent"));

    let quiet = Quickstart::start_with_env(&[("RUST_LOG", Some("warn"))]);
    assert_eq!(quiet.send(post_structured(body.as_bytes())).status, 204);
    let stopped = quiet.stop();
    assert!(
        !stopped.stderr.contains("webhook request answered"),
        "RUST_LOG=warn hides the info lines:\n{}",
        stopped.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// `/eventmesh` with bearer tokens of an OpenID Connect issuer (EVENTMESH_OIDC_*, D24-D26)
// ---------------------------------------------------------------------------------------------

/// The audience the quickstart is told to accept.
const MESH_AUDIENCE: &str = "api://quickstart-eventmesh";
const MESH_ORIGIN: &str = "eventmesh.sap.example";

/// The loopback issuer, or `None` after printing why the test is skipped.
fn issuer() -> Option<Issuer> {
    match Issuer::start() {
        Ok(issuer) => Some(issuer),
        Err(skip) => {
            eprintln!("SKIPPED: {}", skip.0);
            None
        }
    }
}

/// The quickstart with `/eventmesh` taking tokens of `issuer` for [`MESH_AUDIENCE`], and the
/// required scope when given.
fn quickstart_with_tokens(issuer: &Issuer, scope: Option<&str>) -> Quickstart {
    Quickstart::start_with_env(&[
        ("EVENTMESH_OIDC_ISSUER", Some(issuer.url())),
        ("EVENTMESH_OIDC_AUDIENCE", Some(MESH_AUDIENCE)),
        ("EVENTMESH_OIDC_SCOPE", scope),
    ])
}

/// An OPTIONS handshake on `/eventmesh` with this `Authorization`.
fn mesh_handshake(authorization: &str) -> Vec<u8> {
    request(
        "OPTIONS",
        "/eventmesh",
        &[
            ("WebHook-Request-Origin", MESH_ORIGIN),
            ("Authorization", authorization),
        ],
        b"",
    )
}

/// A structured order event POSTed to `/eventmesh` with this `Authorization`.
fn mesh_delivery(authorization: &str, id: &str) -> Vec<u8> {
    request(
        "POST",
        "/eventmesh",
        &[
            ("Content-Type", "application/cloudevents+json"),
            ("Authorization", authorization),
        ],
        structured_event(id, &format!("order-{id}"), "12.5").as_bytes(),
    )
}

/// What the quickstart prints for [`mesh_delivery`] `id`.
fn mesh_line(id: &str) -> String {
    order_line(id, TYPE, &format!("order-{id}"), "12.5").replacen(
        r#""endpoint":"/cloudevents""#,
        r#""endpoint":"/eventmesh""#,
        1,
    )
}

#[test]
fn d24_eventmesh_takes_bearer_tokens_of_the_oidc_issuer_instead_of_basic() {
    let Some(issuer) = issuer() else { return };
    let server = quickstart_with_tokens(&issuer, None);
    let bearer = format!("Bearer {}", issuer.token(json!({"aud": MESH_AUDIENCE})));

    let consent = server.send(mesh_handshake(&bearer));
    assert_eq!(consent.status, 200, "{consent:?}\n{}", server.log());
    assert_eq!(consent.header("WebHook-Allowed-Origin"), Some("*"));
    let delivered = server.send(mesh_delivery(&bearer, "t-1"));
    assert_eq!(delivered.status, 204, "{delivered:?}");

    // Basic is no longer accepted, even the credentials that were the default.
    let basic = basic("quickstart", "quickstart");
    for refused in [mesh_handshake(&basic), mesh_delivery(&basic, "t-2")] {
        let answer = server.send(refused);
        assert_eq!(answer.status, 401, "{answer:?}");
        assert!(!answer.has_header("WebHook-Allowed-Origin"), "{answer:?}");
    }
    // A token of the same issuer for another audience, and one without any audience.
    for token in [
        issuer.token(json!({"aud": "api://someone-else"})),
        issuer.token(json!({})),
    ] {
        let bearer = format!("Bearer {token}");
        assert_eq!(server.send(mesh_handshake(&bearer)).status, 401);
        assert_eq!(server.send(mesh_delivery(&bearer, "t-3")).status, 401);
    }

    let stopped = server.stop();
    assert_eq!(
        stopped.stdout,
        [mesh_line("t-1")],
        "stderr:\n{}",
        stopped.stderr
    );
    assert!(
        !stopped
            .stderr
            .contains("EVENTMESH_USER / EVENTMESH_PASSWORD not set"),
        "no Basic credentials, so no warning about them:\n{}",
        stopped.stderr
    );
}

#[test]
fn d25_eventmesh_oidc_scope_is_required_when_set() {
    let Some(issuer) = issuer() else { return };
    let scope = "eventmesh.deliver";
    let server = quickstart_with_tokens(&issuer, Some(scope));

    let without = format!("Bearer {}", issuer.token(json!({"aud": MESH_AUDIENCE})));
    let answer = server.send(mesh_handshake(&without));
    assert_eq!(answer.status, 403, "{answer:?}");
    assert!(!answer.has_header("WebHook-Allowed-Origin"), "{answer:?}");
    assert_eq!(server.send(mesh_delivery(&without, "s-1")).status, 403);

    let with = format!(
        "Bearer {}",
        issuer.token(json!({"aud": MESH_AUDIENCE, "scope": format!("openid {scope}")}))
    );
    assert_eq!(server.send(mesh_handshake(&with)).status, 200);
    assert_eq!(server.send(mesh_delivery(&with, "s-2")).status, 204);

    let stopped = server.stop();
    assert_eq!(
        stopped.stdout,
        [mesh_line("s-2")],
        "stderr:\n{}",
        stopped.stderr
    );
}
