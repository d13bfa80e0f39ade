use webhook_runtime::{CloudEvent, webhook};

#[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 0)]
async fn orders(_event: CloudEvent) {}

fn main() {}
