use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent, _rest: ...) {}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
