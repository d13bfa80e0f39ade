// #[derive(EventTypes)] with each choice for unlisted types, used by both schemas.
use webhook_runtime::{CloudEvent, EventGridEvent, EventTypes, webhook};

#[derive(serde::Deserialize)]
struct BlobCreated {
    url: String,
}

#[derive(EventTypes)]
#[events(unknown = reject)]
enum Strict {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(BlobCreated),
    #[event("Microsoft.Storage.BlobDeleted")]
    Deleted,
}

#[derive(EventTypes)]
#[events(unknown = skip)]
enum Lenient {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(BlobCreated),
}

#[derive(EventTypes)]
enum Open {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(BlobCreated),
    #[event(other)]
    Other(serde_json::Value),
}

#[webhook(schema = eventgrid)]
async fn strict(event: EventGridEvent<Strict>) {
    if let Strict::Created(blob) = event.data() {
        let _ = &blob.url;
    }
}

#[webhook(schema = eventgrid)]
async fn lenient(_events: Vec<EventGridEvent<Lenient>>) {}

#[webhook(origins = ["*"], schema = cloudevents)]
async fn open(_event: CloudEvent<Open>) {}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .route("/strict", strict::route())
        .route("/lenient", lenient::route())
        .route("/open", open::route());
}
