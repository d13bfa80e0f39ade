//! The endpoint probe (the `webhook-probe` command) run as a child process: against the
//! quickstart over loopback, against deliberately broken endpoints served here (one per failure
//! reason, D17), over https with a test certificate, with OAuth2 client credentials from a token
//! endpoint served here, and with bad command lines.

pub mod common;

use std::io;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{options, post};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use webhook_runtime::{CloudEvent, webhook};

use common::PATIENCE;
use common::process::{ORIGIN, Quickstart, probe_binary};
use common::receiver::{consent, requested_origin};
use common::tls::self_signed;

/// What a finished probe printed.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The final `handshake status:` line.
    fn status_line(&self) -> &str {
        self.stdout
            .lines()
            .rfind(|line| line.starts_with("handshake status: "))
            .unwrap_or_else(|| panic!("no `handshake status:` line in\n{self}"))
    }

    /// Asserts that the probe printed `line` on stdout.
    fn assert_line(&self, line: &str) {
        assert!(
            self.stdout.lines().any(|l| l == line),
            "no {line:?} in\n{self}"
        );
    }

    fn assert_completed(&self) {
        assert_eq!(self.code, Some(0), "{self}");
        assert_eq!(self.status_line(), "handshake status: Completed", "{self}");
    }

    /// Asserts a failed handshake whose reason mentions `reason`.
    fn assert_failed(&self, reason: &str) {
        assert_eq!(self.code, Some(1), "{self}");
        let line = self.status_line();
        assert!(
            line.starts_with("handshake status: Failed (") && line.contains(reason),
            "expected a failure mentioning {reason:?}:\n{self}"
        );
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the probe with `args` and waits for it (killed if it outlives [`PATIENCE`]).
async fn probe(args: &[&str]) -> Run {
    probe_with_env(args, &[]).await
}

/// [`probe`] with these environment variables (and no `PROBE_*` of the test's own).
async fn probe_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(probe_binary());
    command
        .args(args)
        .env_remove("PROBE_PASSWORD")
        .env_remove("PROBE_BEARER")
        .env_remove("PROBE_CLIENT_SECRET")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Loopback only: no proxy from the environment.
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env_remove(proxy);
    }
    let child = command.spawn().expect("the probe could not be started");
    let output = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the probe {args:?} ran longer than {PATIENCE:?}"))
        .expect("the probe's output could not be read");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Starts the quickstart (blocking until it listens) without holding up the runtime.
async fn quickstart() -> Quickstart {
    tokio::task::spawn_blocking(Quickstart::start)
        .await
        .expect("the quickstart could not be started")
}

/// Serves `router` over plain HTTP on a free loopback port for the rest of the test.
async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

// ---------------------------------------------------------------------------------------------
// Against the quickstart
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn probe_cloudevents_against_the_quickstart_completes() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/cloudevents", server.port());
    let run = probe(&[
        &url,
        "--sender",
        "cloudevents",
        "--origin",
        ORIGIN,
        "--rate",
        "300",
    ])
    .await;
    run.assert_completed();
    for line in [
        format!("> OPTIONS {url}"),
        format!("> webhook-request-origin: {ORIGIN}"),
        "> webhook-request-rate: 300".to_owned(),
        "< 200 OK".to_owned(),
        format!("< webhook-allowed-origin: {ORIGIN}"),
        "< webhook-allowed-rate: 120".to_owned(),
    ] {
        run.assert_line(&line);
    }
}

#[tokio::test]
async fn probe_eventmesh_with_the_quickstart_credentials_completes() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/eventmesh", server.port());
    let run = probe(&[
        &url,
        "--sender",
        "eventmesh",
        "--user",
        "quickstart",
        "--password",
        "quickstart",
    ])
    .await;
    run.assert_completed();
    run.assert_line("> authorization: Basic <redacted>");
    // base64("quickstart:quickstart")
    assert!(
        !run.stdout.contains("cXVpY2tzdGFydDpxdWlja3N0YXJ0"),
        "{run}"
    );
}

/// D15: the password can stay off the command line (where `ps` shows it to every user).
#[tokio::test]
async fn d15_probe_takes_the_password_from_probe_password() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/eventmesh", server.port());
    let args = [&url[..], "--sender", "eventmesh", "--user", "quickstart"];
    let run = probe_with_env(&args, &[("PROBE_PASSWORD", "quickstart")]).await;
    run.assert_completed();
    run.assert_line("> authorization: Basic <redacted>");
    // The flag wins over the environment.
    let args = [&args[..], &["--password", "not-the-password"]].concat();
    let run = probe_with_env(&args, &[("PROBE_PASSWORD", "quickstart")]).await;
    run.assert_failed("no consent");
}

