use webhook_runtime::EventTypes;

#[derive(EventTypes)]
#[events(unknown = skip)]
enum BlobEvent {
    #[event("Microsoft.Storage.BlobCreated")]
    Created(String, u64),
}

fn main() {}
