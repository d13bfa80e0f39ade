// Event Grid schema: per-event and whole-array handlers, the aeg-* headers, subscriptions; and a
// CloudEvents route that Event Grid delivers to, admitting every Event Grid cloud.
use webhook_runtime::eventgrid::{EVENT_GRID_ORIGINS, EventGridHeaders};
use webhook_runtime::{CloudEvent, EventGridEvent, webhook};

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlobCreated {
    url: String,
    content_length: Option<u64>,
}

#[webhook(schema = eventgrid, subscriptions = ["quickstart", "orders-2"])]
async fn blobs(event: EventGridEvent<BlobCreated>, delivery: EventGridHeaders) {
    let _ = (&event.data().url, event.data().content_length, delivery.delivery_count);
}

#[webhook(schema = eventgrid)]
async fn all_at_once(events: Vec<EventGridEvent>) -> String {
    events.len().to_string()
}

#[webhook(schema = cloudevents, origins = EVENT_GRID_ORIGINS)]
async fn grid_cloudevents(_event: CloudEvent<BlobCreated>) {}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/blobs", blobs::route())
        .route("/all", all_at_once::route())
        .route("/ce", grid_cloudevents::route());
}