/// D15: so can the bearer token; it is sent (redacted in the output) only when no Basic
/// credentials are given.
#[tokio::test]
async fn d15_probe_takes_the_bearer_token_from_probe_bearer() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/cloudevents", server.port());
    let run = probe_with_env(&[&url], &[("PROBE_BEARER", "s3cret-bearer-token")]).await;
    run.assert_completed();
    run.assert_line("> authorization: Bearer <redacted>");
    assert!(!run.stdout.contains("s3cret"), "{run}");
    let run = probe(&[&url]).await;
    run.assert_completed();
    assert!(!run.stdout.contains("> authorization:"), "{run}");
}

#[tokio::test]
async fn probe_eventmesh_with_a_wrong_password_fails() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/eventmesh", server.port());
    let run = probe(&[
        &url,
        "--sender",
        "eventmesh",
        "--user",
        "quickstart",
        "--password",
        "not-the-password",
    ])
    .await;
    run.assert_failed("no consent");
    assert!(run.stdout.contains("< 401 Unauthorized"), "{run}");
    assert!(!run.stdout.contains("not-the-password"), "{run}");
}

#[tokio::test]
async fn probe_eventgrid_with_the_quickstart_subscription_completes() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/eventgrid", server.port());
    let run = probe(&[
        &url,
        "--sender",
        "eventgrid",
        "--subscription",
        "quickstart",
    ])
    .await;
    run.assert_completed();
    assert!(
        run.stdout
            .contains("> aeg-event-type: SubscriptionValidation"),
        "{run}"
    );
    assert!(run.stdout.contains("validationResponse"), "{run}");
}

#[tokio::test]
async fn probe_eventgrid_with_another_subscription_fails() {
    let server = quickstart().await;
    let url = format!("http://127.0.0.1:{}/eventgrid", server.port());
    let run = probe(&[
        &url,
        "--sender",
        "eventgrid",
        "--subscription",
        "someone-else",
    ])
    .await;
    run.assert_failed("403 Forbidden instead of 200");
}

#[tokio::test]
async fn d15_probe_redacts_the_access_token_and_the_bearer_token() {
    let server = quickstart().await;
    let url = format!(
        "http://127.0.0.1:{}/cloudevents?access_token=s3cret-query-token",
        server.port()
    );
    let run = probe(&[&url, "--bearer", "s3cret-bearer-token"]).await;
    run.assert_completed();
    assert!(!run.stdout.contains("s3cret"), "{run}");
    assert!(run.stdout.contains("?access_token=<redacted>"), "{run}");
    // CloudEvents §3.2: a token in the query goes with `Cache-Control: no-store`.
    run.assert_line("> cache-control: no-store");
    run.assert_line("> authorization: Bearer <redacted>");
}

// ---------------------------------------------------------------------------------------------
// Against deliberately broken endpoints
// ---------------------------------------------------------------------------------------------

