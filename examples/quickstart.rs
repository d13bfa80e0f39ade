//! The quickstart: a real axum server receiving webhooks.
//!
//! ```text
//! cargo run --example quickstart          # serves 127.0.0.1:3000 (PORT overrides)
//! ```
//!
//! - `/cloudevents`: CloudEvents from `eventemitter.example.com`, at most 120 requests per minute,
//!   with data `{"order_id": string, "amount": number}`.
//!
//! Every event received prints one JSON line on stdout; logs go to stderr (`RUST_LOG` filters).

use axum::Router;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use webhook_runtime::{CloudEvent, webhook};

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

/// Prints one JSON line per event on stdout.
fn print_event<T: Serialize>(endpoint: &str, event: &CloudEvent<T>) {
    let line = Line {
        endpoint,
        id: event.id(),
        ty: event.ty(),
        data: event.data(),
    };
    match serde_json::to_string(&line) {
        Ok(line) => println!("{line}"),
        Err(error) => tracing::error!(%error, "event could not be printed"),
    }
}

/// CloudEvents of type order, from `eventemitter.example.com`, granted 120 requests per minute.
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
async fn cloudevents(event: CloudEvent<Order>) {
    tracing::info!(id = event.id(), order = %event.data().order_id, "order received");
    print_event("/cloudevents", &event);
}

/// The application: every route of the quickstart.
fn app() -> Router {
    Router::new().route("/cloudevents", cloudevents::route())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,webhook_runtime=debug".into()),
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
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    eprintln!("quickstart listening on http://{address}");
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
