use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent, _headers: impl Send) {}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