/// The validation code of an Event Grid validation POST.
fn validation_code(body: &Bytes) -> String {
    let events: Value = serde_json::from_slice(body).unwrap();
    events[0]["data"]["validationCode"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Routes that each answer wrongly in one way; `/consent` answers right and counts its calls.
fn broken_endpoints(consents: Arc<AtomicUsize>) -> Router {
    Router::new()
        .route(
            "/no-consent",
            options(|| async { (StatusCode::OK, [("allow", "OPTIONS, POST")]) }),
        )
        .route(
            "/other-origin",
            options(|| async { consent("other.example.com") }),
        )
        .route(
            "/lower-cased",
            options(|headers: HeaderMap| async move {
                consent(&requested_origin(&headers).to_ascii_lowercase())
            }),
        )
        .route(
            "/accepted",
            post(|body: Bytes| async move {
                (
                    StatusCode::ACCEPTED,
                    axum::Json(json!({"validationResponse": validation_code(&body)})),
                )
            }),
        )
        .route(
            "/wrong-code",
            post(|| async { axum::Json(json!({"validationResponse": "not-the-code"})) }),
        )
        .route("/never", options(std::future::pending::<()>))
        .route(
            "/redirect",
            options(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/consent")]) }),
        )
        .route(
            "/consent",
            options(move |headers: HeaderMap| {
                consents.fetch_add(1, Ordering::SeqCst);
                async move { consent(&requested_origin(&headers)) }
            }),
        )
}

#[tokio::test]
async fn probe_reports_each_failure_of_a_broken_endpoint() {
    let consents = Arc::new(AtomicUsize::new(0));
    let base = serve(broken_endpoints(Arc::clone(&consents))).await;
    let url = |path: &str| format!("{base}{path}");

    probe(&[&url("/no-consent")])
        .await
        .assert_failed("no consent");
    probe(&[&url("/other-origin")])
        .await
        .assert_failed("origin echoed wrong");
    let run = probe(&[&url("/lower-cased"), "--origin", "EventEmitter.Example.com"]).await;
    run.assert_failed("origin echoed wrong");
    assert!(run.stdout.contains("\"eventemitter.example.com\""), "{run}");
    probe(&[&url("/accepted"), "--sender", "eventgrid"])
        .await
        .assert_failed("202 instead of 200");
    probe(&[&url("/wrong-code"), "--sender", "eventgrid"])
        .await
        .assert_failed("validation code wrong");
    probe(&[&url("/never"), "--timeout", "0.5"])
        .await
        .assert_failed("timeout");
    probe(&[&url("/redirect"), "--sender", "eventmesh"])
        .await
        .assert_failed("redirected");
    assert_eq!(
        consents.load(Ordering::SeqCst),
        0,
        "a redirect was followed"
    );

    // The same endpoint's right answer completes: the failures above are the endpoints'.
    probe(&[&url("/consent"), "--sender", "eventgrid-cloudevents"])
        .await
        .assert_completed();
}

#[tokio::test]
async fn probe_of_a_closed_port_fails_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    probe(&[&format!("http://127.0.0.1:{port}/hook")])
        .await
        .assert_failed("unreachable");
}

// ---------------------------------------------------------------------------------------------
// https
// ---------------------------------------------------------------------------------------------

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent) {}

/// TLS on loopback for `axum::serve`: each accepted connection is handshaken before it is
/// handed to hyper; a failed TLS handshake is skipped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, address);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Serves `router` over https on a free loopback port with a fresh self-signed certificate for
/// `127.0.0.1`; returns the base URL and the certificate (PEM) to trust.
async fn serve_tls(router: Router) -> (String, String) {
    let (config, pem) = self_signed("127.0.0.1");
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = tcp.local_addr().expect("address");
    let listener = TlsListener {
        tcp,
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    };
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("https://{address}"), pem)
}

