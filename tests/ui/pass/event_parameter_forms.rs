// Every form of the event parameter: per event, per batch, and each kind of data (D13).
use axum::response::IntoResponse;
use bytes::Bytes;
use webhook_runtime::{CloudEvent, webhook};

#[derive(serde::Deserialize)]
struct Order {
    order_id: String,
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn batch(events: Vec<CloudEvent<Order>>) -> impl IntoResponse {
    events.iter().map(|e| e.data().order_id.len()).sum::<usize>().to_string()
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn raw(event: CloudEvent<Bytes>) {
    let _ = event.data().len();
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn value(event: CloudEvent<serde_json::Value>) {
    let _ = event.data().is_null();
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn optional(event: CloudEvent<Option<Order>>) {
    let _ = event.data().is_none();
}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn default_data(event: webhook_runtime::CloudEvent) {
    let _ = event.id();
}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/batch", batch::route())
        .route("/raw", raw::route())
        .route("/value", value::route())
        .route("/optional", optional::route())
        .route("/default", default_data::route());
}
