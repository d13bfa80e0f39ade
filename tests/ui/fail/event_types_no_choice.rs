use webhook_runtime::EventTypes;

#[derive(EventTypes)]
enum BlobEvent {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(serde_json::Value),
}

fn main() {}
