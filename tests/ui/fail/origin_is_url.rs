use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["https://x.com"], schema = cloudevents)]
async fn orders(_event: CloudEvent) {}

fn main() {}
