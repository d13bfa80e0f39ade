use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
const async fn orders(_event: CloudEvent) {}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
