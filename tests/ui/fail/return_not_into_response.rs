use webhook_runtime::{CloudEvent, webhook};

struct Outcome;

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent<serde_json::Value>) -> Outcome {
    Outcome
}

fn main() {
    let _app: axum::Router = axum::Router::new().route("/", orders::route());
}
