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
//! Every event received prints one JSON line on stdout. Every request logs one line on stderr at
//! `info` (the runtime's `webhook request answered`, with route, sender, mode, event count, first
//! event id and type, status and rejection reason); `RUST_LOG` filters (default `info`).
//!
//! Ctrl-C (SIGINT) or SIGTERM shuts the server down gracefully: it stops accepting connections,
//! lets the requests in flight finish (a body that stalls is cut off by the routes' body timeout,
//! 30 s by default), then exits with status 0.

use axum::Router;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use webhook_runtime::auth::Credentials;
use webhook_runtime::{CloudEvent, EventGridEvent, webhook};

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

/// The application: every route of the quickstart.
fn app() -> Router {
    Router::new()
        .route("/cloudevents", cloudevents::route())
        .route("/eventgrid", eventgrid::route())
        .route(
            "/eventmesh",
            eventmesh::route_with(eventmesh::config().with_credentials(eventmesh_credentials())),
        )
}

/// Resolves when the process is asked to stop: Ctrl-C (SIGINT) or, on Unix, SIGTERM.
///
/// On Unix both handlers are installed here, before the server listens, so that a signal sent
/// as soon as the `listening on` line is seen already starts a graceful shutdown (and never
/// finds the default action, which would end the process at once).
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    // `SignalKind::interrupt()` is what `tokio::signal::ctrl_c` listens to on Unix.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        eprintln!("quickstart received {name}, shutting down: finishing requests in flight");
    })
}

/// Resolves when the process is asked to stop: Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            // Without a handler there is no graceful shutdown; keep serving rather than stop.
            tracing::error!(%error, "Ctrl-C cannot be listened to");
            std::future::pending::<()>().await;
        }
        eprintln!("quickstart received Ctrl-C, shutting down: finishing requests in flight");
    })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "PORT must be a port number",
            )
        })?,
        Err(_) => 3000,
    };
    let app = app();
    let shutdown = shutdown_signal()?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    eprintln!("quickstart listening on http://{address}");
    // On the signal the listener is closed at once (new connections are refused); `await`
    // returns once every connection has answered its request in flight and closed.
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    eprintln!("quickstart stopped");
    Ok(())
}
