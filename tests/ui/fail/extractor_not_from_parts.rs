use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent<serde_json::Value>, _body: String) {}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
