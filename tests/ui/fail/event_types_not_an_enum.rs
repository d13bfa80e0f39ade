use webhook_runtime::EventTypes;

#[derive(EventTypes)]
struct BlobEvent {
    url: String,
}

fn main() {}
