use webhook_runtime::EventTypes;

#[derive(EventTypes)]
#[events(unknown = skip)]
enum BlobEvent {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(serde_json::Value),
    Deleted(serde_json::Value),
}

fn main() {}
