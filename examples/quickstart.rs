//! The quickstart: a real axum server receiving webhooks.
//!
//! ```text
//! cargo run --example quickstart          # serves 127.0.0.1:3000 (PORT overrides)
//! ```
//!
//! - `/cloudevents`: CloudEvents from `eventemitter.example.com`, at most 120 requests per minute,
//!   with data `{"order_id": string, "amount": number}`.
//! - `/eventgrid`: Azure Event Grid (Event Grid schema), subscription `quickstart` only, with data
//!   `{"api": string, "url": string, "contentType"?: string, "contentLength"?: integer}` (a subset
//!   of `Microsoft.Storage.BlobCreated`).
//! - `/eventmesh`: SAP Event Mesh: HTTP Basic on the handshake and on deliveries (user and
//!   password from `EVENTMESH_USER` / `EVENTMESH_PASSWORD`, `quickstart`/`quickstart` by default,
//!   with a warning), any origin, CloudEvents with the data of `/cloudevents`.
//!
//!   For a subscription authenticated by OAuth2 client credentials, set `EVENTMESH_OIDC_ISSUER`
//!   (the issuer URL of the tokens: https, or http on a loopback host) and
//!   `EVENTMESH_OIDC_AUDIENCE` (the audience they must name; several separated by commas), and
//!   optionally `EVENTMESH_OIDC_SCOPE` (scopes every token must hold). `/eventmesh` then accepts
//!   bearer JWTs of that issuer, verified with its keys (found by OpenID Connect discovery), on
//!   the handshake and on deliveries, instead of Basic: no token or an invalid one is answered
//!   401, a valid token without the scope 403, and 503 while the issuer's keys cannot be
//!   fetched. The runtime reads these variables (`Config::with_vars`, feature `jwt`).
//!
//! Every event received prints one JSON line on stdout. Every request logs one line on stderr at
//! `info` (the runtime's `webhook request answered`, with route, sender, mode, event count, first
//! event id and type, status and rejection reason); `RUST_LOG` filters (default `info`).
//!
//! It serves with `webhook_runtime::serve` and its default limits: a connection that does not
//! deliver a whole request head within 10 s (one that sends nothing, half a head, or idles on
//! keep-alive) is closed, and at most 512 connections are open at once (more wait to be accepted).
//!
//! Ctrl-C (SIGINT) or SIGTERM shuts the server down gracefully: it stops accepting connections,
//! lets the requests in flight finish (a body that stalls is cut off by the routes' body timeout,
//! 30 s by default), then exits with status 0. A connection still open after the grace
//! (`SHUTDOWN_GRACE_SECS`, 30 by default: a handler that never finishes would otherwise hold the
//! shutdown forever), or a second signal, ends the shutdown at once: what is still open is closed
//! and the exit status is 1.

use std::future::IntoFuture;
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use webhook_runtime::auth::Credentials;
use webhook_runtime::serve::{ServeLimits, serve};
use webhook_runtime::{CloudEvent, CloudEventsConfig, ConfigError, EventGridEvent, webhook};

/// The data of an order event.
#[derive(Debug, Serialize, Deserialize)]
struct Order {
    order_id: String,
    amount: f64,
}

/// One line of the quickstart's output, fields in this order.
#[derive(Serialize)]
struct Line<'a, T> {
    endpoint: &'a str,
    id: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    data: &'a T,
}

/// A blob-created notification: a subset of `Microsoft.Storage.BlobCreated`'s data.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlobCreated {
    api: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_length: Option<u64>,
}

/// Prints one JSON line per event on stdout.
fn print_event<T: Serialize>(line: Line<'_, T>) {
    match serde_json::to_string(&line) {
        Ok(line) => println!("{line}"),
        Err(error) => tracing::error!(%error, "event could not be printed"),
    }
}

/// CloudEvents of type order, from `eventemitter.example.com`, granted 120 requests per minute.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn cloudevents(event: CloudEvent<Order>) {
    print_event(Line {
        endpoint: "/cloudevents",
        id: event.id(),
        ty: event.ty(),
        data: event.data(),
    });
}

/// Event Grid deliveries of the `quickstart` subscription; validation is answered by the runtime.
#[webhook(schema = eventgrid, subscriptions = ["quickstart"])]
async fn eventgrid(event: EventGridEvent<BlobCreated>) {
    print_event(Line {
        endpoint: "/eventgrid",
        id: event.id(),
        ty: event.event_type(),
        data: event.data(),
    });
}

/// SAP Event Mesh deliveries (CloudEvents); the credentials are added at run time.
#[webhook(origins = ["*"], schema = cloudevents)]
async fn eventmesh(event: CloudEvent<Order>) {
    print_event(Line {
        endpoint: "/eventmesh",
        id: event.id(),
        ty: event.ty(),
        data: event.data(),
    });
}

