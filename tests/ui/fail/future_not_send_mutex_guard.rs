// The Event Grid builder checks the future too (the Rc case covers CloudEvents).
use std::sync::Mutex;

use webhook_runtime::{EventGridEvent, webhook};

static SEEN: Mutex<u64> = Mutex::new(0);

#[webhook(schema = eventgrid)]
async fn blobs(_event: EventGridEvent<serde_json::Value>) {
    let mut seen = SEEN.lock().unwrap();
    std::future::ready(()).await;
    *seen += 1;
}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", blobs::route());
}
