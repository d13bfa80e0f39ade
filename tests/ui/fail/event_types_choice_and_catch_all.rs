use webhook_runtime::EventTypes;

#[derive(EventTypes)]
#[events(unknown = reject)]
enum BlobEvent {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(serde_json::Value),
    #[event(other)]
    Other(serde_json::Value),
}

fn main() {}
