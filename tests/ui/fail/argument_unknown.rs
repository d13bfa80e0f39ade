use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["a.example.com"], schema = cloudevents, retries = 3)]
async fn orders(_event: CloudEvent) {}

fn main() {}