/// The Event Mesh subscription's Basic credentials, from the environment.
fn eventmesh_credentials() -> Credentials {
    let user = std::env::var("EVENTMESH_USER").ok();
    let password = std::env::var("EVENTMESH_PASSWORD").ok();
    if user.is_none() || password.is_none() {
        eprintln!(
            "warning: EVENTMESH_USER / EVENTMESH_PASSWORD not set: /eventmesh accepts the default \
             credentials quickstart/quickstart; set both before exposing this server"
        );
    }
    Credentials::new().basic(
        user.as_deref().unwrap_or("quickstart"),
        password.as_deref().unwrap_or("quickstart"),
    )
}

/// The variables that switch `/eventmesh` from Basic to bearer tokens.
const EVENTMESH_TOKEN_VARIABLES: [&str; 3] = [
    "EVENTMESH_OIDC_ISSUER",
    "EVENTMESH_OIDC_AUDIENCE",
    "EVENTMESH_OIDC_SCOPE",
];

/// `/eventmesh`'s configuration: bearer tokens of the issuer the `EVENTMESH_OIDC_*` variables
/// name, else Basic credentials.
fn eventmesh_config() -> Result<CloudEventsConfig, ConfigError> {
    // Only the token variables are handed to the runtime: any other `EVENTMESH_*` variable is
    // left alone, so that without tokens the route is exactly the Basic one.
    let tokens = eventmesh::config().with_vars("EVENTMESH", |name| {
        if EVENTMESH_TOKEN_VARIABLES.contains(&name) {
            std::env::var(name).ok()
        } else {
            None
        }
    })?;
    if let Some(verifier) = tokens.jwt() {
        eprintln!("/eventmesh accepts bearer tokens instead of Basic: {verifier:?}");
        return Ok(tokens);
    }
    Ok(eventmesh::config().with_credentials(eventmesh_credentials()))
}

/// The application: every route of the quickstart.
fn app() -> Result<Router, ConfigError> {
    Ok(Router::new()
        .route("/cloudevents", cloudevents::route())
        .route("/eventgrid", eventgrid::route())
        .route("/eventmesh", eventmesh::route_with(eventmesh_config()?)))
}

/// The signals that stop the quickstart: Ctrl-C (SIGINT) and, on Unix, SIGTERM.
///
/// On Unix both handlers are installed when this is made, before the server listens, so that a
/// signal sent as soon as the `listening on` line is seen already starts a graceful shutdown (and
/// never finds the default action, which would end the process at once).
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            // `SignalKind::interrupt()` is what `tokio::signal::ctrl_c` listens to on Unix.
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves with the next signal's name.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            if let Err(error) = tokio::signal::ctrl_c().await {
                // Without a handler there is no graceful shutdown; keep serving rather than stop.
                tracing::error!(%error, "Ctrl-C cannot be listened to");
                std::future::pending::<()>().await;
            }
            "Ctrl-C"
        }
    }
}

/// An environment variable parsed as `T`, or `default` when it is not set.
fn env_or<T: std::str::FromStr>(name: &str, default: T, what: &str) -> std::io::Result<T> {
    match std::env::var(name) {
        Ok(value) => value.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{name} must be {what}"),
            )
        }),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let port: u16 = env_or("PORT", 3000, "a port number")?;
    let grace = Duration::from_secs(env_or("SHUTDOWN_GRACE_SECS", 30, "a number of seconds")?);
    let app = app().map_err(|error| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, error.to_string())
    })?;
    let mut signals = Signals::install()?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    eprintln!("quickstart listening on http://{address}");
    // On the first signal the listener is closed at once (new connections are refused) and the
    // signals go on to `cut_short`; the server returns once every connection has answered its
    // request in flight and closed.
    let (stopping, stopped) = oneshot::channel();
    let server = serve(listener, app, ServeLimits::default()).with_graceful_shutdown(async move {
        let name = signals.next().await;
        eprintln!("quickstart received {name}, shutting down: finishing requests in flight");
        let _ = stopping.send(signals);
    });
    // ... unless a connection outlasts the grace (a handler that never finishes would hold it
    // forever), or a second signal asks to stop now.
    let cut_short = async move {
        let Ok(mut signals) = stopped.await else {
            // The server ended without a signal: its own result answers.
            return std::future::pending().await;
        };
        tokio::select! {
            () = tokio::time::sleep(grace) => format!("the grace of {}s ran out", grace.as_secs()),
            name = signals.next() => format!("a second signal ({name})"),
        }
    };
    tokio::select! {
        served = server.into_future() => {
            served?;
            eprintln!("quickstart stopped");
            Ok(ExitCode::SUCCESS)
        }
        why = cut_short => {
            // Returning drops the runtime, which closes every connection still open.
            eprintln!("quickstart stopped: {why}; connections still open were closed");
            Ok(ExitCode::FAILURE)
        }
    }
}
