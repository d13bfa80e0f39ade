use webhook_runtime::EventTypes;

#[derive(EventTypes)]
#[events(unknown = ignore)]
enum BlobEvent {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(serde_json::Value),
}

fn main() {}
