// D11: the handler's `#[cfg]` attributes are copied onto the companion, so a compiled-out
// handler takes its companion with it (otherwise the companion would call a missing function).
use webhook_runtime::{CloudEvent, webhook};

#[cfg(any())]
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn never_compiled(_event: CloudEvent) {}

#[cfg(not(any()))]
#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn always_compiled(_event: CloudEvent) {}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", always_compiled::route());
}
