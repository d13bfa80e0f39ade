use webhook_runtime::EventTypes;

#[derive(EventTypes)]
#[events(unknown = reject)]
enum BlobEvent {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(serde_json::Value),
    #[event("Microsoft.Storage.BlobCreated")]
    AlsoCreated(serde_json::Value),
}

fn main() {}