#[tokio::test]
async fn probe_over_https_with_a_test_ca_completes() {
    let (base, pem) = serve_tls(Router::new().route("/orders", orders::route())).await;
    let url = format!("{base}/orders");
    let dir = common::target_dir().join("tmp");
    std::fs::create_dir_all(&dir).expect("target/tmp");
    let ca = dir.join(format!("probe-test-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, &pem).expect("the CA file");
    let ca = ca.to_str().expect("a UTF-8 path").to_owned();

    let run = probe(&[&url, "--origin", ORIGIN, "--ca-cert", &ca]).await;
    run.assert_completed();
    assert!(run.stdout.contains(&format!("> OPTIONS {url}")), "{run}");

    // Without trusting the test CA the certificate is refused: TLS is checked.
    probe(&[&url, "--origin", ORIGIN])
        .await
        .assert_failed("unreachable");
    let _ = std::fs::remove_file(&ca);
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn probe_usage_errors_exit_2_with_the_usage() {
    // clap words its own errors (a missing URL, an unknown value or option, a flag without the
    // one it requires); the rest are the probe's, printed the same way.
    for (args, message) in [
        (&[][..], "<URL>"),
        (
            &["http://127.0.0.1:9/", "--sender", "kafka"][..],
            "invalid value 'kafka' for '--sender <KIND>'",
        ),
        (
            &["http://127.0.0.1:9/", "--user", "u"][..],
            "--user needs --password",
        ),
        (
            &["http://127.0.0.1:9/", "--password", "p"][..],
            "--user <U>",
        ),
        (
            &[
                "http://127.0.0.1:9/",
                "--user",
                "u",
                "--password",
                "p",
                "--bearer",
                "t",
            ][..],
            "cannot be used with",
        ),
        (
            &[
                "http://127.0.0.1:9/",
                "--token-url",
                "http://127.0.0.1:9/token",
            ][..],
            "--client-id <ID>",
        ),
        (
            &[
                "http://127.0.0.1:9/",
                "--token-url",
                "http://127.0.0.1:9/token",
                "--client-id",
                "c",
            ][..],
            "--client-id needs --client-secret",
        ),
        (
            &[
                "http://127.0.0.1:9/",
                "--token-url",
                "http://127.0.0.1:9/token",
                "--client-id",
                "c",
                "--client-secret",
                "s",
                "--bearer",
                "t",
            ][..],
            "cannot be used with",
        ),
        (
            &[
                "http://127.0.0.1:9/",
                "--token-url",
                "http://uaa.example.com/token",
                "--client-id",
                "c",
                "--client-secret",
                "s",
            ][..],
            "--token-url",
        ),
        (
            &["http://127.0.0.1:9/", "--rate", "0"][..],
            "not a positive integer",
        ),
        (
            &["http://127.0.0.1:9/", "--timeout", "soon"][..],
            "--timeout",
        ),
        (
            &["http://127.0.0.1:9/", "--bogus"][..],
            "unexpected argument '--bogus'",
        ),
        (&["ftp://127.0.0.1/"][..], "only http and https"),
        (
            &["http://127.0.0.1:9/", "--ca-cert", "/nonexistent/ca.pem"][..],
            "--ca-cert",
        ),
    ] {
        let run = probe(args).await;
        assert_eq!(run.code, Some(2), "{args:?}: {run}");
        assert!(run.stderr.contains(message), "{args:?}: {run}");
        // clap prints a usage line with some errors (not with an invalid value) and points to
        // the help with every one, the probe's own included.
        assert!(
            run.stderr.contains("For more information, try '--help'."),
            "{args:?}: {run}"
        );
        assert!(run.stdout.is_empty(), "{args:?}: {run}");
    }
    let help = probe(&["--help"]).await;
    assert_eq!(help.code, Some(0), "{help}");
    assert!(
        help.stdout.contains("Usage: webhook-probe [OPTIONS] <URL>"),
        "{help}"
    );
    for text in [
        "--token-url <URL>",
        "PROBE_PASSWORD",
        "PROBE_BEARER",
        "PROBE_CLIENT_SECRET",
        "Exit status: 0 when the handshake status is Completed, 1 when it failed, 2 on a usage error.",
    ] {
        assert!(help.stdout.contains(text), "no {text:?} in {help}");
    }
}

// ---------------------------------------------------------------------------------------------
// OAuth2 client credentials
// ---------------------------------------------------------------------------------------------

/// A token endpoint that grants `t0ken` to `sb-probe` with secret `s3cret` (HTTP Basic, as RFC
/// 6749 §2.3.1 asks) and refuses anything else, and `/hook`, which consents only to that token.
fn token_issuer() -> Router {
    // base64("sb-probe:s3cret")
    const CLIENT: &str = "Basic c2ItcHJvYmU6czNjcmV0";
    Router::new()
        .route(
            "/token",
            post(|headers: HeaderMap, body: String| async move {
                let client = headers.get("authorization").and_then(|v| v.to_str().ok());
                if client == Some(CLIENT) && body.contains("grant_type=client_credentials") {
                    let scope_ok = !body.contains("scope=") || body.contains("scope=orders");
                    if scope_ok {
                        return (
                            StatusCode::OK,
                            axum::Json(json!({"access_token": "t0ken", "expires_in": 300})),
                        );
                    }
                }
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({"error": "invalid_client"})),
                )
            }),
        )
        .route(
            "/hook",
            options(|headers: HeaderMap| async move {
                let token = headers.get("authorization").and_then(|v| v.to_str().ok());
                if token == Some("Bearer t0ken") {
                    consent(&requested_origin(&headers)).into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }),
        )
}

#[tokio::test]
async fn probe_eventmesh_with_client_credentials_fetches_and_sends_the_token() {
    let base = serve(token_issuer()).await;
    let hook = format!("{base}/hook");
    let token_url = format!("{base}/token");
    let args = [
        &hook[..],
        "--sender",
        "eventmesh",
        "--token-url",
        &token_url,
        "--client-id",
        "sb-probe",
    ];
    let run = probe(
        &[
            &args[..],
            &["--client-secret", "s3cret", "--scope", "orders"],
        ]
        .concat(),
    )
    .await;
    run.assert_completed();
    run.assert_line("> authorization: Bearer <redacted>");
    assert!(
        !run.stdout.contains("t0ken") && !run.stdout.contains("s3cret"),
        "{run}"
    );

    // The secret can stay off the command line.
    let run = probe_with_env(&args, &[("PROBE_CLIENT_SECRET", "s3cret")]).await;
    run.assert_completed();

    // A refused client leaves the handshake unsent: it fails, exit 1, not a usage error.
    let run = probe(&[&args[..], &["--client-secret", "wrong"]].concat()).await;
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.status_line().starts_with("handshake status: Failed ("),
        "{run}"
    );
}
